package dashboard

import (
	"fmt"
	"net/http"

	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

type unitIndicator struct {
	Def   metrics.Indicator
	Row   metrics.Row
	Chart string
}

type unitData struct {
	Unit         data.Unit
	Month        data.Month
	Predecessors []data.Unit
	Indicators   []unitIndicator
	Composite    *metrics.CompositeRow
	Maturity     *metrics.MaturityRow
	Indices      []metrics.IndexResult
	Submissions  []data.Submission
	// Late is the month's late dossiers, when the unit's dossier rows are kept.
	Late *data.LateDossiers
	// MoreProcedures is how many procedures with late dossiers the page leaves out.
	MoreProcedures int
	// Communes is a province's communes ranked on one indicator (?indicator=, else the
	// first), with the completeness of their data.
	Communes          *metrics.CommuneBoard
	CommuneIndicators []metrics.Indicator
}

// GET /units/:code: a unit's profile.
func (s *Server) unitPage(c echo.Context) error {
	ctx := c.Request().Context()
	lang := langOf(c)
	code := c.Param("code")
	u, ok := s.eng.Units().Latest(code)
	if !ok {
		return fmt.Errorf("%w: no unit with code %q", data.ErrNotFound, code)
	}
	d := unitData{Unit: u, Predecessors: s.eng.Units().Predecessors(code)}
	last, err := s.eng.DefaultMonth(ctx, u.Group)
	if err != nil {
		return err
	}
	cov, err := s.eng.Coverage(ctx)
	if err != nil {
		return err
	}
	d.Month = last
	b := metrics.Current
	if !u.ValidTo.IsZero() {
		b = metrics.Historical // a unit that no longer exists is shown as it was
		if u.ValidTo < last {
			d.Month = u.ValidTo
		}
	}
	p := data.MonthPeriod(d.Month)
	for _, in := range s.eng.Defs().Indicators {
		ui := unitIndicator{Def: in}
		r, err := s.eng.Rankings(ctx, metrics.RankingQuery{Indicator: in.Code, Period: p, Group: u.Group, Boundaries: b})
		if err != nil {
			return err
		}
		for _, row := range r.Rows {
			if row.UnitCode == code {
				ui.Row = row
			}
		}
		sr, err := s.eng.Series(ctx, metrics.SeriesQuery{Unit: code, Indicator: in.Code, From: cov.FirstMonth, To: d.Month, Boundaries: b})
		if err != nil {
			return err
		}
		var months []string
		series := map[string][]opts.LineData{}
		unitName, nat, tgt := u.Name(lang), T(lang, "national"), T(lang, "target")
		for _, pt := range sr.Points {
			months = append(months, pt.Period)
			series[unitName] = append(series[unitName], lineValue(pt.Value))
			series[nat] = append(series[nat], lineValue(pt.National))
			series[tgt] = append(series[tgt], lineValue(pt.Target))
		}
		ui.Chart = lineChart(months, series, []string{unitName, nat, tgt}, "%")
		d.Indicators = append(d.Indicators, ui)
	}
	if len(s.eng.Defs().Composites) > 0 {
		comp, err := s.eng.Composite(ctx, metrics.CompositeQuery{Name: s.eng.Defs().Composites[0].Code, Period: p, Group: u.Group, Boundaries: b})
		if err != nil {
			return err
		}
		for i := range comp.Rows {
			if comp.Rows[i].UnitCode == code {
				d.Composite = &comp.Rows[i]
			}
		}
	}
	mat, err := s.eng.Maturity(ctx, d.Month, u.Group, b)
	if err != nil {
		return err
	}
	for i := range mat.Rows {
		if mat.Rows[i].UnitCode == code {
			d.Maturity = &mat.Rows[i]
		}
	}
	if s.indexSrc != nil {
		if d.Indices, err = metrics.UnitIndices(ctx, s.indexSrc, s.eng.Units(), code); err != nil {
			return err
		}
	}
	if s.dossierLog != nil {
		late, err := s.lateDossiersOf(ctx, lateScope{Unit: &u, Group: u.Group, Month: d.Month}, 10)
		if err != nil {
			return err
		}
		if late.Counted() {
			d.MoreProcedures = keepProcedures(&late, 10)
			d.Late = &late
		}
	}
	if u.Group == data.Provinces && u.ValidTo.IsZero() && len(s.eng.Defs().Indicators) > 0 {
		ind := s.eng.Defs().Indicators[0].Code
		if q := c.QueryParam("indicator"); q != "" {
			ind = q
		}
		if d.Communes, err = s.eng.CommuneBoard(ctx, code, ind, d.Month); err != nil {
			return err
		}
		d.CommuneIndicators = s.eng.Defs().Indicators
	}
	subs, err := s.store.Submissions(ctx, data.SubmissionFilter{Unit: code, Limit: 36})
	if err != nil {
		return err
	}
	d.Submissions = subs
	return s.render(c, http.StatusOK, "unit.html", "leaderboard", u.Name(lang), d)
}

func lineValue(v *float64) opts.LineData {
	if v == nil {
		return opts.LineData{Value: nil}
	}
	return opts.LineData{Value: *v}
}
