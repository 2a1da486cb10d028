package metrics

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/egovkpi/egovkpi/data"
)

// GroupPoints is a unit's points in one group of a composite.
type GroupPoints struct {
	Code   string   `json:"code"`
	NameVI string   `json:"name_vi"`
	NameEN string   `json:"name_en"`
	Points *float64 `json:"points"`
	Max    float64  `json:"max"`
}

// ComponentPoints is a unit's score on one indicator of a composite, with what it
// would take to climb.
type ComponentPoints struct {
	Indicator  string   `json:"indicator"`
	Value      *float64 `json:"value"`
	Score      *float64 `json:"score"`
	Points     *float64 `json:"points"`
	Max        float64  `json:"max"`
	Lost       *float64 `json:"lost"`
	ToNextRank *int64   `json:"to_next_rank"`
	ToTarget   *int64   `json:"to_target"`
}

// CompositeRow is one unit's place in a composite ranking.
type CompositeRow struct {
	Rank         *int              `json:"rank"`
	UnitCode     string            `json:"unit_code"`
	UnitNameVI   string            `json:"unit_name_vi"`
	UnitNameEN   string            `json:"unit_name_en"`
	Total        *float64          `json:"total"`
	GradeVI      string            `json:"grade_vi"`
	GradeEN      string            `json:"grade_en"`
	PreviousRank *int              `json:"previous_rank"`
	RankChange   *int              `json:"rank_change"`
	Groups       []GroupPoints     `json:"groups"`
	Components   []ComponentPoints `json:"components"`
}

// CompositeResult is a composite leaderboard.
type CompositeResult struct {
	Name          string         `json:"name"`
	NameVI        string         `json:"name_vi"`
	NameEN        string         `json:"name_en"`
	Normalization string         `json:"normalization"`
	Period        string         `json:"period"`
	Group         data.Group     `json:"group"`
	Boundaries    Boundaries     `json:"boundaries"`
	Rows          []CompositeRow `json:"rows"`
}

// CompositeQuery selects a composite ranking. Normalization overrides the definition's
// when set.
type CompositeQuery struct {
	Name          string
	Period        data.Period
	Group         data.Group
	Boundaries    Boundaries
	Normalization string
}

// Composite computes a weighted index for every unit of the group.
func (e *Engine) Composite(ctx context.Context, q CompositeQuery) (*CompositeResult, error) {
	if q.Name == Index766Name {
		return e.index766Composite(ctx, q) // from dossier records: see index766_board.go
	}
	c, ok := e.defs.Composite(q.Name)
	if !ok {
		return nil, data.Errorf(data.ErrInvalid, "Không có chỉ số tổng hợp “%s”", "unknown composite %q", q.Name)
	}
	if q.Normalization != "" {
		switch q.Normalization {
		case "none", "minmax", "zscore", "best":
			c.Normalization = q.Normalization
		default:
			return nil, fmt.Errorf("%w: normalization %q: use none, minmax, zscore or best", data.ErrInvalid, q.Normalization)
		}
	}
	if q.Boundaries == "" {
		q.Boundaries = Current
	}
	key := fmt.Sprintf("comp|%s|%s|%s|%s|%s", c.Code, c.Normalization, q.Period, q.Group, q.Boundaries)
	return cached(e, key, func() (*CompositeResult, error) {
		res, err := e.composite(ctx, c, q.Period, q.Group, q.Boundaries)
		if err != nil {
			return nil, err
		}
		prev := q.Period.Previous()
		if e.checkPeriod(ctx, prev) == nil {
			pr, err := e.composite(ctx, c, prev, q.Group, q.Boundaries)
			if err != nil {
				return nil, err
			}
			byCode := map[string]*int{}
			for _, r := range pr.Rows {
				byCode[r.UnitCode] = r.Rank
			}
			for i := range res.Rows {
				r := &res.Rows[i]
				r.PreviousRank = byCode[r.UnitCode]
				if r.Rank != nil && r.PreviousRank != nil {
					ch := *r.PreviousRank - *r.Rank
					r.RankChange = &ch
				}
			}
		}
		return res, nil
	})
}

