package data

import (
	"errors"
	"strings"
	"testing"
)

func TestCommuneCounts(t *testing.T) {
	r := Reference()
	m := NewMonth(2026, 10)
	all := r.InForce(Communes, m)
	byType := map[string]int{}
	byProvince := map[string]int{}
	for _, u := range all {
		byType[u.Type]++
		byProvince[u.Parent]++
		if len(u.Code) != 5 {
			t.Errorf("%s %s: code is not 5 digits", u.Code, u.NameVI)
		}
	}
	cases := []struct {
		name      string
		got, want int
	}{
		{"all", len(all), 3321},
		{"xã", byType["xa"], 2621},
		{"phường", byType["phuong"], 687},
		{"đặc khu", byType["dac_khu"], 13},
		{"Hà Nội", len(r.Communes("01", m)), 126},
		{"TP Hồ Chí Minh", len(r.Communes("79", m)), 168},
		{"provinces with communes", len(byProvince), 34},
		{"before 2025-07", len(r.InForce(Communes, NewMonth(2025, 6))), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %d, want %d", c.got, c.want)
			}
		})
	}
	t.Run("every province has communes", func(t *testing.T) {
		for _, p := range r.InForce(Provinces, m) {
			if byProvince[p.Code] == 0 {
				t.Errorf("%s %s has no communes", p.Code, p.NameVI)
			}
		}
		for code := range byProvince {
			if p, ok := r.At(code, m); !ok || p.Group != Provinces {
				t.Errorf("communes under %q, not a province", code)
			}
		}
	})
	t.Run("shared names", func(t *testing.T) {
		n := map[string]int{}
		for _, u := range all {
			n[u.NameVI]++
		}
		names, units := 0, 0
		for _, k := range n {
			if k > 1 {
				names++
				units += k
			}
		}
		if names != 246 || units != 576 || n["Xã Tân Tiến"] != 7 {
			t.Errorf("%d names shared by %d communes (Xã Tân Tiến %d), want 246, 576, 7", names, units, n["Xã Tân Tiến"])
		}
	})
}

// The provinces and ministries are what they were before communes joined the registry.
func TestCommunesLeaveOtherGroups(t *testing.T) {
	r := Reference()
	m := NewMonth(2026, 10)
	for _, c := range []struct {
		g    Group
		want int
	}{{Provinces, 34}, {Ministries, 17}} {
		if got := len(r.InForce(c.g, m)); got != c.want {
			t.Errorf("%s: %d, want %d", c.g, got, c.want)
		}
	}
	// a single digit is still a province's code, never a commune's
	if u, ok := r.Find("4", m); !ok || u.Code != "04" {
		t.Errorf("Find(4) = %s %v, want province 04", u.Code, ok)
	}
	// a commune's name alone is not a unit nationally
	if u, ok := r.Find("Phường Ba Đình", m); ok {
		t.Errorf("Find(Phường Ba Đình) = %s, want none without a province", u.Code)
	}
	if u, ok := r.Find("00004", m); !ok || u.NameVI != "Phường Ba Đình" || u.Parent != "01" {
		t.Errorf("Find(00004) = %+v %v", u, ok)
	}
	if u, ok := r.Find("745", m); !ok || u.NameVI != "Xã Phố Bảng" {
		t.Errorf("Find(745) = %+v %v", u, ok)
	}
}

