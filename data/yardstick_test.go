package data

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/duckdb/duckdb-go/v2"
)

// TestYardstickNamedCompression holds namedCompression to migration 025's dossiers table
// and checks that -yardstick named keeps the same rows and measures as the issue's
// yardstick, in a table whose text columns carry the named compression.
func TestYardstickNamedCompression(t *testing.T) {
	sqlText, err := migrationsFS.ReadFile("migrations/025_dossier_sources.sql")
	if err != nil {
		t.Fatal(err)
	}
	block := string(sqlText)
	start := strings.Index(block, "CREATE TABLE dossiers_by_source (")
	if start < 0 {
		t.Fatal("migration 025 no longer creates dossiers_by_source")
	}
	block = block[start:]
	block = block[:strings.Index(block, ");")]
	want := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s+(\w+)\s+VARCHAR USING COMPRESSION (\w+)`).FindAllStringSubmatch(block, -1) {
		want[m[1]] = m[2]
	}
	if fmt.Sprint(want) != fmt.Sprint(namedCompression) {
		t.Errorf("migration 025 names %v, the yardstick %v", want, namedCompression)
	}

	dir := t.TempDir()
	csvPath := filepath.Join(dir, "d.csv")
	var b strings.Builder
	names := make([]string, len(dossierSchema))
	for i, c := range dossierSchema {
		names[i] = c.name
	}
	b.WriteString(strings.Join(names, ",") + "\n")
	const n = 5000
	for i := 0; i < n; i++ {
		row := make([]string, len(dossierSchema))
		for j, c := range dossierSchema {
			switch c.name {
			// Values chosen so that DuckDB left to itself would pick another method
			// (ids that repeat; codes that do not), or the check below could not fail.
			case "dossier_id":
				row[j] = fmt.Sprintf("H%d", i%3)
			case "unit_code":
				row[j] = []string{"01", "79", "BTC"}[i%3]
			case "procedure_code":
				row[j] = fmt.Sprintf("%x", sha256.Sum256([]byte{byte(i), byte(i >> 8)}))
			case "channel":
				row[j] = fmt.Sprintf("%x", sha256.Sum256([]byte{byte(i), byte(i >> 8), 1}))
			case "received_at":
				row[j] = fmt.Sprintf("2026-09-%02d 08:00:00", 1+i%28)
			case "rating":
				row[j] = fmt.Sprintf("%x", sha256.Sum256([]byte{byte(i), byte(i >> 8), 2}))
			}
		}
		b.WriteString(strings.Join(row, ",") + "\n")
	}
	if err := os.WriteFile(csvPath, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	autoRows, autoMeasures, err := Yardstick766(ctx, filepath.Join(dir, "auto.duckdb"), csvPath, false)
	if err != nil {
		t.Fatal(err)
	}
	namedPath := filepath.Join(dir, "named.duckdb")
	rows, measures, err := Yardstick766(ctx, namedPath, csvPath, true)
	if err != nil {
		t.Fatal(err)
	}
	if rows != n || autoRows != n || measures != autoMeasures || measures == 0 {
		t.Errorf("named kept %d rows, %d measures; auto %d rows, %d measures; want %d rows", rows, measures, autoRows, autoMeasures, n)
	}
	connector, err := duckdb.NewConnector(namedPath+"?access_mode=read_only", nil)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	defer func() { _ = db.Close() }()
	for col, method := range namedCompression {
		var got string
		err := db.QueryRowContext(ctx, `SELECT string_agg(DISTINCT lower(compression), ',') FROM pragma_storage_info('kept')
			WHERE column_name = ? AND segment_type = 'VARCHAR'`, col).Scan(&got)
		if err != nil {
			t.Fatal(err)
		}
		if got != method {
			t.Errorf("column %s: segments compressed %q, want %q", col, got, method)
		}
	}
}
