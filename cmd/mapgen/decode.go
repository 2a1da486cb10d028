package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf16"
)

// The npm package's map file is an echarts registerMap call around a GeoJSON whose
// coordinates are "UTF8Encoding"-compressed: each ring a string of character pairs,
// zigzag- and delta-coded from an offset, in units of 1/1024 degree.

type rawFeature struct {
	Properties struct {
		Name string `json:"name"`
	} `json:"properties"`
	Geometry struct {
		Type          string          `json:"type"`
		Coordinates   json.RawMessage `json:"coordinates"`
		EncodeOffsets json.RawMessage `json:"encodeOffsets"`
	} `json:"geometry"`
}

type rawCollection struct {
	Features     []rawFeature `json:"features"`
	UTF8Encoding bool         `json:"UTF8Encoding"`
	UTF8Scale    *float64     `json:"UTF8Scale"`
}

// pt is a vertex on the file's integer grid (1/scale degree).
type pt struct{ X, Y int64 }

// ring is a closed ring; the last vertex is not repeated.
type ring []pt

// decodeMapJS finds the GeoJSON in the script and decodes every feature to integer rings,
// polygon by polygon (the first ring of each is its outline, the rest its holes).
func decodeMapJS(js []byte) (map[string][][]ring, float64, error) {
	i := bytes.Index(js, []byte(`{"type":"FeatureCollection"`))
	if i < 0 {
		return nil, 0, fmt.Errorf("no FeatureCollection in the map script")
	}
	var fc rawCollection
	if err := json.NewDecoder(bytes.NewReader(js[i:])).Decode(&fc); err != nil {
		return nil, 0, fmt.Errorf("map script: %w", err)
	}
	if !fc.UTF8Encoding {
		return nil, 0, fmt.Errorf("map script: expected UTF8Encoding coordinates")
	}
	scale := 1024.0
	if fc.UTF8Scale != nil {
		scale = *fc.UTF8Scale
	}
	out := map[string][][]ring{}
	for _, f := range fc.Features {
		var polys [][]ring
		switch f.Geometry.Type {
		case "Polygon":
			var cs []string
			var offs [][2]int64
			if err := json.Unmarshal(f.Geometry.Coordinates, &cs); err != nil {
				return nil, 0, err
			}
			if err := json.Unmarshal(f.Geometry.EncodeOffsets, &offs); err != nil {
				return nil, 0, err
			}
			var p []ring
			for k := range cs {
				p = append(p, decodeRing(cs[k], offs[k]))
			}
			polys = append(polys, p)
		case "MultiPolygon":
			var cs [][]string
			var offs [][][2]int64
			if err := json.Unmarshal(f.Geometry.Coordinates, &cs); err != nil {
				return nil, 0, err
			}
			if err := json.Unmarshal(f.Geometry.EncodeOffsets, &offs); err != nil {
				return nil, 0, err
			}
			for j := range cs {
				var p []ring
				for k := range cs[j] {
					p = append(p, decodeRing(cs[j][k], offs[j][k]))
				}
				polys = append(polys, p)
			}
		default:
			return nil, 0, fmt.Errorf("%s: geometry %s", f.Properties.Name, f.Geometry.Type)
		}
		out[f.Properties.Name] = append(out[f.Properties.Name], polys...)
	}
	return out, scale, nil
}

// decodeRing is echarts' decodeRing (src/coord/geo/parseGeoJson.ts) on integers.
func decodeRing(s string, off [2]int64) ring {
	u := utf16.Encode([]rune(s)) // echarts reads UTF-16 code units
	var r ring
	px, py := off[0], off[1]
	for i := 0; i+1 < len(u); i += 2 {
		x := int64(u[i]) - 64
		y := int64(u[i+1]) - 64
		x = (x >> 1) ^ -(x & 1)
		y = (y >> 1) ^ -(y & 1)
		x += px
		y += py
		px, py = x, y
		r = append(r, pt{x, y})
	}
	if len(r) > 1 && r[0] == r[len(r)-1] {
		r = r[:len(r)-1]
	}
	return r
}
