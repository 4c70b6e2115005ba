// Package browsertest drives Vigil in a real headless Chromium, as a person
// uses it: end-to-end tests of sign-in, navigation, forms, languages, phone
// widths and accessibility.
//
// It is test code only: production code must not import it. One browser is
// shared by the tests of a package (started on first use, stopped by [Main]);
// each test gets its own tab in its own browser context, so cookies and
// sessions never leak between tests.
//
// Chromium is found through VIGIL_CHROMIUM, else chromium, chromium-browser or
// google-chrome on PATH. Without it the tests are skipped loudly, or fail when
// CI is set.
package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vigil/internal/i18n"
)

// StepTimeout bounds every browser step, so that a hang fails the test at
// once instead of blocking until go test's own timeout.
const StepTimeout = 20 * time.Second

// startTimeout bounds the start of the browser and of a tab.
const startTimeout = 45 * time.Second

// Viewports the tests use.
const (
	DesktopWidth  = 1280
	DesktopHeight = 900
	PhoneWidth    = 390
	PhoneHeight   = 844
)

// EnvChromium names the variable that points at the browser binary.
const EnvChromium = "VIGIL_CHROMIUM"

var errNoChromium = errors.New("browsertest: Chromium not found")

// FindChromium returns the browser to use: $VIGIL_CHROMIUM if set, else the
// first of chromium, chromium-browser and google-chrome on PATH.
func FindChromium() (string, error) {
	if p := os.Getenv(EnvChromium); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("browsertest: %s=%q is not an executable: %w", EnvChromium, p, err)
		}
		return found, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errNoChromium
}

var skipNotice sync.Once

// requireChromium returns the browser path, or skips the test (fails it
// under CI) with a message that is visible without -v.
func requireChromium(t testing.TB) string {
	t.Helper()
	path, err := FindChromium()
	switch {
	case err == nil:
		return path
	case !errors.Is(err, errNoChromium):
		t.Fatal(err) // VIGIL_CHROMIUM is set but wrong: never skip silently.
	case os.Getenv("CI") != "":
		t.Fatal("!!! Chromium is required in CI: apt-get install chromium (or set " + EnvChromium + ")")
	}
	msg := "!!! browsertest: Chromium not found — browser tests SKIPPED. Install it (apt-get install chromium) or set " + EnvChromium + "."
	skipNotice.Do(func() { fmt.Fprintln(os.Stderr, msg) })
	t.Skip(msg)
	return ""
}

// shared is the one browser of the test binary.
var shared struct {
	mu   sync.Mutex
	ctx  context.Context // browser context, nil until started
	stop func()
	err  error // start failure, reported to every test
}

// browser returns the shared browser's context, starting it on first use.
func browser(t testing.TB) context.Context {
	t.Helper()
	path := requireChromium(t)
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.ctx == nil && shared.err == nil {
		shared.ctx, shared.stop, shared.err = startBrowser(path)
	}
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.ctx
}

func startBrowser(path string) (context.Context, func(), error) {
	dir, err := os.MkdirTemp("", "vigil-chromium-")
	if err != nil {
		return nil, nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // we run as root in containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(DesktopWidth, DesktopHeight),
	)
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	// The first Do binds the browser's life to its context, so it cannot
	// carry a timeout itself: wait for it here instead.
	if err := startWithin(ctx, startTimeout); err != nil {
		cancel()
		allocCancel()
		os.RemoveAll(dir)
		return nil, nil, fmt.Errorf("browsertest: start %s: %w", path, err)
	}
	stop := func() {
		tctx, tcancel := context.WithTimeout(ctx, 10*time.Second)
		_ = chromedp.Cancel(tctx)
		tcancel()
		cancel()
		allocCancel()
		os.RemoveAll(dir)
	}
	return ctx, stop, nil
}

// startWithin runs the first (empty) Do on a chromedp context, which starts
// the browser or opens the tab, and gives up after d.
func startWithin(ctx context.Context, d time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- chromedp.Do(ctx) }()
	select {
	case err := <-errc:
		return err
	case <-time.After(d):
		return fmt.Errorf("no answer within %v", d)
	}
}

// Close stops the shared browser, if it runs.
func Close() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.stop != nil {
		shared.stop()
	}
	shared.ctx, shared.stop = nil, nil
}

// Main runs a package's tests and then stops the shared browser. Use it as
//
//	func TestMain(m *testing.M) { os.Exit(browsertest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	Close()
	return code
}

// Tab is one browser tab, in a browser context of its own, for one test.
type Tab struct {
	t    testing.TB
	ctx  context.Context
	Base string // the server's URL, without a trailing slash

	mu       sync.Mutex
	console  []chromedp.ConsoleMessage
	reported map[string]bool // untranslated keys already reported
}

