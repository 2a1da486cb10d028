package dashboard

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
	"github.com/egovkpi/egovkpi/reports"
)

// worklistView is a unit's worklist in the API's shape: the reasons in the reader's words,
// times in Viet Nam time, points to 4 decimals; paged, the most points first.
type worklistView struct {
	UnitCode      string               `json:"unit_code"`
	Period        string               `json:"period"`
	Closed        bool                 `json:"closed"` // the month is over: what it cost, nothing left to do
	PointsAtStake float64              `json:"points_at_stake"`
	Items         []worklistItemView   `json:"items"`
	ByReason      []worklistReasonView `json:"by_reason"`
	pageInfo
}

type worklistItemView struct {
	DossierID     string     `json:"dossier_id"`
	ProcedureCode string     `json:"procedure_code"`
	ProcedureName string     `json:"procedure_name"` // the catalogue's; the code when it is not in it
	Reasons       []string   `json:"reasons"`
	ReceivedAt    time.Time  `json:"received_at"`
	DueAt         *time.Time `json:"due_at"`
	PointsAtStake float64    `json:"points_at_stake"`
}

type worklistReasonView struct {
	Reason        string  `json:"reason"`
	Dossiers      int     `json:"dossiers"`
	PointsAtStake float64 `json:"points_at_stake"`
}

// canSeeUnit is the unit rule for reading a unit's own dossiers: anyone signed in may
// read, but an officer only the units it writes (canWriteUnit: its own, and a province's
// officer its communes and agencies).
func canSeeUnit(id *identity, unit string) error {
	if id != nil && id.User.Role == data.RoleOfficer && canWriteUnit(id, unit) != nil {
		return data.Errorf(data.ErrForbidden, "%s là cán bộ của đơn vị %s, không được xem hồ sơ của đơn vị %s",
			"%s is an officer of unit %s and cannot see unit %s's dossiers", id.User.Username, id.User.Unit, unit)
	}
	return nil
}

// worklistOf reads the unit (checked against the reader) and the month (default: the
// current month in Viet Nam time, since the list is about what can still be done).
func (s *Server) worklistOf(c echo.Context, code, period string) (*metrics.Worklist, error) {
	if err := canSeeUnit(identityOf(c), code); err != nil {
		return nil, err
	}
	now := time.Now()
	p := data.MonthPeriod(data.MonthOf(now.In(data.VietnamTime())))
	if period != "" {
		var err error
		if p, err = data.ParsePeriod(period); err != nil {
			return nil, data.Errorf(data.ErrInvalid, "Kỳ “%s” không đúng: viết theo dạng YYYY-MM (ví dụ 2026-09)",
				"period %q: write it as YYYY-MM (2026-09)", period)
		}
	}
	return s.eng.Worklist(c.Request().Context(), code, p, now)
}

// reasonKeys are the catalogue's keys of the worklist's reasons.
var reasonKeys = map[string]string{metrics.WorklistDue: "why.due", metrics.WorklistNotSynced: "why.unsynced",
	metrics.WorklistNotDigitised: "why.undigitised", metrics.WorklistNoElectronicResult: "why.noelectronic",
	metrics.WorklistSupplement: "why.supplement"}

// reasonWords are a worklist reason's words in lang.
func reasonWords(lang, code string) string {
	if k, ok := reasonKeys[code]; ok {
		return T(lang, k)
	}
	return code
}

// procedureName is how a dossier's procedure is shown: by its name, by its code when the
// catalogue does not have it.
func procedureName(it metrics.WorklistItem) string {
	if it.ProcedureName != "" {
		return it.ProcedureName
	}
	return it.ProcedureCode
}

// GET /api/v1/units/:code/worklist?period=YYYY-MM&limit=&offset=
func (s *Server) unitWorklist(c echo.Context) error {
	pg, err := readPage(c, 100, 5000)
	if err != nil {
		return err
	}
	w, err := s.worklistOf(c, c.Param("code"), c.QueryParam("period"))
	if err != nil {
		return err
	}
	lang := c.QueryParam("lang")
	if lang == "" {
		lang = langOf(c)
	}
	vn := data.VietnamTime()
	out := worklistView{UnitCode: w.Unit.Code, Period: w.Period.String(), Closed: w.Closed, PointsAtStake: round766(w.Points, 4),
		Items: []worklistItemView{}, ByReason: []worklistReasonView{}, pageInfo: pg.info(c, len(w.Items))}
	for _, r := range w.ByReason {
		out.ByReason = append(out.ByReason, worklistReasonView{Reason: reasonWords(lang, r.Reason), Dossiers: r.Dossiers, PointsAtStake: round766(r.Points, 4)})
	}
	for _, it := range w.Items[min(pg.Offset, len(w.Items)):min(pg.Offset+pg.Limit, len(w.Items))] {
		v := worklistItemView{DossierID: it.DossierID, ProcedureCode: it.ProcedureCode, ProcedureName: procedureName(it),
			ReceivedAt: it.ReceivedAt.In(vn), PointsAtStake: round766(it.Points, 4)}
		if it.DueAt != nil {
			due := it.DueAt.In(vn)
			v.DueAt = &due
		}
		for _, r := range it.Reasons {
			v.Reasons = append(v.Reasons, reasonWords(lang, r))
		}
		out.Items = append(out.Items, v)
	}
	return c.JSON(http.StatusOK, out)
}

// GET /api/v1/exports/worklist.xlsx?unit=CODE&period=YYYY-MM[&lang=en]: the unit's whole
// worklist as a workbook a director hands to departments. Anyone who may read the list
// may download it (an officer its own unit's): it is the list, not a wider export.
func (s *Server) exportWorklist(c echo.Context) error {
	code := c.QueryParam("unit")
	if code == "" {
		return data.Errorf(data.ErrInvalid, "Chọn đơn vị (unit=)", "choose a unit (unit=)")
	}
	w, err := s.worklistOf(c, code, c.QueryParam("period"))
	if err != nil {
		return err
	}
	lang := c.QueryParam("lang")
	if lang == "" {
		lang = langOf(c)
	}
	title := fmt.Sprintf("%s (%s)", w.Unit.Name(lang), w.Unit.Code)
	b, err := reports.Worklist(w, title, func(r string) string { return reasonWords(lang, r) },
		func(v float64) string { return FormatNumber(v, 2, lang) }, reports.Options{Lang: lang, Author: actorOf(c)})
	if err != nil {
		return err
	}
	if err := s.audited(c, "worklist.xlsx", map[string]any{"unit": w.Unit.Code, "period": w.Period.String()}); err != nil {
		return err
	}
	return attachment(c, fmt.Sprintf("viec-can-lam-%s-%s.xlsx", w.Unit.Code, w.Period), xlsxType, b)
}
