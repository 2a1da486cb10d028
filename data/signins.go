package data

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// SigninFailure counts the failed sign-ins from one client address in one minute: one
// record however many attempts, so what unauthenticated traffic can add to the database
// is bounded by addresses × minutes, and those are bounded too (see RecordSigninFailure).
type SigninFailure struct {
	Peer   string    `json:"peer"`
	Minute time.Time `json:"minute"`
	// Attempts were checked and failed: an unknown name, a wrong password, a disabled
	// user, or a name or password too long to belong to anyone.
	Attempts int64 `json:"attempts"`
	// Blocked were refused by the rate limit before any check; their names are not kept.
	Blocked int64 `json:"blocked"`
	// LastUsername is the last name tried in that minute, cut to MaxSigninName.
	LastUsername string `json:"last_username,omitempty"`
}

// Bounds of the failed sign-ins' table.
const (
	// MaxSigninName is how much of a tried name is kept, in characters.
	MaxSigninName = 64
	// MaxSigninPeersPerMinute is how many addresses one minute has rows for; further
	// addresses in that minute are counted together under the address "*".
	MaxSigninPeersPerMinute = 1000
	// MaxSigninFailureRows is how many rows are kept, the newest minutes; none is kept
	// longer than SigninFailureRetention.
	MaxSigninFailureRows   = 20000
	SigninFailureRetention = 90 * 24 * time.Hour
)

// signinPruned is, per store, the last minute the failed sign-ins were pruned in: at
// most once a minute, not on every attempt.
var signinPruned sync.Map // *Store → int64 (Unix minute)

// RecordSigninFailure counts a failed (or, with blocked, a rate-limited) sign-in from
// peer in the current minute, adding to that minute's record for the address.
func (s *Store) RecordSigninFailure(ctx context.Context, peer, username string, blocked bool) error {
	now := time.Now().UTC()
	minute := now.Truncate(time.Minute)
	peer = clip(peer, MaxAuditText)
	var name any
	if !blocked && username != "" {
		name = clip(username, MaxSigninName)
	}
	attempts, blocks := 1, 0
	if blocked {
		attempts, blocks = 0, 1
	}
	err := s.change(ctx, changesLog, func(conn *sql.Conn) error {
		if last, _ := signinPruned.Load(s); last != minute.Unix()/60 {
			if err := pruneSigninFailures(ctx, conn, now); err != nil {
				return err
			}
			signinPruned.Store(s, minute.Unix()/60)
		}
		var have, peers int
		err := conn.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE peer = ?), count(*) FROM signin_failures WHERE minute = ?`,
			peer, minute).Scan(&have, &peers)
		if err != nil {
			return err
		}
		if have == 0 && peers >= MaxSigninPeersPerMinute {
			peer = "*"
		}
		_, err = conn.ExecContext(ctx, `INSERT INTO signin_failures VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (peer, minute) DO UPDATE SET attempts = attempts + excluded.attempts,
			blocked = blocked + excluded.blocked, last_username = coalesce(excluded.last_username, last_username)`,
			peer, minute, attempts, blocks, name)
		return err
	})
	if err != nil {
		return fmt.Errorf("record a failed sign-in: %w", err)
	}
	return nil
}

// pruneSigninFailures drops the records older than the retention, then all but the
// newest MaxSigninFailureRows.
func pruneSigninFailures(ctx context.Context, conn execer, now time.Time) error {
	if _, err := conn.ExecContext(ctx, `DELETE FROM signin_failures WHERE minute < ?`, now.Add(-SigninFailureRetention)); err != nil {
		return err
	}
	_, err := conn.ExecContext(ctx, `DELETE FROM signin_failures WHERE rowid IN (
		SELECT rowid FROM signin_failures ORDER BY minute DESC, attempts + blocked DESC OFFSET ?)`, MaxSigninFailureRows)
	return err
}

// SigninFailures lists the failed sign-ins' records since a time, newest first, at most
// limit of them (500 when limit is 0).
func (s *Store) SigninFailures(ctx context.Context, since time.Time, limit int) ([]SigninFailure, error) {
	if limit <= 0 || limit > MaxSigninFailureRows {
		limit = 500
	}
	rows, err := s.db.QueryContext(ctx, `SELECT peer, minute, attempts, blocked, coalesce(last_username, '')
		FROM signin_failures WHERE minute >= ? ORDER BY minute DESC, attempts + blocked DESC, peer LIMIT ?`, since.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("failed sign-ins: %w", err)
	}
	defer rows.Close()
	out := []SigninFailure{}
	for rows.Next() {
		var f SigninFailure
		if err := rows.Scan(&f.Peer, &f.Minute, &f.Attempts, &f.Blocked, &f.LastUsername); err != nil {
			return nil, fmt.Errorf("failed sign-ins: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
