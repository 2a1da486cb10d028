package data

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// longColumns are the columns of dossiers_long (migration 024) besides rf, the dossier's
// yes/no facts packed as the 766 index reads them (rowFacts).
var longColumns = []string{"unit_code", "dossier_id", "procedure_code", "received_at", "due_at", "resolved_at",
	"supplement_requests", "supplement_requested_at", "supplement_completed_at"}

// longFactsKey is the setting that says how dossiers_long's rf was packed: the SHA-256
// of the packing's SQL. A build whose rowFacts differ refills the table when it opens.
const longFactsKey = "dossiers_long.facts"

func longFactsPrint() string {
	sum := sha256.Sum256([]byte(packFacts(rowFacts, 0)))
	return hex.EncodeToString(sum[:])
}

// longRows selects, as dossiers_long holds them, the long dossiers of the dossiers table
// that meet cond (SQL over its columns).
func longRows(cond string) string {
	return `SELECT ` + strings.Join(longColumns, ", ") + `, ` + packFacts(rowFacts, 0) + ` AS rf FROM dossiers WHERE (` + cond +
		`) AND (` + longDossier + `)`
}

// longCopySQL copies into dossiers_long the long dossiers of the dossiers table that
// meet cond.
func longCopySQL(cond string) string {
	return `INSERT INTO dossiers_long (` + strings.Join(longColumns, ", ") + `, rf) ` + longRows(cond)
}

// longSource is what the 766 index reads the long dossiers from: dossiers_long with its
// packed facts, or, when this store could not bring it up to date (a read-only store of
// a file last written by another build), the same rows and facts from the dossiers table
// (right, only slower).
func (s *Store) longSource(kept string) string {
	if s.longFacts {
		return "dossiers_long"
	}
	return "(" + longRows(kept) + ")"
}

// refreshLongDossiers, at open, refills dossiers_long when its facts were packed otherwise
// than this build packs them (or never: migration 024 leaves it empty), in one
// transaction; a read-only store reads the dossiers table instead (longSource). Pending
// exports have been swept already.
func (s *Store) refreshLongDossiers(ctx context.Context, readOnly bool) error {
	var rf int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_columns() WHERE table_name = 'dossiers_long' AND column_name = 'rf'`).Scan(&rf); err != nil {
		return fmt.Errorf("long dossiers: %w", err)
	}
	if rf > 0 {
		packed, err := s.Setting(ctx, longFactsKey)
		if err != nil {
			return fmt.Errorf("long dossiers: %w", err)
		}
		if packed == longFactsPrint() {
			s.longFacts = true
			return nil
		}
	}
	if readOnly {
		return nil
	}
	err := s.withConn(ctx, func(conn *sql.Conn) error {
		if _, err := conn.ExecContext(ctx, `DELETE FROM dossiers_long`); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, longCopySQL("true")); err != nil {
			return err
		}
		_, err := conn.ExecContext(ctx, `INSERT OR REPLACE INTO settings VALUES (?, ?, 'egovkpi', ?)`, longFactsKey, longFactsPrint(), time.Now().UTC())
		return err
	})
	if err != nil {
		return fmt.Errorf("long dossiers: %w", err)
	}
	s.longFacts = true
	return nil
}
