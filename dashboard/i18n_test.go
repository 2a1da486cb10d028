package dashboard

import (
	"regexp"
	"testing"

	"github.com/egovkpi/egovkpi/data"
)

func TestFormatNumber(t *testing.T) {
	cases := []struct {
		v    float64
		dec  int
		lang string
		want string
	}{
		{86.5, 1, "vi", "86,5"},
		{86.5, 1, "en", "86.5"},
		{3451, 0, "vi", "3.451"},
		{3451, 0, "en", "3,451"},
		{1234567.891, 2, "vi", "1.234.567,89"},
		{-12.5, 1, "en", "-12.5"},
		{0, 2, "vi", "0,00"},
		{100, 2, "en", "100.00"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			if got := FormatNumber(c.v, c.dec, c.lang); got != c.want {
				t.Errorf("FormatNumber(%v, %d, %s) = %q, want %q", c.v, c.dec, c.lang, got, c.want)
			}
		})
	}
}

func TestTemplatesParse(t *testing.T) {
	if _, err := parsePages(); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"nav.leaderboard", "login", "role.officer"} {
		if T("vi", k) == k || T("en", k) == k {
			t.Errorf("label %q missing", k)
		}
	}
}

func TestEveryMapOutlineIsAProvince(t *testing.T) {
	if _, ok := assets[mapScript]; !ok {
		t.Fatal("the map script is not embedded: run make assets")
	}
	names, unmatched := mapNames(data.Reference())
	if len(unmatched) > 0 {
		t.Errorf("outlines with no province: %v", unmatched)
	}
	codes := map[string]bool{}
	for _, c := range names {
		codes[c] = true
	}
	if len(codes) != 63 {
		t.Errorf("%d provinces drawn, want 63", len(codes))
	}
}

// TestEveryTemplateKeyIsTranslated: a key a template asks for that has no message would
// show as the key itself ("dossiers.late") in both languages.
func TestEveryTemplateKeyIsTranslated(t *testing.T) {
	entries, err := templatesFS.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	key := regexp.MustCompile(`\bt[f]? (?:\$[A-Za-z]*|\.Lang|\$\.Lang) "([^"]+)"`)
	seen := 0
	for _, e := range entries {
		b, err := templatesFS.ReadFile("templates/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllSubmatch(b, -1) {
			seen++
			if k := string(m[1]); messages[k][0] == "" || messages[k][1] == "" {
				t.Errorf("%s: %q has no Vietnamese or no English message", e.Name(), k)
			}
		}
	}
	if seen < 100 {
		t.Errorf("only %d keys found in the templates: the pattern no longer matches how they ask", seen)
	}
}
