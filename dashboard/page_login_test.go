package dashboard

import (
	"net"
	"strings"
	"testing"
)

func TestSafeRedirect(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/units/01", "/units/01"},
		{"/completeness?period=2026-09&group=provinces", "/completeness?period=2026-09&group=provinces"},
		{"/units/01?name=H%C3%A0%20N%E1%BB%99i", "/units/01?name=H%C3%A0%20N%E1%BB%99i"},
		{"", "/"},
		{"units/01", "/"},
		{"//evil.example", "/"},
		{"https://evil.example", "/"},
		{"/\\evil", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"/\x7f/evil.example", "/"},
		{"/%09/evil.example", "/"},
		{"/%2F/evil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/a//b", "/"},
		{"/%zz", "/"},
		{"/" + strings.Repeat("a", maxRedirect), "/"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := safeRedirect(tc.in); got != tc.want {
				t.Errorf("safeRedirect(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		in       string
		contains []string
		bad      bool
	}{
		{"", nil, false},
		{"10.0.0.5", []string{"10.0.0.5"}, false},
		{"10.0.0.0/8, 192.168.1.1 ,::1", []string{"10.200.0.1", "192.168.1.1", "::1"}, false},
		{"10.0.0.300", nil, true},
		{"proxy.example", nil, true},
		{"10.0.0.0/33", nil, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			ns, err := ParseTrustedProxies(tc.in)
			if (err != nil) != tc.bad {
				t.Fatalf("err = %v", err)
			}
			for _, a := range tc.contains {
				ok := false
				for _, n := range ns {
					ok = ok || n.Contains(net.ParseIP(a))
				}
				if !ok {
					t.Errorf("%s is not trusted", a)
				}
			}
			if !tc.bad && len(ns) > 0 {
				for _, n := range ns {
					if n.Contains(net.ParseIP("203.0.113.1")) {
						t.Errorf("%v trusts an address not listed", n)
					}
				}
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"20M", 20 << 20}, {"64K", 64 << 10}, {"1G", 1 << 30}, {"512", 512}, {"20MB", 20 << 20}, {"x", 0}, {"-1", 0},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseSize(tc.in)
			if got != tc.want || (err != nil) != (tc.want == 0) {
				t.Errorf("parseSize(%q) = %d, %v", tc.in, got, err)
			}
		})
	}
}
