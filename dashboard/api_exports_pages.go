package dashboard

import (
	"errors"
	"fmt"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
	"github.com/egovkpi/egovkpi/reports"
)

// The workbooks of the pages with a table or a chart's values: trends, completeness,
// maturity and the map. Each holds what its page shows for the same choices, in the
// reader's language, and is audited as every export is.

func exportLang(c echo.Context) string {
	if l := c.QueryParam("lang"); l == "en" || l == "vi" {
		return l
	}
	return langOf(c)
}

func xlsxPeriod(p string) string { return strings.ReplaceAll(p, "..", "-") }

// GET /api/v1/exports/trends.xlsx?group=&lang=: the national series of every indicator
// and its target, month by month, as the trends page draws them.
func (s *Server) exportTrends(c echo.Context) error {
	ctx := c.Request().Context()
	lang := exportLang(c)
	g, err := data.ParseGroup(c.QueryParam("group"))
	if err != nil {
		return err
	}
	cov, err := s.eng.Coverage(ctx)
	if err != nil {
		return err
	}
	if cov.Submissions == 0 {
		return fmt.Errorf("%w: %s", data.ErrNotFound, T(lang, "nodata"))
	}
	last, err := s.eng.DefaultMonth(ctx, g)
	if err != nil {
		return err
	}
	heads := []string{pick(lang, "Tháng", "Month")}
	widths := []float64{16}
	var months []data.Month
	for m := cov.FirstMonth; m <= last; m = m.Add(1) {
		months = append(months, m)
	}
	rows := make([][]reports.Cell, len(months))
	for i, m := range months {
		rows[i] = []reports.Cell{reports.Text(data.MonthPeriod(m).Label(lang))}
	}
	for _, in := range s.eng.Defs().Indicators {
		sr, err := s.eng.Series(ctx, metrics.SeriesQuery{Group: g, Indicator: in.Code, From: cov.FirstMonth, To: last})
		if err != nil {
			return err
		}
		unit := ""
		if in.Kind == "percent" {
			unit = " (%)"
		}
		heads = append(heads, in.Name(lang)+" · "+T(lang, "national")+unit, in.Name(lang)+" · "+T(lang, "target")+unit)
		widths = append(widths, 18, 14)
		at := map[string]metrics.Point{}
		for _, pt := range sr.Points {
			at[pt.Period] = pt
		}
		for i, m := range months {
			pt := at[m.String()]
			rows[i] = append(rows[i], reports.Number(pt.Value, in.Decimals()), reports.Number(pt.Target, in.Decimals()))
		}
	}
	title := T(lang, "nav.trends") + " · " + groupLabel(lang, g) + " · " + data.Period{Kind: data.KindRange, From: cov.FirstMonth, To: last}.Label(lang)
	b, err := reports.Table(title, actorOf(c), lang, []reports.Sheet{{Name: T(lang, "nav.trends"), Title: title, Heads: heads, Rows: rows, Widths: widths}})
	if err != nil {
		return err
	}
	if err := s.audited(c, "trends.xlsx", map[string]any{"from": cov.FirstMonth.String(), "to": last.String(), "group": g}); err != nil {
		return err
	}
	return attachment(c, fmt.Sprintf("xu-huong-ca-nuoc-%s-%s-%s.xlsx", g, cov.FirstMonth, last), xlsxType, b)
}

