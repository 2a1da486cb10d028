package ingest

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
)

// TestFilesWrittenByLibreOffice reads the reports testdata/real/make.sh made once with
// LibreOffice Calc (issue 20): the consolidated report as XLSX and as ODS, and a report
// with sections and subtotals saved as ODS from a CSV.
func TestFilesWrittenByLibreOffice(t *testing.T) {
	oct := map[string]map[string]int64{
		"01|2026-10": {"dossiers_received": 185000, "dossiers_received_online": 160000, "dossiers_resolved": 178000, "procedures_total": 1850, "procedures_online_full": 1200},
		"31|2026-10": {"dossiers_received": 62000, "dossiers_received_online": 50000, "dossiers_resolved": 60000, "procedures_total": 1700, "procedures_online_full": 1100},
		"48|2026-10": {"dossiers_received": 41000, "dossiers_received_online": 38000, "dossiers_resolved": 40500, "procedures_total": 1650, "procedures_online_full": 1150},
		"79|2026-10": {"dossiers_received": 245310, "dossiers_received_online": 210004, "dossiers_resolved": 240118, "procedures_total": 1912, "procedures_online_full": 1305},
		"92|2026-10": {"dossiers_received": 30500, "dossiers_received_online": 26000, "dossiers_resolved": 30000, "procedures_total": 1600, "procedures_online_full": 1000},
		"04|2026-10": {"dossiers_received": 9800, "dossiers_received_online": 7000, "dossiers_resolved": 9700, "procedures_total": 1500, "procedures_online_full": 900},
	}
	sep := map[string]map[string]int64{
		"01|2026-09": {"dossiers_received": 180500, "dossiers_received_online": 155000, "dossiers_digitized": 170200},
		"79|2026-09": {"dossiers_received": 240000, "dossiers_received_online": 205000, "dossiers_digitized": 229000},
		"08|2026-09": {"dossiers_received": 12400, "dossiers_received_online": 9100, "dossiers_digitized": 11000},
		"04|2026-09": {"dossiers_received": 9500, "dossiers_received_online": 6800, "dossiers_digitized": 9000},
	}
	for _, c := range []struct {
		file string
		want map[string]map[string]int64
	}{
		{"bao-cao-tong-hop.xlsx", oct},
		{"bao-cao-tong-hop.ods", oct},
		{"bao-cao-theo-muc.ods", sep},
	} {
		t.Run(c.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "testdata", "real", c.file))
			if err != nil {
				t.Fatal(err)
			}
			p := parseOK(t, c.file, b)
			got := map[string]map[string]int64{}
			for _, r := range p.Reports() {
				got[r.UnitCode()+"|"+r.Month().String()] = r.Values()
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("got  %v\nwant %v", got, c.want)
			}
			if r := p.Report(0); r.Sheet() == "" || r.Row() < 5 {
				t.Errorf("first report at %q row %d", r.Sheet(), r.Row())
			}
		})
	}
}

