package browsertest

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/ceremony"
	"vigil/internal/delegation"
	"vigil/internal/demo"
	"vigil/internal/testserver"
	"vigil/internal/venue"
)

// axe-core 4.14.1 (MPL-2.0), from `npm pack axe-core@4.14.1`; sha256
// base64 KTSJmUUM3yhJqOcLeRL8LahahJ2jnA0NU5T1HUqe2Vw=, as in its
// sri-history.json. See testdata/README.md.
//
//go:embed testdata/axe.min.js
var axeSource string

type axeNode struct {
	Target  string `json:"target"`
	HTML    string `json:"html"`
	Summary string `json:"summary"`
}

type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

const axeRun = `(async () => {
	const r = await axe.run(document, {resultTypes: ["violations"]});
	return r.violations.map(v => ({
		id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map(n => ({target: String(n.target), html: n.html, summary: n.failureSummary || ""})),
	}));
})()`

// runAxe injects axe-core into the current page (DevTools evaluation, so
// the page's CSP does not apply) and returns its violations.
func runAxe(tab *Tab) []axeViolation {
	tab.t.Helper()
	if !Eval[bool](tab, "typeof window.axe === 'object'") {
		tab.Do(chromedp.Evaluate[chromedp.Void](axeSource))
	}
	return Run(tab, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
}

// checkA11y runs axe-core on the current page and fails the test on
// "critical" or "serious" violations; lesser ones are logged.
func checkA11y(t *testing.T, tab *Tab, page string) {
	t.Helper()
	for _, v := range runAxe(tab) {
		var b strings.Builder
		fmt.Fprintf(&b, "%s: axe %s [%s] %s (%s)", page, v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n\t%s\n\t\t%s\n\t\t%s", n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n\t\t"))
		}
		if v.Impact == "critical" || v.Impact == "serious" {
			t.Error(b.String())
		} else {
			t.Log(b.String())
		}
	}
}

// seedDemo adds the demo commemoration and accounts, so pages show data.
func seedDemo(t *testing.T, srv *testserver.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := demo.Seed(ctx, srv.App.Users, ceremony.NewStore(srv.DB.Gorm), venue.NewStore(srv.DB.Gorm), delegation.NewStore(srv.DB.Gorm), app.DemoInvitations(srv.DB, srv.App.Config.Secret), time.Now()); err != nil {
		t.Fatalf("demo seed: %v", err)
	}
}

// demoPaths are the planning pages of the demo edition.
func demoPaths(t *testing.T, srv *testserver.Server) (edition, ceremony string) {
	t.Helper()
	var row struct {
		Year int
		ID   int64
	}
	if err := srv.DB.Gorm.Raw("SELECT e.year, c.id FROM editions e JOIN ceremonies c ON c.edition_id = e.id ORDER BY c.starts_at LIMIT 1").Scan(&row).Error; err != nil || row.ID == 0 {
		t.Fatalf("demo edition: %v", err)
	}
	edition = fmt.Sprintf("/editions/%d", row.Year)
	return edition, fmt.Sprintf("%s/ceremonies/%d", edition, row.ID)
}

func TestAccessibility(t *testing.T) {
	srv, tab := setup(t)
	seedDemo(t, srv)
	org := createUser(t, srv, auth.RoleOrganizer, "Leyla Hasanova", "en")

	tab.Open("/login")
	checkA11y(t, tab, "login")

	tab.Type("#f-email", org.Email)
	tab.Type("#f-password", "not-the-right-password")
	tab.ClickAndWait(loginSubmit)
	checkA11y(t, tab, "login with errors")

	if status := tab.SignIn(org.Email, org.Password); status != http.StatusOK {
		t.Fatalf("sign-in: status %d", status)
	}
	checkA11y(t, tab, "dashboard")

	tab.Open("/users")
	checkA11y(t, tab, "users")

	tab.Open("/users/new")
	tab.ClickAndWait(`form[action="/users"] button[type=submit]`)
	checkA11y(t, tab, "user form with errors")

	tab.Open("/audit")
	checkA11y(t, tab, "audit log")

	for _, p := range directoryPages(t, srv) {
		if status := tab.Open(p.Path); status != http.StatusOK {
			t.Errorf("%s: status %d", p.Path, status)
		}
		checkA11y(t, tab, p.Name)
	}

	// The check itself works: an image without alt text is reported.
	tab.Do(chromedp.Evaluate[chromedp.Void](`document.querySelector("main").insertAdjacentHTML("beforeend", '<img src="/static/img/favicon.svg">')`))
	found := false
	for _, v := range runAxe(tab) {
		found = found || (v.ID == "image-alt" && v.Impact == "critical")
	}
	if !found {
		t.Errorf("axe did not report an <img> without alt: the accessibility check is not working")
	}
}

// TestScreenshotsForReview saves screenshots of the main pages at desktop
// and phone widths into test-artifacts/screens/ for people to look at. It
// runs only when VIGIL_SCREENSHOTS is set.
func TestScreenshotsForReview(t *testing.T) {
	if os.Getenv("VIGIL_SCREENSHOTS") == "" {
		t.Skip("set VIGIL_SCREENSHOTS=1 to save screenshots into test-artifacts/screens/")
	}
	srv, tab := setup(t)
	seedDemo(t, srv)
	org := createUser(t, srv, auth.RoleOrganizer, "Leyla Hasanova", "en")
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "test-artifacts", "screens")

	for _, vp := range []struct {
		name   string
		w, h   int64
		mobile bool
	}{
		{"desktop", DesktopWidth, DesktopHeight, false},
		{"phone", PhoneWidth, PhoneHeight, true},
	} {
		shot := func(name string) {
			t.Helper()
			// Let focus rings and fonts settle.
			tab.Do(chromedp.Sleep(100 * time.Millisecond))
			tab.Screenshot(filepath.Join(dir, name+"-"+vp.name+".png"))
		}
		tab.SetViewport(vp.w, vp.h, vp.mobile)
		// Signed out.
		tab.Open("/login")
		shot("login")
		tab.Type("#f-email", org.Email)
		tab.Type("#f-password", "not-the-right-password")
		tab.ClickAndWait(loginSubmit)
		shot("login-error")

		if status := tab.SignIn(org.Email, org.Password); status != http.StatusOK {
			t.Fatalf("sign-in: status %d", status)
		}
		shot("dashboard")
		tab.Open("/users")
		shot("users")
		tab.Open("/users/new")
		tab.ClickAndWait(`form[action="/users"] button[type=submit]`)
		shot("user-form-errors")
		tab.Open("/audit")
		shot("audit")
		ed, cer := demoPaths(t, srv)
		for name, path := range map[string]string{
			"editions": "/editions", "edition": ed, "day": ed + "/day", "ceremony": cer, "programme": cer + "/programme",
			"programme-print": cer + "/programme/print", "logistics": cer + "/logistics", "tasks": ed + "/tasks",
			"venues": "/venues", "my-tasks": "/my/tasks", "transport-print": ed + "/transport/print",
		} {
			tab.Open(path)
			shot(name)
		}
		for _, p := range directoryPages(t, srv) {
			tab.Open(p.Path)
			shot(p.Name)
		}
		tab.Open("/no-such-page")
		shot("404")
		tab.ClickAndWait(logoutButton)
		shot("signed-out")
	}
	t.Logf("screenshots in %s", dir)
}
