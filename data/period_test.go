package data

import (
	"errors"
	"strings"
	"testing"
)

func TestParseMonth(t *testing.T) {
	good := map[string]string{
		"2026-10":           "2026-10",
		"2026-1":            "2026-01",
		"10/2026":           "2026-10",
		"1/2026":            "2026-01",
		"T10/2026":          "2026-10",
		"t10/2026":          "2026-10",
		"Tháng 10/2026":     "2026-10",
		"THÁNG 10/2026":     "2026-10",
		"tháng 10 năm 2026": "2026-10",
		"Tháng 3 năm 2025":  "2025-03",
		"  10/2026 ":        "2026-10",
		"Thang 10/2026":     "2026-10",
	}
	for in, want := range good {
		t.Run(in, func(t *testing.T) {
			m, err := ParseMonth(in)
			if err != nil {
				t.Fatalf("ParseMonth(%q): %v", in, err)
			}
			if m.String() != want {
				t.Errorf("ParseMonth(%q) = %s, want %s", in, m, want)
			}
		})
	}
	for _, in := range []string{"13/2026", "2026-00", "abc", "", "2026-13", "0/2026", "Tháng 13/2026", "2026/10/01"} {
		t.Run("bad "+in, func(t *testing.T) {
			_, err := ParseMonth(in)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseMonth(%q) = %v, want ErrInvalid", in, err)
			}
		})
	}
}

func TestParsePeriod(t *testing.T) {
	cases := []struct {
		in, want string
		kind     PeriodKind
		months   int
	}{
		{"2026-10", "2026-10", KindMonth, 1},
		{"T10/2026", "2026-10", KindMonth, 1},
		{"2026-Q3", "2026-Q3", KindQuarter, 3},
		{"2026-q1", "2026-Q1", KindQuarter, 3},
		{"Quý 3/2026", "2026-Q3", KindQuarter, 3},
		{"2026", "2026", KindYear, 12},
		{"2026-H2", "2026-H2", KindHalf, 6},
		{"2026-h1", "2026-H1", KindHalf, 6},
		{"2026H2", "2026-H2", KindHalf, 6},
		{"H1/2026", "2026-H1", KindHalf, 6},
		{"6 tháng đầu năm 2026", "2026-H1", KindHalf, 6},
		{"6 tháng cuối năm 2026", "2026-H2", KindHalf, 6},
		{"2026-10-YTD", "2026-10-YTD", KindYTD, 10},
		{"2026-01..2026-06", "2026-01..2026-06", KindRange, 6},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			p, err := ParsePeriod(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if p.String() != c.want || p.Kind != c.kind || len(p.Months()) != c.months {
				t.Errorf("ParsePeriod(%q) = %s %s %d months", c.in, p, p.Kind, len(p.Months()))
			}
		})
	}
	for _, in := range []string{"13/2026", "2026-Q5", "2026-H3", "2026-H0", "abc", "2026-06..2026-01", "2026-13-YTD"} {
		if _, err := ParsePeriod(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParsePeriod(%q) = %v, want ErrInvalid", in, err)
		}
	}
	if _, err := ParsePeriod("13/2026"); err == nil || !contains(err.Error(), "month 13 does not exist") {
		t.Errorf("13/2026 should say the month does not exist, got %v", err)
	}
	prev := map[string]string{"2026-01": "2025-12", "2026-Q1": "2025-Q4", "2026-H1": "2025-H2", "2026-H2": "2026-H1", "2026": "2025", "2026-10-YTD": "2025-10-YTD"}
	for in, want := range prev {
		p, _ := ParsePeriod(in)
		if got := p.Previous().String(); got != want {
			t.Errorf("Previous(%s) = %s, want %s", in, got, want)
		}
	}
}

// A half-year covers exactly its six months, and its months know their half.
func TestHalfPeriod(t *testing.T) {
	cases := []struct {
		y, h     int
		from, to string
	}{
		{2026, 1, "2026-01", "2026-06"},
		{2026, 2, "2026-07", "2026-12"},
	}
	for _, c := range cases {
		t.Run(HalfPeriod(c.y, c.h).String(), func(t *testing.T) {
			p := HalfPeriod(c.y, c.h)
			if p.From.String() != c.from || p.To.String() != c.to || p.Kind != KindHalf {
				t.Errorf("HalfPeriod(%d, %d) = %+v", c.y, c.h, p)
			}
			for _, m := range p.Months() {
				if m.Half() != c.h {
					t.Errorf("%s.Half() = %d, want %d", m, m.Half(), c.h)
				}
			}
			b, _ := p.MarshalText()
			q, err := ParsePeriod(string(b))
			if err != nil || q != p {
				t.Errorf("round trip of %s gave %+v, %v", b, q, err)
			}
		})
	}
}

func contains(s, sub string) bool { return len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0) }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestPeriodLabel(t *testing.T) {
	for _, tc := range []struct{ in, vi, en string }{
		{"2026-10", "Tháng 10/2026", "October 2026"},
		{"2026-03", "Tháng 03/2026", "March 2026"},
		{"2026-Q3", "Quý III/2026", "Q3 2026"},
		{"2026-Q4", "Quý IV/2026", "Q4 2026"},
		{"2026-H1", "6 tháng đầu năm 2026", "H1 2026"},
		{"2026-H2", "6 tháng cuối năm 2026", "H2 2026"},
		{"2026", "Năm 2026", "2026"},
		{"2026-10-YTD", "Lũy kế đến tháng 10/2026", "Year to October 2026"},
		{"2026-01..2026-06", "Từ tháng 01/2026 đến tháng 06/2026", "January 2026 – June 2026"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			p, err := ParsePeriod(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Label("vi"); got != tc.vi {
				t.Errorf("vi: %q, want %q", got, tc.vi)
			}
			if got := p.Label("en"); got != tc.en {
				t.Errorf("en: %q, want %q", got, tc.en)
			}
			// what a page writes in its period field is read back as the same period
			for _, label := range []string{tc.vi, tc.en, strings.ToLower(tc.vi)} {
				if back, err := ParsePeriod(label); err != nil || back != p {
					t.Errorf("ParsePeriod(%q) = %v, %v; want %v", label, back, err, p)
				}
			}
		})
	}
}
