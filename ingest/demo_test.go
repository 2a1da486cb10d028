package ingest

import (
	"context"
	"math"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

var demoThrough = data.NewMonth(2026, 10)

func TestDemoIsDeterministic(t *testing.T) {
	reg := data.Reference()
	a := Demo{Seed: 1, Through: demoThrough}.Submissions(reg)
	b := Demo{Seed: 1, Through: demoThrough}.Submissions(reg)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave different numbers")
	}
	c := Demo{Seed: 2, Through: demoThrough}.Submissions(reg)
	if reflect.DeepEqual(a, c) {
		t.Fatal("another seed gave the same numbers")
	}
	// A longer history does not change the months both have.
	short := Demo{Seed: 1, Through: data.NewMonth(2024, 12)}.Submissions(reg)
	for i := range short {
		if short[i].Month < data.NewMonth(2024, 11) && !reflect.DeepEqual(short[i].Values, a[i].Values) {
			t.Fatalf("%s %s differs between histories of different length", short[i].UnitCode, short[i].Month)
		}
	}
}

func TestDemoHistory(t *testing.T) {
	ctx := context.Background()
	store, err := data.Open(ctx, filepath.Join(t.TempDir(), "demo.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = store.Close() }()
	n, err := Demo{Seed: 1, Through: demoThrough}.Load(ctx, store.Units(), store)
	if err != nil {
		t.Fatal(err)
	}
	if n < 7000 {
		t.Errorf("only %d reports seeded", n)
	}
	defs, _ := metrics.DefaultDefs()
	eng := metrics.NewEngine(store, defs)
	national := func(ind, period string) float64 {
		p, err := data.ParsePeriod(period)
		if err != nil {
			t.Fatal(err)
		}
		r, err := eng.Rankings(ctx, metrics.RankingQuery{Indicator: ind, Period: p, Group: data.Provinces, Boundaries: metrics.Historical})
		if err != nil {
			t.Fatal(err)
		}
		return *r.National.Value
	}
	cases := []struct {
		ind, period string
		want        float64
		cmp         string // "≈" within a point, ">" above
	}{
		{"edoc_ratio", "2019", 86.5, "≈"},
		{"on_time_rate", "2019", 95.8, "≈"},
		{"level4_share", "2020-08", 16, "≈"},
		{"level4_share", "2020-12", 30, ">"},
		{"level4_share", "2022-12", 97, "≈"},
		{"online_dossier_rate", "2019-01", 3, "≈"},
		{"online_dossier_rate", "2025-12", 80, "≈"},
	}
	for _, c := range cases {
		got := national(c.ind, c.period)
		t.Logf("%s %s: %.2f%%", c.ind, c.period, got)
		if c.cmp == "≈" && math.Abs(got-c.want) > 1 {
			t.Errorf("%s %s = %.2f, want within a point of %.1f", c.ind, c.period, got, c.want)
		}
		if c.cmp == ">" && got <= c.want {
			t.Errorf("%s %s = %.2f, want over %.1f", c.ind, c.period, got, c.want)
		}
	}
	// A real spread: leaders and laggards, and they persist.
	p, _ := data.ParsePeriod("2024")
	r, _ := eng.Rankings(ctx, metrics.RankingQuery{Indicator: "online_dossier_rate", Period: p, Group: data.Provinces, Boundaries: metrics.Historical})
	top, bottom := *r.Rows[0].Value, *r.Rows[len(r.Rows)-1].Value
	if top-bottom < 15 {
		t.Errorf("spread between units in 2024 is only %.1f points", top-bottom)
	}
	// Some reports are late and a few missing.
	c, err := eng.Completeness(ctx, data.Period{Kind: data.KindRange, From: data.NewMonth(2019, 1), To: data.NewMonth(2024, 12)}, data.Provinces)
	if err != nil {
		t.Fatal(err)
	}
	if c.Late == 0 || c.Missing == 0 || c.Late > c.Expected/5 || c.Missing > c.Expected/20 {
		t.Errorf("late %d, missing %d of %d expected", c.Late, c.Missing, c.Expected)
	}
}

// BenchmarkSeedDemo seeds the whole demo history (all units × 94 months × 15 measures)
// into a fresh database file and reports the peak heap.
func BenchmarkSeedDemo(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		store, err := data.Open(ctx, filepath.Join(b.TempDir(), "bench.duckdb"))
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		b.StartTimer()
		n, err := Demo{Seed: 1, Through: demoThrough}.Load(ctx, store.Units(), store)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(n), "reports")
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), "MB-alloc")
		_ = store.Close()
		b.StartTimer()
	}
}

// The demo's records of the index of Decision 766: every province and ministry in force
// has every group for each of its last 12 months, the totals spread, and the records are
// the same for the same seed.
func TestDemoIndex766(t *testing.T) {
	ctx := context.Background()
	store, err := data.Open(ctx, filepath.Join(t.TempDir(), "demo.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = store.Close() }()
	d := Demo{Seed: 1, Through: demoThrough, With766: true}
	if _, err := d.Load(ctx, store.Units(), store); err != nil {
		t.Fatal(err)
	}
	defs, _ := metrics.DefaultDefs()
	eng := metrics.NewEngine(store, defs)
	for _, m := range []data.Month{demoThrough.Add(1 - Demo766Months), demoThrough} {
		for _, g := range []data.Group{data.Provinces, data.Ministries} {
			b, err := eng.Index766(ctx, data.Period{Kind: data.KindMonth, From: m, To: m}, g)
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Rows) != len(store.Units().InForce(g, m)) {
				t.Fatalf("%s %s: %d rows, %d units", g, m, len(b.Rows), len(store.Units().InForce(g, m)))
			}
			lo, hi := 100.0, 0.0
			for _, r := range b.Rows {
				if len(r.Result.Incomplete) > 0 || r.Rank == nil {
					t.Errorf("%s %s: incomplete %v", r.Unit.Code, m, r.Result.Incomplete)
				}
				for _, s := range r.Result.Indicators {
					if s.Scored && s.NoDataReason != "" && s.ID != "1.1" && s.ID != "1.2" {
						t.Errorf("%s %s: %s no data: %s", r.Unit.Code, m, s.ID, s.NoDataReason)
					}
				}
				lo, hi = min(lo, r.Result.Total), max(hi, r.Result.Total)
			}
			t.Logf("%s %s: totals %.1f–%.1f", g, m, lo, hi)
			if hi-lo < 3 || lo < 40 || hi > 99.5 {
				t.Errorf("%s %s: totals %.1f–%.1f, want a believable spread", g, m, lo, hi)
			}
		}
	}
	// the same seed, the same records
	var a, b strings.Builder
	fa, err := d.Records766(store.Units(), &a)
	if err != nil {
		t.Fatal(err)
	}
	fb, _ := d.Records766(store.Units(), &b)
	if a.String() != b.String() || !reflect.DeepEqual(fa, fb) || !reflect.DeepEqual(d.Catalogue766(store.Units()), d.Catalogue766(store.Units())) {
		t.Error("the same seed gave different records")
	}
}
