package data

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// SumsQuery selects the sums of current values over a span of months.
type SumsQuery struct {
	Group    Group
	From, To Month
	// Current maps every code to the unit now in force that carries its work, so a merged
	// province's months before the merger are summed into its successor.
	Current bool
	// ByMonth keeps months apart instead of summing across them.
	ByMonth bool
	// Measures limits the measures summed; empty means all.
	Measures []string
}

// Sum is one unit's total of one measure (over the span, or in one month with ByMonth).
type Sum struct {
	Unit    string
	Month   Month // zero unless ByMonth
	Measure string
	Value   int64
	Months  int // months that contributed
}

const sumsSQL = `
SELECT CASE WHEN ? THEN u.current_code ELSE v.unit_code END AS code,
       CASE WHEN ? THEN v.month ELSE NULL END AS m,
       v.measure, sum(v.value)::BIGINT, count(DISTINCT v.month)::INTEGER
FROM current_values v
JOIN (SELECT DISTINCT code, current_code, grp FROM units) u ON u.code = v.unit_code
WHERE u.grp = ? AND v.month BETWEEN ? AND ?
  AND (len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], v.measure))
GROUP BY ALL`

// Sums adds up values in the database: roll-ups sum raw counts, never rates.
func (s *Store) Sums(ctx context.Context, q SumsQuery) ([]Sum, error) {
	ms := q.Measures
	if ms == nil {
		ms = []string{}
	}
	rows, err := s.db.QueryContext(ctx, sumsSQL, q.Current, q.ByMonth, string(q.Group), q.From.Time(), q.To.Time(), ms, ms)
	if err != nil {
		return nil, fmt.Errorf("sums: %w", err)
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

// ReportTime is when a unit's report for a month first arrived, and how often it changed.
type ReportTime struct {
	Unit     string
	Month    Month
	First    time.Time
	Last     time.Time
	Versions int
	LastBy   string
}

// ReportTimes lists, for each unit and month with a report in the span, its first and
// last submission.
func (s *Store) ReportTimes(ctx context.Context, from, to Month) ([]ReportTime, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT unit_code, month, min(submitted_at), max(submitted_at), count(*)::INTEGER,
		coalesce(arg_max(submitted_by, version), '')
		FROM submissions WHERE month BETWEEN ? AND ? GROUP BY ALL`, from.Time(), to.Time())
	if err != nil {
		return nil, fmt.Errorf("report times: %w", err)
	}
	defer rows.Close()
	var out []ReportTime
	for rows.Next() {
		var r ReportTime
		var m time.Time
		if err := rows.Scan(&r.Unit, &m, &r.First, &r.Last, &r.Versions, &r.LastBy); err != nil {
			return nil, err
		}
		r.Month = MonthOf(m)
		out = append(out, r)
	}
	return out, rows.Err()
}
