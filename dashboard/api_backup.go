package dashboard

import (
	"context"
	"net/http"
	"path/filepath"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
)

// Backups writes consistent copies of the database while it serves; *data.Store is one.
type Backups interface {
	Backup(ctx context.Context, dir string) error
	Path() string
	Audit(ctx context.Context, e data.AuditEntry) error
}

// POST /api/v1/backup: a copy into the backups folder beside the database.
func (s *Server) backup(c echo.Context) error {
	base := s.backups.Path()
	dir := filepath.Join(base[:len(base)-len(filepath.Ext(base))]+".backups", time.Now().UTC().Format("20060102T150405Z"))
	if err := s.backups.Backup(c.Request().Context(), dir); err != nil {
		return err
	}
	if err := s.backups.Audit(c.Request().Context(), data.AuditEntry{Actor: actorOf(c), Action: "backup", Detail: map[string]any{"path": dir}, Peer: c.RealIP()}); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"path": dir, "restore": "egovkpi restore --from " + dir + " --db NEW.duckdb"})
}
