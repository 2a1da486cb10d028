package ingest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/egovkpi/egovkpi/data"
)

// Problem is one thing wrong in a file, with its place.
type Problem struct {
	Sheet string `json:"sheet,omitempty"`
	Cell  string `json:"cell,omitempty"`
	// Cells are all the cells a rule over several measures read, Cell first (a part
	// greater than its total is in both): the marked file marks each of them. Fields are
	// their measures, in the same order.
	Cells   []string `json:"cells,omitempty"`
	Fields  []string `json:"fields,omitempty"`
	Row     int      `json:"row,omitempty"`
	Field   string   `json:"field,omitempty"`
	Message string   `json:"message"`
}

// String prints the problem with its place first in a spreadsheet's notation, for logs
// and tests: Báo cáo!C9: "12a" không phải là số. Text is what a reader is shown.
func (p Problem) String() string {
	switch {
	case p.Cell != "" && p.Sheet != "":
		return p.Sheet + "!" + p.Cell + ": " + p.Message
	case p.Row > 0: // a CSV file: lines, as a text editor numbers them
		return fmt.Sprintf("dòng %d: %s", p.Row, p.Message)
	case p.Cell != "":
		return p.Cell + ": " + p.Message
	}
	return p.Message
}

// Text prints the problem with its place first as a reader says it, in the reader's
// language: ô C9 (trang Báo cáo): Tổng số văn bản đi: "12a" không phải là số.
func (p Problem) Text(lang string) string {
	if where := p.Place(lang); where != "" {
		return where + ": " + p.Message
	}
	return p.Message
}

// Place says where the problem is as a reader says it: "ô D12 (trang Báo cáo)", "ô D12
// và D11 (trang Báo cáo)", "dòng 7" in a CSV file; "" for the file as a whole.
func (p Problem) Place(lang string) string {
	cells := p.Cells
	if len(cells) == 0 && p.Cell != "" {
		cells = []string{p.Cell}
	}
	switch {
	case p.Sheet == "" && p.Row > 0: // a CSV file: lines, as a text editor numbers them
		return msg(lang, "dòng %d", "row %d", p.Row)
	case len(cells) > 0:
		and, cell := " và ", "ô "
		if lang == "en" {
			and, cell = " and ", "cell "
			if len(cells) > 1 {
				cell = "cells "
			}
		}
		s := cell + strings.Join(cells, and)
		if p.Sheet != "" {
			s += msg(lang, " (trang %s)", " (sheet %s)", p.Sheet)
		}
		return s
	case p.Row > 0: // a CSV file: lines, as a text editor numbers them
		return msg(lang, "dòng %d", "row %d", p.Row)
	}
	return ""
}

// The first sheet of a marked file (dashboard/marked.go) lists its problems; a reader of
// reports skips it, so that the file can be corrected and sent again as it is.
const (
	SummarySheetVI = "Tóm tắt lỗi"
	SummarySheetEN = "Problems found"
)

// MeasureName is a measure's name in the reader's language (its code if it has none):
// what a problem calls the measure, never its code.
func MeasureName(code, lang string) string {
	i := data.MeasureIndex(code)
	if i < 0 {
		return code
	}
	if lang == "en" {
		return data.Measures[i].LabelEN
	}
	return data.Measures[i].LabelVI
}

// Report is one unit's values for one month, as read from a file: a view of one row of
// the table its file was read into. A wide file of half a million rows must stay small in
// memory, so the table is held by column: 12 bytes a row for unit, month, row and which
// measures it carries, and one int32 slot per measure column the file has. A count above
// 2,147,483,647 in one unit and month is refused when read.
type Report struct {
	tab *table
	i   int32
}

// table is what a file's reports share: where they were read, and their values.
type table struct {
	sheet   string
	cells   map[string]string // template layout: measure → cell
	cols    map[string]int    // wide layout: measure → column
	slot    [maxMeasures]int8 // measure index → slot in a report's values, or -1
	width   int               // slots per report
	units   []string          // the unit codes, by index
	unitIdx map[string]uint16
	rows    []tableRow
	vals    []int32
}

type tableRow struct {
	month   int32
	row     int32 // the first row it came from, 1-based
	unit    uint16
	present uint16
}

func newTable(sheet string, measures []string, hint int) *table {
	t := &table{sheet: sheet, unitIdx: map[string]uint16{}}
	for i := range t.slot {
		t.slot[i] = -1
	}
	for _, code := range measures {
		if i := data.MeasureIndex(code); i >= 0 && t.slot[i] < 0 {
			t.slot[i] = int8(t.width)
			t.width++
		}
	}
	t.rows = make([]tableRow, 0, hint)
	t.vals = make([]int32, 0, hint*t.width)
	return t
}

// add appends a report at row (1-based), its values empty.
func (t *table) add(unit string, m data.Month, row int) Report {
	u, ok := t.unitIdx[unit]
	if !ok {
		u = uint16(len(t.units)) // units come from the registry: a few hundred at most
		t.units = append(t.units, unit)
		t.unitIdx[unit] = u
	}
	t.rows = append(t.rows, tableRow{month: int32(m), row: int32(row), unit: u})
	t.vals = append(t.vals, make([]int32, t.width)...)
	return Report{tab: t, i: int32(len(t.rows) - 1)}
}

// maxMeasures bounds the catalogue a Report can carry (a test checks it).
const maxMeasures = 16

func (r Report) set(code string, v int64) {
	i := data.MeasureIndex(code)
	r.tab.vals[r.off()+int(r.tab.slot[i])] = int32(v)
	r.tab.rows[r.i].present |= 1 << i
}

func (r Report) off() int { return int(r.i) * r.tab.width }

func (r Report) present() uint16 { return r.tab.rows[r.i].present }

// UnitCode is the unit the report is for.
func (r Report) UnitCode() string { return r.tab.units[r.tab.rows[r.i].unit] }

// Month is the month the report is for.
func (r Report) Month() data.Month { return data.Month(r.tab.rows[r.i].month) }

// Sheet is the sheet the report was read from ("" in a CSV file).
func (r Report) Sheet() string { return r.tab.sheet }

// Row is the first row the report came from, 1-based.
func (r Report) Row() int { return int(r.tab.rows[r.i].row) }

// Value is a measure's value and whether the file carried it.
func (r Report) Value(code string) (int64, bool) {
	i := data.MeasureIndex(code)
	if i < 0 || r.present()&(1<<i) == 0 {
		return 0, false
	}
	return int64(r.tab.vals[r.off()+int(r.tab.slot[i])]), true
}

// Values are the measures the file carried, by code.
func (r Report) Values() map[string]int64 {
	out := make(map[string]int64, 16)
	p := r.present()
	for i, m := range data.Measures {
		if p&(1<<i) != 0 {
			out[m.Code] = int64(r.tab.vals[r.off()+int(r.tab.slot[i])])
		}
	}
	return out
}

