package dashboard

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func sizeOfString(s string) int { return len(s) }

// TestPageCacheBounded: the kept values never pass the byte limit; the least recently used
// go first; one larger than the whole cache is not kept.
func TestPageCacheBounded(t *testing.T) {
	c := newPageCache(100, sizeOfString)
	val := strings.Repeat("x", 30)
	c.put("a", 1, val)
	c.put("b", 1, val)
	c.put("c", 1, val)
	if _, ok := c.get("a", 1); !ok { // a is now the most recently used, b the least
		t.Fatal("a was not kept")
	}
	c.put("d", 1, val) // 120 bytes: b goes
	n, size := c.len()
	if n != 3 || size != 90 {
		t.Errorf("kept %d values, %d bytes; want 3, 90", n, size)
	}
	for key, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true} {
		if _, ok := c.get(key, 1); ok != want {
			t.Errorf("%s kept: %v, want %v", key, ok, want)
		}
	}
	c.put("huge", 1, strings.Repeat("y", 101))
	if _, ok := c.get("huge", 1); ok {
		t.Error("a value larger than the cache was kept")
	}
	// many values, random sizes: never above the limit
	for i := range 1000 {
		c.put(fmt.Sprint(i), 1, strings.Repeat("z", rand.IntN(60)))
		if _, size := c.len(); size > 100 {
			t.Fatalf("after %d puts the cache holds %d bytes", i, size)
		}
	}
}

// TestPageCacheVersion: a value is kept only for the data it was made from.
func TestPageCacheVersion(t *testing.T) {
	c := newPageCache(1<<20, sizeOfString)
	c.put("page", 5, "made at 5")
	tests := []struct {
		name    string
		version int64
		want    bool
	}{
		{"same data", 5, true},
		{"data changed", 6, false},
		{"back to the old version", 5, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := c.get("page", tt.version); ok != tt.want {
				t.Errorf("get at %d: %v, want %v", tt.version, ok, tt.want)
			}
		})
	}
	c.put("page", 5, "made at 5, stored late") // rendered from replaced data
	if _, ok := c.get("page", 6); ok {
		t.Error("a value made from old data was kept for new data")
	}
	c.put("page", 6, "made at 6")
	if v, ok := c.get("page", 6); !ok || v != "made at 6" {
		t.Errorf("get at 6: %q %v", v, ok)
	}
}

// TestPageCacheClaim: of many readers missing one key at once, one fills it and the others
// wait for it.
func TestPageCacheClaim(t *testing.T) {
	c := newPageCache(1<<20, sizeOfString)
	var fills atomic.Int32
	var wg sync.WaitGroup
	got := make([]string, 64)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if v, ok := c.get("k", 1); ok {
					got[i] = v
					return
				}
				done, wait := c.claim("k")
				if done == nil {
					<-wait
					continue
				}
				fills.Add(1)
				time.Sleep(20 * time.Millisecond) // rendering
				c.put("k", 1, "body")
				done()
			}
		}()
	}
	wg.Wait()
	if n := fills.Load(); n != 1 {
		t.Errorf("%d readers rendered the page, want 1", n)
	}
	for i, v := range got {
		if v != "body" {
			t.Fatalf("reader %d got %q", i, v)
		}
	}
	if done, _ := c.claim("k"); done == nil {
		t.Error("a finished fill still holds its key")
	}
}

// TestGzipAround: the reader's head and tail compressed per request around a body
// compressed once make one gzip stream that reads back as the three in a row.
func TestGzipAround(t *testing.T) {
	big := strings.Repeat("<tr><td>Hà Nội</td><td>97,36</td></tr>\n", 5000)
	tests := []struct{ name, head, body, tail string }{
		{"page", "<html><nav>analyst1</nav><main>", big, "</main></html>"},
		{"empty head and tail", "", "<p>body</p>", ""},
		{"empty body", "<html>", "", "</html>"},
		{"random bytes", string(randomBytes(3000)), string(randomBytes(70000)), string(randomBytes(500))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBody("unit.html", "", "", nil, []byte(tt.body))
			before, after := gzipAround([]byte(tt.head), b, []byte(tt.tail))
			z := slices.Concat(before, b.deflated, after)
			zr, err := gzip.NewReader(bytes.NewReader(z))
			if err != nil {
				t.Fatal(err)
			}
			zr.Multistream(false) // one member, as a browser reads it
			got, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.head + tt.body + tt.tail; string(got) != want {
				t.Errorf("read back %d bytes, want %d", len(got), len(want))
			}
		})
	}
}

func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}
