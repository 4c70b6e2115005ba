package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/database"
)

// The servers under load run as child processes of the driver (the same
// binary, started with -serve vigil or -serve baseline), so that each one's
// peak memory (VmHWM) is its own and not the load generator's. Each child
// prints one JSON line, childInfo, on its standard output when it
// listens, and stops on SIGTERM.

// childInfo is what a child tells the driver.
type childInfo struct {
	// Addr is the server's address.
	Addr string `json:"addr"`
	// Stats is the address of the child's own small HTTP server: GET
	// /queries (statements sent to PostgreSQL so far) and, on the
	// baseline, POST /pads.
	Stats string `json:"stats"`
}

// queryCounter counts the statements a pool sends, for "the same number of
// queries" in the baseline: the driver reads it around single requests.
type queryCounter struct{ n atomic.Int64 }

// TraceQueryStart counts one statement (BEGIN and COMMIT included).
func (q *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	q.n.Add(1)
	return ctx
}

// TraceQueryEnd does nothing.
func (q *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TraceBatchStart does nothing; the batch's statements are counted one by one.
func (q *queryCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

// TraceBatchQuery counts one statement of a batch.
func (q *queryCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {
	q.n.Add(1)
}

// TraceBatchEnd does nothing.
func (q *queryCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// statsServer serves the child's counters on a port of its own.
func statsServer(qc *queryCounter, pads *Pads) (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("vigil-load: stats listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /queries", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, qc.n.Load())
	})
	if pads != nil {
		mux.HandleFunc("POST /pads", func(w http.ResponseWriter, r *http.Request) {
			for name, p := range pads.byName() {
				if v := r.FormValue(name); v != "" {
					n, err := strconv.Atoi(v)
					if err != nil || n < 0 {
						http.Error(w, "bad pad "+name, http.StatusBadRequest)
						return
					}
					p.Store(int64(n))
				}
			}
		})
	}
	go http.Serve(ln, mux) //nolint:errcheck // ends with the process
	return ln, nil
}

// announce prints the child's addresses for the driver.
func announce(addr, stats string) error {
	return json.NewEncoder(os.Stdout).Encode(childInfo{Addr: addr, Stats: stats})
}

// serveVigil runs Vigil as `vigil serve` would, on a free port, until
// SIGTERM. The e-mail sender is stopped unless sendMail: there is no SMTP
// server here, and the RSVP benchmark measures the answer with its e-mail
// queued, not sent (targets.md).
func serveVigil(dbURL, secret string, sendMail bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	qc := &queryCounter{}
	db, err := database.Open(ctx, dbURL, func(cfg *pgxpool.Config) { cfg.ConnConfig.Tracer = qc })
	if err != nil {
		return fmt.Errorf("vigil-load: %w", err)
	}
	defer db.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("vigil-load: listen: %w", err)
	}
	env := map[string]string{
		"DATABASE_URL":   dbURL,
		"VIGIL_ADDR":     ln.Addr().String(),
		"VIGIL_BASE_URL": "http://" + ln.Addr().String(),
		"VIGIL_SECRET":   secret,
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, config.NeedServer)
	if err != nil {
		return fmt.Errorf("vigil-load: config: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	app.LimitMemory(os.Getenv) // as vigil serve does
	a, err := app.New(cfg, db, log)
	if err != nil {
		return fmt.Errorf("vigil-load: app: %w", err)
	}
	defer a.Close()
	if !sendMail {
		if err := a.Mail().Stop(ctx); err != nil {
			return fmt.Errorf("vigil-load: stop the e-mail sender: %w", err)
		}
	}
	sl, err := statsServer(qc, nil)
	if err != nil {
		return err
	}
	if err := announce(ln.Addr().String(), sl.Addr().String()); err != nil {
		return err
	}
	return a.Serve(ctx, ln)
}

// serveBaseline runs the bare Echo + pgx server until SIGTERM.
func serveBaseline(dbURL string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	qc := &queryCounter{}
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return fmt.Errorf("vigil-load: parse database URL: %w", err)
	}
	// The same pool size as Vigil's.
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	cfg.ConnConfig.Tracer = qc
	QuietCheckIns(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("vigil-load: open pool: %w", err)
	}
	defer pool.Close()
	pads := &Pads{}
	b, err := NewBaseline(ctx, pool, dbURL, pads)
	if err != nil {
		return err
	}
	defer b.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("vigil-load: listen: %w", err)
	}
	sl, err := statsServer(qc, pads)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: b, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		b.Close() // ends the event streams, or Shutdown would wait for them
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	if err := announce(ln.Addr().String(), sl.Addr().String()); err != nil {
		return err
	}
	if err := hs.Serve(ln); err != nil && err != http.ErrServerClosed {
		return fmt.Errorf("vigil-load: baseline: %w", err)
	}
	return nil
}