// GET /api/v1/exports/completeness.xlsx?period=&group=&lang=: the month's reports (the
// page's table) and the twelve months' statuses (its heat map).
func (s *Server) exportCompleteness(c echo.Context) error {
	ctx := c.Request().Context()
	lang := exportLang(c)
	p, err := s.period(c, "period")
	if err != nil {
		return err
	}
	g, err := data.ParseGroup(c.QueryParam("group"))
	if err != nil {
		return err
	}
	month, err := s.eng.Completeness(ctx, data.MonthPeriod(p.To), g)
	if err != nil {
		return err
	}
	var rows [][]reports.Cell
	for _, u := range month.Units {
		at := ""
		if u.LastAt != nil {
			at = FormatTime(*u.LastAt, lang)
		}
		v := float64(u.Versions)
		rows = append(rows, []reports.Cell{reports.Text(pick(lang, u.UnitNameVI, u.UnitNameEN)), reports.Text(u.UnitCode),
			reports.Text(T(lang, u.Status)), reports.Text(at), reports.Text(u.LastBy), reports.Number(&v, 0)})
	}
	label := data.MonthPeriod(p.To).Label(lang)
	title := T(lang, "nav.completeness") + " · " + groupLabel(lang, g) + " · " + label
	note := fmt.Sprintf("%s: %d · %s: %d · %s: %d · %s: %d · %s: %d", T(lang, "expected"), month.Expected, T(lang, "received"), month.Received,
		T(lang, "on_time"), month.OnTime, T(lang, "late"), month.Late, T(lang, "missing"), month.Missing)
	sheets := []reports.Sheet{{Name: label, Title: title, Note: note,
		Heads: []string{T(lang, "unit"), pick(lang, "Mã", "Code"), T(lang, "status"), T(lang, "last_upload"), T(lang, "who"), T(lang, "version")},
		Rows:  rows, Widths: []float64{0, 8, 14, 20, 16, 10}}}

	span := data.Period{Kind: data.KindRange, From: p.To.Add(-11), To: p.To}
	year, err := s.eng.Completeness(ctx, span, g)
	if err != nil {
		return err
	}
	status := map[string]string{}
	for _, u := range year.Units {
		status[u.UnitCode+"|"+u.Period] = u.Status
	}
	heads := []string{T(lang, "unit"), pick(lang, "Mã", "Code")}
	widths := []float64{0, 8}
	for _, m := range span.Months() {
		heads = append(heads, data.MonthPeriod(m).Label(lang))
		widths = append(widths, 13)
	}
	var heat [][]reports.Cell
	seen := map[string]bool{}
	for _, m := range span.Months() {
		for _, u := range s.eng.Units().InForce(g, m) {
			if seen[u.Code+u.ValidFrom.String()] {
				continue
			}
			seen[u.Code+u.ValidFrom.String()] = true
			row := []reports.Cell{reports.Text(u.Name(lang)), reports.Text(u.Code)}
			for _, mm := range span.Months() {
				st := ""
				if u.InForce(mm) && status[u.Code+"|"+mm.String()] != "" {
					st = T(lang, status[u.Code+"|"+mm.String()])
				}
				row = append(row, reports.Text(st))
			}
			heat = append(heat, row)
		}
	}
	sheets = append(sheets, reports.Sheet{Name: pick(lang, "12 tháng", "12 months"), Title: T(lang, "heatmap") + " · " + span.Label(lang),
		Heads: heads, Rows: heat, Widths: widths})
	b, err := reports.Table(title, actorOf(c), lang, sheets)
	if err != nil {
		return err
	}
	if err := s.audited(c, "completeness.xlsx", map[string]any{"period": p.To.String(), "group": g}); err != nil {
		return err
	}
	return attachment(c, fmt.Sprintf("day-du-bao-cao-%s-%s.xlsx", g, p.To), xlsxType, b)
}

