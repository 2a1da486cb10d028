package data

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Country is a UN member state with its M49 region.
type Country struct {
	ISO3         string `json:"code"`
	Name         string `json:"country"`
	Region       string `json:"region"`
	Subregion    string `json:"subregion"`
	Intermediate string `json:"intermediate_region,omitempty"`
}

// Countries is the 193 member states, with the names the UN has used for them.
type Countries struct {
	byCode map[string]Country
	byName map[string]string // folded name or alias → ISO3
	all    []Country
}

var (
	countriesOnce sync.Once
	countries     *Countries
)

// UNCountries returns the embedded M49 table and aliases.
func UNCountries() *Countries {
	countriesOnce.Do(func() {
		c := &Countries{byCode: map[string]Country{}, byName: map[string]string{}}
		recs, err := readCSV("reference/m49.csv")
		if err != nil {
			panic(err)
		}
		for _, r := range recs {
			ct := Country{ISO3: r["iso3"], Name: r["name"], Region: r["region"], Subregion: r["subregion"], Intermediate: r["intermediate_region"]}
			c.byCode[ct.ISO3] = ct
			c.byName[fold(ct.Name)] = ct.ISO3
			c.all = append(c.all, ct)
		}
		aliases, err := readCSV("reference/country-aliases.csv")
		if err != nil {
			panic(err)
		}
		for _, a := range aliases {
			c.byName[fold(a["alias"])] = a["iso3"]
		}
		countries = c
	})
	return countries
}

// All lists the member states by code.
func (c *Countries) All() []Country { return append([]Country(nil), c.all...) }

// ByCode finds a member state by its ISO 3166 alpha-3 code.
func (c *Countries) ByCode(code string) (Country, bool) {
	ct, ok := c.byCode[strings.ToUpper(strings.TrimSpace(code))]
	return ct, ok
}

// Match finds a member state by code, or else by name or a name the UN used before
// (Turkey and Türkiye, The former Yugoslav Republic of Macedonia and North Macedonia).
func (c *Countries) Match(code, name string) (Country, bool) {
	if ct, ok := c.ByCode(code); ok {
		return ct, true
	}
	if iso, ok := c.byName[fold(name)]; ok {
		return c.byCode[iso], true
	}
	return Country{}, false
}

// EGDIRow is one country's published survey result.
type EGDIRow struct {
	ISO3                     string
	Name                     string
	EGDI, OSI, HCI, TII, EPI *float64
	Rank                     *int
}

// EGDIImport is one imported survey file.
type EGDIImport struct {
	ID         int64     `json:"id"`
	Year       int       `json:"year"`
	File       string    `json:"file"`
	Precision  int       `json:"precision"`
	ImportedBy string    `json:"imported_by"`
	ImportedAt time.Time `json:"imported_at"`
	Rows       []EGDIRow `json:"-"`
}

// ImportEGDI stores one survey year's results in one transaction, superseding an
// earlier import of the same year (which stays).
func (s *Store) ImportEGDI(ctx context.Context, imp EGDIImport, sha string) (EGDIImport, error) {
	err := s.change(ctx, changesData, func(conn *sql.Conn) error {
		if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM egdi_imports`).Scan(&imp.ID); err != nil {
			return err
		}
		imp.ImportedAt = time.Now().UTC()
		if _, err := conn.ExecContext(ctx, `INSERT INTO egdi_imports VALUES (?, ?, ?, ?, ?, ?, ?)`, imp.ID, imp.Year, imp.File, sha, imp.Precision, imp.ImportedBy, imp.ImportedAt); err != nil {
			return err
		}
		for _, r := range imp.Rows {
			if _, err := conn.ExecContext(ctx, `INSERT INTO egdi_values VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, imp.ID, r.ISO3, r.Name,
				r.EGDI, r.Rank, r.OSI, r.HCI, r.TII, r.EPI); err != nil {
				return err
			}
		}
		return audit(ctx, conn, AuditEntry{Actor: imp.ImportedBy, Action: "egdi_import", Detail: map[string]any{"year": imp.Year, "file": imp.File, "countries": len(imp.Rows)}})
	})
	if err != nil {
		return imp, fmt.Errorf("import EGDI %d: %w", imp.Year, err)
	}
	return imp, nil
}

// EGDIYears lists the survey years held, oldest first.
func (s *Store) EGDIYears(ctx context.Context) ([]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT year FROM egdi_imports ORDER BY year`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			return nil, err
		}
		out = append(out, y)
	}
	return out, rows.Err()
}

// EGDI returns the import in force for a year with its rows (ErrNotFound if none).
func (s *Store) EGDI(ctx context.Context, year int) (EGDIImport, error) {
	var imp EGDIImport
	var by, file sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT id, year, file_name, precision, imported_by, imported_at FROM egdi_imports
		WHERE year = ? ORDER BY id DESC LIMIT 1`, year).Scan(&imp.ID, &imp.Year, &file, &imp.Precision, &by, &imp.ImportedAt)
	if err == sql.ErrNoRows {
		return imp, fmt.Errorf("%w: no survey imported for %d", ErrNotFound, year)
	}
	if err != nil {
		return imp, err
	}
	imp.File, imp.ImportedBy = file.String, by.String
	rows, err := s.db.QueryContext(ctx, `SELECT iso3, name, egdi, rank, osi, hci, tii, epi FROM egdi_values WHERE import_id = ?`, imp.ID)
	if err != nil {
		return imp, err
	}
	defer rows.Close()
	for rows.Next() {
		var r EGDIRow
		var egdi, osi, hci, tii, epi sql.NullFloat64
		var rank sql.NullInt64
		if err := rows.Scan(&r.ISO3, &r.Name, &egdi, &rank, &osi, &hci, &tii, &epi); err != nil {
			return imp, err
		}
		r.EGDI, r.OSI, r.HCI, r.TII, r.EPI = nf(egdi), nf(osi), nf(hci), nf(tii), nf(epi)
		if rank.Valid {
			v := int(rank.Int64)
			r.Rank = &v
		}
		imp.Rows = append(imp.Rows, r)
	}
	sort.Slice(imp.Rows, func(i, j int) bool { return imp.Rows[i].ISO3 < imp.Rows[j].ISO3 })
	return imp, rows.Err()
}

func nf(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	f := v.Float64
	return &f
}

// EGDIImported reports whether a file with this SHA-256 was imported before.
func (s *Store) EGDIImported(ctx context.Context, sha string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM egdi_imports WHERE sha256 = ?`, sha).Scan(&n)
	return n > 0, err
}
