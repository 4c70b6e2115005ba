package checkin

import (
	"context"
	"sync"
	"sync/atomic"
)

// The board's answers in memory. Reading a ceremony's thousands of answers
// took PostgreSQL about 6 ms of CPU, twice a second while check-ins came,
// and the gates' scans waited behind it (make bench: a scan's p99 at
// 200/s went from 5.7–7.6 ms with 50 boards open to 4.2–4.8 ms without
// those reads). So each server keeps, per ceremony with a board open, the
// answers it read (BoardTally) and counts in it the check-ins the scans
// announce (their invitations are in the announcement: Announcer). Any
// other change (an undo, a companion, an answer changed or deleted, a
// change made by hand in SQL) comes from the trigger, without invitations,
// and has the answers read again; so do a reconnection of the LISTEN
// connection and boardResync, which also bounds how long a change that is
// announced nowhere (an answer, a zone or a revocation changed by an
// organizer) takes to show: 10 s.

// boardFullReads counts the reads of a ceremony's answers, for tests.
var boardFullReads atomic.Int64

// boardTallies holds the tallies of the ceremonies with boards open.
type boardTallies struct {
	mu sync.Mutex
	m  map[int64]*tallyState
}

// tallyState is one ceremony's tally and what to do with it.
type tallyState struct {
	mu    sync.Mutex
	tally BoardTally // nil: to be read
	// gen counts the invalidations: a read that overlapped one is not
	// trusted after it is used.
	gen int
	// reading: a read is under way; during collects the check-ins
	// announced meanwhile, which its snapshot may not have seen.
	reading bool
	during  []int64
}

func (t *boardTallies) state(id int64) *tallyState {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[int64]*tallyState{}
	}
	st := t.m[id]
	if st == nil {
		st = &tallyState{}
		t.m[id] = st
	}
	return st
}

// checkedIn counts the scans' check-ins of invitations at ceremony id.
func (t *boardTallies) checkedIn(id int64, invitations []int64) {
	t.mu.Lock()
	st := t.m[id]
	t.mu.Unlock()
	if st == nil {
		return // no board open: nothing kept
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.reading {
		st.during = append(st.during, invitations...)
	}
	if st.tally != nil && !st.tally.CheckIn(invitations) {
		st.tally, st.gen = nil, st.gen+1
	}
}

// invalidate has ceremony id's answers read again.
func (t *boardTallies) invalidate(id int64) {
	t.mu.Lock()
	st := t.m[id]
	t.mu.Unlock()
	if st != nil {
		st.mu.Lock()
		st.tally, st.gen = nil, st.gen+1
		st.mu.Unlock()
	}
}

// invalidateAll has every ceremony's answers read again.
func (t *boardTallies) invalidateAll() {
	t.mu.Lock()
	states := make([]*tallyState, 0, len(t.m))
	for _, st := range t.m {
		states = append(states, st)
	}
	t.mu.Unlock()
	for _, st := range states {
		st.mu.Lock()
		st.tally, st.gen = nil, st.gen+1
		st.mu.Unlock()
	}
}

// forget drops ceremony id's tally: its last board closed.
func (t *boardTallies) forget(id int64) {
	t.mu.Lock()
	delete(t.m, id)
	t.mu.Unlock()
}

// sums returns ceremony id's sums, from the tally kept or, when there is
// none, from a read of its answers through read. Only the hub's worker of
// the ceremony calls it, so reads of one ceremony do not overlap.
func (t *boardTallies) sums(ctx context.Context, id int64, read BoardArrivals) ([]BoardGroup, []BoardVIPWaiting, error) {
	st := t.state(id)
	st.mu.Lock()
	if st.tally != nil {
		defer st.mu.Unlock()
		g, v := st.tally.Sums()
		return g, v, nil
	}
	st.reading, st.during = true, nil
	gen := st.gen
	st.mu.Unlock()

	boardFullReads.Add(1)
	tally, err := read.BoardArrivals(ctx, id)

	st.mu.Lock()
	defer st.mu.Unlock()
	st.reading = false
	during := st.during
	st.during = nil
	if err != nil {
		return nil, nil, err
	}
	// A check-in announced while the read ran may have committed after
	// its snapshot: counted again (a second time changes nothing).
	known := tally.CheckIn(during)
	// Kept only if nothing asked for a new read meanwhile; used either
	// way, as the freshest numbers there are.
	if known && gen == st.gen {
		st.tally = tally
	}
	g, v := tally.Sums()
	return g, v, nil
}
