package checkin_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"

	"vigil/internal/auth"
	"vigil/internal/loadtest"
	"vigil/internal/testserver"
)

// The check-in scan, measured against a baseline: a bare Echo handler on
// pgx (no ORM, no middleware, no session) doing the database work of a
// scan as targets.md defines it, one conditional
// UPDATE … SET checked_in_at = now() WHERE code = $1 AND checked_in_at IS NULL
// RETURNING …, and a small HTML page. Vigil adds the session and CSRF
// check (two look-ups of its own), and in its one statement the history
// row, the guest's name, delegation and zone, and who checked the guest in
// where; it answers htmx with the answer and the recent list's new line.
//
//	make bench PKG=./internal/checkin/ TESTFLAGS='-bench CheckInScan -benchtime 2000x'
//
// Ten gates scan at once, each with its own staff session, each scan a
// badge not scanned before (so every request checks someone in). Each
// sub-benchmark reports throughput and latency percentiles; "-at-200rps"
// sends 200 scans a second (open loop) and reports the latency there.

// benchBadges is how many badges there are to scan; a run scanning more
// starts again from the first (those scans find "already checked in").
const benchBadges = 6000

var baselineScanPage = template.Must(template.New("p").Parse(`<!doctype html><title>Checked in</title><p>{{.}}: checked in.</p>`))

