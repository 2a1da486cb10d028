package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

// server is a real egovkpi serve on a loopback port with its own database file.
type server struct {
	url  string
	db   string
	stop func()
	tok  map[string]string // username → API token
}

// testPassword is every test user's password.
const testPassword = "mật khẩu đủ dài 2026"

// testUsers are made before the server starts: one of each role, two officers, a
// disabled user and a user whose token is revoked.
var testUsers = []struct{ name, role, unit string }{
	{"admin1", "admin", ""}, {"committee1", "committee", ""}, {"analyst1", "analyst", ""},
	{"officer01", "officer", "01"}, {"officer79", "officer", "79"}, {"gone", "analyst", ""}, {"revoked", "analyst", ""},
}

func startServer(t testing.TB, demo bool) *server {
	t.Helper()
	db := filepath.Join(t.TempDir(), "e2e.duckdb")
	tok := makeUsers(t, db)
	s := startServerOn(t, db, demo)
	s.tok = tok
	return s
}

func makeUsers(t testing.TB, db string) map[string]string {
	t.Helper()
	ctx := context.Background()
	store, err := data.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = store.Close() }()
	tok := map[string]string{}
	for _, u := range testUsers {
		if _, err := store.CreateUser(ctx, u.name, testPassword, u.role, u.unit, "test"); err != nil {
			t.Fatal(err)
		}
		secret, tk, err := store.CreateToken(ctx, u.name, "test", "test")
		if err != nil {
			t.Fatal(err)
		}
		tok[u.name] = secret
		if u.name == "revoked" {
			if err := store.RevokeToken(ctx, tk.ID, "test"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := store.DisableUser(ctx, "gone", "test"); err != nil {
		t.Fatal(err)
	}
	return tok
}

// do sends a request as user ("" for anonymous) and returns the status and body.
func (s *server) do(t testing.TB, method, path, user string, body io.Reader, header ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+s.tok[user])
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (s *server) getJSON(t *testing.T, path string, wantStatus int, into any) {
	t.Helper()
	getJSONAs(t, s, path, "committee1", wantStatus, into)
}

func startServerOn(t testing.TB, db string, demo bool, mods ...func(*ServeConfig)) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	cfg := ServeConfig{Addr: "127.0.0.1:0", DB: db, Demo: demo, Ready: ready, ReadHeaderTimeout: time.Second}
	for _, m := range mods {
		m(&cfg)
	}
	logs := &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	go func() { done <- cfg.Run(ctx, io.Discard, logs) }()
	select {
	case addr := <-ready:
		s := &server{url: "http://" + addr, db: db}
		stopped := false
		s.stop = func() {
			if stopped {
				return
			}
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		}
		t.Cleanup(s.stop)
		return s
	case err := <-done:
		cancel()
		t.Fatalf("serve did not start: %v", err)
	// the demo with its 766 records takes 11 s of CPU to seed (5 s without them): on the
	// shared 2-core machine at a load of 30–40 that was up to three minutes
	case <-time.After(300 * time.Second):
		cancel()
		t.Fatal("serve did not start in 300 s")
	}
	return nil
}

// syncBuffer is a log the server writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func getJSONAs(t *testing.T, s *server, path, user string, wantStatus int, into any) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.url+path, nil)
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+s.tok[user])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	url := s.url + path
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s = %d, want %d: %.300s", url, resp.StatusCode, wantStatus, body)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET %s: content type %q", url, resp.Header.Get("Content-Type"))
	}
	if into != nil {
		if err := json.Unmarshal(body, into); err != nil {
			t.Fatalf("GET %s: %v: %.300s", url, err, body)
		}
	}
}

