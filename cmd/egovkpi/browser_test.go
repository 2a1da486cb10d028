package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/egovkpi/egovkpi/data"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write docs/leaderboard.png for the README")

// browser starts Debian's headless Chromium, never a downloaded one. In CI its absence
// is a failure; on a developer's machine without it the page tests are skipped.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; .ci/run installs it")
		}
		t.Skip("chromium is not installed (apt-get install chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 768),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	// three minutes for the pages, after the server's start (startServerOn waits up to five
	// for the demo's seed, which the tests start after this)
	ctx, cancel3 := context.WithTimeout(ctx, 8*time.Minute)
	t.Cleanup(cancel3)
	return ctx
}

// watch records console errors and every request the page makes.
type watch struct {
	allow    []string // console messages expected on this page
	mu       sync.Mutex
	errors   []string
	requests []string
}

func watchPage(ctx context.Context) *watch {
	w := &watch{}
	msgs := chromedp.Console(ctx)
	reqs := chromedp.Events(ctx, network.RequestWillBeSent)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				w.mu.Lock()
				w.errors = append(w.errors, m.String())
				w.mu.Unlock()
			}
		}
	}()
	go func() {
		for ev, err := range reqs {
			if err != nil {
				return
			}
			w.mu.Lock()
			w.requests = append(w.requests, ev.Request.URL)
			w.mu.Unlock()
		}
	}()
	return w
}

func (w *watch) check(t *testing.T) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
outer:
	for _, e := range w.errors {
		for _, a := range w.allow {
			if strings.Contains(e, a) {
				continue outer
			}
		}
		t.Errorf("console error: %s", e)
	}
	for _, r := range w.requests {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "data" && u.Hostname() != "127.0.0.1") {
			t.Errorf("request off 127.0.0.1: %s", r)
		}
	}
	w.errors = nil
}

// chartsDrawn counts chart elements that drew a canvas with coloured pixels.
const chartsDrawn = `(() => {
  const els = [...document.querySelectorAll("[data-option]")];
  let drawn = 0;
  for (const el of els) {
    const c = el.querySelector("canvas");
    if (!c || !c.width) continue;
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let coloured = 0;
    for (let i = 0; i < d.length; i += 16) { if (d[i+3] > 0 && (d[i] < 200 || d[i+1] < 200 || d[i+2] < 200)) coloured++; }
    if (coloured > 50) drawn++;
  }
  return [els.length, drawn];
})()`

// signIn fills the sign-in form as a person would.
func signIn(t *testing.T, ctx context.Context, s *server, user string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(s.url+"/login"),
		chromedp.WaitVisible(chromedp.CSS("input[name=username]")),
		chromedp.SendKeys(chromedp.CSS("input[name=username]"), user),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), testPassword),
		chromedp.Click(chromedp.CSS("form.login button")),
		chromedp.WaitVisible(chromedp.CSS("form.who")),
	); err != nil {
		t.Fatalf("sign in as %s: %v", user, err)
	}
}

func artefact(t *testing.T, name string, png []byte) {
	dir := filepath.Join("..", "..", "testdata", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Error(err)
	}
}

func TestPagesInBrowser(t *testing.T) {
	ctx := browser(t)
	s := startServer(t, true)
	w := watchPage(ctx)
	signIn(t, ctx, s, "committee1")
	pages := []struct{ name, path, heading string }{
		{"leaderboard", "/", "Bảng xếp hạng"},
		{"leaderboard-level4", "/?indicator=level4_share&period=2020-12&group=provinces&boundaries=historical", "mức độ 4"},
		{"leaderboard-ministries", "/?indicator=on_time_rate&period=2026-Q3&group=ministries", "đúng hạn"},
		{"unit", "/units/08", "Tuyên Quang"},
		{"trends", "/trends", "Xu hướng"},
		{"completeness", "/completeness", "Đầy đủ báo cáo"},
		{"map", "/map?indicator=level4_share&period=2024-12", "Bản đồ"},
		{"benchmark", "/benchmark?year=2018", "So sánh quốc tế"},
		{"maturity", "/maturity", "Mức độ trưởng thành"},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.Navigate(s.url+p.path), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
				t.Fatal(err)
			}
			h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1")))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(h1, p.heading) {
				t.Errorf("heading %q lacks %q", h1, p.heading)
			}
			var counts []int
			for i := 0; i < 50; i++ {
				counts, err = chromedp.Run(ctx, chromedp.Evaluate[[]int](chartsDrawn))
				if err != nil {
					t.Fatal(err)
				}
				if counts[0] == counts[1] {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if p.name != "completeness" && counts[0] == 0 {
				t.Error("no chart on the page")
			}
			if counts[0] != counts[1] {
				t.Errorf("%d of %d charts drew pixels", counts[1], counts[0])
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			artefact(t, p.name+".png", png)
			if p.name == "unit" && (*updateScreenshots || os.Getenv("EGOVKPI_SCREENSHOTS") != "") {
				// the README's picture of a unit's page: its first screen, as an official opens it
				shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join("..", "..", "docs", "unit.png"), shot, 0o644); err != nil {
					t.Error(err)
				}
			}
			w.check(t)
		})
	}
}

