package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Submission statuses.
const (
	StatusCurrent    = "current"
	StatusSuperseded = "superseded"
)

// Submission is one accepted batch of values for one unit and month.
type Submission struct {
	ID          int64            `json:"id"`
	UnitCode    string           `json:"unit_code"`
	Month       Month            `json:"period"`
	Version     int              `json:"version"`
	Status      string           `json:"status"`
	Source      string           `json:"source"`
	FileName    string           `json:"file_name,omitempty"`
	SHA256      string           `json:"sha256,omitempty"`
	SubmittedBy string           `json:"submitted_by,omitempty"`
	SubmittedAt time.Time        `json:"submitted_at"`
	Values      map[string]int64 `json:"values"`
}

// Submit stores each submission as the next version for its unit and month, superseding
// the one that was current, all in one transaction: every submission is stored, or none.
// It fills in ID, Version, Status and (when zero) SubmittedAt, and returns the stored ones.
func (s *Store) Submit(ctx context.Context, subs []Submission) ([]Submission, error) {
	if len(subs) == 0 {
		return nil, nil
	}
	for i, sub := range subs {
		if _, ok := s.ref.At(sub.UnitCode, sub.Month); !ok {
			return nil, fmt.Errorf("%w: submission %d: no unit %q in force in %s", ErrInvalid, i+1, sub.UnitCode, sub.Month)
		}
		for code, v := range sub.Values {
			if MeasureIndex(code) < 0 {
				return nil, fmt.Errorf("%w: submission %d: unknown measure %q", ErrInvalid, i+1, code)
			}
			if v < 0 {
				return nil, fmt.Errorf("%w: submission %d: %s is negative", ErrInvalid, i+1, code)
			}
		}
	}
	out := make([]Submission, len(subs))
	copy(out, subs)
	err := s.change(ctx, changesData, func(conn *sql.Conn) error { return submitConn(ctx, conn, out) })
	if err != nil {
		return nil, fmt.Errorf("store submissions: %w", diskFull(s.path, err))
	}
	return out, nil
}

// diskFull says plainly that the disk is full, when it is.
func diskFull(path string, err error) error {
	if strings.Contains(err.Error(), "No space left on device") {
		return fmt.Errorf("%w: the disk holding %s is full; nothing of this batch was written: free some space and send it again (%v)", ErrDiskFull, filepath.Base(path), err)
	}
	return err
}

// changes lists each measure whose value differs: [old, new], null where absent.
func changes(prev, next map[string]int64) map[string][2]*int64 {
	out := map[string][2]*int64{}
	for code, v := range next {
		v := v
		if p, ok := prev[code]; !ok || p != v {
			var op *int64
			if ok {
				op = &p
			}
			out[code] = [2]*int64{op, &v}
		}
	}
	for code, p := range prev {
		p := p
		if _, ok := next[code]; !ok {
			out[code] = [2]*int64{&p, nil}
		}
	}
	return out
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

const submissionCols = `id, unit_code, month, version, status, source, coalesce(file_name, ''),
	coalesce(sha256, ''), coalesce(submitted_by, ''), submitted_at`

func scanSubmission(sc interface{ Scan(...any) error }) (Submission, error) {
	var sub Submission
	var m time.Time
	err := sc.Scan(&sub.ID, &sub.UnitCode, &m, &sub.Version, &sub.Status, &sub.Source, &sub.FileName,
		&sub.SHA256, &sub.SubmittedBy, &sub.SubmittedAt)
	sub.Month = MonthOf(m)
	return sub, err
}

// SubmissionFilter selects submissions; empty fields match everything.
type SubmissionFilter struct {
	Unit   string
	Month  Month
	SHA256 string
	Limit  int // 0: all
	Offset int
}

const submissionWhere = `WHERE (? = '' OR unit_code = ?) AND (?::DATE IS NULL OR month = ?::DATE) AND (? = '' OR sha256 = ?)`

func (f SubmissionFilter) args() []any {
	var m any
	if !f.Month.IsZero() {
		m = f.Month.Time()
	}
	return []any{f.Unit, f.Unit, m, m, f.SHA256, f.SHA256}
}

// CountSubmissions counts the submissions a filter selects, its limit aside.
func (s *Store) CountSubmissions(ctx context.Context, f SubmissionFilter) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM submissions `+submissionWhere, f.args()...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count submissions: %w", err)
	}
	return n, nil
}

// Submissions lists submissions with their values, newest first.
func (s *Store) Submissions(ctx context.Context, f SubmissionFilter) ([]Submission, error) {
	q := `SELECT ` + submissionCols + ` FROM submissions ` + submissionWhere + ` ORDER BY month DESC, unit_code, version DESC, id DESC`
	args := f.args()
	if f.Limit > 0 {
		q += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, f.Offset)
	} else if f.Offset > 0 {
		q += ` OFFSET ?`
		args = append(args, f.Offset)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list submissions: %w", err)
	}
	defer rows.Close()
	var out []Submission
	byID := map[int64]int{}
	for rows.Next() {
		sub, err := scanSubmission(rows)
		if err != nil {
			return nil, err
		}
		sub.Values = map[string]int64{}
		byID[sub.ID] = len(out)
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]int64, 0, len(out))
	for _, sub := range out {
		ids = append(ids, sub.ID)
	}
	vrows, err := s.db.QueryContext(ctx, `SELECT submission_id, measure, value FROM submission_values
		WHERE submission_id IN (SELECT unnest(?::BIGINT[]))`, ids)
	if err != nil {
		return nil, fmt.Errorf("submission values: %w", err)
	}
	defer vrows.Close()
	for vrows.Next() {
		var id, v int64
		var code string
		if err := vrows.Scan(&id, &code, &v); err != nil {
			return nil, err
		}
		out[byID[id]].Values[code] = v
	}
	return out, vrows.Err()
}

// Coverage says what the database holds.
type Coverage struct {
	FirstMonth  Month `json:"first_month"`
	LastMonth   Month `json:"last_month"`
	Units       int   `json:"units"`
	Submissions int   `json:"submissions"`
	// LastChange is when the newest submission was stored.
	LastChange *time.Time `json:"last_change,omitempty"`
}

// Coverage counts the months, units and submissions with data.
func (s *Store) Coverage(ctx context.Context) (Coverage, error) {
	var c Coverage
	var first, last, changed sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT min(month), max(month), count(DISTINCT unit_code), count(*), max(submitted_at)
		FROM submissions`).Scan(&first, &last, &c.Units, &c.Submissions, &changed)
	if err != nil {
		return c, fmt.Errorf("coverage: %w", err)
	}
	if first.Valid {
		c.FirstMonth, c.LastMonth = MonthOf(first.Time), MonthOf(last.Time)
		c.LastChange = &changed.Time
	}
	return c, nil
}

