package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// pageStat is one page read by every reader at once for the run's duration.
type pageStat struct {
	Name     string  `json:"page"`
	Path     string  `json:"path"`
	Bytes    int     `json:"bytes_gzip"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	RPS      float64 `json:"requests_per_second"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	Maxms    float64 `json:"max_ms"`
	TargetMs float64 `json:"target_p99_ms"`
	// Load is /proc/loadavg's one-minute figure at the run's end: the machine is shared.
	Load float64 `json:"load_1m"`
}

// firstRead is every reader reading a page once, all at once, just after an upload
// changed the data: what the first readers of a new figure wait.
type firstRead struct {
	Name   string  `json:"page"`
	Reads  int     `json:"reads"`
	Errors int     `json:"errors"`
	P50ms  float64 `json:"p50_ms"`
	Maxms  float64 `json:"max_ms"`
	Load   float64 `json:"load_1m"`
}

// loadReport is what egovbench load writes as JSON.
type loadReport struct {
	Date       string      `json:"date"`
	Cores      int         `json:"cores"`
	Memory     string      `json:"memory"`
	Readers    int         `json:"readers"`
	Seconds    float64     `json:"seconds_per_page"`
	Uptime     string      `json:"uptime_before"`
	UptimeEnd  string      `json:"uptime_after"`
	Pages      []pageStat  `json:"pages"`
	FirstReads []firstRead `json:"first_reads_after_upload"`
}

// the pages read, with their p99 targets (issue 18); %s in a path is a unit's code
var loadPages = []struct {
	name, path string
	target     float64
}{
	{"leaderboard", "/", 20},
	{"unit page", "/units/%s", 50},
	{"trends", "/trends", 50},
	{"map", "/map", 50},
	{"completeness", "/completeness", 50},
}

// unitCode is a unit as GET /api/v1/units lists it, its code all the benchmark reads.
type unitCode struct {
	Code string `json:"code"`
}

const benchPassword = "benchmark password 2026"

// runLoad is egovbench load: c analysts, each signed in with a session of their own,
// read each page for d; then, after an officer's upload through the API, each reads each
// page once.
func runLoad(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	dur := fs.Duration("d", 10*time.Second, "how long every reader reads each page")
	readers := fs.Int("c", 64, "concurrent readers, each an analyst with a session of their own")
	bin := fs.String("egovkpi", "", "egovkpi binary (default: go build ./cmd/egovkpi)")
	out := fs.String("json", "bench-load.json", "where to write the results")
	compare := fs.String("compare", "", "an earlier run's JSON: print each figure's ratio to it")
	_ = fs.Parse(args)
	rep, err := load(*dur, *readers, *bin)
	if err != nil {
		return err
	}
	printLoad(os.Stdout, rep)
	if *compare != "" {
		if err := printComparison(os.Stdout, *compare, rep); err != nil {
			return err
		}
	}
	b, _ := json.MarshalIndent(rep, "", "  ")
	return os.WriteFile(*out, append(b, '\n'), 0o644)
}

