// Package reports writes the Excel workbooks (and raw exports) an analyst hands on as
// they are: numbers as numbers, Vietnamese names that fit, print set-up done.
package reports

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// Metrics is what the workbooks read; *metrics.Engine is one.
type Metrics interface {
	Rankings(ctx context.Context, q metrics.RankingQuery) (*metrics.Ranking, error)
	Composite(ctx context.Context, q metrics.CompositeQuery) (*metrics.CompositeResult, error)
	Completeness(ctx context.Context, p data.Period, g data.Group) (*metrics.Completeness, error)
	Series(ctx context.Context, q metrics.SeriesQuery) (*metrics.Series, error)
	Maturity(ctx context.Context, m data.Month, g data.Group, b metrics.Boundaries) (*metrics.MaturityResult, error)
	DefaultMonth(ctx context.Context, g data.Group) (data.Month, error)
	Defs() *metrics.Defs
}

// Options choose what a workbook shows.
type Options struct {
	Period      data.Period
	Group       data.Group
	Boundaries  metrics.Boundaries
	Lang        string // vi (default) or en
	Author      string
	DataChanged time.Time // when the data last changed, for the notes
	Now         time.Time
}

func (o Options) t(vi, en string) string { return data.Pick(o.Lang, vi, en) }

// safeText keeps text that a spreadsheet would evaluate (=, +, -, @, tab, CR first) as
// text: excelize writes strings as strings, never formulas, so only the CSV writer
// needs to prefix it; this is the one place that decides what counts.
func safeText(s string) bool {
	return s == "" || !strings.ContainsAny(s[:1], "=+-@\t\r")
}

// book wraps excelize with the styles every sheet shares.
type book struct {
	f                               *excelize.File
	head, pct, pct0, num, dec, wrap int
	good, bad, title, muted         int
	centre, change                  int
	gradeStyles                     map[string]int
	// err is the first error of any excelize call: the workbook is refused with it at the
	// end rather than handed on with a cell, a style or a chart silently missing.
	err error
}

// keep notes the first error of the calls that write the workbook.
func (b *book) keep(err error) {
	if b.err == nil && err != nil {
		b.err = err
	}
}

// close frees the workbook's temporary files; the bytes, if any, are written already, so
// its error changes nothing for the caller.
func (b *book) close() { _ = b.f.Close() }

// sheet adds a sheet.
func (b *book) sheet(name string) {
	_, err := b.f.NewSheet(name)
	b.keep(err)
}

func newBook() *book {
	f := excelize.NewFile()
	b := &book{f: f, gradeStyles: map[string]int{}}
	b.title, _ = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	b.muted, _ = f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "666666", Italic: true}})
	b.head, _ = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: excelize.Fill{Type: "pattern", Color: []string{"B3261E"}, Pattern: 1},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center", Horizontal: "center"}})
	fmt2 := "0.00%"
	b.pct, _ = f.NewStyle(&excelize.Style{CustomNumFmt: &fmt2})
	fmt0 := "0%"
	b.pct0, _ = f.NewStyle(&excelize.Style{CustomNumFmt: &fmt0})
	b.num, _ = f.NewStyle(&excelize.Style{NumFmt: 3}) // #,##0
	fmtd := "0.00"
	b.dec, _ = f.NewStyle(&excelize.Style{CustomNumFmt: &fmtd})
	b.wrap, _ = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	// ranks and codes centred: a right-aligned rank beside a left-aligned code read as one
	// number ("1 19") in LibreOffice
	b.centre, _ = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "center"}})
	// a rank's change stays a number (it sorts and filters) and shows its arrow through the
	// number format, which Excel and LibreOffice both render: ▲ 3, ▼ 2, – for none
	arrows := `"▲ "0;"▼ "0;"–"`
	b.change, _ = f.NewStyle(&excelize.Style{CustomNumFmt: &arrows, Alignment: &excelize.Alignment{Horizontal: "center"}})
	b.good, _ = f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Color: "1E7B34"}, Fill: excelize.Fill{Type: "pattern", Color: []string{"E3F4E6"}, Pattern: 1}})
	b.bad, _ = f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Color: "B3261E"}, Fill: excelize.Fill{Type: "pattern", Color: []string{"FBE4E2"}, Pattern: 1}})
	return b
}

func cell(c, r int) string {
	n, _ := excelize.CoordinatesToCellName(c, r)
	return n
}

