package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInternationalBenchmark(t *testing.T) {
	s := startServer(t, true) // the demo imports the UN surveys 2010–2018
	var r struct {
		Year int
		Rows []map[string]any
		Viet struct {
			Rank int `json:"rank"`
		} `json:"viet_nam"`
	}
	s.getJSON(t, "/api/v1/benchmarks/egdi?year=2018&region=South-eastern%20Asia", 200, &r)
	if r.Year != 2018 || len(r.Rows) != 11 || r.Viet.Rank != 88 {
		t.Fatalf("2018 South-eastern Asia: %d rows, Viet Nam %d", len(r.Rows), r.Viet.Rank)
	}
	for _, k := range []string{"country", "code", "region", "subregion", "egdi", "rank", "published_egdi", "published_rank", "osi", "hci", "tii", "epi"} {
		if _, ok := r.Rows[0][k]; !ok {
			t.Errorf("row lacks %q", k)
		}
	}
	// an officer may not import the survey; the committee may
	b, _ := os.ReadFile("../../testdata/egdi/egdi-2016.xlsx")
	if code, _ := s.upload(t, "officer01", "", "egdi-2016.xlsx", b); code != 403 {
		t.Errorf("officer survey import: %d", code)
	}
	code, res := s.upload(t, "committee1", "", "egdi-2016.xlsx", b)
	if code != 201 || res["surveys"] == nil {
		t.Errorf("committee survey import: %d %v", code, res)
	}
	code, page := s.do(t, "GET", "/benchmark?year=2018", "analyst1", nil)
	if code != 200 || !bytes.Contains(page, []byte("Lào")) || !bytes.Contains(page, []byte("88")) {
		t.Errorf("benchmark page: %d", code)
	}
}

func TestNationalIndexImport(t *testing.T) {
	s := startServer(t, true)
	// a DTI-style sheet: title rows, the year in the title, names written several ways,
	// a province that no longer exists (Hà Giang in 2024), pillars, a published rank
	b := xlsxRows(t, [][]any{
		{"BỘ THÔNG TIN VÀ TRUYỀN THÔNG"},
		{"KẾT QUẢ CHỈ SỐ CHUYỂN ĐỔI SỐ CẤP TỈNH NĂM 2024"},
		{},
		{"STT", "Tỉnh, thành phố", "Chính quyền số", "Kinh tế số", "Xã hội số", "Chỉ số DTI", "Xếp hạng"},
		{1, "TP. Hà Nội", 0.71, 0.65, 0.6, 0.6543, 2},
		{2, "Thanh pho Ho Chi Minh", 0.75, 0.7, 0.66, "0,7012", 1},
		{3, "Tỉnh Hà Giang", 0.4, 0.3, 0.35, 0.3811, 60},
		{4, "Cao Bang", 0.4, 0.3, 0.35, 0.3811, 60},
	})
	code, r := s.upload(t, "committee1", "", "ket-qua.xlsx", b)
	if code != 201 {
		t.Fatalf("DTI import: %d %v", code, r)
	}
	var res struct {
		Name string
		Year int
		Rows []struct {
			UnitCode      string `json:"unit_code"`
			Rank          int
			PublishedRank *int `json:"published_rank"`
			Pillars       map[string]float64
		}
	}
	s.getJSON(t, "/api/v1/indices/dti?year=2024", 200, &res)
	if res.Year != 2024 || len(res.Rows) != 4 || res.Rows[0].UnitCode != "79" || res.Rows[1].UnitCode != "01" || res.Rows[2].Rank != 3 || res.Rows[3].Rank != 3 {
		t.Fatalf("DTI 2024: %+v", res)
	}
	if res.Rows[0].Pillars["Chính quyền số"] != 0.75 || *res.Rows[0].PublishedRank != 1 {
		t.Errorf("pillars and published rank: %+v", res.Rows[0])
	}
	_, page := s.do(t, "GET", "/units/01", "analyst1", nil)
	if !bytes.Contains(page, []byte(`id="indices"`)) || !bytes.Contains(page, []byte("0,6543")) {
		t.Error("the unit profile does not show the DTI")
	}
	if code, _ := s.upload(t, "officer01", "", "dti-2024.xlsx", b); code != 403 {
		t.Errorf("an officer imported a national index: %d", code)
	}
}

// The CLI says what it read as what when a file is taken for the UN survey, as the
// upload's receipt does.
func TestIngestCommandNamesTheSurveyColumns(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.duckdb")
	code, stdout, stderr := command(t, "ingest", "--db", db, "--lang", "en", filepath.Join("..", "..", "testdata", "egdi", "un-egov-data-sample-2022-2024.csv"))
	if code != 0 || !strings.Contains(stdout, `egdi ← "E-Government Index"`) || !strings.Contains(stdout, `name ← "Country Name"`) {
		t.Errorf("ingest: %d\n%s\n%s", code, stdout, stderr)
	}
}
