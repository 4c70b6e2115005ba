package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"vigil/internal/auth"
	"vigil/internal/server"
	"vigil/internal/testserver"
)

// fixture holds one record of every kind the routes address, so each route
// can be called with parameters that exist.
type fixture struct {
	user, venue, zone, gate, ceremony, item, resource, transport, task    int64
	delegation, guest, otherGuest, participation, guestImport, invitation int64
}

func seedFixture(t *testing.T, srv *testserver.Server, user int64) fixture {
	t.Helper()
	f := fixture{user: user}
	db := srv.DB.Gorm
	one := func(dst *int64, sql string, args ...any) {
		t.Helper()
		if err := db.Raw(sql, args...).Scan(dst).Error; err != nil {
			t.Fatalf("fixture %q: %v", sql, err)
		}
	}
	var cm, ed int64
	one(&cm, "INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku') RETURNING id")
	one(&ed, "INSERT INTO editions (commemoration_id, year) VALUES (?, 2026) RETURNING id", cm)
	one(&f.venue, "INSERT INTO venues (name) VALUES ('Memorial') RETURNING id")
	one(&f.zone, "INSERT INTO zones (venue_id, name, capacity) VALUES (?, 'Guests', 100) RETURNING id", f.venue)
	one(&f.gate, "INSERT INTO gates (venue_id, name) VALUES (?, 'Gate 1') RETURNING id", f.venue)
	one(&f.ceremony, "INSERT INTO ceremonies (edition_id, title, venue_id, starts_at, ends_at) VALUES (?, 'Wreath-laying', ?, '2026-02-26 07:00Z', '2026-02-26 08:30Z') RETURNING id", ed, f.venue)
	one(&f.item, "INSERT INTO programme_items (ceremony_id, starts_at, duration_minutes, title) VALUES (?, '2026-02-26 07:00Z', 20, 'Arrival') RETURNING id", f.ceremony)
	one(&f.resource, "INSERT INTO resources (ceremony_id, item) VALUES (?, 'Wreath stands') RETURNING id", f.ceremony)
	one(&f.transport, "INSERT INTO transports (ceremony_id, vehicle) VALUES (?, 'Minibus') RETURNING id", f.ceremony)
	one(&f.task, "INSERT INTO tasks (edition_id, ceremony_id, title, assignee_id) VALUES (?, ?, 'Order wreaths', ?) RETURNING id", ed, f.ceremony, user)
	one(&f.delegation, "INSERT INTO delegations (name, kind, country) VALUES ('Embassy of France', 'diplomatic_mission', 'FR') RETURNING id")
	one(&f.guest, "INSERT INTO guests (given_name, family_name, delegation_id) VALUES ('Anne', 'Martin', ?) RETURNING id", f.delegation)
	one(&f.otherGuest, "INSERT INTO guests (given_name, family_name, delegation_id) VALUES ('Ann', 'Martin', ?) RETURNING id", f.delegation)
	one(&f.participation, "INSERT INTO participations (edition_id, delegation_id, head_guest_id) VALUES (?, ?, ?) RETURNING id", ed, f.delegation, f.guest)
	one(&f.guestImport, `INSERT INTO guest_imports (user_id, filename, content, status, result)
		VALUES (?, 'guests.csv', convert_to('Family name'||chr(10)||'Martin'||chr(10), 'UTF8'), 'committed', '{"created": 1}') RETURNING id`, user)
	one(&f.invitation, `INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code)
		VALUES (?, ?, 'nonce', 'hash', 'FIXTURECODE1') RETURNING id`, ed, f.guest)
	return f
}

// concrete replaces route parameters with ids that exist.
func (f fixture) concrete(path string) string {
	id := f.user
	switch {
	case strings.HasPrefix(path, "/venues/"):
		id = f.venue
	case strings.HasPrefix(path, "/editions/:year/ceremonies/:id"):
		id = f.ceremony
	case strings.HasPrefix(path, "/editions/:year/invitations/:id"):
		id = f.invitation
	case strings.HasPrefix(path, "/delegations/"):
		id = f.delegation
	case strings.HasPrefix(path, "/guests/import/"):
		id = f.guestImport
	case strings.HasPrefix(path, "/guests/"):
		id = f.guest
	}
	if path == "/guests/merge" {
		path += "?keep=" + strconv.FormatInt(f.guest, 10) + "&drop=" + strconv.FormatInt(f.otherGuest, 10)
	}
	r := strings.NewReplacer(
		":year", "2026",
		":id", strconv.FormatInt(id, 10),
		":item", strconv.FormatInt(f.item, 10),
		":zone", strconv.FormatInt(f.zone, 10),
		":gate", strconv.FormatInt(f.gate, 10),
		":ceremony", strconv.FormatInt(f.ceremony, 10),
		":rid", strconv.FormatInt(f.resource, 10),
		":tid", strconv.FormatInt(f.transport, 10),
		":task", strconv.FormatInt(f.task, 10),
		":pid", strconv.FormatInt(f.participation, 10),
		"*", "css/vigil.css",
	)
	return r.Replace(path)
}

