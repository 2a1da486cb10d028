package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID     int64          `json:"id"`
	At     time.Time      `json:"at"`
	Actor  string         `json:"actor"`
	Action string         `json:"action"`
	Unit   string         `json:"unit_code,omitempty"`
	Month  Month          `json:"period,omitempty"`
	Detail map[string]any `json:"detail,omitempty"`
	Peer   string         `json:"peer,omitempty"`
}

type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// Bounds of an audit entry's fields. Some come from whoever sends a request (a name
// typed into the sign-in form, an export's query), so each is cut to a bound here, in the
// one place every entry passes through: the log grows by at most this much per entry.
const (
	MaxAuditText       = 256     // actor, action, unit, peer: characters
	MaxAuditDetailText = 4 << 10 // each string inside the detail: characters
	// MaxAuditDetail is the detail's JSON in bytes; a longer one is kept as its
	// beginning, under "truncated".
	MaxAuditDetail = 64 << 10
)

// clip cuts s to at most n characters, the last being "…" when anything was cut; an
// invalid UTF-8 sequence is replaced rather than cut in two.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n-1 {
			return s[:k] + "…"
		}
		i++
	}
	return s
}

// clipDetail copies a detail with every string in it clipped; the caller's map is left
// as it was.
func clipDetail(v any) any {
	switch x := v.(type) {
	case string:
		return clip(x, MaxAuditDetailText)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[clip(k, MaxAuditText)] = clipDetail(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = clipDetail(e)
		}
		return out
	case []string:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = clip(e, MaxAuditDetailText)
		}
		return out
	}
	return v
}

// bounded is the entry as it is stored: every field within its bound.
func (e AuditEntry) bounded() (AuditEntry, string, error) {
	e.Actor, e.Action = clip(e.Actor, MaxAuditText), clip(e.Action, MaxAuditText)
	e.Unit, e.Peer = clip(e.Unit, MaxAuditText), clip(e.Peer, MaxAuditText)
	if e.Detail == nil {
		return e, "", nil
	}
	b, err := json.Marshal(clipDetail(e.Detail))
	if err != nil {
		return e, "", fmt.Errorf("audit detail: %w", err)
	}
	if len(b) > MaxAuditDetail {
		// still too long (many fields): keep its beginning as one string
		b, err = json.Marshal(map[string]any{"truncated": clip(string(b), MaxAuditDetailText)})
		if err != nil {
			return e, "", fmt.Errorf("audit detail: %w", err)
		}
	}
	return e, string(b), nil
}

// audit appends to the log inside the caller's transaction, so the entry and the change
// it records commit together.
func audit(ctx context.Context, conn execer, e AuditEntry) error {
	e, d, err := e.bounded()
	if err != nil {
		return err
	}
	var detail any
	if d != "" {
		detail = d
	}
	var m any
	if !e.Month.IsZero() {
		m = e.Month.Time()
	}
	if e.Actor == "" {
		e.Actor = "system"
	}
	_, err = conn.ExecContext(ctx, `INSERT INTO audit_log SELECT coalesce(max(id), 0) + 1, ?, ?, ?, ?, ?, ?, ? FROM audit_log`,
		time.Now().UTC(), e.Actor, e.Action, nullString(e.Unit), m, detail, nullString(e.Peer))
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// Audit records an event that changes nothing else (a failed login, an export).
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	return s.change(ctx, changesLog, func(conn *sql.Conn) error { return audit(ctx, conn, e) })
}

// AuditFilter selects audit entries; empty fields match all.
type AuditFilter struct {
	Actor, Action, Unit string
	From, To            time.Time
	Limit               int // 500 when 0
	Offset              int
}

const auditWhere = `WHERE (? = '' OR actor = ?) AND (? = '' OR action = ?) AND (? = '' OR unit_code = ?)
	AND (?::TIMESTAMP IS NULL OR at_time >= ?::TIMESTAMP) AND (?::TIMESTAMP IS NULL OR at_time <= ?::TIMESTAMP)`

func (f AuditFilter) args() []any {
	var from, to any
	if !f.From.IsZero() {
		from = f.From.UTC()
	}
	if !f.To.IsZero() {
		to = f.To.UTC()
	}
	return []any{f.Actor, f.Actor, f.Action, f.Action, f.Unit, f.Unit, from, from, to, to}
}

// CountAudit counts the entries a filter selects, its limit aside.
func (s *Store) CountAudit(ctx context.Context, f AuditFilter) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM audit_log `+auditWhere, f.args()...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count audit log: %w", err)
	}
	return n, nil
}

// AuditLog lists entries, newest first.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	if f.Limit <= 0 || f.Limit > 10000 {
		f.Limit = 500
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, at_time, actor, action, coalesce(unit_code, ''), month, coalesce(detail, ''), coalesce(peer, '')
		FROM audit_log `+auditWhere+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(f.args(), f.Limit, f.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var m sql.NullTime
		var detail string
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Unit, &m, &detail, &e.Peer); err != nil {
			return nil, err
		}
		if m.Valid {
			e.Month = MonthOf(m.Time)
		}
		if detail != "" {
			if err := json.Unmarshal([]byte(detail), &e.Detail); err != nil {
				// a detail written by hand or cut short: shown as the text it is
				e.Detail = map[string]any{"text": detail}
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
