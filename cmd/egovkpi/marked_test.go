package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
)

// badReport is a report in the template's layout, made with excelize as an officer's own
// workbook would be: received online (D12) greater than received (D11), the total of
// procedures (D7) written with a letter O for a zero, and number formats of its own on
// those cells, which the marked file must keep.
func badReport(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	sh := ingest.TemplateSheet
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", sh))
	must(f.SetCellValue(sh, "A3", "Mã đơn vị"))
	must(f.SetCellValue(sh, "B3", "01"))
	must(f.SetCellValue(sh, "A4", "Kỳ báo cáo"))
	must(f.SetCellValue(sh, "B4", "2026-10"))
	for i, h := range []string{"STT", "Mã chỉ tiêu", "Chỉ tiêu", "Giá trị"} {
		c, _ := excelize.CoordinatesToCellName(i+1, 6)
		must(f.SetCellValue(sh, c, h))
	}
	for i, m := range data.Measures {
		r := 7 + i
		must(f.SetCellValue(sh, fmt.Sprintf("A%d", r), i+1))
		must(f.SetCellValue(sh, fmt.Sprintf("B%d", r), m.Code))
		must(f.SetCellValue(sh, fmt.Sprintf("C%d", r), m.LabelVI))
	}
	if data.Measures[0].Code != "procedures_total" || data.Measures[4].Code != "dossiers_received" || data.Measures[5].Code != "dossiers_received_online" {
		t.Fatal("the catalogue's order changed: D7, D11 and D12 no longer hold the measures this test writes")
	}
	custom := `#,##0" hồ sơ"`
	received, err := f.NewStyle(&excelize.Style{NumFmt: 3, Font: &excelize.Font{Bold: true}})
	must(err)
	online, err := f.NewStyle(&excelize.Style{CustomNumFmt: &custom, Border: []excelize.Border{{Type: "bottom", Color: "333333", Style: 1}}})
	must(err)
	must(f.SetCellValue(sh, "D7", "158.9OO"))
	must(f.SetCellValue(sh, "D11", 161200))
	must(f.SetCellStyle(sh, "D11", "D11", received))
	must(f.SetCellValue(sh, "D12", 171300))
	must(f.SetCellStyle(sh, "D12", "D12", online))
	must(f.SetCellValue(sh, "D13", 150000)) // resolved: a good cell, left unmarked
	var buf bytes.Buffer
	must(f.Write(&buf))
	return buf.Bytes()
}

// cellLook is what a marked cell must keep of its own: the number format and the value as
// shown.
type cellLook struct {
	numFmt int
	custom string
	shown  string
	bold   bool
}

func lookOf(t *testing.T, f *excelize.File, sheet, cell string) (cellLook, *excelize.Style) {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	shown, _ := f.GetCellValue(sheet, cell)
	l := cellLook{numFmt: st.NumFmt, shown: shown, bold: st.Font != nil && st.Font.Bold}
	if st.CustomNumFmt != nil {
		l.custom = *st.CustomNumFmt
	}
	return l, st
}