func load(dur time.Duration, readers int, bin string) (*loadReport, error) {
	dir, err := os.MkdirTemp("", "egovbench-")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if bin == "" {
		bin = filepath.Join(dir, "egovkpi")
		b := exec.Command("go", "build", "-o", bin, "./cmd/egovkpi")
		b.Stdout, b.Stderr = os.Stderr, os.Stderr
		if err := b.Run(); err != nil {
			return nil, fmt.Errorf("go build: %w", err)
		}
	}
	db := filepath.Join(dir, "bench.duckdb")
	step := func(stdin string, args ...string) (string, error) {
		c := exec.Command(bin, args...)
		c.Stdin = strings.NewReader(stdin)
		o, err := c.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("egovkpi %s: %v: %s", strings.Join(args[:2], " "), err, o)
		}
		lines := strings.Split(strings.TrimSpace(string(o)), "\n")
		return lines[len(lines)-1], nil
	}
	fmt.Fprintln(os.Stderr, "seeding the demo …")
	if _, err := step("", "seed", "--db", db); err != nil {
		return nil, err
	}
	// an admin to create the readers through the API, an officer of Hà Nội to upload
	if _, err := step(benchPassword+"\n", "user", "add", "--db", db, "--username", "benchadmin", "--role", "admin"); err != nil {
		return nil, err
	}
	if _, err := step(benchPassword+"\n", "user", "add", "--db", db, "--username", "benchofficer", "--role", "officer", "--unit", "01"); err != nil {
		return nil, err
	}
	adminTok, err := step("", "token", "create", "--db", db, "--username", "benchadmin")
	if err != nil {
		return nil, err
	}
	officerTok, err := step("", "token", "create", "--db", db, "--username", "benchofficer")
	if err != nil {
		return nil, err
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := exec.CommandContext(ctx, bin, "serve", "--db", db, "--addr", "127.0.0.1:0")
	stdout, _ := srv.StdoutPipe()
	srv.Stderr = io.Discard
	if err := srv.Start(); err != nil {
		return nil, err
	}
	defer func() { _ = srv.Wait() }()
	defer cancel()
	addr := ""
	sc := bufio.NewScanner(stdout)
	re := regexp.MustCompile(`on (http://\S+)/`)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			addr = m[1]
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	if addr == "" {
		return nil, fmt.Errorf("the server did not start")
	}

	transport := &http.Transport{MaxIdleConnsPerHost: readers + 2, MaxConnsPerHost: readers + 2, DisableCompression: true}
	api := &http.Client{Transport: transport}
	call := func(method, path, token, ctype string, body []byte, into any) error {
		req, _ := http.NewRequest(method, addr+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := api.Do(req)
		if err != nil {
			return err
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 {
			return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
		if into != nil {
			return json.Unmarshal(b, into)
		}
		return nil
	}
	var cov struct {
		LastMonth string `json:"last_month"`
	}
	if err := call("GET", "/api/v1/coverage", adminTok, "", nil, &cov); err != nil {
		return nil, err
	}
	var list struct {
		Units []unitCode `json:"units"`
	}
	if err := call("GET", "/api/v1/units?group=provinces", adminTok, "", nil, &list); err != nil {
		return nil, err
	}
	units := list.Units
	if len(units) == 0 {
		return nil, fmt.Errorf("no provinces in the demo")
	}

	fmt.Fprintf(os.Stderr, "signing in %d analysts …\n", readers)
	clients := make([]*http.Client, readers)
	for i := range clients {
		name := fmt.Sprintf("reader%02d", i+1)
		body, _ := json.Marshal(map[string]string{"username": name, "password": benchPassword, "role": "analyst"})
		if err := call("POST", "/api/v1/users", adminTok, "application/json", body, nil); err != nil {
			return nil, err
		}
		if clients[i], err = signIn(addr, name, transport); err != nil {
			return nil, err
		}
	}

	rep := &loadReport{Date: time.Now().UTC().Format(time.RFC3339), Cores: runtime.NumCPU(), Memory: memTotal(),
		Readers: readers, Seconds: dur.Seconds(), Uptime: uptime()}

	// each page for dur, every reader reading it again and again, once every reader has
	// read it (the page as it is until the data changes: a cold start is the first reads')
	for _, p := range loadPages {
		fmt.Fprintf(os.Stderr, "%s: warming, then %s …\n", p.name, dur)
		everyoneOnce(clients, addr, p.path, units)
		st := hammer(clients, addr, p.path, units, dur)
		st.Name, st.TargetMs, st.Load = p.name, p.target, load1()
		rep.Pages = append(rep.Pages, st)
	}

	// the first reads: an officer's upload changes Hà Nội's figures, then every reader
	// reads the page once, all at once (a unit's page: each reader another unit)
	for v, p := range loadPages {
		total := 200000 + 1000*v
		csv := fmt.Sprintf("unit,period,docs_total,docs_electronic\n01,%s,%d,%d\n", cov.LastMonth, total, total/2)
		if err := uploadCSV(call, officerTok, csv); err != nil {
			return nil, fmt.Errorf("upload: %w", err)
		}
		fmt.Fprintf(os.Stderr, "%s: first reads after an upload …\n", p.name)
		lat, errs := everyoneOnce(clients, addr, p.path, units)
		rep.FirstReads = append(rep.FirstReads, firstRead{Name: p.name, Reads: len(lat), Errors: errs,
			P50ms: ms(percentile(lat, 0.5)), Maxms: ms(lat[len(lat)-1]), Load: load1()})
	}
	rep.UptimeEnd = uptime()
	return rep, nil
}

// signIn signs an analyst in as a browser does (the form's CSRF token, then POST /login)
// and returns a client holding its session cookie.
func signIn(addr, name string, t http.RoundTripper) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Transport: t, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(addr + "/login")
	if err != nil {
		return nil, err
	}
	page, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		return nil, fmt.Errorf("sign-in form without a CSRF token")
	}
	resp, err = c.PostForm(addr+"/login", url.Values{"username": {name}, "password": {benchPassword}, "csrf": {string(m[1])}})
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("sign in %s: %d", name, resp.StatusCode)
	}
	u, _ := url.Parse(addr)
	if len(jar.Cookies(u)) == 0 {
		return nil, fmt.Errorf("sign in %s: no session cookie", name)
	}
	return c, nil
}

func uploadCSV(call func(method, path, token, ctype string, body []byte, into any) error, token, csv string) error {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	part, _ := w.CreateFormFile("file", "01.csv")
	_, _ = part.Write([]byte(csv))
	_ = w.Close()
	return call("POST", "/api/v1/submissions", token, w.FormDataContentType(), b.Bytes(), nil)
}

func pagePath(p, unit string) string {
	if strings.Contains(p, "%s") {
		return fmt.Sprintf(p, unit)
	}
	return p
}

// read gets a page as a browser does (gzip accepted) and returns its size on the wire.
func read(c *http.Client, target string) (int, error) {
	req, _ := http.NewRequest("GET", target, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return int(n), fmt.Errorf("%s: status %d", target, resp.StatusCode)
	}
	return int(n), nil
}

