package data

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// Yardstick766 is the limit issue 17's ingest benchmark holds egovkpi to: DuckDB alone,
// on a fresh database file, keeping the rows of a dossier export (CSV with the columns of
// dossierSchema) in a table, computing the same unit-month dossier measures egovkpi's
// ingest computes (aggregateSQL, every unit its own roll-up) as a second table — so that
// every aggregate is materialised and none pruned — and checkpointing. No checks, no
// versions, no index. It says how many rows and measure rows it kept.
//
// With named false the rows are kept as the issue defines the yardstick, CREATE TABLE AS
// (DuckDB choosing each segment's compression as it writes). With named true the table is
// declared first with the compression egovkpi's dossiers table names for its text columns
// (migration 025) and filled by INSERT … SELECT: DuckDB given the same help egovkpi gives
// itself, so that a reader can see how much of the ratio that help is.
func Yardstick766(ctx context.Context, dbPath, csvPath string, named bool) (rows, measures int64, err error) {
	if strings.ContainsAny(csvPath, "'\x00") || strings.ContainsAny(dbPath, "?\x00") {
		return 0, 0, fmt.Errorf("%w: a path may not contain a quote or '?'", ErrInvalid)
	}
	connector, err := duckdb.NewConnector(dbPath+"?autoinstall_known_extensions=false&autoload_known_extensions=false", nil)
	if err != nil {
		return 0, 0, err
	}
	db := sql.OpenDB(connector)
	defer func() { _ = db.Close() }() // a benchmark's scratch database, checkpointed already
	types := make([]string, len(dossierSchema))
	for i, c := range dossierSchema {
		types[i] = fmt.Sprintf("'%s': '%s'", c.name, c.typ)
	}
	read := fmt.Sprintf(`SELECT * FROM read_csv('%s', header = true, columns = {%s})`, csvPath, strings.Join(types, ", "))
	keep := `CREATE TABLE kept AS ` + read
	if named {
		cols := make([]string, len(dossierSchema))
		for i, c := range dossierSchema {
			cols[i] = c.name + " " + c.typ
			if m, ok := namedCompression[c.name]; ok {
				cols[i] += " USING COMPRESSION " + m
			}
		}
		if _, err := db.ExecContext(ctx, `CREATE TABLE kept (`+strings.Join(cols, ", ")+`)`); err != nil {
			return 0, 0, fmt.Errorf("yardstick: %w", err)
		}
		keep = `INSERT INTO kept ` + read
	}
	if _, err := db.ExecContext(ctx, keep); err != nil {
		return 0, 0, fmt.Errorf("yardstick: %w", err)
	}
	q := strings.ReplaceAll(aggregateSQL, "FROM dossiers SEMI JOIN dossier_units USING (unit_code)", "FROM kept")
	q = strings.ReplaceAll(q, "FROM r JOIN dossier_units du USING (unit_code)", "FROM (SELECT *, unit_code AS rollup FROM r) du")
	if strings.Contains(q, "dossier_units") {
		return 0, 0, fmt.Errorf("yardstick: aggregateSQL no longer reads the dossiers where this expects")
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE measures AS `+q); err != nil {
		return 0, 0, fmt.Errorf("yardstick: %w", err)
	}
	if _, err := db.ExecContext(ctx, `CHECKPOINT`); err != nil {
		return 0, 0, fmt.Errorf("yardstick: %w", err)
	}
	err = db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM kept), (SELECT count(*) FROM measures)`).Scan(&rows, &measures)
	return rows, measures, err
}

// namedCompression is the compression migration 025 names for the dossiers table's text
// columns; TestYardstickNamedCompression holds the two together.
var namedCompression = map[string]string{
	"dossier_id":     "fsst",
	"unit_code":      "dictionary",
	"procedure_code": "dictionary",
	"channel":        "dictionary",
	"rating":         "dictionary",
}
