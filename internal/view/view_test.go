package view_test

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"

	"vigil/internal/i18n"
	"vigil/internal/view"
	"vigil/web"
)

// newRenderer builds a renderer over fsys the way the app does, with the
// real translator and static files.
func newRenderer(t *testing.T, fsys fs.FS) *view.Renderer {
	t.Helper()
	tr, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	staticFS, err := fs.Sub(web.Static, "static")
	if err != nil {
		t.Fatal(err)
	}
	assets, err := view.NewAssets(staticFS)
	if err != nil {
		t.Fatal(err)
	}
	r, err := view.New(fsys, tr, assets, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// render renders the page name for an anonymous request and returns the
// response; the session is never touched for anonymous users.
func render(r *view.Renderer, name string) (*httptest.ResponseRecorder, error) {
	rec := httptest.NewRecorder()
	c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)
	return rec, r.Render(c, http.StatusOK, name, r.Page(c, ""))
}

// Pages are parsed on first use, so a template error would otherwise show
// only when someone opens the page: this parses every real page.
func TestEmbeddedTemplatesParse(t *testing.T) {
	tmplFS, err := fs.Sub(web.Templates, "templates")
	if err != nil {
		t.Fatal(err)
	}
	r := newRenderer(t, tmplFS)
	if err := r.ParseAll(); err != nil {
		t.Fatalf("ParseAll: %v", err)
	}
	if err := r.Require("errors/error", "auth/login"); err != nil {
		t.Fatal(err)
	}
	// A parsed page still renders (ParseAll must leave the pages usable).
	rec := httptest.NewRecorder()
	c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/nowhere", nil), rec)
	if err := r.ErrorPage(c, http.StatusNotFound, "error.404.message"); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "<html") {
		t.Errorf("error page: %d %.200q", rec.Code, rec.Body.String())
	}
}

// openCounter counts how often each file is opened. It has only Open, so
// fs.ReadFile and the directory walk go through it.
type openCounter struct {
	fsys  fs.FS
	mu    sync.Mutex
	opens map[string]int
}

func (o *openCounter) Open(name string) (fs.File, error) {
	o.mu.Lock()
	o.opens[name]++
	o.mu.Unlock()
	return o.fsys.Open(name)
}

func (o *openCounter) count(name string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.opens[name]
}

// testPages is a small template folder: a layout and three pages, one of
// them with a syntax error.
func testPages() *openCounter {
	return &openCounter{opens: map[string]int{}, fsys: fstest.MapFS{
		"layout/base.html": {Data: []byte(`{{define "base"}}<html><body>{{template "content" .}}</body></html>{{end}}`)},
		"demo/good.html":   {Data: []byte(`{{template "base" .}}{{define "content"}}<p>good {{.Locale}}</p>{{end}}`)},
		"demo/other.html":  {Data: []byte(`{{template "base" .}}{{define "content"}}<p>other</p>{{end}}`)},
		"demo/bad.html":    {Data: []byte(`{{template "base" .}}{{define "content"}}{{if .Locale}}unclosed{{end}}`)},
	}}
}

// A broken page does not stop New (it is not parsed yet) but fails ParseAll
// and every Render of it, without writing a half page; the other pages
// still render.
func TestBrokenPageFailsParseAllAndRender(t *testing.T) {
	fsys := testPages()
	r := newRenderer(t, fsys)
	if err := r.Require("demo/good", "demo/bad", "demo/other"); err != nil {
		t.Fatalf("Require of existing pages: %v", err)
	}
	if err := r.Require("demo/good", "demo/missing"); err == nil || !strings.Contains(err.Error(), "demo/missing") {
		t.Errorf("Require of a missing page: %v", err)
	}
	if n := fsys.count("demo/bad.html"); n != 0 {
		t.Errorf("New or Require read a page file %d times; pages are parsed on first use", n)
	}

	err := r.ParseAll()
	if err == nil || !strings.Contains(err.Error(), "demo/bad.html") {
		t.Fatalf("ParseAll with a broken page: %v", err)
	}
	if strings.Contains(err.Error(), "good.html") || strings.Contains(err.Error(), "other.html") {
		t.Errorf("ParseAll blames a good page: %v", err)
	}

	for range 2 { // the error is kept, not replaced by success or a panic
		rec, err := render(r, "demo/bad")
		if err == nil {
			t.Fatal("Render of a broken page succeeded")
		}
		if rec.Body.Len() != 0 {
			t.Errorf("a broken page wrote %q", rec.Body.String())
		}
	}
	for _, name := range []string{"demo/good", "demo/other"} {
		rec, err := render(r, name)
		if err != nil {
			t.Fatalf("Render %s: %v", name, err)
		}
		if !strings.Contains(rec.Body.String(), "<body><p>") {
			t.Errorf("%s rendered %q", name, rec.Body.String())
		}
	}
	if _, err := render(r, "demo/missing"); err == nil {
		t.Error("Render of a missing page succeeded")
	}
}

// A broken layout is still found at start-up.
func TestBrokenLayoutFailsNew(t *testing.T) {
	fsys := fstest.MapFS{
		"layout/base.html": {Data: []byte(`{{define "base"}}{{if}}{{end}}`)},
		"demo/good.html":   {Data: []byte(`{{template "base" .}}`)},
	}
	tr, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := view.New(fsys, tr, nil, nil); err == nil {
		t.Error("New accepted a broken layout")
	}
}

// Many first requests for one page at once parse it once (the page file is
// read once), render the same, and race with nothing; first requests for
// another page run alongside.
func TestFirstRendersParseOnce(t *testing.T) {
	fsys := testPages()
	r := newRenderer(t, fsys)
	const n = 32
	var (
		start  = make(chan struct{})
		wg     sync.WaitGroup
		bodies [n]string
		failed atomic.Int32
	)
	for i := range n {
		wg.Go(func() {
			name := "demo/good"
			if i%4 == 3 {
				name = "demo/other"
			}
			<-start
			rec, err := render(r, name)
			if err != nil {
				t.Errorf("Render %s: %v", name, err)
				failed.Add(1)
				return
			}
			bodies[i] = rec.Body.String()
		})
	}
	close(start)
	wg.Wait()
	if failed.Load() > 0 {
		return
	}
	for _, f := range []string{"demo/good.html", "demo/other.html"} {
		if got := fsys.count(f); got != 1 {
			t.Errorf("%s was read %d times, want once", f, got)
		}
	}
	for i, b := range bodies {
		want := bodies[0]
		if i%4 == 3 {
			want = bodies[3]
		}
		if b != want {
			t.Errorf("render %d: %q, want %q", i, b, want)
		}
	}
	if !strings.Contains(bodies[0], "good en") || !strings.Contains(bodies[3], "other") {
		t.Errorf("bodies: %q, %q", bodies[0], bodies[3])
	}
}
