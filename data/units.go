package data

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

//go:embed reference/*.csv
var referenceFS embed.FS

// Group is the set of units ranked against each other.
type Group string

// The groups.
const (
	Provinces  Group = "provinces"
	Ministries Group = "ministries"
	// Communes are the 3,321 xã, phường and đặc khu of the two-tier local government
	// (from 2025-07-01), each under its province (Unit.Parent).
	Communes Group = "communes"
)

// ParseGroup accepts "provinces", "ministries" or "communes" (empty means provinces).
func ParseGroup(s string) (Group, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "provinces", "province", "tinh":
		return Provinces, nil
	case "ministries", "ministry", "bo":
		return Ministries, nil
	case "communes", "commune", "xa":
		return Communes, nil
	}
	return "", Errorf(ErrInvalid, "không có nhóm “%s”: chọn tỉnh, thành phố (provinces), bộ, ngành (ministries) hoặc xã, phường (communes)",
		"group %q: use provinces or ministries, or communes", s)
}

// Unit is a province, a ministry or a commune as it was during its validity. A code can name two
// units at different times (01 Hà Nội before and after 2025-07-01); the pair of a code
// and a month in force names exactly one.
type Unit struct {
	Code      string `json:"code"`
	NameVI    string `json:"name_vi"`
	NameEN    string `json:"name_en"`
	Type      string `json:"type"`
	Group     Group  `json:"group"`
	ValidFrom Month  `json:"valid_from"`       // zero: in force since before the data starts
	ValidTo   Month  `json:"valid_to"`         // zero: still in force
	Successor string `json:"successor"`        // the code this unit's work went to, if it ended
	Parent    string `json:"parent,omitempty"` // a commune's province
}

// InForce reports whether the unit existed in month m.
func (u Unit) InForce(m Month) bool {
	return (u.ValidFrom.IsZero() || m >= u.ValidFrom) && (u.ValidTo.IsZero() || m <= u.ValidTo)
}

// Name is the unit's name in lang ("en" or Vietnamese otherwise).
func (u Unit) Name(lang string) string {
	if lang == "en" {
		return u.NameEN
	}
	return u.NameVI
}

// Registry holds the reference units, embedded in the binary.
type Registry struct {
	// all is every unit, communes last; units is its head without the communes: the
	// units table the store rewrites at every start (3,321 rows inserted one by one took
	// 1.6-3 s per open), which only the provinces' and ministries' sums join. Lookups by
	// group, province or code are indexed, so the communes cost the other groups nothing.
	all     []Unit
	units   []Unit
	current map[string]string // any code → the code of the unit in force now that carries its work
	byKey   map[string][]int  // code, folded names (with and without Tỉnh / Thành phố) → units
	// byGroup lists each group's units sorted by code, so that InForce neither scans the
	// 3,321 communes for a province list nor sorts on every call.
	byGroup map[Group][]int
	// Communes are found by name only within their province: 246 names are shared by 576
	// communes across the country. byParent lists a province's communes by code;
	// communeNames maps province → folded name (with and without its type word) → units.
	byParent     map[string][]int
	communeNames map[string]map[string][]int
}

var (
	registryOnce sync.Once
	registry     *Registry
	registryErr  error
)

// Reference returns the embedded units. It panics if the embedded files are broken,
// which a test catches before any build ships.
func Reference() *Registry {
	registryOnce.Do(func() { registry, registryErr = loadRegistry() })
	if registryErr != nil {
		panic(registryErr)
	}
	return registry
}

// Scaled returns a registry with k copies of every unit (codes suffixed .1 … .k, each
// copy merging into the same copy of its successor), to measure how costs grow with the
// number of units.
func (r *Registry) Scaled(k int) *Registry {
	var units []Unit
	for i := 1; i <= k; i++ {
		for _, u := range r.all {
			c := u
			c.Code = fmt.Sprintf("%s.%d", u.Code, i)
			if u.Parent != "" {
				c.Parent = fmt.Sprintf("%s.%d", u.Parent, i)
			}
			if u.Successor != "" {
				c.Successor = fmt.Sprintf("%s.%d", u.Successor, i)
			}
			units = append(units, c)
		}
	}
	out, err := newRegistry(units)
	if err != nil {
		panic(err) // copies of valid reference data are valid
	}
	return out
}

