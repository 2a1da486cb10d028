package metrics

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

type fixture struct {
	t     *testing.T
	store *data.Store
	eng   *Engine
}

func newFixture(t *testing.T, defs *Defs) *fixture {
	t.Helper()
	store, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "m.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	if defs == nil {
		if defs, err = DefaultDefs(); err != nil {
			t.Fatal(err)
		}
	}
	eng := NewEngine(store, defs)
	eng.now = func() time.Time { return time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC) }
	return &fixture{t: t, store: store, eng: eng}
}

func (f *fixture) put(unit, month string, at time.Time, vals map[string]int64) {
	f.t.Helper()
	m, err := data.ParseMonth(month)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.store.Submit(context.Background(), []data.Submission{{UnitCode: unit, Month: m, Source: "test", SubmittedAt: at, Values: vals}}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) rank(ind, period string, g data.Group, b Boundaries) *Ranking {
	f.t.Helper()
	p, err := data.ParsePeriod(period)
	if err != nil {
		f.t.Fatal(err)
	}
	r, err := f.eng.Rankings(context.Background(), RankingQuery{Indicator: ind, Period: p, Group: g, Boundaries: b})
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func row(t *testing.T, r *Ranking, code string) Row {
	t.Helper()
	for _, x := range r.Rows {
		if x.UnitCode == code {
			return x
		}
	}
	t.Fatalf("no row for %s", code)
	return Row{}
}

func val(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

func rk(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

var when = time.Date(2026, 11, 5, 3, 0, 0, 0, time.UTC)

func TestRollUpSumsNeverAveragesRates(t *testing.T) {
	f := newFixture(t, nil)
	f.put("01", "2026-01", when, map[string]int64{"dossiers_resolved": 10, "dossiers_resolved_on_time": 9})  // 90%
	f.put("01", "2026-02", when, map[string]int64{"dossiers_resolved": 90, "dossiers_resolved_on_time": 45}) // 50%
	f.put("04", "2026-01", when, map[string]int64{"dossiers_resolved": 100, "dossiers_resolved_on_time": 100})
	r := f.rank("on_time_rate", "2026-Q1", data.Provinces, Current)
	hn := row(t, r, "01")
	// (9 + 45) / (10 + 90) = 54%, where the mean of the rates would say 70%
	if val(hn.Value) != 54 || *hn.Numerator != 54 || *hn.Denominator != 100 {
		t.Errorf("Hà Nội Q1 = %v (%d/%d), want 54", val(hn.Value), *hn.Numerator, *hn.Denominator)
	}
	// national: (54 + 100) / (100 + 100) = 77%
	if val(r.National.Value) != 77 || r.National.Numerator != 154 || r.National.Denominator != 200 {
		t.Errorf("national = %+v, want 77%% of 154/200", r.National)
	}
	ytd := f.rank("on_time_rate", "2026-02-YTD", data.Provinces, Current)
	if val(row(t, ytd, "01").Value) != 54 {
		t.Errorf("YTD = %v", val(row(t, ytd, "01").Value))
	}
}

func TestRanksTiesAfterRoundingAndNulls(t *testing.T) {
	f := newFixture(t, nil)
	put := func(u string, num, den int64) {
		f.put(u, "2026-10", when, map[string]int64{"docs_electronic": num, "docs_total": den})
	}
	put("01", 6, 10)
	put("04", 5, 10)
	put("08", 50004, 100000) // 50.004 → 50.00
	put("11", 49996, 100000) // 49.996 → 50.00
	put("12", 4, 10)
	put("14", 0, 0) // nothing to measure
	r := f.rank("edoc_ratio", "2026-10", data.Provinces, Current)
	want := []struct {
		code string
		rank int
		v    float64
	}{{"01", 1, 60}, {"04", 2, 50}, {"08", 2, 50}, {"11", 2, 50}, {"12", 5, 40}}
	for i, w := range want {
		got := r.Rows[i]
		if !(w.code == "04" || w.code == "08" || w.code == "11") && got.UnitCode != w.code {
			t.Errorf("row %d = %s, want %s", i, got.UnitCode, w.code)
		}
		if rk(got.Rank) != w.rank || val(got.Value) != w.v {
			t.Errorf("row %d (%s) = rank %d value %v, want %d %v", i, got.UnitCode, rk(got.Rank), val(got.Value), w.rank, w.v)
		}
	}
	// the three tied units are in Vietnamese name order
	if r.Rows[1].UnitNameVI != "Cao Bằng" || r.Rows[2].UnitNameVI != "Điện Biên" || r.Rows[3].UnitNameVI != "Tuyên Quang" {
		t.Errorf("tie order: %s, %s, %s", r.Rows[1].UnitNameVI, r.Rows[2].UnitNameVI, r.Rows[3].UnitNameVI)
	}
	lc := row(t, r, "14")
	if lc.Value != nil || lc.Rank != nil || lc.Reason != ReasonNothingToMeasure {
		t.Errorf("zero denominator: %+v", lc)
	}
	none := row(t, r, "79")
	if none.Value != nil || none.Rank != nil || none.Reason != ReasonNoReport || none.Numerator != nil {
		t.Errorf("missing report: %+v", none)
	}
	if len(r.Rows) != 34 || r.Rows[33].Rank != nil {
		t.Errorf("%d rows; units with no value must come last", len(r.Rows))
	}
	// target: 100% from 2025 (QĐ 942); 60% is not met and 40 documents would meet it
	h := row(t, r, "01")
	if h.Target == nil || *h.Target != 100 || h.TargetMet == nil || *h.TargetMet || h.ToTarget == nil || *h.ToTarget != 4 {
		t.Errorf("target fields: %+v", h)
	}
	// what it would take for Cao Bằng (5/10) to reach the next rank up (60%): 1 document
	if cb := row(t, r, "04"); cb.ToNextRank == nil || *cb.ToNextRank != 1 {
		t.Errorf("to next rank = %v", cb.ToNextRank)
	}
}

func TestDirectionLowerIsBetter(t *testing.T) {
	defs, err := ParseDefs([]byte(`
[[indicator]]
code = "offline_share"
name_vi = "Tỷ lệ hồ sơ giấy"
name_en = "Paper share"
numerator = ["dossiers_received_online"]
denominator = ["dossiers_received"]
direction = "lower"
`), "test")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, defs)
	f.put("01", "2026-10", when, map[string]int64{"dossiers_received_online": 8, "dossiers_received": 10})
	f.put("04", "2026-10", when, map[string]int64{"dossiers_received_online": 2, "dossiers_received": 10})
	r := f.rank("offline_share", "2026-10", data.Provinces, Current)
	if r.Rows[0].UnitCode != "04" || rk(r.Rows[0].Rank) != 1 || rk(r.Rows[1].Rank) != 2 {
		t.Errorf("lower is better: first %s rank %d", r.Rows[0].UnitCode, rk(r.Rows[0].Rank))
	}
}

func TestMergedProvinceHistoryIsTheSumOfItsPredecessors(t *testing.T) {
	f := newFixture(t, nil)
	// Hà Giang (02) and Tuyên Quang (08) merged into Tuyên Quang (08) on 2025-07-01.
	f.put("02", "2025-06", when, map[string]int64{"dossiers_received_online": 30, "dossiers_received": 100}) // 30%
	f.put("08", "2025-06", when, map[string]int64{"dossiers_received_online": 90, "dossiers_received": 100}) // 90%
	f.put("08", "2025-07", when, map[string]int64{"dossiers_received_online": 130, "dossiers_received": 200})
	cur := f.rank("online_dossier_rate", "2025-06", data.Provinces, Current)
	tq := row(t, cur, "08")
	if *tq.Numerator != 120 || *tq.Denominator != 200 || val(tq.Value) != 60 {
		t.Errorf("current boundaries, 2025-06: %d/%d = %v, want 120/200 = 60", *tq.Numerator, *tq.Denominator, val(tq.Value))
	}
	if len(cur.Rows) != 34 {
		t.Errorf("current boundaries: %d rows, want 34", len(cur.Rows))
	}
	hist := f.rank("online_dossier_rate", "2025-06", data.Provinces, Historical)
	if len(hist.Rows) != 63 || val(row(t, hist, "02").Value) != 30 || val(row(t, hist, "08").Value) != 90 {
		t.Errorf("historical boundaries: %d rows, 02 = %v, 08 = %v", len(hist.Rows), val(row(t, hist, "02").Value), val(row(t, hist, "08").Value))
	}
	s, err := f.eng.Series(context.Background(), SeriesQuery{Unit: "08", Indicator: "online_dossier_rate", From: data.NewMonth(2025, 6), To: data.NewMonth(2025, 7)})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Points) != 2 || val(s.Points[0].Value) != 60 || val(s.Points[1].Value) != 65 || rk(s.Points[0].Rank) != 1 {
		t.Errorf("series: %+v", s.Points)
	}
	// ministries: Planning and Investment went to Finance on 2025-03-01
	f.put("BKHDT", "2025-02", when, map[string]int64{"docs_electronic": 10, "docs_total": 10})
	f.put("BTC", "2025-02", when, map[string]int64{"docs_electronic": 0, "docs_total": 10})
	m := f.rank("edoc_ratio", "2025-02", data.Ministries, Current)
	if btc := row(t, m, "BTC"); val(btc.Value) != 50 || len(m.Rows) != 17 {
		t.Errorf("BTC 2025-02 current = %v over %d ministries", val(btc.Value), len(m.Rows))
	}
}

func TestCompositeNormalizations(t *testing.T) {
	defs, err := ParseDefs([]byte(`
[[indicator]]
code = "a"
name_vi = "A"
name_en = "A"
numerator = ["procedures_online_full"]
denominator = ["procedures_total"]

[[indicator]]
code = "b"
name_vi = "B"
name_en = "B"
numerator = ["docs_electronic"]
denominator = ["docs_total"]
targets = [{ year = 2020, value = 90, source = "test" }]

[[composite]]
code = "ix"
name_vi = "Chỉ số"
name_en = "Index"
  [[composite.group]]
  code = "g1"
  name_vi = "Nhóm 1"
  name_en = "Group 1"
  indicators = [{ code = "a", points = 60 }]
  [[composite.group]]
  code = "g2"
  name_vi = "Nhóm 2"
  name_en = "Group 2"
  indicators = [{ code = "b", points = 40 }]

[[grade]]
min = 90
label_vi = "Xuất sắc"
label_en = "Excellent"
[[grade]]
min = 0
label_vi = "Yếu"
label_en = "Weak"
`), "test")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, defs)
	f.put("01", "2026-10", when, map[string]int64{"procedures_online_full": 10, "procedures_total": 10, "docs_electronic": 8, "docs_total": 10})
	f.put("04", "2026-10", when, map[string]int64{"procedures_online_full": 5, "procedures_total": 10, "docs_electronic": 4, "docs_total": 10})
	f.put("08", "2026-10", when, map[string]int64{"procedures_online_full": 0, "procedures_total": 10, "docs_electronic": 0, "docs_total": 0})
	want := map[string][3]float64{ // totals of 01, 04, 08
		"none":   {92, 46, 0},
		"minmax": {100, 30, 0},
		"best":   {100, 50, 0},
		"zscore": {68.91, 43.33, 29.59},
	}
	for norm, w := range want {
		t.Run(norm, func(t *testing.T) {
			r, err := f.eng.Composite(context.Background(), CompositeQuery{Name: "ix", Period: data.MonthPeriod(data.NewMonth(2026, 10)), Group: data.Provinces, Normalization: norm})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]CompositeRow{}
			for _, x := range r.Rows {
				got[x.UnitCode] = x
			}
			for i, code := range []string{"01", "04", "08"} {
				if val(got[code].Total) != w[i] {
					t.Errorf("%s total = %v, want %v", code, val(got[code].Total), w[i])
				}
			}
			if rk(got["01"].Rank) != 1 || rk(got["04"].Rank) != 2 || rk(got["08"].Rank) != 3 || got["79"].Total != nil {
				t.Errorf("ranks %d %d %d", rk(got["01"].Rank), rk(got["04"].Rank), rk(got["08"].Rank))
			}
			if norm == "none" {
				x := got["01"]
				if x.GradeVI != "Xuất sắc" || val(x.Groups[1].Points) != 32 || val(x.Components[1].Lost) != 8 {
					t.Errorf("breakdown of 01: grade %s, group 2 %v, lost %v", x.GradeVI, val(x.Groups[1].Points), val(x.Components[1].Lost))
				}
				// 08 has nothing to measure on b: scored on a alone, group 2 empty
				if got["08"].Groups[1].Points != nil {
					t.Errorf("08 group 2 should have no points")
				}
				// what it would take 04 (4/10 on b) to meet 90%: 5 more documents
				if tt := got["04"].Components[1].ToTarget; tt == nil || *tt != 5 {
					t.Errorf("04 to target on b = %v", tt)
				}
			}
		})
	}
}

