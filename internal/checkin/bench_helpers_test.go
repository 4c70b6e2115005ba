package checkin_test

import (
	"bufio"
	"io"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"vigil/internal/auth"
	"vigil/internal/testserver"
)

// benchServer starts Vigil for a benchmark with a commemoration and its
// 2099 edition, and returns exec for the rest of the fixture and a staff
// member's signed-in client.
func benchServer(b *testing.B) (srv *testserver.Server, exec func(q string, args ...any), staff *testserver.Client) {
	srv = testserver.Start(b)
	exec = func(q string, args ...any) {
		b.Helper()
		if err := srv.DB.Gorm.Exec(q, args...).Error; err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	exec("INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	exec("INSERT INTO editions (commemoration_id, year) SELECT id, 2099 FROM commemorations")
	srv.AddUser(b, "staff@example.org", auth.RoleStaff)
	staff = srv.NewClient(b)
	staff.Login("staff@example.org")
	return srv, exec, staff
}

// benchGet fetches url as one benchmark iteration: the time to the first
// byte and to the last, the size, and how far the server's heap grew while
// it answered (sampled every 2 ms, from after a GC; the server runs in
// this process). Anything but a 200 of at least 100 kB fails.
func benchGet(b *testing.B, c *testserver.Client, url string) (firstByte, whole time.Duration, size, growth int64) {
	b.Helper()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var top atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > top.Load() {
				top.Store(m.HeapAlloc)
			}
		}
	}()
	t0 := time.Now()
	resp, err := c.HTTP.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	r := bufio.NewReader(resp.Body)
	if _, err := r.Peek(1); err != nil {
		b.Fatal(err)
	}
	firstByte = time.Since(t0)
	n, err := io.Copy(io.Discard, r)
	resp.Body.Close()
	whole = time.Since(t0)
	close(stop)
	if err != nil || resp.StatusCode != http.StatusOK || n < 100000 {
		b.Fatalf("%s: status %d, %d bytes, %v", url, resp.StatusCode, n, err)
	}
	return firstByte, whole, n, int64(top.Load()) - int64(before.HeapAlloc)
}