func loadRegistry() (*Registry, error) {
	r := &Registry{current: map[string]string{}}
	add := func(file string, f func(rec map[string]string) (Unit, error)) error {
		recs, err := readCSV(file)
		if err != nil {
			return err
		}
		for i, rec := range recs {
			u, err := f(rec)
			if err != nil {
				return fmt.Errorf("%s line %d: %w", file, i+2, err)
			}
			r.units = append(r.units, u)
		}
		return nil
	}
	err := add("reference/provinces-2008.csv", func(rec map[string]string) (Unit, error) {
		to, err := dateMonth(rec["valid_to"])
		return Unit{Code: rec["code"], NameVI: rec["name_vi"], NameEN: rec["name_en"], Type: rec["type"],
			Group: Provinces, ValidTo: to, Successor: rec["merged_into"]}, err
	})
	if err == nil {
		err = add("reference/provinces-2025.csv", func(rec map[string]string) (Unit, error) {
			from, err := dateMonth(rec["valid_from"])
			return Unit{Code: rec["code"], NameVI: rec["name_vi"], NameEN: rec["name_en"], Type: rec["type"],
				Group: Provinces, ValidFrom: from}, err
		})
	}
	if err == nil {
		err = add("reference/ministries.csv", func(rec map[string]string) (Unit, error) {
			from, err := dateMonth(rec["valid_from"])
			if err != nil {
				return Unit{}, err
			}
			to, err := dateMonth(rec["valid_to"])
			return Unit{Code: rec["code"], NameVI: rec["name_vi"], NameEN: rec["name_en"], Type: rec["type"],
				Group: Ministries, ValidFrom: from, ValidTo: to, Successor: rec["successor"]}, err
		})
	}
	if err == nil {
		err = add("reference/communes-2025.csv", func(rec map[string]string) (Unit, error) {
			code, ok := CommuneCode(rec["code"])
			if !ok || rec["province_code"] == "" || communeTypes[rec["type"]] == "" {
				return Unit{}, fmt.Errorf("commune %q: bad code, province or type %q", rec["code"], rec["type"])
			}
			return Unit{Code: code, NameVI: rec["name_vi"], NameEN: communeNameEN(rec["name_vi"], rec["type"]), Type: rec["type"],
				Group: Communes, ValidFrom: NewMonth(2025, 7), Parent: rec["province_code"]}, nil
		})
	}
	if err == nil {
		r.units, err = applyCommuneChanges(r.units)
	}
	if err != nil {
		return nil, err
	}
	return newRegistry(r.units)
}

// NewRegistry builds a registry from units (tests and simulations; the product uses
// Reference).
func NewRegistry(units []Unit) (*Registry, error) { return newRegistry(units) }

func newRegistry(units []Unit) (*Registry, error) {
	// communes last, everything else in the order given
	units = append([]Unit(nil), units...)
	sort.SliceStable(units, func(i, j int) bool { return units[i].Group != Communes && units[j].Group == Communes })
	n := sort.Search(len(units), func(i int) bool { return units[i].Group == Communes })
	r := &Registry{all: units, units: units[:n:n], current: map[string]string{}, byKey: map[string][]int{},
		byGroup: map[Group][]int{}, byParent: map[string][]int{}, communeNames: map[string]map[string][]int{}}
	for i, u := range units {
		keys := map[string]bool{u.Code: true, fold(u.Code): true, stripUnitPrefix(fold(u.NameVI)): true, stripUnitPrefix(fold(u.NameEN)): true}
		if u.Group == Communes {
			// a commune's name alone names no unit nationally: see communeNames
			keys = map[string]bool{u.Code: true}
			names := r.communeNames[u.Parent]
			if names == nil {
				names = map[string][]int{}
				r.communeNames[u.Parent] = names
			}
			for k := range map[string]bool{fold(u.NameVI): true, stripCommuneType(fold(u.NameVI)): true, fold(u.NameEN): true} {
				names[k] = append(names[k], i)
			}
			r.byParent[u.Parent] = append(r.byParent[u.Parent], i)
		}
		for k := range keys {
			r.byKey[k] = append(r.byKey[k], i)
		}
		r.byGroup[u.Group] = append(r.byGroup[u.Group], i)
	}
	byCodeOrder := func(idx []int) {
		sort.SliceStable(idx, func(a, b int) bool { return units[idx[a]].Code < units[idx[b]].Code })
	}
	for _, idx := range r.byGroup {
		byCodeOrder(idx)
	}
	for _, idx := range r.byParent {
		byCodeOrder(idx)
	}
	// A code maps to the unit now in force by following successors; the reference data
	// never gives a code to a new unit while an old unit of that code merged elsewhere.
	byCode := map[string][]Unit{}
	for _, u := range r.all {
		byCode[u.Code] = append(byCode[u.Code], u)
	}
	for code := range byCode {
		c, seen := code, map[string]bool{}
		for {
			if seen[c] {
				return nil, fmt.Errorf("reference: successor loop at %s", c)
			}
			seen[c] = true
			next := ""
			for _, u := range byCode[c] {
				if u.ValidTo.IsZero() {
					next = "" // c is still in force
					break
				}
				next = u.Successor
			}
			if next == "" || next == c {
				break
			}
			if _, ok := byCode[next]; !ok {
				return nil, fmt.Errorf("reference: %s's successor %s is not a unit", c, next)
			}
			c = next
		}
		r.current[code] = c
	}
	return r, nil
}

func readCSV(name string) ([]map[string]string, error) {
	f, err := referenceFS.Open(name)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // an embedded file: nothing to flush
	cr := csv.NewReader(f)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var out []map[string]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		m := map[string]string{}
		for i, h := range head {
			m[h] = strings.TrimSpace(rec[i])
		}
		out = append(out, m)
	}
}

func dateMonth(s string) (Month, error) {
	if s == "" {
		return 0, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, err
	}
	return MonthOf(t), nil
}

