package metrics

// This month's worklist (issue 17): per unit, the dossiers that will cost points of the
// 766 index if nothing is done before the month ends, each with the points at stake.
//
// Nothing here is a second scoring rule. The unit's counts are the index's own (the SQL
// counts, data.Store.Index766Counts); what fixing a dossier changes in them is counted by
// the index's record-level reference (CountIndex766, the same rules the SQL is checked
// against) on that dossier before and after the fix; and the points are ScoreIndex766's
// total on the counts with that change, less its total on the counts as they are. So a
// threshold already reached gives no points, and a dossier whose fix the rules do not see
// gives none either.

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

// The reasons a dossier is on the worklist: codes, for the pages to put in words.
const (
	// WorklistDue: open, and late at the month's end by 2.1's rule unless it is resolved
	// now (for a closed month: it would have been on time resolved when it could first be).
	WorklistDue = "due_before_month_end"
	// WorklistNotSynced: received in the month and not synced to the national portal (1.4,
	// and 3.3's factor). Only where the unit's records say synced at all: an export
	// without the column leaves 1.4 without data, and nothing to fix dossier by dossier.
	WorklistNotSynced = "not_synced"
	// WorklistNotDigitised: received in the month and not digitised (4.2).
	WorklistNotDigitised = "not_digitised"
	// WorklistNoElectronicResult: a dossier of a paper-result procedure without an
	// electronic result, where issuing one counts: online (3.3), digitised (4.2) or ended
	// in the month (4.1).
	WorklistNoElectronicResult = "no_electronic_result"
	// WorklistSupplement: open and waiting on the citizen's supplement. The rules stop the
	// clock while it waits (end′ = supplement_requested_at), so it costs points only with
	// another reason; it is listed so that the unit follows it up.
	WorklistSupplement = "waiting_on_supplement"
)

// WorklistReasons are the reasons in the order they are shown.
var WorklistReasons = []string{WorklistDue, WorklistNotSynced, WorklistNotDigitised, WorklistNoElectronicResult, WorklistSupplement}

// WorklistItem is one dossier on the worklist.
type WorklistItem struct {
	DossierID     string
	UnitCode      string // the unit holding it (a commune or agency of a province, or the unit)
	ProcedureCode string
	ProcedureName string // the catalogue's name_vi; empty when the procedure is not in it
	Reasons       []string
	ReceivedAt    time.Time  // Viet Nam time
	DueAt         *time.Time // Viet Nam time; nil: none
	// Points is what the unit's index total would gain were this dossier alone fixed
	// (every reason of it), the rest as it is.
	Points float64
}

// WorklistReasonTotal is what fixing one reason on every dossier listed for it would gain,
// all at once (thresholds make it less than the sum of the dossiers' points).
type WorklistReasonTotal struct {
	Reason   string
	Dossiers int
	Points   float64
}

// Worklist is one unit's worklist for a month.
type Worklist struct {
	Unit     data.Unit // the unit asked for
	ScoredAs string    // the unit whose index the points are of: the unit, or a commune's or agency's province
	Period   data.Period
	// Closed: the month is over; the list says what cost points, nothing can be done.
	Closed bool
	// At is the time the list was worked out for: a dossier fixed now is resolved at At.
	At     time.Time
	Total  float64 // the index's total as things are
	Points float64 // what fixing everything listed would gain, all at once
	Items  []WorklistItem
	// ByReason is in WorklistReasons' order, the reasons without dossiers left out.
	ByReason []WorklistReasonTotal
}

// WorklistSource reads a worklist's records; *data.Store is one.
type WorklistSource interface {
	WorklistRecords(ctx context.Context, p data.Period, unit data.Index766Unit, only string) (data.WorklistRecords, error)
}

