package checkin_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"vigil/internal/checkin"
	"vigil/internal/testdb"
)

// A burst of check-ins is announced in a few notifications, each naming
// every ceremony that changed, and the last change of the burst is
// always announced after it was made.
func TestAnnouncerCoalescesABurst(t *testing.T) {
	db, _ := testdb.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, db.Pool.Config().ConnConfig.Copy())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+checkin.NotifyChannel); err != nil {
		t.Fatal(err)
	}
	var statements atomic.Int64
	a := checkin.NewAnnouncer(func(ctx context.Context, sql string, args ...any) error {
		statements.Add(1)
		_, err := db.Pool.Exec(ctx, sql, args...)
		return err
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))

	// 2,000 check-ins of ceremony 1 over about 200 ms, and one of 2.
	for i := range 2000 {
		a.Changed(1)
		if i == 1000 {
			a.Changed(2)
		}
		if i%100 == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	a.Flush()
	got := map[string]int{}
	for {
		quiet, stop := context.WithTimeout(ctx, 300*time.Millisecond)
		n, err := conn.WaitForNotification(quiet)
		stop()
		if err != nil {
			break
		}
		got[n.Payload]++
	}
	one, two := got[`{"ceremony_id":1}`], got[`{"ceremony_id":2}`]
	if one == 0 || two != 1 || len(got) != 2 {
		t.Errorf("notifications %v, want ceremony 1 at least once and ceremony 2 once", got)
	}
	// At most one statement per 50 ms: about 5 for 200 ms, never one
	// per check-in.
	if n := statements.Load(); n > 10 || int64(one) != n {
		t.Errorf("%d statements, %d notifications of ceremony 1 for 2,000 check-ins, want the same few", n, one)
	}

	// A change after a quiet spell goes out at once, and again after
	// the last one.
	a.Changed(1)
	n, err := conn.WaitForNotification(ctx)
	if err != nil || n.Payload != `{"ceremony_id":1}` {
		t.Fatalf("after a quiet spell: %v %v", n, err)
	}
}

// A notification that cannot be sent is logged and dropped: the check-ins
// are saved, the boards catch up later, and nothing waits on it.
func TestAnnouncerFailureDoesNotBlock(t *testing.T) {
	var logged atomic.Int64
	a := checkin.NewAnnouncer(func(context.Context, string, ...any) error {
		return errors.New("connection refused")
	}, slog.New(countingHandler{&logged}))
	for range 100 {
		a.Changed(7)
	}
	done := make(chan struct{})
	go func() { a.Flush(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Flush waits for ever after a failure")
	}
	if logged.Load() == 0 {
		t.Error("the failure was not logged")
	}
}

// countingHandler counts the warnings logged.
type countingHandler struct{ n *atomic.Int64 }

func (h countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h countingHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		h.n.Add(1)
	}
	return nil
}
func (h countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h countingHandler) WithGroup(string) slog.Handler      { return h }
