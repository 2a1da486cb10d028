package ingest

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

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