// Worklist works out unit code's worklist for month period p as of now. The unit may be a
// province or a ministry, or a province's commune or agency (its own dossiers, at stake
// on its province's index). A month after now's is refused.
func (e *Engine) Worklist(ctx context.Context, code string, p data.Period, now time.Time) (*Worklist, error) {
	if p.From != p.To {
		return nil, data.Errorf(data.ErrInvalid, "Danh sách việc cần làm là của một tháng (YYYY-MM), không phải %s",
			"the worklist is a month's (YYYY-MM), not %s", p)
	}
	now = now.In(data.VietnamTime())
	current := data.MonthOf(now)
	if p.From > current {
		return nil, data.Errorf(data.ErrInvalid, "Tháng %s chưa bắt đầu", "%s has not begun", p)
	}
	shown, scored, only, err := e.worklistUnit(code)
	if err != nil {
		return nil, err
	}
	// Kept until the data changes; a current month's list also moves with the clock (what
	// can still be saved), so it is kept a minute at most: paging through it reads one list.
	key := fmt.Sprintf("worklist|%s|%s", code, p)
	if p.To >= current {
		key += "|" + now.Truncate(time.Minute).Format(time.RFC3339)
	}
	return cached(e, key, func() (*Worklist, error) { return e.worklist(ctx, shown, scored, only, p, now, current) })
}

func (e *Engine) worklist(ctx context.Context, shown data.Unit, scored data.Index766Unit, only string, p data.Period, now time.Time, current data.Month) (*Worklist, error) {
	src, ok := e.src.(WorklistSource)
	counter, ok2 := e.src.(Index766Counter)
	if !ok || !ok2 {
		return nil, fmt.Errorf("worklist: the source does not keep dossiers")
	}
	env, err := index766Defaults()
	if err != nil {
		return nil, err
	}
	counts, err := counter.Index766Counts(ctx, env.cal, Index766RulesOf(env.cfg), p, []data.Index766Unit{scored})
	if err != nil {
		return nil, err
	}
	base := data.Index766Counts{UnitCode: scored.Code, Kind: scored.Kind}
	if k := counts[scored.Code]; k != nil {
		base = *k
	}
	recs, err := src.WorklistRecords(ctx, p, scored, only)
	if err != nil {
		return nil, err
	}
	w := &Worklist{Unit: shown, ScoredAs: scored.Code, Period: p, Closed: p.To < current, At: now}
	if w.Closed {
		_, w.At = data.PeriodSpan(p)
	}
	w.fill(env, base, recs)
	return w, nil
}

// worklistUnit is the unit asked for, the unit whose index scores it (kind and code), and
// the unit to list alone ("" for the whole of the scored unit).
func (e *Engine) worklistUnit(code string) (shown data.Unit, scored data.Index766Unit, only string, err error) {
	u, ok := e.Units().Latest(code)
	if !ok {
		if prov := data.AgencyProvince(code); prov != "" {
			if _, ok := e.Units().Latest(prov); ok {
				// an agency: named by its code here (agencies are the store's, not the registry's)
				return data.Unit{Code: code, NameVI: code, NameEN: code, Parent: prov}, data.Index766Unit{Code: prov, Kind: "province"}, code, nil
			}
		}
		return shown, scored, "", data.Errorf(data.ErrNotFound, "không có đơn vị mã “%s”", "no unit with code %q", code)
	}
	if kind, err := index766Kind(u.Group); err == nil {
		return u, data.Index766Unit{Code: u.Code, Kind: kind}, "", nil
	}
	if u.Parent != "" {
		return u, data.Index766Unit{Code: u.Parent, Kind: "province"}, u.Code, nil
	}
	return u, scored, "", data.Errorf(data.ErrInvalid, "Đơn vị %s không được chấm Chỉ số 766", "unit %s is not scored on the 766 index", code)
}

// a fix is one change to a dossier that the rules may reward.
type worklistFix struct {
	reason string
	apply  func(d *Dossier766)
}

