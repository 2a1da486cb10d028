// Package ingest turns what units send (spreadsheets, CSV files, API pulls, the demo
// history) into validated submissions for the store.
package ingest

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

// Submitter stores accepted submissions; *data.Store is one.
type Submitter interface {
	Submit(ctx context.Context, subs []data.Submission) ([]data.Submission, error)
}

// DemoStart is the first month of the demo history.
var DemoStart = data.NewMonth(2019, 1)

// Demo describes a deterministic, believable history: the same Seed and Through give the
// same numbers, byte for byte.
type Demo struct {
	Seed    uint64
	Through data.Month // last month seeded, usually the last complete month
}

// LastCompleteMonth is the month before now in Viet Nam time.
func LastCompleteMonth(now time.Time) data.Month {
	return data.MonthOf(now.In(VietnamTime)).Add(-1)
}

// VietnamTime is data.VietnamTime, the one time zone every month is judged in.
var VietnamTime = data.VietnamTime()

// anchor is a point on a national curve: the rate the demo aims at in that month.
type anchor struct {
	m    data.Month
	rate float64
}

func ym(y, m int) data.Month { return data.NewMonth(y, m) }

// The national curves follow what was published: electronic documents 86.5% in 2019,
// on time 95.8% in 2019, level 4 16% in August 2020 and over 30% at the end of 2020,
// about 97% by late 2022, online dossiers from a few percent to 80% by 2025.
var curves = map[string][]anchor{
	"edoc":      {{ym(2019, 1), .865}, {ym(2019, 12), .865}, {ym(2020, 12), .90}, {ym(2022, 12), .95}, {ym(2025, 12), .98}},
	"on_time":   {{ym(2019, 1), .958}, {ym(2019, 12), .958}, {ym(2020, 12), .962}, {ym(2022, 12), .97}, {ym(2025, 12), .98}},
	"level4":    {{ym(2019, 1), .05}, {ym(2020, 7), .12}, {ym(2020, 8), .16}, {ym(2020, 12), .315}, {ym(2021, 12), .62}, {ym(2022, 10), .97}, {ym(2025, 12), .975}},
	"level3":    {{ym(2019, 1), .40}, {ym(2020, 12), .45}, {ym(2022, 10), .02}, {ym(2025, 12), .015}},
	"online":    {{ym(2019, 1), .03}, {ym(2020, 12), .10}, {ym(2022, 12), .30}, {ym(2024, 12), .55}, {ym(2025, 12), .80}, {ym(2027, 12), .88}},
	"digitized": {{ym(2019, 1), .05}, {ym(2022, 12), .40}, {ym(2025, 12), .75}, {ym(2027, 12), .85}},
	"payment":   {{ym(2019, 1), .02}, {ym(2022, 12), .25}, {ym(2025, 12), .60}, {ym(2027, 12), .70}},
	"satisfied": {{ym(2019, 1), .90}, {ym(2025, 12), .95}},
	"published": {{ym(2019, 1), .95}, {ym(2025, 12), .99}},
	"resolved":  {{ym(2019, 1), .97}, {ym(2025, 12), .98}},
	"payable":   {{ym(2019, 1), .40}, {ym(2025, 12), .45}},
	"feedback":  {{ym(2019, 1), .05}, {ym(2025, 12), .30}},
}

func curve(name string, m data.Month) float64 {
	pts := curves[name]
	if m <= pts[0].m {
		return pts[0].rate
	}
	for i := 1; i < len(pts); i++ {
		if m <= pts[i].m {
			a, b := pts[i-1], pts[i]
			f := float64(m-a.m) / float64(b.m-a.m)
			return a.rate + f*(b.rate-a.rate)
		}
	}
	return pts[len(pts)-1].rate
}

// rng is a small deterministic generator (splitmix64) seeded from a string.
type rng struct{ s uint64 }

