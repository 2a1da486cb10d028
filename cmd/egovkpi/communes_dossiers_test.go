package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/egovkpi/egovkpi/data"
)

// TestCommuneDossiersRollUp: Hà Nội's officer uploads a dossier export whose records name
// its communes and the province itself, through the real server: each commune gets its
// own figures and Hà Nội's are the sums of all the records, as if they had all been
// tagged 01; the 766 index of Hà Nội counts them all; a record of a commune of TP Hồ Chí
// Minh in the same file refuses the whole file (403), and nothing changes.
func TestCommuneDossiersRollUp(t *testing.T) {
	s := startServer(t, false)
	m := data.NewMonth(2026, 10)
	hn := data.Reference().Communes("01", m)
	hcm := data.Reference().Communes("79", m)[0].Code
	c1, c2 := hn[0].Code, hn[1].Code
	rows := func(units ...string) string {
		var b strings.Builder
		b.WriteString(dossierHeadE2E)
		for i, u := range units {
			// received in October, the odd ones resolved late
			res := "2026-10-08 10:00:00"
			if i%2 == 1 {
				res = "2026-10-20 10:00:00"
			}
			fmt.Fprintf(&b, "R%d,%s,P1,online,2026-10-0%d 08:00:00,2026-10-15 17:00:00,%s,true,false,false,satisfied\n", i, u, 1+i%9, res)
		}
		return b.String()
	}
	values := func(unit string) map[string]int64 {
		var out struct{ Submissions []data.Submission }
		getJSONAs(t, s, "/api/v1/submissions?unit="+unit+"&period=2026-10", "analyst1", 200, &out)
		for _, sub := range out.Submissions {
			if sub.Status == data.StatusCurrent {
				return sub.Values
			}
		}
		return nil
	}
	index := func(unit string) float64 {
		var out struct {
			Indicators []struct {
				ID          string
				Numerator   float64
				Denominator float64
			}
		}
		getJSONAs(t, s, "/api/v1/units/"+unit+"/index766?period=2026-10", "analyst1", 200, &out)
		for _, ind := range out.Indicators {
			if ind.ID == "2.1" {
				return ind.Denominator
			}
		}
		return -1
	}
	// another province's commune in the file: refused whole, naming it
	if code, r := s.upload(t, "officer01", "", "ho-so-xa.csv", []byte(rows(c1, c2, hcm))); code != 403 || !strings.Contains(fmt.Sprint(r), hcm) {
		t.Fatalf("a commune of 79 in Hà Nội's file: %d %v", code, r)
	}
	if v := values("01"); v != nil {
		t.Fatalf("a refused file wrote Hà Nội's figures: %v", v)
	}
	if code, r := s.upload(t, "officer01", "", "ho-so-xa.csv", []byte(rows(c1, c2, c1, "01", c2, c1))); code != 201 {
		t.Fatalf("Hà Nội's officer, its communes' dossiers: %d %v", code, r)
	}
	for _, c := range []struct {
		unit                       string
		received, resolved, onTime int64
	}{
		{"01", 6, 6, 3}, {c1, 3, 3, 2}, {c2, 2, 2, 1},
	} {
		v := values(c.unit)
		if v["dossiers_received"] != c.received || v["dossiers_resolved"] != c.resolved || v["dossiers_resolved_on_time"] != c.onTime {
			t.Errorf("%s 2026-10: %v; want received %d, resolved %d, on time %d", c.unit, v, c.received, c.resolved, c.onTime)
		}
	}
	if got := index("01"); got != 6 {
		t.Errorf("Hà Nội's 766 index counts %v dossiers handled in October, want 6 (its own and its communes')", got)
	}
	// the same records tagged 01 in a server of their own: the same figures
	t2 := startServer(t, false)
	if code, r := t2.upload(t, "officer01", "", "ho-so.csv", []byte(rows("01", "01", "01", "01", "01", "01"))); code != 201 {
		t.Fatalf("tagged 01: %d %v", code, r)
	}
	var out struct{ Submissions []data.Submission }
	getJSONAs(t, t2, "/api/v1/submissions?unit=01&period=2026-10", "analyst1", 200, &out)
	if len(out.Submissions) != 1 || fmt.Sprint(out.Submissions[0].Values) != fmt.Sprint(values("01")) {
		t.Errorf("tagged 01: %v; from the communes: %v", out.Submissions, values("01"))
	}
	// a commune of another province, alone: refused
	if code, _ := s.upload(t, "officer79", "", "ho-so-hn.csv", []byte(rows(c1))); code != 403 {
		t.Errorf("TP Hồ Chí Minh's officer writing Hà Nội's commune: %d", code)
	}
}
