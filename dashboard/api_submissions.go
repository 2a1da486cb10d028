package dashboard

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
)

// Ingester takes uploaded files; *ingest.Ingester is one.
type Ingester interface {
	Ingest(ctx context.Context, req ingest.Request) (*ingest.Result, error)
}

// receipt is the answer to an upload: the first submission's fields at the top, every
// submission of the file in "submissions", and every warning of the file.
type receipt struct {
	ingest.Receipt
	Warnings    []ingest.Problem       `json:"warnings"` // the file's, over the first submission's
	Identical   bool                   `json:"identical,omitempty"`
	DryRun      bool                   `json:"dry_run,omitempty"`
	SHA256      string                 `json:"sha256"`
	Submissions []ingest.Receipt       `json:"submissions"`
	Surveys     []ingest.SurveyReceipt `json:"surveys,omitempty"`
}

// POST /api/v1/submissions (multipart field "file"; ?dry_run=true; ?lang=en)
func (s *Server) upload(c echo.Context) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return fmt.Errorf("%w: send the report as the multipart field \"file\"", data.ErrInvalid)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	content, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	id := identityOf(c)
	source := "upload"
	if id.Via == "token" {
		source = "api"
	}
	lang := langOf(c)
	if f := ingest.DossierFormat(fh.Filename, content); f != "" && s.dossiers != nil {
		ing, ok := s.ingester.(*ingest.Ingester)
		if !ok {
			return fmt.Errorf("%w: dossier records are not taken here", data.ErrInvalid)
		}
		d, err := ingest.IngestDossiers(c.Request().Context(), s.dossiers, ing, ingest.DossierRequest{Name: fh.Filename, Content: content,
			Format: f, Actor: id.User.Username, Allow: func(unit string) error { return canWriteUnit(id, unit) }})
		if err != nil {
			return err
		}
		status := http.StatusCreated
		if d.Identical {
			status = http.StatusOK
		}
		return c.JSON(status, d)
	}
	res, err := s.ingester.Ingest(c.Request().Context(), ingest.Request{
		Name: fh.Filename, Content: content, Actor: id.User.Username, Source: source, Lang: lang,
		DryRun:     c.QueryParam("dry_run") == "true" || c.FormValue("dry_run") == "true",
		Allow:      func(unit string) error { return canWriteUnit(id, unit) },
		Benchmarks: id.User.Role == data.RoleCommittee || id.User.Role == data.RoleAdmin,
	})
	if err != nil {
		return err
	}
	if res.Denied != nil {
		return res.Denied
	}
	if !res.Accepted {
		body := map[string]any{"errors": res.Errors, "warnings": res.Warnings, "file": res.File}
		if u := s.marked.mark(content, res.Errors, fh.Filename, lang); u != "" {
			body["marked_file"] = u
		}
		return c.JSON(http.StatusUnprocessableEntity, body)
	}
	r := receipt{Warnings: res.Warnings, Identical: res.Identical, DryRun: res.DryRun, SHA256: res.SHA256, Submissions: res.Receipts, Surveys: res.Surveys}
	if len(res.Receipts) > 0 {
		r.Receipt = res.Receipts[0]
	}
	if r.Warnings == nil {
		r.Warnings = []ingest.Problem{}
	}
	status := http.StatusCreated
	if res.Identical || res.DryRun {
		status = http.StatusOK
	}
	return c.JSON(status, r)
}

// Templates builds report templates.
type Templates interface {
	CurrentValues(ctx context.Context, m data.Month) (map[string]map[string]int64, error)
}

// GET /template.xlsx?unit=&period=: an officer gets its own unit.
func (s *Server) template(c echo.Context) error {
	id := identityOf(c)
	unit := c.QueryParam("unit")
	if id.User.Role == data.RoleOfficer && unit == "" {
		unit = id.User.Unit
	}
	if unit == "" {
		return fmt.Errorf("%w: unit is required (?unit=01)", data.ErrInvalid)
	}
	m := ingest.LastCompleteMonth(time.Now())
	if p := c.QueryParam("period"); p != "" {
		var err error
		if m, err = data.ParseMonth(p); err != nil {
			return err
		}
	}
	u, ok := s.eng.Units().At(unit, m)
	if !ok {
		return fmt.Errorf("%w: no unit %q in force in %s", data.ErrNotFound, unit, m)
	}
	last, err := s.values.CurrentValues(c.Request().Context(), m.Add(-1))
	if err != nil {
		return err
	}
	b, err := ingest.Template(u, m, last[unit])
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"bao-cao-%s-%s.xlsx\"", u.Code, m))
	return c.Blob(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
}