// TestMarkedFileMarksBothCellsAndKeepsFormats uploads a report with a rule over two cells
// broken and a bad number over HTTP, downloads the marked file and reads it back: both
// cells of the rule and the bad one are filled and commented with their number formats
// and values as they were, the first sheet lists the two problems with the measures' names
// and the values as written, the messages name the measure and print numbers the reader's
// way; the marked file, corrected, is accepted as it is.
func TestMarkedFileMarksBothCellsAndKeepsFormats(t *testing.T) {
	s := startServer(t, false)
	file := badReport(t)
	orig, err := excelize.OpenReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = orig.Close() }()

	for _, tc := range []struct {
		lang, query, summary, rule, number, measures, values string
	}{
		{"vi", "", ingest.SummarySheetVI, "(171.300 > 161.200)", `Tổng số thủ tục hành chính (TTHC): "158.9OO" không phải là số`,
			"Số hồ sơ tiếp nhận trực tuyến; Số hồ sơ tiếp nhận", "171.300; 161.200"},
		{"en", "?lang=en", ingest.SummarySheetEN, "(171,300 > 161,200)", `Administrative procedures, total: "158.9OO" is not a number`,
			"Dossiers received online; Dossiers received", "171,300; 161,200"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			code, e := s.upload(t, "officer01", tc.query, "bao-cao-sai.xlsx", file)
			if code != 422 {
				t.Fatalf("upload: %d %v", code, e)
			}
			errs, _ := e["errors"].([]any)
			var rule, number map[string]any
			for _, x := range errs {
				p := x.(map[string]any)
				switch p["cell"] {
				case "D12":
					rule = p
				case "D7":
					number = p
				}
			}
			if len(errs) != 2 || rule == nil || number == nil {
				t.Fatalf("problems: %v", errs)
			}
			if m := rule["message"].(string); !strings.Contains(m, tc.rule) {
				t.Errorf("the rule's message %q does not say %s", m, tc.rule)
			}
			if cells := fmt.Sprint(rule["cells"]); cells != "[D12 D11]" {
				t.Errorf("the rule's cells: %s", cells)
			}
			if m := number["message"].(string); m != tc.number {
				t.Errorf("the bad number's message %q, want %q", m, tc.number)
			}

			marked, _ := e["marked_file"].(string)
			mcode, mb := s.do(t, "GET", marked, "officer01", nil)
			if mcode != 200 {
				t.Fatalf("marked file: %d", mcode)
			}
			mf, err := excelize.OpenReader(bytes.NewReader(mb))
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = mf.Close() }()
			sh := ingest.TemplateSheet
			// both cells of the rule and the bad one: the mark added, the rest of the style kept
			for _, c := range []string{"D7", "D11", "D12"} {
				before, _ := lookOf(t, orig, sh, c)
				after, st := lookOf(t, mf, sh, c)
				if before != after {
					t.Errorf("%s: format and value %+v, was %+v", c, after, before)
				}
				if len(st.Fill.Color) == 0 || !strings.EqualFold(st.Fill.Color[0], "F4B6B0") {
					t.Errorf("%s is not marked: fill %+v", c, st.Fill)
				}
			}
			if before, _ := lookOf(t, orig, sh, "D12"); before.custom != `#,##0" hồ sơ"` {
				t.Fatalf("the original's own format was not written: %+v", before)
			}
			if _, st := lookOf(t, mf, sh, "D13"); len(st.Fill.Color) > 0 {
				t.Errorf("a good cell is marked: %+v", st.Fill)
			}
			comments, _ := mf.GetComments(sh)
			commented := map[string]string{}
			for _, c := range comments {
				var text []string
				for _, r := range c.Paragraph {
					text = append(text, r.Text)
				}
				commented[c.Cell] = c.Text + strings.Join(text, "")
			}
			for _, c := range []string{"D7", "D11", "D12"} {
				if commented[c] == "" {
					t.Errorf("%s has no comment (%v)", c, commented)
				}
			}
			if !strings.Contains(commented["D11"], tc.rule) {
				t.Errorf("D11's comment %q does not give the rule", commented["D11"])
			}
			// the summary first: the two problems, their measures and values as written
			if list := mf.GetSheetList(); len(list) != 2 || list[0] != tc.summary || list[1] != sh {
				t.Fatalf("sheets %v", list)
			}
			rows, err := mf.GetRows(tc.summary)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 3 {
				t.Fatalf("summary rows: %q", rows)
			}
			byCell := map[string][]string{}
			for _, r := range rows[1:] {
				r = append(r, make([]string, 5)...)
				byCell[r[1]] = r[:5]
			}
			if r := byCell["D12, D11"]; r == nil || r[0] != sh || r[2] != tc.measures || r[3] != tc.values || !strings.Contains(r[4], tc.rule) {
				t.Errorf("the rule's summary row: %q (all: %q)", r, rows)
			}
			if r := byCell["D7"]; r == nil || r[0] != sh || r[3] != "158.9OO" || r[4] != tc.number {
				t.Errorf("the bad number's summary row: %q (all: %q)", r, rows)
			}
		})
	}

	t.Run("the marked file corrected is accepted", func(t *testing.T) {
		_, e := s.upload(t, "officer01", "", "bao-cao-sai.xlsx", file)
		marked, _ := e["marked_file"].(string)
		_, mb := s.do(t, "GET", marked, "officer01", nil)
		mf, err := excelize.OpenReader(bytes.NewReader(mb))
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = mf.Close() }()
		if err := mf.SetCellValue(ingest.TemplateSheet, "D7", 1589); err != nil {
			t.Fatal(err)
		}
		if err := mf.SetCellValue(ingest.TemplateSheet, "D12", 151300); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := mf.Write(&buf); err != nil {
			t.Fatal(err)
		}
		code, r := s.upload(t, "officer01", "", "bao-cao-da-sua.xlsx", buf.Bytes())
		if code != 201 {
			t.Fatalf("the corrected file: %d %v", code, r)
		}
		if v, _ := r["values"].(map[string]any); v["dossiers_received_online"] != float64(151300) || v["procedures_total"] != float64(1589) {
			t.Errorf("values %v", r["values"])
		}
	})
}
