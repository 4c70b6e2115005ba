// Package loadtest drives the HTTP benchmarks: a closed loop of concurrent
// workers for throughput, an open loop at a fixed rate for latency, and
// the percentiles, reported beside the baseline measured in the same run
// (targets.md asks for ratios, never absolute timings).
package loadtest

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Closed sends total requests from workers goroutines at once, each
// sending its next request as soon as the last one answered. send gets the
// worker, how many requests that worker sent before, and the request's
// number. It returns every latency and the throughput.
func Closed(b *testing.B, workers, total int, send func(worker, n, k int) error) (latencies []time.Duration, perSecond float64) {
	b.Helper()
	var next atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for n := 0; ; n++ {
				k := int(next.Add(1)) - 1
				if k >= total {
					break
				}
				t0 := time.Now()
				if err := send(w, n, k); err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return latencies, float64(total) / time.Since(start).Seconds()
}

// Paced sends total requests at rate per second whatever the answers take
// (an open loop, as real traffic arrives), and returns the latencies.
func Paced(b *testing.B, total, rate int, send func(k int) error) []time.Duration {
	b.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	var lat []time.Duration
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for k := range total {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			if err := send(k); err != nil {
				b.Error(err)
				return
			}
			d := time.Since(t0)
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return lat
}

// Report adds p50 and p99 (milliseconds) and, when given, the throughput
// to the benchmark's figures.
func Report(b *testing.B, lat []time.Duration, perSecond float64) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
	if perSecond > 0 {
		b.ReportMetric(perSecond, "req/s")
	}
}

// Alternate measures the throughput of two servers in turns: rounds
// closed loops of each, first then second, total requests per side in
// all. On a shared machine the load of other work changes within seconds;
// taking turns exposes both sides to it alike, so the ratio of the two
// figures holds better than two runs one after the other.
func Alternate(b *testing.B, rounds, workers, total int, first, second func(worker, n, k int) error) (firstPerSecond, secondPerSecond float64) {
	b.Helper()
	chunk := max(total/rounds, 1)
	var took [2]time.Duration
	for range rounds {
		for i, send := range []func(worker, n, k int) error{first, second} {
			start := time.Now()
			Closed(b, workers, chunk, send)
			took[i] += time.Since(start)
		}
	}
	n := float64(chunk * rounds)
	return n / took[0].Seconds(), n / took[1].Seconds()
}
