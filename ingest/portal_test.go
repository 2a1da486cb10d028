package ingest

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
)

const testPortal = `unit_code,period,total,CKMB,TDGQ,ONLINE,TTTT,MDSH,MDHL,rank
01,2026-10,87.25,16.5,18.25,11,9.5,17,15,3
79,2026-10,80,15,17,10,9,15,14,5
BQP,2026-Q3,70.5,14,16,9,8.5,12,11,
`

// portalXLSX is a workbook of rows, each cell written as text (as a portal page pasted
// into Excel keeps "17,5") unless it is a float64.
func portalXLSX(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	if err := f.SetSheetName("Sheet1", "Điểm 766"); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Điểm 766", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPortalScores sends the portal's published scores through the one way in: recognised
// by their header (English or Vietnamese, codes or group names), Vietnamese and English
// numbers, units by code or by name as they were in the period, every problem naming its
// cell, the whole file or nothing, only from the committee, identical files changing
// nothing and a later file superseding the earlier one's unit and period while both stay.
func TestPortalScores(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	committee := func(q *Request) { q.Actor, q.Benchmarks = "committee", true }
	en := func(q *Request) { q.Lang = "en" }
	dry := func(q *Request) { q.DryRun = true }
	vietnamese := portalXLSX(t, [][]any{
		{"BẢNG ĐIỂM ĐÁNH GIÁ CHẤT LƯỢNG PHỤC VỤ"}, // a title above the header
		{"STT", "Đơn vị", "Kỳ", "Tổng điểm", "Công khai, minh bạch (CKMB)", "Tiến độ, kết quả giải quyết", "Cung cấp dịch vụ trực tuyến",
			"Thanh toán trực tuyến", "Số hóa hồ sơ", "Mức độ hài lòng", "Xếp hạng", "Ghi chú"},
		{"1", "thành phố hồ chí minh", "Quý III/2026", "82,75", "17,5", "18", "10,25", "9", "15", "13", "2", ""},
		{"2", "Hà Nội", "Tháng 10/2026", 81.5, "16", "17", "11", "9,5", "14", "14", "4", "đã công bố"},
		{"3", "Ha Giang", "Quý I/2025", "60", "12", "14", "8", "6", "10", "10", "", ""}, // a province before the 2025 mergers
	})
	cases := []struct {
		name, file string
		body       []byte
		mods       []func(*Request)
		status     Status
		want       []string // in the problems (place first) or the message
	}{
		{"from an officer", "diem.csv", []byte(testPortal), nil, StatusForbidden, []string{"Chỉ Ban chỉ đạo hoặc quản trị viên"}},
		{"dry run", "diem.csv", []byte(testPortal), []func(*Request){committee, dry}, StatusDryRun, nil},
		{"good file", "diem.csv", []byte(testPortal), []func(*Request){committee}, StatusAccepted, nil},
		{"identical again", "diem-copy.csv", []byte(testPortal), []func(*Request){committee}, StatusIdentical, nil},
		{"Vietnamese headers, numbers and names", "diem.xlsx", vietnamese, []func(*Request){committee}, StatusAccepted, nil},
		{"unknown unit and bad number", "bad.xlsx", portalXLSX(t, [][]any{
			{"Mã đơn vị", "Kỳ", "Tổng điểm", "CKMB", "TDGQ", "ONLINE", "TTTT", "MDSH", "MDHL"},
			{"01", "2026-09", "80", "17,5a", "17", "10", "9", "15", "11,5"},
			{"Tỉnh Không Có", "2026-09", "80", "15", "17", "10", "9", "15", "14"},
			{"01", "2026-13", "80", "15", "25", "10", "9", "15", "14"},
		}), []func(*Request){committee, en}, StatusRejected, []string{
			`Điểm 766!D2: column CKMB: "17,5a" is not a number (write 17,5 or 17.5)`,
			`Điểm 766!A3: Unit "Tỉnh Không Có" does not exist`,
			`Điểm 766!B4: column Kỳ: "2026-13"`,
			`Điểm 766!E4: column TDGQ: "25" is above the group's maximum (20)`,
		}},
		{"same problems in Vietnamese", "bad.csv", []byte("Mã đơn vị,Kỳ,Tổng điểm,CKMB,TDGQ,ONLINE,TTTT,MDSH,MDHL\n01,2026-09,80,\"17,5a\",17,10,9,15,14\n"),
			[]func(*Request){committee}, StatusRejected, []string{`dòng 2: cột CKMB: "17,5a" không phải số`}},
		{"duplicate unit and period", "dup.csv", []byte("unit_code,period,total,CKMB,TDGQ,ONLINE,TTTT,MDSH,MDHL\n01,2026-09,80,15,17,10,9,15,14\n" +
			"Hà Nội,Tháng 9/2026,81,15,17,10,9,15,15\n"), []func(*Request){committee, en}, StatusRejected,
			[]string{`dòng 3: column unit_code: "Hà Nội" is already on row 2 for September 2026`}},
		{"a merged province after the merger", "old.csv", []byte("unit,period,total,CKMB,TDGQ,ONLINE,TTTT,MDSH,MDHL\nHà Giang,2026-09,60,12,14,8,6,10,10\n"),
			[]func(*Request){committee, en}, StatusRejected, []string{`Unit "Hà Giang" did not exist in 2026-09 (it merged into 08)`}},
		{"a period not begun", "future.csv", []byte("unit_code,period,total,CKMB,TDGQ,ONLINE,TTTT,MDSH,MDHL\n01,2026-12,80,15,17,10,9,15,14\n"),
			[]func(*Request){committee, en}, StatusRejected, []string{`column period: "2026-12" has not begun`}},
		{"a group missing", "miss.csv", []byte("unit_code,period,total,CKMB,TDGQ,ONLINE,TTTT,MDSH\n01,2026-09,80,15,17,10,9,15\n"),
			[]func(*Request){committee, en}, StatusRejected, []string{"the column MDHL is missing"}},
		{"a new version", "diem-2.csv", []byte("unit_code,period,total,CKMB,TDGQ,ONLINE,TTTT,MDSH,MDHL,rank\n79,2026-10,80.5,15.5,17,10,9,15,14,5\n"),
			[]func(*Request){committee}, StatusAccepted, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := r.ingest(c.file, c.body, c.mods...)
			if o.Status != c.status || o.Kind != KindPortalScores {
				t.Fatalf("status %s kind %s, want %s %s: %s %v", o.Status, o.Kind, c.status, KindPortalScores, o.Message, o.Errors)
			}
			var text []string
			for _, p := range o.Errors {
				text = append(text, p.String())
			}
			all := strings.Join(text, "\n") + "\n" + o.Message
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("want %q in\n%s", w, all)
				}
			}
			if c.status == StatusRejected && len(o.Errors) != len(c.want) {
				t.Errorf("%d problems, want %d:\n%s", len(o.Errors), len(c.want), all)
			}
		})
	}
	get := func(p string) map[string]data.PortalScore {
		t.Helper()
		pp, err := data.ParsePeriod(p)
		if err != nil {
			t.Fatal(err)
		}
		scores, err := r.store.PortalScores(ctx, pp)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]data.PortalScore{}
		for _, s := range scores {
			m[s.UnitCode] = s
		}
		return m
	}
	oct := get("2026-10")
	if len(oct) != 2 {
		t.Fatalf("October: %+v", oct)
	}
	// 01: the English file, then the Vietnamese one (81,5 as a number, 9,5 as text): version 2
	if s := oct["01"]; s.Version != 2 || s.Total != 81.5 || s.Groups["TTTT"] != 9.5 || s.Groups["CKMB"] != 16 || s.Rank == nil || *s.Rank != 4 {
		t.Errorf("01: %+v", s)
	}
	// 79 in October: the first file's, then the new version's
	if s := oct["79"]; s.Version != 2 || s.Total != 80.5 || s.Groups["CKMB"] != 15.5 || s.Rank == nil || *s.Rank != 5 {
		t.Errorf("79: %+v", s)
	}
	if n, _ := r.store.PortalScoreVersions(ctx, "79", oct["79"].Period); n != 2 {
		t.Errorf("79 keeps %d versions, want both", n)
	}
	q3 := get("2026-Q3")
	if s := q3["79"]; s.Total != 82.75 || s.Groups["CKMB"] != 17.5 || s.Groups["ONLINE"] != 10.25 || s.Version != 1 {
		t.Errorf("79 Q3 (by its Vietnamese name, Quý III/2026): %+v", s)
	}
	if s := q3["BQP"]; s.Total != 70.5 || s.Rank != nil || s.Groups["TTTT"] != 8.5 {
		t.Errorf("BQP Q3: %+v", s)
	}
	if s, ok := get("2025-Q1")["02"]; !ok || s.Total != 60 {
		t.Errorf("Hà Giang in 2025-Q1, before the merger: %+v", s)
	}
	if len(get("2026-09")) != 0 {
		t.Error("a rejected file left scores")
	}
	// rebuild replays the committee's files with the right to import them
	other, err := data.Open(ctx, filepath.Join(t.TempDir(), "rebuilt.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Close() }()
	target := &Ingester{Store: other, Rules: r.in.Rules, FilesDir: filepath.Join(t.TempDir(), "rebuilt.files"), Now: r.in.Now}
	if n, err := Rebuild(ctx, r.in.FilesDir, target, nil); err != nil || n != 3 {
		t.Fatalf("rebuild: %d files, %v", n, err)
	}
	if n, _ := other.PortalScoreVersions(ctx, "79", oct["79"].Period); n != 2 {
		t.Errorf("rebuilt: 79 has %d versions", n)
	}
	// an OpenDocument spreadsheet (LibreOffice's default) is read as a workbook is
	odsFile := ods(t, func(w io.Writer) {
		_, _ = io.WriteString(w, `<table:table table:name="Điểm">`+odsRow("Mã đơn vị", "Kỳ", "Tổng điểm", "CKMB", "TDGQ", "ONLINE", "TTTT", "MDSH", "MDHL", "Xếp hạng")+
			odsRow("BCA", "2026-H1", "=81.5", "17,5", "=16", "=11", "=9", "=14", "=14", "=1")+`</table:table>`)
	})
	if o := r.ingest("diem.ods", odsFile, committee); o.Status != StatusAccepted || o.Kind != KindPortalScores {
		t.Fatalf("ods: %s %s %v", o.Status, o.Message, o.Errors)
	}
	if s := get("2026-H1")["BCA"]; s.Total != 81.5 || s.Groups["CKMB"] != 17.5 || s.Rank == nil || *s.Rank != 1 {
		t.Errorf("BCA 2026-H1 from the ODS file: %+v", s)
	}
	// the template is read back as a portal-scores file
	p, _ := data.ParsePeriod("2026-Q3")
	tpl, err := PortalTemplate(p)
	if err != nil {
		t.Fatal(err)
	}
	if o := r.ingest("mau.xlsx", tpl, committee, dry); o.Status != StatusDryRun || o.Kind != KindPortalScores {
		t.Errorf("template: %s %s %v", o.Status, o.Message, o.Errors)
	}
}
