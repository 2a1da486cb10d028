package dashboard

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
)

// GET /dossiers?month=&group=: the group's late dossiers of the month from the kept
// dossier rows: by unit, by procedure, and the most late of them.
func (s *Server) dossiersPage(c echo.Context) error {
	lang := langOf(c)
	sc, err := s.lateScopeOf(c)
	if err != nil {
		return err
	}
	sc.Unit = nil // the page is a group's; a unit's are on its own page
	late, err := s.lateDossiersOf(c.Request().Context(), sc, 20)
	if err != nil {
		return err
	}
	names := s.unitNames(sc.Month, lang)
	procedures := late.Procedures
	if len(procedures) > 20 {
		procedures = procedures[:20]
	}
	d := map[string]any{"Late": late, "Month": sc.Month, "Group": sc.Group, "Procedures": procedures,
		"MoreProcedures": len(late.Procedures) - len(procedures), "Name": names,
		"Empty": late.Resolved+late.ResolvedLate+late.Overdue == 0}
	return s.render(c, http.StatusOK, "dossiers.html", "dossiers", T(lang, "nav.dossiers")+" · "+T(lang, string(sc.Group)), d)
}

// share is late out of resolved, nil when nothing was resolved.
func share(c data.LateCounts) *float64 {
	if c.Resolved == 0 {
		return nil
	}
	v := 100 * float64(c.ResolvedLate) / float64(c.Resolved)
	return &v
}
