package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/egovkpi/egovkpi/dashboard"
	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// Issue 16, "Boundaries" and defect 8: what anyone can send without signing in stays
// bounded (sign-in abuse, open redirects, timing), and the server's edges (HEAD, HSTS,
// 413, file modes, proxies) behave.

// bndStart starts a server like startServer, its configuration changed by edit first.
func bndStart(t *testing.T, edit func(*ServeConfig)) *server {
	t.Helper()
	db := filepath.Join(t.TempDir(), "b.duckdb")
	tok := makeUsers(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	cfg := ServeConfig{Addr: "127.0.0.1:0", DB: db, Ready: ready, ReadHeaderTimeout: time.Second}
	edit(&cfg)
	logs := &syncBuffer{}
	go func() { done <- cfg.Run(ctx, io.Discard, logs) }()
	select {
	case addr := <-ready:
		scheme := "http"
		if cfg.TLSCert != "" {
			scheme = "https"
		}
		s := &server{url: scheme + "://" + addr, db: db, tok: tok}
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
			if t.Failed() {
				t.Logf("server log:\n%s", logs.String())
			}
		})
		return s
	case err := <-done:
		cancel()
		t.Fatalf("serve did not start: %v", err)
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("serve did not start in 60 s")
	}
	return nil
}

// bndLogin posts the sign-in form from a client address (X-Forwarded-For, which counts
// only behind a trusted proxy) and returns the status, the Location and how long it took.
// The form's CSRF token is a cookie it must echo: any value both carry will do.
func bndLogin(t *testing.T, s *server, from, user, pw string) (int, string, time.Duration) {
	t.Helper()
	form := url.Values{"csrf": {"tok"}, "username": {user}, "password": {pw}}
	req, _ := http.NewRequest("POST", s.url+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "egovkpi_login_csrf", Value: "tok"})
	if len(user) > 64<<10 {
		// wait for the server's word before sending what it will not read: an answer sent
		// while the client still writes can be lost to the connection's reset
		req.Header.Set("Expect", "100-continue")
	}
	if from != "" {
		req.Header.Set("X-Forwarded-For", from)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location"), time.Since(start)
}

// bndSize is the database's size on disk: the file and its WAL.
func bndSize(t *testing.T, db string) int64 {
	t.Helper()
	var n int64
	for _, f := range []string{db, db + ".wal"} {
		if fi, err := os.Stat(f); err == nil {
			n += fi.Size()
		}
	}
	return n
}

func bndFailures(t *testing.T, s *server) []data.SigninFailure {
	t.Helper()
	var got struct{ Failures []data.SigninFailure }
	getJSONAs(t, s, "/api/v1/audit/signin-failures", "admin1", 200, &got)
	return got.Failures
}

func bndAuditCount(t *testing.T, s *server) int {
	t.Helper()
	var a struct{ Entries []data.AuditEntry }
	getJSONAs(t, s, "/api/v1/audit?limit=10000", "admin1", 200, &a)
	return len(a.Entries)
}

