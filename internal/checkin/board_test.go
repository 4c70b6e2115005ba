package checkin_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/config"
	"vigil/internal/database"
	"vigil/internal/testserver"
)

// boardFixture is one ceremony with two zones, two delegations and guests
// in every state the board tells apart.
type boardFixture struct {
	ceremony, zoneVIP, zoneGuests int64
	delFrance, delItaly           int64
	// invitations by guest: anna (VIP, accepted, VIP stand, 1 companion,
	// checked in with the companion), boris (accepted, guests, 2
	// companions, checked in alone), carla (VIP, accepted, VIP stand, not
	// arrived), dmitri (accepted, no zone, no delegation), elif (declined
	// but checked in), farid (pending).
	inv map[string]int64
}

func seedBoard(t *testing.T, srv *testserver.Server) boardFixture {
	t.Helper()
	db := srv.DB.Gorm
	one := func(dst *int64, sql string, args ...any) {
		t.Helper()
		if err := db.Raw(sql, args...).Scan(dst).Error; err != nil {
			t.Fatalf("fixture %q: %v", sql, err)
		}
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if err := db.Exec(sql, args...).Error; err != nil {
			t.Fatalf("fixture %q: %v", sql, err)
		}
	}
	f := boardFixture{inv: map[string]int64{}}
	var cm, ed, venue int64
	one(&cm, "INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku') RETURNING id")
	one(&ed, "INSERT INTO editions (commemoration_id, year) VALUES (?, 2026) RETURNING id", cm)
	one(&venue, "INSERT INTO venues (name) VALUES ('Memorial') RETURNING id")
	one(&f.zoneVIP, "INSERT INTO zones (venue_id, name, capacity, badge_colour, position) VALUES (?, 'VIP stand', 20, '#8a1c1c', 1) RETURNING id", venue)
	one(&f.zoneGuests, "INSERT INTO zones (venue_id, name, capacity, position) VALUES (?, 'Guest stand', 200, 2) RETURNING id", venue)
	one(&f.ceremony, "INSERT INTO ceremonies (edition_id, title, venue_id, starts_at, ends_at, status) VALUES (?, 'Wreath-laying', ?, '2026-02-26 07:00Z', '2026-02-26 08:30Z', 'published') RETURNING id", ed, venue)
	exec("INSERT INTO ceremony_zones (ceremony_id, zone_id) VALUES (?, ?), (?, ?)", f.ceremony, f.zoneVIP, f.ceremony, f.zoneGuests)
	one(&f.delFrance, "INSERT INTO delegations (name, kind, country, precedence) VALUES ('Embassy of France', 'diplomatic_mission', 'FR', 1) RETURNING id")
	one(&f.delItaly, "INSERT INTO delegations (name, kind, country, precedence) VALUES ('Embassy of Italy', 'diplomatic_mission', 'IT', 2) RETURNING id")
	type guest struct {
		key, given, family string
		vip                bool
		delegation         *int64
		status             string
		zone               *int64
		companions         int
		in                 bool
		companionsIn       int
	}
	for i, g := range []guest{
		{"anna", "Anna", "Bernard", true, &f.delFrance, "accepted", &f.zoneVIP, 1, true, 1},
		{"boris", "Boris", "Durand", false, &f.delFrance, "accepted", &f.zoneGuests, 2, true, 0},
		{"carla", "Carla", "Rossi", true, &f.delItaly, "accepted", &f.zoneVIP, 0, false, 0},
		{"dmitri", "Dmitri", "Orlov", false, nil, "accepted", nil, 0, false, 0},
		{"elif", "Elif", "Yılmaz", false, &f.delItaly, "declined", &f.zoneGuests, 0, true, 0},
		{"farid", "Farid", "Məmmədov", false, &f.delItaly, "pending", nil, 0, false, 0},
	} {
		var gid, inv int64
		one(&gid, "INSERT INTO guests (given_name, family_name, vip, delegation_id) VALUES (?, ?, ?, ?) RETURNING id", g.given, g.family, g.vip, g.delegation)
		one(&inv, `INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code, companions_allowed)
			VALUES (?, ?, ?, ?, ?, 2) RETURNING id`, ed, gid, []byte("nonce"+g.key), []byte("hash"+g.key), fmt.Sprintf("BOARD%04d", i))
		var checkedIn any
		if g.in {
			checkedIn = time.Now()
		}
		exec(`INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, zone_id, status, companions, checked_in_at, companions_checked_in)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, inv, f.ceremony, g.zone, g.status, g.companions, checkedIn, g.companionsIn)
		f.inv[g.key] = inv
	}
	return f
}

// boardCheckIn marks the guest of invitation inv as arrived, as the desk does:
// the trigger of migrations/00007_checkin.sql announces it.
func boardCheckIn(t *testing.T, db *database.DB, f boardFixture, inv int64) {
	t.Helper()
	err := db.Gorm.Exec("UPDATE invitation_ceremonies SET checked_in_at = now() WHERE invitation_id = ? AND ceremony_id = ?", inv, f.ceremony).Error
	if err != nil {
		t.Fatal(err)
	}
}

// boardCounts reads arrived/expected from the element with attribute attr (and
// value, if not empty) in a board page or event.
func boardCounts(t *testing.T, html, attr, value string) (arrived, expected int) {
	t.Helper()
	sel := attr
	if value != "" {
		sel += `="` + regexp.QuoteMeta(value) + `"`
	}
	re := regexp.MustCompile(sel + ` data-arrived="(\d+)" data-expected="(\d+)"`)
	m := re.FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("no %s in:\n%s", sel, html)
	}
	a, _ := strconv.Atoi(m[1])
	e, _ := strconv.Atoi(m[2])
	return a, e
}

func boardStaff(t *testing.T, srv *testserver.Server) *testserver.Client {
	t.Helper()
	c := srv.NewClient(t)
	c.Login("staff@example.org")
	return c
}

func boardID(n int64) string { return strconv.FormatInt(n, 10) }

func TestBoardShowsArrivedAndExpected(t *testing.T) {
	srv := testserver.Start(t)
	srv.AddUser(t, "staff@example.org", auth.RoleStaff)
	f := seedBoard(t, srv)
	c := boardStaff(t, srv)

	resp, body := c.Get("/checkin/" + boardID(f.ceremony) + "/board")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("board: %d\n%s", resp.StatusCode, body)
	}
	for _, tc := range []struct {
		name, attr, value string
		arrived, expected int
	}{
		// People: Anna and her companion, Boris (his two companions not
		// yet), Elif (declined, came anyway) of 2 + 3 + 1 + 1 expected.
		{"total people", "data-board-total", "", 4, 7},
		{"total guests", "data-board-guests", "", 3, 4},
		{"VIP stand", "data-board-zone", boardID(f.zoneVIP), 2, 3},
		{"guest stand", "data-board-zone", boardID(f.zoneGuests), 2, 3},
		{"no zone", "data-board-zone", "0", 0, 1},
		{"France", "data-board-delegation", boardID(f.delFrance), 3, 5},
		{"Italy", "data-board-delegation", boardID(f.delItaly), 1, 1},
		{"no delegation", "data-board-delegation", "0", 0, 1},
	} {
		a, e := boardCounts(t, body, tc.attr, tc.value)
		if a != tc.arrived || e != tc.expected {
			t.Errorf("%s: %d / %d, want %d / %d", tc.name, a, e, tc.arrived, tc.expected)
		}
	}
	// France comes before Italy (order of precedence), no delegation last.
	dels := body[strings.Index(body, `id="board-delegations-h"`):]
	if i, j, k := strings.Index(dels, "Embassy of France"), strings.Index(dels, "Embassy of Italy"), strings.Index(dels, "No delegation"); i < 0 || !(i < j && j < k) {
		t.Errorf("delegations out of order: France %d, Italy %d, none %d", i, j, k)
	}
	// VIPs not yet arrived: Carla only (Anna has arrived).
	vips := regexp.MustCompile(`(?s)<ul class="board-vips" data-board-vips="(\d+)">(.*?)</ul>`).FindStringSubmatch(body)
	if vips == nil || vips[1] != "1" || !strings.Contains(vips[2], "Carla Rossi") || strings.Contains(vips[2], "Anna") {
		t.Errorf("VIPs not arrived: %q", vips)
	}
	// The wall-screen layout, its script and the refresh link for
	// browsers without it.
	for _, want := range []string{`class="board"`, "/static/js/board.js", "/static/css/board.css",
		`href="/checkin/` + boardID(f.ceremony) + `/board"`, `data-board-events="/checkin/` + boardID(f.ceremony) + `/board/events"`} {
		if !strings.Contains(body, want) {
			t.Errorf("board page lacks %q", want)
		}
	}

	// In the user's language.
	if resp, _ := c.Post("/language", url.Values{"locale": {"az"}, "back": {"/"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("language: %d", resp.StatusCode)
	}
	if _, body := c.Get("/checkin/" + boardID(f.ceremony) + "/board"); !strings.Contains(body, "Zonalar üzrə") || !strings.Contains(body, "Hələ gəlməmiş VIP qonaqlar") {
		t.Error("board not in Azerbaijani")
	}

	// A ceremony that does not exist; no stream for anonymous visitors.
	if resp, _ := c.Get("/checkin/999999/board"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown ceremony: %d, want 404", resp.StatusCode)
	}
	if resp, _ := c.Get("/checkin/999999/board/events"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown ceremony's events: %d, want 404", resp.StatusCode)
	}
	if resp, _ := srv.NewClient(t).Get("/checkin/" + boardID(f.ceremony) + "/board/events"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous events: %d, want a redirect to sign in", resp.StatusCode)
	}
}

// boardEvent is one server-sent event.
type boardEvent struct {
	name, data string
}

// boardStream is an open event stream read in the background.
type boardStream struct {
	events chan boardEvent
	done   chan error
	cancel context.CancelFunc
	// last is the last board event read.
	last string
}

// openBoardStream opens the board's event stream as EventSource does and reads
// it until it ends.
func openBoardStream(t *testing.T, c *testserver.Client, base, path string) *boardStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		resp.Body.Close()
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &boardStream{events: make(chan boardEvent, 100), done: make(chan error, 1), cancel: cancel}
	go func() {
		defer resp.Body.Close()
		r := bufio.NewReader(resp.Body)
		var ev boardEvent
		var data []string
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				s.done <- err
				close(s.events)
				return
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case line == "":
				if ev.name != "" {
					ev.data = strings.Join(data, "\n")
					s.events <- ev
				}
				ev, data = boardEvent{}, nil
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = append(data, strings.TrimPrefix(line, "data: "))
			}
		}
	}()
	t.Cleanup(cancel)
	return s
}

// next waits up to d for the next board event.
func (s *boardStream) next(t *testing.T, d time.Duration) string {
	t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			t.Fatal("stream ended")
		}
		if ev.name != "board" {
			t.Fatalf("event %q, want board", ev.name)
		}
		return ev.data
	case <-time.After(d):
		t.Fatalf("no event within %v", d)
	}
	return ""
}

// drain discards the events that come within d.
func (s *boardStream) drain(d time.Duration) {
	timeout := time.After(d)
	for {
		select {
		case <-s.events:
		case <-timeout:
			return
		}
	}
}

// waitArrived reads events until the board's total shows want arrived, or
// fails after d; it returns that event. With d zero it returns the last
// event that showed want, or waits 2 s for one.
func (s *boardStream) waitArrived(t *testing.T, want int, d time.Duration) string {
	t.Helper()
	if d == 0 {
		if s.last != "" {
			if a, _ := boardCounts(t, s.last, "data-board-total", ""); a == want {
				return s.last
			}
		}
		d = 2 * time.Second
	}
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			t.Fatalf("board did not show %d arrived within %v", want, d)
		}
		data := s.next(t, left)
		s.last = data
		if a, _ := boardCounts(t, data, "data-board-total", ""); a == want {
			return data
		}
	}
}

// boardSecondInstance starts another Vigil process's worth of app on srv's
// database (its own pool, its own LISTEN connection), as a second server
// instance behind a load balancer would be, and stops it when the test
// ends. The returned stop ends it earlier.
func boardSecondInstance(t *testing.T, srv *testserver.Server) (*testserver.Server, func() error) {
	t.Helper()
	dbURL := srv.DB.Pool.Config().ConnString()
	db, err := database.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	env := map[string]string{
		"DATABASE_URL": dbURL, "VIGIL_ADDR": ln.Addr().String(), "VIGIL_BASE_URL": base,
		"VIGIL_SECRET": "test-secret-test-secret-test-secret-0123",
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, config.NeedServer)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	var stopped error
	once := false
	stop := func() error {
		if once {
			return stopped
		}
		once = true
		cancel()
		select {
		case stopped = <-done:
		case <-time.After(30 * time.Second):
			stopped = fmt.Errorf("second instance did not stop")
		}
		a.Close()
		db.Close()
		return stopped
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	})
	for i := 0; i < 100; i++ {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &testserver.Server{URL: base, App: a, DB: db}, stop
}

// boardStreamsOpen counts the goroutines serving a board stream in this test
// binary (the servers run in it).
func boardStreamsOpen() int {
	buf := make([]byte, 1<<22)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Count(string(buf), "checkin.(*Board).Events(")
}

// boardListeners counts the LISTEN connections to the test's database.
func boardListeners(t *testing.T, db *database.DB) int {
	t.Helper()
	var n int
	err := db.Pool.QueryRow(context.Background(),
		"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN vigil_checkin'").Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func boardWaitFor(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestBoardEventsLiveAcrossInstances(t *testing.T) {
	srv := testserver.Start(t)
	srv.AddUser(t, "staff@example.org", auth.RoleStaff)
	f := seedBoard(t, srv)
	events := "/checkin/" + boardID(f.ceremony) + "/board/events"

	// A client that does not ask for a stream gets the numbers once (the
	// route table's access test reads the whole answer).
	a := boardStaff(t, srv)
	resp, body := a.Get(events)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "event: board\n") {
		t.Fatalf("one-shot events: %d %q", resp.StatusCode, body)
	}
	if n, _ := boardCounts(t, body, "data-board-total", ""); n != 4 {
		t.Errorf("one-shot events: %d arrived, want 4", n)
	}

	// Instance A: the numbers at once, then each check-in within 2 s.
	sa := openBoardStream(t, a, srv.URL, events)
	if n, _ := boardCounts(t, sa.next(t, 5*time.Second), "data-board-total", ""); n != 4 {
		t.Fatalf("first event: %d arrived, want 4", n)
	}
	boardWaitFor(t, "LISTEN connection of instance A", 5*time.Second, func() bool { return boardListeners(t, srv.DB) == 1 })
	boardCheckIn(t, srv.DB, f, f.inv["carla"])
	sa.waitArrived(t, 5, 2*time.Second)
	if last := sa.waitArrived(t, 5, 0); strings.Contains(last, "Carla Rossi") {
		t.Error("Carla still listed as a VIP not arrived")
	}

	// Instance B, on the same database: a check-in made through
	// instance A's connections reaches B's subscriber through B's own
	// LISTEN connection.
	b, stopB := boardSecondInstance(t, srv)
	sb := openBoardStream(t, boardStaff(t, b), b.URL, events)
	if n, _ := boardCounts(t, sb.next(t, 5*time.Second), "data-board-total", ""); n != 5 {
		t.Fatalf("instance B first event: %d arrived, want 5", n)
	}
	boardWaitFor(t, "LISTEN connections of A and B", 5*time.Second, func() bool { return boardListeners(t, srv.DB) == 2 })
	boardCheckIn(t, srv.DB, f, f.inv["dmitri"])
	sb.waitArrived(t, 6, 2*time.Second)
	sa.waitArrived(t, 6, 2*time.Second)

	// The LISTEN connection drops (PostgreSQL restarted, a proxy cut it):
	// instance A reconnects and its board still hears the next arrival.
	var killed int
	err := srv.DB.Pool.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN vigil_checkin'`).Scan(&killed)
	if err != nil || killed != 2 {
		t.Fatalf("terminate LISTEN connections: %d, %v", killed, err)
	}
	boardWaitFor(t, "LISTEN connections back", 10*time.Second, func() bool { return boardListeners(t, srv.DB) == 2 })
	if err := srv.DB.Gorm.Exec("UPDATE invitation_ceremonies SET companions_checked_in = 2 WHERE invitation_id = ?", f.inv["boris"]).Error; err != nil {
		t.Fatal(err)
	}
	sa.waitArrived(t, 8, 2*time.Second)
	sb.waitArrived(t, 8, 2*time.Second)

	// Instance B shuts down: its stream ends at once (the browser then
	// reconnects elsewhere) rather than holding the shutdown for its
	// timeout.
	start := time.Now()
	if err := stopB(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("shutdown with an open board took %v", d)
	}
	select {
	case <-sb.done:
	case <-time.After(5 * time.Second):
		t.Fatal("instance B's stream still open after shutdown")
	}
	boardWaitFor(t, "instance B's LISTEN connection closed", 5*time.Second, func() bool { return boardListeners(t, srv.DB) == 1 })

	// The browser goes away: its stream ends, and with the last one the
	// LISTEN connection.
	if n := boardStreamsOpen(); n != 1 {
		t.Errorf("%d board streams open, want 1", n)
	}
	sa.cancel()
	boardWaitFor(t, "stream closed after the client left", 5*time.Second, func() bool { return boardStreamsOpen() == 0 })
	boardWaitFor(t, "LISTEN connection closed with the last board", 5*time.Second, func() bool { return boardListeners(t, srv.DB) == 0 })
}

// TestBoardEventsFromPgNotify checks the board's side of the contract with
// the check-in desk on its own: a notification sent by hand, in the
// trigger's format, updates the board.
func TestBoardEventsFromPgNotify(t *testing.T) {
	srv := testserver.Start(t)
	srv.AddUser(t, "staff@example.org", auth.RoleStaff)
	f := seedBoard(t, srv)
	s := openBoardStream(t, boardStaff(t, srv), srv.URL, "/checkin/"+boardID(f.ceremony)+"/board/events")
	s.next(t, 5*time.Second)
	boardWaitFor(t, "LISTEN connection", 5*time.Second, func() bool { return boardListeners(t, srv.DB) == 1 })
	// The numbers again once LISTEN is on: a read at most every half second
	// (boardCoalesce) after the one the stream opened with.
	s.drain(700 * time.Millisecond)
	// A change no trigger announces (written with the trigger off) shows
	// only when a notification names the ceremony.
	tx := srv.DB.Gorm.Begin()
	for _, q := range []string{
		"ALTER TABLE invitation_ceremonies DISABLE TRIGGER invitation_ceremonies_checkin_notify",
		fmt.Sprintf("UPDATE invitation_ceremonies SET checked_in_at = now() WHERE invitation_id = %d", f.inv["carla"]),
		"ALTER TABLE invitation_ceremonies ENABLE TRIGGER invitation_ceremonies_checkin_notify",
	} {
		if err := tx.Exec(q).Error; err != nil {
			tx.Rollback()
			t.Fatal(err)
		}
	}
	if err := tx.Commit().Error; err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-s.events:
		t.Fatalf("event without a notification: %.80q", ev.data)
	case <-time.After(300 * time.Millisecond):
	}
	// Another ceremony's notification wakes nobody here.
	payload := func(ceremony int64) string {
		return fmt.Sprintf(`{"ceremony_id": %d, "invitation_id": %d, "checked_in": true}`, ceremony, f.inv["carla"])
	}
	if err := srv.DB.Gorm.Exec("SELECT pg_notify('vigil_checkin', ?)", payload(f.ceremony+1000)).Error; err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-s.events:
		t.Fatalf("event for another ceremony's notification: %.80q", ev.data)
	case <-time.After(300 * time.Millisecond):
	}
	if err := srv.DB.Gorm.Exec("SELECT pg_notify('vigil_checkin', ?)", payload(f.ceremony)).Error; err != nil {
		t.Fatal(err)
	}
	s.waitArrived(t, 5, 2*time.Second)
}
