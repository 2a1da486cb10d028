package dashboard

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
)

var timeNow = time.Now

// GET /api/v1/measures
func (s *Server) listMeasures(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"measures": data.Measures})
}

// GET /api/v1/coverage
func (s *Server) coverage(c echo.Context) error {
	cov, err := s.store.Coverage(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cov)
}

// GET /api/v1/indicators
func (s *Server) listIndicators(c echo.Context) error {
	return c.JSON(http.StatusOK, s.eng.Defs())
}
