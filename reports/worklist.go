package reports

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// Worklist writes a unit's worklist as the workbook a director hands to departments: a
// sheet of the dossiers, the most points first (procedure by name, reasons in words, due
// date as a date, points at stake), under a title and a line of what fixing each reason
// would gain; frozen header, widths, autofilter, set up to print. title names the unit;
// words gives a reason's words and num a number of points as o.Lang writes them (the
// dashboard's formatter, so that the workbook reads as the pages do).
func Worklist(w *metrics.Worklist, title string, words func(reason string) string, num func(float64) string, o Options) ([]byte, error) {
	b := newBook()
	defer b.close()
	f := b.f
	sh := o.t("Việc cần làm", "Worklist")
	b.keep(f.SetSheetName("Sheet1", sh))
	month := w.Period.Label(o.Lang)
	head := fmt.Sprintf("%s · %s · %s", o.t("Việc cần làm", "Worklist"), title, month)
	b.keep(f.SetCellStr(sh, "A1", head))
	b.keep(f.SetCellStyle(sh, "A1", "A1", b.title))
	var note []string
	if w.Closed {
		note = append(note, o.t("Tháng đã kết thúc: danh sách cho biết các hồ sơ đã làm mất điểm.", "The month is over: the list says which dossiers cost points."))
	}
	note = append(note, fmt.Sprintf(o.t("Nếu xử lý hết: +%s điểm", "If all are dealt with: +%s points"), num(w.Points)))
	for _, r := range w.ByReason {
		note = append(note, fmt.Sprintf(o.t("%s: %d hồ sơ, +%s điểm", "%s: %d dossiers, +%s points"), words(r.Reason), r.Dossiers, num(r.Points)))
	}
	b.keep(f.SetCellStr(sh, "A2", strings.Join(note, " · ")))
	b.keep(f.SetCellStyle(sh, "A2", "A2", b.muted))

	heads := []string{o.t("STT", "No."), o.t("Mã hồ sơ", "Dossier"), o.t("Đơn vị", "Unit"), o.t("Thủ tục hành chính", "Procedure"),
		o.t("Lý do", "Reasons"), o.t("Ngày tiếp nhận", "Received"), o.t("Hạn giải quyết", "Due"), o.t("Điểm có thể mất", "Points at stake")}
	if w.Closed {
		heads[7] = o.t("Điểm đã mất", "Points lost")
	}
	const top = 4
	datetime := "dd/mm/yyyy hh:mm"
	when, err := f.NewStyle(&excelize.Style{CustomNumFmt: &datetime})
	b.keep(err)
	ids, procs, reasons := []string{heads[1]}, []string{heads[3]}, []string{heads[4]}
	for i, it := range w.Items {
		r := top + 1 + i
		name := it.ProcedureName
		if name == "" {
			name = it.ProcedureCode
		}
		var rs []string
		for _, x := range it.Reasons {
			rs = append(rs, words(x))
		}
		b.keep(f.SetCellInt(sh, cell(1, r), int64(i+1)))
		b.keep(f.SetCellStr(sh, cell(2, r), it.DossierID))
		b.keep(f.SetCellStr(sh, cell(3, r), it.UnitCode))
		b.keep(f.SetCellStr(sh, cell(4, r), name))
		b.keep(f.SetCellStr(sh, cell(5, r), strings.Join(rs, "; ")))
		b.keep(f.SetCellValue(sh, cell(6, r), wallClock(it.ReceivedAt)))
		if it.DueAt != nil {
			b.keep(f.SetCellValue(sh, cell(7, r), wallClock(*it.DueAt)))
		}
		b.keep(f.SetCellFloat(sh, cell(8, r), it.Points, 4, 64))
		ids, procs, reasons = append(ids, it.DossierID), append(procs, name), append(reasons, strings.Join(rs, "; "))
	}
	last := top + len(w.Items)
	if len(w.Items) > 0 {
		b.keep(f.SetCellStyle(sh, cell(6, top+1), cell(7, last), when))
		b.keep(f.SetCellStyle(sh, cell(8, top+1), cell(8, last), b.dec))
	}
	b.table(sh, top, heads, []float64{6, nameWidth(ids), 10, nameWidth(procs), nameWidth(reasons), 17, 17, 14}, last)
	b.keep(f.SetDocProps(&excelize.DocProperties{Creator: o.Author, Title: head, Keywords: "egovkpi", Language: o.t("vi-VN", "en-GB")}))
	if b.err != nil {
		return nil, fmt.Errorf("worklist workbook: %w", b.err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// wallClock is t's Viet Nam wall clock as a UTC time: a workbook's dates have no zone,
// and a director reads them as the time in Viet Nam.
func wallClock(t time.Time) time.Time {
	l := t.In(data.VietnamTime())
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), 0, 0, time.UTC)
}
