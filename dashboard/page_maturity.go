package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
	"github.com/egovkpi/egovkpi/metrics"
)

// Capabilities stores and lists capability checklists; *data.Store is one.
type Capabilities interface {
	SubmitAssessments(ctx context.Context, as []data.Assessment) ([]data.Assessment, error)
	ConfirmAssessment(ctx context.Context, id int64, actor string) error
	Assessments(ctx context.Context, unit string) ([]data.Assessment, error)
}

// GET /api/v1/maturity?period=&group=&boundaries=
func (s *Server) maturity(c echo.Context) error {
	v, err := s.readView(c)
	if err != nil {
		return err
	}
	r, err := s.eng.Maturity(c.Request().Context(), v.Period.To, v.Group, v.Boundaries)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// GET /api/v1/capabilities?unit=
func (s *Server) listCapabilities(c echo.Context) error {
	as, err := s.caps.Assessments(c.Request().Context(), c.QueryParam("unit"))
	if err != nil {
		return err
	}
	if as == nil {
		as = []data.Assessment{}
	}
	return c.JSON(http.StatusOK, map[string]any{"assessments": as})
}

// POST /api/v1/capabilities {"unit_code","period","items":{"lgsp":{"value":1,"evidence":"…"}}}
func (s *Server) postCapabilities(c echo.Context) error {
	var b struct {
		Unit   string               `json:"unit_code"`
		Period string               `json:"period"`
		Items  map[string]data.Item `json:"items"`
	}
	if err := c.Bind(&b); err != nil {
		return fmt.Errorf("%w: send {\"unit_code\",\"period\",\"items\":{…}}", data.ErrInvalid)
	}
	id := identityOf(c)
	if err := canWriteUnit(id, b.Unit); err != nil {
		return err
	}
	m, err := data.ParseMonth(b.Period)
	if err != nil {
		return err
	}
	u, ok := s.eng.Units().At(b.Unit, m)
	if !ok {
		return fmt.Errorf("%w: no unit %q in force in %s", data.ErrInvalid, b.Unit, m)
	}
	if len(b.Items) == 0 {
		return fmt.Errorf("%w: items is empty", data.ErrInvalid)
	}
	codes := make([]string, 0, len(b.Items))
	for code := range b.Items {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		it := b.Items[code]
		cap, ok := s.eng.Defs().Capability(code)
		switch {
		case !ok:
			return fmt.Errorf("%w: items.%s: no such capability (see /api/v1/indicators)", data.ErrInvalid, code)
		case !cap.AppliesTo(u.Group):
			return fmt.Errorf("%w: items.%s is not assessed for %s", data.ErrInvalid, code, u.Group)
		case cap.Kind == "bool" && it.Value != 0 && it.Value != 1:
			return fmt.Errorf("%w: items.%s: 1 (yes) or 0 (no)", data.ErrInvalid, code)
		case cap.Kind == "percent" && (it.Value < 0 || it.Value > 100):
			return fmt.Errorf("%w: items.%s: a percentage from 0 to 100", data.ErrInvalid, code)
		}
	}
	// the checklist goes in by the one way every file does: permission, period, lock,
	// kept file and audit as for any upload
	body, err := json.Marshal(map[string]any{"unit_code": u.Code, "period": m.String(), "items": b.Items})
	if err != nil {
		return err
	}
	source := "capabilities"
	if id.Via == "token" {
		source = "api"
	}
	o, err := s.ingester.Ingest(c.Request().Context(), ingest.Request{Name: "capabilities-" + u.Code + "-" + m.String() + ".json", Content: body,
		Actor: id.User.Username, Source: source, Lang: langOf(c), Peer: c.RealIP(), Allow: func(unit string) error { return canWriteUnit(id, unit) }})
	if err != nil {
		return err
	}
	if !o.Accepted || o.Checklist == nil {
		return o.Reason
	}
	return c.JSON(http.StatusCreated, o.Checklist)
}

// POST /api/v1/capabilities/:id/confirm
func (s *Server) confirmCapabilities(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: id must be a number", data.ErrInvalid)
	}
	if err := s.caps.ConfirmAssessment(c.Request().Context(), id, actorOf(c)); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": id, "confirmed_by": actorOf(c)})
}

