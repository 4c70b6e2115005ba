package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"vigil/internal/invitation"
	"vigil/internal/testdb"
)

// TestSeedAndBaseline seeds the full edition once and checks what the
// benchmark relies on: its size and mix, links that Vigil's own store
// opens, and a baseline whose endpoints answer, change the data, count
// their statements, pad them and feed the board.
func TestSeedAndBaseline(t *testing.T) {
	db, dbURL := testdb.New(t)
	ctx := context.Background()
	secret := []byte("bench-secret-bench-secret-bench-secret-01")
	fx, err := Seed(ctx, db, secret, DefaultSize)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded in %s", fx.SeedDuration)

	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.Pool.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	for q, want := range map[string]int{
		"SELECT count(*) FROM guests":                                    5000,
		"SELECT count(*) FROM delegations":                               200,
		"SELECT count(*) FROM ceremonies WHERE status = 'published'":     4,
		"SELECT count(*) FROM invitations":                               5000,
		"SELECT count(DISTINCT check_in_code) FROM invitations":          5000,
		"SELECT count(*) FROM gates":                                     GateStaff,
		"SELECT count(*) FROM users WHERE role = 'staff'":                GateStaff + 2,
		"SELECT count(DISTINCT delegation_id) FROM guests":               200,
		"SELECT count(*) FROM guests WHERE precedence BETWEEN 1 AND 200": 5000,
	} {
		if got := count(q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
	if n := count("SELECT count(*) FROM invitation_ceremonies"); n < 9000 {
		t.Errorf("%d invitations to ceremonies, want the main one for all and three more for shares", n)
	}
	total := count("SELECT count(*) FROM invitation_ceremonies")
	for status, share := range map[string][2]float64{"accepted": {0.50, 0.60}, "declined": {0.07, 0.13}, "pending": {0.30, 0.40}} {
		got := float64(count("SELECT count(*) FROM invitation_ceremonies WHERE status = $1", status)) / float64(total)
		if got < share[0] || got > share[1] {
			t.Errorf("%s: %.2f of the answers, want %.2f to %.2f", status, got, share[0], share[1])
		}
	}
	// The links are Vigil's: its store finds each invitation by its token.
	store := invitation.NewStore(db.Gorm, invitation.NewTokens(secret), nil, nil)
	for _, inv := range []Invite{fx.Invites[0], fx.Invites[2500], fx.Invites[4999]} {
		got, err := store.ByToken(ctx, inv.Token)
		if err != nil || got.ID != inv.ID || got.CheckInCode != inv.Code {
			t.Fatalf("token of invitation %d: %v, %v", inv.ID, got, err)
		}
	}

	// The baseline, with its statements counted as the child process
	// counts them.
	qc := &queryCounter{}
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = qc
	QuietCheckIns(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	pads := &Pads{}
	b, err := NewBaseline(ctx, pool, dbURL, pads)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(b)
	t.Cleanup(srv.Close)
	t.Cleanup(b.Close)

	var pending, accepted Invite
	for _, inv := range fx.Invites {
		if inv.Status[0] == "pending" && pending.ID == 0 {
			pending = inv
		}
		if inv.Status[0] == "accepted" && accepted.ID == 0 {
			accepted = inv
		}
	}
	send := func(method, path string, form url.Values) (int, string, int64) {
		t.Helper()
		before := qc.n.Load()
		var resp *http.Response
		var err error
		if method == http.MethodGet {
			resp, err = http.Get(srv.URL + path)
		} else {
			resp, err = http.PostForm(srv.URL+path, form)
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(body), qc.n.Load() - before
	}

	code, body, _ := send(http.MethodGet, "/rsvp?t="+pending.Token, nil)
	if code != http.StatusOK || !strings.Contains(body, `name="answer_`+strconv.FormatInt(fx.CeremonyIDs[0], 10)+`"`) {
		t.Fatalf("RSVP page: %d %s", code, body)
	}
	if code, _, _ := send(http.MethodGet, "/rsvp?t=nonsense", nil); code != http.StatusNotFound {
		t.Errorf("RSVP page of a bad token: %d, want 404", code)
	}
	// BEGIN, lock, update, capacity, COMMIT; then two pads more.
	code, body, n := send(http.MethodPost, "/rsvp", url.Values{"t": {pending.Token}, "answer": {"accept"}})
	if code != http.StatusOK || !strings.Contains(body, "is recorded") || n != 5 {
		t.Fatalf("RSVP answer: %d, %d statements, %s", code, n, body)
	}
	if got := count("SELECT count(*) FROM invitation_ceremonies WHERE invitation_id = $1 AND status <> 'accepted'", pending.ID); got != 0 {
		t.Errorf("after the answer %d ceremonies are not accepted", got)
	}
	pads.RSVPSubmit.Store(2)
	if _, _, n := send(http.MethodPost, "/rsvp", url.Values{"t": {pending.Token}, "answer": {"decline"}}); n != 7 {
		t.Errorf("padded RSVP answer: %d statements, want 7", n)
	}

	scanPath := "/checkin/" + strconv.FormatInt(fx.CeremonyIDs[0], 10) + "/scan"
	gate := strconv.FormatInt(fx.GateIDs[3], 10)
	code, body, n = send(http.MethodPost, scanPath, url.Values{"code": {accepted.Code}, "gate": {gate}})
	if code != http.StatusOK || !strings.Contains(body, ": checked in") || n != 1 {
		t.Fatalf("scan: %d, %d statements, %s", code, n, body)
	}
	if got := count("SELECT count(*) FROM invitation_ceremonies WHERE invitation_id = $1 AND ceremony_id = $2 AND checked_in_gate_id = $3",
		accepted.ID, fx.CeremonyIDs[0], fx.GateIDs[3]); got != 1 {
		t.Errorf("the scan checked %d in", got)
	}
	if _, body, _ := send(http.MethodPost, scanPath, url.Values{"code": {accepted.Code}, "gate": {gate}}); !strings.Contains(body, "already checked in") {
		t.Errorf("second scan: %s", body)
	}
	// scan-no-boards has pads of its own: an already checked-in badge
	// takes two statements, plus three.
	pads.ScanQuiet.Store(3)
	if _, _, n := send(http.MethodPost, "/quiet"+scanPath, url.Values{"code": {accepted.Code}, "gate": {gate}}); n != 5 {
		t.Errorf("padded quiet scan: %d statements, want 5", n)
	}
	if _, _, n := send(http.MethodPost, scanPath, url.Values{"code": {accepted.Code}, "gate": {gate}}); n != 2 {
		t.Errorf("scan beside a padded quiet scan: %d statements, want 2", n)
	}

	// The board: a stream open while a badge is scanned gets the update.
	// (Its snapshot query runs on the same pool: no statement counts
	// from here on.)
	events := make(chan string, 16)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/checkin/"+strconv.FormatInt(fx.CeremonyIDs[0], 10)+"/board/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "data:") {
				events <- sc.Text()
			}
		}
	}()
	// Do returned with the headers, which the stream sends once it has
	// subscribed.

	var second Invite
	for _, inv := range fx.Invites {
		if inv.Status[0] == "accepted" && inv.ID != accepted.ID {
			second = inv
			break
		}
	}
	if _, body, _ := send(http.MethodPost, scanPath, url.Values{"code": {second.Code}, "gate": {gate}}); !strings.Contains(body, ": checked in") {
		t.Fatalf("scan while the board is open: %s", body)
	}
	select {
	case e := <-events:
		if !strings.Contains(e, "2 of") {
			t.Errorf("board update %q does not count the arrival", e)
		}
	case <-time.After(5 * time.Second):
		t.Error("the board got no update for the scan")
	}

	code, body, n = send(http.MethodGet, "/editions/"+strconv.Itoa(fx.Year)+"/invitations?page=3", nil)
	if code != http.StatusOK || strings.Count(body, "<tr>") != 101 || n != 1 {
		t.Fatalf("list page: %d, %d rows, %d statements", code, strings.Count(body, "<tr>")-1, n)
	}

	// The driver's attack and its checks on the baseline's scans.
	if err := resetCheckIns(ctx, db); err != nil {
		t.Fatal(err)
	}
	f := attack("test", func(k uint64) vegeta.Target {
		v := url.Values{"code": {fx.Invites[k].Code}, "gate": {gate}}
		return vegeta.Target{Method: http.MethodPost, URL: srv.URL + scanPath, Body: []byte(v.Encode()),
			Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}}
	}, 0, 100, 300*time.Millisecond, 8, expect(http.StatusOK, "baseline-result"))
	if f.Requests < 20 || f.Errors != 0 || f.OK != f.Requests || f.P99 <= 0 {
		t.Errorf("attack: %+v", f)
	}
	if got := count("SELECT count(*) FROM invitation_ceremonies WHERE checked_in_at IS NOT NULL"); got == 0 {
		t.Error("the attack checked nobody in")
	}
	bad := attack("test", func(uint64) vegeta.Target {
		return vegeta.Target{Method: http.MethodGet, URL: srv.URL + "/rsvp?t=nonsense"}
	}, 0, 50, 100*time.Millisecond, 8, expect(http.StatusOK, ""))
	if bad.Errors == 0 || bad.OK != 0 {
		t.Errorf("an attack on a bad token counted no errors: %+v", bad)
	}
	// A closed loop with a limit sends that many requests and stops.
	few := attack("test", func(uint64) vegeta.Target {
		return vegeta.Target{Method: http.MethodGet, URL: srv.URL + "/rsvp?t=" + pending.Token}
	}, 25, 0, 10*time.Second, 4, expect(http.StatusOK, `name="answer_`))
	if few.Requests != 25 || few.OK != 25 {
		t.Errorf("limited attack: %+v", few)
	}
}
