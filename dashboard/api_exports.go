package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/reports"
)

// Exporter is what the export routes read; *data.Store is one.
type Exporter interface {
	reports.RawSource
	ExportParquet(ctx context.Context, from, to data.Month, allVersions bool, path string) error
	Units() *data.Registry
	Audit(ctx context.Context, e data.AuditEntry) error
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func (s *Server) audited(c echo.Context, what string, detail map[string]any) error {
	detail["export"] = what
	return s.exporter.Audit(c.Request().Context(), data.AuditEntry{Actor: actorOf(c), Action: "export", Detail: detail, Peer: c.RealIP()})
}

// GET /api/v1/exports/rankings.xlsx?period=&group=&boundaries=&lang=
func (s *Server) exportRankings(c echo.Context) error {
	v, err := s.readView(c)
	if err != nil {
		return err
	}
	cov, err := s.eng.Coverage(c.Request().Context())
	if err != nil {
		return err
	}
	changed := time.Time{}
	if cov.LastChange != nil {
		changed = *cov.LastChange
	}
	lang := c.QueryParam("lang")
	if lang == "" {
		lang = langOf(c)
	}
	b, err := reports.Monthly(c.Request().Context(), s.eng, reports.Options{Period: v.Period, Group: v.Group, Boundaries: v.Boundaries,
		Lang: lang, Author: actorOf(c), DataChanged: changed})
	if err != nil {
		return err
	}
	if err := s.audited(c, "rankings.xlsx", map[string]any{"period": v.Period.String(), "group": v.Group}); err != nil {
		return err
	}
	return attachment(c, fmt.Sprintf("xep-hang-%s-%s.xlsx", v.Group, v.Period), xlsxType, b)
}

// GET /api/v1/exports/trend.xlsx?from=&to=&group=
func (s *Server) exportTrend(c echo.Context) error {
	ctx := c.Request().Context()
	from, to, err := s.span(c)
	if err != nil {
		return err
	}
	g, err := data.ParseGroup(c.QueryParam("group"))
	if err != nil {
		return err
	}
	b, err := reports.Trend(ctx, s.eng, s.eng.Units(), from, to, reports.Options{Group: g, Lang: langOf(c), Author: actorOf(c)})
	if err != nil {
		return err
	}
	if err := s.audited(c, "trend.xlsx", map[string]any{"from": from.String(), "to": to.String(), "group": g}); err != nil {
		return err
	}
	return attachment(c, fmt.Sprintf("xu-huong-%s-%s-%s.xlsx", g, from, to), xlsxType, b)
}

// GET /api/v1/exports/raw.{csv,xlsx,parquet}?from=&to=&versions=all
func (s *Server) exportRaw(c echo.Context) error {
	ctx := c.Request().Context()
	from, to, err := s.span(c)
	if err != nil {
		return err
	}
	all := c.QueryParam("versions") == "all"
	format := c.Param("format")
	if err := s.audited(c, "raw."+format, map[string]any{"from": from.String(), "to": to.String(), "all_versions": all}); err != nil {
		return err
	}
	name := fmt.Sprintf("so-lieu-%s-%s.%s", from, to, format)
	switch format {
	case "csv", "xlsx":
		ct := map[string]string{"csv": "text/csv; charset=utf-8", "xlsx": xlsxType}[format]
		c.Response().Header().Set("Content-Type", ct)
		c.Response().Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
		c.Response().WriteHeader(http.StatusOK)
		// streamed: the response starts before the last row is read
		_, err := reports.Raw(ctx, s.exporter, from, to, all, format, c.Response(), nil)
		return err
	case "parquet":
		dir, err := os.MkdirTemp("", "egovkpi-export-")
		if err != nil {
			return err
		}
		defer func() { _ = os.RemoveAll(dir) }() // a temporary folder: its leftovers are harmless
		path := filepath.Join(dir, "raw.parquet")
		if err := s.exporter.ExportParquet(ctx, from, to, all, path); err != nil {
			return err
		}
		c.Response().Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
		return c.File(path)
	}
	return fmt.Errorf("%w: format %q: use csv, xlsx or parquet", data.ErrNotFound, format)
}

func attachment(c echo.Context, name, ctype string, b []byte) error {
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	return c.Blob(http.StatusOK, ctype, b)
}

// span reads ?from=&to=, by default the year so far up to the group's last closed month.
func (s *Server) span(c echo.Context) (data.Month, data.Month, error) {
	g, err := data.ParseGroup(c.QueryParam("group"))
	if err != nil {
		return 0, 0, err
	}
	last, err := s.eng.DefaultMonth(c.Request().Context(), g)
	if err != nil {
		return 0, 0, err
	}
	from, err := month(c, "from", data.NewMonth(last.Year(), 1))
	if err != nil {
		return 0, 0, err
	}
	to, err := month(c, "to", last)
	return from, to, err
}
