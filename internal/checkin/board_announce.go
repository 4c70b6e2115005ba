package checkin

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
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
// Each notification names the invitations checked in, so that the boards
// count them in the answers they keep instead of reading them all again
// (board_tally.go): {"ceremony_id": C, "in": [invitation, …]}.
//
// During a rush it sends at most one statement every announceSpacing,
// with a notification per ceremony that changed (more for a long list:
// announceBatch): the boards add up at most every boardCoalesce anyway,
// so nothing is lost but notify traffic. The first change after a quiet
// spell goes out at once.
//
// A change is announced at most once, after its commit; an instance that
// dies in between loses the announcement, and the boards catch up with
// the next one (or their periodic read, boardResync).
type Announcer struct {
	exec func(ctx context.Context, sql string, args ...any) error
	log  *slog.Logger

	mu      sync.Mutex
	pending map[int64][]int64
	running bool
	idle    *sync.Cond
}

// announceSpacing is the least time between two notifications an
// Announcer sends.
const announceSpacing = 50 * time.Millisecond

// announceTimeout bounds one notification statement.
const announceTimeout = 5 * time.Second

// announceBatch is the most invitations one notification names, which
// keeps its payload well under PostgreSQL's 8,000 bytes.
const announceBatch = 400

// NewAnnouncer returns an Announcer that runs its statements with exec
// (a pool's Exec).
func NewAnnouncer(exec func(ctx context.Context, sql string, args ...any) error, log *slog.Logger) *Announcer {
	a := &Announcer{exec: exec, log: log, pending: map[int64][]int64{}}
	a.idle = sync.NewCond(&a.mu)
	return a
}

// Changed announces that invitationID was checked in at ceremonyID, once
// committed. It does not wait.
func (a *Announcer) Changed(ceremonyID, invitationID int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pending[ceremonyID] = append(a.pending[ceremonyID], invitationID)
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
		var payloads []string
		for id, invs := range a.pending {
			for batch := range slices.Chunk(invs, announceBatch) {
				payloads = append(payloads, announcement(id, batch))
			}
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

// announcement is the payload naming invitations checked in at ceremony.
func announcement(ceremony int64, invitations []int64) string {
	b := make([]byte, 0, 32+8*len(invitations))
	b = append(b, `{"ceremony_id":`...)
	b = strconv.AppendInt(b, ceremony, 10)
	b = append(b, `,"in":[`...)
	for i, id := range invitations {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, "]}"...))
}
