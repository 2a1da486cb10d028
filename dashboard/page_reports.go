package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/reports"
)

// ReportSchedule is the scheduled workbooks; *reports.Scheduler is one.
type ReportSchedule interface {
	Schedule() (string, time.Time)
	SetSchedule(ctx context.Context, spec, actor string) error
	RunNow(ctx context.Context) ([]string, error)
	Files() ([]reports.File, error)
	Path(name string) (string, error)
}

// GET /reports: the written workbooks; an admin sets the schedule here.
func (s *Server) reportsPage(c echo.Context) error {
	lang := langOf(c)
	files, err := s.schedule.Files()
	if err != nil {
		return err
	}
	spec, next := s.schedule.Schedule()
	nextText := ""
	if !next.IsZero() {
		nextText = FormatTime(next, lang)
	}
	var rows []map[string]string
	for _, f := range files {
		rows = append(rows, map[string]string{"Name": f.Name, "Size": FormatNumber(float64(f.Size)/1024, 0, lang) + " KB", "Written": FormatTime(f.Written, lang)})
	}
	return s.render(c, http.StatusOK, "reports.html", "reports", T(lang, "nav.reports"), map[string]any{
		"Files": rows, "Schedule": spec, "Next": nextText, "Admin": identityOf(c).can(admin)})
}

// GET /reports/:name
func (s *Server) reportFile(c echo.Context) error {
	p, err := s.schedule.Path(c.Param("name"))
	if err != nil {
		return err
	}
	if err := s.audited(c, "report "+c.Param("name"), map[string]any{}); err != nil {
		return err
	}
	return c.Attachment(p, c.Param("name"))
}

// GET /api/v1/reports
func (s *Server) listReports(c echo.Context) error {
	files, err := s.schedule.Files()
	if err != nil {
		return err
	}
	spec, next := s.schedule.Schedule()
	out := map[string]any{"schedule": spec, "reports": files}
	if !next.IsZero() {
		out["next_run"] = next
	}
	return c.JSON(http.StatusOK, out)
}

// PUT /api/v1/reports/schedule {"schedule":"0 7 11 * *"} ("" turns it off); a form POST
// from the reports page does the same.
func (s *Server) setReportSchedule(c echo.Context) error {
	var b struct {
		Schedule string `json:"schedule" form:"schedule"`
	}
	if err := c.Bind(&b); err != nil {
		return fmt.Errorf("%w: send {\"schedule\":\"0 7 11 * *\"}", data.ErrInvalid)
	}
	if err := s.schedule.SetSchedule(c.Request().Context(), b.Schedule, actorOf(c)); err != nil {
		return err
	}
	if !isAPI(c) {
		return c.Redirect(http.StatusSeeOther, "/reports")
	}
	spec, next := s.schedule.Schedule()
	return c.JSON(http.StatusOK, map[string]any{"schedule": spec, "next_run": next})
}

// POST /api/v1/reports/run: write the workbooks now.
func (s *Server) runReports(c echo.Context) error {
	names, err := s.schedule.RunNow(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"written": names})
}
