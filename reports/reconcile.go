package reports

import (
	"fmt"
	"strings"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// ReconcileSheet is the reconciliation page's table as a workbook sheet: per unit the
// portal's score, egovkpi's and egovkpi − portal for the total and each group, and the
// unit's standing in words (a flag is text in the workbook too, never a colour alone).
func ReconcileSheet(rec *metrics.Reconciliation, lang string, threshold string) Sheet {
	pick := func(vi, en string) string {
		if lang == "en" {
			return en
		}
		return vi
	}
	heads := []string{pick("Đơn vị", "Unit"), pick("Mã", "Code"), pick("Đối chiếu", "Standing")}
	widths := []float64{30, 8, 26}
	for _, code := range append([]string{pick("Tổng điểm", "Total")}, data.PortalGroups...) {
		heads = append(heads, code+" · "+pick("Cổng DVCQG", "Portal"), code+" · egovkpi", code+" · Δ")
		widths = append(widths, 12, 12, 10)
	}
	var rows [][]Cell
	for _, r := range rec.Rows {
		row := []Cell{Text(r.Unit.Name(lang)), Text(r.Unit.Code), Text(ReconcileStanding(r, lang, threshold))}
		for _, c := range append([]metrics.ReconcileCell{r.Total}, r.Groups...) {
			row = append(row, Number(c.Portal, 2), Number(c.Egovkpi, 2), Number(c.Diff, 2))
		}
		rows = append(rows, row)
	}
	title := fmt.Sprintf("%s · %s · %s", pick("Đối chiếu với Cổng Dịch vụ công quốc gia (Quyết định 766)", "Reconciling with the National Public Service Portal (Decision 766)"),
		reconcileGroupName(rec.Group, lang), rec.Period.Label(lang))
	note := pick(fmt.Sprintf("%d/%d đơn vị lệch quá %s điểm; Δ = egovkpi − Cổng", rec.Flagged, rec.Compared, threshold),
		fmt.Sprintf("%d/%d units differ by more than %s points; Δ = egovkpi − portal", rec.Flagged, rec.Compared, threshold))
	return Sheet{Name: pick("Đối chiếu", "Reconciliation"), Title: title, Note: note, Heads: heads, Rows: rows, Widths: widths}
}

// ReconcileStanding says in words where a unit stands: matching, flagged (naming the
// figures that differ), or on one side only.
func ReconcileStanding(r metrics.ReconcileRow, lang, threshold string) string {
	pick := func(vi, en string) string {
		if lang == "en" {
			return en
		}
		return vi
	}
	switch r.Side {
	case metrics.SidePortalOnly:
		if r.MergedInto != "" {
			return pick("Chỉ có trên Cổng (đã hợp nhất vào "+r.MergedInto+")", "On the portal only (merged into "+r.MergedInto+")")
		}
		return pick("Chỉ có trên Cổng", "On the portal only")
	case metrics.SideEgovkpiOnly:
		return pick("Chỉ có trên egovkpi", "In egovkpi only")
	}
	if !r.Flagged {
		return pick("Khớp", "Matches")
	}
	var which []string
	for _, c := range append([]metrics.ReconcileCell{r.Total}, r.Groups...) {
		if c.Flagged {
			name := c.Code
			if name == "total" {
				name = pick("Tổng", "Total")
			}
			which = append(which, name)
		}
	}
	return pick("Lệch quá "+threshold+" điểm: ", "Off by more than "+threshold+" points: ") + strings.Join(which, ", ")
}

func reconcileGroupName(g data.Group, lang string) string {
	switch {
	case g == data.Ministries && lang == "en":
		return "Ministries"
	case g == data.Ministries:
		return "Bộ, ngành"
	case lang == "en":
		return "Provinces"
	}
	return "Tỉnh, thành phố"
}

// ReconcileWorkbook is the reconciliation as an Excel workbook.
func ReconcileWorkbook(rec *metrics.Reconciliation, author, lang, threshold string) ([]byte, error) {
	s := ReconcileSheet(rec, lang, threshold)
	return Table(s.Title, author, lang, []Sheet{s})
}
