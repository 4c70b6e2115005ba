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
)

// StartOn starts another Vigil server on the database of db, as a second
// instance behind a load balancer would run: its own connection pool, its
// own background work, its own LISTEN connections, the same data and the
// same secret (a session made on one instance is good on the other). It
// stops when the test ends, before the database is dropped (the test's
// clean-ups run last-registered first).
func StartOn(t testing.TB, db *database.DB) *Server {
	t.Helper()
	dbURL := db.Pool.Config().ConnString()
	own, err := database.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatalf("testserver: open the shared database: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		own.Close()
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
		own.Close()
		t.Fatalf("testserver: config: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	a, err := app.New(cfg, own, log)
	if err != nil {
		own.Close()
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
				t.Errorf("testserver: shared server stopped with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("testserver: shared server did not stop")
		}
		a.Close()
		own.Close()
	})
	for range 100 {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &Server{URL: base, App: a, DB: own}
}
