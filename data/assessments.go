package data

import (
	"context"
	"database/sql"
	"fmt"
	"time"
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
	err := s.write(ctx, func(tx *sql.Tx) error {
		var next int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM assessments`).Scan(&next); err != nil {
			return err
		}
		now := time.Now().UTC()
		for i := range out {
			a := &out[i]
			if l, ok, err := lockOf(ctx, tx, a.Month); err != nil {
				return err
			} else if ok {
				return fmt.Errorf("%w: %s was locked by %s", ErrMonthLocked, a.Month, l.LockedBy)
			}
			old := map[string]Item{}
			var oldID sql.NullInt64
			if err := tx.QueryRowContext(ctx, `SELECT max(id) FILTER (WHERE status = 'current'), coalesce(max(version), 0) + 1 FROM assessments
				WHERE unit_code = ? AND month = ?`, a.UnitCode, a.Month.Time()).Scan(&oldID, &a.Version); err != nil {
				return err
			}
			if oldID.Valid {
				rows, err := tx.QueryContext(ctx, `SELECT capability, value, coalesce(evidence, '') FROM assessment_items WHERE assessment_id = ?`, oldID.Int64)
				if err != nil {
					return err
				}
				for rows.Next() {
					var c string
					var it Item
					rows.Scan(&c, &it.Value, &it.Evidence)
					old[c] = it
				}
				rows.Close()
				if _, err := tx.ExecContext(ctx, `UPDATE assessments SET status = 'superseded' WHERE id = ?`, oldID.Int64); err != nil {
					return err
				}
			}
			a.ID, a.Status = next, StatusCurrent
			next++
			if a.SubmittedAt.IsZero() {
				a.SubmittedAt = now
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO assessments VALUES (?, ?, ?, ?, 'current', ?, ?, NULL, NULL)`,
				a.ID, a.UnitCode, a.Month.Time(), a.Version, a.SubmittedBy, a.SubmittedAt.UTC()); err != nil {
				return err
			}
			changes := map[string][2]any{}
			for c, it := range a.Items {
				if _, err := tx.ExecContext(ctx, `INSERT INTO assessment_items VALUES (?, ?, ?, ?)`, a.ID, c, it.Value, nullString(it.Evidence)); err != nil {
					return err
				}
				if o, ok := old[c]; !ok || o.Value != it.Value {
					var ov any
					if ok {
						ov = o.Value
					}
					changes[c] = [2]any{ov, it.Value}
				}
			}
			if err := audit(ctx, tx, AuditEntry{Actor: a.SubmittedBy, Action: "assessment", Unit: a.UnitCode, Month: a.Month,
				Detail: map[string]any{"assessment_id": a.ID, "version": a.Version, "changes": changes}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store assessments: %w", err)
	}
	s.version.Add(1)
	return out, nil
}

// ConfirmAssessment records the committee's confirmation.
func (s *Store) ConfirmAssessment(ctx context.Context, id int64, actor string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE assessments SET confirmed_by = ?, confirmed_at = ? WHERE id = ?`, actor, time.Now().UTC(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: no assessment %d", ErrNotFound, id)
		}
		return audit(ctx, tx, AuditEntry{Actor: actor, Action: "assessment_confirm", Detail: map[string]any{"assessment_id": id}})
	})
	if err == nil {
		s.version.Add(1)
	}
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
