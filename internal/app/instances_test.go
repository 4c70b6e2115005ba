package app_test

// The two-instance test (issue 7, "Stateless instances"): two Vigil
// servers run on one database, as two instances behind a load balancer,
// and each piece of state a user or a job relies on is shown to hold
// across them — sessions, CSRF tokens, the rate limits, the job queue,
// uploads — and to survive one instance being killed mid-request.
//
// The live board (LISTEN/NOTIFY reaching every instance) is proved by
// internal/checkin/board_instances_test.go (TestBoardFanoutAcrossInstances:
// a check-in made on instance A reaches 50 boards open on instance B) and
// is not repeated here.
//
// The test lives in package app_test because it is about how the app is
// wired (which state lives in PostgreSQL rather than in one process), and
// it drives whole servers through internal/testserver, which imports
// package app — an internal test of package app could not.
//
// The two instances are testserver.StartInstance servers rather than
// Start + StartOn: both must send e-mail to the same Mailpit (an instance
// without SMTP would also run River workers, take confirmation jobs and
// fail them), and one of them must be killable.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/internal/auth"
	"vigil/internal/database"
	"vigil/internal/invitation"
	"vigil/internal/mail/mailtest"
	"vigil/internal/testdb"
	"vigil/internal/testserver"
)

// instancePair is one database with two Vigil instances on it.
type instancePair struct {
	// db is the test's own connection to the database, for fixtures and
	// checks; it does not go through either instance.
	db   *database.DB
	a, b *testserver.Instance
	// tag makes e-mail addresses unique to this run (Mailpit is shared
	// by the whole test run).
	tag string
}

func newInstancePair(t *testing.T) *instancePair {
	t.Helper()
	db, _ := testdb.New(t)
	env := map[string]string{}
	// Both instances send through the same Mailpit when there is one, so
	// that whichever instance's worker takes a job can send it.
	if smtp, api := os.Getenv(mailtest.EnvSMTP), os.Getenv(mailtest.EnvURL); smtp != "" && api != "" {
		env["VIGIL_SMTP_ADDR"] = smtp
		env["VIGIL_SMTP_TLS"] = "none"
		env["VIGIL_SMTP_FROM"] = "Protocol Office <protocol@vigil.example.org>"
	}
	p := &instancePair{db: db, tag: strconv.FormatInt(time.Now().UnixNano(), 36)}
	p.a = testserver.StartInstance(t, db, env)
	p.b = testserver.StartInstance(t, db, env)
	if p.a.App == p.b.App || p.a.URL == p.b.URL || p.a.DB == p.b.DB {
		t.Fatal("the two instances are one")
	}
	p.a.AddUser(t, "staff@example.org", auth.RoleStaff)
	p.a.AddUser(t, "organizer@example.org", auth.RoleOrganizer)
	p.a.AddUser(t, "throttled@example.org", auth.RoleStaff)
	return p
}

// on returns a client for instance srv that shares c's cookie jar (and
// connections), as one browser behind a load balancer reaching either
// instance. Its forms must carry a token explicitly (postOn), since the
// token it would fetch itself comes from a sign-in page a signed-in user
// does not get.
func on(t *testing.T, c *testserver.Client, srv *testserver.Instance) *testserver.Client {
	t.Helper()
	o := srv.NewBareClient(t)
	o.HTTP = c.HTTP
	return o
}

// postOn posts form to path through c with the CSRF token token.
func postOn(c *testserver.Client, path, token string, form url.Values) (*http.Response, string) {
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", token)
	return c.Post(path, form)
}

func wantStatus(t *testing.T, what string, resp *http.Response, body string, code int) {
	t.Helper()
	if resp.StatusCode != code {
		t.Fatalf("%s: status %d, want %d\n%.400s", what, resp.StatusCode, code, body)
	}
}

// wantSignIn checks that resp sends the visitor to the sign-in page.
func wantSignIn(t *testing.T, what string, resp *http.Response) {
	t.Helper()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Fatalf("%s: %d to %q, want 303 to /login", what, resp.StatusCode, loc)
	}
}

