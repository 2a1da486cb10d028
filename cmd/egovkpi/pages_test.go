package main

import (
	"context"
	"fmt"
	"regexp"
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
