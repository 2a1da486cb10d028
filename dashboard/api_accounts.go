package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
)

// Admin is what the locks, audit and user routes change.
type Admin interface {
	LockMonth(ctx context.Context, m data.Month, actor string) error
	UnlockMonth(ctx context.Context, m data.Month, actor string) error
	Locks(ctx context.Context) ([]data.Lock, error)
	AuditLog(ctx context.Context, f data.AuditFilter) ([]data.AuditEntry, error)
	CountAudit(ctx context.Context, f data.AuditFilter) (int, error)
	Users(ctx context.Context) ([]data.User, error)
	CreateUser(ctx context.Context, username, password, role, unit, actor string) (data.User, error)
	DisableUser(ctx context.Context, username, actor string) error
	CreateToken(ctx context.Context, username, name, actor string) (string, data.Token, error)
	RevokeToken(ctx context.Context, id int64, actor string) error
	Tokens(ctx context.Context) ([]data.Token, error)
}

// GET /api/v1/locks
func (s *Server) listLocks(c echo.Context) error {
	l, err := s.admin.Locks(c.Request().Context())
	if err != nil {
		return err
	}
	if l == nil {
		l = []data.Lock{}
	}
	return c.JSON(http.StatusOK, map[string]any{"locks": l})
}

// POST /api/v1/locks {"period":"2026-10"} (or a form field period)
func (s *Server) lockMonth(c echo.Context) error {
	var body struct {
		Period string `json:"period" form:"period"`
	}
	if err := c.Bind(&body); err != nil {
		return data.Errorf(data.ErrInvalid, "không đọc được nội dung gửi lên: cần gửi JSON ghi tháng cần chốt (ví dụ 10/2026)", `send {"period":"2026-10"}`)
	}
	m, err := data.ParseMonth(body.Period)
	if err != nil {
		return err
	}
	if err := s.admin.LockMonth(c.Request().Context(), m, actorOf(c)); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"period": m, "locked_by": actorOf(c)})
}

// DELETE /api/v1/locks/:period
func (s *Server) unlockMonth(c echo.Context) error {
	m, err := data.ParseMonth(c.Param("period"))
	if err != nil {
		return err
	}
	if err := s.admin.UnlockMonth(c.Request().Context(), m, actorOf(c)); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"period": m, "reopened_by": actorOf(c)})
}

// GET /api/v1/audit?actor=&action=&unit=&from=&to=&limit=&offset=
func (s *Server) auditLog(c echo.Context) error {
	f, pg, err := auditFilter(c, 500)
	if err != nil {
		return err
	}
	es, total, err := s.auditEntries(c, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": es, "page": pg.info(c, total)})
}

// auditEntries is a page of the audit log and how many entries the filter selects.
func (s *Server) auditEntries(c echo.Context, f data.AuditFilter) ([]data.AuditEntry, int, error) {
	ctx := c.Request().Context()
	es, err := s.admin.AuditLog(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	total, err := s.admin.CountAudit(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	if es == nil {
		es = []data.AuditEntry{}
	}
	return es, total, nil
}

// auditFilter reads the audit log's filters and page (def entries by default).
func auditFilter(c echo.Context, def int) (data.AuditFilter, listPage, error) {
	pg, err := readPage(c, def, 10000)
	if err != nil {
		return data.AuditFilter{}, pg, err
	}
	f, err := auditFilterOf(c)
	f.Limit, f.Offset = pg.Limit, pg.Offset
	return f, pg, err
}

func auditFilterOf(c echo.Context) (data.AuditFilter, error) {
	f := data.AuditFilter{Actor: c.QueryParam("actor"), Action: c.QueryParam("action"), Unit: c.QueryParam("unit")}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := c.QueryParam(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				d, err2 := time.Parse("2006-01-02", v)
				if err2 != nil {
					return f, fmt.Errorf("%w: %s: write 2026-10-31 or an RFC 3339 time", data.ErrInvalid, name)
				}
				t = d
				if name == "to" {
					t = d.Add(24*time.Hour - time.Nanosecond)
				}
			}
			*dst = t
		}
	}
	return f, nil
}

// the method-not-allowed answer for anything that would change the audit log
func auditIsAppendOnly(c echo.Context) error {
	return echo.NewHTTPError(http.StatusMethodNotAllowed, "the audit log is append-only")
}

// GET /api/v1/users
func (s *Server) listUsers(c echo.Context) error {
	us, err := s.admin.Users(c.Request().Context())
	if err != nil {
		return err
	}
	if us == nil {
		us = []data.User{}
	}
	return c.JSON(http.StatusOK, map[string]any{"users": us})
}

// POST /api/v1/users {"username","password","role","unit_code"}
func (s *Server) addUser(c echo.Context) error {
	var b struct {
		Username string `json:"username" form:"username"`
		Password string `json:"password" form:"password"`
		Role     string `json:"role" form:"role"`
		Unit     string `json:"unit_code" form:"unit_code"`
	}
	if err := c.Bind(&b); err != nil {
		return fmt.Errorf("%w: send username, password, role and unit_code", data.ErrInvalid)
	}
	u, err := s.admin.CreateUser(c.Request().Context(), b.Username, b.Password, b.Role, b.Unit, actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

// POST /api/v1/users/:username/disable
func (s *Server) disableUser(c echo.Context) error {
	if err := s.admin.DisableUser(c.Request().Context(), c.Param("username"), actorOf(c)); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"username": c.Param("username"), "disabled": true})
}

// GET /api/v1/tokens
func (s *Server) listTokens(c echo.Context) error {
	ts, err := s.admin.Tokens(c.Request().Context())
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []data.Token{}
	}
	return c.JSON(http.StatusOK, map[string]any{"tokens": ts})
}

// POST /api/v1/tokens {"username","name"}: the token is in the answer, once.
func (s *Server) createToken(c echo.Context) error {
	var b struct {
		Username string `json:"username" form:"username"`
		Name     string `json:"name" form:"name"`
	}
	if err := c.Bind(&b); err != nil {
		return fmt.Errorf("%w: send username and name", data.ErrInvalid)
	}
	secret, t, err := s.admin.CreateToken(c.Request().Context(), b.Username, b.Name, actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"token": secret, "id": t.ID, "username": t.Username, "name": t.Name})
}

// DELETE /api/v1/tokens/:id
func (s *Server) revokeToken(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: token id must be a number", data.ErrInvalid)
	}
	if err := s.admin.RevokeToken(c.Request().Context(), id, actorOf(c)); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": id, "revoked": true})
}
