package data

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// communeTypes are the commune-level types of the 2025 reference and their type words
// in English.
var communeTypes = map[string]string{"xa": "Commune", "phuong": "Ward", "dac_khu": "Special zone"}

// communeTypeWords are the type words a commune's Vietnamese name starts with, folded.
var communeTypeWords = []string{"dac khu ", "phuong ", "xa "}

// stripCommuneType drops the type word of a folded name ("phuong ba dinh" → "ba dinh"),
// so that an officer may write a commune's name with or without it.
func stripCommuneType(f string) string {
	for _, p := range communeTypeWords {
		if strings.HasPrefix(f, p) {
			return strings.TrimSpace(f[len(p):])
		}
	}
	return f
}

// communeNameEN is the English name the reference lacks: the name without its type word
// and without diacritics, then the type in English ("Phường Ba Đình" → "Ba Dinh Ward"),
// as the provinces' English names are written ("Cao Bang").
func communeNameEN(nameVI, typ string) string {
	name := nameVI
	for _, w := range []string{"Đặc khu ", "Phường ", "Xã "} {
		if strings.HasPrefix(name, w) {
			name = name[len(w):]
			break
		}
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ':
			r = 'd'
		case r == 'Đ':
			r = 'D'
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String()) + " " + communeTypes[typ]
}

// CommuneCode reads a commune's code as officials send it: the 5-digit code, or the
// same number after a spreadsheet dropped its leading zeros ("4" for "00004"). false
// when s is not 1 to 5 digits.
func CommuneCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 5 {
		return "", false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return strings.Repeat("0", 5-len(s)) + s, true
}

// applyCommuneChanges applies reference/communes-changes.csv: the reorganisations after
// 2025-07-01 that keep a commune's code but change its name or type (ten communes of
// Đồng Nai became phường in 2026). As for Hà Nội in 2025, the unit before the change
// ends the month before and names its own code as successor, so its data stays its own
// and a ranking "as the units are now" shows the new name.
func applyCommuneChanges(units []Unit) ([]Unit, error) {
	const file = "reference/communes-changes.csv"
	recs, err := readCSV(file)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i]["date"] < recs[j]["date"] })
	for n, rec := range recs {
		code, ok := CommuneCode(rec["code"])
		from, err := dateMonth(rec["date"])
		switch {
		case err != nil || from.IsZero():
			return nil, fmt.Errorf("%s: change %d: bad date %q", file, n+1, rec["date"])
		case !ok || communeTypes[rec["type"]] == "" || rec["name_vi"] == "":
			return nil, fmt.Errorf("%s: change %d: bad code %q, type %q or name", file, n+1, rec["code"], rec["type"])
		}
		i := -1
		for k, u := range units {
			if u.Group == Communes && u.Code == code && u.ValidTo.IsZero() {
				i = k
			}
		}
		if i < 0 || from <= units[i].ValidFrom {
			return nil, fmt.Errorf("%s: change %d: no commune %s in force before %s", file, n+1, code, rec["date"])
		}
		next := units[i]
		next.NameVI, next.Type, next.ValidFrom = rec["name_vi"], rec["type"], from
		next.NameEN = communeNameEN(next.NameVI, next.Type)
		units[i].ValidTo, units[i].Successor = from.Add(-1), code
		units = append(units, next)
	}
	return units, nil
}

// Communes returns province's communes in force in month m, sorted by code.
func (r *Registry) Communes(province string, m Month) []Unit {
	var out []Unit
	for _, i := range r.byParent[province] {
		if u := r.all[i]; u.InForce(m) {
			out = append(out, u)
		}
	}
	return out
}

// ResolveCommune finds a commune of province in force in month m from what a report
// writes in its unit cell: the 5-digit code (leading zeros may be lost), or the name
// with or without its type word and diacritics. A name resolves only within the
// province; one shared by several of its communes is an error listing them with their
// codes. province may be empty for a code, never for a name.
func (r *Registry) ResolveCommune(province, text string, m Month) (Unit, error) {
	text = strings.TrimSpace(text)
	if code, ok := CommuneCode(text); ok {
		u, found := r.At(code, m)
		switch {
		case !found || u.Group != Communes:
			return Unit{}, Errorf(ErrNotFound, "Không có xã, phường mã %s vào %s", "No commune with code %s in %s", code, m)
		case province != "" && u.Parent != province:
			return Unit{}, Errorf(ErrInvalid, "%s (%s) thuộc tỉnh %s, không thuộc tỉnh %s", "%s (%s) belongs to province %s, not %s",
				u.NameVI, code, u.Parent, province)
		}
		return u, nil
	}
	if province == "" {
		return Unit{}, Errorf(ErrInvalid, "Tên xã, phường %q chỉ xác định được trong một tỉnh: ghi mã tỉnh hoặc mã xã", "A commune's name (%q) names a unit only within its province: give the province or the commune's code", text)
	}
	names := r.communeNames[province]
	idx := names[fold(text)]
	if idx == nil {
		idx = names[stripCommuneType(fold(text))]
	}
	var found []Unit
	for _, i := range idx {
		if u := r.all[i]; u.InForce(m) {
			found = append(found, u)
		}
	}
	if len(found) > 1 {
		// diacritics tell apart what folding merges (Xã Văn Lang, Xã Văn Lăng)
		exact := found[:0:0]
		want := strings.ToLower(norm.NFC.String(strings.Join(strings.Fields(text), " ")))
		for _, u := range found {
			name := strings.ToLower(u.NameVI)
			if name == want || strings.HasSuffix(name, " "+want) && stripCommuneType(fold(u.NameVI)) == fold(want) {
				exact = append(exact, u)
			}
		}
		if len(exact) == 1 {
			found = exact
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return Unit{}, Errorf(ErrNotFound, "Tỉnh %s không có xã, phường %q vào %s", "Province %s has no commune %q in %s", province, text, m)
	}
	var cands []string
	for _, u := range found {
		cands = append(cands, u.NameVI+" ("+u.Code+")")
	}
	list := strings.Join(cands, ", ")
	return Unit{}, Errorf(ErrInvalid, "Tên %q trùng với %d xã, phường của tỉnh %s: %s; ghi mã xã", "%q matches %d communes of province %s: %s; write the commune's code",
		text, len(found), province, list)
}
