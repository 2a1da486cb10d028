package metrics

import (
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

// ---------------------------------------------------------------------------------------
// The hand-made set, metrics/testdata/index766: units P01 (a province with every rule)
// and M01 (a ministry with an old export: no new columns, no feedback, no fee), P02 and
// M99 only to be ignored. The period is mostly September 2026, which holds the end of the
// Quốc khánh break (Sat 29/8 – Wed 2/9, Mon 31/8 swapped, Sat 22/8 a make-up day). Its
// working days: 3, 4, 7–11, 14–18, 21–25, 28–30 (21 days).

func readTestCSV(t *testing.T, name string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "index766", name))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = strings.TrimSpace(r[i])
		}
		out = append(out, m)
	}
	return out
}

func tAt(t *testing.T, s string) time.Time {
	t.Helper()
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02"} {
		if v, err := time.ParseInLocation(layout, s, data.VietnamTime()); err == nil {
			return v
		}
	}
	t.Fatalf("bad time %q", s)
	return time.Time{}
}

func tri(s string) Tri {
	switch s {
	case "":
		return Unknown
	case "true":
		return Yes
	}
	return No
}

func loadIndex766Testdata(t *testing.T) ([]Procedure766, []Dossier766, []Feedback766) {
	t.Helper()
	var ps []Procedure766
	for _, r := range readTestCSV(t, "procedures.csv") {
		mp, _ := strconv.ParseFloat(r["max_processing"], 64)
		ps = append(ps, Procedure766{Code: r["procedure_code"], NameVI: r["name_vi"], Level: r["level"], UnitCode: r["unit_code"],
			MaxProcessing: mp, MaxUnit: r["max_unit"], Online: r["online"], FullOnlineEligible: r["full_online_eligible"] == "true",
			PaperResult: r["paper_result"] == "true", Fee: r["fee"] == "true", PaymentIntegrated: r["payment_integrated"] == "true",
			AnnouncedOn: tAt(t, r["announced_on"]), EffectiveOn: tAt(t, r["effective_on"]), PublishedOn: tAt(t, r["published_on"]),
			ComponentsComplete: tri(r["components_complete"]), ValidFrom: tAt(t, r["valid_from"]), ValidTo: tAt(t, r["valid_to"])})
	}
	var ds []Dossier766
	for _, r := range readTestCSV(t, "dossiers.csv") {
		ch, err := ParseChannel(r["channel"])
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(r["supplement_requests"])
		ds = append(ds, Dossier766{ID: r["dossier_id"], UnitCode: r["unit_code"], ProcedureCode: r["procedure_code"], Channel: ch,
			ReceivedAt: tAt(t, r["received_at"]), DueAt: tAt(t, r["due_at"]), ResolvedAt: tAt(t, r["resolved_at"]),
			Digitized: r["digitized"] == "true", FeeRequired: r["fee_required"] == "true", PaidOnline: r["paid_online"] == "true",
			Rating: r["rating"], SupplementRequests: n, SupplementRequestedAt: tAt(t, r["supplement_requested_at"]),
			SupplementCompletedAt: tAt(t, r["supplement_completed_at"]), ElectronicResult: tri(r["electronic_result"]),
			Synced: tri(r["synced"]), ReusedData: tri(r["reused_data"]), CitizenStore: tri(r["citizen_store"]),
			VNeID: tri(r["vneid"]), Complaint: tri(r["complaint"])})
	}
	var fs []Feedback766
	for _, r := range readTestCSV(t, "feedback.csv") {
		fs = append(fs, Feedback766{ID: r["id"], UnitCode: r["unit_code"], ReceivedAt: tAt(t, r["received_at"]),
			Classified: r["classified"] == "true", HandledAt: tAt(t, r["handled_at"]), Outcome: r["outcome"], Disliked: r["disliked"] == "true"})
	}
	return ps, ds, fs
}

type index766Env struct {
	cfg *Index766Config
	cal *data.Calendar
	ps  []Procedure766
	ds  []Dossier766
	fs  []Feedback766
}

func newIndex766Env(t *testing.T) index766Env {
	t.Helper()
	cfg, err := Index766Defaults()
	if err != nil {
		t.Fatal(err)
	}
	cal, err := data.DefaultCalendar()
	if err != nil {
		t.Fatal(err)
	}
	ps, ds, fs := loadIndex766Testdata(t)
	return index766Env{cfg, cal, ps, ds, fs}
}

