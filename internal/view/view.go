// Package view renders HTML pages: a template cache filled from the embedded
// templates as pages are first rendered, and the Page every template receives (user,
// flash, CSRF token, locale, translator, form state).
package view

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/i18n"
)

// Context keys set by the server's middleware and read here.
const (
	keyUser      = "vigil.user"
	keyLocale    = "vigil.locale"
	keyCSRF      = "vigil.csrf"
	keyRequestID = "vigil.request_id"
)

// CurrentUser is what templates know about the signed-in user.
type CurrentUser struct {
	ID     int64
	Name   string
	Email  string
	Role   string
	Locale string
}

// IsOrganizer reports whether the user may change everything.
func (u *CurrentUser) IsOrganizer() bool { return u != nil && u.Role == "organizer" }

// SetUser records the signed-in user on the request.
func SetUser(c echo.Context, u *CurrentUser) { c.Set(keyUser, u) }

// User returns the signed-in user, or nil.
func User(c echo.Context) *CurrentUser {
	u, _ := c.Get(keyUser).(*CurrentUser)
	return u
}

// SetLocale records the request's language.
func SetLocale(c echo.Context, loc string) { c.Set(keyLocale, loc) }

// Locale returns the request's language (English when unset).
func Locale(c echo.Context) string {
	if l, ok := c.Get(keyLocale).(string); ok && l != "" {
		return l
	}
	return i18n.Default
}

// SetCSRF records the request's CSRF token for forms.
func SetCSRF(c echo.Context, token string) { c.Set(keyCSRF, token) }

// SetRequestID records the request id shown on error pages.
func SetRequestID(c echo.Context, id string) { c.Set(keyRequestID, id) }

// RequestID returns the request id, or "".
func RequestID(c echo.Context) string {
	id, _ := c.Get(keyRequestID).(string)
	return id
}

// Session is the part of the session manager that pages need: flash
// messages survive exactly one redirect.
type Session interface {
	PopString(ctx context.Context, key string) string
	Put(ctx context.Context, key string, val any)
}

// Flash kinds.
const (
	FlashSuccess = "success"
	FlashError   = "error"
	FlashInfo    = "info"
)

// Flash is a one-time message shown at the top of the next page.
type Flash struct {
	Kind    string
	Message string
}

// Renderer renders named pages. Build it once with New.
type Renderer struct {
	// base holds the parsed layout files. It is never executed: html/template
	// refuses to clone a template set after its first execution, and every
	// page is a clone of it.
	base *template.Template
	fsys fs.FS
	// pages is filled by New and only read afterwards, so lookups need no
	// lock; each page guards its own parse.
	pages   map[string]*page
	tr      *i18n.Translator
	assets  *Assets
	session Session
}

// page is one page file, parsed on first use. Parsing every page at
// start-up cost about 11 MB of heap (each page is a deep copy of the layout's
// parse trees), while a server under load renders a handful of pages; so a
// page is cloned and parsed when it is first rendered, once, and kept.
type page struct {
	file  string
	parse func() (*template.Template, error)
}

// New parses the layout files in fsys (the templates/ folder, files in
// layout/) and lists the other files, each one page named
// "<domain>/<file without .html>". A page is parsed on its first use;
// ParseAll parses them all, for the tests.
func New(fsys fs.FS, tr *i18n.Translator, assets *Assets, session Session) (*Renderer, error) {
	r := &Renderer{fsys: fsys, pages: map[string]*page{}, tr: tr, assets: assets, session: session}
	base, err := template.New("base").Funcs(r.funcs()).ParseFS(fsys, "layout/*.html")
	if err != nil {
		return nil, fmt.Errorf("view: parse layout: %w", err)
	}
	r.base = base
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") || strings.HasPrefix(p, "layout/") {
			return err
		}
		pg := &page{file: p}
		// OnceValues runs the parse once even when the first requests for a
		// page arrive together, and keeps its error: the embedded files do
		// not change, so parsing again could not succeed.
		pg.parse = sync.OnceValues(func() (*template.Template, error) { return r.parse(pg.file) })
		r.pages[strings.TrimSuffix(p, ".html")] = pg
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("view: %w", err)
	}
	return r, nil
}

// parse clones the layout and adds the page file to the clone.
func (r *Renderer) parse(file string) (*template.Template, error) {
	b, err := fs.ReadFile(r.fsys, file)
	if err != nil {
		return nil, fmt.Errorf("view: read %s: %w", file, err)
	}
	t, err := r.base.Clone()
	if err != nil {
		return nil, fmt.Errorf("view: clone layout for %s: %w", file, err)
	}
	if _, err := t.New(file).Parse(string(b)); err != nil {
		return nil, fmt.Errorf("view: parse %s: %w", file, err)
	}
	return t, nil
}

