package reports

import (
	"bytes"
	"context"
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// Trend writes one sheet per indicator: a row per unit, a column per month of the span,
// and a sparkline of the trend, with the national row last.
func Trend(ctx context.Context, m Metrics, reg *data.Registry, from, to data.Month, o Options) ([]byte, error) {
	if to < from {
		return nil, fmt.Errorf("%w: the span ends before it starts", data.ErrInvalid)
	}
	if int(to-from) > 120 {
		return nil, fmt.Errorf("%w: at most 120 months in one trend workbook", data.ErrInvalid)
	}
	b := newBook()
	defer b.close()
	f := b.f
	units := reg.Present(o.Group)
	months := data.Period{Kind: data.KindRange, From: from, To: to}.Months()
	for i, in := range m.Defs().Indicators {
		sh := sheetName(in.Code)
		if i == 0 {
			b.keep(f.SetSheetName("Sheet1", sh))
		} else {
			b.sheet(sh)
		}
		b.keep(f.SetCellStr(sh, "A1", fmt.Sprintf("%s — %s..%s", in.Name(o.Lang), from, to)))
		b.keep(f.SetCellStyle(sh, "A1", "A1", b.title))
		heads := []string{o.t("Mã", "Code"), o.t("Đơn vị", "Unit")}
		for _, mo := range months {
			heads = append(heads, mo.String())
		}
		heads = append(heads, o.t("Xu hướng", "Trend"))
		var names []string
		row := 4
		put := func(code, name string, pts []metrics.Point) {
			b.keep(f.SetCellStr(sh, cell(1, row), code))
			b.keep(f.SetCellStr(sh, cell(2, row), name))
			for j, p := range pts {
				if p.Value != nil {
					b.keep(f.SetCellFloat(sh, cell(3+j, row), *p.Value/in.Scale(), in.Decimals()+2, 64))
				}
			}
			names = append(names, name)
			row++
		}
		for _, u := range units {
			s, err := m.Series(ctx, metrics.SeriesQuery{Unit: u.Code, Indicator: in.Code, From: from, To: to, Boundaries: metrics.Current})
			if err != nil {
				return nil, err
			}
			put(u.Code, u.Name(o.Lang), s.Points)
		}
		nat, err := m.Series(ctx, metrics.SeriesQuery{Group: o.Group, Indicator: in.Code, From: from, To: to, Boundaries: metrics.Current})
		if err != nil {
			return nil, err
		}
		put("", o.t("Cả nước", "National"), nat.Points)
		last := row - 1
		lastCol := 2 + len(months)
		widths := []float64{7, nameWidth(names)}
		for range months {
			widths = append(widths, 9)
		}
		widths = append(widths, 16)
		b.table(sh, 3, heads, widths, last)
		if in.Kind == "percent" {
			b.keep(f.SetCellStyle(sh, cell(3, 4), cell(lastCol, last), b.pct))
		}
		var loc, rng []string
		for r := 4; r <= last; r++ {
			loc = append(loc, cell(lastCol+1, r))
			rng = append(rng, fmt.Sprintf("'%s'!%s:%s", sh, cell(3, r), cell(lastCol, r)))
		}
		if err := f.AddSparkline(sh, &excelize.SparklineOptions{Location: loc, Range: rng, Markers: true}); err != nil {
			return nil, fmt.Errorf("sparklines: %w", err)
		}
	}
	b.keep(f.SetDocProps(&excelize.DocProperties{Title: o.t("Xu hướng chỉ số ", "Indicator trends ") + from.String() + ".." + to.String(), Creator: o.Author}))
	if b.err != nil {
		return nil, fmt.Errorf("trend workbook: %w", b.err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