// NewTab opens a tab at the desktop viewport for a server at base. When the
// test fails, a full-page screenshot of the tab is written to
// test-artifacts/browser/<TestName>.png at the repository root. Uncaught
// JavaScript exceptions, Content-Security-Policy violations and static
// assets that fail to load fail the test.
func NewTab(t testing.TB, base string) *Tab {
	t.Helper()
	bctx := browser(t)
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	if err := startWithin(ctx, startTimeout); err != nil {
		cancel()
		t.Fatalf("browsertest: open a tab: %v", err)
	}
	t.Cleanup(cancel)
	tab := &Tab{t: t, ctx: ctx, Base: strings.TrimRight(base, "/")}

	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			tab.mu.Lock()
			tab.console = append(tab.console, m)
			tab.mu.Unlock()
		}
	}()

	t.Cleanup(func() {
		for _, m := range tab.Console() {
			switch {
			case m.IsException():
				t.Errorf("browsertest: uncaught JavaScript exception at %s:%d: %s", m.URL, m.Line+1, m)
			case strings.Contains(m.Text, "Content Security Policy"):
				t.Errorf("browsertest: CSP violation: %s", m)
			case strings.HasPrefix(m.Text, "Failed to load resource") && strings.Contains(m.URL, "/static/"):
				t.Errorf("browsertest: a static asset did not load: %s: %s", m.URL, m.Text)
			case strings.HasPrefix(m.Text, "Failed to load resource"):
				// A page answered 4xx/5xx: the tests check statuses themselves.
			case m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning:
				t.Logf("browser console %s: %s", m.Type, m)
			}
		}
		if t.Failed() {
			tab.saveFailureScreenshot()
		}
	})
	tab.SetViewport(DesktopWidth, DesktopHeight, false)
	return tab
}

// Ctx is the tab's chromedp context, for steps the helpers do not cover.
// Give every call on it a timeout (see [Tab.Do] and [Run]).
func (b *Tab) Ctx() context.Context { return b.ctx }

// Console returns the console messages the tab has seen so far.
func (b *Tab) Console() []chromedp.ConsoleMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]chromedp.ConsoleMessage(nil), b.console...)
}

// Do runs steps within [StepTimeout] and fails the test on any error.
func (b *Tab) Do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, StepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: step failed (on %s): %v", b.location(), err)
	}
}

// Run runs one action that returns a value within [StepTimeout] and fails
// the test on any error.
func Run[T any](b *Tab, a chromedp.Action[T]) T {
	b.t.Helper()
	return step(b, "", a)
}

// step is Run with a description of the step for the failure message.
func step[T any](b *Tab, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, StepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		if what == "" {
			what = "step"
		}
		b.t.Fatalf("browser: %s failed (on %s): %v", what, b.location(), err)
	}
	return v
}

// location is the current URL for error messages; it never fails.
func (b *Tab) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "unknown page"
	}
	return loc
}

// Open loads path (relative to the server) and returns the HTTP status of
// the final document.
func (b *Tab) Open(path string) int64 {
	b.t.Helper()
	resp := step(b, "open "+path, chromedp.NavigateResponse(b.Base+path))
	if resp == nil {
		b.t.Fatalf("no response for %s", path)
	}
	b.CheckTranslated()
	return resp.Status
}

// ClickAndWait clicks the element css selects (a link or a submit button)
// and waits for the page it leads to; it returns that page's HTTP status.
func (b *Tab) ClickAndWait(css string) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, StepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("click %s and wait for the next page (on %s): %v", css, b.location(), err)
	}
	if resp == nil {
		b.t.Fatalf("click %s: no response", css)
	}
	b.CheckTranslated()
	return resp.Status
}

// keyNamespaces are the first parts of the message ids ("nav" of
// "nav.users"): text that looks like namespace.something is a message id
// that was shown instead of its translation.
var keyNamespaces = sync.OnceValues(func() (map[string]bool, error) {
	keys, err := i18n.Keys(i18n.Default)
	if err != nil {
		return nil, err
	}
	ns := map[string]bool{}
	for _, k := range keys {
		if i := strings.IndexByte(k, '.'); i > 0 {
			ns[k[:i]] = true
		}
	}
	return ns, nil
})

var messageID = regexp.MustCompile(`[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+`)

// pageText is the text a person perceives: the title, the visible text and
// the labels and hints in attributes.
const pageText = `[document.title, document.body ? document.body.innerText : "",
	...[...document.querySelectorAll("[aria-label],[title],[placeholder],[alt]")]
		.flatMap(el => ["aria-label", "title", "placeholder", "alt"].map(a => el.getAttribute(a) || ""))
].join("\n")`

