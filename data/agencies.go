package data

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Agency is one of a province's own agencies (a sở, ban or ngành): a unit under the
// province, defined by the province since there is no national list.
type Agency struct {
	Code      string    `json:"code"` // the unit code: province-local (01-SNV)
	Province  string    `json:"province"`
	LocalCode string    `json:"local_code"`
	NameVI    string    `json:"name_vi"`
	NameEN    string    `json:"name_en"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Unit is the agency as a unit under its province.
func (a Agency) Unit() Unit {
	return Unit{Code: a.Code, NameVI: a.NameVI, NameEN: a.NameEN, Type: "agency", Group: Agencies, Parent: a.Province}
}

// Agencies are a province's own agencies. They are not ranked against one another
// nationally, and Registry never lists them: they live in the database.
const Agencies Group = "agencies"

// localCode is what a province may call an agency: short, upper case, no separator, so
// the unit code stays unambiguous in URLs, file names and spreadsheets.
var localCode = regexp.MustCompile(`^[A-Z0-9_]{1,20}$`)

// AgencyCode is the unit code of province's agency local ("01", "snv" → "01-SNV").
func AgencyCode(province, local string) string {
	return province + "-" + strings.ToUpper(strings.TrimSpace(local))
}

// AgencyProvince is the province of an agency's unit code ("01-SNV" → "01"), or "".
func AgencyProvince(code string) string {
	p, _, ok := strings.Cut(code, "-")
	if !ok || len(p) != 2 {
		return ""
	}
	return p
}

// AddAgency records a new agency of province, in the audit log.
func (s *Store) AddAgency(ctx context.Context, province, local, nameVI, nameEN, actor string) (Agency, error) {
	local = strings.ToUpper(strings.TrimSpace(local))
	nameVI, nameEN = strings.Join(strings.Fields(nameVI), " "), strings.Join(strings.Fields(nameEN), " ")
	now := time.Now().UTC()
	if p, ok := s.ref.At(province, MonthOf(now)); !ok || p.Group != Provinces {
		return Agency{}, Errorf(ErrNotFound, "Không có tỉnh mã %q", "No province with code %q", province)
	}
	switch {
	case !localCode.MatchString(local):
		return Agency{}, Errorf(ErrInvalid, "Mã cơ quan %q không hợp lệ: 1–20 chữ cái không dấu, chữ số hoặc _ (ví dụ SNV)",
			"Agency code %q is not valid: 1–20 letters without diacritics, digits or _ (e.g. SNV)", local)
	case nameVI == "" || len(nameVI) > 200 || len(nameEN) > 200:
		return Agency{}, Errorf(ErrInvalid, "Tên cơ quan phải có và không dài quá 200 ký tự", "The agency needs a name of at most 200 characters")
	}
	if nameEN == "" {
		nameEN = nameVI
	}
	a := Agency{Code: AgencyCode(province, local), Province: province, LocalCode: local, NameVI: nameVI, NameEN: nameEN, CreatedBy: actor, CreatedAt: now}
	err := s.change(ctx, changesAccounts, func(tx *sql.Conn) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM agencies WHERE code = ?`, a.Code).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return Errorf(ErrConflict, "Tỉnh %s đã có cơ quan mã %s", "Province %s already has an agency with code %s", province, local)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO agencies VALUES (?, ?, ?, ?, ?, ?, ?)`,
			a.Code, a.Province, a.LocalCode, a.NameVI, a.NameEN, a.CreatedBy, a.CreatedAt); err != nil {
			return fmt.Errorf("agencies: %w", err)
		}
		return audit(ctx, tx, AuditEntry{Actor: actor, Action: "agency_add", Unit: a.Code, Detail: map[string]any{"province": province, "name_vi": nameVI}})
	})
	if err != nil {
		return Agency{}, err
	}
	return a, nil
}

// ProvinceAgencies lists province's agencies by name, in Vietnamese order.
func (s *Store) ProvinceAgencies(ctx context.Context, province string) ([]Agency, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT code, province_code, local_code, name_vi, name_en, created_by, created_at
		FROM agencies WHERE province_code = ?`, province)
	if err != nil {
		return nil, fmt.Errorf("agencies: %w", err)
	}
	defer rows.Close()
	out := []Agency{}
	for rows.Next() {
		var a Agency
		if err := rows.Scan(&a.Code, &a.Province, &a.LocalCode, &a.NameVI, &a.NameEN, &a.CreatedBy, &a.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	sort.SliceStable(out, func(i, j int) bool { return CompareVI(out[i].NameVI, out[j].NameVI) < 0 })
	return out, rows.Err()
}
