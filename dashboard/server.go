// Package dashboard is the web application: the JSON API and the pages the committee,
// the provinces and the analysts read.
package dashboard

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
	"github.com/egovkpi/egovkpi/metrics"
)

// Store is what the web layer reads beyond computed metrics.
type Store interface {
	Coverage(ctx context.Context) (data.Coverage, error)
	Submissions(ctx context.Context, f data.SubmissionFilter) ([]data.Submission, error)
}

// Config is what the server is built from.
type Config struct {
	Engine   *metrics.Engine
	Store    Store
	Accounts Accounts
	Admin    Admin
	Ingester Ingester
	Values   Templates
	Exporter Exporter
	Schedule ReportSchedule
	Surveys  metrics.SurveySource
	Caps     Capabilities
	Indices  metrics.IndexSource
	Sources  Sources
	Backups  Backups
	Keeper   AssessmentKeeper
	Dossiers ingest.DossierStore
	// DossierLog answers which dossiers were late; without it the unit page has no such table.
	DossierLog DossierLog
	SrcEdit    SourceEditor
	Logger     *slog.Logger
	// Public lets anonymous visitors read the leaderboard pages (and nothing else).
	Public bool
	// BodyLimit bounds request bodies (default 20 MB); larger ones get 413.
	BodyLimit string
	// BenchStatic adds GET /bench/static?bytes=N, a static page of N bytes through the
	// same middleware: the web layer's own limit, for the load benchmark (serve --bench).
	BenchStatic bool
}

// Server is the web application.
type Server struct {
	eng        *metrics.Engine
	store      Store
	accounts   Accounts
	admin      Admin
	ingester   Ingester
	values     Templates
	exporter   Exporter
	schedule   ReportSchedule
	surveys    metrics.SurveySource
	caps       Capabilities
	indexSrc   metrics.IndexSource
	sources    Sources
	backups    Backups
	keeper     AssessmentKeeper
	dossiers   ingest.DossierStore
	dossierLog DossierLog
	srcEdit    SourceEditor
	marked     markedFiles
	// contents keeps rendered page contents, responses the most read responses whole and
	// compressed (~5 KB each), until the data changes.
	contents  untilChange[[]byte]
	responses untilChange[*response]
	// late keeps answers about late dossiers (a scan of the kept rows) likewise.
	late    untilChange[data.LateDossiers]
	log     *slog.Logger
	pages   *pages
	public  bool
	limiter *limiter
}

