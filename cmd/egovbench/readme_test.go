package main

import (
	"strings"
	"testing"
)

func TestSpliceMarkdown(t *testing.T) {
	tests := []struct {
		name, text, want string
		ok               bool
	}{
		{"between the markers", "a\n<!-- bench:start -->\nold\n<!-- bench:end -->\nb\n", "a\n<!-- bench:start -->\nNEW\n<!-- bench:end -->\nb\n", true},
		{"no markers", "a\nb\n", "", false},
		{"end before start", "<!-- bench:end -->\n<!-- bench:start -->\n", "", false},
		{"twice", "<!-- bench:start --><!-- bench:end --><!-- bench:start --><!-- bench:end -->", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := spliceMarkdown([]byte(tt.text), "NEW\n")
			if (err == nil) != tt.ok || string(got) != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestBenchMarkdown: every figure of both runs is in the table with what it measures, and
// a missed target says so.
func TestBenchMarkdown(t *testing.T) {
	l := &loadReport{Date: "2026-11-30T09:00:00Z", Cores: 2, Memory: "24 GiB", Readers: 64, Seconds: 10, Uptime: "load average: 3.1",
		Pages: []pageStat{
			{Name: "leaderboard", RPS: 5123, P50ms: 4.2, P99ms: 12.5, Maxms: 30, TargetMs: 20, Load: 2.5},
			{Name: "unit page", RPS: 900, P50ms: 30, P99ms: 61.7, Maxms: 90, TargetMs: 50, Load: 2.5},
		},
		FirstReads: []firstRead{{Name: "unit page", Reads: 64, P50ms: 180.5, Maxms: 402.25}}}
	a := &allReport{Date: "2026-11-30T08:00:00Z", Cores: 2, Memory: "24 GiB", Benchmarks: []benchLine{
		{Name: "BenchmarkMonthly/provinces/fresh", NsPerOp: 170e6},
		{Name: "BenchmarkRawExport/egovkpi-xlsx", NsPerOp: 2e9, Metrics: map[string]float64{"rows/s": 50000, "MB-file": 3.25}},
		{Name: "BenchmarkSomethingNew", NsPerOp: 1e6},
	}}
	md := benchMarkdown(a, l)
	for _, want := range []string{
		"| leaderboard | 5123 | 4.2 | 12.5 | 30.0 | < 20 | yes |",
		"| unit page | 900 | 30.0 | 61.7 | 90.0 | < 50 | **no** |",
		"| unit page | 64 | 180.5 | 402.2 |",
		"| `Monthly/provinces/fresh` | 170ms |  | " + meaningOf("BenchmarkMonthly/provinces/fresh"),
		"3.2 MB-file, 50000 rows/s",
		"| `SomethingNew` | 1ms |  | — |",
		"load average: 3.1",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("missing %q in\n%s", want, md)
		}
	}
	if meaningOf("BenchmarkMonthly/provinces/fresh") == "—" || meaningOf("BenchmarkDossiers/duckdb-read_csv-groupby") == "—" {
		t.Error("a benchmark of the suites has no meaning")
	}
}
