package reports

import (
	"context"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// ProvinceMetrics is what a province's workbook reads; *metrics.Engine is one.
type ProvinceMetrics interface {
	Rankings(ctx context.Context, q metrics.RankingQuery) (*metrics.Ranking, error)
	CommuneBoard(ctx context.Context, province, indicator string, m data.Month) (*metrics.CommuneBoard, error)
	AgencyBoard(ctx context.Context, province, indicator string, m data.Month) (*metrics.Ranking, error)
	Defs() *metrics.Defs
}

// communeTypes names a commune's type as officials write it.
var communeTypes = map[string][2]string{"xa": {"Xã", "Commune"}, "phuong": {"Phường", "Ward"}, "dac_khu": {"Đặc khu", "Special zone"}}

// Province writes a province's workbook for month m: its communes ranked on indicator,
// with every indicator's value and the completeness of their data (CommuneSheet), and
// its own agencies on the same indicator when it has defined any.
func Province(ctx context.Context, m ProvinceMetrics, province data.Unit, indicator string, month data.Month, author, lang string) ([]byte, error) {
	o := Options{Lang: lang}
	communes, err := CommuneSheet(ctx, m, province, indicator, month, lang)
	if err != nil {
		return nil, err
	}
	sheets := []Sheet{communes}
	agencies, err := m.AgencyBoard(ctx, province.Code, indicator, month)
	if err != nil {
		return nil, err
	}
	if len(agencies.Rows) > 0 {
		s := Sheet{Name: o.t("Sở, ban, ngành", "Agencies"),
			Title: province.Name(lang) + " · " + o.t("sở, ban, ngành", "agencies") + " · " + agencies.Def.Name(lang) + " · " + data.MonthPeriod(month).Label(lang),
			Heads: []string{o.t("Hạng", "Rank"), o.t("Mã", "Code"), o.t("Cơ quan", "Agency"), agencies.Def.Name(lang) + " (%)",
				o.t("Tử số", "Numerator"), o.t("Mẫu số", "Denominator")},
			Widths: []float64{8, 10, nameWidth(nil), 16, 12, 12}}
		for _, r := range agencies.Rows {
			s.Rows = append(s.Rows, []Cell{intCell(r.Rank), Text(r.UnitCode), Text(name(lang, r.UnitNameVI, r.UnitNameEN)),
				Number(r.Value, agencies.Def.Decimals()), int64Cell(r.Numerator), int64Cell(r.Denominator)})
		}
		sheets = append(sheets, s)
	}
	return Table(communes.Title, author, lang, sheets)
}

// CommuneSheet is the sheet of province's communes ranked on indicator for month m: rank,
// code, name, type, each indicator's value (%), and how many of the last 12 months
// (fewer for communes younger than that) each one reported, as on the province's page.
func CommuneSheet(ctx context.Context, m ProvinceMetrics, province data.Unit, indicator string, month data.Month, lang string) (Sheet, error) {
	o := Options{Lang: lang}
	board, err := m.CommuneBoard(ctx, province.Code, indicator, month)
	if err != nil {
		return Sheet{}, err
	}
	defs := m.Defs().Indicators
	// every indicator's value of every commune: one ranking of the province's communes each
	values := make([]map[string]*float64, len(defs))
	for i, in := range defs {
		r, err := m.Rankings(ctx, metrics.RankingQuery{Indicator: in.Code, Period: data.MonthPeriod(month), Group: data.Communes,
			Province: province.Code, Boundaries: metrics.Current})
		if err != nil {
			return Sheet{}, err
		}
		values[i] = map[string]*float64{}
		for _, row := range r.Rows {
			values[i][row.UnitCode] = row.Value
		}
	}
	s := Sheet{Name: o.t("Xã, phường", "Communes"),
		Title: province.Name(lang) + " · " + o.t("xã, phường, đặc khu xếp hạng theo ", "communes, wards and special zones ranked on ") +
			board.Def.Name(lang) + " · " + data.MonthPeriod(month).Label(lang),
		Note:  o.t("Giá trị là tỷ lệ (%); ô trống: không có số liệu. Đầy đủ số liệu: số tháng có báo cáo trong 12 tháng gần nhất (từ 07/2025).", "Values are rates (%); an empty cell: no data. Completeness: months reported of the last 12 (from 2025-07)."),
		Heads: []string{o.t("Hạng", "Rank"), o.t("Mã", "Code"), o.t("Xã, phường", "Commune"), o.t("Loại", "Type")}}
	s.Widths = []float64{8, 8, 0, 10}
	for _, in := range defs {
		s.Heads = append(s.Heads, in.Name(lang)+" (%)")
		s.Widths = append(s.Widths, 16)
	}
	s.Heads = append(s.Heads, o.t("Số tháng có báo cáo", "Months reported"), o.t("Số tháng phải báo cáo", "Months expected"), o.t("Đầy đủ số liệu (%)", "Completeness (%)"))
	s.Widths = append(s.Widths, 12, 12, 12)
	var names []string
	for _, r := range board.Rows {
		n := name(lang, r.UnitNameVI, r.UnitNameEN)
		names = append(names, n)
		typ := communeTypes[r.Type]
		row := []Cell{intCell(r.Rank), Text(r.UnitCode), Text(n), Text(name(lang, typ[0], typ[1]))}
		for i, in := range defs {
			row = append(row, Number(values[i][r.UnitCode], in.Decimals()))
		}
		reported, expected := float64(r.MonthsReported), float64(r.MonthsExpected)
		row = append(row, Number(&reported, 0), Number(&expected, 0), Number(r.Completeness, 1))
		s.Rows = append(s.Rows, row)
	}
	s.Widths[2] = nameWidth(names)
	return s, nil
}

func name(lang, vi, en string) string {
	if lang == "en" && en != "" {
		return en
	}
	return vi
}

func intCell(p *int) Cell {
	if p == nil {
		return Cell{}
	}
	v := float64(*p)
	return Number(&v, 0)
}

func int64Cell(p *int64) Cell {
	if p == nil {
		return Cell{}
	}
	v := float64(*p)
	return Number(&v, 0)
}
