package main

import (
	"os"
	"path/filepath"
	"testing"
)

// Two squares sharing an edge, and a third touching the second, join into one outline;
// a square with a hole keeps it.
func TestUnionDropsSharedEdges(t *testing.T) {
	sq := func(x, y, s int64) ring { return ring{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}} }
	got := union([][]ring{{sq(0, 0, 2)}, {sq(2, 0, 2)}, {sq(4, 0, 2)}})
	if len(got) != 1 || len(got[0]) != 1 || area2(got[0][0]) != 2*12 {
		t.Fatalf("three squares in a row: %v", got)
	}
	clockwise := sq(1, 1, 1) // a hole given either way round is a hole
	got = union([][]ring{{sq(0, 0, 3), clockwise}, {sq(3, 0, 3)}})
	if len(got) != 1 || len(got[0]) != 2 || area2(got[0][0]) != 2*18 || area2(got[0][1]) != -2 {
		t.Fatalf("with a hole: %v", got)
	}
	got = union([][]ring{{sq(0, 0, 1)}, {sq(5, 5, 1)}})
	if len(got) != 2 {
		t.Fatalf("apart: %v", got)
	}
}

// With the npm package's file (make assets), every former province is matched and every
// merged province comes out as one mainland outline.
func TestBuildsThe34Provinces(t *testing.T) {
	in := filepath.Join("..", "..", "dashboard", "static", "vendor", "vietnam.js")
	if _, err := os.Stat(in); err != nil {
		t.Skip("no map script: run make assets")
	}
	out := filepath.Join(t.TempDir(), "vn.json")
	if err := run(in, filepath.Join("..", "..", "data", "reference"), out); err != nil {
		t.Fatal(err)
	}
	js, _ := os.ReadFile(in)
	outlines, _, err := decodeMapJS(js)
	if err != nil {
		t.Fatal(err)
	}
	if len(outlines) != 63 {
		t.Errorf("%d outlines, want 63", len(outlines))
	}
	// Tuyên Quang = Hà Giang + Tuyên Quang: one polygon, smaller than the two apart
	var both [][]ring
	for name, p := range outlines {
		if k := nameKey(name); k == "hagiang" || k == "tuyenquang" {
			both = append(both, p...)
		}
	}
	joined := union(both)
	if len(both) != 2 || len(joined) != 1 || len(joined[0]) != 1 {
		t.Fatalf("Hà Giang + Tuyên Quang: %d outlines → %d polygons", len(both), len(joined))
	}
	if a, b := abs(area2(joined[0][0])), abs(area2(both[0][0]))+abs(area2(both[1][0])); a != b {
		t.Errorf("joined area %d, the two %d", a, b)
	}
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
