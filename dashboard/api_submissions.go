package dashboard

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

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
		if m := markFile(content, res.Errors, lang); m != nil {
			body["marked_file"] = s.marked.put(m, fh.Filename)
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

// markFile returns the uploaded workbook with each bad cell filled red and commented,
// or nil when the file is not a readable workbook.
func markFile(content []byte, problems []ingest.Problem, lang string) []byte {
	if len(content) < 4 || string(content[:2]) != "PK" {
		return nil
	}
	defer func() { recover() }() // a file that broke the reader cannot be marked either
	f, err := excelize.OpenReader(bytes.NewReader(content), excelize.Options{UnzipSizeLimit: 256 << 20})
	if err != nil {
		return nil
	}
	defer f.Close()
	red, _ := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Color: []string{"F4B6B0"}, Pattern: 1}})
	marked := 0
	for _, p := range problems {
		if p.Sheet == "" || p.Cell == "" {
			continue
		}
		f.SetCellStyle(p.Sheet, p.Cell, p.Cell, red)
		f.AddComment(p.Sheet, excelize.Comment{Cell: p.Cell, Author: "egovkpi", Paragraph: []excelize.RichTextRun{{Text: p.Message}}})
		marked++
	}
	if marked == 0 {
		return nil
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil
	}
	return buf.Bytes()
}

// markedFiles keeps marked workbooks for a while, for the uploader to fetch.
type markedFiles struct {
	mu    sync.Mutex
	files map[string]markedFile
}

type markedFile struct {
	body []byte
	name string
	at   time.Time
}

func (m *markedFiles) put(b []byte, name string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.files == nil {
		m.files = map[string]markedFile{}
	}
	for k, v := range m.files {
		if time.Since(v.at) > 30*time.Minute {
			delete(m.files, k)
		}
	}
	id := data.RandomSecret(16)
	m.files[id] = markedFile{b, name, time.Now()}
	return "/api/v1/submissions/marked/" + id
}

// GET /api/v1/submissions/marked/:id
func (s *Server) markedFile(c echo.Context) error {
	s.marked.mu.Lock()
	f, ok := s.marked.files[c.Param("id")]
	s.marked.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: the marked file has expired; upload again", data.ErrNotFound)
	}
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename*=UTF-8''%s", urlPathEscape("loi-"+f.name)))
	return c.Blob(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f.body)
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
