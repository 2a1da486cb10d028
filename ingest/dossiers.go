package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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
	o.Kind = KindDossiers
	path := req.staged
	if path == "" {
		tmp, err := in.incomingFile(format)
		if err != nil {
			return err
		}
		defer func() { _ = os.Remove(tmp.Name()) }() // gone already once kept
		if _, err := tmp.Write(req.Content); err != nil {
			_ = tmp.Close() // the write's error is the one to report
			return fmt.Errorf("dossier export: %w", err)
		}
		if err := tmp.Close(); err != nil {
			return fmt.Errorf("dossier export: %w", err)
		}
		path = tmp.Name()
	}
	at := req.At
	if at.IsZero() {
		at = in.now()
	}
	entry := manifestEntry{SHA256: o.SHA256, Name: filepath.Base(req.Name), Actor: req.Actor, Source: req.Source, At: at.UTC(), Dossiers: format}
	in.mu.Lock()
	defer in.mu.Unlock()
	var res data.DossierResult
	err := in.landAtCommit(entry, func() error { return in.keepFile(o.SHA256, path) }, func(keep func() error) error {
		var err error
		res, err = in.Store.IngestDossiers(ctx, data.DossierImport{Path: path, Format: format, SHA256: o.SHA256, Actor: req.Actor,
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

// incomingFile is a new file in the kept files' incoming folder, where a dossier export
// waits while it is checked.
func (in *Ingester) incomingFile(format string) (*os.File, error) {
	if in.FilesDir == "" {
		return nil, fmt.Errorf("dossier exports need a kept-files folder")
	}
	incoming := filepath.Join(in.FilesDir, ".incoming")
	if err := os.MkdirAll(incoming, 0o700); err != nil {
		return nil, fmt.Errorf("dossier export: %w", err)
	}
	f, err := os.CreateTemp(incoming, "dossiers-*."+format)
	if err != nil {
		return nil, fmt.Errorf("dossier export: %w", err)
	}
	return f, nil
}

// stage reads a request's file from req.Path and says its SHA-256: a dossier export is
// copied into the incoming folder as it is hashed (req.staged: one pass, and what is
// checked is exactly what was hashed, whatever happens to the file meanwhile); any other
// file is read into req.Content.
func (in *Ingester) stage(req *Request) (string, error) {
	f, err := os.Open(req.Path)
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }() // read only
	head := make([]byte, 64)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read %s: %w", req.Path, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	format := DossierFormat(req.Name, head[:n])
	if format == "" {
		// a report, a catalogue, a survey…: parsed whole in memory anyway
		if req.Content, err = io.ReadAll(f); err != nil {
			return "", fmt.Errorf("read %s: %w", req.Path, err)
		}
		sum := sha256.Sum256(req.Content)
		req.size = int64(len(req.Content))
		return hex.EncodeToString(sum[:]), nil
	}
	tmp, err := in.incomingFile(format)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(tmp, h), f)
	if err == nil {
		err = tmp.Close()
	} else {
		_ = tmp.Close() // the copy's error is the one to report
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return "", fmt.Errorf("dossier export %s: %w", req.Path, err)
	}
	req.staged, req.size = tmp.Name(), size
	return hex.EncodeToString(h.Sum(nil)), nil
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
