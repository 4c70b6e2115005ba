// Command vigil-load is the load benchmark behind `make bench` (issue 7).
//
// It creates a fresh database on a PostgreSQL server it may CREATE
// DATABASE on, seeds a large edition (5,000 guests in 200 delegations, four
// ceremonies, invitations with a realistic mix of answers and check-in
// codes), starts Vigil and a baseline server (bare Echo + pgx, no ORM, no
// middleware, the same number of statements and one html/template render
// per request) as child processes, and drives both with vegeta at fixed
// rates and then in a closed loop: the guest's RSVP page and answer
// (sessions opened through personal links, CSRF tokens), check-in scans
// from 10 gates (one staff session each), 100-row pages of the invitation
// list, with 50 live-board listeners connected to the server under load
// throughout. It prints a Markdown table of p50/p99, throughput, errors
// and each server's peak memory, Vigil beside the baseline as ratios, and
// writes it to -out-dir/results-<UTC time>.md.
//
//	go run ./cmd/vigil-load -admin-url postgres://postgres@127.0.0.1:54329/postgres
//
// The admin URL defaults to $VIGIL_TEST_DATABASE_URL, then $DATABASE_URL.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"vigil/internal/database"
)

// options are the command's flags.
type options struct {
	adminURL    string
	duration    time.Duration
	maxDuration time.Duration
	workers     int
	inflight    int
	rates       map[string]*int
	boards      int
	guests      int
	outDir      string
	keep        bool
	sendMail    bool
	endpoints   string
	size        Size
}