// All returns every unit: the provinces and ministries in the order of the reference
// files, then the communes. Callers filter by group; InForce is the indexed way.
func (r *Registry) All() []Unit { return append([]Unit(nil), r.all...) }

// Present returns the units of group g that have not ended — today's boundaries —,
// sorted by code.
func (r *Registry) Present(g Group) []Unit {
	var out []Unit
	for _, i := range r.byGroup[g] {
		if u := r.all[i]; u.ValidTo.IsZero() {
			out = append(out, u)
		}
	}
	return out
}

// InForce returns the units of group g in force in month m, sorted by code.
func (r *Registry) InForce(g Group, m Month) []Unit {
	var out []Unit
	for _, i := range r.byGroup[g] {
		if u := r.all[i]; u.InForce(m) {
			out = append(out, u)
		}
	}
	return out
}

// At returns the unit with that code in force in month m.
func (r *Registry) At(code string, m Month) (Unit, bool) {
	for _, i := range r.byKey[code] {
		if u := r.all[i]; u.Code == code && u.InForce(m) {
			return u, true
		}
	}
	return Unit{}, false
}

// Latest returns the most recent unit that had this code.
func (r *Registry) Latest(code string) (Unit, bool) {
	var best Unit
	found := false
	for _, i := range r.byKey[code] {
		if u := r.all[i]; u.Code == code && (!found || u.ValidTo.IsZero() || (!best.ValidTo.IsZero() && u.ValidTo > best.ValidTo)) {
			best, found = u, true
		}
	}
	return best, found
}

// Current returns the code of the unit now in force that carries code's work (itself
// if it still exists). Unknown codes return "".
func (r *Registry) Current(code string) string { return r.current[code] }

// Predecessors returns the units whose work went to the current unit code, other than
// the unit itself in its present form.
func (r *Registry) Predecessors(code string) []Unit {
	var out []Unit
	for _, u := range r.all {
		if !u.ValidTo.IsZero() && r.current[u.Code] == code {
			out = append(out, u)
		}
	}
	return out
}

// Find looks a unit up by code or by name (with or without Tỉnh / Thành phố / Bộ, with
// or without diacritics) among those in force in month m.
func (r *Registry) Find(s string, m Month) (Unit, bool) {
	s = strings.TrimSpace(s)
	if u, ok := r.At(s, m); ok {
		return u, true
	}
	if len(s) == 1 && s[0] >= '0' && s[0] <= '9' {
		if u, ok := r.At("0"+s, m); ok {
			return u, true
		}
	}
	if len(s) >= 3 {
		// 3 to 4 digits name no province or ministry: a commune's code that lost its
		// leading zeros in Excel ("123" for "00123")
		if c, ok := CommuneCode(s); ok && c != s {
			if u, ok := r.At(c, m); ok {
				return u, true
			}
		}
	}
	for _, i := range r.byKey[stripUnitPrefix(fold(s))] {
		if r.all[i].InForce(m) {
			return r.all[i], true
		}
	}
	return Unit{}, false
}

// AnyMonth is a month in which a unit of that code or name existed (zero if none): it
// tells a unit's row from a note before the period is known.
func (r *Registry) AnyMonth(s string) Month {
	idx := r.byKey[strings.TrimSpace(s)]
	if idx == nil {
		idx = r.byKey[stripUnitPrefix(fold(s))]
	}
	if c, ok := CommuneCode(s); idx == nil && ok && len(strings.TrimSpace(s)) >= 3 {
		idx = r.byKey[c] // a commune's code without its leading zeros, as Find reads it
	}
	for _, i := range idx {
		if r.all[i].ValidTo.IsZero() {
			return NewMonth(2100, 1)
		}
	}
	if len(idx) > 0 {
		return r.all[idx[0]].ValidTo
	}
	return 0
}

func stripUnitPrefix(f string) string {
	for _, p := range []string{"tinh ", "thanh pho ", "tp. ", "tp ", "province of ", "city of "} {
		f = strings.TrimPrefix(f, p)
	}
	for _, p := range []string{" province", " city"} {
		f = strings.TrimSuffix(f, p)
	}
	return strings.TrimSpace(f)
}

var collator = struct {
	sync.Mutex
	c *collate.Collator
}{c: collate.New(language.Vietnamese)}

// sortKeys caches collation keys: the same few hundred names are compared over and over.
var sortKeys sync.Map

// SortKeyVI is the Vietnamese collation key of s: comparing keys bytewise orders the
// strings as a Vietnamese reader expects (a < ă < â < b … d < đ), not by UTF-8 bytes.
func SortKeyVI(s string) string {
	if k, ok := sortKeys.Load(s); ok {
		return k.(string)
	}
	var buf collate.Buffer
	collator.Lock()
	k := string(collator.c.KeyFromString(&buf, s))
	collator.Unlock()
	sortKeys.Store(s, k)
	return k
}

// CompareVI orders two strings by Vietnamese collation, not by bytes.
func CompareVI(a, b string) int { return strings.Compare(SortKeyVI(a), SortKeyVI(b)) }
