package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Item is one capability's value with its evidence (a document number or a link).
type Item struct {
	Value    float64 `json:"value"`
	Evidence string  `json:"evidence,omitempty"`
}

// Assessment is a unit's capability checklist as of a month.
type Assessment struct {
	ID          int64           `json:"id"`
	UnitCode    string          `json:"unit_code"`
	Month       Month           `json:"period"`
	Version     int             `json:"version"`
	Status      string          `json:"status"`
	SubmittedBy string          `json:"submitted_by"`
	SubmittedAt time.Time       `json:"submitted_at"`
	ConfirmedBy string          `json:"confirmed_by,omitempty"`
	ConfirmedAt *time.Time      `json:"confirmed_at,omitempty"`
	Items       map[string]Item `json:"items"`
}

// SubmitAssessments stores checklists as the next versions for their unit and month,
// all in one transaction, with each item's old → new value in the audit log.
func (s *Store) SubmitAssessments(ctx context.Context, as []Assessment) ([]Assessment, error) {
	for _, a := range as {
		if _, ok := s.ref.At(a.UnitCode, a.Month); !ok {
			return nil, fmt.Errorf("%w: no unit %q in force in %s", ErrInvalid, a.UnitCode, a.Month)
		}
	}
	out := append([]Assessment(nil), as...)
	err := s.change(ctx, changesData, func(conn *sql.Conn) error {
		keys := make([]unitMonth, len(out))
		for i, a := range out {
			keys[i] = unitMonth{a.UnitCode, a.Month}
		}
		stamps, was, err := versioned(ctx, conn, "assessments", keys)
		if err != nil {
			return err
		}
		// the items being superseded, for the audit's old → new
		old := map[unitMonth]map[string]Item{}
		if len(was) > 0 {
			ids := make([]int64, 0, len(was))
			of := map[int64]unitMonth{}
			for k, id := range was {
				ids = append(ids, id)
				of[id] = k
			}
			irows, err := conn.QueryContext(ctx, `SELECT assessment_id, capability, value FROM assessment_items WHERE assessment_id IN (SELECT unnest(?::BIGINT[]))`, ids)
			if err != nil {
				return err
			}
			err = eachRow(irows, func() error {
				var id int64
				var c string
				var it Item
				if err := irows.Scan(&id, &c, &it.Value); err != nil {
					return err
				}
				k := of[id]
				if old[k] == nil {
					old[k] = map[string]Item{}
				}
				old[k][c] = it
				return nil
			})
			if err != nil {
				return err
			}
		}
		var auditID int64
		if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM audit_log`).Scan(&auditID); err != nil {
			return err
		}
		now := time.Now().UTC()
		type change struct {
			a       *Assessment
			changes map[string][2]any
		}
		var audits []change
		for i := range out {
			a := &out[i]
			k := unitMonth{a.UnitCode, a.Month}
			prev := old[k]
			a.ID, a.Version, a.Status = stamps[i].id, stamps[i].version, stamps[i].status
			old[k] = a.Items // a later entry of the same batch supersedes this one
			if a.SubmittedAt.IsZero() {
				a.SubmittedAt = now
			}
			ch := map[string][2]any{}
			for c, it := range a.Items {
				if o, ok := prev[c]; !ok || o.Value != it.Value {
					var ov any
					if ok {
						ov = o.Value
					}
					ch[c] = [2]any{ov, it.Value}
				}
			}
			audits = append(audits, change{a, ch})
		}
		err = appendRows(ctx, conn, "assessments", func(ap *duckdb.Appender) error {
			for _, a := range out {
				if err := ap.AppendRow(a.ID, a.UnitCode, a.Month.Time(), int32(a.Version), a.Status, nullString(a.SubmittedBy), a.SubmittedAt.UTC(), nil, nil); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		err = appendRows(ctx, conn, "assessment_items", func(ap *duckdb.Appender) error {
			for _, a := range out {
				for c, it := range a.Items {
					if err := ap.AppendRow(a.ID, c, it.Value, nullString(it.Evidence)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		return appendRows(ctx, conn, "audit_log", func(ap *duckdb.Appender) error {
			for _, x := range audits {
				b, _ := json.Marshal(map[string]any{"assessment_id": x.a.ID, "version": x.a.Version, "changes": x.changes})
				actor := x.a.SubmittedBy
				if actor == "" {
					actor = "system"
				}
				if err := ap.AppendRow(auditID, now, actor, "assessment", x.a.UnitCode, x.a.Month.Time(), string(b), nil); err != nil {
					return err
				}
				auditID++
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store assessments: %w", err)
	}
	return out, nil
}

// ConfirmAssessment records the committee's confirmation.
func (s *Store) ConfirmAssessment(ctx context.Context, id int64, actor string) error {
	err := s.change(ctx, changesData, func(conn *sql.Conn) error {
		res, err := conn.ExecContext(ctx, `UPDATE assessments SET confirmed_by = ?, confirmed_at = ? WHERE id = ?`, actor, time.Now().UTC(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: no assessment %d", ErrNotFound, id)
		}
		return audit(ctx, conn, AuditEntry{Actor: actor, Action: "assessment_confirm", Detail: map[string]any{"assessment_id": id}})
	})
	return err
}

// Assessments lists a unit's checklists (every version), newest first; an empty unit
// lists all.
func (s *Store) Assessments(ctx context.Context, unit string) ([]Assessment, error) {
	return s.assessments(ctx, `SELECT id, unit_code, month, version, status, coalesce(submitted_by, ''), submitted_at, coalesce(confirmed_by, ''), confirmed_at
		FROM assessments WHERE (? = '' OR unit_code = ?) ORDER BY month DESC, unit_code, version DESC`, unit, unit)
}

// AssessmentsAsOf returns, for each unit, its current checklist of the latest month up
// to m: the capabilities as they stood then.
func (s *Store) AssessmentsAsOf(ctx context.Context, m Month) (map[string]Assessment, error) {
	as, err := s.assessments(ctx, `SELECT id, unit_code, month, version, status, coalesce(submitted_by, ''), submitted_at, coalesce(confirmed_by, ''), confirmed_at
		FROM assessments WHERE status = 'current' AND month <= ?
		QUALIFY row_number() OVER (PARTITION BY unit_code ORDER BY month DESC) = 1`, m.Time())
	if err != nil {
		return nil, err
	}
	out := map[string]Assessment{}
	for _, a := range as {
		out[a.UnitCode] = a
	}
	return out, nil
}

func (s *Store) assessments(ctx context.Context, q string, args ...any) ([]Assessment, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("assessments: %w", err)
	}
	var out []Assessment
	byID := map[int64]int{}
	for rows.Next() {
		var a Assessment
		var m time.Time
		var conf sql.NullTime
		if err := rows.Scan(&a.ID, &a.UnitCode, &m, &a.Version, &a.Status, &a.SubmittedBy, &a.SubmittedAt, &a.ConfirmedBy, &conf); err != nil {
			rows.Close()
			return nil, err
		}
		a.Month = MonthOf(m)
		if conf.Valid {
			a.ConfirmedAt = &conf.Time
		}
		a.Items = map[string]Item{}
		byID[a.ID] = len(out)
		out = append(out, a)
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]int64, 0, len(out))
	for _, a := range out {
		ids = append(ids, a.ID)
	}
	irows, err := s.db.QueryContext(ctx, `SELECT assessment_id, capability, value, coalesce(evidence, '') FROM assessment_items
		WHERE assessment_id IN (SELECT unnest(?::BIGINT[]))`, ids)
	if err != nil {
		return nil, err
	}
	defer irows.Close()
	for irows.Next() {
		var id int64
		var c string
		var it Item
		if err := irows.Scan(&id, &c, &it.Value, &it.Evidence); err != nil {
			return nil, err
		}
		out[byID[id]].Items[c] = it
	}
	return out, irows.Err()
}

// HasAssessment reports whether a checklist of this unit and month submitted at that
// moment is stored.
func (s *Store) HasAssessment(ctx context.Context, unit string, m Month, at time.Time) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM assessments WHERE unit_code = ? AND month = ? AND submitted_at = ?`,
		unit, m.Time(), at.UTC()).Scan(&n)
	return n > 0, err
}
