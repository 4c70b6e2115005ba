package invitation_test

import (
	"bytes"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vigil/internal/auth"
	"vigil/internal/loadtest"
	"vigil/internal/testserver"
)

// The organizers' invitation list with 5,000 invitations (50 delegations
// of 100 guests, three ceremonies, a third answered), and the RSVP board,
// through HTTP as an organizer:
//
//	make bench PKG=./internal/invitation/ TESTFLAGS='-bench InvitationsPage -benchtime 20x'
//
// Each sub-benchmark reports the time per request, the bytes allocated
// per request (server and client share the process) and the peak growth
// of the live heap while it runs; "4-clients" reports throughput with four
// organizers at once, "at-20rps" the latency at 20 requests a second.

const benchInvitations = 5000

// seedInvitations fills an edition (year 2098) with benchInvitations
// invited guests in SQL, so the set-up takes seconds.
func seedInvitations(b *testing.B, srv *testserver.Server) {
	b.Helper()
	one := func(q string, args ...any) int64 { return srv.InsertID(b, q, args...) }
	cm := one("INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	ed := one("INSERT INTO editions (commemoration_id, year, status, rsvp_deadline) VALUES (?, 2098, 'invitations_open', '2098-02-01')", cm)
	for i, title := range []string{"Wreath-laying", "Reception", "Concert"} {
		one(`INSERT INTO ceremonies (edition_id, title, starts_at, ends_at, capacity, status)
			VALUES (?, ?, ?, ?, 1000000, 'published')`, ed, title,
			time.Date(2098, 2, 26, 7+3*i, 0, 0, 0, time.UTC), time.Date(2098, 2, 26, 8+3*i, 0, 0, 0, time.UTC))
	}
	srv.Exec(b, `INSERT INTO delegations (name, kind, precedence)
		SELECT 'Delegation ' || n, (ARRAY['government','parliament','diplomatic_mission'])[1 + n % 3], n
		FROM generate_series(1, ?) n`, benchInvitations/100)
	srv.Exec(b, `INSERT INTO guests (honorific, given_name, family_name, delegation_id, vip, language)
		SELECT 'Mr', 'Given ' || n, 'Family ' || (n * 7919 % ?), d.id, n % 17 = 0, 'en'
		FROM generate_series(0, ? - 1) n JOIN delegations d ON d.name = 'Delegation ' || (1 + n / 100)`,
		benchInvitations, benchInvitations)
	srv.Exec(b, `INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code, companions_allowed,
			responded_at, responded_via)
		SELECT ?, g.id, decode(md5('n' || g.id), 'hex'), decode(md5('h' || g.id), 'hex'), 'BENCH' || g.id, 1,
			CASE WHEN g.id % 3 = 0 THEN now() END, CASE WHEN g.id % 3 = 0 THEN 'link' END
		FROM guests g`, ed)
	srv.Exec(b, `INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, status)
		SELECT i.id, c.id, CASE WHEN i.guest_id % 3 = 0 THEN (ARRAY['accepted','declined'])[1 + i.guest_id % 2] ELSE 'pending' END
		FROM invitations i JOIN ceremonies c ON c.edition_id = i.edition_id WHERE i.edition_id = ?`, ed)
	srv.Exec(b, `INSERT INTO invitation_companions (invitation_id, position, name)
		SELECT id, 1, 'Companion ' || id FROM invitations WHERE edition_id = ? AND guest_id % 6 = 0`, ed)
	srv.Exec(b, "ANALYZE")
}

func BenchmarkInvitationsPage(b *testing.B) {
	srv := testserver.Start(b)
	seedInvitations(b, srv)
	srv.AddUser(b, "org@example.org", auth.RoleOrganizer)
	org := srv.NewClient(b)
	org.Login("org@example.org")
	get := func(path, want string) error {
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if err != nil {
			return err
		}
		return loadtest.Fetch(org.HTTP, req, func(body []byte) error {
			if !bytes.Contains(body, []byte(want)) {
				return fmt.Errorf("%s lacks %q", path, want)
			}
			return nil
		})
	}
	// heapPeak samples the live heap while run runs and reports its
	// peak above the heap before.
	heapPeak := func(b *testing.B, run func()) {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		base := m.HeapAlloc
		var peak atomic.Uint64
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s runtime.MemStats
			for {
				select {
				case <-done:
					return
				case <-time.After(20 * time.Millisecond):
				}
				runtime.ReadMemStats(&s)
				if s.HeapAlloc > base && s.HeapAlloc-base > peak.Load() {
					peak.Store(s.HeapAlloc - base)
				}
			}
		}()
		b.ReportAllocs()
		b.ResetTimer()
		run()
		b.StopTimer()
		close(done)
		wg.Wait()
		b.ReportMetric(float64(peak.Load())/(1<<20), "heap-peak-MB")
	}
	pages := []struct{ name, path, want string }{
		// Page 1 starts with the first delegation; page 40 ends the 4,000th row.
		{"page-1", "/editions/2098/invitations?page=1", "Delegation 1</a>"},
		{"page-40", "/editions/2098/invitations?page=40", "Delegation 40</a>"},
		{"page-1-unanswered", "/editions/2098/invitations?status=unanswered&page=1", "Delegation 1</a>"},
		{"print", "/editions/2098/invitations/print", "Delegation 50</td>"},
		// The RSVP board (board.go), measured for the report: it still
		// reads every invitation and guest of the edition.
		{"rsvp-board", "/editions/2098/rsvp", "Delegation 50"},
	}
	for _, pg := range pages {
		b.Run(pg.name, func(b *testing.B) {
			heapPeak(b, func() {
				for range b.N {
					if err := get(pg.path, pg.want); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
	b.Run("page-40-4-clients", func(b *testing.B) {
		heapPeak(b, func() {
			lat, rps := loadtest.Closed(b, 4, b.N, func(_, _, _ int) error { return get(pages[1].path, pages[1].want) })
			loadtest.Report(b, lat, rps)
		})
	})
	// 20 requests a second whatever the answers take, as cmd/vigil-load
	// sends them: the latency an organizer sees under that load.
	b.Run("page-40-at-20rps", func(b *testing.B) {
		heapPeak(b, func() {
			loadtest.Report(b, loadtest.Paced(b, b.N, 20, func(int) error { return get(pages[1].path, pages[1].want) }), 0)
		})
	})
}
