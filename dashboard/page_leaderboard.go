package dashboard

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

type leaderboardData struct {
	Indicators []metrics.Indicator
	Composites []metrics.Composite
	Selected   string
	Period     string
	Group      string
	Boundaries string
	Ranking    *metrics.Ranking
	Composite  *metrics.CompositeResult
	Chart      string
	Coverage   data.Coverage
	Empty      bool
	// Status is how far the month's reports have come: a month that has not closed is
	// marked provisional.
	Status *metrics.MonthStatus
	// At a glance: the tiles over the chart, the "as of" line, the chart's colour key and
	// where its value axis starts.
	Tiles    []tile
	AsOf     string
	Key      []keyItem
	AxisFrom string
	// NationalLabel is "Cả nước" for provinces, "Chung các bộ, ngành" for ministries.
	NationalLabel string
	// Index766 offers the index of Decision 766 (the database keeps its records);
	// Is766 is set when it is the one shown (its groups are headed by the portal's codes).
	Index766, Is766 bool
}

// index766Option is the leaderboard's choice of the index of Decision 766.
const index766Option = "composite:" + metrics.Index766Name

// hasIndex766 reports whether the database keeps the records of the index of Decision 766
// for the view: some unit of it has dossiers handled in the period (a group of provinces
// or ministries, the units as they are now). A catalogue alone is not enough: it stands
// in for the months before its first import, so it ranks units of any period.
func (s *Server) hasIndex766(ctx context.Context, v view) bool {
	if v.Boundaries == metrics.Historical || (v.Group != data.Provinces && v.Group != data.Ministries) {
		return false
	}
	b, err := s.eng.Index766(ctx, v.Period, v.Group)
	if err != nil {
		return false
	}
	for _, r := range b.Rows {
		if hasRecords766(r) {
			return true
		}
	}
	return false
}

// hasRecords766 reports whether a unit's row of the index rests on its dossiers: it is
// ranked and has dossiers handled in the period (2.1 has data).
func hasRecords766(r metrics.Index766Row) bool {
	sc, ok := r.Result.Score("2.1")
	return r.Rank != nil && ok && sc.NoDataReason == ""
}

// tile is one figure at the top of the leaderboard.
type tile struct {
	ID, Label, Value, Note string
	Class                  string // up, down
}

// keyItem explains one colour of the chart; Class names its swatch in app.css.
type keyItem struct{ Class, Label string }

