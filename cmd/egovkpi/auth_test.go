package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/egovkpi/egovkpi/dashboard"
	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// snapshot is what a refused request must leave as it was.
func (s *server) snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, p := range []string{"/api/v1/locks", "/api/v1/users", "/api/v1/tokens", "/api/v1/coverage"} {
		code, body := s.do(t, "GET", p, "admin1", nil)
		if code != 200 {
			t.Fatalf("snapshot %s: %d %s", p, code, body)
		}
		b.Write(body)
	}
	// the audit log is append-only: its newest entry says whether anything was added,
	// other than the record of an upload attempt (every attempt leaves one)
	code, body := s.do(t, "GET", "/api/v1/audit?limit=200", "admin1", nil)
	if code != 200 {
		t.Fatalf("snapshot audit: %d", code)
	}
	var a struct{ Entries []data.AuditEntry }
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatal(err)
	}
	for _, e := range a.Entries {
		if e.Action != "upload" {
			fmt.Fprint(&b, e.ID)
			break
		}
	}
	return b.String()
}

func TestAccessMatrix(t *testing.T) {
	s := startServer(t, true)
	// an officer of one commune (Phường Ba Đình, 00004, in Hà Nội)
	for _, req := range []string{`{"username":"officer00004","password":"` + testPassword + `","role":"officer","unit_code":"00004"}`, `{"username":"officer00004","name":"test"}`} {
		path := map[bool]string{true: "/api/v1/users", false: "/api/v1/tokens"}[strings.Contains(req, "password")]
		code, b := s.do(t, "POST", path, "admin1", strings.NewReader(req), "Content-Type", "application/json")
		var tk struct{ Token string }
		if code != 201 || json.Unmarshal(b, &tk) != nil {
			t.Fatalf("commune officer: %d %s", code, b)
		}
		if tk.Token != "" {
			s.tok["officer00004"] = tk.Token
		}
	}
	type want map[string]int // identity → status; "*" for the rest
	all := func(signedIn int) want { return want{"*": signedIn, "": 401, "gone": 401, "revoked": 401} }
	only := func(ok int, roles ...string) want {
		w := want{"*": 403, "": 401, "gone": 401, "revoked": 401}
		for _, r := range roles {
			w[r] = ok
		}
		return w
	}
	routes := []struct {
		method, path, body string
		want               want
		changes            bool
	}{
		{"GET", "/api/v1/units", "", all(200), false},
		{"GET", "/api/v1/units/01/agencies", "", all(200), false},
		{"POST", "/api/v1/units/01/agencies", `{"code":"S%d","name_vi":"Sở thử"}`, only(201, "admin1", "officer01"), true},
		{"GET", "/api/v1/commune-reporting", "", all(200), false},
		{"PUT", "/api/v1/units/01/commune-reporting", `{"from":""}`, only(200, "admin1", "committee1", "officer01"), true},
		{"GET", "/api/v1/measures", "", all(200), false},
		{"GET", "/api/v1/coverage", "", all(200), false},
		{"GET", "/api/v1/indicators", "", all(200), false},
		{"GET", "/api/v1/rankings?indicator=level4_share", "", all(200), false},
		{"GET", "/api/v1/composite", "", all(200), false},
		{"GET", "/api/v1/composite?name=index766&period=2026-09", "", all(200), false},
		{"GET", "/api/v1/units/01/index766?period=2026-09", "", all(200), false},
		{"GET", "/api/v1/units/01/series?indicator=level4_share&from=2026-01", "", all(200), false},
		{"GET", "/api/v1/completeness", "", all(200), false},
		{"GET", "/api/v1/submissions?unit=01&period=2026-01", "", all(200), false},
		{"GET", "/api/v1/locks", "", all(200), false},
		{"POST", "/api/v1/locks", `{"period":"2020-0{m}"}`, only(201, "committee1"), true},
		{"DELETE", "/api/v1/locks/2020-0%d", "", only(200, "committee1"), true},
		{"GET", "/api/v1/audit", "", only(200, "admin1", "committee1"), false},
		{"GET", "/api/v1/audit/signin-failures", "", only(200, "admin1", "committee1"), false},
		{"POST", "/api/v1/audit", `{}`, want{"*": 405, "gone": 401, "revoked": 401}, false},
		{"DELETE", "/api/v1/audit/1", "", want{"*": 405, "gone": 401, "revoked": 401}, false},
		{"GET", "/api/v1/users", "", only(200, "admin1"), false},
		{"POST", "/api/v1/users", `{"username":"new%d","password":"` + testPassword + `","role":"analyst"}`, only(201, "admin1"), true},
		{"GET", "/api/v1/tokens", "", only(200, "admin1"), false},
		{"POST", "/api/v1/tokens", `{"username":"analyst1","name":"x"}`, only(201, "admin1"), true},
		{"DELETE", "/api/v1/tokens/999", "", only(404, "admin1"), false},
		{"POST", "/api/v1/users/nobody/disable", "", only(404, "admin1"), false},
		{"GET", "/", "", want{"*": 200, "": 303, "gone": 401, "revoked": 401}, false},
		{"GET", "/units/01", "", want{"*": 200, "": 303, "gone": 401, "revoked": 401}, false},
		{"GET", "/completeness", "", want{"*": 200, "": 303, "gone": 401, "revoked": 401}, false},
		{"GET", "/map", "", want{"*": 200, "": 303, "gone": 401, "revoked": 401}, false},
		{"GET", "/benchmark", "", want{"*": 200, "": 303, "gone": 401, "revoked": 401}, false},
		{"GET", "/maturity", "", want{"*": 200, "": 303, "gone": 401, "revoked": 401}, false},
		{"GET", "/api/v1/maturity", "", all(200), false},
		{"GET", "/api/v1/ingest/runs", "", only(200, "admin1"), false},
		{"POST", "/api/v1/ingest/runs/999/confirm", "", only(404, "admin1"), false},
		{"POST", "/runs/999/confirm", "", only(404, "admin1"), false},
		{"GET", "/api/v1/dossiers/late?unit=01&month=2026-09", "", all(200), false},
		{"GET", "/dossiers?month=2026-09", "", want{"*": 200, "": 303, "gone": 401, "revoked": 401}, false},
		{"GET", "/api/v1/exports/late-dossiers.xlsx?unit=01&month=2026-09", "", only(200, "admin1", "committee1", "analyst1"), false},
		{"POST", "/api/v1/sources/none.xlsx/run", "", only(404, "admin1"), false},
		{"POST", "/api/v1/backup", "", only(201, "admin1"), true},
		{"GET", "/api/v1/sources", "", only(200, "admin1"), false},
		{"PUT", "/api/v1/sources", "", only(200, "admin1"), true},
		{"GET", "/sources", "", want{"*": 403, "admin1": 200, "": 303, "gone": 401, "revoked": 401}, false},
		{"POST", "/sources", "", only(303, "admin1"), true},
		{"GET", "/runs", "", want{"*": 403, "admin1": 200, "": 303, "gone": 401, "revoked": 401}, false},
		{"GET", "/api/v1/indices/none.xlsx", "", want{"*": 404, "": 401, "gone": 401, "revoked": 401}, false},
		{"GET", "/api/v1/capabilities?unit=01", "", all(200), false},
		{"POST", "/api/v1/capabilities", `{"unit_code":"01","period":"2026-09","items":{"lgsp":{"value":1,"evidence":"QĐ 1"}}}`, want{"*": 403, "admin1": 201, "committee1": 201, "officer01": 201, "": 401, "gone": 401, "revoked": 401}, true},
		{"POST", "/api/v1/capabilities/999/confirm", "", only(404, "committee1"), false},
		{"GET", "/api/v1/benchmarks/egdi", "", all(200), false},
		{"GET", "/audit", "", want{"*": 403, "admin1": 200, "committee1": 200, "": 303, "gone": 401, "revoked": 401}, false},
		{"GET", "/reconcile?period=2026-09", "", want{"*": 403, "admin1": 200, "committee1": 200, "": 303, "gone": 401, "revoked": 401}, false},
		{"GET", "/reconcile/template.xlsx", "", want{"*": 403, "admin1": 200, "committee1": 200, "": 303, "gone": 401, "revoked": 401}, false},
		{"GET", "/api/v1/index766/reconciliation?period=2026-09", "", only(200, "admin1", "committee1"), false},
		{"GET", "/api/v1/exports/reconciliation.xlsx?period=2026-09&group=ministries", "", only(200, "admin1", "committee1"), false},
		// a unit's worklist: every reader, but an officer only its own unit (and a province's its communes)
		{"GET", "/api/v1/units/01/worklist", "", want{"*": 200, "officer79": 403, "officer00004": 403, "": 401, "gone": 401, "revoked": 401}, false},
		{"GET", "/api/v1/exports/worklist.xlsx?unit=01", "", want{"*": 200, "officer79": 403, "officer00004": 403, "": 401, "gone": 401, "revoked": 401}, false},
		{"GET", "/worklist?unit=01", "", want{"*": 200, "officer79": 403, "officer00004": 403, "": 303, "gone": 401, "revoked": 401}, false},
		{"GET", "/api/v1/health", "", want{"*": 200, "gone": 401, "revoked": 401}, false},
		{"GET", "/upload", "", want{"*": 403, "admin1": 200, "committee1": 200, "officer01": 200, "officer79": 200, "officer00004": 200, "": 303, "gone": 401, "revoked": 401}, false},
		{"GET", "/template.xlsx?unit=01&period=2026-10", "", want{"*": 403, "admin1": 200, "committee1": 200, "officer01": 200, "officer79": 200, "officer00004": 200, "": 303, "gone": 401, "revoked": 401}, false},
		{"GET", "/api/v1/exports/rankings.xlsx?period=2026-09", "", only(200, "admin1", "committee1", "analyst1"), false},
		{"GET", "/api/v1/exports/trend.xlsx?from=2026-01&to=2026-03", "", only(200, "admin1", "committee1", "analyst1"), false},
		{"GET", "/api/v1/exports/trends.xlsx?group=provinces", "", only(200, "admin1", "committee1", "analyst1"), false},
		{"GET", "/api/v1/exports/completeness.xlsx?period=2026-09", "", only(200, "admin1", "committee1", "analyst1"), false},
		{"GET", "/api/v1/exports/maturity.xlsx?period=2026-09", "", only(200, "admin1", "committee1", "analyst1"), false},
		{"GET", "/api/v1/exports/map.xlsx?period=2026-09&indicator=online_dossier_rate", "", only(200, "admin1", "committee1", "analyst1"), false},
		{"GET", "/api/v1/exports/province.xlsx?province=01&period=2026-09", "", only(200, "admin1", "committee1", "analyst1"), false},
		{"GET", "/api/v1/exports/raw.csv?from=2026-01&to=2026-01", "", only(200, "admin1", "committee1", "analyst1"), false},
		{"GET", "/api/v1/reports", "", only(200, "admin1", "committee1", "analyst1"), false},
		{"PUT", "/api/v1/reports/schedule", `{"schedule":""}`, only(200, "admin1"), true},
		{"POST", "/api/v1/reports/run", "", only(201, "admin1"), true},
		{"GET", "/reports", "", want{"*": 403, "admin1": 200, "committee1": 200, "analyst1": 200, "": 303, "gone": 401, "revoked": 401}, false},
		{"POST", "/reports/schedule", "", only(303, "admin1"), true},
		{"GET", "/reports/none.xlsx", "", want{"*": 403, "admin1": 404, "committee1": 404, "analyst1": 404, "": 303, "gone": 401, "revoked": 401}, false},
		{"GET", "/api/v1/submissions/marked/nope", "", only(404, "admin1", "committee1", "officer01", "officer79", "officer00004"), false},
	}
	idents := []string{"", "admin1", "committee1", "analyst1", "officer01", "officer79", "officer00004", "gone", "revoked"}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	n := 0
	for _, rt := range routes {
		for _, id := range idents {
			n++
			path, body := rt.path, rt.body
			if strings.Contains(path, "%d") {
				path = fmt.Sprintf(path, n%9+1)
			}
			if strings.Contains(body, "%d") {
				body = fmt.Sprintf(body, n)
			}
			body = strings.ReplaceAll(body, "{m}", fmt.Sprint(n%9+1))
			w, ok := rt.want[id]
			if !ok {
				w = rt.want["*"]
			}
			if rt.method == "DELETE" && strings.HasPrefix(rt.path, "/api/v1/locks") && w == 200 {
				// something to reopen
				if code, b := s.do(t, "POST", "/api/v1/locks", "committee1", strings.NewReader(fmt.Sprintf(`{"period":"2020-0%d"}`, n%9+1)), "Content-Type", "application/json"); code != 201 {
					t.Fatalf("setting up a lock: %d %s", code, b)
				}
			}
			before := ""
			if w >= 400 {
				before = s.snapshot(t)
			}
			req, _ := http.NewRequest(rt.method, s.url+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if id != "" {
				req.Header.Set("Authorization", "Bearer "+s.tok[id])
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			rb, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != w {
				t.Errorf("%s %s as %q = %d, want %d: %.200s", rt.method, path, id, resp.StatusCode, w, rb)
			}
			if w >= 400 {
				if after := s.snapshot(t); after != before {
					t.Errorf("%s %s as %q was refused but changed something", rt.method, path, id)
				}
			}
			if rt.method == "POST" && strings.HasPrefix(rt.path, "/api/v1/locks") && resp.StatusCode == 201 {
				s.do(t, "DELETE", fmt.Sprintf("/api/v1/locks/2020-0%d", n%9+1), "committee1", nil)
			}
		}
	}
	// every route the app has is in this matrix (or is a static file, sign-in or language)
	eng := metrics.NewEngine(nil, nil)
	// with every optional part configured, so that its routes are in the matrix too
	app, err := dashboard.New(dashboard.Config{Engine: eng, DossierLog: noDossiers{}})
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, rt := range routes {
		p, _, _ := strings.Cut(rt.path, "?")
		covered[rt.method+" "+p] = true
	}
	skip := regexp.MustCompile(`^(GET /static/|GET /lang/|GET /login|POST /login|POST /logout|GET /favicon|GET /trends|[A-Z]+ /api/v1/\*|[A-Z]+ /api/v1/audit|POST /api/v1/submissions$|GET /api/v1/submissions/marked)`)
	for _, r := range app.Routes() {
		key := r.Method + " " + r.Path
		if skip.MatchString(key) || strings.HasPrefix(r.Name, "github.com/labstack") {
			continue
		}
		norm := regexp.MustCompile(`:[a-z]+`).ReplaceAllStringFunc(key, func(p string) string {
			return map[string]string{":code": "01", ":period": "2020-0%d", ":username": "nobody", ":id": "999", ":format": "csv", ":name": "none.xlsx", ":province": "01"}[p]
		})
		if !covered[norm] && !covered[key] {
			t.Errorf("route %s is not in the access matrix", key)
		}
	}
}

// csrfField finds a form's CSRF token in a page.
var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signInForm signs in through the form, as a browser would, keeping cookies, and
// returns the client and the sign-in's answer (a redirect to next, or to / without it).
func signInForm(t *testing.T, s *server, user, pw, next string) (*http.Client, *http.Response) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(s.url + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	m := csrfField.FindSubmatch(page)
	if m == nil {
		t.Fatal("no csrf field on the sign-in page")
	}
	form := url.Values{"csrf": {string(m[1])}, "username": {user}, "password": {pw}}
	if next != "" {
		form.Set("next", next)
	}
	resp, err = c.PostForm(s.url+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	want := next
	if want == "" {
		want = "/"
	}
	if resp.StatusCode != 303 || resp.Header.Get("Location") != want {
		t.Fatalf("sign in as %s: %d → %s", user, resp.StatusCode, resp.Header.Get("Location"))
	}
	return c, resp
}

// browserClient signs in as user and returns the client and its session's CSRF token.
func browserClient(t *testing.T, s *server, user string) (*http.Client, string) {
	t.Helper()
	c, resp := signInForm(t, s, user, testPassword, "/completeness")
	ck := ""
	for _, k := range resp.Cookies() {
		if k.Name == "egovkpi_session" {
			ck = k.Raw
			if !k.HttpOnly || k.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie %q: HttpOnly %v SameSite %v", k.Raw, k.HttpOnly, k.SameSite)
			}
		}
	}
	if ck == "" {
		t.Fatal("no session cookie")
	}
	// the page's CSRF token for this session
	resp, _ = c.Get(s.url + "/completeness")
	page, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	m := csrfField.FindSubmatch(page)
	if m == nil {
		t.Fatal("no csrf token on the page")
	}
	return c, string(m[1])
}

func TestSessionsCSRFAndLogout(t *testing.T) {
	s := startServer(t, false)
	c, csrf := browserClient(t, s, "committee1")
	post := func(token, origin string) int {
		req, _ := http.NewRequest("POST", s.url+"/api/v1/locks", strings.NewReader(`{"period":"2026-01"}`))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("X-CSRF-Token", token)
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("", ""); code != 403 {
		t.Errorf("POST without the CSRF token = %d, want 403", code)
	}
	if code := post(csrf, "http://evil.example"); code != 403 {
		t.Errorf("cross-site POST = %d, want 403", code)
	}
	if code := post("wrong", s.url); code != 403 {
		t.Errorf("POST with a wrong token = %d, want 403", code)
	}
	var locks struct{ Locks []data.Lock }
	s.getJSON(t, "/api/v1/locks", 200, &locks)
	if len(locks.Locks) != 0 {
		t.Fatalf("a refused POST locked a month")
	}
	if code := post(csrf, s.url); code != 201 {
		t.Errorf("same-site POST with the token = %d, want 201", code)
	}
	// logout ends the session on the server: the old cookie no longer works
	resp, err := c.PostForm(s.url+"/logout", url.Values{"csrf": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 303 {
		t.Errorf("logout = %d", resp.StatusCode)
	}
	resp, _ = c.Get(s.url + "/api/v1/coverage")
	_ = resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("after logout = %d, want 401", resp.StatusCode)
	}
	// a wrong password: 401, counted; too many: 429
	jar, _ := cookiejar.New(nil)
	anon := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	statuses := []int{}
	for i := 0; i < 11; i++ {
		r, _ := anon.Get(s.url + "/login")
		page, _ := io.ReadAll(r.Body)
		_ = r.Body.Close()
		m := csrfField.FindSubmatch(page)
		r, err := anon.PostForm(s.url+"/login", url.Values{"csrf": {string(m[1])}, "username": {"analyst1"}, "password": {"not the password"}})
		if err != nil {
			t.Fatal(err)
		}
		_ = r.Body.Close()
		statuses = append(statuses, r.StatusCode)
	}
	if statuses[0] != 401 || statuses[10] != 429 {
		t.Errorf("failed sign-ins: %v", statuses)
	}
	// one record per address and minute with the counts (two if the minute turned)
	var f struct{ Failures []data.SigninFailure }
	getJSONAs(t, s, "/api/v1/audit/signin-failures", "admin1", 200, &f)
	var attempts, blocked int64
	for _, r := range f.Failures {
		attempts, blocked = attempts+r.Attempts, blocked+r.Blocked
	}
	if len(f.Failures) < 1 || len(f.Failures) > 2 || attempts != 10 || blocked != 1 ||
		f.Failures[0].LastUsername != "analyst1" || f.Failures[0].Peer != "127.0.0.1" {
		t.Errorf("failed sign-ins: %+v", f.Failures)
	}
	// X-Forwarded-For from anyone does not get around the limit
	req, _ := http.NewRequest("POST", s.url+"/login", strings.NewReader("username=analyst1&password=x"))
	req.Header.Set("X-Forwarded-For", "10.1.2.3")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r, _ := anon.Do(req)
	_ = r.Body.Close()
	if r.StatusCode == 401 {
		t.Error("a forged X-Forwarded-For reset the limit")
	}
}

func TestSessionExpiry(t *testing.T) {
	ctx := context.Background()
	store := openTestStore(t)
	u, err := store.CreateUser(ctx, "short", testPassword, "analyst", "", "test")
	if err != nil {
		t.Fatal(err)
	}
	// long enough that a busy machine (a race build beside other work took over 50 ms
	// between these two calls) still finds the session fresh
	tok, _, err := store.CreateSession(ctx, u, 3*time.Second, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.SessionUser(ctx, tok); err != nil {
		t.Fatalf("fresh session: %v", err)
	}
	time.Sleep(3200 * time.Millisecond)
	if _, _, err := store.SessionUser(ctx, tok); err == nil {
		t.Error("an expired session still works")
	}
}

func TestTokensAndLocks(t *testing.T) {
	s := startServer(t, true)
	// a token made by the API works, and stops when revoked
	code, body := s.do(t, "POST", "/api/v1/tokens", "admin1", strings.NewReader(`{"username":"officer01","name":"hanoi-system"}`), "Content-Type", "application/json")
	if code != 201 {
		t.Fatalf("create token: %d %s", code, body)
	}
	var tk struct {
		Token string
		ID    int64
	}
	if err := json.Unmarshal(body, &tk); err != nil {
		t.Fatal(err)
	}
	s.tok["machine"] = tk.Token
	if code, _ := s.do(t, "GET", "/api/v1/coverage", "machine", nil); code != 200 {
		t.Errorf("new token: %d", code)
	}
	if code, _ := s.do(t, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", tk.ID), "admin1", nil); code != 200 {
		t.Errorf("revoke: %d", code)
	}
	if code, _ := s.do(t, "GET", "/api/v1/coverage", "machine", nil); code != 401 {
		t.Errorf("revoked token: %d, want 401", code)
	}
	// lock and reopen, each in the audit log
	if code, b := s.do(t, "POST", "/api/v1/locks", "committee1", strings.NewReader(`{"period":"T10/2026"}`), "Content-Type", "application/json"); code != 201 {
		t.Fatalf("lock: %d %s", code, b)
	}
	code, body = s.do(t, "POST", "/api/v1/locks", "committee1", strings.NewReader(`{"period":"2026-10"}`), "Content-Type", "application/json")
	if code != 409 || !strings.Contains(string(body), "committee1") {
		t.Errorf("second lock: %d %s", code, body)
	}
	if code, _ := s.do(t, "DELETE", "/api/v1/locks/2026-10", "committee1", nil); code != 200 {
		t.Errorf("reopen: %d", code)
	}
	var a struct{ Entries []data.AuditEntry }
	s.getJSON(t, "/api/v1/audit?actor=committee1", 200, &a)
	actions := []string{}
	for _, e := range a.Entries {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, ",") != "reopen,lock" {
		t.Errorf("committee's audit entries: %v", actions)
	}
	s.getJSON(t, "/api/v1/audit?action=token_revoke", 200, &a)
	if len(a.Entries) != 2 { // the test fixture's and this one
		t.Errorf("token_revoke entries: %d", len(a.Entries))
	}
}

func TestLockedMonthRefusesWrites(t *testing.T) {
	ctx := context.Background()
	store := openTestStore(t)
	m := data.NewMonth(2026, 10)
	if err := store.LockMonth(ctx, m, "committee1"); err != nil {
		t.Fatal(err)
	}
	_, err := store.Submit(ctx, []data.Submission{{UnitCode: "01", Month: m, Source: "test", SubmittedBy: "officer01", Values: map[string]int64{"docs_total": 1}}})
	if err == nil || !strings.Contains(err.Error(), "locked by committee1") {
		t.Fatalf("write into a locked month: %v", err)
	}
	cov, _ := store.Coverage(ctx)
	if cov.Submissions != 0 {
		t.Error("a refused write left a submission")
	}
	if err := store.UnlockMonth(ctx, m, "committee1"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Submit(ctx, []data.Submission{{UnitCode: "01", Month: m, Source: "test", SubmittedBy: "officer01", Values: map[string]int64{"docs_total": 1, "docs_electronic": 1}}}); err != nil {
		t.Fatalf("after reopening: %v", err)
	}
	if _, err := store.Submit(ctx, []data.Submission{{UnitCode: "01", Month: m, Source: "test", SubmittedBy: "officer01", Values: map[string]int64{"docs_total": 2}}}); err != nil {
		t.Fatal(err)
	}
	es, _ := store.AuditLog(ctx, data.AuditFilter{Action: "supersede"})
	if len(es) != 1 {
		t.Fatalf("%d supersede entries", len(es))
	}
	ch, _ := json.Marshal(es[0].Detail["changes"])
	if string(ch) != `{"docs_electronic":[1,null],"docs_total":[1,2]}` {
		t.Errorf("old → new: %s", ch)
	}
}

func TestSlowHeadersAndLargeBodies(t *testing.T) {
	s := startServer(t, false)
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	fmt.Fprint(conn, "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n") // and never the blank line
	if err := conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = bufio.NewReader(conn).ReadString('\n')
	if err == nil {
		// Go answers 408 to a header timeout on some versions; either way the connection ends
		if _, err2 := io.ReadAll(conn); err2 != nil && time.Since(start) > 4*time.Second {
			t.Error("the slow connection was not closed")
		}
	} else if time.Since(start) > 4*time.Second {
		t.Errorf("the slow connection stayed open: %v", err)
	}
	big := strings.NewReader(strings.Repeat("x", 21<<20))
	code, _ := s.do(t, "POST", "/api/v1/locks", "committee1", big, "Content-Type", "application/json")
	if code != 413 {
		t.Errorf("a 21 MB body = %d, want 413", code)
	}
}

func TestUserCommands(t *testing.T) {
	db := t.TempDir() + "/u.duckdb"
	var out, errb strings.Builder
	in := strings.NewReader("short\n")
	if code := run(context.Background(), []string{"user", "add", "--db", db, "--username", "a", "--role", "analyst"}, in, &out, &errb); code != 1 || !strings.Contains(errb.String(), "at least 12") {
		t.Errorf("short password: %d %s", code, errb.String())
	}
	errb.Reset()
	if code := run(context.Background(), []string{"user", "add", "--db", db, "--username", "o", "--role", "officer", "--unit", "99"}, strings.NewReader(testPassword+"\n"), &out, &errb); code != 1 || !strings.Contains(errb.String(), "unit that exists") {
		t.Errorf("officer of no unit: %d %s", code, errb.String())
	}
	if code := run(context.Background(), []string{"user", "add", "--db", db, "--username", "hn", "--role", "officer", "--unit", "01"}, strings.NewReader(testPassword+"\n"), &out, &errb); code != 0 {
		t.Fatalf("add: %s", errb.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"token", "create", "--db", db, "--username", "hn"}, nil, &out, &errb); code != 0 {
		t.Fatal(errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "egk_") || len(last) < 40 {
		t.Errorf("the token is not the last line: %q", out.String())
	}
	out.Reset()
	run(context.Background(), []string{"user", "list", "--db", db}, nil, &out, &errb)
	if !strings.Contains(out.String(), "hn") || !strings.Contains(out.String(), "officer") {
		t.Errorf("list: %s", out.String())
	}
	run(context.Background(), []string{"user", "disable", "--db", db, "--username", "hn"}, nil, &out, &errb)
	out.Reset()
	run(context.Background(), []string{"user", "list", "--db", db}, nil, &out, &errb)
	if !strings.Contains(out.String(), "disabled") {
		t.Errorf("after disable: %s", out.String())
	}
}

func TestFirstStartCreatesAnAdmin(t *testing.T) {
	db := t.TempDir() + "/first.duckdb"
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- ServeConfig{Addr: "127.0.0.1:0", DB: db, Ready: ready}.Run(ctx, out, io.Discard) }()
	addr := <-ready
	m := regexp.MustCompile(`"admin" with the password (\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no one-time password printed: %q", out.String())
	}
	s := &server{url: "http://" + addr, db: db}
	c, _ := signInForm(t, s, "admin", m[1], "")
	resp, _ := c.Get(s.url + "/api/v1/users")
	_ = resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("the first admin cannot list users: %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
	// a second start prints no password
	ctx2, cancel2 := context.WithCancel(context.Background())
	out2 := &syncBuffer{}
	ready2 := make(chan string, 1)
	go func() { done <- ServeConfig{Addr: "127.0.0.1:0", DB: db, Ready: ready2}.Run(ctx2, out2, io.Discard) }()
	<-ready2
	cancel2()
	if err := <-done; err != nil {
		t.Errorf("second serve: %v", err)
	}
	if strings.Contains(out2.String(), "password") {
		t.Errorf("the second start printed a password: %q", out2.String())
	}
}

func openTestStore(t *testing.T) *data.Store {
	t.Helper()
	store, err := data.Open(context.Background(), t.TempDir()+"/t.duckdb")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
}

// noDossiers is a dossier log with nothing in it: enough for the app to register the
// dossier routes.
type noDossiers struct{}

func (noDossiers) LateDossiers(context.Context, data.LateQuery) (data.LateDossiers, error) {
	return data.LateDossiers{}, nil
}
