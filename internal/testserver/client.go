package testserver

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"vigil/internal/auth"
)

// Password is the password of users made by AddUser.
const Password = "correct horse battery staple"

// AddUser creates a user with Password.
func (s *Server) AddUser(t testing.TB, email string, role auth.Role) *auth.User {
	t.Helper()
	u, err := s.App.Users.Create(context.Background(), auth.NewUser{Email: email, Name: "User " + email, Role: role, Password: Password, Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Client is a browser-like HTTP client for tests: it keeps cookies, does
// not follow redirects (so each answer can be checked) and sends the CSRF
// token with every form it posts.
type Client struct {
	t    testing.TB
	base string
	HTTP *http.Client
	csrf string
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// NewClient opens the sign-in page to get a CSRF cookie and token.
func (s *Server) NewClient(t testing.TB) *Client {
	t.Helper()
	c := s.NewBareClient(t)
	c.loadCSRF()
	return c
}

// NewBareClient is a client that has visited nothing yet, so it has no
// cookies: for checking what a first visit gets. It opens the sign-in page
// for a CSRF token when a form first needs one.
func (s *Server) NewBareClient(t testing.TB) *Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &Client{t: t, base: s.URL, HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// loadCSRF opens the sign-in page (which sets the CSRF cookie) and keeps
// its token.
func (c *Client) loadCSRF() {
	c.t.Helper()
	_, body := c.Get("/login")
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatal("testserver: no CSRF token on /login")
	}
	c.csrf = m[1]
}

// Login signs in as email with Password and fails the test if it does not work.
func (c *Client) Login(email string) {
	c.t.Helper()
	resp, _ := c.Post("/login", url.Values{"email": {email}, "password": {Password}})
	if resp.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("testserver: login %s: status %d", email, resp.StatusCode)
	}
}

// Get fetches path and returns the response and its body.
func (c *Client) Get(path string) (*http.Response, string) {
	c.t.Helper()
	return c.Do(http.MethodGet, path, nil)
}

// Post submits form (with the CSRF token) to path.
func (c *Client) Post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", c.CSRF())
	}
	return c.Do(http.MethodPost, path, form)
}

// Do sends a request; form, when not nil, is sent as the body as is (a
// form without _csrf tests the CSRF check).
func (c *Client) Do(method, path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	return c.DoHeader(method, path, form, nil)
}

// DoHeader is Do with extra request headers, such as Origin or
// Accept-Language.
func (c *Client) DoHeader(method, path string, form url.Values, header http.Header) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, string(b)
}

// CSRF returns the client's CSRF token; a bare client first opens the
// sign-in page for one.
func (c *Client) CSRF() string {
	c.t.Helper()
	if c.csrf == "" {
		c.loadCSRF()
	}
	return c.csrf
}

// Cookie returns the cookie the client holds for the server under name, or
// nil.
func (c *Client) Cookie(name string) *http.Cookie {
	c.t.Helper()
	u, err := url.Parse(c.base)
	if err != nil {
		c.t.Fatal(err)
	}
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

// InsertID runs an INSERT … and returns the id of the row it made
// (RETURNING id is added), failing the test on an error.
func (s *Server) InsertID(t testing.TB, query string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := s.DB.Gorm.Raw(query+" RETURNING id", args...).Scan(&id).Error; err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return id
}

// Exec runs a statement for a fixture, failing the test on an error, and
// waits until the server has heard of it if it changed users or sessions
// (see SyncSessions).
func (s *Server) Exec(t testing.TB, query string, args ...any) {
	t.Helper()
	if err := s.DB.Gorm.Exec(query, args...).Error; err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if q := strings.ToLower(query); strings.Contains(q, "users") || strings.Contains(q, "sessions") {
		s.SyncSessions(t)
	}
}
