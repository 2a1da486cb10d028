package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
)

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
	// a line per measure of the current versions: in the demo's last 12 months a unit-month
	// also has the superseded versions of its report and of its dossier export (the 766
	// records), and communes report fewer measures than provinces
	// (the communes' too: the list is read page by page)
	current, measures, listed := 0, 0, 0
	for offset := 0; ; offset += 1000 {
		var page struct {
			Submissions []data.Submission
			Page        struct{ Total int }
		}
		s.getJSON(t, fmt.Sprintf("/api/v1/submissions?period=2026-01&limit=1000&offset=%d", offset), 200, &page)
		for _, x := range page.Submissions {
			if x.Status == "current" {
				current++
				measures += len(x.Values)
			}
		}
		listed += len(page.Submissions)
		if len(page.Submissions) == 0 || listed >= page.Page.Total {
			break
		}
	}
	if code != 200 || !bytes.HasPrefix(b, []byte("\xef\xbb\xbfunit_code,period")) || current < 51 || bytes.Count(b, []byte("\n")) != 1+measures {
		t.Errorf("raw.csv: %d, %d lines for %d current versions of %d measures (%d versions listed)", code, bytes.Count(b, []byte("\n")), current, measures, listed)
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
	// each run writes two monthly workbooks, with the Chỉ số 766 sheet since the demo holds
	// the 766 records: seconds each on a busy machine, so up to a minute for the first two
	for i := 0; i < 600 && len(list.Reports) < 2; i++ {
		time.Sleep(100 * time.Millisecond)
		s.getJSON(t, "/api/v1/reports", 200, &list)
	}
	if list.Schedule != "@every 1s" || len(list.Reports) != 2 {
		t.Fatalf("after a minute: %+v", list)
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
