package dashboard

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
)

// Sources runs the scheduled ingesters and lists their runs.
type Sources interface {
	Run(ctx context.Context, name string) (data.Run, error)
	Runs(ctx context.Context, source string, limit int) ([]data.Run, error)
	RunsPage(ctx context.Context, source string, limit, offset int) ([]data.Run, int, error)
	Names() []string
	// Confirm accepts a run's file that waits for confirmation, as actor.
	Confirm(ctx context.Context, id int64, actor, lang string) (*ingest.Outcome, error)
}

// GET /api/v1/ingest/runs?source=&limit=&offset=
func (s *Server) listRuns(c echo.Context) error {
	pg, err := readPage(c, 200, 1000)
	if err != nil {
		return err
	}
	runs, total, err := s.sources.RunsPage(c.Request().Context(), c.QueryParam("source"), pg.Limit, pg.Offset)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"sources": s.sources.Names(), "runs": runs, "page": pg.info(c, total)})
}

// POST /api/v1/sources/:name/run
func (s *Server) runSource(c echo.Context) error {
	r, err := s.sources.Run(c.Request().Context(), c.Param("name"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// GET /runs: the run history.
func (s *Server) runsPage(c echo.Context) error {
	runs, err := s.sources.Runs(c.Request().Context(), c.QueryParam("source"), 300)
	if err != nil {
		return err
	}
	lang := langOf(c)
	type row struct {
		ID                                          int64
		Source, Started, Outcome, Message, FileName string
		Rows                                        int
	}
	var rows []row
	for _, r := range runs {
		rows = append(rows, row{r.ID, r.Source, FormatTime(r.StartedAt, lang), r.Outcome, r.Message, r.FileName, r.Rows})
	}
	return s.render(c, http.StatusOK, "runs.html", "runs", T(lang, "nav.runs"), map[string]any{"Rows": rows, "Sources": s.sources.Names()})
}

// failing reports whether a source's latest run failed, for the admin's red mark.
func (s *Server) failing(ctx context.Context) bool {
	if s.sources == nil {
		return false
	}
	runs, err := s.sources.Runs(ctx, "", 200)
	if err != nil {
		return false
	}
	seen := map[string]bool{}
	for _, r := range runs {
		if seen[r.Source] {
			continue
		}
		seen[r.Source] = true
		if r.Outcome == "failed" || r.Outcome == "rejected" {
			return true
		}
	}
	return false
}
