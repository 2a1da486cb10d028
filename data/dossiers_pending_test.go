package data

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// pendingRecord is a dossier of procedure P1 for the export tests below: received, due and
// resolved ("" for open) in September 2026.
func pendingRecord(id, received, due, resolved string) rollupRecord {
	return rollupRecord{id: id, cols: "P1,online," + received + "," + due + "," + resolved + ",true,false,false,satisfied,0,,,true,true,false,false,false,false"}
}

// readsOf is what every reader of the dossiers table sees of Hà Nội's September 2026.
type readsOf struct {
	late, overdue, received, exported, worklist int
}

func readAll(t *testing.T, s *Store) readsOf {
	t.Helper()
	ctx := context.Background()
	late, err := s.LateDossiers(ctx, LateQuery{Units: []string{"01"}, Month: NewMonth(2026, 9), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "export")
	n, err := s.ExportDossiers(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := ParsePeriod("2026-09")
	w, err := s.WorklistRecords(ctx, p, Index766Unit{Code: "01", Kind: "province"}, "")
	if err != nil {
		t.Fatal(err)
	}
	return readsOf{late: late.ResolvedLate, overdue: late.Overdue, received: int(index766Of(t, s, "01", "2026-09").Received),
		exported: int(n), worklist: len(w.Dossiers)}
}

// TestPendingExportUnseen: an export's rows, committed before their checks end, are seen by
// no reader until the import accepts them — the late list, the 766 index, the raw export,
// the worklist, "already imported" — and a failure at the last step deletes them, leaving
// the dossiers they would have replaced as they were.
func TestPendingExportUnseen(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "p.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	hanoi := func(int) string { return "01" }
	first := []rollupRecord{
		pendingRecord("A1", "2026-09-01 08:00:00", "2026-09-10 08:00:00", "2026-09-05 08:00:00"),
		pendingRecord("A2", "2026-09-02 08:00:00", "2026-09-10 08:00:00", "2026-09-20 08:00:00"), // late
		pendingRecord("A3", "2026-09-03 08:00:00", "2026-09-10 08:00:00", ""),                    // overdue
	}
	if _, err := loadTagged(t, s, first, hanoi, DossierImport{}); err != nil {
		t.Fatal(err)
	}
	before := readAll(t, s)
	if want := (readsOf{late: 1, overdue: 1, received: 3, exported: 3, worklist: 3}); before != want {
		t.Fatalf("after the first export: %+v, want %+v", before, want)
	}
	// the second export resolves A2 on time, closes A3 and adds B1
	second := []rollupRecord{
		pendingRecord("A2", "2026-09-02 08:00:00", "2026-09-10 08:00:00", "2026-09-08 08:00:00"),
		pendingRecord("A3", "2026-09-03 08:00:00", "2026-09-10 08:00:00", "2026-09-09 08:00:00"),
		pendingRecord("B1", "2026-09-04 08:00:00", "2026-09-10 08:00:00", ""),
	}
	var sha string
	var during readsOf
	var imported bool
	var pendingRows int
	stop := errors.New("the disk is gone")
	keep := func() error {
		// the rows are committed by now, and the import has not ended
		during = readAll(t, s)
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM dossiers JOIN dossier_sources USING (source) WHERE source_sha256 = ?`, sha).Scan(&pendingRows); err != nil {
			return err
		}
		ok, err := s.DossiersImported(ctx, sha)
		imported = ok
		return errors.Join(stop, err)
	}
	// loadTagged computes the SHA-256; the same records give the same one each time
	probe, err := loadTagged(t, s, second, hanoi, DossierImport{DryRun: true})
	if err != nil || probe.Rows != 3 {
		t.Fatalf("dry run: %+v, %v", probe, err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM dossiers`).Scan(&pendingRows); err != nil || pendingRows != 3 {
		t.Fatalf("a dry run left %d rows (%v), want the first export's 3", pendingRows, err)
	}
	sha = shaOf(second, hanoi)
	_, err = loadTagged(t, s, second, hanoi, DossierImport{Keep: keep})
	if !errors.Is(err, stop) {
		t.Fatalf("import with a failing last step: %v, want %v", err, stop)
	}
	if pendingRows != 3 {
		t.Fatalf("the pending rows were not committed before the last step (%d of 3 seen): this test proves nothing", pendingRows)
	}
	if during != before || imported {
		t.Errorf("while pending, the readers saw %+v (already imported: %v), want %+v", during, imported, before)
	}
	var left, marks int
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM dossiers JOIN dossier_sources USING (source) WHERE source_sha256 = ?), (SELECT count(*) FROM dossier_pending)`, sha).Scan(&left, &marks); err != nil {
		t.Fatal(err)
	}
	if left != 0 || marks != 0 || len(s.pending.sources) != 0 {
		t.Errorf("after the failure: %d rows, %d marks, %v pending, want none", left, marks, s.pending.sources)
	}
	if after := readAll(t, s); after != before {
		t.Errorf("after the failure the readers see %+v, want %+v", after, before)
	}
	if _, err := loadTagged(t, s, second, hanoi, DossierImport{}); err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, s), (readsOf{late: 0, overdue: 1, received: 4, exported: 4, worklist: 4}); got != want {
		t.Errorf("after the second export: %+v, want %+v", got, want)
	}
	if ok, err := s.DossiersImported(ctx, sha); err != nil || !ok {
		t.Errorf("the second export is not marked imported: %v %v", ok, err)
	}
}

// shaOf is the SHA-256 loadTagged gives these records.
func shaOf(recs []rollupRecord, unit func(int) string) string {
	var b strings.Builder
	b.WriteString(dossierTableColumns() + "\n")
	for i, r := range recs {
		fmt.Fprintf(&b, "%s,%s,%s\n", r.id, unit(i), r.cols)
	}
	return fmt.Sprintf("%x", sha256.Sum256([]byte(b.String())))
}

// TestPendingSweptOnOpen: rows a stopped process left pending are left out by a read-only
// store and deleted by the next store that opens the file to write.
func TestPendingSweptOnOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.duckdb")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	hanoi := func(int) string { return "01" }
	if _, err := loadTagged(t, s, []rollupRecord{pendingRecord("A1", "2026-09-01 08:00:00", "2026-09-10 08:00:00", "2026-09-05 08:00:00")}, hanoi, DossierImport{}); err != nil {
		t.Fatal(err)
	}
	// what an import leaves when its process stops between its two commits
	for _, q := range []string{`INSERT INTO dossier_sources VALUES (99, 'dead')`,
		`INSERT INTO dossiers (dossier_id, unit_code, received_at, channel, source) VALUES ('X1', '01', TIMESTAMP '2026-09-02 08:00:00', 'online', 99)`,
		`INSERT INTO dossier_pending VALUES ('dead', now())`} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := index766Of(t, ro, "01", "2026-09").Received; got != 1 {
		t.Errorf("read-only: %d dossiers received, want 1 (the pending one left out)", got)
	}
	if ok, _ := ro.DossiersImported(ctx, "dead"); ok {
		t.Error("read-only: the pending export counts as imported")
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	var rows, marks int
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM dossiers WHERE source = 99), (SELECT count(*) FROM dossier_pending)`).Scan(&rows, &marks); err != nil {
		t.Fatal(err)
	}
	if rows != 0 || marks != 0 || len(s.pending.sources) != 0 {
		t.Errorf("after opening: %d leftover rows, %d marks, %v pending; want none", rows, marks, s.pending.sources)
	}
	if got := index766Of(t, s, "01", "2026-09").Received; got != 1 {
		t.Errorf("%d dossiers received, want 1", got)
	}
}

