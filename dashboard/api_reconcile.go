package dashboard

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
	"github.com/egovkpi/egovkpi/reports"
)

// The reconciliation of issue 17: the portal's published 766 scores beside egovkpi's, as
// JSON and as a workbook. Differences are egovkpi − portal, in points to 2 decimals.

type reconcileView struct {
	Period      string         `json:"period"`
	Group       data.Group     `json:"group"`
	Threshold   float64        `json:"threshold"` // points (index766.toml [reconciliation])
	Imported    bool           `json:"imported"`  // whether the portal's scores of the period are stored
	Compared    int            `json:"compared"`  // units on both sides
	Flagged     int            `json:"flagged"`   // of them, those off by more than the threshold
	PortalOnly  []string       `json:"portal_only"`
	EgovkpiOnly []string       `json:"egovkpi_only"`
	Units       []reconcileRow `json:"units"`
}

type reconcileRow struct {
	UnitCode      string            `json:"unit_code"`
	UnitNameVI    string            `json:"unit_name_vi"`
	UnitNameEN    string            `json:"unit_name_en"`
	Side          string            `json:"side"` // both | portal_only | egovkpi_only
	Flagged       bool              `json:"flagged"`
	MergedInto    string            `json:"merged_into,omitempty"`
	PortalRank    *int              `json:"portal_rank"`
	EgovkpiRank   *int              `json:"egovkpi_rank"`
	PortalVersion int               `json:"portal_version,omitempty"`
	Total         reconcileFigure   `json:"total"`
	Groups        []reconcileFigure `json:"groups"`
}

type reconcileFigure struct {
	Code       string   `json:"code"`
	Max        float64  `json:"max"`
	Portal     *float64 `json:"portal"`
	Egovkpi    *float64 `json:"egovkpi"`
	Difference *float64 `json:"difference"`
	Flagged    bool     `json:"flagged"`
}

// reconciliation reads ?period=&group= and compares; without a period, the one the portal's
// scores were last imported for (else the group's default month).
func (s *Server) reconciliation(c echo.Context) (*metrics.Reconciliation, error) {
	if c.QueryParam("period") == "" {
		ps, err := s.eng.PortalPeriods(c.Request().Context())
		if err != nil {
			return nil, err
		}
		if len(ps) > 0 {
			c.QueryParams().Set("period", ps[0].String())
		}
	}
	p, err := s.period(c, "period")
	if err != nil {
		return nil, err
	}
	g, err := data.ParseGroup(c.QueryParam("group"))
	if err != nil {
		return nil, err
	}
	if g == data.Communes {
		return nil, data.Errorf(data.ErrInvalid, "Đối chiếu Chỉ số 766 chỉ áp dụng cho tỉnh, thành phố và bộ, ngành", "the 766 index is reconciled for provinces and ministries")
	}
	return s.eng.Reconcile(c.Request().Context(), p, g)
}

func reconcileViewOf(rec *metrics.Reconciliation) reconcileView {
	v := reconcileView{Period: rec.Period.String(), Group: rec.Group, Threshold: rec.Threshold, Imported: rec.Imported, Compared: rec.Compared,
		Flagged: rec.Flagged, PortalOnly: []string{}, EgovkpiOnly: []string{}, Units: []reconcileRow{}}
	fig := func(c metrics.ReconcileCell) reconcileFigure {
		return reconcileFigure{Code: c.Code, Max: c.Max, Portal: c.Portal, Egovkpi: c.Egovkpi, Difference: c.Diff, Flagged: c.Flagged}
	}
	for _, r := range rec.Rows {
		row := reconcileRow{UnitCode: r.Unit.Code, UnitNameVI: r.Unit.NameVI, UnitNameEN: r.Unit.NameEN, Side: r.Side, Flagged: r.Flagged,
			MergedInto: r.MergedInto, PortalRank: r.PortalRank, EgovkpiRank: r.EgovkpiRank, PortalVersion: r.PortalVersion, Total: fig(r.Total)}
		for _, g := range r.Groups {
			row.Groups = append(row.Groups, fig(g))
		}
		switch r.Side {
		case metrics.SidePortalOnly:
			v.PortalOnly = append(v.PortalOnly, r.Unit.Code)
		case metrics.SideEgovkpiOnly:
			v.EgovkpiOnly = append(v.EgovkpiOnly, r.Unit.Code)
		}
		v.Units = append(v.Units, row)
	}
	return v
}

// GET /api/v1/index766/reconciliation?period=P&group=provinces|ministries
func (s *Server) apiReconciliation(c echo.Context) error {
	rec, err := s.reconciliation(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, reconcileViewOf(rec))
}

// GET /api/v1/exports/reconciliation.xlsx?period=&group=&lang=: the page's table.
func (s *Server) exportReconciliation(c echo.Context) error {
	rec, err := s.reconciliation(c)
	if err != nil {
		return err
	}
	lang := exportLang(c)
	b, err := reports.ReconcileWorkbook(rec, actorOf(c), lang, FormatNumber(rec.Threshold, 1, lang))
	if err != nil {
		return err
	}
	if err := s.audited(c, "reconciliation.xlsx", map[string]any{"period": rec.Period.String(), "group": rec.Group}); err != nil {
		return err
	}
	return attachment(c, fmt.Sprintf("doi-chieu-766-%s-%s.xlsx", rec.Group, xlsxPeriod(rec.Period.String())), xlsxType, b)
}
