package checkin_test

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vigil/internal/testserver"
)

// BenchmarkBoardFanout measures the targets.md figure for the live board:
// fanBoards (50) boards open on instance B, each arrival checked in at
// instance A's desk over HTTP; for every arrival and every board, the time
// from the check-in's response to the board's event showing it. One
// iteration is one arrival (run with -benchtime 20x for 20 arrivals).
// Reported: p50, p99 and max of those 50 × N latencies in ms (an event
// that came before the response had been read counts as 0), and the
// check-in's own round trip.
func BenchmarkBoardFanout(b *testing.B) {
	s := newFanSite(b, b.N)
	streams := s.openBoards(b, fanBoards, 0)
	lat := make([]time.Duration, 0, b.N*fanBoards)
	var checkIns time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		s.checkIn(b, s.invitations[i])
		answered := time.Now()
		checkIns += answered.Sub(start)
		deadline := answered.Add(10 * time.Second)
		for j, st := range streams {
			at, ok := st.await(i+1, deadline)
			if !ok {
				b.Fatalf("arrival %d: board %d did not show it within 10 s", i+1, j)
			}
			lat = append(lat, max(at.Sub(answered), 0))
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	at := func(q float64) time.Duration { return lat[min(int(q*float64(len(lat))), len(lat)-1)] }
	b.ReportMetric(ms(at(0.50)), "p50-ms")
	b.ReportMetric(ms(at(0.99)), "p99-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
	b.ReportMetric(ms(checkIns)/float64(b.N), "checkin-ms")
	b.ReportMetric(float64(len(lat)), "events")
}

// benchBoards is n board streams open on one ceremony while a benchmark
// runs, each read to the end as a browser would, counting its events.
type benchBoards struct {
	cancel []context.CancelFunc
	events atomic.Int64
	wg     sync.WaitGroup
}

// openBenchBoards opens n board streams on base for ceremony as client c
// (signed in as staff) and waits until each has shown its first numbers.
func openBenchBoards(b *testing.B, c *testserver.Client, base string, ceremony int64, n int) *benchBoards {
	b.Helper()
	bb := &benchBoards{}
	first := make(chan struct{}, n)
	for range n {
		ctx, cancel := context.WithCancel(context.Background())
		bb.cancel = append(bb.cancel, cancel)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/checkin/"+strconv.FormatInt(ceremony, 10)+"/board/events", nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Accept", "text/event-stream")
		resp, err := c.HTTP.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			b.Fatalf("board events: %d", resp.StatusCode)
		}
		bb.wg.Add(1)
		go func() {
			defer bb.wg.Done()
			defer resp.Body.Close()
			r := bufio.NewReader(resp.Body)
			seen := false
			for {
				line, err := r.ReadSlice('\n')
				if err == bufio.ErrBufferFull {
					continue // a long data line: read on
				}
				if err != nil {
					return
				}
				if bytes.HasPrefix(line, []byte("event: board")) {
					bb.events.Add(1)
					if !seen {
						seen = true
						first <- struct{}{}
					}
				}
			}
		}()
	}
	timeout := time.After(30 * time.Second)
	for i := range n {
		select {
		case <-first:
		case <-timeout:
			b.Fatalf("%d of %d boards showed no numbers within 30 s", n-i, n)
		}
	}
	return bb
}

// close ends the streams and waits until the server has closed them.
func (bb *benchBoards) close(b *testing.B) {
	b.Helper()
	for _, cancel := range bb.cancel {
		cancel()
	}
	bb.wg.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for boardStreamsOpen() > 0 {
		if time.Now().After(deadline) {
			b.Fatalf("%d board streams still open", boardStreamsOpen())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
