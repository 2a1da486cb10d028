package metrics

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
)

// worklistCatalogue is the hand-made worklist's catalogue: PA without a paper result, with
// a fee paid online; PP with a paper result. Both offered online.
const worklistCatalogue = `procedure_code,name_vi,level,unit_code,max_processing,max_unit,online,full_online_eligible,paper_result,fee,payment_integrated
PA,Cấp giấy phép xây dựng,province,,15,working_days,full,true,false,true,true
PP,Cấp bản sao trích lục hộ tịch,province,,3,working_days,full,true,true,false,false
`

// worklistDossiers are Hà Nội's (01) dossiers of September 2026 as things stand at
// 10:00 on 15 September, each on the list for a known reason or, W5 and W6, on none:
//
//	W1 PA online, open, due 17:00 today                     → due (resolved now: on time)
//	W2 PA direct, open, due 17:00 today, not synced, not digitised → due, not_synced, not_digitised
//	W3 PP online, resolved, digitised, electronic_result no → no_electronic_result (3.3, 4.1, 4.2)
//	W4 PA open, due in October, waiting on its supplement   → waiting_on_supplement, 0 points
//	W5 PA resolved on time, all done                        → not listed
//	W6 PA open, due on the 10th: already late whatever is done now → not listed
//	W7 PX (not in the catalogue) resolved, not synced       → not_synced
const worklistDossiers = `dossier_id,unit_code,procedure_code,channel,received_at,due_at,resolved_at,digitized,fee_required,paid_online,rating,supplement_requests,supplement_requested_at,supplement_completed_at,electronic_result,synced
W1,01,PA,online,2026-09-01 08:00,2026-09-15 17:00,,true,false,false,,0,,,,true
W2,01,PA,direct,2026-09-01 08:00,2026-09-15 17:00,,false,false,false,,0,,,,false
W3,01,PP,online,2026-09-01 08:00,2026-10-05 17:00,2026-09-02 08:00,true,false,false,,0,,,false,true
W4,01,PA,direct,2026-09-01 08:00,2026-10-05 17:00,,true,false,false,,1,2026-09-02 08:00,,,true
W5,01,PA,direct,2026-09-01 08:00,2026-10-05 17:00,2026-09-02 08:00,true,false,false,,0,,,,true
W6,01,PA,direct,2026-09-01 08:00,2026-09-10 17:00,,true,false,false,,0,,,,true
W7,01,PX,direct,2026-09-01 08:00,,2026-09-02 08:00,true,false,false,,0,,,,false
`

// The hand-worked figures. As things stand (7 dossiers received and handled):
//
//	1.4 synced 5/7, alone in CKMB (1.1–1.3 without data) → 18 × 5/7 = 90/7
//	2.1 on time 4/7 (W3, W4 waiting: end′ = its request, W5, W7 without due date or maximum) → 20 × 4/7 = 80/7
//	5.4 (4 − 0)/7 over threshold 0.9, alone in MDHL → 18 × (4/7)/0.9 = 80/7
//	3.1 2/2 → 4; 3.2 2/2 → 4; 3.3 online that count 1/7 (W3 lacks its electronic result) × sync 5/7 = 5/49, over 0.5 → 40/49
//	3.5 1/1 → 10 (TTTT: 3.6 without fee dossiers)
//	4.1 0/1 (W3) of max 4.4 × 22/8.8 = 11 → 0; 4.2 digitised and electronic where needed 5/7 over 0.8 → 11 × 25/28 = 275/28
//
// Fixing one dossier (each an exact fraction):
//
//	W1 on time: 2.1 +20/7, 5.4 +18 × (1/7)/0.9 = +20/7 → 40/7
//	W2 on time 40/7; synced: 1.4 +18/7, 3.3 (1/7 × 6/7)/0.5 × 4 − 40/49 = +8/49; digitised: 4.2 6/7 passes
//	   the threshold 0.8, so 11 − 275/28 = +33/28 (not 11 × (1/7)/0.8 = 55/28: the threshold caps it)
//	W3 electronic result: 3.3 (2/7 × 5/7)/0.5 × 4 − 40/49 = +40/49; 4.2 +33/28 as W2's; 4.1 1/1 → +11
//	W7 synced: +18/7 + 8/49;  W4: 0
//
// Each reason fixed on every dossier listed for it, all at once:
//
//	due (W1, W2) 80/7; not_synced (W2, W7) 1.4 +36/7, 3.3 (1/7)/0.5 × 4 − 40/49 = +16/49; not_digitised (W2) 33/28;
//	no_electronic_result (W3) as W3; waiting (W4) 0
//	everything: 80/7 + 36/7 + 3.3 (2/7)/0.5 × 4 − 40/49 = 72/49 + 4.2 capped 11 − 275/28 = 33/28 + 4.1 11
var (
	worklistBase   = 90.0/7 + 80.0/7 + 80.0/7 + 8 + 40.0/49 + 10 + 275.0/28
	worklistPoints = map[string]float64{"W1": 40.0 / 7, "W2": 40.0/7 + 18.0/7 + 8.0/49 + 33.0/28, "W3": 40.0/49 + 33.0/28 + 11,
		"W7": 18.0/7 + 8.0/49, "W4": 0}
	worklistAll = 80.0/7 + 36.0/7 + 72.0/49 + 33.0/28 + 11
)

