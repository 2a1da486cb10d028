package dashboard

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
	"github.com/egovkpi/egovkpi/metrics"
	"github.com/egovkpi/egovkpi/reports"
)

// The reconciliation page is registered here, beside its handler, rather than in pages.go's
// list: parsePages reads pageNames when the server is built, after every init has run.
func init() { pageNames = append(pageNames, "reconcile.html") }

// reconcilePage is what templates/reconcile.html shows.
type reconcilePage struct {
	Period, PeriodLabel string
	Group               string
	Imported            bool
	// Imports are the periods with portal scores, to choose from (label and value).
	Imports  [][2]string
	Summary  string // "5/34 đơn vị lệch quá 0,5 điểm"
	OneSided string // units on one side only, in words; empty when none
	Heads    []string
	Rows     []reconcilePageRow
}

type reconcilePageRow struct {
	Code, Name string
	Link       string // the unit's 766 page; empty for a unit that no longer exists
	Flagged    bool
	Standing   string
	Cells      []reconcilePageCell // total, then the six groups
}

type reconcilePageCell struct {
	Portal, Egovkpi, Diff string
	Flagged               bool
	Flag                  string // the flag in words, beside the colour
}

// GET /reconcile?period=&group=: the portal's scores beside egovkpi's, unit by unit.
func (s *Server) reconcilePage(c echo.Context) error {
	lang := langOf(c)
	rec, err := s.reconciliation(c)
	if err != nil {
		return err
	}
	th := FormatNumber(rec.Threshold, 1, lang)
	d := reconcilePage{Period: rec.Period.String(), PeriodLabel: rec.Period.Label(lang), Group: string(rec.Group), Imported: rec.Imported,
		Summary: pick(lang, fmt.Sprintf("%d/%d đơn vị lệch quá %s điểm", rec.Flagged, rec.Compared, th),
			fmt.Sprintf("%d/%d units differ by more than %s points", rec.Flagged, rec.Compared, th)),
		Heads: append([]string{pick(lang, "Tổng điểm", "Total")}, data.PortalGroups...)}
	if rec.PortalOnly > 0 || rec.EgovkpiOnly > 0 {
		d.OneSided = pick(lang, fmt.Sprintf("Chỉ có trên Cổng: %d đơn vị · chỉ có trên egovkpi: %d đơn vị", rec.PortalOnly, rec.EgovkpiOnly),
			fmt.Sprintf("On the portal only: %d units · in egovkpi only: %d units", rec.PortalOnly, rec.EgovkpiOnly))
	}
	ps, err := s.eng.PortalPeriods(c.Request().Context())
	if err != nil {
		return err
	}
	for _, p := range ps {
		d.Imports = append(d.Imports, [2]string{p.Label(lang), p.String()})
	}
	num := func(v *float64) string {
		if v == nil {
			return "—"
		}
		return FormatNumber(*v, 2, lang)
	}
	for _, r := range rec.Rows {
		row := reconcilePageRow{Code: r.Unit.Code, Name: r.Unit.Name(lang), Flagged: r.Flagged, Standing: reports.ReconcileStanding(r, lang, th)}
		if r.MergedInto == "" {
			row.Link = fmt.Sprintf("/units/%s?period=%s", r.Unit.Code, rec.Period.String())
		}
		for _, cell := range append([]metrics.ReconcileCell{r.Total}, r.Groups...) {
			pc := reconcilePageCell{Portal: num(cell.Portal), Egovkpi: num(cell.Egovkpi), Diff: num(cell.Diff), Flagged: cell.Flagged && r.Side == metrics.SideBoth}
			if cell.Diff != nil && *cell.Diff > 0 {
				pc.Diff = "+" + pc.Diff
			}
			if pc.Flagged {
				if cell.Diff != nil {
					pc.Flag = pick(lang, "lệch", "off")
				} else {
					pc.Flag = pick(lang, "thiếu một bên", "one side only")
				}
			}
			row.Cells = append(row.Cells, pc)
		}
		d.Rows = append(d.Rows, row)
	}
	title := T(lang, "nav.reconcile") + " · " + d.PeriodLabel
	return s.render(c, http.StatusOK, "reconcile.html", "reconcile", title, d)
}

// GET /reconcile/template.xlsx: an empty portal-scores file with an example row, which the
// upload page reads back as kind portal_scores.
func (s *Server) reconcileTemplate(c echo.Context) error {
	p, err := s.period(c, "period")
	if err != nil {
		return err
	}
	b, err := ingest.PortalTemplate(p)
	if err != nil {
		return err
	}
	return attachment(c, "mau-diem-cong-dvcqg.xlsx", xlsxType, b)
}
