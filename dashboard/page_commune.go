package dashboard

import (
	"net/http"

	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// CommuneSeriesMonths is how many months a commune's page draws: the communes exist
// from 2025-07, so a longer span would only add empty months.
const CommuneSeriesMonths = 18

// communeIndicator is one indicator on a commune's page: its row among its province's
// communes, the province's communes together, and its series.
type communeIndicator struct {
	Def      metrics.Indicator
	Row      metrics.Row
	Province *float64 // the province's communes together, for the month
	Chart    string
}

// communeData is a commune's own page: where it stands among its province's communes
// on each indicator, its last CommuneSeriesMonths months and its late dossiers.
type communeData struct {
	Unit       data.Unit
	Province   data.Unit
	Month      data.Month
	From       data.Month // the series' first month
	Of         int        // the province's communes
	Indicators []communeIndicator
	// Late is the month's late dossiers, when the commune's dossier rows are kept.
	Late           *data.LateDossiers
	MoreProcedures int
	Submissions    []data.Submission
}

// communePage is GET /units/:code for a commune. It is ranked among its province's
// communes, not the nation's 3,321, and read at its province's month, so that it agrees
// with the board on the province's page it is reached from.
func (s *Server) communePage(c echo.Context, u data.Unit) error {
	ctx := c.Request().Context()
	lang := langOf(c)
	prov, _ := s.eng.Units().Latest(u.Parent)
	m, err := s.eng.DefaultMonth(ctx, data.Provinces)
	if err != nil {
		return err
	}
	b := metrics.Current
	if !u.ValidTo.IsZero() {
		b = metrics.Historical // a commune renamed since is shown as it was
		m = min(m, u.ValidTo)
	}
	d := communeData{Unit: u, Province: prov, Month: m, From: m.Add(1 - CommuneSeriesMonths)}
	for _, in := range s.eng.Defs().Indicators {
		// the series first: its one query over the 18 months leaves each month cached, so
		// the month's ranking, its previous month and its outliers read no more
		sr, err := s.eng.Series(ctx, metrics.SeriesQuery{Unit: u.Code, Indicator: in.Code, From: d.From, To: m, Boundaries: b})
		if err != nil {
			return err
		}
		r, err := s.eng.Rankings(ctx, metrics.RankingQuery{Indicator: in.Code, Period: data.MonthPeriod(m), Group: data.Communes,
			Province: u.Parent, Boundaries: b})
		if err != nil {
			return err
		}
		ci := communeIndicator{Def: in, Province: r.National.Value}
		d.Of = len(r.Rows)
		for _, row := range r.Rows {
			if row.UnitCode == u.Code {
				ci.Row = row
			}
		}
		name, pname, tgt := u.Name(lang), pick(lang, "Các xã của ", "Communes of ")+prov.Name(lang), T(lang, "target")
		var months []string
		series := map[string][]opts.LineData{}
		for _, pt := range sr.Points {
			months = append(months, axisMonth(lang, pt.Period))
			series[name] = append(series[name], lineValue(pt.Value))
			series[pname] = append(series[pname], lineValue(pt.Province))
			series[tgt] = append(series[tgt], lineValue(pt.Target))
		}
		ci.Chart = lineChart(months, series, []string{name, pname, tgt}, "%")
		d.Indicators = append(d.Indicators, ci)
	}
	if s.dossierLog != nil {
		late, err := s.lateDossiersOf(ctx, lateScope{Unit: &u, Group: data.Communes, Month: m}, 10)
		if err != nil {
			return err
		}
		if late.Counted() {
			d.MoreProcedures = keepProcedures(&late, 10)
			d.Late = &late
		}
	}
	if d.Submissions, err = s.store.Submissions(ctx, data.SubmissionFilter{Unit: u.Code, Limit: CommuneSeriesMonths}); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "commune.html", "leaderboard", u.Name(lang), d)
}