// lookup returns the parsed page name, parsing it on first use.
func (r *Renderer) lookup(name string) (*template.Template, error) {
	pg, ok := r.pages[name]
	if !ok {
		return nil, fmt.Errorf("view: no template %q", name)
	}
	return pg.parse()
}

// Require fails when any of names is not a page file. The app calls it at
// start-up with every view the handlers use, so a missing template stops the
// build's tests rather than a user's request. It does not parse the pages:
// ParseAll does, in the tests.
func (r *Renderer) Require(names ...string) error {
	var missing []string
	for _, n := range names {
		if _, ok := r.pages[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("view: templates missing: %s", strings.Join(missing, ", "))
	}
	return nil
}

// ParseAll parses every page now and returns every page's error. The server
// does not call it (it would hold every page in memory); a test does, so a
// broken template fails `make test` rather than a user's first request.
func (r *Renderer) ParseAll() error {
	names := make([]string, 0, len(r.pages))
	for n := range r.pages {
		names = append(names, n)
	}
	sort.Strings(names)
	var errs []error
	for _, n := range names {
		if _, err := r.pages[n].parse(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// T translates key into the request's language.
func (r *Renderer) T(c echo.Context, key string, kv ...any) string {
	return r.tr.T(Locale(c), key, kv...)
}

// Flash stores a translated one-time message for the next page.
func (r *Renderer) Flash(c echo.Context, kind, key string, kv ...any) {
	ctx := c.Request().Context()
	r.session.Put(ctx, "flash_kind", kind)
	r.session.Put(ctx, "flash", r.T(c, key, kv...))
}

// Page starts the data for one page.
func (r *Renderer) Page(c echo.Context, titleKey string, kv ...any) *Page {
	p := &Page{
		Locale:    Locale(c),
		User:      User(c),
		Path:      c.Request().URL.Path,
		RequestID: RequestID(c),
		tr:        r.tr,
		Form:      &Form{},
	}
	p.CSRF, _ = c.Get(keyCSRF).(string)
	if titleKey != "" {
		p.Title = p.T(titleKey, kv...)
	}
	if p.User != nil {
		// Only signed-in users have a session worth reading; anonymous
		// pages must not create one.
		ctx := c.Request().Context()
		if msg := r.session.PopString(ctx, "flash"); msg != "" {
			p.Flash = &Flash{Kind: r.session.PopString(ctx, "flash_kind"), Message: msg}
		}
	}
	return p
}

// Render writes page as the named template with status.
func (r *Renderer) Render(c echo.Context, status int, name string, page *Page) error {
	t, err := r.lookup(name)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name+".html", page); err != nil {
		// Template errors are rendered into a buffer first so a half page
		// is never sent.
		return fmt.Errorf("view: render %s: %w", name, err)
	}
	c.Response().Header().Set("Content-Language", page.Locale)
	return c.HTMLBlob(status, buf.Bytes())
}

func (r *Renderer) funcs() template.FuncMap {
	return template.FuncMap{
		"static": func(name string) (string, error) { return r.assets.URL(name) },
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"localeName": func(l string) string { return i18n.LocaleNames[l] },
		"locales":    func() []string { return i18n.Locales },
		"add":        func(a, b int) int { return a + b },
	}
}

// Page is what every template receives.
type Page struct {
	Title     string
	Locale    string
	User      *CurrentUser
	CSRF      string
	Flash     *Flash
	Path      string
	RequestID string
	// Nav names the navigation entry to mark as current.
	Nav string
	// Form holds submitted values and errors of the page's form.
	Form *Form
	// Data is the page's own view struct.
	Data any
	// Zone is the time zone dates are shown in (UTC when nil).
	Zone *time.Location

	tr *i18n.Translator
}

// T translates key into the page's language.
func (p *Page) T(key string, kv ...any) string { return p.tr.T(p.Locale, key, kv...) }

// Err returns the translated error for a form field, or "".
func (p *Page) Err(field string) string {
	for _, e := range p.Form.Errors {
		if e.Field == field {
			return p.T(e.Key, e.Args...)
		}
	}
	return ""
}

// Val returns the submitted (or loaded) value of a form field.
func (p *Page) Val(field string) string {
	if p.Form.Values == nil {
		return ""
	}
	return p.Form.Values[field]
}

// Errors returns the form's errors translated, in order, for the summary.
func (p *Page) Errors() []ShownError {
	out := make([]ShownError, 0, len(p.Form.Errors))
	for _, e := range p.Form.Errors {
		out = append(out, ShownError{Field: e.Field, Message: p.T(e.Key, e.Args...)})
	}
	return out
}

// Date formats t in the page's language and zone, e.g.
// "25 November 2026, 21:46 UTC".
func (p *Page) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(p.zone())
	return fmt.Sprintf("%s, %s %s", p.Day(t), t.Format("15:04"), p.ZoneLabel())
}

// cityNames are the names, in Azerbaijani and Russian, of the cities that
// name the time zones Vigil is used in; others keep their English name.
var cityNames = map[string]map[string]string{
	"Baku":     {"az": "Bakı", "ru": "Баку"},
	"Istanbul": {"az": "İstanbul", "ru": "Стамбул"},
	"Tbilisi":  {"az": "Tbilisi", "ru": "Тбилиси"},
	"Moscow":   {"az": "Moskva", "ru": "Москва"},
	"Berlin":   {"az": "Berlin", "ru": "Берлин"},
	"London":   {"az": "London", "ru": "Лондон"},
}

// ZoneLabel names the page's time zone as people say it: "(Baku time)",
// "(Bakı vaxtı)"; "UTC" for UTC. Zones like Asia/Baku have no
// abbreviation, and "+04" means little to a guest.
func (p *Page) ZoneLabel() string {
	name := p.zone().String()
	if name == "UTC" || name == "Local" || !strings.Contains(name, "/") {
		return "UTC"
	}
	city := strings.ReplaceAll(name[strings.LastIndex(name, "/")+1:], "_", " ")
	if local, ok := cityNames[city][p.Locale]; ok {
		city = local
	}
	return p.T("zone.local_time", "City", city)
}

// Day formats the calendar day of t in the page's language:
// "25 November 2026", "25 noyabr 2026", "25 ноября 2026".
func (p *Page) Day(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), p.T(fmt.Sprintf("month.%d.genitive", int(t.Month()))), t.Year())
}

