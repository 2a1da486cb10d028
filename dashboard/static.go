package dashboard

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

// static holds the app's own files and, under vendor/, the chart library copied from
// the npm package by make (never committed).
//
//go:embed static
var staticFS embed.FS

type asset struct {
	body  []byte
	hash  string
	ctype string
}

var assets = map[string]asset{}

func init() {
	// the files are embedded in the binary: a walk that fails is a broken build, not a
	// condition to serve around
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static/")
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = "application/octet-stream"
		}
		assets[name] = asset{body: b, hash: hex.EncodeToString(sum[:6]), ctype: ct}
		return nil
	})
	if err != nil {
		panic("embedded static files: " + err.Error())
	}
}

// ErrNoAssets is the start refused to a binary built without the chart library.
var ErrNoAssets = errors.New("the chart library is not built into this binary (dashboard/static/vendor/echarts.min.js): run `make assets` (it takes it from the npm package), then build again — or build with `make build`")

// checkAssets refuses a binary whose pages would draw no chart.
func checkAssets() error {
	if _, ok := assets["vendor/echarts.min.js"]; !ok {
		return ErrNoAssets
	}
	return nil
}

// assetURL is the content-addressed address of a static file, cacheable for a year.
func assetURL(name string) string {
	a, ok := assets[name]
	if !ok {
		return "/static/missing/" + name
	}
	return "/static/" + a.hash + "/" + name
}

func registerStatic(e *echo.Echo) {
	e.GET("/static/:hash/*", func(c echo.Context) error {
		name := c.Param("*")
		a, ok := assets[name]
		if !ok || a.hash != c.Param("hash") {
			return echo.NewHTTPError(http.StatusNotFound, "no such file")
		}
		h := c.Response().Header()
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("ETag", `"`+a.hash+`"`)
		return c.Blob(http.StatusOK, a.ctype, a.body)
	})
}