// TestDossierSourcesMigration: a database made before migration 025, whose rows name their
// export by its SHA-256, keeps every row under its export's number. Its readers see the
// same; the export is still known as imported, and sent again it is identical; a pending
// export a stopped process left is still swept; the next export is numbered after it.
func TestDossierSourcesMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.duckdb")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	hanoi := func(int) string { return "01" }
	recs := []rollupRecord{
		pendingRecord("A1", "2026-09-01 08:00:00", "2026-09-10 08:00:00", "2026-09-05 08:00:00"),
		pendingRecord("A2", "2026-09-02 08:00:00", "2026-09-03 08:00:00", ""),
	}
	if _, err := loadTagged(t, s, recs, hanoi, DossierImport{}); err != nil {
		t.Fatal(err)
	}
	want := readAll(t, s)
	if want.received != 2 || want.overdue != 1 {
		t.Fatalf("before: %+v, want 2 received, 1 overdue", want)
	}
	for _, q := range []string{
		`CREATE TABLE old AS SELECT d.* EXCLUDE (source), s.source_sha256 FROM dossiers d LEFT JOIN dossier_sources s USING (source)`,
		`DROP TABLE dossiers`, `ALTER TABLE old RENAME TO dossiers`, `DROP TABLE dossier_sources`,
		`INSERT INTO dossiers (dossier_id, unit_code, received_at, channel, source_sha256) VALUES ('X1', '01', TIMESTAMP '2026-09-02 08:00:00', 'online', 'dead')`,
		`INSERT INTO dossier_pending VALUES ('dead', now())`,
		`DELETE FROM schema_migrations WHERE version = 25`,
	} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// a store that may not write cannot bring the file up to date: it says so
	if ro, err := Open(ctx, path, Options{ReadOnly: true}); err == nil {
		_ = ro.Close()
		t.Error("a read-only store opened a file older than its schema")
	} else if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "older egovkpi") {
		t.Errorf("read-only, the file before migration 025: %v", err)
	}
	if s, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if got := readAll(t, s); got != want {
		t.Errorf("after the migration the readers see %+v, want %+v", got, want)
	}
	var rows, unnumbered int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE source IS NULL) FROM dossiers`).Scan(&rows, &unnumbered); err != nil {
		t.Fatal(err)
	}
	if rows != 2 || unnumbered != 0 {
		t.Errorf("after the migration: %d rows, %d without a number; want 2 (the pending one swept), 0", rows, unnumbered)
	}
	sha := shaOf(recs, hanoi)
	if ok, err := s.DossiersImported(ctx, sha); err != nil || !ok {
		t.Errorf("the export is not known as imported after the migration: %v %v", ok, err)
	}
	res, err := loadTagged(t, s, recs, hanoi, DossierImport{})
	if err != nil || !res.Identical {
		t.Errorf("the same export again: %+v, %v; want identical", res, err)
	}
	more := []rollupRecord{pendingRecord("A3", "2026-09-04 08:00:00", "2026-09-10 08:00:00", "2026-09-06 08:00:00")}
	if _, err := loadTagged(t, s, more, hanoi, DossierImport{}); err != nil {
		t.Fatal(err)
	}
	var sources, numbered int
	if err := s.db.QueryRowContext(ctx, `SELECT count(DISTINCT source), (SELECT count(*) FROM dossier_sources) FROM dossiers`).Scan(&sources, &numbered); err != nil {
		t.Fatal(err)
	}
	if sources != 2 || numbered != 3 { // the two exports, and the swept one's number
		t.Errorf("%d exports among the rows, %d numbered; want 2, 3", sources, numbered)
	}
	if got := readAll(t, s).received; got != 3 {
		t.Errorf("after the next export: %d received, want 3", got)
	}
}
