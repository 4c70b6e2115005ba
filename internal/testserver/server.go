// Package testserver starts a real Vigil server over a fresh test database,
// for HTTP and browser tests.
package testserver

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
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
}

// Start starts Vigil for this test and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	db, dbURL := testdb.New(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testserver: listen: %v", err)
	}
	base := "http://" + ln.Addr().String()
	env := map[string]string{
		"DATABASE_URL":   dbURL,
		"VIGIL_ADDR":     ln.Addr().String(),
		"VIGIL_BASE_URL": base,
		"VIGIL_SECRET":   "test-secret-test-secret-test-secret-0123",
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, config.NeedServer)
	if err != nil {
		t.Fatalf("testserver: config: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	a, err := app.New(cfg, db, log)
	if err != nil {
		t.Fatalf("testserver: app: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("testserver: server stopped with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("testserver: server did not stop")
		}
		a.Close()
	})
	// Wait until it answers.
	for i := 0; i < 100; i++ {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &Server{URL: base, App: a, DB: db}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
