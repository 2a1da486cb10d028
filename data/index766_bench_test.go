package data

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkIndex766Counts measures the month's index of the 34 provinces and 17 ministries
// from EGOVKPI_BENCH_ROWS kept dossier rows (default 1,000,000) carrying every column of
// issue 17, with a catalogue of 1,000 procedures and a tenth as many feedback records, cold:
// the store is closed and opened again before each count, which alone is timed. The rows
// run over 16 months in the order they were received, as exports sent month by month
// keep them (units interleaved); 10% are never resolved, so every month reaches them.
//
//	EGOVKPI_BENCH_ROWS=10000000 go test ./data -run '^$' -bench Index766Counts -benchtime 3x
func BenchmarkIndex766Counts(b *testing.B) {
	ctx := context.Background()
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("EGOVKPI_BENCH_ROWS")); err == nil && v > 0 {
		n = v
	}
	db := filepath.Join(b.TempDir(), "bench.duckdb")
	if keep := os.Getenv("EGOVKPI_BENCH_KEEP"); keep != "" {
		db = keep // a file to look at afterwards (it must not exist yet)
	}
	s, err := Open(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	var units []Index766Unit
	var codes []string
	for _, g := range []Group{Provinces, Ministries} {
		for _, u := range s.Units().InForce(g, NewMonth(2026, 9)) {
			kind := map[Group]string{Provinces: "province", Ministries: "ministry"}[g]
			units = append(units, Index766Unit{Code: u.Code, Kind: kind})
			codes = append(codes, u.Code)
		}
	}
	t0 := time.Now()
	for _, q := range []string{
		`INSERT INTO dossiers BY NAME SELECT 'D' || i AS dossier_id, u[i % len(u) + 1] AS unit_code, 'P' || (i % 500) AS procedure_code,
		  ['online', 'direct', 'postal'][i % 3 + 1] AS channel, r AS received_at,
		  CASE WHEN i % 4 = 0 THEN NULL ELSE r + to_days((i % 10 + 1)::INT) END AS due_at,
		  CASE WHEN i % 10 = 0 THEN NULL ELSE r + to_seconds((i * 13) % (15 * 86400)) END AS resolved_at,
		  i % 2 = 0 AS digitized, i % 3 = 0 AS fee_required, i % 6 = 0 AS paid_online, ['satisfied', 'dissatisfied', ''][i % 3 + 1] AS rating,
		  (i % 7 = 0)::INT + (i % 49 = 0)::INT AS supplement_requests,
		  CASE WHEN i % 7 = 0 THEN r + to_days(1) END AS supplement_requested_at, CASE WHEN i % 14 = 0 THEN r + to_days(3) END AS supplement_completed_at,
		  i % 5 <> 0 AS electronic_result, i % 9 <> 0 AS synced, i % 2 = 1 AS reused_data, i % 4 = 1 AS citizen_store, i % 3 = 1 AS vneid,
		  i % 50 = 0 AS complaint, 1 AS source
		FROM (SELECT i, u, TIMESTAMP '2025-07-01 08:00:00' + to_seconds(i * (480 * 86400) // n + (i * 37) % 3600) AS r
		  FROM (SELECT ?::VARCHAR[] AS u, ?::BIGINT AS n), range(n) t(i))`,
		// the long ones' copy, as the ingest keeps it
		longCopySQL("true"),
		`INSERT INTO procedure_catalogues VALUES (1, DATE '2025-01-01', 'bench.csv', 'bench', 'bench', now()::TIMESTAMP, 1000)`,
		`INSERT INTO procedures SELECT 1, i, 'P' || (i % 500), 'Thủ tục ' || i, CASE WHEN i < 500 THEN 'province' ELSE 'ministry' END, NULL,
		  i % 20 + 1, ['hours', 'days', 'working_days'][i % 3 + 1], ['none', 'partial', 'full'][i % 3 + 1], i % 2 = 0, i % 4 = 0, i % 3 = 0,
		  i % 6 = 0, DATE '2026-09-01' + (i % 30)::INT, DATE '2026-09-15' + (i % 40)::INT, DATE '2026-09-05' + (i % 20)::INT, i % 5 <> 0, NULL, NULL FROM range(1000) t(i)`,
		`INSERT INTO feedback SELECT 'F' || i, u[i % len(u) + 1], r, i % 3 <> 0, CASE WHEN i % 5 <> 0 THEN r + to_days((i % 25)::INT) END,
		  ['handled', 'refused', 'supplement_requested', 'open'][i % 4 + 1], i % 7 = 0, 'bench'
		FROM (SELECT i, ?::VARCHAR[] AS u, TIMESTAMP '2025-07-01 08:00:00' + to_seconds((i * 41) % (480 * 86400)) AS r FROM range(? // 10) t(i))`,
		`CHECKPOINT`,
	} {
		args := []any{}
		switch {
		case len(q) > 30 && q[:30] == "INSERT INTO dossiers BY NAME S", len(q) > 20 && q[:20] == "INSERT INTO feedback":
			args = []any{codes, n}
		}
		if _, err := s.db.ExecContext(ctx, q, args...); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d dossier rows made in %s", n, time.Since(t0).Round(time.Millisecond))
	_ = s.Close()
	cal, _ := DefaultCalendar()
	rules := Index766Rules{AnnounceLead: map[string]int{"ministry": 20, "province": 5}, PublishWithin: map[string]int{"ministry": 10, "province": 5},
		FeedbackDays: map[string]int{"handled": 15, "refused": 2, "supplement_requested": 5}}
	p, _ := ParsePeriod("2026-09")
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		s, err := Open(ctx, db)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		got, err := s.Index766Counts(ctx, cal, rules, p, units)
		b.StopTimer()
		if err != nil || len(got) != len(units) || got["01"].Handled == 0 {
			b.Fatalf("%v %d", err, len(got))
		}
		_ = s.Close()
		b.StartTimer()
	}
}