// ods builds an OpenDocument spreadsheet whose office:spreadsheet body is body, as a
// hand or another tool may write it.
func ods(t testing.TB, body func(w io.Writer), extra ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	_, _ = io.WriteString(w, odsMime)
	for i := 0; i+1 < len(extra); i += 2 {
		w, _ := zw.Create(extra[i])
		_, _ = io.WriteString(w, extra[i+1])
	}
	w, _ = zw.Create("content.xml")
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>`)
	body(w)
	_, _ = io.WriteString(w, `</office:spreadsheet></office:body></office:document-content>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// odsRow is a row of string or float cells ("=5" is the number 5).
func odsRow(cells ...string) string {
	var b strings.Builder
	b.WriteString("<table:table-row>")
	for _, c := range cells {
		switch {
		case c == "":
			b.WriteString("<table:table-cell/>")
		case strings.HasPrefix(c, "="):
			fmt.Fprintf(&b, `<table:table-cell office:value-type="float" office:value="%s"><text:p>%s</text:p></table:table-cell>`, c[1:], c[1:])
		default:
			fmt.Fprintf(&b, `<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>`, c)
		}
	}
	b.WriteString("</table:table-row>")
	return b.String()
}

const odsHead = `<table:table-row><table:table-cell><text:p>Mã đơn vị</text:p></table:table-cell><table:table-cell><text:p>Kỳ báo cáo</text:p></table:table-cell><table:table-cell><text:p>Tổng số<text:line-break/>văn bản đi</text:p><office:annotation><text:p>Tổng cộng 99</text:p></office:annotation></table:table-cell></table:table-row>`

// TestODS: what LibreOffice and other tools write in content.xml — repeated rows and
// cells, row groups, merged cells, spaces as <text:s/>, comments — read as XLSX is, and
// the runs that would be huge if built refused or counted, never allocated.
func TestODS(t *testing.T) {
	table := func(name string, rows ...string) string {
		return `<table:table table:name="` + name + `"><table:table-column table:number-columns-repeated="1024"/>` + strings.Join(rows, "") + `</table:table>`
	}
	libreEnd := `<table:table-row table:number-rows-repeated="1048572"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>`
	cases := []struct {
		name  string
		body  string
		extra []string
		want  string // the reports, or the problem
	}{
		{"LibreOffice's padding: a last empty row repeated to the sheet's end, empty cells to XFD",
			table("Sheet1", odsHead,
				`<table:table-row><table:table-cell><text:p>01</text:p></table:table-cell><table:table-cell><text:p>2026-10</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="1234"><text:p>1.234</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16381"/></table:table-row>`,
				odsRow("79", "2026-10", "1<text:s/>200"),
				libreEnd),
			nil, "01 2026-10 docs_total=1234 row 2; 79 2026-10 docs_total=1200 row 3"},
		{"row groups, header rows, a repeated row of values across the header zone",
			table("Sheet1", `<table:table-header-rows>`+odsHead+`</table:table-header-rows><table:table-row-group>`,
				`<table:table-row table:number-rows-repeated="45"><table:table-cell><text:p>Ghi chú</text:p></table:table-cell></table:table-row>`,
				`</table:table-row-group>`, odsRow("01", "2026-10", "=7")),
			nil, "01 2026-10 docs_total=7 row 47"},
		{"the second sheet, after a sheet without a table",
			table("Bìa", odsRow("Báo cáo tháng"), libreEnd) + table("Số liệu", odsHead, odsRow("01", "2026-09", "=5"), libreEnd),
			nil, "01 2026-09 docs_total=5 row 2"},
		{"a merged two-row header",
			table("Sheet1",
				`<table:table-row><table:table-cell table:number-rows-spanned="2"><text:p>Đơn vị</text:p></table:table-cell><table:table-cell table:number-rows-spanned="2"><text:p>Tháng</text:p></table:table-cell><table:table-cell table:number-columns-spanned="2"><text:p>Văn bản</text:p></table:table-cell><table:covered-table-cell/></table:table-row>`,
				`<table:table-row><table:covered-table-cell table:number-columns-repeated="2"/>`+
					`<table:table-cell><text:p>Tổng số văn bản đi</text:p></table:table-cell><table:table-cell><text:p>docs_electronic</text:p></table:table-cell></table:table-row>`,
				odsRow("Hà Nội", "10/2026", "=10", "=9")),
			nil, "01 2026-10 docs_electronic=9 docs_total=10 row 3"},
		{"rows past 1,048,576", table("Sheet1", odsHead, `<table:table-row table:number-rows-repeated="40000000"><table:table-cell/></table:table-row>`),
			nil, `Trang tính "Sheet1" trong f.ods có hơn 1.048.576 dòng`},
		{"a run of cells past XFD", table("Dữ liệu", `<table:table-row><table:table-cell table:number-columns-repeated="16385"><text:p>x</text:p></table:table-cell></table:table-row>`),
			nil, `Trang tính "Dữ liệu" trong f.ods có dòng dài hơn 16.384 cột`},
		{"a value after 16,384 empty cells", table("Sheet1", `<table:table-row><table:table-cell table:number-columns-repeated="16384"/><table:table-cell><text:p>x</text:p></table:table-cell></table:table-row>`),
			nil, `có dòng dài hơn 16.384 cột`},
		{"a password", table("Sheet1", odsHead), []string{"META-INF/manifest.xml", `<manifest:manifest><manifest:file-entry><manifest:encryption-data/></manifest:file-entry></manifest:manifest>`},
			"f.ods đã đặt mật khẩu"},
		{"cut short", `<table:table table:name="Sheet1">` + odsHead, nil, "Không đọc được tệp f.ods"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := ods(t, func(w io.Writer) { _, _ = io.WriteString(w, c.body) }, c.extra...)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			p, probs := Parse("f.ods", b, data.Reference(), "vi")
			runtime.ReadMemStats(&after)
			var got []string
			for _, pr := range probs {
				got = append(got, pr.String())
			}
			if p != nil {
				for _, r := range p.Reports() {
					v := fmt.Sprint(r.Values())
					v = strings.NewReplacer("map[", "", "]", "", ":", "=").Replace(v)
					got = append(got, fmt.Sprintf("%s %s %s row %d", r.UnitCode(), r.Month(), v, r.Row()))
				}
			}
			if s := strings.Join(got, "; "); !strings.Contains(s, c.want) {
				t.Errorf("got %q\nwant %q", s, c.want)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
				t.Errorf("reading it allocated %d MB", alloc>>20)
			}
		})
	}
	if _, probs := Parse("f.ods", []byte("not a spreadsheet"), data.Reference(), "en"); len(probs) != 1 || !strings.Contains(probs[0].Message, "not a valid .ods file") {
		t.Errorf("not a zip: %v", probs)
	}
}