// Len is how many measures the report carries.
func (r Report) Len() int { return bits.OnesCount16(r.present()) }

// Missing lists the measures the file does not carry.
func (r Report) Missing() []string {
	var out []string
	p := r.present()
	for i, m := range data.Measures {
		if p&(1<<i) == 0 {
			out = append(out, m.Code)
		}
	}
	return out
}

// Cell is where a measure's value was read, for marking problems.
func (r Report) Cell(code string) string {
	if c, ok := r.tab.cols[code]; ok {
		return cellName(c, r.Row()-1)
	}
	return r.tab.cells[code]
}

// Parsed is what a file held.
type Parsed struct {
	Layout string // template | wide
	tab    *table
}

// Len is how many reports the file held.
func (p *Parsed) Len() int {
	if p.tab == nil {
		return 0
	}
	return len(p.tab.rows)
}

// Report is the i-th report, in the file's order.
func (p *Parsed) Report(i int) Report { return Report{tab: p.tab, i: int32(i)} }

// Reports ranges over the reports in the file's order.
func (p *Parsed) Reports() iter.Seq2[int, Report] {
	return func(yield func(int, Report) bool) {
		for i := 0; i < p.Len(); i++ {
			if !yield(i, p.Report(i)) {
				return
			}
		}
	}
}

// MaxRows and MaxCols bound a sheet as Excel does; a sheet past either is refused while
// its XML is scanned, before anything proportional to its size is allocated.
const (
	MaxRows = 1_048_576
	MaxCols = 16_384
)

// SheetTooLarge is a worksheet past Excel's limits: more than MaxRows rows, or a cell
// past column XFD.
type SheetTooLarge struct {
	Sheet string
	Cols  bool // the columns are past the limit, not the rows
}

func (e *SheetTooLarge) Error() string {
	if e.Cols {
		return fmt.Sprintf("sheet %s has a row of more than %d columns", e.Sheet, MaxCols)
	}
	return fmt.Sprintf("sheet %s has more than %d rows", e.Sheet, MaxRows)
}

// message says it in the reader's language, with what to do.
func (e *SheetTooLarge) message(lang, file string) string {
	if e.Cols {
		return msg(lang, "Trang tính \"%s\" trong %s có dòng dài hơn %s cột (giới hạn của Excel): hãy xóa các cột thừa rồi lưu lại",
			"Sheet \"%s\" in %s has a row of more than %s columns (Excel's limit): delete the extra columns and save it again", e.Sheet, file, data.FormatNumber(MaxCols, 0, lang))
	}
	return msg(lang, "Trang tính \"%s\" trong %s có hơn %s dòng (giới hạn của Excel): hãy xóa các dòng thừa rồi lưu lại",
		"Sheet \"%s\" in %s has more than %s rows (Excel's limit): delete the extra rows and save it again", e.Sheet, file, data.FormatNumber(MaxRows, 0, lang))
}

type sheet struct {
	name   string
	rows   [][]string // the first rows (the header zone)
	merges []cellRange
	// next streams the rest of the sheet or CSV file: the row's 0-based index and cells,
	// or io.EOF. The header is found in rows; data rows are read once and not kept.
	next func() (int, []string, error)
	hint int // rows expected, to size the reports once
}

func (sh *sheet) rowsHint() int { return max(sh.hint, len(sh.rows)) }

// each calls f for every row from index start on, buffered or streamed.
func (sh *sheet) each(start int, f func(r int, row []string)) error {
	for r := start; r < len(sh.rows); r++ {
		f(r, sh.rows[r])
	}
	if sh.next == nil {
		return nil
	}
	for {
		r, row, err := sh.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if r >= start {
			f(r, row)
		}
	}
}

func at(row []string, c int) string {
	if c < 0 || c >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[c])
}

func (sh *sheet) cell(r, c int) string {
	if r < 0 || r >= len(sh.rows) || c < 0 || c >= len(sh.rows[r]) {
		return ""
	}
	return strings.TrimSpace(sh.rows[r][c])
}

