package dashboard

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/reports"
)

// GET /api/v1/exports/province.xlsx?province=01[&indicator=][&period=YYYY-MM][&lang=]: a
// province's workbook for a month (by default the provinces' last closed month, as its
// page shows): its communes ranked on the indicator (the first by default) with every
// indicator and the completeness of their data, and its own agencies when it has any.
func (s *Server) exportProvince(c echo.Context) error {
	ctx := c.Request().Context()
	lang := exportLang(c)
	code := c.QueryParam("province")
	prov, ok := s.eng.Units().Latest(code)
	if !ok || prov.Group != data.Provinces || !prov.ValidTo.IsZero() {
		return data.Errorf(data.ErrNotFound, "Không có tỉnh mã %q", "No province with code %q", code)
	}
	m, err := s.eng.DefaultMonth(ctx, data.Provinces)
	if err != nil {
		return err
	}
	if raw := c.QueryParam("period"); raw != "" {
		if m, err = data.ParseMonth(raw); err != nil {
			return data.Errorf(data.ErrInvalid, "Kỳ %q: ghi tháng dạng YYYY-MM", "Period %q: give a month as YYYY-MM", raw)
		}
	}
	ind := c.QueryParam("indicator")
	if ind == "" && len(s.eng.Defs().Indicators) > 0 {
		ind = s.eng.Defs().Indicators[0].Code
	}
	b, err := reports.Province(ctx, s.eng, prov, ind, m, actorOf(c), lang)
	if err != nil {
		return err
	}
	if err := s.audited(c, "province.xlsx", map[string]any{"province": code, "period": m.String(), "indicator": ind}); err != nil {
		return err
	}
	return attachment(c, fmt.Sprintf("xa-phuong-%s-%s.xlsx", code, m), xlsxType, b)
}
