package invitation_test

import (
	"context"
	"html"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"vigil/internal/ceremony"
	"vigil/internal/delegation"
	"vigil/internal/i18n"
	"vigil/internal/invitation"
	"vigil/internal/testserver"
)

// rsvpFixture is an edition (answers open for 30 more days) with three
// ceremonies — a wreath-laying of 2 seats, a reception without a limit
// and a draft concert — and a guest who reads Azerbaijani, invited to all
// three with 2 companions allowed.
type rsvpFixture struct {
	srv                   *testserver.Server
	store                 *invitation.Store
	tr                    *i18n.Translator
	year                  int
	edition               int64
	wreath, reception     int64
	draft                 int64
	wreathAt, receptionAt time.Time
	inv                   int64
	link                  string
}

func newRSVPFixture(t *testing.T) *rsvpFixture {
	t.Helper()
	srv := testserver.Start(t)
	ctx := context.Background()
	f := &rsvpFixture{srv: srv, store: srv.App.Invitations, year: time.Now().Year() + 1}
	var err error
	if f.tr, err = i18n.New(); err != nil {
		t.Fatal(err)
	}
	cs := ceremony.NewStore(srv.DB.Gorm)
	cm := &ceremony.Commemoration{Name: "Remembrance Day", CommemoratedOn: time.Date(1992, 2, 26, 0, 0, 0, 0, time.UTC),
		CeremonyMonth: 2, CeremonyDay: 26, TimeZone: "Asia/Baku", DefaultLocale: "en"}
	if err := cs.CreateCommemoration(ctx, cm); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().UTC().AddDate(0, 0, 30).Truncate(24 * time.Hour)
	ed := &ceremony.Edition{CommemorationID: cm.ID, Year: f.year, Status: ceremony.EditionInvitationsOpen, RSVPDeadline: &deadline, ReminderDays: 7}
	if err := cs.CreateEdition(ctx, ed); err != nil {
		t.Fatal(err)
	}
	f.edition = ed.ID
	var venueID int64
	if err := srv.DB.Gorm.Raw(`INSERT INTO venues (name, address, latitude, longitude)
		VALUES ('Memorial Alley', 'Istiglaliyyat Street 1, Baku', 40.3553, 49.8268) RETURNING id`).Scan(&venueID).Error; err != nil {
		t.Fatal(err)
	}
	baku, _ := time.LoadLocation("Asia/Baku")
	f.wreathAt = time.Date(f.year, 2, 26, 11, 0, 0, 0, baku)
	f.receptionAt = time.Date(f.year, 2, 26, 13, 0, 0, 0, baku)
	two := 2
	for _, c := range []struct {
		id       *int64
		title    string
		at       time.Time
		capacity *int
		status   string
	}{
		{&f.wreath, "Wreath-laying at the memorial", f.wreathAt, &two, ceremony.CeremonyPublished},
		{&f.reception, "Reception", f.receptionAt, nil, ceremony.CeremonyPublished},
		{&f.draft, "Evening concert", f.receptionAt.Add(6 * time.Hour), nil, ceremony.CeremonyDraft},
	} {
		cer := &ceremony.Ceremony{EditionID: ed.ID, Title: c.title, Kind: "other", VenueID: &venueID, StartsAt: c.at,
			EndsAt: c.at.Add(90 * time.Minute), Capacity: c.capacity, Status: c.status,
			DressCode: "Dark suit", NotesGuests: "Please arrive by 10:30 with your invitation."}
		if err := cs.CreateCeremony(ctx, cer); err != nil {
			t.Fatal(err)
		}
		*c.id = cer.ID
	}
	for _, it := range []ceremony.ProgrammeItem{
		{CeremonyID: f.wreath, StartsAt: f.wreathAt.Add(10 * time.Minute), DurationMinutes: 20, Title: "Laying of wreaths", Visibility: ceremony.VisibleToGuests},
		{CeremonyID: f.wreath, StartsAt: f.wreathAt.Add(-time.Hour), DurationMinutes: 20, Title: "Sound check", Visibility: ceremony.VisibleToStaff},
	} {
		if err := cs.CreateItem(ctx, &it); err != nil {
			t.Fatal(err)
		}
	}
	g, err := delegation.NewStore(srv.DB.Gorm).CreateGuest(ctx, delegation.GuestInput{
		Honorific: "H.E.", GivenName: "Leyla", FamilyName: "Məmmədova", Language: "az", Email: "leyla@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	f.inv, f.link = f.invite(t, g.ID)
	return f
}

// invite invites guest to the fixture's ceremonies and returns the
// invitation and its personal link.
func (f *rsvpFixture) invite(t *testing.T, guest int64) (int64, string) {
	t.Helper()
	ctx := context.Background()
	_, err := f.store.InviteGuests(ctx, invitation.Invite{EditionID: f.edition, GuestIDs: []int64{guest}, Companions: 2,
		Ceremonies: []invitation.CeremonyZone{{CeremonyID: f.wreath}, {CeremonyID: f.reception}, {CeremonyID: f.draft}}},
		invitation.Actor{Via: invitation.ViaOrganizer})
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := f.srv.DB.Gorm.Raw("SELECT id FROM invitations WHERE guest_id = ?", guest).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	inv, err := f.store.ByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return id, f.store.Link(inv)
}

// t is a message as the page shows it, escaped as html/template escapes
// text.
func (f *rsvpFixture) t(loc, key string, kv ...any) string {
	return escaped(f.tr.T(loc, key, kv...))
}

func capitalised(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

func escaped(s string) string { return strings.ReplaceAll(html.EscapeString(s), "+", "&#43;") }

// open opens the personal link in a new client and checks the swap.
func (f *rsvpFixture) open(t *testing.T) *testserver.Client {
	t.Helper()
	c := f.srv.NewClient(t)
	resp, _ := c.Get(f.link)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/rsvp" {
		t.Fatalf("opening the link: %d to %q, want 303 to /rsvp", resp.StatusCode, resp.Header.Get("Location"))
	}
	return c
}

func (f *rsvpFixture) load(t *testing.T) *invitation.Invitation {
	t.Helper()
	inv, err := f.store.ByID(context.Background(), f.inv)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func (f *rsvpFixture) answers(t *testing.T) int {
	t.Helper()
	es, err := f.store.History(context.Background(), f.inv)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Action == "answer" {
			n++
			if e.Via != invitation.ViaLink {
				t.Errorf("answer recorded via %q, want link", e.Via)
			}
		}
	}
	return n
}

func (f *rsvpFixture) answer(accept map[int64]string, companions ...string) url.Values {
	v := url.Values{"accessibility_needs": {"Step-free access, please"}, "dietary_needs": {"Vegetarian"}, "contact_phone": {"+994 50 123 45 67"}}
	for id, a := range accept {
		v.Set("answer_"+strconv.FormatInt(id, 10), a)
	}
	for i, c := range companions {
		v.Set("companion_"+strconv.Itoa(i+1), c)
	}
	return v
}

func rsvpWant(t *testing.T, what, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("%s lacks %q", what, p)
		}
	}
}

