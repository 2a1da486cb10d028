package dashboard

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/ingest"
)

// GET /upload: the officer's page: the template, then drag and drop.
func (s *Server) uploadPage(c echo.Context) error {
	id := identityOf(c)
	lang := langOf(c)
	m := ingest.LastCompleteMonth(time.Now())
	var units []data.Unit
	if id.User.Role == data.RoleOfficer {
		if u, ok := s.eng.Units().Latest(id.User.Unit); ok {
			units = []data.Unit{u}
		}
	} else {
		units = append(s.eng.Units().InForce(data.Provinces, m), s.eng.Units().InForce(data.Ministries, m)...)
	}
	d := map[string]any{"Units": units, "Period": m.String(), "Officer": id.User.Role == data.RoleOfficer}
	if id.User.Role == data.RoleOfficer && len(units) == 1 {
		st, err := s.unitMonthStatus(c, units[0].Code, m, lang)
		if err != nil {
			return err
		}
		d["Status"] = st
		if st.Sent {
			// the month due is in: the template proposed is the next one
			d["Period"] = m.Add(1).String()
		}
	}
	return s.render(c, http.StatusOK, "upload.html", "upload", T(lang, "nav.upload"), d)
}

// unitMonthStatus is where an officer's unit stands for the month due: sent (which
// version, when, on time or late) or not yet, and the deadline.
type unitMonthStatus struct {
	Period   string
	Sent     bool
	Version  int
	SentAt   string
	OnTime   bool
	Deadline string
	Overdue  bool
}

func (s *Server) unitMonthStatus(c echo.Context, unit string, m data.Month, lang string) (unitMonthStatus, error) {
	deadline := s.eng.Deadline(m)
	st := unitMonthStatus{Period: m.String(), Deadline: FormatTime(deadline, lang), Overdue: timeNow().After(deadline)}
	subs, err := s.store.Submissions(c.Request().Context(), data.SubmissionFilter{Unit: unit, Month: m})
	if err != nil {
		return st, err
	}
	if len(subs) > 0 {
		first, last := subs[len(subs)-1], subs[0] // newest version first
		st.Sent, st.Version, st.SentAt = true, last.Version, FormatTime(last.SubmittedAt, lang)
		st.OnTime = !first.SubmittedAt.After(deadline)
	}
	return st, nil
}

func urlPathEscape(s string) string { return url.PathEscape(s) }
