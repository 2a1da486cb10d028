package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// The README's benchmark table lies between these markers; egovbench readme rewrites
// what is between them and nothing else.
const (
	benchStart = "<!-- bench:start -->"
	benchEnd   = "<!-- bench:end -->"
)

// meanings say what each benchmark measures, by the start of its name: the README
// prints each figure beside them. A benchmark without one is printed with "—".
var meanings = []struct{ prefix, meaning string }{
	{"BenchmarkSeedDemo", "seeding the whole demo history (every unit × 94 months × 15 measures) into a new database file"},
	{"BenchmarkRestart", "start-up on an existing demo database: open, migration check, reference sync, first request answered"},
	{"BenchmarkMetrics/rankings-cold", "one indicator's ranking of a month computed from the database, nothing kept"},
	{"BenchmarkMetrics/rankings-cached", "the same ranking asked again before the data changes (the engine's kept answer)"},
	{"BenchmarkMetrics/series-cold", "one unit's series of one indicator over every month, nothing kept"},
	{"BenchmarkMetrics/all-indicators", "every indicator × group × month ranked, nothing kept"},
	{"BenchmarkIngestOneFile", "one template-sized upload through ingest (parse, validate, keep, a new version), without HTTP"},
	{"Benchmark34Files", "34 provinces' template files ingested one after another"},
	{"BenchmarkWide50k", "one wide file of 50,000 rows (units × months) ingested"},
	{"BenchmarkParse20MBXLSX", "parsing a 20 MB workbook; MB figures are the heap it needed"},
	{"BenchmarkParse20MB", "parsing a 20 MB wide CSV; MB figures are the heap it needed"},
	{"BenchmarkMonthly/provinces/fresh", "the provinces' monthly workbook with a new engine (nothing computed kept): the first request after a change"},
	{"BenchmarkMonthly/provinces/cached", "the same workbook from an engine that computed it before: the next requests"},
	{"BenchmarkMonthly/ministries/fresh", "the ministries' monthly workbook, fresh engine"},
	{"BenchmarkMonthly/ministries/cached", "the ministries' monthly workbook, engine warm"},
	{"BenchmarkRawExport/egovkpi-xlsx", "every value of every version read from DuckDB and written to an xlsx file, as GET /api/v1/exports/raw.xlsx does"},
	{"BenchmarkRawExport/egovkpi-csv", "the same rows to a CSV file"},
	{"BenchmarkRawExport/excelize-streamwriter", "yardstick: the same rows from the same query written with excelize's StreamWriter directly"},
	{"BenchmarkRawExport/duckdb-parquet", "yardstick: DuckDB writing the same query to Parquet itself"},
	{"BenchmarkDossiers/duckdb-read_csv-groupby", "yardstick: DuckDB's read_csv and GROUP BY of the dossier export, every aggregate read (hashed), nothing kept"},
	{"BenchmarkDossiers/duckdb-same-measures", "DuckDB computing egovkpi's ten measures straight from the file, every result column read, nothing kept"},
	{"BenchmarkDossiers/egovkpi-csv", "a dossier export (CSV) ingested: rows kept, measures computed and stored"},
	{"BenchmarkDossiers/egovkpi-parquet", "the same export as Parquet"},
	{"BenchmarkDossiers/late-dossiers", "the late dossiers of one unit-month / of all provinces from the kept rows"},
}

func meaningOf(name string) string {
	for _, m := range meanings {
		if strings.HasPrefix(name, m.prefix) {
			return m.meaning
		}
	}
	return "—"
}

// runReadme is egovbench readme: the runs' JSON into README.md between the markers.
func runReadme(args []string) error {
	fs := flag.NewFlagSet("readme", flag.ExitOnError)
	all := fs.String("all", "bench.json", "egovbench all's JSON")
	load := fs.String("load", "bench-load.json", "egovbench load's JSON")
	readme := fs.String("readme", "README.md", "the file with the markers")
	_ = fs.Parse(args)
	var a allReport
	var l loadReport
	if err := readJSON(*all, &a); err != nil {
		return err
	}
	if err := readJSON(*load, &l); err != nil {
		return err
	}
	text, err := os.ReadFile(*readme)
	if err != nil {
		return err
	}
	out, err := spliceMarkdown(text, benchMarkdown(&a, &l))
	if err != nil {
		return fmt.Errorf("%s: %w", *readme, err)
	}
	return os.WriteFile(*readme, out, 0o644)
}

