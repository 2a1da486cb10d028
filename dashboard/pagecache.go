package dashboard

import (
	"bytes"
	"compress/flate"
	"container/list"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/egovkpi/egovkpi/data"
)

// A page is a body — the view of the data, the same for every reader with the same
// rights — inside the layout, which carries the reader: their name, menu and CSRF token.
// Readers differ, bodies do not: a body is rendered once and kept until the data changes
// (pageCache), and each request renders only the layout around it and splices the kept
// body in. The body is compressed once too: a deflate stream may be made of pieces
// compressed apart, each ended by a sync flush, so the reader's header and footer are
// compressed apart (a few kilobytes) and the body's compressed bytes copied. The layout
// rendered for a reader is kept as well (frame), until the data changes: the template
// and its compression were three quarters of a kept page's time (4,600 pages a second
// for 64 readers on this 2-core machine, 12,300 with frames kept).

// body is a rendered page body with what the layout needs around it.
type body struct {
	name, nav, title string
	scripts          []string
	plain            []byte   // as rendered
	deflated         []byte   // raw deflate blocks ended by a sync flush, none final
	sum              [32]byte // SHA-256 of plain, for the ETag
}

func newBody(name, nav, title string, scripts []string, plain []byte) *body {
	b := &body{name: name, nav: nav, title: title, scripts: scripts, plain: plain,
		sum: sha256.Sum256(plain)}
	var z bytes.Buffer
	// once per body and data version: worth the better compression
	w, _ := flate.NewWriter(&z, flate.DefaultCompression)
	_, _ = w.Write(plain) // into a bytes.Buffer: it does not fail
	_ = w.Flush()
	b.deflated = z.Bytes()
	return b
}

func (b *body) size() int { return len(b.plain) + len(b.deflated) + 256 }

// pageCache keeps values by key until the data changes (its version moves on), dropping
// the least recently used once they pass maxBytes: a crawler walking every unit and
// choice costs at most that. Concurrent misses of one key wait for the first of them to
// fill it (claim): 64 readers opening a page just changed render it once, not 64 times.
type pageCache[T any] struct {
	mu       sync.Mutex
	maxBytes int
	size     func(T) int
	version  int64
	bytes    int
	order    *list.List // front: the most recently used
	m        map[string]*list.Element
	filling  map[string]chan struct{}
}

type cacheEntry[T any] struct {
	key string
	v   T
	n   int
}

func newPageCache[T any](maxBytes int, size func(T) int) *pageCache[T] {
	return &pageCache[T]{maxBytes: maxBytes, size: size, order: list.New(), m: map[string]*list.Element{}, filling: map[string]chan struct{}{}}
}

// moveTo forgets every value made from older data. The caller holds mu.
func (c *pageCache[T]) moveTo(version int64) {
	c.version, c.bytes = version, 0
	c.order.Init()
	clear(c.m)
}

func (c *pageCache[T]) get(key string, version int64) (T, bool) {
	var zero T
	c.mu.Lock()
	defer c.mu.Unlock()
	if version > c.version {
		c.moveTo(version)
	}
	if version != c.version {
		return zero, false
	}
	e, ok := c.m[key]
	if !ok {
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry[T]).v, true
}

func (c *pageCache[T]) put(key string, version int64, v T) {
	n := c.size(v)
	c.mu.Lock()
	defer c.mu.Unlock()
	if version < c.version || n > c.maxBytes {
		return // made from data already replaced, or larger than the whole cache
	}
	if version > c.version {
		c.moveTo(version)
	}
	if e, ok := c.m[key]; ok {
		old := e.Value.(*cacheEntry[T])
		c.bytes += n - old.n
		old.v, old.n = v, n
		c.order.MoveToFront(e)
	} else {
		c.m[key] = c.order.PushFront(&cacheEntry[T]{key: key, v: v, n: n})
		c.bytes += n
	}
	for c.bytes > c.maxBytes {
		last := c.order.Back()
		ce := last.Value.(*cacheEntry[T])
		c.order.Remove(last)
		delete(c.m, ce.key)
		c.bytes -= ce.n
	}
}

