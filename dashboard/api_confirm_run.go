package dashboard

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
)

// confirmRun sends a waiting run's file again, confirmed by the administrator.
func (s *Server) confirmRun(c echo.Context) (*ingest.Outcome, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, data.Errorf(data.ErrInvalid, "Mã lượt chạy %q không hợp lệ", "run id %q is not a number", c.Param("id"))
	}
	o, err := s.sources.Confirm(c.Request().Context(), id, actorOf(c), langOf(c))
	if err != nil {
		return nil, err
	}
	if !o.Accepted {
		if o.Reason != nil {
			return o, o.Reason
		}
		return o, data.Errorf(data.ErrInvalid, "Tệp không được nhận: %d lỗi", "the file was not accepted: %d problems", o.ErrorCount)
	}
	return o, nil
}

// POST /api/v1/ingest/runs/:id/confirm: a source's file that waits for confirmation (a
// dossier export over figures units reported themselves) is accepted.
func (s *Server) confirmRunAPI(c echo.Context) error {
	o, err := s.confirmRun(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"outcome": o.Status, "sha256": o.SHA256, "submissions": o.Receipts, "dossiers": o.Dossiers})
}

// POST /runs/:id/confirm: the same from the runs page.
func (s *Server) confirmRunPage(c echo.Context) error {
	if _, err := s.confirmRun(c); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/runs")
}
