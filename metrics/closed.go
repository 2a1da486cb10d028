package metrics

import (
	"context"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

// MonthStatus says how far a group's reports for a month have come.
type MonthStatus struct {
	Month    data.Month `json:"period"`
	Group    data.Group `json:"group"`
	Reported int        `json:"reported"` // expected units with a report
	Expected int        `json:"expected"` // units in force that month (communes: of provinces expecting them)
	Deadline time.Time  `json:"deadline"`
	// Closed months are the ones shown by default: every expected unit has reported, or
	// the deadline has passed and at least the closing share has. The current month is
	// never closed.
	Closed bool `json:"closed"`
}

// Provisional says the month is shown before it closed: its figures may still move.
func (s MonthStatus) Provisional() bool { return !s.Closed }

// reported counts, by month, the units of each group with a report.
func (e *Engine) reported(ctx context.Context) (map[data.Month]map[string]bool, error) {
	return cached(e, "reported", func() (map[data.Month]map[string]bool, error) {
		c, err := e.Coverage(ctx)
		if err != nil || c.LastMonth.IsZero() {
			return nil, err
		}
		times, err := e.src.ReportTimes(ctx, c.FirstMonth, c.LastMonth)
		if err != nil {
			return nil, err
		}
		out := map[data.Month]map[string]bool{}
		for _, t := range times {
			if out[t.Month] == nil {
				out[t.Month] = map[string]bool{}
			}
			out[t.Month][t.Unit] = true
		}
		return out, nil
	})
}

// MonthStatus is how far group g's reports for month m have come, judged now.
func (e *Engine) MonthStatus(ctx context.Context, g data.Group, m data.Month) (MonthStatus, error) {
	st := MonthStatus{Month: m, Group: g, Deadline: e.Deadline(m)}
	rep, err := e.reported(ctx)
	if err != nil {
		return st, err
	}
	units, err := e.expectedUnits(ctx, g, m)
	if err != nil {
		return st, err
	}
	for _, u := range units {
		st.Expected++
		if rep[m][u.Code] {
			st.Reported++
		}
	}
	now := e.now()
	if m >= data.MonthOf(now.In(vietnam)) || st.Expected == 0 {
		return st, nil
	}
	share := e.defs.Reporting.ClosedShare
	st.Closed = st.Reported == st.Expected ||
		now.After(st.Deadline) && float64(st.Reported) >= share*float64(st.Expected)
	return st, nil
}

// DefaultMonth is the month every page, answer, command and workbook shows when none is
// chosen: group g's last closed month. One unit sending next month early, or a month
// still coming in, does not move what the committee reads. Before any month has closed,
// it is the last month with data before the current one.
func (e *Engine) DefaultMonth(ctx context.Context, g data.Group) (data.Month, error) {
	c, err := e.Coverage(ctx)
	if err != nil {
		return 0, err
	}
	if c.LastMonth.IsZero() {
		return 0, data.Errorf(data.ErrNotFound, "Cơ sở dữ liệu chưa có số liệu nào", "the database holds no data yet")
	}
	last := min(c.LastMonth, data.MonthOf(e.now().In(vietnam)).Add(-1))
	for m := last; m >= c.FirstMonth; m = m.Add(-1) {
		st, err := e.MonthStatus(ctx, g, m)
		if err != nil {
			return 0, err
		}
		if st.Closed {
			return m, nil
		}
	}
	if last >= c.FirstMonth {
		return last, nil
	}
	return c.LastMonth, nil
}