// table writes a header row and sets up a sheet to read and print: frozen header,
// autofilter, widths, landscape, fit to width, header repeated on every page.
func (b *book) table(sheet string, headerRow int, heads []string, widths []float64, lastRow int) {
	for i, h := range heads {
		b.keep(b.f.SetCellStr(sheet, cell(i+1, headerRow), h))
	}
	b.keep(b.f.SetCellStyle(sheet, cell(1, headerRow), cell(len(heads), headerRow), b.head))
	// every header whole: a column is at least as wide as its header on one line (up to
	// headMax), and the row is as tall as the longest header that still wraps; Excel and
	// LibreOffice cut a wrapped header that the row's height does not hold
	lines := 2
	for i, w := range widths {
		if i < len(heads) {
			need := textWidth(heads[i], true)
			w = max(w, min(need, headMax))
			lines = max(lines, int(need/w)+1)
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		b.keep(b.f.SetColWidth(sheet, col, col, w))
	}
	b.keep(b.f.SetRowHeight(sheet, headerRow, float64(16*lines)))
	b.keep(b.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: cell(1, headerRow+1), ActivePane: "bottomLeft"}))
	if lastRow > headerRow {
		b.keep(b.f.AutoFilter(sheet, cell(1, headerRow)+":"+cell(len(heads), lastRow), nil))
	}
	landscape := "landscape"
	fit := true
	one, zero := 1, 0
	a4 := 9 // the paper is said, or LibreOffice prints on its locale's (US Letter by default)
	b.keep(b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &a4, Orientation: &landscape, FitToWidth: &one, FitToHeight: &zero}))
	b.keep(b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}))
	b.keep(b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$%d:$%d", sheet, headerRow, headerRow), Scope: sheet}))
}

// headMax is the widest a column grows to hold its header on one line; longer headers wrap.
const headMax = 40

// textWidth is the column width (in widths of "0") that shows s on one line, with room for
// the autofilter's button: a letter of Calibri 11 is on average narrower than its "0", a
// bold one about as wide; the factors leave room for the wider face LibreOffice uses where
// Calibri is not installed (Noto Sans on Debian with fonts-noto-core).
func textWidth(s string, bold bool) float64 {
	k := 0.85
	if bold {
		k = 0.95
	}
	return float64(len([]rune(s)))*k + 3
}

// nameWidth fits the longest name (Vietnamese letters are one character each).
func nameWidth(names []string) float64 {
	w := 18.0
	for _, n := range names {
		w = max(w, float64(len([]rune(n)))*1.1+2)
	}
	return min(w, 60)
}

