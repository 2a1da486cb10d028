package data

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// RawRow is one stored value with where it came from.
type RawRow struct {
	Unit       string
	Month      Month
	Measure    string
	Value      int64
	Submission int64
	Version    int
	Status     string
}

const rawSQL = `SELECT s.unit_code, s.month, v.measure, v.value, s.id, s.version, s.status
FROM submissions s JOIN submission_values v ON v.submission_id = s.id
WHERE s.month BETWEEN ? AND ? AND (? OR s.status = 'current')
ORDER BY s.month, s.unit_code, s.version, v.measure`

// RawValues streams every value of a span of months (all versions, or the current ones)
// to fn, in a stable order, without holding them in memory.
func (s *Store) RawValues(ctx context.Context, from, to Month, allVersions bool, fn func(RawRow) error) error {
	rows, err := s.db.QueryContext(ctx, rawSQL, from.Time(), to.Time(), allVersions)
	if err != nil {
		return fmt.Errorf("raw values: %w", err)
	}
	defer rows.Close()
	var r RawRow
	var m time.Time
	for rows.Next() {
		if err := rows.Scan(&r.Unit, &m, &r.Measure, &r.Value, &r.Submission, &r.Version, &r.Status); err != nil {
			return err
		}
		r.Month = MonthOf(m)
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ExportParquet writes the same rows as RawValues to a Parquet file with DuckDB's own
// writer.
func (s *Store) ExportParquet(ctx context.Context, from, to Month, allVersions bool, path string) error {
	if strings.ContainsAny(path, "'\x00") {
		return fmt.Errorf("%w: the output path may not contain a quote", ErrInvalid)
	}
	// COPY takes no parameters: the months are dates printed by us, the flag a literal
	q := fmt.Sprintf(`COPY (SELECT s.unit_code AS unit_code, strftime(s.month, '%%Y-%%m') AS period, v.measure AS measure, v.value AS value,
		s.id AS submission_id, s.version AS version, s.status AS status
		FROM submissions s JOIN submission_values v ON v.submission_id = s.id
		WHERE s.month BETWEEN DATE '%s' AND DATE '%s' AND (%t OR s.status = 'current')
		ORDER BY s.month, s.unit_code, s.version, v.measure) TO '%s' (FORMAT PARQUET)`,
		from.Time().Format("2006-01-02"), to.Time().Format("2006-01-02"), allVersions, path)
	if _, err := s.db.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("parquet export: %w", err)
	}
	return nil
}
