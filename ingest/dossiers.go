package ingest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/egovkpi/egovkpi/data"
)

// ingestDossiers loads a dossier export through the store, which lets DuckDB read it
// from a file and aggregate it into unit-month measures. The file waits in the kept
// files' incoming folder while it is checked, and is kept only when it is accepted: a
// refused export leaves nothing behind.
func (in *Ingester) ingestDossiers(ctx context.Context, req Request, o *Outcome, format string) error {
	if in.FilesDir == "" {
		return fmt.Errorf("dossier exports need a kept-files folder")
	}
	incoming := filepath.Join(in.FilesDir, ".incoming")
	if err := os.MkdirAll(incoming, 0o700); err != nil {
		return fmt.Errorf("dossier export: %w", err)
	}
	tmp, err := os.CreateTemp(incoming, "dossiers-*."+format)
	if err != nil {
		return fmt.Errorf("dossier export: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // gone already once kept
	if _, err := tmp.Write(req.Content); err != nil {
		_ = tmp.Close() // the write's error is the one to report
		return fmt.Errorf("dossier export: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("dossier export: %w", err)
	}
	at := req.At
	if at.IsZero() {
		at = in.now()
	}
	entry := manifestEntry{SHA256: o.SHA256, Name: filepath.Base(req.Name), Actor: req.Actor, Source: req.Source, At: at.UTC(), Dossiers: format}
	in.mu.Lock()
	defer in.mu.Unlock()
	var res data.DossierResult
	err = in.landAtCommit(entry, func() error { return in.keepFile(o.SHA256, tmp.Name()) }, func(keep func() error) error {
		var err error
		res, err = in.Store.IngestDossiers(ctx, data.DossierImport{Path: tmp.Name(), Format: format, SHA256: o.SHA256, Actor: req.Actor,
			FileName: filepath.Base(req.Name), Allow: req.Allow, Progress: req.Progress, DryRun: req.DryRun, Confirm: req.Confirm,
			MaxRows: in.MaxDossierRows, Now: in.now(), Keep: keep})
		return err
	})
	o.Dossiers = &DossierReceipt{Rows: res.Rows, UnitMonths: res.UnitMonths, Changes: res.Changes,
		UnlistedProcedures: res.Unlisted, UnlistedCodes: res.UnlistedCodes}
	for _, s := range res.Submissions {
		r := Receipt{ID: s.ID, UnitCode: s.UnitCode, Period: s.Month, Version: s.Version, Status: s.Status, Values: s.Values, Warnings: []Problem{}}
		if req.DryRun {
			r.ID, r.Version, r.Status = 0, 0, "dry_run"
		}
		o.Receipts = append(o.Receipts, r)
	}
	o.Identical = res.Identical
	return err
}

// DossierFormat recognises a dossier-level export: Parquet, or CSV headed dossier_id.
func DossierFormat(name string, content []byte) string {
	switch {
	case strings.HasSuffix(strings.ToLower(name), ".parquet") || bytes.HasPrefix(content, []byte("PAR1")):
		return "parquet"
	case bytes.HasPrefix(bytes.TrimPrefix(content, []byte("\xef\xbb\xbf")), []byte("dossier_id,")):
		return "csv"
	}
	return ""
}

// slogError logs a failure that must not change an answer (an audit line not written).
func slogError(what string, err error) {
	slog.Error(what, "err", err)
}
