package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
)

// The worklist end to end: Hà Nội's (01) dossiers of the current month go up through the
// real server, and the API, the workbook and the page list exactly the dossiers that will
// cost points, with the points worked out by hand. The server judges "now" by the clock,
// so the records are made around it: received an hour into the month, due two hours from
// now, and so on (the test is skipped within three hours of a month's start or four of
// its end, where those times do not fit in the month).
//
// The same set as metrics' TestWorklistHandMade, whose comment works out every figure:
//
//	W1 PA online, open, due in 2 h                       → due                        40/7
//	W2 PA direct, open, due in 2 h, not synced, not digitised → due, not synced, not digitised
//	                                                       40/7 + 18/7 + 8/49 + 33/28 (4.2 reaches its threshold: 11 − 275/28)
//	W3 PP (paper result) online, resolved, no electronic result → 3.3 +40/49, 4.2 +33/28, 4.1 +11
//	W4 PA open, due next month, waiting on its supplement → 0 (the clock stops while it waits)
//	W5 PA resolved on time                               → not listed
//	W6 PA open, due 30 min ago: late whatever is done    → not listed
//	W7 PX (not in the catalogue) resolved, not synced    → 18/7 + 8/49, shown by its code
//	everything at once: 80/7 + 36/7 + 72/49 + 33/28 + 11
const worklistCatalogueCSV = `procedure_code,name_vi,level,unit_code,max_processing,max_unit,online,full_online_eligible,paper_result,fee,payment_integrated
PA,Cấp giấy phép xây dựng,province,,15,working_days,full,true,false,true,true
PP,Cấp bản sao trích lục hộ tịch,province,,3,working_days,full,true,true,false,false
`

var worklistWant = []struct {
	id, procedure, reasons string
	points                 float64
}{
	{"W3", "Cấp bản sao trích lục hộ tịch", "Chưa cấp kết quả điện tử", 40.0/49 + 33.0/28 + 11},
	{"W2", "Cấp giấy phép xây dựng", "Sắp quá hạn trước cuối tháng|Chưa đồng bộ lên Cổng Dịch vụ công quốc gia|Chưa số hóa hồ sơ", 40.0/7 + 18.0/7 + 8.0/49 + 33.0/28},
	{"W1", "Cấp giấy phép xây dựng", "Sắp quá hạn trước cuối tháng", 40.0 / 7},
	{"W7", "PX", "Chưa đồng bộ lên Cổng Dịch vụ công quốc gia", 18.0/7 + 8.0/49},
	{"W4", "Cấp giấy phép xây dựng", "Đang chờ công dân bổ sung hồ sơ", 0},
}

const worklistAll = 80.0/7 + 36.0/7 + 72.0/49 + 33.0/28 + 11

// worklistDossiersCSV is the set around now, and W1's due time.
func worklistDossiersCSV(t *testing.T) (csv string, due time.Time, month data.Month) {
	t.Helper()
	vn := data.VietnamTime()
	now := time.Now().In(vn)
	ps := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, vn)
	pe := ps.AddDate(0, 1, 0)
	if now.Sub(ps) < 3*time.Hour || pe.Sub(now) < 4*time.Hour {
		t.Skip("within hours of a month's start or end: the set's times do not fit in the month")
	}
	at := func(t time.Time) string { return t.Format("2006-01-02 15:04") }
	rec, done, soon, past, later := at(ps.Add(time.Hour)), at(ps.Add(2*time.Hour)), now.Add(2*time.Hour).Truncate(time.Minute), at(now.Add(-30*time.Minute)), at(pe.Add(24*time.Hour))
	rows := []string{
		"dossier_id,unit_code,procedure_code,channel,received_at,due_at,resolved_at,digitized,fee_required,paid_online,rating,supplement_requests,supplement_requested_at,supplement_completed_at,electronic_result,synced",
		fmt.Sprintf("W1,01,PA,online,%s,%s,,true,false,false,,0,,,,true", rec, at(soon)),
		fmt.Sprintf("W2,01,PA,direct,%s,%s,,false,false,false,,0,,,,false", rec, at(soon)),
		fmt.Sprintf("W3,01,PP,online,%s,%s,%s,true,false,false,,0,,,false,true", rec, later, done),
		fmt.Sprintf("W4,01,PA,direct,%s,%s,,true,false,false,,1,%s,,,true", rec, later, at(ps.Add(90*time.Minute))),
		fmt.Sprintf("W5,01,PA,direct,%s,%s,%s,true,false,false,,0,,,,true", rec, later, done),
		fmt.Sprintf("W6,01,PA,direct,%s,%s,,true,false,false,,0,,,,true", rec, past),
		fmt.Sprintf("W7,01,PX,direct,%s,,%s,true,false,false,,0,,,,false", rec, done),
	}
	return strings.Join(rows, "\n") + "\n", soon, data.MonthOf(now)
}

