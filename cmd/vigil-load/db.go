package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"

	"vigil/internal/database"
)

// The benchmark's database. internal/testdb makes migrated databases for
// tests, but only through a testing.TB; the driver is a command, so it does
// the same here: CREATE DATABASE on the admin connection, migrate it with
// the embedded migrations, and drop it at the end.

// CreateDatabase creates a fresh database named prefix_<random> on the
// server of admin (a connection allowed to CREATE DATABASE), migrates it
// to the latest schema and returns its URL and name.
func CreateDatabase(ctx context.Context, admin, prefix string) (dbURL, name string, err error) {
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("vigil-load: random name: %w", err)
	}
	name = prefix + "_" + hex.EncodeToString(b)
	if err := adminExec(ctx, admin, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", "", fmt.Errorf("vigil-load: create database %s: %w", name, err)
	}
	dbURL, err = WithDatabase(admin, name)
	if err != nil {
		return "", "", err
	}
	db, err := database.Open(ctx, dbURL)
	if err != nil {
		return "", "", fmt.Errorf("vigil-load: open %s: %w", name, err)
	}
	defer db.Close()
	m, err := database.NewMigrator(db.SQL)
	if err != nil {
		return "", "", fmt.Errorf("vigil-load: migrator: %w", err)
	}
	if _, err := m.Up(ctx); err != nil {
		return "", "", fmt.Errorf("vigil-load: migrate %s: %w", name, err)
	}
	return dbURL, name, nil
}

// DropDatabase drops the database name, closing whatever is still
// connected to it.
func DropDatabase(admin, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := adminExec(ctx, admin, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("vigil-load: drop database %s: %w", name, err)
	}
	return nil
}

// WithDatabase is the connection URL raw pointed at database name.
func WithDatabase(raw, name string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("vigil-load: admin URL: %w", err)
	}
	if u.Scheme == "" {
		return "", fmt.Errorf("vigil-load: the admin URL must be a postgres:// URL, not %q", raw)
	}
	u.Path = "/" + name
	return u.String(), nil
}

func adminExec(ctx context.Context, admin, sql string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return fmt.Errorf("connect to the admin database: %w", err)
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}
