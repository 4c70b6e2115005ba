package database

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listener describes a LISTEN connection held by Listen.
type Listener struct {
	// Channel is listened on: a plain identifier, a constant of the program.
	Channel string
	// Connect opens a connection of its own: a pooled one held for the
	// program's life would shrink the pool.
	Connect func(context.Context) (*pgx.Conn, error)
	// Up is called once LISTEN is on, after each (re)connection:
	// notifications sent while the connection was down are lost.
	Up func()
	// Notify is called with each notification's payload, in order.
	Notify func(payload string)
	// Down is called when the connection is lost (not when ctx ends),
	// before Listen waits retryIn and connects again.
	Down func(err error, retryIn time.Duration)
}

// Reconnecting backs off between these.
const (
	listenMinBackoff = 100 * time.Millisecond
	listenMaxBackoff = 5 * time.Second
)

// Listen holds l's LISTEN connection until ctx ends, reconnecting with
// backoff when it drops (PostgreSQL restarted, network cut).
func Listen(ctx context.Context, l Listener) {
	backoff := listenMinBackoff
	for {
		err := listenOnce(ctx, l, func() { backoff = listenMinBackoff })
		if ctx.Err() != nil {
			return
		}
		l.Down(err, backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(backoff*2, listenMaxBackoff)
	}
}

// listenOnce connects, listens and passes notifications on until the
// connection fails or ctx ends.
func listenOnce(ctx context.Context, l Listener, connected func()) error {
	conn, err := l.Connect(ctx)
	if err != nil {
		return fmt.Errorf("database: connect for LISTEN %s: %w", l.Channel, err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = conn.Close(cctx) // given up either way; Close only says how it went
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+l.Channel); err != nil {
		return fmt.Errorf("database: LISTEN %s: %w", l.Channel, err)
	}
	connected()
	l.Up()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("database: wait for notification on %s: %w", l.Channel, err)
		}
		l.Notify(n.Payload)
	}
}
