package browsertest

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vigil/internal/auth"
)

const (
	loginSubmit  = `form[action="/login"] button[type=submit]`
	logoutButton = `header.site-header .user-menu form[action="/logout"] button`
	navUsers     = `header.site-header nav a[href="/users"]`
	navAudit     = `header.site-header nav a[href="/audit"]`
)

func TestLoginDashboardLogout(t *testing.T) {
	srv, tab := setup(t)
	org := createUser(t, srv, auth.RoleOrganizer, "Leyla Hasanova", "en")

	tab.Open("/login")
	if got := tab.Text("h1.page-title"); got != "Sign in to Vigil" {
		t.Fatalf("login heading = %q", got)
	}
	tab.Type("#f-email", org.Email)
	tab.Type("#f-password", org.Password)
	if status := tab.ClickAndWait(loginSubmit); status != http.StatusOK {
		t.Fatalf("after sign-in: status %d", status)
	}
	tab.Do(chromedp.WaitVisible(chromedp.CSS("h1.page-title")))
	if p := tab.Path(); p != "/" {
		t.Errorf("after sign-in the path is %q, want /", p)
	}
	if got := tab.Text("h1.page-title"); got != "Dashboard" {
		t.Errorf("dashboard heading = %q, want Dashboard", got)
	}
	if got := tab.Text("header.site-header .user-menu__name"); got != org.Name {
		t.Errorf("header shows user %q, want %q", got, org.Name)
	}
	if !tab.Visible(navUsers) {
		t.Errorf("an organizer's nav has no visible Users link")
	} else if got := tab.Text(navUsers); got != "Users" {
		t.Errorf("Users link text = %q", got)
	}
	if got := tab.Text(`header.site-header nav a[aria-current="page"]`); got != "Dashboard" {
		t.Errorf("current nav item = %q, want Dashboard", got)
	}

	if status := tab.ClickAndWait(logoutButton); status != http.StatusOK {
		t.Fatalf("after sign-out: status %d", status)
	}
	if p := tab.Path(); p != "/login?signed_out=1" {
		t.Errorf("after sign-out the path is %q, want /login?signed_out=1", p)
	}
	if !tab.Visible(".flash") {
		t.Errorf("no visible flash after sign-out")
	} else if got := tab.Text(".flash"); got != "You have signed out." {
		t.Errorf("flash = %q", got)
	}
	if n := tab.Count("header.site-header"); n != 0 {
		t.Errorf("the signed-in header is still shown after sign-out")
	}

	// The session really ended: the dashboard sends us back to sign in.
	tab.Open("/")
	if p := tab.Path(); !strings.HasPrefix(p, "/login") {
		t.Fatalf("after sign-out, / shows %q instead of the login page", p)
	}
	if got := tab.Text("h1.page-title"); got != "Sign in to Vigil" {
		t.Errorf("heading after opening / signed out = %q", got)
	}
}

func TestLoginWrongPasswordShowsError(t *testing.T) {
	srv, tab := setup(t)
	org := createUser(t, srv, auth.RoleOrganizer, "Leyla Hasanova", "en")

	tab.Open("/login")
	tab.Type("#f-email", org.Email)
	tab.Type("#f-password", "not-the-right-password")
	if status := tab.ClickAndWait(loginSubmit); status != http.StatusUnauthorized {
		t.Errorf("wrong password: status %d, want 401", status)
	}
	if p := tab.Path(); p != "/login" {
		t.Errorf("wrong password: path %q, want /login", p)
	}
	if !tab.Visible(".error-summary") {
		t.Fatalf("no visible .error-summary")
	}
	if got := tab.Text(".error-summary__title"); got != "There is a problem" {
		t.Errorf("error summary title = %q", got)
	}
	link := `.error-summary a[href="#f-email"]`
	if tab.Count(link) != 1 {
		t.Fatalf("the error summary has no link to #f-email")
	}
	if got := tab.Text(link); got != "The e-mail address or password is not correct" {
		t.Errorf("error summary link = %q", got)
	}
	if !tab.Visible("#f-email-error.field-error") {
		t.Errorf("no visible error beside the e-mail field")
	}
	if got := tab.Value("#f-email"); got != org.Email {
		t.Errorf("e-mail field = %q, want the typed %q", got, org.Email)
	}
	if got := tab.Value("#f-password"); got != "" {
		t.Errorf("password field = %q, want empty", got)
	}
	if got := Eval[string](tab, `document.activeElement ? document.activeElement.className : ""`); !strings.Contains(got, "error-summary") {
		t.Errorf("focus is on %q, want the error summary", got)
	}
	// The summary link moves focus to the field (GOV.UK behaviour).
	tab.Do(chromedp.Click(chromedp.CSS(link)))
	if got := Eval[string](tab, `document.activeElement ? document.activeElement.id : ""`); got != "f-email" {
		t.Errorf("after clicking the summary link focus is on %q, want f-email", got)
	}
}

