package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// An export's rows are committed before they are checked, then accepted or deleted: DuckDB
// scans rows its transaction has not committed about a third as fast as committed ones
// (10M rows: the checks 4.0–4.8 s inside the import's transaction, 1.9 s after a commit;
// the long dossiers' copy 2.1–3.2 s against 1.5 s), and the checks, the copy and the
// measures all scan the new rows. Until its import ends an export is pending: every read
// of the dossiers table leaves its rows out (dossierView), so nothing reads them before
// they are accepted; the dossier_pending table (migration 023) names it, so that a crash's
// leftovers are deleted when the store next opens (sweepPendingDossiers); a refusal, a
// dry run or a failure deletes them (dropPendingDossiers). A file is still accepted whole
// or not at all.
type pendingDossiers struct {
	// mu is held shared by every read of the dossiers table for its whole query, and
	// exclusively to mark an export pending (before its rows are committed) and to unmark
	// it with the commit that accepts it: no read starts between the two states.
	mu   sync.RWMutex
	shas []string
}

// dossierView is the condition a read of the dossiers table adds to leave out pending
// rows ("true" when there are none), and the function that ends the read: call it once
// the query's rows have been read.
func (s *Store) dossierView() (string, func()) {
	s.pending.mu.RLock()
	if len(s.pending.shas) == 0 {
		return "true", s.pending.mu.RUnlock
	}
	// the SHA-256s were checked (letters, digits, '-') before they were marked
	return "coalesce(source_sha256, '') NOT IN ('" + strings.Join(s.pending.shas, "', '") + "')", s.pending.mu.RUnlock
}

func (s *Store) markPending(sha string) {
	s.pending.mu.Lock()
	defer s.pending.mu.Unlock()
	if !slices.Contains(s.pending.shas, sha) {
		s.pending.shas = append(s.pending.shas, sha)
	}
}

// unmarkPending runs commit (when set) with reads held off, and on success forgets sha.
func (s *Store) unmarkPending(sha string, commit func() error) error {
	s.pending.mu.Lock()
	defer s.pending.mu.Unlock()
	if commit != nil {
		if err := commit(); err != nil {
			return err
		}
	}
	s.pending.shas = slices.DeleteFunc(s.pending.shas, func(x string) bool { return x == sha })
	return nil
}

// dropPendingDossiers deletes a pending export's rows and its mark, even when ctx has been
// cancelled (the request that sent the file may have gone). If that fails, the rows stay
// left out of every read until the store next opens and sweeps them.
func (s *Store) dropPendingDossiers(ctx context.Context, conn *sql.Conn, sha string) error {
	ctx = context.WithoutCancel(ctx)
	err := inTx(ctx, conn, func(conn *sql.Conn) error {
		if _, err := conn.ExecContext(ctx, `DELETE FROM dossiers WHERE source_sha256 = ?`, sha); err != nil {
			return err
		}
		_, err := conn.ExecContext(ctx, `DELETE FROM dossier_pending WHERE source_sha256 = ?`, sha)
		return err
	}, nil)
	if err != nil {
		return fmt.Errorf("delete the rows of the refused export %s: %w", sha, err)
	}
	return s.unmarkPending(sha, nil)
}

// sweepPendingDossiers deletes the rows of exports whose import never ended (the process
// stopped in between); a read-only store cannot, so it leaves them out of every read.
func (s *Store) sweepPendingDossiers(ctx context.Context, readOnly bool) error {
	var tables int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = 'dossier_pending'`).Scan(&tables); err != nil {
		return fmt.Errorf("pending dossier exports: %w", err)
	}
	if tables == 0 {
		return nil // a read-only store of a file made before migration 023
	}
	rows, err := s.db.QueryContext(ctx, `SELECT source_sha256 FROM dossier_pending ORDER BY 1`)
	if err != nil {
		return fmt.Errorf("pending dossier exports: %w", err)
	}
	var shas []string
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			_ = rows.Close()
			return err
		}
		shas = append(shas, sha)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, sha := range shas {
		s.markPending(sha)
		if readOnly {
			continue
		}
		conn, err := s.db.Conn(ctx)
		if err != nil {
			return err
		}
		err = s.dropPendingDossiers(ctx, conn, sha)
		_ = conn.Close() // back to the pool
		if err != nil {
			return err
		}
	}
	return nil
}