// Monthly writes the month's workbook: the composite leaderboard with a chart, a sheet
// per indicator, reporting completeness, and the notes.
func Monthly(ctx context.Context, m Metrics, o Options) ([]byte, error) {
	if o.Boundaries == "" {
		o.Boundaries = metrics.Current
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	b := newBook()
	defer b.close()
	for _, sheet := range []func(context.Context, Metrics, Options) error{b.summarySheet, b.index766Sheet, b.indicatorSheets, b.completenessSheet, b.maturitySheet, b.notesSheet} {
		if err := sheet(ctx, m, o); err != nil {
			return nil, err
		}
	}
	return b.finish(o)
}

// summarySheet writes Tổng hợp: the first composite, ranked, with its grades and a bar chart of the totals.
func (b *book) summarySheet(ctx context.Context, m Metrics, o Options) error {
	defs := m.Defs()
	f := b.f
	name := func(vi, en string) string { return o.t(vi, en) }
	// Tổng hợp: the first composite
	summary := o.t("Tổng hợp", "Summary")
	b.keep(f.SetSheetName("Sheet1", summary))
	if len(defs.Composites) > 0 {
		comp, err := m.Composite(ctx, metrics.CompositeQuery{Name: defs.Composites[0].Code, Period: o.Period, Group: o.Group, Boundaries: o.Boundaries})
		if err != nil {
			return err
		}
		b.keep(f.SetCellStr(summary, "A1", fmt.Sprintf("%s — %s — %s", name(comp.NameVI, comp.NameEN), o.Period, groupName(o))))
		b.keep(f.SetCellStyle(summary, "A1", "A1", b.title))
		heads := []string{o.t("Hạng", "Rank"), o.t("Thay đổi", "Change"), o.t("Mã", "Code"), o.t("Đơn vị", "Unit")}
		for _, g := range defs.Composites[0].Groups {
			heads = append(heads, fmt.Sprintf("%s (%g)", name(g.NameVI, g.NameEN), g.Points()))
		}
		heads = append(heads, o.t("Tổng điểm", "Total"), o.t("Xếp loại", "Grade"))
		var names []string
		for _, r := range comp.Rows {
			names = append(names, name(r.UnitNameVI, r.UnitNameEN))
		}
		widths := []float64{7, 9, 8, nameWidth(names)}
		for range defs.Composites[0].Groups {
			widths = append(widths, 14)
		}
		// the grade column holds its longest grade, so the text ends inside the table
		gradeW := 13.0
		for _, g := range defs.Grades {
			gradeW = max(gradeW, textWidth(name(g.LabelVI, g.LabelEN), false))
		}
		widths = append(widths, 11, gradeW)
		first := 3
		for i, r := range comp.Rows {
			row := first + 1 + i
			b.keep(setIntPtr(f, summary, cell(1, row), r.Rank))
			b.keep(setIntPtr(f, summary, cell(2, row), r.RankChange))
			b.keep(f.SetCellStr(summary, cell(3, row), r.UnitCode))
			b.keep(f.SetCellStr(summary, cell(4, row), name(r.UnitNameVI, r.UnitNameEN)))
			for j, g := range r.Groups {
				b.keep(setFloatPtr(f, summary, cell(5+j, row), g.Points))
			}
			tc := 5 + len(r.Groups)
			b.keep(setFloatPtr(f, summary, cell(tc, row), r.Total))
			b.keep(f.SetCellStr(summary, cell(tc+1, row), name(r.GradeVI, r.GradeEN)))
		}
		last := first + len(comp.Rows)
		b.table(summary, first, heads, widths, last)
		tc := 5 + len(defs.Composites[0].Groups)
		b.keep(f.SetCellStyle(summary, cell(5, first+1), cell(tc, last), b.dec))
		b.keep(f.SetCellStyle(summary, cell(1, first+1), cell(1, last), b.centre))
		b.keep(f.SetCellStyle(summary, cell(2, first+1), cell(2, last), b.change))
		b.keep(f.SetCellStyle(summary, cell(3, first+1), cell(3, last), b.centre))
		// the grade centred too: left-aligned beside the right-aligned total it read as one cell
		b.keep(f.SetCellStyle(summary, cell(tc+1, first+1), cell(tc+1, last), b.centre))
		// grades: the top band green, the bottom red; the text says it too
		if len(defs.Grades) > 1 {
			top, bottom := defs.Grades[0], defs.Grades[len(defs.Grades)-1]
			rng := cell(tc, first+1) + ":" + cell(tc+1, last)
			b.keep(f.SetConditionalFormat(summary, rng, []excelize.ConditionalFormatOptions{
				{Type: "formula", Criteria: "=", Format: &b.good, Value: fmt.Sprintf("$%s%d>=%g", colName(tc), first+1, top.Min)},
				{Type: "formula", Criteria: "=", Format: &b.bad, Value: fmt.Sprintf("$%s%d<%g", colName(tc), first+1, defs.Grades[len(defs.Grades)-2].Min)},
			}))
			_ = bottom
		}
		// a native bar chart of the totals
		if len(comp.Rows) > 0 {
			n := 0
			for _, r := range comp.Rows {
				if r.Total != nil {
					n++
				}
			}
			if n > 0 {
				// Excel and LibreOffice read the same chart alike only when it says everything:
				// one explicit fill (LibreOffice honours varyColors, which excelize defaults to
				// on, and gives every bar its own colour); the category axis reversed, so the
				// first row (the best unit) is the top bar while the values still rise left to
				// right (reversing the value axis instead put 96 on the left and the names on the
				// right); axis labels in the pages' dark text colour, not the default light grey.
				vary := false
				dark := excelize.Font{Color: chartText, Size: 9}
				err := f.AddChart(summary, cell(tc+3, first), &excelize.Chart{
					Type:       excelize.Bar,
					VaryColors: &vary,
					Series: []excelize.ChartSeries{{
						Name:       fmt.Sprintf("'%s'!$%s$%d", summary, colName(tc), first),
						Categories: fmt.Sprintf("'%s'!$D$%d:$D$%d", summary, first+1, first+n),
						Values:     fmt.Sprintf("'%s'!$%s$%d:$%s$%d", summary, colName(tc), first+1, colName(tc), first+n),
						Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{chartBar}},
					}},
					Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: name(comp.NameVI, comp.NameEN), Font: &excelize.Font{Color: chartText, Bold: true, Size: 12}}}},
					Legend:    excelize.ChartLegend{Position: "none"},
					XAxis:     excelize.ChartAxis{ReverseOrder: true, Font: dark, TickLabelSkip: 1},
					YAxis:     excelize.ChartAxis{Font: dark, MajorGridLines: true},
					Dimension: excelize.ChartDimension{Width: 560, Height: uint(max(320, 16*n+80))},
				})
				if err != nil {
					return fmt.Errorf("chart: %w", err)
				}
			}
		}
	}
	return nil
}

