package dashboard

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
)

type auditRow struct {
	When, Actor, Action, Unit, Period, Detail, Peer string
}

// GET /audit: the audit log with its filters.
func (s *Server) auditPage(c echo.Context) error {
	lang := langOf(c)
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	es, err := s.admin.AuditLog(c.Request().Context(), f)
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
	return s.render(c, http.StatusOK, "audit.html", "audit", T(lang, "nav.audit"), map[string]any{
		"Rows": rows, "Actor": f.Actor, "Action": f.Action, "Unit": f.Unit})
}
