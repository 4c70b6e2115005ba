package invitation_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/internal/auth"
	"vigil/internal/delegation"
	"vigil/internal/invitation"
	"vigil/internal/testserver"
)

// orgFixture is an edition (2027) with three ceremonies — a wreath-laying
// of 3 seats in a zone, an unlimited reception, a cancelled concert — two
// delegations with guests, one guest without a delegation, and an
// organizer and a staff member signed in.
type orgFixture struct {
	srv                          *testserver.Server
	store                        *invitation.Store
	edition                      int64
	wreath, reception, cancelled int64
	zone                         int64
	france, georgia              int64
	guests                       map[string]int64
	org, staff                   *testserver.Client
	orgID, staffID               int64
}

const orgYear = 2027

func orgSetup(t *testing.T) *orgFixture {
	t.Helper()
	srv := testserver.Start(t)
	f := &orgFixture{srv: srv, store: srv.App.Invitations, guests: map[string]int64{}}
	ctx := context.Background()
	db := srv.DB.Gorm
	one := func(dst *int64, q string, args ...any) {
		t.Helper()
		if err := db.Raw(q+" RETURNING id", args...).Scan(dst).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var cm, venue int64
	one(&cm, "INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Day of Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	one(&f.edition, "INSERT INTO editions (commemoration_id, year, rsvp_deadline) VALUES (?, ?, '2027-02-10')", cm, orgYear)
	one(&venue, "INSERT INTO venues (name, address) VALUES ('Memorial Hill', '1 Memorial Avenue')")
	one(&f.zone, "INSERT INTO zones (venue_id, name, capacity) VALUES (?, 'Guest stand', 10)", venue)
	one(&f.wreath, "INSERT INTO ceremonies (edition_id, title, kind, venue_id, starts_at, ends_at, capacity, status) VALUES (?, 'Wreath-laying', 'wreath_laying', ?, '2027-02-26 07:00Z', '2027-02-26 08:00Z', 3, 'published')", f.edition, venue)
	if err := db.Exec("INSERT INTO ceremony_zones (ceremony_id, zone_id, during, active) VALUES (?, ?, '[2027-02-26 07:00Z,2027-02-26 08:00Z)', true)", f.wreath, f.zone).Error; err != nil {
		t.Fatal(err)
	}
	one(&f.reception, "INSERT INTO ceremonies (edition_id, title, kind, starts_at, ends_at, status) VALUES (?, 'Reception', 'reception', '2027-02-26 12:00Z', '2027-02-26 14:00Z', 'draft')", f.edition)
	one(&f.cancelled, "INSERT INTO ceremonies (edition_id, title, kind, starts_at, ends_at, status) VALUES (?, 'Concert', 'concert', '2027-02-26 16:00Z', '2027-02-26 18:00Z', 'cancelled')", f.edition)

	ds := delegation.NewStore(db)
	cred := time.Date(2019, 5, 14, 0, 0, 0, 0, time.UTC)
	fr, err := ds.CreateDelegation(ctx, delegation.DelegationInput{Name: "Embassy of France", Kind: "diplomatic_mission", Country: "FR", CredentialsPresentedOn: &cred})
	if err != nil {
		t.Fatal(err)
	}
	ge, err := ds.CreateDelegation(ctx, delegation.DelegationInput{Name: "Parliament of Georgia", Kind: "parliament", Country: "GE"})
	if err != nil {
		t.Fatal(err)
	}
	f.france, f.georgia = fr.ID, ge.ID
	add := func(key string, in delegation.GuestInput) {
		t.Helper()
		g, err := ds.CreateGuest(ctx, in)
		if err != nil {
			t.Fatalf("guest %s: %v", key, err)
		}
		f.guests[key] = g.ID
	}
	add("jean", delegation.GuestInput{GivenName: "Jean", FamilyName: "Dubois", DelegationID: &f.france, VIP: true, Email: "jean@example.org", Language: "en"})
	add("marie", delegation.GuestInput{GivenName: "Marie", FamilyName: "Laurent", DelegationID: &f.france, Language: "en"})
	add("paul", delegation.GuestInput{GivenName: "Paul", FamilyName: "Girard", DelegationID: &f.france, Language: "en"})
	add("anne", delegation.GuestInput{GivenName: "Anne", FamilyName: "Petit", DelegationID: &f.france, Language: "en"})
	add("nino", delegation.GuestInput{GivenName: "Nino", FamilyName: "Beridze", DelegationID: &f.georgia, VIP: true, Language: "ru"})
	add("giorgi", delegation.GuestInput{GivenName: "Giorgi", FamilyName: "Kapanadze", DelegationID: &f.georgia, Language: "ru"})
	add("ilahe", delegation.GuestInput{GivenName: "İlahə Gülçöhrə", FamilyName: "Ağaşıyeva", Language: "az"})
	// Paul heads the French delegation in 2027: "head plus N" starts with
	// him, not with the VIP.
	if _, err := ds.Invite(ctx, f.edition, []int64{f.france, f.georgia}); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("UPDATE participations SET head_guest_id = ? WHERE edition_id = ? AND delegation_id = ?", f.guests["paul"], f.edition, f.france).Error; err != nil {
		t.Fatal(err)
	}

	f.orgID = srv.AddUser(t, "org@example.org", auth.RoleOrganizer).ID
	f.staffID = srv.AddUser(t, "staff@example.org", auth.RoleStaff).ID
	f.org = srv.NewClient(t)
	f.org.Login("org@example.org")
	f.staff = srv.NewClient(t)
	f.staff.Login("staff@example.org")
	return f
}

func (f *orgFixture) path(rest string) string {
	return "/editions/" + strconv.Itoa(orgYear) + "/invitations" + rest
}

// invite invites guests to ceremonies through the store.
func (f *orgFixture) invite(t *testing.T, companions int, ceremonies []int64, guests ...string) {
	t.Helper()
	in := invitation.Invite{EditionID: f.edition, Companions: companions}
	for _, c := range ceremonies {
		in.Ceremonies = append(in.Ceremonies, invitation.CeremonyZone{CeremonyID: c})
	}
	for _, g := range guests {
		in.GuestIDs = append(in.GuestIDs, f.guests[g])
	}
	if _, err := f.store.InviteGuests(context.Background(), in, invitation.Actor{Via: invitation.ViaOrganizer}); err != nil {
		t.Fatal(err)
	}
}

// inv returns the id of guest's invitation (0 when there is none).
func (f *orgFixture) inv(t *testing.T, guest string) int64 {
	t.Helper()
	return f.int(t, "SELECT coalesce(max(id), 0) FROM invitations WHERE edition_id = ? AND guest_id = ?", f.edition, f.guests[guest])
}

func (f *orgFixture) int(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := f.srv.DB.Gorm.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (f *orgFixture) text(t *testing.T, q string, args ...any) string {
	t.Helper()
	var s string
	if err := f.srv.DB.Gorm.Raw(q, args...).Scan(&s).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

// status of guest's answer to ceremony.
func (f *orgFixture) status(t *testing.T, guest string, ceremony int64) string {
	t.Helper()
	return f.text(t, "SELECT status FROM invitation_ceremonies WHERE invitation_id = ? AND ceremony_id = ?", f.inv(t, guest), ceremony)
}

// answer records an answer through the staff form.
func (f *orgFixture) answer(t *testing.T, c *testserver.Client, guest string, accept map[int64]bool, companions ...string) (*http.Response, string) {
	t.Helper()
	form := url.Values{"channel": {"phone"}}
	for id, yes := range accept {
		v := "decline"
		if yes {
			v = "accept"
		}
		form.Set("answer_"+strconv.FormatInt(id, 10), v)
	}
	for i, n := range companions {
		form.Set("companion_"+strconv.Itoa(i+1), n)
	}
	return c.Post(f.path("/"+strconv.FormatInt(f.inv(t, guest), 10)+"/answer"), form)
}

func orgStatus(t *testing.T, what string, resp *http.Response, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s: status %d, want %d", what, resp.StatusCode, want)
	}
}

func orgWant(t *testing.T, what, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("%s lacks %q", what, p)
		}
	}
}

// follow fetches where a redirect points and returns the page.
func orgFollow(t *testing.T, c *testserver.Client, resp *http.Response) string {
	t.Helper()
	orgStatus(t, "redirect", resp, http.StatusSeeOther)
	_, body := c.Get(resp.Header.Get("Location"))
	return body
}

func TestInviteSingleDelegationsAndFilter(t *testing.T) {
	f := orgSetup(t)
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	countAll := func() (int64, int64) {
		return f.int(t, "SELECT count(*) FROM invitations"), f.int(t, "SELECT count(*) FROM invitation_ceremonies")
	}

	// The invite page lists the live ceremonies, not the cancelled one.
	resp, body := f.org.Get(f.path("/new"))
	orgStatus(t, "invite page", resp, http.StatusOK)
	orgWant(t, "invite page", body, "Wreath-laying", "Reception", "Guest stand", "Embassy of France")
	if strings.Contains(body, "Concert") {
		t.Error("the cancelled ceremony is offered")
	}
	// Searching the directory lists the guest to tick.
	_, body = f.org.Get(f.path("/new?q=" + url.QueryEscape("Ağaşıyeva")))
	orgWant(t, "search", body, `value="`+id(f.guests["ilahe"])+`"`)

	// Single guests.
	single := url.Values{"mode": {"guests"}, "guest": {id(f.guests["ilahe"])}, "ceremony": {id(f.wreath)},
		"zone_" + id(f.wreath): {id(f.zone)}, "guests-companions": {"1"}}
	body = orgFollow(t, f.org, orgResp(f.org.Post(f.path(""), single)))
	orgWant(t, "after single invite", body, "1 guest chosen: 1 new invitations")
	if f.inv(t, "ilahe") == 0 || f.int(t, "SELECT companions_allowed FROM invitations WHERE id = ?", f.inv(t, "ilahe")) != 1 ||
		f.int(t, "SELECT zone_id FROM invitation_ceremonies WHERE invitation_id = ?", f.inv(t, "ilahe")) != f.zone {
		t.Fatal("single invitation not made as asked")
	}
	// The same again changes nothing.
	n1, c1 := countAll()
	body = orgFollow(t, f.org, orgResp(f.org.Post(f.path(""), single)))
	orgWant(t, "single again", body, "0 new invitations, 0 ceremonies added")
	if n, c := countAll(); n != n1 || c != c1 {
		t.Fatalf("inviting twice changed %d/%d to %d/%d", n1, c1, n, c)
	}

	// The head of the French delegation (set for the edition) plus one:
	// Paul, then Jean (the first other member, a VIP).
	head := url.Values{"mode": {"delegations"}, "delegation": {id(f.france)}, "members": {"head"}, "extra": {"1"},
		"ceremony": {id(f.wreath), id(f.reception)}, "delegations-companions": {"0"}}
	orgFollow(t, f.org, orgResp(f.org.Post(f.path(""), head)))
	for g, want := range map[string]bool{"paul": true, "jean": true, "marie": false, "anne": false} {
		if got := f.inv(t, g) != 0; got != want {
			t.Errorf("head plus one: %s invited %v, want %v", g, got, want)
		}
	}
	if n := f.int(t, "SELECT count(*) FROM invitation_ceremonies WHERE invitation_id = ?", f.inv(t, "paul")); n != 2 {
		t.Errorf("Paul has %d ceremonies, want 2", n)
	}

	// Every member of the Georgian delegation.
	all := url.Values{"mode": {"delegations"}, "delegation": {id(f.georgia)}, "members": {"all"}, "ceremony": {id(f.reception)}}
	orgFollow(t, f.org, orgResp(f.org.Post(f.path(""), all)))
	if f.inv(t, "nino") == 0 || f.inv(t, "giorgi") == 0 {
		t.Error("whole delegation not invited")
	}

	// The directory's filter: every diplomatic mission's guest, to the
	// reception. Paul and Jean keep their invitations; Marie and Anne
	// get new ones.
	filter := url.Values{"mode": {"filter"}, "fkind": {"diplomatic_mission"}, "ceremony": {id(f.reception)}}
	body = orgFollow(t, f.org, orgResp(f.org.Post(f.path(""), filter)))
	orgWant(t, "filter invite", body, "4 guests chosen: 2 new invitations, 0 ceremonies added")
	n2, c2 := countAll()
	if n2 != 7 {
		t.Errorf("%d invitations, want 7", n2)
	}
	orgFollow(t, f.org, orgResp(f.org.Post(f.path(""), filter)))
	if n, c := countAll(); n != n2 || c != c2 {
		t.Errorf("filter twice changed %d/%d to %d/%d", n2, c2, n, c)
	}

	// Bad input is refused beside the field and changes nothing.
	resp, body = f.org.Post(f.path(""), url.Values{"mode": {"guests"}, "guest": {id(f.guests["ilahe"])}})
	orgStatus(t, "no ceremony", resp, http.StatusUnprocessableEntity)
	orgWant(t, "no ceremony", body, "Choose at least one ceremony", `href="#f-guests-ceremony"`)
	resp, _ = f.org.Post(f.path(""), url.Values{"mode": {"guests"}, "guest": {id(f.guests["ilahe"])}, "ceremony": {id(f.cancelled)}})
	orgStatus(t, "cancelled ceremony", resp, http.StatusUnprocessableEntity)
	if n, c := countAll(); n != n2 || c != c2 {
		t.Error("a refused form changed invitations")
	}

	// The list: in order of precedence, with counts on top.
	_, body = f.staff.Get(f.path(""))
	orgWant(t, "list", body, "7 invited, 7 not answered", "Paul Girard", "Nino Beridze")
	if strings.Index(body, "Jean Dubois") > strings.Index(body, "İlahə") {
		t.Error("a guest without a delegation is listed before a delegation's")
	}
	_, body = f.staff.Get(f.path("?delegation=" + id(f.georgia)))
	if strings.Contains(body, "Jean Dubois") || !strings.Contains(body, "Giorgi Kapanadze") {
		t.Error("the delegation filter does not filter")
	}

	// Staff see but cannot invite; the directory's "invite" entry opens
	// the current edition's page.
	resp, _ = f.staff.Post(f.path(""), single)
	orgStatus(t, "staff invite", resp, http.StatusForbidden)
	resp, _ = f.staff.Get(f.path("/new"))
	orgStatus(t, "staff invite page", resp, http.StatusForbidden)
	resp, body = f.org.Get("/invitations/new?guest=" + id(f.guests["marie"]))
	orgStatus(t, "invite entry", resp, http.StatusOK)
	orgWant(t, "invite entry", body, "Invite guests to 2027", `action="/editions/2027/invitations"`)
	if !regexp.MustCompile(`value="` + id(f.guests["marie"]) + `" checked`).MatchString(body) {
		t.Error("the guest chosen in the directory is not ticked")
	}
	_, body = f.org.Get(fmt.Sprintf("/guests/%d", f.guests["marie"]))
	orgWant(t, "guest page", body, "/invitations/new?guest="+id(f.guests["marie"]))
}

func orgResp(resp *http.Response, _ string) *http.Response { return resp }

func TestStaffRecordAnswerAfterDeadline(t *testing.T) {
	f := orgSetup(t)
	f.invite(t, 2, []int64{f.wreath, f.reception}, "ilahe")
	id := f.inv(t, "ilahe")
	page := f.path("/" + strconv.FormatInt(id, 10))

	// The deadline (10 February 2027) is long past for the guest's link
	// only if today is after it; staff may record an answer either way.
	if err := f.srv.DB.Gorm.Exec("UPDATE editions SET rsvp_deadline = '2020-01-01' WHERE id = ?", f.edition).Error; err != nil {
		t.Fatal(err)
	}
	resp, body := f.staff.Get(page)
	orgStatus(t, "invitation page", resp, http.StatusOK)
	orgWant(t, "invitation page", body, "Record an answer", "deadline passed", "Wreath-laying")
	if strings.Contains(body, "/revoke") || strings.Contains(body, "letter.pdf") {
		t.Error("staff are offered organizer actions")
	}

	// A form without the channel or an answer is refused beside the field.
	resp, body = f.staff.Post(page+"/answer", url.Values{"answer_" + strconv.FormatInt(f.wreath, 10): {"accept"}})
	orgStatus(t, "incomplete answer", resp, http.StatusUnprocessableEntity)
	orgWant(t, "incomplete answer", body, "Choose how the answer was received", "Choose accepts or declines")
	if f.int(t, "SELECT count(*) FROM invitations WHERE id = ? AND responded_at IS NOT NULL", id) != 0 {
		t.Fatal("a refused answer was saved")
	}

	form := url.Values{
		"answer_" + strconv.FormatInt(f.wreath, 10):    {"accept"},
		"answer_" + strconv.FormatInt(f.reception, 10): {"decline"},
		"companion_1": {"Leyla Əliyeva"}, "channel": {"diplomatic_note"}, "dietary_needs": {"Vegetarian"},
	}
	body = orgFollow(t, f.staff, orgResp(f.staff.Post(page+"/answer", form)))
	orgWant(t, "after answer", body, "The answer is recorded.")
	var row struct {
		RespondedVia string
		RespondedBy  int64
		StaffChannel string
	}
	if err := f.srv.DB.Gorm.Raw("SELECT responded_via, responded_by, staff_channel FROM invitations WHERE id = ?", id).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	if row.RespondedVia != "staff" || row.RespondedBy != f.staffID || row.StaffChannel != "diplomatic_note" {
		t.Fatalf("recorded as %+v", row)
	}
	if f.status(t, "ilahe", f.wreath) != "accepted" || f.status(t, "ilahe", f.reception) != "declined" {
		t.Fatal("answers not saved")
	}
	// The history says who recorded it and through what.
	orgWant(t, "history", body, "User staff@example.org", "Diplomatic note", "Leyla Əliyeva", "Wreath-laying: Accepted")
	// The same answer again changes nothing.
	events := f.int(t, "SELECT count(*) FROM invitation_events WHERE invitation_id = ?", id)
	body = orgFollow(t, f.staff, orgResp(f.staff.Post(page+"/answer", form)))
	orgWant(t, "resubmit", body, "nothing changed")
	if f.int(t, "SELECT count(*) FROM invitation_events WHERE invitation_id = ?", id) != events {
		t.Error("a resubmitted answer wrote history")
	}
	// The list shows how it came in.
	_, body = f.staff.Get(f.path(""))
	orgWant(t, "list", body, "recorded by staff: User staff@example.org", "Diplomatic note")

	// Staff may not use the organizer actions.
	for _, p := range []string{"/revoke", "/link", "/promote", "/companions"} {
		resp, _ := f.staff.Post(page+p, url.Values{"ceremony": {strconv.FormatInt(f.wreath, 10)}})
		orgStatus(t, "staff "+p, resp, http.StatusForbidden)
	}
	resp, _ = f.staff.Get(page + "/letter.pdf")
	orgStatus(t, "staff letter", resp, http.StatusForbidden)
	resp, _ = f.staff.Post(f.path("/remind"), url.Values{"all": {"on"}})
	orgStatus(t, "staff remind", resp, http.StatusForbidden)
}

func TestRevokeNewLinkAndCompanions(t *testing.T) {
	f := orgSetup(t)
	ctx := context.Background()
	f.invite(t, 1, []int64{f.reception}, "jean")
	id := f.inv(t, "jean")
	page := f.path("/" + strconv.FormatInt(id, 10))
	inv, err := f.store.ByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	old := f.store.Link(inv)
	guest := f.srv.NewBareClient(t)
	if resp, _ := guest.Get(old); resp.StatusCode >= 400 {
		t.Fatalf("the link does not open before revoking: %d", resp.StatusCode)
	}

	body := orgFollow(t, f.org, orgResp(f.org.Post(page+"/revoke", nil)))
	orgWant(t, "after revoke", body, "The link is revoked.", "Link revoked")
	if _, err := f.store.ByToken(ctx, strings.TrimPrefix(old, "/rsvp/")); !errors.Is(err, invitation.ErrRevoked) {
		t.Fatalf("revoked token: %v", err)
	}
	if resp, _ := f.srv.NewBareClient(t).Get(old); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a revoked link answers %d, want 404", resp.StatusCode)
	}

	body = orgFollow(t, f.org, orgResp(f.org.Post(page+"/link", url.Values{"send": {"on"}})))
	orgWant(t, "after new link", body, "A new link is issued and sent by e-mail", "New link issued and sent by e-mail")
	inv, err = f.store.ByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	fresh := f.store.Link(inv)
	if fresh == old {
		t.Fatal("the new link is the old one")
	}
	if got, err := f.store.ByToken(ctx, strings.TrimPrefix(fresh, "/rsvp/")); err != nil || got.ID != id {
		t.Fatalf("new link: %v", err)
	}
	if resp, _ := f.srv.NewBareClient(t).Get(fresh); resp.StatusCode >= 400 {
		t.Errorf("the new link answers %d", resp.StatusCode)
	}
	if _, err := f.store.ByToken(ctx, strings.TrimPrefix(old, "/rsvp/")); !errors.Is(err, invitation.ErrNotFound) {
		t.Errorf("old token after a new link: %v", err)
	}

	// Companions allowed: up to 3, never below the names given.
	body = orgFollow(t, f.org, orgResp(f.org.Post(page+"/companions", url.Values{"companions_allowed": {"3"}})))
	orgWant(t, "companions", body, "may now bring 3 companions", "Companions allowed changed from 1 to 3")
	f.answer(t, f.staff, "jean", map[int64]bool{f.reception: true}, "A. Dubois", "B. Dubois")
	// A refusal is shown beside the field, with what was typed, and
	// changes nothing.
	resp, body := f.org.Post(page+"/companions", url.Values{"companions_allowed": {"1"}})
	orgStatus(t, "too few", resp, http.StatusUnprocessableEntity)
	orgWant(t, "too few", body, `id="f-companions_allowed-error"`, "has named 2 companions", `name="companions_allowed" type="number" value="1"`)
	if f.int(t, "SELECT companions_allowed FROM invitations WHERE id = ?", id) != 3 {
		t.Error("companions allowed fell below the names given")
	}
	resp, body = f.org.Post(page+"/companions", url.Values{"companions_allowed": {"eleven"}})
	orgStatus(t, "not a number", resp, http.StatusUnprocessableEntity)
	orgWant(t, "not a number", body, `id="f-companions_allowed-error"`, "Enter a whole number from 0 to 10.", `value="eleven"`)
	if f.int(t, "SELECT companions_allowed FROM invitations WHERE id = ?", id) != 3 {
		t.Error("a refused number changed companions allowed")
	}
	// A refused answer shows the page again with the companions form as
	// it is saved.
	resp, body = f.org.Post(page+"/answer", url.Values{"contact_phone": {strings.Repeat("9", 51)}})
	orgStatus(t, "refused answer", resp, http.StatusUnprocessableEntity)
	orgWant(t, "refused answer", body, "This must be 50 characters or fewer", `name="companions_allowed" type="number" value="3"`)
}

