package metrics

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
)

// The SQL path (data.Store.Index766Counts over DuckDB, fed through the one way in) against
// the record-level reference, on the hand-made set and on generated records.

// handMadeUnits maps the hand-made set's unit codes to real units, so that the files pass
// ingestion's checks: P01 and P02 are provinces, M01 and M99 ministries.
var handMadeUnits = map[string]string{"P01": "01", "P02": "79", "M01": "BQP", "M99": "BCA"}

// remapCSV rewrites a testdata file's unit_code column by m.
func remapCSV(t *testing.T, name string, m map[string]string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "index766", name))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range recs[0] {
		if h == "unit_code" {
			col = i
		}
	}
	for _, r := range recs[1:] {
		if v, ok := m[r[col]]; ok {
			r[col] = v
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type sqlRig struct {
	t     *testing.T
	store *data.Store
	in    *ingest.Ingester
}

func newSQLRig(t *testing.T, now time.Time) *sqlRig {
	t.Helper()
	dir := t.TempDir()
	store, err := data.Open(context.Background(), filepath.Join(dir, "i.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return &sqlRig{t: t, store: store, in: &ingest.Ingester{Store: store, FilesDir: filepath.Join(dir, "files"), Now: func() time.Time { return now }}}
}

// send ingests a file as the committee and wants it accepted as the kind; at, when set,
// is when it was accepted (a catalogue version is in force from that day).
func (r *sqlRig) send(name, kind string, content []byte, at ...time.Time) {
	r.t.Helper()
	req := ingest.Request{Name: name, Content: content, Actor: "committee", Source: "test", Benchmarks: true}
	if len(at) > 0 {
		req.At = at[0]
	}
	o, err := r.in.Ingest(context.Background(), req)
	if err != nil {
		r.t.Fatal(err)
	}
	if o.Status != ingest.StatusAccepted || o.Kind != kind {
		r.t.Fatalf("%s: %s as %s: %s %v", name, o.Status, o.Kind, o.Message, o.Errors)
	}
}

// compareCounts fails with every count that differs; the sums of days (2.2, shown only)
// are summed in another order and compared within 1e-9.
func compareCounts(t *testing.T, what string, got, want data.Index766Counts) {
	t.Helper()
	if math.Abs(got.EndedDays-want.EndedDays) > 1e-9 {
		t.Errorf("%s: EndedDays %v, reference %v", what, got.EndedDays, want.EndedDays)
	}
	if len(got.Averages) != len(want.Averages) {
		t.Errorf("%s: averages %v, reference %v", what, got.Averages, want.Averages)
	} else {
		for i := range got.Averages {
			g, w := got.Averages[i], want.Averages[i]
			if g.Code != w.Code || g.NameVI != w.NameVI || g.Dossiers != w.Dossiers || math.Abs(g.Days-w.Days) > 1e-9 {
				t.Errorf("%s: average %d %+v, reference %+v", what, i, g, w)
			}
		}
	}
	got.EndedDays, want.EndedDays, got.Averages, want.Averages = 0, 0, nil, nil
	if !reflect.DeepEqual(got, want) {
		gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
		for i := range gv.NumField() {
			if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
				t.Errorf("%s: %s = %v, reference %v", what, gv.Type().Field(i).Name, gv.Field(i).Interface(), wv.Field(i).Interface())
			}
		}
	}
}

// compareResults checks that the scores from the SQL counts are the reference's, to the
// last bit for every count and within 1e-12 for every point.
func compareResults(t *testing.T, what string, got, want Index766Result) {
	t.Helper()
	if math.Abs(got.Total-want.Total) > 1e-12 || fmt.Sprint(got.Incomplete) != fmt.Sprint(want.Incomplete) || fmt.Sprint(got.Notes) != fmt.Sprint(want.Notes) {
		t.Errorf("%s: total %v %v %v, reference %v %v %v", what, got.Total, got.Incomplete, got.Notes, want.Total, want.Incomplete, want.Notes)
	}
	for i, g := range got.Groups {
		if w := want.Groups[i]; math.Abs(g.Points-w.Points) > 1e-12 || g.NoData != w.NoData {
			t.Errorf("%s: group %s %+v, reference %+v", what, g.Code, g, w)
		}
	}
	for i, g := range got.Indicators {
		w := want.Indicators[i]
		if g.Numerator != w.Numerator || g.Denominator != w.Denominator || g.NoDataReason != w.NoDataReason || g.ToFullPoints != w.ToFullPoints ||
			math.Abs(g.Rate-w.Rate) > 1e-12 || math.Abs(g.Points-w.Points) > 1e-12 || math.Abs(g.Max-w.Max) > 1e-12 || fmt.Sprint(g.Notes) != fmt.Sprint(w.Notes) {
			t.Errorf("%s: indicator %s %+v, reference %+v", what, g.ID, g, w)
		}
	}
}

// TestIndex766SQLHandMade loads the hand-made set into DuckDB through the one way in and
// checks, for every unit, period and indicator, that the SQL counts are the reference's
// and so are the scores.
func TestIndex766SQLHandMade(t *testing.T) {
	ctx := context.Background()
	r := newSQLRig(t, time.Date(2026, 11, 5, 9, 0, 0, 0, data.VietnamTime()))
	r.send("procedures.csv", ingest.KindCatalogue, remapCSV(t, "procedures.csv", handMadeUnits))
	r.send("dossiers.csv", ingest.KindDossiers, remapCSV(t, "dossiers.csv", handMadeUnits))
	r.send("feedback.csv", ingest.KindFeedback, remapCSV(t, "feedback.csv", handMadeUnits))

	e := newIndex766Env(t)
	remap := func(c string) string {
		if v, ok := handMadeUnits[c]; ok {
			return v
		}
		return c
	}
	for i := range e.ps {
		e.ps[i].UnitCode = remap(e.ps[i].UnitCode)
	}
	for i := range e.ds {
		e.ds[i].UnitCode = remap(e.ds[i].UnitCode)
	}
	for i := range e.fs {
		e.fs[i].UnitCode = remap(e.fs[i].UnitCode)
	}
	units := []data.Index766Unit{{Code: "01", Kind: "province"}, {Code: "79", Kind: "province"}, {Code: "BQP", Kind: "ministry"},
		{Code: "BCA", Kind: "ministry"}, {Code: "04", Kind: "province"}}
	checked := 0
	for _, ps := range []string{"2026-07", "2026-08", "2026-09", "2026-10", "2026-Q3", "2026-Q4", "2026-H1", "2026-H2", "2026"} {
		p, _ := data.ParsePeriod(ps)
		got, err := r.store.Index766Counts(ctx, e.cal, Index766RulesOf(e.cfg), p, units)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range units {
			t.Run(ps+"/"+u.Code, func(t *testing.T) {
				in := Index766Input{Unit: Unit766{u.Code, u.Kind}, Period: p, Procedures: e.ps, Dossiers: e.ds, Feedback: e.fs}
				want := CountIndex766(e.cfg, e.cal, in)
				compareCounts(t, ps+" "+u.Code, *got[u.Code], want)
				ref, _ := ComputeIndex766(e.cfg, e.cal, in)
				compareResults(t, ps+" "+u.Code, ScoreIndex766(e.cfg, e.cal, p, *got[u.Code]), ref)
			})
			checked++
		}
	}
	// the hand-worked totals of TestIndex766GroupsAndTotal, through SQL: P01 complete,
	// 64.7345; M01 without TTTT, rescaled to 80.1852
	p, _ := data.ParsePeriod("2026-09")
	got, _ := r.store.Index766Counts(ctx, e.cal, Index766RulesOf(e.cfg), p, units[:3])
	p01 := (14.0/9 + 4.0/3 + 2.8 + 10.0/3) + 13.75 + (4 + 3 + 50.0/196/0.5*4) + (2.0/3/0.8*5 + 4.0/6*5) +
		(2.0/3*4.4 + 10.0/14/0.8*4.4 + 4.4 + 4.0/14*4.4 + 2.2) + (5.0/6*4 + 16.0/7 + 4.0/3 + 3.75)
	m01 := (18 + 40.0/3 + 2.5 + 4 + 8.0/3 + 2.0/3/0.8*22 + 2.0/3/0.9*18) * 100 / 90
	for unit, want := range map[string]float64{"01": p01, "BQP": m01} {
		if res := ScoreIndex766(e.cfg, e.cal, p, *got[unit]); math.Abs(res.Total-want) > 1e-9 {
			t.Errorf("%s 2026-09 total %v, worked out by hand %v", unit, res.Total, want)
		}
	}
	t.Logf("%d unit-periods compared", checked)
}

// writeRecords writes generated records as the three files ingestion takes.
func writeRecords(ps []Procedure766, ds []Dossier766, fs []Feedback766) (procs, doss, fb []byte) {
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(data.VietnamTime()).Format("2006-01-02 15:04:05")
	}
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(data.VietnamTime()).Format("2006-01-02")
	}
	tri := func(v Tri) string {
		switch v {
		case Yes:
			return "true"
		case No:
			return "false"
		}
		return ""
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"procedure_code", "name_vi", "level", "unit_code", "max_processing", "max_unit", "online", "full_online_eligible", "paper_result",
		"fee", "payment_integrated", "announced_on", "effective_on", "published_on", "components_complete", "valid_from", "valid_to"})
	for _, p := range ps {
		_ = w.Write([]string{p.Code, p.NameVI, p.Level, p.UnitCode, strconv.FormatFloat(p.MaxProcessing, 'g', -1, 64), p.MaxUnit, p.Online,
			strconv.FormatBool(p.FullOnlineEligible), strconv.FormatBool(p.PaperResult), strconv.FormatBool(p.Fee), strconv.FormatBool(p.PaymentIntegrated),
			day(p.AnnouncedOn), day(p.EffectiveOn), day(p.PublishedOn), tri(p.ComponentsComplete), day(p.ValidFrom), day(p.ValidTo)})
	}
	w.Flush()
	procs = append([]byte(nil), b.Bytes()...)
	b.Reset()
	_ = w.Write([]string{"dossier_id", "unit_code", "procedure_code", "channel", "received_at", "due_at", "resolved_at", "digitized", "fee_required",
		"paid_online", "rating", "supplement_requests", "supplement_requested_at", "supplement_completed_at", "electronic_result", "synced",
		"reused_data", "citizen_store", "vneid", "complaint"})
	codes := map[Channel]string{ChannelDirect: "1", ChannelOnline: "2", ChannelPostal: "postal"}
	for _, d := range ds {
		_ = w.Write([]string{d.ID, d.UnitCode, d.ProcedureCode, codes[d.Channel], ts(d.ReceivedAt), ts(d.DueAt), ts(d.ResolvedAt),
			strconv.FormatBool(d.Digitized), strconv.FormatBool(d.FeeRequired), strconv.FormatBool(d.PaidOnline), d.Rating,
			strconv.Itoa(d.SupplementRequests), ts(d.SupplementRequestedAt), ts(d.SupplementCompletedAt), tri(d.ElectronicResult), tri(d.Synced),
			tri(d.ReusedData), tri(d.CitizenStore), tri(d.VNeID), tri(d.Complaint)})
	}
	w.Flush()
	doss = append([]byte(nil), b.Bytes()...)
	b.Reset()
	_ = w.Write([]string{"id", "unit_code", "received_at", "classified", "handled_at", "outcome", "disliked"})
	for _, f := range fs {
		_ = w.Write([]string{f.ID, f.UnitCode, ts(f.ReceivedAt), strconv.FormatBool(f.Classified), ts(f.HandledAt), f.Outcome, strconv.FormatBool(f.Disliked)})
	}
	w.Flush()
	fb = append([]byte(nil), b.Bytes()...)
	return procs, doss, fb
}