func main() {
	serve := flag.String("serve", "", "run as a server for the driver: vigil or baseline (internal)")
	dbURL := flag.String("database-url", "", "the database of -serve (internal)")
	sendMail := flag.Bool("send-mail", false, "keep Vigil's e-mail sender running (there is no SMTP server: jobs fail and retry)")
	o := options{rates: map[string]*int{}}
	flag.StringVar(&o.adminURL, "admin-url", "", "PostgreSQL URL allowed to CREATE DATABASE (default $VIGIL_TEST_DATABASE_URL, then $DATABASE_URL)")
	flag.DurationVar(&o.duration, "duration", 12*time.Second, "length of each fixed-rate attack")
	flag.DurationVar(&o.maxDuration, "max-duration", 9*time.Second, "length of each server's closed-loop (maximum throughput) attacks, in 3 turns; 0 skips them")
	flag.IntVar(&o.workers, "workers", 8, "concurrent clients of the closed-loop attacks")
	flag.IntVar(&o.inflight, "max-inflight", 32, "most requests a fixed-rate attack has waiting at once (a server that falls behind gets fewer)")
	o.rates[epRSVPPage] = flag.Int("rsvp-page-rate", 100, "guest RSVP page views per second")
	o.rates[epRSVPSubmit] = flag.Int("rsvp-submit-rate", 200, "guest RSVP answers per second (targets.md: p99 at 200/s)")
	o.rates[epScan] = flag.Int("scan-rate", 200, "check-in scans per second, from 10 gates (targets.md: p99 at 200/s)")
	o.rates[epList] = flag.Int("list-rate", 20, "100-row list pages per second")
	o.rates[epScanQuiet] = o.rates[epScan]
	flag.IntVar(&o.boards, "boards", 50, "live-board listeners connected during each attack")
	flag.IntVar(&o.guests, "guests", 400, "guests whose links are opened for the RSVP attacks")
	flag.IntVar(&o.size.Delegations, "delegations", DefaultSize.Delegations, "delegations to seed")
	flag.IntVar(&o.size.Guests, "total-guests", DefaultSize.Guests, "guests to seed")
	flag.StringVar(&o.outDir, "out-dir", ".data/bench", "where the results file goes")
	flag.BoolVar(&o.keep, "keep", false, "keep the benchmark database (it is dropped otherwise)")
	flag.StringVar(&o.endpoints, "endpoints", strings.Join([]string{epRSVPPage, epRSVPSubmit, epList, epScan, epScanQuiet}, ","), "the endpoints to drive, in order")
	flag.Parse()
	o.sendMail = *sendMail

	var err error
	switch *serve {
	case "vigil":
		err = serveVigil(*dbURL, os.Getenv("VIGIL_SECRET"), o.sendMail)
	case "baseline":
		err = serveBaseline(*dbURL)
	case "":
		err = run(o)
	default:
		err = fmt.Errorf("vigil-load: -serve %q: want vigil or baseline", *serve)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func say(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "vigil-load: "+format+"\n", args...)
}

// run is the driver.
func run(o options) error {
	started := time.Now()
	if o.adminURL == "" {
		o.adminURL = os.Getenv("VIGIL_TEST_DATABASE_URL")
	}
	if o.adminURL == "" {
		o.adminURL = os.Getenv("DATABASE_URL")
	}
	if o.adminURL == "" {
		return fmt.Errorf("vigil-load: no database: give -admin-url, or run it with `make bench`")
	}
	eps := strings.Split(o.endpoints, ",")
	for _, e := range eps {
		if o.rates[e] == nil {
			return fmt.Errorf("vigil-load: -endpoints: unknown %q", e)
		}
	}
	if err := os.MkdirAll(o.outDir, 0o755); err != nil {
		return fmt.Errorf("vigil-load: %w", err)
	}
	stamp := started.UTC().Format("2006-01-02T1504Z")
	load0 := loadAverage()

	ctx := context.Background()
	say("creating and migrating a database")
	dbURL, dbName, err := CreateDatabase(ctx, o.adminURL, "vigil_bench")
	if err != nil {
		return err
	}
	// Interrupted (Ctrl-C, SIGTERM): the children die with the driver
	// (childAttr); the database is dropped here, or it would be left
	// behind on the cluster.
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(interrupted)
	if o.keep {
		say("keeping database %s (-keep)", dbName)
	} else {
		defer func() {
			if err := DropDatabase(o.adminURL, dbName); err != nil {
				say("%v", err)
			}
		}()
		go func() {
			if _, ok := <-interrupted; !ok {
				return
			}
			say("interrupted: dropping database %s", dbName)
			if err := DropDatabase(o.adminURL, dbName); err != nil {
				say("%v", err)
			}
			os.Exit(130)
		}()
	}
	db, err := database.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	secretBytes := make([]byte, 32)
	if _, err := rand.Read(secretBytes); err != nil {
		return fmt.Errorf("vigil-load: secret: %w", err)
	}
	secret := base64.RawURLEncoding.EncodeToString(secretBytes)
	say("seeding %d guests in %d delegations", o.size.Guests, o.size.Delegations)
	fx, err := Seed(ctx, db, []byte(secret), o.size)
	if err != nil {
		return err
	}
	say("seeded in %s", fx.SeedDuration.Round(time.Millisecond))

	logs := filepath.Join(o.outDir, "logs-"+stamp)
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return fmt.Errorf("vigil-load: %w", err)
	}
	var extra []string
	if o.sendMail {
		extra = append(extra, "-send-mail")
	}
	vigil, err := startChild("vigil", dbURL, secret, filepath.Join(logs, "vigil.log"), extra...)
	if err != nil {
		return err
	}
	defer vigil.stop()
	base, err := startChild("baseline", dbURL, secret, filepath.Join(logs, "baseline.log"))
	if err != nil {
		return err
	}
	defer base.stop()
	say("vigil on %s, baseline on %s", vigil.base, base.base)

	w, err := newWorkload(fx, vigil, base, o)
	if err != nil {
		return err
	}
	rep := &report{opts: o, fx: fx, stamp: stamp, load0: load0, endpoints: map[string]*endpointReport{}}
	if err := db.Pool.QueryRow(ctx, "SHOW fsync").Scan(&rep.fsync); err != nil {
		return fmt.Errorf("vigil-load: fsync: %w", err)
	}
	if err := db.Pool.QueryRow(ctx, "SHOW server_version").Scan(&rep.pgVersion); err != nil {
		return fmt.Errorf("vigil-load: server version: %w", err)
	}

	// The same number of statements: Vigil's count per request, measured,
	// then the baseline padded to it.
	pads := map[string]int64{}
	for _, e := range eps {
		ep := w.endpoints[e]
		if ep.reset != nil {
			if err := ep.reset(ctx, db); err != nil {
				return err
			}
		}
		vq, err := perRequest(vigil, ep.targets["vigil"], 0, ep.checks["vigil"])
		if err != nil {
			return err
		}
		// Other guests and badges than Vigil's (targets 100 to 127): a
		// badge scanned twice takes another path.
		bq, err := perRequest(base, ep.targets["baseline"], 100, ep.checks["baseline"])
		if err != nil {
			return err
		}
		pads[e] = max(vq-bq, 0)
		r := &endpointReport{name: e, what: ep.what, rate: *o.rates[e], vigilQueries: vq, baselineCore: bq}
		rep.endpoints[e] = r
	}
	if err := base.setPads(pads); err != nil {
		return err
	}
	for _, e := range eps {
		ep := w.endpoints[e]
		if ep.reset != nil {
			if err := ep.reset(ctx, db); err != nil {
				return err
			}
		}
		bq, err := perRequest(base, ep.targets["baseline"], 200, ep.checks["baseline"])
		if err != nil {
			return err
		}
		rep.endpoints[e].baselineQueries = bq
		say("%s: %d statements a request on Vigil, baseline %d (+%d padding)", e, rep.endpoints[e].vigilQueries, bq, pads[e])
	}

	for i, e := range eps {
		ep := w.endpoints[e]
		r := rep.endpoints[e]
		order := []*child{base, vigil}
		if i%2 == 1 {
			order = []*child{vigil, base}
		}
		for _, srv := range order {
			res, err := w.drive(ctx, db, ep, srv, o)
			if err != nil {
				return err
			}
			r.results = append(r.results, res)
		}
		if o.maxDuration > 0 {
			if err := w.driveClosed(ctx, db, ep, order, r.results, o); err != nil {
				return err
			}
		}
	}
	for _, c := range []*child{vigil, base} {
		peak, now, err := c.memory()
		if err != nil {
			say("%v", err)
		}
		rep.memory = append(rep.memory, memoryFigures{server: c.name, peakKB: peak, endKB: now})
	}
	rep.load1 = loadAverage()
	rep.took = time.Since(started)
	text := rep.markdown()
	path := filepath.Join(o.outDir, "results-"+stamp+".md")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return fmt.Errorf("vigil-load: write results: %w", err)
	}
	fmt.Print(text)
	say("results written to %s (servers' logs in %s)", path, logs)
	return nil
}

