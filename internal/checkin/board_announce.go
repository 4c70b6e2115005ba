package checkin

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// Announcer sends the live boards' notifications for the check-ins the
// gates' scans make. The scan's statement does not notify inside its own
// transaction (migration 00014 says why: NOTIFY makes concurrent commits
// queue one behind another); it tells the Announcer once committed, and
// the Announcer sends pg_notify on NotifyChannel from a transaction of its
// own, which writes nothing and so holds the notify lock for a moment
// only.
//
// During a rush it sends at most one statement every announceSpacing,
// naming each ceremony that changed once: the boards read their numbers
// at most every boardCoalesce anyway, so nothing is lost but notify
// traffic. The first change after a quiet spell goes out at once.
//
// A change is announced at most once, after its commit; an instance that
// dies in between loses the announcement, and the boards catch up with
// the next one (or their periodic read, boardResync).
type Announcer struct {
	exec func(ctx context.Context, sql string, args ...any) error
	log  *slog.Logger

	mu      sync.Mutex
	pending map[int64]struct{}
	running bool
	idle    *sync.Cond
}

// announceSpacing is the least time between two notifications an
// Announcer sends.
const announceSpacing = 50 * time.Millisecond

// announceTimeout bounds one notification statement.
const announceTimeout = 5 * time.Second

// NewAnnouncer returns an Announcer that runs its statements with exec
// (a pool's Exec).
func NewAnnouncer(exec func(ctx context.Context, sql string, args ...any) error, log *slog.Logger) *Announcer {
	a := &Announcer{exec: exec, log: log, pending: map[int64]struct{}{}}
	a.idle = sync.NewCond(&a.mu)
	return a
}

// Changed announces that a check-in of ceremonyID was committed. It does
// not wait.
func (a *Announcer) Changed(ceremonyID int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pending[ceremonyID] = struct{}{}
	if !a.running {
		a.running = true
		go a.send()
	}
}

// Flush waits until every change announced so far has been sent (or its
// sending failed); a stopping server calls it so that its last check-ins
// reach the boards.
func (a *Announcer) Flush() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for a.running {
		a.idle.Wait()
	}
}

// send sends what is pending, then again every announceSpacing while
// changes keep coming.
func (a *Announcer) send() {
	for {
		a.mu.Lock()
		if len(a.pending) == 0 {
			a.running = false
			a.idle.Broadcast()
			a.mu.Unlock()
			return
		}
		payloads := make([]string, 0, len(a.pending))
		for id := range a.pending {
			payloads = append(payloads, `{"ceremony_id":`+strconv.FormatInt(id, 10)+`}`)
		}
		clear(a.pending)
		a.mu.Unlock()

		ctx, cancel := context.WithTimeout(context.Background(), announceTimeout)
		err := a.exec(ctx, `SELECT pg_notify($1, p) FROM unnest($2::text[]) p`, NotifyChannel, payloads)
		cancel()
		if err != nil {
			// The boards are behind until the next change or their
			// periodic read; the check-ins themselves are saved.
			a.log.Warn("live board: could not announce check-ins", "err", fmt.Errorf("checkin: announce: %w", err))
		}
		time.Sleep(announceSpacing)
	}
}
