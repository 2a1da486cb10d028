package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
)

// TestCommunePageAndWorkbook: a commune's own page on the demo, through the server: it is
// ranked among its province's communes (the rankings API's rank and value for the same
// month), links back to its province's board, draws its last 18 months, and lists its
// late dossiers once a dossier export names it (a commune without records says so). The
// province's workbook holds its communes ranked as the API ranks them, read back.
func TestCommunePageAndWorkbook(t *testing.T) {
	s := startServer(t, true)
	var board struct {
		Period string
		Rows   []struct {
			UnitCode string `json:"unit_code"`
			Rank     *int
			Value    *float64
		}
	}
	getJSONAs(t, s, "/api/v1/rankings?indicator=online_dossier_rate&group=provinces", "analyst1", 200, &board)
	m, err := data.ParseMonth(board.Period)
	if err != nil {
		t.Fatalf("period of the default ranking %q: %v", board.Period, err)
	}
	getJSONAs(t, s, "/api/v1/rankings?indicator=online_dossier_rate&group=communes&province=01&period="+m.String(), "analyst1", 200, &board)
	if len(board.Rows) != 126 {
		t.Fatalf("Hà Nội's communes ranked: %d, want 126", len(board.Rows))
	}
	last := board.Rows[len(board.Rows)-1] // the one furthest behind: its page, with late dossiers
	other := board.Rows[0]
	var b strings.Builder
	b.WriteString(dossierHeadE2E)
	for i := range 5 {
		// received on the 2nd, due the 9th; three resolved late, two on time
		res := fmt.Sprintf("%s-0%d 10:00:00", m, 5+i)
		if i < 3 {
			res = fmt.Sprintf("%s-1%d 10:00:00", m, 2+i)
		}
		fmt.Fprintf(&b, "LATE-%d,%s,P%d,direct,%s-02 08:00:00,%s-09 17:00:00,%s,true,false,false,\n", i, last.UnitCode, 1+i%2, m, m, res)
	}
	if code, r := s.upload(t, "officer01", "?confirm=true", "ho-so-xa.csv", []byte(b.String())); code != 201 {
		t.Fatalf("Hà Nội's officer, a commune's dossiers: %d %v", code, r)
	}
	// the upload replaced the commune's dossier figures (and its province's): rank again
	getJSONAs(t, s, "/api/v1/rankings?indicator=online_dossier_rate&group=communes&province=01&period="+m.String(), "analyst1", 200, &board)
	for _, r := range board.Rows {
		if r.UnitCode == other.UnitCode {
			other = r
		}
	}
	page := func(code string) string {
		t.Helper()
		status, body := s.do(t, "GET", "/units/"+code, "analyst1", nil)
		if status != 200 {
			t.Fatalf("/units/%s: %d %.300s", code, status, body)
		}
		return string(body)
	}
	t.Run("ranked among its province's communes", func(t *testing.T) {
		p := page(other.UnitCode)
		want := fmt.Sprintf("%d / 126", *other.Rank)
		row := regexp.MustCompile(`(?s)<tr>\s*<td>Tỷ lệ hồ sơ tiếp nhận trực tuyến</td>.*?</tr>`).FindString(p)
		value := strings.Replace(fmt.Sprintf("%.2f%%", *other.Value), ".", ",", 1)
		if !strings.Contains(row, want) || !strings.Contains(row, value) {
			t.Errorf("%s's online dossiers row %q, want rank %s and %s", other.UnitCode, row, want, value)
		}
		for _, w := range []string{`href="/units/01#communes"`, "Hà Nội", `id="late-none"`} {
			if !strings.Contains(p, w) {
				t.Errorf("%s's page lacks %s", other.UnitCode, w)
			}
		}
		if strings.Contains(p, "Bộ, ngành") {
			t.Errorf("a commune's page calls it a ministry")
		}
		// 18 months in each series, ending at the month, the commune beside its province's communes
		charts := regexp.MustCompile(`data-option="([^"]+)"`).FindAllStringSubmatch(p, -1)
		if len(charts) == 0 {
			t.Fatal("no chart on the commune's page")
		}
		for _, c := range charts {
			var opt struct {
				XAxis  []struct{ Data []string }
				Series []struct{ Name string }
			}
			if err := json.Unmarshal([]byte(html.UnescapeString(c[1])), &opt); err != nil {
				t.Fatalf("chart option: %v", err)
			}
			label := func(m data.Month) string { return fmt.Sprintf("%d/%d", m.Num(), m.Year()) }
			if len(opt.XAxis) == 0 || len(opt.XAxis[0].Data) != 18 || opt.XAxis[0].Data[0] != label(m.Add(-17)) || opt.XAxis[0].Data[17] != label(m) {
				t.Errorf("a chart's months %v, want the 18 from %s to %s", opt.XAxis, label(m.Add(-17)), label(m))
			}
			var names []string
			for _, s := range opt.Series {
				names = append(names, s.Name)
			}
			if len(names) < 2 || !strings.Contains(names[1], "Hà Nội") {
				t.Errorf("a chart's lines %q: not beside Hà Nội's communes", names)
			}
		}
	})
	t.Run("its late dossiers", func(t *testing.T) {
		p := page(last.UnitCode)
		late := regexp.MustCompile(`(?s)<table id="late-list">.*?</table>`).FindString(p)
		for i := range 5 {
			if id := fmt.Sprintf("LATE-%d", i); strings.Contains(late, id) != (i < 3) {
				t.Errorf("late list %q: %s listed %v, want %v", late, id, !(i < 3), i < 3)
			}
		}
		if !strings.Contains(p, "<strong>3</strong>") || strings.Contains(p, `id="late-none"`) {
			t.Errorf("%s's page does not count its 3 late dossiers", last.UnitCode)
		}
	})
	t.Run("the province's workbook", func(t *testing.T) {
		var comp struct {
			Rows []struct {
				UnitCode string `json:"unit_code"`
				Value    *float64
			}
		}
		getJSONAs(t, s, "/api/v1/rankings?indicator=on_time_rate&group=communes&province=01&period="+m.String(), "analyst1", 200, &comp)
		onTime := map[string]*float64{}
		for _, r := range comp.Rows {
			onTime[r.UnitCode] = r.Value
		}
		code, body := s.do(t, "GET", "/api/v1/exports/province.xlsx?province=01&indicator=online_dossier_rate&period="+m.String(), "analyst1", nil)
		if code != 200 {
			t.Fatalf("province.xlsx: %d %.300s", code, body)
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = f.Close() }()
		rows, err := f.GetRows("Xã, phường")
		if err != nil {
			t.Fatalf("no communes sheet: %v (sheets %v)", err, f.GetSheetList())
		}
		if len(rows) != 4+126 {
			t.Fatalf("communes sheet: %d rows, want the title, note, a blank, the header and 126 communes", len(rows))
		}
		head := rows[3]
		col := func(name string) int {
			for i, h := range head {
				if strings.HasPrefix(h, name) {
					return i
				}
			}
			t.Fatalf("no column %q in %q", name, head)
			return -1
		}
		cOnline, cOnTime, cType, cDone := col("Tỷ lệ hồ sơ tiếp nhận trực tuyến"), col("Tỷ lệ hồ sơ giải quyết đúng hạn"), col("Loại"), col("Đầy đủ số liệu")
		if head[0] != "Hạng" || head[1] != "Mã" || head[2] != "Xã, phường" {
			t.Errorf("header %q", head)
		}
		num := func(s string) float64 {
			v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
			if err != nil {
				t.Fatalf("not a number: %q", s)
			}
			return v
		}
		types := map[string]int{}
		for i, r := range board.Rows {
			row := rows[4+i]
			if row[1] != r.UnitCode || num(row[0]) != float64(*r.Rank) || num(row[cOnline]) != *r.Value {
				t.Errorf("row %d: %q, want %s rank %d value %v", i+1, row[:4], r.UnitCode, *r.Rank, *r.Value)
			}
			if v := onTime[r.UnitCode]; v != nil && (len(row) <= cOnTime || num(row[cOnTime]) != *v) {
				t.Errorf("%s: on time %q, the API says %v", r.UnitCode, row[cOnTime], *v)
			}
			if len(row) <= cDone || num(row[cDone]) <= 0 || num(row[cDone]) > 100 {
				t.Errorf("%s: completeness %q", r.UnitCode, row)
			}
			types[row[cType]]++
		}
		if len(types) != 2 || types["Phường"] == 0 || types["Xã"] == 0 {
			t.Errorf("Hà Nội's communes by type: %v, want phường and xã", types)
		}
	})
}
