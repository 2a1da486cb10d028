package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

type benchLine struct {
	Name    string             `json:"name"`
	NsPerOp float64            `json:"ns_per_op"`
	Metrics map[string]float64 `json:"metrics,omitempty"`
}

// suites are the benchmarks the issues name, with the package and how many runs.
var suites = []struct{ pkg, pattern, benchtime, target string }{
	{"./ingest", "SeedDemo", "3x", "seed < 10 s"},
	{"./cmd/egovkpi", "Restart", "10x", "restart < 1 s"},
	{"./metrics", "Metrics$", "5x", "cached < 5 ms, cold < 50 ms"},
	{"./ingest", "IngestOneFile|34Files|Wide50k|Parse20MB", "3x", "one < 30 ms, 34 < 1 s, 20 MB < 100 MB"},
	{"./reports", "Monthly|RawExport", "3x", "fresh < 300 ms; raw xlsx ≤ 1.3× StreamWriter on the same rows"},
	{"./data", "Dossiers", "1x", "≤ 1.5× DuckDB's own scan, < 2 GB"},
}

var lineRE = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(.*)$`)

func runAll(args []string) error {
	fs := flag.NewFlagSet("all", flag.ExitOnError)
	out := fs.String("json", "bench.json", "where to write the results")
	benchtime := fs.String("benchtime", "", "every suite's -benchtime (default: each suite's own)")
	_ = fs.Parse(args)
	var lines []benchLine
	up := uptime()
	for _, s := range suites {
		fmt.Fprintf(os.Stderr, "go test %s -bench %s …\n", s.pkg, s.pattern)
		bt := s.benchtime
		if *benchtime != "" {
			bt = *benchtime
		}
		cmd := exec.Command("go", "test", s.pkg, "-run", "^$", "-bench", s.pattern, "-benchtime", bt)
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %v\n%s", s.pkg, err, buf.String())
		}
		sc := bufio.NewScanner(&buf)
		for sc.Scan() {
			m := lineRE.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			ns, _ := strconv.ParseFloat(m[2], 64)
			bl := benchLine{Name: m[1], NsPerOp: ns, Metrics: map[string]float64{}}
			f := strings.Fields(m[3])
			for i := 0; i+1 < len(f); i += 2 {
				v, err := strconv.ParseFloat(f[i], 64)
				if err == nil {
					bl.Metrics[f[i+1]] = v
				}
			}
			lines = append(lines, bl)
		}
	}
	byName := map[string]benchLine{}
	fmt.Printf("egovkpi benchmarks — %s/%s, %d cores, %s memory, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), memTotal(), time.Now().Format("2006-01-02"))
	fmt.Printf("%-60s %14s  %s\n", "benchmark", "time/op", "other")
	for _, l := range lines {
		byName[l.Name] = l
		var extra []string
		for k, v := range l.Metrics {
			extra = append(extra, fmt.Sprintf("%.1f %s", v, k))
		}
		fmt.Printf("%-60s %14s  %s\n", l.Name, time.Duration(l.NsPerOp).Round(time.Microsecond), strings.Join(extra, ", "))
	}
	ratio := func(a, b string) {
		x, y := byName[a], byName[b]
		if x.NsPerOp > 0 && y.NsPerOp > 0 {
			fmt.Printf("ratio %s / %s = %.2f\n", a, b, x.NsPerOp/y.NsPerOp)
		}
	}
	ratio("BenchmarkRawExport/egovkpi-xlsx", "BenchmarkRawExport/excelize-streamwriter")
	ratio("BenchmarkMonthly/provinces/fresh", "BenchmarkMonthly/provinces/cached")
	ratio("BenchmarkDossiers/egovkpi-csv", "BenchmarkDossiers/duckdb-read_csv-groupby")
	for _, s := range suites {
		fmt.Printf("target (%s): %s\n", s.pattern, s.target)
	}
	b, _ := json.MarshalIndent(allReport{Date: time.Now().UTC().Format(time.RFC3339), Cores: runtime.NumCPU(), Memory: memTotal(), Uptime: up, Benchmarks: lines}, "", "  ")
	return os.WriteFile(*out, b, 0o644)
}

// memTotal is the machine's memory as /proc/meminfo gives it.
func memTotal() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "MemTotal:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return fmt.Sprintf("%.0f GiB", kb/(1<<20))
		}
	}
	return "unknown"
}
