package ingest

import (
	"fmt"
	"strings"

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

// msg picks the reader's language.
func msg(lang, vi, en string, args ...any) string {
	if lang == "en" {
		return fmt.Sprintf(en, args...)
	}
	return fmt.Sprintf(vi, args...)
}