// endpoint is one kind of request, as each server takes it.
type endpoint struct {
	name, what string
	targets    map[string]func(k uint64) vegeta.Target
	checks     map[string]func(*vegeta.Result) string
	// reset puts the data back before an attack (nil: nothing to do).
	reset func(ctx context.Context, db *database.DB) error
	// scans: the boards should show this endpoint's work.
	scans bool
	// quiet: no board is open during this endpoint's attacks (the scans
	// again, to tell the scan's own cost from the board's).
	quiet bool
	// limit ends an attack after this many requests (0: none).
	limit uint64
}

// badge is a badge to scan and where.
type badge struct{ code, path string }

// workload holds the sessions and the endpoints.
type workload struct {
	fx        *Fixture
	endpoints map[string]*endpoint
	boardURL  map[string]string
	boardHdr  map[string]http.Header
}

func newWorkload(fx *Fixture, vigil, base *child, o options) (*workload, error) {
	w := &workload{fx: fx, endpoints: map[string]*endpoint{}, boardURL: map[string]string{}, boardHdr: map[string]http.Header{}}
	// Guests who have not answered the main ceremony yet open their
	// links; the badges of those who accepted are scanned: first at the
	// main ceremony (the boards show it), then at the others, so that a
	// closed loop has fresh badges for longer.
	var pool []Invite
	inPool := map[int64]bool{}
	for _, inv := range fx.Invites {
		if inv.Status[0] == "pending" && len(pool) < o.guests {
			pool = append(pool, inv)
			inPool[inv.ID] = true
		}
	}
	var scan []badge
	for c := range fx.CeremonyIDs {
		for _, inv := range fx.Invites {
			if inv.Status[c] == "accepted" && !inPool[inv.ID] {
				scan = append(scan, badge{code: inv.Code, path: "/checkin/" + strconv.FormatInt(fx.CeremonyIDs[c], 10) + "/scan"})
			}
		}
	}
	if len(pool) == 0 || len(scan) == 0 {
		return nil, fmt.Errorf("vigil-load: the seed has no pending or no accepted invitations")
	}
	say("opening %d guest links and signing in %d staff members", len(pool), len(fx.GateEmails)+2)
	guests := make([]session, len(pool))
	for i, inv := range pool {
		s, err := openLink(vigil.base, inv.Token)
		if err != nil {
			return nil, err
		}
		guests[i] = s
	}
	gates := make([]session, len(fx.GateEmails))
	for i, e := range fx.GateEmails {
		s, err := login(vigil.base, e)
		if err != nil {
			return nil, err
		}
		gates[i] = s
	}
	lists, err := login(vigil.base, fx.ListEmail)
	if err != nil {
		return nil, err
	}
	board, err := login(vigil.base, fx.BoardEmail)
	if err != nil {
		return nil, err
	}
	cer0 := strconv.FormatInt(fx.CeremonyIDs[0], 10)
	w.boardURL["vigil"] = vigil.base + "/checkin/" + cer0 + "/board/events"
	w.boardHdr["vigil"] = http.Header{"Cookie": {board.cookie}}
	w.boardURL["baseline"] = base.base + "/checkin/" + cer0 + "/board/events"
	w.boardHdr["baseline"] = http.Header{}

	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	withCookie := func(h http.Header, cookie string) http.Header {
		h = h.Clone()
		if h == nil {
			h = http.Header{}
		}
		h.Set("Cookie", cookie)
		return h
	}
	answer := func(k uint64) string {
		if (k/uint64(len(pool)))%2 == 0 {
			return "accept"
		}
		return "decline"
	}
	// Full pages only, so that each answer must have 100 rows.
	pages := uint64(max(len(fx.Invites)/100, 1))
	year := strconv.Itoa(fx.Year)

	w.endpoints[epRSVPPage] = &endpoint{name: epRSVPPage, what: "guest's RSVP page (GET /rsvp, guest session)",
		targets: map[string]func(uint64) vegeta.Target{
			"vigil": func(k uint64) vegeta.Target {
				return vegeta.Target{Method: http.MethodGet, URL: vigil.base + "/rsvp", Header: withCookie(nil, guests[k%uint64(len(pool))].cookie)}
			},
			"baseline": func(k uint64) vegeta.Target {
				return vegeta.Target{Method: http.MethodGet, URL: base.base + "/rsvp?t=" + pool[k%uint64(len(pool))].Token}
			},
		},
		checks: map[string]func(*vegeta.Result) string{"vigil": expect(http.StatusOK, `name="answer_`), "baseline": expect(http.StatusOK, `name="answer_`)},
	}
	w.endpoints[epRSVPSubmit] = &endpoint{name: epRSVPSubmit, what: "guest's answer (POST /rsvp: session, CSRF, history, e-mail queued)",
		targets: map[string]func(uint64) vegeta.Target{
			"vigil": func(k uint64) vegeta.Target {
				g := k % uint64(len(pool))
				v := url.Values{"_csrf": {guests[g].csrf}}
				for c, st := range pool[g].Status {
					if st != "" {
						v.Set("answer_"+strconv.FormatInt(fx.CeremonyIDs[c], 10), answer(k))
					}
				}
				return vegeta.Target{Method: http.MethodPost, URL: vigil.base + "/rsvp", Body: []byte(v.Encode()), Header: withCookie(form, guests[g].cookie)}
			},
			"baseline": func(k uint64) vegeta.Target {
				v := url.Values{"t": {pool[k%uint64(len(pool))].Token}, "answer": {answer(k)}}
				return vegeta.Target{Method: http.MethodPost, URL: base.base + "/rsvp", Body: []byte(v.Encode()), Header: form}
			},
		},
		// Vigil answers with the redirect to /rsvp/done (post/redirect/get).
		checks: map[string]func(*vegeta.Result) string{"vigil": expectRedirect("/rsvp/done"), "baseline": expect(http.StatusOK, "is recorded")},
	}
	gate := func(k uint64) string { return strconv.FormatInt(fx.GateIDs[k%uint64(len(fx.GateIDs))], 10) }
	code := func(k uint64) string { return scan[k%uint64(len(scan))].code }
	scanPath := func(k uint64) string { return scan[k%uint64(len(scan))].path }
	htmx := form.Clone()
	htmx.Set("HX-Request", "true")
	w.endpoints[epScan] = &endpoint{name: epScan, what: "check-in scan from 10 gates (POST /checkin/:c/scan, staff, htmx)", scans: true,
		targets: map[string]func(uint64) vegeta.Target{
			"vigil": func(k uint64) vegeta.Target {
				g := gates[k%uint64(len(gates))]
				v := url.Values{"_csrf": {g.csrf}, "q": {code(k)}}
				return vegeta.Target{Method: http.MethodPost, URL: vigil.base + scanPath(k) + "?gate=" + gate(k), Body: []byte(v.Encode()), Header: withCookie(htmx, g.cookie)}
			},
			"baseline": func(k uint64) vegeta.Target {
				v := url.Values{"code": {code(k)}, "gate": {gate(k)}}
				return vegeta.Target{Method: http.MethodPost, URL: base.base + scanPath(k), Body: []byte(v.Encode()), Header: form}
			},
		},
		checks: map[string]func(*vegeta.Result) string{"vigil": expect(http.StatusOK, "checkin-result"), "baseline": expect(http.StatusOK, "baseline-result")},
		reset:  resetCheckIns,
		// Each badge once an attack: every scan checks a guest in.
		limit: uint64(len(scan)),
	}
	quiet := *w.endpoints[epScan]
	quiet.name, quiet.what, quiet.scans, quiet.quiet = epScanQuiet, "the same scans with no board open", false, true
	// The baseline pads these to their own count, on a path of their own.
	quiet.targets = map[string]func(uint64) vegeta.Target{
		"vigil": quiet.targets["vigil"],
		"baseline": func(k uint64) vegeta.Target {
			t := w.endpoints[epScan].targets["baseline"](k)
			t.URL = base.base + "/quiet" + strings.TrimPrefix(t.URL, base.base)
			return t
		},
	}
	w.endpoints[epScanQuiet] = &quiet
	w.endpoints[epList] = &endpoint{name: epList, what: "invitation list, 100-row page (GET /editions/:y/invitations?page=N, staff)",
		targets: map[string]func(uint64) vegeta.Target{
			"vigil": func(k uint64) vegeta.Target {
				return vegeta.Target{Method: http.MethodGet, URL: vigil.base + "/editions/" + year + "/invitations?page=" + strconv.FormatUint(k%pages+1, 10),
					Header: withCookie(nil, lists.cookie)}
			},
			"baseline": func(k uint64) vegeta.Target {
				return vegeta.Target{Method: http.MethodGet, URL: base.base + "/editions/" + year + "/invitations?page=" + strconv.FormatUint(k%pages+1, 10)}
			},
		},
		checks: map[string]func(*vegeta.Result) string{
			"vigil":    expectRows(`<th scope="row"><a href="/editions/`, min(100, len(fx.Invites))),
			"baseline": expectRows("<tr><td>", min(100, len(fx.Invites))),
		},
	}
	return w, nil
}

