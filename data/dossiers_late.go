package data

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// LateDossiers answers "which dossiers were late, in which procedure" for one unit and
// month, from the kept dossier rows, counting exactly as the monthly measures do:
// resolved late are those resolved in the month and not by their due time
// (dossiers_resolved − dossiers_resolved_on_time); overdue are those due before the
// month's end and not resolved by then (dossiers_overdue).
type LateDossiers struct {
	Unit         string            `json:"unit"`
	Month        string            `json:"month"`
	Resolved     int               `json:"resolved"`
	ResolvedLate int               `json:"resolved_late"`
	Overdue      int               `json:"overdue"`
	Procedures   []LateByProcedure `json:"procedures"`
	Dossiers     []LateDossier     `json:"dossiers"`
	// Truncated says Dossiers holds only the most late of them; the counts are whole.
	Truncated bool `json:"truncated"`
}

// LateByProcedure counts one procedure's late dossiers in the month.
type LateByProcedure struct {
	ProcedureCode string `json:"procedure_code"`
	Resolved      int    `json:"resolved"`
	ResolvedLate  int    `json:"resolved_late"`
	Overdue       int    `json:"overdue"`
}

// LateDossier is one dossier resolved late in the month or still open past its due time
// at the month's end. DaysLate is measured to the time it was resolved, or to the end of
// the month while open; it is absent for a dossier that had no due time.
type LateDossier struct {
	DossierID     string     `json:"dossier_id"`
	ProcedureCode string     `json:"procedure_code"`
	Channel       string     `json:"channel"`
	ReceivedAt    time.Time  `json:"received_at"`
	DueAt         *time.Time `json:"due_at,omitempty"`
	ResolvedAt    *time.Time `json:"resolved_at,omitempty"`
	Open          bool       `json:"open"`
	DaysLate      *float64   `json:"days_late,omitempty"`
}

// lateSQL marks each of the unit's dossiers that counts in the month: $2 is the month's
// first day, $3 the next month's.
const lateSQL = `
WITH b AS (SELECT $2::TIMESTAMP AS m0, $3::TIMESTAMP AS m1),
l AS (SELECT dossier_id, coalesce(procedure_code, '') AS procedure_code, coalesce(channel, '') AS channel, received_at, due_at, resolved_at,
  coalesce(resolved_at >= m0 AND resolved_at < m1, false) AS resolved_in,
  coalesce(resolved_at >= m0 AND resolved_at < m1 AND NOT coalesce(resolved_at <= due_at, false), false) AS late,
  coalesce(due_at < m1 AND (resolved_at IS NULL OR resolved_at >= m1), false) AS overdue, m1
  FROM dossiers, b WHERE unit_code = $1 AND (resolved_at >= m0 AND resolved_at < m1 OR due_at < m1 AND (resolved_at IS NULL OR resolved_at >= m1)))`

const lateByProcedureSQL = lateSQL + `
SELECT procedure_code, count(*) FILTER (WHERE resolved_in), count(*) FILTER (WHERE late), count(*) FILTER (WHERE overdue)
FROM l GROUP BY 1 ORDER BY count(*) FILTER (WHERE late OR overdue) DESC, 1`

const lateListSQL = lateSQL + `
SELECT dossier_id, procedure_code, channel, received_at, due_at, resolved_at, overdue,
  epoch(CASE WHEN overdue THEN m1 ELSE resolved_at END - due_at) / 86400 AS days_late
FROM l WHERE late OR overdue ORDER BY days_late DESC NULLS FIRST, dossier_id LIMIT $4`

// LateDossiers lists the unit's late dossiers of month m by procedure, and the most late
// of them, at most limit.
func (s *Store) LateDossiers(ctx context.Context, unit string, m Month, limit int) (LateDossiers, error) {
	out := LateDossiers{Unit: unit, Month: m.String(), Procedures: []LateByProcedure{}, Dossiers: []LateDossier{}}
	from, next := m.String()+"-01", m.Add(1).String()+"-01"
	// one transaction, so that the counts and the list agree
	err := s.withConn(ctx, func(conn *sql.Conn) error {
		rows, err := conn.QueryContext(ctx, lateByProcedureSQL, unit, from, next)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p LateByProcedure
			if err := rows.Scan(&p.ProcedureCode, &p.Resolved, &p.ResolvedLate, &p.Overdue); err != nil {
				return err
			}
			out.Resolved += p.Resolved // procedures with nothing late count here too
			out.ResolvedLate += p.ResolvedLate
			out.Overdue += p.Overdue
			if p.ResolvedLate+p.Overdue > 0 {
				out.Procedures = append(out.Procedures, p)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		list, err := conn.QueryContext(ctx, lateListSQL, unit, from, next, limit+1)
		if err != nil {
			return err
		}
		defer list.Close()
		for list.Next() {
			var d LateDossier
			var due, resolved sql.NullTime
			var days sql.NullFloat64
			if err := list.Scan(&d.DossierID, &d.ProcedureCode, &d.Channel, &d.ReceivedAt, &due, &resolved, &d.Open, &days); err != nil {
				return err
			}
			if len(out.Dossiers) == limit {
				out.Truncated = true
				break
			}
			if due.Valid {
				d.DueAt = &due.Time
			}
			if resolved.Valid {
				d.ResolvedAt = &resolved.Time
			}
			if days.Valid {
				v := days.Float64
				d.DaysLate = &v
			}
			out.Dossiers = append(out.Dossiers, d)
		}
		return list.Err()
	})
	if err != nil {
		return out, fmt.Errorf("late dossiers of %s in %s: %w", unit, m, err)
	}
	return out, nil
}