func TestFoundationEndpoints(t *testing.T) {
	s := startServer(t, true)
	var health map[string]string
	s.getJSON(t, "/api/v1/health", 200, &health)
	if health["status"] != "ok" {
		t.Errorf("health = %v", health)
	}
	type units struct {
		Units []struct {
			Code, NameVI, NameEN, Type string
			Successor                  *string
		} `json:"units"`
	}
	for _, c := range []struct {
		q    string
		want int
	}{
		{"group=provinces&at=2025-06", 63},
		{"group=provinces&at=2025-07", 34},
		{"group=ministries&at=2026-10", 17},
		{"group=ministries&at=2025-02", 23},
	} {
		var u units
		s.getJSON(t, "/api/v1/units?"+c.q, 200, &u)
		if len(u.Units) != c.want {
			t.Errorf("units?%s: %d, want %d", c.q, len(u.Units), c.want)
		}
	}
	var raw struct{ Units []map[string]any }
	s.getJSON(t, "/api/v1/units?group=provinces&at=2025-06", 200, &raw)
	first := raw.Units[0]
	for _, k := range []string{"code", "name_vi", "name_en", "type", "valid_from", "valid_to", "successor"} {
		if _, ok := first[k]; !ok {
			t.Errorf("unit JSON lacks %q: %v", k, first)
		}
	}
	if first["name_vi"] != "Hà Nội" || first["valid_to"] != "2025-06-30" {
		t.Errorf("first unit = %v", first)
	}
	var measures struct{ Measures []map[string]string }
	s.getJSON(t, "/api/v1/measures", 200, &measures)
	if len(measures.Measures) < 15 || measures.Measures[4]["label_vi"] != "Số hồ sơ tiếp nhận" {
		t.Errorf("measures = %v", measures.Measures)
	}
	var cov map[string]any
	s.getJSON(t, "/api/v1/coverage", 200, &cov)
	if cov["first_month"] != "2019-01" || cov["submissions"].(float64) < 7000 || cov["units"].(float64) < 80 {
		t.Errorf("coverage = %v", cov)
	}
	// errors: JSON with the right status, mapped in one place
	for _, c := range []struct {
		path   string
		status int
		code   string
		says   string
	}{
		{"/api/v1/units?group=villages&lang=en", 400, "invalid", "provinces or ministries"},
		{"/api/v1/units?at=13/2026", 400, "invalid", "month 13 does not exist"},
		{"/api/v1/rankings?indicator=nope&lang=en", 400, "invalid", "level4_share"},
		{"/api/v1/rankings?indicator=level4_share&period=abc&lang=en", 400, "invalid", "2026-Q3"},
		{"/api/v1/rankings?indicator=level4_share&period=2010&lang=en", 404, "not_found", "data runs from 2019-01"},
		{"/api/v1/rankings?indicator=level4_share&period=2010", 404, "not_found", "số liệu có từ tháng 01/2019"},
		{"/api/v1/units/99/series?indicator=level4_share", 404, "not_found", "99"},
		{"/api/v1/nothing?lang=en", 404, "not_found", "no such endpoint"},
	} {
		var e struct {
			Error struct{ Code, Message string }
		}
		s.getJSON(t, c.path, c.status, &e)
		if e.Error.Code != c.code || !strings.Contains(e.Error.Message, c.says) {
			t.Errorf("%s: %+v, want code %s saying %q", c.path, e.Error, c.code, c.says)
		}
	}
}