// New builds the Echo app. Templates are parsed here, so a broken one fails the start.
func New(cfg Config) (*echo.Echo, error) {
	if err := checkAssets(); err != nil {
		return nil, err
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{eng: cfg.Engine, store: cfg.Store, accounts: cfg.Accounts, admin: cfg.Admin, log: cfg.Logger,
		ingester: cfg.Ingester, values: cfg.Values, exporter: cfg.Exporter, schedule: cfg.Schedule, surveys: cfg.Surveys, caps: cfg.Caps, indexSrc: cfg.Indices, sources: cfg.Sources, backups: cfg.Backups, keeper: cfg.Keeper, dossiers: cfg.Dossiers, dossierLog: cfg.DossierLog, srcEdit: cfg.SrcEdit,
		pages: p, public: cfg.Public, limiter: newLimiter(10, 10*time.Minute),
		contents: untilChange[[]byte]{limit: 2000}, responses: untilChange[*response]{limit: 4000}, late: untilChange[data.LateDossiers]{limit: 2000}}
	if s.log == nil {
		s.log = slog.Default()
	}
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = "20M"
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Echo's RealIP trusts X-Forwarded-For from anyone; the direct peer is the client.
	e.IPExtractor = echo.ExtractIPDirect()
	e.HTTPErrorHandler = s.errorHandler
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic", "path", c.Request().URL.Path, "err", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(s.logRequests)
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 1024,
		Skipper: func(c echo.Context) bool { return selfCompressed[c.Path()] }}))
	e.Use(securityHeaders)
	e.Use(middleware.BodyLimit(cfg.BodyLimit))
	e.Use(s.identify)

	// Every route with who may use it; guard enforces it.
	r := func(method, path string, a access, h echo.HandlerFunc) { e.Add(method, path, h, s.guard(a)) }
	r(GET, "/api/v1/health", open, s.health)
	r(GET, "/api/v1/units", reader, s.listUnits)
	r(GET, "/api/v1/measures", reader, s.listMeasures)
	r(GET, "/api/v1/coverage", reader, s.coverage)
	r(GET, "/api/v1/indicators", reader, s.listIndicators)
	r(GET, "/api/v1/rankings", reader, s.rankings)
	r(GET, "/api/v1/composite", reader, s.composite)
	r(GET, "/api/v1/units/:code/series", reader, s.series)
	r(GET, "/api/v1/completeness", reader, s.completeness)
	r(GET, "/api/v1/submissions", reader, s.listSubmissions)
	r(POST, "/api/v1/submissions", uploader, s.upload)
	r(GET, "/api/v1/submissions/marked/:id", uploader, s.markedFile)
	r(GET, "/template.xlsx", uploader, s.template)
	r(GET, "/api/v1/exports/rankings.xlsx", exporter, s.exportRankings)
	r(GET, "/api/v1/exports/trend.xlsx", exporter, s.exportTrend)
	r(GET, "/api/v1/exports/raw.:format", exporter, s.exportRaw)
	r(GET, "/api/v1/reports", exporter, s.listReports)
	r(PUT, "/api/v1/reports/schedule", admin, s.setReportSchedule)
	r(POST, "/api/v1/reports/run", admin, s.runReports)
	r(GET, "/reports", exporter, s.reportsPage)
	r(POST, "/reports/schedule", admin, s.setReportSchedule)
	r(GET, "/reports/:name", exporter, s.reportFile)
	r(GET, "/upload", uploader, s.uploadPage)
	r(GET, "/api/v1/locks", reader, s.listLocks)
	r(POST, "/api/v1/locks", committee, s.lockMonth)
	r(DELETE, "/api/v1/locks/:period", committee, s.unlockMonth)
	r(GET, "/api/v1/audit", auditor, s.auditLog)
	for _, m := range []string{POST, PUT, PATCH, DELETE} {
		r(m, "/api/v1/audit", open, auditIsAppendOnly)
		r(m, "/api/v1/audit/*", open, auditIsAppendOnly)
	}
	r(GET, "/api/v1/users", admin, s.listUsers)
	r(POST, "/api/v1/users", admin, s.addUser)
	r(POST, "/api/v1/users/:username/disable", admin, s.disableUser)
	r(GET, "/api/v1/tokens", admin, s.listTokens)
	r(POST, "/api/v1/tokens", admin, s.createToken)
	r(DELETE, "/api/v1/tokens/:id", admin, s.revokeToken)
	api := e.Group("/api/v1")
	api.Any("/*", func(c echo.Context) error {
		return echo.NewHTTPError(http.StatusNotFound, "no such endpoint: "+c.Request().URL.Path)
	})

	r(GET, "/", board, s.leaderboardPage)
	r(GET, "/trends", board, s.trendsPage)
	r(GET, "/units/:code", reader, s.unitPage)
	r(GET, "/completeness", reader, s.completenessPage)
	r(GET, "/map", reader, s.mapPage)
	r(GET, "/benchmark", reader, s.benchmarkPage)
	r(GET, "/maturity", reader, s.maturityPage)
	r(GET, "/api/v1/maturity", reader, s.maturity)
	r(GET, "/api/v1/indices/:name", reader, s.indices)
	if s.dossierLog != nil {
		r(GET, "/api/v1/dossiers/late", reader, s.lateDossiers)
		r(GET, "/dossiers", reader, s.dossiersPage)
		r(GET, "/api/v1/exports/late-dossiers.xlsx", exporter, s.exportLateDossiers)
	}
	r(GET, "/api/v1/ingest/runs", admin, s.listRuns)
	r(POST, "/api/v1/ingest/runs/:id/confirm", admin, s.confirmRunAPI)
	r(POST, "/runs/:id/confirm", admin, s.confirmRunPage)
	r(POST, "/api/v1/sources/:name/run", admin, s.runSource)
	r(GET, "/runs", admin, s.runsPage)
	r(GET, "/sources", admin, s.sourcesPage)
	r(POST, "/sources", admin, s.saveSourcesPage)
	r(GET, "/api/v1/sources", admin, s.getSources)
	r(PUT, "/api/v1/sources", admin, s.putSources)
	r(POST, "/api/v1/backup", admin, s.backup)
	r(GET, "/api/v1/capabilities", reader, s.listCapabilities)
	r(POST, "/api/v1/capabilities", uploader, s.postCapabilities)
	r(POST, "/api/v1/capabilities/:id/confirm", committee, s.confirmCapabilities)
	r(GET, "/api/v1/benchmarks/egdi", reader, s.egdi)
	r(GET, "/audit", auditor, s.auditPage)
	r(GET, "/login", open, s.loginPage)
	r(POST, "/login", open, s.login)
	r(POST, "/logout", reader, s.logout)
	r(GET, "/lang/:lang", open, s.setLang)
	r(GET, "/favicon.ico", open, func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, assetURL("favicon.svg"))
	})
	registerStatic(e)
	if cfg.BenchStatic {
		// a copy of a real page, taken once and then served as bytes through the same
		// middleware: what the web layer costs without the work behind the page
		var mu sync.Mutex
		copies := map[string]*response{}
		e.GET("/bench/static", func(c echo.Context) error {
			path := c.QueryParam("page")
			mu.Lock()
			r, ok := copies[path]
			mu.Unlock()
			if !ok {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.Header.Set("Authorization", c.Request().Header.Get("Authorization"))
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
				r = newResponse(echo.MIMETextHTMLCharsetUTF8, rec.Body.Bytes())
				mu.Lock()
				copies[path] = r
				mu.Unlock()
			}
			return s.write(c, http.StatusOK, r)
		})
	}
	return e, nil
}

