package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestUploadFilesWrittenByLibreOffice uploads, through the server, the reports LibreOffice
// Calc wrote (testdata/real, made once by make.sh; issue 20): the consolidated report as
// XLSX and as ODS — its total row labelled in the name column, its code column empty —
// and a report with sections and subtotals as ODS; then the same report with a row that
// names no unit and is no total, refused with the row's place.
func TestUploadFilesWrittenByLibreOffice(t *testing.T) {
	s := startServer(t, false)
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "real", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := []struct {
		file, query string
		units       string // the units and periods accepted, in the file's order
		received79  float64
	}{
		{"bao-cao-tong-hop.xlsx", "?dry_run=true", "01 2026-10, 31 2026-10, 48 2026-10, 79 2026-10, 92 2026-10, 04 2026-10", 245310},
		{"bao-cao-tong-hop.ods", "", "01 2026-10, 31 2026-10, 48 2026-10, 79 2026-10, 92 2026-10, 04 2026-10", 245310},
		{"bao-cao-theo-muc.ods", "", "01 2026-09, 79 2026-09, 08 2026-09, 04 2026-09", 240000},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			code, r := s.upload(t, "committee1", c.query, c.file, read(c.file))
			if code != 200 && code != 201 {
				t.Fatalf("%d %v", code, r)
			}
			subs, _ := r["submissions"].([]any)
			var got []string
			for _, x := range subs {
				sub := x.(map[string]any)
				got = append(got, sub["unit_code"].(string)+" "+sub["period"].(string))
				if sub["unit_code"] == "79" {
					if v := sub["values"].(map[string]any)["dossiers_received"]; v != c.received79 {
						t.Errorf("79: dossiers_received %v, want %v (pasted as text)", v, c.received79)
					}
				}
			}
			if strings.Join(got, ", ") != c.units {
				t.Errorf("units %q, want %q", strings.Join(got, ", "), c.units)
			}
		})
	}
	// the uploaded ODS is in the store: the leaderboard's month has Hà Nội's figures
	code, b := s.do(t, "GET", "/api/v1/submissions?unit=01&period=2026-10", "committee1", nil)
	if code != 200 || !strings.Contains(string(b), "bao-cao-tong-hop.ods") {
		t.Errorf("submissions of 01: %d %s", code, b)
	}
	// a row that names no unit and whose numbers are no sum: refused, the row told
	bad := "STT,Mã đơn vị,Tên đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận\n1,01,Hà Nội,2026-08,100\n2,,,2026-08,5\n,,Tổng cộng,,105\n"
	code, e := s.upload(t, "committee1", "", "thieu-ma.csv", []byte(bad))
	errs, _ := e["errors"].([]any)
	if code != 422 || len(errs) != 1 || errs[0].(map[string]any)["row"].(float64) != 3 ||
		!strings.Contains(errs[0].(map[string]any)["message"].(string), "không có mã hoặc tên đơn vị") {
		t.Errorf("a row without a unit: %d %v", code, e)
	}
}

// TestUploadUNSurvey imports, through the server, the UN survey in the form of the UN's
// own CSV for 2022–2024 and an analyst's copy (renamed columns, padded names, a column of
// regions): the receipt names what was read as what; the benchmark page opens on the
// latest edition imported (issue 20 #3, #4).
func TestUploadUNSurvey(t *testing.T) {
	s := startServer(t, false)
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "egdi", "un-egov-data-sample-2022-2024.csv"))
	if err != nil {
		t.Fatal(err)
	}
	code, r := s.upload(t, "committee1", "", "EGOV_DATA.csv", b)
	surveys, _ := r["surveys"].([]any)
	if code != 201 || len(surveys) != 2 {
		t.Fatalf("UN CSV: %d %v", code, r)
	}
	first := surveys[0].(map[string]any)
	cols := first["matched"].(map[string]any)["columns"].([]any)
	if first["year"].(float64) != 2022 || first["rows"].(float64) != 13 || len(cols) != 8 ||
		cols[2].(map[string]any)["field"] != "rank" || cols[2].(map[string]any)["header"] != "E-Government Rank" {
		t.Errorf("receipt: %v", first)
	}
	analyst := "Country,E_Index,OSI,HCI,TII,Region\nViet Nam ,0.6787,0.6493,0.6940,0.6930,Asia\nKorea (Republic of),0.9529,0.9826,0.9087,0.9674,Asia\n"
	code, r = s.upload(t, "committee1", "?lang=en", "egdi-2020-copy.csv", []byte(analyst))
	surveys, _ = r["surveys"].([]any)
	if code != 201 || len(surveys) != 1 || !strings.Contains(fmt.Sprint(surveys[0].(map[string]any)["matched"]), `The file's column "Region" is not read`) {
		t.Errorf("analyst's copy: %d %v", code, r)
	}
	code, page := s.do(t, "GET", "/benchmark", "committee1", nil)
	if code != 200 || !strings.Contains(string(page), `<option value="2024" selected>`) || !strings.Contains(string(page), "Việt Nam") {
		t.Errorf("benchmark page: %d, opens on 2024: %v", code, strings.Contains(string(page), `<option value="2024" selected>`))
	}
}

// TestMarkedODS: an OpenDocument spreadsheet with a bad cell is refused with the cell's
// place, and comes back as a workbook with that cell marked and commented.
func TestMarkedODS(t *testing.T) {
	s := startServer(t, false)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	_, _ = io.WriteString(w, "application/vnd.oasis.opendocument.spreadsheet")
	w, _ = zw.Create("content.xml")
	cell := func(v string) string {
		return `<table:table-cell office:value-type="string"><text:p>` + v + `</text:p></table:table-cell>`
	}
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="Báo cáo">`+
		`<table:table-row>`+cell("Mã đơn vị")+cell("Kỳ báo cáo")+cell("Tổng số văn bản đi")+`</table:table-row>`+
		`<table:table-row>`+cell("01")+cell("2026-10")+cell("12a")+`</table:table-row>`+
		`<table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>`+
		`</table:table></office:spreadsheet></office:body></office:document-content>`)
	_ = zw.Close()
	code, e := s.upload(t, "officer01", "", "sai.ods", buf.Bytes())
	errs, _ := e["errors"].([]any)
	if code != 422 || len(errs) != 1 || errs[0].(map[string]any)["cell"] != "C2" || errs[0].(map[string]any)["sheet"] != "Báo cáo" {
		t.Fatalf("bad ODS: %d %v", code, e)
	}
	marked, _ := e["marked_file"].(string)
	if marked == "" {
		t.Fatalf("no marked file: %v", e)
	}
	mcode, mb := s.do(t, "GET", marked, "officer01", nil)
	if mcode != 200 {
		t.Fatalf("marked file: %d", mcode)
	}
	mf, err := excelize.OpenReader(bytes.NewReader(mb))
	if err != nil {
		t.Fatal(err)
	}
	comments, _ := mf.GetComments("Báo cáo")
	if len(comments) != 1 || comments[0].Cell != "C2" || !strings.Contains(comments[0].Paragraph[0].Text, `"12a" không phải là số`) {
		t.Errorf("comments: %+v", comments)
	}
	if v, _ := mf.GetCellValue("Báo cáo", "A2"); v != "01" {
		t.Errorf("A2 = %q", v)
	}
}
