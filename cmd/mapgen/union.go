package main

import (
	"cmp"
	"slices"
)

// The provinces merged in 2025 share their borders in the source file vertex for vertex
// (its outlines were cut from one topology and quantised to one grid), so the union of a
// group is exact on integers: orient every outline counter-clockwise and every hole
// clockwise, drop each edge that also runs the other way (a border two members share),
// and walk what is left into rings. Sorting makes the output the same on every build.

type edge struct{ a, b pt }

// area2 is twice the signed area of r: positive counter-clockwise (x east, y north).
func area2(r ring) int64 {
	var s int64
	for i := range r {
		j := (i + 1) % len(r)
		s += r[i].X*r[j].Y - r[j].X*r[i].Y
	}
	return s
}

func less(p, q pt) int {
	if c := cmp.Compare(p.X, q.X); c != 0 {
		return c
	}
	return cmp.Compare(p.Y, q.Y)
}

// union joins polygons (each an outline and its holes) that touch along shared edges.
func union(polys [][]ring) [][]ring {
	count := map[edge]int{}
	for _, p := range polys {
		for i, r := range p {
			if len(r) < 3 {
				continue
			}
			a := area2(r)
			if (i == 0) != (a > 0) {
				r = slices.Clone(r)
				slices.Reverse(r)
			}
			for k := range r {
				count[edge{r[k], r[(k+1)%len(r)]}]++
			}
		}
	}
	edges := make([]edge, 0, len(count))
	for e := range count {
		edges = append(edges, e)
	}
	slices.SortFunc(edges, func(e, f edge) int {
		if c := less(e.a, f.a); c != 0 {
			return c
		}
		return less(e.b, f.b)
	})
	for _, e := range edges {
		back := edge{e.b, e.a}
		if n, m := count[e], count[back]; n > 0 && m > 0 {
			k := min(n, m)
			count[e] -= k
			count[back] -= k
		}
	}
	next := map[pt][]pt{}
	var starts []pt
	for _, e := range edges {
		for range count[e] {
			if len(next[e.a]) == 0 {
				starts = append(starts, e.a)
			}
			next[e.a] = append(next[e.a], e.b)
		}
	}
	// walk: every vertex has as many edges in as out, so a walk ends where it began
	var rings []ring
	for _, s := range starts {
		for len(next[s]) > 0 {
			r := ring{s}
			cur := s
			for {
				n := next[cur][0]
				next[cur] = next[cur][1:]
				if n == s {
					break
				}
				r = append(r, n)
				cur = n
			}
			if len(r) >= 3 && area2(r) != 0 {
				rings = append(rings, r)
			}
		}
	}
	return assemble(rings)
}

// assemble puts each hole (clockwise) into the smallest outline (counter-clockwise) that
// holds it.
func assemble(rings []ring) [][]ring {
	var outer, holes []ring
	for _, r := range rings {
		if area2(r) > 0 {
			outer = append(outer, r)
		} else {
			holes = append(holes, r)
		}
	}
	slices.SortStableFunc(outer, func(a, b ring) int { return cmp.Compare(area2(b), area2(a)) })
	polys := make([][]ring, len(outer))
	for i, o := range outer {
		polys[i] = []ring{o}
	}
	for _, h := range holes {
		best := -1
		for i, o := range outer {
			if inside(h[0], o) && (best < 0 || area2(o) < area2(outer[best])) {
				best = i
			}
		}
		if best >= 0 {
			polys[best] = append(polys[best], h)
		}
	}
	return polys
}

// inside: is p inside r (even-odd rule)? A vertex on the border counts as inside.
func inside(p pt, r ring) bool {
	in := false
	for i := range r {
		a, b := r[i], r[(i+1)%len(r)]
		if a == p {
			return true
		}
		if (a.Y > p.Y) != (b.Y > p.Y) {
			// x of the edge at p.Y, compared without division
			lhs := (p.X - a.X) * (b.Y - a.Y)
			rhs := (b.X - a.X) * (p.Y - a.Y)
			if (b.Y > a.Y) == (lhs < rhs) {
				in = !in
			}
		}
	}
	return in
}
