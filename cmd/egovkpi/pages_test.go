package main

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// Page tests of issue 18: chart tooltips, the map of the 34 provinces and the two
// archipelagos, the leaderboard at a glance. They share browser_test.go's set-up.

// waitCharts waits until every chart on the page drew pixels.
func waitCharts(t *testing.T, ctx context.Context) {
	t.Helper()
	for i := 0; i < 100; i++ {
		counts, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](chartsDrawn))
		if err != nil {
			t.Fatal(err)
		}
		if counts[0] > 0 && counts[0] == counts[1] {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the charts did not draw")
}

// hover moves the mouse over a point of a chart, given in JavaScript that has the chart
// as c and answers [x, y] inside the chart's element, and returns the tooltip's text.
func hover(t *testing.T, ctx context.Context, chart, point string) string {
	t.Helper()
	js := fmt.Sprintf(`(() => {
  const el = document.querySelector(%q);
  el.scrollIntoView({block: "center"});
  const c = echarts.getInstanceByDom(el);
  const p = (%s);
  const r = el.getBoundingClientRect();
  return [r.left + p[0], r.top + p[1]];
})()`, chart, point)
	xy, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](js))
	if err != nil {
		t.Fatalf("point on %s: %v", chart, err)
	}
	if err := chromedp.Do(ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, xy[0]-3, xy[1]), chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, xy[0], xy[1])); err != nil {
		t.Fatal(err)
	}
	tip := fmt.Sprintf(`(() => {
  const t = document.querySelector(%q + " .chart-tip");
  return t && getComputedStyle(t).display !== "none" && getComputedStyle(t).visibility !== "hidden" ? t.textContent : "";
})()`, chart)
	for i := 0; i < 40; i++ {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](tip))
		if err != nil {
			t.Fatal(err)
		}
		if s != "" {
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no tooltip on %s at %v", chart, xy)
	return ""
}