func cellName(c, r int) string {
	n, _ := excelize.CoordinatesToCellName(c+1, r+1)
	return n
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// msg picks the reader's language.
func msg(lang, vi, en string, args ...any) string {
	if lang == "en" {
		return fmt.Sprintf(en, args...)
	}
	return fmt.Sprintf(vi, args...)
}

// Parse reads a report file: the XLSX template, the same rows as CSV, or the wide layout
// (one row per unit and month), from a workbook (.xlsx), an OpenDocument spreadsheet
// (.ods) or a CSV file. It never panics: a file that makes the reader fail is
// reported as unreadable.
func Parse(name string, content []byte, reg *data.Registry, lang string) (p *Parsed, problems []Problem) {
	defer func() {
		if r := recover(); r != nil {
			p, problems = nil, []Problem{{Message: msg(lang, "Không đọc được tệp %s (tệp hỏng hoặc không đúng định dạng)", "Cannot read %s (the file is damaged or not a spreadsheet)", name)}}
		}
	}()
	if len(content) == 0 {
		return nil, []Problem{{Message: msg(lang, "Tệp %s rỗng", "%s is empty", name)}}
	}
	var sheets []*sheet
	switch {
	case bytes.HasPrefix(content, oleMagic):
		return nil, []Problem{{Message: msg(lang,
			"%s là tệp Excel cũ (.xls) hoặc đã đặt mật khẩu: hãy mở và lưu lại dưới dạng .xlsx, không đặt mật khẩu",
			"%s is an old Excel file (.xls) or is password-protected: open it and save it as .xlsx, without a password", name)}}
	case bytes.HasPrefix(content, zipMagic) && isODS(content):
		var err error
		if sheets, err = readODS(content); err != nil {
			if big, ok := errors.AsType[*SheetTooLarge](err); ok {
				return nil, []Problem{{Sheet: big.Sheet, Message: big.message(lang, name)}}
			}
			if errors.Is(err, errODSEncrypted) {
				return nil, []Problem{{Message: msg(lang, "%s đã đặt mật khẩu: hãy mở và lưu lại không đặt mật khẩu", "%s is password-protected: open it and save it without a password", name)}}
			}
			return nil, []Problem{{Message: msg(lang, "Không đọc được tệp %s: %v. Hãy mở và lưu lại dưới dạng .ods hoặc .xlsx", "Cannot read %s: %v. Open it and save it again as .ods or .xlsx", name, err)}}
		}
	case bytes.HasPrefix(content, zipMagic):
		var err error
		var closeAll func()
		if sheets, closeAll, err = readXLSX(content); err != nil {
			if big, ok := errors.AsType[*SheetTooLarge](err); ok {
				return nil, []Problem{{Sheet: big.Sheet, Message: big.message(lang, name)}}
			}
			return nil, []Problem{{Message: msg(lang, "Không đọc được tệp %s: %v. Hãy lưu lại dưới dạng .xlsx", "Cannot read %s: %v. Save it again as .xlsx", name, err)}}
		}
		defer closeAll()
	default:
		ext := strings.ToLower(filepath.Ext(name))
		if ext == ".xlsx" || ext == ".xlsm" || ext == ".xls" {
			return nil, []Problem{{Message: msg(lang, "%s không phải là tệp .xlsx hợp lệ: hãy mở và lưu lại dưới dạng .xlsx", "%s is not a valid .xlsx file: open it and save it as .xlsx", name)}}
		}
		if ext == ".ods" {
			return nil, []Problem{{Message: msg(lang, "%s không phải là tệp .ods hợp lệ: hãy mở và lưu lại dưới dạng .ods hoặc .xlsx", "%s is not a valid .ods file: open it and save it as .ods or .xlsx", name)}}
		}
		if bytes.HasPrefix(content, []byte{0xFF, 0xFE}) || bytes.HasPrefix(content, []byte{0xFE, 0xFF}) {
			// Excel's "Unicode Text" and some exports write UTF-16: the CSV reader would
			// see no separators at all and say "no table found", which helps nobody
			return nil, []Problem{{Message: msg(lang,
				"%s được lưu theo mã UTF-16 (Unicode): hãy mở tệp và lưu lại dưới dạng CSV UTF-8 (trong Excel: Lưu thành → CSV UTF-8 (Comma delimited))",
				"%s is saved as UTF-16 (Unicode text): open it and save it as CSV UTF-8 (in Excel: Save As → CSV UTF-8 (Comma delimited))", name)}}
		}
		sh, err := readCSV(content)
		if err != nil {
			return nil, []Problem{{Message: msg(lang, "Không đọc được tệp CSV %s: %v", "Cannot read the CSV file %s: %v", name, err)}}
		}
		sh.name = ""
		sheets = []*sheet{sh}
	}
	for _, sh := range sheets {
		if pr, probs, ok := parseSheet(sh, name, reg, lang); ok {
			return pr, probs
		}
	}
	return nil, []Problem{{Message: msg(lang,
		"Không tìm thấy bảng số liệu trong %s: cần mẫu báo cáo (cột Mã chỉ tiêu và Giá trị) hoặc bảng có cột Mã đơn vị, Kỳ báo cáo và các chỉ tiêu",
		"No table found in %s: use the report template (columns code and value) or a table with unit, period and measure columns", name)}}
}

// readXLSX opens a workbook for streaming: each sheet's first rows (the header zone) are
// read at once, the rest one at a time through next, so a workbook of half a million rows
// never sits in memory; closeAll releases the workbook and its temporary files.
func readXLSX(content []byte) (sheets []*sheet, closeAll func(), err error) {
	// the sheets' extent is read first, as a stream: a sheet past Excel's limits is
	// refused before excelize builds anything (40 million empty <row/> are a 350 KB file)
	extras, exErr := sheetExtras(content)
	if _, ok := errors.AsType[*SheetTooLarge](exErr); ok {
		return nil, nil, exErr
	}
	opts := excelize.Options{
		UnzipSizeLimit: 256 << 20,
		// a worksheet larger than this is unzipped to TmpDir and read from there
		UnzipXMLSizeLimit: 8 << 20,
		TmpDir:            os.TempDir(),
	}
	var f *excelize.File
	tmp := ""
	if len(content) < 1<<20 {
		f, err = excelize.OpenReader(bytes.NewReader(content), opts)
	} else {
		// OpenReader copies the whole file into memory first; OpenFile reads it in place
		if tmp, err = writeTemp(content); err != nil {
			return nil, nil, err
		}
		f, err = excelize.OpenFile(tmp, opts)
	}
	if err != nil {
		if tmp != "" {
			os.Remove(tmp)
		}
		return nil, nil, err
	}
	var open []*excelize.Rows
	closeAll = func() {
		for _, r := range open {
			r.Close()
		}
		f.Close()
		if tmp != "" {
			os.Remove(tmp)
		}
	}
	if exErr != nil {
		closeAll()
		return nil, nil, exErr
	}
	for _, name := range f.GetSheetList() {
		if name == SummarySheetVI || name == SummarySheetEN {
			continue // a marked file's summary, sent back corrected: its data are on the other sheets
		}
		rows, err := f.Rows(name)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		open = append(open, rows)
		ex := extras[name]
		sh := &sheet{name: name, merges: ex.merges, hint: ex.rows}
		n := 0
		sh.next = func() (int, []string, error) {
			if !rows.Next() {
				if err := rows.Error(); err != nil {
					return 0, nil, err
				}
				return 0, nil, io.EOF
			}
			n++
			if n > MaxRows {
				return 0, nil, &SheetTooLarge{Sheet: name}
			}
			cols, err := rows.Columns(excelize.Options{RawCellValue: true})
			return n - 1, cols, err
		}
		for len(sh.rows) < headerZone {
			_, cols, err := sh.next()
			if err == io.EOF {
				sh.next = nil
				break
			}
			if err != nil {
				closeAll()
				return nil, nil, err
			}
			sh.rows = append(sh.rows, cols)
		}
		sheets = append(sheets, sh)
	}
	return sheets, closeAll, nil
}

func writeTemp(content []byte) (string, error) {
	f, err := os.CreateTemp("", "egovkpi-*.xlsx")
	if err != nil {
		return "", err
	}
	if _, err := f.Write(content); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), f.Close()
}

// cellRange is a merged range, 0-based and inclusive.
type cellRange struct{ r0, c0, r1, c1 int }

type sheetExtra struct {
	merges []cellRange
	rows   int // from the sheet's dimension or its rows, to size the reports once
	size   SheetSize
}

// SheetSize is a worksheet's extent as its XML has it, read without building the sheet.
type SheetSize struct {
	Rows   int   // <row> elements
	MaxRow int   // the highest row number
	MaxCol int   // the highest column number of any cell
	Cells  int64 // cells up to each row's last: what a reader that fills rows in builds
}

// SheetSizes reads the extent of each worksheet of a workbook, by sheet name, as a stream.
// A sheet past Excel's limits is a *SheetTooLarge error.
func SheetSizes(content []byte) (map[string]SheetSize, error) {
	extras, err := sheetExtras(content)
	if err != nil {
		return nil, err
	}
	out := make(map[string]SheetSize, len(extras))
	for name, ex := range extras {
		out[name] = ex.size
	}
	return out, nil
}

