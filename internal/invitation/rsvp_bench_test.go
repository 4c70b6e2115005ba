package invitation_test

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"vigil/internal/invitation"
	"vigil/internal/loadtest"
	"vigil/internal/testserver"
)

// The RSVP submit path, measured against a baseline: a bare Echo handler
// on pgx (no ORM, no middleware) doing one transaction of the same
// database work: the invitation locked by its token hash, its status
// updated, a conditional capacity update, a small HTML page. Vigil adds the
// session, the CSRF check, the capacity lock and count, the history row
// and the e-mail queued in the same transaction.
//
//	make bench PKG=./internal/invitation/ TESTFLAGS='-bench RSVPSubmit -benchtime 2000x'
//
// Each sub-benchmark reports throughput with 8 concurrent guests and the
// latency percentiles; "-at-200rps" sends 200 requests a second (open
// loop) and reports the latency there.

const benchGuests = 64

var baselinePage = template.Must(template.New("p").Parse(`<!doctype html><title>Answer recorded</title><p>{{.}}: recorded.</p>`))

// baseline starts the bare Echo + pgx server on the same database and
// returns its address and the tokens it knows.
func baseline(b *testing.B, srv *testserver.Server, tokens []string) string {
	b.Helper()
	ctx := context.Background()
	pool := srv.DB.Pool
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS bench_capacity (ceremony_id bigint PRIMARY KEY, taken int NOT NULL, capacity int NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.POST("/rsvp", func(c echo.Context) error {
		token, accept := c.FormValue("token"), c.FormValue("answer") == "accept"
		delta := -2
		status := "declined"
		if accept {
			delta, status = 2, "accepted"
		}
		err := pgx.BeginFunc(c.Request().Context(), pool, func(tx pgx.Tx) error {
			var id int64
			if err := tx.QueryRow(c.Request().Context(), `SELECT id FROM invitations WHERE token_hash = $1 FOR UPDATE`, invitation.Hash(token)).Scan(&id); err != nil {
				return err
			}
			var cer int64
			if err := tx.QueryRow(c.Request().Context(), `UPDATE invitation_ceremonies SET status = $2 WHERE invitation_id = $1 RETURNING ceremony_id`, id, status).Scan(&cer); err != nil {
				return err
			}
			_, err := tx.Exec(c.Request().Context(), `INSERT INTO bench_capacity VALUES ($1, 0, 1000000) ON CONFLICT (ceremony_id) DO UPDATE
				SET taken = bench_capacity.taken + $2 WHERE bench_capacity.taken + $2 <= bench_capacity.capacity`, cer, delta)
			return err
		})
		if err != nil {
			return err
		}
		return baselinePage.Execute(c.Response(), status)
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

func BenchmarkRSVPSubmit(b *testing.B) {
	srv := testserver.Start(b)
	b.Cleanup(func() {})
	ctx := context.Background()
	db := srv.DB.Gorm
	one := func(q string, args ...any) int64 { return srv.InsertID(b, q, args...) }
	cm := one("INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	ed := one("INSERT INTO editions (commemoration_id, year, status, rsvp_deadline) VALUES (?, 2099, 'invitations_open', '2099-02-01')", cm)
	cer := one(`INSERT INTO ceremonies (edition_id, title, starts_at, ends_at, capacity, status)
		VALUES (?, 'Wreath-laying', '2099-02-26 07:00Z', '2099-02-26 08:00Z', 1000000, 'published')`, ed)
	var ids []int64
	for i := range benchGuests {
		ids = append(ids, one("INSERT INTO guests (given_name, family_name, email, language) VALUES (?, 'Guest', ?, 'en')",
			fmt.Sprintf("No. %d", i), fmt.Sprintf("guest%d@example.org", i)))
	}
	store := srv.App.Invitations
	if _, err := store.InviteGuests(ctx, invitation.Invite{EditionID: ed, GuestIDs: ids, Companions: 1,
		Ceremonies: []invitation.CeremonyZone{{CeremonyID: cer}}}, invitation.Actor{Via: invitation.ViaOrganizer}); err != nil {
		b.Fatal(err)
	}
	field := "answer_" + strconv.FormatInt(cer, 10)
	// Each guest's link opened by a client of its own; its cookies are
	// then sent as a header, on one keep-alive pool as large as the
	// baseline's: the testserver clients share Go's default transport,
	// which keeps two idle connections, so 8 workers would keep
	// reconnecting, and each keeps a cookie jar, whose work in the load
	// generator shares the cores with the servers.
	var tokens, cookies, csrf []string
	srvURL, err := url.Parse(srv.URL)
	if err != nil {
		b.Fatal(err)
	}
	for _, gid := range ids {
		var invID int64
		db.Raw("SELECT id FROM invitations WHERE guest_id = ?", gid).Scan(&invID)
		inv, err := store.ByID(ctx, invID)
		if err != nil {
			b.Fatal(err)
		}
		link := store.Link(inv)
		tokens = append(tokens, strings.TrimPrefix(link, "/rsvp/"))
		c := srv.NewClient(b)
		c.Get(link)
		var cookie []string
		for _, k := range c.HTTP.Jar.Cookies(srvURL) {
			cookie = append(cookie, k.String())
		}
		cookies = append(cookies, strings.Join(cookie, "; "))
		csrf = append(csrf, c.CSRF())
	}
	base := baseline(b, srv, tokens)
	plain := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	vigil := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	answer := func(k int) string {
		if k%2 == 0 {
			return "accept"
		}
		return "decline"
	}
	// The answer is read to its end (so the connection is kept, as a
	// browser keeps it) and must be the one a recorded answer gets: the
	// baseline's page, or Vigil's redirect to /rsvp/done.
	post := func(c *http.Client, u, cookie, body string) error {
		req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if ok := resp.StatusCode == http.StatusOK && cookie == "" ||
			resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") == "/rsvp/done"; !ok {
			return fmt.Errorf("%s: status %d to %q", u, resp.StatusCode, resp.Header.Get("Location"))
		}
		return nil
	}
	// Worker w owns guests w, w+8, …: no two requests of one guest at once.
	byWorker := func(send func(g, k int) error) func(w, n, k int) error {
		return func(w, n, k int) error { return send(w+8*(n%(benchGuests/8)), k) }
	}
	// At a fixed rate a guest's next request may come before its last
	// answer: they take turns.
	busy := make([]sync.Mutex, benchGuests)
	byRequest := func(send func(g, k int) error) func(k int) error {
		return func(k int) error {
			g := k % benchGuests
			busy[g].Lock()
			defer busy[g].Unlock()
			return send(g, k)
		}
	}
	baselineSend := func(g, k int) error {
		return post(plain, base+"/rsvp", "", url.Values{"token": {tokens[g]}, "answer": {answer(k)}}.Encode())
	}
	vigilSend := func(g, k int) error {
		body := url.Values{"_csrf": {csrf[g]}, field: {answer(k)}, "companion_1": {"A companion"}}.Encode()
		return post(vigil, srv.URL+"/rsvp", cookies[g], body)
	}
	b.Run("baseline", func(b *testing.B) {
		lat, rps := loadtest.Closed(b, 8, b.N, byWorker(baselineSend))
		loadtest.Report(b, lat, rps)
	})
	b.Run("vigil", func(b *testing.B) {
		lat, rps := loadtest.Closed(b, 8, b.N, byWorker(vigilSend))
		loadtest.Report(b, lat, rps)
	})
	// The submit path alone, as targets.md defines it (the e-mail job
	// enqueued, not sent): the same, with the e-mail sender stopped so its
	// work does not share the two cores.
	b.Run("vigil-sender-stopped", func(b *testing.B) {
		if err := srv.App.Mail().Stop(ctx); err != nil {
			b.Fatal(err)
		}
		lat, rps := loadtest.Closed(b, 8, b.N, byWorker(vigilSend))
		loadtest.Report(b, lat, rps)
	})
	// Both again, in turns (the sender still stopped): the ratio that
	// targets.md asks for (≥ 0.70), steadier on a shared machine.
	b.Run("ratio", func(b *testing.B) {
		base, vigil := loadtest.Alternate(b, 5, 8, b.N, byWorker(baselineSend), byWorker(vigilSend))
		b.ReportMetric(base, "baseline-req/s")
		b.ReportMetric(vigil, "vigil-req/s")
		b.ReportMetric(vigil/base, "ratio")
	})
	b.Run("baseline-at-200rps", func(b *testing.B) {
		loadtest.Report(b, loadtest.Paced(b, b.N, 200, byRequest(baselineSend)), 0)
	})
	b.Run("vigil-at-200rps", func(b *testing.B) {
		loadtest.Report(b, loadtest.Paced(b, b.N, 200, byRequest(vigilSend)), 0)
	})
}
