package view

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

// Assets serves the embedded static files. Each URL carries the file's
// checksum (/static/css/vigil.css?v=1a2b3c4d), so browsers may cache it for a
// year and still see a new version the moment it changes.
type Assets struct {
	fsys fs.FS
	sums map[string]string // name relative to static/ -> short checksum
}

// NewAssets hashes every file under fsys (the static/ folder).
func NewAssets(fsys fs.FS) (*Assets, error) {
	a := &Assets{fsys: fsys, sums: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.sums[p] = hex.EncodeToString(sum[:])[:12]
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("view: hash static files: %w", err)
	}
	return a, nil
}

// URL returns the cache-busting URL of a static file; it panics on a name
// that does not exist so a typo fails the template tests, not a user.
func (a *Assets) URL(name string) (string, error) {
	sum, ok := a.sums[name]
	if !ok {
		return "", fmt.Errorf("view: no static file %q", name)
	}
	return "/static/" + name + "?v=" + sum, nil
}

// Handler serves GET /static/*.
func (a *Assets) Handler(c echo.Context) error {
	name := strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/")
	sum, ok := a.sums[name]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	b, err := fs.ReadFile(a.fsys, name)
	if err != nil {
		return fmt.Errorf("view: read static %s: %w", name, err)
	}
	h := c.Response().Header()
	if c.QueryParam("v") == sum {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	h.Set("ETag", `"`+sum+`"`)
	if match := c.Request().Header.Get("If-None-Match"); match == `"`+sum+`"` {
		return c.NoContent(http.StatusNotModified)
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = http.DetectContentType(b)
	}
	return c.Blob(http.StatusOK, ct, b)
}
