package database_test

import (
	"context"
	"testing"

	"vigil/internal/database"
	"vigil/internal/testdb"
)

// The schema migrates up, all the way down to nothing, and up again: every
// Down really undoes its Up.
func TestMigrateUpDownUp(t *testing.T) {
	ctx := context.Background()
	db, err := database.Open(ctx, testdb.Empty(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m, err := database.NewMigrator(db.SQL)
	if err != nil {
		t.Fatal(err)
	}
	n, err := m.Up(ctx)
	if err != nil || n < 2 {
		t.Fatalf("up: %d %v", n, err)
	}
	if p, err := m.Pending(ctx); err != nil || p != 0 {
		t.Fatalf("pending after up: %d %v", p, err)
	}
	tables := func() int {
		var c int
		if err := db.Pool.QueryRow(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'goose_db_version'").Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if tables() < 5 {
		t.Fatalf("only %d tables after up", tables())
	}
	if err := m.DownTo(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if got := tables(); got != 0 {
		t.Fatalf("%d tables left after migrating down to zero", got)
	}
	if p, err := m.Pending(ctx); err != nil || p != n {
		t.Fatalf("pending after down: %d %v, want %d", p, err, n)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	st, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if !s.Applied {
			t.Errorf("migration %d not applied", s.Version)
		}
	}
}

func TestIsUnavailable(t *testing.T) {
	ctx := context.Background()
	// Nothing listens on port 1.
	db, err := database.Open(ctx, "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Ping(ctx)
	if err == nil || !database.IsUnavailable(err) {
		t.Fatalf("ping of a closed port: %v, IsUnavailable = %v", err, database.IsUnavailable(err))
	}
	real, _ := testdb.New(t)
	_, err = real.Pool.Exec(ctx, "SELECT * FROM no_such_table")
	if err == nil || database.IsUnavailable(err) {
		t.Fatalf("a bad query counts as unavailable: %v", err)
	}
}
