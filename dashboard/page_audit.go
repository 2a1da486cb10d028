package dashboard

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
)

type auditRow struct {
	When, Actor, Action, Unit, Period, Detail, Peer string
}

// GET /audit: the audit log with its filters.
func (s *Server) auditPage(c echo.Context) error {
	lang := langOf(c)
	f, pg, err := auditFilter(c, 100)
	if err != nil {
		return err
	}
	es, total, err := s.auditEntries(c, f)
	if err != nil {
		return err
	}
	var rows []auditRow
	for _, e := range es {
		period := ""
		if !e.Month.IsZero() {
			period = data.MonthPeriod(e.Month).Label(lang)
		}
		rows = append(rows, auditRow{FormatTime(e.At, lang), actorLabel(lang, e.Actor), auditAction(lang, e.Action), e.Unit, period,
			auditDetail(s.eng.Defs(), lang, e), e.Peer})
	}
	info := pg.info(c, total)
	prev := ""
	if pg.Offset > 0 {
		q := c.QueryParams()
		q.Set("offset", strconv.Itoa(max(0, pg.Offset-pg.Limit)))
		prev = "/audit?" + q.Encode()
	}
	return s.render(c, http.StatusOK, "audit.html", "audit", T(lang, "nav.audit"), map[string]any{
		"Rows": rows, "Actor": f.Actor, "Action": f.Action, "Unit": f.Unit, "From": c.QueryParam("from"), "To": c.QueryParam("to"),
		"First": min(pg.Offset+1, total), "Last": pg.Offset + len(rows), "Total": total, "Next": info.Next, "Prev": prev})
}
