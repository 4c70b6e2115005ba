package testserver

import (
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
