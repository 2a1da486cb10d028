package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
)

// The defects of issue 16 (Trust) as a tester found them, each reproduced through the
// real server and now refused or bounded.

// lateOf is unit's late-dossier totals for a month, as any reader sees them.
func lateOf(t *testing.T, s *server, unit, month string) data.LateDossiers {
	t.Helper()
	var late data.LateDossiers
	getJSONAs(t, s, "/api/v1/dossiers/late?unit="+unit+"&month="+month, "committee1", 200, &late)
	return late
}

// uploads lists the audit log's upload attempts, newest first.
func uploads(t *testing.T, s *server) []data.AuditEntry {
	t.Helper()
	var a struct{ Entries []data.AuditEntry }
	getJSONAs(t, s, "/api/v1/audit?action=upload&limit=100", "admin1", 200, &a)
	return a.Entries
}

// keptFiles counts the files kept beside the database (the manifest aside).
func keptFiles(t *testing.T, s *server) int {
	t.Helper()
	n := 0
	_ = filepath.WalkDir(ingest.FilesDirFor(s.db), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != ingest.ManifestName && !strings.Contains(p, ".incoming") {
			n++
		}
		return nil
	})
	return n
}

// Defect 1: an officer of 01 deleted 79's dossiers by sending their ids under unit 01,
// even in a locked month. A dossier is (unit, id) now: 79's rows stay, and rows naming 79
// are refused with the rows listed.
func TestOfficerCannotEraseAnotherUnitsDossiers(t *testing.T) {
	s := startServer(t, false)
	hcm := dossierHeadE2E +
		"X1,79,P1,online,2026-10-02 08:00:00,2026-10-05 17:00:00,2026-10-09 10:00:00,true,false,false,\n" +
		"X2,79,P1,online,2026-10-03 08:00:00,2026-10-06 17:00:00,,true,false,false,\n"
	if code, r := s.upload(t, "officer79", "", "tphcm.csv", []byte(hcm)); code != 201 {
		t.Fatalf("79's own export: %d %v", code, r)
	}
	before := lateOf(t, s, "79", "2026-10")
	if before.ResolvedLate != 1 || before.Overdue != 1 {
		t.Fatalf("79's late dossiers: %+v", before)
	}
	if code, b := s.do(t, "POST", "/api/v1/locks", "committee1", strings.NewReader(`{"period":"2026-10"}`), "Content-Type", "application/json"); code != 201 && code != 200 {
		t.Fatalf("lock: %d %s", code, b)
	}
	// the same ids under unit 01: 01's own new dossiers, 79's untouched
	same := dossierHeadE2E + "X1,01,P1,online,2026-11-02 08:00:00,2026-11-05 17:00:00,,true,false,false,\n" +
		"X2,01,P1,online,2026-11-03 08:00:00,2026-11-06 17:00:00,,true,false,false,\n"
	if code, r := s.upload(t, "officer01", "", "ha-noi.csv", []byte(same)); code != 201 {
		t.Fatalf("01's export with ids 79 also uses: %d %v", code, r)
	}
	if after := lateOf(t, s, "79", "2026-10"); after.ResolvedLate != before.ResolvedLate || after.Overdue != before.Overdue || len(after.Dossiers) != len(before.Dossiers) {
		t.Errorf("01's export changed 79's dossiers: %+v, was %+v", after, before)
	}
	// rows naming 79: 403, listed, nothing written or kept
	kept := keptFiles(t, s)
	theirs := dossierHeadE2E + "X1,79,P1,online,2026-10-02 08:00:00,2026-10-05 17:00:00,2026-10-04 10:00:00,true,false,false,\n"
	code, r := s.upload(t, "officer01", "", "sua-tphcm.csv", []byte(theirs))
	msg, _ := r["error"].(map[string]any)["message"].(string)
	if code != 403 || !strings.Contains(msg, "79: 1 hồ sơ (X1)") {
		t.Errorf("another unit's rows: %d %q", code, msg)
	}
	if after := lateOf(t, s, "79", "2026-10"); after.ResolvedLate != before.ResolvedLate {
		t.Errorf("a refused export changed 79's dossiers: %+v", after)
	}
	if n := keptFiles(t, s); n != kept {
		t.Errorf("a refused export was kept: %d files, was %d", n, kept)
	}
	// 79 itself may not rewrite the locked October either: the row would move its figures
	code, r = s.upload(t, "officer79", "", "sua.csv", []byte(theirs))
	msg, _ = r["error"].(map[string]any)["message"].(string)
	if code != 409 || !strings.Contains(msg, "2026-10") || !strings.Contains(msg, "X1") {
		t.Errorf("a change to a locked month: %d %q", code, msg)
	}
	// every attempt is on the audit log with the name it was sent under
	var seen []string
	for _, e := range uploads(t, s) {
		seen = append(seen, fmt.Sprintf("%s %s %s", e.Actor, e.Detail["file"], e.Detail["status"]))
	}
	for _, want := range []string{"officer01 sua-tphcm.csv forbidden", "officer79 sua.csv rejected", "officer01 ha-noi.csv accepted"} {
		if !strings.Contains(strings.Join(seen, "\n"), want) {
			t.Errorf("audit lacks %q: %v", want, seen)
		}
	}
}

