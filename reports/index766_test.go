package reports

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
	"github.com/egovkpi/egovkpi/metrics"
)

// TestIndex766Sheet: with the demo's 766 records the monthly workbook holds Chỉ số 766
// right after the summary, one row per unit in rank order, its values those of
// GET /api/v1/composite?name=index766 for the same period and group (the handler returns
// the engine's Composite as it is), numbers with 2 decimals, the header frozen and whole;
// without records (2019) the sheet is left out.
func TestIndex766Sheet(t *testing.T) {
	ctx := context.Background()
	store, err := data.Open(ctx, filepath.Join(t.TempDir(), "r.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	if _, err := (ingest.Demo{Seed: 1, Through: data.NewMonth(2026, 10), With766: true}).Load(ctx, store.Units(), store); err != nil {
		t.Fatal(err)
	}
	defs, _ := metrics.DefaultDefs()
	eng := metrics.NewEngine(store, defs)
	// the portal's six groups and their maxima (issue 17, metrics/index766.toml)
	groups := []string{"CKMB, 18", "TDGQ, 20", "ONLINE, 12", "TTTT, 10", "MDSH, 22", "MDHL, 18"}
	for _, tc := range []struct {
		period, lang, sheet, summary string
		group                        data.Group
	}{
		{"2026-10", "vi", "Chỉ số 766", "Tổng hợp", data.Provinces},
		{"2026-Q3", "en", "Index 766", "Summary", data.Ministries},
		{"2026-H2", "vi", "Chỉ số 766", "Tổng hợp", data.Provinces},
	} {
		t.Run(tc.period+"-"+string(tc.group), func(t *testing.T) {
			f := monthly(t, eng, tc.period, tc.group, tc.lang)
			if sheets := f.GetSheetList(); len(sheets) < 2 || sheets[0] != tc.summary || sheets[1] != tc.sheet {
				t.Fatalf("sheets %v: want %q after %q", sheets, tc.sheet, tc.summary)
			}
			p, _ := data.ParsePeriod(tc.period)
			api, err := eng.Composite(ctx, metrics.CompositeQuery{Name: metrics.Index766Name, Period: p, Group: tc.group, Boundaries: metrics.Current})
			if err != nil {
				t.Fatal(err)
			}
			sh := tc.sheet
			// headers: rank, unit, total, change, the six groups with code and maximum, no data
			heads, _ := f.GetRows(sh)
			if len(heads) < 3 || len(heads[2]) != 11 {
				t.Fatalf("header row %q", heads[min(2, len(heads)-1)])
			}
			for i, g := range groups {
				if h := heads[2][4+i]; !strings.HasSuffix(h, "("+g+")") {
					t.Errorf("group column %d: %q, want (%s)", i, h, g)
				}
			}
			if tc.lang == "vi" && (heads[2][0] != "Hạng" || heads[2][1] != "Đơn vị" || !strings.HasPrefix(heads[2][2], "Tổng điểm") || !strings.HasPrefix(heads[2][3], "Thay đổi") || !strings.HasPrefix(heads[2][4], "Công khai, minh bạch")) {
				t.Errorf("Vietnamese headers %q", heads[2])
			}
			// each header line whole: a column at least as wide as its longest line
			for i, h := range heads[2] {
				col, _ := excelize.ColumnNumberToName(i + 1)
				w, _ := f.GetColWidth(sh, col)
				for _, line := range strings.Split(h, "\n") {
					if float64(len([]rune(line)))*1.1 > w {
						t.Errorf("column %s (%q) %.1f wide: %q cut", col, h, w, line)
					}
				}
			}
			if ht, _ := f.GetRowHeight(sh, 3); ht < 2*14 {
				t.Errorf("header row %.0f high for two lines", ht)
			}
			if panes, _ := f.GetPanes(sh); !panes.Freeze || panes.YSplit != 3 {
				t.Errorf("panes %+v", panes)
			}
			ranked, prev := 0, 0
			rows, _ := f.GetRows(sh, excelize.Options{RawCellValue: true})
			if len(rows) != 3+len(api.Rows) {
				t.Fatalf("%d unit rows, the API %d", len(rows)-3, len(api.Rows))
			}
			for i, want := range api.Rows {
				n := 4 + i
				get := func(c int) string {
					v, _ := f.GetCellValue(sh, cell(c, n), excelize.Options{RawCellValue: true})
					return v
				}
				num := func(c int, want *float64, what string) {
					v := get(c)
					if want == nil {
						if v != "" {
							t.Errorf("row %d %s: %q, the API none", n, what, v)
						}
						return
					}
					got, err := strconv.ParseFloat(v, 64)
					if err != nil || math.Abs(got-*want) > 1e-9 {
						t.Errorf("row %d %s: %q, the API %v", n, what, v, *want)
					}
				}
				name := want.UnitNameVI
				if tc.lang == "en" {
					name = want.UnitNameEN
				}
				if get(2) != name {
					t.Errorf("row %d: %q, the API's %d-th %q", n, get(2), i+1, name)
				}
				if want.Rank != nil {
					ranked++
					r, _ := strconv.Atoi(get(1))
					if r != *want.Rank || r < prev {
						t.Errorf("row %d (%s): rank %q, the API %d, the row before %d", n, name, get(1), *want.Rank, prev)
					}
					prev = r
				} else if get(1) != "" {
					t.Errorf("row %d (%s): rank %q, unranked by the API", n, name, get(1))
				}
				num(3, want.Total, "total")
				change := ""
				if c := want.RankChange; c != nil {
					change = map[bool]string{true: fmt.Sprintf("▲ %d", *c), false: fmt.Sprintf("▼ %d", -*c)}[*c > 0]
					if *c == 0 {
						change = "–"
					}
				}
				if get(4) != change {
					t.Errorf("row %d (%s): change %q, want %q (previous rank %v)", n, name, get(4), change, want.PreviousRank)
				}
				var missing []string
				for j, g := range want.Groups {
					num(5+j, g.Points, g.Code)
					if g.Points == nil {
						missing = append(missing, g.Code)
					}
				}
				if want.Rank != nil && get(11) != strings.Join(missing, ", ") {
					t.Errorf("row %d (%s): no data %q, want %q", n, name, get(11), strings.Join(missing, ", "))
				}
			}
			if ranked == 0 {
				t.Fatal("no unit ranked: the demo's records are missing")
			}
			// numbers shown with 2 decimals
			for _, c := range []string{"C4", "E4", "J4"} {
				id, _ := f.GetCellStyle(sh, c)
				st, _ := f.GetStyle(id)
				if st == nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "0.00" {
					t.Errorf("%s: number format %+v", c, st)
				}
			}
		})
	}
	t.Run("no records", func(t *testing.T) {
		f := monthly(t, eng, "2019-03", data.Ministries, "vi")
		for _, sh := range f.GetSheetList() {
			if sh == "Chỉ số 766" {
				t.Error("a 766 sheet for a month without dossier records")
			}
		}
	})
}