func newRNG(seed uint64, parts ...any) *rng {
	h := fnv.New64a()
	fmt.Fprint(h, seed)
	for _, p := range parts {
		fmt.Fprint(h, "|", p)
	}
	return &rng{h.Sum64()}
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// norm is a standard normal draw (Box–Muller).
func (r *rng) norm() float64 {
	u1, u2 := r.float(), r.float()
	if u1 < 1e-12 {
		u1 = 1e-12
	}
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// effect is a unit's lasting place among its peers (leaders stay leaders), keyed by the
// code of the unit now in force so that merged units keep the spirit of their successor.
func (d Demo) effect(kind, code string) float64 {
	return newRNG(d.Seed, "effect", kind, code).norm()
}

// size is a unit's dossier volume per month in an ordinary month.
func (d Demo) size(u data.Unit) float64 {
	r := newRNG(d.Seed, "size", u.Code, u.ValidFrom)
	switch {
	case u.Group == data.Ministries:
		return 300 + 6000*r.float()*r.float()
	case u.Code == "01" || u.Code == "79":
		return 90000 + 30000*r.float()
	default:
		return 6000 + 30000*r.float()*r.float()
	}
}

// unitSize is the size of u; a unit formed by a merger is as large as its predecessors.
func (d Demo) unitSize(reg *data.Registry, u data.Unit) float64 {
	if u.ValidFrom.IsZero() {
		return d.size(u)
	}
	total := 0.0
	for _, p := range reg.All() {
		if !p.ValidTo.IsZero() && p.ValidTo < u.ValidFrom && reg.Current(p.Code) == u.Code && p.Group == u.Group {
			total += d.size(p)
		}
	}
	if total == 0 {
		return d.size(u)
	}
	return total
}

var seasonal = [12]float64{0.85, 0.65, 1.05, 1.0, 1.02, 1.0, 0.98, 1.0, 1.03, 1.05, 1.04, 1.12}

// rates gives each unit its rate for one curve in one month, calibrated so that the
// national rate (weighted by den) is the curve's value.
func (d Demo) rates(reg *data.Registry, curveName string, m data.Month, units []data.Unit, den []float64) []float64 {
	target := curve(curveName, m)
	logit := func(p float64) float64 { return math.Log(p / (1 - p)) }
	base := logit(math.Min(math.Max(target, 1e-4), 1-1e-4))
	eff := make([]float64, len(units))
	for i, u := range units {
		// 0.7 of lasting effect, 0.3 of month-to-month noise
		eff[i] = 0.55*d.effect(curveName, reg.Current(u.Code)) + 0.2*newRNG(d.Seed, "noise", curveName, u.Code, m).norm()
	}
	national := func(shift float64) float64 {
		var n, w float64
		for i := range units {
			n += den[i] / (1 + math.Exp(-(base + shift + eff[i])))
			w += den[i]
		}
		return n / w
	}
	lo, hi := -10.0, 10.0
	for range 60 {
		mid := (lo + hi) / 2
		if national(mid) < target {
			lo = mid
		} else {
			hi = mid
		}
	}
	out := make([]float64, len(units))
	for i := range units {
		out[i] = 1 / (1 + math.Exp(-(base + (lo+hi)/2 + eff[i])))
	}
	return out
}

// Submissions builds the demo history: for every month, every unit in force reports,
// but for a few that report late and fewer that do not report at all.
func (d Demo) Submissions(reg *data.Registry) []data.Submission {
	var out []data.Submission
	for m := DemoStart; m <= d.Through; m++ {
		for _, g := range []data.Group{data.Provinces, data.Ministries} {
			out = append(out, d.month(reg, g, m)...)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Month < out[j].Month })
	return out
}

func (d Demo) month(reg *data.Registry, g data.Group, m data.Month) []data.Submission {
	var units []data.Unit
	for _, u := range reg.InForce(g, m) {
		r := newRNG(d.Seed, "report", u.Code, m)
		if r.float() < 0.025 && m < d.Through.Add(-1) {
			continue // a missing report
		}
		units = append(units, u)
	}
	n := len(units)
	received := make([]float64, n)
	procs := make([]float64, n)
	docs := make([]float64, n)
	for i, u := range units {
		r := newRNG(d.Seed, "volume", u.Code, m)
		growth := 1 + 0.04*float64(m-DemoStart)/12
		received[i] = math.Round(d.unitSize(reg, u) * seasonal[m.Num()-1] * growth * (0.92 + 0.16*r.float()))
		if g == data.Ministries {
			procs[i] = math.Round(40 + d.unitSize(reg, u)/12)
		} else {
			procs[i] = math.Round(1650 + d.unitSize(reg, u)/150)
		}
		docs[i] = math.Round(received[i]*0.12*(0.9+0.2*r.float()) + 400)
	}
	scale := func(curveName string, den []float64) []float64 {
		rates := d.rates(reg, curveName, m, units, den)
		out := make([]float64, n)
		for i := range den {
			out[i] = math.Round(den[i] * rates[i])
		}
		return out
	}
	online := scale("online", received)
	digitized := scale("digitized", received)
	resolved := scale("resolved", received)
	onTime := scale("on_time", resolved)
	payable := scale("payable", received)
	paidOnline := scale("payment", payable)
	feedback := scale("feedback", resolved)
	satisfied := scale("satisfied", feedback)
	published := scale("published", procs)
	level4 := scale("level4", procs)
	level3 := scale("level3", procs)
	edocs := scale("edoc", docs)
	subs := make([]data.Submission, n)
	for i, u := range units {
		l3 := math.Min(level3[i], procs[i]-level4[i])
		subs[i] = data.Submission{
			UnitCode: u.Code, Month: m, Source: "demo", SubmittedBy: "demo",
			SubmittedAt: d.submittedAt(u.Code, m),
			Values: map[string]int64{
				"procedures_total": int64(procs[i]), "procedures_online_full": int64(level4[i]),
				"procedures_online_partial": int64(l3), "procedures_published": int64(published[i]),
				"dossiers_received": int64(received[i]), "dossiers_received_online": int64(online[i]),
				"dossiers_resolved": int64(resolved[i]), "dossiers_resolved_on_time": int64(onTime[i]),
				"dossiers_digitized": int64(digitized[i]), "payments_total": int64(payable[i]),
				"payments_online": int64(paidOnline[i]), "feedback_total": int64(feedback[i]),
				"feedback_satisfied": int64(satisfied[i]), "docs_total": int64(docs[i]),
				"docs_electronic": int64(edocs[i]),
			},
		}
	}
	return subs
}

// submittedAt is when the demo says the report arrived: mostly between the 2nd and the
// 10th of the next month (the deadline), sometimes a few days late.
func (d Demo) submittedAt(code string, m data.Month) time.Time {
	r := newRNG(d.Seed, "when", code, m)
	next := m.Add(1)
	day := 2 + int(r.float()*8)
	if r.float() < 0.07 {
		day = 12 + int(r.float()*10)
	}
	hour := 8 + int(r.float()*9)
	return time.Date(next.Year(), time.Month(next.Num()), day, hour, int(r.float()*60), 0, 0, VietnamTime).UTC()
}

// Load stores the demo history through the same path as any other submission.
func (d Demo) Load(ctx context.Context, reg *data.Registry, s Submitter) (int, error) {
	subs := d.Submissions(reg)
	if _, err := s.Submit(ctx, subs); err != nil {
		return 0, fmt.Errorf("seed demo: %w", err)
	}
	if as, ok := s.(AssessmentSubmitter); ok {
		if _, err := as.SubmitAssessments(ctx, d.Assessments(reg)); err != nil {
			return 0, fmt.Errorf("seed demo capabilities: %w", err)
		}
	}
	return len(subs), nil
}

// capabilityYears is when, give or take a unit's own pace, units came to have each capability.
var capabilityYears = []struct {
	code string
	year float64
}{
	{"portal", 2017}, {"service_centre", 2019}, {"one_stop", 2019.5}, {"doc_axis", 2019}, {"lgsp", 2020.5},
	{"payment", 2021.5}, {"ndxp", 2022}, {"security_levels", 2022}, {"population_db", 2022.5}, {"soc", 2023.5}, {"open_data", 2024},
}

// Assessments are the demo's capability checklists: every January, and when the units
// formed by the 2025 mergers start.
func (d Demo) Assessments(reg *data.Registry) []data.Assessment {
	var out []data.Assessment
	for m := DemoStart; m <= d.Through; m++ {
		for _, g := range []data.Group{data.Provinces, data.Ministries} {
			for _, u := range reg.InForce(g, m) {
				if m.Num() != 1 && u.ValidFrom != m {
					continue
				}
				pace := 1.2 * d.effect("capability", reg.Current(u.Code)) // leaders build early
				year := float64(m.Year()) + float64(m.Num()-1)/12
				items := map[string]data.Item{}
				for _, c := range capabilityYears {
					if c.code == "service_centre" && g != data.Provinces {
						continue
					}
					v := 0.0
					if year >= c.year-pace {
						v = 1
					}
					items[c.code] = data.Item{Value: v, Evidence: fmt.Sprintf("Báo cáo tự đánh giá %s", m)}
				}
				sig := math.Min(100, math.Max(0, math.Round(35+9*(year-2019)+6*pace)))
				items["digital_signature"] = data.Item{Value: sig}
				if g == data.Provinces {
					items["commune_network"] = data.Item{Value: math.Min(100, math.Max(0, math.Round(50+8*(year-2019)+5*pace)))}
				}
				out = append(out, data.Assessment{UnitCode: u.Code, Month: m, SubmittedBy: "demo", SubmittedAt: d.submittedAt(u.Code, m), Items: items})
			}
		}
	}
	return out
}

// AssessmentSubmitter stores capability checklists; *data.Store is one.
type AssessmentSubmitter interface {
	SubmitAssessments(ctx context.Context, as []data.Assessment) ([]data.Assessment, error)
}