func TestPromoteFromWaitlist(t *testing.T) {
	f := orgSetup(t)
	// The wreath-laying has 3 seats.
	f.invite(t, 1, []int64{f.wreath}, "jean", "nino", "giorgi")
	ok := func(resp *http.Response, _ string) {
		t.Helper()
		orgStatus(t, "answer", resp, http.StatusSeeOther)
	}
	ok(f.answer(t, f.staff, "jean", map[int64]bool{f.wreath: true}, "Claire Dubois")) // 2 seats
	ok(f.answer(t, f.staff, "nino", map[int64]bool{f.wreath: true}))                  // 1 seat: full
	ok(f.answer(t, f.staff, "giorgi", map[int64]bool{f.wreath: true}))
	if st := f.status(t, "giorgi", f.wreath); st != "waitlisted" {
		t.Fatalf("Giorgi is %s, want waitlisted", st)
	}
	page := f.path("/" + strconv.FormatInt(f.inv(t, "giorgi"), 10))
	_, body := f.org.Get(page)
	orgWant(t, "waitlisted page", body, "Promote from the waitlist")

	promote := url.Values{"ceremony": {strconv.FormatInt(f.wreath, 10)}}
	body = orgFollow(t, f.org, orgResp(f.org.Post(page+"/promote", promote)))
	orgWant(t, "promote when full", body, "No seat is free for this answer (1 needed)")
	if st := f.status(t, "giorgi", f.wreath); st != "waitlisted" {
		t.Fatalf("promoted into a full ceremony: %s", st)
	}

	ok(f.answer(t, f.staff, "nino", map[int64]bool{f.wreath: false})) // a seat frees
	body = orgFollow(t, f.org, orgResp(f.org.Post(page+"/promote", promote)))
	orgWant(t, "promote", body, "The answer is accepted", "Promoted from the waitlist for Wreath-laying")
	if st := f.status(t, "giorgi", f.wreath); st != "accepted" {
		t.Fatalf("Giorgi is %s after promotion", st)
	}
	if seats := f.int(t, "SELECT sum(1 + companions) FROM invitation_ceremonies WHERE ceremony_id = ? AND status = 'accepted'", f.wreath); seats != 3 {
		t.Errorf("%d seats taken of 3", seats)
	}
}