func (e index766Env) compute(t *testing.T, unit, kind, period string) Index766Result {
	t.Helper()
	p, err := data.ParsePeriod(period)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ComputeIndex766(e.cfg, e.cal, Index766Input{Unit: Unit766{unit, kind}, Period: p, Procedures: e.ps, Dossiers: e.ds, Feedback: e.fs})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

const eps = 1e-9

func near(a, b float64) bool { return math.Abs(a-b) < eps }

// ---------------------------------------------------------------------------------------

func TestIndex766DefaultPoints(t *testing.T) {
	cfg, err := Index766Defaults()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"1.1": 14.0 / 3, "1.2": 4, "1.3": 14.0 / 3, "1.4": 14.0 / 3, // CKMB 18: 1.2 = 4, the rest 14 in three
		"2.1": 20, "2.2": 0, // TDGQ 20: 2.2 shown only
		"3.1": 4, "3.2": 4, "3.3": 4, // ONLINE 12 in three
		"3.5": 5, "3.6": 5, // TTTT 10 in two
		"4.1": 4.4, "4.2": 4.4, "4.3": 4.4, "4.4": 4.4, "4.5": 4.4, // MDSH 22 in five
		"5.1": 4, "5.2": 4, "5.3": 4, "5.4": 6, // MDHL 18: 5.4 = 6, the rest 12 in three
	}
	groups := map[string]float64{"CKMB": 18, "TDGQ": 20, "ONLINE": 12, "TTTT": 10, "MDSH": 22, "MDHL": 18}
	seen := 0
	for _, g := range cfg.Groups {
		t.Run(g.Code, func(t *testing.T) {
			if g.Max != groups[g.Code] {
				t.Errorf("max %v, want %v", g.Max, groups[g.Code])
			}
			for _, in := range g.Indicators {
				seen++
				if !near(in.Points, want[in.ID]) {
					t.Errorf("%s: %v points, want %v", in.ID, in.Points, want[in.ID])
				}
			}
		})
	}
	if seen != len(want) {
		t.Errorf("%d indicators, want %d", seen, len(want))
	}
	bad := map[string]string{
		"unknown indicator": strings.Replace(string(defaultIndex766), `id = "4.5"`, `id = "4.9"`, 1),
		"groups not 100":    strings.Replace(string(defaultIndex766), "max = 22 #", "max = 23 #", 1),
		"points over max":   strings.Replace(string(defaultIndex766), "points = 20 #", "points = 21 #", 1),
		"unknown key":       strings.Replace(string(defaultIndex766), "threshold = 90", "threshold = 90\n  weight = 2", 1),
		"missing rule":      strings.Replace(string(defaultIndex766), "ministry = 20, ", "", 1),
	}
	for name, b := range bad {
		t.Run("bad: "+name, func(t *testing.T) {
			if _, err := ParseIndex766Config([]byte(b), name); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestIndex766ParseChannel(t *testing.T) {
	cases := map[string]Channel{"1": ChannelDirect, "2": ChannelOnline, "3": ChannelPostal, "online": ChannelOnline, " Direct ": ChannelDirect, "postal": ChannelPostal}
	for in, want := range cases {
		t.Run(in, func(t *testing.T) {
			if got, err := ParseChannel(in); err != nil || got != want {
				t.Errorf("ParseChannel(%q) = %q, %v", in, got, err)
			}
		})
	}
	if _, err := ParseChannel("4"); err == nil {
		t.Error("channel 4 accepted")
	}
}

// TestIndex766DossierRules checks 2.1's verdict on each dossier of P01 in September 2026
// (period end: 1/10/2026 00:00), one rule of the issue each.
func TestIndex766DossierRules(t *testing.T) {
	e := newIndex766Env(t)
	p, _ := data.ParsePeriod("2026-09")
	c := newIndex766Ctx(e.cfg, e.cal, Index766Input{Unit: Unit766{"P01", "province"}, Period: p, Procedures: e.ps, Dossiers: e.ds, Feedback: e.fs})
	cases := []struct {
		id, rule string
		onTime   bool
	}{
		{"D01", "resolved 9/9 10:00 before due 10/9 17:00", true},
		// Resolved 14/9 10:00 after due 10/9 17:00, but it waited on the citizen from 7/9 08:00
		// to 11/9 08:00 (96 h): end′ = 10/9 10:00 ≤ due.
		{"D02", "supplement time subtracted", true},
		{"D03", "two supplement requests: late although resolved early", false},
		// Open; its only request (22/9 09:00) not completed: end′ = 22/9 09:00 ≤ due 24/9 17:00.
		// (Judged at the period's end it would be late.)
		{"D04", "waiting on a supplement ends at the request", true},
		{"D05", "open at the period's end within due (1/10 00:00 ≤ 1/10 17:00)", true},
		{"D06", "open at the period's end past due (28/9 17:00)", false},
		// No due date; PB's maximum is 3 days of 24 h: 14/9 08:00 → 17/9 09:00 is 73 h.
		{"D07", "no due date, days: 73 h > 72 h", false},
		// No due date; PC's maximum is 48 hours: 15/9 08:00 → 17/9 08:00 is exactly 48 h.
		{"D08", "no due date, hours: 48 h ≤ 48 h", true},
		// No due date; PA's maximum is 5 working days. Fri 28/8 14:00 → Mon 7/9 14:00 is 10
		// days of wall clock, but 29/8–2/9 are the Quốc khánh break: working time = 28/8 10 h
		// + 3/9 24 h + 4/9 24 h + 7/9 14 h = 72 h = 3 working days ≤ 5.
		{"D09", "no due date, working days across the Quốc khánh break", true},
		// 3/9 08:00 → 11/9 09:00: 3/9 16 h + 4, 7, 8, 9, 10/9 5 × 24 h + 11/9 9 h = 145 h ≈ 6.04 > 5.
		{"D10", "no due date, working days: 6.04 > 5", false},
		{"D11", "resolved 10/9 before due 11/9", true},
		{"D12", "resolved 11/9 before due 14/9", true},
		// Received 20/7, due 3/8, resolved 8/9: late in September.
		{"D14", "a long dossier resolved late", false},
		{"D15", "a commune procedure, resolved before due", true},
		// PZ is not in the catalogue: no paper result, no maximum; no due date: nothing missed.
		{"D16", "procedure not in the catalogue, no due date", true},
		{"D19", "resolved before due (with a complaint: 5.4 only)", true},
	}
	byID := map[string]*Dossier766{}
	for _, d := range c.handled {
		byID[d.ID] = d
	}
	for _, tc := range cases {
		t.Run(tc.id+" "+tc.rule, func(t *testing.T) {
			d := byID[tc.id]
			if d == nil {
				t.Fatalf("%s not handled in the period", tc.id)
			}
			if got := c.dossierOnTime(d); got != tc.onTime {
				t.Errorf("on time = %v, want %v", got, tc.onTime)
			}
		})
	}
	if len(c.handled) != len(cases) {
		var ids []string
		for _, d := range c.handled {
			ids = append(ids, d.ID)
		}
		t.Errorf("handled in September: %v, want the %d above", ids, len(cases))
	}
}

type want766 struct {
	id          string
	num, den    int
	rate        float64 // 0–1
	points, max float64
	toFull      int
	noData      string
	note        string // a note that must be present
}

// TestIndex766HandMade asserts every indicator of P01 and M01 for September 2026, worked
// out by hand below.
func TestIndex766HandMade(t *testing.T) {
	e := newIndex766Env(t)
	sets := []struct {
		unit, kind, period string
		want               []want766
	}{
		{"P01", "province", "2026-09", []want766{
			// P01's catalogue in force on 30/9: PA, PB, PC, PD (province, every unit) and PE
			// (commune); not PF (valid to 31/8), PG (P02's own), PX (a ministry's), MA, MB.
			// Announced in September: PA (3/9), PB (7/9), PE (21/9); PD was announced 28/8.
			//
			// 1.1 (province: effective − 5 working days): PA effective Tue 15/9 − 5 = Tue 8/9
			// (14, 11, 10, 9, 8), announced 3/9: on time. PB effective Fri 11/9 − 5 = Fri 4/9,
			// announced 7/9: late. PE has no effective_on: not on time. 1/3 × 14/3 = 14/9.
			{id: "1.1", num: 1, den: 3, rate: 1.0 / 3, points: 14.0 / 9, max: 14.0 / 3, toFull: 2},
			// 1.2 (province: published ≤ announced + 5 working days): PA 3/9 + 5 = 10/9 (4, 7,
			// 8, 9, 10), published 10/9: on time, the last day. PB 7/9 + 5 = 14/9, published
			// 15/9: late. PE not published: late. 1/3 × 4.
			{id: "1.2", num: 1, den: 3, rate: 1.0 / 3, points: 4.0 / 3, max: 4, toFull: 2},
			// 1.3: components complete PA, PB, PD yes; PC no; PE empty (not complete): 3/5 ×
			// 14/3 = 2.8.
			{id: "1.3", num: 3, den: 5, rate: 0.6, points: 2.8, max: 14.0 / 3, toFull: 2},
			// 1.4: received in September: D01–D08, D10–D12, D15, D16, D19 = 14 (D09 came on
			// 28/8, D18 on 1/10, D17 is P02's). Synced: D01, D02, D03, D04, D07, D08, D10, D11,
			// D12, D15 = 10 (D05, D06, D19 no; D16 empty). 10/14 × 14/3 = 10/3.
			{id: "1.4", num: 10, den: 14, rate: 10.0 / 14, points: 10.0 / 3, max: 14.0 / 3, toFull: 4},
			// 2.1: handled = 13 ended in September (D01, D02, D03, D07–D12, D14, D15, D16, D19)
			// + 3 open at its end (D04, D05, D06) = 16; late: D03, D06, D07, D10, D14 (see
			// TestIndex766DossierRules) → 11/16 × 20 = 13.75.
			{id: "2.1", num: 11, den: 16, rate: 11.0 / 16, points: 13.75, max: 20, toFull: 5, note: NoteProcedureNotInCatal},
			// 2.2 (not scored): ended in September: 13 dossiers; their end′ − received in days:
			// D01 6+2/24, D02 7 (14/9 10:00 − 96 h = 10/9 10:00, from 3/9 08:00) + 2/24, D03 4,
			// D07 3+1/24, D08 2, D09 10, D10 8+1/24, D11 2, D12 2, D14 50+2/24, D15 3+7/24,
			// D16 20+8/24, D19 1 → whole days 118, hours 2+2+1+1+2+7+8 = 23 → (118 + 23/24) / 13
			// ≈ 9.15 days.
			{id: "2.2", num: 13, den: 13, rate: (118 + 23.0/24) / 13, points: 0, max: 0},
			// 3.1: online partial/full: PA, PB, PD, PE of 5 = 80%, exactly the threshold: 4.
			{id: "3.1", num: 4, den: 5, rate: 0.8, points: 4, max: 4, toFull: 0},
			// 3.2: of PA, PB, PD, PE, online dossiers received in September came for PA (D01,
			// D03), PB (D11, D12), PE (D15); none for PD → 3/4 × 4 = 3.
			{id: "3.2", num: 3, den: 4, rate: 0.75, points: 3, max: 4, toFull: 1},
			// 3.3: online received: D01, D03 (channel code 2), D08, D11, D12, D15; D11 is PB
			// (paper result) without an electronic result: does not count → 5/14. Sync factor
			// 10/14: rate = 5/14 × 10/14 = 50/196 ≈ 25.51% < 50% → 0.2551/0.5 × 4 ≈ 2.0408.
			// To full: (5 + k)/14 × 10/14 ≥ 0.5 → k ≥ 4.8 → 5 online dossiers.
			{id: "3.3", num: 5, den: 14, rate: 50.0 / 196, points: 50.0 / 196 / 0.5 * 4, max: 4, toFull: 5},
			// 3.5: fee procedures PA, PB, PE; integrated PA, PE → 2/3 = 66.67% < 80% →
			// (2/3)/0.8 × 5 = 4.1667. To full: ⌈0.8 × 3 − 2⌉ = 1 procedure.
			{id: "3.5", num: 2, den: 3, rate: 2.0 / 3, points: 2.0 / 3 / 0.8 * 5, max: 5, toFull: 1},
			// 3.6: received with a fee: D01, D02, D07, D11, D12, D15; paid online D01, D11,
			// D12, D15 → 4/6 × 5.
			{id: "3.6", num: 4, den: 6, rate: 4.0 / 6, points: 4.0 / 6 * 5, max: 5, toFull: 2},
			// 4.1: ended in September, PB (paper result): D07 (electronic), D11 (not), D12
			// (electronic) → 2/3 × 4.4.
			{id: "4.1", num: 2, den: 3, rate: 2.0 / 3, points: 2.0 / 3 * 4.4, max: 4.4, toFull: 1},
			// 4.2: digitised among the 14: all but D05, D16 = 12; of those PB without an
			// electronic result: D04, D11 → 10/14 = 71.43% < 80% → (10/14)/0.8 × 4.4 ≈ 3.9286.
			// To full: ⌈0.8 × 14 − 10⌉ = ⌈1.2⌉ = 2.
			{id: "4.2", num: 10, den: 14, rate: 10.0 / 14, points: 10.0 / 14 / 0.8 * 4.4, max: 4.4, toFull: 2},
			// 4.3: reused data: all but D16 (empty) and D19 (no) = 12/14 = 85.71% ≥ 80%: full.
			{id: "4.3", num: 12, den: 14, rate: 12.0 / 14, points: 4.4, max: 4.4, toFull: 0},
			// 4.4: citizen store D01, D02, D03, D12 → 4/14 × 4.4.
			{id: "4.4", num: 4, den: 14, rate: 4.0 / 14, points: 4.0 / 14 * 4.4, max: 4.4, toFull: 10},
			// 4.5: VNeID D01, D02, D03, D08, D11, D12, D15 → 7/14 × 4.4 = 2.2.
			{id: "4.5", num: 7, den: 14, rate: 0.5, points: 2.2, max: 4.4, toFull: 7},
			// 5.1: feedback received in September: F01, F02, F03, F04 (on the 1/9 holiday),
			// F05, F09 = 6 (F06, F07 came in August, F08 is P02's); classified all but F03 →
			// 5/6 × 4.
			{id: "5.1", num: 5, den: 6, rate: 5.0 / 6, points: 5.0 / 6 * 4, max: 4, toFull: 1},
			// 5.2: handled in September = closed in it (F01, F02, F03, F06) + open at its end
			// (F04, F05, F09: F09 closed only on 2/10) = 7. F01 handled in 5.08 working days ≤
			// 15; F02 refused in 3 > 2: late; F03 supplement asked in 4 ≤ 5; F06 handled in 17
			// (10/8 → 4/9, the make-up Saturday 22/8 counted, 29/8–2/9 not) > 15: late; F04
			// open since the 1/9 holiday: 20 working days at 1/10 > 15: late; F05 open 7.67 ≤
			// 15; F09 open 2.67 ≤ 15 → 4/7 × 4.
			{id: "5.2", num: 4, den: 7, rate: 4.0 / 7, points: 16.0 / 7, max: 4, toFull: 3},
			// 5.3: (6 received − 2 disliked (F02, F03) − 2 late (F02, F04)) / 6 = 2/6 × 4; F02
			// is taken off twice.
			{id: "5.3", num: 2, den: 6, rate: 2.0 / 6, points: 4.0 / 3, max: 4, toFull: 4},
			// 5.4: (16 handled − 5 late − 2 with a complaint (D19 complaint, D10 dissatisfied,
			// also late: counted twice)) / 16 = 9/16 = 56.25% < 90% → 0.5625/0.9 × 6 = 3.75.
			// To full: ⌈0.9 × 16 − 9⌉ = ⌈5.4⌉ = 6.
			{id: "5.4", num: 9, den: 16, rate: 9.0 / 16, points: 3.75, max: 6, toFull: 6},
		}},
		{"M01", "ministry", "2026-09", []want766{
			// M01's catalogue: MA, MB (ministry, every unit); not PX (M99's). Announced in
			// September: MA only, on Tue 1/9, a holiday.
			// 1.1 (ministry: effective − 20 working days): effective Thu 1/10 − 20 = Thu 3/9
			// (30, 29, 28 | 25–21 | 18–14 | 11–7 | 4, 3), announced 1/9: on time.
			// 1.2 (ministry: + 10 working days): 1/9 + 10 = 16/9 (3, 4, 7–11, 14, 15, 16),
			// published 15/9: on time.
			// 1.3: no components_complete in M01's catalogue; 1.4: no synced column: both no
			// data, so CKMB's 18 points go to 1.1 and 1.2 in proportion 14/3 : 4, i.e.
			// 1.1 max = 14/3 × 18 / (26/3) = 252/26, 1.2 max = 4 × 18 / (26/3) = 216/26.
			{id: "1.1", num: 1, den: 1, rate: 1, points: 252.0 / 26, max: 252.0 / 26},
			{id: "1.2", num: 1, den: 1, rate: 1, points: 216.0 / 26, max: 216.0 / 26},
			{id: "1.3", noData: NoComponentsRecords},
			{id: "1.4", noData: NoSyncedRecords},
			// 2.1: E01 on time, E02 late (resolved 9/9 after due 8/9), E03 (no due date, MB 10
			// working days: 1 day) on time → 2/3 × 20.
			{id: "2.1", num: 2, den: 3, rate: 2.0 / 3, points: 40.0 / 3, max: 20, toFull: 1},
			// 3.1: MA online of MA, MB = 50% < 80% → 0.5/0.8 × 4 = 2.5.
			{id: "3.1", num: 1, den: 2, rate: 0.5, points: 2.5, max: 4, toFull: 1},
			{id: "3.2", num: 1, den: 1, rate: 1, points: 4, max: 4},
			// 3.3: E01 online of 3; no synced anywhere: factor 1, marked → 1/3 / 0.5 × 4.
			// To full: ⌈0.5 × 3 − 1⌉ = 1.
			{id: "3.3", num: 1, den: 3, rate: 1.0 / 3, points: 8.0 / 3, max: 4, toFull: 1, note: NoteSyncFactorOne},
			// TTTT: no procedure with a fee, no dossier with a fee: the group is left out.
			{id: "3.5", noData: NoFeeProcedures},
			{id: "3.6", noData: NoFeeDossiers},
			// MDSH: no paper-result procedure (4.1) and no 4.3–4.5 columns: 4.2 takes all 22.
			// Digitised E01, E03 → 2/3 < 80% → (2/3)/0.8 × 22.
			{id: "4.1", noData: NoPaperResultDossiers},
			{id: "4.2", num: 2, den: 3, rate: 2.0 / 3, points: 2.0 / 3 / 0.8 * 22, max: 22, toFull: 1},
			{id: "4.3", noData: NoReusedDataCol},
			{id: "4.4", noData: NoCitizenStoreCol},
			{id: "4.5", noData: NoVNeIDCol},
			// MDHL: no feedback: 5.1–5.3 no data; 5.4 takes all 18: (3 − 1 late − 0) / 3 =
			// 66.67% < 90% → (2/3)/0.9 × 18 = 13.3333.
			{id: "5.1", noData: NoFeedbackReceived},
			{id: "5.2", noData: NoFeedbackHandled},
			{id: "5.3", noData: NoFeedbackReceived},
			{id: "5.4", num: 2, den: 3, rate: 2.0 / 3, points: 2.0 / 3 / 0.9 * 18, max: 18, toFull: 1},
		}},
	}
	for _, set := range sets {
		r := e.compute(t, set.unit, set.kind, set.period)
		for _, w := range set.want {
			t.Run(set.unit+" "+set.period+" "+w.id, func(t *testing.T) {
				s, ok := r.Score(w.id)
				if !ok {
					t.Fatal("missing")
				}
				if s.NoDataReason != w.noData {
					t.Fatalf("no data %q, want %q", s.NoDataReason, w.noData)
				}
				if w.noData != "" {
					if s.Points != 0 || s.Max != 0 {
						t.Errorf("no data but %v / %v points", s.Points, s.Max)
					}
					return
				}
				if s.Numerator != w.num || s.Denominator != w.den || !near(s.Rate, w.rate) ||
					!near(s.Points, w.points) || !near(s.Max, w.max) || s.ToFullPoints != w.toFull {
					t.Errorf("got %d/%d rate %.6f points %.6f of %.6f, %d to full; want %d/%d rate %.6f points %.6f of %.6f, %d to full",
						s.Numerator, s.Denominator, s.Rate, s.Points, s.Max, s.ToFullPoints, w.num, w.den, w.rate, w.points, w.max, w.toFull)
				}
				if w.note != "" && !containsStr(s.Notes, w.note) {
					t.Errorf("notes %v lack %s", s.Notes, w.note)
				}
			})
		}
	}
}

func containsStr(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// TestIndex766GroupsAndTotal: the six groups and the total, from the indicators above.
func TestIndex766GroupsAndTotal(t *testing.T) {
	e := newIndex766Env(t)
	ckmb := 14.0/9 + 4.0/3 + 2.8 + 10.0/3                                                   // 9.0222
	tdgq := 13.75                                                                           //
	online := 4 + 3 + 50.0/196/0.5*4                                                        // 9.0408
	tttt := 2.0/3/0.8*5 + 4.0/6*5                                                           // 7.5
	mdsh := 2.0/3*4.4 + 10.0/14/0.8*4.4 + 4.4 + 4.0/14*4.4 + 2.2                            // 14.7190
	mdhl := 5.0/6*4 + 16.0/7 + 4.0/3 + 3.75                                                 // 10.7024
	m01 := []float64{18, 40.0 / 3, 2.5 + 4 + 8.0/3, 2.0 / 3 / 0.8 * 22, 2.0 / 3 / 0.9 * 18} // TTTT left out
	m01sum := m01[0] + m01[1] + m01[2] + m01[3] + m01[4]                                    // 72.1667
	cases := []struct {
		unit, kind string
		groups     map[string]float64 // points; absent: no data
		total      float64
		incomplete []string
	}{
		// Complete: the total is the sum of the groups, 64.7345.
		{"P01", "province", map[string]float64{"CKMB": ckmb, "TDGQ": tdgq, "ONLINE": online, "TTTT": tttt, "MDSH": mdsh, "MDHL": mdhl},
			ckmb + tdgq + online + tttt + mdsh + mdhl, nil},
		// TTTT (10 points) has no data: the other groups' 72.1667 of 90 rescaled to 100 = 80.1852.
		{"M01", "ministry", map[string]float64{"CKMB": m01[0], "TDGQ": m01[1], "ONLINE": m01[2], "MDSH": m01[3], "MDHL": m01[4]},
			m01sum * 100 / 90, []string{"TTTT"}},
	}
	for _, tc := range cases {
		t.Run(tc.unit, func(t *testing.T) {
			r := e.compute(t, tc.unit, tc.kind, "2026-09")
			for _, g := range r.Groups {
				want, ok := tc.groups[g.Code]
				if g.NoData == ok || (ok && !near(g.Points, want)) {
					t.Errorf("%s: %.6f (no data %v), want %.6f (present %v)", g.Code, g.Points, g.NoData, want, ok)
				}
			}
			if !near(r.Total, tc.total) {
				t.Errorf("total %.6f, want %.6f", r.Total, tc.total)
			}
			if strings.Join(r.Incomplete, ",") != strings.Join(tc.incomplete, ",") {
				t.Errorf("incomplete %v, want %v", r.Incomplete, tc.incomplete)
			}
		})
	}
	t.Run("a year the calendar lacks is marked", func(t *testing.T) {
		if r := e.compute(t, "P01", "province", "2026-09"); len(r.Notes) != 0 {
			t.Errorf("2026 marked: %v", r.Notes)
		}
		if r := e.compute(t, "P01", "province", "2027-01"); !containsStr(r.Notes, NoteCalendarNotCovered) {
			t.Errorf("2027 not marked: %v", r.Notes)
		}
	})
	t.Run("2.2 by procedure", func(t *testing.T) {
		r := e.compute(t, "P01", "province", "2026-09")
		// PC ended in September: D08 (2 days), D19 (1 day) → 1.5.
		for _, a := range r.Averages {
			if a.ProcedureCode == "PC" && (a.Dossiers != 2 || !near(a.AverageDays, 1.5) || a.NameVI != "Đăng ký C") {
				t.Errorf("PC: %+v", a)
			}
		}
	})
}

// TestIndex766Quarter: a quarter is computed from its records, each dossier once, never by
// summing months.
func TestIndex766Quarter(t *testing.T) {
	e := newIndex766Env(t)
	cases := []struct {
		period   string
		num, den int
		why      string
	}{
		// July: D14 (received 20/7, due 3/8) open at 1/8 00:00: within due.
		{"2026-07", 1, 1, "D14 open within due"},
		// August: D13 (resolved 5/8, due 7/8) on time; D14 open at 1/9 past due 3/8: late; D09
		// (received Fri 28/8 14:00, no due, PA 5 working days) open at 1/9 00:00 after 10 h of
		// working time: on time → 2/3.
		{"2026-08", 2, 3, "D13 on time, D14 late, D09 open"},
		{"2026-09", 11, 16, "see TestIndex766DossierRules"},
		// Q3: the 16 of September + D13 = 17; D14 and D09, handled in two or three months,
		// count once each → 12/17, while the months' denominators add to 1 + 3 + 16 = 20.
		{"2026-Q3", 12, 17, "each dossier once"},
		// H2 2026 = July–December: Q3's 17 plus D18 (1/10, resolved 2/10, on time) = 18; but
		// D05, still open, is now judged at 1/1/2027, past its due date 1/10 17:00: late →
		// 12 − 1 + 1 = 12/18.
		{"2026-H2", 12, 18, "half-year: an open dossier judged at the later end"},
	}
	for _, tc := range cases {
		t.Run(tc.period+" "+tc.why, func(t *testing.T) {
			r := e.compute(t, "P01", "province", tc.period)
			s, _ := r.Score("2.1")
			if s.Numerator != tc.num || s.Denominator != tc.den {
				t.Errorf("2.1 = %d/%d, want %d/%d", s.Numerator, s.Denominator, tc.num, tc.den)
			}
		})
	}
	t.Run("1.1 over the quarter's announcements", func(t *testing.T) {
		// Q3 announcements: PA, PB, PE (September) and PD (Fri 28/8). PD is effective Tue 8/9;
		// − 5 working days skips the Quốc khánh break (29/8–2/9): 7/9, 4/9, 3/9, 28/8, 27/8 →
		// 27/8 < 28/8: late (without the break it would be 1/9, on time). Published 4/9 ≤ 28/8
		// + 5 = 9/9: on time. 1.1 = 1/4, 1.2 = 2/4.
		r := e.compute(t, "P01", "province", "2026-Q3")
		s11, _ := r.Score("1.1")
		s12, _ := r.Score("1.2")
		if s11.Numerator != 1 || s11.Denominator != 4 || s12.Numerator != 2 || s12.Denominator != 4 {
			t.Errorf("1.1 = %d/%d, 1.2 = %d/%d; want 1/4, 2/4", s11.Numerator, s11.Denominator, s12.Numerator, s12.Denominator)
		}
	})
}

// TestIndex766Thresholds checks the scoring rule on each threshold at, below and above it.
func TestIndex766Thresholds(t *testing.T) {
	cfg, _ := Index766Defaults()
	for _, g := range cfg.Groups {
		for _, in := range g.Indicators {
			if in.Threshold == 0 {
				continue
			}
			th := in.Threshold / 100
			cases := []struct {
				name string
				rate float64
				want float64
			}{
				{"at", th, in.Points},
				{"above", (th + 1) / 2, in.Points},
				{"below, in proportion to the threshold", th / 2, in.Points / 2},
				{"zero", 0, 0},
			}
			for _, tc := range cases {
				t.Run(in.ID+" "+tc.name, func(t *testing.T) {
					if got := earned(tc.rate, th, in.Points); !near(got, tc.want) {
						t.Errorf("earned(%v) = %v, want %v", tc.rate, got, tc.want)
					}
				})
			}
		}
	}
}

// ---------------------------------------------------------------------------------------
// Properties, over seeded random units.

// randomIndex766 makes one province's catalogue, dossiers and feedback around Q3 2026,
// with every column sometimes empty so that no-data paths are taken.
func randomIndex766(rng *rand.Rand) ([]Procedure766, []Dossier766, []Feedback766) {
	day0 := time.Date(2026, 6, 1, 0, 0, 0, 0, data.VietnamTime())
	at := func() time.Time { return day0.Add(time.Duration(rng.IntN(150*24*60)) * time.Minute) }
	maybe := func(p float64, t time.Time) time.Time {
		if rng.Float64() < p {
			return t
		}
		return time.Time{}
	}
	tr := func(col bool) Tri {
		if !col {
			return Unknown
		}
		return TriOf(rng.IntN(2) == 0)
	}
	var ps []Procedure766
	units := []string{"hours", "days", "working_days"}
	online := []string{"none", "partial", "full"}
	for i := range rng.IntN(6) {
		a := at()
		ps = append(ps, Procedure766{Code: "P" + strconv.Itoa(i), Level: "province", MaxProcessing: float64(1 + rng.IntN(10)),
			MaxUnit: units[rng.IntN(3)], Online: online[rng.IntN(3)], PaperResult: rng.IntN(2) == 0, Fee: rng.IntN(2) == 0,
			PaymentIntegrated: rng.IntN(2) == 0, AnnouncedOn: maybe(0.7, a), EffectiveOn: maybe(0.8, a.AddDate(0, 0, rng.IntN(30))),
			PublishedOn: maybe(0.8, a.AddDate(0, 0, rng.IntN(15))), ComponentsComplete: tr(rng.IntN(2) == 0)})
	}
	cols := [6]bool{}
	for i := range cols {
		cols[i] = rng.IntN(4) != 0
	}
	ratings := []string{"", "satisfied", "dissatisfied"}
	var ds []Dossier766
	for i := range rng.IntN(40) {
		r := at()
		d := Dossier766{ID: "D" + strconv.Itoa(i), UnitCode: "P", ProcedureCode: "P" + strconv.Itoa(rng.IntN(7)),
			Channel: []Channel{ChannelDirect, ChannelOnline, ChannelPostal}[rng.IntN(3)], ReceivedAt: r,
			DueAt: maybe(0.6, r.Add(time.Duration(rng.IntN(15*24))*time.Hour)), ResolvedAt: maybe(0.8, r.Add(time.Duration(rng.IntN(30*24))*time.Hour)),
			Digitized: rng.IntN(2) == 0, FeeRequired: rng.IntN(2) == 0, PaidOnline: rng.IntN(2) == 0, Rating: ratings[rng.IntN(3)],
			SupplementRequests: rng.IntN(3), ElectronicResult: tr(cols[0]), Synced: tr(cols[1]), ReusedData: tr(cols[2]),
			CitizenStore: tr(cols[3]), VNeID: tr(cols[4]), Complaint: tr(cols[5])}
		if d.SupplementRequests > 0 {
			d.SupplementRequestedAt = r.Add(time.Duration(rng.IntN(5*24)) * time.Hour)
			d.SupplementCompletedAt = maybe(0.6, d.SupplementRequestedAt.Add(time.Duration(rng.IntN(5*24))*time.Hour))
		}
		ds = append(ds, d)
	}
	outcomes := []string{"handled", "refused", "supplement_requested", "open"}
	var fs []Feedback766
	for i := range rng.IntN(10) {
		r := at()
		fs = append(fs, Feedback766{ID: "F" + strconv.Itoa(i), UnitCode: "P", ReceivedAt: r, Classified: rng.IntN(2) == 0,
			HandledAt: maybe(0.7, r.Add(time.Duration(rng.IntN(30*24))*time.Hour)), Outcome: outcomes[rng.IntN(4)], Disliked: rng.IntN(3) == 0})
	}
	return ps, ds, fs
}

func TestIndex766Properties(t *testing.T) {
	cfg, _ := Index766Defaults()
	cal, _ := data.DefaultCalendar()
	periods := []string{"2026-07", "2026-08", "2026-09", "2026-Q3", "2026-H2"}
	fixes, incomplete := 0, 0 // how often the properties were put to the test
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 766))
		ps, ds, fs := randomIndex766(rng)
		for _, ps0 := range periods {
			p, _ := data.ParsePeriod(ps0)
			in := Index766Input{Unit: Unit766{"P", "province"}, Period: p, Procedures: ps, Dossiers: ds, Feedback: fs}
			r, err := ComputeIndex766(cfg, cal, in)
			if err != nil {
				t.Fatal(err)
			}
			name := "seed " + strconv.FormatUint(seed, 10) + " " + ps0
			sum, covered := 0.0, 0.0
			for _, g := range r.Groups {
				// No group above its maximum (nor below 0), nor its indicators above theirs.
				if g.Points > g.Max+eps || g.Points < 0 {
					t.Fatalf("%s: group %s has %v of %v", name, g.Code, g.Points, g.Max)
				}
				if !g.NoData {
					sum += g.Points
					covered += g.Max
				}
			}
			for _, s := range r.Indicators {
				if s.Points > s.Max+eps || (s.Scored && s.NoDataReason == "" && (s.Rate < 0 || s.Rate > 1+eps)) {
					t.Fatalf("%s: indicator %s: rate %v, %v of %v", name, s.ID, s.Rate, s.Points, s.Max)
				}
			}
			// Total = the sum of the groups (rescaled to 100 over the groups with data when
			// one is left out).
			want := sum
			if len(r.Incomplete) > 0 && covered > 0 {
				want = sum * 100 / covered
			}
			if len(r.Incomplete) > 0 {
				incomplete++
			}
			if !near(r.Total, want) || r.Total > 100+eps {
				t.Fatalf("%s: total %v, groups %v (incomplete %v)", name, r.Total, sum, r.Incomplete)
			}
			// A late dossier becoming on time (a due date far ahead, at most one supplement
			// request) never lowers a score: no indicator, group or total goes down.
			c := newIndex766Ctx(cfg, cal, in)
			for _, d := range c.handled {
				if c.dossierOnTime(d) {
					continue
				}
				fixed := append([]Dossier766(nil), ds...)
				for i := range fixed {
					if fixed[i].ID == d.ID {
						fixed[i].DueAt = fixed[i].ReceivedAt.AddDate(5, 0, 0)
						fixed[i].SupplementRequests = min(fixed[i].SupplementRequests, 1)
					}
				}
				in2 := in
				in2.Dossiers = fixed
				r2, _ := ComputeIndex766(cfg, cal, in2)
				if r2.Total < r.Total-eps {
					t.Fatalf("%s: %s on time lowered the total %v → %v", name, d.ID, r.Total, r2.Total)
				}
				for i := range r.Groups {
					if r2.Groups[i].Points < r.Groups[i].Points-eps {
						t.Fatalf("%s: %s on time lowered %s", name, d.ID, r.Groups[i].Code)
					}
				}
				for i := range r.Indicators {
					if r2.Indicators[i].Points < r.Indicators[i].Points-eps {
						t.Fatalf("%s: %s on time lowered %s", name, d.ID, r.Indicators[i].ID)
					}
				}
				s1, _ := r.Score("2.1")
				s2, _ := r2.Score("2.1")
				if s2.Numerator != s1.Numerator+1 {
					t.Fatalf("%s: %s not made on time", name, d.ID)
				}
				fixes++
				break // one per unit and period keeps the test quick
			}
		}
	}
	if fixes < 300 || incomplete < 100 {
		t.Errorf("the generator exercised %d late dossiers made on time and %d incomplete rows: too few", fixes, incomplete)
	}
	t.Logf("%d late dossiers made on time, %d incomplete rows", fixes, incomplete)
}
