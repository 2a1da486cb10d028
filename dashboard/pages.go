package dashboard

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

//go:embed templates/*.html
var templatesFS embed.FS

type pages struct {
	byName map[string]*template.Template
}

var pageNames = []string{"leaderboard.html", "unit.html", "trends.html", "completeness.html", "error.html", "login.html", "audit.html", "upload.html", "reports.html", "map.html", "benchmark.html", "maturity.html", "runs.html", "sources.html", "dossiers.html", "commune.html"}

func parsePages() (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templatesFS, "templates/layout.html", "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

var funcs = template.FuncMap{
	"asset": assetURL,
	"t":     T,
	"num": func(lang string, dec int, v any) string {
		switch x := v.(type) {
		case *float64:
			if x == nil {
				return "—"
			}
			return FormatNumber(*x, dec, lang)
		case *int64:
			if x == nil {
				return "—"
			}
			return FormatNumber(float64(*x), 0, lang)
		case float64:
			return FormatNumber(x, dec, lang)
		case int64:
			return FormatNumber(float64(x), 0, lang)
		case int:
			return FormatNumber(float64(x), 0, lang)
		}
		return fmt.Sprint(v)
	},
	"deref": func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	},
	"lost": func(g metrics.GroupPoints) float64 {
		if g.Points == nil {
			return g.Max
		}
		return g.Max - *g.Points
	},
	"upper":  strings.ToUpper,
	"derefT": func(t *time.Time) time.Time { return *t },
	"deref0": func(p *float64) float64 {
		if p == nil {
			return 0
		}
		return *p
	},
	"yes": func(p *bool) bool { return p != nil && *p },
	"abs": func(i int) int {
		if i < 0 {
			return -i
		}
		return i
	},
	"time":  FormatTime,
	"share": share,
	// wall shows a time as it was recorded (dossier exports give Viet Nam wall-clock times)
	"wall": func(t time.Time, lang string) string {
		if lang == "en" {
			return t.Format("2006-01-02 15:04")
		}
		return t.Format("15:04 02/01/2006")
	},
	"name": pick,
	// period writes a period as officials write it (Tháng 10/2026, Quý III/2026)
	"period": func(lang string, p any) string {
		switch v := p.(type) {
		case data.Period:
			return v.Label(lang)
		case data.Month:
			return data.MonthPeriod(v).Label(lang)
		case string:
			if pp, err := data.ParsePeriod(v); err == nil {
				return pp.Label(lang)
			}
			return v
		}
		return fmt.Sprint(p)
	},
	"monthName": func(lang string, m data.Month) string {
		if lang == "en" {
			return m.Time().Format("January 2006")
		}
		return fmt.Sprintf("Tháng %d/%d", m.Num(), m.Year())
	},
	"tf": func(lang, key string, args ...any) string { return fmt.Sprintf(T(lang, key), args...) },
}

// page is what every page template gets.
type page struct {
	Lang  string
	Title string
	Nav   string
	Path  string
	Data  any
	User  *data.User
	CSRF  string
	// Can says which navigation entries the reader's role allows.
	Can map[string]bool
	// Scripts are extra static scripts this page loads after the chart library.
	Scripts []string
	// Content is the page's own part, rendered before the layout (and perhaps cached).
	Content template.HTML
	// Failing marks, for an admin, a source whose last run failed.
	Failing bool
}

func (s *Server) render(c echo.Context, status int, name, nav, title string, d any) error {
	return s.renderWith(c, status, name, nav, title, d)
}

func (s *Server) renderWith(c echo.Context, status int, name, nav, title string, d any, scripts ...string) error {
	return s.renderPage(c, status, name, nav, title, "", d, scripts...)
}

