package dashboard

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// GET /api/v1/indices/:name?year=Y
func (s *Server) indices(c echo.Context) error {
	name := c.Param("name")
	years, err := s.indexSrc.IndexYears(c.Request().Context())
	if err != nil {
		return err
	}
	if len(years[name]) == 0 {
		return fmt.Errorf("%w: no %q index imported (import a DTI or ICT Index file with egovkpi ingest)", data.ErrNotFound, name)
	}
	y := years[name][len(years[name])-1]
	if v := c.QueryParam("year"); v != "" {
		if y, err = strconv.Atoi(v); err != nil {
			return fmt.Errorf("%w: year %q is not a year", data.ErrInvalid, v)
		}
	}
	r, err := metrics.IndexRanking(c.Request().Context(), s.indexSrc, s.eng.Units(), name, y)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
