package metrics

import (
	"context"
	"fmt"

	"github.com/egovkpi/egovkpi/data"
)

// Point is one month of a unit's (or the nation's) series.
type Point struct {
	Period      string   `json:"period"`
	Value       *float64 `json:"value"`
	Numerator   *int64   `json:"numerator"`
	Denominator *int64   `json:"denominator"`
	Rank        *int     `json:"rank"`
	National    *float64 `json:"national"`
	Target      *float64 `json:"target"`
	// Province is, in a commune's series, its province's communes together: what the
	// commune is set against (its National is left out).
	Province *float64 `json:"province,omitempty"`
	Reason   string   `json:"reason,omitempty"`
}

// Series is a unit's monthly values of one indicator.
type Series struct {
	Unit       string     `json:"unit_code"`
	UnitNameVI string     `json:"unit_name_vi"`
	UnitNameEN string     `json:"unit_name_en"`
	Indicator  string     `json:"indicator"`
	Group      data.Group `json:"group"`
	Boundaries Boundaries `json:"boundaries"`
	Points     []Point    `json:"points"`
}

// SeriesQuery selects a series. An empty Unit gives the national series.
type SeriesQuery struct {
	Unit       string
	Group      data.Group
	Indicator  string
	From, To   data.Month
	Boundaries Boundaries
}

// Series computes a month-by-month series with the unit's rank in each month, from one
// query over the whole span.
func (e *Engine) Series(ctx context.Context, q SeriesQuery) (*Series, error) {
	in, ok := e.defs.Indicator(q.Indicator)
	if !ok {
		return nil, e.unknownIndicator(q.Indicator)
	}
	if q.Boundaries == "" {
		q.Boundaries = Current
	}
	if q.To < q.From {
		return nil, data.Errorf(data.ErrInvalid, "Chuỗi số liệu kết thúc (%s) trước khi bắt đầu (%s)", "the series ends (%s) before it starts (%s)", q.To, q.From)
	}
	s := &Series{Unit: q.Unit, Indicator: in.Code, Group: q.Group, Boundaries: q.Boundaries}
	if q.Unit != "" {
		u, ok := e.src.Units().Latest(q.Unit)
		if !ok {
			return nil, data.Errorf(data.ErrNotFound, "không có đơn vị mã “%s”", "no unit %q", q.Unit)
		}
		q.Group = u.Group
		s.Group, s.UnitNameVI, s.UnitNameEN = u.Group, u.NameVI, u.NameEN
	}
	key := fmt.Sprintf("series|%s|%s|%s|%d|%d|%s", q.Unit, q.Group, q.Indicator, q.From, q.To, q.Boundaries)
	return cached(e, key, func() (*Series, error) {
		if q.Group == data.Communes && q.Unit != "" {
			return e.communeSeries(ctx, in, q, s)
		}
		monthly, err := e.monthly(ctx, q.Group, q.From, q.To, q.Boundaries)
		if err != nil {
			return nil, err
		}
		for m := q.From; m <= q.To; m++ {
			p := data.MonthPeriod(m)
			r := rankSums(in, p, q.Group, q.Boundaries, e.units(q.Group, p, q.Boundaries), monthly[m])
			pt := Point{Period: m.String(), National: r.National.Value}
			if r.Target != nil {
				t := r.Target.Value
				pt.Target = &t
			}
			if q.Unit == "" {
				pt.Value = r.National.Value
				if r.National.Denominator > 0 {
					n, d := r.National.Numerator, r.National.Denominator
					pt.Numerator, pt.Denominator = &n, &d
				} else {
					pt.Reason = ReasonNoReport
				}
			} else {
				pt.Reason = ReasonNoReport
				for _, row := range r.Rows {
					if row.UnitCode == q.Unit {
						pt.Value, pt.Numerator, pt.Denominator, pt.Rank, pt.Reason = row.Value, row.Numerator, row.Denominator, row.Rank, row.Reason
					}
				}
			}
			s.Points = append(s.Points, pt)
		}
		return s, nil
	})
}

// communeSeries is a commune's series: communes are not in the units table the other
// groups are summed through, so its province's communes are summed by their codes (one
// query over the span) and the commune ranked among them each month. National is left
// out: the figure beside it would be the province's communes', which is Province.
func (e *Engine) communeSeries(ctx context.Context, in Indicator, q SeriesQuery, s *Series) (*Series, error) {
	u, _ := e.src.Units().Latest(q.Unit)
	rq := RankingQuery{Group: data.Communes, Province: u.Parent, Boundaries: q.Boundaries}
	units := e.communes(rq, data.MonthPeriod(q.To))
	monthly, err := e.communeMonthSpan(ctx, in, rq, units, q.From, q.To, q.From)
	if err != nil {
		return nil, err
	}
	for m := q.From; m <= q.To; m++ {
		r := rankSums(ratioIndicator(in), data.MonthPeriod(m), data.Communes, q.Boundaries, units, monthly[m])
		pt := Point{Period: m.String(), Reason: ReasonNoReport, Province: r.National.Value}
		if r.Target != nil {
			t := r.Target.Value
			pt.Target = &t
		}
		for _, row := range r.Rows {
			if row.UnitCode == q.Unit {
				pt.Value, pt.Numerator, pt.Denominator, pt.Rank, pt.Reason = row.Value, row.Numerator, row.Denominator, row.Rank, row.Reason
			}
		}
		s.Points = append(s.Points, pt)
	}
	return s, nil
}
