package reports

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
)

func TestLateDossiersWorkbook(t *testing.T) {
	names := func(code string) string { return map[string]string{"79": "Ho Chi Minh City", "01": "Hà Nội"}[code] }
	due := time.Date(2026, 10, 10, 17, 0, 0, 0, time.UTC)
	days := 21.3
	for _, tc := range []struct {
		name  string
		late  data.LateDossiers
		lang  string
		check map[string]string // sheet!cell → value
	}{
		{"english, truncated", data.LateDossiers{Unit: "79", Month: "2026-10", Resolved: 5, ResolvedLate: 0, Overdue: 3, Truncated: true,
			Procedures: []data.LateByProcedure{{ProcedureCode: "P1", LateCounts: data.LateCounts{Overdue: 3}}},
			Dossiers:   []data.LateDossier{{DossierID: "=HYPERLINK(1)", UnitCode: "79", ProcedureCode: "P1", Channel: "online", ReceivedAt: due.AddDate(0, 0, -7), DueAt: &due, Open: true, DaysLate: &days}}},
			"en", map[string]string{"By procedure!A1": "Late dossiers · Ho Chi Minh City (79) · October 2026", "By procedure!D5": "", "By procedure!E5": "3",
				"Late dossiers!A2": "=HYPERLINK(1)", "Late dossiers!B2": "Ho Chi Minh City", "Late dossiers!G2": "open", "Late dossiers!A4": "Only the 1 latest dossiers are listed; the counts on the first sheet are whole."}},
		{"a group", data.LateDossiers{Group: data.Provinces, Month: "2026-10", Resolved: 7, ResolvedLate: 3,
			Units: []data.LateByUnit{{UnitCode: "01", LateCounts: data.LateCounts{Resolved: 4, ResolvedLate: 2}}, {UnitCode: "79", LateCounts: data.LateCounts{Resolved: 3, ResolvedLate: 1}}}}, "vi",
			map[string]string{"Theo thủ tục!A1": "Hồ sơ trễ hạn · Tỉnh, thành phố · 10/2026", "Theo đơn vị!A1": "Đơn vị", "Theo đơn vị!A2": "Hà Nội", "Theo đơn vị!B2": "01",
				"Theo đơn vị!D2": "2", "Theo đơn vị!E2": "50.00%", "Theo đơn vị!A3": "Ho Chi Minh City", "Theo đơn vị!E3": "33.33%"}},
		{"nothing late", data.LateDossiers{Unit: "79", Month: "2026-10", Resolved: 2}, "vi",
			map[string]string{"Theo thủ tục!A2": "2 hồ sơ đã giải quyết trong tháng, 0 trễ hạn; 0 quá hạn chưa giải quyết vào cuối tháng.", "Theo thủ tục!A5": "", "Hồ sơ trễ hạn!A1": "Mã hồ sơ", "Hồ sơ trễ hạn!A2": ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			title := map[string]string{"en": "Ho Chi Minh City (79)", "vi": "Tỉnh, thành phố"}[tc.lang]
			b, err := LateDossiers(tc.late, title, names, Options{Lang: tc.lang, Author: "test"})
			if err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if sheets := f.GetSheetList(); len(sheets) != map[bool]int{true: 3, false: 2}[tc.late.Unit == ""] {
				t.Errorf("sheets %v", sheets)
			}
			for ref, want := range tc.check {
				sheet, c, _ := strings.Cut(ref, "!")
				if got, _ := f.GetCellValue(sheet, c); got != want {
					t.Errorf("%s = %q, want %q", ref, got, want)
				}
			}
			// text that looks like a formula stays text
			if tc.lang == "en" {
				if formula, _ := f.GetCellFormula("Late dossiers", "A2"); formula != "" {
					t.Errorf("A2 became a formula: %q", formula)
				}
			}
		})
	}
}
