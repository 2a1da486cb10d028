package data

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkDossiers ingests a dossier export of EGOVKPI_BENCH_DOSSIERS rows (default
// 1,000,000; the figure is 10,000,000) from CSV and from Parquet, side by side
// with DuckDB's own read_csv + GROUP BY of the same file, the engine's limit.
//
//	EGOVKPI_BENCH_DOSSIERS=10000000 go test ./data -run '^$' -bench Dossiers -benchtime 1x
func BenchmarkDossiers(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("EGOVKPI_BENCH_DOSSIERS")); err == nil && v > 0 {
		n = v
	}
	dir := b.TempDir()
	// the export is made once per size and kept in the temporary folder, so that each case
	// can run in its own process (-bench 'Dossiers/egovkpi-csv'), its peak RSS its own
	csvPath := filepath.Join(os.TempDir(), fmt.Sprintf("egovkpi-bench-dossiers-%d.csv", n))
	if _, err := os.Stat(csvPath); err != nil {
		writeDossiers(b, csvPath+".part", n)
		if err := os.Rename(csvPath+".part", csvPath); err != nil {
			b.Fatal(err)
		}
	}
	info, _ := os.Stat(csvPath)
	b.Logf("%d dossiers, %.0f MB of CSV", n, float64(info.Size())/(1<<20))
	ctx := context.Background()
	open := func(b *testing.B) *Store {
		s, err := Open(ctx, filepath.Join(b.TempDir(), "d.duckdb"))
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	report := func(b *testing.B, start time.Time) {
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(ru.Maxrss)/1024, "MB-peak-RSS-so-far")
	}
	b.Run("duckdb-read_csv-groupby", func(b *testing.B) {
		s := open(b)
		defer func() { _ = s.Close() }()
		for i := 0; i < b.N; i++ {
			start := time.Now()
			var rows int
			var digest uint64
			// every aggregate is read (a hash of each result row): a bare count(*) over the
			// grouped query lets DuckDB drop the aggregates and read 2 of the 11 columns
			err := s.db.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*), bit_xor(hash(g)) FROM (SELECT unit_code, date_trunc('month', received_at), count(*),
				count(*) FILTER (WHERE channel = 'online'), count(*) FILTER (WHERE digitized) FROM read_csv('%s', header = true, columns = %s) GROUP BY ALL) g`,
				csvPath, dossierColumns)).Scan(&rows, &digest)
			if err != nil {
				b.Fatal(err)
			}
			report(b, start)
		}
	})
	// for reference, not the yardstick: DuckDB computing the same ten measures
	// straight from the file (every column read, nothing kept, no duplicate check)
	b.Run("duckdb-same-measures", func(b *testing.B) {
		s := open(b)
		defer func() { _ = s.Close() }()
		q := strings.ReplaceAll(aggregateSQL, "FROM dossiers SEMI JOIN dossier_units USING (unit_code)",
			fmt.Sprintf("FROM read_csv('%s', header = true, columns = %s)", csvPath, dossierColumns))
		q = strings.ReplaceAll(q, "FROM r JOIN dossier_units du USING (unit_code)", "FROM (SELECT *, unit_code AS rollup FROM r) du")
		if q == aggregateSQL || strings.Contains(q, "dossier_units") {
			b.Fatal("aggregateSQL no longer reads the dossiers where this expects")
		}
		for i := 0; i < b.N; i++ {
			start := time.Now()
			var rows int
			var digest uint64
			if err := s.db.QueryRowContext(ctx, `SELECT count(*), bit_xor(hash(g)) FROM (`+q+`) g`).Scan(&rows, &digest); err != nil {
				b.Fatal(err)
			}
			report(b, start)
			b.ReportMetric(float64(rows), "unit-months")
		}
	})
	b.Run("egovkpi-csv", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			s := open(b)
			start := time.Now()
			res, err := s.IngestDossiers(ctx, DossierImport{Path: csvPath, Format: "csv", SHA256: "sha-csv", Actor: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			report(b, start)
			b.ReportMetric(float64(res.UnitMonths), "unit-months")
			_ = s.Close()
		}
	})
	// the unit page's and /dossiers' questions of the kept rows: one unit-month's late
	// dossiers, and all the provinces'
	b.Run("late-dossiers", func(b *testing.B) {
		s := open(b)
		defer func() { _ = s.Close() }()
		if _, err := s.IngestDossiers(ctx, DossierImport{Path: csvPath, Format: "csv", SHA256: "sha-csv", Actor: "bench"}); err != nil {
			b.Fatal(err)
		}
		var provinces []string
		for _, u := range Reference().InForce(Provinces, NewMonth(2025, 10)) {
			provinces = append(provinces, u.Code)
		}
		for _, tc := range []struct {
			name  string
			units []string
		}{{"unit", []string{"01"}}, {"provinces", provinces}} {
			b.Run(tc.name, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					late, err := s.LateDossiers(ctx, LateQuery{Units: tc.units, Month: NewMonth(2025, 10), Limit: 20})
					if err != nil || late.ResolvedLate+late.Overdue == 0 {
						b.Fatalf("%+v %v", late, err)
					}
				}
			})
		}
	})
	pq := filepath.Join(dir, "dossiers.parquet")
	s := open(b)
	if _, err := s.db.ExecContext(ctx, fmt.Sprintf(`COPY (SELECT * FROM read_csv('%s', header = true, columns = %s)) TO '%s' (FORMAT PARQUET)`, csvPath, dossierColumns, pq)); err != nil {
		b.Fatal(err)
	}
	_ = s.Close()
	b.Run("egovkpi-parquet", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			s := open(b)
			start := time.Now()
			if _, err := s.IngestDossiers(ctx, DossierImport{Path: pq, Format: "parquet", SHA256: "sha-pq", Actor: "bench"}); err != nil {
				b.Fatal(err)
			}
			report(b, start)
			_ = s.Close()
		}
	})
}

func writeDossiers(tb testing.TB, csvPath string, n int) {
	f, _ := os.Create(csvPath)
	w := bufio.NewWriterSize(f, 1<<20)
	if _, err := w.WriteString("dossier_id,unit_code,procedure_code,channel,received_at,due_at,resolved_at,digitized,fee_required,paid_online,rating\n"); err != nil {
		tb.Fatal(err)
	}
	units := Reference().InForce(Provinces, NewMonth(2026, 1))
	channels := []string{"online", "direct", "postal"}
	base := time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		rec := base.Add(time.Duration(i%(480*24)) * time.Hour / 2)
		due := rec.Add(7 * 24 * time.Hour)
		res := ""
		if i%10 != 0 {
			res = rec.Add(time.Duration(i%200) * time.Hour).Format("2006-01-02 15:04:05")
		}
		rating := []string{"satisfied", "dissatisfied", ""}[i%3]
		fmt.Fprintf(w, "D%d,%s,P%d,%s,%s,%s,%s,%t,%t,%t,%s\n", i, units[i%len(units)].Code, i%500, channels[i%3],
			rec.Format("2006-01-02 15:04:05"), due.Format("2006-01-02 15:04:05"), res, i%2 == 0, i%3 == 0, i%6 == 0, rating)
	}
	_ = w.Flush()
	_ = f.Close()
}
