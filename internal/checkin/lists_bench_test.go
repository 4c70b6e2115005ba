package checkin_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"vigil/internal/auth"
	"vigil/internal/testserver"
)

// BenchmarkAttendeeList5000 renders the attendee list of a ceremony with
// 5,000 accepted guests in 100 delegations as HTML (screen and print),
// PDF, CSV and XLSX through HTTP, reporting the time to the first byte,
// the whole response, and how far the server's heap grew while it
// answered (targets.md: first byte ≤ 50 ms for HTML, PDF ≤ 2 s, XLSX ≤ 1 s,
// growth ≤ 50 MB).
//
//	make bench PKG=./internal/checkin/ TESTFLAGS='-bench AttendeeList5000 -benchtime 5x'
func BenchmarkAttendeeList5000(b *testing.B) {
	srv := testserver.Start(b)
	db := srv.DB.Gorm
	exec := func(q string, args ...any) {
		b.Helper()
		if err := db.Exec(q, args...).Error; err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	var cer int64
	exec("INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	exec("INSERT INTO editions (commemoration_id, year) SELECT id, 2099 FROM commemorations")
	if err := db.Raw(`INSERT INTO ceremonies (edition_id, title, starts_at, ends_at, status)
		SELECT id, 'Wreath-laying', '2099-02-26 07:00Z', '2099-02-26 08:00Z', 'published' FROM editions RETURNING id`).Scan(&cer).Error; err != nil {
		b.Fatal(err)
	}
	exec("INSERT INTO delegations (name, kind, precedence) SELECT 'Embassy ' || i, 'diplomatic_mission', i FROM generate_series(1, 100) i")
	exec(`INSERT INTO guests (honorific, given_name, family_name, delegation_id, vip, language)
		SELECT 'H.E.', 'Guest', 'Məmmədov ' || i, (SELECT id FROM delegations ORDER BY id OFFSET i % 100 LIMIT 1), i % 50 = 0, 'az'
		FROM generate_series(1, 5000) i`)
	exec(`INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code, companions_allowed)
		SELECT (SELECT id FROM editions), id, decode(md5(id::text), 'hex'), decode(md5('h' || id), 'hex'), 'C' || id, 1 FROM guests`)
	exec(`INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, status, companions)
		SELECT id, ?, 'accepted', id % 2 FROM invitations`, cer)
	exec("ANALYZE")
	srv.AddUser(b, "staff@example.org", auth.RoleStaff)
	c := srv.NewClient(b)
	c.Login("staff@example.org")

	for _, format := range []string{"", "/print", ".pdf", ".csv", ".xlsx"} {
		name := "html"
		if format != "" {
			name = format[1:]
		}
		b.Run(name, func(b *testing.B) {
			url := fmt.Sprintf("%s/checkin/%d/list%s", srv.URL, cer, format)
			var firstByte, whole time.Duration
			var peak int64
			for b.Loop() {
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
				firstByte += time.Since(t0)
				n, err := io.Copy(io.Discard, r)
				resp.Body.Close()
				whole += time.Since(t0)
				close(stop)
				if err != nil || resp.StatusCode != http.StatusOK || n < 100000 {
					b.Fatalf("%s: status %d, %d bytes, %v", url, resp.StatusCode, n, err)
				}
				if g := int64(top.Load()) - int64(before.HeapAlloc); g > peak {
					peak = g
				}
			}
			b.ReportMetric(float64(firstByte.Microseconds())/1000/float64(b.N), "first-byte-ms")
			b.ReportMetric(float64(whole.Microseconds())/1000/float64(b.N), "whole-ms")
			b.ReportMetric(float64(peak)/(1<<20), "heap-growth-MB")
		})
	}
}
