package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/egovkpi/egovkpi/data"
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
	if *updateScreenshots { // the README's picture: the map, without a tooltip
		if err := chromedp.Do(ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 1, 1)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("#chart")))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "map.png"), png, 0o644); err != nil {
			t.Error(err)
		}
	}
	w.check(t)
	// a phone: no sideways scroll, every region still drawn
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	waitCharts(t, ctx)
	over, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil {
		t.Fatal(err)
	}
	cut, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](textsOutside+`(() => { const el = document.querySelector("#chart"); return textsOutside(echarts.getInstanceByDom(el), el)[1]; })()`))
	if err != nil {
		t.Fatal(err)
	}
	if over || len(cut) > 0 {
		t.Errorf("the map at 390 px: sideways scroll %v, texts cut %q", over, cut)
	}
	png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	artefact(t, "map-phone.png", png)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatal(err)
	}
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

// textsOutside is JavaScript: the number of texts a chart drew and those that fall outside
// it (a name or value cut off).
const textsOutside = `function textsOutside(c, el) {
  const w = el.clientWidth, h = el.clientHeight;
  let texts = 0, cut = [];
  for (const t of c.getZr().storage.getDisplayList(true)) {
    if ((t.type !== "text" && t.type !== "tspan") || t.ignore || t.invisible || !t.style || !t.style.text) continue;
    // the drawn extent: a tspan's own rectangle is its wrapping box, so measure from
    // its anchor by its alignment (the charts' texts are not rotated)
    const b = t.getBoundingRect(), m = t.getComputedTransform() || [1, 0, 0, 1, 0, 0];
    const a = t.style.textAlign, x0 = m[4] + (t.style.x || 0);
    const r = {x: a === "right" ? x0 - b.width : a === "center" ? x0 - b.width / 2 : x0, y: m[5] + b.y, width: b.width, height: b.height};
    texts++;
    if (r.x < -1 || r.y < -1 || r.x + r.width > w + 1 || r.y + r.height > h + 1) cut.push(t.style.text);
  }
  return [texts, cut];
}
`

// chartFacts reads what a leaderboard chart drew: its bars' labels and colours, its
// reference lines, where its value axis starts, and whether any text falls outside the
// chart (a name or value cut off).
const chartFacts = textsOutside + `(() => {
  const el = document.querySelector("#chart");
  const c = echarts.getInstanceByDom(el);
  const o = c.getOption();
  const s = o.series[0];
  const [texts, cut] = textsOutside(c, el);
  return {
    Labels: s.data.map(d => d.label && d.label.formatter || ""),
    Colours: [...new Set(s.data.map(d => d.itemStyle && d.itemStyle.color))],
    Lines: (s.markLine && s.markLine.data || []).map(d => d.label.formatter),
    AxisMin: o.xAxis[0].min,
    Names: o.yAxis[0].data.length,
    Texts: texts,
    Cut: cut,
  };
})()`

type chartFactsT struct {
	Labels  []string
	Colours []string
	Lines   []string
	AxisMin float64
	Names   int
	Texts   int
	Cut     []string
}

