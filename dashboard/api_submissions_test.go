package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
)

// fakeIngester answers every file with a chosen outcome and notes the request it got,
// so the upload handler is tested without a database or a parser.
type fakeIngester struct {
	outcome *ingest.Outcome
	got     ingest.Request
}

func (f *fakeIngester) Ingest(_ context.Context, req ingest.Request) (*ingest.Outcome, error) {
	f.got = req
	return f.outcome, nil
}

// upload sends one file to the upload handler as who, and returns the recorder and the
// handler's error (which the server's error handler would turn into the answer).
func fakeUpload(t *testing.T, s *Server, who *identity, query string) (*httptest.ResponseRecorder, error) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, err := w.CreateFormFile("file", "bao-cao.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write([]byte("unit,period,docs_total\n01,2026-10,3\n")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/api/v1/submissions"+query, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	rec := httptest.NewRecorder()
	c := echo.New().NewContext(req, rec)
	c.Set("identity", who)
	return rec, s.upload(c)
}

// TestUploadAnswersEachOutcome: the one outcome type of the one way in becomes one HTTP
// status and one JSON shape, whatever kind of file it was.
func TestUploadAnswersEachOutcome(t *testing.T) {
	officer := &identity{User: data.User{Username: "officer01", Role: data.RoleOfficer, Unit: "01"}, Via: "session"}
	forbidden := data.Errorf(data.ErrForbidden, "Không được ghi số liệu của đơn vị 79", "may not write unit 79's data")
	locked := data.Errorf(data.ErrMonthLocked, "Tháng 09/2026 đã bị khóa", "2026-09 is locked")
	for _, tc := range []struct {
		name       string
		outcome    ingest.Outcome
		wantStatus int    // the answer written by the handler
		wantErr    error  // or the error left to the server's error handler
		wantField  string // a JSON field the answer must hold
	}{
		{"accepted", ingest.Outcome{Status: ingest.StatusAccepted, Accepted: true, Receipts: []ingest.Receipt{{}}}, http.StatusCreated, nil, "outcome"},
		{"identical", ingest.Outcome{Status: ingest.StatusIdentical, Accepted: true, Identical: true}, http.StatusOK, nil, "identical"},
		{"dry run", ingest.Outcome{Status: ingest.StatusDryRun, Accepted: true, DryRun: true}, http.StatusOK, nil, "dry_run"},
		{"rejected with problems", ingest.Outcome{Status: ingest.StatusRejected, Errors: []ingest.Problem{{Message: "x"}}, ErrorCount: 1},
			http.StatusUnprocessableEntity, nil, "error_count"},
		{"needs confirmation", ingest.Outcome{Status: ingest.StatusConfirm, Dossiers: &ingest.DossierReceipt{Changes: []data.DossierChange{{UnitCode: "01", Month: data.NewMonth(2026, 9), Measure: "dossiers_received", Reported: 120, Computed: 118}}}, Reason: data.Errorf(data.ErrConfirm, "xác nhận", "confirm")},
			http.StatusConflict, nil, "changes"},
		{"forbidden", ingest.Outcome{Status: ingest.StatusForbidden, Reason: forbidden}, 0, data.ErrForbidden, ""},
		{"a locked month", ingest.Outcome{Status: ingest.StatusRejected, Reason: locked}, 0, data.ErrMonthLocked, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeIngester{outcome: &tc.outcome}
			s := &Server{ingester: fake}
			s.marked.dir = t.TempDir()
			rec, err := fakeUpload(t, s, officer, "?dry_run=true")
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error %v, want %v", err, tc.wantErr)
				}
				if st, _ := statusOf(err); st != outcomeStatus(&tc.outcome) {
					t.Errorf("the error's status %d differs from the outcome's %d", st, outcomeStatus(&tc.outcome))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rec.Code != tc.wantStatus || rec.Code != outcomeStatus(&tc.outcome) {
				t.Errorf("status %d, want %d", rec.Code, tc.wantStatus)
			}
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("%v: %s", err, rec.Body)
			}
			if _, ok := body[tc.wantField]; !ok || body["outcome"] != string(tc.outcome.Status) {
				t.Errorf("answer %s lacks %q or says another outcome", rec.Body, tc.wantField)
			}
			// what the handler passed on: the actor, the file, the flags, and the
			// officer's scope as a check the ingester applies to every unit in the file
			if fake.got.Actor != "officer01" || fake.got.Name != "bao-cao.csv" || !fake.got.DryRun || fake.got.Confirm || fake.got.Benchmarks {
				t.Errorf("request passed on: %+v", fake.got)
			}
			if fake.got.Allow("01") != nil || !errors.Is(fake.got.Allow("79"), data.ErrForbidden) {
				t.Error("the officer of 01 may write 01 and only 01")
			}
		})
	}
}
