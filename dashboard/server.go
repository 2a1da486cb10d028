// Package dashboard is the web application: the JSON API and the pages the committee,
// the provinces and the analysts read.
package dashboard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
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
	CountSubmissions(ctx context.Context, f data.SubmissionFilter) (int, error)
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
	Dossiers ingest.DossierStore
	// DossierLog answers which dossiers were late; without it the unit page has no such table.
	DossierLog DossierLog
	SrcEdit    SourceEditor
	Logger     *slog.Logger
	// Public lets anonymous visitors read the leaderboard pages (and nothing else).
	Public bool
	// BodyLimit bounds request bodies (default 20 MB); larger ones get 413, declared or
	// chunked, with the limit in the answer.
	BodyLimit string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the client (see
	// clientIP); without any, the client is the direct peer.
	TrustedProxies []*net.IPNet
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
	dossiers   ingest.DossierStore
	dossierLog DossierLog
	srcEdit    SourceEditor
	marked     markedFiles
	// contents keeps rendered page contents, responses the most read responses whole and
	// compressed (~5 KB each), until the data changes.
	contents  untilChange[[]byte]
	responses untilChange[*response]
	// late keeps answers about late dossiers (a scan of the kept rows) likewise.
	late untilChange[data.LateDossiers]
	// bodies keeps the rendered bodies of the most read pages (pagecache.go).
	bodies *pageCache[*body]
	// frames keeps the layout rendered for each reader around each body (pagecache.go).
	frames  *pageCache[*frame]
	log     *slog.Logger
	pages   *pages
	public  bool
	limiter *limiter
	proxies []*net.IPNet
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
		ingester: cfg.Ingester, values: cfg.Values, exporter: cfg.Exporter, schedule: cfg.Schedule, surveys: cfg.Surveys, caps: cfg.Caps, indexSrc: cfg.Indices, sources: cfg.Sources, backups: cfg.Backups, dossiers: cfg.Dossiers, dossierLog: cfg.DossierLog, srcEdit: cfg.SrcEdit,
		pages: p, public: cfg.Public, limiter: newLimiter(10, 10*time.Minute), proxies: cfg.TrustedProxies,
		contents: untilChange[[]byte]{limit: 2000}, responses: untilChange[*response]{limit: 4000}, late: untilChange[data.LateDossiers]{limit: 2000},
		bodies: newPageCache(64<<20, (*body).size), frames: newPageCache(16<<20, (*frame).size)}
	if s.log == nil {
		s.log = slog.Default()
	}
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = "20M"
	}
	bodyLimit, err := parseSize(cfg.BodyLimit)
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Echo's RealIP would trust X-Forwarded-For from anyone; only the configured proxies'
	e.IPExtractor = clientIP(cfg.TrustedProxies)
	e.Pre(headAsGet)
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
	e.Use(s.strictTransport)
	e.Use(limitBody(bodyLimit))
	e.Use(s.identify)

	s.routes(e)
	registerStatic(e)
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

// loginBodyLimit bounds the sign-in form: a token, a name, a password and a path fit
// many times over, and nobody can make the server parse megabytes without signing in.
const loginBodyLimit = 64 << 10

// headAsGet answers HEAD on every GET route as the GET would, without the body: the
// request is routed as a GET, and what the handler writes is dropped (HTTP wants no body
// after HEAD, and net/http would only drop it while the method still says HEAD).
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method != http.MethodHead {
			return next(c)
		}
		w := c.Response().Writer
		r.Method, c.Response().Writer = http.MethodGet, bodiless{w}
		defer func() { r.Method, c.Response().Writer = http.MethodHead, w }()
		return next(c)
	}
}

// bodiless keeps a response's status and headers and drops its body.
type bodiless struct{ http.ResponseWriter }

func (b bodiless) Write(p []byte) (int, error) { return len(p), nil }

func (b bodiless) Flush() { _ = http.NewResponseController(b.ResponseWriter).Flush() }

func (b bodiless) Unwrap() http.ResponseWriter { return b.ResponseWriter }

// limitBody refuses a request body over limit bytes with 413 and the limit in the
// answer: at once when the declared length is over, and for a chunked body as soon as
// reading passes it, whatever error the handler then made of the failed read.
func limitBody(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength > limit {
				return tooLarge(c, limit)
			}
			if r.Body == nil || r.Body == http.NoBody {
				return next(c)
			}
			body := &limitedBody{ReadCloser: r.Body, left: limit}
			r.Body = body
			err := next(c)
			if body.over && !c.Response().Committed {
				return tooLarge(c, limit)
			}
			return err
		}
	}
}

