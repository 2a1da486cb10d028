package data

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// unitSumsSQL sums current values of the listed units as they are: communes and a
// province's agencies keep their codes (a commune renamed keeps its code), so no unit
// carries another's work and the units table is not needed. A join, not list_contains:
// the national ranking lists 3,321 codes.
const unitSumsSQL = `
SELECT v.unit_code,
       CASE WHEN ? THEN v.month ELSE NULL END AS m,
       v.measure, sum(v.value)::BIGINT, count(DISTINCT v.month)::INTEGER
FROM current_values v
SEMI JOIN (SELECT DISTINCT unnest(?::VARCHAR[]) AS code) u ON u.code = v.unit_code
WHERE v.month BETWEEN ? AND ?
  AND (len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], v.measure))
GROUP BY ALL`

// SumsOf adds up the current values of the units with the given codes, by unit (and
// by month with q.ByMonth); q.Group and q.Current are not used. Communes are summed this
// way: they are not in the units table the store rewrites at every start.
func (s *Store) SumsOf(ctx context.Context, codes []string, q SumsQuery) ([]Sum, error) {
	ms := q.Measures
	if ms == nil {
		ms = []string{}
	}
	if codes == nil {
		codes = []string{}
	}
	rows, err := s.db.QueryContext(ctx, unitSumsSQL, q.ByMonth, codes, q.From.Time(), q.To.Time(), ms, ms)
	if err != nil {
		return nil, fmt.Errorf("sums of units: %w", err)
	}
	defer rows.Close()
	var out []Sum
	for rows.Next() {
		var r Sum
		var m sql.NullTime
		if err := rows.Scan(&r.Unit, &m, &r.Measure, &r.Value, &r.Months); err != nil {
			return nil, err
		}
		if m.Valid {
			r.Month = MonthOf(m.Time)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RatioSum is one unit's sums of an indicator's numerator and denominator measures (over
// the span, or in one month), and whether any measure of each was reported.
type RatioSum struct {
	Unit           string
	Month          Month // zero unless by month
	Num, Den       int64
	HasNum, HasDen bool
}

// ratioSumsSQL pivots in the database: one row per unit (and month) instead of one per
// measure, which is what makes the national ranking of 3,321 communes fast (reading
// rows out of DuckDB is most of its cost).
const ratioSumsSQL = `
SELECT v.unit_code,
       CASE WHEN $1 THEN v.month ELSE NULL END AS m,
       coalesce(sum(v.value) FILTER (WHERE list_contains($2::VARCHAR[], v.measure)), 0)::BIGINT,
       count(*) FILTER (WHERE list_contains($2::VARCHAR[], v.measure)) > 0,
       coalesce(sum(v.value) FILTER (WHERE list_contains($3::VARCHAR[], v.measure)), 0)::BIGINT,
       count(*) FILTER (WHERE list_contains($3::VARCHAR[], v.measure)) > 0
FROM current_values v
WHERE v.unit_code IN (SELECT unnest($4::VARCHAR[])) AND v.month BETWEEN $5 AND $6
  AND (list_contains($2::VARCHAR[], v.measure) OR list_contains($3::VARCHAR[], v.measure))
GROUP BY ALL`

// RatioSumsOf sums, for each unit with one of codes, the numerator measures num and the
// denominator measures den over from..to (by month with byMonth).
func (s *Store) RatioSumsOf(ctx context.Context, codes, num, den []string, from, to Month, byMonth bool) ([]RatioSum, error) {
	if codes == nil {
		codes = []string{}
	}
	rows, err := s.db.QueryContext(ctx, ratioSumsSQL, byMonth, num, den, codes, from.Time(), to.Time())
	if err != nil {
		return nil, fmt.Errorf("ratio sums: %w", err)
	}
	defer rows.Close()
	var out []RatioSum
	for rows.Next() {
		var r RatioSum
		var m sql.NullTime
		if err := rows.Scan(&r.Unit, &m, &r.Num, &r.HasNum, &r.Den, &r.HasDen); err != nil {
			return nil, err
		}
		if m.Valid {
			r.Month = MonthOf(m.Time)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReportMonths lists, for each unit with one of codes, the months in from..to it sent a
// report for (any version, as ReportTimes counts them): a province's communes' data
// completeness without reading every unit's report times.
func (s *Store) ReportMonths(ctx context.Context, codes []string, from, to Month) (map[string][]Month, error) {
	if codes == nil {
		codes = []string{}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT unit_code, month FROM submissions
		WHERE unit_code IN (SELECT unnest(?::VARCHAR[])) AND month BETWEEN ? AND ?`, codes, from.Time(), to.Time())
	if err != nil {
		return nil, fmt.Errorf("report months: %w", err)
	}
	defer rows.Close()
	out := map[string][]Month{}
	for rows.Next() {
		var u string
		var m time.Time
		if err := rows.Scan(&u, &m); err != nil {
			return nil, err
		}
		out[u] = append(out[u], MonthOf(m))
	}
	return out, rows.Err()
}