// TestODSContentCapped: content.xml is read through a cap that fails, not one that ends
// quietly and leaves a truncated sheet looking whole.
func TestODSContentCapped(t *testing.T) {
	r := &cappedReader{r: strings.NewReader(strings.Repeat("x", 100)), left: 64}
	b, err := io.ReadAll(r)
	if len(b) != 64 || !errors.Is(err, errODSTooLarge) {
		t.Errorf("read %d bytes, %v", len(b), err)
	}
}

// TestODSAsXLSX: an OpenDocument spreadsheet written again as a workbook reads the same,
// cell for cell (problems found in it are marked there), numbers as numbers, merged
// headers kept; a sheet past the bounds is refused.
func TestODSAsXLSX(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "real", "bao-cao-tong-hop.ods"))
	if err != nil {
		t.Fatal(err)
	}
	x, err := ODSAsXLSX(b, 1000, 10000)
	if err != nil {
		t.Fatal(err)
	}
	want := parseOK(t, "a.ods", b)
	got := parseOK(t, "a.xlsx", x)
	if got.Len() != want.Len() || got.Len() != 6 {
		t.Fatalf("%d reports, want %d", got.Len(), want.Len())
	}
	for i := range got.Len() {
		g, w := got.Report(i), want.Report(i)
		if g.Sheet() != w.Sheet() || g.Row() != w.Row() || fmt.Sprint(g.Values()) != fmt.Sprint(w.Values()) || g.Cell("dossiers_received") != w.Cell("dossiers_received") {
			t.Errorf("report %d: %s %d %v, want %s %d %v", i, g.Sheet(), g.Row(), g.Values(), w.Sheet(), w.Row(), w.Values())
		}
	}
	sizes, err := SheetSizes(x)
	if err != nil || sizes["Tổng hợp"].MaxRow != 16 || sizes["Tổng hợp"].MaxCol != 8 {
		t.Errorf("sizes %+v %v", sizes, err)
	}
	wb, err := excelize.OpenReader(bytes.NewReader(x))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = wb.Close() }()
	merged, _ := wb.GetMergeCells("Tổng hợp")
	if len(merged) != 7 || merged[0].GetStartAxis() != "A2" || merged[0].GetEndAxis() != "H2" {
		t.Errorf("merged cells %v", merged)
	}
	if typ, _ := wb.GetCellType("Tổng hợp", "D7"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("D7 is %v, not a number", typ)
	}
	if v, _ := wb.GetCellValue("Tổng hợp", "D10"); v != "245.310" {
		t.Errorf("text pasted in D10 came back as %q", v)
	}
	if _, err := ODSAsXLSX(b, 10, 10000); err == nil {
		t.Error("16 rows written within a bound of 10")
	}
	if _, err := ODSAsXLSX(b, 1000, 50); err == nil {
		t.Error("over 50 cells written within a bound of 50")
	}
}