func TestMetricsEndpoints(t *testing.T) {
	s := startServer(t, true)
	var r struct {
		Indicator, Period, Group, Boundaries string
		Rows                                 []map[string]any
		National                             map[string]any
	}
	s.getJSON(t, "/api/v1/rankings?indicator=online_dossier_rate&period=2024-12&group=provinces", 200, &r)
	if r.Indicator != "online_dossier_rate" || r.Period != "2024-12" || r.Group != "provinces" || r.Boundaries != "current" || len(r.Rows) != 34 {
		t.Errorf("rankings header: %s %s %s %s, %d rows", r.Indicator, r.Period, r.Group, r.Boundaries, len(r.Rows))
	}
	for _, k := range []string{"rank", "unit_code", "unit_name_vi", "unit_name_en", "value", "numerator", "denominator", "previous_rank", "rank_change", "target", "target_met"} {
		if _, ok := r.Rows[0][k]; !ok {
			t.Errorf("row lacks %q", k)
		}
	}
	if r.National["value"] == nil || r.Rows[0]["rank"].(float64) != 1 {
		t.Errorf("national %v, first row %v", r.National, r.Rows[0])
	}
	s.getJSON(t, "/api/v1/rankings?indicator=online_dossier_rate&period=2024-12&group=provinces&boundaries=historical", 200, &r)
	if len(r.Rows) != 63 {
		t.Errorf("historical 2024-12: %d rows, want 63", len(r.Rows))
	}
	var comp struct {
		Name string
		Rows []struct {
			Rank   *int
			Total  *float64
			Groups []map[string]any
		}
	}
	s.getJSON(t, "/api/v1/composite?name=service_index&period=2026-Q3&group=ministries", 200, &comp)
	if comp.Name != "service_index" || len(comp.Rows) != 17 || comp.Rows[0].Total == nil || len(comp.Rows[0].Groups) != 5 {
		t.Errorf("composite: %s, %d rows", comp.Name, len(comp.Rows))
	}
	var series struct {
		Points []map[string]any
	}
	s.getJSON(t, "/api/v1/units/08/series?indicator=level4_share&from=2025-01&to=2025-12", 200, &series)
	if len(series.Points) != 12 || series.Points[0]["rank"] == nil || series.Points[0]["period"] != "2025-01" {
		t.Errorf("series: %v", series.Points)
	}
	var comp2 struct {
		Expected, Received int
		OnTime             int `json:"on_time"`
		Units              []map[string]any
	}
	s.getJSON(t, "/api/v1/completeness?period=2026-01", 200, &comp2)
	if len(comp2.Units) != 34 {
		t.Errorf("completeness: %d units", len(comp2.Units))
	}
	// a month before the demo's 766 records: the demo's report alone
	var subs struct{ Submissions []map[string]any }
	s.getJSON(t, "/api/v1/submissions?unit=01&period=2024-01", 200, &subs)
	if len(subs.Submissions) != 1 || subs.Submissions[0]["version"].(float64) != 1 || subs.Submissions[0]["source"] != "demo" {
		t.Errorf("submissions of 2024-01: %v", subs.Submissions)
	}
	// a month of its last 12, which hold the 766 records: the report (1), the figures of its
	// dossier export (2), then the report sent again so that it stays what the other
	// indicators read (3, current), newest first
	var cov data.Coverage
	s.getJSON(t, "/api/v1/coverage", 200, &cov)
	s.getJSON(t, "/api/v1/submissions?unit=01&period="+cov.LastMonth.String(), 200, &subs)
	var got []string
	for _, x := range subs.Submissions {
		got = append(got, fmt.Sprintf("%v %v %v", x["version"], x["source"], x["status"]))
	}
	if want := "3 demo current, 2 dossiers superseded, 1 demo superseded"; strings.Join(got, ", ") != want {
		t.Errorf("submissions of %s: %q, want %q", cov.LastMonth, strings.Join(got, ", "), want)
	}
	var defs struct{ Indicators []map[string]any }
	s.getJSON(t, "/api/v1/indicators", 200, &defs)
	if len(defs.Indicators) < 8 {
		t.Errorf("%d indicators", len(defs.Indicators))
	}
}

var outsideURL = regexp.MustCompile(`(?i)(src|href|action)\s*=\s*["']?(https?:)?//`)

func TestPagesServeNothingFromOutside(t *testing.T) {
	s := startServer(t, true)
	for _, path := range []string{"/", "/?indicator=level4_share&period=2020-12&boundaries=historical", "/?lang=en", "/units/08", "/units/02", "/units/BTC", "/trends", "/completeness", "/map", "/upload", "/reports", "/audit"} {
		t.Run(path, func(t *testing.T) {
			req, _ := http.NewRequest("GET", s.url+path, nil)
			req.Header.Set("Authorization", "Bearer "+s.tok["admin1"])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %.300s", resp.StatusCode, body)
			}
			if m := outsideURL.Find(body); m != nil {
				t.Errorf("page references an outside URL: %s", m)
			}
			if !bytes.Contains(body, []byte("Chỉ số Chính phủ điện tử")) && !bytes.Contains(body, []byte("E-government KPIs")) {
				t.Errorf("page has no title")
			}
			csp := resp.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("CSP = %q", csp)
			}
		})
	}
	if code, _ := s.do(t, "GET", "/units/99", "analyst1", nil); code != 404 {
		t.Errorf("/units/99 = %d", code)
	}
}