// TestTooltipInBrowser: hovering a chart shows a tooltip, in the reader's number format,
// with the series colour, and the Content-Security-Policy refuses nothing (issue 18 #2).
func TestTooltipInBrowser(t *testing.T) {
	ctx := browser(t)
	s := startServer(t, true)
	w := watchPage(ctx)
	signIn(t, ctx, s, "committee1")
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/trends"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	waitCharts(t, ctx)
	// the last month of the first trend: the national series and the target
	last := `(() => {
    const data = c.getOption().series[0].data;
    for (let i = data.length - 1; i >= 0; i--) {
      const v = data[i] && typeof data[i] === "object" ? data[i].value : data[i];
      if (typeof v === "number") return c.convertToPixel({seriesIndex: 0}, [i, v]);
    }
  })()`
	text := hover(t, ctx, ".grid figure:first-child .chart", last)
	if !regexp.MustCompile(`Cả nước: \d{1,3},\d\d%`).MatchString(text) {
		t.Errorf("trend tooltip %q: want Cả nước: 97,36%%-style", text)
	}
	if !strings.Contains(text, "Mục tiêu: ") {
		t.Errorf("trend tooltip %q lacks the target", text)
	}
	colour, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".grid figure:first-child .chart-tip .tip-mark")).backgroundColor`))
	if err != nil {
		t.Fatal(err)
	}
	if colour == "" || colour == "rgba(0, 0, 0, 0)" || colour == "rgb(91, 102, 117)" {
		t.Errorf("the tooltip's mark has no series colour: %q", colour)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	artefact(t, "tooltip-trends.png", png)
	w.check(t)

	// the leaderboard's bar: the unit and its value, Vietnamese decimals
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/?indicator=online_dossier_rate&period=2025-12"), chromedp.WaitVisible(chromedp.CSS("#board"))); err != nil {
		t.Fatal(err)
	}
	waitCharts(t, ctx)
	bar := `(() => { const l = c.getModel().getSeriesByIndex(0).getData().getItemLayout(0); return [l.x + l.width / 2, l.y + l.height / 2]; })()`
	text = hover(t, ctx, "#chart", bar)
	if !regexp.MustCompile(`: \d{1,3},\d\d`).MatchString(text) || strings.Contains(text, ".") {
		t.Errorf("leaderboard tooltip %q: want a Vietnamese value with %%", text)
	}
	w.check(t)

	// in English, English decimals
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/trends?lang=en"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	waitCharts(t, ctx)
	text = hover(t, ctx, ".grid figure:first-child .chart", last)
	if !regexp.MustCompile(`National: \d{1,3}\.\d\d%`).MatchString(text) {
		t.Errorf("English trend tooltip %q: want National: 97.36%%-style", text)
	}
	w.check(t)
}

// TestMapInBrowser: the map draws the 34 provinces and both archipelagos, as island
// symbols at their positions and labelled, named in Vietnamese on hover with Vietnamese
// numbers, with a titled legend (issue 18 #1).
func TestMapInBrowser(t *testing.T) {
	ctx := browser(t)
	s := startServer(t, true)
	w := watchPage(ctx)
	signIn(t, ctx, s, "committee1")
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/map?indicator=online_dossier_rate&period=2026-09"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	waitCharts(t, ctx)
	type island struct {
		Name     string
		Labelled bool
		Pixels   int // of the symbols' centres, drawn in a colour of the scale
		Symbols  int
		Box      [4]float64 // min lon, min lat, max lon, max lat of the symbols
	}
	type facts struct {
		Provinces   int
		Regions     int
		Names       []string
		Islands     []island
		LegendTitle string
		LegendEnds  []string
	}
	js := `(() => {
  const el = document.querySelector("#chart");
  const c = echarts.getInstanceByDom(el);
  const geo = echarts.getMap("vn34").geoJSON;
  const opt = c.getOption();
  const items = opt.series[0].data;
  const canvas = el.querySelector("canvas");
  const g = canvas.getContext("2d");
  const dpr = canvas.width / el.clientWidth;
  const islands = geo.features.filter(f => f.properties.kind === "archipelago").map(f => {
    const item = items.find(d => d.name === f.properties.name);
    let pixels = 0, box = [180, 90, -180, -90];
    for (const poly of f.geometry.coordinates) {
      const ring = poly[0];
      let lon = 0, lat = 0;
      for (const p of ring.slice(1)) { lon += p[0]; lat += p[1]; }
      lon /= ring.length - 1; lat /= ring.length - 1;
      box = [Math.min(box[0], lon), Math.min(box[1], lat), Math.max(box[2], lon), Math.max(box[3], lat)];
      const [x, y] = c.convertToPixel({seriesIndex: 0}, [lon, lat]);
      const d = g.getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data;
      // a colour of the green-blue scale: not white, not grey, blue above red
      if (d[3] > 0 && d[2] > d[0] + 20) pixels++;
    }
    return {Name: f.properties.name, Labelled: !!(item && item.label && item.label.show), Pixels: pixels,
      Symbols: f.geometry.coordinates.length, Box: box};
  });
  return {
    Provinces: geo.features.filter(f => f.properties.kind === "province").length,
    Regions: c.getModel().getSeriesByIndex(0).getData().count(),
    Names: items.map(d => d.name),
    Islands: islands,
    LegendTitle: opt.title[0].text,
    LegendEnds: opt.visualMap[0].text,
  };
})()`
	got, err := chromedp.Run(ctx, chromedp.Evaluate[facts](js))
	if err != nil {
		t.Fatal(err)
	}
	if got.Provinces != 34 || got.Regions != 36 {
		t.Errorf("%d provinces, %d regions drawn; want 34 and 36 (with the two archipelagos)", got.Provinces, got.Regions)
	}
	for _, n := range []string{"Thành phố Hồ Chí Minh", "Đắk Lắk", "Huế", "Quần đảo Hoàng Sa (TP Đà Nẵng)", "Quần đảo Trường Sa (tỉnh Khánh Hòa)"} {
		if !slices.Contains(got.Names, n) {
			t.Errorf("no region named %q in %v", n, got.Names)
		}
	}
	where := map[string][4]float64{ // the bounds, a little wider
		"Quần đảo Hoàng Sa (TP Đà Nẵng)":      {111.1, 15.6, 112.9, 17.2},
		"Quần đảo Trường Sa (tỉnh Khánh Hòa)": {111.4, 6.4, 117.6, 11.6},
	}
	if len(got.Islands) != 2 {
		t.Fatalf("archipelagos: %+v", got.Islands)
	}
	for _, is := range got.Islands {
		b, ok := where[is.Name]
		if !ok {
			t.Errorf("archipelago %q", is.Name)
			continue
		}
		if is.Box[0] < b[0] || is.Box[1] < b[1] || is.Box[2] > b[2] || is.Box[3] > b[3] {
			t.Errorf("%s drawn over %v, outside %v", is.Name, is.Box, b)
		}
		if !is.Labelled {
			t.Errorf("%s has no label", is.Name)
		}
		if is.Symbols < 5 || is.Pixels < is.Symbols*3/4 {
			t.Errorf("%s: %d of %d island symbols drawn in the scale's colours", is.Name, is.Pixels, is.Symbols)
		}
	}
	if !strings.Contains(got.LegendTitle, "hồ sơ") || len(got.LegendEnds) != 2 || got.LegendEnds[0] == got.LegendEnds[1] {
		t.Errorf("legend %q, ends %v", got.LegendTitle, got.LegendEnds)
	}
	// hover: Hà Nội, then an island of Hoàng Sa with Đà Nẵng's value
	text := hover(t, ctx, "#chart", `c.convertToPixel({seriesIndex: 0}, [105.75, 21.0])`)
	if !regexp.MustCompile(`^.*Hà Nội: \d{1,3},\d\d%$`).MatchString(text) {
		t.Errorf("Hà Nội's tooltip %q", text)
	}
	text = hover(t, ctx, "#chart", `c.convertToPixel({seriesIndex: 0}, [112.34, 16.83])`)
	daNang := hover(t, ctx, "#chart", `c.convertToPixel({seriesIndex: 0}, [108.0, 15.9])`)
	m := regexp.MustCompile(`: (\d{1,3},\d\d%)$`)
	if !strings.Contains(text, "Quần đảo Hoàng Sa (TP Đà Nẵng): ") || m.FindString(text) == "" || m.FindString(text) != m.FindString(daNang) || !strings.Contains(daNang, "Đà Nẵng") {
		t.Errorf("Hoàng Sa's tooltip %q, Đà Nẵng's %q", text, daNang)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	artefact(t, "map.png", png)
	w.check(t)
	// in English, English names and decimals
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/map?indicator=online_dossier_rate&period=2026-09&lang=en"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	waitCharts(t, ctx)
	text = hover(t, ctx, "#chart", `c.convertToPixel({seriesIndex: 0}, [105.75, 21.0])`)
	if !regexp.MustCompile(`Hanoi: \d{1,3}\.\d\d%$`).MatchString(text) {
		t.Errorf("Hà Nội's tooltip in English %q", text)
	}
	w.check(t)
}