type worklistJSON struct {
	UnitCode      string  `json:"unit_code"`
	Period        string  `json:"period"`
	Closed        bool    `json:"closed"`
	PointsAtStake float64 `json:"points_at_stake"`
	Items         []struct {
		DossierID     string     `json:"dossier_id"`
		ProcedureCode string     `json:"procedure_code"`
		ProcedureName string     `json:"procedure_name"`
		Reasons       []string   `json:"reasons"`
		ReceivedAt    time.Time  `json:"received_at"`
		DueAt         *time.Time `json:"due_at"`
		PointsAtStake float64    `json:"points_at_stake"`
	} `json:"items"`
	ByReason []struct {
		Reason        string  `json:"reason"`
		Dossiers      int     `json:"dossiers"`
		PointsAtStake float64 `json:"points_at_stake"`
	} `json:"by_reason"`
	Total  int    `json:"total"`
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
	Next   string `json:"next"`
}

// startWorklist is a server holding the set, sent as the committee (the catalogue) and Hà
// Nội's officer (its dossiers).
func startWorklist(t *testing.T) (*server, time.Time, data.Month) {
	t.Helper()
	dossiers, due, m := worklistDossiersCSV(t)
	s := startServer(t, false)
	for _, up := range []struct{ user, name, content string }{{"committee1", "thu-tuc.csv", worklistCatalogueCSV}, {"officer01", "ho-so.csv", dossiers}} {
		if code, b := s.upload(t, up.user, "", up.name, []byte(up.content)); code != 201 {
			t.Fatalf("%s: %d %v", up.name, code, b)
		}
	}
	return s, due, m
}