func worklistRig(t *testing.T, now time.Time) *Engine {
	t.Helper()
	r := newSQLRig(t, now)
	r.send("thu-tuc.csv", ingest.KindCatalogue, []byte(worklistCatalogue))
	r.send("ho-so.csv", ingest.KindDossiers, []byte(worklistDossiers))
	defs, err := DefaultDefs()
	if err != nil {
		t.Fatal(err)
	}
	return NewEngine(r.store, defs)
}

func TestWorklistHandMade(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 9, 15, 10, 0, 0, 0, data.VietnamTime())
	eng := worklistRig(t, now)
	sep, _ := data.ParsePeriod("2026-09")
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

	t.Run("items", func(t *testing.T) {
		w, err := eng.Worklist(ctx, "01", sep, now)
		if err != nil {
			t.Fatal(err)
		}
		if w.Closed || w.ScoredAs != "01" || !near(w.Total, worklistBase) {
			t.Errorf("closed %v scored as %s total %v, want open, 01, %v", w.Closed, w.ScoredAs, w.Total, worklistBase)
		}
		var order []string
		for _, it := range w.Items {
			order = append(order, it.DossierID)
			want, ok := worklistPoints[it.DossierID]
			if !ok || !near(it.Points, want) {
				t.Errorf("%s: %v points, want %v (listed: %v)", it.DossierID, it.Points, want, ok)
			}
		}
		if got := strings.Join(order, ","); got != "W3,W2,W1,W7,W4" {
			t.Errorf("order %s, want W3,W2,W1,W7,W4 (points, most first)", got)
		}
		reasons := map[string]string{"W1": "due_before_month_end", "W2": "due_before_month_end,not_synced,not_digitised",
			"W3": "no_electronic_result", "W4": "waiting_on_supplement", "W7": "not_synced"}
		for _, it := range w.Items {
			if got := strings.Join(it.Reasons, ","); got != reasons[it.DossierID] {
				t.Errorf("%s: reasons %s, want %s", it.DossierID, got, reasons[it.DossierID])
			}
		}
		names := map[string]string{"W1": "Cấp giấy phép xây dựng", "W3": "Cấp bản sao trích lục hộ tịch", "W7": ""}
		for _, it := range w.Items {
			if n, ok := names[it.DossierID]; ok && it.ProcedureName != n {
				t.Errorf("%s: procedure %q, want %q", it.DossierID, it.ProcedureName, n)
			}
			if it.DossierID == "W1" && (it.DueAt == nil || it.DueAt.Format("02/01/2006 15:04 -07") != "15/09/2026 17:00 +07") {
				t.Errorf("W1 due %v", it.DueAt)
			}
		}
		by := map[string]WorklistReasonTotal{}
		var seq []string
		for _, r := range w.ByReason {
			by[r.Reason] = r
			seq = append(seq, r.Reason)
		}
		if fmt.Sprint(seq) != fmt.Sprint(WorklistReasons) {
			t.Errorf("by reason in order %v, want %v", seq, WorklistReasons)
		}
		for r, want := range map[string]struct {
			n   int
			pts float64
		}{WorklistDue: {2, 80.0 / 7}, WorklistNotSynced: {2, 36.0/7 + 16.0/49}, WorklistNotDigitised: {1, 33.0 / 28},
			WorklistNoElectronicResult: {1, worklistPoints["W3"]}, WorklistSupplement: {1, 0}} {
			if g := by[r]; g.Dossiers != want.n || !near(g.Points, want.pts) {
				t.Errorf("%s: %d dossiers %v points, want %d %v", r, g.Dossiers, g.Points, want.n, want.pts)
			}
		}
		if !near(w.Points, worklistAll) {
			t.Errorf("all fixed: %v, want %v", w.Points, worklistAll)
		}
		// the points are the index's own: the base total is the unit's 766 total
		b, err := eng.Index766(ctx, sep, data.Provinces)
		if err != nil {
			t.Fatal(err)
		}
		if row, _ := b.Row("01"); !near(row.Result.Total, w.Total) {
			t.Errorf("index total %v, worklist's %v", row.Result.Total, w.Total)
		}
	})

	// At 18:00 the due time of W1 and W2 has passed: resolving them no longer makes them on
	// time, so they leave the list for that reason (W2 stays for the others).
	t.Run("after the due time", func(t *testing.T) {
		w, err := eng.Worklist(ctx, "01", sep, now.Add(8*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range w.Items {
			if it.DossierID == "W1" {
				t.Errorf("W1 listed after its due time: %+v", it)
			}
			if it.DossierID == "W2" && !near(it.Points, 18.0/7+8.0/49+33.0/28) {
				t.Errorf("W2 after its due time: %v points, want %v", it.Points, 18.0/7+8.0/49+33.0/28)
			}
		}
	})

	// In October, September is closed: the list says what it cost, the dossiers "resolved"
	// when they could first have been; W6 (due on the 10th) is then among them.
	t.Run("closed month", func(t *testing.T) {
		w, err := eng.Worklist(ctx, "01", sep, time.Date(2026, 10, 2, 9, 0, 0, 0, data.VietnamTime()))
		if err != nil {
			t.Fatal(err)
		}
		due := 0
		for _, it := range w.Items {
			for _, r := range it.Reasons {
				if r == WorklistDue {
					due++
				}
			}
		}
		if !w.Closed || due != 3 {
			t.Errorf("closed %v, %d due, want closed with W1, W2, W6", w.Closed, due)
		}
	})

	t.Run("refused", func(t *testing.T) {
		for _, tc := range []struct{ code, period string }{{"01", "2026-10"}, {"01", "2026-Q3"}, {"99", "2026-09"}} {
			p, _ := data.ParsePeriod(tc.period)
			if _, err := eng.Worklist(ctx, tc.code, p, now); err == nil {
				t.Errorf("%s %s: no error", tc.code, tc.period)
			}
		}
	})
}

// TestWorklistCommune: a commune's list is its own dossiers, at stake on its province's
// index; the province's list holds them too, named by the commune that holds them.
//
//	C1 of Phường Ba Đình (00004, Hà Nội), resolved on time, not synced; P1 of Hà Nội (01) itself, all done.
//	Hà Nội's index: 1.4 1/2 alone in CKMB → 9; syncing C1 makes it 2/2 → 18: +9 (3.3 has no online dossier
//	to multiply: 0 either way; 4.2 2/2 already).
func TestWorklistCommune(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 9, 15, 10, 0, 0, 0, data.VietnamTime())
	r := newSQLRig(t, now)
	r.send("thu-tuc.csv", ingest.KindCatalogue, []byte(worklistCatalogue))
	r.send("ho-so.csv", ingest.KindDossiers, []byte(`dossier_id,unit_code,procedure_code,channel,received_at,due_at,resolved_at,digitized,fee_required,paid_online,rating,synced
C1,00004,PA,direct,2026-09-01 08:00,2026-09-20 17:00,2026-09-02 08:00,true,false,false,,false
P1,01,PA,direct,2026-09-01 08:00,2026-09-20 17:00,2026-09-02 08:00,true,false,false,,true
`))
	defs, _ := DefaultDefs()
	eng := NewEngine(r.store, defs)
	sep, _ := data.ParsePeriod("2026-09")
	for _, code := range []string{"00004", "01"} {
		w, err := eng.Worklist(ctx, code, sep, now)
		if err != nil {
			t.Fatal(err)
		}
		if w.ScoredAs != "01" || len(w.Items) != 1 || w.Items[0].DossierID != "C1" || w.Items[0].UnitCode != "00004" ||
			math.Abs(w.Items[0].Points-9) > 1e-9 || math.Abs(w.Points-9) > 1e-9 || fmt.Sprint(w.Items[0].Reasons) != "[not_synced]" {
			t.Errorf("%s: scored as %s, %+v, all %v", code, w.ScoredAs, w.Items, w.Points)
		}
	}
}

