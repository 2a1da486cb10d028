package ingest

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// OpenDocument spreadsheets (.ods, what LibreOffice saves by default) are read as a
// stream from their content.xml, with the same bounds as a workbook: at most MaxRows rows
// and MaxCols columns a sheet, content.xml at most odsMaxXML unzipped. ODS writes runs of
// equal rows and cells once with a repeat count (LibreOffice ends every sheet with one
// empty row repeated to the 1,048,576th): an empty run is only counted, never built.

// odsMime is what an OpenDocument spreadsheet's first entry, mimetype, holds.
const odsMime = "application/vnd.oasis.opendocument.spreadsheet"

// odsMaxXML bounds content.xml unzipped, as excelize's UnzipSizeLimit bounds a workbook.
const odsMaxXML = 256 << 20

// odsMaxMerges bounds the merged ranges kept from a sheet (a header has a few).
const odsMaxMerges = 10_000

// errODSTooLarge is content.xml past odsMaxXML.
var errODSTooLarge = fmt.Errorf("content.xml is larger than %d MB unzipped", odsMaxXML>>20)

// errODSEncrypted is a spreadsheet saved with a password.
var errODSEncrypted = errors.New("the spreadsheet is encrypted (saved with a password)")

// isODS tells an OpenDocument spreadsheet from a workbook among zip files: by its
// mimetype entry, or a content.xml without xl/workbook.xml.
func isODS(content []byte) bool {
	zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return false
	}
	hasContent, workbook := false, false
	for _, f := range zr.File {
		switch f.Name {
		case "mimetype":
			if rc, err := f.Open(); err == nil {
				b, _ := io.ReadAll(io.LimitReader(rc, 128))
				_ = rc.Close() // read only
				if strings.TrimSpace(string(b)) == odsMime {
					return true
				}
			}
		case "content.xml":
			hasContent = true
		case "xl/workbook.xml":
			workbook = true
		}
	}
	return hasContent && !workbook
}

// readODS opens an OpenDocument spreadsheet: one pass over content.xml measures every
// sheet (refusing one past the limits) and keeps its first rows and merged cells; the
// rest of a sheet is streamed again from the zip when it is read.
func readODS(content []byte) ([]*sheet, error) {
	zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return nil, err
	}
	var xmlFile *zip.File
	for _, f := range zr.File {
		switch f.Name {
		case "content.xml":
			xmlFile = f
		case "META-INF/manifest.xml":
			if rc, err := f.Open(); err == nil {
				b, _ := io.ReadAll(io.LimitReader(rc, 1<<20))
				_ = rc.Close() // read only
				if bytes.Contains(b, []byte("encryption-data")) {
					return nil, errODSEncrypted
				}
			}
		}
	}
	if xmlFile == nil {
		return nil, errors.New("no content.xml")
	}
	rd, closeXML, err := openODS(xmlFile)
	if err != nil {
		return nil, err
	}
	defer closeXML()
	var sheets []*sheet
	for k := 0; ; k++ {
		name, err := rd.nextTable()
		if err == io.EOF {
			return sheets, nil
		}
		if err != nil {
			return nil, err
		}
		sh := &sheet{name: name}
		rd.merges = &sh.merges
		nonEmpty := 0
		for {
			r, cells, n, err := rd.nextRow()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			if len(cells) > 0 {
				nonEmpty += n
			}
			// the header zone, by row index: empty rows kept as nil to keep the indices
			for i := r; i < r+n && i < headerZone; i++ {
				for len(sh.rows) < i {
					sh.rows = append(sh.rows, nil)
				}
				sh.rows = append(sh.rows, cells)
			}
		}
		rd.merges = nil
		sh.hint = min(nonEmpty, MaxRows)
		if nonEmpty > len(sh.rows) {
			sh.next = odsRest(xmlFile, k)
		}
		sheets = append(sheets, sh)
	}
}

// odsRest streams sheet k's rows from the header zone on, opening content.xml afresh on
// the first call; io.EOF at the sheet's end.
func odsRest(xmlFile *zip.File, k int) func() (int, []string, error) {
	var rd *odsReader
	var closeXML func()
	row, left := 0, 0 // a run of equal rows being handed out
	var cells []string
	return func() (int, []string, error) {
		if rd == nil {
			var err error
			if rd, closeXML, err = openODS(xmlFile); err != nil {
				return 0, nil, err
			}
			for i := 0; i <= k; i++ {
				_, err := rd.nextTable()
				if err == nil && i < k {
					err = rd.skip() // the sheets before, whole
				}
				if err != nil {
					closeXML()
					return 0, nil, err
				}
			}
		}
		for left == 0 {
			r, c, n, err := rd.nextRow()
			if err != nil {
				closeXML()
				return 0, nil, err // io.EOF at the sheet's end
			}
			if len(c) == 0 || r+n <= headerZone {
				continue // empty rows are not handed out, the header zone was read already
			}
			if r < headerZone {
				n, r = n-(headerZone-r), headerZone
			}
			row, left, cells = r, n, c
		}
		left--
		row++
		return row - 1, cells, nil
	}
}