func TestResolveCommune(t *testing.T) {
	r := Reference()
	m := NewMonth(2026, 10)
	tanTien := ""
	for _, u := range r.InForce(Communes, m) {
		if u.NameVI == "Xã Tân Tiến" && tanTien == "" {
			tanTien = u.Parent
		}
	}
	cases := []struct {
		name, province, text string
		want                 string // code, or "" for an error
		errHas               []string
	}{
		{"5-digit code", "01", "00004", "00004", nil},
		{"lost zeros", "01", "4", "00004", nil},
		{"code without province", "", "4", "00004", nil},
		{"code of another province", "79", "00004", "", []string{"01"}},
		{"full name", "01", "Phường Ba Đình", "00004", nil},
		{"no type word, no diacritics", "01", "ba dinh", "00004", nil},
		{"english", "01", "Ba Dinh Ward", "00004", nil},
		{"name elsewhere", "79", "Phường Ba Đình", "", []string{"79"}},
		{"name without province", "", "Phường Ba Đình", "", []string{"province"}},
		{"unknown code", "01", "99999", "", []string{"99999"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, err := r.ResolveCommune(c.province, c.text, m)
			if c.want != "" {
				if err != nil || u.Code != c.want {
					t.Fatalf("got %s, %v; want %s", u.Code, err, c.want)
				}
				return
			}
			var de *Error
			if err == nil || !errors.As(err, &de) {
				t.Fatalf("got %s, %v; want a data.Error", u.Code, err)
			}
			for _, s := range c.errHas {
				if !strings.Contains(de.EN, s) {
					t.Errorf("%q lacks %q", de.EN, s)
				}
			}
		})
	}
	t.Run("ambiguous within a province", func(t *testing.T) {
		// find a province where a name without its type word names two communes
		for _, p := range r.InForce(Provinces, m) {
			seen := map[string]Unit{}
			for _, u := range r.Communes(p.Code, m) {
				k := stripCommuneType(fold(u.NameVI))
				if o, ok := seen[k]; ok {
					_, err := r.ResolveCommune(p.Code, k, m)
					if err == nil || !strings.Contains(err.Error(), o.Code) || !strings.Contains(err.Error(), u.Code) {
						t.Fatalf("ResolveCommune(%s, %q) = %v, want both %s and %s listed", p.Code, k, err, o.Code, u.Code)
					}
					if v, err := r.ResolveCommune(p.Code, u.NameVI, m); err != nil || v.Code != u.Code {
						t.Fatalf("the full name %q = %s, %v", u.NameVI, v.Code, err)
					}
					return
				}
				seen[k] = u
			}
		}
		t.Skip("no province has two communes differing only by type word")
	})
	t.Run("shared name resolves within its province", func(t *testing.T) {
		u, err := r.ResolveCommune(tanTien, "Xã Tân Tiến", m)
		if err != nil || u.Parent != tanTien {
			t.Fatalf("got %+v, %v", u, err)
		}
	})
}

func TestCommuneChangeKeepsHistory(t *testing.T) {
	// the mechanism of reference/communes-changes.csv, on a made-up change
	units := []Unit{{Code: "26000", NameVI: "Xã Thử", NameEN: "Thu Commune", Type: "xa", Group: Communes, ValidFrom: NewMonth(2025, 7), Parent: "75"}}
	next := units[0]
	next.NameVI, next.NameEN, next.Type, next.ValidFrom = "Phường Thử", "Thu Ward", "phuong", NewMonth(2026, 3)
	units[0].ValidTo, units[0].Successor = NewMonth(2026, 2), "26000"
	r, err := NewRegistry(append(units, next))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		m    Month
		want string
	}{{NewMonth(2025, 12), "Xã Thử"}, {NewMonth(2026, 3), "Phường Thử"}} {
		if u, ok := r.At("26000", c.m); !ok || u.NameVI != c.want {
			t.Errorf("At(%s) = %s, want %s", c.m, u.NameVI, c.want)
		}
	}
	if u, _ := r.Latest("26000"); u.NameVI != "Phường Thử" || r.Current("26000") != "26000" {
		t.Errorf("Latest = %s, Current = %s", u.NameVI, r.Current("26000"))
	}
	if u, err := r.ResolveCommune("75", "Xã Thử", NewMonth(2025, 12)); err != nil || u.Code != "26000" {
		t.Errorf("old name in its month: %v", err)
	}
	if _, err := r.ResolveCommune("75", "Xã Thử", NewMonth(2026, 3)); err == nil {
		t.Error("old name after the change resolved")
	}
}
