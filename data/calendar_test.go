package data

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// vn is a Viet Nam instant, written as officials read it.
func vn(s string) time.Time {
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, vietnam); err == nil {
			return t
		}
	}
	panic("bad test time " + s)
}

func testCalendar(t *testing.T) *Calendar {
	t.Helper()
	c, err := DefaultCalendar()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCalendarIsWorkingDay(t *testing.T) {
	c := testCalendar(t)
	cases := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"Fri before Tết 2026", vn("2026-02-13 16:00"), true},
		{"Sat 14/2/2026, first day of the Tết break", vn("2026-02-14"), false},
		{"Mon 16/2/2026, Tết weekday", vn("2026-02-16"), false},
		{"Tue 17/2/2026, mùng 1 Tết", vn("2026-02-17"), false},
		{"Fri 20/2/2026, Tết weekday", vn("2026-02-20"), false},
		{"Mon 23/2/2026, back to work", vn("2026-02-23"), true},
		{"Tue 28/1/2025, Tết", vn("2025-01-28"), false},
		{"Mon 3/2/2025, after Tết", vn("2025-02-03"), true},
		{"Sat 26/4/2025, make-up day for the 2/5 swap", vn("2025-04-26"), true},
		{"Wed 30/4/2025", vn("2025-04-30"), false},
		{"Thu 1/5/2025", vn("2025-05-01"), false},
		{"Fri 2/5/2025, swapped", vn("2025-05-02"), false},
		{"Mon 5/5/2025", vn("2025-05-05"), true},
		{"Mon 27/4/2026, nghỉ bù for Giỗ Tổ on Sunday", vn("2026-04-27"), false},
		{"Tue 28/4/2026, no swap between the breaks", vn("2026-04-28"), true},
		{"Thu 30/4/2026", vn("2026-04-30"), false},
		{"Fri 1/5/2026", vn("2026-05-01"), false},
		{"Fri 2/1/2026, swapped", vn("2026-01-02"), false},
		{"Sat 10/1/2026, make-up day", vn("2026-01-10"), true},
		{"Sat 17/1/2026, an ordinary Saturday", vn("2026-01-17"), false},
		{"Sat 4/5/2019, make-up day", vn("2019-05-04"), true},
		{"Mon 31/12/2018, swapped (2019 Tết Dương lịch)", vn("2018-12-31"), false},
		{"Tue 1/9/2026, adjacent Quốc khánh day", vn("2026-09-01"), false},
		{"Sat 22/8/2026, make-up day", vn("2026-08-22"), true},
		// 20:00 UTC on Friday 13/2 is already Saturday 14/2 in Viet Nam.
		{"UTC Friday evening is Saturday in Viet Nam", time.Date(2026, 2, 13, 20, 0, 0, 0, time.UTC), false},
		// 18:00 UTC on Sunday 22/2 is Monday 23/2, 01:00 in Viet Nam.
		{"UTC Sunday evening is Monday in Viet Nam", time.Date(2026, 2, 22, 18, 0, 0, 0, time.UTC), true},
		{"outside the covered years: Monday–Friday only", vn("2030-01-01"), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.IsWorkingDay(tc.at); got != tc.want {
				t.Errorf("IsWorkingDay(%s) = %v, want %v", tc.at, got, tc.want)
			}
		})
	}
}