func TestStaffCannotOpenUsers(t *testing.T) {
	srv, tab := setup(t)
	staff := createUser(t, srv, auth.RoleStaff, "Aysel Mammadova", "en")

	if status := tab.SignIn(staff.Email, staff.Password); status != http.StatusOK {
		t.Fatalf("staff sign-in: status %d", status)
	}
	if p := tab.Path(); p != "/" {
		t.Fatalf("staff lands on %q, want /", p)
	}
	if tab.Count(`header.site-header nav a[href="/"]`) != 1 {
		t.Fatalf("the nav is missing (no Dashboard link)")
	}
	if n := tab.Count(navUsers); n != 0 {
		t.Errorf("staff nav has %d Users links, want none", n)
	}
	if n := tab.Count(navAudit); n != 0 {
		t.Errorf("staff nav has %d Audit links, want none", n)
	}

	if status := tab.Open("/users"); status != http.StatusForbidden {
		t.Errorf("staff opening /users: status %d, want 403", status)
	}
	if got := tab.Text(".error-page h1"); got != "You cannot open this page" {
		t.Errorf("403 page heading = %q", got)
	}
	if got := tab.Text(".error-page__code"); got != "403" {
		t.Errorf("403 page code = %q", got)
	}
	// Still signed in: the error page keeps the header.
	if got := tab.Text("header.site-header .user-menu__name"); got != staff.Name {
		t.Errorf("header on the 403 page shows %q", got)
	}
}