// sheetExtras reads each worksheet's merged ranges and dimension from the workbook's XML
// as a stream: excelize would unmarshal the whole worksheet to list its merged cells, which
// for a large sheet costs several times the file in memory.
func sheetExtras(content []byte) (map[string]sheetExtra, error) {
	zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return nil, err
	}
	files := map[string]*zip.File{}
	for _, zf := range zr.File {
		files[strings.TrimPrefix(zf.Name, "/")] = zf
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"id,attr"` // r:id, in the transitional or the strict namespace
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := unmarshalZip(files["xl/workbook.xml"], &wb); err != nil {
		return nil, err
	}
	if err := unmarshalZip(files["xl/_rels/workbook.xml.rels"], &rels); err != nil {
		return nil, err
	}
	out := map[string]sheetExtra{}
	for _, sh := range wb.Sheets {
		for _, rel := range rels.Rels {
			if rel.ID != sh.RID {
				continue
			}
			target := strings.TrimPrefix(rel.Target, "/")
			if !strings.HasPrefix(target, "xl/") {
				target = "xl/" + target
			}
			if zf := files[target]; zf != nil {
				ex, err := scanSheet(zf, sh.Name)
				if err != nil {
					return nil, err
				}
				out[sh.Name] = ex
			}
		}
	}
	return out, nil
}

func unmarshalZip(zf *zip.File, v any) error {
	if zf == nil {
		return nil // excelize has already said whether the workbook holds together
	}
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(io.LimitReader(rc, 16<<20)).Decode(v)
}

// scanSheet finds <dimension ref="A1:H9"/> and every <mergeCell ref="A1:C1"/>, with or
// without a namespace prefix, without building the sheet; and it measures the sheet from
// its <row> and <c> elements, refusing it as soon as it passes MaxRows or MaxCols.
func scanSheet(zf *zip.File, sheetName string) (sheetExtra, error) {
	var ex sheetExtra
	rc, err := zf.Open()
	if err != nil {
		return ex, err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(io.LimitReader(rc, 256<<20), 64<<10) // excelize's UnzipSizeLimit
	sz := &ex.size
	row, col, lastCol := 0, 0, 0 // the row being read, its last cell's column, its widest
	endRow := func() {
		sz.Cells += int64(lastCol)
		col, lastCol = 0, 0
	}
	done := func() (sheetExtra, error) {
		endRow()
		ex.rows = min(cmp.Or(sz.Rows, ex.rows), MaxRows)
		return ex, nil
	}
	for {
		if _, err := br.ReadSlice('<'); err == bufio.ErrBufferFull {
			continue
		} else if err == io.EOF {
			return done()
		} else if err != nil {
			return ex, err
		}
		head, _ := br.Peek(24)
		name := head
		if i := bytes.IndexAny(name, " \t\r\n/>"); i >= 0 {
			name = name[:i]
		}
		if i := bytes.IndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		isRow, isCell := string(name) == "row", string(name) == "c"
		isMerge, isDim := string(name) == "mergeCell", string(name) == "dimension"
		if !isRow && !isCell && !isMerge && !isDim {
			continue
		}
		tag, err := br.ReadSlice('>')
		if err != nil && err != bufio.ErrBufferFull {
			return done()
		}
		switch {
		case isRow:
			// the dimension may be wrong (excelize's StreamWriter writes A1) or a lie: count
			endRow()
			sz.Rows++
			row++
			if r, err := strconv.Atoi(attr(tag, "r")); err == nil && r > 0 {
				row = r
			}
			if sz.Rows > MaxRows || row > MaxRows {
				return ex, &SheetTooLarge{Sheet: sheetName}
			}
			sz.MaxRow = max(sz.MaxRow, row)
			continue
		case isCell:
			col++ // a cell without r is the one after the previous
			if c := colOf(attr(tag, "r")); c > 0 {
				col = c
			}
			if col > MaxCols {
				return ex, &SheetTooLarge{Sheet: sheetName, Cols: true}
			}
			lastCol = max(lastCol, col)
			sz.MaxCol = max(sz.MaxCol, col)
			continue
		}
		ref := attr(tag, "ref")
		from, to, _ := strings.Cut(ref, ":")
		if to == "" {
			to = from
		}
		c0, r0, err1 := excelize.CellNameToCoordinates(from)
		c1, r1, err2 := excelize.CellNameToCoordinates(to)
		if err1 != nil || err2 != nil {
			continue
		}
		if isDim {
			ex.rows = r1
		} else {
			ex.merges = append(ex.merges, cellRange{r0 - 1, c0 - 1, r1 - 1, c1 - 1})
		}
	}
}

// attr is the value of the attribute name in a start tag, in double or single quotes.
func attr(tag []byte, name string) string {
	for i := 0; ; {
		j := bytes.Index(tag[i:], []byte(name+"="))
		if j < 0 {
			return ""
		}
		j += i
		i = j + len(name) + 1
		// the name must stand alone: r= is not ref= nor xr:r=
		if j == 0 || !isSpace(tag[j-1]) || i >= len(tag) {
			continue
		}
		q := tag[i]
		if q != '"' && q != '\'' {
			continue
		}
		rest := tag[i+1:]
		if k := bytes.IndexByte(rest, q); k >= 0 {
			return string(rest[:k])
		}
		return ""
	}
}

// colOf is the column number of a cell reference (AB12 → 28), MaxCols+1 for any column
// past the limit, 0 when the reference has no letters (excelize says what is wrong then).
func colOf(ref string) int {
	c := 0
	for i := 0; i < len(ref); i++ {
		b := ref[i] | 0x20 // lower case
		if b < 'a' || b > 'z' {
			break
		}
		c = c*26 + int(b-'a'+1)
		if c > MaxCols {
			return MaxCols + 1
		}
	}
	return c
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

func emptyRow(r []string) bool {
	for _, c := range r {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// readCSV takes UTF-8 with or without a BOM, or Windows-1258, and a comma, semicolon or
// tab as the separator.
func readCSV(content []byte) (*sheet, error) {
	content = bytes.TrimPrefix(content, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(content) {
		dec, err := charmap.Windows1258.NewDecoder().Bytes(content)
		if err != nil {
			return nil, err
		}
		// Windows-1258 writes tones as combining marks: compose them
		content = norm.NFC.Bytes(dec)
	}
	first, _, _ := bytes.Cut(content, []byte("\n"))
	sep := ','
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		sep = ';'
	} else if bytes.Count(first, []byte("\t")) > bytes.Count(first, []byte(",")) {
		sep = '\t'
	}
	r := csv.NewReader(bytes.NewReader(content))
	r.Comma = sep
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true // rows are read once; the header zone copies what it keeps
	// row indexes are lines less one, blank lines counted, so that "dòng N" is the line a
	// text editor shows
	read := func() (int, []string, error) {
		rec, err := r.Read()
		if err != nil {
			return 0, nil, err
		}
		line, _ := r.FieldPos(0)
		if line > MaxRows {
			return 0, nil, fmt.Errorf("more than %d rows", MaxRows)
		}
		return line - 1, rec, nil
	}
	sh := &sheet{hint: bytes.Count(content, []byte("\n")) + 1}
	for len(sh.rows) < headerZone {
		i, rec, err := read()
		if err == io.EOF {
			return sh, nil
		}
		if err != nil {
			return nil, err
		}
		for len(sh.rows) < i {
			sh.rows = append(sh.rows, nil)
		}
		sh.rows = append(sh.rows, slices.Clone(rec))
	}
	sh.next = read
	return sh, nil
}

// header folds a header cell: lower case, no diacritics, single spaces, no trailing colon.
func header(s string) string {
	f := data.Fold(s)
	f = strings.TrimRight(f, " :.*")
	return f
}

var (
	unitHeaders   = set("ma don vi", "don vi", "tinh, thanh pho", "tinh thanh pho", "tinh/thanh pho", "bo, nganh", "bo nganh", "bo/nganh", "unit", "unit_code", "unit code", "ma tinh", "ten don vi", "co quan, don vi")
	periodHeaders = set("ky bao cao", "thang", "period", "ky", "thang bao cao", "month")
	codeHeaders   = set("ma chi tieu", "ma", "code", "measure", "measure code", "ma so")
	labelHeaders  = set("chi tieu", "ten chi tieu", "noi dung", "label", "indicator")
	valueHeaders  = set("gia tri", "so lieu", "value", "thuc hien", "ket qua", "so luong", "gia tri bao cao")
	sttHeaders    = set("stt", "tt", "so tt", "so thu tu", "no", "no.", "#")
	totalWords    = set("tong", "tong cong", "cong", "ca nuoc", "toan quoc", "total", "grand total", "tong so")
)

func set(xs ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

var parens = regexp.MustCompile(`\s*\([^)]*\)\s*$`)

// measureOf recognises a measure column by its code or its Vietnamese or English label,
// with or without diacritics and the parenthesised part.
func measureOf(h string) (string, bool) {
	if m, ok := data.LookupMeasure(h); ok {
		return m.Code, true
	}
	hs := parens.ReplaceAllString(h, "")
	for i, m := range data.Measures {
		if hs == shortLabels()[i][0] || hs == shortLabels()[i][1] {
			return m.Code, true
		}
	}
	return "", false
}

// shortLabels are the measures' labels as headers, without a trailing "(…)", made once.
var shortLabels = sync.OnceValue(func() [][2]string {
	out := make([][2]string, len(data.Measures))
	for i, m := range data.Measures {
		out[i] = [2]string{parens.ReplaceAllString(header(m.LabelVI), ""), parens.ReplaceAllString(header(m.LabelEN), "")}
	}
	return out
})

// headerRow joins a header that spans two rows or merged cells into one label a column.
func headerRow(sh *sheet, r int, twoRows bool) []string {
	width := 0
	for i := r; i <= r+1 && i < len(sh.rows); i++ {
		width = max(width, len(sh.rows[i]))
	}
	out := make([]string, width)
	for c := range out {
		v := sh.cell(r, c)
		if v == "" {
			v = mergedValue(sh, r, c)
		}
		if twoRows {
			below := sh.cell(r+1, c)
			if below != "" && below != v {
				v = strings.TrimSpace(v + " " + below)
			}
		}
		out[c] = header(v)
	}
	return out
}

func mergedValue(sh *sheet, r, c int) string {
	for _, m := range sh.merges {
		if r >= m.r0 && r <= m.r1 && c >= m.c0 && c <= m.c1 && (r != m.r0 || c != m.c0) {
			return sh.cell(m.r0, m.c0)
		}
	}
	return ""
}

type columns struct {
	unit, period, code, label, value int
	measures                         map[int]string
	// ids are every column naming the unit (its code, its name), unit first; stt the
	// row-number columns, where a total's label or a section's numeral may sit too
	ids, stt []int
	// communes are the columns naming a commune, also in ids (see communeHeaders)
	communes []int
}

func findColumns(h []string) columns {
	cs := columns{unit: -1, period: -1, code: -1, label: -1, value: -1, measures: map[int]string{}}
	for c, v := range h {
		switch {
		case v == "":
		case communeHeaders[v]:
			if cs.unit < 0 {
				cs.unit = c
			}
			cs.ids = append(cs.ids, c)
			cs.communes = append(cs.communes, c)
		case unitHeaders[v]:
			if cs.unit < 0 {
				cs.unit = c
			}
			cs.ids = append(cs.ids, c)
		case sttHeaders[v]:
			cs.stt = append(cs.stt, c)
		case periodHeaders[v] && cs.period < 0:
			cs.period = c
		case codeHeaders[v] && cs.code < 0:
			cs.code = c
		case labelHeaders[v] && cs.label < 0:
			cs.label = c
		case valueHeaders[v] && cs.value < 0:
			cs.value = c
		default:
			if m, ok := measureOf(v); ok {
				cs.measures[c] = m
			}
		}
	}
	return cs
}

// headerZone is how many rows from the top may hold the title and the header.
const headerZone = 40

// parseSheet finds the header within the first rows and reads the table under it.
// ok is false when the sheet holds no recognisable table.
func parseSheet(sh *sheet, fileName string, reg *data.Registry, lang string) (*Parsed, []Problem, bool) {
	limit := min(len(sh.rows), headerZone)
	// a one-row header anywhere in the top rows wins over a two-row one
	for _, two := range []bool{false, true} {
		for r := 0; r < limit; r++ {
			h := headerRow(sh, r, two)
			cs := findColumns(h)
			start := r + 1
			if two {
				start = r + 2
			}
			if cs.unit >= 0 && len(cs.measures) > 0 {
				p, probs := parseWide(sh, cs, start, fileName, reg, lang)
				return p, probs, true
			}
			if cs.value >= 0 && (cs.code >= 0 || cs.label >= 0) {
				p, probs := parseTemplate(sh, cs, r, start, fileName, reg, lang)
				return p, probs, true
			}
		}
	}
	return nil, nil, false
}

var monthInText = regexp.MustCompile(`(?i)(th[áa]ng\s*\d{1,2}\s*(/|năm|nam)\s*\d{4}|\d{4}-\d{2}|\bT\d{1,2}/\d{4}|\b\d{1,2}/\d{4})`)

// monthFromTitle finds "Tháng 10/2026" in the title rows, or 2026-10 in the file name.
func monthFromTitle(sh *sheet, above int, fileName string) (data.Month, bool) {
	for r := 0; r < above && r < len(sh.rows); r++ {
		for c := range sh.rows[r] {
			if m := monthInText.FindString(sh.cell(r, c)); m != "" {
				if mo, err := data.ParseMonth(m); err == nil {
					return mo, true
				}
			}
		}
	}
	if m := monthInText.FindString(strings.ReplaceAll(filepath.Base(fileName), "_", " ")); m != "" {
		if mo, err := data.ParseMonth(m); err == nil {
			return mo, true
		}
	}
	return 0, false
}

// rowSums are the unit rows' values read so far, by measure column: since the top of
// the table and since the last total or section, to recognise a total row by its numbers.
type rowSums struct {
	all, span     map[int]int64
	nAll, nSpan   int
	sectionRow    int           // a section header row with numbers, 1-based, 0 if none
	sectionValues map[int]int64 // its values, checked against the unit rows under it
}

func (s *rowSums) add(vals map[int]int64) {
	for c, v := range vals {
		s.all[c] += v
		s.span[c] += v
	}
	s.nAll++
	s.nSpan++
}

// sums reports whether every value given is the sum of the unit rows above it, since
// the last total (a subtotal) or since the top (a grand total); min is how many unit
// rows the sum must cover.
func (s *rowSums) sums(vals map[int]int64, min int) bool {
	if len(vals) == 0 {
		return false
	}
	eq := func(sum map[int]int64, n int) bool {
		if n < min {
			return false
		}
		for c, v := range vals {
			if sum[c] != v {
				return false
			}
		}
		return true
	}
	return eq(s.span, s.nSpan) || eq(s.all, s.nAll)
}

// boundary closes a span (a total or a section starts): a section header that carried
// numbers must carry the sum of the unit rows under it. It returns that row when not.
func (s *rowSums) boundary() (badSection int) {
	if s.sectionRow > 0 {
		if len(s.sectionValues) > 0 && !s.sums(s.sectionValues, 1) {
			badSection = s.sectionRow
		}
		s.sectionRow, s.sectionValues = 0, nil
	}
	s.span, s.nSpan = map[int]int64{}, 0
	return badSection
}

// The kinds of row in a wide table.
const (
	otherRow   = iota // no unit identity: a note, a total by its numbers, or an error
	unitRow           // names a unit (by code or by name)
	totalRow          // a total or subtotal, by its label
	sectionRow        // "I. Các thành phố trực thuộc Trung ương"
)

// sectionLabel is a section header: a Roman numeral or a capital letter and a point
// ("I. Các thành phố trực thuộc Trung ương", "B - Bộ, ngành").
var sectionLabel = regexp.MustCompile(`^(?:[IVXLC]+|[A-Z])\s*[.):\-–]\s*\S`)

// sectionPrefix is the numbering of a section or a subtotal: "II. ", "B - ".
var sectionPrefix = regexp.MustCompile(`^\s*(?:[IVXLC]+|[A-Z])\s*[.):\-–]\s*`)

// sectionMark is the STT of a section header: I, II, A, B.
var sectionMark = regexp.MustCompile(`^(?:[IVXLC]+|[A-Z])[.)]?$`)

func parseWide(sh *sheet, cs columns, start int, fileName string, reg *data.Registry, lang string) (*Parsed, []Problem) {
	p := &Parsed{Layout: "wide"}
	var problems []Problem
	titleMonth, hasTitleMonth := monthFromTitle(sh, start, fileName)
	cols := map[string]int{}
	var codes []string
	for c, code := range cs.measures {
		cols[code] = c
		codes = append(codes, code)
	}
	slices.Sort(codes)
	tab := newTable(sh.name, codes, sh.rowsHint())
	tab.cols = cols
	p.tab = tab
	// a wide file names the same few units on every row: look each name up once
	units := map[string]data.Unit{}
	rowKinds := map[string]int{} // by the text of an identifying cell
	kindOf := func(text string) int {
		kind, known := rowKinds[text]
		if !known {
			if _, ok := reg.Find(text, reg.AnyMonth(text)); ok {
				kind = unitRow
			}
			switch {
			case kind == unitRow:
			case isTotalLabel(text):
				kind = totalRow
			case sectionLabel.MatchString(text):
				kind = sectionRow
			}
			rowKinds[text] = kind
		}
		return kind
	}
	sums := rowSums{all: map[int]int64{}, span: map[int]int64{}}
	sectionProblem := func(row int) Problem {
		return Problem{Sheet: sh.name, Cell: cellName(max(cs.unit, 0), row-1), Row: row, Field: "unit",
			Message: msg(lang, "Dòng tiêu đề mục có số liệu nhưng không bằng tổng các đơn vị bên dưới: hãy xóa số ở dòng này hoặc ghi mã đơn vị",
				"A section header carries numbers that are not the sum of the units under it: delete them or write the unit's code")}
	}
	closeSpan := func() {
		if bad := sums.boundary(); bad > 0 {
			problems = append(problems, sectionProblem(bad))
		}
	}
	var stop []Problem
	err := sh.each(start, func(r int, row []string) {
		if stop != nil || emptyRow(row) {
			return
		}
		// the row's identity: the first identifying cell with text (the code, else the
		// name), and whether any of them, the STT included, labels a total or a section
		unitCol, unitText, kind := cs.unit, "", otherRow
		for _, c := range cs.ids {
			t := at(row, c)
			if t == "" {
				continue
			}
			if unitText == "" {
				unitCol, unitText, kind = c, t, kindOf(t)
			}
		}
		communeText, communeCol, province := rowCommune(reg, cs, row)
		if communeText != "" {
			unitCol, unitText, kind = communeCol, communeText, unitRow
		}
		if kind != unitRow {
			for _, c := range append(cs.ids, cs.stt...) {
				switch t := at(row, c); {
				case t == "":
				case isTotalLabel(t):
					kind = totalRow
				case kind != totalRow && (sectionLabel.MatchString(t) || slices.Contains(cs.stt, c) && sectionMark.MatchString(t)):
					kind = sectionRow
				}
			}
		}
		if kind == totalRow {
			closeSpan()
			return // a total row: recognised by its label, not a unit
		}
		hasNumbers := false
		for c := range cs.measures {
			if v := at(row, c); v != "" && numberLike.MatchString(v) {
				hasNumbers = true
			}
		}
		if kind == sectionRow {
			closeSpan()
			if hasNumbers {
				// a subtotal above its units: checked when the section closes
				vals, ok := rowValues(row, cs)
				if !ok {
					problems = append(problems, sectionProblem(r+1))
					return
				}
				sums.sectionRow, sums.sectionValues = r+1, vals
			}
			return
		}
		if !hasNumbers && kind != unitRow {
			return // a note, a signature, a blank line of the form
		}
		var month data.Month
		if cs.period >= 0 {
			pt := at(row, cs.period)
			m, err := data.ParseMonth(pt)
			switch {
			case err == nil:
				month = m
			case pt == "" && hasTitleMonth:
				month = titleMonth
			case kind != unitRow && pt == "":
				// a row without a unit or a period: judged by its numbers below
			default:
				problems = append(problems, Problem{Sheet: sh.name, Cell: cellName(cs.period, r), Row: r + 1, Field: "period",
					Message: msg(lang, "%q không phải là kỳ báo cáo (viết 2026-10, 10/2026 hoặc Tháng 10/2026)", "%q is not a period (write 2026-10, 10/2026 or Tháng 10/2026)", pt)})
				return
			}
		} else if hasTitleMonth {
			month = titleMonth
		} else {
			problems = append(problems, Problem{Sheet: sh.name, Row: r + 1, Field: "period",
				Message: msg(lang, "Không có kỳ báo cáo: thêm cột Kỳ báo cáo, hoặc ghi Tháng 10/2026 ở tiêu đề", "No period: add a period column, or write the month in the title")})
			stop = problems
			return
		}
		if kind != unitRow {
			// no unit: a total whose label was left out if each number is the sum of the
			// unit rows above it; a row naming no known unit must sum more than one
			vals, ok := rowValues(row, cs)
			need := 1
			if unitText != "" {
				need = 2
			}
			if ok && sums.sums(vals, need) {
				closeSpan()
				return
			}
			pr := Problem{Sheet: sh.name, Cell: cellName(unitCol, r), Row: r + 1, Field: "unit"}
			if unitText == "" {
				pr.Message = msg(lang, "Dòng có số liệu nhưng không có mã hoặc tên đơn vị, và các số không phải là tổng các dòng bên trên: hãy ghi mã đơn vị, hoặc ghi \"Tổng cộng\" nếu là dòng tổng",
					"The row has numbers but no unit code or name, and they are not the sum of the rows above: write the unit's code, or \"Tổng cộng\" if it is a total")
			} else {
				pr.Message = unknownUnit(reg, unitText, month, lang)
			}
			problems = append(problems, pr)
			return
		}
		if communeText != "" {
			unitText = province + "|" + communeText // a name means one commune per province
		}
		u, ok := units[unitText]
		if communeText != "" && (!ok || !u.InForce(month)) {
			cu, problem := resolveCommune(reg, province, communeText, month, lang)
			if problem != "" {
				problems = append(problems, Problem{Sheet: sh.name, Cell: cellName(unitCol, r), Row: r + 1, Field: "unit", Message: problem})
				return
			}
			u, ok = cu, true
			units[unitText] = u
		}
		if !ok || !u.InForce(month) {
			u, ok = reg.Find(unitText, month)
			if ok {
				units[unitText] = u
			}
		}
		if !ok {
			problems = append(problems, Problem{Sheet: sh.name, Cell: cellName(unitCol, r), Row: r + 1, Field: "unit",
				Message: unknownUnit(reg, unitText, month, lang)})
			return
		}
		rep := tab.add(u.Code, month, r+1)
		vals := make(map[int]int64, len(cs.measures))
		for c, code := range cs.measures {
			v, empty, err := parseCount(at(row, c), lang)
			if err != "" {
				problems = append(problems, Problem{Sheet: sh.name, Cell: cellName(c, r), Row: r + 1, Field: code, Message: MeasureName(code, lang) + ": " + err})
				continue // every bad cell of the row is reported
			}
			if !empty {
				rep.set(code, v)
				vals[c] = v
			}
		}
		sums.add(vals)
	})
	if err != nil {
		problems = append(problems, Problem{Sheet: sh.name, Message: msg(lang, "Không đọc được tệp: %v", "Cannot read the file: %v", err)})
		return nil, problems
	}
	if stop != nil {
		return nil, stop
	}
	closeSpan()
	return p, problems
}

// rowValues reads a row's measure cells as counts, the empty ones left out; ok is false
// when one is not a count.
func rowValues(row []string, cs columns) (map[int]int64, bool) {
	vals := map[int]int64{}
	for c := range cs.measures {
		v, empty, err := parseCount(at(row, c), "")
		if err != "" {
			return nil, false
		}
		if !empty {
			vals[c] = v
		}
	}
	return vals, true
}

// totalLabels begin a total or subtotal row; "cộng" and "tổng" alone only as the whole
// label or before ":" or "(", so that "Cộng hòa…" and "Tổng cục…" are not totals.
var (
	totalLabels = []string{"tong cong", "tong so", "toan tinh", "toan thanh pho", "toan quoc", "ca nuoc", "total", "grand total", "subtotal", "sub-total", "sub total", "cong khoi", "tong khoi", "cong nhom"}
	totalShort  = []string{"cong", "tong"}
)

// isTotalLabel recognises a total or subtotal by its label, with or without diacritics:
// Tổng cộng, Cộng, Tổng số, Toàn tỉnh, Cả nước, Total.
func isTotalLabel(text string) bool {
	h := header(text)
	if totalWords[h] {
		return true
	}
	// "II. Cộng", "Cộng (I+II)", "Tổng cộng toàn tỉnh"
	h = header(sectionPrefix.ReplaceAllString(text, ""))
	for _, w := range totalLabels {
		if h == w || strings.HasPrefix(h, w) && strings.ContainsRune(" :(-", rune(h[len(w)])) {
			return true
		}
	}
	for _, w := range totalShort {
		if rest := strings.TrimLeft(strings.TrimPrefix(h, w), " "); h == w || strings.HasPrefix(h, w) && rest != "" && strings.ContainsRune(":(", rune(rest[0])) {
			return true
		}
	}
	return false
}

func unknownUnit(reg *data.Registry, text string, m data.Month, lang string) string {
	for _, u := range reg.All() {
		if u.Group == data.Communes {
			continue // a commune never merged away; folding 3,321 names per bad row would be slow
		}
		if u.Code == text || data.Fold(u.NameVI) == data.Fold(text) {
			return msg(lang, "Đơn vị %q không còn tồn tại vào %s (đã hợp nhất vào %s)", "Unit %q did not exist in %s (it merged into %s)", text, m, reg.Current(u.Code))
		}
	}
	return msg(lang, "Mã đơn vị %q không tồn tại", "Unit %q does not exist", text)
}

// parseTemplate reads the report template: the unit and the period in the rows above
// the header, then one row per measure.
func parseTemplate(sh *sheet, cs columns, headerAt, start int, fileName string, reg *data.Registry, lang string) (*Parsed, []Problem) {
	var problems []Problem
	unitText, periodText := "", ""
	unitRef, periodRef := "", ""
	for r := 0; r < headerAt; r++ {
		for c := 0; c < len(sh.rows[r]); c++ {
			h := header(sh.cell(r, c))
			next := func() (string, string) {
				for k := c + 1; k < len(sh.rows[r]); k++ {
					if v := sh.cell(r, k); v != "" {
						return v, cellName(k, r)
					}
				}
				return "", ""
			}
			if unitHeaders[h] && unitText == "" {
				unitText, unitRef = next()
			}
			if periodHeaders[h] && periodText == "" {
				periodText, periodRef = next()
			}
		}
	}
	var month data.Month
	if periodText != "" {
		m, err := data.ParseMonth(periodText)
		if err != nil {
			return nil, []Problem{{Sheet: sh.name, Cell: periodRef, Field: "period", Message: msg(lang, "%q không phải là kỳ báo cáo (viết 2026-10, 10/2026 hoặc Tháng 10/2026)", "%q is not a period (write 2026-10, 10/2026 or Tháng 10/2026)", periodText)}}
		}
		month = m
	} else if m, ok := monthFromTitle(sh, headerAt, fileName); ok {
		month = m
	} else {
		return nil, []Problem{{Sheet: sh.name, Field: "period", Message: msg(lang, "Thiếu kỳ báo cáo: ghi vào ô bên cạnh nhãn Kỳ báo cáo", "The period is missing: write it beside the label Kỳ báo cáo")}}
	}
	if unitText == "" {
		return nil, []Problem{{Sheet: sh.name, Field: "unit", Message: msg(lang, "Thiếu mã đơn vị: ghi vào ô bên cạnh nhãn Mã đơn vị", "The unit is missing: write its code beside the label Mã đơn vị")}}
	}
	u, ok := reg.Find(unitText, month)
	if !ok {
		return nil, []Problem{{Sheet: sh.name, Cell: unitRef, Field: "unit", Message: unknownUnit(reg, unitText, month, lang)}}
	}
	all := make([]string, len(data.Measures))
	for i, m := range data.Measures {
		all[i] = m.Code
	}
	tab := newTable(sh.name, all, 1)
	tab.cells = map[string]string{}
	rep := tab.add(u.Code, month, start+1)
	seen := map[string]bool{}
	err := sh.each(start, func(r int, row []string) {
		if emptyRow(row) {
			return
		}
		var code string
		found := false
		if cs.code >= 0 {
			code, found = measureOf(header(at(row, cs.code)))
		}
		if !found && cs.label >= 0 {
			code, found = measureOf(header(at(row, cs.label)))
		}
		if !found {
			return // a note, a signature, a heading inside the table
		}
		ref := cellName(cs.value, r)
		if seen[code] {
			problems = append(problems, Problem{Sheet: sh.name, Cell: ref, Row: r + 1, Field: code, Message: msg(lang, "Chỉ tiêu “%s” xuất hiện hai lần", "The measure “%s” appears twice", MeasureName(code, lang))})
			return
		}
		seen[code] = true
		tab.cells[code] = ref
		v, empty, perr := parseCount(at(row, cs.value), lang)
		if perr != "" {
			problems = append(problems, Problem{Sheet: sh.name, Cell: ref, Row: r + 1, Field: code, Message: MeasureName(code, lang) + ": " + perr})
			return
		}
		if !empty {
			rep.set(code, v)
		}
	})
	if err != nil {
		return nil, append(problems, Problem{Sheet: sh.name, Message: msg(lang, "Không đọc được tệp: %v", "Cannot read the file: %v", err)})
	}
	return &Parsed{Layout: "template", tab: tab}, problems
}

var (
	digits      = regexp.MustCompile(`^\d+$`)
	numberLike  = regexp.MustCompile(`^[\s\-+]*[\d.,\s\x{00a0}\x{2009}\x{202f}]+%?\s*$|^-?\d+(\.\d+)?[eE][+-]?\d+$`)
	thousandsVI = regexp.MustCompile(`^\d{1,3}(\.\d{3})+$`)
	thousandsEN = regexp.MustCompile(`^\d{1,3}(,\d{3})+$`)
	decimalVI   = regexp.MustCompile(`^\d{1,3}(\.\d{3})*,\d+$|^\d+,\d+$`)
	decimalEN   = regexp.MustCompile(`^\d{1,3}(,\d{3})*\.\d+$|^\d+\.\d+$|^\d+(\.\d+)?[eE][+-]?\d+$`)
)

// parseCount reads a whole, non-negative count written the Vietnamese way (3.451), the
// English way where unambiguous (3,451), as a spreadsheet's raw number (3451 or
// 3451.0000000001), or as text. An empty cell is not reported (not zero).
func parseCount(raw, lang string) (v int64, empty bool, problem string) {
	if n, err := strconv.ParseInt(raw, 10, 64); err == nil && n >= 0 && n <= math.MaxInt32 {
		return n, false, "" // the common case, without allocating
	}
	s := strings.Map(func(r rune) rune {
		// spaces, no-break spaces and thin spaces are thousands separators too (12 000)
		if r == ' ' || r == '\u00a0' || r == '\t' || r == '\u2009' || r == '\u202f' {
			return -1
		}
		return r
	}, raw)
	if s == "" || s == "-" || s == "—" {
		return 0, true, ""
	}
	bad := func() (int64, bool, string) {
		return 0, false, msg(lang, "%q không phải là số", "%q is not a number", raw)
	}
	if strings.HasSuffix(s, "%") {
		return 0, false, msg(lang, "%q là tỷ lệ; hãy ghi số lượng (số nguyên)", "%q is a rate; write the count (a whole number)", raw)
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	var f float64
	switch {
	case digits.MatchString(s):
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return bad()
		}
		f = float64(n)
		if !neg && n <= math.MaxInt32 {
			return n, false, ""
		}
	case thousandsVI.MatchString(s):
		f, _ = strconv.ParseFloat(strings.ReplaceAll(s, ".", ""), 64)
	case thousandsEN.MatchString(s):
		f, _ = strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	case decimalVI.MatchString(s):
		f, _ = strconv.ParseFloat(strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), ",", "."), 64)
	case decimalEN.MatchString(s):
		f, _ = strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	default:
		return bad()
	}
	if neg && f != 0 {
		return 0, false, msg(lang, "%q là số âm; số lượng không được âm", "%q is negative; a count cannot be", raw)
	}
	if f > math.MaxInt32 {
		return 0, false, msg(lang, "%q quá lớn cho số liệu một tháng của một đơn vị", "%q is too large for one unit's month", raw)
	}
	if math.Abs(f-math.Round(f)) > 1e-6 {
		return 0, false, msg(lang, "%q không phải là số nguyên", "%q is not a whole number", raw)
	}
	return int64(math.Round(f)), false, ""
}

// firstSheet opens the first sheet of a workbook, or a CSV file, for reading; nil for
// anything else (an old .xls, an empty file, bytes that are neither). done releases it.
func firstSheet(content []byte) (sh *sheet, done func()) {
	done = func() {}
	switch {
	case bytes.HasPrefix(content, zipMagic) && isODS(content):
		sheets, err := readODS(content)
		if err != nil || len(sheets) == 0 {
			return nil, done
		}
		return sheets[0], done
	case bytes.HasPrefix(content, zipMagic):
		sheets, closeAll, err := readXLSX(content)
		if err != nil {
			return nil, done
		}
		if len(sheets) == 0 {
			closeAll()
			return nil, done
		}
		return sheets[0], closeAll
	case bytes.HasPrefix(content, oleMagic) || len(content) == 0:
		return nil, done
	}
	sh, err := readCSV(content)
	if err != nil {
		return nil, done
	}
	return sh, done
}
