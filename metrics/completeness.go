package metrics

import (
	"context"
	"fmt"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

// Report statuses for completeness.
const (
	StatusOnTime  = "on_time"
	StatusLate    = "late"
	StatusMissing = "missing"
	StatusPending = "pending" // not in yet, but the deadline has not passed
)

// UnitReport is one unit's report for one month.
type UnitReport struct {
	UnitCode   string     `json:"unit_code"`
	UnitNameVI string     `json:"unit_name_vi"`
	UnitNameEN string     `json:"unit_name_en"`
	Period     string     `json:"period"`
	Status     string     `json:"status"`
	FirstAt    *time.Time `json:"first_submitted_at"`
	LastAt     *time.Time `json:"last_submitted_at"`
	LastBy     string     `json:"last_submitted_by,omitempty"`
	Versions   int        `json:"versions"`
	Deadline   time.Time  `json:"deadline"`
}

// Completeness counts, as DHIS2 does, the reports expected, received and received on
// time, over every month of a period.
type Completeness struct {
	Period       string       `json:"period"`
	Group        data.Group   `json:"group"`
	Expected     int          `json:"expected"`
	Received     int          `json:"received"`
	OnTime       int          `json:"on_time"`
	Late         int          `json:"late"`
	Missing      int          `json:"missing"`
	Pending      int          `json:"pending"`
	Completeness *float64     `json:"completeness"` // received / expected, %
	Timeliness   *float64     `json:"timeliness"`   // on time / expected, %
	Units        []UnitReport `json:"units"`
	MissingUnits []UnitReport `json:"missing_units"`
}

// Deadline is when the report for month m is due: the end of the deadline day of the
// following month, Viet Nam time.
func (e *Engine) Deadline(m data.Month) time.Time {
	next := m.Add(1)
	return time.Date(next.Year(), time.Month(next.Num()), e.defs.Reporting.DeadlineDay, 23, 59, 59, 0, vietnam)
}

var vietnam = data.VietnamTime()

// Completeness reports who was expected to report in each month of p (the units in force
// then), who did, and who did on time.
func (e *Engine) Completeness(ctx context.Context, p data.Period, g data.Group) (*Completeness, error) {
	key := fmt.Sprintf("complete|%s|%s", p, g)
	return cached(e, key, func() (*Completeness, error) {
		times, err := e.src.ReportTimes(ctx, p.From, p.To)
		if err != nil {
			return nil, err
		}
		type k struct {
			u string
			m data.Month
		}
		byKey := map[k]data.ReportTime{}
		for _, t := range times {
			byKey[k{t.Unit, t.Month}] = t
		}
		c := &Completeness{Period: p.String(), Group: g, Units: []UnitReport{}, MissingUnits: []UnitReport{}}
		now := e.now()
		for m := p.From; m <= p.To; m++ {
			dl := e.Deadline(m)
			units, err := e.expectedUnits(ctx, g, m)
			if err != nil {
				return nil, err
			}
			for _, u := range units {
				ur := UnitReport{UnitCode: u.Code, UnitNameVI: u.NameVI, UnitNameEN: u.NameEN, Period: m.String(), Deadline: dl}
				c.Expected++
				if t, ok := byKey[k{u.Code, m}]; ok {
					first, last := t.First, t.Last
					ur.FirstAt, ur.LastAt, ur.Versions, ur.LastBy = &first, &last, t.Versions, t.LastBy
					c.Received++
					if !first.After(dl) {
						ur.Status = StatusOnTime
						c.OnTime++
					} else {
						ur.Status = StatusLate
						c.Late++
					}
				} else if now.After(dl) {
					ur.Status = StatusMissing
					c.Missing++
					c.MissingUnits = append(c.MissingUnits, ur)
				} else {
					ur.Status = StatusPending
					c.Pending++
					c.MissingUnits = append(c.MissingUnits, ur)
				}
				c.Units = append(c.Units, ur)
			}
		}
		if c.Expected > 0 {
			a := round(float64(c.Received)/float64(c.Expected)*100, 2)
			b := round(float64(c.OnTime)/float64(c.Expected)*100, 2)
			c.Completeness, c.Timeliness = &a, &b
		}
		return c, nil
	})
}