// GET /: the leaderboard, the home page. The URL holds every choice.
func (s *Server) leaderboardPage(c echo.Context) error {
	ctx := c.Request().Context()
	lang := langOf(c)
	d := leaderboardData{Indicators: s.eng.Defs().Indicators, Composites: s.eng.Defs().Composites}
	cov, err := s.eng.Coverage(ctx)
	if err != nil {
		return err
	}
	d.Coverage = cov
	d.NationalLabel = T(lang, "national")
	if cov.Submissions == 0 {
		d.Empty = true
		return s.render(c, http.StatusOK, "leaderboard.html", "leaderboard", T(lang, "nav.leaderboard"), d)
	}
	v, err := s.readView(c)
	if err != nil {
		return err
	}
	d.Period, d.Group, d.Boundaries = v.Period.String(), string(v.Group), string(v.Boundaries)
	if v.Group == data.Ministries {
		d.NationalLabel = T(lang, "national.ministries")
	}
	if v.Period.Kind == data.KindMonth {
		st, err := s.eng.MonthStatus(ctx, v.Group, v.Period.To)
		if err != nil {
			return err
		}
		d.Status = &st
	}
	d.Selected = v.Indicator
	d.Index766 = s.hasIndex766(ctx, v)
	if d.Selected == "" {
		// the official index when its records are kept, else the service index
		d.Selected = "composite:service_index"
		if d.Index766 {
			d.Selected = index766Option
		}
	}
	d.Is766 = d.Selected == index766Option
	d.Index766 = d.Index766 || d.Is766
	title := T(lang, "nav.leaderboard")
	// the same view for the same reader looks the same until the data changes
	key := fmt.Sprintf("board|%s|%s|%s|%v|%v", c.QueryString(), lang, d.Period, identityOf(c).can(exporter), d.Status)
	if _, hit := s.contents.get(key, s.eng.DataVersion()); hit {
		if d.Is766 {
			title += " · " + pick(lang, index766NameVI, index766NameEN) + " · " + v.Period.Label(lang)
		} else if name, ok := strings.CutPrefix(d.Selected, "composite:"); ok {
			if comp, ok := s.eng.Defs().Composite(name); ok {
				title += " · " + pick(lang, comp.NameVI, comp.NameEN) + " · " + v.Period.Label(lang)
			}
		} else if in, ok := s.eng.Defs().Indicator(d.Selected); ok {
			title += " · " + in.Name(lang) + " · " + v.Period.Label(lang)
		}
		return s.renderPage(c, http.StatusOK, "leaderboard.html", "leaderboard", title, key, nil)
	}
	if name, ok := strings.CutPrefix(d.Selected, "composite:"); ok {
		r, err := s.eng.Composite(ctx, metrics.CompositeQuery{Name: name, Period: v.Period, Group: v.Group, Boundaries: v.Boundaries})
		if err != nil && !errors.Is(err, data.ErrNotFound) {
			return err
		}
		if r != nil {
			d.Composite = r
			s.compositeGlance(ctx, &d, r, v, lang)
			title += " · " + pick(lang, r.NameVI, r.NameEN) + " · " + v.Period.Label(lang)
		} else {
			d.Empty = true
		}
	} else {
		r, err := s.eng.Rankings(ctx, metrics.RankingQuery{Indicator: v.Indicator, Period: v.Period, Group: v.Group, Boundaries: v.Boundaries})
		if err != nil && !errors.Is(err, data.ErrNotFound) {
			return err
		}
		if r != nil {
			d.Ranking = r
			s.rankingGlance(ctx, &d, r, v, lang)
			title += " · " + r.Def.Name(lang) + " · " + v.Period.Label(lang)
		} else {
			d.Empty = true
		}
	}
	return s.renderPage(c, http.StatusOK, "leaderboard.html", "leaderboard", title, key, d)
}

// The index of Decision 766's name in the leaderboard's choices (metrics names it so too).
const (
	index766NameVI = "Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)"
	index766NameEN = "Service index of Decision 766/QĐ-TTg"
)

// name is a unit's name in the reader's language.
func unitName(lang, vi, en string) string {
	if lang == "en" {
		return en
	}
	return vi
}

// received is the tile and the "as of" line's count of units that reported: the month's
// status when the period is a month, otherwise the units with a value.
func (d *leaderboardData) received(withValue, all int, lang string) (string, string) {
	n, of := withValue, all
	if d.Status != nil {
		n, of = d.Status.Reported, d.Status.Expected
	}
	return fmt.Sprintf("%d/%d", n, of), T(lang, "units.reported")
}

// asOf is the line under the tiles: the period, the units that reported and when the data
// last changed.
func (d *leaderboardData) asOf(count, lang string) {
	label := d.Period
	if p, err := data.ParsePeriod(d.Period); err == nil {
		label = p.Label(lang)
	}
	d.AsOf = fmt.Sprintf("%s: %s · %s %s", T(lang, "asof.period"), label, count, T(lang, "units.reported"))
	if d.Coverage.LastChange != nil {
		d.AsOf += " · " + T(lang, "asof.updated") + " " + FormatTime(*d.Coverage.LastChange, lang)
	}
}

func signed(v float64, dec int, lang string) (string, string) {
	switch {
	case v > 0:
		return "▲ +" + FormatNumber(v, dec, lang), "up"
	case v < 0:
		return "▼ " + FormatNumber(v, dec, lang), "down"
	}
	return "– " + FormatNumber(0, dec, lang), ""
}

