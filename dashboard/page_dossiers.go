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
	more := keepProcedures(&late, 20)
	d := map[string]any{"Late": late, "Month": sc.Month, "Group": sc.Group, "MoreProcedures": more, "Name": names, "Empty": !late.Counted()}
	return s.render(c, http.StatusOK, "dossiers.html", "dossiers", T(lang, "nav.dossiers")+" · "+T(lang, string(sc.Group)), d)
}

// keepProcedures keeps the first n procedures of a page's answer (a copy: the kept answer
// is shared) and says how many it left out.
func keepProcedures(late *data.LateDossiers, n int) int {
	more := max(len(late.Procedures)-n, 0)
	late.Procedures = late.Procedures[:len(late.Procedures)-more]
	return more
}

// share is late out of resolved, nil when nothing was resolved.
func share(c data.LateCounts) *float64 {
	if c.Resolved == 0 {
		return nil
	}
	v := 100 * float64(c.ResolvedLate) / float64(c.Resolved)
	return &v
}
