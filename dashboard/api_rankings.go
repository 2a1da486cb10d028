package dashboard

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// GET /api/v1/rankings?indicator=&period=&group=&boundaries=&province=&type=
// (province and type narrow a ranking of communes: group=communes&province=01&type=phuong)
func (s *Server) rankings(c echo.Context) error {
	version := s.eng.DataVersion()
	key := "rankings|" + c.QueryString()
	if s.cached(c, key) {
		return nil
	}
	v, err := s.readView(c)
	if err != nil {
		return err
	}
	if v.Indicator == "" {
		return data.Errorf(data.ErrInvalid, "Cần chọn chỉ tiêu (indicator; danh sách tại /api/v1/indicators)", "indicator is required (see /api/v1/indicators)")
	}
	r, err := s.eng.Rankings(c.Request().Context(), metrics.RankingQuery{
		Indicator: v.Indicator, Period: v.Period, Group: v.Group, Boundaries: v.Boundaries,
		Province: c.QueryParam("province"), Type: c.QueryParam("type")})
	if err != nil {
		return err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.send(c, http.StatusOK, echo.MIMEApplicationJSON, append(b, '\n'), key, version)
}

// GET /api/v1/composite?name=&period=&group=&boundaries=&normalization=
func (s *Server) composite(c echo.Context) error {
	v, err := s.readView(c)
	if err != nil {
		return err
	}
	if v.Composite == "" {
		v.Composite = "service_index"
	}
	r, err := s.eng.Composite(c.Request().Context(), metrics.CompositeQuery{
		Name: v.Composite, Period: v.Period, Group: v.Group, Boundaries: v.Boundaries,
		Normalization: c.QueryParam("normalization")})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// GET /api/v1/units/:code/series?indicator=&from=&to=&boundaries=
func (s *Server) series(c echo.Context) error {
	ctx := c.Request().Context()
	ind := c.QueryParam("indicator")
	if ind == "" {
		return data.Errorf(data.ErrInvalid, "Cần chọn chỉ tiêu (indicator; danh sách tại /api/v1/indicators)", "indicator is required (see /api/v1/indicators)")
	}
	g := data.Provinces
	if u, ok := s.eng.Units().Latest(c.Param("code")); ok {
		g = u.Group
	}
	last, err := s.eng.DefaultMonth(ctx, g)
	if err != nil {
		return err
	}
	cov, err := s.eng.Coverage(ctx)
	if err != nil {
		return err
	}
	from, err := month(c, "from", cov.FirstMonth)
	if err != nil {
		return err
	}
	to, err := month(c, "to", last)
	if err != nil {
		return err
	}
	b, err := metrics.ParseBoundaries(c.QueryParam("boundaries"))
	if err != nil {
		return err
	}
	code := c.Param("code")
	if code == "national" {
		g, err := data.ParseGroup(c.QueryParam("group"))
		if err != nil {
			return err
		}
		sr, err := s.eng.Series(ctx, metrics.SeriesQuery{Group: g, Indicator: ind, From: from, To: to, Boundaries: b})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, sr)
	}
	sr, err := s.eng.Series(ctx, metrics.SeriesQuery{Unit: code, Indicator: ind, From: from, To: to, Boundaries: b})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sr)
}

// GET /api/v1/completeness?period=&group=
func (s *Server) completeness(c echo.Context) error {
	p, err := s.period(c, "period")
	if err != nil {
		return err
	}
	g, err := data.ParseGroup(c.QueryParam("group"))
	if err != nil {
		return err
	}
	r, err := s.eng.Completeness(c.Request().Context(), p, g)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// GET /api/v1/submissions?unit=&period=&limit=&offset=
func (s *Server) listSubmissions(c echo.Context) error {
	pg, err := readPage(c, 200, 1000)
	if err != nil {
		return err
	}
	f := data.SubmissionFilter{Unit: c.QueryParam("unit"), Limit: pg.Limit, Offset: pg.Offset}
	if f.Month, err = month(c, "period", 0); err != nil {
		return err
	}
	ctx := c.Request().Context()
	subs, err := s.store.Submissions(ctx, f)
	if err != nil {
		return err
	}
	total, err := s.store.CountSubmissions(ctx, f)
	if err != nil {
		return err
	}
	if subs == nil {
		subs = []data.Submission{}
	}
	return c.JSON(http.StatusOK, map[string]any{"submissions": subs, "page": pg.info(c, total)})
}