// len is how many values are kept, and their bytes.
func (c *pageCache[T]) len() (int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m), c.bytes
}

// claim makes the caller the one to fill key (done is then non-nil: call it when
// finished, filled or not), or returns a channel closed when whoever fills it finishes.
func (c *pageCache[T]) claim(key string) (done func(), wait <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch, ok := c.filling[key]; ok {
		return nil, ch
	}
	ch := make(chan struct{})
	c.filling[key] = ch
	return func() {
		c.mu.Lock()
		if c.filling[key] == ch {
			delete(c.filling, key)
		}
		c.mu.Unlock()
		close(ch)
	}, nil
}

// pendingBody, set on the request by keepBodies, tells renderPage to keep the body it
// renders under key, as made from the data at version.
type pendingBody struct {
	key     string
	version int64
}

const pendingBodyName = "dashboard.pendingBody"

// keepBodies serves a page from its kept body while the data has not changed since it was
// rendered; otherwise it runs the handler, and renderPage keeps the body. It wraps the
// handler, so the route's access check has already passed: a reader the route refuses
// never reaches a kept body.
func (s *Server) keepBodies(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := bodyKey(c)
		var version int64
		for {
			version = s.eng.DataVersion()
			if b, ok := s.bodies.get(key, version); ok {
				c.Response().Header().Set(keptHeader, "kept")
				return s.splice(c, http.StatusOK, b)
			}
			done, wait := s.bodies.claim(key)
			if done != nil {
				defer done()
				break
			}
			select {
			case <-wait:
			case <-c.Request().Context().Done():
				return c.Request().Context().Err()
			}
		}
		c.Set(pendingBodyName, pendingBody{key: key, version: version})
		return h(c)
	}
}

// bodyKey names a page's body: the address with its query (in a fixed order), the
// language, and what of the reader's rights a body may show: the export right (the Excel
// links) and, for an officer, its unit (what an officer may see of a unit depends on it).
// Nothing else of the reader — name, role's menu, session, CSRF token — may be in a body:
// those are the layout's. The hour is in the key too, for a page whose default period
// follows the calendar, not only the data.
func bodyKey(c echo.Context) string {
	r := c.Request()
	id := identityOf(c)
	rights := "reader"
	if id.can(exporter) {
		rights = "exporter"
	}
	if id != nil && id.User.Role == data.RoleOfficer {
		rights = "officer:" + id.User.Unit
	}
	return r.URL.Path + "?" + r.URL.Query().Encode() + "|" + langOf(c) + "|" + rights + "|" + timeNow().UTC().Format("2006-01-02T15")
}

// keptHeader says whether a page's body was kept or rendered for this request: for
// whoever measures the server (egovbench load counts them) and for the tests.
const keptHeader = "X-Page-Body"

// bodyMark stands for the body in the layout rendered around it; it cannot occur in a
// rendered layout (html/template escapes NUL in text and attributes).
const bodyMark = "\x00body\x00"

// frame is the layout rendered for one reader around one body, kept (Server.frames) so
// that a reader reading a page again costs no template and no compression: the pieces
// before and after the body, plain and as deflate pieces, with the whole page's ETag
// and gzip trailer.
type frame struct {
	head, tail     []byte
	gzHead, gzTail []byte // the gzip header and the head's deflate piece; the tail's piece and the trailer
	etag           string
}

func (f *frame) size() int { return len(f.head) + len(f.tail) + len(f.gzHead) + len(f.gzTail) + 128 }

// frameKey names the layout one request renders around b: everything of the reader and
// the request the layout shows (page, path, language, user, role, unit, CSRF token,
// the failing-sources mark), and the body itself.
func frameKey(p *page, b *body) string {
	var k strings.Builder
	k.WriteString(b.name + "\x00" + b.nav + "\x00" + b.title + "\x00" + strings.Join(b.scripts, ",") + "\x00" + p.Path + "\x00" + p.Lang)
	if p.User != nil {
		k.WriteString("\x00" + p.User.Username + "\x00" + p.User.Role + "\x00" + p.User.Unit + "\x00" + p.CSRF)
	}
	fmt.Fprintf(&k, "\x00%t\x00%x", p.Failing, b.sum[:12])
	return k.String()
}

