package data

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Run is one run of a scheduled source.
type Run struct {
	ID         int64      `json:"id"`
	Source     string     `json:"source"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Outcome    string     `json:"outcome"`
	Rows       int        `json:"rows"`
	Message    string     `json:"message,omitempty"`
	// FileSHA256 and FileName name the file of a run that waits for confirmation.
	FileSHA256 string `json:"file_sha256,omitempty"`
	FileName   string `json:"file_name,omitempty"`
}

// Run outcomes.
const (
	RunWaiting   = "waiting"   // a file waits for an administrator's confirmation
	RunConfirmed = "confirmed" // … and was confirmed and accepted
)

// RecordRun appends a run to the history.
func (s *Store) RecordRun(ctx context.Context, r Run) (Run, error) {
	err := s.change(ctx, changesLog, func(conn *sql.Conn) error {
		if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM ingest_runs`).Scan(&r.ID); err != nil {
			return err
		}
		_, err := conn.ExecContext(ctx, `INSERT INTO ingest_runs (id, source, started_at, finished_at, outcome, rows, message, file_sha256, file_name)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.Source, r.StartedAt.UTC(), r.FinishedAt, r.Outcome, r.Rows, nullString(r.Message),
			nullString(r.FileSHA256), nullString(r.FileName))
		return err
	})
	return r, err
}

// Runs lists the latest runs, newest first; source "" lists all.
func (s *Store) Runs(ctx context.Context, source string, limit int) ([]Run, error) {
	runs, _, err := s.RunsPage(ctx, source, limit, 0)
	return runs, err
}

// RunsPage lists a page of the runs, newest first, and how many there are in all.
func (s *Store) RunsPage(ctx context.Context, source string, limit, offset int) ([]Run, int, error) {
	if limit <= 0 {
		limit = 200
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM ingest_runs WHERE (? = '' OR source = ?)`, source, source).Scan(&total); err != nil {
		return nil, 0, err
	}
	runs, err := s.runs(ctx, source, limit, offset)
	return runs, total, err
}

func (s *Store) runs(ctx context.Context, source string, limit, offset int) ([]Run, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+runCols+` FROM ingest_runs WHERE (? = '' OR source = ?) ORDER BY id DESC LIMIT ? OFFSET ?`,
		source, source, limit, offset)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Run{}
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

const runCols = `id, source, started_at, finished_at, outcome, rows, coalesce(message, ''), coalesce(file_sha256, ''), coalesce(file_name, '')`

func scanRun(sc interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var fin sql.NullTime
	if err := sc.Scan(&r.ID, &r.Source, &r.StartedAt, &fin, &r.Outcome, &r.Rows, &r.Message, &r.FileSHA256, &r.FileName); err != nil {
		return r, err
	}
	if fin.Valid {
		r.FinishedAt = &fin.Time
	}
	return r, nil
}

// RunByID is one run.
func (s *Store) RunByID(ctx context.Context, id int64) (Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runCols+` FROM ingest_runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, Errorf(ErrNotFound, "Không có lượt chạy %d", "no run %d", id)
	}
	return r, err
}

// SettleRun records how a waiting run ended: confirmed and accepted, with what it
// brought, by whom.
func (s *Store) SettleRun(ctx context.Context, id int64, outcome string, rows int, message string) error {
	return s.change(ctx, changesLog, func(conn *sql.Conn) error {
		res, err := conn.ExecContext(ctx, `UPDATE ingest_runs SET outcome = ?, rows = ?, message = ? WHERE id = ? AND outcome = 'waiting'`,
			outcome, rows, message, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return Errorf(ErrConflict, "Lượt chạy %d không chờ xác nhận", "run %d is not waiting for confirmation", id)
		}
		return nil
	})
}
