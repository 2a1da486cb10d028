package data

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"
)

// LateDossiers answers "which dossiers were late, in which procedure" for a month and one
// unit or a group of units, from the kept dossier rows, counting exactly as the monthly
// measures do: resolved late are those resolved in the month and not by their due time
// (dossiers_resolved − dossiers_resolved_on_time); overdue are those due before the
// month's end and not resolved by then (dossiers_overdue).
type LateDossiers struct {
	Unit         string            `json:"unit,omitempty"`
	Group        Group             `json:"group,omitempty"`
	Month        string            `json:"month"`
	Resolved     int               `json:"resolved"`
	ResolvedLate int               `json:"resolved_late"`
	Overdue      int               `json:"overdue"`
	Units        []LateByUnit      `json:"units"`
	Procedures   []LateByProcedure `json:"procedures"`
	Dossiers     []LateDossier     `json:"dossiers"`
	// Truncated says Dossiers holds only the most late of them; the counts are whole.
	Truncated bool `json:"truncated"`
}

// Counted says whether any dossier counted in the month: resolved, late or overdue.
func (l LateDossiers) Counted() bool { return l.Resolved+l.ResolvedLate+l.Overdue > 0 }

// LateCounts are a unit's or a procedure's dossiers in the month.
type LateCounts struct {
	Resolved     int `json:"resolved"`
	ResolvedLate int `json:"resolved_late"`
	Overdue      int `json:"overdue"`
}

// LateByUnit counts one unit's late dossiers in the month.
type LateByUnit struct {
	UnitCode string `json:"unit_code"`
	LateCounts
}

// LateByProcedure counts one procedure's late dossiers in the month.
type LateByProcedure struct {
	ProcedureCode string `json:"procedure_code"`
	LateCounts
}

// LateDossier is one dossier resolved late in the month or still open past its due time
// at the month's end. DaysLate is measured to the time it was resolved, or to the end of
// the month while open; it is absent for a dossier that had no due time.
type LateDossier struct {
	DossierID     string     `json:"dossier_id"`
	UnitCode      string     `json:"unit_code"`
	ProcedureCode string     `json:"procedure_code"`
	Channel       string     `json:"channel"`
	ReceivedAt    time.Time  `json:"received_at"`
	DueAt         *time.Time `json:"due_at,omitempty"`
	ResolvedAt    *time.Time `json:"resolved_at,omitempty"`
	Open          bool       `json:"open"`
	DaysLate      *float64   `json:"days_late,omitempty"`
}

// LateQuery chooses the units (one, or a group's) and the month; Limit bounds the list.
type LateQuery struct {
	Units []string
	Month Month
	Limit int
}

// lateSQL marks each dossier of the units ({units}: $3, $4, …) that counts in the month:
// $1 is the month's first day, $2 the next month's; {kept} leaves out pending exports'.
const lateSQL = `
WITH b AS (SELECT $1::TIMESTAMP AS m0, $2::TIMESTAMP AS m1),
l AS (SELECT dossier_id, unit_code, coalesce(procedure_code, '') AS procedure_code, coalesce(channel, '') AS channel, received_at, due_at, resolved_at,
  coalesce(resolved_at >= m0 AND resolved_at < m1, false) AS resolved_in,
  coalesce(resolved_at >= m0 AND resolved_at < m1 AND NOT coalesce(resolved_at <= due_at, false), false) AS late,
  coalesce(due_at < m1 AND (resolved_at IS NULL OR resolved_at >= m1), false) AS overdue, m1
  FROM dossiers, b WHERE unit_code IN ({units}) AND {kept}
  AND (resolved_at >= m0 AND resolved_at < m1 OR due_at < m1 AND (resolved_at IS NULL OR resolved_at >= m1)))`

const lateCountsSQL = lateSQL + `
SELECT unit_code, procedure_code, count(*) FILTER (WHERE resolved_in), count(*) FILTER (WHERE late), count(*) FILTER (WHERE overdue)
FROM l GROUP BY 1, 2`

