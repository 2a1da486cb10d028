package dashboard

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
)

// GET /upload: the officer's page: the template, then drag and drop.
func (s *Server) uploadPage(c echo.Context) error {
	id := identityOf(c)
	lang := langOf(c)
	m := ingest.LastCompleteMonth(time.Now())
	var units []data.Unit
	if id.User.Role == data.RoleOfficer {
		if u, ok := s.eng.Units().Latest(id.User.Unit); ok {
			units = []data.Unit{u}
		}
	} else {
		units = append(s.eng.Units().InForce(data.Provinces, m), s.eng.Units().InForce(data.Ministries, m)...)
	}
	return s.render(c, http.StatusOK, "upload.html", "upload", T(lang, "nav.upload"), map[string]any{
		"Units": units, "Period": m.String(), "Officer": id.User.Role == data.RoleOfficer})
}

func urlPathEscape(s string) string { return url.PathEscape(s) }