func openODS(f *zip.File) (*odsReader, func(), error) {
	rc, err := f.Open()
	if err != nil {
		return nil, nil, err
	}
	dec := xml.NewDecoder(&cappedReader{r: rc, left: odsMaxXML})
	return &odsReader{dec: dec}, func() { _ = rc.Close() }, nil
}

// cappedReader fails once more than left bytes are read, where io.LimitReader would end
// quietly and leave a truncated sheet looking whole.
type cappedReader struct {
	r    io.Reader
	left int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errODSTooLarge
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// odsReader walks content.xml: the sheets (table:table) one after another, and in each
// its rows, through row groups and header rows.
type odsReader struct {
	dec    *xml.Decoder
	table  string       // the sheet being read
	row    int          // the index of the next row in it, 0-based
	merges *[]cellRange // where to keep merged cells of the header zone; nil: not kept
	// allMerges keeps merged cells in every row, and numeric which cells of the row just
	// read are numbers: for writing the sheet again as a workbook
	allMerges bool
	numeric   []bool
}

// skip reads to the end of the element just started. Tokens are read raw, without
// namespaces resolved (only local names matter here), which halves the reading time;
// an end that never comes is io.ErrUnexpectedEOF.
func (o *odsReader) skip() error {
	for depth := 1; depth > 0; {
		tok, err := o.dec.RawToken()
		if err == io.EOF {
			return io.ErrUnexpectedEOF
		}
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// nextTable moves to the start of the next sheet and returns its name; io.EOF after the
// last.
func (o *odsReader) nextTable() (string, error) {
	for {
		tok, err := o.dec.RawToken()
		if err != nil {
			return "", err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "table" {
			o.table, o.row = attrOf(se, "name"), 0
			return o.table, nil
		}
	}
}

// nextRow reads the next row of the sheet: its index, its cells (none for an empty row)
// and how many times it repeats; io.EOF at the end of the sheet.
func (o *odsReader) nextRow() (row int, cells []string, repeat int, err error) {
	for {
		tok, err := o.dec.RawToken()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return 0, nil, 0, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if t.Name.Local == "table" {
				return 0, nil, 0, io.EOF
			}
		case xml.StartElement:
			switch t.Name.Local {
			case "table-row-group", "table-header-rows", "table-rows":
				// containers of rows: go in
			case "table-row":
				n := repeatOf(t, "number-rows-repeated")
				row = o.row
				if n > MaxRows || row+n > MaxRows {
					return 0, nil, 0, &SheetTooLarge{Sheet: o.table}
				}
				cells, err := o.cells(row)
				if err != nil {
					return 0, nil, 0, err
				}
				o.row += n
				return row, cells, n, nil
			default:
				if err := o.skip(); err != nil {
					return 0, nil, 0, err
				}
			}
		}
	}
}

// cells reads a row's cells up to its last with a value: a run of empty cells is only
// counted until a value follows it, so a row padded with 16,384 empty cells costs nothing.
func (o *odsReader) cells(row int) ([]string, error) {
	var out []string
	o.numeric = o.numeric[:0]
	pending := 0 // empty cells not yet written out
	for {
		tok, err := o.dec.RawToken()
		if err == io.EOF {
			return nil, io.ErrUnexpectedEOF // a row cut short is no end of the sheet
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if t.Name.Local == "table-row" {
				return out, nil
			}
		case xml.StartElement:
			if t.Name.Local != "table-cell" && t.Name.Local != "covered-table-cell" {
				if err := o.skip(); err != nil {
					return nil, err
				}
				continue
			}
			n := repeatOf(t, "number-columns-repeated")
			col := len(out) + pending
			if o.merges != nil && (row < headerZone || o.allMerges) {
				cs, rs := repeatOf(t, "number-columns-spanned"), repeatOf(t, "number-rows-spanned")
				if (cs > 1 || rs > 1) && col < MaxCols && len(*o.merges) < odsMaxMerges {
					*o.merges = append(*o.merges, cellRange{row, col, row + rs - 1, col + cs - 1})
				}
			}
			v, err := o.value(t)
			if err != nil {
				return nil, err
			}
			if t.Name.Local == "covered-table-cell" {
				v = "" // hidden under a merged cell, as Excel keeps none
			}
			if v == "" {
				pending += n
				if pending > 2*MaxCols {
					pending = 2 * MaxCols // counted, not built: only past MaxCols matters
				}
				continue
			}
			if col+n > MaxCols {
				return nil, &SheetTooLarge{Sheet: o.table, Cols: true}
			}
			for ; pending > 0; pending-- {
				out = append(out, "")
				o.numeric = append(o.numeric, false)
			}
			num := isNumericCell(t)
			for i := 0; i < n; i++ {
				out = append(out, v)
				o.numeric = append(o.numeric, num)
			}
		}
	}
}

// value is a cell's value as a reader of the raw workbook sees it: the number of a
// numeric cell (its cached result when it is a formula), the date of a date, else its
// text; it consumes the cell to its end.
func (o *odsReader) value(se xml.StartElement) (string, error) {
	var v string
	switch attrOf(se, "value-type") {
	case "float", "percentage", "currency":
		v = attrOf(se, "value")
	case "date":
		v = attrOf(se, "date-value")
	case "time":
		v = attrOf(se, "time-value")
	case "boolean":
		v = attrOf(se, "boolean-value")
	}
	var text strings.Builder
	paragraphs := 0
	depth := 1
	for depth > 0 {
		tok, err := o.dec.RawToken()
		if err == io.EOF {
			return "", io.ErrUnexpectedEOF
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "annotation", "table", "frame", "note":
				// a comment or an object in the cell is not its value
				if err := o.skip(); err != nil {
					return "", err
				}
				continue
			case "p", "h":
				if paragraphs > 0 {
					text.WriteByte('\n')
				}
				paragraphs++
			case "s":
				text.WriteString(strings.Repeat(" ", min(repeatOf(t, "c"), 1000)))
			case "tab":
				text.WriteByte('\t')
			case "line-break":
				text.WriteByte('\n')
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if text.Len() < 1<<20 { // a cell holds 32,767 characters in Excel
				text.Write(t)
			}
		}
	}
	if v != "" {
		return v, nil
	}
	return text.String(), nil
}

// attrOf is an attribute's value by its local name.
func attrOf(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// repeatOf is a repeat or span count, 1 when absent or not a positive number, and at most
// MaxRows+1 so that sums of them stay far from overflowing.
func repeatOf(se xml.StartElement, local string) int {
	n, err := strconv.Atoi(attrOf(se, local))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, MaxRows+1)
}

func isNumericCell(se xml.StartElement) bool {
	switch attrOf(se, "value-type") {
	case "float", "percentage", "currency":
		return se.Name.Local == "table-cell"
	}
	return false
}

// odsMarkMaxXML bounds the content.xml of a spreadsheet written again as a workbook, as
// a workbook to be marked is bounded unzipped.
const odsMarkMaxXML = 64 << 20

// IsODS reports whether content is an OpenDocument spreadsheet.
func IsODS(content []byte) bool { return bytes.HasPrefix(content, zipMagic) && isODS(content) }

// ODSAsXLSX writes an OpenDocument spreadsheet again as a workbook — its sheets, values
// (numbers as numbers) and merged cells, at the same places — so that the problems found
// in it can be marked as a workbook's are. It refuses a sheet of more than maxRows rows
// or maxCells cells up to each row's last value: the marked copy is built in memory.
func ODSAsXLSX(content []byte, maxRows int, maxCells int64) (out []byte, err error) {
	// the copy is written cell by cell through excelize: guard turns a panic inside it
	// into this file's error, logged with its stack
	err = guard("ods as xlsx", func() (err error) {
		out, err = odsAsXLSX(content, maxRows, maxCells)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ods: %w", err)
	}
	return out, nil
}

func odsAsXLSX(content []byte, maxRows int, maxCells int64) (out []byte, err error) {
	zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return nil, err
	}
	var xmlFile *zip.File
	for _, f := range zr.File {
		if f.Name == "content.xml" {
			xmlFile = f
		}
	}
	if xmlFile == nil {
		return nil, errors.New("no content.xml")
	}
	// empty cells cost no memory but time: archive/zip holds a part to the size it states
	if xmlFile.UncompressedSize64 > odsMarkMaxXML {
		return nil, fmt.Errorf("content.xml is larger than %d MB", odsMarkMaxXML>>20)
	}
	rd, closeXML, err := openODS(xmlFile)
	if err != nil {
		return nil, err
	}
	defer closeXML()
	rd.allMerges = true
	wb := excelize.NewFile()
	defer func() { _ = wb.Close() }() // an in-memory copy: nothing to keep
	for k := 0; ; k++ {
		name, err := rd.nextTable()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if k == 0 {
			err = wb.SetSheetName("Sheet1", name)
		} else {
			_, err = wb.NewSheet(name)
		}
		if err != nil {
			return nil, err
		}
		var merges []cellRange
		rd.merges = &merges
		rows, cells := 0, int64(0)
		for {
			r, vals, n, err := rd.nextRow()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			if len(vals) == 0 {
				continue
			}
			rows += n
			cells += int64(n) * int64(len(vals))
			if rows > maxRows || cells > maxCells {
				return nil, fmt.Errorf("sheet %s is too large to mark", name)
			}
			row := make([]any, len(vals))
			for c, v := range vals {
				row[c] = v
				if rd.numeric[c] {
					if f, err := strconv.ParseFloat(v, 64); err == nil {
						row[c] = f
					}
				}
			}
			for i := 0; i < n; i++ {
				if err := wb.SetSheetRow(name, cellName(0, r+i), &row); err != nil {
					return nil, err
				}
			}
		}
		for _, m := range merges {
			if m.r1 < MaxRows && m.c1 < MaxCols {
				// a merge excelize refuses (ranges overlapping) loses only the merge: every
				// value is in its cell already, as the file was read before
				_ = wb.MergeCell(name, cellName(m.c0, m.r0), cellName(m.c1, m.r1))
			}
		}
	}
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
