package data

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
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
	// NameVI is the name Vietnamese readers know the country by (Lào, Hàn Quốc).
	NameVI string `json:"country_vi"`
}

// CountryName is the country's name in lang: the Vietnamese name for Vietnamese
// readers, the M49 name otherwise.
func (c Country) CountryName(lang string) string {
	if lang != "en" && c.NameVI != "" {
		return c.NameVI
	}
	return c.Name
}

// Countries is the 193 member states, with the names the UN has used for them.
type Countries struct {
	byCode    map[string]Country
	byName    map[string]string // folded name or alias → ISO3
	byVariant map[string]string // a name's common variants → ISO3, "" where two countries share one
	until     map[string]int    // folded former name → the last survey edition that used it
	all       []Country
}

var (
	countriesOnce sync.Once
	countries     *Countries
	// regionsVI are the M49 regions' and sub-regions' Vietnamese names.
	regionsVI map[string]string
)

// RegionName is an M49 region's or sub-region's name in lang (Đông Nam Á for
// South-eastern Asia); the M49 name when lang is English or the name is unknown.
func RegionName(lang, name string) string {
	UNCountries()
	if v, ok := regionsVI[name]; ok && lang != "en" {
		return v
	}
	return name
}

// UNCountries returns the embedded M49 table and aliases.
func UNCountries() *Countries {
	countriesOnce.Do(func() {
		c := &Countries{byCode: map[string]Country{}, byName: map[string]string{}, byVariant: map[string]string{}, until: map[string]int{}}
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
		// the Vietnamese names are data beside the M49 table, one file each
		vi, err := readCSV("reference/m49-vi.csv")
		if err != nil {
			panic(err)
		}
		for _, r := range vi {
			if ct, ok := c.byCode[r["iso3"]]; ok {
				ct.NameVI = r["name_vi"]
				c.byCode[ct.ISO3] = ct
			}
		}
		for i := range c.all {
			c.all[i].NameVI = c.byCode[c.all[i].ISO3].NameVI
		}
		regions, err := readCSV("reference/m49-regions-vi.csv")
		if err != nil {
			panic(err)
		}
		regionsVI = map[string]string{}
		for _, r := range regions {
			regionsVI[r["name"]] = r["name_vi"]
		}
		aliases, err := readCSV("reference/country-aliases.csv")
		if err != nil {
			panic(err)
		}
		for _, a := range aliases {
			c.byName[fold(a["alias"])] = a["iso3"]
			if y, err := strconv.Atoi(a["until"]); err == nil {
				c.until[fold(a["alias"])] = y
			}
		}
		for name, iso := range c.byName {
			for _, v := range nameVariants(name) {
				if prev, dup := c.byVariant[v]; dup && prev != iso {
					c.byVariant[v] = "" // shared by two countries: no match by it
				} else if !dup {
					c.byVariant[v] = iso
				}
			}
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

// Match finds a member state by code, or else by its M49 name, a name the UN used before
// (Turkey and Türkiye, The former Yugoslav Republic of Macedonia and North Macedonia) or
// a common variant of either: the qualifier in brackets or after a comma moved or left
// out ("Korea (Republic of)", "Moldova, Republic of", "Bolivia"), "The" and "Republic of"
// left out, spaces, case and diacritics aside.
func (c *Countries) Match(code, name string) (Country, bool) {
	if ct, ok := c.ByCode(code); ok {
		return ct, true
	}
	// the most specific form first: the qualifier moved before the name it qualifies,
	// then "The" or "Republic of" left out, and only then the qualifier dropped
	for _, v := range nameVariants(fold(name)) {
		if iso, ok := c.byName[v]; ok {
			return c.byCode[iso], true
		}
		if iso := c.byVariant[v]; iso != "" {
			return c.byCode[iso], true
		}
	}
	return Country{}, false
}

// PublishedName is the name a survey edition shows a country under: the name its file
// gives, unless that is a former name the UN had replaced by that edition (Turkey in
// 2022, The former Yugoslav Republic of Macedonia in 2020), or no name at all; then the
// current M49 name.
func (c *Countries) PublishedName(iso3, name string, edition int) string {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return c.byCode[iso3].Name
	}
	if last, ok := c.until[fold(name)]; ok && edition > last {
		if ct, ok := c.byCode[iso3]; ok {
			return ct.Name
		}
	}
	return name
}

// nameVariants are the keys a folded country name is also known by, the most specific
// first: itself, its qualifier moved before it ("korea (republic of)", "moldova, republic
// of" → "republic of korea", "republic of moldova"), these without a leading "the" or
// "republic of", and last the name without its qualifier ("bolivia").
func nameVariants(f string) []string {
	f = strings.NewReplacer("\u2019", "'", "`", "'", "&", "and", ".", "").Replace(f)
	f = strings.Join(strings.Fields(f), " ")
	full, bare := []string{f}, []string(nil)
	if i := strings.Index(f, "("); i > 0 {
		base := strings.TrimSpace(f[:i])
		q := strings.TrimSpace(strings.Trim(strings.TrimSpace(f[i:]), "()"))
		full = append(full, strings.TrimSpace(q+" "+base))
		bare = append(bare, base)
	} else if a, b, ok := strings.Cut(f, ", "); ok {
		full = append(full, strings.TrimSpace(b+" "+a))
		bare = append(bare, a)
	}
	out := full
	for _, v := range full {
		for _, p := range []string{"the ", "republic of the ", "republic of "} {
			if strings.HasPrefix(v, p) {
				out = append(out, strings.TrimPrefix(v, p))
			}
		}
	}
	return append(out, bare...)
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
	// Matched is how the file's columns were read (field → the file's header) and Notes
	// what else the reader should know (a column of regions not read): for the receipt.
	Matched map[string]string `json:"-"`
	Notes   []string          `json:"-"`
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
