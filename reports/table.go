package reports

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/egovkpi/egovkpi/data"
	"github.com/xuri/excelize/v2"
)

// Cell is one value of a page's table as a workbook holds it: a number (Num, written as
// a number with Dec decimals) or text.
type Cell struct {
	Text string
	Num  *float64
	Dec  int
}

// Text is a cell of text.
func Text(s string) Cell { return Cell{Text: s} }

// Number is a cell holding v with dec decimals, empty when v is nil.
func Number(v *float64, dec int) Cell { return Cell{Num: v, Dec: dec} }

// Sheet is a page's table: a title (what, which period), column heads and rows.
type Sheet struct {
	Name  string
	Title string
	Note  string
	Heads []string
	Rows  [][]Cell
	// Widths of the columns; a column without one is 12 wide, the first fits its names.
	Widths []float64
}

// Table writes a workbook of the tables a page shows (trends, completeness, maturity,
// the map's values): a sheet each, set up as every workbook here is (frozen header,
// autofilter, landscape, fit to width).
func Table(title, author, lang string, sheets []Sheet) ([]byte, error) {
	b := newBook()
	defer b.close()
	f := b.f
	for i, s := range sheets {
		sh := safeSheetName(s.Name)
		if i == 0 {
			b.keep(f.SetSheetName("Sheet1", sh))
		} else {
			b.sheet(sh)
		}
		b.keep(f.SetCellStr(sh, "A1", s.Title))
		b.keep(f.SetCellStyle(sh, "A1", "A1", b.title))
		if s.Note != "" {
			b.keep(f.SetCellStr(sh, "A2", s.Note))
			b.keep(f.SetCellStyle(sh, "A2", "A2", b.muted))
		}
		const head = 4
		var names []string
		for r, row := range s.Rows {
			for c, v := range row {
				at := cell(c+1, head+1+r)
				switch {
				case v.Num != nil:
					b.keep(f.SetCellFloat(sh, at, *v.Num, v.Dec, 64))
					if v.Dec > 0 {
						b.keep(f.SetCellStyle(sh, at, at, b.dec))
					}
				case v.Text != "":
					b.keep(f.SetCellStr(sh, at, v.Text))
				}
				if c == 0 {
					names = append(names, v.Text)
				}
			}
		}
		widths := make([]float64, len(s.Heads))
		for c := range widths {
			switch {
			case c < len(s.Widths) && s.Widths[c] > 0:
				widths[c] = s.Widths[c]
			case c == 0:
				widths[c] = nameWidth(names)
			default:
				widths[c] = 12
			}
		}
		b.table(sh, head, s.Heads, widths, head+len(s.Rows))
	}
	b.keep(f.SetDocProps(&excelize.DocProperties{Title: title, Creator: author, Keywords: "egovkpi",
		Language: data.Pick(lang, "vi-VN", "en-GB")}))
	if b.err != nil {
		return nil, fmt.Errorf("workbook %q: %w", title, b.err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// safeSheetName keeps a sheet's name within what Excel accepts: none of : \ / ? * [ ],
// at most 31 characters (cut between letters, never inside one).
func safeSheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	return s
}
