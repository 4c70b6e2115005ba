package invitation_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"vigil/internal/invitation"
	"vigil/internal/testserver"
)

// lastSeats sets up a published ceremony of capacity seats in an open
// edition and invites guests to it with one companion each, and returns
// the ceremony and a client per guest that has opened its personal link.
func lastSeats(t *testing.T, srv *testserver.Server, guests, seats int) (int64, []*testserver.Client) {
	t.Helper()
	ctx := context.Background()
	db := srv.DB.Gorm
	one := func(q string, args ...any) int64 { t.Helper(); return srv.InsertID(t, q, args...) }
	cm := one("INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	ed := one("INSERT INTO editions (commemoration_id, year, status, rsvp_deadline) VALUES (?, 2099, 'invitations_open', '2099-02-01')", cm)
	cer := one(`INSERT INTO ceremonies (edition_id, title, starts_at, ends_at, capacity, status)
		VALUES (?, 'Wreath-laying', '2099-02-26 07:00Z', '2099-02-26 08:00Z', ?, 'published')`, ed, seats)
	var ids []int64
	for i := range guests {
		ids = append(ids, one("INSERT INTO guests (given_name, family_name, language) VALUES (?, 'Guest', 'en')", fmt.Sprintf("No. %d", i)))
	}
	store := srv.App.Invitations
	if _, err := store.InviteGuests(ctx, invitation.Invite{EditionID: ed, GuestIDs: ids, Companions: 1,
		Ceremonies: []invitation.CeremonyZone{{CeremonyID: cer}}}, invitation.Actor{Via: invitation.ViaOrganizer}); err != nil {
		t.Fatal(err)
	}
	var clients []*testserver.Client
	for _, gid := range ids {
		var invID int64
		db.Raw("SELECT id FROM invitations WHERE guest_id = ?", gid).Scan(&invID)
		inv, err := store.ByID(ctx, invID)
		if err != nil {
			t.Fatal(err)
		}
		c := srv.NewClient(t)
		if resp, _ := c.Get(store.Link(inv)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("open link: %d", resp.StatusCode)
		}
		clients = append(clients, c)
	}
	return cer, clients
}

// acceptAll has every client accept the ceremony with a companion at the
// same moment, through real HTTP, and returns the seats taken by accepted
// answers and how many were waitlisted.
func acceptAll(t *testing.T, srv *testserver.Server, ceremony int64, clients []*testserver.Client) (seats, waitlisted int) {
	t.Helper()
	form := func(c *testserver.Client) string {
		return url.Values{"_csrf": {c.CSRF()}, "answer_" + strconv.FormatInt(ceremony, 10): {"accept"},
			"companion_1": {"A companion"}}.Encode()
	}
	bodies := make([]string, len(clients))
	for i, c := range clients {
		bodies[i] = form(c)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	codes := make([]int, len(clients))
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/rsvp", strings.NewReader(bodies[i]))
			if err != nil {
				t.Error(err)
				return
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			<-start
			resp, err := c.HTTP.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	for i, code := range codes {
		if code != http.StatusSeeOther {
			t.Errorf("guest %d: POST /rsvp answered %d", i, code)
		}
	}
	db := srv.DB.Gorm
	db.Raw("SELECT coalesce(sum(1 + companions), 0) FROM invitation_ceremonies WHERE ceremony_id = ? AND status = 'accepted'", ceremony).Scan(&seats)
	db.Raw("SELECT count(*) FROM invitation_ceremonies WHERE ceremony_id = ? AND status = 'waitlisted'", ceremony).Scan(&waitlisted)
	return seats, waitlisted
}

// Forty guests accept the last ten seats at once, each with a companion:
// exactly five get in, the other thirty-five are waitlisted, never one
// seat more.
func TestConcurrentAcceptsNeverOverbook(t *testing.T) {
	srv := testserver.Start(t)
	cer, clients := lastSeats(t, srv, 40, 10)
	seats, waitlisted := acceptAll(t, srv, cer, clients)
	if seats != 10 || waitlisted != 35 {
		t.Fatalf("%d seats taken of 10, %d waitlisted of 35", seats, waitlisted)
	}
}

// The control run: the same test with the capacity lock turned off must
// overbook, or the test above proves nothing. Concurrency is a matter of
// timing, so the control tries a few rounds and needs one overbooking.
func TestControlRunWithoutTheGuardOverbooks(t *testing.T) {
	for round := 1; round <= 5; round++ {
		srv := testserver.Start(t)
		srv.App.Invitations.UnguardedForControlRun()
		cer, clients := lastSeats(t, srv, 40, 10)
		seats, _ := acceptAll(t, srv, cer, clients)
		t.Logf("round %d without the guard: %d seats taken of 10", round, seats)
		if seats > 10 {
			return
		}
	}
	t.Fatal("without the capacity guard the ceremony was never overbooked: the concurrency test cannot catch a missing guard")
}
