package ingest

import (
	"bytes"
	"errors"
	"io"
	"iter"
	"math/bits"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
)

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

// Parse reads a report file: the XLSX template, the same rows as CSV, or the wide layout
// (one row per unit and month), from a workbook (.xlsx), an OpenDocument spreadsheet
// (.ods) or a CSV file. A file that makes the spreadsheet library panic is reported as
// unreadable (guard); a panic in egovkpi's own code is a bug and is not hidden.
func Parse(name string, content []byte, reg *data.Registry, lang string) (p *Parsed, problems []Problem) {
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

func emptyRow(r []string) bool {
	for _, c := range r {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
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
