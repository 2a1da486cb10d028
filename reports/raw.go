package reports

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
)

// RawSource streams stored values; *data.Store is one.
type RawSource interface {
	RawValues(ctx context.Context, from, to data.Month, allVersions bool, fn func(data.RawRow) error) error
}

// RawHeader names the raw export's columns.
var RawHeader = []string{"unit_code", "period", "measure", "value", "submission_id", "version", "status"}

// RawXLSX streams rows into a workbook with excelize's StreamWriter, so memory stays
// flat however many rows there are. each is called with a function that writes one row.
func RawXLSX(w io.Writer, rows func(emit func(data.RawRow) error) error, progress func(int)) (int, error) {
	f := excelize.NewFile()
	// the bytes are written by then: closing only removes excelize's temporary files
	defer func() { _ = f.Close() }()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return 0, err
	}
	head := make([]any, len(RawHeader))
	for i, h := range RawHeader {
		head[i] = h
	}
	if err := sw.SetRow("A1", head); err != nil {
		return 0, err
	}
	n := 0
	cells := make([]any, 7)
	err = rows(func(r data.RawRow) error {
		n++
		cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6] = r.Unit, r.Month.String(), r.Measure, r.Value, r.Submission, r.Version, r.Status
		c, _ := excelize.CoordinatesToCellName(1, n+1)
		if progress != nil && n%100000 == 0 {
			progress(n)
		}
		return sw.SetRow(c, cells)
	})
	if err != nil {
		return n, err
	}
	if err := sw.Flush(); err != nil {
		return n, err
	}
	if err := f.SetSheetName("Sheet1", "raw"); err != nil {
		return n, err
	}
	return n, f.Write(w)
}

// RawCSV writes UTF-8 with a BOM, so that Excel shows Vietnamese correctly; text that a
// spreadsheet would evaluate is prefixed with an apostrophe.
func RawCSV(w io.Writer, rows func(emit func(data.RawRow) error) error, progress func(int)) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	if _, err := bw.WriteString("\xef\xbb\xbf"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(bw)
	if err := cw.Write(RawHeader); err != nil {
		return 0, err
	}
	n := 0
	rec := make([]string, 7)
	err := rows(func(r data.RawRow) error {
		n++
		rec[0], rec[1], rec[2] = CSVText(r.Unit), r.Month.String(), CSVText(r.Measure)
		rec[3], rec[4], rec[5], rec[6] = strconv.FormatInt(r.Value, 10), strconv.FormatInt(r.Submission, 10), strconv.Itoa(r.Version), r.Status
		if progress != nil && n%100000 == 0 {
			progress(n)
		}
		return cw.Write(rec)
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// CSVText guards a text field against spreadsheet formula injection.
func CSVText(s string) string {
	if safeText(s) {
		return s
	}
	return "'" + s
}

// Raw writes a span's values as xlsx or csv to w.
func Raw(ctx context.Context, src RawSource, from, to data.Month, allVersions bool, format string, w io.Writer, progress func(int)) (int, error) {
	rows := func(emit func(data.RawRow) error) error { return src.RawValues(ctx, from, to, allVersions, emit) }
	switch format {
	case "xlsx":
		return RawXLSX(w, rows, progress)
	case "csv":
		return RawCSV(w, rows, progress)
	}
	return 0, fmt.Errorf("%w: format %q: use xlsx, csv or parquet", data.ErrInvalid, format)
}