// indicatorSheets writes a sheet per indicator: the ranking with numerators, denominators, targets and the national figure.
func (b *book) indicatorSheets(ctx context.Context, m Metrics, o Options) error {
	defs := m.Defs()
	f := b.f
	name := func(vi, en string) string { return o.t(vi, en) }
	// one sheet per indicator
	for _, in := range defs.Indicators {
		r, err := m.Rankings(ctx, metrics.RankingQuery{Indicator: in.Code, Period: o.Period, Group: o.Group, Boundaries: o.Boundaries})
		if err != nil {
			return err
		}
		sh := sheetName(in.Code)
		b.sheet(sh)
		b.keep(f.SetCellStr(sh, "A1", in.Name(o.Lang)+" — "+o.Period.String()))
		b.keep(f.SetCellStyle(sh, "A1", "A1", b.title))
		heads := []string{o.t("Hạng", "Rank"), o.t("Mã", "Code"), o.t("Đơn vị", "Unit"), o.t("Tử số", "Numerator"), o.t("Mẫu số", "Denominator"),
			o.t("Giá trị", "Value"), o.t("Mục tiêu", "Target"), o.t("Đạt", "Met"), o.t("Hạng kỳ trước", "Previous rank"), o.t("Thay đổi", "Change")}
		var names []string
		for _, row := range r.Rows {
			names = append(names, name(row.UnitNameVI, row.UnitNameEN))
		}
		first := 3
		for i, row := range r.Rows {
			n := first + 1 + i
			b.keep(setIntPtr(f, sh, cell(1, n), row.Rank))
			b.keep(f.SetCellStr(sh, cell(2, n), row.UnitCode))
			b.keep(f.SetCellStr(sh, cell(3, n), name(row.UnitNameVI, row.UnitNameEN)))
			b.keep(setInt64Ptr(f, sh, cell(4, n), row.Numerator))
			b.keep(setInt64Ptr(f, sh, cell(5, n), row.Denominator))
			if row.Value != nil {
				b.keep(f.SetCellFloat(sh, cell(6, n), *row.Value/in.Scale(), in.Decimals()+2, 64))
			} else {
				b.keep(f.SetCellStr(sh, cell(6, n), o.t("— không báo cáo", "— no report")))
				if row.Reason == metrics.ReasonNothingToMeasure {
					b.keep(f.SetCellStr(sh, cell(6, n), o.t("— không phát sinh", "— nothing to measure")))
				}
			}
			if row.Target != nil {
				b.keep(f.SetCellFloat(sh, cell(7, n), *row.Target/in.Scale(), 4, 64))
			}
			if row.TargetMet != nil {
				b.keep(f.SetCellStr(sh, cell(8, n), metOrNot(*row.TargetMet, o)))
			}
			b.keep(setIntPtr(f, sh, cell(9, n), row.PreviousRank))
			b.keep(setIntPtr(f, sh, cell(10, n), row.RankChange))
		}
		last := first + len(r.Rows)
		b.table(sh, first, heads, []float64{7, 8, nameWidth(names), 13, 13, 11, 10, 10, 12, 10}, last)
		b.keep(f.SetCellStyle(sh, cell(4, first+1), cell(5, last), b.num))
		b.keep(f.SetCellStyle(sh, cell(1, first+1), cell(2, last), b.centre))
		b.keep(f.SetCellStyle(sh, cell(9, first+1), cell(9, last), b.centre))
		b.keep(f.SetCellStyle(sh, cell(10, first+1), cell(10, last), b.change))
		if in.Kind == "percent" {
			b.keep(f.SetCellStyle(sh, cell(6, first+1), cell(6, last), b.pct))
			b.keep(f.SetCellStyle(sh, cell(7, first+1), cell(7, last), b.pct0))
		}
		b.keep(f.SetConditionalFormat(sh, cell(8, first+1)+":"+cell(8, last), []excelize.ConditionalFormatOptions{
			{Type: "cell", Criteria: "==", Format: &b.good, Value: `"` + o.t("Đạt", "Met") + `"`},
			{Type: "cell", Criteria: "==", Format: &b.bad, Value: `"` + o.t("Chưa đạt", "Not met") + `"`},
		}))
		b.keep(f.SetCellStr(sh, cell(1, last+2), o.t("Cả nước", "National")))
		b.keep(f.SetCellInt(sh, cell(4, last+2), r.National.Numerator))
		b.keep(f.SetCellInt(sh, cell(5, last+2), r.National.Denominator))
		if r.National.Value != nil {
			b.keep(f.SetCellFloat(sh, cell(6, last+2), *r.National.Value/in.Scale(), in.Decimals()+2, 64))
			if in.Kind == "percent" {
				b.keep(f.SetCellStyle(sh, cell(6, last+2), cell(6, last+2), b.pct))
			}
		}
	}
	return nil
}

