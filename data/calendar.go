package data

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// holidaysCSV is Viet Nam's official days off and make-up working days, 2019–2026, with the
// legal source of every row (see reference/holidays-vn.README.md for how it was compiled
// and checked). It is embedded so that the working-day rules of the 766 index work offline.
//
//go:embed reference/holidays-vn.csv
var holidaysCSV []byte

// DayKind says what an entry of the working-day calendar changes.
type DayKind string

// The kinds of calendar entry, as the reference file writes them.
const (
	// DayOff is an official day off (nghỉ lễ, nghỉ Tết, nghỉ bù or a swapped day). On a
	// Saturday or Sunday it changes nothing; it is listed so that each break matches what
	// was announced.
	DayOff DayKind = "holiday"
	// MakeUpDay is a Saturday worked to pay back a swapped weekday (làm bù). On a weekday
	// it is allowed and changes nothing by itself; an amendment uses it to cancel a day
	// off listed before (a correction).
	MakeUpDay DayKind = "workday"
)

// CalendarDay is one row of the working-day calendar.
type CalendarDay struct {
	Date   time.Time // midnight in Viet Nam time
	Kind   DayKind
	NameVI string // the occasion, e.g. "Tết Nguyên đán", or "Làm bù"
	Source string // the legal document the row comes from
}

// Calendar tells working days (ngày làm việc) of Viet Nam's public servants: Monday to
// Friday, minus official days off, plus make-up working days. Every question is asked of
// the date an instant falls on in Viet Nam time, whatever the instant's own location.
// A Calendar is read-only once built and safe for concurrent use.
type Calendar struct {
	days  map[int]CalendarDay // by dayNumber
	years map[int]bool        // years whose 1 January is listed, see Covers
}

// dayNumber is the number of days since 1970-01-01 of t's date in Viet Nam time: one
// integer per civil day, so that day arithmetic never meets a clock.
func dayNumber(t time.Time) int {
	y, m, d := t.In(vietnam).Date()
	return civilDay(y, m, d)
}

func civilDay(y int, m time.Month, d int) int {
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// dayStart is midnight in Viet Nam time of day number n.
func dayStart(n int) time.Time {
	u := time.Unix(int64(n)*86400, 0).UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, vietnam)
}

// DefaultCalendar is the embedded calendar (2019–2026).
func DefaultCalendar() (*Calendar, error) { return NewCalendar() }

// NewCalendar builds the embedded calendar amended by extra files in the same CSV form
// (date,kind,name_vi,source): a later year added as data, or a correction. A row of an
// extra file replaces the row of the same date read before it, so that the committee can
// correct as well as add; a date listed twice in one file is an error.
func NewCalendar(extra ...io.Reader) (*Calendar, error) {
	c := &Calendar{days: map[int]CalendarDay{}, years: map[int]bool{}}
	if err := c.add(bytes.NewReader(holidaysCSV), "holidays-vn.csv (embedded)"); err != nil {
		return nil, err
	}
	for i, r := range extra {
		if err := c.add(r, fmt.Sprintf("calendar amendment %d", i+1)); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// ParseCalendarDays reads rows in the reference file's form: a header naming at least
// date and kind (name_vi and source are kept when present), dates as YYYY-MM-DD, kind
// holiday or workday. name is used in errors.
func ParseCalendarDays(r io.Reader, name string) ([]CalendarDay, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, name, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, need := range []string{"date", "kind"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%w: %s: no %q column (want date,kind,name_vi,source)", ErrInvalid, name, need)
		}
	}
	get := func(rec []string, k string) string {
		if i, ok := col[k]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []CalendarDay
	seen := map[int]bool{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, name, err)
		}
		d, err := time.ParseInLocation("2006-01-02", get(rec, "date"), vietnam)
		if err != nil {
			return nil, fmt.Errorf("%w: %s line %d: %q is not a date (write 2027-02-06)", ErrInvalid, name, line, get(rec, "date"))
		}
		k := DayKind(get(rec, "kind"))
		if k != DayOff && k != MakeUpDay {
			return nil, fmt.Errorf("%w: %s line %d: kind %q (write holiday or workday)", ErrInvalid, name, line, k)
		}
		n := dayNumber(d)
		if seen[n] {
			return nil, fmt.Errorf("%w: %s line %d: %s is listed twice", ErrInvalid, name, line, d.Format("2006-01-02"))
		}
		seen[n] = true
		out = append(out, CalendarDay{Date: d, Kind: k, NameVI: get(rec, "name_vi"), Source: get(rec, "source")})
	}
	return out, nil
}

