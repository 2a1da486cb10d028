package dashboard

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

type heatRow struct {
	Unit  data.Unit
	Cells []string // status per month, "" where the unit was not in force
}

// GET /completeness?period=&group=: the month's reports and a units × months heat map of
// the twelve months up to it.
func (s *Server) completenessPage(c echo.Context) error {
	ctx := c.Request().Context()
	lang := langOf(c)
	cov, err := s.eng.Coverage(ctx)
	if err != nil {
		return err
	}
	d := map[string]any{"Empty": cov.Submissions == 0}
	if cov.Submissions == 0 {
		return s.render(c, http.StatusOK, "completeness.html", "completeness", T(lang, "nav.completeness"), d)
	}
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
	span := data.Period{Kind: data.KindRange, From: p.To.Add(-11), To: p.To}
	year, err := s.eng.Completeness(ctx, span, g)
	if err != nil {
		return err
	}
	status := map[string]map[string]string{}
	for _, u := range year.Units {
		if status[u.UnitCode] == nil {
			status[u.UnitCode] = map[string]string{}
		}
		status[u.UnitCode][u.Period] = u.Status
	}
	var months []string
	for _, m := range span.Months() {
		months = append(months, m.String())
	}
	var rows []heatRow
	seen := map[string]bool{}
	for _, m := range span.Months() {
		for _, u := range s.eng.Units().InForce(g, m) {
			if seen[u.Code+u.ValidFrom.String()] {
				continue
			}
			seen[u.Code+u.ValidFrom.String()] = true
			r := heatRow{Unit: u}
			for _, mm := range span.Months() {
				st := ""
				if u.InForce(mm) {
					st = status[u.Code][mm.String()]
				}
				r.Cells = append(r.Cells, st)
			}
			rows = append(rows, r)
		}
	}
	d["Month"] = month
	d["Months"] = months
	d["Rows"] = rows
	d["Group"] = string(g)
	d["Period"] = p.To.String()
	d["Statuses"] = []string{metrics.StatusOnTime, metrics.StatusLate, metrics.StatusMissing, metrics.StatusPending}
	return s.render(c, http.StatusOK, "completeness.html", "completeness", T(lang, "nav.completeness")+" · "+data.MonthPeriod(p.To).Label(lang), d)
}