func TestCompleteness(t *testing.T) {
	f := newFixture(t, nil)
	vals := map[string]int64{"docs_total": 1, "docs_electronic": 1}
	f.put("01", "2026-10", time.Date(2026, 11, 10, 16, 0, 0, 0, time.UTC), vals)  // 23:00 on the 10th, Viet Nam time: on time
	f.put("04", "2026-10", time.Date(2026, 11, 10, 17, 30, 0, 0, time.UTC), vals) // 00:30 on the 11th: late
	f.put("04", "2026-10", time.Date(2026, 11, 12, 0, 0, 0, 0, time.UTC), vals)   // a correction: still late, 2 versions
	c, err := f.eng.Completeness(context.Background(), data.MonthPeriod(data.NewMonth(2026, 10)), data.Provinces)
	if err != nil {
		t.Fatal(err)
	}
	if c.Expected != 34 || c.Received != 2 || c.OnTime != 1 || c.Late != 1 || c.Missing != 32 || len(c.MissingUnits) != 32 {
		t.Errorf("completeness = expected %d received %d on time %d late %d missing %d", c.Expected, c.Received, c.OnTime, c.Late, c.Missing)
	}
	for _, u := range c.Units {
		if u.UnitCode == "04" && (u.Status != StatusLate || u.Versions != 2) {
			t.Errorf("04: %+v", u)
		}
		if u.UnitCode == "01" && u.Status != StatusOnTime {
			t.Errorf("01: %+v", u)
		}
	}
	if val(c.Completeness) != round(2.0/34*100, 2) {
		t.Errorf("completeness rate %v", val(c.Completeness))
	}
	// before the deadline a missing report is pending, not missing
	f.eng.now = func() time.Time { return time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC) }
	f.put("01", "2026-09", when, vals) // moves the data version, so the cache is dropped
	c, _ = f.eng.Completeness(context.Background(), data.MonthPeriod(data.NewMonth(2026, 10)), data.Provinces)
	if c.Pending != 32 || c.Missing != 0 {
		t.Errorf("before the deadline: pending %d missing %d", c.Pending, c.Missing)
	}
}