// TestLateDossiersInBrowser: after a dossier export, the unit's page shows its late
// dossiers by procedure.
func TestLateDossiersInBrowser(t *testing.T) {
	ctx := browser(t)
	s := startServer(t, true)
	var cov data.Coverage
	s.getJSON(t, "/api/v1/coverage", 200, &cov)
	m := cov.LastMonth
	day := func(d int, clock string) string { return fmt.Sprintf("%s-%02d %s", m, d, clock) }
	export := dossierHeadE2E
	for i := 0; i < 12; i++ {
		resolved := "" // every third open past its due date at the month's end
		if i%3 != 0 {
			resolved = day(10+i, "16:00:00") // after the due date for the first few
		}
		export += fmt.Sprintf("B%d,08,1.00%d,online,%s,%s,%s,true,false,false,\n", i, 100+i%4, day(1+i, "08:00:00"), day(8+i%5, "17:00:00"), resolved)
	}
	// the demo keeps dossiers of its own (the 766 records): the page shows them and these
	before := lateOf(t, s, "08", m.String())
	// unit 08 reported its month itself (the demo): the export waits for confirmation
	body, ct := multipartBody("ho-so.csv", []byte(export))
	if code, b := s.do(t, "POST", "/api/v1/submissions", "committee1", body, "Content-Type", ct); code != 409 {
		t.Fatalf("dossier upload over reported figures: %d %s", code, b)
	}
	body, ct = multipartBody("ho-so.csv", []byte(export))
	if code, b := s.do(t, "POST", "/api/v1/submissions?confirm=true", "committee1", body, "Content-Type", ct); code != 201 {
		t.Fatalf("dossier upload: %d %s", code, b)
	}
	// the export adds to the demo's: 8 resolved, all late (resolved after their due days
	// 8–12), and 4 open past their due date at the month's end, 2 late and 1 open in each of
	// its 4 procedures (1.00100 + i%4)
	after := lateOf(t, s, "08", m.String())
	if after.Resolved != before.Resolved+8 || after.ResolvedLate != before.ResolvedLate+8 || after.Overdue != before.Overdue+4 {
		t.Errorf("unit 08's late dossiers %d/%d, %d open; were %d/%d, %d", after.ResolvedLate, after.Resolved, after.Overdue,
			before.ResolvedLate, before.Resolved, before.Overdue)
	}
	for i := 0; i < 4; i++ {
		code := fmt.Sprintf("1.00%d", 100+i)
		found := false
		for _, p := range after.Procedures {
			if p.ProcedureCode == code {
				found = true
				if p.Resolved != 2 || p.ResolvedLate != 2 || p.Overdue != 1 {
					t.Errorf("procedure %s: %+v, want 2 late of 2 and 1 open", code, p.LateCounts)
				}
			}
		}
		if !found {
			t.Errorf("procedure %s missing from the late ones: %+v", code, after.Procedures)
		}
	}
	if len(after.Dossiers) == 0 {
		t.Fatal("no late dossiers")
	}
	w := watchPage(ctx)
	signIn(t, ctx, s, "committee1")
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/units/08"), chromedp.WaitVisible(chromedp.CSS("#late-procedures"))); err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#late-procedures tbody tr").length`))
	if err != nil {
		t.Fatal(err)
	}
	first, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#late-list tbody tr td")))
	if err != nil {
		t.Fatal(err)
	}
	// the page shows at most 10 procedures, and the most late dossier first
	if rows != min(len(after.Procedures), 10) || first != after.Dossiers[0].DossierID {
		t.Errorf("%d procedures with late dossiers (the API: %d), the most late %q (the API: %q)", rows, len(after.Procedures), first, after.Dossiers[0].DossierID)
	}
	if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS("#late-dossiers"))); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	artefact(t, "unit-late-dossiers.png", png)
	// the provinces' page: the units in the API's order, Tuyên Quang's row with its counts
	// after the export
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/dossiers"), chromedp.WaitVisible(chromedp.CSS("#late-units"))); err != nil {
		t.Fatal(err)
	}
	var all data.LateDossiers
	getJSONAs(t, s, "/api/v1/dossiers/late?group=provinces&month="+m.String(), "committee1", 200, &all)
	lines, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#late-units tbody tr")].map(r => r.innerText)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != len(all.Units) || len(lines) == 0 {
		t.Fatalf("%d units on /dossiers, the API %d", len(lines), len(all.Units))
	}
	first08 := -1
	for i, u := range all.Units {
		if u.UnitCode == "08" {
			first08 = i
		}
	}
	counts := func(late, of int) string {
		return data.FormatNumber(float64(late), 0, "vi") + " / " + data.FormatNumber(float64(of), 0, "vi")
	}
	if first08 < 0 || !strings.Contains(lines[first08], "Tuyên Quang") || !strings.Contains(lines[first08], counts(after.ResolvedLate, after.Resolved)) {
		t.Errorf("Tuyên Quang on /dossiers: row %d %q, want %s", first08, lines[max(first08, 0)], counts(after.ResolvedLate, after.Resolved))
	}
	if top := all.Units[0]; !strings.Contains(lines[0], counts(top.ResolvedLate, top.Resolved)) {
		t.Errorf("first unit on /dossiers: %q, the API's first %+v", lines[0], top)
	}
	png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	artefact(t, "dossiers.png", png)
	w.check(t)
}

