// Command egovbench measures egovkpi from outside, as its users meet it.
//
//	go run ./cmd/egovbench load [-d 10s] [-c 64] [-egovkpi PATH]
//
// all runs the benchmarks every issue names (go test -bench in each package), each
// beside its limit where there is one, then the load benchmark, and prints one table.
//
// load builds nothing: it runs the egovkpi binary given (default: builds one with go
// build into a temporary folder), seeds the demo into a temporary database, starts the
// server as a second process on 127.0.0.1, and loads it over loopback with c concurrent
// keep-alive clients: the leaderboard page, the rankings JSON, and a static page of the
// leaderboard's size served by the same server (the web layer's limit), one after the
// other for d each. It prints a table and writes it as JSON.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
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

func main() {
	if len(os.Args) >= 2 && os.Args[1] == "all" {
		if err := runAll(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "egovbench:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) < 2 || os.Args[1] != "load" {
		fmt.Fprintln(os.Stderr, "usage: egovbench load [-d 10s] [-c 64] [-egovkpi PATH] [-json FILE]\n       egovbench all [-json FILE]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	dur := fs.Duration("d", 10*time.Second, "duration of each run")
	conns := fs.Int("c", 64, "concurrent connections")
	bin := fs.String("egovkpi", "", "egovkpi binary (default: go build ./cmd/egovkpi)")
	out := fs.String("json", "bench-load.json", "where to write the results")
	gen := fs.String("gen", "go", "load generator: go (built in) or wrk (Debian's wrk, on PATH)")
	fs.Parse(os.Args[2:])
	if *gen != "go" && *gen != "wrk" {
		fmt.Fprintln(os.Stderr, "egovbench: -gen is go or wrk")
		os.Exit(2)
	}
	generator = *gen
	if err := run(*dur, *conns, *bin, *out); err != nil {
		fmt.Fprintln(os.Stderr, "egovbench:", err)
		os.Exit(1)
	}
}

type result struct {
	Name     string  `json:"name"`
	URL      string  `json:"url"`
	Bytes    int     `json:"bytes"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	RPS      float64 `json:"requests_per_second"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	VsStatic float64 `json:"throughput_vs_static,omitempty"`
}

func run(dur time.Duration, conns int, bin, out string) error {
	dir, err := os.MkdirTemp("", "egovbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if bin == "" {
		bin = filepath.Join(dir, "egovkpi")
		b := exec.Command("go", "build", "-o", bin, "./cmd/egovkpi")
		b.Stdout, b.Stderr = os.Stderr, os.Stderr
		if err := b.Run(); err != nil {
			return fmt.Errorf("go build: %w", err)
		}
	}
	db := filepath.Join(dir, "bench.duckdb")
	step := func(stdin string, args ...string) (string, error) {
		c := exec.Command(bin, args...)
		c.Stdin = strings.NewReader(stdin)
		o, err := c.CombinedOutput()
		return string(o), err
	}
	if o, err := step("", "seed", "--db", db); err != nil {
		return fmt.Errorf("seed: %v: %s", err, o)
	}
	if o, err := step("benchmark password 2026\n", "user", "add", "--db", db, "--username", "bench", "--role", "analyst"); err != nil {
		return fmt.Errorf("user: %v: %s", err, o)
	}
	o, err := step("", "token", "create", "--db", db, "--username", "bench")
	if err != nil {
		return fmt.Errorf("token: %v: %s", err, o)
	}
	lines := strings.Split(strings.TrimSpace(o), "\n")
	token := lines[len(lines)-1]

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := exec.CommandContext(ctx, bin, "serve", "--db", db, "--addr", "127.0.0.1:0", "--bench")
	stdout, _ := srv.StdoutPipe()
	srv.Stderr = io.Discard
	if err := srv.Start(); err != nil {
		return err
	}
	defer srv.Wait()
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
	go io.Copy(io.Discard, stdout)
	if addr == "" {
		return fmt.Errorf("the server did not start")
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}}
	get := func(url string) (int, error) {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return int(n), fmt.Errorf("status %d", resp.StatusCode)
		}
		return int(n), nil
	}
	board := addr + "/?indicator=online_dossier_rate"
	if _, err := get(board); err != nil {
		return fmt.Errorf("leaderboard: %w", err)
	}
	targets := []struct{ name, url string }{
		{"leaderboard page", board},
		{"rankings JSON", addr + "/api/v1/rankings?indicator=online_dossier_rate"},
		{"static page, same size", addr + "/bench/static?page=" + url.QueryEscape(strings.TrimPrefix(board, addr))},
	}
	var results []result
	for _, t := range targets {
		get(t.url) // warm the cache, as a real dashboard is
		var r result
		if generator == "wrk" {
			if r, err = loadWrk(t.name, t.url, token, conns, dur); err != nil {
				return err
			}
			r.Bytes, _ = get(t.url)
		} else {
			r = load(t.name, t.url, conns, dur, get)
		}
		results = append(results, r)
	}
	static := results[2].RPS
	for i := range results[:2] {
		results[i].VsStatic = results[i].RPS / static
	}
	fmt.Printf("egovkpi load benchmark — %s, %d cores, %s memory, %d connections, %s each, %s generator, %s\n", runtime.GOOS+"/"+runtime.GOARCH, runtime.NumCPU(), memTotal(), conns, dur, generator, time.Now().Format("2006-01-02"))
	fmt.Printf("%-24s %9s %9s %9s %9s %7s %10s\n", "target", "bytes", "req/s", "p50 ms", "p99 ms", "errors", "vs static")
	for _, r := range results {
		vs := ""
		if r.VsStatic > 0 {
			vs = fmt.Sprintf("%.2f", r.VsStatic)
		}
		fmt.Printf("%-24s %9d %9.0f %9.1f %9.1f %7d %10s\n", r.Name, r.Bytes, r.RPS, r.P50ms, r.P99ms, r.Errors, vs)
	}
	b, _ := json.MarshalIndent(map[string]any{"date": time.Now().Format(time.RFC3339), "generator": generator, "cores": runtime.NumCPU(), "connections": conns, "seconds": dur.Seconds(), "results": results}, "", "  ")
	return os.WriteFile(out, b, 0o644)
}

func load(name, target string, conns int, dur time.Duration, get func(string) (int, error)) result {
	var mu sync.Mutex
	var lat []time.Duration
	errs, size := 0, 0
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			e := 0
			for time.Now().Before(deadline) {
				t := time.Now()
				n, err := get(target)
				mine = append(mine, time.Since(t))
				if err != nil {
					e++
				}
				size = n
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += e
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[int(float64(len(lat)-1)*p)].Microseconds()) / 1000
	}
	return result{Name: name, URL: target, Bytes: size, Requests: len(lat), Errors: errs, RPS: float64(len(lat)) / el.Seconds(), P50ms: pct(0.5), P99ms: pct(0.99)}
}

