package dashboard

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// The page's template is registered here, beside its handler, rather than in pages.go's
// list: one file per user action.
func init() { pageNames = append(pageNames, "worklist.html") }

// worklistRow is one dossier as the page shows it: words, dates and points written out.
type worklistRow struct {
	DossierID, UnitCode, Procedure, Reasons, Received, Due string
	Points                                                 float64
}

// worklistChoice is a unit the reader may choose.
type worklistChoice struct {
	Code, Name string
}

// GET /worklist?unit=CODE&period=YYYY-MM: a unit's worklist of the month (default: this
// month in Viet Nam time). An officer lands on its own unit; the others choose one.
func (s *Server) worklistPage(c echo.Context) error {
	lang := langOf(c)
	id := identityOf(c)
	code := strings.TrimSpace(c.QueryParam("unit"))
	officer := id != nil && id.User.Role == data.RoleOfficer
	if code == "" && officer {
		code = id.User.Unit
	}
	d := map[string]any{"Unit": code, "Period": c.QueryParam("period"), "Officer": officer}
	m := data.MonthOf(time.Now().In(data.VietnamTime()))
	names := s.unitNames(m, lang)
	var choices []worklistChoice
	if officer {
		choices = append(choices, worklistChoice{Code: id.User.Unit, Name: names(id.User.Unit)})
	} else {
		for _, g := range []data.Group{data.Provinces, data.Ministries} {
			for _, u := range s.eng.Units().InForce(g, m) {
				choices = append(choices, worklistChoice{Code: u.Code, Name: u.Name(lang)})
			}
		}
	}
	if code != "" && !hasChoice(choices, code) {
		choices = append(choices, worklistChoice{Code: code, Name: names(code)})
	}
	d["Choices"] = choices
	title := T(lang, "nav.worklist")
	if code == "" {
		return s.render(c, http.StatusOK, "worklist.html", "worklist", title, d)
	}
	pg, err := readPage(c, 200, 5000)
	if err != nil {
		return err
	}
	w, err := s.worklistOf(c, code, c.QueryParam("period"))
	if err != nil {
		return err
	}
	name := w.Unit.Name(lang)
	d["Period"] = w.Period.String()
	d["List"] = w
	d["Name"] = name
	d["Page"] = pg.info(c, len(w.Items))
	var rows []worklistRow
	for _, it := range w.Items[min(pg.Offset, len(w.Items)):min(pg.Offset+pg.Limit, len(w.Items))] {
		rows = append(rows, worklistItemRow(it, lang))
	}
	d["Rows"] = rows
	var reasons []map[string]any
	for _, r := range w.ByReason {
		reasons = append(reasons, map[string]any{"Words": reasonWords(lang, r.Reason), "Dossiers": r.Dossiers, "Points": r.Points})
	}
	d["Reasons"] = reasons
	return s.render(c, http.StatusOK, "worklist.html", "worklist", title+" · "+name, d)
}

// worklistItemRow writes a dossier out for the page.
func worklistItemRow(it metrics.WorklistItem, lang string) worklistRow {
	r := worklistRow{DossierID: it.DossierID, UnitCode: it.UnitCode, Procedure: procedureName(it), Received: FormatTime(it.ReceivedAt, lang),
		Due: "—", Points: it.Points}
	if it.DueAt != nil {
		r.Due = FormatTime(*it.DueAt, lang)
	}
	var words []string
	for _, x := range it.Reasons {
		words = append(words, reasonWords(lang, x))
	}
	r.Reasons = strings.Join(words, "; ")
	return r
}

func hasChoice(cs []worklistChoice, code string) bool {
	for _, c := range cs {
		if c.Code == code {
			return true
		}
	}
	return false
}
