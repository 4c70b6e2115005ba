// Package testserver starts a real Vigil server over a fresh test database,
// for HTTP and browser tests.
package testserver

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/database"
	"vigil/internal/testdb"
)

// Server is a real Vigil server on a free loopback port over a fresh
// database, for HTTP and browser tests.
type Server struct {
	URL string
	App *app.App
	DB  *database.DB
	// stop shuts the server down gracefully, once (see Stop).
	stop func() error
}

// Stop shuts the server down as SIGTERM does (the listener closes,
// requests in flight finish, background work stops) and returns what
// Serve returned. The test's clean-up then has nothing left to stop.
func (s *Server) Stop() error { return s.stop() }

// Start starts Vigil for this test and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	db, dbURL := testdb.New(t)
	return launch{what: "server", db: db, dbURL: dbURL}.start(t)
}

// StartWith starts Vigil over db, a database the test set up itself at
// dbURL (its own PostgreSQL, say), logging to log, and stops it when the
// test ends. db stays the caller's to close.
func StartWith(t testing.TB, db *database.DB, dbURL string, log *slog.Logger) *Server {
	t.Helper()
	return launch{what: "server", db: db, dbURL: dbURL, log: log}.start(t)
}

// launch is the start-up that Start, StartWith, StartOn and StartInstance
// share, so that every test server is configured, stopped and waited for
// the same way.
type launch struct {
	// what names the server in failure messages ("shared server").
	what  string
	db    *database.DB
	dbURL string
	// env is added to the test configuration.
	env map[string]string
	// log, if set, replaces the test log (discarded, or warnings to the
	// test's output under -v).
	log *slog.Logger
	// listener, if set, wraps the listener the server accepts on.
	listener func(net.Listener) net.Listener
	// release frees what the caller opened for this server: at once if
	// the start fails, else once the server has stopped.
	release func()
	// stopping runs first when the test ends, before the server stops.
	stopping func()
	// failed reports whether Serve's error is a failure (any error is,
	// if not set).
	failed func(error) bool
}

// start starts the server on a free loopback port, stops it when the test
// ends, and returns once it answers /healthz.
func (l launch) start(t testing.TB) *Server {
	t.Helper()
	fatal := func(format string, args ...any) {
		t.Helper()
		if l.release != nil {
			l.release()
		}
		t.Fatalf(format, args...)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fatal("testserver: listen: %v", err)
	}
	base := "http://" + ln.Addr().String()
	env := map[string]string{
		"DATABASE_URL":   l.dbURL,
		"VIGIL_ADDR":     ln.Addr().String(),
		"VIGIL_BASE_URL": base,
		"VIGIL_SECRET":   "test-secret-test-secret-test-secret-0123",
	}
	for k, v := range l.env {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, config.NeedServer)
	if err != nil {
		fatal("testserver: config: %v", err)
	}
	log := l.log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
		if testing.Verbose() {
			log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
		}
	}
	a, err := app.New(cfg, l.db, log)
	if err != nil {
		fatal("testserver: app: %v", err)
	}
	var serveOn net.Listener = ln
	if l.listener != nil {
		serveOn = l.listener(ln)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, serveOn) }()
	var (
		once    sync.Once
		stopErr error
	)
	stop := func() error {
		once.Do(func() {
			if l.stopping != nil {
				l.stopping()
			}
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(30 * time.Second):
				stopErr = fmt.Errorf("testserver: %s did not stop", l.what)
			}
			a.Close()
			if l.release != nil {
				l.release()
			}
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil && (l.failed == nil || l.failed(err)) {
			t.Errorf("testserver: %s stopped with %v", l.what, err)
		}
	})
	// Wait until it answers.
	for range 100 {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &Server{URL: base, App: a, DB: l.db, stop: stop}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