func BenchmarkCheckInScan(b *testing.B) {
	srv := testserver.Start(b)
	db := srv.DB.Gorm
	one := func(q string, args ...any) int64 { return srv.InsertID(b, q, args...) }
	exec := func(q string, args ...any) {
		if err := db.Exec(q, args...).Error; err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	year := time.Now().Year()
	cm := one("INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	ed := one("INSERT INTO editions (commemoration_id, year, status) VALUES (?, ?, 'invitations_open')", cm, year)
	venue := one("INSERT INTO venues (name) VALUES ('Memorial')")
	zone := one("INSERT INTO zones (venue_id, name, capacity, badge_colour) VALUES (?, 'Guests stand', 10000, '#2f6f4f')", venue)
	var gates []int64
	for i := 1; i <= 10; i++ {
		gates = append(gates, one("INSERT INTO gates (venue_id, name) VALUES (?, ?)", venue, fmt.Sprintf("Gate %d", i)))
	}
	starts := time.Date(year, 2, 26, 7, 0, 0, 0, time.UTC)
	cer := one(`INSERT INTO ceremonies (edition_id, title, venue_id, starts_at, ends_at, status)
		VALUES (?, 'Wreath-laying', ?, ?, ?, 'published')`, ed, venue, starts, starts.Add(90*time.Minute))
	del := one("INSERT INTO delegations (name, kind, country) VALUES ('Embassy of France', 'diplomatic_mission', 'FR')")
	exec(`INSERT INTO guests (given_name, family_name, delegation_id, honorific)
		SELECT 'No. ' || g, 'Guest', ?, 'H.E.' FROM generate_series(1, ?) g`, del, benchBadges)
	codes := make([]string, benchBadges)
	const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	raw := make([]byte, 12)
	for i := range codes {
		if _, err := rand.Read(raw); err != nil {
			b.Fatal(err)
		}
		for j := range raw {
			raw[j] = alphabet[int(raw[j])%len(alphabet)]
		}
		codes[i] = string(raw)
	}
	exec(`INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code)
		SELECT ?, g.id, int8send(g.id), sha256(int8send(g.id)), c.code
		FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM guests) g
		JOIN unnest(string_to_array(?, ',')) WITH ORDINALITY AS c(code, n) ON c.n = g.n`, ed, strings.Join(codes, ","))
	exec(`INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, zone_id, status, companions)
		SELECT id, ?, ?, 'accepted', 1 FROM invitations`, cer, zone)
	exec("ANALYZE")

	// One staff member per gate, each with a session of their own.
	// The sign-in's cookies are sent as a header of their own rather
	// than through a cookie jar: the same bytes, without the jar's work
	// in the load generator, which shares the cores with the servers.
	type desk struct {
		cookie, csrf, gate string
	}
	var desks []desk
	srvURL, err := url.Parse(srv.URL)
	if err != nil {
		b.Fatal(err)
	}
	for i, g := range gates {
		u := srv.AddUser(b, fmt.Sprintf("gate%d@example.org", i), auth.RoleStaff)
		c := srv.NewClient(b)
		c.Login(u.Email)
		var cookie []string
		for _, k := range c.HTTP.Jar.Cookies(srvURL) {
			cookie = append(cookie, k.String())
		}
		desks = append(desks, desk{strings.Join(cookie, "; "), c.CSRF(), strconv.FormatInt(g, 10)})
	}
	base := scanBaseline(b, srv, cer)
	// Each side its own keep-alive pool, as large (the default keeps
	// two idle connections, fewer than the gates).
	plain := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	vigil := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	scanURL := srv.URL + "/checkin/" + strconv.FormatInt(cer, 10) + "/scan"

	post := func(c *http.Client, u, cookie string, form url.Values, want string) error {
		req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		// As the desk's page sends it: htmx swaps the live part only.
		req.Header.Set("HX-Request", "true")
		return loadtest.Fetch(c, req, func(body []byte) error {
			if !bytes.Contains(body, []byte(want)) {
				return fmt.Errorf("%s: answer lacks %q", u, want)
			}
			return nil
		})
	}
	baselineSend := func(gate, k int) error {
		return post(plain, base+"/scan", "", url.Values{"code": {codes[k%benchBadges]}, "gate": {desks[gate].gate}}, "checked in")
	}
	vigilSend := func(gate, k int) error {
		d := desks[gate]
		return post(vigil, scanURL, d.cookie, url.Values{"_csrf": {d.csrf}, "q": {codes[k%benchBadges]}, "gate": {d.gate}}, "checkin-result")
	}
	reset := func(b *testing.B) {
		b.Helper()
		b.StopTimer()
		exec(`UPDATE invitation_ceremonies SET checked_in_at = NULL, checked_in_gate_id = NULL, checked_in_by = NULL,
			companions_checked_in = 0 WHERE checked_in_at IS NOT NULL`)
		exec("DELETE FROM invitation_events WHERE action = 'checked_in'")
		exec("VACUUM ANALYZE invitation_ceremonies")
		b.StartTimer()
	}
	b.Run("baseline", func(b *testing.B) {
		reset(b)
		lat, rps := loadtest.Closed(b, 10, b.N, func(gate, _, k int) error { return baselineSend(gate, k) })
		loadtest.Report(b, lat, rps)
	})
	b.Run("vigil", func(b *testing.B) {
		reset(b)
		lat, rps := loadtest.Closed(b, 10, b.N, func(gate, _, k int) error { return vigilSend(gate, k) })
		loadtest.Report(b, lat, rps)
	})
	// The same with 50 live arrivals boards open on the ceremony
	// (targets.md: 50 boards), each an SSE stream fed by the check-ins'
	// notifications: the boards' work per arrival must not grow with
	// their number. Also reported: the events each board received.
	wall := srv.NewClient(b)
	wall.Login(srv.AddUser(b, "wall@example.org", auth.RoleStaff).Email)
	withBoards := func(b *testing.B, run func(b *testing.B)) {
		reset(b)
		b.StopTimer()
		boards := openBenchBoards(b, wall, srv.URL, cer, 50)
		time.Sleep(300 * time.Millisecond) // the numbers again once LISTEN is on
		before := boards.events.Load()
		b.StartTimer()
		run(b)
		b.StopTimer()
		time.Sleep(500 * time.Millisecond) // the burst's last update
		b.ReportMetric(float64(boards.events.Load()-before)/50, "events/board")
		boards.close(b)
		b.StartTimer()
	}
	b.Run("vigil-50-boards", func(b *testing.B) {
		withBoards(b, func(b *testing.B) {
			lat, rps := loadtest.Closed(b, 10, b.N, func(gate, _, k int) error { return vigilSend(gate, k) })
			loadtest.Report(b, lat, rps)
		})
	})
	b.Run("vigil-50-boards-at-200rps", func(b *testing.B) {
		withBoards(b, func(b *testing.B) {
			loadtest.Report(b, loadtest.Paced(b, b.N, 200, func(k int) error { return vigilSend(k%10, k) }), 0)
		})
	})
	// Both again, in turns, so that the shared machine's changing load
	// hits both alike: the ratio targets.md asks for (≥ 0.70). Each side
	// scans its own half of the badges, each once.
	b.Run("ratio", func(b *testing.B) {
		if 2*b.N > benchBadges {
			b.Fatalf("-benchtime %dx: at most %dx (each badge scanned once)", b.N, benchBadges/2)
		}
		reset(b)
		var nb, nv atomic.Int64
		base, vigil := loadtest.Alternate(b, 5, 10, b.N,
			func(gate, _, _ int) error { return baselineSend(gate, 2*int(nb.Add(1)-1)) },
			func(gate, _, _ int) error { return vigilSend(gate, 2*int(nv.Add(1)-1)+1) })
		b.ReportMetric(base, "baseline-req/s")
		b.ReportMetric(vigil, "vigil-req/s")
		b.ReportMetric(vigil/base, "ratio")
	})
	b.Run("baseline-at-200rps", func(b *testing.B) {
		reset(b)
		loadtest.Report(b, loadtest.Paced(b, b.N, 200, func(k int) error { return baselineSend(k%10, k) }), 0)
	})
	b.Run("vigil-at-200rps", func(b *testing.B) {
		reset(b)
		loadtest.Report(b, loadtest.Paced(b, b.N, 200, func(k int) error { return vigilSend(k%10, k) }), 0)
	})
}

// scanBaseline starts the bare Echo + pgx server on the same database.
func scanBaseline(b *testing.B, srv *testserver.Server, ceremonyID int64) string {
	b.Helper()
	// Its own pool, whose sessions keep the check-in trigger silent
	// (migration 00014): targets.md's baseline is the bare UPDATE, which
	// announces nothing. (Before 00014 it paid for the trigger's NOTIFY
	// too, which queued its commits one behind another: a third of its
	// throughput.)
	cfg := srv.DB.Pool.Config().Copy()
	cfg.ConnConfig.RuntimeParams["vigil.checkin_announce"] = "after_commit"
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.POST("/scan", func(c echo.Context) error {
		gate, err := strconv.ParseInt(c.FormValue("gate"), 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest)
		}
		var inv int64
		err = pool.QueryRow(c.Request().Context(), `UPDATE invitation_ceremonies ic
			SET checked_in_at = now(), checked_in_gate_id = $2
			FROM invitations i
			WHERE i.id = ic.invitation_id AND i.check_in_code = $1 AND ic.ceremony_id = $3 AND ic.checked_in_at IS NULL
			RETURNING ic.invitation_id`, c.FormValue("code"), gate, ceremonyID).Scan(&inv)
		if errors.Is(err, pgx.ErrNoRows) {
			// Scanned before (a run longer than the badges): say by whom,
			// as the desk does.
			var by *int64
			if err := pool.QueryRow(c.Request().Context(), `SELECT ic.checked_in_by FROM invitation_ceremonies ic
				JOIN invitations i ON i.id = ic.invitation_id WHERE i.check_in_code = $1 AND ic.ceremony_id = $2`,
				c.FormValue("code"), ceremonyID).Scan(&by); err != nil {
				return err
			}
			return baselineScanPage.Execute(c.Response(), "already")
		}
		if err != nil {
			return err
		}
		return baselineScanPage.Execute(c.Response(), inv)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: e, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln) //nolint:errcheck // closed at cleanup
	b.Cleanup(func() { hs.Close() })
	return "http://" + ln.Addr().String()
}
