package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
)

// multipartFile is a body with the report in the field "file".
func multipartFile(t testing.TB, name string, content []byte) (*bytes.Buffer, string) {
	t.Helper()
	return multipartBody(name, content)
}

func multipartBody(name string, content []byte) (*bytes.Buffer, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(content)
	w.Close()
	return &buf, w.FormDataContentType()
}

func (s *server) upload(t testing.TB, user, query, name string, content []byte) (int, map[string]any) {
	t.Helper()
	body, ct := multipartFile(t, name, content)
	code, b := s.do(t, "POST", "/api/v1/submissions"+query, user, body, "Content-Type", ct)
	var out map[string]any
	json.Unmarshal(b, &out)
	return code, out
}

// filledTemplate downloads the template as the officer and fills it in.
func filledTemplate(t *testing.T, s *server, user string, values map[string]any) []byte {
	t.Helper()
	code, b := s.do(t, "GET", "/template.xlsx?period=2026-10", user, nil)
	if code != 200 {
		t.Fatalf("template: %d %s", code, b)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	for cell, v := range values {
		f.SetCellValue("Báo cáo", cell, v)
	}
	var out bytes.Buffer
	f.Write(&out)
	return out.Bytes()
}

func TestUploadLoop(t *testing.T) {
	s := startServer(t, false)
	// the officer's template has its own unit
	file := filledTemplate(t, s, "officer01", map[string]any{"D7": 1800, "D8": 1750, "D11": 120000, "D12": "90.000"})
	code, r := s.upload(t, "officer01", "", "bao-cao.xlsx", file)
	if code != 201 || r["unit_code"] != "01" || r["period"] != "2026-10" || r["version"].(float64) != 1 || r["status"] != "current" {
		t.Fatalf("upload: %d %v", code, r)
	}
	for _, k := range []string{"id", "unit_code", "period", "version", "status", "values", "warnings"} {
		if _, ok := r[k]; !ok {
			t.Errorf("receipt lacks %q", k)
		}
	}
	if v := r["values"].(map[string]any); v["dossiers_received_online"].(float64) != 90000 || len(v) != 4 {
		t.Errorf("values %v", v)
	}
	// the identical file again: 200, the same receipt, nothing new
	code, again := s.upload(t, "officer01", "", "copy.xlsx", file)
	if code != 200 || again["id"] != r["id"] {
		t.Errorf("identical: %d %v", code, again)
	}
	// a correction: the next version
	file2 := filledTemplate(t, s, "officer01", map[string]any{"D7": 1800, "D8": 1760, "D11": 120000, "D12": 90000})
	code, r2 := s.upload(t, "officer01", "", "bao-cao-sua.xlsx", file2)
	if code != 201 || r2["version"].(float64) != 2 {
		t.Errorf("correction: %d %v", code, r2)
	}
	var subs struct{ Submissions []data.Submission }
	s.getJSON(t, "/api/v1/submissions?unit=01&period=2026-10", 200, &subs)
	if len(subs.Submissions) != 2 || subs.Submissions[1].Status != "superseded" {
		t.Errorf("versions: %+v", subs.Submissions)
	}
	// bad cells: 422 with each problem's place, and the file back marked
	bad := filledTemplate(t, s, "officer01", map[string]any{"D7": "12a", "D11": 100, "D12": 200})
	code, e := s.upload(t, "officer01", "", "sai.xlsx", bad)
	if code != 422 {
		t.Fatalf("bad file: %d %v", code, e)
	}
	errs := e["errors"].([]any)
	first := errs[0].(map[string]any)
	if first["sheet"] != "Báo cáo" || first["cell"] != "D7" || first["row"].(float64) != 7 || first["field"] != "procedures_total" || !strings.Contains(first["message"].(string), `"12a" không phải là số`) {
		t.Errorf("first problem: %v", first)
	}
	if len(errs) != 2 {
		t.Errorf("problems: %v", errs)
	}
	marked, _ := e["marked_file"].(string)
	mcode, mb := s.do(t, "GET", marked, "officer01", nil)
	if mcode != 200 {
		t.Fatalf("marked file: %d", mcode)
	}
	mf, err := excelize.OpenReader(bytes.NewReader(mb))
	if err != nil {
		t.Fatal(err)
	}
	comments, _ := mf.GetComments("Báo cáo")
	if len(comments) != 2 || comments[0].Cell != "D7" && comments[1].Cell != "D7" {
		t.Errorf("comments: %+v", comments)
	}
	// English messages
	_, en := s.upload(t, "officer01", "?lang=en", "sai.xlsx", bad)
	if msg := en["errors"].([]any)[0].(map[string]any)["message"].(string); !strings.Contains(msg, "is not a number") {
		t.Errorf("English: %s", msg)
	}
	// dry run: what would change, nothing written
	dry := filledTemplate(t, s, "officer01", map[string]any{"D7": 1900})
	code, d := s.upload(t, "officer01", "?dry_run=true", "thu.xlsx", dry)
	if code != 200 || d["status"] != "dry_run" {
		t.Errorf("dry run: %d %v", code, d)
	}
	s.getJSON(t, "/api/v1/submissions?unit=01&period=2026-10", 200, &subs)
	if len(subs.Submissions) != 2 {
		t.Errorf("the dry run wrote: %d versions", len(subs.Submissions))
	}
	// another unit's data: 403, nothing written
	other := []byte("Mã đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận\n79,2026-10,5\n")
	before := s.snapshot(t)
	if code, _ := s.upload(t, "officer01", "", "hcm.csv", other); code != 403 {
		t.Errorf("another unit: %d", code)
	}
	if s.snapshot(t) != before {
		t.Error("a refused upload changed something")
	}
	// the committee may load many units at once
	if code, r := s.upload(t, "committee1", "", "hcm.csv", other); code != 201 {
		t.Errorf("committee upload: %d %v", code, r)
	}
	// an analyst may not upload; anonymous may not
	if code, _ := s.upload(t, "analyst1", "", "x.csv", other); code != 403 {
		t.Errorf("analyst upload: %d", code)
	}
	if code, _ := s.upload(t, "", "", "x.csv", other); code != 401 {
		t.Errorf("anonymous upload: %d", code)
	}
	// a locked month
	s.do(t, "POST", "/api/v1/locks", "committee1", strings.NewReader(`{"period":"2026-10"}`), "Content-Type", "application/json")
	code, l := s.upload(t, "officer01", "", "late.xlsx", file2[:len(file2)-0])
	if code != 200 { // identical to version 2: a no-op, even when locked
		t.Errorf("identical in a locked month: %d %v", code, l)
	}
	code, l = s.upload(t, "officer01", "", "late.xlsx", filledTemplate(t, s, "officer01", map[string]any{"D7": 1}))
	if code != 422 || !strings.Contains(l["errors"].([]any)[0].(map[string]any)["message"].(string), "khóa bởi committee1") {
		t.Errorf("locked month: %d %v", code, l)
	}
	// the kept files are beside the database
	kept, _ := filepath.Glob(filepath.Join(strings.TrimSuffix(s.db, ".duckdb")+".files", "*", "*"))
	if len(kept) != 3 {
		t.Errorf("kept files: %v", kept)
	}
	// too large: 413
	if code, _ := s.upload(t, "officer01", "", "big.csv", bytes.Repeat([]byte("x"), 21<<20)); code != 413 {
		t.Errorf("21 MB upload: %d", code)
	}
}

func TestIngestCommandAndRebuild(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "live.duckdb")
	good := filepath.Join(dir, "good.csv")
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(good, []byte("unit,period,dossiers_received,dossiers_received_online\n01,2026-10,100,50\n79,2026-10,10,5\n"), 0o644)
	os.WriteFile(bad, []byte("unit,period,dossiers_received,dossiers_received_online\n01,2026-10,100,150\n"), 0o644)
	if code, _, stderr := command(t, "ingest", "--db", db, good, bad); code != 1 || !strings.Contains(stderr, "dòng 2: Số hồ sơ tiếp nhận trực tuyến không được lớn hơn") {
		t.Errorf("ingest with a bad file: %d %s", code, stderr)
	}
	if code, stdout, stderr := command(t, "ingest", "--db", db, "--dry-run", good); code != 0 || !strings.Contains(stdout, "identical") {
		t.Errorf("dry run of an accepted file: %d %s %s", code, stdout, stderr)
	}
	if code, _, stderr := command(t, "seed", "--db", filepath.Join(dir, "demo.duckdb"), "--through", "2025-06"); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr := command(t, "rebuild", "--from", strings.TrimSuffix(db, ".duckdb")+".files", "--db", filepath.Join(dir, "new.duckdb"))
	if code != 0 || !strings.Contains(stdout, "from 1 kept files") {
		t.Fatalf("rebuild: %d %s %s", code, stdout, stderr)
	}
	a, _ := exec2(t, "rankings", "--db", db, "--indicator", "online_dossier_rate", "--period", "2026-10", "--format", "csv")
	b, _ := exec2(t, "rankings", "--db", filepath.Join(dir, "new.duckdb"), "--indicator", "online_dossier_rate", "--period", "2026-10", "--format", "csv")
	if a == "" || a != b {
		t.Errorf("rebuilt leaderboard differs:\n%s\n%s", a, b)
	}
}

