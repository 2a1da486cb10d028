package main

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// menuState tells whether the menu is open and whether its links take room on screen.
const menuState = `(() => {
  const m = document.getElementById("menu");
  const a = document.querySelector('header nav a[href="/trends"]');
  const r = a ? a.getBoundingClientRect() : {width: 0, height: 0};
  return {open: !!(m && m.open), linkShown: !!a && a.checkVisibility() && r.width > 0 && r.height > 0,
    header: Math.round(document.querySelector("header.top").getBoundingClientRect().height)};
})()`

type menuStateT struct {
	Open      bool `json:"open"`
	LinkShown bool `json:"linkShown"`
	Header    int  `json:"header"`
}

// tableFacts reads, for every table in a .table-wrap, the name in its held (sticky)
// column that takes the most lines, and how many, and whether the column stays at the
// left when the table is scrolled sideways.
const tableFacts = `(() => {
  const out = [];
  for (const wrap of document.querySelectorAll(".table-wrap")) {
    const table = wrap.querySelector("table");
    if (!table || !wrap.offsetParent) continue;
    const cells = [...table.querySelectorAll("tbody tr > *")].filter(c => getComputedStyle(c).position === "sticky");
    let lines = 0, name = "";
    for (const c of cells) {
      const r = document.createRange(); r.selectNodeContents(c);
      const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
      if (tops.size > lines) { lines = tops.size; name = c.textContent.trim(); }
    }
    let held = true;
    if (cells.length && wrap.scrollWidth > wrap.clientWidth) {
      wrap.scrollLeft = wrap.scrollWidth;
      held = Math.abs(cells[0].getBoundingClientRect().left - wrap.getBoundingClientRect().left) < 2;
      wrap.scrollLeft = 0;
    }
    out.push({id: table.id || table.className || "table", sticky: cells.length, lines: lines, name: name, held: held, scrolls: wrap.scrollWidth > wrap.clientWidth});
  }
  return out;
})()`

type tableFactT struct {
	ID      string `json:"id"`
	Sticky  int    `json:"sticky"`
	Lines   int    `json:"lines"`
	Name    string `json:"name"`
	Held    bool   `json:"held"`
	Scrolls bool   `json:"scrolls"`
}