// fill lists the dossiers and works out the points.
func (w *Worklist) fill(env *index766Shared, base data.Index766Counts, recs data.WorklistRecords) {
	scored := Unit766{Code: base.UnitCode, Kind: base.Kind}
	byCode := map[string][]Procedure766{}
	for _, e := range recs.Procedures {
		byCode[e.Code] = append(byCode[e.Code], procedureOf(e))
	}
	start, end := data.PeriodSpan(w.Period)
	baseTotal := ScoreIndex766(env.cfg, env.cal, w.Period, base).Total
	points := func(delta data.Index766Counts) float64 {
		k := base
		addCounts(&k, delta, 1)
		return ScoreIndex766(env.cfg, env.cal, w.Period, k).Total - baseTotal
	}
	w.Total = baseTotal
	all := data.Index766Counts{}
	reasonDelta := map[string]*data.Index766Counts{}
	reasonCount := map[string]int{}
	for _, rec := range recs.Dossiers {
		d := dossierOf(rec, scored.Code)
		in := Index766Input{Unit: scored, Period: w.Period, Procedures: byCode[d.ProcedureCode]}
		ctx := newIndex766Ctx(env.cfg, env.cal, in)
		count := func(x Dossier766) data.Index766Counts {
			in.Dossiers = []Dossier766{x}
			return CountIndex766(env.cfg, env.cal, in)
		}
		open := d.ResolvedAt.IsZero() || !d.ResolvedAt.Before(end)
		// when a fix now resolves it: now, or for a closed month the first moment it could
		// have been (its reception, or the month's start)
		at := w.At
		if w.Closed || at.Before(d.ReceivedAt) {
			at = d.ReceivedAt
		}
		if at.Before(start) {
			at = start
		}
		paper := ctx.paperResult(&d)
		var fixes []worklistFix
		if open && at.Before(end) && !ctx.dossierOnTime(&d) {
			fixed := d
			fixed.ResolvedAt = at
			if ctx.dossierOnTime(&fixed) {
				fixes = append(fixes, worklistFix{WorklistDue, func(x *Dossier766) { x.ResolvedAt = at }})
			}
		}
		if base.SyncedKnown > 0 && d.Synced != Yes {
			fixes = append(fixes, worklistFix{WorklistNotSynced, func(x *Dossier766) { x.Synced = Yes }})
		}
		if !d.Digitized {
			fixes = append(fixes, worklistFix{WorklistNotDigitised, func(x *Dossier766) { x.Digitized = true }})
		}
		if paper && d.ElectronicResult != Yes {
			fixes = append(fixes, worklistFix{WorklistNoElectronicResult, func(x *Dossier766) { x.ElectronicResult = Yes }})
		}
		asIs := count(d)
		with := func(keep func(worklistFix) bool) data.Index766Counts {
			x := d
			for _, f := range fixes {
				if keep(f) {
					f.apply(&x)
				}
			}
			return count(x)
		}
		// A reason is listed when, everything else about the dossier fixed, fixing it too
		// still changes what the rules count.
		full := with(func(worklistFix) bool { return true })
		var reasons []string
		var kept []worklistFix
		for _, f := range fixes {
			without := with(func(g worklistFix) bool { return g.reason != f.reason })
			if !reflect.DeepEqual(countsOnly(full), countsOnly(without)) {
				reasons = append(reasons, f.reason)
				kept = append(kept, f)
			}
		}
		if open && d.SupplementRequests >= 1 && !d.SupplementRequestedAt.IsZero() && d.SupplementCompletedAt.IsZero() &&
			d.SupplementRequestedAt.Before(end) {
			reasons = append(reasons, WorklistSupplement)
		}
		if len(reasons) == 0 {
			continue
		}
		fixes = kept
		delta := with(func(worklistFix) bool { return true })
		addCounts(&delta, asIs, -1)
		addCounts(&all, delta, 1)
		for _, f := range fixes {
			one := with(func(g worklistFix) bool { return g.reason == f.reason })
			addCounts(&one, asIs, -1)
			if reasonDelta[f.reason] == nil {
				reasonDelta[f.reason] = &data.Index766Counts{}
			}
			addCounts(reasonDelta[f.reason], one, 1)
		}
		for _, r := range reasons {
			reasonCount[r]++
		}
		it := WorklistItem{DossierID: rec.DossierID, UnitCode: rec.UnitCode, ProcedureCode: d.ProcedureCode, Reasons: reasons,
			ReceivedAt: d.ReceivedAt, Points: points(delta)}
		if p := ctx.procedure(&d); p != nil {
			it.ProcedureName = p.NameVI
		}
		if !d.DueAt.IsZero() {
			due := d.DueAt
			it.DueAt = &due
		}
		w.Items = append(w.Items, it)
	}
	w.Points = points(all)
	for _, r := range WorklistReasons {
		if reasonCount[r] == 0 {
			continue
		}
		t := WorklistReasonTotal{Reason: r, Dossiers: reasonCount[r]}
		if k := reasonDelta[r]; k != nil {
			t.Points = points(*k)
		}
		w.ByReason = append(w.ByReason, t)
	}
	// the most points first; then the soonest due, then the dossier
	sort.SliceStable(w.Items, func(i, j int) bool {
		a, b := w.Items[i], w.Items[j]
		if pa, pb := round(a.Points, 6), round(b.Points, 6); pa != pb {
			return pa > pb
		}
		if (a.DueAt == nil) != (b.DueAt == nil) {
			return a.DueAt != nil
		}
		if a.DueAt != nil && !a.DueAt.Equal(*b.DueAt) {
			return a.DueAt.Before(*b.DueAt)
		}
		return a.DossierID < b.DossierID
	})
}

