package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"vigil/internal/auth"
	"vigil/internal/database"
	"vigil/internal/invitation"
	"vigil/internal/loadtest"
	"vigil/internal/testserver"
)

// The database stops under load and comes back: while it is down every
// page that needs it answers the translated 503 page (never a 500 or a
// stack trace), /readyz fails and /healthz does not; once it is back the
// same server, not restarted, answers again; and every RSVP answer and
// check-in that got a success answer is in the database.
//
// PostgreSQL here is a private cluster of this test's own (initdb into a
// temporary folder, a free port), never the shared one on 54329 that the
// other tests use.
func TestDatabaseOutageUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own PostgreSQL")
	}
	pg := startPrivatePostgres(t)
	ctx := context.Background()
	dbURL := pg.createDB(t, "vigil")
	db, err := database.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close) // after the server's clean-up, registered later
	m, err := database.NewMigrator(db.SQL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	// Quiet unless asked for (VIGIL_TEST_LOG under -v): while the
	// database is down the server logs its failures again and again.
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() && os.Getenv("VIGIL_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	srv := testserver.StartWith(t, db, dbURL, log)
	fx := seedOutageFixture(t, srv)

	var (
		stats   outageStats
		phase   atomic.Int32 // 0 before the stop, 1 while down, 2 after the start
		stopAll = make(chan struct{})
		wg      sync.WaitGroup
		mu      sync.Mutex
		markers []string // RSVP answers that got a success answer
		scanned []string // badge codes whose scan said "checked in"
		firstOK atomic.Int64
	)
	ok := func() {
		if phase.Load() == 2 {
			firstOK.CompareAndSwap(0, time.Now().UnixNano())
		}
	}
	// Three guests answer again and again, each time with a note of its
	// own, so each accepted answer can be found in the history.
	for w, g := range fx.guests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; ; k++ {
				select {
				case <-stopAll:
					return
				default:
				}
				marker := fmt.Sprintf("outage-%d-%d", w, k)
				answer := "accept"
				if k%2 == 1 {
					answer = "decline"
				}
				form := url.Values{"_csrf": {g.csrf}, fx.answerField: {answer}, "dietary_needs": {marker}}
				status, _, err := post(g.http, srv.URL+"/rsvp", form)
				switch {
				case status == http.StatusSeeOther:
					mu.Lock()
					markers = append(markers, marker)
					mu.Unlock()
					stats.ok.Add(1)
					ok()
				default:
					stats.record(t, phase.Load(), "POST /rsvp", status, err)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	// Three gates scan badges, each a badge not scanned before.
	for w, d := range fx.desks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < len(fx.codes); k += len(fx.desks) {
				select {
				case <-stopAll:
					return
				default:
				}
				form := url.Values{"_csrf": {d.csrf}, "q": {fx.codes[k]}, "gate": {d.gate}}
				status, body, err := post(d.http, fx.scanURL, form)
				switch {
				case status == http.StatusOK && strings.Contains(body, "checkin-result--success"):
					mu.Lock()
					scanned = append(scanned, fx.codes[k])
					mu.Unlock()
					stats.ok.Add(1)
					ok()
				case status == http.StatusOK:
					t.Errorf("scan %s: 200 without a check-in", fx.codes[k])
				default:
					stats.record(t, phase.Load(), "POST scan", status, err)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}

	time.Sleep(1500 * time.Millisecond)
	if stats.ok.Load() == 0 {
		t.Fatal("no request succeeded before the outage")
	}
	if n := stats.total503(); n > 0 {
		t.Fatalf("%d answers of 503 before the database stopped", n)
	}

	okBefore := stats.ok.Load()
	// From here on a 503 is expected: requests in flight as the server
	// stops get one too.
	phase.Store(1)
	stoppedAt := time.Now()
	pg.ctl(t, "stop", "-m", "fast", "-w", "-t", "30")
	time.Sleep(1500 * time.Millisecond)

	// While it is down.
	probe := &http.Client{Timeout: 10 * time.Second}
	if st, _, _ := get(probe, srv.URL+"/readyz", nil); st != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database down: %d, want 503", st)
	}
	if st, _, _ := get(probe, srv.URL+"/healthz", nil); st != http.StatusOK {
		t.Errorf("/healthz with the database down: %d, want 200", st)
	}
	// A signed-in page (the session store fails first) and a public one
	// (a handler's query fails), each in the visitor's language.
	for _, c := range []struct {
		name   string
		client *http.Client
		path   string
	}{{"staff desk", fx.desks[0].http, fx.deskPath}, {"invitation link", probe, "/rsvp/not-a-real-token-at-all"}} {
		st, body, hdr := get(c.client, srv.URL+c.path, http.Header{"Accept-Language": {"ru"}})
		if st != http.StatusServiceUnavailable || !strings.Contains(body, "Vigil временно недоступен") || hdr.Get("Retry-After") == "" {
			t.Errorf("%s with the database down: %d, Retry-After %q, body:\n%.600s", c.name, st, hdr.Get("Retry-After"), body)
		}
		for _, leak := range []string{"goroutine", "pgconn", "dial tcp", "connection refused", "SQLSTATE"} {
			if strings.Contains(body, leak) {
				t.Errorf("%s: the 503 page shows %q", c.name, leak)
			}
		}
	}
	if got := stats.ok.Load() - okBefore; got > 0 {
		t.Logf("%d requests succeeded after pg_ctl stop began (finished before the server went)", got)
	}

	// Recovery is timed from the moment pg_ctl start is called, so it
	// includes PostgreSQL's own start-up: what a gate would wait.
	startedAt := time.Now()
	phase.Store(2)
	pg.ctl(t, "start", "-w", "-t", "60", "-l", pg.log)
	upAt := time.Now()
	var readyAt time.Time
	for time.Since(startedAt) < 60*time.Second {
		if st, _, _ := get(probe, srv.URL+"/readyz", nil); st == http.StatusOK {
			readyAt = time.Now()
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if readyAt.IsZero() {
		t.Fatal("/readyz did not recover within 60 s of PostgreSQL starting again")
	}
	deadline := time.Now().Add(60 * time.Second)
	for firstOK.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if firstOK.Load() == 0 {
		t.Fatal("no RSVP or scan succeeded within 60 s of PostgreSQL starting again")
	}
	recovery := time.Unix(0, firstOK.Load()).Sub(startedAt)
	// Once recovered, everything works: a second of load without a failure.
	time.Sleep(500 * time.Millisecond)
	failsBefore := stats.failures()
	time.Sleep(1500 * time.Millisecond)
	lateFails := stats.failures() - failsBefore
	close(stopAll)
	wg.Wait()

	t.Logf("outage: database down %.1f s (pg_ctl stop -m fast to pg_ctl start); %d answers of 503 while it was down or coming back, %d other failures (%s); %d successes in all",
		startedAt.Sub(stoppedAt).Seconds(), stats.total503(), stats.failures()-stats.total503(), stats.summary(), stats.ok.Load())
	t.Logf("recovery: from pg_ctl start: PostgreSQL accepting connections after %.2f s, first RSVP/scan success after %.2f s "+
		"(target <= 5 s), /readyz 200 polled at %.2f s", upAt.Sub(startedAt).Seconds(), recovery.Seconds(), readyAt.Sub(startedAt).Seconds())
	if stats.total503() == 0 {
		t.Error("no request got a 503 while the database was down: the outage was not exercised")
	}
	if n := stats.bad.Load(); n > 0 {
		t.Errorf("%d answers were neither a success nor a 503 (first: %s)", n, stats.firstBad())
	}
	if lateFails > 0 {
		t.Errorf("%d failures after recovery (%s)", lateFails, stats.summary())
	}
	if recovery > 30*time.Second {
		t.Errorf("recovery took %v; target 5 s", recovery)
	}

	// Nothing accepted is lost.
	lost := loadtest.Lost(t, db.Gorm, markers, scanned)
	t.Logf("kept: %d accepted RSVP answers and %d check-ins, %d lost", len(markers), len(scanned), len(lost))
	if len(lost) > 0 {
		t.Errorf("accepted but not in the database: %v", lost)
	}
}

// outageStats counts the answers that were not a success.
type outageStats struct {
	ok, bad  atomic.Int64
	mu       sync.Mutex
	byKind   map[string]int
	firstErr string
}

func (s *outageStats) record(t *testing.T, phase int32, what string, status int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byKind == nil {
		s.byKind = map[string]int{}
	}
	kind := strconv.Itoa(status)
	if err != nil {
		kind = "transport error"
	}
	s.byKind[kind]++
	// A 503 is the answer while the database is away; so is a
	// connection refused by nothing (never: the server stays up).
	if status != http.StatusServiceUnavailable || phase == 0 {
		s.bad.Add(1)
		if s.firstErr == "" {
			s.firstErr = fmt.Sprintf("%s: status %d, %v (phase %d)", what, status, err, phase)
		}
	}
}

func (s *outageStats) total503() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byKind["503"]
}

func (s *outageStats) failures() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.byKind {
		n += v
	}
	return n
}

func (s *outageStats) summary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprint(s.byKind)
}

func (s *outageStats) firstBad() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.firstErr
}

func post(c *http.Client, u string, form url.Values) (int, string, error) {
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// As the desk's page sends it: htmx swaps the live part only.
	req.Header.Set("HX-Request", "true")
	st, body, _, err := do(c, req)
	return st, body, err
}

func get(c *http.Client, u string, h http.Header) (int, string, http.Header) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return 0, err.Error(), http.Header{}
	}
	for k, v := range h {
		req.Header[k] = v
	}
	st, body, hdr, err := do(c, req)
	if err != nil {
		return 0, err.Error(), http.Header{}
	}
	return st, body, hdr
}

