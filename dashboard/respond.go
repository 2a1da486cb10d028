package dashboard

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// selfCompressed are the routes that compress their own responses: the most read ones,
// whose whole response is kept, compressed once, until the data changes. The gzip
// middleware skips them; every response of theirs goes through send.
var selfCompressed = map[string]bool{
	"/":                true,
	"/api/v1/rankings": true,
	// the pages whose bodies are kept (pagecache.go): spliced into an already compressed answer
	"/trends":       true,
	"/units/:code":  true,
	"/map":          true,
	"/completeness": true,
}

// response is a whole response, ready to be sent again. Only the compressed form of a
// large body is kept (a kept page costs ~5 KB, not ~40): the rare reader that does not
// take gzip gets it decompressed.
type response struct {
	ctype string
	body  []byte // a small body, as is
	gz    []byte // a large body, compressed
	etag  string
}

func newResponse(ctype string, body []byte) *response {
	sum := sha256.Sum256(body)
	r := &response{ctype: ctype, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
	if len(body) < 1024 {
		r.body = body
		return r
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression) // once per version: spend the time
	_, _ = zw.Write(body)                                  // into a bytes.Buffer: it does not fail
	_ = zw.Close()
	r.gz = b.Bytes()
	return r
}

// plain is the body uncompressed.
func (r *response) plain() ([]byte, error) {
	if r.gz == nil {
		return r.body, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.gz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// cached sends the response kept under key if the data has not changed since it was made.
func (s *Server) cached(c echo.Context, key string) bool {
	r, ok := s.responses.get(key, s.eng.DataVersion())
	if ok {
		_ = s.write(c, http.StatusOK, r) // a client gone away is nothing to report
	}
	return ok
}

// send sends body, compressed when the reader accepts it and the route compresses its own
// responses, and keeps it under key (when given) until the data changes.
func (s *Server) send(c echo.Context, status int, ctype string, body []byte, key string, version int64) error {
	if !selfCompressed[c.Path()] {
		return c.Blob(status, ctype, body)
	}
	r := newResponse(ctype, body)
	if key != "" && status == http.StatusOK {
		s.responses.put(key, version, r)
	}
	return s.write(c, status, r)
}

func (s *Server) write(c echo.Context, status int, r *response) error {
	h := c.Response().Header()
	h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	h.Set("ETag", r.etag)
	// the pages differ by reader: a shared cache must not keep them, a browser must ask
	h.Set("Cache-Control", "private, no-cache")
	if status == http.StatusOK && c.Request().Header.Get("If-None-Match") == r.etag {
		return c.NoContent(http.StatusNotModified)
	}
	h.Set(echo.HeaderContentType, r.ctype)
	body := r.gz
	if r.gz != nil && acceptsGzip(c.Request()) {
		h.Set(echo.HeaderContentEncoding, "gzip")
	} else {
		var err error
		if body, err = r.plain(); err != nil {
			return err
		}
	}
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(body)
	return err
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get(echo.HeaderAcceptEncoding), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(strings.TrimSpace(q), " ", "") != "q=0" {
			return true
		}
	}
	return false
}