// TestRouteTableAccess walks every route in the table as an anonymous
// visitor, a staff member and an organizer and checks the answer: anonymous
// users are sent to sign in, staff cannot reach organizer pages, and no
// state-changing route works without a CSRF token.
func TestRouteTableAccess(t *testing.T) {
	srv := testserver.Start(t)
	staffUser := srv.AddUser(t, "staff@example.org", auth.RoleStaff)
	srv.AddUser(t, "organizer@example.org", auth.RoleOrganizer)

	anon := srv.NewClient(t)
	staff := srv.NewClient(t)
	staff.Login("staff@example.org")
	org := srv.NewClient(t)
	org.Login("organizer@example.org")

	fx := seedFixture(t, srv, staffUser.ID)
	routes := srv.App.Server.Routes()
	if len(routes) < 10 {
		t.Fatalf("route table has only %d routes", len(routes))
	}
	for _, r := range routes {
		path := fx.concrete(r.Path)
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			if r.Method == http.MethodGet {
				resp, _ := anon.Get(path)
				switch r.Access {
				case server.Staff, server.Organizer:
					if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
						t.Errorf("anonymous GET %s: %d %q, want redirect to /login", path, resp.StatusCode, resp.Header.Get("Location"))
					}
				case server.Public, server.Bare:
					if strings.HasPrefix(r.Path, "/rsvp") {
						// A guest page without a valid personal link: the
						// same 404 whether or not a token exists.
						if resp.StatusCode != http.StatusNotFound {
							t.Errorf("anonymous GET %s: %d, want 404", path, resp.StatusCode)
						}
					} else if resp.StatusCode >= 400 && r.Path != "/readyz" {
						t.Errorf("anonymous GET %s: %d, want success", path, resp.StatusCode)
					}
				}
				resp, _ = staff.Get(path)
				if r.Access == server.Organizer && resp.StatusCode != http.StatusForbidden {
					t.Errorf("staff GET %s: %d, want 403", path, resp.StatusCode)
				}
				if r.Access == server.Staff && resp.StatusCode != http.StatusOK {
					t.Errorf("staff GET %s: %d, want 200", path, resp.StatusCode)
				}
				resp, _ = org.Get(path)
				if (r.Access == server.Organizer || r.Access == server.Staff) && resp.StatusCode != http.StatusOK {
					t.Errorf("organizer GET %s: %d, want 200", path, resp.StatusCode)
				}
				return
			}
			// State-changing routes: without a CSRF token nobody gets
			// through, not even an organizer.
			resp, _ := org.Do(r.Method, path, url.Values{"name": {"x"}})
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("organizer %s %s without CSRF token: %d, want 403", r.Method, path, resp.StatusCode)
			}
			if r.Access == server.Organizer {
				resp, _ := staff.Post(path, url.Values{"name": {"x"}})
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("staff %s %s: %d, want 403", r.Method, path, resp.StatusCode)
				}
				resp, _ = anon.Post(path, url.Values{"name": {"x"}})
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
					t.Errorf("anonymous %s %s: %d, want redirect to /login", r.Method, path, resp.StatusCode)
				}
			}
		})
	}
}