// GET /api/v1/exports/maturity.xlsx?period=&group=&boundaries=&lang=: the maturity matrix.
func (s *Server) exportMaturity(c echo.Context) error {
	ctx := c.Request().Context()
	lang := exportLang(c)
	v, err := s.readView(c)
	if err != nil {
		return err
	}
	r, err := s.eng.Maturity(ctx, v.Period.To, v.Group, v.Boundaries)
	if err != nil {
		return err
	}
	var caps []metrics.Capability
	for _, cp := range s.eng.Defs().Capabilities {
		if cp.AppliesTo(v.Group) {
			caps = append(caps, cp)
		}
	}
	heads := []string{T(lang, "unit"), pick(lang, "Mã", "Code"), T(lang, "maturity.level"), T(lang, "maturity.missing")}
	widths := []float64{0, 8, 24, 50}
	for _, cp := range caps {
		h := pick(lang, cp.NameVI, cp.NameEN)
		if cp.Kind == "percent" {
			h += " (%)"
		}
		heads = append(heads, h)
		widths = append(widths, 16)
	}
	var rows [][]reports.Cell
	for _, row := range r.Rows {
		var missing []string
		for _, m := range row.Missing {
			missing = append(missing, pick(lang, m.TextVI, m.TextEN))
		}
		name := pick(lang, row.UnitNameVI, row.UnitNameEN)
		if row.Derived {
			name += " (" + T(lang, "maturity.derived") + ")"
		}
		cells := []reports.Cell{reports.Text(name), reports.Text(row.UnitCode),
			reports.Text(fmt.Sprintf("%d · %s", row.Level, pick(lang, row.LevelName, row.LevelNameEN))), reports.Text(strings.Join(missing, "; "))}
		for _, cp := range caps {
			val := row.Capabilities[cp.Code]
			switch {
			case val == nil:
				cells = append(cells, reports.Text("—"))
			case cp.Kind == "percent":
				cells = append(cells, reports.Number(val, 0))
			case *val > 0:
				cells = append(cells, reports.Text(T(lang, "maturity.yes")))
			default:
				cells = append(cells, reports.Text(T(lang, "maturity.no")))
			}
		}
		rows = append(rows, cells)
	}
	label := data.MonthPeriod(v.Period.To).Label(lang)
	title := T(lang, "nav.maturity") + " · " + groupLabel(lang, v.Group) + " · " + label
	b, err := reports.Table(title, actorOf(c), lang, []reports.Sheet{{Name: T(lang, "maturity.matrix"), Title: title, Note: T(lang, "maturity.rule"),
		Heads: heads, Rows: rows, Widths: widths}})
	if err != nil {
		return err
	}
	if err := s.audited(c, "maturity.xlsx", map[string]any{"period": v.Period.To.String(), "group": v.Group, "boundaries": v.Boundaries}); err != nil {
		return err
	}
	return attachment(c, fmt.Sprintf("muc-do-truong-thanh-%s-%s.xlsx", v.Group, v.Period.To), xlsxType, b)
}

// GET /api/v1/exports/map.xlsx?indicator=&period=&lang=: the values the map colours the
// 34 provinces by.
func (s *Server) exportMap(c echo.Context) error {
	ctx := c.Request().Context()
	lang := exportLang(c)
	p, err := s.period(c, "period")
	if err != nil {
		return err
	}
	ind := c.QueryParam("indicator")
	if ind == "" {
		ind = "online_dossier_rate"
	}
	r, err := s.eng.Rankings(ctx, metrics.RankingQuery{Indicator: ind, Period: p, Group: data.Provinces, Boundaries: metrics.Current})
	if err != nil && !errors.Is(err, data.ErrNotFound) {
		return err
	}
	if r == nil {
		return fmt.Errorf("%w: %s", data.ErrNotFound, T(lang, "nodata"))
	}
	unit := ""
	if r.Def.Kind == "percent" {
		unit = " (%)"
	}
	dec := r.Def.Decimals()
	var rows [][]reports.Cell
	for _, row := range r.Rows {
		var rank *float64
		if row.Rank != nil {
			f := float64(*row.Rank)
			rank = &f
		}
		reason := ""
		if row.Value == nil {
			reason = T(lang, "no_report")
		}
		rows = append(rows, []reports.Cell{reports.Text(pick(lang, row.UnitNameVI, row.UnitNameEN)), reports.Text(row.UnitCode),
			reports.Number(row.Value, dec), reports.Number(rank, 0), reports.Text(reason)})
	}
	rows = append(rows, []reports.Cell{reports.Text(T(lang, "national")), reports.Text(""), reports.Number(r.National.Value, dec)})
	title := T(lang, "nav.map") + " · " + r.Def.Name(lang) + " · " + p.Label(lang)
	b, err := reports.Table(title, actorOf(c), lang, []reports.Sheet{{Name: T(lang, "nav.map"), Title: title, Note: T(lang, "map.note"),
		Heads: []string{T(lang, "unit"), pick(lang, "Mã", "Code"), r.Def.Name(lang) + unit, pick(lang, "Hạng", "Rank"), pick(lang, "Ghi chú", "Note")},
		Rows:  rows, Widths: []float64{0, 8, 22, 8, 22}}})
	if err != nil {
		return err
	}
	if err := s.audited(c, "map.xlsx", map[string]any{"period": p.String(), "indicator": ind}); err != nil {
		return err
	}
	return attachment(c, fmt.Sprintf("ban-do-%s-%s.xlsx", ind, xlsxPeriod(p.String())), xlsxType, b)
}

func groupLabel(lang string, g data.Group) string {
	if g == data.Ministries {
		return T(lang, "ministries")
	}
	return T(lang, "provinces")
}
