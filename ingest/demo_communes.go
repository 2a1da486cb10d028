package ingest

import (
	"context"
	"fmt"
	"math"

	"github.com/egovkpi/egovkpi/data"
)

// CommuneShare is the part of a province's dossiers, ratings and outgoing documents that
// the demo's communes handle between them; the rest is the province's own and its
// agencies'. Communes' reports are stored beside their province's, never summed into it:
// the province's monthly report stays what it reported, so the demo's province figures
// are the same with or without its communes.
const CommuneShare = 0.65

// communeRates pairs each rate a commune reports with its denominator and the curve
// whose name keys the commune's lasting effect on it.
var communeRates = []struct{ num, den, effect string }{
	{"dossiers_received_online", "dossiers_received", "online"},
	{"dossiers_resolved", "dossiers_received", "resolved"},
	{"dossiers_resolved_on_time", "dossiers_resolved", "on_time"},
	{"dossiers_digitized", "dossiers_received", "digitized"},
	{"payments_total", "dossiers_received", "payable"},
	{"payments_online", "payments_total", "payment"},
	{"feedback_total", "dossiers_resolved", "feedback"},
	{"feedback_satisfied", "feedback_total", "satisfied"},
	{"docs_electronic", "docs_total", "edoc"},
}

// communeEffect is a commune's lasting place against its province on one rate, in
// logits: most communes sit near their province (σ 0.3), and about one in twelve is far
// behind on everything (a remote or newly merged commune: −1.2 to −2.7 more), which is
// what a province's leaderboard is for.
func (d Demo) communeEffect(kind, code string) float64 {
	e := 0.3 * newRNG(d.Seed, "commune-effect", kind, code).norm()
	if r := newRNG(d.Seed, "commune-behind", code); r.float() < 1.0/12 {
		e -= 1.2 + 1.5*r.float()
	}
	return e
}

// communeWeight is a commune's share of its province's volume before normalising: a
// phường is busier than a xã, an đặc khu (island) quieter, and sizes spread log-normally.
func (d Demo) communeWeight(u data.Unit) float64 {
	w := math.Exp(0.6 * newRNG(d.Seed, "commune-size", u.Code).norm())
	switch u.Type {
	case "phuong":
		w *= 1.6
	case "dac_khu":
		w *= 0.4
	}
	return w
}

// CommuneSubmissions are the demo's communes' monthly reports, from the month the
// communes came into force (2025-07) to Through: each commune takes a share of its
// province's reported volume (CommuneShare in all, by its weight) and each rate is its
// province's, moved by the commune's lasting effect and a little monthly noise. A commune
// misses a month now and then (about 3%, never the last two months), so completeness
// varies. provinces are the demo's provinces' reports, which the communes follow; a
// province without a report in a month gives its communes none either.
func (d Demo) CommuneSubmissions(reg *data.Registry, provinces []data.Submission) []data.Submission {
	byUnit := map[data.Month]map[string]map[string]int64{}
	for _, s := range provinces {
		if byUnit[s.Month] == nil {
			byUnit[s.Month] = map[string]map[string]int64{}
		}
		byUnit[s.Month][s.UnitCode] = s.Values
	}
	// a commune's effects and weight last: drawn once, not every month
	effects := map[string][]float64{}
	weights := map[string]float64{}
	for _, c := range reg.InForce(data.Communes, d.Through) {
		e := make([]float64, len(communeRates))
		for i, k := range communeRates {
			e[i] = d.communeEffect(k.effect, c.Code)
		}
		effects[c.Code], weights[c.Code] = e, d.communeWeight(c)
	}
	var out []data.Submission
	for m := max(DemoStart, data.NewMonth(2025, 7)); m <= d.Through; m++ {
		for _, p := range reg.InForce(data.Provinces, m) {
			pv := byUnit[m][p.Code]
			communes := reg.Communes(p.Code, m)
			if pv == nil || len(communes) == 0 {
				continue
			}
			total := 0.0
			for _, c := range communes {
				total += d.weightOf(weights, c)
			}
			for _, c := range communes {
				r := newRNG(d.Seed, "commune-month", c.Code, m)
				if r.float() < 0.03 && m < d.Through.Add(-1) {
					continue // a missing report
				}
				share := CommuneShare * d.weightOf(weights, c) / total * (0.9 + 0.2*r.float())
				v := map[string]int64{
					"dossiers_received": int64(math.Round(float64(pv["dossiers_received"]) * share)),
					"docs_total":        int64(math.Round(float64(pv["docs_total"]) * share)),
				}
				eff := effects[c.Code]
				if eff == nil { // a commune gone by Through: its effects are drawn as they are
					for _, k := range communeRates {
						eff = append(eff, d.communeEffect(k.effect, c.Code))
					}
				}
				for j, k := range communeRates {
					den := v[k.den]
					rate := 0.0
					if pd := pv[k.den]; pd > 0 {
						rate = float64(pv[k.num]) / float64(pd)
					}
					x := logit(rate) + eff[j] + 0.15*r.norm()
					v[k.num] = int64(math.Round(float64(den) * logistic(x)))
				}
				out = append(out, data.Submission{UnitCode: c.Code, Month: m, Source: "demo", SubmittedBy: "demo",
					SubmittedAt: d.submittedAt(c.Code, m), Values: v})
			}
		}
	}
	return out
}

// weightOf is c's weight from the weights drawn for the communes in force at Through,
// or drawn now for one gone since.
func (d Demo) weightOf(weights map[string]float64, c data.Unit) float64 {
	if w, ok := weights[c.Code]; ok {
		return w
	}
	return d.communeWeight(c)
}

// loadCommunes stores the communes' reports (CommuneSubmissions of the provinces' subs)
// through the same path as any other submission, and says how many.
func (d Demo) loadCommunes(ctx context.Context, reg *data.Registry, s Submitter, subs []data.Submission) (int, error) {
	communes := d.CommuneSubmissions(reg, subs)
	if _, err := s.Submit(ctx, communes); err != nil {
		return 0, fmt.Errorf("seed demo communes: %w", err)
	}
	return len(communes), nil
}
