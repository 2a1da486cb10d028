package dashboard

import (
	"encoding/json"
	"math"

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
		so := []charts.SeriesOpts{charts.WithLineChartOpts(opts.LineChart{ConnectNulls: opts.Bool(false), ShowSymbol: opts.Bool(false)})}
		colour, ref := seriesColour(name)
		if !ref {
			colour = colourUnit
		}
		style := &opts.LineStyle{Color: colour, Width: 2}
		if colour == colourTarget {
			style.Type = "dashed"
		}
		so = append(so, charts.WithItemStyleOpts(opts.ItemStyle{Color: colour}), charts.WithLineStyleOpts(*style))
		line.AddSeries(name, series[name], so...)
	}
	meta := &chartMeta{Decimals: 2}
	if yName == "%" {
		meta.Unit = "%"
	}
	return optionWith(line, meta)
}

// One palette on every page (app.css has the same colours for the keys under charts):
// a unit is blue, the national figure slate, the target amber; a bar that meets its
// target is blue and one that misses it orange (a pair colour-blind readers tell apart,
// and the label says ✔ or ✘ besides); composite grades run light to dark, the darker
// the better, as on the map.
const (
	colourUnit     = "#2b6cb0"
	colourNational = "#37474f"
	colourTarget   = "#b45309"
	colourMet      = "#2b6cb0"
	colourMissed   = "#e8913a"
)

// gradeColours are the composite grades' colours, best first (metrics' grades, by Min).
var gradeColours = []string{"#084081", "#2b8cbe", "#7bccc4", "#bae4bc", "#e0e3e7"}

// seriesColour is the palette's colour for a series named as the pages name them.
func seriesColour(name string) (string, bool) {
	switch name {
	case T("vi", "national"), T("en", "national"), T("vi", "national.ministries"), T("en", "national.ministries"):
		return colourNational, true
	case T("vi", "target"), T("en", "target"):
		return colourTarget, true
	}
	return "", false
}

// boardBar is one unit's bar on the leaderboard.
type boardBar struct {
	Name   string
	Value  float64
	Colour string
	Label  string // written on the bar's end, e.g. "93,89% ✔"
}

// refLine is a vertical reference line across the bars (national, target).
type refLine struct {
	Value  float64
	Label  string
	Colour string
	Dashed bool
}

// leaderboardChart is the leaderboard's horizontal bar chart, best at the top: each bar
// with its value (and ✔/✘) at its end, coloured by the caller, the national figure and
// the target as labelled lines above the bars, names never cut (the label area grows to
// the longest, breaking a long ministry's name over two lines), and a value axis from
// axisMin so that 82 and 94 look different.
func leaderboardChart(series string, bars []boardBar, lines []refLine, axisMin, axisMax, step float64, unit string, dec int) string {
	names := make([]string, len(bars))
	items := make([]map[string]any, len(bars))
	for i, b := range bars {
		names[i] = b.Name
		items[i] = map[string]any{"value": b.Value, "itemStyle": map[string]any{"color": b.Colour}, "label": map[string]any{"formatter": b.Label}}
	}
	var marks []map[string]any
	for i, l := range lines {
		style := "solid"
		if l.Dashed {
			style = "dashed"
		}
		// stacked above the plot, one row each, so two close lines never share a label
		// (the category axis runs top down, so a line's start is at the top)
		marks = append(marks, map[string]any{"name": l.Label, "xAxis": l.Value,
			"lineStyle": map[string]any{"color": l.Colour, "type": style, "width": 2},
			"label": map[string]any{"formatter": l.Label, "position": "start", "distance": 4 + 17*i, "color": l.Colour, "fontWeight": "bold",
				"backgroundColor": "#ffffff", "padding": []int{1, 3}}})
	}
	top := 20 + 17*len(lines)
	opt := map[string]any{
		"animation": false,
		"tooltip":   map[string]any{"trigger": "axis", "axisPointer": map[string]any{"type": "shadow"}},
		"grid":      map[string]any{"left": 8, "right": 96, "top": top, "bottom": 8, "containLabel": true},
		"xAxis": map[string]any{"type": "value", "min": axisMin, "max": axisMax, "interval": step, "position": "bottom",
			"splitLine": map[string]any{"lineStyle": map[string]any{"color": "#e6e9ee"}}},
		"yAxis": map[string]any{"type": "category", "data": names, "inverse": true, "axisTick": map[string]any{"show": false},
			"axisLabel": map[string]any{"interval": 0, "width": 210, "overflow": "break", "color": "#1b2430", "lineHeight": 13}},
		"series": []any{map[string]any{"type": "bar", "name": series, "data": items, "barMaxWidth": 24, "barCategoryGap": "28%",
			"label":    map[string]any{"show": true, "position": "right", "color": "#1b2430", "fontSize": 11},
			"markLine": map[string]any{"silent": true, "symbol": []string{"none", "none"}, "data": marks}}},
		"egovkpi": chartMeta{Decimals: dec, Unit: unit},
	}
	b, err := json.Marshal(opt)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// valueAxis picks the value axis's ends for values in [lo, hi]: a round number a little
// below the lowest (never below 0) and above the highest (never above limit when limit
// > 0, e.g. 100 for a percentage), so that the bars show their differences, and the
// step between its ticks.
func valueAxis(lo, hi, limit float64) (from, to, step float64) {
	r := hi - lo
	step = 1.0
	switch {
	case r > 40:
		step = 10
	case r > 12:
		step = 5
	case r > 5:
		step = 2
	}
	a := math.Max(0, math.Floor((lo-0.2*r-0.5)/step)*step)
	b := math.Ceil((hi+0.02*r)/step) * step
	if limit > 0 && b > limit {
		b = limit
	}
	if b <= a {
		b = a + step
	}
	return a, b, step
}

// radarChart is a radar of a unit's groups against a reference (the national figure),
// each axis in percent of the group's maximum points.
func radarChart(axes []string, unitName string, unit []float64, refName string, ref []float64) string {
	r := charts.NewRadar()
	ind := make([]*opts.Indicator, len(axes))
	for i, a := range axes {
		ind[i] = &opts.Indicator{Name: a, Max: 100}
	}
	r.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{AssetsHost: assetsHost}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
		charts.WithRadarComponentOpts(opts.RadarComponent{Indicator: ind, Shape: "polygon", SplitNumber: 5, Center: []string{"50%", "55%"}}),
		charts.WithAnimation(false),
	)
	r.AddSeries(refName, []opts.RadarData{{Name: refName, Value: ref}},
		charts.WithItemStyleOpts(opts.ItemStyle{Color: colourNational}), charts.WithLineStyleOpts(opts.LineStyle{Color: colourNational, Width: 2, Type: "dashed"}))
	r.AddSeries(unitName, []opts.RadarData{{Name: unitName, Value: unit}},
		charts.WithItemStyleOpts(opts.ItemStyle{Color: colourUnit}), charts.WithLineStyleOpts(opts.LineStyle{Color: colourUnit, Width: 2}),
		charts.WithAreaStyleOpts(opts.AreaStyle{Color: colourUnit, Opacity: opts.Float(0.15)}))
	return optionWith(r, &chartMeta{Decimals: 1, Unit: "%"})
}