// Defect 2: a dossier export silently replaced what Hà Nội reported itself. Now it waits
// for confirmation with the differences, and both stay in the history.
func TestDossierExportWaitsBeforeReplacingReportedFigures(t *testing.T) {
	s := startServer(t, false)
	report := []byte("unit,period,dossiers_received,dossiers_received_online\n01,2026-10,161200,120000\n")
	if code, r := s.upload(t, "officer01", "", "bao-cao.csv", report); code != 201 {
		t.Fatalf("report: %d %v", code, r)
	}
	export := dossierHeadE2E + "H1,01,P1,online,2026-10-02 08:00:00,2026-10-05 17:00:00,,true,false,false,\n"
	code, r := s.upload(t, "officer01", "", "ho-so-thang-10.csv", []byte(export))
	if code != 409 || r["outcome"] != "needs_confirmation" {
		t.Fatalf("over reported figures: %d %v", code, r)
	}
	changes, _ := r["changes"].([]any)
	var got []string
	for _, c := range changes {
		m := c.(map[string]any)
		got = append(got, fmt.Sprintf("%s %v→%v", m["measure"], m["reported"], m["computed"]))
	}
	if !strings.Contains(strings.Join(got, " "), "dossiers_received 161200→1") {
		t.Errorf("differences: %v", got)
	}
	var subs struct{ Submissions []data.Submission }
	s.getJSON(t, "/api/v1/submissions?unit=01&period=2026-10", 200, &subs)
	if len(subs.Submissions) != 1 || subs.Submissions[0].Values["dossiers_received"] != 161200 {
		t.Fatalf("changed before confirmation: %+v", subs.Submissions)
	}
	if code, r := s.upload(t, "officer01", "?confirm=true", "ho-so-thang-10.csv", []byte(export)); code != 201 {
		t.Fatalf("confirmed: %d %v", code, r)
	}
	s.getJSON(t, "/api/v1/submissions?unit=01&period=2026-10", 200, &subs)
	if len(subs.Submissions) != 2 {
		t.Fatalf("history: %+v", subs.Submissions)
	}
	now, was := subs.Submissions[0], subs.Submissions[1]
	if now.Values["dossiers_received"] != 1 || now.FileName != "ho-so-thang-10.csv" || now.Source != "dossiers" ||
		was.Values["dossiers_received"] != 161200 || was.Status != data.StatusSuperseded {
		t.Errorf("history: %+v / %+v", now, was)
	}
}

