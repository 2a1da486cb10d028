package dashboard

import (
	"encoding/json"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Charts are built with go-echarts and handed to the page as their option JSON; app.js
// draws them with the embedded echarts, so pages need no inline script and no CDN.

// assetsHost points go-echarts at our own static path instead of its CDN default.
const assetsHost = "/static/vendor/"

// optionJSON is the chart's echarts option. Validate first: go-echarts puts a chart's
// x-axis data in place only there, and without it a line chart's months were lost (the
// axis ran 0–100).
func optionJSON(c interface {
	Validate()
	JSON() map[string]interface{}
}) string {
	return optionWith(c, nil)
}

// chartMeta tells app.js how to write a chart's numbers (in the reader's format, by the
// same rules as FormatNumber): its decimals and unit. echarts does not know the key;
// app.js takes it out of the option before drawing.
type chartMeta struct {
	Decimals int    `json:"decimals"`
	Unit     string `json:"unit,omitempty"`
	// Title heads an item tooltip (a map's region) instead of the series name.
	Title string `json:"title,omitempty"`
	// None is what a tooltip says for a region without a value.
	None string `json:"none,omitempty"`
}

// optionWith is optionJSON with the chart's number format and any extra top-level
// option keys the go-echarts types do not have.
func optionWith(c interface {
	Validate()
	JSON() map[string]interface{}
}, meta *chartMeta, extra ...map[string]any) string {
	c.Validate()
	o := c.JSON()
	if meta != nil {
		o["egovkpi"] = meta
	}
	for _, x := range extra {
		for k, v := range x {
			o[k] = v
		}
	}
	b, err := json.Marshal(o)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// barChart is a horizontal bar chart, best at the top, with an optional target line.
func barChart(seriesName string, names []string, values []opts.BarData, target *float64, targetLabel string) string {
	bar := charts.NewBar()
	bar.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{AssetsHost: assetsHost}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithGridOpts(opts.Grid{Left: "160", Right: "40", Top: "20", Bottom: "30"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: names, Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0"}}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value"}),
		charts.WithAnimation(false),
	)
	var sopts []charts.SeriesOpts
	if target != nil {
		sopts = append(sopts,
			charts.WithMarkLineNameXAxisItemOpts(opts.MarkLineNameXAxisItem{Name: targetLabel, XAxis: *target}),
			charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"}, Label: &opts.Label{Show: opts.Bool(true), Formatter: targetLabel}}))
	}
	bar.AddSeries(seriesName, values, sopts...)
	return optionWith(bar, &chartMeta{Decimals: 2})
}

// lineChart draws one or more series over the same months.
func lineChart(months []string, series map[string][]opts.LineData, order []string, yName string) string {
	line := charts.NewLine()
	line.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{AssetsHost: assetsHost}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "50", Right: "20", Top: "30", Bottom: "30"}),
		charts.WithYAxisOpts(opts.YAxis{Name: yName, Type: "value"}),
		charts.WithAnimation(false),
	)
	line.SetXAxis(months)
	for _, name := range order {
		line.AddSeries(name, series[name], charts.WithLineChartOpts(opts.LineChart{ConnectNulls: opts.Bool(false), ShowSymbol: opts.Bool(false)}))
	}
	meta := &chartMeta{Decimals: 2}
	if yName == "%" {
		meta.Unit = "%"
	}
	return optionWith(line, meta)
}
