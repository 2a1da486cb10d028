package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
	"github.com/egovkpi/egovkpi/metrics"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func demoStore(t testing.TB, reg *data.Registry, through data.Month) (*data.Store, *metrics.Engine) {
	t.Helper()
	ctx := context.Background()
	store, err := data.Open(ctx, filepath.Join(t.TempDir(), "r.duckdb"), data.Options{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	if _, err := (ingest.Demo{Seed: 1, Through: through}).Load(ctx, store.Units(), store); err != nil {
		t.Fatal(err)
	}
	defs, _ := metrics.DefaultDefs()
	return store, metrics.NewEngine(store, defs)
}

var fixed = time.Date(2026, 11, 12, 9, 30, 0, 0, time.UTC)

func monthly(t testing.TB, eng *metrics.Engine, period string, g data.Group, lang string) *excelize.File {
	t.Helper()
	p, _ := data.ParsePeriod(period)
	b, err := Monthly(context.Background(), eng, Options{Period: p, Group: g, Lang: lang, Author: "analyst1", DataChanged: fixed, Now: fixed})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func TestMonthlyWorkbook(t *testing.T) {
	_, eng := demoStore(t, data.Reference(), data.NewMonth(2026, 10))
	f := monthly(t, eng, "2026-10", data.Provinces, "vi")
	want := []string{"Tổng hợp", "level4_share", "online_dossier_rate", "on_time_rate", "digitization_rate", "online_payment_rate", "satisfaction_rate", "publication_rate", "edoc_ratio", "Đầy đủ báo cáo", "Mức độ trưởng thành", "Chú thích"}
	if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("sheets %v", got)
	}
	// values equal the API's for the same query
	r, _ := eng.Rankings(context.Background(), metrics.RankingQuery{Indicator: "online_dossier_rate", Period: data.MonthPeriod(data.NewMonth(2026, 10)), Group: data.Provinces})
	for i, row := range r.Rows[:5] {
		n := 4 + i
		code, _ := f.GetCellValue("online_dossier_rate", fmt.Sprintf("B%d", n))
		num, _ := f.GetCellValue("online_dossier_rate", fmt.Sprintf("D%d", n), excelize.Options{RawCellValue: true})
		val, _ := f.GetCellValue("online_dossier_rate", fmt.Sprintf("F%d", n), excelize.Options{RawCellValue: true})
		shown, _ := f.GetCellValue("online_dossier_rate", fmt.Sprintf("F%d", n))
		fv, _ := strconv.ParseFloat(val, 64)
		if code != row.UnitCode || num != fmt.Sprint(*row.Numerator) || math.Abs(fv-*row.Value/100) > 1e-9 {
			t.Errorf("row %d: %s %s %s, API %s %d %v", i, code, num, val, row.UnitCode, *row.Numerator, *row.Value/100)
		}
		if !strings.HasSuffix(shown, "%") {
			t.Errorf("value shown as %q, not a percentage", shown)
		}
		typ, _ := f.GetCellType("online_dossier_rate", fmt.Sprintf("F%d", n))
		if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("value cell type %v", typ)
		}
	}
	// the chart is a real chart part, and the summary's totals are numbers
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	zr, _ := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	hasChart := false
	for _, z := range zr.File {
		hasChart = hasChart || strings.HasPrefix(z.Name, "xl/charts/chart")
	}
	if !hasChart {
		t.Error("no chart part")
	}
	panes, _ := f.GetPanes("Tổng hợp")
	if !panes.Freeze || panes.YSplit != 3 {
		t.Errorf("panes %+v", panes)
	}
	pl, _ := f.GetPageLayout("edoc_ratio")
	if pl.Orientation == nil || *pl.Orientation != "landscape" {
		t.Error("not landscape")
	}
	props, _ := f.GetDocProps()
	if props.Creator != "analyst1" || !strings.Contains(props.Title, "2026-10") {
		t.Errorf("doc props %+v", props)
	}
	en := monthly(t, eng, "2026-10", data.Ministries, "en")
	if en.GetSheetList()[0] != "Summary" {
		t.Errorf("English sheets %v", en.GetSheetList())
	}
	if v, _ := en.GetCellValue("Summary", "D4"); v == "" || strings.HasPrefix(v, "Bộ") {
		t.Errorf("English unit name %q", v)
	}
}

func TestFormulaTextStaysText(t *testing.T) {
	evil := `=HYPERLINK("http://x","y")`
	var units []data.Unit
	for _, u := range data.Reference().All() {
		if u.Code == "01" && u.ValidTo.IsZero() {
			u.NameVI, u.NameEN = evil, evil
		}
		units = append(units, u)
	}
	reg, err := data.NewRegistry(units)
	if err != nil {
		t.Fatal(err)
	}
	store, eng := demoStore(t, reg, data.NewMonth(2026, 2))
	f := monthly(t, eng, "2026-02", data.Provinces, "vi")
	rows, _ := f.GetRows("edoc_ratio")
	found := false
	for i, r := range rows {
		if len(r) > 2 && r[2] == evil {
			found = true
			c := fmt.Sprintf("C%d", i+1)
			if fm, _ := f.GetCellFormula("edoc_ratio", c); fm != "" {
				t.Errorf("%s became the formula %q", c, fm)
			}
		}
	}
	if !found {
		t.Error("the unit's name is missing")
	}
	if CSVText(evil) != "'"+evil || CSVText("Hà Nội") != "Hà Nội" || CSVText("-5") != "'-5" {
		t.Error("CSV guard")
	}
	var out bytes.Buffer
	if _, err := Raw(context.Background(), store, data.NewMonth(2026, 1), data.NewMonth(2026, 1), false, "csv", &out, nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out.Bytes(), []byte("\xef\xbb\xbfunit_code,period,measure")) {
		t.Errorf("CSV start %q", out.String()[:40])
	}
}

// TestMonthlyGolden compares every cell of a small month's workbook with the golden
// dump (go test ./reports -run Golden -update rewrites it).
func TestMonthlyGolden(t *testing.T) {
	_, eng := demoStore(t, data.Reference(), data.NewMonth(2019, 3))
	f := monthly(t, eng, "2019-03", data.Ministries, "vi")
	var dump strings.Builder
	for _, sh := range f.GetSheetList() {
		rows, _ := f.GetRows(sh, excelize.Options{RawCellValue: true})
		for i, r := range rows {
			for j, v := range r {
				if v != "" {
					fmt.Fprintf(&dump, "%s!%s\t%s\n", sh, cell(j+1, i+1), v)
				}
			}
		}
	}
	path := filepath.Join("testdata", "golden", "monthly-2019-03-ministries.txt")
	if *update {
		if err := os.WriteFile(path, []byte(dump.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if dump.String() != string(want) {
		got := strings.Split(dump.String(), "\n")
		w := strings.Split(string(want), "\n")
		for i := range min(len(got), len(w)) {
			if got[i] != w[i] {
				t.Fatalf("first difference at line %d:\n got %s\nwant %s", i+1, got[i], w[i])
			}
		}
		t.Fatalf("%d lines, want %d", len(got), len(w))
	}
}

func TestTrendWorkbook(t *testing.T) {
	store, eng := demoStore(t, data.Reference(), data.NewMonth(2026, 10))
	b, err := Trend(context.Background(), eng, store.Units(), data.NewMonth(2026, 1), data.NewMonth(2026, 10), Options{Group: data.Provinces, Lang: "vi"})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := excelize.OpenReader(bytes.NewReader(b))
	if len(f.GetSheetList()) != 8 {
		t.Errorf("sheets %v", f.GetSheetList())
	}
	if v, _ := f.GetCellValue("level4_share", "L3"); v != "2026-10" {
		t.Errorf("L3 = %q", v)
	}
	if v, _ := f.GetCellValue("level4_share", "B38"); v != "Cả nước" {
		t.Errorf("B38 = %q", v)
	}
}
