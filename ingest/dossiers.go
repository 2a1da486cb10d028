package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

// DossierStore aggregates dossier records; *data.Store is one.
type DossierStore interface {
	IngestDossiers(ctx context.Context, imp data.DossierImport) (data.DossierResult, error)
}

// DossierRequest is one dossier export.
type DossierRequest struct {
	Name    string
	Content []byte
	Format  string // csv | parquet
	Actor   string
	Allow   func(unit string) error
	// Progress hears of each step done (see data.DossierImport).
	Progress func(step string, rows int)
}

// IngestDossiers keeps the export like any file, then lets DuckDB read the kept file
// and aggregate it into unit-month measures, stored as new versions.
func IngestDossiers(ctx context.Context, st DossierStore, in *Ingester, req DossierRequest) (data.DossierResult, error) {
	sum := sha256.Sum256(req.Content)
	sha := hex.EncodeToString(sum[:])
	if in.FilesDir == "" {
		return data.DossierResult{}, fmt.Errorf("dossier exports need a kept-files folder")
	}
	if err := in.keep(sha, req.Content); err != nil {
		return data.DossierResult{}, err
	}
	var res data.DossierResult
	err := in.commit(manifestEntry{SHA256: sha, Name: req.Name, Actor: req.Actor, Source: "dossiers-" + req.Format, At: time.Now().UTC(), Dossiers: req.Format}, func() error {
		var err error
		res, err = st.IngestDossiers(ctx, data.DossierImport{Path: in.keptPath(sha), Format: req.Format, SHA256: sha, Actor: req.Actor,
			Allow: req.Allow, Progress: req.Progress})
		return err
	})
	return res, err
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
