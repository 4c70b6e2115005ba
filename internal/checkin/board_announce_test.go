package checkin_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"vigil/internal/checkin"
	"vigil/internal/testdb"
)

// A burst of check-ins is announced in a few statements, naming every
// invitation checked in once, in payloads PostgreSQL takes; and the last
// change of the burst is always announced after it was made.
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
		a.Changed(1, int64(i+1))
		if i == 1000 {
			a.Changed(2, 5000)
		}
		if i%100 == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	a.Flush()
	type notice struct {
		CeremonyID int64   `json:"ceremony_id"`
		In         []int64 `json:"in"`
	}
	got := map[int64][]int64{}
	notices := map[int64]int{}
	for {
		quiet, stop := context.WithTimeout(ctx, 300*time.Millisecond)
		n, err := conn.WaitForNotification(quiet)
		stop()
		if err != nil {
			break
		}
		if len(n.Payload) > 8000 {
			t.Errorf("a payload of %d bytes", len(n.Payload))
		}
		var p notice
		if err := json.Unmarshal([]byte(n.Payload), &p); err != nil {
			t.Fatalf("payload %q: %v", n.Payload, err)
		}
		got[p.CeremonyID] = append(got[p.CeremonyID], p.In...)
		notices[p.CeremonyID]++
	}
	// Every check-in named once, in order.
	want := make([]int64, 2000)
	for i := range want {
		want[i] = int64(i + 1)
	}
	if !slices.Equal(got[1], want) || !slices.Equal(got[2], []int64{5000}) || len(got) != 2 {
		t.Errorf("invitations announced: ceremony 1 %d (want 1…2000 in order), ceremony 2 %v, %d ceremonies", len(got[1]), got[2], len(got))
	}
	// At most one statement per 50 ms: about 5 for 200 ms, never one
	// per check-in.
	if n := statements.Load(); n > 10 {
		t.Errorf("%d statements for 2,000 check-ins, want a few", n)
	}
	if notices[2] != 1 {
		t.Errorf("ceremony 2 announced %d times, want once", notices[2])
	}

	// A change after a quiet spell goes out at once, and again after
	// the last one.
	a.Changed(1, 7)
	n, err := conn.WaitForNotification(ctx)
	if err != nil || n.Payload != `{"ceremony_id":1,"in":[7]}` {
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
	for i := range 100 {
		a.Changed(7, int64(i))
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
