package dashboard

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

const focusCountry = "VNM"

func (s *Server) surveyYear(c echo.Context) (int, []int, error) {
	years, err := s.surveys.EGDIYears(c.Request().Context())
	if err != nil {
		return 0, nil, err
	}
	if len(years) == 0 {
		return 0, nil, fmt.Errorf("%w: no UN E-Government Survey has been imported (egovkpi ingest egdi-2018.csv)", data.ErrNotFound)
	}
	y := years[len(years)-1]
	if v := c.QueryParam("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, nil, fmt.Errorf("%w: year %q is not a year", data.ErrInvalid, v)
		}
		y = n
	}
	return y, years, nil
}

// GET /api/v1/benchmarks/egdi?year=&region=
func (s *Server) egdi(c echo.Context) error {
	y, _, err := s.surveyYear(c)
	if err != nil {
		return err
	}
	r, err := metrics.EGDI(c.Request().Context(), s.surveys, y, c.QueryParam("region"), focusCountry)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// GET /benchmark?year=: Viet Nam's trajectory, its sub-region, the components.
func (s *Server) benchmarkPage(c echo.Context) error {
	ctx := c.Request().Context()
	lang := langOf(c)
	y, years, err := s.surveyYear(c)
	if err != nil {
		return err
	}
	var xs []string
	var ranks []opts.LineData
	for _, yy := range years {
		r, err := metrics.EGDI(ctx, s.surveys, yy, "", focusCountry)
		if err != nil {
			return err
		}
		xs = append(xs, strconv.Itoa(yy))
		if r.Focus != nil && r.Focus.Rank != nil {
			ranks = append(ranks, opts.LineData{Value: *r.Focus.Rank})
		} else {
			ranks = append(ranks, opts.LineData{Value: nil})
		}
	}
	traj := charts.NewLine()
	traj.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{AssetsHost: assetsHost}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: xs}),
		charts.WithYAxisOpts(opts.YAxis{Name: T(lang, "rank"), Type: "value", Inverse: opts.Bool(true), Min: 1, Max: 193}),
		charts.WithAnimation(false),
	)
	traj.SetXAxis(xs).AddSeries(T(lang, "egdi.rank"), ranks, charts.WithMarkLineNameYAxisItemOpts(
		opts.MarkLineNameYAxisItem{Name: "50", YAxis: 50}, opts.MarkLineNameYAxisItem{Name: "30", YAxis: 30}))
	r, err := metrics.EGDI(ctx, s.surveys, y, "", focusCountry)
	if err != nil {
		return err
	}
	sub := "South-eastern Asia"
	if r.Focus != nil {
		sub = r.Focus.Subregion
	}
	var region []metrics.EGDIRow
	var names []string
	var osi, hci, tii []opts.BarData
	for _, row := range r.Rows {
		if row.Subregion == sub {
			// the country as the reader knows it: Lào, Hàn Quốc (the published name, which
			// may be a former one, stays for English readers)
			if ct, ok := data.UNCountries().ByCode(row.Code); ok && lang != "en" {
				row.Country, row.Name = ct.CountryName(lang), ct.CountryName(lang)
			}
			region = append(region, row)
			names = append(names, row.Country)
			osi = append(osi, barValue(row.OSI))
			hci = append(hci, barValue(row.HCI))
			tii = append(tii, barValue(row.TII))
		}
	}
	comp := charts.NewBar()
	comp.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{AssetsHost: assetsHost}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true)}),
		charts.WithGridOpts(opts.Grid{Left: "200", Right: "20", Top: "30", Bottom: "30"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: names, Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0"}}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Max: 1}),
		charts.WithAnimation(false),
	)
	comp.AddSeries("OSI", osi).AddSeries("HCI", hci).AddSeries("TII", tii)
	return s.render(c, http.StatusOK, "benchmark.html", "benchmark", T(lang, "nav.benchmark")+" · "+strconv.Itoa(y), map[string]any{
		"Year": y, "Years": years, "Latest": years[len(years)-1], "Result": r, "Region": region, "Subregion": data.RegionName(lang, sub),
		"Trajectory": optionJSON(traj), "Components": optionJSON(comp)})
}

func barValue(v *float64) opts.BarData {
	if v == nil {
		return opts.BarData{Value: nil}
	}
	return opts.BarData{Value: *v}
}
