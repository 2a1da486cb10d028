package data

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Month is a calendar month, the unit of reporting. The zero Month is "no month".
// It counts months since January of year 0, so that arithmetic is plain addition.
type Month int

// NewMonth returns the month m (1–12) of year y.
func NewMonth(y, m int) Month { return Month(y*12 + m - 1) }

// MonthOf returns the month that t falls in.
func MonthOf(t time.Time) Month { return NewMonth(t.Year(), int(t.Month())) }

// Year is the month's calendar year.
func (m Month) Year() int { return int(m) / 12 }

// Num is the month's number in its year, 1–12.
func (m Month) Num() int { return int(m)%12 + 1 }

// IsZero reports whether m is the zero Month.
func (m Month) IsZero() bool { return m == 0 }

// Add returns the month n months after m.
func (m Month) Add(n int) Month { return m + Month(n) }

// Time is the first day of the month, in UTC.
func (m Month) Time() time.Time {
	return time.Date(m.Year(), time.Month(m.Num()), 1, 0, 0, 0, 0, time.UTC)
}

// String prints the month as 2026-10.
func (m Month) String() string {
	if m.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d", m.Year(), m.Num())
}

// Quarter is the month's quarter, 1–4.
func (m Month) Quarter() int { return (m.Num()-1)/3 + 1 }

// Half is the month's half-year, 1 (January–June) or 2 (July–December).
func (m Month) Half() int { return (m.Num()-1)/6 + 1 }

