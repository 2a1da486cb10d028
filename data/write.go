package data

import (
	"context"
	"database/sql"
)

// writes says what a write changes, and so what must be forgotten after it.
type writes int

const (
	// changesData are writes that results are computed from: after the commit the data
	// version moves, and every cache keyed by it drops what it kept.
	changesData writes = iota
	// changesAccounts are users, sessions and tokens: the credential cache is cleared
	// before (lookups from then on wait for nothing stale) and after the commit (anything
	// read meanwhile is dropped).
	changesAccounts
	// changesLog are the audit log, runs and settings: nothing computed depends on them.
	changesLog
)

// change is the one way the store writes: under the store's writer lock (one writer at a
// time inside this process), in one transaction on one connection (so Appender writes and
// statements commit or roll back together), and after the commit what depends on the
// write is forgotten.
func (s *Store) change(ctx context.Context, w writes, f func(*sql.Conn) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if w == changesAccounts {
		s.creds.clear()
		defer s.creds.clear()
	}
	if err := s.withConn(ctx, f); err != nil {
		return err
	}
	if w == changesData {
		s.version.Add(1)
	}
	return nil
}

// exclusive runs f with no write in between (a backup's checkpoint and export).
func (s *Store) exclusive(f func() error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return f()
}

// changeInSteps is change for a write made in several transactions (a dossier export's:
// see pendingDossiers): under the writer lock, f gets a connection outside any transaction
// and runs its own with inTx. The data version moves after it whatever it returns: it may
// have committed rows and deleted them again.
func (s *Store) changeInSteps(ctx context.Context, f func(*sql.Conn) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }() // back to the pool
	defer s.version.Add(1)
	return f(conn)
}