// completenessSheet writes Đầy đủ báo cáo: who was expected to report, who did, on time or late.
func (b *book) completenessSheet(ctx context.Context, m Metrics, o Options) error {
	f := b.f
	name := func(vi, en string) string { return o.t(vi, en) }
	// Đầy đủ báo cáo
	cs := o.t("Đầy đủ báo cáo", "Reporting")
	b.sheet(cs)
	c, err := m.Completeness(ctx, o.Period, o.Group)
	if err != nil {
		return err
	}
	b.keep(f.SetCellStr(cs, "A1", fmt.Sprintf("%s %s: %d/%d %s, %d %s, %d %s, %d %s", o.t("Báo cáo kỳ", "Reports for"), o.Period, c.Received, c.Expected,
		o.t("đã nộp", "received"), c.OnTime, o.t("đúng hạn", "on time"), c.Late, o.t("muộn", "late"), c.Missing, o.t("chưa nộp", "missing"))))
	b.keep(f.SetCellStyle(cs, "A1", "A1", b.title))
	var names []string
	for i, u := range c.Units {
		n := 4 + i
		names = append(names, name(u.UnitNameVI, u.UnitNameEN))
		b.keep(f.SetCellStr(cs, cell(1, n), u.UnitCode))
		b.keep(f.SetCellStr(cs, cell(2, n), name(u.UnitNameVI, u.UnitNameEN)))
		b.keep(f.SetCellStr(cs, cell(3, n), u.Period))
		b.keep(f.SetCellStr(cs, cell(4, n), statusName(o, u.Status)))
		if u.FirstAt != nil {
			b.keep(f.SetCellValue(cs, cell(5, n), u.FirstAt.In(vietnam)))
		}
		b.keep(f.SetCellInt(cs, cell(6, n), int64(u.Versions)))
		b.keep(f.SetCellValue(cs, cell(7, n), u.Deadline.In(vietnam)))
	}
	last := 3 + len(c.Units)
	b.table(cs, 3, []string{o.t("Mã", "Code"), o.t("Đơn vị", "Unit"), o.t("Kỳ", "Period"), o.t("Trạng thái", "Status"),
		o.t("Nộp lần đầu", "First sent"), o.t("Số phiên bản", "Versions"), o.t("Hạn nộp", "Deadline")}, []float64{8, nameWidth(names), 10, 14, 18, 12, 18}, last)
	dt := "dd/mm/yyyy hh:mm"
	dts, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dt})
	b.keep(f.SetCellStyle(cs, cell(5, 4), cell(5, last), dts))
	b.keep(f.SetCellStyle(cs, cell(7, 4), cell(7, last), dts))
	b.keep(f.SetConditionalFormat(cs, cell(4, 4)+":"+cell(4, last), []excelize.ConditionalFormatOptions{
		{Type: "cell", Criteria: "==", Format: &b.good, Value: `"` + statusName(o, metrics.StatusOnTime) + `"`},
		{Type: "cell", Criteria: "==", Format: &b.bad, Value: `"` + statusName(o, metrics.StatusMissing) + `"`},
	}))
	return nil
}

