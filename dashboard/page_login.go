package dashboard

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
)

const (
	loginCSRFCookie = "egovkpi_login_csrf"
	sessionTTL      = 12 * time.Hour
)

// GET /login
func (s *Server) loginPage(c echo.Context) error {
	return s.renderLogin(c, http.StatusOK, "")
}

func (s *Server) renderLogin(c echo.Context, status int, msg string) error {
	// the sign-in form has no session yet: its CSRF token is a cookie it must echo
	tok := data.RandomSecret(18)
	c.SetCookie(&http.Cookie{Name: loginCSRFCookie, Value: tok, Path: "/login", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.overTLS(c), MaxAge: 3600})
	return s.render(c, status, "login.html", "", T(langOf(c), "login"), map[string]any{
		"CSRF": tok, "Next": safeRedirect(c.QueryParam("next")), "Error": msg})
}

// POST /login
//
// What a failed attempt leaves is bounded: the form's body is at most loginBodyLimit (a
// route limit), a name or password longer than any account can have is refused before any
// lookup, and each failure only adds to its address's count for the minute. An unknown
// name is checked against a dummy hash, so it takes as long as a wrong password.
func (s *Server) login(c echo.Context) error {
	ctx := c.Request().Context()
	lang := langOf(c)
	peer := c.RealIP()
	now := time.Now()
	ck, err := c.Cookie(loginCSRFCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(c.FormValue("csrf"))) != 1 {
		return s.renderLogin(c, http.StatusForbidden, T(lang, "login.expired"))
	}
	if s.limiter.blocked(peer, now) {
		s.signinFailed(ctx, peer, "", true)
		return s.renderLogin(c, http.StatusTooManyRequests, T(lang, "login.blocked"))
	}
	name, pw := c.FormValue("username"), c.FormValue("password")
	if len(name) > data.MaxUsernameBytes || len(pw) > data.MaxPasswordBytes {
		s.limiter.fail(peer, now)
		s.signinFailed(ctx, peer, name, false)
		msg := fmt.Sprintf("Tên đăng nhập (tối đa %d byte) hoặc mật khẩu (tối đa %d byte) quá dài.", data.MaxUsernameBytes, data.MaxPasswordBytes)
		if lang == "en" {
			msg = fmt.Sprintf("The username (at most %d bytes) or the password (at most %d bytes) is too long.", data.MaxUsernameBytes, data.MaxPasswordBytes)
		}
		return s.renderLogin(c, http.StatusBadRequest, msg)
	}
	u, err := s.accounts.UserByName(ctx, name)
	if err != nil && !errors.Is(err, data.ErrNotFound) {
		return err
	}
	// the password is checked first, whoever the name is: a dummy hash for an unknown
	// one, so every failure costs the same
	if !u.CheckPassword(pw) || err != nil || u.Disabled {
		s.limiter.fail(peer, now)
		s.signinFailed(ctx, peer, name, false)
		return s.renderLogin(c, http.StatusUnauthorized, T(lang, "login.wrong"))
	}
	tok, _, err := s.accounts.CreateSession(ctx, u, sessionTTL, peer)
	if err != nil {
		return err
	}
	secure := s.overTLS(c)
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: secure, MaxAge: int(sessionTTL.Seconds())})
	c.SetCookie(&http.Cookie{Name: loginCSRFCookie, Value: "", Path: "/login", MaxAge: -1})
	return c.Redirect(http.StatusSeeOther, safeRedirect(c.FormValue("next")))
}

// signinFailed counts a failed sign-in. The answer is a refusal either way, so a store
// that cannot count it is logged rather than turned into a 500.
func (s *Server) signinFailed(ctx context.Context, peer, name string, blocked bool) {
	if err := s.accounts.RecordSigninFailure(ctx, peer, name, blocked); err != nil {
		s.log.Error("failed sign-in not recorded", "peer", peer, "err", err)
	}
}

// POST /logout
func (s *Server) logout(c echo.Context) error {
	id := identityOf(c)
	if id != nil && id.Session != "" {
		if err := s.accounts.EndSession(c.Request().Context(), id.Session, id.User.Username, c.RealIP()); err != nil {
			return err
		}
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	return c.Redirect(http.StatusSeeOther, "/login")
}

// maxRedirect bounds a redirect target taken from the request.
const maxRedirect = 2048

// safeRedirect is where a redirect the request names (/login?next=, /lang/:lang?back=)
// may go: a path on this site, else "/". It must start with one "/" and hold no "//", no
// backslash and no control character, as written or once more percent-decoded: browsers
// drop tabs and newlines from a URL and read "\" as "/", so "/\t/evil.example" or
// "/\\evil.example" would leave the site just as "//evil.example" does.
func safeRedirect(target string) string {
	if target == "" || target[0] != '/' || len(target) > maxRedirect {
		return "/"
	}
	decoded, err := url.PathUnescape(target)
	if err != nil {
		return "/"
	}
	for _, t := range []string{target, decoded} {
		if strings.Contains(t, "//") || strings.ContainsRune(t, '\\') {
			return "/"
		}
		for _, r := range t {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				return "/"
			}
		}
	}
	return target
}