// HTTP methods, short.
const (
	GET    = http.MethodGet
	POST   = http.MethodPost
	PUT    = http.MethodPut
	PATCH  = http.MethodPatch
	DELETE = http.MethodDelete
)

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		return next(c)
	}
}

func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		s.log.Info("request", "method", c.Request().Method, "path", c.Request().URL.Path,
			"status", c.Response().Status, "ms", time.Since(start).Milliseconds(), "peer", c.RealIP())
		return nil
	}
}

// apiError is the JSON body of every error.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

// apiErrorBody says what went wrong: a stable code and a message in the reader's language.
type apiErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// statusOf maps an error kind to its HTTP status and code: the one place that does.
func statusOf(err error) (int, string) {
	var he *echo.HTTPError
	switch {
	case errors.Is(err, data.ErrInvalid):
		return http.StatusBadRequest, "invalid"
	case errors.Is(err, data.ErrNotFound):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, data.ErrUnauthorized):
		return http.StatusUnauthorized, "unauthorized"
	case errors.Is(err, data.ErrForbidden):
		return http.StatusForbidden, "forbidden"
	case errors.Is(err, data.ErrConflict):
		return http.StatusConflict, "conflict"
	case errors.Is(err, data.ErrDiskFull):
		return http.StatusInsufficientStorage, "disk_full"
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "timeout"
	case errors.As(err, &he):
		switch he.Code {
		case http.StatusNotFound:
			return he.Code, "not_found"
		case http.StatusMethodNotAllowed:
			return he.Code, "method_not_allowed"
		case http.StatusRequestEntityTooLarge:
			return he.Code, "too_large"
		case http.StatusUnauthorized:
			return he.Code, "unauthorized"
		case http.StatusForbidden:
			return he.Code, "forbidden"
		}
		if he.Code < 500 {
			return he.Code, "invalid"
		}
	}
	return http.StatusInternalServerError, "internal"
}

func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, code := statusOf(err)
	msg := err.Error()
	var he *echo.HTTPError
	var de *data.Error
	if errors.As(err, &de) {
		msg = de.Message(langOf(c))
		if de.Cause != nil && status < 500 {
			s.log.Info("refused", "path", c.Request().URL.Path, "err", de.Cause)
		}
	} else if errors.As(err, &he) {
		if m, ok := he.Message.(string); ok {
			msg = m
		} else {
			msg = http.StatusText(he.Code)
		}
	}
	for _, k := range []error{data.ErrInvalid, data.ErrNotFound, data.ErrUnauthorized, data.ErrForbidden, data.ErrConflict} {
		msg = strings.Replace(msg, k.Error()+": ", "", 1)
	}
	if code == "disk_full" {
		msg = "the server's disk is full; nothing of this was written: ask the administrator, then send it again"
	} else if status >= 500 {
		// no SQL or stack in a response; the log has the detail
		s.log.Error("request failed", "path", c.Request().URL.Path, "err", err)
		msg = "internal error; the server log has the details"
		if code == "timeout" {
			msg = "the request took too long"
		}
	}
	if isAPI(c) {
		var body apiError
		body.Error.Code, body.Error.Message = code, msg
		c.JSON(status, body)
		return
	}
	s.renderError(c, status, msg)
}

func isAPI(c echo.Context) bool {
	p := c.Request().URL.Path
	return len(p) >= 5 && p[:5] == "/api/"
}
