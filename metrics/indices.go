package metrics

import (
	"context"
	"sort"

	"github.com/egovkpi/egovkpi/data"
)

// IndexSource holds the imported national indices; *data.Store is one.
type IndexSource interface {
	Index(ctx context.Context, name string, year int) (data.IndexImport, error)
	IndexYears(ctx context.Context) (map[string][]int, error)
}

// IndexRow is one unit's score in a national index year, ranked within its group.
type IndexRow struct {
	UnitCode      string             `json:"unit_code"`
	UnitNameVI    string             `json:"unit_name_vi"`
	UnitNameEN    string             `json:"unit_name_en"`
	Group         data.Group         `json:"group"`
	Value         float64            `json:"value"`
	Rank          int                `json:"rank"`
	PublishedRank *int               `json:"published_rank"`
	Pillars       map[string]float64 `json:"pillars,omitempty"`
}

// IndexResult is a national index year.
type IndexResult struct {
	Name string     `json:"name"`
	Year int        `json:"year"`
	Rows []IndexRow `json:"rows"`
}

// IndexRanking ranks an index year with the same competition ranking as the
// leaderboards (on the value to 4 decimals), provinces and ministries apart.
func IndexRanking(ctx context.Context, src IndexSource, reg *data.Registry, name string, year int) (*IndexResult, error) {
	imp, err := src.Index(ctx, name, year)
	if err != nil {
		return nil, err
	}
	res := &IndexResult{Name: name, Year: year}
	for _, v := range imp.Values {
		u, ok := reg.At(v.Unit, data.NewMonth(year, 12))
		if !ok {
			u, _ = reg.At(v.Unit, data.NewMonth(year, 1))
		}
		res.Rows = append(res.Rows, IndexRow{UnitCode: v.Unit, UnitNameVI: u.NameVI, UnitNameEN: u.NameEN, Group: u.Group,
			Value: v.Value, PublishedRank: v.Rank, Pillars: v.Pillars})
	}
	sort.SliceStable(res.Rows, func(i, j int) bool {
		a, b := res.Rows[i], res.Rows[j]
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		if round(a.Value, 4) != round(b.Value, 4) {
			return a.Value > b.Value
		}
		return data.CompareVI(a.UnitNameVI, b.UnitNameVI) < 0
	})
	for i := range res.Rows {
		r := &res.Rows[i]
		r.Rank = 1
		if i > 0 && res.Rows[i-1].Group == r.Group {
			prev := res.Rows[i-1]
			if round(prev.Value, 4) == round(r.Value, 4) {
				r.Rank = prev.Rank
			} else {
				r.Rank = i + 1 - firstOfGroup(res.Rows, i)
			}
		}
	}
	return res, nil
}

func firstOfGroup(rows []IndexRow, i int) int {
	j := i
	for j > 0 && rows[j-1].Group == rows[i].Group {
		j--
	}
	return j
}

// UnitIndices lists a unit's score and rank in every index year held.
func UnitIndices(ctx context.Context, src IndexSource, reg *data.Registry, unit string) ([]IndexResult, error) {
	years, err := src.IndexYears(ctx)
	if err != nil {
		return nil, err
	}
	var out []IndexResult
	names := make([]string, 0, len(years))
	for n := range years {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, y := range years[n] {
			r, err := IndexRanking(ctx, src, reg, n, y)
			if err != nil {
				return nil, err
			}
			for _, row := range r.Rows {
				if row.UnitCode == unit {
					out = append(out, IndexResult{Name: n, Year: y, Rows: []IndexRow{row}})
				}
			}
		}
	}
	return out, nil
}