// countsOnly is the counts without the 2.2 averages (a list, not a count; not scored).
func countsOnly(k data.Index766Counts) data.Index766Counts {
	k.Averages = nil
	return k
}

// addCounts adds sign × every count of d to k (whole numbers and the sums of days); the
// unit, its kind and the 2.2 averages are left as they are.
func addCounts(k *data.Index766Counts, d data.Index766Counts, sign int) {
	kv, dv := reflect.ValueOf(k).Elem(), reflect.ValueOf(d)
	for i := 0; i < kv.NumField(); i++ {
		f := kv.Field(i)
		switch f.Kind() {
		case reflect.Int:
			f.SetInt(f.Int() + int64(sign)*dv.Field(i).Int())
		case reflect.Float64:
			f.SetFloat(f.Float() + float64(sign)*dv.Field(i).Float())
		}
	}
}

// inVietnam reads a kept wall-clock time (a UTC value holding Viet Nam's clock) as the
// instant it is in Viet Nam.
func inVietnam(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), data.VietnamTime())
}

func inVietnamP(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return inVietnam(*t)
}

func triP(b *bool) Tri {
	if b == nil {
		return Unknown
	}
	return TriOf(*b)
}

// dossierOf is a kept dossier as the index's rules read it, counted for unit.
func dossierOf(r data.WorklistDossier, unit string) Dossier766 {
	ch, err := ParseChannel(r.Channel)
	if err != nil {
		ch = Channel(r.Channel)
	}
	return Dossier766{ID: r.DossierID, UnitCode: unit, ProcedureCode: r.ProcedureCode, Channel: ch,
		ReceivedAt: inVietnam(r.ReceivedAt), DueAt: inVietnamP(r.DueAt), ResolvedAt: inVietnamP(r.ResolvedAt),
		Digitized: r.Digitized, FeeRequired: r.FeeRequired, PaidOnline: r.PaidOnline, Rating: r.Rating,
		SupplementRequests: r.SupplementRequests, SupplementRequestedAt: inVietnamP(r.SupplementRequestedAt),
		SupplementCompletedAt: inVietnamP(r.SupplementCompletedAt),
		ElectronicResult:      triP(r.ElectronicResult), Synced: triP(r.Synced), ReusedData: triP(r.ReusedData),
		CitizenStore: triP(r.CitizenStore), VNeID: triP(r.VNeID), Complaint: triP(r.Complaint)}
}

// procedureOf is a kept catalogue entry as the index's rules read it.
func procedureOf(e data.CatalogueEntry) Procedure766 {
	day := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, data.VietnamTime())
	}
	p := Procedure766{Code: e.Code, NameVI: e.NameVI, Level: e.Level, UnitCode: e.UnitCode, MaxUnit: e.MaxUnit, Online: e.Online,
		FullOnlineEligible: e.FullOnlineEligible, PaperResult: e.PaperResult, Fee: e.Fee, PaymentIntegrated: e.PaymentIntegrated,
		AnnouncedOn: day(e.AnnouncedOn), EffectiveOn: day(e.EffectiveOn), PublishedOn: day(e.PublishedOn),
		ValidFrom: day(e.ValidFrom), ValidTo: day(e.ValidTo)}
	if e.MaxProcessing != nil {
		p.MaxProcessing = *e.MaxProcessing
	}
	if e.ComponentsComplete != nil {
		p.ComponentsComplete = TriOf(*e.ComponentsComplete)
	}
	return p
}