func TestLeaderboardInteractions(t *testing.T) {
	ctx := browser(t)
	s := startServer(t, true)
	w := watchPage(ctx)
	signIn(t, ctx, s, "committee1")
	text := func(q string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(q)))
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return v
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/?indicator=online_dossier_rate&period=2025-12"), chromedp.WaitVisible(chromedp.CSS("#board"))); err != nil {
		t.Fatal(err)
	}
	// the API's national figure: with the demo's 766 records Cao Bằng, which sent no report
	// for 2025-12, has the figures of its dossiers (79,99% where the reports alone gave 80,00%)
	var rk struct{ National struct{ Value *float64 } }
	s.getJSON(t, "/api/v1/rankings?indicator=online_dossier_rate&period=2025-12&group=provinces", 200, &rk)
	before := text("#national-value")
	if rk.National.Value == nil || before != data.FormatNumber(*rk.National.Value, 2, "vi")+"%" {
		t.Errorf("national online dossiers 2025-12 = %q, the API's %v", before, rk.National.Value)
	}
	// choosing another indicator reloads the table, the chart and the URL
	js := `(() => { const s = document.querySelector("select[name=indicator]"); s.value = "level4_share"; s.dispatchEvent(new Event("change")); return true; })()`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err != nil {
		t.Fatal(err)
	}
	var after string
	for i := 0; i < 100; i++ {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		if strings.Contains(loc, "indicator=level4_share") {
			if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#national-value") ? document.querySelector("#national-value").textContent : ""`)); err == nil && v != "" {
				after = v
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if after == "" || after == before {
		t.Errorf("after choosing level 4 the national value is %q (was %q)", after, before)
	}
	title := text("main h1")
	if !strings.Contains(title, "mức độ 4") || !strings.Contains(title, "Tháng 12/2025") {
		t.Errorf("heading after the change: %q", title)
	}
	// sorting by unit name, with the keyboard: Vietnamese order
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS("#board thead th:nth-child(3) button")), chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	first, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#board tbody tr:first-child td:nth-child(3) a")))
	if err != nil {
		t.Fatal(err)
	}
	if first != "An Giang" {
		t.Errorf("first unit after sorting by name: %q", first)
	}
	// the language switch, remembered in a cookie
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#lang-switch")), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if h := text("main h1"); !strings.Contains(h, "Leaderboard") {
		t.Errorf("English heading: %q", h)
	}
	if v := text("#national-value"); !strings.Contains(v, ".") || strings.Contains(v, ",") {
		t.Errorf("English number %q", v)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/trends"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	if h := text("main h1"); h != "Trends" {
		t.Errorf("language not remembered: %q", h)
	}
	// the README's screenshot, taken here
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/lang/vi?back=/%3Findicator%3Donline_dossier_rate%26period%3D2025-12"), chromedp.WaitVisible(chromedp.CSS("#board"))); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	artefact(t, "leaderboard-readme.png", png)
	if *updateScreenshots {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "leaderboard.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w.check(t)
}

func TestPhoneWidth(t *testing.T) {
	ctx := browser(t)
	s := startServer(t, true)
	signIn(t, ctx, s, "officer01")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS("#board"))); err != nil {
		t.Fatal(err)
	}
	over, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil {
		t.Fatal(err)
	}
	if over {
		t.Error("the leaderboard scrolls sideways at 390 px")
	}
}
