package dashboard

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
)

// Accounts is what sign-in, authorisation and the audit log need from the store.
type Accounts interface {
	UserByName(ctx context.Context, name string) (data.User, error)
	CreateSession(ctx context.Context, u data.User, ttl time.Duration, peer string) (string, data.Session, error)
	SessionUser(ctx context.Context, token string) (data.User, data.Session, error)
	EndSession(ctx context.Context, token, actor, peer string) error
	TokenUser(ctx context.Context, token string) (data.User, error)
	Audit(ctx context.Context, e data.AuditEntry) error
}

// access is who may use a route. Every route is registered with one, in server.go, and
// guard enforces it: the one place authorisation happens.
type access int

const (
	open      access = iota // anyone: health, sign-in, static files
	board                   // the read-only leaderboard pages: anyone with --public, else signed in
	reader                  // anyone signed in
	exporter                // analysts, the committee, admins
	uploader                // officers (their own unit, checked by canWriteUnit), the committee, admins
	committee               // the committee: locks
	auditor                 // admins and the committee: the audit log
	admin                   // admins: users and tokens
)

const sessionCookie = "egovkpi_session"

// identity is who made a request.
type identity struct {
	User    data.User
	Via     string // "session" or "token"
	CSRF    string
	Session string
}

func (id *identity) can(a access) bool {
	if a == open {
		return true
	}
	if id == nil {
		return false
	}
	r := id.User.Role
	switch a {
	case board, reader:
		return true
	case exporter:
		return r == data.RoleAnalyst || r == data.RoleCommittee || r == data.RoleAdmin
	case uploader:
		return r == data.RoleOfficer || r == data.RoleCommittee || r == data.RoleAdmin
	case committee:
		return r == data.RoleCommittee
	case auditor:
		return r == data.RoleCommittee || r == data.RoleAdmin
	case admin:
		return r == data.RoleAdmin
	}
	return false
}

// canWriteUnit is the unit rule: an officer writes only its own unit's data.
func canWriteUnit(id *identity, unit string) error {
	if id == nil {
		return fmt.Errorf("%w: sign in first", data.ErrUnauthorized)
	}
	switch id.User.Role {
	case data.RoleCommittee, data.RoleAdmin:
		return nil
	case data.RoleOfficer:
		if id.User.Unit == unit {
			return nil
		}
		return data.Errorf(data.ErrForbidden, "%s là cán bộ của đơn vị %s, không được ghi số liệu của đơn vị %s", "%s is an officer of unit %s and cannot write unit %s's data",
			id.User.Username, id.User.Unit, unit)
	}
	return data.Errorf(data.ErrForbidden, "Vai trò %s không được ghi số liệu", "the %s role cannot write data", id.User.Role)
}

func identityOf(c echo.Context) *identity {
	id, _ := c.Get("identity").(*identity)
	return id
}

func actorOf(c echo.Context) string {
	if id := identityOf(c); id != nil {
		return id.User.Username
	}
	return "anonymous"
}

// identify reads a Bearer token or the session cookie; a bad credential is refused
// outright rather than treated as anonymous.
func (s *Server) identify(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if h := c.Request().Header.Get("Authorization"); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				return fmt.Errorf("%w: use Authorization: Bearer TOKEN", data.ErrUnauthorized)
			}
			u, err := s.accounts.TokenUser(ctx, strings.TrimSpace(tok))
			if err != nil {
				return err
			}
			c.Set("identity", &identity{User: u, Via: "token"})
			return next(c)
		}
		if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
			u, sess, err := s.accounts.SessionUser(ctx, ck.Value)
			if err == nil {
				c.Set("identity", &identity{User: u, Via: "session", CSRF: sess.CSRF, Session: ck.Value})
			} else if !errors.Is(err, data.ErrUnauthorized) {
				return err
			}
		}
		return next(c)
	}
}

// guard enforces a route's access level, and CSRF on every state-changing request made
// with a session cookie.
func (s *Server) guard(a access) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			id := identityOf(c)
			if a == board && s.public {
				return next(c)
			}
			if !id.can(a) {
				if id == nil {
					if !isAPI(c) && c.Request().Method == http.MethodGet {
						return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
					}
					return fmt.Errorf("%w: sign in, or send Authorization: Bearer TOKEN", data.ErrUnauthorized)
				}
				return fmt.Errorf("%w: the %s role may not do this", data.ErrForbidden, id.User.Role)
			}
			if id != nil && id.Via == "session" && !safeMethod(c.Request().Method) {
				if err := checkCSRF(c, id.CSRF); err != nil {
					return err
				}
			}
			return next(c)
		}
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// checkCSRF wants the request to come from our own pages: a same-origin Origin header
// when the browser sends one, and the session's token in a header or form field.
func checkCSRF(c echo.Context, want string) error {
	r := c.Request()
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return fmt.Errorf("%w: cross-site request refused", data.ErrForbidden)
		}
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = c.FormValue("csrf")
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return fmt.Errorf("%w: the form has expired or did not come from this site; reload the page", data.ErrForbidden)
	}
	return nil
}

// limiter counts failed sign-ins per client address.
type limiter struct {
	mu    sync.Mutex
	fails map[string][]time.Time
	max   int
	per   time.Duration
}

func newLimiter(max int, per time.Duration) *limiter {
	return &limiter{fails: map[string][]time.Time{}, max: max, per: per}
}

func (l *limiter) blocked(peer string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	var keep []time.Time
	for _, t := range l.fails[peer] {
		if now.Sub(t) < l.per {
			keep = append(keep, t)
		}
	}
	l.fails[peer] = keep
	return len(keep) >= l.max
}

func (l *limiter) fail(peer string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fails[peer] = append(l.fails[peer], now)
}