// renderPage renders the page's content, or takes it from the cache when cacheKey is set
// and the data has not changed since, then the shared layout around it.
func (s *Server) renderPage(c echo.Context, status int, name, nav, title, cacheKey string, d any, scripts ...string) error {
	t := s.pages.byName[name]
	var buf bytes.Buffer
	p := s.pageOf(c, nav, title, d, scripts)
	version := s.eng.DataVersion()
	// a body keepBodies asked for is kept, and the reader's layout spliced around it
	pend, keep := c.Get(pendingBodyName).(pendingBody)
	keep = keep && status == http.StatusOK
	// the whole page: the view, and the reader as the layout shows them
	whole := ""
	if cacheKey != "" && status == http.StatusOK && !keep {
		whole = fmt.Sprintf("%s|%s|%s|%s|%s|%s|%v|%v", name, cacheKey, p.Lang, p.Title, p.Path, p.CSRF, p.Failing, p.Can)
		if p.User != nil {
			whole += "|" + p.User.Username + "|" + p.User.Role + "|" + p.User.Unit
		}
		if s.cached(c, whole) {
			return nil
		}
	}
	content, ok := s.contents.get(cacheKey, version)
	if !ok {
		var cb bytes.Buffer
		if err := t.ExecuteTemplate(&cb, "content", p); err != nil {
			return fmt.Errorf("render %s: %w", name, err)
		}
		content = cb.Bytes()
		s.contents.put(cacheKey, version, content)
	}
	if keep {
		b := newBody(name, nav, title, scripts, content)
		s.bodies.put(pend.key, pend.version, b)
		c.Response().Header().Set(keptHeader, "rendered")
		return s.splice(c, status, b)
	}
	p.Content = template.HTML(content)
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return s.send(c, status, echo.MIMETextHTMLCharsetUTF8, buf.Bytes(), whole, version)
}

// pageOf is what the layout shows of this request's reader, around the page's data.
func (s *Server) pageOf(c echo.Context, nav, title string, d any, scripts []string) page {
	p := page{Lang: langOf(c), Title: title, Nav: nav, Path: c.Request().URL.RequestURI(), Data: d, Can: map[string]bool{}, Scripts: scripts}
	if id := identityOf(c); id != nil {
		p.User, p.CSRF = &id.User, id.CSRF
		for name, a := range map[string]access{"read": reader, "upload": uploader, "audit": auditor, "admin": admin, "export": exporter} {
			p.Can[name] = id.can(a)
		}
		if p.Can["admin"] {
			p.Failing = s.failing(c.Request().Context())
		}
	}
	return p
}

func (s *Server) renderError(c echo.Context, status int, msg string) {
	if err := s.render(c, status, "error.html", "", T(langOf(c), "error"), map[string]any{"Status": status, "Message": msg}); err != nil {
		_ = c.String(http.StatusInternalServerError, msg) // the last resort: nothing more to tell
	}
}

// setLang remembers the reader's language for a year and goes back where they were.
func (s *Server) setLang(c echo.Context) error {
	lang := c.Param("lang")
	if lang != "en" {
		lang = "vi"
	}
	c.SetCookie(&http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return c.Redirect(http.StatusSeeOther, safeRedirect(c.QueryParam("back")))
}

// untilChange keeps values by key until the data changes (its version moves on), at most
// limit of them: a crawler walking every combination of choices empties it, nothing worse.
// The empty key is never kept.
type untilChange[T any] struct {
	mu      sync.Mutex
	limit   int
	version int64
	m       map[string]T
}

func (u *untilChange[T]) get(key string, version int64) (T, bool) {
	var zero T
	if key == "" {
		return zero, false
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.version != version {
		return zero, false
	}
	v, ok := u.m[key]
	return v, ok
}

func (u *untilChange[T]) put(key string, version int64, v T) {
	if key == "" {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if version < u.version {
		return // made from data already replaced
	}
	if u.version != version || u.m == nil || len(u.m) >= u.limit {
		u.m, u.version = map[string]T{}, version
	}
	u.m[key] = v
}

// pick is the reader's language's text of a pair: the one way the dashboard chooses.
func pick(lang, vi, en string) string { return data.Pick(lang, vi, en) }