// Defect 8: ten sign-ins with a 2 MB username grew the database by 19 MB, the full name
// was kept even when rate-limited, and /audit grew to tens of MB.
func TestBoundariesSigninAbuseIsBounded(t *testing.T) {
	s := startServer(t, false)
	auditBefore := bndAuditCount(t, s)
	sizeBefore := bndSize(t, s.db)
	huge := strings.Repeat("A", 2<<20)
	for i := 0; i < 10; i++ {
		if code, _, _ := bndLogin(t, s, "", huge, "x"); code != http.StatusRequestEntityTooLarge {
			t.Errorf("sign-in %d with a 2 MB username = %d, want 413", i, code)
		}
	}
	// under the form's limit but longer than any account's name: refused before any
	// lookup, counted, then rate-limited
	long := strings.Repeat("Đ", 2000)
	codes := map[int]int{}
	for i := 0; i < 200; i++ {
		code, _, _ := bndLogin(t, s, "", long, "x")
		codes[code]++
	}
	if codes[400] != 10 || codes[429] != 190 {
		t.Errorf("200 sign-ins with a 4 KB username: %v, want 10×400 then 190×429", codes)
	}
	grew := bndSize(t, s.db) - sizeBefore
	t.Logf("the database grew by %d bytes over 210 abusive sign-ins", grew)
	if grew > 1<<20 {
		t.Errorf("the database grew by %d bytes", grew)
	}
	if n := bndAuditCount(t, s); n != auditBefore {
		t.Errorf("failed sign-ins added %d audit entries, want none (they are counted instead)", n-auditBefore)
	}
	fs := bndFailures(t, s)
	var attempts, blocked int64
	for _, f := range fs {
		if f.Peer != "127.0.0.1" || utf8.RuneCountInString(f.LastUsername) > data.MaxSigninName {
			t.Errorf("record %+v", f)
		}
		attempts += f.Attempts
		blocked += f.Blocked
	}
	// one record per address and minute (two if the minute turned meanwhile)
	if len(fs) < 1 || len(fs) > 2 || attempts != 10 || blocked != 190 {
		t.Errorf("failed sign-ins: %d records, %d attempts, %d blocked: %+v", len(fs), attempts, blocked, fs)
	}
	resp, page := s.get(t, "/audit", "admin1")
	if resp.StatusCode != 200 || len(page) > 256<<10 {
		t.Errorf("/audit = %d, %d bytes", resp.StatusCode, len(page))
	}
}