// ShortDay formats the calendar day of t in the page's language with the
// month abbreviated, for tables on paper: "26 Nov", "26 noy", "26 нояб.";
// with withYear, "26 Nov 2026".
func (p *Page) ShortDay(t time.Time, withYear bool) string {
	s := fmt.Sprintf("%d %s", t.Day(), p.T(fmt.Sprintf("month.%d.short", int(t.Month()))))
	if withYear {
		s += " " + strconv.Itoa(t.Year())
	}
	return s
}

// Clock formats the wall-clock time of t in the page's zone: "11:00".
func (p *Page) Clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(p.zone()).Format("15:04")
}

// LongDay formats the day of t with its weekday, in the page's zone and
// language: "Thursday, 26 February 2026".
func (p *Page) LongDay(t time.Time) string {
	t = t.In(p.zone())
	return p.T("weekday."+t.Weekday().String()) + ", " + p.Day(t)
}

func (p *Page) zone() *time.Location {
	if p.Zone != nil {
		return p.Zone
	}
	return time.UTC
}

// Ordinal writes n as an ordinal in the page's language.
func (p *Page) Ordinal(n int) string { return i18n.Ordinal(p.Locale, n) }

// ShownError is one translated form error.
type ShownError struct {
	Field   string
	Message string
}

// Form is a submitted form: its values and what is wrong with them.
type Form struct {
	Values map[string]string
	Errors []FieldError
}

// FieldError is one validation problem: the field and a message key.
type FieldError struct {
	Field string
	Key   string
	Args  []any
}

// Add records an error on field.
func (f *Form) Add(field, key string, args ...any) {
	f.Errors = append(f.Errors, FieldError{Field: field, Key: key, Args: args})
}

// Valid reports whether no errors were recorded.
func (f *Form) Valid() bool { return len(f.Errors) == 0 }

// NewForm starts a form with the given values.
func NewForm(values map[string]string) *Form { return &Form{Values: values} }

// Error pages ---------------------------------------------------------------

// ErrorPage renders the error page for status with a message key. It is
// used by the server's error handler.
func (r *Renderer) ErrorPage(c echo.Context, status int, key string) error {
	titleKey := "error.generic.title"
	switch status {
	case 400, 401, 403, 404, 413, 429, 500, 503:
		titleKey = fmt.Sprintf("error.%d.title", status)
	}
	p := r.Page(c, titleKey)
	p.Data = ErrorData{Status: status, Message: p.T(key)}
	if err := r.Render(c, status, "errors/error", p); err != nil {
		slog.Error("view: render error page", "err", err)
		return c.String(status, http.StatusText(status))
	}
	return nil
}

// ErrorData is the error page's view.
type ErrorData struct {
	Status  int
	Message string
}
