package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// handMade766 is a file of metrics' hand-made 766 set with its units made real ones (P01 →
// 01, P02 → 79, M01 → BQP, M99 → BCA), so that the upload's checks pass.
func handMade766(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "metrics", "testdata", "index766", name))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{"P01": "01", "P02": "79", "M01": "BQP", "M99": "BCA"}
	for _, r := range recs[1:] {
		for i, h := range recs[0] {
			if v, ok := m[r[i]]; ok && h == "unit_code" {
				r[i] = v
			}
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestIndex766API: the hand-made records go up through the real server's upload (the
// catalogue only from the committee), and the index's API answers in issue 17's shape with
// the figures worked out by hand in metrics/index766_test.go; the composite ranks the
// provinces with the six groups.
func TestIndex766API(t *testing.T) {
	s := startServer(t, false)
	for _, up := range []struct{ file, user string }{{"procedures.csv", "officer01"}, {"procedures.csv", "committee1"},
		{"dossiers.csv", "committee1"}, {"feedback.csv", "committee1"}} {
		body, ct := multipartBody(up.file, handMade766(t, up.file))
		code, b := s.do(t, "POST", "/api/v1/submissions", up.user, body, "Content-Type", ct)
		want := 201
		if up.user == "officer01" {
			want = 403 // the catalogue is the committee's
		}
		if code != want {
			t.Fatalf("%s as %s: %d %s", up.file, up.user, code, b)
		}
	}
	code, raw := s.do(t, "GET", "/api/v1/units/01/index766?period=2026-09", "analyst1", nil)
	if code != 200 {
		t.Fatalf("unit index: %d %s", code, raw)
	}
	// exactly the keys
	var shape map[string]json.RawMessage
	if err := json.Unmarshal(raw, &shape); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range shape {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "groups,incomplete,indicators,period,previous_rank,rank,total,unit_code" {
		t.Errorf("keys %v", keys)
	}
	var got struct {
		UnitCode     string   `json:"unit_code"`
		Period       string   `json:"period"`
		Total        *float64 `json:"total"`
		Rank         *int     `json:"rank"`
		PreviousRank *int     `json:"previous_rank"`
		Incomplete   []string `json:"incomplete"`
		Groups       []struct {
			Code   string   `json:"code"`
			Points *float64 `json:"points"`
			Max    float64  `json:"max"`
		} `json:"groups"`
		Indicators []map[string]any `json:"indicators"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 5e-5 }
	// the hand-worked figures (metrics/index766_test.go): the groups and the total
	ckmb := 14.0/9 + 4.0/3 + 2.8 + 10.0/3
	groups := map[string]float64{"CKMB": ckmb, "TDGQ": 13.75, "ONLINE": 4 + 3 + 50.0/196/0.5*4, "TTTT": 2.0/3/0.8*5 + 4.0/6*5,
		"MDSH": 2.0/3*4.4 + 10.0/14/0.8*4.4 + 4.4 + 4.0/14*4.4 + 2.2, "MDHL": 5.0/6*4 + 16.0/7 + 4.0/3 + 3.75}
	total := 0.0
	for _, g := range got.Groups {
		if g.Points == nil || !near(*g.Points, groups[g.Code]) {
			t.Errorf("group %s: %v, want %.4f", g.Code, g.Points, groups[g.Code])
		}
		total += groups[g.Code]
	}
	if got.UnitCode != "01" || got.Period != "2026-09" || got.Total == nil || !near(*got.Total, total) || len(got.Groups) != 6 ||
		len(got.Incomplete) != 0 || got.Rank == nil || *got.Rank != 1 {
		t.Errorf("unit 01: %s", raw)
	}
	// indicators: rate and threshold in percent with 2 decimals; 3.3 with its sync rate
	byID := map[string]map[string]any{}
	for _, in := range got.Indicators {
		byID[in["id"].(string)] = in
	}
	for _, tc := range []struct {
		id   string
		want map[string]any
	}{
		{"2.1", map[string]any{"rate": 68.75, "numerator": 11.0, "denominator": 16.0, "threshold": nil, "points": 13.75, "max": 20.0, "to_full_points": 5.0, "no_data_reason": nil}},
		{"3.1", map[string]any{"rate": 80.0, "numerator": 4.0, "denominator": 5.0, "threshold": 80.0, "points": 4.0, "to_full_points": 0.0}},
		{"3.3", map[string]any{"rate": 25.51, "numerator": 5.0, "denominator": 14.0, "threshold": 50.0, "sync_rate": 71.43, "to_full_points": 5.0}},
		{"3.5", map[string]any{"rate": 66.67, "numerator": 2.0, "denominator": 3.0, "threshold": 80.0, "to_full_points": 1.0}},
		{"1.1", map[string]any{"rate": 33.33, "numerator": 1.0, "denominator": 3.0, "to_full_points": 2.0, "name_vi": "Tỷ lệ thủ tục hành chính được công bố đúng hạn"}},
	} {
		in := byID[tc.id]
		for k, v := range tc.want {
			if g, ok := in[k]; !ok || g != v {
				t.Errorf("%s.%s = %v, want %v", tc.id, k, in[k], v)
			}
		}
		if _, has := in["sync_rate"]; has != (tc.id == "3.3") {
			t.Errorf("%s: sync_rate present %v", tc.id, has)
		}
	}
	// M01 (BQP) has no fee records: TTTT left out, the total rescaled, the row marked
	code, raw = s.do(t, "GET", "/api/v1/units/BQP/index766?period=2026-09", "officer79", nil)
	if code != 200 || !bytes.Contains(raw, []byte(`"incomplete":["TTTT"]`)) || !bytes.Contains(raw, []byte(`"no_data_reason":"no_procedures_with_fee"`)) {
		t.Errorf("BQP: %d %s", code, raw)
	}
	// the composite: the provinces ranked, 01 first, the six groups
	var comp struct {
		Name string `json:"name"`
		Rows []struct {
			Rank     *int     `json:"rank"`
			UnitCode string   `json:"unit_code"`
			Total    *float64 `json:"total"`
			Groups   []struct {
				Code string `json:"code"`
			} `json:"groups"`
		} `json:"rows"`
	}
	getJSONAs(t, s, "/api/v1/composite?name=index766&period=2026-09&group=provinces", "analyst1", 200, &comp)
	if comp.Name != "index766" || len(comp.Rows) != 34 || comp.Rows[0].UnitCode != "01" || comp.Rows[0].Rank == nil || *comp.Rows[0].Rank != 1 ||
		comp.Rows[0].Total == nil || math.Abs(*comp.Rows[0].Total-total) > 0.005 || len(comp.Rows[0].Groups) != 6 || comp.Rows[0].Groups[3].Code != "TTTT" {
		t.Errorf("composite: %+v", comp)
	}
	// quarters and half-years too; bad periods and units are the client's
	for _, tc := range []struct {
		path string
		code int
	}{
		{"/api/v1/units/01/index766?period=2026-Q3", 200}, {"/api/v1/units/01/index766?period=2026-H2", 200},
		{"/api/v1/units/01/index766?period=2026", 200}, {"/api/v1/units/01/index766?period=2026-13", 400},
		{"/api/v1/units/99/index766?period=2026-09", 404}, {"/api/v1/composite?name=index766&period=2026-09&group=ministries", 200},
	} {
		if code, b := s.do(t, "GET", tc.path, "analyst1", nil); code != tc.code {
			t.Errorf("%s: %d %s", tc.path, code, b)
		}
	}
	if code, _ := s.do(t, "GET", "/api/v1/units/01/index766?period=2026-09", "", nil); code != 401 {
		t.Errorf("anonymous: %d", code)
	}
}
