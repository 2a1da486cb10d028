package dashboard

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
)

// SourceEditor reads and changes the scheduled sources; *ingest.SourceConfig is one.
type SourceEditor interface {
	Text(ctx context.Context) (string, error)
	Set(ctx context.Context, text, actor string) ([]ingest.Source, error)
}

// GET /sources: the sources in force, as TOML an admin edits.
func (s *Server) sourcesPage(c echo.Context) error {
	text, err := s.srcEdit.Text(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "sources.html", "runs", T(langOf(c), "nav.sources"), map[string]any{"Text": text})
}

// POST /sources (form field toml): save and apply, or show what is wrong.
func (s *Server) saveSourcesPage(c echo.Context) error {
	text := c.FormValue("toml")
	if _, err := s.srcEdit.Set(c.Request().Context(), text, actorOf(c)); err != nil {
		if errors.Is(err, data.ErrInvalid) {
			return s.render(c, http.StatusUnprocessableEntity, "sources.html", "runs", T(langOf(c), "nav.sources"), map[string]any{"Text": text, "Error": data.MessageOf(err, langOf(c))})
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/runs")
}

// GET /api/v1/sources
func (s *Server) getSources(c echo.Context) error {
	text, err := s.srcEdit.Text(c.Request().Context())
	if err != nil {
		return err
	}
	srcs, _ := ingest.ParseSources(text, "the sources in force")
	if srcs == nil {
		srcs = []ingest.Source{}
	}
	return c.JSON(http.StatusOK, map[string]any{"toml": text, "sources": srcs})
}

// PUT /api/v1/sources (the TOML as the body)
func (s *Server) putSources(c echo.Context) error {
	b, err := io.ReadAll(io.LimitReader(c.Request().Body, 1<<20))
	if err != nil {
		return err
	}
	srcs, err := s.srcEdit.Set(c.Request().Context(), strings.TrimSpace(string(b)), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"sources": srcs})
}