// TestIndex766SQLRandom compares the SQL counts with the reference's on generated records
// (the property tests' generator: every column sometimes empty, supplement requests 0–2,
// open dossiers and feedback, procedures announced around the periods). Each seed is a
// unit of its own, a province or a ministry, its catalogue entries its own (unit_code
// set), so that a batch of 51 seeds goes through the one way in as three files and is
// counted by one query per period.
func TestIndex766SQLRandom(t *testing.T) {
	ctx := context.Background()
	cfg, _ := Index766Defaults()
	cal, _ := data.DefaultCalendar()
	reg := data.Reference()
	var units []data.Index766Unit
	for _, u := range reg.InForce(data.Provinces, data.NewMonth(2026, 9)) {
		units = append(units, data.Index766Unit{Code: u.Code, Kind: "province"})
	}
	for _, u := range reg.InForce(data.Ministries, data.NewMonth(2026, 9)) {
		units = append(units, data.Index766Unit{Code: u.Code, Kind: "ministry"})
	}
	batches := 2
	if testing.Short() {
		batches = 1
	}
	compared := 0
	for b := range batches {
		r := newSQLRig(t, time.Date(2026, 12, 5, 9, 0, 0, 0, data.VietnamTime()))
		inputs := map[string]Index766Input{}
		var allP []Procedure766
		var allD []Dossier766
		var allF []Feedback766
		for i, u := range units {
			seed := uint64(b*len(units) + i)
			ps, ds, fs := randomIndex766(rand.New(rand.NewPCG(seed, 1766)))
			for j := range ps {
				ps[j].NameVI, ps[j].Level, ps[j].UnitCode = "Thủ tục "+ps[j].Code, u.Kind, u.Code
			}
			for j := range ds {
				ds[j].UnitCode = u.Code
			}
			for j := range fs {
				fs[j].UnitCode = u.Code
			}
			inputs[u.Code] = Index766Input{Unit: Unit766{u.Code, u.Kind}, Procedures: ps, Dossiers: ds, Feedback: fs}
			allP, allD, allF = append(allP, ps...), append(allD, ds...), append(allF, fs...)
		}
		procs, doss, fb := writeRecords(allP, allD, allF)
		r.send("procedures.csv", ingest.KindCatalogue, procs)
		r.send("dossiers.csv", ingest.KindDossiers, doss)
		r.send("feedback.csv", ingest.KindFeedback, fb)
		for _, pstr := range []string{"2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-Q3", "2026-Q4", "2026-H2", "2026"} {
			p, _ := data.ParsePeriod(pstr)
			got, err := r.store.Index766Counts(ctx, cal, Index766RulesOf(cfg), p, units)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range units {
				in := inputs[u.Code]
				in.Period = p
				what := fmt.Sprintf("batch %d unit %s %s", b, u.Code, pstr)
				compareCounts(t, what, *got[u.Code], CountIndex766(cfg, cal, in))
				ref, _ := ComputeIndex766(cfg, cal, in)
				compareResults(t, what, ScoreIndex766(cfg, cal, p, *got[u.Code]), ref)
				compared++
				if t.Failed() {
					t.FailNow()
				}
			}
		}
	}
	t.Logf("%d unit-periods of generated records compared", compared)
}
