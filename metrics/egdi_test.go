package metrics

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
)

// surveyStore imports the real survey files of testdata/egdi (copied from the UN
// datasets: blanks, ranks written 136.0, float noise) through the ingest path.
func surveyStore(t *testing.T, files ...string) *data.Store {
	t.Helper()
	ctx := context.Background()
	store, err := data.Open(ctx, filepath.Join(t.TempDir(), "s.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	in := &ingest.Ingester{Store: store}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "egdi", f))
		if err != nil {
			t.Fatal(err)
		}
		res, err := in.Ingest(ctx, ingest.Request{Name: f, Content: b, Actor: "committee1", Source: "test", Benchmarks: true})
		if err != nil || !res.Accepted {
			t.Fatalf("%s: %v %v", f, err, res.Errors)
		}
	}
	return store
}

func TestEGDIEveryFixtureYear(t *testing.T) {
	store := surveyStore(t, "egdi-2010.csv", "egdi-2012.xlsx", "egdi-2014.csv", "egdi-2016.xlsx", "egdi-2018.csv")
	years, _ := store.EGDIYears(context.Background())
	if fmt.Sprint(years) != "[2010 2012 2014 2016 2018]" {
		t.Fatalf("years %v", years)
	}
	for _, y := range years {
		r, err := EGDI(context.Background(), store, y, "", "VNM")
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Rows) != 193 {
			t.Errorf("%d: %d countries", y, len(r.Rows))
		}
		switch y {
		case 2014, 2016, 2018:
			for _, row := range r.Rows {
				if row.Rank == nil || row.PublishedRank == nil || *row.Rank != *row.PublishedRank {
					t.Errorf("%d %s: computed rank %v, published %v", y, row.Code, ptr(row.Rank), ptr(row.PublishedRank))
				}
			}
			if r.Differ != 0 {
				t.Errorf("%d: %d rows flagged", y, r.Differ)
			}
		default:
			if r.Differ == 0 {
				t.Errorf("%d: the published differences are not flagged", y)
			}
		}
		t.Logf("%d: precision %d, %d flagged, Viet Nam %d of 193, %d of %d in %s", y, r.Precision, r.Differ, ptr(r.Focus.Rank), ptr(r.Focus.SubregionRank), r.Focus.SubregionSize, r.Focus.Subregion)
	}
	r, _ := EGDI(context.Background(), store, 2018, "South-eastern Asia", "VNM")
	if len(r.Rows) != 11 || r.Focus.SubregionSize != 11 || ptr(r.Focus.Rank) != 88 {
		t.Errorf("2018 South-eastern Asia: %d rows, Viet Nam %d", len(r.Rows), ptr(r.Focus.Rank))
	}
	var names []string
	for _, row := range r.Rows {
		names = append(names, row.Country)
	}
	if !strings.Contains(strings.Join(names, ","), "Lao People's Democratic Republic") {
		t.Errorf("sub-region: %v", names)
	}
	g := r.Focus.Gaps[0]
	if g.TargetRank != 50 || g.Points == nil || *g.Points <= 0 || g.Fastest == "" {
		t.Errorf("gap to 50: %+v", g)
	}
	if _, err := EGDI(context.Background(), store, 2018, "Atlantis", ""); err == nil {
		t.Error("an unknown region gave rows")
	}
	if _, err := EGDI(context.Background(), store, 2020, "", ""); err == nil {
		t.Error("a year not imported gave rows")
	}
}