func TestOrganizerAddsUser(t *testing.T) {
	srv, tab := setup(t)
	org := createUser(t, srv, auth.RoleOrganizer, "Leyla Hasanova", "en")
	if status := tab.SignIn(org.Email, org.Password); status != http.StatusOK {
		t.Fatalf("sign-in: status %d", status)
	}

	if status := tab.Open("/users/new"); status != http.StatusOK {
		t.Fatalf("/users/new: status %d", status)
	}
	if got := tab.Text("h1.page-title"); got != "Add a user" {
		t.Errorf("form heading = %q", got)
	}
	submit := `form[action="/users"] button[type=submit]`

	// Empty: errors beside each required field and in the summary.
	if status := tab.ClickAndWait(submit); status != http.StatusUnprocessableEntity {
		t.Errorf("empty form: status %d, want 422", status)
	}
	for _, f := range []struct{ field, msg string }{
		{"name", "Enter the person's full name"},
		{"email", "Enter an e-mail address"},
		{"password", "Enter a password"},
	} {
		sel := "#f-" + f.field + "-error.field-error"
		if !tab.Visible(sel) {
			t.Errorf("no visible error beside %s", f.field)
			continue
		}
		if got := tab.Text(sel); !strings.HasSuffix(got, f.msg) {
			t.Errorf("error beside %s = %q, want …%q", f.field, got, f.msg)
		}
		if n := tab.Count(`.error-summary a[href="#f-` + f.field + `"]`); n != 1 {
			t.Errorf("error summary links to #f-%s %d times, want once", f.field, n)
		}
		if got := Eval[string](tab, `document.getElementById("f-`+f.field+`").getAttribute("aria-invalid") || ""`); got != "true" {
			t.Errorf("#f-%s aria-invalid = %q", f.field, got)
		}
	}

	// Valid: redirected to the list with a success message and the new row.
	tab.Type("#f-name", "Nigar Quliyeva")
	tab.Type("#f-email", "nigar.quliyeva@example.org")
	tab.Do(
		chromedp.SetValue(chromedp.CSS("#f-role"), string(auth.RoleOrganizer)),
		chromedp.SetValue(chromedp.CSS("#f-locale"), "az"),
	)
	tab.Type("#f-password", "a-long-enough-password")
	if status := tab.ClickAndWait(submit); status != http.StatusOK {
		t.Fatalf("valid form: status %d", status)
	}
	if p := tab.Path(); p != "/users" {
		t.Errorf("after adding: path %q, want /users", p)
	}
	if !tab.Visible(".flash.flash--success") {
		t.Errorf("no visible success flash")
	} else if got := tab.Text(".flash"); got != "Nigar Quliyeva was added." {
		t.Errorf("flash = %q", got)
	}
	row := Eval[[]string](tab, `(() => {
		for (const tr of document.querySelectorAll("table.table tbody tr")) {
			const cells = [...tr.cells].map(td => td.innerText.trim());
			if (cells[1] === "nigar.quliyeva@example.org") return cells;
		}
		return [];
	})()`)
	if len(row) < 3 {
		t.Fatalf("the new user is not in the table")
	}
	if row[0] != "Nigar Quliyeva" || row[2] != "Organizer" {
		t.Errorf("new row = %q, want name Nigar Quliyeva and role Organizer", row)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u, err := srv.App.Users.ByEmail(ctx, "nigar.quliyeva@example.org")
	if err != nil {
		t.Fatalf("stored user: %v", err)
	}
	if u.Role != auth.RoleOrganizer || u.Locale != "az" || u.Name != "Nigar Quliyeva" {
		t.Errorf("stored user = %+v", u)
	}
}

func TestLanguageSwitchOnLogin(t *testing.T) {
	_, tab := setup(t)
	tab.Open("/login")
	if got := Eval[string](tab, "document.documentElement.lang"); got != "en" {
		t.Errorf("default lang = %q, want en", got)
	}
	az := `footer.site-footer .language-switch button[value="az"]`
	if got := tab.Text(az); got != "Azərbaycanca" {
		t.Errorf("language button = %q, want Azərbaycanca", got)
	}
	if status := tab.ClickAndWait(az); status != http.StatusOK {
		t.Fatalf("after switching: status %d", status)
	}
	if p := tab.Path(); p != "/login" {
		t.Errorf("after switching: path %q, want /login", p)
	}
	if got := Eval[string](tab, "document.documentElement.lang"); got != "az" {
		t.Errorf("lang = %q, want az", got)
	}
	if got := tab.Text("h1.page-title"); got != "Vigil-ə daxil olun" {
		t.Errorf("heading = %q, want Vigil-ə daxil olun", got)
	}
	if got := Eval[string](tab, `document.querySelector(`+jsString(az)+`).getAttribute("aria-current") || ""`); got != "true" {
		t.Errorf("the Azərbaycanca button is not marked current")
	}
	// The choice is remembered on the next visit.
	tab.Open("/login")
	if got := Eval[string](tab, "document.documentElement.lang"); got != "az" {
		t.Errorf("lang on the next visit = %q, want az", got)
	}
}

func TestPhoneWidthLogin(t *testing.T) {
	srv, tab := setup(t)
	org := createUser(t, srv, auth.RoleOrganizer, "Leyla Hasanova", "en")
	tab.SetViewport(PhoneWidth, PhoneHeight, true)

	tab.Open("/login")
	if w := Eval[float64](tab, "window.innerWidth"); w != PhoneWidth {
		t.Fatalf("viewport width = %v, want %d", w, PhoneWidth)
	}
	noHorizontalScroll(t, tab, "/login")
	btn := tab.Box(loginSubmit)
	if btn.Height < 44 || btn.Width < 44 {
		t.Errorf("submit button is %.0f×%.0f px, want at least 44×44", btn.Width, btn.Height)
	}
	if btn.X < 0 || btn.X+btn.Width > PhoneWidth {
		t.Errorf("submit button spans x %.0f–%.0f, outside the %d px screen", btn.X, btn.X+btn.Width, PhoneWidth)
	}
	for _, f := range []string{"#f-email", "#f-password"} {
		b := tab.Box(f)
		if b.Height < 44 {
			t.Errorf("%s is %.0f px high, want at least 44", f, b.Height)
		}
		if b.X < 0 || b.X+b.Width > PhoneWidth {
			t.Errorf("%s spans x %.0f–%.0f, outside the screen", f, b.X, b.X+b.Width)
		}
	}

	// And it works: sign in with taps' worth of clicks at this width.
	tab.Type("#f-email", org.Email)
	tab.Type("#f-password", org.Password)
	if status := tab.ClickAndWait(loginSubmit); status != http.StatusOK {
		t.Fatalf("sign-in at phone width: status %d", status)
	}
	if p := tab.Path(); p != "/" {
		t.Fatalf("after sign-in at phone width: path %q", p)
	}
	noHorizontalScroll(t, tab, "/")
	if !tab.Visible(logoutButton) {
		t.Errorf("the sign-out button is not visible at phone width")
	}
}

func noHorizontalScroll(t *testing.T, tab *Tab, page string) {
	t.Helper()
	sw := Eval[float64](tab, "document.documentElement.scrollWidth")
	if sw > PhoneWidth {
		wide := Eval[[]string](tab, `[...document.querySelectorAll("body *")]
			.filter(el => el.getBoundingClientRect().right > innerWidth + 0.5)
			.slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).trim().split(/\s+/).join(".") : ""))`)
		t.Errorf("%s scrolls sideways at %d px: scrollWidth %.0f; too wide: %v", page, PhoneWidth, sw, wide)
	}
}
