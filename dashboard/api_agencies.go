package dashboard

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
)

// AgencyStore keeps the provinces' own agencies; *data.Store is one.
type AgencyStore interface {
	AddAgency(ctx context.Context, province, local, nameVI, nameEN, actor string) (data.Agency, error)
	ProvinceAgencies(ctx context.Context, province string) ([]data.Agency, error)
}

// agencies is the store's agency side. The server's store is a *data.Store in the
// product; a test double without agencies answers that the feature is absent.
func (s *Server) agencies() (AgencyStore, error) {
	for _, v := range []any{s.store, s.accounts, s.admin} {
		if a, ok := v.(AgencyStore); ok {
			return a, nil
		}
	}
	return nil, data.Errorf(data.ErrNotFound, "Máy chủ này không lưu cơ quan của tỉnh", "This server keeps no provincial agencies")
}

// province is the :province of the path, a province in force now.
func (s *Server) province(c echo.Context) (data.Unit, error) {
	code := c.Param("province")
	u, ok := s.eng.Units().At(code, data.MonthOf(timeNow()))
	if !ok || u.Group != data.Provinces {
		return data.Unit{}, data.Errorf(data.ErrNotFound, "Không có tỉnh mã %q", "No province with code %q", code)
	}
	return u, nil
}

// GET /api/v1/units/:province/agencies: the province's own agencies, by name.
func (s *Server) listAgencies(c echo.Context) error {
	p, err := s.province(c)
	if err != nil {
		return err
	}
	st, err := s.agencies()
	if err != nil {
		return err
	}
	list, err := st.ProvinceAgencies(c.Request().Context(), p.Code)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"province": p.Code, "agencies": list})
}

// POST /api/v1/units/:province/agencies {"code","name_vi","name_en"}: an admin or the
// province's own officer adds an agency.
func (s *Server) addAgency(c echo.Context) error {
	p, err := s.province(c)
	if err != nil {
		return err
	}
	id := identityOf(c)
	if err := canManageAgencies(id, p.Code); err != nil {
		return err
	}
	var b struct {
		Code   string `json:"code" form:"code"`
		NameVI string `json:"name_vi" form:"name_vi"`
		NameEN string `json:"name_en" form:"name_en"`
	}
	if err := c.Bind(&b); err != nil {
		return data.Errorf(data.ErrInvalid, "Không đọc được yêu cầu", "Cannot read the request").WithCause(err)
	}
	st, err := s.agencies()
	if err != nil {
		return err
	}
	a, err := st.AddAgency(c.Request().Context(), p.Code, b.Code, b.NameVI, b.NameEN, actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, a)
}
