package data

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDossierOptionalColumns loads exports with and without issue 17's columns, in any
// order, with the portal's channel codes, as CSV and as Parquet, and reads back what the
// table keeps: missing optional columns are NULL, codes become words, a missing required
// column or an unknown one is refused naming it.
func TestDossierOptionalColumns(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, filepath.Join(dir, "d.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	old := "dossier_id,unit_code,procedure_code,channel,received_at,due_at,resolved_at,digitized,fee_required,paid_online,rating\n" +
		"A1,01,P1,online,2026-09-03 08:00:00,,,true,false,false,\n"
	// the new columns first, the old ones shuffled, channel as codes
	wide := "synced,complaint,supplement_requests,supplement_requested_at,dossier_id,unit_code,channel,procedure_code,received_at,due_at,resolved_at,digitized,fee_required,paid_online,rating,electronic_result,supplement_completed_at,reused_data,citizen_store,vneid\n" +
		"true,false,1,2026-09-04 08:00:00,B1,01,2,P1,2026-09-03 08:00:00,,,true,false,false,,true,2026-09-05 08:00:00,false,true,\n" +
		"false,,0,,B2,01,3,P1,2026-09-03 09:00:00,,,true,false,false,,,,,,\n"
	pq := filepath.Join(dir, "old.parquet")
	oldCSV := filepath.Join(dir, "old.csv")
	if err := os.WriteFile(oldCSV, []byte(strings.Replace(old, "A1,", "C1,", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `COPY (SELECT * FROM read_csv('`+oldCSV+`', header = true, columns = `+dossierColumns+`)) TO '`+pq+`' (FORMAT PARQUET)`); err != nil {
		t.Fatal(err)
	}
	pqBytes, _ := os.ReadFile(pq)
	now := time.Date(2026, 10, 15, 0, 0, 0, 0, vietnam)
	for i, tc := range []struct {
		name, format, body string
		wantErr            string
	}{
		{"old.csv", "csv", old, ""},
		{"wide.csv", "csv", wide, ""},
		{"old.parquet", "parquet", string(pqBytes), ""},
		{"noid.csv", "csv", strings.Replace(old, "dossier_id,", "x_id,", 1), `"x_id" is not a dossier column`},
		{"norating.csv", "csv", strings.Replace(strings.Replace(old, ",rating", "", 1), "false,\n", "false\n", 1), `lacks the column "rating"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			if err := os.WriteFile(p, []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := s.IngestDossiers(ctx, DossierImport{Path: p, Format: tc.format, SHA256: strings.Repeat("a", 63) + string(rune('0'+i)), FileName: tc.name, Now: now})
			if tc.wantErr != "" {
				var e *Error
				if err == nil || !errors.As(err, &e) || !strings.Contains(e.EN, tc.wantErr) || !strings.Contains(e.EN, tc.name) {
					t.Fatalf("want an error naming %s and %q, got %v", tc.name, tc.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
	var got []string
	rows, err := s.db.QueryContext(ctx, `SELECT dossier_id || ' ' || channel || ' ' || coalesce(supplement_requests::VARCHAR, '-') || ' ' ||
		coalesce(synced::VARCHAR, '-') || ' ' || coalesce(electronic_result::VARCHAR, '-') || ' ' || coalesce(vneid::VARCHAR, '-') || ' ' ||
		coalesce(strftime(supplement_completed_at, '%d'), '-') FROM dossiers ORDER BY dossier_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	want := []string{"A1 online - - - - -", "B1 online 1 true true - 05", "B2 postal 0 false - - -", "C1 online - - - - -"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("kept rows:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestDossierLockedIndexColumns: once September is locked, an export that changes only a
// 766 column of a September dossier (no figure of the month moves) is refused naming the
// month, the unit and the dossier; the same rows again beside a new October dossier pass.
func TestDossierLockedIndexColumns(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, filepath.Join(dir, "d.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	head := "dossier_id,unit_code,procedure_code,channel,received_at,due_at,resolved_at,digitized,fee_required,paid_online,rating,synced\n"
	sept := "S1,01,P1,online,2026-09-03 08:00:00,,2026-09-04 08:00:00,true,false,false,,false\n"
	now := time.Date(2026, 10, 15, 0, 0, 0, 0, vietnam)
	send := func(i int, body string) error {
		p := filepath.Join(dir, "e"+strconv.Itoa(i)+".csv")
		if err := os.WriteFile(p, []byte(head+body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := s.IngestDossiers(ctx, DossierImport{Path: p, Format: "csv", SHA256: strings.Repeat("b", 63) + strconv.Itoa(i), FileName: "e.csv", Now: now})
		return err
	}
	if err := send(1, sept); err != nil {
		t.Fatal(err)
	}
	if err := s.LockMonth(ctx, NewMonth(2026, 9), "committee1"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, body, want string
	}{
		{"synced changed", strings.Replace(sept, ",false\n", ",true\n", 1), "2026-09 was locked by committee1"},
		{"same rows, a new October dossier", sept + "O1,01,P1,direct,2026-10-03 08:00:00,,,true,false,false,,true\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := send(len(tc.name), tc.body)
			var e *Error
			switch {
			case tc.want == "" && err != nil:
				t.Fatal(err)
			case tc.want != "" && (!errors.As(err, &e) || !errors.Is(err, ErrMonthLocked) || !strings.Contains(e.EN, tc.want) ||
				!strings.Contains(e.EN, "1 dossiers of unit 01") || !strings.Contains(e.EN, "(S1)") || !strings.Contains(e.VI, "chỉ số 766")):
				t.Fatalf("want a refusal naming %q, got %v", tc.want, err)
			}
		})
	}
}