// generator is the load generator chosen with -gen.
var generator = "go"

// loadWrk runs Debian's wrk (one thread: the machine's other core serves) and reads its
// --latency table.
func loadWrk(name, target, token string, conns int, dur time.Duration) (result, error) {
	cmd := exec.Command("wrk", "-t1", fmt.Sprintf("-c%d", conns), fmt.Sprintf("-d%ds", int(dur.Seconds())), "--latency",
		"-H", "Authorization: Bearer "+token, "-H", "Accept-Encoding: gzip", target)
	o, err := cmd.CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk (apt-get install wrk): %v: %s", err, o)
	}
	out := string(o)
	r := result{Name: name, URL: target}
	num := func(pattern string) float64 {
		m := regexp.MustCompile(pattern).FindStringSubmatch(out)
		if m == nil {
			return 0
		}
		var v float64
		fmt.Sscanf(m[1], "%g", &v)
		switch m[2] {
		case "us":
			v /= 1000
		case "s":
			v *= 1000
		}
		return v
	}
	r.RPS = num(`Requests/sec:\s+([\d.]+)()`)
	r.P50ms = num(`50%\s+([\d.]+)(us|ms|s)`)
	r.P99ms = num(`99%\s+([\d.]+)(us|ms|s)`)
	if m := regexp.MustCompile(`(\d+) requests in`).FindStringSubmatch(out); m != nil {
		fmt.Sscanf(m[1], "%d", &r.Requests)
	}
	if m := regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`).FindStringSubmatch(out); m != nil {
		fmt.Sscanf(m[1], "%d", &r.Errors)
	}
	if r.RPS == 0 {
		return r, fmt.Errorf("wrk: cannot read its output: %s", out)
	}
	return r, nil
}
