package dashboard

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
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
		d := ""
		if e.Detail != nil {
			b, _ := json.Marshal(e.Detail)
			d = string(b)
		}
		rows = append(rows, auditRow{FormatTime(e.At, lang), e.Actor, e.Action, e.Unit, e.Month.String(), d, e.Peer})
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
