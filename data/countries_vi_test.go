package data

import "testing"

// Every member state and every M49 region a page shows has a Vietnamese name (issue 18
// #3: no English on a Vietnamese page), and the English one stays for English readers.
func TestCountriesInVietnamese(t *testing.T) {
	cs := UNCountries()
	for _, c := range cs.All() {
		if c.NameVI == "" {
			t.Errorf("%s (%s) has no Vietnamese name", c.ISO3, c.Name)
		}
		for _, r := range []string{c.Region, c.Subregion, c.Intermediate} {
			if _, ok := regionsVI[r]; r != "" && !ok {
				t.Errorf("region %q of %s has no Vietnamese name", r, c.ISO3)
			}
		}
	}
	for _, tc := range []struct{ iso, vi, en string }{{"VNM", "Việt Nam", "Viet Nam"}, {"LAO", "Lào", "Lao People's Democratic Republic"}, {"KOR", "Hàn Quốc", "Republic of Korea"}} {
		c, ok := cs.ByCode(tc.iso)
		if !ok || c.CountryName("vi") != tc.vi || c.CountryName("en") != tc.en {
			t.Errorf("%s: %q / %q, want %q / %q", tc.iso, c.CountryName("vi"), c.CountryName("en"), tc.vi, tc.en)
		}
	}
	if got := RegionName("vi", "South-eastern Asia"); got != "Đông Nam Á" {
		t.Errorf("South-eastern Asia in Vietnamese: %q", got)
	}
	if got := RegionName("en", "South-eastern Asia"); got != "South-eastern Asia" {
		t.Errorf("South-eastern Asia in English: %q", got)
	}
}
