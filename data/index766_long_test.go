package data

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestIndex766LongDossiers checks the copy of the long dossiers (migration 022) the 766
// counts read for the dossiers received more than 31 days before a period: at its edges
// (received just before and just at 31 days before the period; resolved exactly 31 days
// after it was received), when a later export replaces an open dossier by its resolved
// self or a resolved one by an open self, when a dry run changes nothing, when a
// database made before migration 022 is upgraded, and when its facts were packed by
// another build (migration 024). Counted by hand for 2026-09 (31 days
// before it: 2026-08-01 00:00), Hà Nội (01):
//
//	D1 received 2026-07-01, open                          handled (a long one)
//	D2 received 2026-07-31 23:00, resolved 2026-09-01 00:00 handled, ended (long: 31 d 1 h)
//	D3 received 2026-08-01 00:00, resolved 2026-09-02     handled, ended (read from dossiers)
//	D4 received 2026-07-15, resolved 2026-08-20           neither (resolved before the period)
//	D5 received 2026-07-20, open                          handled; resolved 2026-08-10 by the second export: neither
//	D6 received 2026-09-10, open                          handled, received
//	D7 received 2026-06-01, resolved 2026-07-02 00:00     neither (exactly 31 days: long, but before the period)
//	D8 received 2026-06-01, resolved 2026-06-05           handled by the second export, which reopens it
//
// First export: handled D1 D2 D3 D5 D6 = 5, ended D2 D3 = 2, received D6 = 1. Second
// export (D5 resolved, D8 open): handled D1 D2 D3 D6 D8 = 5, ended 2.
func TestIndex766LongDossiers(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "d.duckdb")
	s, err := Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	head := "dossier_id,unit_code,procedure_code,channel,received_at,due_at,resolved_at,digitized,fee_required,paid_online,rating\n"
	write := func(name string, rows ...string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(head+strings.Join(rows, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := write("first.csv",
		"D1,01,P1,online,2026-07-01 08:00:00,,,true,false,false,",
		"D2,01,P1,online,2026-07-31 23:00:00,,2026-09-01 00:00:00,true,false,false,",
		"D3,01,P1,online,2026-08-01 00:00:00,,2026-09-02 10:00:00,true,false,false,",
		"D4,01,P1,online,2026-07-15 08:00:00,,2026-08-20 10:00:00,true,false,false,",
		"D5,01,P1,online,2026-07-20 08:00:00,,,true,false,false,",
		"D6,01,P1,online,2026-09-10 08:00:00,,,true,false,false,",
		"D7,01,P1,online,2026-06-01 00:00:00,,2026-07-02 00:00:00,true,false,false,",
		"D8,01,P1,online,2026-06-01 00:00:00,,2026-06-05 00:00:00,true,false,false,")
	second := write("second.csv",
		"D5,01,P1,online,2026-07-20 08:00:00,,2026-08-10 08:00:00,true,false,false,",
		"D8,01,P1,online,2026-06-01 00:00:00,,,true,false,false,")
	now := time.Date(2026, 10, 5, 9, 0, 0, 0, vietnam)
	ingest := func(path, sha string, dry bool) {
		t.Helper()
		if _, err := s.IngestDossiers(ctx, DossierImport{Path: path, Format: "csv", SHA256: sha, Actor: "test", Now: now, DryRun: dry}); err != nil {
			t.Fatal(err)
		}
	}
	cal, _ := DefaultCalendar()
	rules := Index766Rules{AnnounceLead: map[string]int{"ministry": 20, "province": 5}, PublishWithin: map[string]int{"ministry": 10, "province": 5},
		FeedbackDays: map[string]int{"handled": 15, "refused": 2, "supplement_requested": 5}}
	p, _ := ParsePeriod("2026-09")
	check := func(what string, handled, ended, received int) {
		t.Helper()
		got, err := s.Index766Counts(ctx, cal, rules, p, []Index766Unit{{Code: "01", Kind: "province"}})
		if err != nil {
			t.Fatal(err)
		}
		k := got["01"]
		if k.Handled != handled || k.Ended != ended || k.Received != received {
			t.Errorf("%s: handled %d ended %d received %d, want %d %d %d", what, k.Handled, k.Ended, k.Received, handled, ended, received)
		}
	}
	long := func(what string, want string) {
		t.Helper()
		var ids string
		if err := s.db.QueryRowContext(ctx, `SELECT coalesce(string_agg(dossier_id, ' ' ORDER BY dossier_id), '') FROM dossiers_long`).Scan(&ids); err != nil {
			t.Fatal(err)
		}
		if ids != want {
			t.Errorf("%s: dossiers_long holds %q, want %q", what, ids, want)
		}
	}
	ingest(first, "first", false)
	long("first export", "D1 D2 D3 D4 D5 D6 D7")
	check("first export", 5, 2, 1)
	ingest(second, "second", true)
	long("dry run", "D1 D2 D3 D4 D5 D6 D7")
	check("dry run", 5, 2, 1)
	ingest(second, "second", false)
	long("second export", "D1 D2 D3 D4 D6 D7 D8")
	check("second export", 5, 2, 1)

	// a database made before migration 022: its dossiers are copied when it is opened
	for _, q := range []string{`DROP TABLE dossiers_long`, `DELETE FROM schema_migrations WHERE version IN (22, 24)`, `DELETE FROM settings`} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Close()
	if s, err = Open(ctx, db); err != nil {
		t.Fatal(err)
	}
	long("upgraded", "D1 D2 D3 D4 D6 D7 D8")
	check("upgraded", 5, 2, 1)

	// facts packed by another build (here: every fact said yes, so that the long ones
	// handled, D1 D2 D8, would count as complained of): refilled when the store opens, and
	// read from the dossiers table by a store that cannot write
	complained := func(what string, want int) {
		t.Helper()
		got, err := s.Index766Counts(ctx, cal, rules, p, []Index766Unit{{Code: "01", Kind: "province"}})
		if err != nil {
			t.Fatal(err)
		}
		if k := got["01"]; k.HandledComplained != want {
			t.Errorf("%s: %d complained of, want %d", what, k.HandledComplained, want)
		}
	}
	complained("upgraded", 0)
	repack := func() {
		t.Helper()
		for _, q := range []string{`UPDATE dossiers_long SET rf = 32767`, `UPDATE settings SET value = 'another build' WHERE key = '` + longFactsKey + `'`} {
			if _, err := s.db.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		_ = s.Close()
	}
	repack()
	if s, err = Open(ctx, db, Options{ReadOnly: true}); err != nil {
		t.Fatal(err)
	}
	check("read-only, packed by another build", 5, 2, 1)
	complained("read-only, packed by another build", 0)
	s.longFacts = true // as if it read the copy: what the test would see if the fallback were gone
	complained("the copy packed by another build", 3)
	_ = s.Close()
	if s, err = Open(ctx, db); err != nil {
		t.Fatal(err)
	}
	long("refilled", "D1 D2 D3 D4 D6 D7 D8")
	check("refilled", 5, 2, 1)
	complained("refilled", 0)
	var packed string
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, longFactsKey).Scan(&packed); err != nil || packed != longFactsPrint() {
		t.Errorf("the packing recorded: %q, %v; want %q", packed, err, longFactsPrint())
	}
}
