package dashboard

import (
	"net/http"

	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

type trendChart struct {
	Def   metrics.Indicator
	Chart string
	Last  *float64
}

// GET /trends?group=: the national series of every indicator against its targets.
func (s *Server) trendsPage(c echo.Context) error {
	ctx := c.Request().Context()
	lang := langOf(c)
	g, err := data.ParseGroup(c.QueryParam("group"))
	if err != nil {
		return err
	}
	cov, err := s.eng.Coverage(ctx)
	if err != nil {
		return err
	}
	var charts []trendChart
	if cov.Submissions > 0 {
		// the series end at the group's last closed month, as every default period does
		last, err := s.eng.DefaultMonth(ctx, g)
		if err != nil {
			return err
		}
		for _, in := range s.eng.Defs().Indicators {
			sr, err := s.eng.Series(ctx, metrics.SeriesQuery{Group: g, Indicator: in.Code, From: cov.FirstMonth, To: last})
			if err != nil {
				return err
			}
			var months []string
			series := map[string][]opts.LineData{}
			nat, tgt := T(lang, "national"), T(lang, "target")
			var last *float64
			for _, pt := range sr.Points {
				months = append(months, axisMonth(lang, pt.Period))
				series[nat] = append(series[nat], lineValue(pt.Value))
				series[tgt] = append(series[tgt], lineValue(pt.Target))
				if pt.Value != nil {
					last = pt.Value
				}
			}
			charts = append(charts, trendChart{Def: in, Chart: lineChart(months, series, []string{nat, tgt}, "%"), Last: last})
		}
	}
	return s.render(c, http.StatusOK, "trends.html", "trends", T(lang, "nav.trends"),
		map[string]any{"Charts": charts, "Group": string(g), "Empty": cov.Submissions == 0})
}