// On a phone (390 px) the menu is a button that opens it, no page scrolls sideways and
// the tables keep the unit's name readable at the left while the rest scrolls.
func TestPhoneMenuAndTables(t *testing.T) {
	ctx := browser(t)
	s := startServer(t, true)
	w := watchPage(ctx)
	signIn(t, ctx, s, "committee1")
	state := func() menuStateT {
		t.Helper()
		m, err := chromedp.Run(ctx, chromedp.Evaluate[menuStateT](menuState))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	// a wide screen shows the links, with no menu button
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS("#board"))); err != nil {
		t.Fatal(err)
	}
	if m := state(); !m.Open || !m.LinkShown {
		t.Errorf("at 1366 px the links are hidden: %+v", m)
	}
	if shown, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.getElementById("menu-button")).display !== "none"`)); shown {
		t.Error("at 1366 px the menu button is shown")
	}

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#board"))); err != nil {
		t.Fatal(err)
	}
	m := state()
	if m.Open || m.LinkShown || m.Header > 70 {
		t.Errorf("at 390 px the menu is not collapsed: %+v", m)
	}
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	artefact(t, "phone-menu-closed.png", png)
	// a tap opens it over the page, a second closes it, and so does a tap elsewhere
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#menu-button"))); err != nil {
		t.Fatal(err)
	}
	if m := state(); !m.Open || !m.LinkShown {
		t.Errorf("a tap on the menu button did not open it: %+v", m)
	}
	png, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	artefact(t, "phone-menu-open.png", png)
	over, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil || over {
		t.Errorf("the open menu scrolls sideways: %v %v", over, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#menu-button"))); err != nil {
		t.Fatal(err)
	}
	if m := state(); m.Open || m.LinkShown {
		t.Errorf("a second tap did not close it: %+v", m)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#menu-button")), chromedp.Click(chromedp.CSS("#board thead th:last-child"))); err != nil {
		t.Fatal(err)
	}
	if m := state(); m.Open {
		t.Errorf("a tap outside did not close it: %+v", m)
	}
	// following a link from the menu
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#menu-button")), chromedp.Click(chromedp.CSS(`header nav a[href="/completeness"]`)),
		chromedp.WaitVisible(chromedp.CSS("#summary"))); err != nil {
		t.Fatal(err)
	}

	pages := []struct{ name, path, wait string }{
		{"leaderboard", "/?indicator=online_dossier_rate", "#board"},
		{"ministries", "/?indicator=online_dossier_rate&group=ministries", "#board"},
		{"trends", "/trends", ".grid"},
		{"completeness", "/completeness", "table.heat"},
		{"unit", "/units/01", "main h1"},
		{"maturity", "/maturity", "#matrix"},
	}
	for _, p := range pages {
		if err := chromedp.Do(ctx, chromedp.Navigate(s.url+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait))); err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		waitAnyCharts(t, ctx)
		if m := state(); m.Open || m.LinkShown {
			t.Errorf("%s: the menu is open at 390 px: %+v", p.name, m)
		}
		over, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
		if err != nil {
			t.Fatal(err)
		}
		if over {
			t.Errorf("%s scrolls sideways at 390 px", p.name)
		}
		tables, err := chromedp.Run(ctx, chromedp.Evaluate[[]tableFactT](tableFacts))
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range tables {
			switch {
			case tb.Scrolls && tb.Sticky == 0:
				t.Errorf("%s: table %s scrolls without a held column", p.name, tb.ID)
			case tb.Lines > 1 && float64(len(strings.Fields(tb.Name)))/float64(tb.Lines) < 2.5:
				// a name squeezed: fewer than 2.5 words a line
				t.Errorf("%s: table %s: %q takes %d lines", p.name, tb.ID, tb.Name, tb.Lines)
			case !tb.Held:
				t.Errorf("%s: table %s: the name column does not stay at the left when scrolled", p.name, tb.ID)
			}
		}
		if p.name == "leaderboard" && (len(tables) == 0 || tables[0].Sticky == 0) {
			t.Errorf("leaderboard: no held name column: %+v", tables)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		artefact(t, "phone-"+p.name+".png", png)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatal(err)
	}
	w.check(t)
}

// waitAnyCharts waits for the page's charts to draw, if it has any.
func waitAnyCharts(t *testing.T, ctx context.Context) {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("[data-option]").length`))
	if err != nil {
		t.Fatal(err)
	}
	if n > 0 {
		waitCharts(t, ctx)
	}
}

func emulateMedia(media string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media})
		return err
	})
}

const printFacts = `(() => {
  const shown = q => { const e = document.querySelector(q); if (!e) return false; const r = e.getBoundingClientRect(); return getComputedStyle(e).display !== "none" && r.width > 0 && r.height > 0; };
  return {header: shown("header.top"), nav: shown("header nav"), form: shown("form.choices"), button: shown("main button"), export: shown("#export"),
    title: shown("main h1"), table: shown("main table"), chart: shown("[data-option]"),
    wide: Math.max(0, ...[...document.querySelectorAll("main table, .chart canvas")].map(e => e.getBoundingClientRect().right))};
})()`

type printFactsT struct {
	Header, Nav, Form, Button, Export, Title, Table, Chart bool
	Wide                                                   float64
}

