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
