package data

import (
	"sort"
	"testing"
)

func TestReferenceCounts(t *testing.T) {
	r := Reference()
	cases := []struct {
		g    Group
		at   Month
		want int
	}{
		{Provinces, NewMonth(2019, 1), 63},
		{Provinces, NewMonth(2025, 6), 63},
		{Provinces, NewMonth(2025, 7), 34},
		{Provinces, NewMonth(2026, 10), 34},
		// 22 ministerial-level bodies and Vietnam Social Security, which the reference lists
		{Ministries, NewMonth(2025, 2), 23},
		{Ministries, NewMonth(2025, 3), 17},
		{Ministries, NewMonth(2026, 10), 17},
	}
	for _, c := range cases {
		if got := len(r.InForce(c.g, c.at)); got != c.want {
			t.Errorf("%s at %s: %d units, want %d", c.g, c.at, got, c.want)
		}
	}
}

func TestEveryOldProvinceMapsToOneNew(t *testing.T) {
	r := Reference()
	newCodes := map[string]bool{}
	for _, u := range r.InForce(Provinces, NewMonth(2025, 7)) {
		newCodes[u.Code] = true
	}
	hit := map[string]int{}
	for _, u := range r.InForce(Provinces, NewMonth(2025, 6)) {
		cur := r.Current(u.Code)
		if !newCodes[cur] {
			t.Errorf("%s %s maps to %q, not a 2025 province", u.Code, u.NameVI, cur)
		}
		hit[cur]++
	}
	if len(hit) != 34 {
		t.Errorf("old provinces map onto %d new ones, want all 34", len(hit))
	}
	// Tuyên Quang (08) took in Hà Giang (02); Hà Nội (01) stayed alone.
	if r.Current("02") != "08" || r.Current("01") != "01" {
		t.Errorf("Current(02) = %s, Current(01) = %s", r.Current("02"), r.Current("01"))
	}
	var preds []string
	for _, u := range r.Predecessors("08") {
		preds = append(preds, u.Code)
	}
	sort.Strings(preds)
	if len(preds) != 2 || preds[0] != "02" || preds[1] != "08" {
		t.Errorf("Predecessors(08) = %v, want [02 08]", preds)
	}
	for code, want := range map[string]string{"BKHDT": "BTC", "BTTTT": "BKHCN", "BHXH": "BTC", "BTNMT": "BNNMT", "BYT": "BYT"} {
		if got := r.Current(code); got != want {
			t.Errorf("Current(%s) = %s, want %s", code, got, want)
		}
	}
}

func TestFindUnit(t *testing.T) {
	r := Reference()
	m := NewMonth(2026, 10)
	for _, in := range []string{"01", "1", "Hà Nội", "Thành phố Hà Nội", "ha noi", "TP. Hà Nội", "Hanoi"} {
		if u, ok := r.Find(in, m); !ok || u.Code != "01" {
			t.Errorf("Find(%q) = %v %v", in, u.Code, ok)
		}
	}
	if u, ok := r.Find("Tỉnh Tuyên Quang", m); !ok || u.Code != "08" {
		t.Errorf("Find(Tỉnh Tuyên Quang) = %v %v", u.Code, ok)
	}
	if _, ok := r.Find("Hà Giang", m); ok {
		t.Error("Hà Giang is not in force in 2026-10")
	}
	if _, ok := r.Find("99", m); ok {
		t.Error("99 is no unit")
	}
}

func TestVietnameseCollation(t *testing.T) {
	names := []string{"Đồng Nai", "Yên Bái", "Điện Biên", "An Giang", "Đà Nẵng", "Bắc Ninh", "Bà Rịa - Vũng Tàu", "Dak Lak"}
	sort.Slice(names, func(i, j int) bool { return CompareVI(names[i], names[j]) < 0 })
	want := []string{"An Giang", "Bà Rịa - Vũng Tàu", "Bắc Ninh", "Dak Lak", "Đà Nẵng", "Điện Biên", "Đồng Nai", "Yên Bái"}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("collated order %v, want %v", names, want)
		}
	}
}