func rsvpWantNot(t *testing.T, what, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(body, p) {
			t.Errorf("%s has %q", what, p)
		}
	}
}

func rsvpStatus(t *testing.T, what string, resp *http.Response, code int) {
	t.Helper()
	if resp.StatusCode != code {
		t.Fatalf("%s: status %d, want %d", what, resp.StatusCode, code)
	}
}

func TestRSVPLinkSwapsTheTokenForASession(t *testing.T) {
	f := newRSVPFixture(t)
	token := strings.TrimPrefix(f.link, "/rsvp/")
	c := f.srv.NewClient(t)
	resp, body := c.Get(f.link)
	rsvpStatus(t, "open link", resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/rsvp" {
		t.Errorf("redirect to %q, want /rsvp", loc)
	}
	if strings.Contains(body, token) {
		t.Error("the redirect's body carries the token")
	}
	if rp := resp.Header.Get("Referrer-Policy"); rp != "no-referrer" {
		t.Errorf("Referrer-Policy %q on the link", rp)
	}
	if c.Cookie("vigil_session") == nil {
		t.Fatal("no session after opening the link")
	}

	resp, body = c.Get("/rsvp")
	rsvpStatus(t, "guest page", resp, http.StatusOK)
	if strings.Contains(body, token) || strings.Contains(resp.Header.Get("Location"), token) {
		t.Error("the guest page carries the token")
	}
	for name, want := range map[string]string{"Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "Content-Language": "az"} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	// In the guest's language, Baku time written out, guests' programme
	// only, no draft, no staff navigation.
	rsvpWant(t, "guest page", body,
		"H.E. Leyla Məmmədova", "Remembrance Day",
		f.t("az", "anniversary", "Ordinal", i18n.Ordinal("az", f.year-1992)),
		"Wreath-laying at the memorial", "Reception", "Memorial Alley", "Istiglaliyyat Street 1, Baku",
		"https://www.openstreetmap.org/?mlat=40.3553", "Dark suit", "Please arrive by 10:30",
		"Laying of wreaths", "11:10",
		// The time range stays on one line on a phone.
		"26 fevral "+strconv.Itoa(f.year)+`, <span class="nowrap">11:00–12:30</span> (Bakı vaxtı ilə)`,
		// The line starts with the weekday, capitalised.
		capitalised(f.tr.T("az", "weekday."+f.wreathAt.Weekday().String()))+", 26 fevral",
		`name="answer_`+strconv.FormatInt(f.wreath, 10)+`"`, `name="companion_2"`, `action="/language"`)
	rsvpWantNot(t, "guest page", body, "Evening concert", "Sound check", `href="/delegations"`, `name="companion_3"`)

	// Opening a link changes nothing: mail scanners open links too.
	inv := f.load(t)
	if inv.RespondedAt != nil {
		t.Error("a GET recorded a response")
	}
	if es, _ := f.store.History(context.Background(), f.inv); len(es) != 1 || es[0].Action != "invited" {
		t.Errorf("history after GETs: %+v", es)
	}
	// Without the session the page does not open.
	other := f.srv.NewClient(t)
	resp, _ = other.Get("/rsvp")
	rsvpStatus(t, "guest page without the link", resp, http.StatusNotFound)
}

func TestRSVPAnswerInAzerbaijaniWithTwoCompanions(t *testing.T) {
	f := newRSVPFixture(t)
	c := f.open(t)
	form := f.answer(map[int64]string{f.reception: "accept", f.wreath: "decline"}, "Əli Həsənov", "Мария Иванова")
	resp, _ := c.Post("/rsvp", form)
	rsvpStatus(t, "answer", resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/rsvp/done" {
		t.Fatalf("answer redirects to %q", loc)
	}
	resp, body := c.Get("/rsvp/done")
	rsvpStatus(t, "done", resp, http.StatusOK)
	rsvpWant(t, "done page", body,
		f.t("az", "rsvp.done.title"),
		f.t("az", "rsvp.status.accepted_with", "Count", 2, "Names", "Əli Həsənov, Мария Иванова"),
		f.t("az", "rsvp.status.declined"),
		"Step-free access, please", "Vegetarian", escaped("+994 50 123 45 67"),
		`href="/rsvp/calendar.ics"`, `href="/rsvp"`)
	if resp.Header.Get("Content-Language") != "az" {
		t.Errorf("done page in %q", resp.Header.Get("Content-Language"))
	}

	inv := f.load(t)
	if inv.RespondedVia == nil || *inv.RespondedVia != invitation.ViaLink || inv.RespondedAt == nil {
		t.Errorf("responded via %v at %v", inv.RespondedVia, inv.RespondedAt)
	}
	if a := inv.Answer(f.reception); a.Status != invitation.StatusAccepted || a.Companions != 2 {
		t.Errorf("reception: %+v", a)
	}
	if a := inv.Answer(f.wreath); a.Status != invitation.StatusDeclined {
		t.Errorf("wreath-laying: %+v", a)
	}
	if len(inv.Companions) != 2 || inv.Companions[0].Name != "Əli Həsənov" || inv.Companions[1].Name != "Мария Иванова" {
		t.Errorf("companions %+v", inv.Companions)
	}
	if inv.AccessibilityNeeds != "Step-free access, please" || inv.DietaryNeeds != "Vegetarian" || inv.ContactPhone != "+994 50 123 45 67" {
		t.Errorf("needs %q %q %q", inv.AccessibilityNeeds, inv.DietaryNeeds, inv.ContactPhone)
	}
	if n := f.answers(t); n != 1 {
		t.Fatalf("%d answer events, want 1", n)
	}

	// The same form again (a double click): nothing changes twice.
	resp, _ = c.Post("/rsvp", form)
	rsvpStatus(t, "same answer again", resp, http.StatusSeeOther)
	if n := f.answers(t); n != 1 {
		t.Errorf("%d answer events after a resubmit, want 1", n)
	}
	if again := f.load(t); again.Version != inv.Version {
		t.Errorf("version %d after a resubmit, was %d", again.Version, inv.Version)
	}

	// The form shows what is saved.
	_, body = c.Get("/rsvp")
	rsvpWant(t, "form shown again", body, `value="Əli Həsənov"`, `value="Мария Иванова"`, `value="`+escaped("+994 50 123 45 67")+`"`,
		`id="f-answer_`+strconv.FormatInt(f.reception, 10)+`-accept" name="answer_`+strconv.FormatInt(f.reception, 10)+`" value="accept" checked`,
		`id="f-answer_`+strconv.FormatInt(f.wreath, 10)+`-decline" name="answer_`+strconv.FormatInt(f.wreath, 10)+`" value="decline" checked`)
}

func TestRSVPWaitlistWhenTheSeatsDoNotHold(t *testing.T) {
	f := newRSVPFixture(t)
	c := f.open(t)
	// The wreath-laying has 2 seats; the guest and 2 companions need 3.
	resp, _ := c.Post("/rsvp", f.answer(map[int64]string{f.wreath: "accept", f.reception: "accept"}, "Əli Həsənov", "Мария Иванова"))
	rsvpStatus(t, "answer", resp, http.StatusSeeOther)
	inv := f.load(t)
	if a := inv.Answer(f.wreath); a.Status != invitation.StatusWaitlisted {
		t.Errorf("wreath-laying %q, want waitlisted", a.Status)
	}
	if a := inv.Answer(f.reception); a.Status != invitation.StatusAccepted {
		t.Errorf("reception %q, want accepted", a.Status)
	}
	_, body := c.Get("/rsvp/done")
	rsvpWant(t, "done page", body, f.t("az", "rsvp.status.waitlisted"), f.t("az", "rsvp.waitlist_note"))
	_, body = c.Get("/rsvp")
	rsvpWant(t, "guest page", body, f.t("az", "rsvp.waitlist_note"))
	// The calendar has the accepted reception only.
	_, ics := c.Get("/rsvp/calendar.ics")
	if strings.Count(ics, "BEGIN:VEVENT") != 1 || !strings.Contains(ics, "SUMMARY:Reception") {
		t.Errorf("calendar with a waitlisted ceremony:\n%s", ics)
	}
}

func TestRSVPFormErrors(t *testing.T) {
	f := newRSVPFixture(t)
	c := f.open(t)
	form := url.Values{"answer_" + strconv.FormatInt(f.reception, 10): {"accept"},
		"companion_1": {strings.Repeat("x", 201)}, "companion_2": {"B"}, "companion_3": {"C"},
		"contact_phone": {"call me"}, "dietary_needs": {"Halal"}}
	resp, body := c.Post("/rsvp", form)
	rsvpStatus(t, "bad answer", resp, http.StatusUnprocessableEntity)
	wreathField := "answer_" + strconv.FormatInt(f.wreath, 10)
	rsvpWant(t, "error page", body, "error-summary",
		`href="#f-`+wreathField+`"`, `id="f-`+wreathField+`"`,
		f.t("az", "rsvp.error.answer_missing", "Title", "Wreath-laying at the memorial"),
		`href="#f-companions"`, f.t("az", "rsvp.error.too_many_companions", "Count", 2),
		`href="#f-companion_1"`, `href="#f-contact_phone"`, f.t("az", "rsvp.error.phone"),
		// What was typed is kept.
		`value="call me"`, "Halal", `value="B"`)
	if inv := f.load(t); inv.RespondedAt != nil || len(inv.Companions) != 0 {
		t.Error("a refused answer was saved")
	}
	if n := f.answers(t); n != 0 {
		t.Errorf("%d answer events after a refused form", n)
	}
}

func TestRSVPChangeThenDeadline(t *testing.T) {
	f := newRSVPFixture(t)
	c := f.open(t)
	resp, _ := c.Post("/rsvp", f.answer(map[int64]string{f.wreath: "decline", f.reception: "accept"}))
	rsvpStatus(t, "first answer", resp, http.StatusSeeOther)
	// Later, the same link, a new session: the guest changes the answer.
	c = f.open(t)
	// An empty companion input is skipped.
	resp, _ = c.Post("/rsvp", f.answer(map[int64]string{f.wreath: "decline", f.reception: "decline"}, "", "Əli Həsənov"))
	rsvpStatus(t, "changed answer", resp, http.StatusSeeOther)
	if cs := f.load(t).Companions; len(cs) != 1 || cs[0].Name != "Əli Həsənov" {
		t.Errorf("companions after the change: %+v", cs)
	}
	if a := f.load(t).Answer(f.reception); a.Status != invitation.StatusDeclined {
		t.Errorf("reception %q after the change", a.Status)
	}
	if n := f.answers(t); n != 2 {
		t.Errorf("%d answer events, want 2", n)
	}
	_, body := c.Get("/rsvp/done")
	rsvpWantNot(t, "done page, nothing accepted", body, `href="/rsvp/calendar.ics"`)

	// The deadline passes: the page is read-only and says whom to call; a
	// late POST changes nothing.
	if err := f.srv.DB.Gorm.Exec("UPDATE editions SET rsvp_deadline = current_date - 2 WHERE id = ?", f.edition).Error; err != nil {
		t.Fatal(err)
	}
	before := f.load(t)
	resp, body = c.Get("/rsvp")
	rsvpStatus(t, "read-only page", resp, http.StatusOK)
	rsvpWantNot(t, "read-only page", body, `action="/rsvp"`, `type="radio"`)
	rsvpWant(t, "read-only page", body, f.t("az", "rsvp.status.declined"), "protokol xidmətinə zəng edin")
	resp, body = c.Post("/rsvp", f.answer(map[int64]string{f.wreath: "accept", f.reception: "accept"}))
	rsvpStatus(t, "late answer", resp, http.StatusForbidden)
	rsvpWant(t, "late answer", body, f.t("az", "rsvp.refused"))
	after := f.load(t)
	if after.Version != before.Version || after.Answer(f.reception).Status != invitation.StatusDeclined {
		t.Error("a POST after the deadline changed the invitation")
	}
	if n := f.answers(t); n != 2 {
		t.Errorf("%d answer events after a late POST, want 2", n)
	}
	_, body = c.Get("/rsvp/done")
	rsvpWantNot(t, "done page after the deadline", body, `class="button" href="/rsvp"`)
}

func TestRSVPBadAndRevokedLinksAreAlike(t *testing.T) {
	f := newRSVPFixture(t)
	g, err := delegation.NewStore(f.srv.DB.Gorm).CreateGuest(context.Background(), delegation.GuestInput{GivenName: "Jean", FamilyName: "Dupont", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	revoked, revokedLink := f.invite(t, g.ID)
	if err := f.store.Revoke(context.Background(), revoked, invitation.Actor{Via: invitation.ViaOrganizer}); err != nil {
		t.Fatal(err)
	}
	c := f.srv.NewClient(t)
	c.Get("/login") // the language and CSRF cookies settle first
	_, bad := c.Get("/rsvp/" + strings.Repeat("A", 43))
	resp, rev := c.Get(revokedLink)
	rsvpStatus(t, "revoked link", resp, http.StatusNotFound)
	if bad != rev {
		t.Error("a revoked link's page differs from an unknown link's")
	}
	rsvpWant(t, "bad link page", bad, f.t("en", "rsvp.invalid.title"), f.t("en", "rsvp.invalid.contact"))
	rsvpWantNot(t, "bad link page", bad, strings.Repeat("A", 43))
	resp, _ = c.Get("/rsvp/short")
	rsvpStatus(t, "malformed link", resp, http.StatusNotFound)
	// The session of a revoked invitation stops working at once.
	guest := f.open(t)
	if err := f.store.Revoke(context.Background(), f.inv, invitation.Actor{Via: invitation.ViaOrganizer}); err != nil {
		t.Fatal(err)
	}
	resp, _ = guest.Get("/rsvp")
	rsvpStatus(t, "page of a revoked invitation", resp, http.StatusNotFound)
}

func TestRSVPFailedLookUpsAreLimitedPerAddress(t *testing.T) {
	f := newRSVPFixture(t)
	c := f.srv.NewBareClient(t)
	for i := range invitation.MaxLinkFailures {
		resp, _ := c.Get("/rsvp/" + strings.Repeat(string(rune('a'+i)), 43))
		rsvpStatus(t, "bad link "+strconv.Itoa(i+1), resp, http.StatusNotFound)
	}
	resp, body := c.Get("/rsvp/" + strings.Repeat("z", 43))
	rsvpStatus(t, "11th bad link", resp, http.StatusTooManyRequests)
	rsvpWant(t, "429 page", body, f.t("en", "rsvp.limited.title"))
	if resp.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// From that address even a good link waits (no look-up at all)…
	resp, _ = c.Get(f.link)
	rsvpStatus(t, "good link from the limited address", resp, http.StatusTooManyRequests)
	// …while from another address it works.
	other := f.srv.NewBareClient(t)
	other.HTTP.Transport = &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext}
	resp, _ = other.Get(f.link)
	rsvpStatus(t, "good link from another address", resp, http.StatusSeeOther)
	resp, _ = other.Get("/rsvp")
	rsvpStatus(t, "guest page from another address", resp, http.StatusOK)
	// Rows past the window are pruned when the next failure is recorded.
	if err := f.srv.DB.Gorm.Exec("UPDATE rsvp_failures SET at = at - interval '1 hour'").Error; err != nil {
		t.Fatal(err)
	}
	resp, _ = c.Get("/rsvp/" + strings.Repeat("y", 43))
	rsvpStatus(t, "bad link after the window", resp, http.StatusNotFound)
	var n int64
	if err := f.srv.DB.Gorm.Raw("SELECT count(*) FROM rsvp_failures").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d failure rows after pruning, want 1", n)
	}
}

func TestRSVPCalendarFile(t *testing.T) {
	f := newRSVPFixture(t)
	c := f.open(t)
	resp, _ := c.Post("/rsvp", f.answer(map[int64]string{f.wreath: "decline", f.reception: "accept"}, "Əli Həsənov"))
	rsvpStatus(t, "answer", resp, http.StatusSeeOther)
	resp, ics := c.Get("/rsvp/calendar.ics")
	rsvpStatus(t, "calendar", resp, http.StatusOK)
	ics = strings.ReplaceAll(ics, "\r\n ", "") // unfold
	if ct := resp.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, `.ics"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	rsvpWant(t, "calendar", ics, "BEGIN:VCALENDAR\r\n", "BEGIN:VTIMEZONE\r\nTZID:Asia/Baku\r\n", "TZOFFSETTO:+0400\r\n",
		"DTSTART;TZID=Asia/Baku:"+strconv.Itoa(f.year)+"0226T130000\r\n",
		"UID:invitation-"+strconv.FormatInt(f.inv, 10)+"-ceremony-"+strconv.FormatInt(f.reception, 10)+"@127.0.0.1\r\n",
		"SUMMARY:Reception\r\n", `LOCATION:Memorial Alley\, Istiglaliyyat Street 1\, Baku`)
	if n := strings.Count(ics, "BEGIN:VEVENT"); n != 1 {
		t.Errorf("%d events, want 1", n)
	}
	// Without the session there is no file.
	resp, _ = f.srv.NewClient(t).Get("/rsvp/calendar.ics")
	rsvpStatus(t, "calendar without the link", resp, http.StatusNotFound)
}

// rawKey finds a message id shown instead of its text.
var rawKey = regexp.MustCompile(`\b(rsvp|form|anniversary|weekday|month|nav|error)\.[a-z0-9_]+`)

func TestRSVPPagesInEveryLanguage(t *testing.T) {
	f := newRSVPFixture(t)
	c := f.open(t)
	resp, _ := c.Post("/rsvp", f.answer(map[int64]string{f.wreath: "accept", f.reception: "accept"}, "Əli Həsənov"))
	rsvpStatus(t, "answer", resp, http.StatusSeeOther)
	for _, loc := range i18n.Locales {
		// The guest's switch beats the language on file (az).
		resp, _ := c.Post("/language", url.Values{"locale": {loc}, "back": {"/rsvp"}})
		rsvpStatus(t, "switch to "+loc, resp, http.StatusSeeOther)
		for _, path := range []string{"/rsvp", "/rsvp/done", "/rsvp/" + strings.Repeat("Q", 43)} {
			resp, body := c.Get(path)
			if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s: status %d", loc, path, resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Language"); got != loc {
				t.Errorf("%s %s: Content-Language %q", loc, path, got)
			}
			if m := rawKey.FindString(body); m != "" {
				t.Errorf("%s %s shows the message id %q", loc, path, m)
			}
			if !strings.Contains(body, `action="/language"`) {
				t.Errorf("%s %s has no language switch", loc, path)
			}
		}
		_, body := c.Get("/rsvp")
		rsvpWant(t, loc+" guest page", body, f.t(loc, "rsvp.title"), f.t(loc, "rsvp.zone", "City", f.tr.T(loc, "rsvp.city.baku")))
		_, ics := c.Get("/rsvp/calendar.ics")
		ics = strings.ReplaceAll(ics, "\r\n ", "") // unfold
		rsvpWant(t, loc+" calendar", ics, f.tr.T(loc, "rsvp.dress_code")+": Dark suit")
	}
}

// A ceremony's title is shown in the guest's language where the organizers
// gave one (page, form errors, calendar file), and as it is otherwise.
func TestRSVPCeremonyTitlesInTheGuestsLanguage(t *testing.T) {
	f := newRSVPFixture(t)
	if err := f.srv.DB.Gorm.Exec("UPDATE ceremonies SET title_az = 'Rəsmi qəbul', title_ru = 'Официальный приём' WHERE id = ?", f.reception).Error; err != nil {
		t.Fatal(err)
	}
	c := f.open(t) // the guest reads Azerbaijani
	_, body := c.Get("/rsvp")
	rsvpWant(t, "page in az", body, "Rəsmi qəbul", "Wreath-laying at the memorial")
	rsvpWantNot(t, "page in az", body, ">Reception<")

	// Unanswered, the form names the ceremony in the guest's language.
	resp, body := c.Post("/rsvp", f.answer(map[int64]string{f.wreath: "decline"}))
	rsvpStatus(t, "answer missing", resp, http.StatusUnprocessableEntity)
	rsvpWant(t, "form error in az", body, escaped(f.t("az", "rsvp.error.answer_missing", "Title", "Rəsmi qəbul")))

	resp, _ = c.Post("/rsvp", f.answer(map[int64]string{f.wreath: "decline", f.reception: "accept"}))
	rsvpStatus(t, "answer", resp, http.StatusSeeOther)
	_, ics := c.Get("/rsvp/calendar.ics")
	rsvpWant(t, "calendar in az", strings.ReplaceAll(ics, "\r\n ", ""), "SUMMARY:Rəsmi qəbul\r\n")

	for loc, want := range map[string]string{"ru": "Официальный приём", "en": "Reception"} {
		resp, _ = c.Post("/language", url.Values{"locale": {loc}, "back": {"/rsvp"}})
		rsvpStatus(t, "switch to "+loc, resp, http.StatusSeeOther)
		_, body = c.Get("/rsvp/done")
		rsvpWant(t, "done page in "+loc, body, want)
		_, ics = c.Get("/rsvp/calendar.ics")
		rsvpWant(t, "calendar in "+loc, strings.ReplaceAll(ics, "\r\n ", ""), "SUMMARY:"+want+"\r\n")
	}
}
