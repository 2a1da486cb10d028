package reports

import (
	"context"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// index766Sheet writes Chỉ số 766: the index of Decision 766 as the leaderboard and
// GET /api/v1/composite?name=index766 give it (the same query, so the same numbers): per
// unit its rank, name, total, change in rank, the portal's six group scores and the groups
// left out for lack of data. The sheet is there only when the workbook's group is ranked on
// the index (provinces, ministries) and some unit's dossiers are kept for the period (its
// TDGQ group has points): before the first export the catalogue alone would rank every
// unit of any month, as the leaderboard avoids too.
func (b *book) index766Sheet(ctx context.Context, m Metrics, o Options) error {
	if o.Group != data.Provinces && o.Group != data.Ministries {
		return nil
	}
	// computed for the units as they are now, whatever the workbook's boundaries
	comp, err := m.Composite(ctx, metrics.CompositeQuery{Name: metrics.Index766Name, Period: o.Period, Group: o.Group, Boundaries: metrics.Current})
	if err != nil {
		return err
	}
	if !index766HasRecords(comp) {
		return nil
	}
	f := b.f
	sheet := o.t("Chỉ số 766", "Index 766")
	b.sheet(sheet)
	b.keep(f.SetCellStr(sheet, "A1", fmt.Sprintf("%s — %s — %s", o.t(comp.NameVI, comp.NameEN), o.Period.Label(o.Lang), groupName(o))))
	b.keep(f.SetCellStyle(sheet, "A1", "A1", b.title))
	b.keep(f.SetCellStr(sheet, "A2", o.t("Điểm theo sáu nhóm của Cổng Dịch vụ công quốc gia. Ô trống: nhóm không có dữ liệu; tổng quy về 100 điểm trên các nhóm có dữ liệu.",
		"Points by the national portal's six groups. Empty: a group without data; the total is rescaled to 100 over the groups with data.")))
	b.keep(f.SetCellStyle(sheet, "A2", "A2", b.muted))

	// Headers on two lines at most, each line whole: a group's name, then its portal code
	// and maximum.
	heads := []string{o.t("Hạng", "Rank"), o.t("Đơn vị", "Unit"), o.t("Tổng điểm\n(100)", "Total\n(100)"), o.t("Thay đổi\nhạng", "Rank\nchange")}
	var groups []metrics.GroupPoints
	if len(comp.Rows) > 0 {
		groups = comp.Rows[0].Groups
	}
	for _, g := range groups {
		heads = append(heads, fmt.Sprintf("%s\n(%s, %g)", o.t(g.NameVI, g.NameEN), g.Code, g.Max))
	}
	heads = append(heads, o.t("Thiếu dữ liệu\n(nhóm)", "No data\n(groups)"))
	var names []string
	for _, r := range comp.Rows {
		names = append(names, o.t(r.UnitNameVI, r.UnitNameEN))
	}
	widths := make([]float64, len(heads))
	for i, h := range heads {
		widths[i] = headWidth(h)
	}
	widths[1] = max(widths[1], nameWidth(names))
	widths[len(widths)-1] = max(widths[len(widths)-1], float64(len(groups))*8)

	first := 3 // the header's row, as on Tổng hợp
	for i, r := range comp.Rows {
		row := first + 1 + i
		b.keep(setIntPtr(f, sheet, cell(1, row), r.Rank))
		b.keep(f.SetCellStr(sheet, cell(2, row), o.t(r.UnitNameVI, r.UnitNameEN)))
		b.keep(setFloatPtr(f, sheet, cell(3, row), r.Total))
		b.keep(f.SetCellStr(sheet, cell(4, row), rankChange(r.RankChange)))
		var missing []string
		for j, g := range r.Groups {
			b.keep(setFloatPtr(f, sheet, cell(5+j, row), g.Points))
			if g.Points == nil {
				missing = append(missing, g.Code)
			}
		}
		// a unit without any data is not ranked at all; the mark is for the ranked ones
		if r.Rank != nil {
			b.keep(f.SetCellStr(sheet, cell(5+len(r.Groups), row), strings.Join(missing, ", ")))
		}
	}
	last := first + len(comp.Rows)
	if len(comp.Rows) > 0 {
		b.keep(f.SetCellStyle(sheet, cell(3, first+1), cell(3, last), b.dec))
		b.keep(f.SetCellStyle(sheet, cell(5, first+1), cell(4+len(groups), last), b.dec))
		// the changes in rank centred, so that ▲ and ▼ line up
		centre, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "center"}})
		b.keep(err)
		b.keep(f.SetCellStyle(sheet, cell(4, first+1), cell(4, last), centre))
	}
	b.table(sheet, first, heads, widths, last)
	// after table: a row tall enough for the two-line headers, whatever table's default
	lines := 1
	for _, h := range heads {
		lines = max(lines, strings.Count(h, "\n")+1)
	}
	b.keep(f.SetRowHeight(sheet, first, float64(lines)*15+6))
	return nil
}

// index766HasRecords tells whether some unit's dossiers are kept for the period.
func index766HasRecords(c *metrics.CompositeResult) bool {
	for _, r := range c.Rows {
		for _, g := range r.Groups {
			if g.Code == "TDGQ" && g.Points != nil {
				return true
			}
		}
	}
	return false
}

// rankChange writes a change in rank as text, as the portal shows it: ▲ 3 up, ▼ 2 down,
// – unchanged, nothing when the unit was not ranked the period before.
func rankChange(ch *int) string {
	switch {
	case ch == nil:
		return ""
	case *ch > 0:
		return fmt.Sprintf("▲ %d", *ch)
	case *ch < 0:
		return fmt.Sprintf("▼ %d", -*ch)
	}
	return "–"
}

// headWidth is a column's width that holds each line of its (bold, wrapped) header whole.
func headWidth(h string) float64 {
	w := 0.0
	for _, line := range strings.Split(h, "\n") {
		w = max(w, float64(len([]rune(line)))*1.2+3)
	}
	return w
}
