package data

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Setting returns a setting's value, or "" when it was never set.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSetting changes a setting, in the audit log with its old and new value.
func (s *Store) SetSetting(ctx context.Context, key, value, actor string) error {
	old, err := s.Setting(ctx, key)
	if err != nil {
		return err
	}
	return s.change(ctx, changesLog, func(conn *sql.Conn) error {
		if _, err := conn.ExecContext(ctx, `INSERT OR REPLACE INTO settings VALUES (?, ?, ?, ?)`, key, value, actor, time.Now().UTC()); err != nil {
			return err
		}
		return audit(ctx, conn, AuditEntry{Actor: actor, Action: "setting", Detail: map[string]any{"key": key, "old": old, "new": value}})
	})
}
