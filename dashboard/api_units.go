package dashboard

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
)

// unitJSON prints validity as dates, as the reference files have them.
type unitJSON struct {
	Code      string  `json:"code"`
	NameVI    string  `json:"name_vi"`
	NameEN    string  `json:"name_en"`
	Type      string  `json:"type"`
	Group     string  `json:"group"`
	ValidFrom *string `json:"valid_from"`
	ValidTo   *string `json:"valid_to"`
	Successor *string `json:"successor"`
	Parent    string  `json:"parent,omitempty"` // a commune's or an agency's province
}

func toUnitJSON(u data.Unit) unitJSON {
	j := unitJSON{Code: u.Code, NameVI: u.NameVI, NameEN: u.NameEN, Type: u.Type, Group: string(u.Group), Parent: u.Parent}
	if !u.ValidFrom.IsZero() {
		s := u.ValidFrom.Time().Format("2006-01-02")
		j.ValidFrom = &s
	}
	if !u.ValidTo.IsZero() {
		s := u.ValidTo.Add(1).Time().AddDate(0, 0, -1).Format("2006-01-02")
		j.ValidTo = &s
	}
	if u.Successor != "" {
		j.Successor = &u.Successor
	}
	return j
}

// GET /api/v1/units?group=&at=&province=: the units in force that month (default: the
// group's last closed month, or the units in force now on an empty database), whole: the
// list is bounded by nature (3,321 communes at most). province narrows communes to one
// province's.
func (s *Server) listUnits(c echo.Context) error {
	g, err := data.ParseGroup(c.QueryParam("group"))
	if err != nil {
		return err
	}
	var at data.Month
	if c.QueryParam("at") != "" {
		if at, err = month(c, "at", 0); err != nil {
			return err
		}
	} else if at, err = s.eng.DefaultMonth(c.Request().Context(), g); err != nil {
		at = data.MonthOf(timeNow())
	}
	units := s.eng.Units().InForce(g, at)
	if p := c.QueryParam("province"); p != "" {
		if g != data.Communes {
			return data.Errorf(data.ErrInvalid, "Tham số province chỉ dùng với group=communes", "province applies to group=communes only")
		}
		if pu, ok := s.eng.Units().At(p, at); !ok || pu.Group != data.Provinces {
			return data.Errorf(data.ErrNotFound, "Không có tỉnh mã %q vào %s", "No province with code %q in %s", p, at)
		}
		units = s.eng.Units().Communes(p, at)
	}
	out := []unitJSON{}
	for _, u := range units {
		out = append(out, toUnitJSON(u))
	}
	return c.JSON(http.StatusOK, map[string]any{"group": g, "at": at, "units": out})
}