func TestEGDIRenamedCountryMatches(t *testing.T) {
	dir := t.TempDir()
	// no codes, names as the UN writes them now, the year in a column, noisy values
	csv := "Survey Year,Country Name,E-Government Rank,E-Government Development Index,Online Service Index,Human Capital Index,Telecommunication Infrastructure Index\n" +
		"2020,Türkiye ,53.0,0.7112,0.8889,0.8148,0.4298\n" +
		"2020,North Macedonia,79,0.6312,0.7153,0.6924,0.4859000000000001\n" +
		"2020,Czechia,54,0.7084,0.6528,0.8752,0.5971\n"
	if err := os.WriteFile(filepath.Join(dir, "un-2020.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	imps, probs, ok := ingest.ParseEGDI("un-2020.csv", []byte(csv), "vi")
	if !ok || len(probs) > 0 || len(imps) != 1 || imps[0].Year != 2020 {
		t.Fatalf("parse: %v %v %v", ok, probs, imps)
	}
	codes := map[string]bool{}
	for _, r := range imps[0].Rows {
		codes[r.ISO3] = true
	}
	if !codes["TUR"] || !codes["MKD"] || !codes["CZE"] {
		t.Errorf("matched %v", codes)
	}
	_, probs, _ = ingest.ParseEGDI("x-2020.csv", []byte("country,egdi\nAtlantis,0.5\n"), "vi")
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "Atlantis") {
		t.Errorf("unknown country: %v", probs)
	}
}

func ptr(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

// TestEGDINamesByEdition: each edition shows a country under the name it published, the
// same country across editions by its code, with the current M49 name beside it; a
// former name in an edition after the UN replaced it gives way to the current one; the
// UN's own CSV for 2022–2024 is read as it is, its ranks kept and the computed ones
// beside them (issue 20 #2, #4).
func TestEGDINamesByEdition(t *testing.T) {
	store := surveyStore(t, "egdi-2018.csv", "un-egov-data-sample-2022-2024.csv")
	ctx := context.Background()
	turkey := "Survey Year,Country Name,E-Government Rank,E-Government Index,Online Service Index,Human Capital Index,Telecommunication Infrastructure Index\n" +
		"2020,Turkey,53,0.7112,0.8889,0.8148,0.4298\n2020,The former Yugoslav Republic of Macedonia,79,0.6312,0.7153,0.6924,0.4859\n"
	imps, probs, _ := ingest.ParseEGDI("copy-2020.csv", []byte(turkey), "vi")
	if len(probs) > 0 || len(imps) != 1 {
		t.Fatalf("%v %v", imps, probs)
	}
	imps[0].Year = 2022 // the same names in a copy of the 2022 edition
	if _, err := store.ImportEGDI(ctx, imps[0], "copy"); err != nil {
		t.Fatal(err)
	}
	years, _ := store.EGDIYears(ctx)
	if fmt.Sprint(years) != "[2018 2022 2024]" {
		t.Fatalf("years %v", years)
	}
	names := func(year int) map[string][2]string {
		r, err := EGDI(ctx, store, year, "", "VNM")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][2]string{}
		for _, row := range r.Rows {
			out[row.Code] = [2]string{row.Country, row.Name}
		}
		return out
	}
	for _, c := range []struct {
		year     int
		code     string
		shown, m string
	}{
		{2018, "MKD", "The former Yugoslav Republic of Macedonia", "North Macedonia"},
		{2018, "TUR", "Turkey", "Türkiye"},
		{2018, "GEO", "Georgia (Country)", "Georgia"},
		{2022, "TUR", "Türkiye", "Türkiye"},
		{2022, "MKD", "North Macedonia", "North Macedonia"},
		{2024, "TUR", "Türkiye", "Türkiye"},
		{2024, "MKD", "North Macedonia", "North Macedonia"},
		{2024, "VNM", "Viet Nam", "Viet Nam"},
	} {
		if got := names(c.year)[c.code]; got != [2]string{c.shown, c.m} {
			t.Errorf("%d %s: shown as %q (M49 %q), want %q (%q)", c.year, c.code, got[0], got[1], c.shown, c.m)
		}
	}
	// the UN's CSV: the published ranks kept (in the world), the computed ones among the
	// countries the file holds beside them, the difference flagged; the index as computed
	r, err := EGDI(ctx, store, 2024, "", "VNM")
	if err != nil {
		t.Fatal(err)
	}
	if r.Precision != 5 || len(r.Rows) != 14 {
		t.Errorf("2024: precision %d, %d countries", r.Precision, len(r.Rows))
	}
	for _, row := range r.Rows {
		if row.Code == "VNM" && (ptr(row.PublishedRank) != 71 || ptr(row.Rank) != 8 || !row.Differs || *row.EGDI != *row.PublishedEGDI) {
			t.Errorf("Viet Nam 2024: published rank %d, computed %d, differs %v, EGDI %v/%v", ptr(row.PublishedRank), ptr(row.Rank), row.Differs, *row.EGDI, *row.PublishedEGDI)
		}
	}
	if r.Focus == nil || r.Focus.Subregion != "South-eastern Asia" || r.Focus.SubregionSize != 5 || ptr(r.Focus.SubregionRank) != 3 {
		t.Errorf("Viet Nam's sub-region from M49: %+v", r.Focus)
	}
}
