package metrics

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/egovkpi/egovkpi/data"
)

// SurveySource holds the imported UN surveys; *data.Store is one.
type SurveySource interface {
	EGDI(ctx context.Context, year int) (data.EGDIImport, error)
	EGDIYears(ctx context.Context) ([]int, error)
}

// EGDIRow is one country in a survey year: the index computed from its components
// beside the published one.
type EGDIRow struct {
	// Country is the name the edition published (Turkey in 2018, Türkiye in 2022); Name
	// the current M49 name, the same country in every edition by its code.
	Country       string   `json:"country"`
	Name          string   `json:"name"`
	Code          string   `json:"code"`
	Region        string   `json:"region"`
	Subregion     string   `json:"subregion"`
	Intermediate  string   `json:"intermediate_region,omitempty"`
	EGDI          *float64 `json:"egdi"`
	Rank          *int     `json:"rank"`
	SubregionRank *int     `json:"subregion_rank"`
	PublishedEGDI *float64 `json:"published_egdi"`
	PublishedRank *int     `json:"published_rank"`
	OSI           *float64 `json:"osi"`
	HCI           *float64 `json:"hci"`
	TII           *float64 `json:"tii"`
	EPI           *float64 `json:"epi"`
	// Differs flags a computed value or rank that is not the published one.
	Differs bool `json:"differs"`
}

// Gap is how far a country is from a target rank, and which component closes it fastest.
type Gap struct {
	TargetRank int                `json:"target_rank"`
	EGDIAtRank *float64           `json:"egdi_at_rank"`
	Points     *float64           `json:"points"` // EGDI points to gain; 0 when there
	ByPart     map[string]float64 `json:"by_component"`
	Fastest    string             `json:"fastest_component,omitempty"`
}

// EGDIResult is a survey year.
type EGDIResult struct {
	Year      int       `json:"year"`
	Precision int       `json:"precision"`
	Method    string    `json:"method"`
	Differ    int       `json:"differing"`
	Rows      []EGDIRow `json:"rows"`
	Focus     *Focus    `json:"viet_nam,omitempty"`
}

// Focus is one country's place: in the world, in its sub-region, and its distance to
// the targets.
type Focus struct {
	Code          string `json:"code"`
	Rank          *int   `json:"rank"`
	SubregionRank *int   `json:"subregion_rank"`
	Subregion     string `json:"subregion"`
	SubregionSize int    `json:"subregion_size"`
	Gaps          []Gap  `json:"gaps"`
}

// EGDITargets are the government's goals for Viet Nam's place: the top 50, then the top 30.
var EGDITargets = []int{50, 30}

