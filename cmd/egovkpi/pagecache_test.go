package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"testing"
)

// mainOf is a page's body: what the layout's <main> holds.
func mainOf(t *testing.T, page []byte) []byte {
	t.Helper()
	m := regexp.MustCompile(`(?s)<main>(.*)</main>`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no <main> in %.300s", page)
	}
	return m[1]
}

// TestPageBodiesKept: the pages whose bodies are kept (pagecache.go) give each reader the
// same body inside their own menu — two roles, two menus, one body —, a body for the
// rights it shows (an officer gets no Excel link), refuse whom the route refuses though
// the body is kept, send gzip that reads back as the plain page, and show an upload's
// figure on the next read.
func TestPageBodiesKept(t *testing.T) {
	s := startServer(t, true)
	var cov struct {
		LastMonth string `json:"last_month"`
	}
	s.getJSON(t, "/api/v1/coverage", 200, &cov)
	pages := []string{"/units/01", "/", "/trends", "/map", "/completeness"}
	for _, path := range pages {
		t.Run(path, func(t *testing.T) {
			ra, a := s.get(t, path, "analyst1")
			rc, c := s.get(t, path, "committee1")
			if ra.StatusCode != 200 || rc.StatusCode != 200 {
				t.Fatalf("analyst %d, committee %d", ra.StatusCode, rc.StatusCode)
			}
			if ra.Header.Get("X-Page-Body") != "rendered" || rc.Header.Get("X-Page-Body") != "kept" || !bytes.Equal(mainOf(t, a), mainOf(t, c)) {
				t.Errorf("an analyst and the committee, both exporters, did not share one body: %q then %q",
					ra.Header.Get("X-Page-Body"), rc.Header.Get("X-Page-Body"))
			}
			ha, _, _ := bytes.Cut(a, []byte("<main>"))
			hc, _, _ := bytes.Cut(c, []byte("<main>"))
			if !bytes.Contains(ha, []byte("analyst1")) || bytes.Contains(ha, []byte("committee1")) || !bytes.Contains(hc, []byte("committee1")) ||
				!bytes.Contains(hc, []byte(`href="/audit"`)) || bytes.Contains(ha, []byte(`href="/audit"`)) {
				t.Error("the menus do not follow the reader (name, the audit entry for the committee only)")
			}
			gz, zb := s.get(t, path, "committee1", "Accept-Encoding", "gzip")
			if gz.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(gunzip(t, zb), c) {
				t.Errorf("the gzipped page (%q) does not read back as the plain one", gz.Header.Get("Content-Encoding"))
			}
			if again, _ := s.get(t, path, "committee1", "If-None-Match", gz.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
				t.Errorf("If-None-Match: %d", again.StatusCode)
			}
			// the body is kept: the route still refuses an anonymous reader and a disabled account
			if r, _ := s.get(t, path, ""); r.StatusCode == 200 {
				t.Errorf("anonymous: %d", r.StatusCode)
			}
			if r, _ := s.get(t, path, "gone"); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("disabled account: %d", r.StatusCode)
			}
			ro, o := s.get(t, path, "officer79")
			if ro.StatusCode != 200 || bytes.Contains(o, []byte("/api/v1/exports/")) || !bytes.Contains(o, []byte("officer79")) {
				t.Errorf("officer: %d, an Excel link shown: %v", ro.StatusCode, bytes.Contains(o, []byte("/api/v1/exports/")))
			}
		})
	}

	// the layout around a kept body is kept per reader too (frames): each session of one
	// user still gets its own CSRF token, each address its own language link
	t.Run("each session its own layout", func(t *testing.T) {
		token := func(c *http.Client, path string) (string, string) {
			resp, err := c.Get(s.url + path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			m := csrfField.FindSubmatch(b)
			back := regexp.MustCompile(`id="lang-switch" href="([^"]+)"`).FindSubmatch(b)
			if resp.StatusCode != 200 || m == nil || back == nil {
				t.Fatalf("%s: %d, no CSRF field or language link", path, resp.StatusCode)
			}
			return string(m[1]), string(back[1])
		}
		one, _ := signInForm(t, s, "analyst1", testPassword, "")
		two, _ := signInForm(t, s, "analyst1", testPassword, "")
		for i := 0; i < 2; i++ { // the second time from the kept layouts
			t1, back1 := token(one, "/trends?group=ministries")
			t2, back2 := token(two, "/trends?group=ministries")
			_, back3 := token(two, "/trends?group=provinces")
			if t1 == t2 || back1 != back2 || back2 == back3 {
				t.Errorf("read %d: CSRF tokens %q and %q, language links %q, %q, %q", i+1, t1, t2, back1, back2, back3)
			}
		}
	})

	t.Run("an upload shows at once", func(t *testing.T) {
		const figure = "91,3"
		_, before := s.get(t, "/units/01", "analyst1")
		_, other := s.get(t, "/units/79", "analyst1")
		if bytes.Contains(mainOf(t, before), []byte(figure)) {
			t.Fatalf("%s already on the page before the upload", figure)
		}
		csv := fmt.Sprintf("Mã đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận,Số hồ sơ tiếp nhận trực tuyến\n01,%s,1000,913\n", cov.LastMonth)
		if code, out := s.upload(t, "officer01", "", "hn.csv", []byte(csv)); code != 201 {
			t.Fatalf("upload: %d %v", code, out)
		}
		// the first reader after the upload renders the body, the next one is given it
		for _, r := range []struct{ user, body string }{{"analyst1", "rendered"}, {"committee1", "kept"}} {
			resp, after := s.get(t, "/units/01", r.user)
			if resp.StatusCode != 200 || !bytes.Contains(mainOf(t, after), []byte(figure)) || resp.Header.Get("X-Page-Body") != r.body {
				t.Errorf("%s after the upload: %d, %s shown: %v, body %q (want %s)", r.user, resp.StatusCode, figure,
					bytes.Contains(after, []byte(figure)), resp.Header.Get("X-Page-Body"), r.body)
			}
		}
		if _, now := s.get(t, "/units/79", "analyst1"); bytes.Equal(mainOf(t, now), mainOf(t, other)) && bytes.Contains(mainOf(t, now), []byte(figure)) {
			t.Error("another unit's page shows Hà Nội's figure")
		}
	})
}
