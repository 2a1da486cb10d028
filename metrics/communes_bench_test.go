package metrics

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
)

// communeEngine seeds the demo (provinces and ministries) and a report for every one of
// the 3,321 communes for every month from 2025-07 to benchThrough, every measure filled,
// some communes far behind.
func communeEngine(b *testing.B) *Engine {
	b.Helper()
	ctx := context.Background()
	reg := data.Reference()
	// COMMUNE_BENCH_DB keeps the seeded database between runs (seeding takes a while)
	path, seeded := os.Getenv("COMMUNE_BENCH_DB"), true
	if path == "" {
		path = filepath.Join(b.TempDir(), "communes.duckdb")
	}
	if _, err := os.Stat(path); err != nil {
		seeded = false
	}
	store, err := data.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = store.Close() })
	defs, _ := DefaultDefs()
	if seeded {
		return NewEngine(store, defs)
	}
	if _, err := (ingest.Demo{Seed: 1, Through: benchThrough}).Load(ctx, reg, store); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 19))
	t0 := time.Now()
	n := 0
	for m := data.NewMonth(2025, 7); m <= benchThrough; m++ {
		var subs []data.Submission
		for _, c := range reg.InForce(data.Communes, m) {
			size := int64(50 + rng.IntN(2000))
			share := 0.2 + 0.8*rng.Float64() // some communes far behind
			vals := map[string]int64{}
			for _, ms := range data.Measures {
				vals[ms.Code] = size
			}
			vals["dossiers_received_online"] = int64(float64(size) * share)
			subs = append(subs, data.Submission{UnitCode: c.Code, Month: m, Source: "bench", SubmittedAt: m.Add(1).Time(), Values: vals})
		}
		if _, err := store.Submit(ctx, subs); err != nil {
			b.Fatal(err)
		}
		n += len(subs)
	}
	b.Logf("seeded %d commune reports in %.1f s", n, time.Since(t0).Seconds())
	return NewEngine(store, defs)
}

// BenchmarkCommunes: go test ./metrics -run '^$' -bench Communes -benchtime 5x
func BenchmarkCommunes(b *testing.B) {
	ctx := context.Background()
	eng := communeEngine(b)
	cold := func(name string, f func() error) {
		b.Run(name, func(b *testing.B) {
			// cold is the engine's cache emptied, as in BenchmarkMetrics; DuckDB's own
			// buffers are warmed once, as on a serving process
			if err := f(); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				eng.mu.Lock()
				eng.cache = map[string]any{}
				eng.mu.Unlock()
				if err := f(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	rank := func(p data.Period, province string) func() error {
		return func() error {
			r, err := eng.Rankings(ctx, RankingQuery{Indicator: "online_dossier_rate", Period: p, Group: data.Communes, Province: province})
			if err == nil && len(r.Rows) == 0 {
				b.Fatal("no rows")
			}
			return err
		}
	}
	cold("province-board-cold", func() error {
		_, err := eng.CommuneBoard(ctx, "01", "online_dossier_rate", benchThrough)
		return err
	})
	cold("province-ranking-cold", rank(data.MonthPeriod(benchThrough), "01"))
	cold("national-month-cold", rank(data.MonthPeriod(benchThrough), ""))
	cold("national-year-cold", rank(data.Period{Kind: data.KindYear, From: data.NewMonth(2026, 1), To: data.NewMonth(2026, 12)}, ""))
	commune := eng.src.Units().Communes("01", benchThrough)[0].Code
	cold("commune-series-18-cold", func() error {
		// a commune's own page: its 18 months, ranked among its province's communes
		s, err := eng.Series(ctx, SeriesQuery{Unit: commune, Indicator: "online_dossier_rate", From: benchThrough.Add(-17), To: benchThrough})
		if err == nil && (len(s.Points) != 18 || s.Points[17].Value == nil) {
			b.Fatalf("series of %s: %d points", commune, len(s.Points))
		}
		return err
	})
	cold("provinces-month-cold", func() error {
		_, err := eng.Rankings(ctx, RankingQuery{Indicator: "online_dossier_rate", Period: data.MonthPeriod(benchThrough), Group: data.Provinces})
		return err
	})
}