func (e *Engine) composite(ctx context.Context, c Composite, p data.Period, g data.Group, b Boundaries) (*CompositeResult, error) {
	if err := e.checkPeriod(ctx, p); err != nil {
		return nil, err
	}
	norm := c.Normalization
	if norm == "" {
		norm = "none"
	}
	res := &CompositeResult{Name: c.Code, NameVI: c.NameVI, NameEN: c.NameEN, Normalization: norm,
		Period: p.String(), Group: g, Boundaries: b}
	// each indicator's ranking, indexed by unit
	rankings := map[string]map[string]Row{}
	var units []data.Unit = e.units(g, p, b)
	for _, grp := range c.Groups {
		for _, comp := range grp.Indicators {
			in, _ := e.defs.Indicator(comp.Code)
			r, err := e.rank(ctx, in, p, g, b)
			if err != nil {
				return nil, err
			}
			m := map[string]Row{}
			for _, row := range r.Rows {
				m[row.UnitCode] = row
			}
			rankings[comp.Code] = m
		}
	}
	defs := map[string]Indicator{}
	for code := range rankings {
		defs[code], _ = e.defs.Indicator(code)
	}
	scores := normalize(norm, defs, rankings)
	for _, u := range units {
		row := CompositeRow{UnitCode: u.Code, UnitNameVI: u.NameVI, UnitNameEN: u.NameEN}
		var earned, possible float64
		for _, grp := range c.Groups {
			gp := GroupPoints{Code: grp.Code, NameVI: grp.NameVI, NameEN: grp.NameEN, Max: grp.Points()}
			var gEarned float64
			gAny := false
			for _, comp := range grp.Indicators {
				ir := rankings[comp.Code][u.Code]
				cp := ComponentPoints{Indicator: comp.Code, Value: ir.Value, Max: comp.Points,
					ToNextRank: ir.ToNextRank, ToTarget: ir.ToTarget}
				if s, ok := scores[comp.Code][u.Code]; ok {
					sc := round(s, 4)
					pts := round(s*comp.Points, 2)
					lost := round(comp.Points-pts, 2)
					cp.Score, cp.Points, cp.Lost = &sc, &pts, &lost
					gEarned += s * comp.Points
					earned += s * comp.Points
					possible += comp.Points
					gAny = true
				}
				row.Components = append(row.Components, cp)
			}
			if gAny {
				v := round(gEarned, 2)
				gp.Points = &v
			}
			row.Groups = append(row.Groups, gp)
		}
		if possible > 0 {
			// a unit with nothing to measure on some indicators is scored on the rest
			total := round(earned/possible*100, 2)
			row.Total = &total
			gr := e.defs.GradeFor(total)
			row.GradeVI, row.GradeEN = gr.LabelVI, gr.LabelEN
		}
		res.Rows = append(res.Rows, row)
	}
	sort.SliceStable(res.Rows, func(i, j int) bool {
		a, b := res.Rows[i], res.Rows[j]
		if (a.Total == nil) != (b.Total == nil) {
			return a.Total != nil
		}
		if a.Total != nil && *a.Total != *b.Total {
			return *a.Total > *b.Total
		}
		return data.CompareVI(a.UnitNameVI, b.UnitNameVI) < 0
	})
	for i := range res.Rows {
		r := &res.Rows[i]
		if r.Total == nil {
			continue
		}
		rank := i + 1
		if i > 0 && res.Rows[i-1].Total != nil && *res.Rows[i-1].Total == *r.Total {
			rank = *res.Rows[i-1].Rank
		}
		r.Rank = &rank
	}
	return res, nil
}

// normalize turns each indicator's values into scores between 0 and 1.
func normalize(method string, defs map[string]Indicator, rankings map[string]map[string]Row) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for code, rows := range rankings {
		vals := map[string]float64{}
		var lo, hi, sum float64
		first := true
		in := defs[code]
		for unit, r := range rows {
			if r.Value == nil {
				continue
			}
			v := r.raw / in.Scale()
			vals[unit] = v
			if first || v < lo {
				lo = v
			}
			if first || v > hi {
				hi = v
			}
			sum += v
			first = false
		}
		n := float64(len(vals))
		mean := sum / math.Max(n, 1)
		var sd float64
		for _, v := range vals {
			sd += (v - mean) * (v - mean)
		}
		if n > 1 {
			sd = math.Sqrt(sd / n)
		}
		scores := map[string]float64{}
		for unit, v := range vals {
			var s float64
			switch method {
			case "minmax":
				s = 1
				if hi > lo {
					s = (v - lo) / (hi - lo)
				}
			case "zscore":
				s = 0.5
				if sd > 0 {
					s = math.Min(1, math.Max(0, 0.5+(v-mean)/sd/6))
				}
			case "best":
				s = 1
				if in.HigherIsBetter() && hi > 0 {
					s = v / hi
				} else if !in.HigherIsBetter() && v > 0 {
					s = 1 - lo/v // inverted below: the best (lowest) scores 1
				}
			default:
				s = v
			}
			if !in.HigherIsBetter() {
				s = 1 - s
			}
			scores[unit] = math.Min(1, math.Max(0, s))
		}
		out[code] = scores
	}
	return out
}
