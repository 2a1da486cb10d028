package ingest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
)

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
		err = guard("open the workbook", func() (err error) {
			f, err = excelize.OpenReader(bytes.NewReader(content), opts)
			return err
		})
	} else {
		// OpenReader copies the whole file into memory first; OpenFile reads it in place
		if tmp, err = writeTemp(content); err != nil {
			return nil, nil, err
		}
		err = guard("open the workbook", func() (err error) {
			f, err = excelize.OpenFile(tmp, opts)
			return err
		})
	}
	if err != nil {
		if tmp != "" {
			_ = os.Remove(tmp) // a temporary copy
		}
		return nil, nil, err
	}
	var open []*excelize.Rows
	// closing a workbook opened for reading only frees it and its temporary files
	closeAll = func() {
		for _, r := range open {
			_ = r.Close()
		}
		_ = f.Close()
		if tmp != "" {
			_ = os.Remove(tmp)
		}
	}
	if exErr != nil {
		closeAll()
		return nil, nil, exErr
	}
	var names []string
	if err := guard("list the sheets", func() error { names = f.GetSheetList(); return nil }); err != nil {
		closeAll()
		return nil, nil, err
	}
	for _, name := range names {
		if name == SummarySheetVI || name == SummarySheetEN {
			continue // a marked file's summary, sent back corrected: its data are on the other sheets
		}
		var rows *excelize.Rows
		err := guard("read sheet "+name, func() (err error) {
			rows, err = f.Rows(name)
			return err
		})
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		open = append(open, rows)
		ex := extras[name]
		sh := &sheet{name: name, merges: ex.merges, hint: ex.rows}
		n := 0
		sh.next = func() (int, []string, error) {
			var more bool
			if err := guard("read sheet "+name, func() error { more = rows.Next(); return rows.Error() }); err != nil {
				return 0, nil, err
			}
			if !more {
				return 0, nil, io.EOF
			}
			n++
			if n > MaxRows {
				return 0, nil, &SheetTooLarge{Sheet: name}
			}
			var cols []string
			err := guard("read sheet "+name, func() (err error) {
				cols, err = rows.Columns(excelize.Options{RawCellValue: true})
				return err
			})
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

// guard runs a call into excelize and turns a panic inside it into an error, logged with
// its stack: a workbook that makes the library fail is refused as unreadable, while a
// panic in egovkpi's own code is not caught here and reaches the tests and the fuzzer.
func guard(what string, call func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			slog.Error("excelize panicked", "call", what, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("%s: the spreadsheet library failed on this file (%v)", what, r)
		}
	}()
	return call()
}

func writeTemp(content []byte) (string, error) {
	f, err := os.CreateTemp("", "egovkpi-*.xlsx")
	if err != nil {
		return "", err
	}
	if _, err := f.Write(content); err != nil {
		_ = f.Close() // the write's error is the one to report
		_ = os.Remove(f.Name())
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
	defer func() { _ = rc.Close() }() // read only
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
	defer func() { _ = rc.Close() }()                              // read only
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
