package dashboard

import (
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
)

// listPage is how a list that grows with use is cut: ?limit= (a default, at most a maximum)
// and ?offset=. Every such list (submissions, the audit log, runs) answers with a
// pageInfo beside its items, so a client always knows whether more exist; lists bounded
// by nature (units, indicators) are answered whole.
type listPage struct {
	Limit, Offset int
}

// pageInfo tells a client where it is in a list: how many items there are in all, and
// the address of the next page while there is one.
type pageInfo struct {
	Total  int    `json:"total"`
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
	Next   string `json:"next,omitempty"`
}

func readPage(c echo.Context, def, max int) (listPage, error) {
	p := listPage{Limit: def}
	for name, dst := range map[string]*int{"limit": &p.Limit, "offset": &p.Offset} {
		v := c.QueryParam(name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || name == "limit" && n == 0 {
			return p, data.Errorf(data.ErrInvalid, "%s phải là số nguyên dương", "%s must be a positive whole number", name)
		}
		*dst = n
	}
	if p.Limit > max {
		return p, data.Errorf(data.ErrInvalid, "limit tối đa là %d", "limit is at most %d", max)
	}
	return p, nil
}

// info describes this page of a list of total items, with the next page's address.
func (p listPage) info(c echo.Context, total int) pageInfo {
	in := pageInfo{Total: total, Limit: p.Limit, Offset: p.Offset}
	if p.Offset+p.Limit < total {
		q := url.Values{}
		for k, v := range c.QueryParams() {
			q[k] = v
		}
		q.Set("offset", strconv.Itoa(p.Offset+p.Limit))
		q.Set("limit", strconv.Itoa(p.Limit))
		in.Next = c.Request().URL.Path + "?" + q.Encode()
	}
	return in
}
