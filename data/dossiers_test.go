package data

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// edgeDossiers is a store holding 100,000 generated dossiers bent towards the edges,
// with the temporary table of touched units the aggregation reads (only some units).
func edgeDossiers(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	csv := filepath.Join(t.TempDir(), "d.csv")
	writeDossiers(t, csv, 100000)
	s, err := Open(ctx, filepath.Join(t.TempDir(), "d.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.db.ExecContext(ctx, `INSERT INTO dossiers BY NAME SELECT *, 1 AS source FROM read_csv('`+csv+`', header = true, columns = `+dossierColumns+`)`); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE dossiers SET due_at = NULL WHERE hash(dossier_id) % 7 = 0`,
		`UPDATE dossiers SET resolved_at = NULL WHERE hash(dossier_id) % 11 = 0`,
		`UPDATE dossiers SET due_at = due_at - INTERVAL 40 DAY WHERE hash(dossier_id) % 13 = 0`,
		`UPDATE dossiers SET resolved_at = received_at + INTERVAL 70 DAY WHERE hash(dossier_id) % 17 = 0`,
		`UPDATE dossiers SET digitized = NULL, rating = NULL WHERE hash(dossier_id) % 5 = 0`,
		`UPDATE dossiers SET received_at = received_at + INTERVAL 400 DAY WHERE hash(dossier_id) % 9 = 0`,
		`CREATE TEMP TABLE dossier_units AS SELECT DISTINCT unit_code, unit_code AS rollup FROM dossiers WHERE unit_code < '60'`} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// TestAggregateMatchesPlainSQL checks aggregateSQL, which reads the rows once into
// counts by month keys, against plainAggregateSQL, which says each measure in the most
// direct way (and reads the rows six times), on generated dossiers bent towards the
// edges: no due date, still open, due before received, resolved months later, no
// rating, and only some units touched.
func TestAggregateMatchesPlainSQL(t *testing.T) {
	ctx := context.Background()
	s := edgeDossiers(t)
	get := func(q string) []string {
		rows, err := s.db.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for rows.Next() {
			v := make([]any, 12)
			p := make([]any, 12)
			for i := range v {
				p[i] = &v[i]
			}
			if err := rows.Scan(p...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(v...))
		}
		return out
	}
	a, b := get(plainAggregateSQL), get(aggregateSQL)
	if len(a) != len(b) || len(a) < 400 {
		t.Fatalf("%d unit-months, plainly %d", len(b), len(a))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("unit-month %d:\n plainly %s\n     got %s", i, a[i], b[i])
		}
	}
}

// plainAggregateSQL is aggregateSQL as it was first written: one query per measure
// group over the rows, each month by date_trunc.
const plainAggregateSQL = `
WITH d AS NOT MATERIALIZED (SELECT unit_code, channel, received_at, due_at, resolved_at, digitized, fee_required, paid_online, rating
  FROM dossiers WHERE unit_code IN (SELECT unit_code FROM dossier_units)),
months AS (
  SELECT DISTINCT unit_code, date_trunc('month', received_at)::DATE AS m FROM d
  UNION SELECT DISTINCT unit_code, date_trunc('month', resolved_at)::DATE FROM d WHERE resolved_at IS NOT NULL),
rec AS (SELECT unit_code, date_trunc('month', received_at)::DATE AS m, count(*) AS received,
  count(*) FILTER (WHERE channel = 'online') AS online, count(*) FILTER (WHERE digitized) AS digitized,
  count(*) FILTER (WHERE fee_required) AS pay_total, count(*) FILTER (WHERE fee_required AND paid_online) AS pay_online
  FROM d GROUP BY ALL),
res AS (SELECT unit_code, date_trunc('month', resolved_at)::DATE AS m, count(*) AS resolved,
  count(*) FILTER (WHERE resolved_at <= due_at) AS on_time,
  count(*) FILTER (WHERE rating IN ('satisfied', 'dissatisfied')) AS fb_total, count(*) FILTER (WHERE rating = 'satisfied') AS fb_ok
  FROM d WHERE resolved_at IS NOT NULL GROUP BY ALL),
-- overdue at the end of month m: due before it, not resolved before it; as running
-- totals: those due by then, less those both due and resolved by then
due AS (SELECT unit_code, date_trunc('month', due_at)::DATE AS m, count(*) AS n FROM d WHERE due_at IS NOT NULL GROUP BY ALL),
closed AS (SELECT unit_code, date_trunc('month', greatest(due_at, resolved_at))::DATE AS m, count(*) AS n FROM d
  WHERE due_at IS NOT NULL AND resolved_at IS NOT NULL GROUP BY ALL),
grid AS (SELECT unit_code, m FROM months UNION SELECT unit_code, m FROM due UNION SELECT unit_code, m FROM closed),
od AS (SELECT g.unit_code, g.m,
  sum(coalesce(due.n, 0)) OVER w - sum(coalesce(closed.n, 0)) OVER w AS overdue
  FROM grid g LEFT JOIN due USING (unit_code, m) LEFT JOIN closed USING (unit_code, m)
  WINDOW w AS (PARTITION BY g.unit_code ORDER BY g.m ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))
SELECT mo.unit_code, mo.m, coalesce(received, 0), coalesce(online, 0), coalesce(digitized, 0), coalesce(pay_total, 0), coalesce(pay_online, 0),
  coalesce(resolved, 0), coalesce(on_time, 0), coalesce(fb_total, 0), coalesce(fb_ok, 0), coalesce(overdue, 0)
FROM months mo LEFT JOIN rec USING (unit_code, m) LEFT JOIN res USING (unit_code, m) LEFT JOIN od USING (unit_code, m)
ORDER BY 1, 2`

// TestLateDossiersAgreeWithMeasures checks that the late dossiers listed for a unit-month
// are exactly those the measures count: resolved − resolved on time, and overdue.
func TestLateDossiersAgreeWithMeasures(t *testing.T) {
	ctx := context.Background()
	s := edgeDossiers(t)
	rows, err := s.db.QueryContext(ctx, aggregateSQL)
	if err != nil {
		t.Fatal(err)
	}
	type um struct {
		unit                      string
		m                         time.Time
		resolved, onTime, overdue int
	}
	var all []um
	for rows.Next() {
		var u um
		var skip int64
		if err := rows.Scan(&u.unit, &u.m, &skip, &skip, &skip, &skip, &skip, &u.resolved, &u.onTime, &skip, &skip, &u.overdue); err != nil {
			t.Fatal(err)
		}
		all = append(all, u)
	}
	rows.Close()
	late, overdue := 0, 0
	for i, u := range all {
		if i%7 != 0 { // a seventh of the unit-months keeps the test short
			continue
		}
		got, err := s.LateDossiers(ctx, LateQuery{Units: []string{u.unit}, Month: MonthOf(u.m), Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if got.Resolved != u.resolved || got.ResolvedLate != u.resolved-u.onTime || got.Overdue != u.overdue {
			t.Fatalf("%s %s: listed resolved %d, late %d, overdue %d; measured %d, %d, %d", u.unit, MonthOf(u.m),
				got.Resolved, got.ResolvedLate, got.Overdue, u.resolved, u.resolved-u.onTime, u.overdue)
		}
		sum := 0
		for _, p := range got.Procedures {
			sum += p.ResolvedLate + p.Overdue
		}
		if sum != got.ResolvedLate+got.Overdue || len(got.Dossiers) != min(5, sum) || got.Truncated != (sum > 5) {
			t.Fatalf("%s %s: procedures add to %d of %d, %d listed, truncated %v", u.unit, MonthOf(u.m), sum, got.ResolvedLate+got.Overdue, len(got.Dossiers), got.Truncated)
		}
		late += got.ResolvedLate
		overdue += got.Overdue
	}
	if late == 0 || overdue == 0 {
		t.Errorf("the generated dossiers should have some late (%d) and some overdue (%d)", late, overdue)
	}
	// a group of units: the month's totals are the units' measures summed
	m := all[len(all)/2].m
	var units []string
	var want LateCounts
	for _, u := range all {
		if u.m.Equal(m) {
			units = append(units, u.unit)
			want.Resolved += u.resolved
			want.ResolvedLate += u.resolved - u.onTime
			want.Overdue += u.overdue
		}
	}
	got, err := s.LateDossiers(ctx, LateQuery{Units: units, Month: MonthOf(m), Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var byUnit, byProc LateCounts
	for _, u := range got.Units {
		byUnit.Resolved += u.Resolved
		byUnit.ResolvedLate += u.ResolvedLate
		byUnit.Overdue += u.Overdue
	}
	for _, p := range got.Procedures {
		byProc.ResolvedLate += p.ResolvedLate
		byProc.Overdue += p.Overdue
	}
	if len(units) < 10 || (LateCounts{got.Resolved, got.ResolvedLate, got.Overdue}) != want || byUnit != want ||
		byProc.ResolvedLate != want.ResolvedLate || byProc.Overdue != want.Overdue || len(got.Units) != len(units) || len(got.Dossiers) != 50 {
		t.Errorf("%d units in %s: got %d/%d/%d (by unit %v, by procedure %v), measured %v, %d units listed, %d dossiers",
			len(units), MonthOf(m), got.Resolved, got.ResolvedLate, got.Overdue, byUnit, byProc, want, len(got.Units), len(got.Dossiers))
	}
}