func (p *instancePair) count(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := p.db.Gorm.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

var formToken = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func TestTwoInstances(t *testing.T) {
	p := newInstancePair(t)

	// Sessions live in PostgreSQL: a sign-in on A is good on B, and a
	// sign-out on B ends the session everywhere — not only in this
	// browser's jar, which a copied cookie would get round.
	t.Run("sessions", func(t *testing.T) {
		onA := p.a.NewClient(t)
		onA.Login("staff@example.org")
		token := onA.CSRF()
		resp, body := onA.Get("/guests")
		wantStatus(t, "guests on A", resp, body, http.StatusOK)
		onB := on(t, onA, p.b)
		resp, body = onB.Get("/guests")
		wantStatus(t, "guests on B with A's session", resp, body, http.StatusOK)
		if !strings.Contains(body, "User staff@example.org") {
			t.Fatal("B's page does not name the user signed in on A")
		}
		copied := onA.Cookie("vigil_session")
		if copied == nil {
			t.Fatal("no session cookie after signing in")
		}

		resp, body = postOn(onB, "/logout", token, nil)
		wantStatus(t, "sign-out on B", resp, body, http.StatusSeeOther)
		// A's copy of the session goes when B's notification reaches it,
		// milliseconds after the sign-out (internal/auth/session_cache.go).
		took := testserver.Eventually(t, "A refuses the session signed out on B", func() bool {
			resp, _ = onA.Get("/guests")
			return resp.StatusCode == http.StatusSeeOther
		})
		wantSignIn(t, "A after the sign-out on B", resp)
		t.Logf("the sign-out on B counted on A after %v", took)
		replay := p.a.NewBareClient(t)
		u, err := url.Parse(p.a.URL)
		if err != nil {
			t.Fatal(err)
		}
		replay.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: copied.Name, Value: copied.Value, Path: "/"}})
		resp, _ = replay.Get("/guests")
		wantSignIn(t, "the old session cookie replayed on A", resp)
	})

	// CSRF is a double-submit token (no per-instance key or memory): a
	// token from a form A rendered is good on B; a wrong one is refused
	// by both, and nothing is saved.
	t.Run("csrf", func(t *testing.T) {
		onA := p.a.NewClient(t)
		onA.Login("organizer@example.org")
		_, page := onA.Get("/delegations/new")
		m := formToken.FindStringSubmatch(page)
		if m == nil {
			t.Fatal("A's delegation form has no CSRF token")
		}
		onB := on(t, onA, p.b)
		form := func(name string) url.Values {
			return url.Values{"name": {name}, "kind": {"diplomatic_mission"}, "country": {"JP"}}
		}
		resp, body := postOn(onB, "/delegations", m[1], form("Embassy of Japan"))
		wantStatus(t, "B with A's token", resp, body, http.StatusSeeOther)
		if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/delegations/") {
			t.Fatalf("B with A's token sent to %q", loc)
		}
		if n := p.count(t, "SELECT count(*) FROM delegations WHERE name = 'Embassy of Japan'"); n != 1 {
			t.Fatalf("%d delegations saved through B, want 1", n)
		}
		wrong := strings.Repeat("x", len(m[1]))
		for name, c := range map[string]*testserver.Client{"A": onA, "B": onB} {
			resp, body := postOn(c, "/delegations", wrong, form("Embassy of Peru"))
			wantStatus(t, name+" with a wrong token", resp, body, http.StatusForbidden)
		}
		if n := p.count(t, "SELECT count(*) FROM delegations WHERE name = 'Embassy of Peru'"); n != 0 {
			t.Fatalf("a refused form saved %d delegations", n)
		}
	})

	// The limits count in PostgreSQL: failures made on A and on B add
	// up, so a client cannot get twice the attempts by being balanced
	// over two instances.
	t.Run("rate limits", func(t *testing.T) {
		t.Run("guest links", func(t *testing.T) {
			ca, cb := p.a.NewBareClient(t), p.b.NewBareClient(t)
			bad := func(i int) string { return "/rsvp/" + strings.Repeat(string(rune('a'+i)), 43) }
			onA := invitation.MaxLinkFailures/2 + 1
			for i := range invitation.MaxLinkFailures {
				c, where := ca, "A"
				if i >= onA {
					c, where = cb, "B"
				}
				resp, body := c.Get(bad(i))
				wantStatus(t, fmt.Sprintf("bad link %d on %s", i+1, where), resp, body, http.StatusNotFound)
			}
			// 6 on A + 4 on B: the 11th is refused, on either.
			resp, body := cb.Get(bad(invitation.MaxLinkFailures))
			wantStatus(t, "next bad link on B", resp, body, http.StatusTooManyRequests)
			resp, body = ca.Get(bad(invitation.MaxLinkFailures + 1))
			wantStatus(t, "next bad link on A", resp, body, http.StatusTooManyRequests)
		})
		t.Run("sign-in", func(t *testing.T) {
			ca, cb := p.a.NewClient(t), p.b.NewClient(t)
			// Fresh values for each post: Post adds the client's own token.
			wrongPassword := func() url.Values {
				return url.Values{"email": {"throttled@example.org"}, "password": {"not the password"}}
			}
			onA := auth.MaxEmailFailure/2 + 1
			for i := range auth.MaxEmailFailure {
				c, where := ca, "A"
				if i >= onA {
					c, where = cb, "B"
				}
				resp, body := c.Post("/login", wrongPassword())
				wantStatus(t, fmt.Sprintf("wrong password %d on %s", i+1, where), resp, body, http.StatusUnauthorized)
			}
			// 3 on A + 2 on B: even the right password now waits, on
			// either instance.
			for name, c := range map[string]*testserver.Client{"A": ca, "B": cb} {
				resp, body := c.Post("/login", url.Values{"email": {"throttled@example.org"}, "password": {testserver.Password}})
				wantStatus(t, "right password on "+name+" after the failures", resp, body, http.StatusTooManyRequests)
			}
		})
	})

	// The job queue is River in PostgreSQL: confirmations queued by
	// answers recorded through A are each sent exactly once, although
	// both instances run workers on the queue.
	t.Run("job queue", func(t *testing.T) {
		mp := mailtest.Get(t)
		p.jobQueue(t, mp)
	})

	// An import file uploaded to A is kept in PostgreSQL, so B maps,
	// previews and commits it.
	t.Run("uploads", func(t *testing.T) {
		org := p.a.NewClient(t)
		org.Login("organizer@example.org")
		token := org.CSRF()
		orgB := on(t, org, p.b)
		const n = 5
		importURL := p.upload(t, org, p.a, "upload", n)
		if got := p.count(t, "SELECT count(*) FROM guest_imports WHERE status = 'uploaded' AND length(content) > 0"); got != 1 {
			t.Fatalf("%d uploads kept in the database, want 1", got)
		}
		resp, body := orgB.Get(importURL)
		wantStatus(t, "mapping page on B", resp, body, http.StatusOK)
		if !strings.Contains(body, "upload-"+p.tag+".csv") || !strings.Contains(body, "Upload0") {
			t.Fatal("B's mapping page does not show the file uploaded to A")
		}
		p.mapImport(t, orgB, token, importURL)
		resp, body = orgB.Get(importURL + "/preview")
		wantStatus(t, "preview on B", resp, body, http.StatusOK)
		if want := fmt.Sprintf("%d rows: %d new", n, n); !strings.Contains(body, want) {
			t.Fatalf("B's preview lacks %q", want)
		}
		resp, body = postOn(orgB, importURL+"/commit", token, nil)
		wantStatus(t, "commit on B", resp, body, http.StatusSeeOther)
		if got := p.count(t, "SELECT count(*) FROM guests WHERE family_name LIKE 'Upload%'"); got != n {
			t.Fatalf("%d guests imported through B, want %d", got, n)
		}
	})

	// Last, as it leaves A dead: A is killed while it commits an import,
	// B goes on serving, nothing of the half-done import is left, and
	// the same browser retrying on B imports the file once.
	t.Run("instance killed mid-request", func(t *testing.T) {
		p.killMidRequest(t)
	})
}