// everyoneOnce has every reader read the page once, all at once (a unit's page: reader i
// province i), and returns the times sorted and the errors.
func everyoneOnce(clients []*http.Client, addr, path string, units []unitCode) ([]time.Duration, int) {
	lat, errs := make([]time.Duration, len(clients)), 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			_, err := read(c, addr+pagePath(path, units[i%len(units)].Code))
			lat[i] = time.Since(t)
			if err != nil {
				mu.Lock()
				errs++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sortDurations(lat)
	return lat, errs
}

// hammer has every reader read the page for dur (a unit's page: each request the next unit).
func hammer(clients []*http.Client, addr, path string, units []unitCode, dur time.Duration) pageStat {
	var mu sync.Mutex
	var lat []time.Duration
	errs, size := 0, 0
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	start := time.Now()
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			e, n := 0, 0
			for k := i; time.Now().Before(deadline); k++ {
				t := time.Now()
				b, err := read(c, addr+pagePath(path, units[k%len(units)].Code))
				mine = append(mine, time.Since(t))
				if err != nil {
					e++
				}
				n = b
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += e
			size = max(size, n)
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	sortDurations(lat)
	st := pageStat{Path: path, Bytes: size, Requests: len(lat), Errors: errs, RPS: float64(len(lat)) / el.Seconds()}
	if len(lat) > 0 {
		st.P50ms, st.P99ms, st.Maxms = ms(percentile(lat, 0.5)), ms(percentile(lat, 0.99)), ms(lat[len(lat)-1])
	}
	return st
}

func sortDurations(d []time.Duration) { sort.Slice(d, func(i, j int) bool { return d[i] < d[j] }) }

// percentile of sorted durations (nearest rank).
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[int(float64(len(d)-1)*p+0.5)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// uptime is the uptime command's line: the machine's load, to read the figures by.
func uptime() string {
	o, err := exec.Command("uptime").Output()
	if err != nil {
		return fmt.Sprintf("load average: %.2f", load1())
	}
	return strings.TrimSpace(string(o))
}

// load1 is the one-minute load average.
func load1() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	var v float64
	_, _ = fmt.Sscanf(string(b), "%g", &v)
	return v
}

func printLoad(w io.Writer, r *loadReport) {
	fmt.Fprintf(w, "egovkpi load — %d analysts, each signed in with a session of their own, %s per page; %d cores, %s; %s\n",
		r.Readers, time.Duration(r.Seconds*float64(time.Second)), r.Cores, r.Memory, r.Uptime)
	fmt.Fprintf(w, "%-14s %8s %9s %8s %8s %8s %8s %7s %6s\n", "page", "req/s", "requests", "p50 ms", "p99 ms", "max ms", "target", "errors", "load")
	for _, p := range r.Pages {
		ok := "met"
		if p.P99ms >= p.TargetMs {
			ok = "MISSED"
		}
		fmt.Fprintf(w, "%-14s %8.0f %9d %8.1f %8.1f %8.1f %4.0f %-3s %7d %6.1f\n", p.Name, p.RPS, p.Requests, p.P50ms, p.P99ms, p.Maxms, p.TargetMs, ok, p.Errors, p.Load)
	}
	fmt.Fprintf(w, "first read of each page after an upload, every reader at once:\n")
	fmt.Fprintf(w, "%-14s %8s %8s %8s %7s %6s\n", "page", "reads", "p50 ms", "max ms", "errors", "load")
	for _, f := range r.FirstReads {
		fmt.Fprintf(w, "%-14s %8d %8.1f %8.1f %7d %6.1f\n", f.Name, f.Reads, f.P50ms, f.Maxms, f.Errors, f.Load)
	}
}

// printComparison prints each figure against an earlier run's: before/after for latencies,
// after/before for throughput, so above 1 is better in both.
func printComparison(w io.Writer, file string, now *loadReport) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var before loadReport
	if err := json.Unmarshal(b, &before); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	fmt.Fprintf(w, "improvement over %s (%s; above 1 is better): \n", file, before.Uptime)
	fmt.Fprintf(w, "%-14s %10s %10s %10s %14s %14s\n", "page", "req/s", "p50", "p99", "first-read p50", "first-read max")
	for i, p := range now.Pages {
		if i >= len(before.Pages) || before.Pages[i].Name != p.Name {
			continue
		}
		o := before.Pages[i]
		fr, fo := firstRead{}, firstRead{}
		if i < len(now.FirstReads) && i < len(before.FirstReads) {
			fr, fo = now.FirstReads[i], before.FirstReads[i]
		}
		fmt.Fprintf(w, "%-14s %9.1f× %9.1f× %9.1f× %13.1f× %13.1f×\n", p.Name, ratio(p.RPS, o.RPS), ratio(o.P50ms, p.P50ms), ratio(o.P99ms, p.P99ms), ratio(fo.P50ms, fr.P50ms), ratio(fo.Maxms, fr.Maxms))
	}
	return nil
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
