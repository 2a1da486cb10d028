package ingest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/egovkpi/egovkpi/data"
)

// xlsx builds a real workbook: rows of cells on one sheet, then extra edits.
func xlsx(t testing.TB, sheet string, rows [][]any, edit ...func(*excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	if sheet != "Sheet1" {
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			t.Fatal(err)
		}
	}
	for r, row := range rows {
		for c, v := range row {
			if v == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellValue(sheet, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, e := range edit {
		e(f)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func parseOK(t *testing.T, name string, content []byte) *Parsed {
	t.Helper()
	p, probs := Parse(name, content, data.Reference(), "vi")
	if len(probs) > 0 {
		t.Fatalf("problems: %v", probs)
	}
	if p == nil {
		t.Fatal("nothing parsed")
	}
	return p
}

func TestTemplateRoundTrip(t *testing.T) {
	u, _ := data.Reference().At("01", data.NewMonth(2026, 10))
	b, err := Template(u, data.NewMonth(2026, 10), map[string]int64{"dossiers_received": 120000})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetCellValue(TemplateSheet, "B3"); v != "01" {
		t.Errorf("B3 = %q", v)
	}
	if v, _ := f.GetCellValue(TemplateSheet, "C11"); v != "Số hồ sơ tiếp nhận" {
		t.Errorf("C11 = %q", v)
	}
	if v, _ := f.GetCellValue(TemplateSheet, "E11"); v != "120,000" && v != "120000" {
		t.Errorf("last month E11 = %q", v)
	}
	dvs, _ := f.GetDataValidations(TemplateSheet)
	if len(dvs) != 1 || dvs[0].Type != "whole" || dvs[0].Sqref != "D7:D22" {
		t.Errorf("validation: %+v", dvs)
	}
	if idx, _ := f.GetSheetIndex("Hướng dẫn"); idx < 0 {
		t.Error("no instructions sheet")
	}
	// fill it in as an officer would: numbers, a number as text, a formula with its value, a blank
	if err := f.SetCellValue(TemplateSheet, "D7", 1800); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue(TemplateSheet, "D8", "1.750"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue(TemplateSheet, "D11", 125000); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellFormula(TemplateSheet, "D11", "=120000+5000"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue(TemplateSheet, "D12", 90000); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	p := parseOK(t, "bao-cao.xlsx", buf.Bytes())
	if p.Layout != "template" || p.Len() != 1 {
		t.Fatalf("layout %s, %d reports", p.Layout, p.Len())
	}
	r := p.Report(0)
	want := map[string]int64{"procedures_total": 1800, "procedures_online_full": 1750, "dossiers_received": 125000, "dossiers_received_online": 90000}
	if fmt.Sprint(r.Values()) != fmt.Sprint(want) || r.UnitCode() != "01" || r.Month() != data.NewMonth(2026, 10) {
		t.Errorf("report = %s %s %v", r.UnitCode(), r.Month(), r.Values())
	}
	if len(r.Missing()) != 12 {
		t.Errorf("missing %v", r.Missing())
	}
}

func TestWideLayoutTolerance(t *testing.T) {
	cases := []struct {
		name  string
		file  func(t *testing.T) (string, []byte)
		units map[string]map[string]int64 // unit|period → values
	}{
		{"title rows, STT, Vietnamese numbers, total row, notes", func(t *testing.T) (string, []byte) {
			return "tong-hop.xlsx", xlsx(t, "Tổng hợp", [][]any{
				{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"},
				{"ỦY BAN NHÂN DÂN"},
				{"BÁO CÁO THÁNG 10/2026"},
				{},
				{"STT", "Tỉnh, thành phố", "Kỳ báo cáo", "Số hồ sơ tiếp nhận", "Số hồ sơ tiếp nhận trực tuyến"},
				{1, "Thành phố Hà Nội", "10/2026", "3.451", "2.000"},
				{2, "Cao Bằng", "T10/2026", 1200, "1,100"},
				{},
				{nil, "Tổng cộng", nil, 4651, 3100},
				{nil, "Ghi chú: số liệu tạm tính"},
				{nil, "Người lập biểu", nil, nil, "Thủ trưởng đơn vị"},
			})
		}, map[string]map[string]int64{
			"01|2026-10": {"dossiers_received": 3451, "dossiers_received_online": 2000},
			"04|2026-10": {"dossiers_received": 1200, "dossiers_received_online": 1100},
		}},
		{"codes, headers without diacritics and in English, line breaks, numbers as text", func(t *testing.T) (string, []byte) {
			return "wide.xlsx", xlsx(t, "Sheet1", [][]any{
				{"Ma don vi", "THANG", "So ho so\ntiep nhan", "dossiers resolved", "Dossiers resolved on time (early or on time)"},
				{"79", "2026-09", " 10 ", "9", "8"},
				{"1", "2026-09", "20", "19", nil},
			})
		}, map[string]map[string]int64{
			"79|2026-09": {"dossiers_received": 10, "dossiers_resolved": 9, "dossiers_resolved_on_time": 8},
			"01|2026-09": {"dossiers_received": 20, "dossiers_resolved": 19},
		}},
		{"merged two-row header", func(t *testing.T) (string, []byte) {
			return "merged.xlsx", xlsx(t, "Sheet1", [][]any{
				{"Đơn vị", "Kỳ báo cáo", "Hồ sơ", nil},
				{nil, nil, "Số hồ sơ tiếp nhận", "Số hồ sơ được số hóa"},
				{"Bộ Tài chính", "2026-08", 500, 400},
			}, func(f *excelize.File) {
				if err := f.MergeCell("Sheet1", "A1", "A2"); err != nil {
					t.Fatal(err)
				}
				if err := f.MergeCell("Sheet1", "B1", "B2"); err != nil {
					t.Fatal(err)
				}
				if err := f.MergeCell("Sheet1", "C1", "D1"); err != nil {
					t.Fatal(err)
				}
			})
		}, map[string]map[string]int64{"BTC|2026-08": {"dossiers_received": 500, "dossiers_digitized": 400}}},
		{"formulas by their cached value", func(t *testing.T) (string, []byte) {
			return "formula.xlsx", xlsx(t, "Sheet1", [][]any{
				{"unit_code", "period", "docs_total", "docs_electronic"},
				{"01", "2026-07", 100, 90},
			}, func(f *excelize.File) {
				if err := f.SetCellFormula("Sheet1", "D2", "=C2*0.9"); err != nil {
					t.Fatal(err)
				}
			})
		}, map[string]map[string]int64{"01|2026-07": {"docs_total": 100, "docs_electronic": 90}}},
		{"CSV UTF-8 with BOM, semicolons", func(t *testing.T) (string, []byte) {
			return "bom.csv", []byte("\xef\xbb\xbfMã đơn vị;Kỳ báo cáo;Số lượt đánh giá;Số lượt đánh giá hài lòng\n01;Tháng 10/2026;1.000;950\n")
		}, map[string]map[string]int64{"01|2026-10": {"feedback_total": 1000, "feedback_satisfied": 950}}},
		{"CSV in Windows-1258, unit by name with Tỉnh", func(t *testing.T) (string, []byte) {
			text := "Đơn vị,Tháng,Tổng số văn bản đi,Số văn bản điện tử gửi, nhận qua Trục liên thông văn bản quốc gia\nTỉnh Tuyên Quang,2026-10,200,180\n"
			text = strings.Replace(text, "Số văn bản điện tử gửi, nhận qua Trục liên thông văn bản quốc gia", "docs_electronic", 1)
			return "cp1258.csv", cp1258(t, text)
		}, map[string]map[string]int64{"08|2026-10": {"docs_total": 200, "docs_electronic": 180}}},
		{"template rows as CSV", func(t *testing.T) (string, []byte) {
			return "template.csv", []byte("Mã đơn vị,79\nKỳ báo cáo,2026-10\n\nSTT,Mã chỉ tiêu,Chỉ tiêu,Giá trị\n1,procedures_total,x,2000\n2,procedures_online_full,x,1900\n")
		}, map[string]map[string]int64{"79|2026-10": {"procedures_total": 2000, "procedures_online_full": 1900}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name, b := c.file(t)
			p := parseOK(t, name, b)
			got := map[string]map[string]int64{}
			for _, r := range p.Reports() {
				got[r.UnitCode()+"|"+r.Month().String()] = r.Values()
			}
			if fmt.Sprint(got) != fmt.Sprint(c.units) {
				t.Errorf("got %v\nwant %v", got, c.units)
			}
		})
	}
}

func TestParseCount(t *testing.T) {
	good := map[string]int64{"3451": 3451, "3.451": 3451, "3,451": 3451, "1.234.567": 1234567, "1,234,567": 1234567, " 12 ": 12, "3451.0000000001": 3451, "1.5E3": 1500, "1,234.0": 1234, "0": 0, "12\u00a0000": 12000}
	for in, want := range good {
		v, empty, p := parseCount(in, "vi")
		if p != "" || empty || v != want {
			t.Errorf("parseCount(%q) = %d %v %q, want %d", in, v, empty, p, want)
		}
	}
	for in, says := range map[string]string{"12a": "không phải là số", "86,5": "không phải là số nguyên", "-5": "số âm", "86,5%": "tỷ lệ", "1.234,5": "không phải là số nguyên", "abc": "không phải là số"} {
		_, _, p := parseCount(in, "vi")
		if !strings.Contains(p, says) {
			t.Errorf("parseCount(%q) = %q, want it to say %q", in, p, says)
		}
	}
	if _, empty, _ := parseCount("", "vi"); !empty {
		t.Error("an empty cell is not empty")
	}
}

func zipBomb(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"} {
		w, _ := zw.Create(name)
		if _, err := w.Write([]byte(minimalParts[name])); err != nil {
			t.Fatal(err)
		}
	}
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	if _, err := w.Write([]byte(`<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)); err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("<!---->"), 1<<16)
	for written := 0; written < 300<<20; written += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Write([]byte(`</sheetData></worksheet>`)); err != nil {
		t.Fatal(err)
	}
	_ = zw.Close()
	return buf.Bytes()
}

var minimalParts = map[string]string{
	"[Content_Types].xml":        `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
	"_rels/.rels":                `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
	"xl/workbook.xml":            `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
	"xl/_rels/workbook.xml.rels": `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
}

func TestMalformedFiles(t *testing.T) {
	good := xlsx(t, "Sheet1", [][]any{{"unit_code", "period", "docs_total"}, {"01", "2026-10", 5}})
	ole := append(append([]byte{}, oleMagic...), bytes.Repeat([]byte{0}, 600)...)
	cases := []struct {
		name    string
		content []byte
		says    string
	}{
		{"empty.xlsx", nil, "rỗng"},
		{"truncated.xlsx", good[:len(good)/2], "Không đọc được"},
		{"old.xlsx", ole, "lưu lại dưới dạng .xlsx"},
		{"password.xlsx", ole, "mật khẩu"},
		{"notzip.xlsx", []byte("this is not a spreadsheet"), "không phải là tệp .xlsx"},
		{"bomb.xlsx", zipBomb(t), "Không đọc được"},
		{"wrong type.xlsx", xlsx(t, "Báo cáo", [][]any{{"unit_code", "period", "docs_total"}, {nil}, {nil}, {nil}, {nil}, {nil}, {nil}, {nil}, {"01", "2026-10", "12a"}}), `Báo cáo!C9: Tổng số văn bản đi: "12a" không phải là số`},
		{"unknown unit.csv", []byte("Mã đơn vị,Tháng,docs_total\n99,2026-10,5\n"), `dòng 2: Mã đơn vị "99" không tồn tại`},
		{"merged unit.csv", []byte("Mã đơn vị,Tháng,docs_total\n02,2026-10,5\n"), "hợp nhất vào 08"},
		{"no table.csv", []byte("hello,world\n1,2\n"), "Không tìm thấy bảng"},
		{"bad period.csv", []byte("unit,period,docs_total\n01,13/2026,5\n"), "không phải là kỳ báo cáo"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, probs := Parse(c.name, c.content, data.Reference(), "vi")
			var all []string
			for _, pr := range probs {
				all = append(all, pr.String())
			}
			if len(probs) == 0 || !strings.Contains(strings.Join(all, "\n"), c.says) {
				t.Errorf("problems %q, want one saying %q (parsed %v)", all, c.says, p)
			}
		})
	}
}

func TestLastRowOfTheSheet(t *testing.T) {
	b := xlsx(t, "Sheet1", [][]any{{"unit_code", "period", "docs_total"}, {"01", "2026-10", 5}}, func(f *excelize.File) {
		if err := f.SetCellValue("Sheet1", "A1048576", "01"); err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellValue("Sheet1", "B1048576", "2026-09"); err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellValue("Sheet1", "C1048576", 7); err != nil {
			t.Fatal(err)
		}
	})
	p := parseOK(t, "far.xlsx", b)
	if p.Len() != 2 || p.Report(1).Row() != 1048576 || p.Report(1).Values()["docs_total"] != 7 {
		t.Errorf("reports: %d", p.Len())
	}
}

// cp1258 encodes as Windows-1258 does: precomposed letters where the code page has them,
// tones as combining marks.
func cp1258(t *testing.T, s string) []byte {
	t.Helper()
	enc := charmap.Windows1258.NewEncoder()
	var out []byte
	for _, r := range s {
		if b, err := enc.String(string(r)); err == nil {
			out = append(out, b...)
			continue
		}
		d := []rune(norm.NFD.String(string(r)))
		base := string(d[0])
		rest := d[1:]
		if len(rest) > 1 {
			if b, err := enc.String(norm.NFC.String(string(d[:2]))); err == nil {
				base, rest = norm.NFC.String(string(d[:2])), d[2:]
				_ = b
			}
		}
		b, err := enc.String(base + string(rest))
		if err != nil {
			t.Fatalf("cannot encode %q", r)
		}
		out = append(out, b...)
	}
	return out
}

func TestReportHoldsEveryMeasure(t *testing.T) {
	if len(data.Measures) > maxMeasures {
		t.Fatalf("%d measures, a Report holds %d", len(data.Measures), maxMeasures)
	}
}

// rawXLSX is a workbook of one sheet, Sheet1, whose <sheetData> body body writes: for
// sheets excelize would not write, as an attacker would.
func rawXLSX(t testing.TB, body func(w io.Writer)) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"} {
		w, _ := zw.Create(name)
		if _, err := w.Write([]byte(minimalParts[name])); err != nil {
			t.Fatal(err)
		}
	}
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	bw := bufio.NewWriterSize(w, 1<<20)
	_, _ = bw.WriteString(`<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	body(bw)
	_, _ = bw.WriteString(`</sheetData></worksheet>`)
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSheetPastExcelLimits: a sheet past 1,048,576 rows or 16,384 columns is refused by
// name while its XML is scanned, before anything proportional to it is allocated (issue
// 16, #7: 40 million empty rows in a 351 KB file once cost 3.1 GB).
func TestSheetPastExcelLimits(t *testing.T) {
	manyRows := rawXLSX(t, func(w io.Writer) {
		row := bytes.Repeat([]byte("<row/>"), 1<<16)
		for n := 0; n < 40_000_000; n += 1 << 16 {
			if _, err := w.Write(row); err != nil {
				t.Fatal(err)
			}
		}
	})
	farCell := rawXLSX(t, func(w io.Writer) {
		_, _ = io.WriteString(w, `<row r="1"><c r="A1" t="inlineStr"><is><t>unit</t></is></c><c r="XFE1"><v>1</v></c></row>`)
	})
	wideRow := rawXLSX(t, func(w io.Writer) {
		_, _ = io.WriteString(w, "<row>"+strings.Repeat("<c><v>1</v></c>", MaxCols+1)+"</row>")
	})
	numbered := rawXLSX(t, func(w io.Writer) { _, _ = io.WriteString(w, `<row r="1048577"><c><v>1</v></c></row>`) })
	for _, c := range []struct {
		name    string
		content []byte
		says    string
	}{
		{"40M rows.xlsx", manyRows, `Trang tính "Sheet1" trong 40M rows.xlsx có hơn 1.048.576 dòng`},
		{"far cell.xlsx", farCell, `Trang tính "Sheet1" trong far cell.xlsx có dòng dài hơn 16.384 cột`},
		{"wide row.xlsx", wideRow, `dài hơn 16.384 cột`},
		{"numbered.xlsx", numbered, `hơn 1.048.576 dòng`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, probs := Parse(c.name, c.content, data.Reference(), "vi")
			runtime.ReadMemStats(&after)
			if len(probs) != 1 || !strings.Contains(probs[0].Message, c.says) || probs[0].Sheet != "Sheet1" {
				t.Errorf("problems %v, want one on Sheet1 saying %q", probs, c.says)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("refusing it allocated %d MB", alloc>>20)
			}
		})
	}
	if _, probs := Parse("40M rows.xlsx", manyRows, data.Reference(), "en"); len(probs) != 1 || !strings.Contains(probs[0].Message, `Sheet "Sheet1" in 40M rows.xlsx has more than 1,048,576 rows`) {
		t.Errorf("in English: %v", probs)
	}
	sizes, err := SheetSizes(xlsx(t, "Báo cáo", [][]any{{"unit_code", "period"}, {"01", nil, nil, 5}}))
	if s := sizes["Báo cáo"]; err != nil || s.Rows != 2 || s.MaxRow != 2 || s.MaxCol != 4 || s.Cells != 6 {
		t.Errorf("sizes %+v %v", sizes, err)
	}
}

// TestUTF16CSV: a CSV saved as UTF-16 (Excel's "Unicode Text") is told to be saved as
// UTF-8, not "no table found" (issue 16, #14).
func TestUTF16CSV(t *testing.T) {
	text := "unit,period,docs_total\n01,2026-10,5\n"
	le, be := []byte{0xFF, 0xFE}, []byte{0xFE, 0xFF}
	for _, r := range text {
		le = append(le, byte(r), 0)
		be = append(be, 0, byte(r))
	}
	for _, c := range []struct {
		lang    string
		content []byte
		says    string
	}{
		{"vi", le, "lưu lại dưới dạng CSV UTF-8"},
		{"vi", be, "mã UTF-16"},
		{"en", le, "save it as CSV UTF-8"},
	} {
		_, probs := Parse("bao-cao.csv", c.content, data.Reference(), c.lang)
		if len(probs) != 1 || !strings.Contains(probs[0].Message, c.says) {
			t.Errorf("%s: %v, want %q", c.lang, probs, c.says)
		}
	}
}

// TestTotalsSectionsAndNames: consolidated reports as offices make them (issue 20, #1):
// totals and subtotals by their label in any identifying column, totals without a label
// by their numbers, section headers, units by name when the code is empty, numbers with
// spaces; and the rows that are really wrong, each told where.
func TestTotalsSectionsAndNames(t *testing.T) {
	const head = "STT,Mã đơn vị,Tên đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận,Số hồ sơ tiếp nhận trực tuyến\n"
	ok := map[string]map[string]int64{
		"01|2026-10": {"dossiers_received": 3451, "dossiers_received_online": 2000},
		"79|2026-10": {"dossiers_received": 12000, "dossiers_received_online": 9000},
		"04|2026-10": {"dossiers_received": 1200, "dossiers_received_online": 1100},
	}
	cases := []struct {
		name string
		file func(t *testing.T) (string, []byte)
		want map[string]map[string]int64
		says []string // the problems, as printed
	}{
		{"total labelled in the name column, the code column empty", func(t *testing.T) (string, []byte) {
			return "tong-hop.xlsx", xlsx(t, "Tổng hợp", [][]any{
				{"BÁO CÁO TỔNG HỢP THÁNG 10/2026"},
				{"STT", "Mã đơn vị", "Tên đơn vị", "Số hồ sơ tiếp nhận", "Số hồ sơ tiếp nhận trực tuyến"},
				{1, "01", "Thành phố Hà Nội", 3451, 2000},
				{2, "79", "Thành phố Hồ Chí Minh", "12 000", "9\u00a0000"},
				{3, "04", "Cao Bằng", "1.200", "1.100"},
				{nil, nil, "Tổng cộng", 16651, 12100},
			})
		}, ok, nil},
		{"labels without diacritics, in the STT and the code column; Toàn tỉnh, Cả nước", func(t *testing.T) (string, []byte) {
			return "nhan.csv", []byte(head +
				"1,01,Hà Nội,2026-10,3451,2000\n" +
				"Cong,,,2026-10,3451,2000\n" +
				"2,79,TP Hồ Chí Minh,2026-10,12 000,9 000\n" +
				",TONG SO,,,15451,11000\n" +
				"3,04,Cao Bằng,2026-10,1200,1100\n" +
				",,Toàn tỉnh,,1200,1100\n" +
				",,CẢ NƯỚC:,,16651,12100\n")
		}, ok, nil},
		{"section headers and subtotals, units by name with the code empty", func(t *testing.T) (string, []byte) {
			return "muc.csv", []byte(head +
				"I,,Các thành phố trực thuộc Trung ương,,,\n" +
				"1,,Thành phố Hà Nội,2026-10,3.451,2.000\n" +
				"2,,Thành phố Hồ Chí Minh,2026-10,12.000,9.000\n" +
				",,Cộng (I),,15451,11000\n" +
				",,II. Các tỉnh,,,\n" +
				"3,,Cao Bằng,2026-10,1200,1100\n" +
				",,Cộng:,,1200,1100\n")
		}, ok, nil},
		{"totals without a label, by their numbers; a section header carrying its sum", func(t *testing.T) (string, []byte) {
			return "so.csv", []byte(head +
				",,I. Các thành phố trực thuộc Trung ương,,15451,11000\n" +
				"1,01,Hà Nội,2026-10,3451,2000\n" +
				"2,79,Hồ Chí Minh,2026-10,12000,9000\n" +
				",,,,15451,11000\n" +
				"3,04,Cao Bằng,2026-10,1200,1100\n" +
				",,,,1200,1100\n" +
				",,,,16651,12100\n")
		}, ok, nil},
		{"a row without a unit that is no total is an error", func(t *testing.T) (string, []byte) {
			return "sai.csv", []byte(head +
				"1,01,Hà Nội,2026-10,3451,2000\n" +
				"2,,,2026-10,500,400\n" +
				"3,04,Cao Bằng,2026-10,1200,1100\n")
		}, nil, []string{"dòng 3: Dòng có số liệu nhưng không có mã hoặc tên đơn vị"}},
		{"a wrong code is not resolved by the name beside it; a bad number still told", func(t *testing.T) (string, []byte) {
			return "ma.csv", []byte(head +
				"1,99,Hà Nội,2026-10,3451,2000\n" +
				"2,04,Cao Bằng,2026-10,12a,1100\n" +
				",,Hà Nộii,2026-10,3451,2000\n")
		}, nil, []string{`dòng 2: Mã đơn vị "99" không tồn tại`, `dòng 3: Số hồ sơ tiếp nhận: "12a" không phải là số`, `dòng 4: Mã đơn vị "Hà Nộii" không tồn tại`}},
		{"a section header whose numbers are not its units' sum", func(t *testing.T) (string, []byte) {
			return "muc-sai.xlsx", xlsx(t, "Sheet1", [][]any{
				{"STT", "Mã đơn vị", "Tên đơn vị", "Kỳ báo cáo", "Số hồ sơ tiếp nhận"},
				{"I", nil, "Các thành phố trực thuộc Trung ương", nil, 999},
				{1, "01", "Hà Nội", "2026-10", 3451},
				{"II", nil, "Các tỉnh", nil, nil},
			})
		}, nil, []string{"Sheet1!B2: Dòng tiêu đề mục có số liệu nhưng không bằng tổng"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name, b := c.file(t)
			p, probs := Parse(name, b, data.Reference(), "vi")
			var all []string
			for _, pr := range probs {
				all = append(all, pr.String())
			}
			if len(all) != len(c.says) {
				t.Fatalf("problems %q, want %q", all, c.says)
			}
			for i, s := range c.says {
				if !strings.HasPrefix(all[i], s) {
					t.Errorf("problem %d: %q, want %q", i, all[i], s)
				}
			}
			if c.want == nil {
				return
			}
			got := map[string]map[string]int64{}
			for _, r := range p.Reports() {
				got[r.UnitCode()+"|"+r.Month().String()] = r.Values()
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("got %v\nwant %v", got, c.want)
			}
		})
	}
	for _, l := range []string{"Tổng cộng", "TONG CONG", "Cộng", "cong:", "Tổng số", "Toàn tỉnh", "Cả nước", "II. Cộng", "Cộng (I+II)", "Total", "Tổng cộng toàn tỉnh"} {
		if !isTotalLabel(l) {
			t.Errorf("%q is a total", l)
		}
	}
	for _, l := range []string{"Cộng hòa xã hội chủ nghĩa Việt Nam", "Tổng cục Thuế", "Hà Nội", "Ghi chú"} {
		if isTotalLabel(l) {
			t.Errorf("%q is not a total", l)
		}
	}
}