// BenchmarkWorklist: Hà Nội's worklist (its own, its communes' and agencies' dossiers) and a
// ministry's, for the demo's last month as of its 20th, on the demo with its 766 records.
//
//	go test ./metrics -run '^$' -bench Worklist -benchtime 5x
func BenchmarkWorklist(b *testing.B) {
	ctx := context.Background()
	store, err := data.Open(ctx, filepath.Join(b.TempDir(), "w.duckdb"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = store.Close() })
	if _, err := (ingest.Demo{Seed: 1, Through: benchThrough, With766: true}).Load(ctx, store.Units(), store); err != nil {
		b.Fatal(err)
	}
	defs, _ := DefaultDefs()
	eng := NewEngine(store, defs)
	now := time.Date(benchThrough.Year(), time.Month(benchThrough.Num()), 20, 9, 0, 0, 0, data.VietnamTime())
	for _, code := range []string{"01", "BCA"} {
		b.Run(code, func(b *testing.B) {
			n := 0
			for i := 0; i < b.N; i++ {
				eng.mu.Lock()
				eng.cache = map[string]any{}
				eng.mu.Unlock()
				w, err := eng.Worklist(ctx, code, data.MonthPeriod(benchThrough), now)
				if err != nil {
					b.Fatal(err)
				}
				n = len(w.Items)
			}
			b.ReportMetric(float64(n), "items")
		})
	}
}