func TestSecurityHeadersAndCookies(t *testing.T) {
	srv := testserver.Start(t)
	srv.AddUser(t, "organizer@example.org", auth.RoleOrganizer)
	// A first visit, so that the answer sets the cookies checked below.
	c := srv.NewBareClient(t)
	resp, _ := c.Get("/login")
	h := resp.Header
	for name, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "same-origin",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	csp := h.Get("Content-Security-Policy")
	for _, part := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'self'"} {
		if !strings.Contains(csp, part) {
			t.Errorf("CSP %q lacks %q", csp, part)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	if h.Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id")
	}
	// Anonymous pages set no session cookie (no session row per visitor).
	for _, ck := range resp.Cookies() {
		if ck.Name == "vigil_session" {
			t.Error("anonymous GET /login created a session")
		}
		if ck.Name == "vigil_csrf" && (!ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode) {
			t.Errorf("CSRF cookie flags: %+v", ck)
		}
	}

	// Sign-in issues a new session id each time (no fixation), HttpOnly,
	// SameSite=Lax.
	resp, _ = c.Post("/login", url.Values{"email": {"organizer@example.org"}, "password": {testserver.Password}})
	first := sessionCookie(t, resp)
	if !first.HttpOnly || first.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie flags: %+v", first)
	}
	resp, _ = c.Post("/login", url.Values{"email": {"organizer@example.org"}, "password": {testserver.Password}})
	second := sessionCookie(t, resp)
	if first.Value == second.Value {
		t.Error("signing in again kept the same session id")
	}
}

func sessionCookie(t *testing.T, resp *http.Response) *http.Cookie {
	t.Helper()
	for _, ck := range resp.Cookies() {
		if ck.Name == "vigil_session" {
			return ck
		}
	}
	t.Fatalf("no session cookie set (status %d)", resp.StatusCode)
	return nil
}

func TestCrossOriginPostRefused(t *testing.T) {
	srv := testserver.Start(t)
	srv.AddUser(t, "organizer@example.org", auth.RoleOrganizer)
	c := srv.NewClient(t)
	// A good token, but sent from another site.
	resp, _ := c.DoHeader(http.MethodPost, "/login", url.Values{"_csrf": {c.CSRF()}, "email": {"organizer@example.org"}, "password": {testserver.Password}},
		http.Header{"Origin": {"https://evil.example"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin POST: %d, want 403", resp.StatusCode)
	}
}

func TestProbesAndErrorPages(t *testing.T) {
	srv := testserver.Start(t)
	// A first visit, without any cookie yet.
	c := srv.NewBareClient(t)
	if resp, body := c.Get("/healthz"); resp.StatusCode != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", resp.StatusCode, body)
	}
	if resp, _ := c.Get("/readyz"); resp.StatusCode != 200 {
		t.Errorf("/readyz: %d", resp.StatusCode)
	}
	resp, body := c.Get("/no/such/page")
	if resp.StatusCode != 404 || !strings.Contains(body, "Page not found") || !strings.Contains(body, `class="error-page"`) {
		t.Errorf("404 page: %d\n%s", resp.StatusCode, body)
	}
	// The missing-token page explains itself in the visitor's language.
	resp2, b := c.DoHeader(http.MethodPost, "/login", url.Values{"email": {"a@b.org"}, "password": {"x"}}, http.Header{"Accept-Language": {"ru"}})
	if resp2.StatusCode != 403 || !strings.Contains(b, "Срок действия формы истёк") {
		t.Errorf("CSRF failure page: %d\n%s", resp2.StatusCode, b)
	}
}

func TestStaticAssetsAreCacheBusted(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.NewClient(t)
	_, body := c.Get("/login")
	m := regexp.MustCompile(`href="(/static/css/vigil\.css\?v=[0-9a-f]{12})"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no versioned stylesheet link on /login")
	}
	resp, css := c.Get(m[1])
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || len(css) < 100 {
		t.Errorf("stylesheet: %d %q (%d bytes)", resp.StatusCode, resp.Header.Get("Cache-Control"), len(css))
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet content type %q", resp.Header.Get("Content-Type"))
	}
	if resp, _ := c.Get("/static/../go.mod"); resp.StatusCode != 404 {
		t.Errorf("path traversal: %d", resp.StatusCode)
	}
}

func TestMetricsCountRoutes(t *testing.T) {
	srv := testserver.Start(t)
	srv.AddUser(t, "organizer@example.org", auth.RoleOrganizer)
	c := srv.NewClient(t)
	c.Login("organizer@example.org")
	c.Get("/users")
	_, body := c.Get("/metrics")
	if !strings.Contains(body, `vigil_http_requests_total{method="GET",route="/users",status="200"} 1`) {
		t.Errorf("metrics do not count GET /users:\n%s", grepLines(body, "vigil_http_requests_total"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