// The reference README's check: working days per year, 2019–2026.
func TestCalendarYearTotals(t *testing.T) {
	c := testCalendar(t)
	want := map[int]int{2019: 252, 2020: 252, 2021: 250, 2022: 249, 2023: 249, 2024: 251, 2025: 250, 2026: 250}
	for y, n := range want {
		t.Run(time.Date(y, 1, 1, 0, 0, 0, 0, vietnam).Format("2006"), func(t *testing.T) {
			if got := c.CountWorkingDays(vn(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01-02")), vn(time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC).Format("2006-01-02"))); got != n {
				t.Errorf("%d: %d working days, want %d", y, got, n)
			}
			if !c.Covers(time.Date(y, 6, 1, 0, 0, 0, 0, vietnam)) {
				t.Errorf("%d not covered", y)
			}
		})
	}
	if c.Covers(vn("2018-12-31")) || c.Covers(vn("2027-01-04")) {
		t.Errorf("2018 and 2027 should not be covered; covered: %v", c.Years())
	}
}

func TestCalendarAddWorkingDays(t *testing.T) {
	c := testCalendar(t)
	cases := []struct {
		name string
		from string
		n    int
		want string
	}{
		{"zero is the same instant", "2026-02-14 10:30", 0, "2026-02-14 10:30"},
		{"Thu before Tết +1 = Fri", "2026-02-12 09:00", 1, "2026-02-13 09:00"},
		{"Thu before Tết +2 jumps the break", "2026-02-12 09:00", 2, "2026-02-23 09:00"},
		{"Thu before Tết +3", "2026-02-12 09:00", 3, "2026-02-24 09:00"},
		{"from inside the break, +1 = first day back", "2026-02-17 09:00", 1, "2026-02-23 09:00"},
		{"Tue 29/4/2025 +1 jumps 30/4–4/5", "2025-04-29 14:00", 1, "2025-05-05 14:00"},
		{"Fri 25/4/2025 +1 = the make-up Saturday", "2025-04-25 08:00", 1, "2025-04-26 08:00"},
		{"Fri 25/4/2025 +2 = Mon 28/4", "2025-04-25 08:00", 2, "2025-04-28 08:00"},
		{"back over Tết: Mon 23/2/2026 −1 = Fri 13/2", "2026-02-23 00:00", -1, "2026-02-13 00:00"},
		// 1.1's rule: effective 1/6/2026 − 20 working days. May 2026 has 1/5 off;
		// counting back: 29,28,27,26,25 | 22..18 | 15..11 | 8..4 May = 20 days.
		{"effective 1/6/2026 − 20", "2026-06-01", -20, "2026-05-04 00:00"},
		// 1.2's rule: announced Fri 24/4/2026 + 5 working days: 28, 29/4, 4, 5, 6/5.
		{"announced 24/4/2026 + 5 across Giỗ Tổ and 30/4–1/5", "2026-04-24", 5, "2026-05-06 00:00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := c.AddWorkingDays(vn(tc.from), tc.n)
			if !got.Equal(vn(tc.want)) {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tc.from, tc.n, got.In(vietnam).Format("2006-01-02 15:04 Mon"), tc.want)
			}
		})
	}
}

func TestCalendarWorkingTime(t *testing.T) {
	c := testCalendar(t)
	cases := []struct {
		name     string
		from, to string
		days     float64
	}{
		{"same working day", "2026-03-03 08:00", "2026-03-03 20:00", 0.5},
		{"over a weekend", "2026-03-06 10:00", "2026-03-09 10:00", 1},
		// Fri 13/2 10:00→24:00 (14 h) + Mon 23/2 00:00→10:00 (10 h); the nine days between are off.
		{"across Tết 2026", "2026-02-13 10:00", "2026-02-23 10:00", 1},
		// Fri 25/4 12 h + the make-up Saturday 24 h + Mon 28/4 12 h = 48 h.
		{"across a make-up Saturday", "2025-04-25 12:00", "2025-04-28 12:00", 2},
		// Tue 29/4 12 h, then 30/4–4/5 off, Mon 5/5 12 h.
		{"across 30/4–1/5 2025", "2025-04-29 12:00", "2025-05-05 12:00", 1},
		{"wholly inside a break", "2026-02-15 08:00", "2026-02-20 17:00", 0},
		{"backwards is negative", "2026-03-09 10:00", "2026-03-06 10:00", -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.WorkingDaysBetween(vn(tc.from), vn(tc.to)); got != tc.days {
				t.Errorf("WorkingDaysBetween(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.days)
			}
		})
	}
	t.Run("instants in other zones", func(t *testing.T) {
		// 03:00 UTC = 10:00 in Viet Nam: the same as the "across Tết 2026" case.
		a := time.Date(2026, 2, 13, 3, 0, 0, 0, time.UTC)
		b := time.Date(2026, 2, 23, 3, 0, 0, 0, time.UTC)
		if got := c.WorkingTime(a, b); got != 24*time.Hour {
			t.Errorf("WorkingTime = %s, want 24h", got)
		}
	})
}

