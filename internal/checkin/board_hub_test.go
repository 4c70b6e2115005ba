package checkin

import "testing"

// A stream that does not keep up holds one event, the newest: the worker
// never waits for it (which would hold up every other board of the
// ceremony) and the stream, when it writes again, shows the latest numbers.
func TestBoardSubKeepsNewestEventOnly(t *testing.T) {
	s := &boardSub{updates: make(chan []byte, 1)}
	for _, ev := range []string{"first", "second", "third"} {
		s.offer([]byte(ev)) // must not block
	}
	if got := string(<-s.updates); got != "third" {
		t.Errorf("pending event %q, want the newest", got)
	}
	select {
	case ev := <-s.updates:
		t.Errorf("a second event pending: %q", ev)
	default:
	}
}