func TestWorklistAPI(t *testing.T) {
	s, due, m := startWorklist(t)
	near := func(a, b float64) bool { return math.Abs(a-b) < 6e-5 } // the API gives 4 decimals
	t.Run("items", func(t *testing.T) {
		code, raw := s.do(t, "GET", "/api/v1/units/01/worklist", "analyst1", nil)
		if code != 200 {
			t.Fatalf("%d %s", code, raw)
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(raw, &keys); err != nil {
			t.Fatal(err)
		}
		var names []string
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		if got := strings.Join(names, ","); got != "by_reason,closed,items,limit,offset,period,points_at_stake,total,unit_code" {
			t.Errorf("keys %s", got)
		}
		var w worklistJSON
		if err := json.Unmarshal(raw, &w); err != nil {
			t.Fatal(err)
		}
		if w.UnitCode != "01" || w.Period != m.String() || w.Closed || w.Total != len(worklistWant) || !near(w.PointsAtStake, worklistAll) {
			t.Errorf("head: %s", raw)
		}
		if len(w.Items) != len(worklistWant) {
			t.Fatalf("%d items, want %d: %s", len(w.Items), len(worklistWant), raw)
		}
		for i, want := range worklistWant {
			it := w.Items[i]
			if it.DossierID != want.id || it.ProcedureName != want.procedure || strings.Join(it.Reasons, "|") != want.reasons || !near(it.PointsAtStake, want.points) {
				t.Errorf("item %d: %+v, want %+v", i, it, want)
			}
		}
		if it := w.Items[2]; it.DueAt == nil || !it.DueAt.Equal(due) || it.DueAt.Format("-07:00") != "+07:00" {
			t.Errorf("W1 due %v, want %v in Viet Nam time", it.DueAt, due)
		}
		if w.Items[3].DueAt != nil || w.Items[3].ProcedureCode != "PX" {
			t.Errorf("W7: %+v", w.Items[3])
		}
		by := map[string]float64{}
		for _, r := range w.ByReason {
			by[fmt.Sprintf("%s/%d", r.Reason, r.Dossiers)] = r.PointsAtStake
		}
		for k, v := range map[string]float64{"Sắp quá hạn trước cuối tháng/2": 80.0 / 7, "Chưa đồng bộ lên Cổng Dịch vụ công quốc gia/2": 36.0/7 + 16.0/49,
			"Chưa số hóa hồ sơ/1": 33.0 / 28, "Chưa cấp kết quả điện tử/1": worklistWant[0].points, "Đang chờ công dân bổ sung hồ sơ/1": 0} {
			if g, ok := by[k]; !ok || !near(g, v) {
				t.Errorf("by reason %s: %v (%v), want %v", k, g, ok, v)
			}
		}
		if len(w.ByReason) != 5 {
			t.Errorf("by reason: %+v", w.ByReason)
		}
		// in English when asked
		if _, raw := s.do(t, "GET", "/api/v1/units/01/worklist?lang=en&period="+m.String(), "analyst1", nil); !bytes.Contains(raw, []byte(`"Falls due before the month's end"`)) {
			t.Errorf("English: %s", raw)
		}
	})
	t.Run("paged", func(t *testing.T) {
		var w worklistJSON
		getJSONAs(t, s, "/api/v1/units/01/worklist?limit=2&offset=2", "analyst1", 200, &w)
		if w.Total != 5 || w.Limit != 2 || w.Offset != 2 || len(w.Items) != 2 || w.Items[0].DossierID != "W1" || !strings.Contains(w.Next, "offset=4") {
			t.Errorf("page 2: %+v", w)
		}
		var last worklistJSON
		getJSONAs(t, s, w.Next, "analyst1", 200, &last)
		if len(last.Items) != 1 || last.Items[0].DossierID != "W4" || last.Next != "" {
			t.Errorf("last page: %+v", last)
		}
	})
	t.Run("who", func(t *testing.T) {
		for _, tc := range []struct {
			user string
			want int
		}{{"officer01", 200}, {"committee1", 200}, {"analyst1", 200}, {"officer79", 403}, {"", 401}} {
			paths := []string{"/api/v1/units/01/worklist", "/api/v1/exports/worklist.xlsx?unit=01"}
			if tc.user != "" { // a page sends the anonymous to sign in
				paths = append(paths, "/worklist?unit=01")
			}
			for _, path := range paths {
				if code, b := s.do(t, "GET", path, tc.user, nil); code != tc.want {
					t.Errorf("%s as %q: %d, want %d: %.200s", path, tc.user, code, tc.want, b)
				}
			}
		}
	})
	t.Run("months", func(t *testing.T) {
		var w worklistJSON
		getJSONAs(t, s, "/api/v1/units/01/worklist?period="+m.Add(-1).String(), "analyst1", 200, &w)
		if !w.Closed || len(w.Items) != 0 {
			t.Errorf("last month: %+v", w)
		}
		for _, p := range []string{m.Add(1).String(), "2026-Q1", "nope"} {
			if code, b := s.do(t, "GET", "/api/v1/units/01/worklist?period="+p, "analyst1", nil); code != 400 {
				t.Errorf("period %s: %d %s", p, code, b)
			}
		}
		if code, _ := s.do(t, "GET", "/api/v1/units/99/worklist", "analyst1", nil); code != 404 {
			t.Errorf("unit 99: %d", code)
		}
	})
}

// TestWorklistWorkbook: the workbook a director hands on holds the rows, the most points
// first, with the procedures by name, the reasons in words and the due dates as dates, under
// a frozen header with an autofilter.
func TestWorklistWorkbook(t *testing.T) {
	s, due, m := startWorklist(t)
	code, b := s.do(t, "GET", "/api/v1/exports/worklist.xlsx?unit=01&period="+m.String(), "officer01", nil)
	if code != 200 || !bytes.HasPrefix(b, []byte("PK")) {
		t.Fatalf("%d %.200s", code, b)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	sh := f.GetSheetName(0)
	rows, err := f.GetRows(sh)
	if err != nil {
		t.Fatal(err)
	}
	if sh != "Việc cần làm" || len(rows) != 4+len(worklistWant) || !strings.Contains(rows[0][0], "Hà Nội") || !strings.Contains(rows[1][0], "Nếu xử lý hết: +30,22 điểm") {
		t.Fatalf("sheet %q: %q", sh, rows)
	}
	if got := strings.Join(rows[3], "|"); got != "STT|Mã hồ sơ|Đơn vị|Thủ tục hành chính|Lý do|Ngày tiếp nhận|Hạn giải quyết|Điểm có thể mất" {
		t.Errorf("header %s", got)
	}
	for i, want := range worklistWant {
		r := rows[4+i]
		if r[1] != want.id || r[3] != want.procedure || r[4] != strings.ReplaceAll(want.reasons, "|", "; ") {
			t.Errorf("row %d: %q, want %+v", i+5, r, want)
		}
		v, _ := f.GetCellValue(sh, fmt.Sprintf("H%d", 5+i), excelize.Options{RawCellValue: true})
		var pts float64
		if _, err := fmt.Sscan(v, &pts); err != nil {
			t.Fatal(err)
		}
		if math.Abs(pts-want.points) > 1e-3 {
			t.Errorf("row %d points %s, want %v", i+5, v, want.points)
		}
	}
	if got := rows[6][6]; got != due.Format("02/01/2006 15:04") {
		t.Errorf("W1's due date reads %q, want %q", got, due.Format("02/01/2006 15:04"))
	}
	panes, _ := f.GetPanes(sh)
	if !panes.Freeze || panes.YSplit != 4 {
		t.Errorf("panes %+v", panes)
	}
	if !workbookHas(t, b, "<autoFilter") {
		t.Error("no autofilter")
	}
	if w, _ := f.GetColWidth(sh, "D"); w < 25 {
		t.Errorf("procedure column %v wide", w)
	}
}

// workbookHas looks for s in the workbook's sheet XML.
func workbookHas(t *testing.T, b []byte, s string) bool {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	x, ok := f.Pkg.Load("xl/worksheets/sheet1.xml")
	return ok && bytes.Contains(x.([]byte), []byte(s))
}

// TestWorklistPage: the page in a browser, in Vietnamese, with the procedures by name: an
// officer lands on its own unit; the committee chooses one.
func TestWorklistPage(t *testing.T) {
	s, _, _ := startWorklist(t)
	ctx := browser(t)
	w := watchPage(ctx)
	signIn(t, ctx, s, "officer01")
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/worklist"), chromedp.WaitVisible(chromedp.CSS("#worklist"))); err != nil {
		t.Fatal(err)
	}
	text := func(q string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(q)))
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return v
	}
	heading, all, nav := text("main h1"), text("#tile-all"), text(`nav a[aria-current="page"]`)
	if !strings.Contains(heading, "Việc cần làm tháng này") || !strings.Contains(heading, "Hà Nội") || nav != "Việc cần làm tháng này" {
		t.Errorf("heading %q, nav %q", heading, nav)
	}
	if !strings.Contains(all, "Nếu xử lý hết") || !strings.Contains(all, "+30,22 điểm") {
		t.Errorf("tile %q", all)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#worklist tbody tr")].map(r => r.innerText)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(worklistWant) {
		t.Fatalf("%d rows: %q", len(rows), rows)
	}
	for i, want := range worklistWant {
		for _, part := range append([]string{want.id, want.procedure}, strings.Split(want.reasons, "|")...) {
			if !strings.Contains(rows[i], part) {
				t.Errorf("row %d %q lacks %q", i, rows[i], part)
			}
		}
	}
	// on a phone the page does not scroll sideways (the table scrolls inside its frame)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#worklist"))); err != nil {
		t.Fatal(err)
	}
	if over, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)); err != nil || over {
		t.Errorf("the page scrolls sideways on a phone (%v)", err)
	}
	// printed (A4 landscape inside its margins: 1031 px): no bar, menu, form or button; the
	// title, the unit and month, the table within the page
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1031, 730), emulateMedia("print")); err != nil {
		t.Fatal(err)
	}
	f, err := chromedp.Run(ctx, chromedp.Evaluate[printFactsT](printFacts))
	if err != nil {
		t.Fatal(err)
	}
	if f.Header || f.Nav || f.Form || f.Button || f.Export || !f.Title || !f.Table || f.Wide > 1032 {
		t.Errorf("printed: %+v", f)
	}
	if head := text(".print-only"); !strings.Contains(head, "Hà Nội") || !strings.Contains(head, "Tháng ") {
		t.Errorf("printed heading %q", head)
	}
	if err := chromedp.Do(ctx, emulateMedia(""), chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatal(err)
	}
	w.check(t)
	// the committee chooses the unit from the list
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("form.who button")), chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`))); err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, s, "committee1")
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/worklist"), chromedp.WaitVisible(chromedp.CSS("#choose"))); err != nil {
		t.Fatal(err)
	}
	options, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#unit option").length`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#unit"), "01"), chromedp.Submit(chromedp.CSS("#choices")),
		chromedp.WaitVisible(chromedp.CSS("#worklist"))); err != nil {
		t.Fatal(err)
	}
	if first := text("#worklist tbody tr"); options < 34+1 || !strings.Contains(first, "W3") || !strings.Contains(first, "Cấp bản sao trích lục hộ tịch") {
		t.Errorf("%d options; first row %q", options, first)
	}
	w.check(t)
}
