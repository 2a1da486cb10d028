package data

import (
	"context"
	"database/sql"
	"time"
)

// UnlistedShown is how many unlisted procedures a receipt names: an export of a unit
// without its catalogue could name hundreds, and the count says how many there are.
const UnlistedShown = 20

// ProcedureCount is a procedure code and how many of an export's dossiers carry it.
type ProcedureCount struct {
	Code     string `json:"procedure_code"`
	Dossiers int    `json:"dossiers"`
}

// unlistedSQL counts an export's dossiers (by its file's sha) whose procedure the
// catalogue version has no entry for that applies to the dossier's unit: level-wide (no
// unit_code), the unit's own, or that of the unit its records roll up to (a commune's or
// an agency's province, from dossier_units). Most dossiers first; codes is how many codes
// in all, before the limit. The dossiers are counted by unit and procedure first, and
// only those few pairs are looked up: the lookup row by row took 1.8 s for 10M dossiers.
const unlistedSQL = `WITH pairs AS (SELECT unit_code, procedure_code, count(*) AS n FROM dossiers
  WHERE source = ? GROUP BY unit_code, procedure_code)
SELECT coalesce(d.procedure_code, '') AS code, sum(d.n)::BIGINT AS n, count(*) OVER () AS codes
FROM pairs d WHERE NOT EXISTS (
  SELECT 1 FROM procedures pr WHERE pr.catalogue_id = ? AND pr.procedure_code = d.procedure_code
    AND (coalesce(pr.unit_code, '') = '' OR pr.unit_code = d.unit_code
      OR pr.unit_code IN (SELECT du.rollup FROM dossier_units du WHERE du.unit_code = d.unit_code)))
GROUP BY 1 ORDER BY n DESC, code LIMIT ?`

// unlistedProcedures lists, for the receipt, the procedures of the export's dossiers that
// the catalogue in force on the import's day does not hold (issue 17: such a dossier is
// accepted, listed, and counted without paper result and without maximum), at most
// UnlistedShown of them, and how many codes in all. Before any catalogue is imported
// nothing is listed: every code would be.
func (s *Store) unlistedProcedures(ctx context.Context, conn *sql.Conn, src int64, now time.Time) ([]ProcedureCount, int, error) {
	cat, err := s.CatalogueFor(ctx, now)
	if err != nil || cat == 0 {
		return nil, 0, err
	}
	rows, err := conn.QueryContext(ctx, unlistedSQL, src, cat, UnlistedShown)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []ProcedureCount
	codes := 0
	for rows.Next() {
		var p ProcedureCount
		if err := rows.Scan(&p.Code, &p.Dossiers, &codes); err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, codes, rows.Err()
}
