package checkin_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"vigil/internal/auth"
	"vigil/internal/delegation"
	"vigil/internal/invitation"
	"vigil/internal/testserver"
)

// deskFixture is a ceremony open for check-in at a venue with ten gates,
// another ceremony of the same edition, and invited guests in every state
// the desk tells apart.
type deskFixture struct {
	srv        *testserver.Server
	edition    int64
	ceremony   int64 // published, at the memorial
	other      int64 // published, another ceremony of the edition
	draft      int64 // not published
	zone       int64
	gates      []int64
	accepted   guestFix // accepted, two companions
	pending    guestFix
	waitlisted guestFix
	declined   guestFix
	elsewhere  guestFix // invited to other only
	aliyev     guestFix // accepted, Azerbaijani name
}

type guestFix struct {
	guest, invitation int64
	code              string
}

func newDeskFixture(t testing.TB) *deskFixture {
	t.Helper()
	srv := testserver.Start(t)
	f := &deskFixture{srv: srv}
	ctx := context.Background()
	db := srv.DB.Gorm
	one := func(q string, args ...any) int64 { t.Helper(); return srv.InsertID(t, q, args...) }
	exec := func(q string, args ...any) { t.Helper(); srv.Exec(t, q, args...) }
	year := time.Now().Year()
	cm := one("INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	f.edition = one("INSERT INTO editions (commemoration_id, year, status) VALUES (?, ?, 'invitations_open')", cm, year)
	venue := one("INSERT INTO venues (name) VALUES ('Memorial')")
	f.zone = one("INSERT INTO zones (venue_id, name, capacity, badge_colour) VALUES (?, 'Guests stand', 500, '#2f6f4f')", venue)
	for i := 1; i <= 10; i++ {
		f.gates = append(f.gates, one("INSERT INTO gates (venue_id, name) VALUES (?, ?)", venue, fmt.Sprintf("Gate %02d", i)))
	}
	starts := time.Date(year, 2, 26, 7, 0, 0, 0, time.UTC)
	f.ceremony = one(`INSERT INTO ceremonies (edition_id, title, venue_id, starts_at, ends_at, status)
		VALUES (?, 'Wreath-laying', ?, ?, ?, 'published')`, f.edition, venue, starts, starts.Add(90*time.Minute))
	f.other = one(`INSERT INTO ceremonies (edition_id, title, venue_id, starts_at, ends_at, status)
		VALUES (?, 'Evening concert', ?, ?, ?, 'published')`, f.edition, venue, starts.Add(10*time.Hour), starts.Add(12*time.Hour))
	f.draft = one(`INSERT INTO ceremonies (edition_id, title, venue_id, starts_at, ends_at)
		VALUES (?, 'Rehearsal', ?, ?, ?)`, f.edition, venue, starts.Add(-24*time.Hour), starts.Add(-23*time.Hour))
	del := one("INSERT INTO delegations (name, kind, country) VALUES ('Embassy of France', 'diplomatic_mission', 'FR')")

	guests := delegation.NewStore(db)
	invite := func(given, family string, ceremonies ...int64) guestFix {
		t.Helper()
		g, err := guests.CreateGuest(ctx, delegation.GuestInput{Honorific: "H.E.", GivenName: given, FamilyName: family, DelegationID: &del})
		if err != nil {
			t.Fatal(err)
		}
		var cz []invitation.CeremonyZone
		for _, c := range ceremonies {
			cz = append(cz, invitation.CeremonyZone{CeremonyID: c, ZoneID: &f.zone})
		}
		if _, err := srv.App.Invitations.InviteGuests(ctx, invitation.Invite{EditionID: f.edition, GuestIDs: []int64{g.ID},
			Ceremonies: cz, Companions: 2}, invitation.Actor{Via: invitation.ViaOrganizer}); err != nil {
			t.Fatal(err)
		}
		gf := guestFix{guest: g.ID}
		if err := db.Raw("SELECT id, check_in_code FROM invitations WHERE guest_id = ?", g.ID).Row().Scan(&gf.invitation, &gf.code); err != nil {
			t.Fatal(err)
		}
		return gf
	}
	f.accepted = invite("Anne", "Martin", f.ceremony)
	f.pending = invite("Paul", "Durand", f.ceremony)
	f.waitlisted = invite("Claire", "Petit", f.ceremony)
	f.declined = invite("Louis", "Bernard", f.ceremony)
	f.elsewhere = invite("Marie", "Dubois", f.other)
	f.aliyev = invite("Rəşad", "Əliyev", f.ceremony)
	exec("UPDATE invitation_ceremonies SET status = 'accepted', companions = 2 WHERE invitation_id IN (?, ?, ?)",
		f.accepted.invitation, f.elsewhere.invitation, f.aliyev.invitation)
	exec("UPDATE invitation_ceremonies SET status = 'waitlisted', waitlisted_at = now() WHERE invitation_id = ?", f.waitlisted.invitation)
	exec("UPDATE invitation_ceremonies SET status = 'declined' WHERE invitation_id = ?", f.declined.invitation)
	return f
}

// staff signs a new staff member in.
func (f *deskFixture) staff(t testing.TB, name string) (*testserver.Client, *auth.User) {
	t.Helper()
	u := f.srv.AddUser(t, name+"@example.org", auth.RoleStaff)
	c := f.srv.NewClient(t)
	c.Login(u.Email)
	return c, u
}

func (f *deskFixture) deskPath(gate int) string {
	return "/checkin/" + strconv.FormatInt(f.ceremony, 10)
}

// scan posts a badge code at gate (an index into f.gates).
func (f *deskFixture) scan(c *testserver.Client, gate int, code string) string {
	_, body := c.Post(f.deskPath(gate)+"/scan", url.Values{"q": {code}, "gate": {strconv.FormatInt(f.gates[gate], 10)}})
	return body
}

func (f *deskFixture) post(c *testserver.Client, gate int, action string, form url.Values) (*http.Response, string) {
	form.Set("gate", strconv.FormatInt(f.gates[gate], 10))
	return c.Post(f.deskPath(gate)+"/"+action, form)
}

type checkInRow struct {
	At   *time.Time
	Gate *int64
	By   *int64
	Comp int
}

func (f *deskFixture) row(t testing.TB, inv int64) checkInRow {
	t.Helper()
	var r checkInRow
	err := f.srv.DB.Gorm.Raw(`SELECT checked_in_at, checked_in_gate_id, checked_in_by, companions_checked_in
		FROM invitation_ceremonies WHERE invitation_id = ? AND ceremony_id = ?`, inv, f.ceremony).Row().Scan(&r.At, &r.Gate, &r.By, &r.Comp)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *deskFixture) events(t testing.TB, inv int64, action string) int {
	t.Helper()
	n := 0
	for _, e := range f.history(t, inv) {
		if e.Action == action && e.Via == "staff" {
			n++
		}
	}
	return n
}

// history is invitation inv's history as its page shows it.
func (f *deskFixture) history(t testing.TB, inv int64) []invitation.Event {
	t.Helper()
	es, err := f.srv.App.Invitations.History(context.Background(), inv)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// result is the big answer's state class in a desk page ("" for none).
func result(body string) string {
	for _, k := range []string{"success", "warning", "danger"} {
		if strings.Contains(body, "checkin-result checkin-result--"+k) {
			return k
		}
	}
	if strings.Contains(body, `class="checkin-result"`) {
		return "neutral"
	}
	return ""
}

func wantResult(t *testing.T, body, kind string, texts ...string) {
	t.Helper()
	if got := result(body); got != kind {
		t.Errorf("result %q, want %q", got, kind)
	}
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func TestDeskAccessAndChoice(t *testing.T) {
	f := newDeskFixture(t)
	anon := f.srv.NewClient(t)
	for _, p := range []string{"/checkin", f.deskPath(0) + "?gate=" + strconv.FormatInt(f.gates[0], 10)} {
		resp, _ := anon.Get(p)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("anonymous GET %s: %d %q, want redirect to /login", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	// Scanning needs a signed-in user as well.
	resp, _ := anon.Post(f.deskPath(0)+"/scan", url.Values{"q": {f.accepted.code}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("anonymous scan: %d %q, want redirect to /login", resp.StatusCode, resp.Header.Get("Location"))
	}
	if r := f.row(t, f.accepted.invitation); r.At != nil {
		t.Fatal("anonymous scan checked the guest in")
	}

	staff, _ := f.staff(t, "aysel")
	resp, body := staff.Get("/checkin")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /checkin: %d", resp.StatusCode)
	}
	for _, s := range []string{"Wreath-laying", "Evening concert", "Gate 01", "Gate 10",
		fmt.Sprintf(`href="/checkin/%d?gate=%d"`, f.ceremony, f.gates[0])} {
		if !strings.Contains(body, s) {
			t.Errorf("/checkin lacks %q", s)
		}
	}
	if strings.Contains(body, "Rehearsal") {
		t.Error("/checkin offers a ceremony that is not published")
	}
	// Without a gate the desk asks for one.
	_, body = staff.Get(f.deskPath(0))
	if !strings.Contains(body, fmt.Sprintf(`href="/checkin/%d?gate=%d"`, f.ceremony, f.gates[3])) || strings.Contains(body, "data-keep-focus") {
		t.Error("the desk without a gate does not ask for one")
	}
	_, body = staff.Get(f.deskPath(0) + "?gate=" + strconv.FormatInt(f.gates[0], 10))
	if !strings.Contains(body, "data-keep-focus") || !strings.Contains(body, "Gate: Gate 01") {
		t.Error("the desk has no scan field keeping the focus, or does not name its gate")
	}
	// A gate the ceremony's venue does not have: the choice again, saying
	// why (not a silent fall-back); without a gate, no such word.
	if strings.Contains(body, "not one of this ceremony") {
		t.Error("a desk with its gate warns of an unknown gate")
	}
	_, body = staff.Get(f.deskPath(0) + "?gate=999999")
	if !strings.Contains(body, `role="alert">The gate in this address is not one of this ceremony&#39;s gates.`) ||
		!strings.Contains(body, fmt.Sprintf(`href="/checkin/%d?gate=%d"`, f.ceremony, f.gates[3])) {
		t.Error("an unknown gate does not say so above the gates to choose from")
	}
	_, body = staff.Get(f.deskPath(0))
	if strings.Contains(body, "not one of this ceremony") {
		t.Error("the desk without a gate warns of an unknown gate")
	}
	// A ceremony of no edition, or a gate of another venue, is refused.
	if resp, _ := staff.Get("/checkin/999999?gate=1"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown ceremony: %d, want 404", resp.StatusCode)
	}
}

func TestScanChecksInOnceAndTellsWhoWasFirst(t *testing.T) {
	f := newDeskFixture(t)
	aysel, u := f.staff(t, "aysel")
	body := f.scan(aysel, 1, strings.ToLower(f.accepted.code))
	wantResult(t, body, "success", "Checked in", "H.E. Anne Martin", "Embassy of France", "Guests stand", `fill="#2f6f4f"`)
	r := f.row(t, f.accepted.invitation)
	if r.At == nil || r.Gate == nil || *r.Gate != f.gates[1] || r.By == nil || *r.By != u.ID {
		t.Fatalf("check-in row %+v, want checked in at gate %d by %d", r, f.gates[1], u.ID)
	}
	if n := f.events(t, f.accepted.invitation, "checked_in"); n != 1 {
		t.Errorf("%d checked_in events, want 1", n)
	}
	// The desk lists it with an undo button.
	if recent := recentPart(body); !strings.Contains(recent, "H.E. Anne Martin") || !strings.Contains(recent, ">Undo<") {
		t.Error("the check-in is not listed with undo")
	}

	// The same badge at another gate, by someone else.
	other, _ := f.staff(t, "rauf")
	body = f.scan(other, 2, f.accepted.code)
	clock := r.At.In(mustZone(t, "Asia/Baku")).Format("15:04")
	wantResult(t, body, "warning", "Already checked in", "at Gate 02, "+clock+", by User aysel@example.org", "H.E. Anne Martin")
	if r2 := f.row(t, f.accepted.invitation); !r2.At.Equal(*r.At) || *r2.Gate != f.gates[1] {
		t.Errorf("second scan changed the check-in: %+v", r2)
	}
	if n := f.events(t, f.accepted.invitation, "checked_in"); n != 1 {
		t.Errorf("%d checked_in events after a second scan, want 1", n)
	}

}

// recentPart is the desk's recent list in a full page or live part.
func recentPart(body string) string {
	i := strings.Index(body, `id="recent"`)
	if i < 0 {
		return ""
	}
	return body[i:]
}

// htmxScan posts a scan as the desk's page does with htmx.
func (f *deskFixture) htmxScan(c *testserver.Client, gate int, form url.Values) (*http.Response, string) {
	form.Set("_csrf", c.CSRF())
	form.Set("gate", strconv.FormatInt(f.gates[gate], 10))
	return c.DoHeader(http.MethodPost, f.deskPath(gate)+"/scan", form, http.Header{"Hx-Request": {"true"}})
}

// With htmx a scan is answered with the answer alone, retargeted at
// #desk-result, and, for a guest checked in now, the line its recent list
// gains (out of band); a name typed in the same field still gets the
// whole live part with the guests found.
func TestScanWithHtmxAnswersWithTheResultAlone(t *testing.T) {
	f := newDeskFixture(t)
	c, _ := f.staff(t, "aysel")
	resp, body := f.htmxScan(c, 2, url.Values{"q": {f.pending.code}})
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "<html") || strings.Contains(body, `id="desk-live"`) ||
		!strings.Contains(body, `<div id="desk-result">`) {
		t.Fatalf("htmx scan: %d, want the answer alone:\n%s", resp.StatusCode, body)
	}
	for h, want := range map[string]string{"HX-Retarget": "#desk-result", "HX-Reselect": "#desk-result", "HX-Reswap": "outerHTML show:#f-q:top"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("header %s = %q, want %q", h, got, want)
		}
	}
	wantResult(t, body, "warning", "Checked in", "H.E. Paul Durand", "No answer recorded")
	if r := f.row(t, f.pending.invitation); r.At == nil || *r.Gate != f.gates[2] {
		t.Fatalf("htmx scan did not check in at gate 3: %+v", r)
	}
	// The new line of the recent list: the guest, at this gate, with undo;
	// the search results of a last search are cleared, the list trimmed.
	i := strings.Index(body, `hx-swap-oob="afterbegin:#recent"`)
	if i < 0 {
		t.Fatal("no new line for the recent list")
	}
	line := body[i:]
	for _, s := range []string{"H.E. Paul Durand", "at Gate 03", "User aysel@example.org", ">Undo<"} {
		if !strings.Contains(line, s) {
			t.Errorf("the new recent line lacks %q", s)
		}
	}
	for _, s := range []string{`<div id="desk-search" hx-swap-oob="true"></div>`, `hx-swap-oob="delete:#recent > .recent-mark, #recent > .card:nth-child(n+12)"`} {
		if !strings.Contains(body, s) {
			t.Errorf("the answer lacks %s", s)
		}
	}

	// The same badge again: already checked in, and no new line.
	_, body = f.htmxScan(c, 4, url.Values{"q": {f.pending.code}})
	wantResult(t, body, "warning", "Already checked in", "at Gate 03", "by User aysel@example.org")
	if strings.Contains(body, "afterbegin:#recent") {
		t.Error("a second scan adds the guest to the recent list again")
	}
	// Refusals come the same way.
	_, body = f.htmxScan(c, 2, url.Values{"q": {f.declined.code}})
	wantResult(t, body, "danger", "Declined", "H.E. Louis Bernard")
	_, body = f.htmxScan(c, 2, url.Values{"q": {"ZZZZ-ZZZZ-2222"}})
	wantResult(t, body, "danger", "Not invited")
	// A tap on a guest found by name: the answer alone as well.
	_, body = f.htmxScan(c, 2, url.Values{"invitation": {strconv.FormatInt(f.aliyev.invitation, 10)}})
	wantResult(t, body, "success", "Checked in", "H.E. Rəşad Əliyev")

	// A name: the live part, with the guests found.
	resp, body = f.htmxScan(c, 2, url.Values{"q": {"martin"}})
	if resp.Header.Get("HX-Retarget") != "" || !strings.Contains(body, `id="desk-live"`) || !strings.Contains(body, "H.E. Anne Martin") {
		t.Errorf("htmx search: want the live part with the guest found, got %q:\n%s", resp.Header.Get("HX-Retarget"), body)
	}
	// The full page lists the check-ins of this gate, newest first.
	_, body = c.Get(f.deskPath(2) + "?gate=" + strconv.FormatInt(f.gates[2], 10))
	recent := recentPart(body)
	if a, p := strings.Index(recent, "Rəşad Əliyev"), strings.Index(recent, "Paul Durand"); a < 0 || p < 0 || a > p {
		t.Error("the recent list does not show the gate's check-ins newest first")
	}
}

// Revoking an invitation stops its link, not its badge: the guest is
// still checked in at the gate.
func TestRevokedInvitationStillChecksIn(t *testing.T) {
	f := newDeskFixture(t)
	c, _ := f.staff(t, "aysel")
	if err := f.srv.App.Invitations.Revoke(context.Background(), f.accepted.invitation, invitation.Actor{Via: invitation.ViaOrganizer}); err != nil {
		t.Fatal(err)
	}
	_, body := f.htmxScan(c, 0, url.Values{"q": {f.accepted.code}})
	wantResult(t, body, "success", "Checked in", "H.E. Anne Martin")
	if f.row(t, f.accepted.invitation).At == nil {
		t.Error("a guest whose link was revoked was not checked in")
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// The same badge scanned at ten gates at once, each by its own staff
// member over real HTTP: exactly one check-in, and nine desks told who
// was first. Both ways the desk posts: as a page without JavaScript, and
// with htmx (the answer alone, from one statement).
func TestScanAtTenGatesAtOnce(t *testing.T) {
	f := newDeskFixture(t)
	type desk struct {
		http *http.Client
		csrf string
	}
	var desks []desk
	for i := range f.gates {
		c, _ := f.staff(t, fmt.Sprintf("gate%d", i))
		desks = append(desks, desk{c.HTTP, c.CSRF()})
	}
	for _, mode := range []struct {
		name  string
		htmx  bool
		guest guestFix
	}{{"page", false, f.accepted}, {"htmx", true, f.aliyev}} {
		t.Run(mode.name, func(t *testing.T) {
			start := make(chan struct{})
			bodies := make([]string, len(desks))
			errs := make([]error, len(desks))
			var wg sync.WaitGroup
			for i, d := range desks {
				wg.Add(1)
				go func() {
					defer wg.Done()
					form := url.Values{"_csrf": {d.csrf}, "q": {mode.guest.code}, "gate": {strconv.FormatInt(f.gates[i], 10)}}
					req, err := http.NewRequest(http.MethodPost, f.srv.URL+f.deskPath(i)+"/scan", strings.NewReader(form.Encode()))
					if err != nil {
						errs[i] = err
						return
					}
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					if mode.htmx {
						req.Header.Set("HX-Request", "true")
					}
					<-start
					resp, err := d.http.Do(req)
					if err != nil {
						errs[i] = err
						return
					}
					defer resp.Body.Close()
					b, err := io.ReadAll(resp.Body)
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
					bodies[i], errs[i] = string(b), err
				}()
			}
			close(start)
			wg.Wait()
			r := f.row(t, mode.guest.invitation)
			if r.At == nil || r.Gate == nil {
				t.Fatal("not checked in")
			}
			winner := slices.Index(f.gates, *r.Gate)
			won, already := 0, 0
			for i, b := range bodies {
				if errs[i] != nil {
					t.Fatalf("gate %d: %v", i, errs[i])
				}
				switch result(b) {
				case "success":
					won++
					if i != winner {
						t.Errorf("gate %d says checked in, but the check-in is gate %d's", i+1, winner+1)
					}
				case "warning":
					if strings.Contains(b, "Already checked in") && strings.Contains(b, fmt.Sprintf("at Gate %02d,", winner+1)) {
						already++
					}
				}
			}
			if won != 1 || already != 9 {
				t.Errorf("%d checked in and %d already (naming gate %d), want 1 and 9", won, already, winner+1)
			}
			if n := f.events(t, mode.guest.invitation, "checked_in"); n != 1 {
				t.Errorf("%d checked_in events, want exactly 1", n)
			}
		})
	}
}

func TestScanRefusalsAndUnansweredGuests(t *testing.T) {
	f := newDeskFixture(t)
	c, _ := f.staff(t, "aysel")

	wantResult(t, f.scan(c, 0, f.declined.code), "danger", "Declined", "H.E. Louis Bernard")
	if r := f.row(t, f.declined.invitation); r.At != nil {
		t.Error("a guest who declined was checked in")
	}
	wantResult(t, f.scan(c, 0, "ZZZZ-ZZZZ-ZZZZ"), "danger", "Not invited", "No invitation has this badge code")
	wantResult(t, f.scan(c, 0, f.elsewhere.code), "danger", "Wrong ceremony", "Invited to: Evening concert", "H.E. Marie Dubois")

	// Pending and waitlisted guests came: they are checked in, in amber.
	wantResult(t, f.scan(c, 0, f.pending.code), "warning", "Checked in", "No answer recorded")
	if r := f.row(t, f.pending.invitation); r.At == nil {
		t.Error("a guest without an answer was not checked in")
	}
	wantResult(t, f.scan(c, 0, f.waitlisted.code), "warning", "Checked in", "On the waitlist")
	if r := f.row(t, f.waitlisted.invitation); r.At == nil {
		t.Error("a waitlisted guest was not checked in")
	}
}

func TestSearchByNameAndTap(t *testing.T) {
	f := newDeskFixture(t)
	c, _ := f.staff(t, "aysel")
	// Typed on a Latin keyboard, the Azerbaijani name is found.
	_, body := f.post(c, 0, "scan", url.Values{"q": {"aliyev"}})
	if !strings.Contains(body, "H.E. Rəşad Əliyev") || !strings.Contains(body, fmt.Sprintf(`name="invitation" value="%d"`, f.aliyev.invitation)) {
		t.Fatal("the search did not find Əliyev with a check-in button")
	}
	if r := f.row(t, f.aliyev.invitation); r.At != nil {
		t.Fatal("a search checked the guest in")
	}
	// A guest invited only to another ceremony is not offered.
	_, body = f.post(c, 0, "scan", url.Values{"q": {"dubois"}})
	if strings.Contains(body, "Marie Dubois") || !strings.Contains(body, "No guest invited to this ceremony matches") {
		t.Error("the search offers a guest not invited to this ceremony")
	}
	// What is typed is cut to the field's limit (it is echoed in the
	// answer), counted in characters, not bytes.
	long := strings.Repeat("ə", 500)
	_, body = f.post(c, 0, "scan", url.Values{"q": {long}})
	if strings.Contains(body, strings.Repeat("ə", 201)) || !strings.Contains(body, strings.Repeat("ə", 200)) {
		t.Error("a 500-character search is not cut to 200 characters")
	}
	if !strings.Contains(body, `maxlength="200"`) {
		t.Error("the scan field has no maxlength")
	}
	_, body = f.post(c, 0, "scan", url.Values{"invitation": {strconv.FormatInt(f.aliyev.invitation, 10)}})
	wantResult(t, body, "success", "Checked in", "H.E. Rəşad Əliyev")
	if r := f.row(t, f.aliyev.invitation); r.At == nil {
		t.Error("the tap did not check the guest in")
	}
}

func TestUndoWithinAMinute(t *testing.T) {
	f := newDeskFixture(t)
	c, _ := f.staff(t, "aysel")
	other, _ := f.staff(t, "rauf")
	inv := strconv.FormatInt(f.accepted.invitation, 10)

	f.scan(c, 0, f.accepted.code)
	// Someone else cannot undo it.
	_, body := f.post(other, 0, "undo", url.Values{"invitation": {inv}})
	wantResult(t, body, "warning", "Cannot undo")
	if f.row(t, f.accepted.invitation).At == nil {
		t.Fatal("another user undid the check-in")
	}
	_, body = f.post(c, 0, "undo", url.Values{"invitation": {inv}})
	wantResult(t, body, "neutral", "Check-in undone")
	if r := f.row(t, f.accepted.invitation); r.At != nil || r.Gate != nil || r.By != nil {
		t.Fatalf("undo left %+v", r)
	}
	if n := f.events(t, f.accepted.invitation, "check_in_undone"); n != 1 {
		t.Errorf("%d check_in_undone events, want 1", n)
	}

	// Checked in again; a minute later it cannot be undone.
	wantResult(t, f.scan(c, 0, f.accepted.code), "success", "Checked in")
	// The history keeps the undone check-in (moved there from the answer
	// row by the undo, with its time, gate and staff member), its undoing,
	// and the check-in that stands, in that order.
	var got []string
	for _, e := range f.history(t, f.accepted.invitation) {
		if strings.Contains(e.Action, "check") {
			by := int64(0)
			if e.UserID != nil {
				by = *e.UserID
			}
			got = append(got, fmt.Sprintf("%s by %d %s", e.Action, by, e.Detail))
		}
	}
	r := f.row(t, f.accepted.invitation)
	if r.By == nil || r.Gate == nil {
		t.Fatalf("check-in row %+v", r)
	}
	want := []string{
		fmt.Sprintf(`checked_in by %d {"gate_id": %d, "ceremony_id": %d}`, *r.By, *r.Gate, f.ceremony),
		fmt.Sprintf(`check_in_undone by %d {"ceremony_id": %d}`, *r.By, f.ceremony),
		fmt.Sprintf(`checked_in by %d {"gate_id": %d, "ceremony_id": %d}`, *r.By, *r.Gate, f.ceremony),
	}
	if !slices.Equal(got, want) {
		t.Errorf("history\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := f.srv.DB.Gorm.Exec("UPDATE invitation_ceremonies SET checked_in_at = now() - interval '61 seconds' WHERE invitation_id = ?",
		f.accepted.invitation).Error; err != nil {
		t.Fatal(err)
	}
	_, body = f.post(c, 0, "undo", url.Values{"invitation": {inv}})
	wantResult(t, body, "warning", "Cannot undo", "last minute")
	if f.row(t, f.accepted.invitation).At == nil {
		t.Error("a check-in older than a minute was undone")
	}
}

func TestCompanionsAreBounded(t *testing.T) {
	f := newDeskFixture(t)
	c, _ := f.staff(t, "aysel")
	body := f.scan(c, 0, f.accepted.code)
	if !strings.Contains(body, "1 companion") || !strings.Contains(body, "(2 still to come)") {
		t.Fatal("no companion button for a guest with two companions")
	}
	// Five taps at once for two companions: two get in.
	var wg sync.WaitGroup
	csrf := c.CSRF()
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.HTTP.PostForm(f.srv.URL+f.deskPath(0)+"/companion", url.Values{"_csrf": {csrf},
				"invitation": {strconv.FormatInt(f.accepted.invitation, 10)}, "gate": {strconv.FormatInt(f.gates[0], 10)}})
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		}()
	}
	wg.Wait()
	if r := f.row(t, f.accepted.invitation); r.Comp != 2 {
		t.Errorf("%d companions checked in, want 2", r.Comp)
	}
	if n := f.events(t, f.accepted.invitation, "companion_checked_in"); n != 2 {
		t.Errorf("%d companion events, want 2", n)
	}
	_, body = f.post(c, 0, "companion", url.Values{"invitation": {strconv.FormatInt(f.accepted.invitation, 10)}})
	wantResult(t, body, "warning", "All companions are already in", "Companions in: 2 of 2")
	// A guest who declined brings no one.
	f.post(c, 0, "companion", url.Values{"invitation": {strconv.FormatInt(f.declined.invitation, 10)}})
	if r := f.row(t, f.declined.invitation); r.Comp != 0 {
		t.Error("a companion of a guest who declined was checked in")
	}
}

func TestWalkIn(t *testing.T) {
	f := newDeskFixture(t)
	c, u := f.staff(t, "aysel")
	count := func() int {
		var n int
		if err := f.srv.DB.Gorm.Raw("SELECT count(*) FROM walk_ins").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	_, body := f.post(c, 0, "walkin", url.Values{"walkin_name": {"Jean Roux"}})
	if !strings.Contains(body, "Enter why they were let in") || !strings.Contains(body, `value="Jean Roux"`) || count() != 0 {
		t.Fatal("a walk-in without a reason was not refused with the form kept")
	}
	_, body = f.post(c, 0, "walkin", url.Values{"walkin_name": {"Jean Roux"}, "walkin_organisation": {"Embassy of France"},
		"walkin_reason": {"Replaces the head of delegation"}})
	wantResult(t, body, "success", "Walk-in recorded", "Jean Roux", "Reason: Replaces the head of delegation")
	if count() != 1 {
		t.Fatal("walk-in not recorded")
	}
	var gate, by, ceremony int64
	if err := f.srv.DB.Gorm.Raw("SELECT gate_id, checked_in_by, ceremony_id FROM walk_ins").Row().Scan(&gate, &by, &ceremony); err != nil {
		t.Fatal(err)
	}
	if gate != f.gates[0] || by != u.ID || ceremony != f.ceremony {
		t.Errorf("walk-in at gate %d by %d for %d", gate, by, ceremony)
	}
	// It is in the desk's recent list.
	_, body = c.Get(f.deskPath(0) + "?gate=" + strconv.FormatInt(f.gates[0], 10))
	recent := body[strings.Index(body, `id="recent"`):]
	if !strings.Contains(recent, "Jean Roux") || !strings.Contains(recent, "Walk-in") {
		t.Error("the walk-in is not in the recent list")
	}
}

// The live board hears every check-in on channel vigil_checkin: a scan's
// from the Announcer, once committed, and only from it (the trigger of
// migration 00007 stays silent for the scan: 00014); an undo's from the
// trigger.
func TestCheckInNotifies(t *testing.T) {
	f := newDeskFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, f.srv.DB.Pool.Config().ConnConfig.Copy())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN vigil_checkin"); err != nil {
		t.Fatal(err)
	}
	c, _ := f.staff(t, "aysel")
	next := func() string {
		t.Helper()
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			t.Fatalf("no notification: %v", err)
		}
		return n.Payload
	}
	announced := func(inv int64) string { return fmt.Sprintf(`{"ceremony_id":%d,"in":[%d]}`, f.ceremony, inv) }
	f.scan(c, 0, f.accepted.code)
	if p, want := next(), announced(f.accepted.invitation); p != want {
		t.Errorf("check-in notified %s, want %s", p, want)
	}
	// Sent after the commit: a reader sees the check-in.
	if f.row(t, f.accepted.invitation).At == nil {
		t.Error("notified before the check-in was committed")
	}
	f.post(c, 0, "undo", url.Values{"invitation": {strconv.FormatInt(f.accepted.invitation, 10)}})
	undone := fmt.Sprintf(`{"ceremony_id" : %d, "invitation_id" : %d, "checked_in" : false, "companions_checked_in" : 0}`,
		f.ceremony, f.accepted.invitation)
	if p := next(); p != undone {
		t.Errorf("undo notified %s, want %s", p, undone)
	}
	// A scan that changes nothing (declined) sends nothing: the next
	// notification is the pending guest's check-in, and nothing follows
	// it (the trigger did not notify too).
	f.scan(c, 0, f.declined.code)
	f.scan(c, 0, f.pending.code)
	if p, want := next(), announced(f.pending.invitation); p != want {
		t.Errorf("got %s, want the pending guest's check-in %s", p, want)
	}
	quiet, stop := context.WithTimeout(ctx, 300*time.Millisecond)
	defer stop()
	if n, err := conn.WaitForNotification(quiet); err == nil {
		t.Errorf("a second notification for one check-in: %s", n.Payload)
	}
}

// The scan's answer names the guest's zone, the gate and the staff member
// from what the desk holds in memory; a zone the desk has not seen yet
// (made after it read the ceremony) has the ceremony read again, so the
// answer still says where the guest goes.
func TestScanNamesAZoneMadeSinceTheDeskOpened(t *testing.T) {
	f := newDeskFixture(t)
	c, _ := f.staff(t, "aysel")
	wantResult(t, f.scan(c, 1, f.accepted.code), "success", "Guests stand")
	var venue int64
	if err := f.srv.DB.Gorm.Raw("SELECT venue_id FROM ceremonies WHERE id = ?", f.ceremony).Scan(&venue).Error; err != nil {
		t.Fatal(err)
	}
	press := f.srv.InsertID(t, "INSERT INTO zones (venue_id, name, capacity, badge_colour) VALUES (?, 'Press area', 40, '#7a3b8f')", venue)
	f.srv.Exec(t, "UPDATE invitation_ceremonies SET zone_id = ? WHERE invitation_id = ? AND ceremony_id = ?", press, f.pending.invitation, f.ceremony)
	wantResult(t, f.scan(c, 1, f.pending.code), "warning", "Checked in", "Press area", `fill="#7a3b8f"`)
	// Scanned again at another gate: who was first, where, from memory.
	other, _ := f.staff(t, "rauf")
	wantResult(t, f.scan(other, 2, f.pending.code), "warning", "Already checked in", "at Gate 02,", "by User aysel@example.org", "Press area")
}

// The scan's answer names the guest's delegation from what the desk holds
// in memory: a delegation made after the desk opened is read and named,
// and a guest without one gets no delegation line.
func TestScanNamesTheGuestsDelegation(t *testing.T) {
	f := newDeskFixture(t)
	c, _ := f.staff(t, "aysel")
	// The answer alone (an htmx scan), so that nothing else on the page
	// names the delegation.
	scan := func(code string) string {
		t.Helper()
		_, body := f.htmxScan(c, 1, url.Values{"q": {code}})
		start, end := strings.Index(body, `<div id="desk-result">`), strings.Index(body, `<div id="desk-search"`)
		if start < 0 || end < start {
			t.Fatalf("no answer in:\n%s", body)
		}
		return body[start:end]
	}
	wantResult(t, scan(f.accepted.code), "success", "<p class=\"checkin-result__meta\">Embassy of France · ")
	italy := f.srv.InsertID(t, "INSERT INTO delegations (name, kind, country) VALUES ('Embassy of Italy <Rome>', 'diplomatic_mission', 'IT')")
	f.srv.Exec(t, "UPDATE guests SET delegation_id = ? WHERE id = ?", italy, f.pending.guest)
	wantResult(t, scan(f.pending.code), "warning", "Embassy of Italy &lt;Rome&gt; · ")
	f.srv.Exec(t, "UPDATE guests SET delegation_id = NULL WHERE id = ?", f.aliyev.guest)
	answer := scan(f.aliyev.code)
	wantResult(t, answer, "success", "Rəşad Əliyev", "<p class=\"checkin-result__meta\"><span class=\"zone-tag\">")
	if strings.Contains(answer, "Embassy") {
		t.Errorf("a guest without a delegation is shown with one:\n%s", answer)
	}
}