// splice sends the layout rendered for this reader around a kept body.
func (s *Server) splice(c echo.Context, status int, b *body) error {
	p := s.pageOf(c, b.nav, b.title, nil, b.scripts)
	key := frameKey(&p, b)
	version := s.eng.DataVersion()
	f, ok := s.frames.get(key, version)
	if !ok {
		var err error
		if f, err = s.frame(&p, b); err != nil {
			return err
		}
		s.frames.put(key, version, f)
	}
	h := c.Response().Header()
	h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	h.Set("ETag", f.etag)
	// the page carries the reader: no shared cache may keep it, a browser must ask
	h.Set("Cache-Control", "private, no-cache")
	if status == http.StatusOK && c.Request().Header.Get("If-None-Match") == f.etag {
		return c.NoContent(http.StatusNotModified)
	}
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	parts := [][]byte{f.head, b.plain, f.tail}
	if acceptsGzip(c.Request()) {
		h.Set(echo.HeaderContentEncoding, "gzip")
		parts = [][]byte{f.gzHead, b.deflated, f.gzTail}
	}
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(parts[0])+len(parts[1])+len(parts[2])))
	c.Response().WriteHeader(status)
	for _, part := range parts {
		if _, err := c.Response().Write(part); err != nil {
			return err
		}
	}
	return nil
}

// frame renders the layout of p around b.
func (s *Server) frame(p *page, b *body) (*frame, error) {
	p.Content = template.HTML(bodyMark)
	var buf bytes.Buffer
	if err := s.pages.byName[b.name].ExecuteTemplate(&buf, "layout", p); err != nil {
		return nil, fmt.Errorf("render %s: %w", b.name, err)
	}
	head, tail, ok := bytes.Cut(buf.Bytes(), []byte(bodyMark))
	if !ok {
		return nil, fmt.Errorf("render %s: the layout has no place for the content", b.name)
	}
	hs := sha256.New()
	hs.Write(head)
	hs.Write(b.sum[:])
	hs.Write(tail)
	f := &frame{head: head, tail: tail, etag: `"` + hex.EncodeToString(hs.Sum(nil)[:12]) + `"`}
	f.gzHead, f.gzTail = gzipAround(head, b, tail)
	return f, nil
}

// flaters compress the layout's pieces: small and per request, so fast and reused.
var flaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed)
	return w
}}

// deflate appends p compressed to dst, ended by a sync flush (more follows) or final.
func deflate(dst *bytes.Buffer, p []byte, final bool) {
	w := flaters.Get().(*flate.Writer)
	w.Reset(dst)
	// dst is a bytes.Buffer: these writes do not fail
	_, _ = w.Write(p)
	if final {
		_ = w.Close()
	} else {
		_ = w.Flush()
	}
	flaters.Put(w)
}

// gzipAround makes head, the body and tail one gzip member: what goes before the body's
// deflate blocks and what goes after them. The three deflate pieces in a row make one
// stream (none but the last is final, each starts afresh), and the trailer's CRC-32 runs
// over the three.
func gzipAround(head []byte, b *body, tail []byte) (before, after []byte) {
	var z bytes.Buffer
	z.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}) // gzip, deflate, no name or time
	deflate(&z, head, false)
	before = bytes.Clone(z.Bytes())
	z.Reset()
	deflate(&z, tail, true)
	crc := crc32.Update(crc32.Update(crc32.ChecksumIEEE(head), crc32.IEEETable, b.plain), crc32.IEEETable, tail)
	after = binary.LittleEndian.AppendUint32(z.Bytes(), crc)
	return before, binary.LittleEndian.AppendUint32(after, uint32(len(head)+len(b.plain)+len(tail)))
}
