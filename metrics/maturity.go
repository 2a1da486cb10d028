package metrics

import (
	"context"
	"fmt"
	"math"

	"github.com/egovkpi/egovkpi/data"
)

// Missing is a criterion of the next level that a unit does not yet meet.
type Missing struct {
	Capability string   `json:"capability,omitempty"`
	Indicator  string   `json:"indicator,omitempty"`
	Min        *float64 `json:"min,omitempty"`
	Have       *float64 `json:"have"`
	TextVI     string   `json:"text_vi"`
	TextEN     string   `json:"text_en"`
}

// MaturityRow is one unit's level in a month.
type MaturityRow struct {
	UnitCode     string              `json:"unit_code"`
	UnitNameVI   string              `json:"unit_name_vi"`
	UnitNameEN   string              `json:"unit_name_en"`
	Level        int                 `json:"level"`
	LevelName    string              `json:"level_name"`
	LevelNameEN  string              `json:"level_name_en"`
	Derived      bool                `json:"derived"` // from the predecessors of a unit formed later
	Missing      []Missing           `json:"missing"`
	Capabilities map[string]*float64 `json:"capabilities"`
	Indicators   map[string]*float64 `json:"indicators"`
	AssessedIn   string              `json:"assessed_in,omitempty"`
	Confirmed    bool                `json:"confirmed"`
}

// MaturityResult is every unit's level in a month.
type MaturityResult struct {
	Period     string        `json:"period"`
	Group      data.Group    `json:"group"`
	Boundaries Boundaries    `json:"boundaries"`
	Rows       []MaturityRow `json:"rows"`
}

// Maturity computes each unit's level in month m: capabilities as last assessed up to m,
// indicators summed over the 12 months to m. With current boundaries, a unit formed by
// a merger after m is given the capabilities all its predecessors had and their summed
// indicators, and is marked derived; nothing is invented.
func (e *Engine) Maturity(ctx context.Context, m data.Month, g data.Group, b Boundaries) (*MaturityResult, error) {
	if b == "" {
		b = Current
	}
	key := fmt.Sprintf("maturity|%d|%s|%s", m, g, b)
	return cached(e, key, func() (*MaturityResult, error) {
		span := data.Period{Kind: data.KindRange, From: m.Add(-11), To: m}
		values := map[string]map[string]*float64{} // indicator → unit → value
		for _, l := range e.defs.Levels {
			for _, cr := range l.Criteria {
				if cr.Indicator == "" || values[cr.Indicator] != nil {
					continue
				}
				in, _ := e.defs.Indicator(cr.Indicator)
				r, err := e.rank(ctx, in, span, g, b)
				if err != nil {
					return nil, err
				}
				values[cr.Indicator] = map[string]*float64{}
				for _, row := range r.Rows {
					values[cr.Indicator][row.UnitCode] = row.Value
				}
			}
		}
		as, err := e.src.AssessmentsAsOf(ctx, m)
		if err != nil {
			return nil, err
		}
		reg := e.src.Units()
		res := &MaturityResult{Period: m.String(), Group: g, Boundaries: b, Rows: []MaturityRow{}}
		for _, u := range e.units(g, data.MonthPeriod(m), b) {
			row := MaturityRow{UnitCode: u.Code, UnitNameVI: u.NameVI, UnitNameEN: u.NameEN, Capabilities: map[string]*float64{}, Indicators: map[string]*float64{}}
			caps := map[string]float64{}
			have := map[string]bool{}
			own, ok := as[u.Code]
			if ok && (u.ValidFrom.IsZero() || own.Month >= u.ValidFrom) {
				for c, it := range own.Items {
					caps[c], have[c] = it.Value, true
				}
				row.AssessedIn, row.Confirmed = own.Month.String(), own.ConfirmedAt != nil
			} else if b == Current {
				// the unit did not exist yet, or was never assessed in its present form:
				// what every predecessor had, the least of their percentages
				at := m
				if !u.ValidFrom.IsZero() && u.ValidFrom <= m {
					at = u.ValidFrom.Add(-1)
				}
				var preds []data.Unit
				for _, p := range reg.InForce(g, at) {
					if reg.Current(p.Code) == u.Code {
						preds = append(preds, p)
					}
				}
				row.Derived = len(preds) > 0
				for _, c := range e.defs.Capabilities {
					least, all := math.Inf(1), len(preds) > 0
					for _, p := range preds {
						it, found := as[p.Code].Items[c.Code]
						if !found {
							all = false
							break
						}
						least = math.Min(least, it.Value)
					}
					if all {
						caps[c.Code], have[c.Code] = least, true
					}
				}
			}
			for _, c := range e.defs.Capabilities {
				if !c.AppliesTo(g) {
					continue
				}
				if have[c.Code] {
					v := caps[c.Code]
					row.Capabilities[c.Code] = &v
				} else {
					row.Capabilities[c.Code] = nil
				}
			}
			for ind, byUnit := range values {
				row.Indicators[ind] = byUnit[u.Code]
			}
			meets := func(cr Criterion) (bool, *float64) {
				if cr.Indicator != "" {
					v := row.Indicators[cr.Indicator]
					return v != nil && *v >= *cr.Min, v
				}
				c, _ := e.defs.Capability(cr.Capability)
				if !c.AppliesTo(g) {
					return true, nil // not asked of this group
				}
				v := row.Capabilities[cr.Capability]
				if v == nil {
					return false, nil
				}
				if cr.Min != nil {
					return *v >= *cr.Min, v
				}
				return *v >= 1, v
			}
			for _, l := range e.defs.Levels {
				all := true
				for _, cr := range l.Criteria {
					if ok, _ := meets(cr); !ok {
						all = false
					}
				}
				if !all {
					for _, cr := range l.Criteria {
						if ok, v := meets(cr); !ok {
							row.Missing = append(row.Missing, e.describe(cr, v))
						}
					}
					break
				}
				row.Level, row.LevelName, row.LevelNameEN = l.Level, l.NameVI, l.NameEN
			}
			if row.Level == 0 {
				row.LevelName, row.LevelNameEN = "Chưa đạt mức 1", "Below level 1"
			}
			if row.Missing == nil {
				row.Missing = []Missing{}
			}
			res.Rows = append(res.Rows, row)
		}
		return res, nil
	})
}