func (c *Calendar) add(r io.Reader, name string) error {
	days, err := ParseCalendarDays(r, name)
	if err != nil {
		return err
	}
	for _, d := range days {
		c.days[dayNumber(d.Date)] = d
		if d.Date.Month() == time.January && d.Date.Day() == 1 {
			c.years[d.Date.Year()] = true
		}
	}
	return nil
}

// Covers reports whether the calendar lists the days off of t's year (Viet Nam time).
// A year counts as listed when its 1 January is: every year's list contains Tết Dương
// lịch, so this tells a year that was entered from one that was not (2018, whose last
// days are listed only as part of the 2019 break, is not covered). Outside the covered
// years a date is still answered, as Monday–Friday only.
func (c *Calendar) Covers(t time.Time) bool { return c.years[t.In(vietnam).Year()] }

// Years lists the covered years in order.
func (c *Calendar) Years() []int {
	var ys []int
	for y := range c.years {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	return ys
}

// Day returns the calendar's row for t's date in Viet Nam time, if any.
func (c *Calendar) Day(t time.Time) (CalendarDay, bool) {
	d, ok := c.days[dayNumber(t)]
	return d, ok
}

// IsWorkingDay reports whether t's date in Viet Nam time is a working day: (Monday–Friday
// and not a day off) or a make-up working day.
func (c *Calendar) IsWorkingDay(t time.Time) bool { return c.working(dayNumber(t)) }

func (c *Calendar) working(n int) bool {
	if d, ok := c.days[n]; ok {
		return d.Kind == MakeUpDay
	}
	// 1970-01-01 was a Thursday: day n is a Saturday when (n+4) mod 7 == 6.
	wd := ((n+4)%7 + 7) % 7
	return wd != int(time.Saturday) && wd != int(time.Sunday)
}

// AddWorkingDays returns the n-th working day after t's date (n > 0) or before it (n < 0),
// at t's clock time in Viet Nam time; n = 0 returns t. t's own date never counts, whether
// or not it is a working day: a deadline of 5 working days from a Saturday is the fifth
// working day after it. Used for date rules such as "announced ≥ 20 working days before
// effect" (effective_on − 20 working days = AddWorkingDays(effective_on, −20)).
func (c *Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	if n == 0 {
		return t
	}
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	day := dayNumber(t)
	for left := n; left > 0; {
		day += step
		if c.working(day) {
			left--
		}
	}
	lt := t.In(vietnam)
	start := dayStart(day)
	return time.Date(start.Year(), start.Month(), start.Day(), lt.Hour(), lt.Minute(), lt.Second(), lt.Nanosecond(), vietnam)
}

// WorkingTime is the part of the interval from a to b that falls on working days (each
// working day counted whole, 24 hours of its date in Viet Nam time). It is negative when b
// is before a. So a dossier received on Friday at 10:00 and answered on Monday at 10:00
// took 24 hours of working time, and one received the day before Tết and answered the day
// after took only the hours of those two days.
func (c *Calendar) WorkingTime(a, b time.Time) time.Duration {
	if b.Before(a) {
		return -c.WorkingTime(b, a)
	}
	first, last := dayNumber(a), dayNumber(b)
	var total time.Duration
	for n := first; n <= last; n++ {
		if !c.working(n) {
			continue
		}
		from, to := dayStart(n), dayStart(n+1)
		if n == first {
			from = a
		}
		if n == last {
			to = b
		}
		total += to.Sub(from)
	}
	return total
}

// WorkingDaysBetween is WorkingTime in days of 24 hours (fractional): the measure that a
// maximum "in working days" is compared with.
func (c *Calendar) WorkingDaysBetween(a, b time.Time) float64 {
	return c.WorkingTime(a, b).Hours() / 24
}

// CountWorkingDays is the number of working days among the dates from a's date to b's
// date, both included (Viet Nam time); 0 when b's date is before a's.
func (c *Calendar) CountWorkingDays(a, b time.Time) int {
	k := 0
	for n := dayNumber(a); n <= dayNumber(b); n++ {
		if c.working(n) {
			k++
		}
	}
	return k
}

// PeriodSpan is the period's span in Viet Nam time, [start, end): start is midnight of its
// first day, end midnight of the day after its last (so "open at the period's end" means
// not resolved before end).
func PeriodSpan(p Period) (start, end time.Time) {
	start = time.Date(p.From.Year(), time.Month(p.From.Num()), 1, 0, 0, 0, 0, vietnam)
	next := p.To.Add(1)
	end = time.Date(next.Year(), time.Month(next.Num()), 1, 0, 0, 0, 0, vietnam)
	return start, end
}