// resetCheckIns undoes every check-in, so that each scan of an attack
// checks a guest in (as at the gates) rather than finding them in.
func resetCheckIns(ctx context.Context, db *database.DB) error {
	for _, q := range []string{
		`UPDATE invitation_ceremonies SET checked_in_at = NULL, checked_in_gate_id = NULL, checked_in_by = NULL, companions_checked_in = 0
			WHERE checked_in_at IS NOT NULL`,
		`DELETE FROM invitation_events WHERE action = 'checked_in'`,
		`VACUUM ANALYZE invitation_ceremonies`,
	} {
		if _, err := db.Pool.Exec(ctx, q); err != nil {
			return fmt.Errorf("vigil-load: reset check-ins: %w", err)
		}
	}
	return nil
}

// serverResult is one server's figures on one endpoint.
type serverResult struct {
	server string
	fixed  attackFigures
	closed *attackFigures
	board  boardFigures
	// peakKB is the server's VmHWM after this endpoint's attacks: where
	// it jumps, that endpoint raised the peak.
	peakKB int64
}

// drive runs one endpoint's fixed-rate attack on one server, with the
// boards open.
func (w *workload) drive(ctx context.Context, db *database.DB, ep *endpoint, srv *child, o options) (serverResult, error) {
	res := serverResult{server: srv.name}
	if ep.reset != nil {
		if err := ep.reset(ctx, db); err != nil {
			return res, err
		}
	}
	n := w.boardsFor(ep, o)
	b := openBoards(w.boardURL[srv.name], w.boardHdr[srv.name], n)
	defer b.close()
	rate := *o.rates[ep.name]
	say("%s on %s: %d/s for %s, %d boards open", ep.name, srv.name, rate, o.duration, n)
	res.fixed = attack(ep.name+"-"+srv.name, ep.targets[srv.name], ep.limit, rate, o.duration, o.inflight, ep.checks[srv.name])
	res.board = b.settle(res.fixed.End, 500*time.Millisecond, 5*time.Second)
	// Without /proc (not Linux) the memory columns stay empty.
	res.peakKB, _, _ = srv.memory()
	return res, nil
}

