package auth_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"vigil/internal/auth"
	"vigil/internal/testserver"
)

func TestLoginMessages(t *testing.T) {
	srv := testserver.Start(t)
	srv.AddUser(t, "organizer@example.org", auth.RoleOrganizer)
	c := srv.NewClient(t)

	resp, body := c.Post("/login", url.Values{"email": {""}, "password": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter your e-mail address") || !strings.Contains(body, "Enter your password") {
		t.Fatalf("empty login: %d", resp.StatusCode)
	}
	resp, body = c.Post("/login", url.Values{"email": {"organizer@example.org"}, "password": {"wrong password"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "The e-mail address or password is not correct") {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
	if !strings.Contains(body, `value="organizer@example.org"`) || strings.Contains(body, `value="wrong password"`) {
		t.Fatal("the e-mail must be kept and the password not")
	}
	// Unknown account: exactly the same answer.
	resp2, body2 := c.Post("/login", url.Values{"email": {"nobody@example.org"}, "password": {"wrong password"}})
	if resp2.StatusCode != resp.StatusCode || !strings.Contains(body2, "The e-mail address or password is not correct") {
		t.Fatalf("unknown account answers differently: %d", resp2.StatusCode)
	}
	// Three more failures reach the account limit.
	for i := 0; i < auth.MaxEmailFailure-1; i++ {
		c.Post("/login", url.Values{"email": {"organizer@example.org"}, "password": {"wrong password"}})
	}
	resp, body = c.Post("/login", url.Values{"email": {"organizer@example.org"}, "password": {testserver.Password}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed sign-in attempts. Try again in 15 minutes.") || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("throttled: %d %s", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

func TestLoginRedirectsBackAndLogoutEndsSession(t *testing.T) {
	srv := testserver.Start(t)
	srv.AddUser(t, "organizer@example.org", auth.RoleOrganizer)
	c := srv.NewClient(t)
	resp, _ := c.Get("/users?page=1")
	if loc := resp.Header.Get("Location"); loc != "/login?next=%2Fusers%3Fpage%3D1" {
		t.Fatalf("redirect to %q", loc)
	}
	resp, _ = c.Post("/login", url.Values{"email": {"organizer@example.org"}, "password": {testserver.Password}, "next": {"/users?page=1"}})
	if loc := resp.Header.Get("Location"); loc != "/users?page=1" {
		t.Fatalf("after login sent to %q", loc)
	}
	// Keep the session cookie to replay it after logout.
	session := c.Cookie("vigil_session")
	if session == nil {
		t.Fatal("no session cookie")
	}
	resp, _ = c.Post("/logout", url.Values{})
	if resp.Header.Get("Location") != "/login?signed_out=1" {
		t.Fatalf("logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The old session id is dead on the server, not only in this browser.
	resp, _ = srv.NewBareClient(t).DoHeader(http.MethodGet, "/", nil, http.Header{"Cookie": {session.String()}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("replayed session after logout: %d", resp.StatusCode)
	}
}

func TestManageUsers(t *testing.T) {
	srv := testserver.Start(t)
	srv.AddUser(t, "organizer@example.org", auth.RoleOrganizer)
	org := srv.NewClient(t)
	org.Login("organizer@example.org")

	// Bad input: every problem beside its field, nothing saved.
	resp, body := org.Post("/users", url.Values{"name": {""}, "email": {"not-an-email"}, "role": {"king"}, "locale": {"en"}, "password": {"short"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad user: %d", resp.StatusCode)
	}
	for _, want := range []string{
		`href="#f-name"`, "Enter the person&#39;s full name", "Enter an e-mail address in the form name@example.org",
		"Choose a role", "The password must be at least 12 characters long", `value="not-an-email"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("bad user form lacks %q", want)
		}
	}
	users, total, err := srv.App.Users.List(context.Background(), auth.ListFilter{}, 0, 10)
	if err != nil || total != 1 {
		t.Fatalf("a failed save created something: %d users %v", total, users)
	}

	// A good one, then the same e-mail again.
	form := url.Values{"name": {"Leyla Həsənova"}, "email": {"leyla@example.org"}, "role": {"staff"}, "locale": {"az"}, "password": {"a long enough password"}}
	resp, _ = org.Post("/users", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	_, body = org.Get("/users")
	if !strings.Contains(body, "Leyla Həsənova was added.") || !strings.Contains(body, "leyla@example.org") {
		t.Fatal("list does not show the new user and the flash")
	}
	resp, body = org.Post("/users", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Another user already has this e-mail address") {
		t.Fatalf("duplicate: %d", resp.StatusCode)
	}

	leyla, err := srv.App.Users.ByEmail(context.Background(), "leyla@example.org")
	if err != nil {
		t.Fatal(err)
	}
	staff := srv.NewClient(t)
	staffLogin := func() *http.Response {
		resp, _ := staff.Post("/login", url.Values{"email": {"leyla@example.org"}, "password": {"a long enough password"}})
		return resp
	}
	if resp := staffLogin(); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("new user cannot sign in: %d", resp.StatusCode)
	}
	// Her interface is in Azerbaijani.
	if _, body := staff.Get("/"); !strings.Contains(body, `lang="az"`) || !strings.Contains(body, "İdarə paneli") {
		t.Fatal("staff dashboard is not in the user's language")
	}

	// Two editors: the second, with the old version, is told.
	edit := func(c *testserver.Client, version int, name string, disabled bool) (*http.Response, string) {
		f := url.Values{"name": {name}, "email": {"leyla@example.org"}, "role": {"staff"}, "locale": {"az"}, "version": {strconv.Itoa(version)}}
		if disabled {
			f.Set("disabled", "on")
		}
		return c.Post("/users/"+strconv.FormatInt(leyla.ID, 10), f)
	}
	if resp, _ := edit(org, leyla.Version, "Leyla Hasanova", false); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", resp.StatusCode)
	}
	resp, body = edit(org, leyla.Version, "Somebody Else", false)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Someone else saved this record") {
		t.Fatalf("stale edit: %d", resp.StatusCode)
	}
	if got, _ := srv.App.Users.ByID(context.Background(), leyla.ID); got.Name != "Leyla Hasanova" {
		t.Fatalf("stale edit saved %q", got.Name)
	}

	// Disabling signs her out at once.
	if resp, _ := edit(org, leyla.Version+1, "Leyla Hasanova", true); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if resp, _ := staff.Get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disabled user still in: %d", resp.StatusCode)
	}
	if resp := staffLogin(); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("disabled user signed in: %d", resp.StatusCode)
	}

	// The last organizer cannot demote themself.
	me, _ := srv.App.Users.ByEmail(context.Background(), "organizer@example.org")
	resp, body = org.Post("/users/"+strconv.FormatInt(me.ID, 10), url.Values{
		"name": {me.Name}, "email": {me.Email}, "role": {"staff"}, "locale": {"en"}, "version": {strconv.Itoa(me.Version)},
	})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "This is the last active organizer") {
		t.Fatalf("last organizer demoted: %d", resp.StatusCode)
	}

	// Password reset: too short refused, a good one works.
	resp, body = org.Post("/users/"+strconv.FormatInt(leyla.ID, 10)+"/password", url.Values{"password": {"short"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "at least 12 characters") {
		t.Fatalf("short reset: %d", resp.StatusCode)
	}
	if resp, _ := org.Post("/users/"+strconv.FormatInt(leyla.ID, 10)+"/password", url.Values{"password": {"brand new password 1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", resp.StatusCode)
	}

	// Everything above is in the audit log, per record and in whole.
	_, body = org.Get("/audit?type=user&id=" + strconv.FormatInt(leyla.ID, 10))
	for _, want := range []string{"History of user #", "Leyla Həsənova", "Leyla Hasanova", "password", "disabled", "User organizer@example.org &lt;organizer@example.org&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("record history lacks %q", want)
		}
	}
	if strings.Contains(body, "brand new password") {
		t.Error("the audit log shows a password")
	}
	if _, body := org.Get("/audit"); !strings.Contains(body, "login") {
		t.Error("whole audit log lacks sign-ins")
	}
	if resp, _ := org.Get("/users/999999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown user: %d", resp.StatusCode)
	}
}
