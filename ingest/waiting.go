package ingest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/egovkpi/egovkpi/data"
)

// A scheduled source's file that waits for confirmation (a dossier export over figures
// units reported themselves) is held beside the kept files, not among them: it has not
// been accepted, and it is dropped once confirmed (then kept like any file) or replaced.

func (in *Ingester) waitingPath(sha string) string {
	return filepath.Join(in.FilesDir, ".waiting", sha)
}

// holdWaiting writes a file that waits for confirmation.
func (in *Ingester) holdWaiting(sha string, content []byte, from string) error {
	if in.FilesDir == "" {
		return fmt.Errorf("waiting files need a kept-files folder")
	}
	p := in.waitingPath(sha)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("hold waiting file: %w", err)
	}
	if content == nil {
		// a file read by its path (Request.Path) is copied, not read into memory
		if err := copyFile(from, p); err != nil {
			return keptDiskFull(fmt.Errorf("hold waiting file: %w", err))
		}
		return nil
	}
	if err := os.WriteFile(p, content, 0o600); err != nil {
		return keptDiskFull(fmt.Errorf("hold waiting file: %w", err))
	}
	return nil
}

// copyFile copies the file from to a new file to (0600).
func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer func() { _ = src.Close() }() // read only
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		_ = dst.Close() // the copy's error is the one to report
		return err
	}
	return dst.Close()
}

// WaitingRuns is what confirming a waiting run needs of the run history; *data.Store is one.
type WaitingRuns interface {
	RunByID(ctx context.Context, id int64) (data.Run, error)
	SettleRun(ctx context.Context, id int64, outcome string, rows int, message string) error
}

// Confirm sends the file of a run that waits for confirmation through the one way in
// again, confirmed by actor (an administrator), and settles the run.
func (s *Scheduler) Confirm(ctx context.Context, id int64, actor, lang string) (*Outcome, error) {
	h, ok := s.History.(WaitingRuns)
	if !ok {
		return nil, fmt.Errorf("the run history cannot settle runs")
	}
	run, err := h.RunByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if run.Outcome != data.RunWaiting || run.FileSHA256 == "" {
		return nil, data.Errorf(data.ErrConflict, "Lượt chạy %d không chờ xác nhận", "run %d is not waiting for confirmation", id)
	}
	waiting := s.Ingester.waitingPath(run.FileSHA256)
	if _, err := os.Stat(waiting); err != nil {
		return nil, data.Errorf(data.ErrNotFound, "Tệp của lượt chạy %d không còn", "the file of run %d is gone", id).WithCause(err)
	}
	o, err := s.Ingester.Ingest(ctx, Request{Name: run.FileName, Path: waiting, Actor: actor, Source: "source:" + run.Source, Lang: lang, Confirm: true})
	if err != nil {
		return o, err
	}
	if !o.Accepted {
		return o, nil
	}
	rows := len(o.Receipts)
	msg := fmt.Sprintf("confirmed by %s", actor)
	if d := o.Dossiers; d != nil {
		rows = d.Rows
		msg = fmt.Sprintf("%d dossiers, %d unit-months; confirmed by %s", d.Rows, d.UnitMonths, actor)
	}
	if err := h.SettleRun(ctx, id, data.RunConfirmed, rows, msg); err != nil {
		return o, err
	}
	// the file is kept with the accepted upload now: the waiting copy is only a leftover
	if err := os.Remove(s.Ingester.waitingPath(run.FileSHA256)); err != nil && s.Log != nil {
		s.Log.Warn("remove confirmed waiting file", "run", id, "err", err)
	}
	return o, nil
}
