// Package database opens Vigil's one PostgreSQL pool and puts GORM, goose
// and (later) the job queue on top of it, so every part of the program shares
// the same connections.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// DB bundles the pool and the two views of it that the program uses.
type DB struct {
	// Pool is the one pgx pool; sessions and LISTEN use it directly.
	Pool *pgxpool.Pool
	// SQL is database/sql over Pool, for goose and the job queue.
	SQL *sql.DB
	// Gorm is GORM over SQL, for the domain stores.
	Gorm *gorm.DB
}

// Open connects to url. It does not fail when the database is down: the pool
// connects lazily, so Vigil can start and answer 503 until PostgreSQL is back.
// Each of tune, if any, adjusts the pool's configuration before it opens
// (the load driver puts a query counter on the connections this way).
func Open(ctx context.Context, url string, tune ...func(*pgxpool.Config)) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database: parse DATABASE_URL: %w", err)
	}
	if cfg.MaxConns < 8 {
		// The default on 2 cores is 4; sessions, stores and the job
		// listener need more than that under any real load.
		cfg.MaxConns = 8
	}
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	for _, f := range tune {
		f(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database: open pool: %w", err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	gdb, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		DisableAutomaticPing:   true,
		TranslateError:         true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("database: open gorm: %w", err)
	}
	return &DB{Pool: pool, SQL: sqlDB, Gorm: gdb}, nil
}

// Close releases every connection.
func (db *DB) Close() {
	if err := db.SQL.Close(); err != nil {
		slog.Warn("database: close sql.DB", "err", err)
	}
	db.Pool.Close()
}

// Ping checks that the database answers, for /readyz.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var one int
	if err := db.Pool.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("database: ping: %w", err)
	}
	return nil
}

// IsUnavailable reports whether err means the database cannot be reached
// (down, restarting, refusing connections), as opposed to a bad query. The
// server turns these into a 503 page.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P01..03: admin shutdown,
		// crash shutdown, cannot connect now.
		if len(pgErr.Code) == 5 && pgErr.Code[:2] == "08" {
			return true
		}
		switch pgErr.Code {
		case "57P01", "57P02", "57P03":
			return true
		}
	}
	return errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled)
}
