package metrics

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/egovkpi/egovkpi/data"
)

// The index of Decision 766 for a group's units over a period, from the SQL counts
// (data.Store.Index766Counts) and the shared scoring: the leaderboard the API and the
// composite read, with ranks and the previous period's ranks.

// Index766Name is the index's name where composites are chosen (?name=index766).
const Index766Name = "index766"

// Index766Counter counts the rules of the index in SQL; *data.Store is one.
type Index766Counter interface {
	Index766Counts(ctx context.Context, cal *data.Calendar, rules data.Index766Rules, p data.Period, units []data.Index766Unit) (map[string]*data.Index766Counts, error)
}

// Index766Row is one unit's index in a group's ranking.
type Index766Row struct {
	Unit         data.Unit
	Result       Index766Result
	Rank         *int // nil: no group of the unit has data
	PreviousRank *int
}

// Index766Board is a group's ranking on the index for a period, best first.
type Index766Board struct {
	Period data.Period
	Group  data.Group
	Config *Index766Config
	Rows   []Index766Row
}

// Row returns the unit's row.
func (b *Index766Board) Row(code string) (Index766Row, bool) {
	for _, r := range b.Rows {
		if r.Unit.Code == code {
			return r, true
		}
	}
	return Index766Row{}, false
}

// index766Defaults are the embedded definitions and calendar, read once.
var index766Defaults = sync.OnceValues(func() (*index766Shared, error) {
	cfg, err := Index766Defaults()
	if err != nil {
		return nil, err
	}
	cal, err := data.DefaultCalendar()
	if err != nil {
		return nil, err
	}
	return &index766Shared{cfg, cal}, nil
})

type index766Shared struct {
	cfg *Index766Config
	cal *data.Calendar
}

// index766Kind is the kind of unit a group's units are scored as.
func index766Kind(g data.Group) (string, error) {
	switch g {
	case data.Provinces:
		return "province", nil
	case data.Ministries:
		return "ministry", nil
	}
	return "", data.Errorf(data.ErrInvalid, "Chỉ số 766 xếp hạng tỉnh, thành phố và bộ, ngành, không xếp hạng nhóm %s", "the 766 index ranks provinces and ministries, not %s", g)
}

// Index766 ranks the group's units (as they are now) on the index for the period, with
// each unit's rank in the period before.
func (e *Engine) Index766(ctx context.Context, p data.Period, g data.Group) (*Index766Board, error) {
	return cached(e, fmt.Sprintf("index766|%s|%s", p, g), func() (*Index766Board, error) {
		b, err := e.index766(ctx, p, g)
		if err != nil {
			return nil, err
		}
		prev, err := e.index766(ctx, p.Previous(), g)
		if err != nil {
			return nil, err
		}
		for i := range b.Rows {
			if r, ok := prev.Row(b.Rows[i].Unit.Code); ok {
				b.Rows[i].PreviousRank = r.Rank
			}
		}
		return b, nil
	})
}

