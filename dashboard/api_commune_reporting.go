package dashboard

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
)

// CommuneReporting is the per-province setting that makes communes expected to report;
// *data.Store is one.
type CommuneReporting interface {
	CommuneReporting(ctx context.Context) (map[string]data.Month, error)
	SetCommuneReporting(ctx context.Context, province string, from data.Month, actor string) error
}

func (s *Server) communeReporting() (CommuneReporting, error) {
	for _, v := range []any{s.store, s.accounts, s.admin} {
		if a, ok := v.(CommuneReporting); ok {
			return a, nil
		}
	}
	return nil, data.Errorf(data.ErrNotFound, "Máy chủ này không lưu cài đặt báo cáo cấp xã", "This server keeps no commune reporting settings")
}

// GET /api/v1/commune-reporting: the provinces whose communes are expected to report,
// each with the first month they are.
func (s *Server) listCommuneReporting(c echo.Context) error {
	st, err := s.communeReporting()
	if err != nil {
		return err
	}
	on, err := st.CommuneReporting(c.Request().Context())
	if err != nil {
		return err
	}
	out := map[string]string{}
	for p, m := range on {
		out[p] = m.String()
	}
	return c.JSON(http.StatusOK, map[string]any{"provinces": out})
}

// PUT /api/v1/units/:province/commune-reporting {"from":"2026-09"} turns the province's
// commune reporting on from that month; {"from":""} turns it off.
func (s *Server) setCommuneReporting(c echo.Context) error {
	p, err := s.province(c)
	if err != nil {
		return err
	}
	if err := canManageCommunes(identityOf(c), p.Code); err != nil {
		return err
	}
	var b struct {
		From string `json:"from" form:"from"`
	}
	if err := c.Bind(&b); err != nil {
		return data.Errorf(data.ErrInvalid, "Gửi {\"from\":\"2026-09\"}, hoặc {\"from\":\"\"} để tắt", "Send {\"from\":\"2026-09\"}, or {\"from\":\"\"} to turn it off").WithCause(err)
	}
	var from data.Month
	if strings.TrimSpace(b.From) != "" {
		if from, err = data.ParseMonth(b.From); err != nil {
			return err
		}
	}
	st, err := s.communeReporting()
	if err != nil {
		return err
	}
	if err := st.SetCommuneReporting(c.Request().Context(), p.Code, from, actorOf(c)); err != nil {
		return err
	}
	out := map[string]any{"province": p.Code, "from": nil}
	if !from.IsZero() {
		out["from"] = from.String()
	}
	return c.JSON(http.StatusOK, out)
}
