package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
)

// TestLateDossiers: an officer uploads the unit's dossier export; the API and the unit's
// page then say which dossiers were late and in which procedure, and the CLI exports the
// rows as Parquet by month.
func TestLateDossiers(t *testing.T) {
	s := startServer(t, false)
	export := dossierHeadE2E +
		// four days late
		"X1,01,1.000123,online,2026-10-01 08:00:00,2026-10-05 17:00:00,2026-10-09 17:00:00,true,true,true,dissatisfied\n" +
		// on time
		"X2,01,1.000123,direct,2026-10-02 08:00:00,2026-10-06 17:00:00,2026-10-06 12:00:00,false,false,false,satisfied\n" +
		// open at the end of October, 21 days 7 hours past its due time
		"X3,01,2.000456,postal,2026-10-03 08:00:00,2026-10-10 17:00:00,,false,false,false,\n"
	body, ct := multipartBody("ho-so-thang-10.csv", []byte(export))
	if code, b := s.do(t, "POST", "/api/v1/submissions", "officer01", body, "Content-Type", ct); code != 201 {
		t.Fatalf("dossier upload: %d %s", code, b)
	}
	var late data.LateDossiers
	getJSONAs(t, s, "/api/v1/dossiers/late?unit=01&month=2026-10", "analyst1", 200, &late)
	if late.Unit != "01" || late.Month != "2026-10" || late.Resolved != 2 || late.ResolvedLate != 1 || late.Overdue != 1 || late.Truncated ||
		fmt.Sprint(late.Procedures) != "[{1.000123 {2 1 0}} {2.000456 {0 0 1}}]" || len(late.Dossiers) != 2 {
		t.Fatalf("late dossiers: %+v", late)
	}
	if x3, x1 := late.Dossiers[0], late.Dossiers[1]; x3.DossierID != "X3" || !x3.Open || fmt.Sprintf("%.3f", *x3.DaysLate) != "21.292" ||
		x1.DossierID != "X1" || x1.Open || *x1.DaysLate != 4 || x1.Channel != "online" {
		t.Errorf("the late dossiers, most late first: %+v, %+v", x3, x1)
	}
	getJSONAs(t, s, "/api/v1/dossiers/late?unit=01&month=2026-10&limit=1", "analyst1", 200, &late)
	if len(late.Dossiers) != 1 || !late.Truncated || late.ResolvedLate+late.Overdue != 2 {
		t.Errorf("limit 1: %+v", late)
	}
	for _, tc := range []struct {
		path string
		code int
		want string
	}{
		{"/api/v1/dossiers/late?group=cities&lang=en", 400, "group"},
		{"/api/v1/dossiers/late?group=ministries&month=2026-10", 200, `"group":"ministries","month":"2026-10","resolved":0,"resolved_late":0,"overdue":0,"units":[]`},
		{"/api/v1/dossiers/late?unit=99&lang=en", 404, `no unit with code \"99\"`},
		{"/api/v1/dossiers/late?unit=01&month=2026-13", 400, "month"},
		{"/api/v1/dossiers/late?unit=01&limit=-1&lang=en", 400, "limit"},
		{"/api/v1/dossiers/late?unit=01&limit=-1", 400, "Giới hạn “-1”"},
		{"/api/v1/dossiers/late?unit=79&month=2026-10", 200, `"procedures":[]`},
	} {
		code, b := s.do(t, "GET", tc.path, "analyst1", nil)
		if code != tc.code || !strings.Contains(string(b), tc.want) {
			t.Errorf("%s: %d %s, want %d %q", tc.path, code, b, tc.code, tc.want)
		}
	}
	if code, _ := s.do(t, "GET", "/api/v1/dossiers/late?unit=01", "", nil); code != 401 {
		t.Errorf("anonymous: %d", code)
	}
	// the unit's page, in Vietnamese
	code, page := s.do(t, "GET", "/units/01", "committee1", nil)
	if code != 200 {
		t.Fatalf("unit page: %d", code)
	}
	for _, want := range []string{`id="late-procedures"`, "Hồ sơ trễ hạn theo thủ tục · Tháng 10/2026", "<td>2.000456</td>", "<td>X3</td>",
		"17:00 10/10/2026", `<span class="badge miss">chưa giải quyết</span>`, "21,3", "4,0", "/api/v1/dossiers/late?unit=01&amp;month=2026-10&amp;limit=5000"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the unit page lacks %q", want)
		}
	}
	if _, page := s.do(t, "GET", "/units/79", "committee1", nil); bytes.Contains(page, []byte(`id="late-dossiers"`)) {
		t.Error("a unit without dossiers shows a late-dossiers table")
	}
	// the provinces' late dossiers of the month, by unit: the API and the page
	var group data.LateDossiers
	getJSONAs(t, s, "/api/v1/dossiers/late?month=2026-10", "analyst1", 200, &group)
	if group.Group != data.Provinces || group.Unit != "" || fmt.Sprint(group.Units) != "[{01 {2 1 1}}]" || len(group.Dossiers) != 2 || group.Dossiers[0].UnitCode != "01" {
		t.Errorf("the provinces' late dossiers: %+v", group)
	}
	code, page = s.do(t, "GET", "/dossiers?month=2026-10", "analyst1", nil)
	for _, want := range []string{`<a href="/units/01#late-dossiers">Hà Nội</a>`, `id="late-procedures"`, "<td>X3</td>", "50,0%",
		`href="/api/v1/exports/late-dossiers.xlsx?group=provinces&amp;month=2026-10&amp;lang=vi"`} {
		if code != 200 || !bytes.Contains(page, []byte(want)) {
			t.Errorf("/dossiers (%d) lacks %q", code, want)
		}
	}
	if _, page := s.do(t, "GET", "/dossiers?month=2026-10&group=ministries", "analyst1", nil); !bytes.Contains(page, []byte(`id="no-dossiers"`)) {
		t.Error("the ministries' page does not say there are no dossiers")
	}

	// the same as a workbook for those who may export, audited
	code, wb := s.do(t, "GET", "/api/v1/exports/late-dossiers.xlsx?unit=01&month=2026-10", "analyst1", nil)
	if code != 200 {
		t.Fatalf("late-dossiers.xlsx: %d %s", code, wb)
	}
	f, err := excelize.OpenReader(bytes.NewReader(wb))
	if err != nil {
		t.Fatal(err)
	}
	if sheets := f.GetSheetList(); fmt.Sprint(sheets) != "[Theo thủ tục Hồ sơ trễ hạn]" {
		t.Fatalf("sheets %v", sheets)
	}
	got := func(sheet, ref string) string {
		v, err := f.GetCellValue(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for ref, want := range map[string]string{"A1": "Hồ sơ trễ hạn · Hà Nội (01) · 10/2026", "A4": "Thủ tục", "A5": "1.000123", "B5": "2", "C5": "1", "D5": "50.00%", "E5": "0",
		"A6": "2.000456", "E6": "1"} {
		if v := got("Theo thủ tục", ref); v != want {
			t.Errorf("Theo thủ tục!%s = %q, want %q", ref, v, want)
		}
	}
	for ref, want := range map[string]string{"A2": "X3", "B2": "Hà Nội", "C2": "2.000456", "E2": "03/10/2026 08:00", "F2": "10/10/2026 17:00", "G2": "chưa giải quyết", "H2": "21.29",
		"A3": "X1", "G3": "09/10/2026 17:00", "H3": "4.00"} {
		if v := got("Hồ sơ trễ hạn", ref); v != want {
			t.Errorf("Hồ sơ trễ hạn!%s = %q, want %q", ref, v, want)
		}
	}
	if code, _ := s.do(t, "GET", "/api/v1/exports/late-dossiers.xlsx?unit=01", "officer01", nil); code != 403 {
		t.Errorf("an officer exported: %d", code)
	}
	var audit struct{ Entries []data.AuditEntry }
	s.getJSON(t, "/api/v1/audit?action=export", 200, &audit)
	if len(audit.Entries) != 1 || audit.Entries[0].Actor != "analyst1" || audit.Entries[0].Detail["export"] != "late-dossiers.xlsx" {
		t.Errorf("export audit: %+v", audit.Entries)
	}
	if _, page := s.do(t, "GET", "/units/01", "analyst1", nil); !bytes.Contains(page, []byte(`id="late-export" href="/api/v1/exports/late-dossiers.xlsx?unit=01&amp;month=2026-10&amp;lang=vi"`)) {
		t.Error("no Excel link for an analyst")
	}
	if _, page := s.do(t, "GET", "/units/01", "officer01", nil); bytes.Contains(page, []byte(`id="late-export"`)) {
		t.Error("an officer is offered the Excel export")
	}

	// a later export resolves X3 (late): the answers change at once
	body, ct = multipartBody("ho-so-thang-10-lan-2.csv", []byte(dossierHeadE2E+
		"X3,01,2.000456,postal,2026-10-03 08:00:00,2026-10-10 17:00:00,2026-10-20 17:00:00,false,false,false,satisfied\n"))
	if code, b := s.do(t, "POST", "/api/v1/submissions", "officer01", body, "Content-Type", ct); code != 201 {
		t.Fatalf("second dossier upload: %d %s", code, b)
	}
	getJSONAs(t, s, "/api/v1/dossiers/late?unit=01&month=2026-10", "analyst1", 200, &late)
	if late.Resolved != 3 || late.ResolvedLate != 2 || late.Overdue != 0 || late.Dossiers[0].DossierID != "X3" || *late.Dossiers[0].DaysLate != 10 {
		t.Errorf("after X3 was resolved: %+v", late)
	}
	if _, page := s.do(t, "GET", "/units/01", "committee1", nil); bytes.Contains(page, []byte(`<span class="badge miss">chưa giải quyết</span>`)) {
		t.Error("the unit page still shows X3 open")
	}
	s.stop()

	// the CLI ingests an export too, saying each step as it is done; the unit's months are
	// aggregated again from all its kept rows (October and November), and only November,
	// whose figures change, gets a new version
	more := filepath.Join(t.TempDir(), "ho-so-thang-11.csv")
	if err := os.WriteFile(more, []byte(dossierHeadE2E+"X4,01,1.000123,online,2026-11-02 08:00:00,2026-11-06 17:00:00,,true,true,true,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := command(t, "ingest", "--db", s.db, "--as", "officer01", more)
	if code != 0 || !strings.Contains(stderr, "ho-so-thang-11.csv: read 1 dossiers in ") || !strings.Contains(stderr, "checked 1 dossiers") ||
		!strings.Contains(stderr, "aggregated into 2 unit-months") || !strings.Contains(stdout, "1 dossiers, 1 unit-months stored as new versions") {
		t.Errorf("ingest: %d\n%s\n%s", code, stdout, stderr)
	}

	// the kept rows as Parquet by month, into a new folder, never over an old one
	out := filepath.Join(t.TempDir(), "dossiers")
	code, stdout, stderr = command(t, "export", "--db", s.db, "--kind", "dossiers", "--out", out)
	if code != 0 || !strings.Contains(stdout, "4 dossiers in 2 monthly Parquet partitions") {
		t.Fatalf("export: %d %s %s", code, stdout, stderr)
	}
	parts, _ := filepath.Glob(filepath.Join(out, "month=2026-10", "*.parquet"))
	if len(parts) != 1 {
		t.Fatalf("partitions: %v", parts)
	}
	if b, _ := os.ReadFile(parts[0]); !bytes.HasPrefix(b, []byte("PAR1")) {
		t.Errorf("%s is not Parquet", parts[0])
	}
	if code, _, stderr := command(t, "export", "--db", s.db, "--kind", "dossiers", "--out", out); code == 0 || !strings.Contains(stderr, "exists") {
		t.Errorf("export over an existing folder: %d %s", code, stderr)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".dossiers.part-*"))
	if len(leftovers) != 0 {
		t.Errorf("left behind: %v", leftovers)
	}
}
