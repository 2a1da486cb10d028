package ingest

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
)

// TemplateSheet is the name of the report sheet.
const TemplateSheet = "Báo cáo"

// Template builds the monthly report workbook for a unit and month: the unit and period
// at the top, one row per measure with whole-number validation, last month's values
// beside for reference, labels locked, and an instructions sheet in Vietnamese.
func Template(u data.Unit, m data.Month, last map[string]int64) ([]byte, error) {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }() // the bytes are written by then
	// werr is the first error of the calls that write the workbook: the template is
	// refused with it rather than handed out with a cell or a style missing
	var werr error
	keep := func(err error) {
		if werr == nil {
			werr = err
		}
	}
	sh := TemplateSheet
	keep(f.SetSheetName("Sheet1", sh))
	set := func(cell string, v any) {
		keep(f.SetCellValue(sh, cell, v))
	}
	set("A1", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM — Độc lập - Tự do - Hạnh phúc")
	set("A2", fmt.Sprintf("BÁO CÁO SỐ LIỆU CHÍNH PHỦ ĐIỆN TỬ THÁNG %d/%d", m.Num(), m.Year()))
	set("A3", "Mã đơn vị")
	set("B3", u.Code)
	set("C3", u.NameVI)
	set("A4", "Kỳ báo cáo")
	set("B4", m.String())
	heads := []string{"STT", "Mã chỉ tiêu", "Chỉ tiêu", "Giá trị", "Tháng trước (" + m.Add(-1).String() + ")"}
	for i, h := range heads {
		c, _ := excelize.CoordinatesToCellName(i+1, 6)
		set(c, h)
	}
	first := 7
	for i, ms := range data.Measures {
		r := first + i
		set(fmt.Sprintf("A%d", r), i+1)
		set(fmt.Sprintf("B%d", r), ms.Code)
		set(fmt.Sprintf("C%d", r), ms.LabelVI)
		if v, ok := last[ms.Code]; ok {
			set(fmt.Sprintf("E%d", r), v)
		}
	}
	lastRow := first + len(data.Measures) - 1
	valueRange := fmt.Sprintf("D%d:D%d", first, lastRow)

	dv := excelize.NewDataValidation(true)
	dv.Sqref = valueRange
	if err := dv.SetRange(0, 999999999999, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
		return nil, err
	}
	dv.SetError(excelize.DataValidationErrorStyleStop, "Giá trị không hợp lệ", "Nhập số nguyên không âm (số lượng).")
	dv.SetInput("Giá trị", "Số nguyên không âm; để trống nếu không có số liệu.")
	if err := f.AddDataValidation(sh, dv); err != nil {
		return nil, err
	}
	title, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}})
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDE4EE"}, Pattern: 1},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}, Protection: &excelize.Protection{Locked: true}})
	locked, _ := f.NewStyle(&excelize.Style{Protection: &excelize.Protection{Locked: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	input, _ := f.NewStyle(&excelize.Style{Protection: &excelize.Protection{Locked: false}, NumFmt: 3,
		Fill:   excelize.Fill{Type: "pattern", Color: []string{"FFF8E1"}, Pattern: 1},
		Border: []excelize.Border{{Type: "left", Color: "999999", Style: 1}, {Type: "right", Color: "999999", Style: 1}, {Type: "top", Color: "999999", Style: 1}, {Type: "bottom", Color: "999999", Style: 1}}})
	lastStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 3, Font: &excelize.Font{Color: "777777"}, Protection: &excelize.Protection{Locked: true}})
	keep(f.SetCellStyle(sh, "A1", "A2", title))
	keep(f.SetCellStyle(sh, "A6", "E6", head))
	keep(f.SetCellStyle(sh, fmt.Sprintf("A%d", first), fmt.Sprintf("C%d", lastRow), locked))
	keep(f.SetCellStyle(sh, fmt.Sprintf("D%d", first), fmt.Sprintf("D%d", lastRow), input))
	keep(f.SetCellStyle(sh, fmt.Sprintf("E%d", first), fmt.Sprintf("E%d", lastRow), lastStyle))
	keep(f.SetColWidth(sh, "A", "A", 6))
	keep(f.SetColWidth(sh, "B", "B", 28))
	keep(f.SetColWidth(sh, "C", "C", 62))
	keep(f.SetColWidth(sh, "D", "E", 18))
	keep(f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 6, TopLeftCell: "A7", ActivePane: "bottomLeft"}))
	if err := f.ProtectSheet(sh, &excelize.SheetProtectionOptions{SelectLockedCells: true, SelectUnlockedCells: true, FormatColumns: true}); err != nil {
		return nil, err
	}

	guide := "Hướng dẫn"
	_, err := f.NewSheet(guide)
	keep(err)
	lines := []string{
		"HƯỚNG DẪN ĐIỀN MẪU BÁO CÁO",
		"1. Mỗi tệp là báo cáo của một đơn vị cho một tháng: mã đơn vị ở ô B3, kỳ báo cáo ở ô B4 (ví dụ 2026-10 hoặc 10/2026).",
		"2. Nhập số liệu vào cột D (Giá trị) của trang \"Báo cáo\": số nguyên không âm, là số lượng (không phải tỷ lệ %).",
		"3. Chỉ tiêu không có số liệu thì để trống (không ghi 0): ô trống nghĩa là không báo cáo.",
		"4. Cột E là số liệu tháng trước để đối chiếu; không cần sửa.",
		"5. Số hồ sơ đúng hạn không lớn hơn số hồ sơ đã giải quyết; số hồ sơ trực tuyến, số hóa không lớn hơn số hồ sơ tiếp nhận; các số lượt hài lòng, thanh toán trực tuyến, văn bản điện tử tương tự.",
		"6. Nộp tệp tại trang Nộp báo cáo hoặc qua API; hệ thống kiểm tra ngay và báo từng ô cần sửa. Nộp lại tệp đã sửa sẽ tạo phiên bản mới, phiên bản cũ vẫn được lưu.",
		"7. Hạn nộp: ngày 10 của tháng sau. Tháng đã được Ban chỉ đạo khóa thì không nhận thêm báo cáo.",
	}
	for i, l := range lines {
		keep(f.SetCellValue(guide, fmt.Sprintf("A%d", i+1), l))
	}
	keep(f.SetColWidth(guide, "A", "A", 120))
	keep(f.SetCellStyle(guide, "A1", "A1", title))
	f.SetActiveSheet(0)
	keep(f.SetDocProps(&excelize.DocProperties{Title: "Báo cáo số liệu Chính phủ điện tử " + m.String() + " — " + u.NameVI, Creator: "egovkpi", Language: "vi-VN"}))
	if werr != nil {
		return nil, fmt.Errorf("report template: %w", werr)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
