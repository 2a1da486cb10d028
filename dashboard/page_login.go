package dashboard

import (
	"crypto/subtle"
	"errors"
	"net/http"
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
		SameSite: http.SameSiteStrictMode, Secure: c.IsTLS(), MaxAge: 3600})
	return s.render(c, status, "login.html", "", T(langOf(c), "login"), map[string]any{
		"CSRF": tok, "Next": safeNext(c.QueryParam("next")), "Error": msg})
}

// POST /login
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
		s.accounts.Audit(ctx, data.AuditEntry{Actor: c.FormValue("username"), Action: "login_blocked", Peer: peer})
		return s.renderLogin(c, http.StatusTooManyRequests, T(lang, "login.blocked"))
	}
	name, pw := c.FormValue("username"), c.FormValue("password")
	u, err := s.accounts.UserByName(ctx, name)
	if err != nil && !errors.Is(err, data.ErrNotFound) {
		return err
	}
	if err != nil || u.Disabled || !u.CheckPassword(pw) {
		s.limiter.fail(peer, now)
		if err := s.accounts.Audit(ctx, data.AuditEntry{Actor: name, Action: "login_failed", Peer: peer}); err != nil {
			return err
		}
		return s.renderLogin(c, http.StatusUnauthorized, T(lang, "login.wrong"))
	}
	tok, _, err := s.accounts.CreateSession(ctx, u, sessionTTL, peer)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: c.IsTLS(), MaxAge: int(sessionTTL.Seconds())})
	c.SetCookie(&http.Cookie{Name: loginCSRFCookie, Value: "", Path: "/login", MaxAge: -1})
	return c.Redirect(http.StatusSeeOther, safeNext(c.FormValue("next")))
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

// safeNext keeps redirects on this site.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || (len(next) > 1 && (next[1] == '/' || next[1] == '\\')) {
		return "/"
	}
	return next
}