// rankingGlance fills the tiles, the chart and its key of an indicator's leaderboard.
func (s *Server) rankingGlance(ctx context.Context, d *leaderboardData, r *metrics.Ranking, v view, lang string) {
	dec := r.Def.Decimals()
	unit := ""
	if r.Def.Kind == "percent" {
		unit = "%"
	}
	var bars []boardBar
	lo, hi := math.Inf(1), math.Inf(-1)
	met, judged, withValue := 0, 0, 0
	for _, row := range r.Rows {
		if row.Value == nil {
			continue
		}
		withValue++
		b := boardBar{Name: unitName(lang, row.UnitNameVI, row.UnitNameEN), Value: *row.Value, Colour: colourUnit, Label: FormatNumber(*row.Value, dec, lang) + unit}
		if row.TargetMet != nil {
			judged++
			if *row.TargetMet {
				met++
				b.Colour, b.Label = colourMet, b.Label+" ✔"
			} else {
				b.Colour, b.Label = colourMissed, b.Label+" ✘"
			}
		}
		bars = append(bars, b)
		lo, hi = min(lo, *row.Value), max(hi, *row.Value)
	}
	var lines []refLine
	if r.Target != nil {
		lines = append(lines, refLine{Value: r.Target.Value, Label: T(lang, "target") + ": " + FormatNumber(r.Target.Value, 0, lang) + unit, Colour: colourTarget})
		lo, hi = min(lo, r.Target.Value), max(hi, r.Target.Value)
		d.Key = append(d.Key, keyItem{"met", "✔ " + T(lang, "met")}, keyItem{"miss", "✘ " + T(lang, "notmet")})
	} else {
		d.Key = append(d.Key, keyItem{"unit", T(lang, "unit")})
	}
	nat := r.National.Value
	if nat != nil {
		lines = append(lines, refLine{Value: *nat, Label: d.NationalLabel + ": " + FormatNumber(*nat, dec, lang) + unit, Colour: colourNational, Dashed: true})
		lo, hi = min(lo, *nat), max(hi, *nat)
	}
	for _, l := range lines {
		cls := "national"
		if l.Colour == colourTarget {
			cls = "target"
		}
		d.Key = append(d.Key, keyItem{cls, strings.SplitN(l.Label, ":", 2)[0]})
	}
	if len(bars) == 0 {
		lo, hi = 0, 100
	}
	limit := 0.0
	if unit == "%" {
		limit = 100
	}
	from, to, step := valueAxis(lo, hi, limit)
	if from > 0 {
		d.AxisFrom = FormatNumber(from, 0, lang) + unit
	}
	d.Chart = leaderboardChart(r.Def.Name(lang), bars, lines, from, to, step, unit, dec)

	// the tiles: national value, its change, units meeting the target, reports received
	t := tile{ID: "tile-national", Label: d.NationalLabel, Value: "—"}
	if nat != nil {
		t.Value = FormatNumber(*nat, dec, lang) + unit
		t.Note = FormatNumber(float64(r.National.Numerator), 0, lang) + " / " + FormatNumber(float64(r.National.Denominator), 0, lang)
	}
	d.Tiles = append(d.Tiles, t)
	ch := tile{ID: "tile-change", Label: T(lang, "tile.change"), Value: "—"}
	prev := v.Period.Previous()
	if pr, err := s.eng.Rankings(ctx, metrics.RankingQuery{Indicator: r.Indicator, Period: prev, Group: v.Group, Boundaries: v.Boundaries}); err == nil && pr != nil && pr.National.Value != nil && nat != nil {
		ch.Value, ch.Class = signed(*nat-*pr.National.Value, dec, lang)
		if unit == "%" {
			ch.Value += " " + T(lang, "pp")
		}
		ch.Note = prev.Label(lang) + ": " + FormatNumber(*pr.National.Value, dec, lang) + unit
	}
	d.Tiles = append(d.Tiles, ch)
	mt := tile{ID: "tile-target", Label: T(lang, "tile.met"), Value: "—", Note: T(lang, "tile.notarget")}
	if r.Target != nil {
		mt.Value = fmt.Sprintf("%d/%d", met, judged)
		mt.Note = T(lang, "target") + " " + FormatNumber(r.Target.Value, 0, lang) + unit + " (" + r.Target.Source + ")"
	}
	d.Tiles = append(d.Tiles, mt)
	n, note := d.received(withValue, len(r.Rows), lang)
	d.Tiles = append(d.Tiles, tile{ID: "tile-received", Label: T(lang, "tile.received"), Value: n, Note: note})
	d.asOf(n, lang)
}