// upload sends a CSV of rows guests (family names prefix0, prefix1, …) to
// srv's import form and returns the import's address.
func (p *instancePair) upload(t *testing.T, c *testserver.Client, srv *testserver.Instance, prefix string, rows int) string {
	t.Helper()
	var csv strings.Builder
	csv.WriteString("Family name,Given name,E-mail\r\n")
	for i := range rows {
		fmt.Fprintf(&csv, "%s%d,Guest,%s.%d.%s@example.org\r\n", strings.ToUpper(prefix[:1])+prefix[1:], i, prefix, i, p.tag)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("_csrf", c.CSRF()); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", prefix+"-"+p.tag+".csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(fw, csv.String()); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/guests/import", &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "upload", resp, string(body), http.StatusSeeOther)
	loc := resp.Header.Get("Location")
	if !regexp.MustCompile(`^/guests/import/\d+$`).MatchString(loc) {
		t.Fatalf("upload sent to %q", loc)
	}
	return loc
}

// mapImport saves the mapping of the three columns upload writes.
func (p *instancePair) mapImport(t *testing.T, c *testserver.Client, token, importURL string) {
	t.Helper()
	resp, body := postOn(c, importURL+"/mapping", token, url.Values{"col0": {"family_name"}, "col1": {"given_name"}, "col2": {"email"}})
	wantStatus(t, "mapping", resp, body, http.StatusSeeOther)
}

// jobQueue records answers through A for guests of a published ceremony
// and counts the confirmations Mailpit receives.
func (p *instancePair) jobQueue(t *testing.T, mp *mailtest.Mailpit) {
	const guests = 6
	year := time.Now().Year() + 1
	cm := p.a.InsertID(t, "INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	ed := p.a.InsertID(t, "INSERT INTO editions (commemoration_id, year, status, rsvp_deadline) VALUES (?, ?, 'invitations_open', ?)",
		cm, year, time.Now().AddDate(0, 2, 0).Format(time.DateOnly))
	venue := p.a.InsertID(t, "INSERT INTO venues (name, address) VALUES ('Memorial', '1 Memorial Avenue')")
	starts := time.Date(year, 2, 26, 7, 0, 0, 0, time.UTC)
	ceremony := p.a.InsertID(t, `INSERT INTO ceremonies (edition_id, title, venue_id, status, starts_at, ends_at)
		VALUES (?, 'Wreath-laying', ?, 'published', ?, ?)`, ed, venue, starts, starts.Add(90*time.Minute))
	ids := make([]int64, guests)
	addresses := make([]string, guests)
	for i := range ids {
		addresses[i] = fmt.Sprintf("queue.%d.%s@example.org", i, p.tag)
		ids[i] = p.a.InsertID(t, "INSERT INTO guests (given_name, family_name, email, language) VALUES ('Guest', ?, ?, 'en')",
			fmt.Sprintf("Queue%d", i), addresses[i])
	}
	ctx := context.Background()
	if _, err := p.a.App.Invitations.InviteGuests(ctx, invitation.Invite{EditionID: ed, GuestIDs: ids,
		Ceremonies: []invitation.CeremonyZone{{CeremonyID: ceremony}}}, invitation.Actor{Via: invitation.ViaOrganizer}); err != nil {
		t.Fatal(err)
	}

	staff := p.a.NewClient(t)
	staff.Login("staff@example.org")
	for _, g := range ids {
		var inv int64
		if err := p.db.Gorm.Raw("SELECT id FROM invitations WHERE guest_id = ?", g).Scan(&inv).Error; err != nil || inv == 0 {
			t.Fatalf("no invitation for guest %d: %v", g, err)
		}
		resp, body := staff.Post(fmt.Sprintf("/editions/%d/invitations/%d/answer", year, inv),
			url.Values{"channel": {"phone"}, "answer_" + strconv.FormatInt(ceremony, 10): {"accept"}})
		wantStatus(t, "answer recorded on A", resp, body, http.StatusSeeOther)
	}
	if n := p.count(t, "SELECT count(*) FROM messages WHERE template = 'confirmation'"); n != guests {
		t.Fatalf("%d confirmations queued, want %d", n, guests)
	}

	// Wait until the queue has nothing left to do for them, then count:
	// a job worked twice would have sent twice by then.
	deadline := time.Now().Add(20 * time.Second)
	for p.count(t, "SELECT count(*) FROM messages WHERE template = 'confirmation' AND status = 'sent'") != guests ||
		p.count(t, "SELECT count(*) FROM river_job WHERE kind = 'mail_send_message' AND state <> 'completed'") != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("confirmations not all sent: %d of %d", p.count(t, "SELECT count(*) FROM messages WHERE template = 'confirmation' AND status = 'sent'"), guests)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, a := range addresses {
		mp.WaitTo(t, a, 1, 10*time.Second)
		if got := mp.To(t, a); len(got) != 1 {
			t.Errorf("%d messages to %s, want exactly 1", len(got), a)
		}
	}
	if n := p.count(t, "SELECT count(*) FROM messages WHERE template = 'confirmation' AND attempts <> 1"); n != 0 {
		t.Errorf("%d confirmations were attempted more than once", n)
	}
	var workers []string
	if err := p.db.Gorm.Raw("SELECT DISTINCT unnest(attempted_by) FROM river_job WHERE state = 'completed'").Scan(&workers).Error; err != nil {
		t.Fatal(err)
	}
	t.Logf("jobs worked by %d River client(s): %v", len(workers), workers)
}

// killMidRequest kills A while it is inside an import commit's
// transaction, between writing the guests and writing their audit
// entries.
//
// A lock makes "mid-request" certain rather than a race against a large
// file: the test holds a lock on audit_entries that lets the commit insert
// its guests and then wait, inside its transaction, for the audit
// insert; pg_locks shows when it is there.
func (p *instancePair) killMidRequest(t *testing.T) {
	const rows = 300
	ctx := context.Background()
	org := p.a.NewClient(t)
	org.Login("organizer@example.org")
	token := org.CSRF()
	importURL := p.upload(t, org, p.a, "crash", rows)
	p.mapImport(t, org, token, importURL)
	id := strings.TrimPrefix(importURL, "/guests/import/")
	guestsBefore := p.count(t, "SELECT count(*) FROM guests")

	hold, err := p.db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = hold.Rollback(ctx) }()
	if _, err := hold.Exec(ctx, "LOCK TABLE audit_entries IN SHARE ROW EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}

	type answer struct {
		status int
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		form := url.Values{"_csrf": {token}}
		req, err := http.NewRequest(http.MethodPost, p.a.URL+importURL+"/commit", strings.NewReader(form.Encode()))
		if err != nil {
			answered <- answer{err: err}
			return
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := org.HTTP.Do(req)
		if err != nil {
			answered <- answer{err: err}
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		answered <- answer{status: resp.StatusCode}
	}()

	// The commit has inserted the guests and waits to write their audit
	// entries.
	deadline := time.Now().Add(15 * time.Second)
	for p.count(t, "SELECT count(*) FROM pg_locks WHERE relation = 'audit_entries'::regclass AND mode = 'RowExclusiveLock' AND NOT granted") != 1 {
		select {
		case a := <-answered:
			t.Fatalf("the commit on A ended before the kill: %d %v", a.status, a.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the commit on A never reached the audit insert")
		}
		time.Sleep(20 * time.Millisecond)
	}

	p.a.Kill()
	select {
	case a := <-answered:
		if a.err == nil {
			t.Fatalf("the killed instance answered the commit: %d", a.status)
		}
		t.Logf("the client's commit on A failed as with a crash: %v", a.err)
	case <-time.After(10 * time.Second):
		t.Fatal("the client's request to the killed instance hangs")
	}

	// B serves while A is dead (and the lock is still held).
	orgB := on(t, org, p.b)
	resp, body := orgB.Get("/guests/import/" + id + "/preview")
	wantStatus(t, "preview on B after the kill", resp, body, http.StatusOK)
	if r, err := http.Get(p.b.URL + "/readyz"); err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("B not ready after A's death: %v %v", r, err)
	} else {
		r.Body.Close()
	}

	// Let the dead commit's transaction go: PostgreSQL finds its client
	// gone and rolls it back. Nothing of it is left.
	if err := hold.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(15 * time.Second)
	for p.count(t, "SELECT count(*) FROM pg_locks WHERE relation = 'guests'::regclass AND mode = 'RowExclusiveLock'") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the killed commit's transaction is still open")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := p.count(t, "SELECT count(*) FROM guests"); n != guestsBefore {
		t.Fatalf("the killed commit left %d guests", n-guestsBefore)
	}
	if n := p.count(t, "SELECT count(*) FROM guest_imports WHERE id = ? AND status = 'committed'", id); n != 0 {
		t.Fatal("the killed commit marked the import committed")
	}
	if n := p.count(t, "SELECT count(*) FROM audit_entries WHERE entity_type = 'guest_import' AND entity_id = ? AND action = 'import'", id); n != 0 {
		t.Fatal("the killed commit left its audit entry")
	}

	// The same browser retries on B, signed in still, and the file is
	// imported once, whole.
	resp, body = postOn(orgB, importURL+"/commit", token, nil)
	wantStatus(t, "commit retried on B", resp, body, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != importURL+"/done" {
		t.Fatalf("retried commit sent to %q", loc)
	}
	if n := p.count(t, "SELECT count(*) FROM guests WHERE family_name LIKE 'Crash%'"); n != rows {
		t.Fatalf("%d guests after the retry on B, want %d", n, rows)
	}
	if n := p.count(t, "SELECT count(*) FROM guests"); n != guestsBefore+rows {
		t.Fatalf("%d guests added in all, want %d", n-guestsBefore, rows)
	}
}
