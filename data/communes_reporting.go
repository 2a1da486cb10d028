package data

import (
	"context"
	"strings"
)

// communeReportingKey is the setting that turns commune reporting on for a province: its
// value is the first month the province's communes are expected to report ("" or
// absent: off). Off by default, so that 3,321 communes do not hold up completeness and
// the closed month where nobody asked them to report.
func communeReportingKey(province string) string { return "communes.reporting." + province }

// CommuneReporting maps each province whose communes are expected to report to the first
// month they are.
func (s *Store) CommuneReporting(ctx context.Context) (map[string]Month, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, value FROM settings WHERE starts_with(key, 'communes.reporting.') AND value <> ''`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Month{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		if m, err := ParseMonth(v); err == nil {
			out[strings.TrimPrefix(k, "communes.reporting.")] = m
		}
	}
	return out, rows.Err()
}

// SetCommuneReporting turns province's commune reporting on from month from, or off with
// a zero month, in the audit log. The data version moves: completeness and the default
// month depend on it.
func (s *Store) SetCommuneReporting(ctx context.Context, province string, from Month, actor string) error {
	if p, ok := s.ref.Latest(province); !ok || p.Group != Provinces || !p.ValidTo.IsZero() {
		return Errorf(ErrNotFound, "Không có tỉnh mã %q", "No province with code %q", province)
	}
	if !from.IsZero() && from < NewMonth(2025, 7) {
		return Errorf(ErrInvalid, "Xã, phường chỉ có từ 2025-07: không thể báo cáo từ %s", "Communes exist from 2025-07 only: they cannot report from %s", from)
	}
	v := ""
	if !from.IsZero() {
		v = from.String()
	}
	if err := s.SetSetting(ctx, communeReportingKey(province), v, actor); err != nil {
		return err
	}
	s.version.Add(1)
	return nil
}