// CheckTranslated fails the test (without stopping it) for every message id
// shown raw on the current page, such as "nav.editions" where a translation
// is missing. [Tab.Open] and [Tab.ClickAndWait] call it on every page.
func (b *Tab) CheckTranslated() {
	b.t.Helper()
	ns, err := keyNamespaces()
	if err != nil {
		b.t.Fatalf("browsertest: message ids: %v", err)
	}
	text := Eval[string](b, pageText)
	for _, loc := range messageID.FindAllStringIndex(text, -1) {
		id := text[loc[0]:loc[1]]
		// Skip parts of e-mail addresses and host names.
		if (loc[0] > 0 && strings.ContainsAny(text[loc[0]-1:loc[0]], "@.-/")) || (loc[1] < len(text) && strings.ContainsAny(text[loc[1]:loc[1]+1], "@-/")) {
			continue
		}
		if !ns[id[:strings.IndexByte(id, '.')]] || b.reported[id] {
			continue
		}
		if b.reported == nil {
			b.reported = map[string]bool{}
		}
		b.reported[id] = true
		b.t.Errorf("untranslated message id %q shown on %s", id, b.location())
	}
}

// Type types text into the field css selects, as keystrokes.
func (b *Tab) Type(css, text string) {
	b.t.Helper()
	step(b, "type into "+css, chromedp.SendKeys(chromedp.CSS(css), text))
}

// Text is the visible text of the first element css selects, trimmed. It
// waits for the element to exist.
func (b *Tab) Text(css string) string {
	b.t.Helper()
	return strings.TrimSpace(step(b, "read the text of "+css, chromedp.Text(chromedp.CSS(css))))
}

// Value is the current value of the form field css selects.
func (b *Tab) Value(css string) string {
	b.t.Helper()
	return step(b, "read the value of "+css, chromedp.Value(chromedp.CSS(css)))
}

// Eval evaluates a JavaScript expression in the page and decodes its value.
func Eval[T any](b *Tab, expr string) T {
	b.t.Helper()
	return Run(b, chromedp.Evaluate[T](expr))
}

// Count is how many elements css selects right now (it does not wait).
func (b *Tab) Count(css string) int {
	b.t.Helper()
	return Eval[int](b, "document.querySelectorAll("+jsString(css)+").length")
}

// Visible reports whether the first element css selects exists now and is
// rendered with a size (not display:none, not hidden, not zero-sized).
func (b *Tab) Visible(css string) bool {
	b.t.Helper()
	return Eval[bool](b, `(() => {
		const el = document.querySelector(`+jsString(css)+`);
		if (!el) return false;
		const r = el.getBoundingClientRect();
		const s = getComputedStyle(el);
		return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none";
	})()`)
}

// Rect is an element's box in CSS pixels.
type Rect struct{ X, Y, Width, Height float64 }

// Box returns the bounding box of the first element css selects.
func (b *Tab) Box(css string) Rect {
	b.t.Helper()
	step(b, "find "+css, chromedp.WaitReady(chromedp.CSS(css)))
	return Eval[Rect](b, `(() => {
		const r = document.querySelector(`+jsString(css)+`).getBoundingClientRect();
		return {X: r.x, Y: r.y, Width: r.width, Height: r.height};
	})()`)
}

// Path is the path and query of the current page.
func (b *Tab) Path() string {
	b.t.Helper()
	return Eval[string](b, "location.pathname + location.search")
}

// SetViewport emulates a window of w×h CSS pixels; mobile also makes the
// page lay out as on a phone (meta viewport, touch).
func (b *Tab) SetViewport(w, h int64, mobile bool) {
	b.t.Helper()
	var opts []chromedp.EmulateViewportOption
	if mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	b.Do(chromedp.EmulateViewport(w, h, opts...))
}

// SignIn signs in through the login form and waits for the next page. It
// returns that page's HTTP status.
func (b *Tab) SignIn(email, password string) int64 {
	b.t.Helper()
	b.Open("/login")
	b.Type("#f-email", email)
	b.Type("#f-password", password)
	return b.ClickAndWait(`form[action="/login"] button[type=submit]`)
}

// Screenshot writes a full-page PNG of the tab to path (folders created).
func (b *Tab) Screenshot(path string) {
	b.t.Helper()
	Screenshot(b.t, b.ctx, path)
}

// Screenshot writes a full-page PNG of the page in the chromedp context ctx
// to path, creating its folder; it fails the test on error.
func Screenshot(t testing.TB, ctx context.Context, path string) {
	t.Helper()
	if err := screenshot(ctx, path); err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
}

func screenshot(ctx context.Context, path string) error {
	ctx, cancel := context.WithTimeout(ctx, StepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func (b *Tab) saveFailureScreenshot() {
	root, err := RepoRoot()
	if err != nil {
		b.t.Logf("browsertest: no failure screenshot: %v", err)
		return
	}
	name := unsafeName.ReplaceAllString(b.t.Name(), "_") + ".png"
	path := filepath.Join(root, "test-artifacts", "browser", name)
	if err := screenshot(b.ctx, path); err != nil {
		b.t.Logf("browsertest: no failure screenshot: %v", err)
		return
	}
	b.t.Logf("browsertest: screenshot of the failure: %s (page %s)", path, b.location())
}

// RepoRoot is the folder holding go.mod, found by walking up from the
// working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("browsertest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}
