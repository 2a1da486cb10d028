package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

type leaderboardData struct {
	Indicators []metrics.Indicator
	Composites []metrics.Composite
	Selected   string
	Period     string
	Group      string
	Boundaries string
	Ranking    *metrics.Ranking
	Composite  *metrics.CompositeResult
	Chart      string
	Coverage   data.Coverage
	Empty      bool
	// Status is how far the month's reports have come: a month that has not closed is
	// marked provisional.
	Status *metrics.MonthStatus
}

// GET /: the leaderboard, the home page. The URL holds every choice.
func (s *Server) leaderboardPage(c echo.Context) error {
	ctx := c.Request().Context()
	lang := langOf(c)
	d := leaderboardData{Indicators: s.eng.Defs().Indicators, Composites: s.eng.Defs().Composites}
	cov, err := s.eng.Coverage(ctx)
	if err != nil {
		return err
	}
	d.Coverage = cov
	if cov.Submissions == 0 {
		d.Empty = true
		return s.render(c, http.StatusOK, "leaderboard.html", "leaderboard", T(lang, "nav.leaderboard"), d)
	}
	v, err := s.readView(c)
	if err != nil {
		return err
	}
	d.Period, d.Group, d.Boundaries = v.Period.String(), string(v.Group), string(v.Boundaries)
	if v.Period.Kind == data.KindMonth {
		st, err := s.eng.MonthStatus(ctx, v.Group, v.Period.To)
		if err != nil {
			return err
		}
		d.Status = &st
	}
	d.Selected = v.Indicator
	if d.Selected == "" {
		d.Selected = "composite:service_index"
	}
	title := T(lang, "nav.leaderboard")
	// the same view for the same reader looks the same until the data changes
	key := fmt.Sprintf("board|%s|%s|%s|%v|%v", c.QueryString(), lang, d.Period, identityOf(c).can(exporter), d.Status)
	if _, hit := s.contents.get(key, s.eng.DataVersion()); hit {
		if name, ok := strings.CutPrefix(d.Selected, "composite:"); ok {
			if comp, ok := s.eng.Defs().Composite(name); ok {
				title += " · " + map[bool]string{true: comp.NameEN, false: comp.NameVI}[lang == "en"] + " · " + v.Period.String()
			}
		} else if in, ok := s.eng.Defs().Indicator(d.Selected); ok {
			title += " · " + in.Name(lang) + " · " + v.Period.String()
		}
		return s.renderPage(c, http.StatusOK, "leaderboard.html", "leaderboard", title, key, nil)
	}
	if name, ok := strings.CutPrefix(d.Selected, "composite:"); ok {
		r, err := s.eng.Composite(ctx, metrics.CompositeQuery{Name: name, Period: v.Period, Group: v.Group, Boundaries: v.Boundaries})
		if err != nil && !errors.Is(err, data.ErrNotFound) {
			return err
		}
		if r != nil {
			d.Composite = r
			var names []string
			var vals []opts.BarData
			for _, row := range r.Rows {
				if row.Total == nil {
					continue
				}
				names = append(names, row.UnitNameVI)
				if lang == "en" {
					names[len(names)-1] = row.UnitNameEN
				}
				vals = append(vals, opts.BarData{Value: *row.Total})
			}
			d.Chart = barChart(T(lang, "total"), names, vals, nil, "")
			title += " · " + map[bool]string{true: r.NameEN, false: r.NameVI}[lang == "en"] + " · " + v.Period.String()
		} else {
			d.Empty = true
		}
	} else {
		r, err := s.eng.Rankings(ctx, metrics.RankingQuery{Indicator: v.Indicator, Period: v.Period, Group: v.Group, Boundaries: v.Boundaries})
		if err != nil && !errors.Is(err, data.ErrNotFound) {
			return err
		}
		if r != nil {
			d.Ranking = r
			var names []string
			var vals []opts.BarData
			for _, row := range r.Rows {
				if row.Value == nil {
					continue
				}
				names = append(names, row.UnitNameVI)
				if lang == "en" {
					names[len(names)-1] = row.UnitNameEN
				}
				vals = append(vals, opts.BarData{Value: *row.Value})
			}
			var tv *float64
			if r.Target != nil {
				tv = &r.Target.Value
			}
			d.Chart = barChart(r.Def.Name(lang), names, vals, tv, T(lang, "target"))
			title += " · " + r.Def.Name(lang) + " · " + v.Period.String()
		} else {
			d.Empty = true
		}
	}
	return s.renderPage(c, http.StatusOK, "leaderboard.html", "leaderboard", title, key, d)
}
