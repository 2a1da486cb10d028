package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// IndexValue is one unit's score in a yearly national index.
type IndexValue struct {
	Unit    string             `json:"unit_code"`
	Value   float64            `json:"value"`
	Rank    *int               `json:"published_rank"`
	Pillars map[string]float64 `json:"pillars,omitempty"`
}

// IndexImport is one imported index file for one year.
type IndexImport struct {
	ID         int64        `json:"id"`
	Name       string       `json:"name"`
	Year       int          `json:"year"`
	File       string       `json:"file"`
	ImportedBy string       `json:"imported_by"`
	ImportedAt time.Time    `json:"imported_at"`
	Values     []IndexValue `json:"-"`
}

// ImportIndex stores one index year in one transaction.
func (s *Store) ImportIndex(ctx context.Context, imp IndexImport, sha string) (IndexImport, error) {
	err := s.change(ctx, changesData, func(conn *sql.Conn) error {
		if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM index_imports`).Scan(&imp.ID); err != nil {
			return err
		}
		imp.ImportedAt = time.Now().UTC()
		if _, err := conn.ExecContext(ctx, `INSERT INTO index_imports VALUES (?, ?, ?, ?, ?, ?, ?)`, imp.ID, imp.Name, imp.Year, imp.File, sha, imp.ImportedBy, imp.ImportedAt); err != nil {
			return err
		}
		for _, v := range imp.Values {
			var p any
			if len(v.Pillars) > 0 {
				b, _ := json.Marshal(v.Pillars)
				p = string(b)
			}
			if _, err := conn.ExecContext(ctx, `INSERT INTO index_values VALUES (?, ?, ?, ?, ?)`, imp.ID, v.Unit, v.Value, v.Rank, p); err != nil {
				return err
			}
		}
		return audit(ctx, conn, AuditEntry{Actor: imp.ImportedBy, Action: "index_import", Detail: map[string]any{"index": imp.Name, "year": imp.Year, "file": imp.File, "units": len(imp.Values)}})
	})
	if err != nil {
		return imp, fmt.Errorf("import %s %d: %w", imp.Name, imp.Year, err)
	}
	return imp, nil
}

// Index returns the import in force for an index and year, with its values.
func (s *Store) Index(ctx context.Context, name string, year int) (IndexImport, error) {
	var imp IndexImport
	var file, by sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT id, name, year, file_name, imported_by, imported_at FROM index_imports
		WHERE name = ? AND year = ? ORDER BY id DESC LIMIT 1`, name, year).Scan(&imp.ID, &imp.Name, &imp.Year, &file, &by, &imp.ImportedAt)
	if err == sql.ErrNoRows {
		return imp, fmt.Errorf("%w: no %s index imported for %d", ErrNotFound, name, year)
	}
	if err != nil {
		return imp, err
	}
	imp.File, imp.ImportedBy = file.String, by.String
	rows, err := s.db.QueryContext(ctx, `SELECT unit_code, value, rank, coalesce(pillars, '') FROM index_values WHERE import_id = ? ORDER BY value DESC`, imp.ID)
	if err != nil {
		return imp, err
	}
	defer rows.Close()
	for rows.Next() {
		var v IndexValue
		var rank sql.NullInt64
		var p string
		if err := rows.Scan(&v.Unit, &v.Value, &rank, &p); err != nil {
			return imp, err
		}
		if rank.Valid {
			r := int(rank.Int64)
			v.Rank = &r
		}
		if p != "" {
			if err := json.Unmarshal([]byte(p), &v.Pillars); err != nil {
				return imp, fmt.Errorf("index %s %d, unit %s: pillars: %w", name, year, v.Unit, err)
			}
		}
		imp.Values = append(imp.Values, v)
	}
	return imp, rows.Err()
}

// IndexYears lists, per index name, the years held.
func (s *Store) IndexYears(ctx context.Context) (map[string][]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT name, year FROM index_imports ORDER BY name, year`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]int{}
	for rows.Next() {
		var n string
		var y int
		if err := rows.Scan(&n, &y); err != nil {
			return nil, err
		}
		out[n] = append(out[n], y)
	}
	return out, rows.Err()
}

// IndexImported reports whether a file with this SHA-256 was imported before.
func (s *Store) IndexImported(ctx context.Context, sha string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM index_imports WHERE sha256 = ?`, sha).Scan(&n)
	return n > 0, err
}
