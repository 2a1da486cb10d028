package dashboard

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
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
	// RecordSigninFailure counts a failed or rate-limited sign-in in its address's
	// record for the minute, instead of an audit entry per attempt.
	RecordSigninFailure(ctx context.Context, peer, username string, blocked bool) error
	SigninFailures(ctx context.Context, since time.Time, limit int) ([]data.SigninFailure, error)
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

// canWriteUnit is the unit rule: an officer writes only its own unit's data, and a
// province's officer also its communes' and its own agencies' (the province runs their
// leaderboard and manages their reports). A commune's officer writes only the commune.
func canWriteUnit(id *identity, unit string) error {
	if id == nil {
		return data.Errorf(data.ErrUnauthorized, "Cần đăng nhập trước", "sign in first")
	}
	switch id.User.Role {
	case data.RoleCommittee, data.RoleAdmin:
		return nil
	case data.RoleOfficer:
		if id.User.Unit == unit || id.User.Unit != "" && parentOf(unit) == id.User.Unit {
			return nil
		}
		return &data.Error{Kind: data.ErrForbidden,
			VI: fmt.Sprintf("%s là cán bộ của %s, không được ghi số liệu của %s", id.User.Username, unitLabel("vi", id.User.Unit), unitLabel("vi", unit)),
			EN: fmt.Sprintf("%s is an officer of %s and cannot write the data of %s", id.User.Username, unitLabel("en", id.User.Unit), unitLabel("en", unit))}
	}
	return &data.Error{Kind: data.ErrForbidden, VI: "Vai trò " + T("vi", "role."+id.User.Role) + " không được ghi số liệu",
		EN: "the " + T("en", "role."+id.User.Role) + " role cannot write data"}
}

// unitLabel names a unit for a message: "Hà Nội (01)"; the code alone when the
// reference does not know it.
func unitLabel(lang, code string) string {
	if u, ok := data.Reference().Latest(code); ok {
		return u.Name(lang) + " (" + code + ")"
	}
	return code
}

// parentOf is the province a commune or a province's agency belongs to ("" for a
// province or a ministry). Communes come from the embedded reference, as the officer's
// unit was checked against it.
func parentOf(unit string) string {
	if p := data.AgencyProvince(unit); p != "" {
		return p
	}
	if u, ok := data.Reference().Latest(unit); ok {
		return u.Parent
	}
	return ""
}

// canManageAgencies: an admin, or the province's own officer, defines its agencies;
// there is no national list for the committee to keep.
func canManageAgencies(id *identity, province string) error {
	if id == nil {
		return data.Errorf(data.ErrUnauthorized, "Cần đăng nhập trước", "sign in first")
	}
	if id.User.Role == data.RoleAdmin || id.User.Role == data.RoleOfficer && id.User.Unit == province {
		return nil
	}
	return data.Errorf(data.ErrForbidden, "Chỉ quản trị viên hoặc cán bộ của tỉnh %s được thêm cơ quan của tỉnh", "Only an administrator or province %s's officer may add its agencies", province)
}

// canManageCommunes: whether a province's communes report is the province's decision
// (its officer) or the committee's; admins may set it too.
func canManageCommunes(id *identity, province string) error {
	if id == nil {
		return data.Errorf(data.ErrUnauthorized, "Cần đăng nhập trước", "sign in first")
	}
	switch {
	case id.User.Role == data.RoleAdmin, id.User.Role == data.RoleCommittee, id.User.Role == data.RoleOfficer && id.User.Unit == province:
		return nil
	}
	return data.Errorf(data.ErrForbidden, "Chỉ cán bộ của tỉnh %s, Ủy ban hoặc quản trị viên được đổi cài đặt này", "Only province %s's officer, the committee or an administrator may change this setting", province)
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
					return data.Errorf(data.ErrUnauthorized, "hãy đăng nhập, hoặc gửi kèm khóa API (Authorization: Bearer …)", "sign in, or send Authorization: Bearer TOKEN")
				}
				return &data.Error{Kind: data.ErrForbidden, VI: "Vai trò " + T("vi", "role."+id.User.Role) + " không có quyền làm việc này",
					EN: "the " + T("en", "role."+id.User.Role) + " role may not do this"}
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
			return data.Errorf(data.ErrForbidden, "Yêu cầu từ trang khác bị từ chối", "cross-site request refused")
		}
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = c.FormValue("csrf")
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return data.Errorf(data.ErrForbidden, "Biểu mẫu đã hết hạn hoặc không gửi từ trang này; hãy tải lại trang", "the form has expired or did not come from this site; reload the page")
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

// limiterPeers is how many addresses the limiter remembers before it forgets those whose
// failures have all expired: many addresses cannot grow it without end.
const limiterPeers = 10000

func (l *limiter) fail(peer string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.fails[peer]; !ok && len(l.fails) >= limiterPeers {
		for p, ts := range l.fails {
			if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= l.per {
				delete(l.fails, p)
			}
		}
	}
	l.fails[peer] = append(l.fails[peer], now)
}

// GET /api/v1/audit/signin-failures?since=&limit=: the failed sign-ins, one record per
// client address and minute with its counts, newest first (the last 7 days by default).
func (s *Server) signinFailures(c echo.Context) error {
	since := time.Now().Add(-7 * 24 * time.Hour)
	if v := c.QueryParam("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			if t, err = time.Parse("2006-01-02", v); err != nil {
				return fmt.Errorf("%w: since: write 2026-10-31 or an RFC 3339 time", data.ErrInvalid)
			}
		}
		since = t
	}
	limit := 0
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("%w: limit: a positive whole number", data.ErrInvalid)
		}
		limit = n
	}
	fs, err := s.accounts.SigninFailures(c.Request().Context(), since, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"failures": fs})
}

// ParseTrustedProxies reads the reverse proxies the client address may be taken from:
// addresses and CIDR ranges, separated by commas ("10.0.0.5, 192.168.0.0/16, ::1").
func ParseTrustedProxies(list string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			ip := net.ParseIP(f)
			if ip == nil {
				return nil, fmt.Errorf("%w: trusted proxy %q: write an address or a range such as 10.0.0.0/8", data.ErrInvalid, f)
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(f)
		if err != nil {
			return nil, fmt.Errorf("%w: trusted proxy %q: write an address or a range such as 10.0.0.0/8", data.ErrInvalid, f)
		}
		out = append(out, n)
	}
	return out, nil
}

// clientIP is where the client address comes from. Without trusted proxies it is the
// direct peer: X-Forwarded-For is anyone's to write, and trusting it would let one client
// pose as many (escaping the sign-in limit) or as another (locking it out). With them, it
// is the last address in X-Forwarded-For that is not one of those proxies, and only when
// the request came from one; Echo's own defaults (loopback and private ranges trusted)
// are switched off, so only the listed proxies count.
func clientIP(proxies []*net.IPNet) echo.IPExtractor {
	if len(proxies) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range proxies {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// viaTrustedProxy says whether the request's direct peer is one of the trusted proxies.
func (s *Server) viaTrustedProxy(r *http.Request) bool {
	if len(s.proxies) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	for _, n := range s.proxies {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

// overTLS says whether the client's connection is encrypted: this server's own TLS, or a
// trusted proxy's that says so in X-Forwarded-Proto (nobody else's word counts).
func (s *Server) overTLS(c echo.Context) bool {
	r := c.Request()
	return r.TLS != nil || (s.viaTrustedProxy(r) && strings.EqualFold(r.Header.Get(echo.HeaderXForwardedProto), "https"))
}