const lateListSQL = lateSQL + `
SELECT dossier_id, unit_code, procedure_code, channel, received_at, due_at, resolved_at, overdue,
  epoch(CASE WHEN overdue THEN m1 ELSE resolved_at END - due_at) / 86400 AS days_late
FROM l WHERE late OR overdue ORDER BY days_late DESC NULLS FIRST, dossier_id LIMIT {limit}`

// LateDossiers counts the units' late dossiers of the month by unit and by procedure (those
// with any late first), and lists the most late of them, at most q.Limit.
func (s *Store) LateDossiers(ctx context.Context, q LateQuery) (LateDossiers, error) {
	out := LateDossiers{Month: q.Month.String(), Units: []LateByUnit{}, Procedures: []LateByProcedure{}, Dossiers: []LateDossier{}}
	if len(q.Units) == 0 {
		return out, nil
	}
	q.Limit = max(q.Limit, 0)
	args := []any{q.Month.String() + "-01", q.Month.Add(1).String() + "-01"}
	marks := make([]string, len(q.Units))
	for i, u := range q.Units {
		marks[i] = fmt.Sprintf("$%d", i+3)
		args = append(args, u)
	}
	kept, done := s.dossierView()
	defer done()
	in := strings.NewReplacer("{units}", strings.Join(marks, ", "), "{kept}", kept)
	// one transaction, so that the counts and the list agree
	err := s.withConn(ctx, func(conn *sql.Conn) error {
		rows, err := conn.QueryContext(ctx, in.Replace(lateCountsSQL), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		units, procs := map[string]*LateCounts{}, map[string]*LateCounts{}
		add := func(m map[string]*LateCounts, k string, c LateCounts) {
			if m[k] == nil {
				m[k] = &LateCounts{}
			}
			m[k].Resolved += c.Resolved
			m[k].ResolvedLate += c.ResolvedLate
			m[k].Overdue += c.Overdue
		}
		for rows.Next() {
			var unit, proc string
			var c LateCounts
			if err := rows.Scan(&unit, &proc, &c.Resolved, &c.ResolvedLate, &c.Overdue); err != nil {
				return err
			}
			add(units, unit, c)
			add(procs, proc, c)
			out.Resolved += c.Resolved
			out.ResolvedLate += c.ResolvedLate
			out.Overdue += c.Overdue
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for code, c := range units {
			out.Units = append(out.Units, LateByUnit{UnitCode: code, LateCounts: *c})
		}
		sort.Slice(out.Units, func(i, j int) bool {
			return moreLate(out.Units[i].LateCounts, out.Units[j].LateCounts, out.Units[i].UnitCode < out.Units[j].UnitCode)
		})
		for code, c := range procs {
			if c.ResolvedLate+c.Overdue > 0 { // a procedure with nothing late is no answer to "which"
				out.Procedures = append(out.Procedures, LateByProcedure{ProcedureCode: code, LateCounts: *c})
			}
		}
		sort.Slice(out.Procedures, func(i, j int) bool {
			return moreLate(out.Procedures[i].LateCounts, out.Procedures[j].LateCounts, out.Procedures[i].ProcedureCode < out.Procedures[j].ProcedureCode)
		})
		listSQL := strings.Replace(in.Replace(lateListSQL), "{limit}", fmt.Sprint(q.Limit+1), 1)
		list, err := conn.QueryContext(ctx, listSQL, args...)
		if err != nil {
			return err
		}
		defer list.Close()
		for list.Next() {
			var d LateDossier
			var due, resolved sql.NullTime
			var days sql.NullFloat64
			if err := list.Scan(&d.DossierID, &d.UnitCode, &d.ProcedureCode, &d.Channel, &d.ReceivedAt, &due, &resolved, &d.Open, &days); err != nil {
				return err
			}
			if len(out.Dossiers) == q.Limit {
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
		return out, fmt.Errorf("late dossiers in %s: %w", q.Month, err)
	}
	return out, nil
}

// moreLate orders by late and overdue together, then by resolved late, then by code.
func moreLate(a, b LateCounts, codeFirst bool) bool {
	if x, y := a.ResolvedLate+a.Overdue, b.ResolvedLate+b.Overdue; x != y {
		return x > y
	}
	if a.ResolvedLate != b.ResolvedLate {
		return a.ResolvedLate > b.ResolvedLate
	}
	return codeFirst
}