// maturitySheet writes Mức độ trưởng thành: each unit's level, its capabilities and what it lacks for the next level.
func (b *book) maturitySheet(ctx context.Context, m Metrics, o Options) error {
	defs := m.Defs()
	f := b.f
	name := func(vi, en string) string { return o.t(vi, en) }
	// Mức độ trưởng thành
	ms := o.t("Mức độ trưởng thành", "Maturity")
	b.sheet(ms)
	mat, err := m.Maturity(ctx, o.Period.To, o.Group, o.Boundaries)
	if err != nil {
		return err
	}
	var caps []metrics.Capability
	for _, c := range defs.Capabilities {
		if c.AppliesTo(o.Group) {
			caps = append(caps, c)
		}
	}
	mheads := []string{o.t("Mã", "Code"), o.t("Đơn vị", "Unit"), o.t("Mức", "Level"), o.t("Tên mức", "Level name")}
	for _, c := range caps {
		mheads = append(mheads, name(c.NameVI, c.NameEN))
	}
	mheads = append(mheads, o.t("Còn thiếu để lên mức tiếp theo", "Missing for the next level"))
	b.keep(f.SetCellStr(ms, "A1", fmt.Sprintf("%s — %s", o.t("Mức độ trưởng thành Chính phủ điện tử", "E-government maturity"), o.Period.To)))
	b.keep(f.SetCellStyle(ms, "A1", "A1", b.title))
	var names []string
	for i, row := range mat.Rows {
		n := 4 + i
		names = append(names, name(row.UnitNameVI, row.UnitNameEN))
		b.keep(f.SetCellStr(ms, cell(1, n), row.UnitCode))
		b.keep(f.SetCellStr(ms, cell(2, n), name(row.UnitNameVI, row.UnitNameEN)))
		b.keep(f.SetCellInt(ms, cell(3, n), int64(row.Level)))
		b.keep(f.SetCellStr(ms, cell(4, n), name(row.LevelName, row.LevelNameEN)))
		for j, c := range caps {
			v := row.Capabilities[c.Code]
			switch {
			case v == nil:
				b.keep(f.SetCellStr(ms, cell(5+j, n), "—"))
			case c.Kind == "percent":
				b.keep(f.SetCellFloat(ms, cell(5+j, n), *v/100, 4, 64))
				b.keep(f.SetCellStyle(ms, cell(5+j, n), cell(5+j, n), b.pct0))
			case *v > 0:
				b.keep(f.SetCellStr(ms, cell(5+j, n), o.t("Có", "Yes")))
			default:
				b.keep(f.SetCellStr(ms, cell(5+j, n), o.t("Chưa", "No")))
			}
		}
		var miss []string
		for _, x := range row.Missing {
			miss = append(miss, name(x.TextVI, x.TextEN))
		}
		b.keep(f.SetCellStr(ms, cell(5+len(caps), n), strings.Join(miss, "; ")))
	}
	mwidths := []float64{8, nameWidth(names), 7, 14}
	for range caps {
		mwidths = append(mwidths, 14)
	}
	mwidths = append(mwidths, 60)
	b.table(ms, 3, mheads, mwidths, 3+len(mat.Rows))
	b.keep(f.SetConditionalFormat(ms, cell(5, 4)+":"+cell(4+len(caps), 3+len(mat.Rows)), []excelize.ConditionalFormatOptions{
		{Type: "cell", Criteria: "==", Format: &b.good, Value: `"` + o.t("Có", "Yes") + `"`},
		{Type: "cell", Criteria: "==", Format: &b.bad, Value: `"` + o.t("Chưa", "No") + `"`},
	}))
	return nil
}

