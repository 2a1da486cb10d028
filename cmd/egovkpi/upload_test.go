package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
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
	_, _ = fw.Write(content) // a bytes.Buffer does not fail
	_ = w.Close()
	return &buf, w.FormDataContentType()
}

func (s *server) upload(t testing.TB, user, query, name string, content []byte) (int, map[string]any) {
	t.Helper()
	body, ct := multipartFile(t, name, content)
	code, b := s.do(t, "POST", "/api/v1/submissions"+query, user, body, "Content-Type", ct)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
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
		if err := f.SetCellValue("Báo cáo", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
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
	// the bad number and both cells of the rule (received online 200 > received 100)
	if len(comments) != 3 || comments[0].Cell != "D7" && comments[1].Cell != "D7" && comments[2].Cell != "D7" {
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
	if err := os.WriteFile(good, []byte("unit,period,dossiers_received,dossiers_received_online\n01,2026-10,100,50\n79,2026-10,10,5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("unit,period,dossiers_received,dossiers_received_online\n01,2026-10,100,150\n"), 0o644); err != nil {
		t.Fatal(err)
	}
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
	if err := os.WriteFile(file, []byte("Mã đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận,Số hồ sơ tiếp nhận trực tuyến\n01,2026-10,100,50\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badFile := filepath.Join(t.TempDir(), "sai.csv")
	if err := os.WriteFile(badFile, []byte("Mã đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận\n01,2026-10,12a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dossiers := filepath.Join(t.TempDir(), "ho-so.csv")
	if err := os.WriteFile(dossiers, []byte(dossierHeadE2E+"U1,01,P1,online,2026-10-02 08:00:00,2026-10-10 17:00:00,,true,true,true,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// a catalogue in force that lacks the export's procedure P1: the receipt lists it
	body, ct := multipartBody("procedures.csv", handMade766(t, "procedures.csv"))
	if code, b := s.do(t, "POST", "/api/v1/submissions", "committee1", body, "Content-Type", ct); code != 201 {
		t.Fatalf("catalogue: %d %s", code, b)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/upload"), chromedp.WaitVisible(chromedp.CSS("#drop"))); err != nil {
		t.Fatal(err)
	}
	// the dossier export would replace two figures the officer reported: the page shows
	// them and waits; the confirm button sends it again with confirm=true
	for _, f := range []struct{ path, want string }{{file, "Đã nhận"}, {badFile, `"12a" không phải là số`},
		{dossiers, "Số hồ sơ tiếp nhận: đã báo cáo 100 → tính từ hồ sơ 1"}, {"", "1 hồ sơ, 1 đơn vị-tháng được tính lại"},
		{"", "1 mã thủ tục không có trong danh mục thủ tục đang hiệu lực"}, {"", "P1 · 1 hồ sơ"}} {
		if f.path == "" && strings.Contains(f.want, "đơn vị-tháng") {
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("button.confirm"))); err != nil {
				t.Fatal(err)
			}
		} else if f.path == "" {
			// what the same answer shows further down
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

func xlsxRows(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	for r, row := range rows {
		for c, v := range row {
			if v != nil {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellValue("Sheet1", cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// egovkpi ingest takes JSON as the scheduler does: fields named unit, period and measure
// codes, or a configured source's names with --source.
func TestIngestJSON(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "j.duckdb")
	plain := filepath.Join(dir, "plain.json")
	if err := os.WriteFile(plain, []byte(`[{"unit":"01","period":"2026-10","dossiers_received":120,"dossiers_received_online":100}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	mapped := filepath.Join(dir, "hanoi.json")
	if err := os.WriteFile(mapped, []byte(`{"data":[{"maDonVi":"79","kyBaoCao":"10/2026","hoSoTiepNhan":40,"hoSoTrucTuyen":30}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	sources := filepath.Join(dir, "sources.toml")
	if err := os.WriteFile(sources, []byte(`[[source]]
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
`), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken.json")
	if err := os.WriteFile(broken, []byte(`{"data": [1, 2`), 0o644); err != nil {
		t.Fatal(err)
	}

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

// The upload page tells an officer where the unit stands for the month due: not sent yet
// with the deadline, then sent, which version and whether on time; once sent it proposes
// the next month's template.
func TestUploadPageShowsTheUnitsMonth(t *testing.T) {
	s := startServer(t, false)
	m := ingest.LastCompleteMonth(time.Now())
	_, page := s.do(t, "GET", "/upload", "officer01", nil)
	if !strings.Contains(string(page), `id="unit-status"`) || !strings.Contains(string(page), "chưa nộp") || !strings.Contains(string(page), "hạn nộp") {
		t.Errorf("before sending: %s", page)
	}
	body := []byte(fmt.Sprintf("unit,period,dossiers_received\n01,%s,100\n", m))
	if code, r := s.upload(t, "officer01", "", "bc.csv", body); code != 201 {
		t.Fatalf("upload: %d %v", code, r)
	}
	_, page = s.do(t, "GET", "/upload", "officer01", nil)
	if !strings.Contains(string(page), "đã nộp — Phiên bản 1") || !strings.Contains(string(page), fmt.Sprintf(`name="period" value="%s"`, data.MonthPeriod(m.Add(1)).Label("vi"))) {
		t.Errorf("after sending: %s", page)
	}
}
