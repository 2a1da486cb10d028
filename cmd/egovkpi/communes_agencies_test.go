package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/egovkpi/egovkpi/data"
)

// TestProvinceAgenciesOnItsPage: Hà Nội's officer defines two agencies and uploads a
// dossier export naming them, a commune and the province itself: the agencies' records
// are accepted, count in Hà Nội's figures, and Hà Nội's page lists the agencies ranked
// in their own table beside its communes; a province without agencies says so.
func TestProvinceAgenciesOnItsPage(t *testing.T) {
	s := startServer(t, false)
	for _, a := range []string{`{"code":"SNV","name_vi":"Sở Nội vụ"}`, `{"code":"STP","name_vi":"Sở Tư pháp"}`} {
		if code, b := s.do(t, "POST", "/api/v1/units/01/agencies", "officer01", strings.NewReader(a), "Content-Type", "application/json"); code != 201 {
			t.Fatalf("add agency %s: %d %s", a, code, b)
		}
	}
	commune := data.Reference().Communes("01", data.NewMonth(2026, 10))[0].Code
	// online received: 01-SNV 3 of 4, 01-STP 1 of 4, the commune 2 of 2, Hà Nội itself 0 of 2
	var b strings.Builder
	b.WriteString(dossierHeadE2E)
	for i, r := range []struct{ unit, channel string }{
		{"01-SNV", "online"}, {"01-SNV", "online"}, {"01-SNV", "online"}, {"01-SNV", "direct"},
		{"01-STP", "online"}, {"01-STP", "direct"}, {"01-STP", "direct"}, {"01-STP", "direct"},
		{commune, "online"}, {commune, "online"}, {"01", "direct"}, {"01", "direct"},
	} {
		fmt.Fprintf(&b, "A%d,%s,P1,%s,2026-10-0%d 08:00:00,2026-10-15 17:00:00,2026-10-10 10:00:00,true,false,false,\n", i, r.unit, r.channel, 1+i%9)
	}
	if code, r := s.upload(t, "officer01", "?confirm=true", "ho-so-so-nganh.csv", []byte(b.String())); code != 201 {
		t.Fatalf("Hà Nội's officer, its agencies' dossiers: %d %v", code, r)
	}
	var subs struct{ Submissions []data.Submission }
	getJSONAs(t, s, "/api/v1/submissions?unit=01&period=2026-10", "analyst1", 200, &subs)
	var hn map[string]int64
	for _, sub := range subs.Submissions {
		if sub.Status == data.StatusCurrent {
			hn = sub.Values
		}
	}
	if hn["dossiers_received"] != 12 || hn["dossiers_received_online"] != 6 {
		t.Errorf("Hà Nội 2026-10: %v, want its agencies', commune's and own 12 received, 6 online", hn)
	}
	page := func(path string) string {
		t.Helper()
		code, body := s.do(t, "GET", path, "analyst1", nil)
		if code != 200 {
			t.Fatalf("%s: %d %.300s", path, code, body)
		}
		return string(body)
	}
	p := page("/units/01?indicator=online_dossier_rate")
	table := regexp.MustCompile(`(?s)<table id="agencies-table">.*?</table>`).FindString(p)
	rows := regexp.MustCompile(`(?s)<tr>\s*<td class="n">(\d+)</td><td>([^<]+)</td><td>([^<]+)</td>\s*<td class="n">([^<]+)</td>`).FindAllStringSubmatch(table, -1)
	want := [][4]string{{"1", "01-SNV", "Sở Nội vụ", "75,00"}, {"2", "01-STP", "Sở Tư pháp", "25,00"}}
	if len(rows) != len(want) {
		t.Fatalf("Hà Nội's agencies table: %q", table)
	}
	for i, w := range want {
		if got := [4]string{rows[i][1], rows[i][2], rows[i][3], strings.TrimSpace(rows[i][4])}; got != w {
			t.Errorf("agency row %d: %q, want %q", i+1, got, w)
		}
	}
	if !strings.Contains(p, `id="communes-table"`) || strings.Index(p, `id="communes-table"`) > strings.Index(p, `id="agencies-table"`) {
		t.Errorf("Hà Nội's page: the agencies' table is not beside (after) its communes'")
	}
	if p := page("/units/79"); !strings.Contains(p, `id="agencies-none"`) || strings.Contains(p, `id="agencies-table"`) {
		t.Errorf("TP Hồ Chí Minh, without agencies: no note saying so")
	}
}
