package metrics

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/egovkpi/egovkpi/data"
)

// Reasons a value is null.
const (
	ReasonNoReport         = "no_report"
	ReasonNothingToMeasure = "nothing_to_measure"
)

// Row is one unit's place in a ranking.
type Row struct {
	Rank         *int     `json:"rank"`
	UnitCode     string   `json:"unit_code"`
	UnitNameVI   string   `json:"unit_name_vi"`
	UnitNameEN   string   `json:"unit_name_en"`
	UnitParent   string   `json:"unit_parent,omitempty"` // a commune's province
	UnitType     string   `json:"unit_type,omitempty"`   // a commune's type: xa, phuong, dac_khu
	Value        *float64 `json:"value"`
	Numerator    *int64   `json:"numerator"`
	Denominator  *int64   `json:"denominator"`
	Reason       string   `json:"reason,omitempty"`
	PreviousRank *int     `json:"previous_rank"`
	RankChange   *int     `json:"rank_change"`
	Target       *float64 `json:"target"`
	TargetMet    *bool    `json:"target_met"`
	// ToNextRank and ToTarget say how many more of the numerator's items (dossiers,
	// procedures, …) at the same denominator would reach the next rank up and the target.
	ToNextRank *int64   `json:"to_next_rank"`
	ToTarget   *int64   `json:"to_target"`
	Outlier    bool     `json:"outlier"`
	OutlierZ   *float64 `json:"outlier_score,omitempty"`

	raw float64 // unrounded value
}

// National is the sum over the group's units.
type National struct {
	Value       *float64 `json:"value"`
	Numerator   int64    `json:"numerator"`
	Denominator int64    `json:"denominator"`
}

// Ranking is a leaderboard of one indicator.
type Ranking struct {
	Indicator  string     `json:"indicator"`
	Period     string     `json:"period"`
	Group      data.Group `json:"group"`
	Boundaries Boundaries `json:"boundaries"`
	Province   string     `json:"province,omitempty"` // communes of one province only
	Type       string     `json:"type,omitempty"`     // communes of one type only
	Target     *Target    `json:"target"`
	Rows       []Row      `json:"rows"`
	National   National   `json:"national"`
	Def        Indicator  `json:"-"`
}

// RankingQuery selects a ranking.
type RankingQuery struct {
	Indicator  string
	Period     data.Period
	Group      data.Group
	Boundaries Boundaries
	// Province and Type narrow a ranking of communes to one province's, and to one type
	// (xa, phuong, dac_khu); empty: all 3,321.
	Province, Type string
}

// Rankings ranks the group's units on an indicator over a period.
func (e *Engine) Rankings(ctx context.Context, q RankingQuery) (*Ranking, error) {
	in, ok := e.defs.Indicator(q.Indicator)
	if !ok {
		return nil, e.unknownIndicator(q.Indicator)
	}
	if q.Boundaries == "" {
		q.Boundaries = Current
	}
	if err := e.checkCommuneFilters(q); err != nil {
		return nil, err
	}
	if err := e.checkPeriod(ctx, q.Period); err != nil {
		return nil, err
	}
	key := fmt.Sprintf("rank|%s|%s|%s|%s|%s|%s", q.Indicator, q.Period, q.Group, q.Boundaries, q.Province, q.Type)
	return cached(e, key, func() (*Ranking, error) {
		r, err := e.rankQuery(ctx, in, q.Period, q)
		if err != nil {
			return nil, err
		}
		// previous period's ranks, where there was data
		prev := q.Period.Previous()
		if err := e.checkPeriod(ctx, prev); err == nil {
			pr, err := e.rankQuery(ctx, in, prev, q)
			if err != nil {
				return nil, err
			}
			byCode := map[string]*int{}
			for _, row := range pr.Rows {
				byCode[row.UnitCode] = row.Rank
			}
			for i := range r.Rows {
				row := &r.Rows[i]
				row.PreviousRank = byCode[row.UnitCode]
				if row.Rank != nil && row.PreviousRank != nil {
					c := *row.PreviousRank - *row.Rank
					row.RankChange = &c
				}
			}
		}
		if q.Period.Kind == data.KindMonth {
			if err := e.flagOutliers(ctx, in, q, r); err != nil {
				return nil, err
			}
		}
		return r, nil
	})
}

// unknownIndicator is the error for an indicator code that names none: a Vietnamese
// reader is offered the indicators by name, an English one (often a script) by code.
func (e *Engine) unknownIndicator(code string) error {
	names := make([]string, 0, len(e.defs.Indicators))
	for _, in := range e.defs.Indicators {
		names = append(names, in.NameVI)
	}
	return &data.Error{Kind: data.ErrInvalid,
		VI: fmt.Sprintf("không có chỉ số “%s”; các chỉ số có: %s", code, strings.Join(names, "; ")),
		EN: fmt.Sprintf("unknown indicator %q: use one of %s", code, e.indicatorCodes())}
}

func (e *Engine) indicatorCodes() string {
	s := ""
	for i, in := range e.defs.Indicators {
		if i > 0 {
			s += ", "
		}
		s += in.Code
	}
	return s
}

func (e *Engine) rank(ctx context.Context, in Indicator, p data.Period, g data.Group, b Boundaries) (*Ranking, error) {
	if g == data.Communes {
		// the composite and maturity rank through here: all communes, summed by code
		return e.rankQuery(ctx, in, p, RankingQuery{Group: g, Boundaries: b})
	}
	sums, err := e.sums(ctx, g, p.From, p.To, b)
	if err != nil {
		return nil, err
	}
	return rankSums(in, p, g, b, e.units(g, p, b), sums), nil
}