func TestOutlierFlagged(t *testing.T) {
	f := newFixture(t, nil)
	for i := 0; i < 12; i++ {
		m := data.NewMonth(2025, 10).Add(i)
		f.put("01", m.String(), when, map[string]int64{"dossiers_resolved": 1000, "dossiers_resolved_on_time": int64(950 + i%3*5)})
		f.put("04", m.String(), when, map[string]int64{"dossiers_resolved": 1000, "dossiers_resolved_on_time": int64(900 + i%4*10)})
	}
	f.put("01", "2026-10", when, map[string]int64{"dossiers_resolved": 1000, "dossiers_resolved_on_time": 500})
	f.put("04", "2026-10", when, map[string]int64{"dossiers_resolved": 1000, "dossiers_resolved_on_time": 915})
	r := f.rank("on_time_rate", "2026-10", data.Provinces, Current)
	if x := row(t, r, "01"); !x.Outlier || val(x.Value) != 50 {
		t.Errorf("a fall from 95%% to 50%% is not flagged: %+v", x)
	}
	if x := row(t, r, "04"); x.Outlier {
		t.Errorf("an ordinary month is flagged: z = %v", val(x.OutlierZ))
	}
	if z, ok := ModifiedZ(20, []float64{1, 2, 3, 4, 5, 6}); !ok || z < 3.5 {
		t.Errorf("ModifiedZ = %v %v", z, ok)
	}
}