// Defect 11: /lang/en?back=/%09/evil.example and /login?next=/%09/evil.example answered
// Location: /\t/evil.example, which browsers read as //evil.example.
func TestBoundariesOpenRedirect(t *testing.T) {
	s := startServer(t, false)
	// bare round trips: a client would refuse to parse a Location with a tab in it
	client := roundTripOnly{}
	cases := []struct{ target, want string }{
		{"/%09/evil.example", "/"},
		{"/%0a/evil.example", "/"},
		{"/%0D%0A/evil.example", "/"},
		{"//evil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/%5C%5Cevil.example", "/"},
		{"/%252F/evil.example", "/"}, // "/%2F/…" decodes to "//…"
		{"/%2509/evil.example", "/"}, // "/%09/…" decodes to a tab
		{"https%3A%2F%2Fevil.example", "/"},
		{"/completeness?period=2026-09", "/completeness?period=2026-09"},
	}
	for _, tc := range cases {
		t.Run("lang "+tc.target, func(t *testing.T) {
			resp, err := client.Get(s.url + "/lang/en?back=" + tc.target)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != 303 || resp.Header.Get("Location") != tc.want {
				t.Errorf("/lang/en?back=%s = %d → %q, want %q", tc.target, resp.StatusCode, resp.Header.Get("Location"), tc.want)
			}
		})
	}
	// the sign-in form carries next, and the sign-in goes there
	for _, tc := range cases[:4] {
		t.Run("login "+tc.target, func(t *testing.T) {
			resp, err := client.Get(s.url + "/login?next=" + tc.target)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			m := regexp.MustCompile(`name="next" value="([^"]*)"`).FindSubmatch(page)
			if m == nil || string(m[1]) != "/" {
				t.Errorf("/login?next=%s: the form's next is %q", tc.target, m)
			}
			next, _ := url.QueryUnescape(tc.target)
			form := url.Values{"csrf": {"tok"}, "username": {"analyst1"}, "password": {testPassword}, "next": {next}}
			req, _ := http.NewRequest("POST", s.url+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "egovkpi_login_csrf", Value: "tok"})
			resp, err = client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != 303 || resp.Header.Get("Location") != "/" {
				t.Errorf("sign-in with next=%q = %d → %q, want /", next, resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
}

// Defect 12: unknown usernames answered in 5–8 ms, known ones with a wrong password in
// ~100 ms. Each try comes from an address of its own (behind a trusted proxy), so the
// rate limit does not cut the measurement short; medians of interleaved tries, so a busy
// machine slows both alike.
func TestBoundariesLoginTimingDoesNotTellNames(t *testing.T) {
	s := bndStart(t, func(c *ServeConfig) { c.TrustedProxies = "127.0.0.1" })
	var known, unknown []time.Duration
	for i := 0; i < 9; i++ {
		code, _, d := bndLogin(t, s, fmt.Sprintf("198.51.100.%d", 2*i+1), "analyst1", "not the password")
		if code != 401 {
			t.Fatalf("wrong password = %d", code)
		}
		known = append(known, d)
		code, _, d = bndLogin(t, s, fmt.Sprintf("198.51.100.%d", 2*i+2), fmt.Sprintf("nobody%d", i), "not the password")
		if code != 401 {
			t.Fatalf("unknown user = %d", code)
		}
		unknown = append(unknown, d)
	}
	slices.Sort(known)
	slices.Sort(unknown)
	k, u := known[len(known)/2], unknown[len(unknown)/2]
	t.Logf("median sign-in: known name, wrong password %v; unknown name %v", k, u)
	if u < k/2 {
		t.Errorf("an unknown name answers in %v, a known one in %v: the timing tells which names exist", u, k)
	}
}

// Defect 14: behind a reverse proxy one address could lock out every sign-in. With
// --trusted-proxy, the client is taken from the proxy's X-Forwarded-For, and each client
// has its own limit; without it, X-Forwarded-For is nobody's word.
func TestBoundariesTrustedProxy(t *testing.T) {
	s := bndStart(t, func(c *ServeConfig) { c.TrustedProxies = "127.0.0.0/8, 10.9.9.9" })
	for i := 0; i < 10; i++ {
		if code, _, _ := bndLogin(t, s, "203.0.113.7", "analyst1", "wrong"); code != 401 {
			t.Fatalf("failure %d = %d", i, code)
		}
	}
	if code, _, _ := bndLogin(t, s, "203.0.113.7", "analyst1", "wrong"); code != 429 {
		t.Errorf("the 11th failure from one client = %d, want 429", code)
	}
	// another client behind the same proxy still signs in
	if code, loc, _ := bndLogin(t, s, "203.0.113.8", "analyst1", testPassword); code != 303 || loc != "/" {
		t.Errorf("another client behind the proxy = %d → %q, want 303 → /", code, loc)
	}
	// a spoofed address in front of the real client's is not believed
	if code, _, _ := bndLogin(t, s, "192.0.2.1, 203.0.113.7", "analyst1", "wrong"); code != 429 {
		t.Errorf("a prepended X-Forwarded-For escaped the limit: %d", code)
	}
	peers := map[string]int64{}
	for _, f := range bndFailures(t, s) {
		peers[f.Peer] += f.Attempts + f.Blocked
	}
	if peers["203.0.113.7"] != 12 || len(peers) != 1 {
		t.Errorf("failures by address: %v, want 203.0.113.7: 12", peers)
	}
	// HSTS when the trusted proxy says it took HTTPS, not when anyone else does
	resp, _ := s.get(t, "/api/v1/health", "", "X-Forwarded-Proto", "https")
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS behind a trusted proxy speaking HTTPS")
	}

	// the default: the direct peer is the client, whatever X-Forwarded-For says
	d := startServer(t, false)
	for i := 0; i < 10; i++ {
		bndLogin(t, d, fmt.Sprintf("203.0.113.%d", i), "analyst1", "wrong")
	}
	if code, _, _ := bndLogin(t, d, "203.0.113.99", "analyst1", "wrong"); code != 429 {
		t.Errorf("without a trusted proxy, a new X-Forwarded-For escaped the limit: %d", code)
	}
	for _, f := range bndFailures(t, d) {
		if f.Peer != "127.0.0.1" {
			t.Errorf("without a trusted proxy the failure is recorded for %q", f.Peer)
		}
	}
	resp, _ = d.get(t, "/api/v1/health", "", "X-Forwarded-Proto", "https")
	if h := resp.Header.Get("Strict-Transport-Security"); h != "" {
		t.Errorf("HSTS on plain HTTP because a client said https: %q", h)
	}

	// the flag and the environment variable, and a wrong value is a usage error
	for _, tc := range []struct {
		args, env string
		ok        bool
	}{
		{"--trusted-proxy 10.0.0.1,192.168.0.0/16", "", true},
		{"", "::1, 10.0.0.0/8", true},
		{"--trusted-proxy 10.0.0.300", "", false},
		{"", "proxy.example", false},
	} {
		t.Setenv("EGOVKPI_TRUSTED_PROXIES", tc.env)
		_, err := parseServe(strings.Fields(tc.args), io.Discard)
		if (err == nil) != tc.ok {
			t.Errorf("serve %s (EGOVKPI_TRUSTED_PROXIES=%q): %v", tc.args, tc.env, err)
		}
	}
}

// Defect 14: no HSTS when serving TLS.
func TestBoundariesHSTSOverTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := bndSelfSigned(t, dir)
	s := bndStart(t, func(c *ServeConfig) { c.TLSCert, c.TLSKey = cert, key })
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	for _, p := range []string{"/api/v1/health", "/login"} {
		resp, err := client.Get(s.url + p)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if h := resp.Header.Get("Strict-Transport-Security"); resp.StatusCode != 200 || !strings.Contains(h, "max-age=") {
			t.Errorf("GET %s over TLS = %d, Strict-Transport-Security %q", p, resp.StatusCode, h)
		}
	}
	plain := startServer(t, false)
	resp, _ := plain.get(t, "/api/v1/health", "")
	if h := resp.Header.Get("Strict-Transport-Security"); h != "" {
		t.Errorf("HSTS over plain HTTP: %q", h)
	}
}

func bndSelfSigned(t *testing.T, dir string) (string, string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// Defect 14: HEAD on a GET route was 404 or 405. Every GET route the app has answers
// HEAD as it answers GET, without the body.
func TestBoundariesHeadOnEveryGetRoute(t *testing.T) {
	s := startServer(t, true)
	app, err := dashboard.New(dashboard.Config{Engine: metrics.NewEngine(nil, nil)})
	if err != nil {
		t.Fatal(err)
	}
	_, login := s.get(t, "/login", "")
	asset := regexp.MustCompile(`/static/[0-9a-f]+/[^"]+`).Find(login)
	if asset == nil {
		t.Fatal("no static file on the sign-in page")
	}
	params := regexp.MustCompile(`:[a-z]+|\*`)
	values := map[string]string{":code": "01", ":period": "2026-09", ":username": "nobody", ":id": "999",
		":format": "csv", ":name": "none.xlsx", ":lang": "en", "*": "x"}
	paths := []string{string(asset), "/api/v1/dossiers/late?unit=01&month=2026-09", "/dossiers", "/no/such/page"}
	seen := map[string]bool{}
	for _, r := range app.Routes() {
		if r.Method != "GET" || strings.HasPrefix(r.Name, "github.com/labstack") || strings.HasPrefix(r.Path, "/static/") {
			continue
		}
		p := params.ReplaceAllStringFunc(r.Path, func(k string) string { return values[k] })
		if !seen[p] {
			seen[p] = true
			paths = append(paths, p)
		}
	}
	if len(paths) < 40 {
		t.Fatalf("only %d GET routes", len(paths))
	}
	for _, p := range paths {
		for _, user := range []string{"", "admin1"} {
			resp, body := s.bndSend(t, "GET", p, user)
			hresp, hbody := s.bndSend(t, "HEAD", p, user)
			if hresp.StatusCode != resp.StatusCode || len(hbody) != 0 ||
				hresp.Header.Get("Content-Type") != resp.Header.Get("Content-Type") {
				t.Errorf("HEAD %s as %q = %d (%d bytes, %q); GET = %d (%d bytes, %q)", p, user, hresp.StatusCode, len(hbody),
					hresp.Header.Get("Content-Type"), resp.StatusCode, len(body), resp.Header.Get("Content-Type"))
			}
		}
	}
}

func (s *server) bndSend(t *testing.T, method, path, user string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, s.url+path, nil)
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+s.tok[user])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// roundTripOnly sends a request and returns the answer as it is, redirect or not, its
// Location unparsed.
type roundTripOnly struct{}

func (roundTripOnly) Do(r *http.Request) (*http.Response, error) {
	return http.DefaultTransport.RoundTrip(r)
}

func (c roundTripOnly) Get(u string) (*http.Response, error) {
	r, err := http.NewRequest("GET", u, nil)
	if err != nil {
		return nil, err
	}
	return c.Do(r)
}

// hideLength makes a body whose length the client does not know: it is sent chunked.
type hideLength struct{ io.Reader }

// Defect 14: an oversized chunked upload got 400, not 413, and the 413 did not state the
// limit.
func TestBoundariesOversizedUploadIs413WithTheLimit(t *testing.T) {
	s := startServer(t, false)
	// just over the limit: what the server leaves unread is small enough for it to drain,
	// so its answer is not lost to a reset while the client still writes
	big, ctype := multipartBody("big.csv", []byte(strings.Repeat("x", 20<<20+10<<10)))
	raw := big.Bytes()
	for _, tc := range []struct {
		name, query, want string
		body              func() io.Reader
	}{
		{"chunked", "", "20 MB", func() io.Reader { return hideLength{strings.NewReader(string(raw))} }},
		{"declared", "", "20 MB", func() io.Reader { return strings.NewReader(string(raw)) }},
		{"declared, far over", "", "20 MB", func() io.Reader { return strings.NewReader(string(raw) + strings.Repeat("y", 5<<20)) }},
		{"chunked, English", "?lang=en", "limit of 20 MB", func() io.Reader { return hideLength{strings.NewReader(string(raw))} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := s.do(t, "POST", "/api/v1/submissions"+tc.query, "committee1", tc.body(), "Content-Type", ctype, "Expect", "100-continue")
			var e struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatal(err)
			}
			if code != 413 || e.Error.Code != "too_large" || !strings.Contains(e.Error.Message, tc.want) {
				t.Errorf("a 20+ MB upload = %d %s, want 413 saying %q", code, body, tc.want)
			}
		})
	}
	// the sign-in form's own, smaller limit says its size too
	code, _, _ := bndLogin(t, s, "", strings.Repeat("a", 100<<10), "x")
	if code != 413 {
		t.Errorf("a 100 KB sign-in = %d, want 413", code)
	}
	// a body under the limit still goes through
	code, body := s.do(t, "POST", "/api/v1/locks", "committee1", strings.NewReader(`{"period":"2020-01"}`), "Content-Type", "application/json")
	if code != 201 {
		t.Errorf("a small body = %d %s", code, body)
	}
}

// Defect 14: the database, kept files and backups were world-readable (backups hold
// password hashes).
func TestBoundariesFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022) // as most systems start a process; the store must not rely on it
	t.Cleanup(func() { syscall.Umask(old) })
	s := startServer(t, false)
	bndLogin(t, s, "", "nobody", "x") // a write: DuckDB keeps a WAL while serving
	mode := func(p string) os.FileMode {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}
	if m := mode(s.db); m != 0o600 {
		t.Errorf("database file %v, want 0600", m)
	}
	if _, err := os.Stat(s.db + ".wal"); err == nil {
		if m := mode(s.db + ".wal"); m != 0o600 {
			t.Errorf("WAL %v, want 0600", m)
		}
	}
	code, body := s.do(t, "POST", "/api/v1/backup", "admin1", nil)
	if code != 201 {
		t.Fatalf("backup = %d %s", code, body)
	}
	var b struct{ Path string }
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatal(err)
	}
	if m := mode(filepath.Dir(b.Path)); m != 0o700 {
		t.Errorf("backups folder %v, want 0700", m)
	}
	n := 0
	_ = filepath.WalkDir(b.Path, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		n++
		want := os.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if m := mode(p); m != want {
			t.Errorf("backup %s: %v, want %v", filepath.Base(p), m, want)
		}
		return nil
	})
	if n < 3 {
		t.Errorf("the backup has %d entries", n)
	}
	s.stop()
	restored := filepath.Join(t.TempDir(), "restored.duckdb")
	if code, _, stderr := command(t, "restore", "--from", b.Path, "--db", restored); code != 0 {
		t.Fatalf("restore: %s", stderr)
	}
	if m := mode(restored); m != 0o600 {
		t.Errorf("restored database %v, want 0600", m)
	}
}
