package ingest

import (
	"context"
	"math"
	"path/filepath"
	"reflect"
	"runtime"
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
	defer store.Close()
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
		store.Close()
		b.StartTimer()
	}
}