// With print media the red bar, the navigation, forms and buttons go; the title, the
// table and the chart stay; the page is A4 landscape.
func TestPrintStylesheet(t *testing.T) {
	ctx := browser(t)
	s := startServer(t, true)
	w := watchPage(ctx)
	signIn(t, ctx, s, "committee1")
	pages := []struct {
		name, path, wait string
		chart            bool
	}{
		{"leaderboard", "/?indicator=online_dossier_rate", "#board", true},
		{"completeness", "/completeness", "table.heat", false},
		{"maturity", "/maturity", "#matrix", true},
	}
	for _, p := range pages {
		if err := chromedp.Do(ctx, chromedp.Navigate(s.url+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait))); err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		waitAnyCharts(t, ctx)
		before, err := chromedp.Run(ctx, chromedp.Evaluate[printFactsT](printFacts))
		if err != nil {
			t.Fatal(err)
		}
		if !before.Header || !before.Form || !before.Export {
			t.Errorf("%s on screen: %+v", p.name, before)
		}
		// the width of an A4 landscape page inside its margins (273 mm) in CSS pixels
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1031, 730), emulateMedia("print")); err != nil {
			t.Fatal(err)
		}
		var f printFactsT
		for i := 0; i < 20; i++ { // the charts are drawn again at the page's width (app.js)
			if f, err = chromedp.Run(ctx, chromedp.Evaluate[printFactsT](printFacts)); err != nil {
				t.Fatal(err)
			}
			if f.Wide <= 1032 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if f.Header || f.Nav || f.Form || f.Button || f.Export {
			t.Errorf("%s printed: the bar, navigation, forms or buttons show: %+v", p.name, f)
		}
		if !f.Title || !f.Table || (p.chart && !f.Chart) {
			t.Errorf("%s printed: the title, table or chart is missing: %+v", p.name, f)
		}
		if f.Wide > 1032 {
			t.Errorf("%s printed: the table or chart runs to %.0f px, past the page's 1031", p.name, f.Wide)
		}
		heads, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("main table thead th")].map(th => th.getBoundingClientRect().width > 0 ? th.textContent.trim() : "").join("|")`))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(heads, "Đơn vị") {
			t.Errorf("%s printed: the table's headers %q", p.name, heads)
		}
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		artefact(t, "print-"+p.name+".png", png)
		if err := chromedp.Do(ctx, emulateMedia(""), chromedp.EmulateViewport(1366, 768)); err != nil {
			t.Fatal(err)
		}
		// the PDF Chromium prints: A4 landscape (842 × 595 pt), the title and the table in it
		yes := true
		pdf, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
			r, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes, PrintBackground: &yes})
			if err != nil {
				return nil, err
			}
			return r.Data, nil
		})
		if err != nil {
			t.Fatalf("%s: print to PDF: %v", p.name, err)
		}
		box := regexp.MustCompile(`/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]`).FindSubmatch(pdf)
		if box == nil {
			t.Errorf("%s: no page size in the PDF", p.name)
		} else if w, h := string(box[1]), string(box[2]); !strings.HasPrefix(w, "841") && !strings.HasPrefix(w, "842") || !strings.HasPrefix(h, "595") && !strings.HasPrefix(h, "594.9") {
			t.Errorf("%s: PDF page %s × %s pt, want A4 landscape 842 × 595", p.name, w, h)
		}
		artefact(t, "print-"+p.name+".pdf", pdf)
	}
	w.check(t)
}

// The workbooks of trends, completeness, maturity and the map hold the page's rows, and
// each page links to its workbook for those who may export.
func TestPageWorkbooks(t *testing.T) {
	s := startServer(t, true)
	open := func(path string) *excelize.File {
		t.Helper()
		code, b := s.do(t, "GET", path, "analyst1", nil)
		if code != 200 {
			t.Fatalf("%s: %d %s", path, code, b)
		}
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		t.Cleanup(func() { _ = f.Close() })
		return f
	}
	rows := func(f *excelize.File, i int) [][]string {
		t.Helper()
		rs, err := f.GetRows(f.GetSheetList()[i])
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	col := func(rs [][]string, c int) []string {
		var out []string
		for _, r := range rs[4:] { // title, note, blank, header
			if c < len(r) {
				out = append(out, r[c])
			} else {
				out = append(out, "")
			}
		}
		return out
	}

	// completeness: the month's units as the API lists them, and a heat-map sheet
	var comp struct {
		Units []struct {
			UnitCode string `json:"unit_code"`
			Status   string `json:"status"`
		} `json:"units"`
	}
	s.getJSON(t, "/api/v1/completeness?period=2026-09&group=provinces", 200, &comp)
	f := open("/api/v1/exports/completeness.xlsx?period=2026-09&group=provinces&lang=vi")
	rs := rows(f, 0)
	codes := col(rs, 1)
	if len(comp.Units) == 0 || len(codes) != len(comp.Units) {
		t.Fatalf("completeness: %d rows, the API has %d units", len(codes), len(comp.Units))
	}
	for i, u := range comp.Units {
		if codes[i] != u.UnitCode {
			t.Errorf("completeness row %d: %q, want %q", i, codes[i], u.UnitCode)
			break
		}
	}
	if got := strings.Join(rs[3], "|"); !strings.Contains(got, "Đơn vị") || !strings.Contains(got, "Trạng thái") {
		t.Errorf("completeness header %q", got)
	}
	if !strings.HasPrefix(rs[0][0], "Đầy đủ báo cáo") || !regexp.MustCompile(`Tháng 0?9/2026$`).MatchString(rs[0][0]) {
		t.Errorf("completeness title %q", rs[0][0])
	}
	if heat := rows(f, 1); len(heat) < 4+len(comp.Units) || len(heat[3]) != 14 {
		t.Errorf("completeness heat map sheet: %d rows, header %q", len(heat), heat[3])
	}

	// maturity: the matrix's units in the API's order with their levels
	var mat struct {
		Rows []struct {
			UnitCode string `json:"unit_code"`
			Level    int    `json:"level"`
		} `json:"rows"`
	}
	s.getJSON(t, "/api/v1/maturity?period=2026-09&group=provinces", 200, &mat)
	rs = rows(open("/api/v1/exports/maturity.xlsx?period=2026-09&group=provinces"), 0)
	codes, levels := col(rs, 1), col(rs, 2)
	if len(mat.Rows) == 0 || len(codes) != len(mat.Rows) {
		t.Fatalf("maturity: %d rows, the API has %d", len(codes), len(mat.Rows))
	}
	for i, r := range mat.Rows {
		if codes[i] != r.UnitCode || !strings.HasPrefix(levels[i], fmt.Sprintf("%d · ", r.Level)) {
			t.Errorf("maturity row %d: %q %q, want %s level %d", i, codes[i], levels[i], r.UnitCode, r.Level)
			break
		}
	}

	// the map: each province's value as the ranking has it, then the national value
	var rk struct {
		Rows []struct {
			UnitCode string   `json:"unit_code"`
			Value    *float64 `json:"value"`
		} `json:"rows"`
	}
	s.getJSON(t, "/api/v1/rankings?indicator=online_dossier_rate&period=2026-09&group=provinces", 200, &rk)
	rs = rows(open("/api/v1/exports/map.xlsx?indicator=online_dossier_rate&period=2026-09&lang=en"), 0)
	codes, values := col(rs, 1), col(rs, 2)
	if len(rk.Rows) != 34 || len(codes) != 35 {
		t.Fatalf("map: %d rows, the ranking %d", len(codes), len(rk.Rows))
	}
	for i, r := range rk.Rows {
		want := ""
		if r.Value != nil {
			want = fmt.Sprintf("%.2f", *r.Value)
		}
		if codes[i] != r.UnitCode || (want != "" && !strings.HasPrefix(values[i], strings.TrimRight(strings.TrimRight(want, "0"), "."))) {
			t.Errorf("map row %d: %q %q, want %s %s", i, codes[i], values[i], r.UnitCode, want)
			break
		}
	}
	if last := rs[len(rs)-1]; last[0] != "National" {
		t.Errorf("map: last row %q, want the national value", last)
	}

	// trends: a row per month up to the last closed one, a value and a target per indicator
	rs = rows(open("/api/v1/exports/trends.xlsx?group=provinces"), 0)
	months := col(rs, 0)
	if len(months) < 12 || !strings.HasPrefix(months[0], "Tháng ") {
		t.Errorf("trends: months %q", months)
	}
	if len(rs[3]) < 3 || !strings.Contains(rs[3][1], "Cả nước") || !strings.Contains(rs[3][2], "Mục tiêu") {
		t.Errorf("trends header %q", rs[3])
	}
	filled := 0
	for _, v := range col(rs, 1) {
		if v != "" {
			filled++
		}
	}
	if filled < 12 {
		t.Errorf("trends: %d national values", filled)
	}

	// each page links to its workbook for an analyst, not for an officer
	for _, p := range []struct{ page, link string }{
		{"/trends", "/api/v1/exports/trends.xlsx?"},
		{"/completeness?period=2026-09", "/api/v1/exports/completeness.xlsx?period=2026-09"},
		{"/maturity?period=2026-09", "/api/v1/exports/maturity.xlsx?period=2026-09"},
		{"/map?period=2026-09", "/api/v1/exports/map.xlsx?indicator=online_dossier_rate&amp;period=2026-09"},
	} {
		for user, want := range map[string]bool{"analyst1": true, "officer01": false} {
			code, b := s.do(t, "GET", p.page, user, nil)
			if code != 200 {
				t.Fatalf("%s as %s: %d", p.page, user, code)
			}
			if got := bytes.Contains(b, []byte(p.link)); got != want {
				t.Errorf("%s as %s: link to %s shown %v, want %v", p.page, user, p.link, got, want)
			}
		}
	}
}
