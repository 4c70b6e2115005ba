package testserver

import (
	"context"
	"testing"

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
	return launch{what: "shared server", db: own, dbURL: dbURL, release: own.Close}.start(t)
}