// GET /maturity?period=&group=: the matrix, the distribution over time, the levels.
func (s *Server) maturityPage(c echo.Context) error {
	ctx := c.Request().Context()
	lang := langOf(c)
	cov, err := s.eng.Coverage(ctx)
	if err != nil {
		return err
	}
	if cov.Submissions == 0 {
		return s.render(c, http.StatusOK, "maturity.html", "maturity", T(lang, "nav.maturity"), map[string]any{"Empty": true})
	}
	v, err := s.readView(c)
	if err != nil {
		return err
	}
	r, err := s.eng.Maturity(ctx, v.Period.To, v.Group, v.Boundaries)
	if err != nil {
		return err
	}
	hist, err := s.eng.MaturityHistory(ctx, cov.FirstMonth, v.Period.To, v.Group)
	if err != nil {
		return err
	}
	var xs []string
	for _, h := range hist {
		x := h.Period
		if p, err := data.ParsePeriod(h.Period); err == nil {
			x = p.Label(lang)
		}
		xs = append(xs, x)
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{AssetsHost: assetsHost}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true)}),
		charts.WithAnimation(false),
	)
	bar.SetXAxis(xs)
	levels := append([]metrics.Level{{Level: 0, NameVI: "Chưa đạt mức 1", NameEN: "Below level 1"}}, s.eng.Defs().Levels...)
	for i, l := range levels {
		var ys []opts.BarData
		for _, h := range hist {
			ys = append(ys, opts.BarData{Value: h.Counts[l.Level]})
		}
		// ordered levels, ordered colours: one hue from light (below level 1) to dark
		bar.AddSeries(fmt.Sprintf("%d · %s", l.Level, name(lang, l.NameVI, l.NameEN)), ys, charts.WithBarChartOpts(opts.BarChart{Stack: "levels"}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: levelColour(i, len(levels))}))
	}
	var caps []metrics.Capability
	for _, cp := range s.eng.Defs().Capabilities {
		if cp.AppliesTo(v.Group) {
			caps = append(caps, cp)
		}
	}
	type levelView struct {
		Level          int
		NameVI, NameEN string
		Rules          []string // each criterion by the names of what it asks
	}
	var lv []levelView
	for _, l := range s.eng.Defs().Levels {
		v := levelView{Level: l.Level, NameVI: l.NameVI, NameEN: l.NameEN}
		for _, cr := range l.Criteria {
			switch {
			case cr.Capability != "" && cr.Min != nil:
				v.Rules = append(v.Rules, codeName(s.eng.Defs(), lang, cr.Capability)+" ≥ "+FormatNumber(*cr.Min, 0, lang)+"%")
			case cr.Capability != "":
				v.Rules = append(v.Rules, codeName(s.eng.Defs(), lang, cr.Capability))
			default:
				v.Rules = append(v.Rules, codeName(s.eng.Defs(), lang, cr.Indicator)+" ≥ "+FormatNumber(deref0(cr.Min), 0, lang)+"% ("+T(lang, "maturity.12m")+")")
			}
		}
		lv = append(lv, v)
	}
	return s.render(c, http.StatusOK, "maturity.html", "maturity", T(lang, "nav.maturity")+" · "+data.MonthPeriod(v.Period.To).Label(lang), map[string]any{
		"Result": r, "Caps": caps, "Levels": lv, "Chart": optionJSON(bar),
		"Period": v.Period.To.String(), "Group": string(v.Group), "Boundaries": string(v.Boundaries)})
}

// levelColour is level i's of n colour: a sequential blue, light to dark, so that the
// order of the levels reads from the colours alone.
func levelColour(i, n int) string {
	ramp := []string{"#d9dde3", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b"}
	if n <= 1 {
		return ramp[len(ramp)-1]
	}
	return ramp[i*(len(ramp)-1)/(n-1)]
}

func deref0(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

func name(lang, vi, en string) string {
	if lang == "en" {
		return en
	}
	return vi
}
