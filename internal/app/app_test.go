package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/config"
	"vigil/internal/database"
	"vigil/internal/testdb"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func start(t *testing.T, logs io.Writer) (*app.App, string, context.CancelFunc, chan error) {
	t.Helper()
	db, dbURL := testdb.New(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATABASE_URL": dbURL, "VIGIL_SECRET": strings.Repeat("k", 32), "VIGIL_ADDR": ln.Addr().String()}
	cfg, err := config.Load(func(k string) string { return env[k] }, config.NeedServer)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cfg, db, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	return a, "http://" + ln.Addr().String(), cancel, done
}

// On shutdown (SIGTERM cancels the context in main) a request in flight
// finishes with its answer, and new connections are refused.
func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	a, base, cancel, done := start(t, io.Discard)
	started := make(chan struct{})
	a.Server.Echo.GET("/test/slow", func(c echo.Context) error {
		close(started)
		time.Sleep(700 * time.Millisecond)
		return c.String(http.StatusOK, "finished")
	})
	type result struct {
		status int
		body   string
		err    error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := http.Get(base + "/test/slow")
		if err != nil {
			res <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		res <- result{resp.StatusCode, string(b), err}
	}()
	<-started
	cancel()
	r := <-res
	if r.err != nil || r.status != 200 || r.body != "finished" {
		t.Fatalf("in-flight request during shutdown: %+v", r)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("server still accepts connections after shutdown")
	}
}

// Passwords typed at sign-in never reach the logs; each request line
// carries a request id.
func TestLogsCarryRequestIDAndNoSecrets(t *testing.T) {
	var logs syncBuffer
	a, base, cancel, done := start(t, &logs)
	defer func() { cancel(); <-done }()
	if _, err := a.Users.Create(context.Background(), auth.NewUser{Email: "o@example.org", Name: "O", Role: auth.RoleOrganizer, Password: "the secret password 42"}); err != nil {
		t.Fatal(err)
	}
	jar := newJar(t)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tok := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(string(b))[1]
	for _, p := range []string{"the secret password 42", "a wrong secret password"} {
		resp, err = c.PostForm(base+"/login", url.Values{"_csrf": {tok}, "email": {"o@example.org"}, "password": {p}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	out := logs.String()
	if !strings.Contains(out, `"path":"/login"`) || !strings.Contains(out, `"request_id":"`) {
		t.Fatalf("request log lines missing:\n%s", out)
	}
	for _, secret := range []string{"secret password", tok} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
}

func newJar(t *testing.T) *cookiejar.Jar {
	j, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// With the database unreachable, Vigil still starts and answers a clear
// 503 page (not a stack trace), and /readyz fails while /healthz passes.
func TestDatabaseDownAnswers503(t *testing.T) {
	db, err := database.Open(context.Background(), "postgres://postgres@127.0.0.1:1/vigil?sslmode=disable&connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1:1/vigil", "VIGIL_SECRET": strings.Repeat("k", 32)}
	cfg, err := config.Load(func(k string) string { return env[k] }, config.NeedServer)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	defer func() { cancel(); <-done }()
	base := "http://" + ln.Addr().String()

	get := func(path string, cookie *http.Cookie) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz", nil); code != 200 {
		t.Errorf("/healthz with the database down: %d", code)
	}
	if code, _ := get("/readyz", nil); code != 503 {
		t.Errorf("/readyz with the database down: %d", code)
	}
	code, body := get("/", &http.Cookie{Name: "vigil_session", Value: "some-session"})
	if code != 503 || !strings.Contains(body, "briefly unavailable") || strings.Contains(body, "goroutine") {
		t.Errorf("page with the database down: %d\n%s", code, body)
	}
	// A sign-in reaches the database in the handler: the error page says 503.
	jar := newJar(t)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tok := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(string(b))[1]
	resp, err = c.PostForm(base+"/login", url.Values{"_csrf": {tok}, "email": {"o@example.org"}, "password": {"whatever password"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || !strings.Contains(string(b), "The database cannot be reached right now") || resp.Header.Get("Retry-After") == "" {
		t.Errorf("sign-in with the database down: %d\n%s", resp.StatusCode, b)
	}
}
