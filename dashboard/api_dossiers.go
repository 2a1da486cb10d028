package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/reports"
)

// DossierLog answers questions about the kept dossier rows.
type DossierLog interface {
	LateDossiers(ctx context.Context, q data.LateQuery) (data.LateDossiers, error)
}

// lateScope is whose late dossiers are asked for: one unit, or a group's units in force
// that month.
type lateScope struct {
	Unit  *data.Unit
	Group data.Group
	Month data.Month
}

// GET /api/v1/dossiers/late?unit=U|group=G[&month=YYYY-MM][&limit=N]: dossiers resolved
// late in the month or open past their due time at its end, by unit and by procedure, the
// most late first (limit 100 by default, at most 5,000; the counts are always whole).
// Without a unit, the group's (provinces by default).
func (s *Server) lateDossiers(c echo.Context) error {
	sc, err := s.lateScopeOf(c)
	if err != nil {
		return err
	}
	limit := 100
	if v := c.QueryParam("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 0 || limit > 5000 {
			return data.Errorf(data.ErrInvalid, "Giới hạn “%s”: ghi một số từ 0 đến 5.000", "limit %q: give a number from 0 to 5000", v)
		}
	}
	late, err := s.lateDossiersOf(c.Request().Context(), sc, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, late)
}

// GET /api/v1/exports/late-dossiers.xlsx?unit=U|group=G[&month=YYYY-MM][&lang=en]: the
// same as a workbook, the 100,000 most late dossiers listed.
func (s *Server) exportLateDossiers(c echo.Context) error {
	sc, err := s.lateScopeOf(c)
	if err != nil {
		return err
	}
	late, err := s.lateDossiersOf(c.Request().Context(), sc, 100_000)
	if err != nil {
		return err
	}
	lang := c.QueryParam("lang")
	if lang == "" {
		lang = langOf(c)
	}
	title, file := T(lang, string(sc.Group)), string(sc.Group)
	if sc.Unit != nil {
		title, file = fmt.Sprintf("%s (%s)", sc.Unit.Name(lang), sc.Unit.Code), sc.Unit.Code
	}
	b, err := reports.LateDossiers(late, title, s.unitNames(sc.Month, lang), reports.Options{Lang: lang, Author: actorOf(c)})
	if err != nil {
		return err
	}
	if err := s.audited(c, "late-dossiers.xlsx", map[string]any{"unit": late.Unit, "group": late.Group, "month": sc.Month.String()}); err != nil {
		return err
	}
	return attachment(c, fmt.Sprintf("ho-so-tre-han-%s-%s.xlsx", file, sc.Month), xlsxType, b)
}

// lateScopeOf reads ?unit= or ?group= and ?month= (default: the group's last closed month).
func (s *Server) lateScopeOf(c echo.Context) (lateScope, error) {
	var sc lateScope
	if v := c.QueryParam("month"); v != "" {
		m, err := data.ParseMonth(v)
		if err != nil {
			return sc, fmt.Errorf("%w: month: %v", data.ErrInvalid, err)
		}
		sc.Month = m
	}
	if code := c.QueryParam("unit"); code != "" {
		u, ok := s.eng.Units().Latest(code)
		if !ok {
			return sc, data.Errorf(data.ErrNotFound, "không có đơn vị mã “%s”", "no unit with code %q", code)
		}
		sc.Unit, sc.Group = &u, u.Group
	} else {
		g, err := data.ParseGroup(c.QueryParam("group"))
		if err != nil {
			return sc, err
		}
		sc.Group = g
	}
	if sc.Month.IsZero() {
		m, err := s.eng.DefaultMonth(c.Request().Context(), sc.Group)
		if err != nil {
			return sc, err
		}
		sc.Month = m
	}
	return sc, nil
}

// unitNames names the units of a month's lists, in the reader's language.
func (s *Server) unitNames(m data.Month, lang string) func(code string) string {
	return func(code string) string {
		if u, ok := s.eng.Units().At(code, m); ok {
			return u.Name(lang)
		}
		if u, ok := s.eng.Units().Latest(code); ok {
			return u.Name(lang)
		}
		return code
	}
}

// lateDossiersOf answers from what it kept while the data has not changed: the answer is
// a scan of the units' kept rows (at ten million rows 0.33 s for one unit, 0.89 s for the
// 34 provinces: go test ./data -bench Dossiers/late).
func (s *Server) lateDossiersOf(ctx context.Context, sc lateScope, limit int) (data.LateDossiers, error) {
	q := data.LateQuery{Month: sc.Month, Limit: limit}
	if sc.Unit != nil {
		q.Units = []string{sc.Unit.Code}
	} else {
		for _, u := range s.eng.Units().InForce(sc.Group, sc.Month) {
			q.Units = append(q.Units, u.Code)
		}
	}
	key, version := fmt.Sprintf("%s|%s|%d", strings.Join(q.Units, ","), sc.Month, limit), s.eng.DataVersion()
	if late, ok := s.late.get(key, version); ok {
		return late, nil
	}
	late, err := s.dossierLog.LateDossiers(ctx, q)
	if err != nil {
		return late, err
	}
	if sc.Unit != nil {
		late.Unit = sc.Unit.Code
	} else {
		late.Group = sc.Group
	}
	s.late.put(key, version, late)
	return late, nil
}