// EGDI computes a survey year: EGDI = (OSI + HCI + TII) / 3 with equal weights, the
// method since 2014, rounded to the published precision and ranked with the same
// competition ranking as the leaderboards. region filters by region or sub-region
// name (as M49 spells it); focus is the country whose place is described.
func EGDI(ctx context.Context, src SurveySource, year int, region, focus string) (*EGDIResult, error) {
	imp, err := src.EGDI(ctx, year)
	if err != nil {
		return nil, err
	}
	countries := data.UNCountries()
	res := &EGDIResult{Year: year, Precision: imp.Precision, Method: "(OSI + HCI + TII) / 3"}
	for _, r := range imp.Rows {
		ct, _ := countries.ByCode(r.ISO3)
		row := EGDIRow{Country: countries.PublishedName(r.ISO3, r.Name, year), Name: ct.Name, Code: r.ISO3, Region: ct.Region, Subregion: ct.Subregion, Intermediate: ct.Intermediate,
			PublishedEGDI: r.EGDI, PublishedRank: r.Rank, OSI: r.OSI, HCI: r.HCI, TII: r.TII, EPI: r.EPI}
		if v, ok := equalWeights(r.OSI, r.HCI, r.TII); ok {
			v = round(v, imp.Precision)
			row.EGDI = &v
		}
		res.Rows = append(res.Rows, row)
	}
	rankEGDI(res.Rows, func(r *EGDIRow) **int { return &r.Rank }, func(EGDIRow) bool { return true })
	subs := map[string]bool{}
	for _, r := range res.Rows {
		subs[r.Subregion] = true
	}
	for sub := range subs {
		rankEGDI(res.Rows, func(r *EGDIRow) **int { return &r.SubregionRank }, func(r EGDIRow) bool { return r.Subregion == sub })
	}
	// values are compared at the survey's headline precision, 4 decimals, within one
	// unit: the file's components are themselves rounded (an HCI of 0.8552 stands for
	// more decimals), so the last places of a mean of them are noise
	const tol = 1e-4 + 1e-12
	for i := range res.Rows {
		r := &res.Rows[i]
		switch {
		case r.EGDI == nil && r.PublishedEGDI != nil && *r.PublishedEGDI > 0:
			r.Differs = true // published with components missing
		case r.EGDI != nil && r.PublishedEGDI != nil && math.Abs(round(*r.EGDI, 4)-round(*r.PublishedEGDI, 4)) > tol:
			r.Differs = true
		case (r.Rank == nil) != (r.PublishedRank == nil) || (r.Rank != nil && *r.Rank != *r.PublishedRank):
			r.Differs = true
		}
		if r.Differs {
			res.Differ++
		}
	}
	sort.SliceStable(res.Rows, func(i, j int) bool {
		a, b := res.Rows[i], res.Rows[j]
		if (a.Rank == nil) != (b.Rank == nil) {
			return a.Rank != nil
		}
		if a.Rank != nil && *a.Rank != *b.Rank {
			return *a.Rank < *b.Rank
		}
		return a.Country < b.Country
	})
	if focus != "" {
		res.Focus = focusOn(res.Rows, focus, imp.Precision)
	}
	if region != "" {
		var kept []EGDIRow
		for _, r := range res.Rows {
			if r.Region == region || r.Subregion == region || r.Intermediate == region {
				kept = append(kept, r)
			}
		}
		if kept == nil {
			return nil, fmt.Errorf("%w: no region or sub-region %q (write it as M49 does, e.g. South-eastern Asia)", data.ErrNotFound, region)
		}
		res.Rows = kept
	}
	return res, nil
}

// equalWeights is the composite of the parts with equal weights; false if one is missing.
func equalWeights(parts ...*float64) (float64, bool) {
	t := 0.0
	for _, p := range parts {
		if p == nil {
			return 0, false
		}
		t += *p
	}
	return t / float64(len(parts)), true
}

// rankEGDI gives competition ranks (1, 2, 2, 4) on the rounded values to the rows in.
func rankEGDI(rows []EGDIRow, slot func(*EGDIRow) **int, in func(EGDIRow) bool) {
	var idx []int
	for i, r := range rows {
		if in(r) && r.EGDI != nil {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return *rows[idx[a]].EGDI > *rows[idx[b]].EGDI })
	for k, i := range idx {
		rank := k + 1
		if k > 0 && *rows[idx[k-1]].EGDI == *rows[i].EGDI {
			rank = **slot(&rows[idx[k-1]])
		}
		r := rank
		*slot(&rows[i]) = &r
	}
}

func focusOn(rows []EGDIRow, code string, precision int) *Focus {
	var me *EGDIRow
	size := 0
	for i := range rows {
		if rows[i].Code == code {
			me = &rows[i]
		}
	}
	if me == nil {
		return nil
	}
	for _, r := range rows {
		if r.Subregion == me.Subregion {
			size++
		}
	}
	f := &Focus{Code: code, Rank: me.Rank, SubregionRank: me.SubregionRank, Subregion: me.Subregion, SubregionSize: size}
	for _, target := range EGDITargets {
		g := Gap{TargetRank: target, ByPart: map[string]float64{}}
		for _, r := range rows {
			if r.Rank != nil && *r.Rank <= target && r.EGDI != nil {
				v := *r.EGDI // the lowest value still inside the target
				g.EGDIAtRank = &v
			}
		}
		if g.EGDIAtRank != nil && me.EGDI != nil {
			pts := round(math.Max(0, *g.EGDIAtRank-*me.EGDI), precision)
			g.Points = &pts
			best := math.Inf(1)
			for name, part := range map[string]*float64{"osi": me.OSI, "hci": me.HCI, "tii": me.TII} {
				if part == nil {
					continue
				}
				need := round(3*pts, precision) // one component alone carries a third of the index
				g.ByPart[name] = need
				// the fastest is the one with the most room left to grow, relative to the need
				if room := 1 - *part; room > 0 && need/room < best {
					best, g.Fastest = need/room, name
				}
			}
			if pts == 0 {
				g.Fastest = ""
			}
		}
		f.Gaps = append(f.Gaps, g)
	}
	return f
}
