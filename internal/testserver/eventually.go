package testserver

import (
	"context"
	"testing"
	"time"
)

// Eventually waits up to two seconds for cond and returns how long it
// took. A change made on another connection (or instance) reaches each
// server's copies of sessions and users with its notification, a few
// milliseconds later: tests of such changes wait for them with this.
func Eventually(t testing.TB, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < 2*time.Second {
		if cond() {
			return time.Since(start)
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("not within 2 s: %s", what)
	return 0
}

// SyncSessions waits until the server has acted on every change to users
// and sessions committed so far, such as a test's own UPDATE users: the
// server keeps signed-in users in memory and hears of changes made
// behind its back by notification (internal/auth/session_cache.go).
func (s *Server) SyncSessions(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.App.Sessions.Sync(ctx); err != nil {
		t.Fatal(err)
	}
}