func (e *Engine) describe(cr Criterion, have *float64) Missing {
	m := Missing{Capability: cr.Capability, Indicator: cr.Indicator, Min: cr.Min, Have: have}
	if cr.Indicator != "" {
		in, _ := e.defs.Indicator(cr.Indicator)
		m.TextVI = fmt.Sprintf("%s ≥ %g%% (12 tháng)", in.NameVI, *cr.Min)
		m.TextEN = fmt.Sprintf("%s ≥ %g%% (12 months)", in.NameEN, *cr.Min)
		return m
	}
	c, _ := e.defs.Capability(cr.Capability)
	m.TextVI, m.TextEN = c.NameVI, c.NameEN
	if cr.Min != nil {
		m.TextVI += fmt.Sprintf(" ≥ %g%%", *cr.Min)
		m.TextEN += fmt.Sprintf(" ≥ %g%%", *cr.Min)
	}
	return m
}

// LevelCount is how many units stood at each level in a month.
type LevelCount struct {
	Period string      `json:"period"`
	Counts map[int]int `json:"counts"`
}

// MaturityHistory counts units by level at the end of each year and in the last month.
func (e *Engine) MaturityHistory(ctx context.Context, from, to data.Month, g data.Group) ([]LevelCount, error) {
	var out []LevelCount
	for m := from; m <= to; m++ {
		if m.Num() != 12 && m != to {
			continue
		}
		r, err := e.Maturity(ctx, m, g, Historical)
		if err != nil {
			return nil, err
		}
		lc := LevelCount{Period: m.String(), Counts: map[int]int{}}
		for _, row := range r.Rows {
			lc.Counts[row.Level]++
		}
		out = append(out, lc)
	}
	return out, nil
}
