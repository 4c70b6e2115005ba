package delegation_test

import (
	"net/http"
	"strings"
	"testing"

	"vigil/internal/auth"
	"vigil/internal/testserver"
)

// Helpers of the HTTP tests of this package.

// signIn adds a user and returns a client signed in as them.
func signIn(t *testing.T, srv *testserver.Server, email string, role auth.Role) *testserver.Client {
	t.Helper()
	srv.AddUser(t, email, role)
	c := srv.NewClient(t)
	c.Login(email)
	return c
}

// want checks that body has every one of parts.
func want(t *testing.T, what, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("%s lacks %q", what, p)
		}
	}
}

// lacks checks that body has none of parts.
func lacks(t *testing.T, what, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(body, p) {
			t.Errorf("%s should not contain %q", what, p)
		}
	}
}

// status stops the test unless resp has code.
func status(t *testing.T, what string, resp *http.Response, code int) {
	t.Helper()
	if resp.StatusCode != code {
		t.Fatalf("%s: status %d, want %d", what, resp.StatusCode, code)
	}
}

// sqlInt runs a query that returns one number.
func sqlInt(t *testing.T, srv *testserver.Server, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := srv.DB.Gorm.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%q: %v", query, err)
	}
	return n
}

// sqlText runs a query that returns one string.
func sqlText(t *testing.T, srv *testserver.Server, query string, args ...any) string {
	t.Helper()
	var s string
	if err := srv.DB.Gorm.Raw(query, args...).Scan(&s).Error; err != nil {
		t.Fatalf("%q: %v", query, err)
	}
	return s
}