func TestCacheIsDroppedWhenDataChanges(t *testing.T) {
	f := newFixture(t, nil)
	f.put("01", "2026-10", when, map[string]int64{"docs_electronic": 1, "docs_total": 2})
	a := f.rank("edoc_ratio", "2026-10", data.Provinces, Current)
	b := f.rank("edoc_ratio", "2026-10", data.Provinces, Current)
	if a != b {
		t.Error("the second identical call was recomputed")
	}
	f.put("01", "2026-10", when, map[string]int64{"docs_electronic": 2, "docs_total": 2})
	c := f.rank("edoc_ratio", "2026-10", data.Provinces, Current)
	if val(row(t, c, "01").Value) != 100 {
		t.Errorf("after a new version: %v", val(row(t, c, "01").Value))
	}
}

func TestBadQueries(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	p := data.MonthPeriod(data.NewMonth(2026, 10))
	if _, err := f.eng.Rankings(ctx, RankingQuery{Indicator: "level4_share", Period: p, Group: data.Provinces}); err == nil {
		t.Error("a period with no data gave a ranking")
	}
	f.put("01", "2026-10", when, map[string]int64{"docs_electronic": 1, "docs_total": 2})
	if _, err := f.eng.Rankings(ctx, RankingQuery{Indicator: "nope", Period: p, Group: data.Provinces}); err == nil {
		t.Error("an unknown indicator gave a ranking")
	}
	if _, err := ParseDefs([]byte("[[indicator]]\ncode = \"x\"\nnumerator = [\"nope\"]\ndenominator = [\"docs_total\"]\n"), "bad.toml"); err == nil {
		t.Error("an unknown measure in the definitions was accepted")
	}
}