func (e *Engine) index766(ctx context.Context, p data.Period, g data.Group) (*Index766Board, error) {
	kind, err := index766Kind(g)
	if err != nil {
		return nil, err
	}
	counter, ok := e.src.(Index766Counter)
	if !ok {
		return nil, fmt.Errorf("index766: the source does not count dossiers")
	}
	env, err := index766Defaults()
	if err != nil {
		return nil, err
	}
	units := e.units(g, p, Current)
	ask := make([]data.Index766Unit, len(units))
	for i, u := range units {
		ask[i] = data.Index766Unit{Code: u.Code, Kind: kind}
	}
	counts, err := counter.Index766Counts(ctx, env.cal, Index766RulesOf(env.cfg), p, ask)
	if err != nil {
		return nil, err
	}
	b := &Index766Board{Period: p, Group: g, Config: env.cfg}
	for _, u := range units {
		k := counts[u.Code]
		if k == nil {
			k = &data.Index766Counts{UnitCode: u.Code, Kind: kind}
		}
		b.Rows = append(b.Rows, Index766Row{Unit: u, Result: ScoreIndex766(env.cfg, env.cal, p, *k)})
	}
	scored := func(r Index766Row) bool { return len(r.Result.Incomplete) < len(r.Result.Groups) }
	// Ranked by the total as shown (2 decimals), so that equal-looking totals share a rank;
	// then by name, units without any data last.
	sort.SliceStable(b.Rows, func(i, j int) bool {
		a, c := b.Rows[i], b.Rows[j]
		if scored(a) != scored(c) {
			return scored(a)
		}
		if ta, tc := round(a.Result.Total, 2), round(c.Result.Total, 2); ta != tc {
			return ta > tc
		}
		return data.CompareVI(a.Unit.NameVI, c.Unit.NameVI) < 0
	})
	for i := range b.Rows {
		r := &b.Rows[i]
		if !scored(*r) {
			continue
		}
		rank := i + 1
		if i > 0 && round(b.Rows[i-1].Result.Total, 2) == round(r.Result.Total, 2) && b.Rows[i-1].Rank != nil {
			rank = *b.Rows[i-1].Rank
		}
		r.Rank = &rank
	}
	return b, nil
}

// index766Composite is the index in the composites' shape: the six groups, each scored
// indicator as a component (value: the rate in percent; to_target: what it takes to full
// points), the total and the ranks.
func (e *Engine) index766Composite(ctx context.Context, q CompositeQuery) (*CompositeResult, error) {
	if q.Boundaries == Historical {
		return nil, data.Errorf(data.ErrInvalid, "Chỉ số 766 chỉ tính cho các đơn vị theo địa giới hiện nay", "the 766 index is computed for the units as they are now (boundaries=current)")
	}
	b, err := e.Index766(ctx, q.Period, q.Group)
	if err != nil {
		return nil, err
	}
	res := &CompositeResult{Name: Index766Name, NameVI: "Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)",
		NameEN: "Service index of Decision 766/QĐ-TTg", Normalization: "none", Period: q.Period.String(), Group: q.Group, Boundaries: Current}
	for _, r := range b.Rows {
		row := CompositeRow{Rank: r.Rank, UnitCode: r.Unit.Code, UnitNameVI: r.Unit.NameVI, UnitNameEN: r.Unit.NameEN, PreviousRank: r.PreviousRank}
		if r.Rank != nil {
			total := round(r.Result.Total, 2)
			row.Total = &total
			gr := e.defs.GradeFor(total)
			row.GradeVI, row.GradeEN = gr.LabelVI, gr.LabelEN
			if r.PreviousRank != nil {
				ch := *r.PreviousRank - *r.Rank
				row.RankChange = &ch
			}
		}
		for gi, g := range r.Result.Groups {
			def := b.Config.Groups[gi]
			gp := GroupPoints{Code: g.Code, NameVI: def.NameVI, NameEN: def.NameEN, Max: g.Max}
			if !g.NoData {
				v := round(g.Points, 2)
				gp.Points = &v
			}
			row.Groups = append(row.Groups, gp)
		}
		for _, s := range r.Result.Indicators {
			if !s.Scored {
				continue
			}
			cp := ComponentPoints{Indicator: s.ID} // no data: its points spread over the group's others, max 0
			if s.NoDataReason == "" {
				v, sc, pts := round(s.Rate*100, 2), 0.0, round(s.Points, 2)
				if s.Max > 0 {
					sc = round(s.Points/s.Max, 4)
				}
				lost := round(s.Max-s.Points, 2)
				cp.Value, cp.Score, cp.Points, cp.Lost, cp.Max = &v, &sc, &pts, &lost, round(s.Max, 4)
				if s.ToFullPoints >= 0 {
					n := int64(s.ToFullPoints)
					cp.ToTarget = &n
				}
			}
			row.Components = append(row.Components, cp)
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}
