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
	Ingest(ctx context.Context, req ingest.Request) (*ingest.Outcome, error)
}

// receipt is the answer to an accepted upload: the first submission's fields at the top,
// every submission of the file in "submissions", every warning of the file, and for a
// dossier export how many dossiers and unit-months it brought.
type receipt struct {
	ingest.Receipt
	Outcome     ingest.Status          `json:"outcome"`
	Kind        string                 `json:"kind"`
	Warnings    []ingest.Problem       `json:"warnings"` // the file's, over the first submission's
	Identical   bool                   `json:"identical,omitempty"`
	DryRun      bool                   `json:"dry_run,omitempty"`
	SHA256      string                 `json:"sha256"`
	Submissions []ingest.Receipt       `json:"submissions"`
	Surveys     []ingest.SurveyReceipt `json:"surveys,omitempty"`
	Rows        *int                   `json:"rows,omitempty"`
	UnitMonths  *int                   `json:"unit_months,omitempty"`
	Changes     []changeView           `json:"changes,omitempty"`
	// a dossier export's procedures the catalogue in force does not hold (issue 17)
	Unlisted      []data.ProcedureCount `json:"unlisted_procedures,omitempty"`
	UnlistedCodes int                   `json:"unlisted_codes,omitempty"`
}

// changeView is a self-reported figure a dossier export replaces, with the measure's name.
type changeView struct {
	data.DossierChange
	MeasureName string `json:"measure_name"`
}

func changeViews(chs []data.DossierChange, lang string) []changeView {
	out := make([]changeView, len(chs))
	for i, ch := range chs {
		out[i].DossierChange, out[i].MeasureName = ch, ch.Measure
		if j := data.MeasureIndex(ch.Measure); j >= 0 {
			out[i].MeasureName = data.Measures[j].LabelVI
			if lang == "en" {
				out[i].MeasureName = data.Measures[j].LabelEN
			}
		}
	}
	return out
}

// refusal is the answer to a file refused for its content (422) or waiting for the
// uploader's confirmation (409).
type refusal struct {
	File       string           `json:"file"`
	SHA256     string           `json:"sha256"`
	Outcome    ingest.Status    `json:"outcome"`
	Error      apiErrorBody     `json:"error"`
	Errors     []ingest.Problem `json:"errors"`
	ErrorCount int              `json:"error_count"`
	Warnings   []ingest.Problem `json:"warnings"`
	Changes    []changeView     `json:"changes,omitempty"`
	MarkedFile string           `json:"marked_file,omitempty"`
}

// POST /api/v1/submissions (multipart field "file"; ?dry_run=true; ?confirm=true; ?lang=en)
func (s *Server) upload(c echo.Context) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return data.Errorf(data.ErrInvalid, "Hãy gửi tệp trong trường multipart \"file\"", "send the report as the multipart field \"file\"")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // read only
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
	flag := func(name string) bool { return c.QueryParam(name) == "true" || c.FormValue(name) == "true" }
	o, err := s.ingester.Ingest(c.Request().Context(), ingest.Request{
		Name: fh.Filename, Content: content, Actor: id.User.Username, Source: source, Lang: lang, Peer: c.RealIP(),
		DryRun: flag("dry_run"), Confirm: flag("confirm"),
		Allow:      func(unit string) error { return canWriteUnit(id, unit) },
		Benchmarks: id.User.Role == data.RoleCommittee || id.User.Role == data.RoleAdmin,
	})
	if err != nil {
		return err
	}
	status := outcomeStatus(o)
	switch {
	case o.Accepted:
		r := receipt{Outcome: o.Status, Kind: o.Kind, Warnings: o.Warnings, Identical: o.Identical, DryRun: o.DryRun, SHA256: o.SHA256,
			Submissions: o.Receipts, Surveys: o.Surveys}
		if len(o.Receipts) > 0 {
			r.Receipt = o.Receipts[0]
		}
		if d := o.Dossiers; d != nil {
			r.Rows, r.UnitMonths, r.Changes = &d.Rows, &d.UnitMonths, changeViews(d.Changes, lang)
			r.Unlisted, r.UnlistedCodes = d.UnlistedProcedures, d.UnlistedCodes
		}
		return c.JSON(status, r)
	case len(o.Errors) > 0 || o.Status == ingest.StatusConfirm:
		body := refusal{File: o.File, SHA256: o.SHA256, Outcome: o.Status, Errors: o.Errors, ErrorCount: o.ErrorCount, Warnings: o.Warnings}
		body.Error.Code = "invalid" // problems listed, whatever the reason says
		if o.Reason != nil {        // a nil *data.Error is not a nil error: statusOf would read it
			_, body.Error.Code = statusOf(o.Reason)
		}
		body.Error.Message = o.Message
		if o.Status == ingest.StatusConfirm {
			body.Error.Code = "confirm_required"
			body.Changes = changeViews(o.Dossiers.Changes, lang)
		}
		if len(o.Errors) > 0 {
			body.MarkedFile = s.marked.mark(content, o.Errors, fh.Filename, lang)
		}
		return c.JSON(status, body)
	}
	return o.Reason // forbidden, a locked month, an unreadable export: the error's own status
}

// outcomeStatus is the HTTP status of an ingestion's outcome.
func outcomeStatus(o *ingest.Outcome) int {
	switch o.Status {
	case ingest.StatusAccepted:
		return http.StatusCreated
	case ingest.StatusIdentical, ingest.StatusDryRun:
		return http.StatusOK
	case ingest.StatusConfirm:
		return http.StatusConflict
	}
	if len(o.Errors) > 0 {
		return http.StatusUnprocessableEntity
	}
	if o.Reason == nil {
		return http.StatusInternalServerError // a refusal without a reason is the ingester's fault
	}
	st, _ := statusOf(o.Reason)
	return st
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
		return data.Errorf(data.ErrInvalid, "Cần chọn đơn vị (?unit=01)", "unit is required (?unit=01)")
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
		return data.Errorf(data.ErrNotFound, "Không có đơn vị “%s” trong %s", "no unit %q in force in %s", unit, m)
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
