package data

import (
	"context"
	"database/sql"
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
}

// RecordRun appends a run to the history.
func (s *Store) RecordRun(ctx context.Context, r Run) (Run, error) {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM ingest_runs`).Scan(&r.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO ingest_runs VALUES (?, ?, ?, ?, ?, ?, ?)`, r.ID, r.Source, r.StartedAt.UTC(), r.FinishedAt, r.Outcome, r.Rows, nullString(r.Message))
		return err
	})
	return r, err
}

// Runs lists the latest runs, newest first; source "" lists all.
func (s *Store) Runs(ctx context.Context, source string, limit int) ([]Run, error) {
	if limit <= 0 {
		limit = 200
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, source, started_at, finished_at, outcome, rows, coalesce(message, '')
		FROM ingest_runs WHERE (? = '' OR source = ?) ORDER BY id DESC LIMIT ?`, source, source, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Run{}
	for rows.Next() {
		var r Run
		var fin sql.NullTime
		if err := rows.Scan(&r.ID, &r.Source, &r.StartedAt, &fin, &r.Outcome, &r.Rows, &r.Message); err != nil {
			return nil, err
		}
		if fin.Valid {
			r.FinishedAt = &fin.Time
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