func readJSON(path string, into any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, into); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// allReport is what egovbench all writes.
type allReport struct {
	Date       string      `json:"date"`
	Cores      int         `json:"cores"`
	Memory     string      `json:"memory"`
	Uptime     string      `json:"uptime"`
	Benchmarks []benchLine `json:"benchmarks"`
}

// spliceMarkdown puts md between the markers of text, which must hold both once.
func spliceMarkdown(text []byte, md string) ([]byte, error) {
	i, j := bytes.Index(text, []byte(benchStart)), bytes.Index(text, []byte(benchEnd))
	if i < 0 || j < i || bytes.Count(text, []byte(benchStart)) != 1 || bytes.Count(text, []byte(benchEnd)) != 1 {
		return nil, fmt.Errorf("needs %s and %s once each, in that order", benchStart, benchEnd)
	}
	var b bytes.Buffer
	b.Write(text[:i+len(benchStart)])
	b.WriteString("\n" + md)
	b.Write(text[j:])
	return b.Bytes(), nil
}

// benchMarkdown is the README's benchmark section: the load run, the first reads after an
// upload, and every go test benchmark, each figure with what it is.
func benchMarkdown(a *allReport, l *loadReport) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("_Written by `make bench` (`egovbench all`, `egovbench load`, `egovbench readme`); do not edit by hand._\n\n")
	p("**Load** (%s; %d cores, %s; `uptime` before the run: `%s`). %d analysts, each signed in through the sign-in form with a session of its own, "+
		"read one page at a time for %s each, every reader asking again as soon as answered (a closed loop over loopback; the load generator runs on the same machine). "+
		"The demo database; a unit's page is another province on each request. "+
		"*req/s*: pages answered per second to all readers; *p50/p99/max*: from sending the request to the last byte of the gzipped page; "+
		"*load*: the one-minute load average at the end of that page's run (the machine is shared: above 2 the server waited for the CPU).\n\n",
		day(l.Date), l.Cores, l.Memory, l.Uptime, l.Readers, time.Duration(l.Seconds*float64(time.Second)))
	p("| page | req/s | p50 ms | p99 ms | max ms | p99 target | met | load |\n|---|---:|---:|---:|---:|---:|:-:|---:|\n")
	for _, s := range l.Pages {
		met := "yes"
		if s.P99ms >= s.TargetMs || s.Errors > 0 {
			met = "**no**"
		}
		p("| %s | %.0f | %.1f | %.1f | %.1f | < %.0f | %s | %.1f |\n", s.Name, s.RPS, s.P50ms, s.P99ms, s.Maxms, s.TargetMs, met, s.Load)
	}
	p("\n**First read after an upload**: an officer uploads Hà Nội's month through the API (the data changes), then every reader reads the page once, all at once "+
		"(a unit's page: reader *i* reads province *i*). *p50/max*: of those %d first reads; the first of them renders the page, the others wait for it or get it.\n\n", l.Readers)
	p("| page | reads | p50 ms | max ms | errors | load |\n|---|---:|---:|---:|---:|---:|\n")
	for _, f := range l.FirstReads {
		p("| %s | %d | %.1f | %.1f | %d | %.1f |\n", f.Name, f.Reads, f.P50ms, f.Maxms, f.Errors, f.Load)
	}
	p("\n**Benchmarks** (`go test -bench`, %s; %d cores, %s; `uptime` before: `%s`). *time/op*: wall time of one operation; other figures as the benchmark reports them.\n\n",
		day(a.Date), a.Cores, a.Memory, a.Uptime)
	p("| benchmark | time/op | other | what it measures |\n|---|---:|---|---|\n")
	for _, bl := range a.Benchmarks {
		var extra []string
		keys := make([]string, 0, len(bl.Metrics))
		for k := range bl.Metrics {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			extra = append(extra, fmt.Sprintf("%s %s", trimFloat(bl.Metrics[k]), k))
		}
		p("| `%s` | %s | %s | %s |\n", strings.TrimPrefix(bl.Name, "Benchmark"), roundDuration(time.Duration(bl.NsPerOp)), strings.Join(extra, ", "), meaningOf(bl.Name))
	}
	return b.String()
}

// roundDuration keeps three or four significant digits: 24.01s, 784.07ms, 39µs.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

func day(rfc3339 string) string {
	if t, err := time.Parse(time.RFC3339, rfc3339); err == nil {
		return t.UTC().Format("2006-01-02 15:04 UTC")
	}
	return rfc3339
}

func trimFloat(v float64) string {
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}