func TestCalendarAmendment(t *testing.T) {
	cases := []struct {
		name    string
		extra   string
		check   string
		working bool
		covers  bool
	}{
		{"a later year added", "date,kind,name_vi,source\n2027-01-01,holiday,Tết Dương lịch,test\n2027-02-08,holiday,Tết Nguyên đán,test\n", "2027-02-08", false, true},
		{"a day added to a listed year", "date,kind,name_vi,source\n2026-11-24,holiday,Ngày Văn hóa Việt Nam,test\n", "2026-11-24", false, true},
		{"a row corrected: a listed day off made a working day (a workday row on a weekday replaces the day off)", "date,kind,name_vi,source\n2026-01-02,workday,Làm bù,test\n", "2026-01-02", true, true},
		{"columns in another order, no source", "kind,date\nholiday,2027-01-01\n", "2027-01-01", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewCalendar(strings.NewReader(tc.extra))
			if err != nil {
				t.Fatal(err)
			}
			if got := c.IsWorkingDay(vn(tc.check)); got != tc.working {
				t.Errorf("IsWorkingDay(%s) = %v, want %v", tc.check, got, tc.working)
			}
			if got := c.Covers(vn(tc.check)); got != tc.covers {
				t.Errorf("Covers(%s) = %v, want %v", tc.check, got, tc.covers)
			}
			if !c.IsWorkingDay(vn("2026-02-23")) || c.IsWorkingDay(vn("2026-02-17")) {
				t.Error("the embedded rows were lost")
			}
		})
	}
	t.Run("a later file replaces a date", func(t *testing.T) {
		c, err := NewCalendar(strings.NewReader("date,kind\n2026-11-24,holiday\n"), strings.NewReader("date,kind\n2026-11-28,workday\n"))
		if err != nil {
			t.Fatal(err)
		}
		if c.IsWorkingDay(vn("2026-11-24")) || !c.IsWorkingDay(vn("2026-11-28")) {
			t.Error("amendments not applied")
		}
		d, ok := c.Day(vn("2026-02-17"))
		if !ok || d.NameVI != "Tết Nguyên đán" || !strings.Contains(d.Source, "9859/VPCP-KGVX") {
			t.Errorf("Day(17/2/2026) = %+v, want Tết with its source", d)
		}
	})
	bad := map[string]string{
		"no kind column":  "date,name_vi\n2027-01-01,x\n",
		"bad date":        "date,kind\n2027-13-01,holiday\n",
		"bad kind":        "date,kind\n2027-01-01,vacation\n",
		"twice in a file": "date,kind\n2027-01-01,holiday\n2027-01-01,holiday\n",
		"empty":           "",
	}
	for name, in := range bad {
		t.Run("bad: "+name, func(t *testing.T) {
			if _, err := NewCalendar(strings.NewReader(in)); !errors.Is(err, ErrInvalid) {
				t.Errorf("NewCalendar(%q) = %v, want ErrInvalid", in, err)
			}
		})
	}
}

func TestCalendarPeriodSpan(t *testing.T) {
	cases := []struct{ period, start, end string }{
		{"2026-10", "2026-10-01", "2026-11-01"},
		{"2026-Q4", "2026-10-01", "2027-01-01"},
		{"2026", "2026-01-01", "2027-01-01"},
	}
	for _, tc := range cases {
		t.Run(tc.period, func(t *testing.T) {
			p, err := ParsePeriod(tc.period)
			if err != nil {
				t.Fatal(err)
			}
			s, e := PeriodSpan(p)
			if !s.Equal(vn(tc.start)) || !e.Equal(vn(tc.end)) {
				t.Errorf("PeriodSpan(%s) = %s..%s", tc.period, s, e)
			}
		})
	}
}
