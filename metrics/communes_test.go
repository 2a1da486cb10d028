package metrics

import (
	"context"
	"testing"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

func TestCommunesExpectedOnlyWhereTheProvinceAsks(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	reg := f.store.Units()
	sep := data.NewMonth(2026, 9)
	at := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
	for _, p := range reg.InForce(data.Provinces, sep) {
		f.put(p.Code, "2026-09", at, map[string]int64{"dossiers_received": 100, "dossiers_received_online": 50})
	}
	hn := reg.Communes("01", sep)
	for _, c := range hn[:3] {
		f.put(c.Code, "2026-09", at, map[string]int64{"dossiers_received": 10, "dossiers_received_online": 5})
	}
	status := func(g data.Group, m data.Month) MonthStatus {
		t.Helper()
		st, err := f.eng.MonthStatus(ctx, g, m)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	type want struct{ expected, reported int }
	check := func(name string, cases map[string]struct {
		g data.Group
		m data.Month
		w want
	}) {
		t.Run(name, func(t *testing.T) {
			for n, c := range cases {
				if st := status(c.g, c.m); st.Expected != c.w.expected || st.Reported != c.w.reported {
					t.Errorf("%s: %d of %d reported, want %d of %d", n, st.Reported, st.Expected, c.w.reported, c.w.expected)
				}
			}
		})
	}
	type cs = map[string]struct {
		g data.Group
		m data.Month
		w want
	}
	check("off by default", cs{
		"provinces":  {data.Provinces, sep, want{34, 34}},
		"ministries": {data.Ministries, sep, want{17, 0}},
		"communes":   {data.Communes, sep, want{0, 0}},
	})
	if m, err := f.eng.DefaultMonth(ctx, data.Provinces); err != nil || m != sep {
		t.Errorf("default month of provinces = %s, %v; want %s", m, err, sep)
	}
	if err := f.store.SetCommuneReporting(ctx, "01", sep, "admin"); err != nil {
		t.Fatal(err)
	}
	check("Hà Nội on from 2026-09", cs{
		"provinces":       {data.Provinces, sep, want{34, 34}},
		"communes":        {data.Communes, sep, want{126, 3}},
		"communes before": {data.Communes, sep.Add(-1), want{0, 0}},
	})
	c, err := f.eng.Completeness(ctx, data.MonthPeriod(sep), data.Communes)
	if err != nil || c.Expected != 126 || c.Received != 3 || len(c.MissingUnits) != 123 {
		t.Errorf("completeness of communes: %+v, %v", c, err)
	}
	if c, err := f.eng.Completeness(ctx, data.MonthPeriod(sep), data.Provinces); err != nil || c.Expected != 34 {
		t.Errorf("completeness of provinces: %v, %v", c.Expected, err)
	}
	if m, err := f.eng.DefaultMonth(ctx, data.Provinces); err != nil || m != sep {
		t.Errorf("default month of provinces = %s, %v; want %s", m, err, sep)
	}
	if err := f.store.SetCommuneReporting(ctx, "01", 0, "admin"); err != nil {
		t.Fatal(err)
	}
	check("off again", cs{"communes": {data.Communes, sep, want{0, 0}}})
	for name, err := range map[string]error{
		"a commune is no province": f.store.SetCommuneReporting(ctx, "00004", sep, "admin"),
		"before the communes":      f.store.SetCommuneReporting(ctx, "01", data.NewMonth(2025, 6), "admin"),
	} {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestCommuneRankings(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	reg := f.store.Units()
	sep := data.NewMonth(2026, 9)
	at := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
	hn, hcm := reg.Communes("01", sep), reg.Communes("79", sep)
	// three communes of Hà Nội, one of them far behind, one of TP Hồ Chí Minh, and Hà Nội itself
	for i, c := range []struct {
		code     string
		month    string
		got, onl int64
	}{
		{hn[0].Code, "2026-09", 100, 90}, {hn[1].Code, "2026-09", 100, 20}, {hn[2].Code, "2026-09", 100, 60},
		{hn[0].Code, "2026-08", 100, 80}, {hcm[0].Code, "2026-09", 50, 50}, {"01", "2026-09", 1000, 100},
	} {
		f.put(c.code, c.month, at.Add(time.Duration(i)*time.Minute), map[string]int64{"dossiers_received": c.got, "dossiers_received_online": c.onl})
	}
	q := func(province, typ string) RankingQuery {
		return RankingQuery{Indicator: "online_dossier_rate", Period: data.MonthPeriod(sep), Group: data.Communes, Province: province, Type: typ}
	}
	cases := []struct {
		name        string
		q           RankingQuery
		rows, first int // rows; index in hn of the first ranked (-1: hcm[0])
		ranked      int
		natNum      int64
	}{
		{"Hà Nội", q("01", ""), 126, 0, 3, 170},
		{"national", q("", ""), 3321, -1, 4, 220},
		{"TP Hồ Chí Minh", q("79", ""), 168, -1, 1, 50},
		{"Hà Nội's phường", q("01", "phuong"), countType(hn, "phuong"), 0, 3, 170},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := f.eng.Rankings(ctx, c.q)
			if err != nil {
				t.Fatal(err)
			}
			ranked := 0
			for _, row := range r.Rows {
				if row.Rank != nil {
					ranked++
				}
				if row.UnitParent == "" || row.UnitType == "" {
					t.Fatalf("row %s lacks its province or type", row.UnitCode)
				}
			}
			want := hcm[0].Code
			if c.first >= 0 {
				want = hn[c.first].Code
			}
			if len(r.Rows) != c.rows || ranked != c.ranked || r.Rows[0].UnitCode != want || r.National.Numerator != c.natNum {
				t.Errorf("%d rows, %d ranked, first %s, national %d; want %d, %d, %s, %d", len(r.Rows), ranked, r.Rows[0].UnitCode, r.National.Numerator, c.rows, c.ranked, want, c.natNum)
			}
		})
	}
	t.Run("previous rank", func(t *testing.T) {
		r, _ := f.eng.Rankings(ctx, q("01", ""))
		if r.Rows[0].PreviousRank == nil || *r.Rows[0].PreviousRank != 1 {
			t.Errorf("previous rank of %s = %v", r.Rows[0].UnitCode, r.Rows[0].PreviousRank)
		}
	})
	t.Run("provinces unchanged", func(t *testing.T) {
		r, err := f.eng.Rankings(ctx, RankingQuery{Indicator: "online_dossier_rate", Period: data.MonthPeriod(sep), Group: data.Provinces})
		if err != nil || len(r.Rows) != 34 || r.Rows[0].UnitCode != "01" || r.National.Numerator != 100 {
			t.Errorf("provinces: %v, %+v", err, r)
		}
	})
	for name, bad := range map[string]RankingQuery{
		"province outside communes": {Indicator: "online_dossier_rate", Period: data.MonthPeriod(sep), Group: data.Provinces, Province: "01"},
		"no such province":          q("02", ""),
		"no such type":              q("01", "huyen"),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := f.eng.Rankings(ctx, bad); err == nil {
				t.Error("accepted")
			}
		})
	}
	t.Run("board", func(t *testing.T) {
		b, err := f.eng.CommuneBoard(ctx, "01", "online_dossier_rate", sep)
		if err != nil {
			t.Fatal(err)
		}
		first := b.Rows[0]
		// 2025-07 .. 2026-09: 12 months, two of them reported
		if len(b.Rows) != 126 || b.Reported != 3 || first.MonthsExpected != 12 || first.MonthsReported != 2 || *first.Completeness != 16.7 || !first.ReportedMonth || b.Expected {
			t.Errorf("board: %d rows, %d reported, first %+v, expected %v", len(b.Rows), b.Reported, first, b.Expected)
		}
	})
}

func countType(us []data.Unit, typ string) int {
	n := 0
	for _, u := range us {
		if u.Type == typ {
			n++
		}
	}
	return n
}
