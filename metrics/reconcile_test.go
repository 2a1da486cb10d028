package metrics

import (
	"strconv"
	"strings"
	"testing"

	"github.com/egovkpi/egovkpi/data"
)

// TestReconcileBoard: per unit and group, egovkpi − portal to 2 decimals, flagged above
// index766.toml's threshold (0.5: 0.4 and 0.5 are not, 0.6 is), a figure on one side only
// flagged, units on one side only counted apart.
func TestReconcileBoard(t *testing.T) {
	cfg, err := Index766Defaults()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range cfg.Groups {
		if data.PortalGroupMax[g.Code] != g.Max {
			t.Errorf("group %s: the portal's maximum %v, index766.toml's %v", g.Code, data.PortalGroupMax[g.Code], g.Max)
		}
	}
	if len(cfg.Groups) != len(data.PortalGroups) {
		t.Errorf("%d groups, the portal shows %d", len(cfg.Groups), len(data.PortalGroups))
	}
	if cfg.Reconcile.FlagAbove != 0.5 {
		t.Fatalf("threshold %v, want the issue's 0.5", cfg.Reconcile.FlagAbove)
	}
	reg := data.Reference()
	p, _ := data.ParsePeriod("2026-09")
	unit := func(code string) data.Unit {
		u, ok := reg.At(code, p.To)
		if !ok {
			t.Fatalf("no unit %s", code)
		}
		return u
	}
	// egovkpi's groups: 10 each where it has data
	result := func(noData ...string) Index766Result {
		var r Index766Result
		for _, g := range cfg.Groups {
			gs := Index766GroupScore{Code: g.Code, Points: 10, Max: g.Max}
			for _, n := range noData {
				gs.NoData = gs.NoData || n == g.Code
			}
			if !gs.NoData {
				r.Total += 10
			}
			r.Groups = append(r.Groups, gs)
		}
		return r
	}
	rank := func(i int) *int { return &i }
	b := &Index766Board{Period: p, Group: data.Provinces, Config: cfg, Rows: []Index766Row{
		{Unit: unit("01"), Result: result(), Rank: rank(1)},
		{Unit: unit("79"), Result: result(), Rank: rank(1)},
		{Unit: unit("31"), Result: result(), Rank: rank(1)},
		{Unit: unit("48"), Result: result("TTTT"), Rank: rank(4)},
		{Unit: unit("92"), Result: result(), Rank: rank(5)}, // egovkpi only
		{Unit: unit("04"), Result: result()},                // no data, not in the portal: left out
		{Unit: unit("22"), Result: result()},                // no data, scored by the portal
	}}
	portal := func(code string, total float64, groups map[string]float64) data.PortalScore {
		g := map[string]float64{}
		for _, c := range data.PortalGroups {
			g[c] = 10
		}
		for c, v := range groups {
			if v < 0 {
				delete(g, c)
			} else {
				g[c] = v
			}
		}
		return data.PortalScore{UnitCode: code, Period: p, Total: total, Groups: g, Version: 1}
	}
	scores := []data.PortalScore{
		portal("01", 60, nil),                                // equal
		portal("79", 59.6, map[string]float64{"TDGQ": 10.4}), // egovkpi 0.4 above on the total, 0.4 below on TDGQ
		portal("31", 60, map[string]float64{"MDHL": 9.4}),    // 0.6 on one group
		portal("48", 50.5, map[string]float64{"TTTT": -1}),   // 0.5 exactly: not above; TTTT absent on both sides
		portal("22", 55, nil),                                // the portal only
		portal("BQP", 70, nil),                               // a ministry: another board's
	}
	rec := ReconcileBoard(b, scores, reg)
	byCode := map[string]ReconcileRow{}
	for _, r := range rec.Rows {
		byCode[r.Unit.Code] = r
	}
	if _, ok := byCode["BQP"]; ok {
		t.Error("a ministry's scores on the provinces' board")
	}
	if _, ok := byCode["04"]; ok {
		t.Error("a unit without data on either side is listed")
	}
	for _, tc := range []struct {
		code      string
		side      string
		flagged   bool
		totalDiff string // "" when none
		flagCodes string // the cells flagged
	}{
		{"01", SideBoth, false, "0", ""},
		{"79", SideBoth, false, "0.4", ""},
		{"31", SideBoth, true, "0", "MDHL"},
		{"48", SideBoth, false, "-0.5", ""},
		{"92", SideEgovkpiOnly, false, "", "total CKMB TDGQ ONLINE TTTT MDSH MDHL"},
		{"22", SidePortalOnly, false, "", "total CKMB TDGQ ONLINE TTTT MDSH MDHL"},
	} {
		t.Run(tc.code, func(t *testing.T) {
			r, ok := byCode[tc.code]
			if !ok {
				t.Fatal("missing")
			}
			if r.Side != tc.side || r.Flagged != tc.flagged {
				t.Errorf("side %s flagged %v, want %s %v", r.Side, r.Flagged, tc.side, tc.flagged)
			}
			diff := ""
			if r.Total.Diff != nil {
				diff = strconv.FormatFloat(*r.Total.Diff, 'f', -1, 64)
			}
			if diff != tc.totalDiff {
				t.Errorf("total diff %q, want %q", diff, tc.totalDiff)
			}
			var flagged []string
			for _, c := range append([]ReconcileCell{r.Total}, r.Groups...) {
				if c.Flagged {
					flagged = append(flagged, c.Code)
				}
			}
			if got := strings.Join(flagged, " "); got != tc.flagCodes {
				t.Errorf("flagged cells %q, want %q", got, tc.flagCodes)
			}
		})
	}
	if rec.Compared != 4 || rec.Flagged != 1 || rec.EgovkpiOnly != 1 || rec.PortalOnly != 1 || rec.Threshold != 0.5 || !rec.Imported {
		t.Errorf("summary: compared %d flagged %d egovkpi-only %d portal-only %d threshold %v", rec.Compared, rec.Flagged, rec.EgovkpiOnly, rec.PortalOnly, rec.Threshold)
	}
	// the portal's units no longer in force are listed with the unit carrying their work
	old := 0
	for _, u := range reg.All() {
		if u.Group == data.Provinces && !u.ValidTo.IsZero() && reg.Current(u.Code) != u.Code {
			rec := ReconcileBoard(b, []data.PortalScore{portal(u.Code, 40, nil)}, reg)
			last := rec.Rows[len(rec.Rows)-1]
			if last.Side != SidePortalOnly || last.MergedInto != reg.Current(u.Code) || last.Unit.Code != u.Code {
				t.Errorf("%s: %+v", u.Code, last)
			}
			old++
			break
		}
	}
	if old == 0 {
		t.Error("no merged province found in the reference units")
	}
}

// TestReconcileThresholdInConfig: the threshold is the definitions file's, and must be a
// positive number of points.
func TestReconcileThresholdInConfig(t *testing.T) {
	base := string(defaultIndex766)
	for _, tc := range []struct {
		name, value string
		ok          bool
	}{{"one point", "1.0", true}, {"zero", "0", false}, {"negative", "-0.5", false}} {
		t.Run(tc.name, func(t *testing.T) {
			b := strings.Replace(base, "flag_above_points = 0.5", "flag_above_points = "+tc.value, 1)
			cfg, err := ParseIndex766Config([]byte(b), "test.toml")
			if (err == nil) != tc.ok {
				t.Fatalf("err %v, want ok %v", err, tc.ok)
			}
			if tc.ok && cfg.Reconcile.FlagAbove != 1 {
				t.Errorf("threshold %v", cfg.Reconcile.FlagAbove)
			}
		})
	}
}