// limitedBody reads at most left bytes, then fails and remembers that it did.
type limitedBody struct {
	io.ReadCloser
	left int64
	over bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.over {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	if int64(n) > b.left {
		b.over = true
		return int(b.left), errBodyTooLarge
	}
	b.left -= int64(n)
	return n, err
}

var errBodyTooLarge = echo.ErrStatusRequestEntityTooLarge

// tooLarge is the 413 answer, saying the limit in the reader's language.
func tooLarge(c echo.Context, limit int64) error {
	size := fmt.Sprintf("%d KB", limit>>10)
	if limit >= 1<<20 {
		size = fmt.Sprintf("%d MB", limit>>20)
	}
	c.Response().Header().Set(echo.HeaderConnection, "close") // the rest of the body is not read
	if langOf(c) == "en" {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "the request is larger than the limit of "+size+"; send a smaller file")
	}
	return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "dữ liệu gửi lên vượt quá giới hạn "+size+"; hãy gửi tệp nhỏ hơn")
}

// parseSize reads a size such as "20M", "64K", "1G" or "1048576" (bytes).
func parseSize(v string) (int64, error) {
	t := strings.TrimSuffix(strings.ToUpper(strings.TrimSpace(v)), "B")
	mult := int64(1)
	switch {
	case strings.HasSuffix(t, "K"):
		mult, t = 1<<10, strings.TrimSuffix(t, "K")
	case strings.HasSuffix(t, "M"):
		mult, t = 1<<20, strings.TrimSuffix(t, "M")
	case strings.HasSuffix(t, "G"):
		mult, t = 1<<30, strings.TrimSuffix(t, "G")
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%w: body limit %q: write 20M, 64K or a number of bytes", data.ErrInvalid, v)
	}
	return n * mult, nil
}

// strictTransport tells browsers to come back only over HTTPS (for a year) when this
// request came over it; over plain HTTP the header would mean nothing and is left out.
func (s *Server) strictTransport(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.overTLS(c) {
			c.Response().Header().Set(echo.HeaderStrictTransportSecurity, "max-age=31536000")
		}
		return next(c)
	}
}

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		// Strict for styles too: no 'unsafe-inline' anywhere. Chart tooltips are built by
		// app.js as DOM nodes coloured through element.style (the CSSOM, which style-src
		// does not govern) instead of echarts' HTML strings with style="…" attributes, so
		// injected markup still cannot restyle the page (e.g. overlay a fake form).
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
	case errors.Is(err, data.ErrLocked):
		return http.StatusServiceUnavailable, "in_use"
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
	lang := langOf(c)
	msg := err.Error()
	var he *echo.HTTPError
	var de *data.Error
	if errors.As(err, &de) {
		msg = de.Message(lang)
		if de.Cause != nil && status < 500 {
			s.log.Info("refused", "path", c.Request().URL.Path, "err", de.Cause)
		}
	} else if errors.As(err, &he) {
		if m, ok := he.Message.(string); ok && m != http.StatusText(he.Code) && he.Internal == nil {
			msg = m
		} else {
			// echo's own answers: an unknown page, a method not allowed, a body that did not bind
			msg = httpText(lang, he.Code)
		}
	}
	for _, k := range []error{data.ErrInvalid, data.ErrNotFound, data.ErrUnauthorized, data.ErrForbidden, data.ErrConflict} {
		msg = strings.Replace(msg, k.Error()+": ", "", 1)
	}
	if code == "disk_full" {
		msg = T(lang, "err.diskfull")
	} else if status >= 500 {
		// no SQL or stack in a response; the log has the detail
		s.log.Error("request failed", "path", c.Request().URL.Path, "err", err)
		msg = T(lang, "err.internal")
		if code == "timeout" {
			msg = T(lang, "err.timeout")
		}
	}
	if isAPI(c) {
		var body apiError
		body.Error.Code, body.Error.Message = code, msg
		_ = c.JSON(status, body) // the error handler: a client gone away is nothing to report
		return
	}
	s.renderError(c, status, msg)
}

func isAPI(c echo.Context) bool {
	p := c.Request().URL.Path
	return len(p) >= 5 && p[:5] == "/api/"
}
