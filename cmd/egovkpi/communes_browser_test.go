package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestHanoiCommunesInBrowser: Hà Nội's page in headless Chromium on the demo, at 1400 px
// and on a 390 px phone, lists its 126 communes in the rankings API's order, with a bar
// for each that has a value and the note that no outlines exist offline, without
// scrolling the page sideways on the phone. With -update-screenshots (or
// EGOVKPI_SCREENSHOTS set) it writes docs/hanoi-communes.png and
// docs/hanoi-communes-phone.png for the README.
func TestHanoiCommunesInBrowser(t *testing.T) {
	ctx := browser(t)
	s := startServer(t, true)
	var board struct {
		Period string
		Rows   []struct {
			UnitCode string `json:"unit_code"`
			Value    *float64
		}
	}
	getJSONAs(t, s, "/api/v1/rankings?indicator=online_dossier_rate&group=provinces", "committee1", 200, &board)
	getJSONAs(t, s, "/api/v1/rankings?indicator=online_dossier_rate&group=communes&province=01&period="+board.Period, "committee1", 200, &board)
	if len(board.Rows) != 126 {
		t.Fatalf("Hà Nội's communes in the API: %d", len(board.Rows))
	}
	withValue := 0
	for _, r := range board.Rows {
		if r.Value != nil {
			withValue++
		}
	}
	w := watchPage(ctx)
	signIn(t, ctx, s, "committee1")
	for _, v := range []struct {
		name          string
		width, height int64
	}{{"hanoi-communes", 1400, 900}, {"hanoi-communes-phone", 390, 844}} {
		t.Run(v.name, func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(v.width, v.height),
				chromedp.Navigate(s.url+"/units/01?indicator=online_dossier_rate"), chromedp.WaitVisible(chromedp.CSS("#communes-table"))); err != nil {
				t.Fatal(err)
			}
			codes, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#communes-table tbody tr")].map(r => r.cells[1].innerText.trim())`))
			if err != nil {
				t.Fatal(err)
			}
			if len(codes) != len(board.Rows) {
				t.Fatalf("%d communes on the page, the API ranks %d", len(codes), len(board.Rows))
			}
			for i, r := range board.Rows {
				if codes[i] != r.UnitCode {
					t.Fatalf("row %d: %s, the API's %s", i+1, codes[i], r.UnitCode)
				}
			}
			bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("#communes-table meter")].filter(m => m.getBoundingClientRect().width > 20).length`))
			if err != nil {
				t.Fatal(err)
			}
			if bars != withValue {
				t.Errorf("%d bars drawn, %d communes with a value", bars, withValue)
			}
			note, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#communes-note")))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(note, "ngoại tuyến") {
				t.Errorf("the note %q does not say there are no outlines offline", note)
			}
			over, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
			if err != nil {
				t.Fatal(err)
			}
			if over {
				t.Errorf("Hà Nội's page scrolls sideways at %d px", v.width)
			}
			// the picture: the communes' heading at the top of the window, instantly (the
			// page scrolls smoothly, which a screenshot taken at once would catch halfway)
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.getElementById("communes").scrollIntoView({block: "start", behavior: "instant"}), true)`)); err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond)
			png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			artefact(t, v.name+".png", png)
			if *updateScreenshots || os.Getenv("EGOVKPI_SCREENSHOTS") != "" {
				if err := os.WriteFile(filepath.Join("..", "..", "docs", v.name+".png"), png, 0o644); err != nil {
					t.Error(err)
				}
			}
			w.check(t)
		})
	}
}
