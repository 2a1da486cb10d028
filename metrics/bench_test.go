package metrics

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
)

var benchThrough = data.NewMonth(2026, 10)

// demoEngine seeds the demo history for the reference units copied scale times.
func demoEngine(b *testing.B, scale int) *Engine {
	b.Helper()
	ctx := context.Background()
	reg := data.Reference()
	if scale > 1 {
		reg = reg.Scaled(scale)
	}
	store, err := data.Open(ctx, filepath.Join(b.TempDir(), "bench.duckdb"), data.Options{Registry: reg})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = store.Close() })
	if _, err := (ingest.Demo{Seed: 1, Through: benchThrough}).Load(ctx, reg, store); err != nil {
		b.Fatal(err)
	}
	defs, _ := DefaultDefs()
	return NewEngine(store, defs)
}

func benchMetrics(b *testing.B, scale int) {
	ctx := context.Background()
	eng := demoEngine(b, scale)
	q := RankingQuery{Indicator: "online_dossier_rate", Period: data.MonthPeriod(benchThrough), Group: data.Provinces, Boundaries: Current}
	b.Run("rankings-cold", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			eng.mu.Lock()
			eng.cache = map[string]any{}
			eng.mu.Unlock()
			if _, err := eng.Rankings(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rankings-cached", func(b *testing.B) {
		if _, err := eng.Rankings(ctx, q); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := eng.Rankings(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("series-cold", func(b *testing.B) {
		unit := "08"
		if scale > 1 {
			unit = "08.1"
		}
		for i := 0; i < b.N; i++ {
			eng.mu.Lock()
			eng.cache = map[string]any{}
			eng.mu.Unlock()
			if _, err := eng.Series(ctx, SeriesQuery{Unit: unit, Indicator: "level4_share", From: ingest.DemoStart, To: benchThrough}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("all-indicators-groups-months-cold", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			eng.mu.Lock()
			eng.cache = map[string]any{}
			eng.mu.Unlock()
			n := 0
			for _, in := range eng.defs.Indicators {
				for _, g := range []data.Group{data.Provinces, data.Ministries} {
					for m := ingest.DemoStart; m <= benchThrough; m++ {
						if _, err := eng.Rankings(ctx, RankingQuery{Indicator: in.Code, Period: data.MonthPeriod(m), Group: g}); err != nil {
							b.Fatal(err)
						}
						n++
					}
				}
			}
			b.ReportMetric(float64(n), "rankings")
		}
	})
}

// BenchmarkMetrics measures the demo database: go test ./metrics -run '^$' -bench Metrics -benchtime 10x
func BenchmarkMetrics(b *testing.B) { benchMetrics(b, 1) }

// BenchmarkMetrics10x is the same with ten times the units.
func BenchmarkMetrics10x(b *testing.B) { benchMetrics(b, 10) }