// Defects 3 and 5: a dossier export dated 2099 was accepted and moved every default to
// 2099-12; a web dry run of an export stored it.
func TestDossierExportFutureAndDryRun(t *testing.T) {
	s := startServer(t, true)
	var cov data.Coverage
	s.getJSON(t, "/api/v1/coverage", 200, &cov)
	kept := keptFiles(t, s)
	future := dossierHeadE2E + "F1,01,P1,online,2099-12-01 08:00:00,2099-12-05 17:00:00,,true,false,false,\n"
	code, r := s.upload(t, "officer01", "", "tuong-lai.csv", []byte(future))
	if code != 400 || !strings.Contains(fmt.Sprint(r["error"]), "sau tháng hiện tại") {
		t.Errorf("a dossier of 2099: %d %v", code, r)
	}
	var after data.Coverage
	s.getJSON(t, "/api/v1/coverage", 200, &after)
	if after.LastMonth != cov.LastMonth {
		t.Errorf("coverage moved to %s", after.LastMonth)
	}
	// a dry run checks everything, answers what would change, and writes nothing (the
	// demo may hold dossiers of its own: the late counts and the versions stay as they were)
	m := cov.LastMonth.String()
	before := lateOf(t, s, "01", m)
	var subsBefore, subsAfter struct{ Page struct{ Total int } }
	s.getJSON(t, "/api/v1/submissions?unit=01&period="+m, 200, &subsBefore)
	dry := dossierHeadE2E + fmt.Sprintf("DRY1,01,P1,online,%s-02 08:00:00,%s-05 17:00:00,,true,false,false,\n", m, m)
	code, r = s.upload(t, "officer01", "?dry_run=true&confirm=true", "thu.csv", []byte(dry))
	if code != 200 || r["outcome"] != "dry_run" || r["rows"] != 1.0 {
		t.Errorf("dry run: %d %v", code, r)
	}
	s.getJSON(t, "/api/v1/submissions?unit=01&period="+m, 200, &subsAfter)
	if late := lateOf(t, s, "01", m); late.Overdue != before.Overdue || late.Resolved != before.Resolved || subsAfter.Page.Total != subsBefore.Page.Total {
		t.Errorf("the dry run stored something: late %+v, was %+v; versions %d, were %d", late, before, subsAfter.Page.Total, subsBefore.Page.Total)
	}
	if n := keptFiles(t, s); n != kept {
		t.Errorf("refused or dry files were kept: %d, was %d", n, kept)
	}
	statuses := map[string]string{}
	for _, e := range uploads(t, s) {
		statuses[fmt.Sprint(e.Detail["file"])] = fmt.Sprint(e.Detail["status"])
	}
	if statuses["tuong-lai.csv"] != "rejected" || statuses["thu.csv"] != "dry_run" {
		t.Errorf("audit: %v", statuses)
	}
}

// Defect 4: one province sending the current month early turned every page to it. The
// default is the last closed month; the early month shows only when chosen, provisional.
func TestEarlyReportDoesNotMoveTheDefaultMonth(t *testing.T) {
	s := startServer(t, true)
	var before map[string]any
	s.getJSON(t, "/api/v1/rankings?indicator=online_dossier_rate", 200, &before)
	this := data.MonthOf(time.Now().In(time.FixedZone("ICT", 7*3600))).String()
	early := []byte("unit,period,dossiers_received,dossiers_received_online\n01," + this + ",1000,900\n")
	if code, r := s.upload(t, "officer01", "", "som.csv", early); code != 201 {
		t.Fatalf("early report: %d %v", code, r)
	}
	var after map[string]any
	s.getJSON(t, "/api/v1/rankings?indicator=online_dossier_rate", 200, &after)
	if after["period"] != before["period"] || after["period"] == this {
		t.Errorf("default period moved from %v to %v", before["period"], after["period"])
	}
	_, page := s.do(t, "GET", "/", "committee1", nil)
	if strings.Contains(string(page), "provisional") || !strings.Contains(string(page), fmt.Sprint(before["period"])) {
		t.Errorf("the home page does not show the closed month %v", before["period"])
	}
	_, page = s.do(t, "GET", "/?period="+this, "committee1", nil)
	if !strings.Contains(string(page), `id="provisional"`) || !strings.Contains(string(page), "1/34 đơn vị đã nộp") {
		t.Errorf("the chosen early month is not marked provisional")
	}
}

// Defect 9: a small Parquet file carried 3 million dossiers; an error list had no cap.
func TestUploadBounds(t *testing.T) {
	db := filepath.Join(t.TempDir(), "e2e.duckdb")
	tok := makeUsers(t, db)
	s := startServerOn(t, db, false, func(c *ServeConfig) { c.MaxDossierRows = 100_000 })
	s.tok = tok
	// 3 million dossiers in a Parquet file of a few hundred KB, made by DuckDB itself
	pq := filepath.Join(t.TempDir(), "many.parquet")
	conn, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(fmt.Sprintf(`COPY (SELECT 'D' || i AS dossier_id, '01' AS unit_code, 'P1' AS procedure_code, 'online' AS channel,
		TIMESTAMP '2026-10-01 08:00:00' AS received_at, NULL::TIMESTAMP AS due_at, NULL::TIMESTAMP AS resolved_at, true AS digitized,
		false AS fee_required, false AS paid_online, NULL::VARCHAR AS rating FROM range(3000000) t(i)) TO '%s' (FORMAT PARQUET)`, pq))
	_ = conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(pq)
	start := time.Now()
	code, r := s.upload(t, "officer01", "", "many.parquet", b)
	if code != 400 || !strings.Contains(fmt.Sprint(r["error"]), "3000000 hồ sơ, quá giới hạn 100000") {
		t.Errorf("%d KB of 3M dossiers: %d %v", len(b)>>10, code, r)
	}
	t.Logf("%d KB Parquet of 3M dossiers refused in %s", len(b)>>10, time.Since(start).Round(time.Millisecond))
	// 5,000 bad rows: the first MaxProblems listed with the total
	var csv strings.Builder
	csv.WriteString("unit,period,dossiers_received\n")
	for i := 0; i < 5000; i++ {
		csv.WriteString("01,2026-10,12a\n")
	}
	mb, ct := multipartBody("sai.csv", []byte(csv.String()))
	code, body := s.do(t, "POST", "/api/v1/submissions", "officer01", mb, "Content-Type", ct)
	var ref struct {
		Errors     []ingest.Problem `json:"errors"`
		ErrorCount int              `json:"error_count"`
	}
	if err := json.Unmarshal(body, &ref); err != nil {
		t.Fatal(err)
	}
	if code != 422 || len(ref.Errors) != ingest.MaxProblems || ref.ErrorCount < 5000 || len(body) > 200<<10 {
		t.Errorf("5,000 bad rows: %d, %d listed of %d, %d bytes", code, len(ref.Errors), ref.ErrorCount, len(body))
	}
}

