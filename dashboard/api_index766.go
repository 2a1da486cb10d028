package dashboard

import (
	"math"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// index766Unit is a unit's index of Decision 766 for a period, in issue 17's shape.
type index766Unit struct {
	UnitCode     string              `json:"unit_code"`
	Period       string              `json:"period"`
	Total        *float64            `json:"total"` // null: no group has data
	Rank         *int                `json:"rank"`
	PreviousRank *int                `json:"previous_rank"`
	Incomplete   []string            `json:"incomplete"`
	Groups       []index766Group     `json:"groups"`
	Indicators   []index766Indicator `json:"indicators"`
}

type index766Group struct {
	Code   string   `json:"code"`
	Points *float64 `json:"points"` // null: the group has no data and is left out
	Max    float64  `json:"max"`
}

// index766Indicator is one indicator: rate and threshold in percent (2 decimals; 2.2's rate
// is its average in days), points to 4 decimals, to_full_points in the indicator's own
// noun (null when it has no data, is not scored, or cannot reach full points that way).
type index766Indicator struct {
	ID           string   `json:"id"`
	NameVI       string   `json:"name_vi"`
	Rate         *float64 `json:"rate"`
	Numerator    int      `json:"numerator"`
	Denominator  int      `json:"denominator"`
	Threshold    *float64 `json:"threshold"`
	Points       float64  `json:"points"`
	Max          float64  `json:"max"`
	ToFullPoints *int     `json:"to_full_points"`
	NoDataReason *string  `json:"no_data_reason"`
	SyncRate     *float64 `json:"sync_rate,omitempty"` // 3.3 only: the 1.4 rate it is multiplied by, in percent
}

func round766(v float64, dec int) float64 {
	f := math.Pow(10, float64(dec))
	return math.Round(v*f) / f
}

// GET /api/v1/units/:code/index766?period=P
func (s *Server) unitIndex766(c echo.Context) error {
	code := c.Param("code")
	u, ok := s.eng.Units().Latest(code)
	if !ok {
		return data.Errorf(data.ErrNotFound, "Không có đơn vị “%s”", "unit %q", code)
	}
	if c.QueryParam("group") == "" {
		c.QueryParams().Set("group", string(u.Group)) // the default period is the unit's group's
	}
	p, err := s.period(c, "period")
	if err != nil {
		return err
	}
	b, err := s.eng.Index766(c.Request().Context(), p, u.Group)
	if err != nil {
		return err
	}
	row, ok := b.Row(u.Code)
	if !ok {
		return data.Errorf(data.ErrNotFound, "Đơn vị %s không được xếp hạng trong %s (đơn vị không còn tồn tại)", "unit %s is not ranked in %s (it no longer exists)", u.Code, p)
	}
	return c.JSON(http.StatusOK, index766View(row, p))
}

// index766View is a row in the API's shape.
func index766View(row metrics.Index766Row, p data.Period) index766Unit {
	r := row.Result
	out := index766Unit{UnitCode: r.UnitCode, Period: p.String(), Rank: row.Rank, PreviousRank: row.PreviousRank,
		Incomplete: append([]string{}, r.Incomplete...), Groups: []index766Group{}, Indicators: []index766Indicator{}}
	if row.Rank != nil {
		t := round766(r.Total, 4)
		out.Total = &t
	}
	for _, g := range r.Groups {
		v := index766Group{Code: g.Code, Max: g.Max}
		if !g.NoData {
			pts := round766(g.Points, 4)
			v.Points = &pts
		}
		out.Groups = append(out.Groups, v)
	}
	for _, sc := range r.Indicators {
		v := index766Indicator{ID: sc.ID, NameVI: sc.NameVI, Numerator: sc.Numerator, Denominator: sc.Denominator,
			Points: round766(sc.Points, 4), Max: round766(sc.Max, 4)}
		if sc.Threshold > 0 {
			t := round766(sc.Threshold*100, 2)
			v.Threshold = &t
		}
		if sc.NoDataReason != "" {
			reason := sc.NoDataReason
			v.NoDataReason = &reason // its points are spread over the group's others: max 0
		} else {
			rate := sc.Rate * 100
			if !sc.Scored {
				rate = sc.Rate // 2.2: days
			}
			rate = round766(rate, 2)
			v.Rate = &rate
			if sc.Scored && sc.ToFullPoints >= 0 {
				n := sc.ToFullPoints
				v.ToFullPoints = &n
			}
			if sc.SyncRate != nil {
				sr := round766(*sc.SyncRate*100, 2)
				v.SyncRate = &sr
			}
		}
		out.Indicators = append(out.Indicators, v)
	}
	return out
}
