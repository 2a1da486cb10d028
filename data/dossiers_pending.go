package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
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
	mu      sync.RWMutex
	sources []dossierSource
}

// dossierSource is an export as its rows name it: the number of its SHA-256 in
// dossier_sources (migration 025).
type dossierSource struct {
	sha string
	id  int64
}

// sourceOf numbers an export's SHA-256, the first time it is seen, in its own commit: a
// number whose export is then refused names no rows.
func sourceOf(ctx context.Context, conn *sql.Conn, sha string) (dossierSource, error) {
	src := dossierSource{sha: sha}
	if _, err := conn.ExecContext(ctx, `INSERT INTO dossier_sources SELECT last + 1, ? FROM (SELECT coalesce(max(source), 0) AS last FROM dossier_sources)
		WHERE NOT EXISTS (SELECT 1 FROM dossier_sources WHERE source_sha256 = ?)`, sha, sha); err != nil {
		return src, fmt.Errorf("number the export %s: %w", sha, err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT source FROM dossier_sources WHERE source_sha256 = ?`, sha).Scan(&src.id); err != nil {
		return src, fmt.Errorf("number the export %s: %w", sha, err)
	}
	return src, nil
}

// dossierView is the condition a read of the dossiers table adds to leave out pending
// rows ("true" when there are none), and the function that ends the read: call it once
// the query's rows have been read.
func (s *Store) dossierView() (string, func()) {
	s.pending.mu.RLock()
	var ids []string
	for _, src := range s.pending.sources {
		if src.id > 0 { // an export marked but never numbered has no rows
			ids = append(ids, strconv.FormatInt(src.id, 10))
		}
	}
	if len(ids) == 0 {
		return "true", s.pending.mu.RUnlock
	}
	return "coalesce(source, 0) NOT IN (" + strings.Join(ids, ", ") + ")", s.pending.mu.RUnlock
}

func (s *Store) markPending(src dossierSource) {
	s.pending.mu.Lock()
	defer s.pending.mu.Unlock()
	if !slices.Contains(s.pending.sources, src) {
		s.pending.sources = append(s.pending.sources, src)
	}
}

// unmarkPending runs commit (when set) with reads held off, and on success forgets src.
func (s *Store) unmarkPending(src dossierSource, commit func() error) error {
	s.pending.mu.Lock()
	defer s.pending.mu.Unlock()
	if commit != nil {
		if err := commit(); err != nil {
			return err
		}
	}
	s.pending.sources = slices.DeleteFunc(s.pending.sources, func(x dossierSource) bool { return x == src })
	return nil
}

// dropPendingDossiers deletes a pending export's rows and its mark, even when ctx has been
// cancelled (the request that sent the file may have gone). If that fails, the rows stay
// left out of every read until the store next opens and sweeps them.
func (s *Store) dropPendingDossiers(ctx context.Context, conn *sql.Conn, src dossierSource) error {
	ctx = context.WithoutCancel(ctx)
	err := inTx(ctx, conn, func(conn *sql.Conn) error {
		if _, err := conn.ExecContext(ctx, `DELETE FROM dossiers WHERE source = ?`, src.id); err != nil {
			return err
		}
		_, err := conn.ExecContext(ctx, `DELETE FROM dossier_pending WHERE source_sha256 = ?`, src.sha)
		return err
	}, nil)
	if err != nil {
		return fmt.Errorf("delete the rows of the refused export %s: %w", src.sha, err)
	}
	return s.unmarkPending(src, nil)
}

// sweepPendingDossiers deletes the rows of exports whose import never ended (the process
// stopped in between); a read-only store cannot, so it leaves them out of every read.
func (s *Store) sweepPendingDossiers(ctx context.Context, readOnly bool) error {
	// an export is numbered before it is marked: one marked but never numbered has no rows
	rows, err := s.db.QueryContext(ctx, `SELECT p.source_sha256, coalesce(s.source, 0) FROM dossier_pending p
		LEFT JOIN dossier_sources s USING (source_sha256) ORDER BY 1`)
	if err != nil {
		return fmt.Errorf("pending dossier exports: %w", err)
	}
	var srcs []dossierSource
	for rows.Next() {
		var src dossierSource
		if err := rows.Scan(&src.sha, &src.id); err != nil {
			_ = rows.Close()
			return err
		}
		srcs = append(srcs, src)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, src := range srcs {
		s.markPending(src)
		if readOnly {
			continue
		}
		conn, err := s.db.Conn(ctx)
		if err != nil {
			return err
		}
		err = s.dropPendingDossiers(ctx, conn, src)
		_ = conn.Close() // back to the pool
		if err != nil {
			return err
		}
	}
	return nil
}
