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
// token with every form.
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
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{t: t, base: s.URL, HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	_, body := c.Get("/login")
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("testserver: no CSRF token on /login")
	}
	c.csrf = m[1]
	return c
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
		form.Set("_csrf", c.csrf)
	}
	return c.Do(http.MethodPost, path, form)
}

// Do sends a request; form, when not nil, is sent as the body as is.
func (c *Client) Do(method, path string, form url.Values) (*http.Response, string) {
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

// CSRF returns the client's CSRF token.
func (c *Client) CSRF() string { return c.csrf }

// Follow fetches the page a redirect points to.
func (c *Client) Follow(resp *http.Response) (*http.Response, string) {
	c.t.Helper()
	loc := resp.Header.Get("Location")
	if loc == "" {
		c.t.Fatalf("no redirect (status %d)", resp.StatusCode)
	}
	return c.Get(loc)
}
