package metrics

import (
	"context"
	"testing"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

// TestCommuneSeries: a commune's own series comes from its own reports (communes are
// summed by their codes, not through the units table), ranked among its province's
// communes each month; a month it did not report is no data.
func TestCommuneSeries(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	hn := f.store.Units().Communes("01", data.NewMonth(2026, 9))
	at := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
	for i, c := range []struct {
		code, month string
		got, onl    int64
	}{
		{hn[0].Code, "2026-07", 100, 50}, {hn[0].Code, "2026-09", 100, 40}, {hn[1].Code, "2026-09", 100, 90}, {"01", "2026-09", 1000, 100},
	} {
		f.put(c.code, c.month, at.Add(time.Duration(i)*time.Minute), map[string]int64{"dossiers_received": c.got, "dossiers_received_online": c.onl})
	}
	s, err := f.eng.Series(ctx, SeriesQuery{Unit: hn[0].Code, Indicator: "online_dossier_rate", From: data.NewMonth(2026, 7), To: data.NewMonth(2026, 9)})
	if err != nil {
		t.Fatal(err)
	}
	if s.Group != data.Communes || len(s.Points) != 3 {
		t.Fatalf("series of %s: group %s, %d points", hn[0].Code, s.Group, len(s.Points))
	}
	for i, want := range []struct {
		value    float64 // -1: no data
		rank     int
		province float64 // the province's communes together (Hà Nội's own report left out); -1: none
	}{{50, 1, 50}, {-1, 0, -1}, {40, 2, 65}} {
		p := s.Points[i]
		if got := p.Province; (want.province < 0) != (got == nil) || got != nil && *got != want.province {
			t.Errorf("%s: province's communes %v, want %v", p.Period, got, want.province)
		}
		switch {
		case want.value < 0 && (p.Value != nil || p.Reason != ReasonNoReport):
			t.Errorf("%s: %v (%s), want no report", p.Period, p.Value, p.Reason)
		case want.value >= 0 && (p.Value == nil || *p.Value != want.value || p.Rank == nil || *p.Rank != want.rank):
			t.Errorf("%s: value %v rank %v, want %v rank %d", p.Period, p.Value, p.Rank, want.value, want.rank)
		}
	}
}
