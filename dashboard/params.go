package dashboard

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// view is the choice of what to look at, read from the query string so links can be shared.
type view struct {
	Indicator  string
	Composite  string
	Period     data.Period
	Group      data.Group
	Boundaries metrics.Boundaries
}

// period reads ?period=, defaulting to the last month with data.
func (s *Server) period(c echo.Context, name string) (data.Period, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		// the group in view's last closed month: see metrics.Engine.DefaultMonth
		g, err := data.ParseGroup(c.QueryParam("group"))
		if err != nil {
			return data.Period{}, err
		}
		m, err := s.eng.DefaultMonth(c.Request().Context(), g)
		if err != nil {
			return data.Period{}, err
		}
		return data.MonthPeriod(m), nil
	}
	p, err := data.ParsePeriod(raw)
	if err != nil {
		return data.Period{}, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

func (s *Server) readView(c echo.Context) (view, error) {
	var v view
	var err error
	if v.Period, err = s.period(c, "period"); err != nil {
		return v, err
	}
	if v.Group, err = data.ParseGroup(c.QueryParam("group")); err != nil {
		return v, err
	}
	if v.Boundaries, err = metrics.ParseBoundaries(c.QueryParam("boundaries")); err != nil {
		return v, err
	}
	v.Indicator = c.QueryParam("indicator")
	v.Composite = c.QueryParam("name")
	return v, nil
}

// month reads a single month parameter; empty gives def.
func month(c echo.Context, name string, def data.Month) (data.Month, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return def, nil
	}
	m, err := data.ParseMonth(raw)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}