func exec2(t *testing.T, args ...string) (string, string) {
	t.Helper()
	code, out, errs := command(t, args...)
	if code != 0 {
		t.Fatalf("%v: %d %s", args, code, errs)
	}
	return out, errs
}

func TestUploadPageInBrowser(t *testing.T) {
	ctx := browser(t)
	s := startServer(t, false)
	w := watchPage(ctx)
	w.allow = []string{"status of 422", "status of 409"} // the rejected and the waiting file's answers, shown on the page
	signIn(t, ctx, s, "officer01")
	file := filepath.Join(t.TempDir(), "bao-cao.csv")
	os.WriteFile(file, []byte("Mã đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận,Số hồ sơ tiếp nhận trực tuyến\n01,2026-10,100,50\n"), 0o644)
	badFile := filepath.Join(t.TempDir(), "sai.csv")
	os.WriteFile(badFile, []byte("Mã đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận\n01,2026-10,12a\n"), 0o644)
	dossiers := filepath.Join(t.TempDir(), "ho-so.csv")
	os.WriteFile(dossiers, []byte(dossierHeadE2E+"U1,01,P1,online,2026-10-02 08:00:00,2026-10-10 17:00:00,,true,true,true,\n"), 0o644)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/upload"), chromedp.WaitVisible(chromedp.CSS("#drop"))); err != nil {
		t.Fatal(err)
	}
	// the dossier export would replace two figures the officer reported: the page shows
	// them and waits; the confirm button sends it again with confirm=true
	for _, f := range []struct{ path, want string }{{file, "Đã nhận"}, {badFile, `"12a" không phải là số`},
		{dossiers, "Số hồ sơ tiếp nhận: đã báo cáo 100 → tính từ hồ sơ 1"}, {"", "1 hồ sơ, 1 đơn vị-tháng được tính lại"}} {
		if f.path == "" {
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("button.confirm"))); err != nil {
				t.Fatal(err)
			}
		} else if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{f.path})); err != nil {
			t.Fatal(err)
		}
		var got string
		for i := 0; i < 100 && !strings.Contains(got, f.want); i++ {
			got, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("results").textContent`))
			time.Sleep(50 * time.Millisecond)
		}
		if !strings.Contains(got, f.want) {
			t.Errorf("results %q lack %q", got, f.want)
		}
	}
	prog, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.getElementById("progress").value`))
	if prog != 100 {
		t.Errorf("progress bar at %v", prog)
	}
	png, _ := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	artefact(t, "upload.png", png)
	w.check(t)
}

