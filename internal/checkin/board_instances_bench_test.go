package checkin_test

import (
	"slices"
	"testing"
	"time"
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
