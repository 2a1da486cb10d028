package data

import (
	"context"
	"database/sql"
	"fmt"
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