func TestEmptyDatabaseWithoutDemo(t *testing.T) {
	s := startServer(t, false)
	var cov map[string]any
	s.getJSON(t, "/api/v1/coverage", 200, &cov)
	if cov["submissions"].(float64) != 0 {
		t.Errorf("a new database without --demo holds %v submissions", cov["submissions"])
	}
	code, body := s.do(t, "GET", "/", "analyst1", nil)
	if code != 200 || !bytes.Contains(body, []byte("chưa có số liệu")) {
		t.Errorf("home page on an empty database: %d", code)
	}
}

// TestMain lets a test run the command in a process of its own, as a user would.
func TestMain(m *testing.M) {
	if args := os.Getenv("EGOVKPI_TEST_RUN"); args != "" {
		os.Exit(run(context.Background(), strings.Split(args, "\n"), os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// command runs egovkpi ARGS in a separate process and returns its exit code and output.
func command(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "EGOVKPI_TEST_RUN="+strings.Join(args, "\n"))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

func TestSecondProcessOnTheSameFileIsToldPlainly(t *testing.T) {
	s := startServer(t, false)
	for _, args := range [][]string{
		{"rankings", "--db", s.db, "--indicator", "level4_share"},
		{"serve", "--db", s.db, "--addr", "127.0.0.1:0"},
		{"seed", "--db", s.db},
	} {
		code, _, stderr := command(t, args...)
		want := fmt.Sprintf("e2e.duckdb is in use by another egovkpi process (pid %d): upload through the running server, or stop it first", os.Getpid())
		if code != 1 || !strings.Contains(stderr, want) {
			t.Errorf("%s: exit %d, stderr %q, want %q", args[0], code, stderr, want)
		}
	}
}

func TestRankingsCommand(t *testing.T) {
	s := startServer(t, true)
	s.stop() // the command needs the file to itself
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"rankings", "--db", s.db, "--indicator", "edoc_ratio", "--period", "2019"}, nil, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	txt := out.String()
	if !strings.Contains(txt, "Cả nước: 86,50") || !strings.Contains(txt, "Đơn vị") {
		t.Errorf("table output:\n%s", txt)
	}
	// Vietnamese names are aligned: every row's value column ends at the same place
	lines := strings.Split(strings.TrimSpace(txt), "\n")
	w := displayWidth(lines[2])
	for _, l := range lines[3:10] {
		if displayWidth(l) != w && !strings.Contains(l, "✘") && !strings.Contains(l, "✔") {
			t.Errorf("misaligned row %q", l)
		}
	}
	for _, format := range []string{"json", "csv"} {
		out.Reset()
		if code := run(context.Background(), []string{"rankings", "--db", s.db, "--indicator", "edoc_ratio", "--period", "2019", "--format", format}, nil, &out, &errb); code != 0 {
			t.Fatalf("%s: exit %d", format, code)
		}
		if format == "csv" && !strings.HasPrefix(out.String(), "rank,unit_code,unit_name_vi") {
			t.Errorf("csv: %s", out.String()[:80])
		}
		if format == "json" && !json.Valid(out.Bytes()) {
			t.Error("json output is not JSON")
		}
	}
	if code := run(context.Background(), []string{"rankings", "--db", s.db, "--indicator", "edoc_ratio", "--period", "13/2026"}, nil, &out, &errb); code != 1 {
		t.Errorf("bad period: exit %d", code)
	}
	fmt.Fprint(io.Discard, txt)
}

// BenchmarkRestart measures start-up on an existing demo database: open, migrate check,
// reference sync, first request answered.
func BenchmarkRestart(b *testing.B) {
	db := filepath.Join(b.TempDir(), "restart.duckdb")
	makeUsers(b, db)
	s := startServerOn(b, db, true)
	s.stop()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := startServerOn(b, db, false)
		resp, err := http.Get(s.url + "/api/v1/coverage")
		if err != nil {
			b.Fatal(err)
		}
		_ = resp.Body.Close()
		s.stop()
	}
}
