package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
)

// A session is touched at most every ten minutes and ends after four idle
// hours; anonymous visitors get no session row.
func TestIdleSessions(t *testing.T) {
	sm := scs.New() // in-memory store
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) { t.Errorf("session error: %v", err) }
	clock := time.Date(2027, 2, 26, 8, 0, 0, 0, time.UTC)
	e := echo.New()
	mw := []echo.MiddlewareFunc{echo.WrapMiddleware(sm.LoadAndSave), idleSessions(sm, func() time.Time { return clock })}
	e.GET("/login", func(c echo.Context) error {
		sm.Put(c.Request().Context(), "user", int64(7))
		return c.String(200, "in")
	}, mw...)
	e.GET("/", func(c echo.Context) error {
		return c.String(200, time.Duration(sm.GetInt64(c.Request().Context(), "user")).String())
	}, mw...)

	get := func(path string, cookie *http.Cookie) (*httptest.ResponseRecorder, *http.Cookie) {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		for _, ck := range rec.Result().Cookies() {
			if ck.Name == sm.Cookie.Name {
				return rec, ck
			}
		}
		return rec, nil
	}
	if _, ck := get("/", nil); ck != nil {
		t.Error("an anonymous visit made a session")
	}
	_, ck := get("/login", nil)
	if ck == nil {
		t.Fatal("no session after sign-in")
	}
	// The first request after sign-in stamps the session; within ten
	// minutes nothing more is written (no cookie sent back).
	clock = clock.Add(time.Minute)
	if _, again := get("/", ck); again == nil {
		t.Error("the first request after sign-in did not stamp the session")
	}
	clock = clock.Add(5 * time.Minute)
	if rec, again := get("/", ck); again != nil || rec.Body.String() != "7ns" {
		t.Errorf("a request 5 minutes later rewrote the session (%v) or lost it (%q)", again != nil, rec.Body.String())
	}
	// After eleven minutes the last-seen time is written again.
	clock = clock.Add(6 * time.Minute)
	if _, again := get("/", ck); again == nil {
		t.Error("the session was not touched after 11 minutes")
	}
	// Three idle hours are fine, four and a bit end the session.
	clock = clock.Add(3 * time.Hour)
	if rec, _ := get("/", ck); rec.Body.String() != "7ns" {
		t.Errorf("signed out after 3 idle hours: %q", rec.Body.String())
	}
	clock = clock.Add(4*time.Hour + time.Minute)
	if rec, _ := get("/", ck); rec.Body.String() != "0s" {
		t.Errorf("still signed in after 4 idle hours: %q", rec.Body.String())
	}
}