// boardsFor is how many boards are open during ep's attacks.
func (w *workload) boardsFor(ep *endpoint, o options) int {
	if ep.quiet {
		return 0
	}
	return o.boards
}

// closedRounds is how many turns the closed loops of the two servers take.
const closedRounds = 3

// driveClosed runs ep's closed loops (maximum throughput) on the servers
// of results, in closedRounds turns of an equal share of -max-duration,
// the first server first in one turn and second in the next: a shared
// machine's load, which changes from second to second, then weighs on
// both alike, where one run each measured the moment as much as the
// server. Each server's figures are its turns' together.
func (w *workload) driveClosed(ctx context.Context, db *database.DB, ep *endpoint, order []*child, results []serverResult, o options) error {
	share := o.maxDuration / closedRounds
	say("%s: closed loops of %d, %d turns of %s on each server", ep.name, o.workers, closedRounds, share)
	for round := range closedRounds {
		for j := range order {
			i := j
			if round%2 == 1 {
				i = len(order) - 1 - j
			}
			srv := order[i]
			if ep.reset != nil {
				if err := ep.reset(ctx, db); err != nil {
					return err
				}
			}
			b := openBoards(w.boardURL[srv.name], w.boardHdr[srv.name], w.boardsFor(ep, o))
			c := attack(ep.name+"-"+srv.name+"-max", ep.targets[srv.name], ep.limit, 0, share, o.workers, ep.checks[srv.name])
			b.close()
			if results[i].closed == nil {
				results[i].closed = &attackFigures{}
			}
			results[i].closed.add(c)
			results[i].peakKB, _, _ = srv.memory()
		}
	}
	return nil
}

// loadAverage is /proc/loadavg's first three figures.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
