package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// TestIngestFromPath: a file given by its path (the CLI's way) goes in as its content
// would — the same SHA-256, the same outcome, the same kept file — a dossier export copied
// as it is hashed rather than read into memory, and nothing left in the incoming folder
// whether it is accepted or refused.
func TestIngestFromPath(t *testing.T) {
	r := newRig(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fromPath := func(name, path string) *Outcome {
		t.Helper()
		o, err := r.in.Ingest(context.Background(), Request{Name: name, Path: path, Actor: "officer01", Source: "cli"})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	incomingLeft := func() int {
		t.Helper()
		es, err := os.ReadDir(filepath.Join(r.in.FilesDir, ".incoming"))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return len(es)
	}
	export := "\xef\xbb\xbf" + dossierHead +
		"A1,01,P1,online,2026-10-02 08:00:00,2026-10-10 17:00:00,2026-10-09 17:00:00,true,true,true,satisfied\n" +
		"A2,01,P1,direct,2026-10-03 08:00:00,2026-10-10 17:00:00,2026-10-12 17:00:00,false,true,false,dissatisfied\n"
	sum := sha256.Sum256([]byte(export))
	sha := hex.EncodeToString(sum[:])

	t.Run("dossier export", func(t *testing.T) {
		o := fromPath("d.csv", write("d.csv", export))
		if !o.Accepted || o.Kind != KindDossiers || o.Dossiers == nil || o.Dossiers.Rows != 2 || o.SHA256 != sha {
			t.Fatalf("outcome %+v (dossiers %+v), want 2 rows accepted with SHA-256 %s", o, o.Dossiers, sha)
		}
		kept, err := os.ReadFile(r.in.keptPath(sha))
		if err != nil || !bytes.Equal(kept, []byte(export)) {
			t.Errorf("kept file: %d bytes (%v), want the export's %d", len(kept), err, len(export))
		}
		if n := incomingLeft(); n != 0 {
			t.Errorf("%d files left in the incoming folder", n)
		}
		// the same bytes sent as content are the same file
		if o := r.ingest("again.csv", []byte(export)); !o.Identical {
			t.Errorf("the export sent as content: %s, want identical", o.Status)
		}
	})
	t.Run("refused dossier export", func(t *testing.T) {
		dup := dossierHead +
			"B1,01,P1,online,2026-10-02 08:00:00,2026-10-10 17:00:00,2026-10-09 17:00:00,true,true,true,satisfied\n" +
			"B1,01,P1,online,2026-10-02 08:00:00,2026-10-10 17:00:00,2026-10-09 17:00:00,true,true,true,satisfied\n"
		o := fromPath("dup.csv", write("dup.csv", dup))
		if o.Accepted || o.Status != StatusRejected || o.Reason == nil {
			t.Fatalf("outcome %+v, want rejected", o)
		}
		if _, err := os.Stat(r.in.keptPath(o.SHA256)); !os.IsNotExist(err) {
			t.Errorf("the refused export was kept (%v)", err)
		}
		if n := incomingLeft(); n != 0 {
			t.Errorf("%d files left in the incoming folder", n)
		}
	})
	t.Run("report", func(t *testing.T) {
		report := string(wide("79,2026-10,100,50,90,80"))
		o := fromPath("r.csv", write("r.csv", report))
		want := sha256.Sum256([]byte(report))
		if !o.Accepted || len(o.Receipts) != 1 || o.SHA256 != hex.EncodeToString(want[:]) {
			t.Fatalf("outcome %+v, want one receipt", o)
		}
	})
}