// rankSums is the ranking itself: one division per unit over summed counts, competition
// ranks on the rounded value (1, 2, 2, 4), units with no value last with no rank.
func rankSums(in Indicator, p data.Period, g data.Group, b Boundaries, units []data.Unit, sums unitSums) *Ranking {
	r := &Ranking{Indicator: in.Code, Period: p.String(), Group: g, Boundaries: b, Def: in}
	tgt, hasTarget := in.TargetFor(p.To.Year())
	if hasTarget {
		r.Target = &tgt
	}
	var natNum, natDen int64
	for _, u := range units {
		row := Row{UnitCode: u.Code, UnitNameVI: u.NameVI, UnitNameEN: u.NameEN}
		m := sums[u.Code]
		num, okN := sumOf(m, in.Numerator)
		den, okD := sumOf(m, in.Denominator)
		switch {
		case !okN || !okD:
			row.Reason = ReasonNoReport
		case den == 0:
			row.Reason = ReasonNothingToMeasure
			row.Numerator, row.Denominator = &num, &den
		default:
			row.Numerator, row.Denominator = &num, &den
			row.raw = float64(num) / float64(den) * in.Scale()
			v := round(row.raw, in.Decimals())
			row.Value = &v
			natNum += num
			natDen += den
		}
		if hasTarget {
			t := tgt.Value
			row.Target = &t
			if row.Value != nil {
				met := *row.Value >= t
				if !in.HigherIsBetter() {
					met = *row.Value <= t
				}
				row.TargetMet = &met
				if x, ok := toReach(in, num, den, t); ok {
					row.ToTarget = &x
				}
			}
		}
		r.Rows = append(r.Rows, row)
	}
	better := func(a, b float64) bool {
		if in.HigherIsBetter() {
			return a > b
		}
		return a < b
	}
	sort.SliceStable(r.Rows, func(i, j int) bool {
		a, b := r.Rows[i], r.Rows[j]
		if (a.Value == nil) != (b.Value == nil) {
			return a.Value != nil
		}
		if a.Value != nil && *a.Value != *b.Value {
			return better(*a.Value, *b.Value)
		}
		return data.CompareVI(a.UnitNameVI, b.UnitNameVI) < 0
	})
	for i := range r.Rows {
		row := &r.Rows[i]
		if row.Value == nil {
			continue
		}
		rank := i + 1
		if i > 0 && r.Rows[i-1].Value != nil && *r.Rows[i-1].Value == *row.Value {
			rank = *r.Rows[i-1].Rank
		}
		row.Rank = &rank
		// the nearest unit above with a strictly better shown value
		for j := i - 1; j >= 0; j-- {
			if *r.Rows[j].Value != *row.Value {
				if x, ok := toReach(in, *row.Numerator, *row.Denominator, *r.Rows[j].Value); ok {
					row.ToNextRank = &x
				}
				break
			}
		}
	}
	r.National = National{Numerator: natNum, Denominator: natDen}
	if natDen > 0 {
		v := round(float64(natNum)/float64(natDen)*in.Scale(), in.Decimals())
		r.National.Value = &v
	}
	return r
}

// toReach is how many more numerator items (fewer, for lower-is-better) at the same
// denominator make the shown value reach goal. false when it cannot be reached.
func toReach(in Indicator, num, den int64, goal float64) (int64, bool) {
	half := 0.5 * math.Pow(10, -float64(in.Decimals()))
	if in.HigherIsBetter() {
		need := int64(math.Ceil((goal-half)/in.Scale()*float64(den) - float64(num) - 1e-9))
		if need < 0 {
			need = 0
		}
		if num+need > den && in.Kind == "percent" && goal <= 100 {
			need = den - num
		}
		if in.Kind == "percent" && goal > 100 {
			return 0, false
		}
		return need, true
	}
	keep := int64(math.Floor((goal+half)/in.Scale()*float64(den) + 1e-9))
	need := num - keep
	if need < 0 {
		need = 0
	}
	return need, true
}

// flagOutliers marks values far from the unit's own last 12 months (modified z-score).
func (e *Engine) flagOutliers(ctx context.Context, in Indicator, q RankingQuery, r *Ranking) error {
	m := q.Period.From
	hist, err := e.monthlyQuery(ctx, in, q, m.Add(-12), m.Add(-1))
	if q.Group == data.Communes {
		in = ratioIndicator(in)
	}
	if err != nil {
		return err
	}
	for i := range r.Rows {
		row := &r.Rows[i]
		if row.Value == nil {
			continue
		}
		var past []float64
		for k := m.Add(-12); k < m; k++ {
			s := hist[k][row.UnitCode]
			num, okN := sumOf(s, in.Numerator)
			den, okD := sumOf(s, in.Denominator)
			if okN && okD && den > 0 {
				past = append(past, float64(num)/float64(den)*in.Scale())
			}
		}
		if z, ok := ModifiedZ(row.raw, past); ok {
			zz := round(z, 2)
			row.OutlierZ = &zz
			row.Outlier = math.Abs(z) > e.defs.Outliers.Threshold
		}
	}
	return nil
}

// ModifiedZ is Iglewicz and Hoaglin's modified z-score of x against past:
// 0.6745 (x − median) / MAD, with the mean absolute deviation (× 1.2533) standing in when
// the MAD is zero. false with fewer than 6 past values, or when past has no spread at all.
func ModifiedZ(x float64, past []float64) (float64, bool) {
	if len(past) < 6 {
		return 0, false
	}
	med := median(past)
	dev := make([]float64, len(past))
	mean := 0.0
	for i, v := range past {
		dev[i] = math.Abs(v - med)
		mean += dev[i]
	}
	mean /= float64(len(past))
	if mad := median(dev); mad > 0 {
		return 0.6745 * (x - med) / mad, true
	}
	if mean > 0 {
		return (x - med) / (1.253314 * mean), true
	}
	return 0, false
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