// A dossier export that fails inside the transaction, after every row went in, leaves
// nothing: no rows, no versions, no kept file (the kept-files folder cannot take it).
func TestDossierExportIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := data.Open(ctx, filepath.Join(dir, "a.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = store.Close() }()
	files := filepath.Join(dir, "a.files")
	in := &ingest.Ingester{Store: store, FilesDir: files}
	// the file's kept place is taken by a folder: keeping fails at the very end
	export := dossierHeadE2E + "A1,01,P1,online,2026-10-02 08:00:00,2026-10-05 17:00:00,,true,false,false,\n"
	o, err := in.Ingest(ctx, ingest.Request{Name: "dry.csv", Content: []byte(export), DryRun: true})
	if err != nil || o.Status != ingest.StatusDryRun {
		t.Fatalf("dry run: %v %+v", err, o)
	}
	kept := filepath.Join(files, o.SHA256[:2], o.SHA256)
	if err := os.MkdirAll(filepath.Join(kept, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	o, err = in.Ingest(ctx, ingest.Request{Name: "a.csv", Content: []byte(export)})
	if err == nil {
		t.Fatalf("keeping into a folder did not fail: %+v", o)
	}
	if done, _ := store.DossiersImported(ctx, o.SHA256); done {
		t.Error("rows of the failed export are stored")
	}
	if subs, _ := store.Submissions(ctx, data.SubmissionFilter{}); len(subs) != 0 {
		t.Errorf("versions of the failed export are stored: %d", len(subs))
	}
}

// A scheduled source's dossier export over figures a unit reported itself waits: the
// run is recorded as waiting, nothing changes, and an administrator confirms it from the
// runs (its file then kept like any accepted file).
func TestSourceRunWaitsForConfirmation(t *testing.T) {
	export := dossierHeadE2E + "S1,01,P1,online,2026-10-02 08:00:00,2026-10-05 17:00:00,2026-10-04 09:00:00,true,false,false,satisfied\n"
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, export) }))
	defer api.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "sources.toml")
	if err := os.WriteFile(file, []byte(fmt.Sprintf("[[source]]\nname = \"hanoi\"\nkind = \"http\"\nurl = %q\nallow_private = true\nformat = \"dossiers-csv\"\nretries = 1\n", api.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "s.duckdb")
	tok := makeUsers(t, db)
	s := startServerOn(t, db, false, func(c *ServeConfig) { c.Sources = file })
	s.tok = tok
	if code, r := s.upload(t, "officer01", "", "bao-cao.csv", []byte("unit,period,dossiers_received\n01,2026-10,161200\n")); code != 201 {
		t.Fatalf("report: %d %v", code, r)
	}
	code, b := s.do(t, "POST", "/api/v1/sources/hanoi/run", "admin1", nil)
	var run data.Run
	if err := json.Unmarshal(b, &run); err != nil {
		t.Fatal(err)
	}
	if code != 200 || run.Outcome != data.RunWaiting || run.FileSHA256 == "" {
		t.Fatalf("run: %d %s", code, b)
	}
	var subs struct{ Submissions []data.Submission }
	s.getJSON(t, "/api/v1/submissions?unit=01&period=2026-10", 200, &subs)
	if len(subs.Submissions) != 1 {
		t.Fatalf("the waiting run changed the history: %+v", subs.Submissions)
	}
	if _, page := s.do(t, "GET", "/runs", "admin1", nil); !strings.Contains(string(page), fmt.Sprintf(`action="/runs/%d/confirm"`, run.ID)) {
		t.Error("the runs page offers no confirmation")
	}
	if code, _ := s.do(t, "POST", fmt.Sprintf("/api/v1/ingest/runs/%d/confirm", run.ID), "committee1", nil); code != 403 {
		t.Errorf("the committee confirmed a source's run: %d", code)
	}
	code, b = s.do(t, "POST", fmt.Sprintf("/api/v1/ingest/runs/%d/confirm", run.ID), "admin1", nil)
	if code != 200 || !strings.Contains(string(b), `"outcome":"accepted"`) {
		t.Fatalf("confirm: %d %s", code, b)
	}
	s.getJSON(t, "/api/v1/submissions?unit=01&period=2026-10", 200, &subs)
	if len(subs.Submissions) != 2 || subs.Submissions[0].Values["dossiers_received"] != 1 || subs.Submissions[0].SubmittedBy != "admin1" {
		t.Errorf("after confirmation: %+v", subs.Submissions)
	}
	var runs struct{ Runs []data.Run }
	getJSONAs(t, s, "/api/v1/ingest/runs", "admin1", 200, &runs)
	if len(runs.Runs) == 0 || runs.Runs[0].Outcome != data.RunConfirmed {
		t.Errorf("runs after confirmation: %+v", runs.Runs)
	}
	if code, _ := s.do(t, "POST", fmt.Sprintf("/api/v1/ingest/runs/%d/confirm", run.ID), "admin1", nil); code != 409 {
		t.Errorf("confirmed twice: %d", code)
	}
	if _, err := os.Stat(filepath.Join(ingest.FilesDirFor(db), run.FileSHA256[:2], run.FileSHA256)); err != nil {
		t.Errorf("the confirmed file is not kept: %v", err)
	}
}

// Defect 13: an unreadable export's error showed the server's path and DuckDB's SQL.
func TestErrorsNameTheFileNotTheServer(t *testing.T) {
	s := startServer(t, false)
	code, r := s.upload(t, "officer01", "", "hong.parquet", []byte("PAR1 not really a parquet file"))
	msg := fmt.Sprint(r["error"])
	if code != 400 || !strings.Contains(msg, "hong.parquet") || strings.Contains(msg, "/") || strings.Contains(msg, "read_parquet") {
		t.Errorf("a broken Parquet file: %d %s", code, msg)
	}
}

// A capability checklist goes in by the same way as every file: a locked month refuses
// it (409) and keeps nothing, another unit's is forbidden, and each attempt is audited.
func TestChecklistGoesInTheOneWay(t *testing.T) {
	s := startServer(t, false)
	post := func(user, unit, period string) (int, string) {
		code, b := s.do(t, "POST", "/api/v1/capabilities", user, strings.NewReader(fmt.Sprintf(`{"unit_code":%q,"period":%q,"items":{"lgsp":{"value":1,"evidence":"QĐ 1"}}}`, unit, period)),
			"Content-Type", "application/json")
		return code, string(b)
	}
	if code, b := post("officer01", "01", "2026-09"); code != 201 || !strings.Contains(b, `"unit_code":"01"`) {
		t.Fatalf("checklist: %d %s", code, b)
	}
	if code, b := s.do(t, "POST", "/api/v1/locks", "committee1", strings.NewReader(`{"period":"2026-08"}`), "Content-Type", "application/json"); code != 201 {
		t.Fatalf("lock: %d %s", code, b)
	}
	kept := keptFiles(t, s)
	if code, b := post("officer01", "01", "2026-08"); code != 409 || !strings.Contains(b, "khóa") {
		t.Errorf("a locked month's checklist: %d %s", code, b)
	}
	if code, _ := post("officer01", "79", "2026-09"); code != 403 {
		t.Errorf("another unit's checklist: %d", code)
	}
	if n := keptFiles(t, s); n != kept {
		t.Errorf("a refused checklist was kept: %d files, was %d", n, kept)
	}
	statuses := map[string]string{}
	for _, e := range uploads(t, s) {
		statuses[fmt.Sprint(e.Detail["file"])] = fmt.Sprint(e.Detail["kind"], " ", e.Detail["status"])
	}
	if statuses["capabilities-01-2026-08.json"] != "checklist rejected" || statuses["capabilities-01-2026-09.json"] != "checklist accepted" {
		t.Errorf("audit: %v", statuses)
	}
}