// notesSheet writes Chú thích: the period, boundaries, when the data changed, the method and each indicator's formula and targets.
func (b *book) notesSheet(ctx context.Context, m Metrics, o Options) error {
	defs := m.Defs()
	f := b.f
	// Chú thích
	notes := o.t("Chú thích", "Notes")
	b.sheet(notes)
	lines := [][]string{
		{o.t("Kỳ", "Period"), o.Period.String()},
		{o.t("Nhóm", "Group"), groupName(o)},
		{o.t("Địa giới", "Boundaries"), map[metrics.Boundaries]string{metrics.Current: o.t("Hiện nay: số liệu trước sáp nhập được cộng vào đơn vị kế thừa", "Current: figures before the mergers are summed into the successor"), metrics.Historical: o.t("Tại thời điểm báo cáo", "As the units were at the time")}[o.Boundaries]},
		{o.t("Số liệu thay đổi lần cuối", "Data last changed"), o.DataChanged.In(vietnam).Format("15:04 02/01/2006")},
		{o.t("Người lập", "Made by"), o.Author},
		{o.t("Thời điểm lập", "Made at"), o.Now.In(vietnam).Format("15:04 02/01/2006")},
		{o.t("Cách tính", "Method"), o.t("Mỗi chỉ số là tổng tử số chia tổng mẫu số (không lấy trung bình các tỷ lệ); đơn vị bằng giá trị sau khi làm tròn được xếp cùng hạng.", "Each indicator is the sum of numerators over the sum of denominators (rates are never averaged); units with equal rounded values share a rank.")},
		{},
		{o.t("Chỉ số", "Indicator"), o.t("Công thức", "Formula"), o.t("Mục tiêu", "Targets"), o.t("Căn cứ", "Source")},
	}
	for _, in := range defs.Indicators {
		var tg, src []string
		for _, t := range in.Targets {
			tg = append(tg, fmt.Sprintf("≥ %g%% (%d)", t.Value, t.Year))
			src = append(src, t.Source)
		}
		lines = append(lines, []string{in.Name(o.Lang) + " (" + in.Code + ")", strings.Join(in.Numerator, " + ") + " / " + strings.Join(in.Denominator, " + "),
			strings.Join(tg, "; "), strings.Join(src, "; ")})
	}
	for i, l := range lines {
		for j, v := range l {
			b.keep(f.SetCellStr(notes, cell(j+1, i+1), v))
		}
	}
	b.keep(f.SetColWidth(notes, "A", "A", 48))
	b.keep(f.SetColWidth(notes, "B", "B", 60))
	b.keep(f.SetColWidth(notes, "C", "D", 30))
	b.keep(f.SetCellStyle(notes, "A1", cell(4, len(lines)), b.wrap))
	b.keep(f.SetCellStyle(notes, cell(1, 9), cell(4, 9), b.head))
	return nil
}

// finish writes the document's properties and the workbook's bytes.
func (b *book) finish(o Options) ([]byte, error) {
	f := b.f
	f.SetActiveSheet(0)
	b.keep(f.SetDocProps(&excelize.DocProperties{
		Title: o.t("Báo cáo xếp hạng Chính phủ điện tử ", "E-government rankings ") + o.Period.String(), Creator: o.Author,
		Subject: groupName(o), Language: data.Pick(o.Lang, "vi-VN", "en-GB"),
		Created: o.Now.UTC().Format(time.RFC3339), Keywords: "egovkpi",
	}))
	if b.err != nil {
		return nil, fmt.Errorf("monthly workbook: %w", b.err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var vietnam = data.VietnamTime()

// The chart's colours: the pages' colour for a unit's bar and their dark text colour
// (dashboard/charts.go's colourUnit and #1b2430).
const (
	chartBar  = "2B6CB0"
	chartText = "1B2430"
)

func colName(c int) string {
	n, _ := excelize.ColumnNumberToName(c)
	return n
}

// sheetName keeps sheet names within Excel's 31 characters.
func sheetName(s string) string {
	if len(s) > 31 {
		return s[:31]
	}
	return s
}

func groupName(o Options) string {
	if o.Group == data.Ministries {
		return o.t("Bộ, ngành", "Ministries")
	}
	return o.t("Tỉnh, thành phố", "Provinces")
}

func statusName(o Options, s string) string {
	switch s {
	case metrics.StatusOnTime:
		return o.t("Đúng hạn", "On time")
	case metrics.StatusLate:
		return o.t("Muộn", "Late")
	case metrics.StatusMissing:
		return o.t("Chưa nộp", "Missing")
	}
	return o.t("Chưa đến hạn", "Not yet due")
}

func setIntPtr(f *excelize.File, sh, c string, p *int) error {
	if p != nil {
		return f.SetCellInt(sh, c, int64(*p))
	}
	return nil
}

func setInt64Ptr(f *excelize.File, sh, c string, p *int64) error {
	if p != nil {
		return f.SetCellInt(sh, c, *p)
	}
	return nil
}

func setFloatPtr(f *excelize.File, sh, c string, p *float64) error {
	if p != nil {
		return f.SetCellFloat(sh, c, *p, 2, 64)
	}
	return nil
}

// metOrNot says whether a target was met, in the workbook's language.
func metOrNot(met bool, o Options) string {
	if met {
		return o.t("Đạt", "Met")
	}
	return o.t("Chưa đạt", "Not met")
}
