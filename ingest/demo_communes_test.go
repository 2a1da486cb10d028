package ingest

import (
	"context"
	"math"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// TestDemoCommunes: the demo gives every province's communes monthly figures from
// 2025-07, spread as a province's leaderboard needs them (most near the province, some far
// behind), while the provinces' own figures stay what the demo reports for them.
func TestDemoCommunes(t *testing.T) {
	ctx := context.Background()
	store, err := data.Open(ctx, filepath.Join(t.TempDir(), "demo.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = store.Close() }()
	reg := store.Units()
	d := Demo{Seed: 1, Through: demoThrough}
	t0 := time.Now()
	n, err := d.Load(ctx, reg, store)
	if err != nil {
		t.Fatal(err)
	}
	subs := d.Submissions(reg)
	communes := d.CommuneSubmissions(reg, subs)
	t.Logf("seeded %d reports (%d of communes) in %.1f s", n, len(communes), time.Since(t0).Seconds())
	if n != len(subs)+len(communes) {
		t.Errorf("Load says %d reports, want %d of units and %d of communes", n, len(subs), len(communes))
	}
	defs, _ := metrics.DefaultDefs()
	eng := metrics.NewEngine(store, defs)
	const ind = "online_dossier_rate"

	t.Run("province totals unchanged", func(t *testing.T) {
		for _, m := range []data.Month{data.NewMonth(2025, 7), data.NewMonth(2026, 1), demoThrough} {
			want := map[string][2]int64{}
			var num, den int64
			for _, s := range subs {
				if s.Month == m && len(s.UnitCode) == 2 {
					want[s.UnitCode] = [2]int64{s.Values["dossiers_received_online"], s.Values["dossiers_received"]}
					num += s.Values["dossiers_received_online"]
					den += s.Values["dossiers_received"]
				}
			}
			r, err := eng.Rankings(ctx, metrics.RankingQuery{Indicator: ind, Period: data.MonthPeriod(m), Group: data.Provinces})
			if err != nil {
				t.Fatal(err)
			}
			if r.National.Numerator != num || r.National.Denominator != den {
				t.Errorf("%s: national %d/%d, the provinces' reports say %d/%d", m, r.National.Numerator, r.National.Denominator, num, den)
			}
			for _, row := range r.Rows {
				w, ok := want[row.UnitCode]
				switch {
				case !ok && row.Numerator != nil:
					t.Errorf("%s %s: %d/%d without a report", m, row.UnitCode, *row.Numerator, *row.Denominator)
				case ok && (row.Numerator == nil || *row.Numerator != w[0] || *row.Denominator != w[1]):
					t.Errorf("%s %s: %v/%v, its report says %d/%d", m, row.UnitCode, row.Numerator, row.Denominator, w[0], w[1])
				}
			}
		}
	})

	t.Run("every province's communes ranked, spread", func(t *testing.T) {
		provinces, err := eng.Rankings(ctx, metrics.RankingQuery{Indicator: ind, Period: data.MonthPeriod(demoThrough), Group: data.Provinces})
		if err != nil {
			t.Fatal(err)
		}
		var all, near, far int
		for _, p := range provinces.Rows {
			b, err := eng.CommuneBoard(ctx, p.UnitCode, ind, demoThrough)
			if err != nil {
				t.Fatal(err)
			}
			want := len(reg.Communes(p.UnitCode, demoThrough))
			if b.Reported != want || len(b.Rows) != want || want == 0 {
				t.Errorf("%s: %d of %d communes reported %s (%d rows)", p.UnitCode, b.Reported, want, demoThrough, len(b.Rows))
				continue
			}
			// the communes handle a share of the province's dossiers, never more
			if share := float64(b.National.Denominator) / float64(*p.Denominator); share < CommuneShare*0.9 || share > CommuneShare*1.1 {
				t.Errorf("%s: communes received %d of the province's %d dossiers (%.2f)", p.UnitCode, b.National.Denominator, *p.Denominator, share)
			}
			var gaps []float64
			behind := 0
			for _, row := range b.Rows {
				gap := *p.Value - *row.Value
				gaps = append(gaps, math.Abs(gap))
				if gap >= 15 {
					behind++
				}
			}
			sort.Float64s(gaps)
			if med := gaps[len(gaps)/2]; med > 8 {
				t.Errorf("%s: communes' median distance to the province %.1f points, want most near it", p.UnitCode, med)
			}
			if behind == 0 && want >= 40 {
				t.Errorf("%s: none of %d communes 15 points or more behind the province (%.1f%%)", p.UnitCode, want, *p.Value)
			}
			all += want
			far += behind
			for _, g := range gaps {
				if g < 8 {
					near++
				}
			}
		}
		t.Logf("%s: %d communes, %d within 8 points of their province, %d 15 points or more behind", demoThrough, all, near, far)
		if all != 3321 {
			t.Errorf("%d communes ranked, want 3321", all)
		}
		if near < all*3/4 || far < all/30 || far > all/6 {
			t.Errorf("spread: %d of %d near their province, %d far behind", near, all, far)
		}
	})

	t.Run("completeness varies", func(t *testing.T) {
		b, err := eng.CommuneBoard(ctx, "01", ind, demoThrough)
		if err != nil {
			t.Fatal(err)
		}
		full := 0
		for _, r := range b.Rows {
			if r.MonthsReported == r.MonthsExpected {
				full++
			}
		}
		if full == len(b.Rows) || full < len(b.Rows)/2 {
			t.Errorf("Hà Nội: %d of %d communes with every month of %d, want most but not all", full, len(b.Rows), b.Rows[0].MonthsExpected)
		}
	})
}