func TestExports(t *testing.T) {
	s := startServer(t, true)
	code, b := s.do(t, "GET", "/api/v1/exports/rankings.xlsx?period=2026-Q3&group=ministries&lang=en", "analyst1", nil)
	if code != 200 {
		t.Fatalf("rankings.xlsx: %d %s", code, b)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if f.GetSheetList()[0] != "Summary" {
		t.Errorf("sheets %v", f.GetSheetList())
	}
	code, b = s.do(t, "GET", "/api/v1/exports/raw.csv?from=2026-01&to=2026-01", "analyst1", nil)
	var cov struct{ Submissions []data.Submission }
	s.getJSON(t, "/api/v1/submissions?period=2026-01", 200, &cov)
	if code != 200 || !bytes.HasPrefix(b, []byte("\xef\xbb\xbfunit_code,period")) || bytes.Count(b, []byte("\n")) != 1+len(cov.Submissions)*15 {
		t.Errorf("raw.csv: %d, %d lines", code, bytes.Count(b, []byte("\n")))
	}
	code, b = s.do(t, "GET", "/api/v1/exports/raw.parquet?from=2026-01&to=2026-02", "analyst1", nil)
	if code != 200 || !bytes.HasPrefix(b, []byte("PAR1")) {
		t.Errorf("raw.parquet: %d %q", code, b[:min(4, len(b))])
	}
	code, b = s.do(t, "GET", "/api/v1/exports/raw.xlsx?from=2026-01&to=2026-01", "committee1", nil)
	if code != 200 || !bytes.HasPrefix(b, []byte("PK")) {
		t.Errorf("raw.xlsx: %d", code)
	}
	var a struct{ Entries []data.AuditEntry }
	s.getJSON(t, "/api/v1/audit?action=export", 200, &a)
	if len(a.Entries) != 4 || a.Entries[3].Actor != "analyst1" {
		t.Errorf("export audit: %+v", a.Entries)
	}
	// the leaderboard offers exactly its view as Excel to those who may export
	code, page := s.do(t, "GET", "/?indicator=level4_share&period=2026-Q2&group=ministries", "analyst1", nil)
	if code != 200 || !bytes.Contains(page, []byte(`/api/v1/exports/rankings.xlsx?period=2026-Q2&amp;group=ministries&amp;boundaries=current`)) {
		t.Errorf("no export link on the leaderboard")
	}
	_, page = s.do(t, "GET", "/", "officer01", nil)
	if bytes.Contains(page, []byte(`id="export"`)) {
		t.Error("an officer is offered the export")
	}
}

func TestScheduledReports(t *testing.T) {
	s := startServer(t, true)
	if code, b := s.do(t, "PUT", "/api/v1/reports/schedule", "admin1", strings.NewReader(`{"schedule":"every day"}`), "Content-Type", "application/json"); code != 400 || !strings.Contains(string(b), "five fields") {
		t.Errorf("a bad schedule: %d %s", code, b)
	}
	if code, b := s.do(t, "PUT", "/api/v1/reports/schedule", "admin1", strings.NewReader(`{"schedule":"@every 1s"}`), "Content-Type", "application/json"); code != 200 {
		t.Fatalf("schedule: %d %s", code, b)
	}
	var list struct {
		Schedule string
		Reports  []struct{ Name string }
	}
	for i := 0; i < 50 && len(list.Reports) < 2; i++ {
		time.Sleep(100 * time.Millisecond)
		s.getJSON(t, "/api/v1/reports", 200, &list)
	}
	if list.Schedule != "@every 1s" || len(list.Reports) != 2 {
		t.Fatalf("after a second: %+v", list)
	}
	s.do(t, "PUT", "/api/v1/reports/schedule", "admin1", strings.NewReader(`{"schedule":""}`), "Content-Type", "application/json")
	code, b := s.do(t, "GET", "/reports/"+list.Reports[0].Name, "analyst1", nil)
	if code != 200 || !bytes.HasPrefix(b, []byte("PK")) {
		t.Errorf("download: %d", code)
	}
	if code, _ := s.do(t, "GET", "/reports/..%2Fe2e.duckdb", "analyst1", nil); code != 404 {
		t.Errorf("a path outside the folder: %d", code)
	}
	_, page := s.do(t, "GET", "/reports", "analyst1", nil)
	if !bytes.Contains(page, []byte(list.Reports[0].Name)) {
		t.Error("the reports page does not list the file")
	}
	var a struct{ Entries []data.AuditEntry }
	s.getJSON(t, "/api/v1/audit?action=setting", 200, &a)
	if len(a.Entries) != 2 { // the refused schedule changed nothing
		t.Errorf("setting changes audited: %d", len(a.Entries))
	}
}

func TestInternationalBenchmark(t *testing.T) {
	s := startServer(t, true) // the demo imports the UN surveys 2010–2018
	var r struct {
		Year int
		Rows []map[string]any
		Viet struct {
			Rank int `json:"rank"`
		} `json:"viet_nam"`
	}
	s.getJSON(t, "/api/v1/benchmarks/egdi?year=2018&region=South-eastern%20Asia", 200, &r)
	if r.Year != 2018 || len(r.Rows) != 11 || r.Viet.Rank != 88 {
		t.Fatalf("2018 South-eastern Asia: %d rows, Viet Nam %d", len(r.Rows), r.Viet.Rank)
	}
	for _, k := range []string{"country", "code", "region", "subregion", "egdi", "rank", "published_egdi", "published_rank", "osi", "hci", "tii", "epi"} {
		if _, ok := r.Rows[0][k]; !ok {
			t.Errorf("row lacks %q", k)
		}
	}
	// an officer may not import the survey; the committee may
	b, _ := os.ReadFile("../../testdata/egdi/egdi-2016.xlsx")
	if code, _ := s.upload(t, "officer01", "", "egdi-2016.xlsx", b); code != 403 {
		t.Errorf("officer survey import: %d", code)
	}
	code, res := s.upload(t, "committee1", "", "egdi-2016.xlsx", b)
	if code != 201 || res["surveys"] == nil {
		t.Errorf("committee survey import: %d %v", code, res)
	}
	code, page := s.do(t, "GET", "/benchmark?year=2018", "analyst1", nil)
	if code != 200 || !bytes.Contains(page, []byte("Lao People")) || !bytes.Contains(page, []byte("88")) {
		t.Errorf("benchmark page: %d", code)
	}
}

func TestMaturityEndpoints(t *testing.T) {
	s := startServer(t, true)
	var r struct {
		Rows []struct {
			UnitCode  string `json:"unit_code"`
			Level     int
			LevelName string `json:"level_name"`
			Missing   []map[string]any
			Derived   bool
		}
	}
	s.getJSON(t, "/api/v1/maturity?period=2026-10&group=provinces", 200, &r)
	if len(r.Rows) != 34 {
		t.Fatalf("%d rows", len(r.Rows))
	}
	levels := map[int]int{}
	for _, row := range r.Rows {
		levels[row.Level]++
		if row.Level < 5 && len(row.Missing) == 0 {
			t.Errorf("%s at level %d misses nothing for the next", row.UnitCode, row.Level)
		}
	}
	if len(levels) < 2 {
		t.Errorf("every province at the same level: %v", levels)
	}
	s.getJSON(t, "/api/v1/maturity?period=2025-06&group=provinces", 200, &r)
	derived := 0
	for _, row := range r.Rows {
		if row.Derived {
			derived++
		}
	}
	if derived == 0 {
		t.Error("no merged province is derived before 2025-07")
	}
	// an officer assesses its own unit, not another; the committee confirms
	code, b := s.do(t, "POST", "/api/v1/capabilities", "officer01", strings.NewReader(`{"unit_code":"79","period":"2026-10","items":{"soc":{"value":1}}}`), "Content-Type", "application/json")
	if code != 403 {
		t.Errorf("another unit's checklist: %d %s", code, b)
	}
	code, b = s.do(t, "POST", "/api/v1/capabilities", "officer01", strings.NewReader(`{"unit_code":"01","period":"2026-10","items":{"soc":{"value":2}}}`), "Content-Type", "application/json")
	if code != 400 || !strings.Contains(string(b), "items.soc") {
		t.Errorf("a bad value: %d %s", code, b)
	}
	code, b = s.do(t, "POST", "/api/v1/capabilities", "officer01", strings.NewReader(`{"unit_code":"01","period":"2026-10","items":{"soc":{"value":1,"evidence":"QĐ 45/QĐ-UBND"},"digital_signature":{"value":97}}}`), "Content-Type", "application/json")
	if code != 201 {
		t.Fatalf("own checklist: %d %s", code, b)
	}
	var a data.Assessment
	json.Unmarshal(b, &a)
	if code, _ := s.do(t, "POST", fmt.Sprintf("/api/v1/capabilities/%d/confirm", a.ID), "committee1", nil); code != 200 {
		t.Errorf("confirm: %d", code)
	}
	var list struct{ Assessments []data.Assessment }
	s.getJSON(t, "/api/v1/capabilities?unit=01", 200, &list)
	if len(list.Assessments) < 2 || list.Assessments[0].ConfirmedBy != "committee1" || list.Assessments[0].Items["soc"].Evidence != "QĐ 45/QĐ-UBND" {
		t.Errorf("assessments: %+v", list.Assessments[:1])
	}
}

func TestNationalIndexImport(t *testing.T) {
	s := startServer(t, true)
	// a DTI-style sheet: title rows, the year in the title, names written several ways,
	// a province that no longer exists (Hà Giang in 2024), pillars, a published rank
	b := xlsxRows(t, [][]any{
		{"BỘ THÔNG TIN VÀ TRUYỀN THÔNG"},
		{"KẾT QUẢ CHỈ SỐ CHUYỂN ĐỔI SỐ CẤP TỈNH NĂM 2024"},
		{},
		{"STT", "Tỉnh, thành phố", "Chính quyền số", "Kinh tế số", "Xã hội số", "Chỉ số DTI", "Xếp hạng"},
		{1, "TP. Hà Nội", 0.71, 0.65, 0.6, 0.6543, 2},
		{2, "Thanh pho Ho Chi Minh", 0.75, 0.7, 0.66, "0,7012", 1},
		{3, "Tỉnh Hà Giang", 0.4, 0.3, 0.35, 0.3811, 60},
		{4, "Cao Bang", 0.4, 0.3, 0.35, 0.3811, 60},
	})
	code, r := s.upload(t, "committee1", "", "ket-qua.xlsx", b)
	if code != 201 {
		t.Fatalf("DTI import: %d %v", code, r)
	}
	var res struct {
		Name string
		Year int
		Rows []struct {
			UnitCode      string `json:"unit_code"`
			Rank          int
			PublishedRank *int `json:"published_rank"`
			Pillars       map[string]float64
		}
	}
	s.getJSON(t, "/api/v1/indices/dti?year=2024", 200, &res)
	if res.Year != 2024 || len(res.Rows) != 4 || res.Rows[0].UnitCode != "79" || res.Rows[1].UnitCode != "01" || res.Rows[2].Rank != 3 || res.Rows[3].Rank != 3 {
		t.Fatalf("DTI 2024: %+v", res)
	}
	if res.Rows[0].Pillars["Chính quyền số"] != 0.75 || *res.Rows[0].PublishedRank != 1 {
		t.Errorf("pillars and published rank: %+v", res.Rows[0])
	}
	_, page := s.do(t, "GET", "/units/01", "analyst1", nil)
	if !bytes.Contains(page, []byte(`id="indices"`)) || !bytes.Contains(page, []byte("0,6543")) {
		t.Error("the unit profile does not show the DTI")
	}
	if code, _ := s.upload(t, "officer01", "", "dti-2024.xlsx", b); code != 403 {
		t.Errorf("an officer imported a national index: %d", code)
	}
}

func xlsxRows(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	for r, row := range rows {
		for c, v := range row {
			if v != nil {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				f.SetCellValue("Sheet1", cell, v)
			}
		}
	}
	var buf bytes.Buffer
	f.Write(&buf)
	return buf.Bytes()
}

func TestServeWithSources(t *testing.T) {
	var calls atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			fmt.Fprint(w, `[{"unit":"01","period":"2026-10","docs_total":10,"docs_electronic":9}]`)
			return
		}
		http.Error(w, "down", 500)
	}))
	defer api.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "sources.toml")
	os.WriteFile(file, []byte(fmt.Sprintf("[[source]]\nname = \"hanoi\"\nkind = \"http\"\nurl = %q\nallow_private = true\nformat = \"json\"\nretries = 1\n", api.URL)), 0o644)
	db := filepath.Join(dir, "s.duckdb")
	tok := makeUsers(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- ServeConfig{Addr: "127.0.0.1:0", DB: db, Sources: file, SourcesRoot: dir, Ready: ready}.Run(ctx, io.Discard, io.Discard)
	}()
	s := &server{url: "http://" + <-ready, db: db, tok: tok}
	defer func() { cancel(); <-done }()
	code, b := s.do(t, "POST", "/api/v1/sources/hanoi/run", "admin1", nil)
	if code != 200 || !strings.Contains(string(b), `"outcome":"ok"`) {
		t.Fatalf("run: %d %s", code, b)
	}
	_, page := s.do(t, "GET", "/", "admin1", nil)
	if bytes.Contains(page, []byte(`id="failing"`)) {
		t.Error("a red mark while every source is fine")
	}
	code, b = s.do(t, "POST", "/api/v1/sources/hanoi/run", "admin1", nil)
	if code != 200 || !strings.Contains(string(b), `"outcome":"failed"`) {
		t.Fatalf("failing run: %d %s", code, b)
	}
	_, page = s.do(t, "GET", "/", "admin1", nil)
	if !bytes.Contains(page, []byte(`id="failing"`)) {
		t.Error("no red mark for the admin while a source fails")
	}
	_, page = s.do(t, "GET", "/", "committee1", nil)
	if bytes.Contains(page, []byte(`id="failing"`)) {
		t.Error("the red mark is for admins")
	}
	var runs struct{ Runs []data.Run }
	getJSONAs(t, s, "/api/v1/ingest/runs", "admin1", 200, &runs)
	if len(runs.Runs) != 2 || runs.Runs[0].Outcome != "failed" || runs.Runs[1].Rows != 1 {
		t.Errorf("runs: %+v", runs.Runs)
	}
	// an admin edits the sources: a bad one is refused, a good one is in force at once
	code, b = s.do(t, "PUT", "/api/v1/sources", "admin1", strings.NewReader("[[source]]\nname = \"x\"\nkind = \"ftp\"\n"))
	if code != 400 || !strings.Contains(string(b), "ftp") {
		t.Errorf("a bad source: %d %s", code, b)
	}
	os.Mkdir(filepath.Join(dir, "drop"), 0o755)
	edited := fmt.Sprintf("[[source]]\nname = \"hanoi\"\nkind = \"http\"\nurl = %q\nallow_private = true\nformat = \"json\"\n\n[[source]]\nname = \"drop\"\nkind = \"folder\"\npath = %q\n", api.URL, filepath.Join(dir, "drop"))
	if code, b := s.do(t, "PUT", "/api/v1/sources", "admin1", strings.NewReader(edited)); code != 200 {
		t.Fatalf("edit: %d %s", code, b)
	}
	if code, b := s.do(t, "POST", "/api/v1/sources/drop/run", "admin1", nil); code != 200 || !strings.Contains(string(b), `"outcome":"ok"`) {
		t.Errorf("the new source: %d %s", code, b)
	}
	var a struct{ Entries []data.AuditEntry }
	getJSONAs(t, s, "/api/v1/audit?action=setting", "admin1", 200, &a)
	if len(a.Entries) != 1 || a.Entries[0].Detail["key"] != "sources" {
		t.Errorf("the edit is not in the audit log: %+v", a.Entries)
	}
	if code, _ := s.do(t, "PUT", "/api/v1/sources", "committee1", strings.NewReader(edited)); code != 403 {
		t.Errorf("the committee edited the sources: %d", code)
	}
}