// CurrentValues returns every unit's current values for a month.
func (s *Store) CurrentValues(ctx context.Context, m Month) (map[string]map[string]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT unit_code, measure, value FROM current_values WHERE month = ?`, m.Time())
	if err != nil {
		return nil, fmt.Errorf("current values: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]int64{}
	for rows.Next() {
		var u, code string
		var v int64
		if err := rows.Scan(&u, &code, &v); err != nil {
			return nil, err
		}
		if out[u] == nil {
			out[u] = map[string]int64{}
		}
		out[u][code] = v
	}
	return out, rows.Err()
}

// submitConn stores submissions on a connection inside the caller's transaction, as the
// next versions of their units and months (versioned).
func submitConn(ctx context.Context, conn *sql.Conn, out []Submission) error {
	keys := make([]unitMonth, len(out))
	for i, sub := range out {
		keys[i] = unitMonth{sub.UnitCode, sub.Month}
	}
	stamps, was, err := versioned(ctx, conn, "submissions", keys)
	if err != nil {
		return err
	}
	// the values being superseded, for the audit log's old → new
	old := map[unitMonth]map[string]int64{}
	if len(was) > 0 {
		ids := make([]int64, 0, len(was))
		of := map[int64]unitMonth{}
		for k, id := range was {
			ids = append(ids, id)
			of[id] = k
		}
		orows, err := conn.QueryContext(ctx, `SELECT submission_id, measure, value FROM submission_values
			WHERE submission_id IN (SELECT unnest(?::BIGINT[]))`, ids)
		if err != nil {
			return err
		}
		err = eachRow(orows, func() error {
			var id, v int64
			var code string
			if err := orows.Scan(&id, &code, &v); err != nil {
				return err
			}
			k := of[id]
			if old[k] == nil {
				old[k] = map[string]int64{}
			}
			old[k][code] = v
			return nil
		})
		if err != nil {
			return err
		}
	}
	now := time.Now().UTC()
	for i := range out {
		out[i].ID, out[i].Version, out[i].Status = stamps[i].id, stamps[i].version, stamps[i].status
		if out[i].SubmittedAt.IsZero() {
			out[i].SubmittedAt = now
		}
		out[i].SubmittedAt = out[i].SubmittedAt.UTC()
	}
	err = appendRows(ctx, conn, "submissions", func(a *duckdb.Appender) error {
		for _, sub := range out {
			if err := a.AppendRow(sub.ID, sub.UnitCode, sub.Month.Time(), int32(sub.Version), sub.Status, sub.Source,
				nullString(sub.FileName), nullString(sub.SHA256), nullString(sub.SubmittedBy), sub.SubmittedAt); err != nil {
				return fmt.Errorf("append submission: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = appendRows(ctx, conn, "submission_values", func(a *duckdb.Appender) error {
		for _, sub := range out {
			codes := make([]string, 0, len(sub.Values))
			for c := range sub.Values {
				codes = append(codes, c)
			}
			sort.Strings(codes)
			for _, c := range codes {
				if err := a.AppendRow(sub.ID, c, sub.Values[c]); err != nil {
					return fmt.Errorf("append value: %w", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	var auditID int64
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM audit_log`).Scan(&auditID); err != nil {
		return err
	}
	return appendRows(ctx, conn, "audit_log", func(a *duckdb.Appender) error {
		for _, sub := range out {
			k := unitMonth{sub.UnitCode, sub.Month}
			d := map[string]any{"submission_id": sub.ID, "version": sub.Version, "source": sub.Source}
			if sub.FileName != "" {
				d["file"], d["sha256"] = sub.FileName, sub.SHA256
			}
			action := "submit"
			if prev, ok := old[k]; ok {
				action = "supersede"
				d["changes"] = changes(prev, sub.Values)
			}
			old[k] = sub.Values // a later entry of the same batch supersedes this one
			b, _ := json.Marshal(d)
			actor := sub.SubmittedBy
			if actor == "" {
				actor = "system"
			}
			if err := a.AppendRow(auditID, now, actor, action, sub.UnitCode, sub.Month.Time(), string(b), nil); err != nil {
				return fmt.Errorf("append audit: %w", err)
			}
			auditID++
		}
		return nil
	})
}