func do(c *http.Client, req *http.Request) (int, string, http.Header, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header, err
}

// outageFixture: an edition open for answers with three guests signed in
// to their invitations, and a ceremony with badges to scan at three gates.
type outageFixture struct {
	answerField string
	guests      []session
	desks       []session
	codes       []string
	scanURL     string
	deskPath    string
}

type session struct {
	http *http.Client
	csrf string
	gate string
}

func seedOutageFixture(t *testing.T, srv *testserver.Server) outageFixture {
	t.Helper()
	ctx := context.Background()
	one := func(q string, args ...any) int64 { return srv.InsertID(t, q, args...) }
	cm := one("INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	// Answers: an edition far ahead, open until its deadline.
	ed := one("INSERT INTO editions (commemoration_id, year, status, rsvp_deadline) VALUES (?, 2099, 'invitations_open', '2099-02-01')", cm)
	cer := one(`INSERT INTO ceremonies (edition_id, title, starts_at, ends_at, capacity, status)
		VALUES (?, 'Wreath-laying', '2099-02-26 07:00Z', '2099-02-26 08:00Z', 1000000, 'published')`, ed)
	var ids []int64
	for i := range 3 {
		ids = append(ids, one("INSERT INTO guests (given_name, family_name, email, language) VALUES (?, 'Guest', ?, 'en')",
			fmt.Sprintf("No. %d", i), fmt.Sprintf("guest%d@example.org", i)))
	}
	store := srv.App.Invitations
	if _, err := store.InviteGuests(ctx, invitation.Invite{EditionID: ed, GuestIDs: ids,
		Ceremonies: []invitation.CeremonyZone{{CeremonyID: cer}}}, invitation.Actor{Via: invitation.ViaOrganizer}); err != nil {
		t.Fatal(err)
	}
	fx := outageFixture{answerField: "answer_" + strconv.FormatInt(cer, 10)}
	for _, gid := range ids {
		var invID int64
		if err := srv.DB.Pool.QueryRow(ctx, "SELECT id FROM invitations WHERE guest_id = $1", gid).Scan(&invID); err != nil {
			t.Fatal(err)
		}
		inv, err := store.ByID(ctx, invID)
		if err != nil {
			t.Fatal(err)
		}
		c := srv.NewClient(t)
		if resp, _ := c.Get(store.Link(inv)); resp.StatusCode >= 400 {
			t.Fatalf("open the invitation link: %d", resp.StatusCode)
		}
		fx.guests = append(fx.guests, session{http: c.HTTP, csrf: c.CSRF()})
	}

	// Check-in: this year's edition, badges that were never scanned.
	badges := loadtest.SeedBadges(t, srv.DB.Gorm, cm, 3000, 3)
	fx.codes = badges.Codes
	fx.deskPath = "/checkin/" + strconv.FormatInt(badges.CeremonyID, 10)
	fx.scanURL = srv.URL + fx.deskPath + "/scan"
	for i, gate := range badges.Gates {
		u := srv.AddUser(t, fmt.Sprintf("gate%d@example.org", i), auth.RoleStaff)
		c := srv.NewClient(t)
		c.Login(u.Email)
		fx.desks = append(fx.desks, session{http: c.HTTP, csrf: c.CSRF(), gate: strconv.FormatInt(gate, 10)})
	}
	return fx
}

// privatePostgres is a PostgreSQL cluster of one test's own.
type privatePostgres struct {
	bin, data, log string
	port           int
	asPostgres     bool // running as root: the server runs as the postgres user
}

// startPrivatePostgres initialises and starts a cluster in a temporary
// folder on a free port, with the server programs deploy/local/pg.sh
// would use (VIGIL_PG_BINDIR, /usr/lib/postgresql/15/bin, pg_config, …).
// Without them the test is skipped, or fails under CI=true.
func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	initdb, err := database.Tool("initdb", os.Getenv("VIGIL_PG_BINDIR"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no PostgreSQL server programs for a private cluster: %v", err)
		}
		t.Skipf("no PostgreSQL server programs (initdb, pg_ctl) for a private cluster: %v", err)
	}
	p := &privatePostgres{bin: filepath.Dir(initdb), asPostgres: os.Geteuid() == 0}
	// Not t.TempDir(): its folders are 0700, and as root the server runs
	// as the postgres user, which must reach the data folder.
	base, err := os.MkdirTemp("", "vigil-pg-outage-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	p.data, p.log = filepath.Join(base, "data"), filepath.Join(base, "postgres.log")
	if err := os.Mkdir(p.data, 0o700); err != nil {
		t.Fatal(err)
	}
	if p.asPostgres {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skipf("running as root without a postgres user to run the server as (deploy/local/pg.sh start creates it): %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		for _, f := range []string{p.data, base} {
			if err := os.Chown(f, uid, gid); err != nil {
				t.Fatal(err)
			}
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	t.Cleanup(func() {
		// Stop it whatever state the test left it in, then remove it.
		_ = p.run(exec.Command(filepath.Join(p.bin, "pg_ctl"), "-D", p.data, "stop", "-m", "immediate", "-w"))
		if err := os.RemoveAll(base); err != nil {
			t.Logf("remove %s: %v", base, err)
		}
	})
	if err := p.run(exec.Command(initdb, "-D", p.data, "-E", "UTF8", "--locale=C.UTF-8", "--auth=trust", "-U", "postgres")); err != nil {
		t.Fatalf("initdb: %v", err)
	}
	conf := fmt.Sprintf("\nlisten_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = ''\nmax_connections = 60\n"+
		"shared_buffers = 32MB\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n", p.port)
	f, err := os.OpenFile(filepath.Join(p.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(conf); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	p.ctl(t, "start", "-w", "-t", "60", "-l", p.log)
	return p
}

// run runs a PostgreSQL program as the cluster's owner.
func (p *privatePostgres) run(cmd *exec.Cmd) error {
	if p.asPostgres {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--"}, cmd.Args...)...)
	}
	cmd.Dir = "/" // the test's folder may be closed to the postgres user
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %w\n%s", cmd.Args, err, out)
	}
	return nil
}

func (p *privatePostgres) ctl(t *testing.T, args ...string) {
	t.Helper()
	args = append([]string{"-D", p.data}, args...)
	if err := p.run(exec.Command(filepath.Join(p.bin, "pg_ctl"), args...)); err != nil {
		if b, rerr := os.ReadFile(p.log); rerr == nil {
			t.Logf("postgres.log:\n%s", b)
		}
		t.Fatalf("pg_ctl: %v", err)
	}
}

// createDB creates a database and returns its URL.
func (p *privatePostgres) createDB(t *testing.T, name string) string {
	t.Helper()
	ctx := context.Background()
	admin := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable&pool_max_conns=10", p.port, name)
}