// egovkpi ingest takes JSON as the scheduler does: fields named unit, period and measure
// codes, or a configured source's names with --source.
func TestIngestJSON(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "j.duckdb")
	plain := filepath.Join(dir, "plain.json")
	os.WriteFile(plain, []byte(`[{"unit":"01","period":"2026-10","dossiers_received":120,"dossiers_received_online":100}]`), 0o644)
	mapped := filepath.Join(dir, "hanoi.json")
	os.WriteFile(mapped, []byte(`{"data":[{"maDonVi":"79","kyBaoCao":"10/2026","hoSoTiepNhan":40,"hoSoTrucTuyen":30}]}`), 0o644)
	sources := filepath.Join(dir, "sources.toml")
	os.WriteFile(sources, []byte(`[[source]]
name = "hcm"
kind = "folder"
path = "`+dir+`"
format = "json"
schedule = "@every 1h"
unit_field = "maDonVi"
period_field = "kyBaoCao"
[source.mapping]
hoSoTiepNhan = "dossiers_received"
hoSoTrucTuyen = "dossiers_received_online"
`), 0o644)
	broken := filepath.Join(dir, "broken.json")
	os.WriteFile(broken, []byte(`{"data": [1, 2`), 0o644)

	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		out, err string
	}{
		{"fields named as codes", []string{plain}, 0, "plain.json: accepted, 1 report(s)\n  01 2026-10: 2 values, version 1", ""},
		{"a source's mapping", []string{"--source", "hcm", "--sources", sources, mapped}, 0, "hanoi.json: accepted, 1 report(s)\n  79 2026-10: 2 values, version 1", ""},
		{"no such source", []string{"--source", "nope", "--sources", sources, mapped}, 1, "", `no source named "nope"`},
		{"not JSON", []string{broken}, 1, "", "broken.json: rejected, nothing written: the answer is not JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := command(t, append([]string{"ingest", "--db", db}, tc.args...)...)
			if code != tc.code || !strings.Contains(stdout, tc.out) || !strings.Contains(stderr, tc.err) {
				t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
		})
	}
	out, _ := exec2(t, "rankings", "--db", db, "--indicator", "online_dossier_rate", "--period", "2026-10", "--format", "csv")
	if !strings.Contains(out, "83.33") || !strings.Contains(out, "75.00") {
		t.Errorf("rankings after the JSON files:\n%s", out)
	}
}
