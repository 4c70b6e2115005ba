// Package viewtest builds Vigil's real renderer, over the embedded
// templates, assets and catalogs, for tests that render pages without a
// server.
package viewtest

import (
	"io/fs"
	"testing"

	"vigil/internal/i18n"
	"vigil/internal/view"
	"vigil/web"
)

// Renderer returns the renderer the server uses, without sessions: the
// requests it renders are anonymous (a Page reads the session only for a
// signed-in user).
func Renderer(tb testing.TB) *view.Renderer {
	tb.Helper()
	tr, err := i18n.New()
	if err != nil {
		tb.Fatal(err)
	}
	static, err := fs.Sub(web.Static, "static")
	if err != nil {
		tb.Fatal(err)
	}
	assets, err := view.NewAssets(static)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl, err := fs.Sub(web.Templates, "templates")
	if err != nil {
		tb.Fatal(err)
	}
	rend, err := view.New(tmpl, tr, assets, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return rend
}