func TestLetterPDF(t *testing.T) {
	for _, tool := range []string{"pdftotext", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s (poppler-utils) is needed: %v", tool, err)
		}
	}
	f := orgSetup(t)
	ctx := context.Background()
	f.invite(t, 0, []int64{f.wreath, f.reception}, "ilahe")
	id := f.inv(t, "ilahe")
	resp, body := f.org.Get(f.path("/" + strconv.FormatInt(id, 10) + "/letter.pdf"))
	orgStatus(t, "letter", resp, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "application/pdf" || !strings.HasPrefix(body, "%PDF-") {
		t.Fatalf("letter is %q", ct)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Error("the letter may be cached")
	}
	dir := t.TempDir()
	pdf := filepath.Join(dir, "letter.pdf")
	if err := os.WriteFile(pdf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := os.Getenv("VIGIL_LETTER_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := exec.Command("pdftotext", "-enc", "UTF-8", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	inv, err := f.store.ByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	link := f.srv.URL + f.store.Link(inv)
	// In Azerbaijani, the guest's language: the name with its letters
	// intact, the anniversary, the ceremonies in Baku time, the deadline
	// and the link.
	orgWant(t, "letter text", text, "İlahə Gülçöhrə Ağaşıyeva", "Hörmətli", "Day of Remembrance", "35", "Wreath-laying",
		"Memorial Hill", "10 fevral 2027", link)
	if out, err := exec.Command("pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", pdf, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	if st, err := os.Stat(filepath.Join(dir, "page-1.png")); err != nil || st.Size() < 2000 {
		t.Fatalf("the letter does not render: %v", err)
	}
	if n := f.int(t, "SELECT count(*) FROM invitation_events WHERE invitation_id = ? AND action = 'letter_printed' AND user_id = ?", id, f.orgID); n != 1 {
		t.Errorf("%d letter_printed events", n)
	}
}

func TestRemind(t *testing.T) {
	f := orgSetup(t)
	f.invite(t, 0, []int64{f.reception}, "jean", "marie", "nino")
	f.answer(t, f.staff, "nino", map[int64]bool{f.reception: true})
	body := orgFollow(t, f.org, orgResp(f.org.Post(f.path("/remind"), url.Values{"all": {"on"}})))
	if n := f.int(t, "SELECT count(*) FROM invitation_events WHERE action = 'remind_requested'"); n != 2 {
		t.Errorf("%d reminders requested, want 2 (the guests not answered)", n)
	}
	// The mail package queues one reminder each for Jean and Marie.
	orgWant(t, "remind all", body, "Reminders to 2 guests are queued.")
	if n := f.int(t, "SELECT count(*) FROM messages WHERE template = 'reminder' AND invitation_id = ?", f.inv(t, "jean")); n != 1 {
		t.Errorf("%d reminder e-mails queued for Jean", n)
	}
	if n := f.int(t, "SELECT count(*) FROM messages WHERE template = 'reminder' AND invitation_id = ?", f.inv(t, "nino")); n != 0 {
		t.Errorf("a guest who answered is reminded")
	}
	// A second click within the hour asks for nothing more.
	body = orgFollow(t, f.org, orgResp(f.org.Post(f.path("/remind"), url.Values{"id": {strconv.FormatInt(f.inv(t, "jean"), 10)}})))
	orgWant(t, "remind again", body, "No one to remind")
	if n := f.int(t, "SELECT count(*) FROM invitation_events WHERE action = 'remind_requested'"); n != 2 {
		t.Errorf("%d reminders requested after a second click", n)
	}
}

func TestGuestHistoryAndMerge(t *testing.T) {
	f := orgSetup(t)
	f.invite(t, 0, []int64{f.wreath, f.reception}, "marie", "anne")
	f.answer(t, f.staff, "anne", map[int64]bool{f.wreath: true, f.reception: false})

	_, body := f.staff.Get(fmt.Sprintf("/guests/%d", f.guests["anne"]))
	orgWant(t, "guest history", body, "Invited to 2 ceremonies", "Answered: 1 accepted, 1 declined, 0 waitlisted",
		f.path("/"+strconv.FormatInt(f.inv(t, "anne"), 10)))
	_, body = f.staff.Get(fmt.Sprintf("/guests/%d", f.guests["marie"]))
	orgWant(t, "guest history", body, "Did not answer")

	// Anne turns out to be Marie entered twice. Merging keeps Marie's
	// record and Anne's invitation, which has the answer; Marie's own
	// invitation goes, its history moved.
	marieInv, anneInv := f.inv(t, "marie"), f.inv(t, "anne")
	resp, _ := f.org.Post("/guests/merge", url.Values{"keep": {strconv.FormatInt(f.guests["marie"], 10)}, "drop": {strconv.FormatInt(f.guests["anne"], 10)}})
	orgStatus(t, "merge", resp, http.StatusSeeOther)
	if n := f.int(t, "SELECT count(*) FROM invitations WHERE guest_id = ?", f.guests["marie"]); n != 1 {
		t.Fatalf("Marie has %d invitations after the merge", n)
	}
	if got := f.inv(t, "marie"); got != anneInv {
		t.Errorf("kept invitation %d, want the answered one %d", got, anneInv)
	}
	if n := f.int(t, "SELECT count(*) FROM invitations WHERE id = ?", marieInv); n != 0 {
		t.Error("the unanswered invitation was not deleted")
	}
	if n := f.int(t, "SELECT count(*) FROM invitation_events WHERE invitation_id = ? AND action = 'invited'", anneInv); n != 2 {
		t.Errorf("the dropped invitation's history did not move: %d invited events", n)
	}
	if f.status(t, "marie", f.wreath) != "accepted" {
		t.Error("the answer was lost in the merge")
	}
}
