package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Lock is a locked month.
type Lock struct {
	Month    Month     `json:"period"`
	LockedBy string    `json:"locked_by"`
	LockedAt time.Time `json:"locked_at"`
}

// LockMonth locks a month against writes.
func (s *Store) LockMonth(ctx context.Context, m Month, actor string) error {
	return s.change(ctx, changesLog, func(conn *sql.Conn) error {
		if l, ok, err := lockOf(ctx, conn, m); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("%w: %s is locked already (by %s at %s)", ErrConflict, m, l.LockedBy, l.LockedAt.Format(time.RFC3339))
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO month_locks VALUES (?, ?, ?)`, m.Time(), actor, time.Now().UTC()); err != nil {
			return err
		}
		return audit(ctx, conn, AuditEntry{Actor: actor, Action: "lock", Month: m})
	})
}

// UnlockMonth reopens a locked month.
func (s *Store) UnlockMonth(ctx context.Context, m Month, actor string) error {
	return s.change(ctx, changesLog, func(conn *sql.Conn) error {
		res, err := conn.ExecContext(ctx, `DELETE FROM month_locks WHERE month = ?`, m.Time())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: %s is not locked", ErrNotFound, m)
		}
		return audit(ctx, conn, AuditEntry{Actor: actor, Action: "reopen", Month: m})
	})
}

// Locks lists the locked months.
func (s *Store) Locks(ctx context.Context) ([]Lock, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT month, locked_by, locked_at FROM month_locks ORDER BY month`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Lock
	for rows.Next() {
		var l Lock
		var m time.Time
		if err := rows.Scan(&m, &l.LockedBy, &l.LockedAt); err != nil {
			return nil, err
		}
		l.Month = MonthOf(m)
		out = append(out, l)
	}
	return out, rows.Err()
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func lockOf(ctx context.Context, q querier, m Month) (Lock, bool, error) {
	l := Lock{Month: m}
	err := q.QueryRowContext(ctx, `SELECT locked_by, locked_at FROM month_locks WHERE month = ?`, m.Time()).Scan(&l.LockedBy, &l.LockedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return l, false, nil
	}
	return l, err == nil, err
}