// MarshalText prints the month as 2026-10.
func (m Month) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText parses any form ParseMonth accepts.
func (m *Month) UnmarshalText(b []byte) error {
	v, err := ParseMonth(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

var (
	reISO      = regexp.MustCompile(`^(\d{4})-(\d{1,2})$`)
	reSlash    = regexp.MustCompile(`^(?:t|thang)?\s*(\d{1,2})\s*[/.-]\s*(\d{4})$`)
	reWords    = regexp.MustCompile(`^thang\s+(\d{1,2})\s+nam\s+(\d{4})$`)
	reQuarter  = regexp.MustCompile(`^(\d{4})-?q([1-4])$`)
	reQuarterV = regexp.MustCompile(`^(?:quy|q)\s*([1-4]|i{1,3}|iv)\s*[/ -]\s*(?:nam\s+)?(\d{4})$`)
	reYear     = regexp.MustCompile(`^(?:nam\s+)?(\d{4})$`)
	reMonthEN  = regexp.MustCompile(`^(january|february|march|april|may|june|july|august|september|october|november|december)\s+(\d{4})$`)
	// what Label writes for a year to date and a range, in either language
	reYTDWords   = regexp.MustCompile(`^(?:luy ke den|year to)\s+(.+)$`)
	reRangeWords = regexp.MustCompile(`^(?:tu\s+(.+?)\s+den\s+(.+)|(.+?)\s+[–—-]\s+(.+))$`)
	reHalf       = regexp.MustCompile(`^(\d{4})-?h([12])$`)
	reHalfS      = regexp.MustCompile(`^h([12])\s*[/ -]\s*(\d{4})$`)
	reHalfV      = regexp.MustCompile(`^6 thang (dau|cuoi) nam (\d{4})$`)
	reYTD        = regexp.MustCompile(`^(\d{4})-(\d{1,2})-ytd$`)
	reRange      = regexp.MustCompile(`^(.+?)\s*\.\.\s*(.+)$`)
)

// fold lower-cases s, strips Vietnamese diacritics (đ → d) and squeezes spaces, so that
// "Tháng 10/2026", "THANG 10/2026" and "thang  10/2026" compare equal.
func fold(s string) string {
	s = norm.NFD.String(strings.ToLower(strings.TrimSpace(s)))
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r >= 0x300 && r <= 0x36f: // combining marks
			continue
		case r == 'đ':
			r = 'd'
		}
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u00a0' {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// Fold is the comparison form of a label or name: lower case, no diacritics, single spaces.
func Fold(s string) string { return fold(s) }

// ParseMonth reads a month as officials write it: 2026-10, 10/2026, T10/2026,
// Tháng 10/2026, tháng 10 năm 2026.
func ParseMonth(s string) (Month, error) {
	if m, ok := isoMonth(s); ok {
		return m, nil // the common form, without allocating: a wide file has one per row
	}
	f := fold(s)
	var y, mo string
	if g := reISO.FindStringSubmatch(f); g != nil {
		y, mo = g[1], g[2]
	} else if g := reSlash.FindStringSubmatch(f); g != nil {
		mo, y = g[1], g[2]
	} else if g := reWords.FindStringSubmatch(f); g != nil {
		mo, y = g[1], g[2]
	} else if g := reMonthEN.FindStringSubmatch(f); g != nil {
		for i, name := range monthEN {
			if strings.EqualFold(name, g[1]) {
				mo = strconv.Itoa(i + 1)
			}
		}
		y = g[2]
	} else {
		return 0, fmt.Errorf("%w: %q is not a month: write 2026-10, 10/2026, T10/2026 or Tháng 10/2026", ErrInvalid, s)
	}
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(mo)
	if mi < 1 || mi > 12 {
		return 0, fmt.Errorf("%w: %q: month %d does not exist (1–12)", ErrInvalid, s, mi)
	}
	if yi < 1900 || yi > 2999 {
		return 0, fmt.Errorf("%w: %q: year %d is out of range", ErrInvalid, s, yi)
	}
	return NewMonth(yi, mi), nil
}

// isoMonth reads exactly YYYY-MM with a valid month and year.
func isoMonth(s string) (Month, bool) {
	if len(s) != 7 || s[4] != '-' {
		return 0, false
	}
	n := 0
	for i, c := range []byte(s) {
		if i == 4 {
			continue
		}
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	y, mo := n/100, n%100
	if mo < 1 || mo > 12 || y < 1900 || y > 2999 {
		return 0, false
	}
	return NewMonth(y, mo), true
}

// PeriodKind says what span a Period covers.
type PeriodKind string

// The kinds of period.
const (
	KindMonth   PeriodKind = "month"
	KindQuarter PeriodKind = "quarter"
	KindHalf    PeriodKind = "half" // a half-year, written 2026-H2 (the 766 index reports by half-year)
	KindYear    PeriodKind = "year"
	KindYTD     PeriodKind = "ytd"
	KindRange   PeriodKind = "range"
)

// Period is a span of whole months over which figures are rolled up.
type Period struct {
	Kind     PeriodKind
	From, To Month // inclusive
}

// MonthPeriod is the period of one month.
func MonthPeriod(m Month) Period { return Period{KindMonth, m, m} }

// Months lists the months of the period in order.
func (p Period) Months() []Month {
	var ms []Month
	for m := p.From; m <= p.To; m++ {
		ms = append(ms, m)
	}
	return ms
}

// Previous is the period of the same kind and length just before p (for a year to date,
// the same months of the year before).
func (p Period) Previous() Period {
	switch p.Kind {
	case KindYTD:
		return Period{p.Kind, p.From.Add(-12), p.To.Add(-12)}
	default:
		n := int(p.To-p.From) + 1
		return Period{p.Kind, p.From.Add(-n), p.To.Add(-n)}
	}
}

// String prints the period in its canonical form: 2026-10, 2026-Q3, 2026-H2, 2026, 2026-10-YTD,
// 2026-01..2026-06.
func (p Period) String() string {
	switch p.Kind {
	case KindMonth:
		return p.From.String()
	case KindQuarter:
		return fmt.Sprintf("%04d-Q%d", p.From.Year(), p.From.Quarter())
	case KindHalf:
		return fmt.Sprintf("%04d-H%d", p.From.Year(), p.From.Half())
	case KindYear:
		return fmt.Sprintf("%04d", p.From.Year())
	case KindYTD:
		return p.To.String() + "-YTD"
	default:
		return p.From.String() + ".." + p.To.String()
	}
}

var romanQuarter = [...]string{"I", "II", "III", "IV"}

var monthEN = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

// Label writes the period as officials write it: Tháng 10/2026, Quý III/2026, 6 tháng
// cuối năm 2026, Năm 2026 (in English: October 2026, Q3 2026, H2 2026, 2026).
func (p Period) Label(lang string) string {
	month := func(m Month) string {
		if lang == "en" {
			return fmt.Sprintf("%s %d", monthEN[m.Num()-1], m.Year())
		}
		return fmt.Sprintf("tháng %02d/%d", m.Num(), m.Year())
	}
	y := p.From.Year()
	switch p.Kind {
	case KindMonth:
		if lang == "en" {
			return month(p.From)
		}
		return "T" + month(p.From)[1:]
	case KindQuarter:
		if lang == "en" {
			return fmt.Sprintf("Q%d %d", p.From.Quarter(), y)
		}
		return fmt.Sprintf("Quý %s/%d", romanQuarter[p.From.Quarter()-1], y)
	case KindHalf:
		if lang == "en" {
			return fmt.Sprintf("H%d %d", p.From.Half(), y)
		}
		if p.From.Half() == 1 {
			return fmt.Sprintf("6 tháng đầu năm %d", y)
		}
		return fmt.Sprintf("6 tháng cuối năm %d", y)
	case KindYear:
		if lang == "en" {
			return fmt.Sprint(y)
		}
		return fmt.Sprintf("Năm %d", y)
	case KindYTD:
		if lang == "en" {
			return "Year to " + month(p.To)
		}
		return "Lũy kế đến " + month(p.To)
	default:
		if lang == "en" {
			return month(p.From) + " – " + month(p.To)
		}
		return "Từ " + month(p.From) + " đến " + month(p.To)
	}
}

// MarshalText prints the canonical form.
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// ParsePeriod reads a month (any form ParseMonth takes), a quarter (2026-Q3, Quý 3/2026),
// a half-year (2026-H2, H2/2026, 6 tháng cuối năm 2026), a year (2026), a year to date (2026-10-YTD) or a range of months (2026-01..2026-06).
func ParsePeriod(s string) (Period, error) {
	f := fold(s)
	if g := reYear.FindStringSubmatch(f); g != nil {
		y, _ := strconv.Atoi(g[1])
		return Period{KindYear, NewMonth(y, 1), NewMonth(y, 12)}, nil
	}
	if g := reQuarter.FindStringSubmatch(f); g != nil {
		y, _ := strconv.Atoi(g[1])
		q, _ := strconv.Atoi(g[2])
		return quarter(y, q), nil
	}
	if g := reQuarterV.FindStringSubmatch(f); g != nil {
		y, _ := strconv.Atoi(g[2])
		q := map[string]int{"1": 1, "2": 2, "3": 3, "4": 4, "i": 1, "ii": 2, "iii": 3, "iv": 4}[g[1]]
		return quarter(y, q), nil
	}
	if g := reHalf.FindStringSubmatch(f); g != nil {
		y, _ := strconv.Atoi(g[1])
		h, _ := strconv.Atoi(g[2])
		return HalfPeriod(y, h), nil
	}
	if g := reHalfS.FindStringSubmatch(f); g != nil {
		y, _ := strconv.Atoi(g[2])
		h, _ := strconv.Atoi(g[1])
		return HalfPeriod(y, h), nil
	}
	if g := reHalfV.FindStringSubmatch(f); g != nil {
		y, _ := strconv.Atoi(g[2])
		return HalfPeriod(y, map[string]int{"dau": 1, "cuoi": 2}[g[1]]), nil
	}
	if g := reYTD.FindStringSubmatch(f); g != nil {
		m, err := ParseMonth(g[1] + "-" + g[2])
		if err != nil {
			return Period{}, err
		}
		return Period{KindYTD, NewMonth(m.Year(), 1), m}, nil
	}
	if g := reYTDWords.FindStringSubmatch(f); g != nil {
		if m, err := ParseMonth(g[1]); err == nil {
			return Period{KindYTD, NewMonth(m.Year(), 1), m}, nil
		}
	}
	if g := reRangeWords.FindStringSubmatch(f); g != nil {
		from, to := g[1]+g[3], g[2]+g[4]
		a, errA := ParseMonth(from)
		b, errB := ParseMonth(to)
		if errA == nil && errB == nil && b >= a {
			return Period{KindRange, a, b}, nil
		}
	}
	if g := reRange.FindStringSubmatch(strings.TrimSpace(s)); g != nil {
		a, err := ParseMonth(g[1])
		if err != nil {
			return Period{}, err
		}
		b, err := ParseMonth(g[2])
		if err != nil {
			return Period{}, err
		}
		if b < a {
			return Period{}, fmt.Errorf("%w: %q: the range ends before it starts", ErrInvalid, s)
		}
		return Period{KindRange, a, b}, nil
	}
	m, err := ParseMonth(s)
	if err != nil && (reISO.MatchString(f) || reSlash.MatchString(f) || reWords.MatchString(f)) {
		return Period{}, err // a month in form, but not a real one: say why
	}
	if err != nil {
		return Period{}, Errorf(ErrInvalid, "“%s” không phải là kỳ: viết tháng (10/2026), quý (Quý III/2026), nửa năm (6 tháng cuối năm 2026) hoặc năm (2026)",
			"%q is not a period: write a month (2026-10), a quarter (2026-Q3), a half-year (2026-H2), a year (2026), a year to date (2026-10-YTD) or a range (2026-01..2026-06)", s)
	}
	return MonthPeriod(m), nil
}

// HalfPeriod is the half-year h (1 or 2) of year y: January–June or July–December.
func HalfPeriod(y, h int) Period {
	from := NewMonth(y, (h-1)*6+1)
	return Period{KindHalf, from, from.Add(5)}
}

func quarter(y, q int) Period {
	from := NewMonth(y, (q-1)*3+1)
	return Period{KindQuarter, from, from.Add(2)}
}
