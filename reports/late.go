package reports

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
)

// LateDossiers writes a month's late dossiers, of one unit or a group (title names which),
// as a workbook: a sheet by procedure (resolved, resolved late and its share, overdue at
// the month's end), for a group a sheet by unit, and a sheet of the dossiers, the most late
// first, dates as dates. names gives a unit's name from its code.
func LateDossiers(late data.LateDossiers, title string, names func(code string) string, o Options) ([]byte, error) {
	b := newBook()
	defer b.close()
	f := b.f
	m, err := data.ParseMonth(late.Month)
	if err != nil {
		return nil, fmt.Errorf("late dossiers workbook: %w", err)
	}
	month := fmt.Sprintf("%02d/%d", m.Num(), m.Year())
	if o.Lang == "en" {
		month = m.Time().Format("January 2006")
	}
	group := late.Unit == ""

	byProc := o.t("Theo thủ tục", "By procedure")
	b.keep(f.SetSheetName("Sheet1", byProc))
	b.keep(f.SetCellStr(byProc, "A1", fmt.Sprintf("%s · %s · %s", o.t("Hồ sơ trễ hạn", "Late dossiers"), title, month)))
	b.keep(f.SetCellStyle(byProc, "A1", "A1", b.title))
	b.keep(f.SetCellStr(byProc, "A2", fmt.Sprintf(o.t("%d hồ sơ đã giải quyết trong tháng, %d trễ hạn; %d quá hạn chưa giải quyết vào cuối tháng.",
		"%d dossiers resolved in the month, %d late; %d open past their due time at the month's end."), late.Resolved, late.ResolvedLate, late.Overdue)))
	b.keep(f.SetCellStyle(byProc, "A2", "A2", b.muted))
	heads := []string{o.t("Thủ tục", "Procedure"), o.t("Đã giải quyết", "Resolved"), o.t("Giải quyết trễ hạn", "Resolved late"),
		o.t("Tỷ lệ trễ hạn", "Share late"), o.t("Quá hạn chưa giải quyết (cuối tháng)", "Open past due (month's end)")}
	const top = 4
	codes := []string{heads[0]}
	for i, p := range late.Procedures {
		r := top + 1 + i
		b.keep(f.SetCellStr(byProc, cell(1, r), p.ProcedureCode))
		b.lateCounts(byProc, r, 2, p.LateCounts)
		codes = append(codes, p.ProcedureCode)
	}
	last := top + len(late.Procedures)
	b.lateStyles(byProc, 2, top+1, last)
	b.table(byProc, top, heads, []float64{nameWidth(codes), 16, 18, 14, 24}, last)

	if group {
		byUnit := o.t("Theo đơn vị", "By unit")
		if _, err := f.NewSheet(byUnit); err != nil {
			return nil, err
		}
		uheads := append([]string{o.t("Đơn vị", "Unit"), o.t("Mã", "Code")}, heads[1:]...)
		unitNames := []string{uheads[0]}
		for i, u := range late.Units {
			r := 2 + i
			n := names(u.UnitCode)
			b.keep(f.SetCellStr(byUnit, cell(1, r), n))
			b.keep(f.SetCellStr(byUnit, cell(2, r), u.UnitCode))
			b.lateCounts(byUnit, r, 3, u.LateCounts)
			unitNames = append(unitNames, n)
		}
		b.lateStyles(byUnit, 3, 2, 1+len(late.Units))
		b.table(byUnit, 1, uheads, []float64{nameWidth(unitNames), 8, 16, 18, 14, 24}, 1+len(late.Units))
	}

	list := o.t("Hồ sơ trễ hạn", "Late dossiers")
	if _, err := f.NewSheet(list); err != nil {
		return nil, err
	}
	heads = []string{o.t("Mã hồ sơ", "Dossier"), o.t("Đơn vị", "Unit"), o.t("Thủ tục", "Procedure"), o.t("Kênh nộp", "Channel"),
		o.t("Tiếp nhận", "Received"), o.t("Hạn giải quyết", "Due"), o.t("Giải quyết lúc", "Resolved"), o.t("Số ngày trễ", "Days late")}
	datetime := "dd/mm/yyyy hh:mm"
	when, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &datetime})
	ids, listed := []string{heads[0]}, []string{heads[1]}
	for i, d := range late.Dossiers {
		r := 2 + i
		n := names(d.UnitCode)
		b.keep(f.SetCellStr(list, cell(1, r), d.DossierID))
		b.keep(f.SetCellStr(list, cell(2, r), n))
		b.keep(f.SetCellStr(list, cell(3, r), d.ProcedureCode))
		b.keep(f.SetCellStr(list, cell(4, r), d.Channel))
		b.keep(f.SetCellValue(list, cell(5, r), d.ReceivedAt))
		if d.DueAt != nil {
			b.keep(f.SetCellValue(list, cell(6, r), *d.DueAt))
		}
		if d.ResolvedAt != nil {
			b.keep(f.SetCellValue(list, cell(7, r), *d.ResolvedAt))
		} else {
			b.keep(f.SetCellStr(list, cell(7, r), o.t("chưa giải quyết", "open")))
		}
		if d.DaysLate != nil {
			b.keep(f.SetCellFloat(list, cell(8, r), *d.DaysLate, -1, 64))
		}
		ids, listed = append(ids, d.DossierID), append(listed, n)
	}
	lastRow := 1 + len(late.Dossiers)
	if len(late.Dossiers) > 0 {
		b.keep(f.SetCellStyle(list, cell(5, 2), cell(7, lastRow), when))
		b.keep(f.SetCellStyle(list, cell(8, 2), cell(8, lastRow), b.dec))
	}
	b.table(list, 1, heads, []float64{nameWidth(ids), nameWidth(listed), 16, 12, 18, 18, 18, 12}, lastRow)
	if late.Truncated {
		b.keep(f.SetCellStr(list, cell(1, lastRow+2), fmt.Sprintf(o.t("Chỉ liệt kê %d hồ sơ trễ nhiều nhất; các số đếm ở trang đầu là đầy đủ.",
			"Only the %d latest dossiers are listed; the counts on the first sheet are whole."), len(late.Dossiers))))
		b.keep(f.SetCellStyle(list, cell(1, lastRow+2), cell(1, lastRow+2), b.muted))
	}
	f.SetActiveSheet(0)
	b.keep(f.SetDocProps(&excelize.DocProperties{Creator: o.Author, Title: fmt.Sprintf("%s · %s · %s", list, title, late.Month), Language: o.t("vi-VN", "en-GB")}))
	if b.err != nil {
		return nil, fmt.Errorf("late dossiers workbook: %w", b.err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// lateCounts writes resolved, resolved late, the share late (when any were resolved) and
// overdue into row r from column c on.
func (b *book) lateCounts(sheet string, r, c int, n data.LateCounts) {
	b.keep(b.f.SetCellInt(sheet, cell(c, r), int64(n.Resolved)))
	b.keep(b.f.SetCellInt(sheet, cell(c+1, r), int64(n.ResolvedLate)))
	if n.Resolved > 0 {
		b.keep(b.f.SetCellFloat(sheet, cell(c+2, r), float64(n.ResolvedLate)/float64(n.Resolved), -1, 64))
	}
	b.keep(b.f.SetCellInt(sheet, cell(c+3, r), int64(n.Overdue)))
}

// lateStyles formats the columns lateCounts wrote in rows first..last.
func (b *book) lateStyles(sheet string, c, first, last int) {
	if last < first {
		return
	}
	b.keep(b.f.SetCellStyle(sheet, cell(c, first), cell(c+1, last), b.num))
	b.keep(b.f.SetCellStyle(sheet, cell(c+2, first), cell(c+2, last), b.pct))
	b.keep(b.f.SetCellStyle(sheet, cell(c+3, first), cell(c+3, last), b.num))
}