// compositeGlance does the same for a composite index: bars coloured by grade, the mean
// total and its change, the units graded Good or better.
func (s *Server) compositeGlance(ctx context.Context, d *leaderboardData, r *metrics.CompositeResult, v view, lang string) {
	grades := s.eng.Defs().Grades // best first
	gradeOf := func(total float64) int {
		for i, g := range grades {
			if total >= g.Min {
				return i
			}
		}
		return len(grades) - 1
	}
	var bars []boardBar
	lo, hi := math.Inf(1), math.Inf(-1)
	good, withValue := 0, 0
	sum := 0.0
	for _, row := range r.Rows {
		if row.Total == nil {
			continue
		}
		withValue++
		sum += *row.Total
		gi := gradeOf(*row.Total)
		if gi <= 1 {
			good++
		}
		colour := gradeColours[min(gi, len(gradeColours)-1)]
		bars = append(bars, boardBar{Name: unitName(lang, row.UnitNameVI, row.UnitNameEN), Value: *row.Total, Colour: colour,
			Label: FormatNumber(*row.Total, 2, lang) + " · " + unitName(lang, row.GradeVI, row.GradeEN)})
		lo, hi = min(lo, *row.Total), max(hi, *row.Total)
	}
	for i, g := range grades {
		if i < len(gradeColours) {
			d.Key = append(d.Key, keyItem{fmt.Sprintf("grade%d", i), unitName(lang, g.LabelVI, g.LabelEN) + " (≥ " + FormatNumber(g.Min, 0, lang) + ")"})
		}
	}
	var lines []refLine
	var mean *float64
	if withValue > 0 {
		m := sum / float64(withValue)
		mean = &m
		lines = append(lines, refLine{Value: m, Label: T(lang, "tile.mean") + ": " + FormatNumber(m, 2, lang), Colour: colourNational, Dashed: true})
		d.Key = append(d.Key, keyItem{"national", T(lang, "tile.mean")})
		lo = min(lo, m)
	} else {
		lo, hi = 0, 100
	}
	from, to, step := valueAxis(lo, hi, 100)
	if from > 0 {
		d.AxisFrom = FormatNumber(from, 0, lang)
	}
	d.Chart = leaderboardChart(T(lang, "total"), bars, lines, from, to, step, "", 2)

	t := tile{ID: "tile-national", Label: T(lang, "tile.mean"), Value: "—", Note: T(lang, "tile.points")}
	if mean != nil {
		t.Value = FormatNumber(*mean, 2, lang)
	}
	d.Tiles = append(d.Tiles, t)
	ch := tile{ID: "tile-change", Label: T(lang, "tile.change"), Value: "—"}
	prev := v.Period.Previous()
	if pr, err := s.eng.Composite(ctx, metrics.CompositeQuery{Name: r.Name, Period: prev, Group: v.Group, Boundaries: v.Boundaries}); err == nil && pr != nil && mean != nil {
		ps, pn := 0.0, 0
		for _, row := range pr.Rows {
			if row.Total != nil {
				ps += *row.Total
				pn++
			}
		}
		if pn > 0 {
			ch.Value, ch.Class = signed(*mean-ps/float64(pn), 2, lang)
			ch.Value += " " + T(lang, "tile.pts")
			ch.Note = prev.Label(lang) + ": " + FormatNumber(ps/float64(pn), 2, lang)
		}
	}
	d.Tiles = append(d.Tiles, ch)
	gt := tile{ID: "tile-target", Label: T(lang, "tile.good"), Value: fmt.Sprintf("%d/%d", good, withValue)}
	if len(grades) > 1 {
		gt.Note = unitName(lang, grades[1].LabelVI, grades[1].LabelEN) + " (≥ " + FormatNumber(grades[1].Min, 0, lang) + ") " + T(lang, "tile.orbetter")
	}
	d.Tiles = append(d.Tiles, gt)
	n, note := d.received(withValue, len(r.Rows), lang)
	d.Tiles = append(d.Tiles, tile{ID: "tile-received", Label: T(lang, "tile.received"), Value: n, Note: note})
	d.asOf(n, lang)
}