// TestLeaderboardAtAGlance: tiles on top, an "as of" line, values on the bars, the
// national value and the target as lines, bars coloured by target met with ✔/✘, an axis
// that does not start at 0, no label cut, headers that look sortable (issue 18 #4).
func TestLeaderboardAtAGlance(t *testing.T) {
	ctx := browser(t)
	s := startServer(t, true)
	w := watchPage(ctx)
	signIn(t, ctx, s, "committee1")
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/?indicator=online_dossier_rate&period=2025-12"), chromedp.WaitVisible(chromedp.CSS("#board"))); err != nil {
		t.Fatal(err)
	}
	waitCharts(t, ctx)
	tiles, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#tiles .tile")].map(e => e.innerText.replace(/\s+/g, " "))`))
	if err != nil {
		t.Fatal(err)
	}
	want := []*regexp.Regexp{
		regexp.MustCompile(`^Cả nước \d{1,3},\d\d% [\d.]+ / [\d.]+$`),
		regexp.MustCompile(`^Thay đổi so với kỳ trước [▲▼–] [+-]?\d+,\d\d điểm % Tháng 11/2025: \d+,\d\d%$`),
		regexp.MustCompile(`^Đơn vị đạt mục tiêu \d+/\d+ Mục tiêu 80% \(.+\)$`),
		regexp.MustCompile(`^Báo cáo đã nhận \d+/34 đơn vị đã nộp$`),
	}
	if len(tiles) != len(want) {
		t.Fatalf("tiles: %q", tiles)
	}
	for i, re := range want {
		if !re.MatchString(tiles[i]) {
			t.Errorf("tile %d %q, want %s", i, tiles[i], re)
		}
	}
	asOf, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#asof")))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^Số liệu kỳ: Tháng 12/2025 · \d+/34 đơn vị đã nộp · cập nhật lần cuối \d\d:\d\d \d\d/\d\d/\d{4}$`).MatchString(asOf) {
		t.Errorf("as of: %q", asOf)
	}
	f, err := chromedp.Run(ctx, chromedp.Evaluate[chartFactsT](chartFacts))
	if err != nil {
		t.Fatal(err)
	}
	onBar := regexp.MustCompile(`^\d{1,3},\d\d% [✔✘]$`)
	for _, l := range f.Labels {
		if !onBar.MatchString(l) {
			t.Errorf("bar label %q", l)
			break
		}
	}
	if len(f.Labels) < 30 || len(f.Colours) != 2 {
		t.Errorf("%d bars in %d colours %v; want every province, met and missed apart", len(f.Labels), len(f.Colours), f.Colours)
	}
	// the national line is the API's national figure: with the demo's 766 records it also
	// counts the units that sent no report for the month but whose dossiers are kept (Cao
	// Bằng in 2025-12: 98 online of 262 from its records), 79,99% where the reports alone
	// gave 80,00%
	var rk struct{ National struct{ Value *float64 } }
	s.getJSON(t, "/api/v1/rankings?indicator=online_dossier_rate&period=2025-12&group=provinces", 200, &rk)
	if rk.National.Value == nil {
		t.Fatal("no national figure")
	}
	national := "Cả nước: " + data.FormatNumber(*rk.National.Value, 2, "vi") + "%"
	if len(f.Lines) != 2 || !strings.HasPrefix(f.Lines[0], "Mục tiêu: 80%") || !strings.HasPrefix(f.Lines[1], national) {
		t.Errorf("reference lines %q, want %q", f.Lines, national)
	}
	if f.AxisMin <= 0 {
		t.Errorf("the value axis starts at %v", f.AxisMin)
	}
	if len(f.Cut) > 0 || f.Texts < 2*f.Names {
		t.Errorf("%d texts, cut: %q", f.Texts, f.Cut)
	}
	marks, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#board thead button[data-sort]")].map(b => getComputedStyle(b, "::after").content)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(marks) < 4 || marks[0] != `"⇅"` {
		t.Errorf("sortable headers' marks: %q", marks)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	artefact(t, "leaderboard-glance.png", png)
	w.check(t)

	// a phone: tiles one under another, names broken over lines, nothing cut or scrolling
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#board"))); err != nil {
		t.Fatal(err)
	}
	waitCharts(t, ctx)
	f, err = chromedp.Run(ctx, chromedp.Evaluate[chartFactsT](chartFacts))
	if err != nil {
		t.Fatal(err)
	}
	over, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil {
		t.Fatal(err)
	}
	if over || len(f.Cut) > 0 {
		t.Errorf("at 390 px: sideways scroll %v, cut %q", over, f.Cut)
	}
	png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	artefact(t, "leaderboard-phone.png", png)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatal(err)
	}

	// ministries: long names whole, their own "national" label; the composite: grades
	for _, p := range []struct{ name, path, national string }{
		{"ministries", "/?indicator=on_time_rate&period=2026-Q3&group=ministries", "Chung các bộ, ngành"},
		{"composite", "/", "Điểm trung bình"},
	} {
		if err := chromedp.Do(ctx, chromedp.Navigate(s.url+p.path), chromedp.WaitVisible(chromedp.CSS("#board"))); err != nil {
			t.Fatal(err)
		}
		waitCharts(t, ctx)
		f, err := chromedp.Run(ctx, chromedp.Evaluate[chartFactsT](chartFacts))
		if err != nil {
			t.Fatal(err)
		}
		first, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#tile-national .tile-label")))
		if err != nil {
			t.Fatal(err)
		}
		if first != p.national {
			t.Errorf("%s: first tile %q, want %q", p.name, first, p.national)
		}
		if len(f.Cut) > 0 || f.Names == 0 || len(f.Labels) != f.Names || f.Labels[0] == "" {
			t.Errorf("%s: %d names, labels %q, cut %q", p.name, f.Names, f.Labels, f.Cut)
		}
		if p.name == "composite" && (len(f.Colours) < 2 || !strings.Contains(f.Labels[0], " · ")) {
			t.Errorf("composite bars not by grade: %v %q", f.Colours, f.Labels[0])
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		artefact(t, "leaderboard-"+p.name+"-glance.png", png)
		w.check(t)
	}
}
