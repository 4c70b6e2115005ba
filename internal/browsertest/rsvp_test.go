package browsertest

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/chromedp"

	"vigil/internal/auth"
	"vigil/internal/ceremony"
	"vigil/internal/delegation"
	"vigil/internal/i18n"
	"vigil/internal/invitation"
	"vigil/internal/testserver"
)

// rsvpSite is an open edition (answers accepted for 30 more days) of a
// commemoration kept in Baku time, with two published ceremonies at one
// venue, and a guest who reads Azerbaijani invited to both with two
// companions allowed.
type rsvpSite struct {
	year                  int
	wreath, reception     int64
	wreathAt, receptionAt time.Time
	inv                   int64
	link                  string
}

func seedRSVP(t *testing.T, srv *testserver.Server) rsvpSite {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := rsvpSite{year: time.Now().Year() + 1}
	cs := ceremony.NewStore(srv.DB.Gorm)
	cm := &ceremony.Commemoration{Name: "Remembrance Day", CommemoratedOn: time.Date(1992, 2, 26, 0, 0, 0, 0, time.UTC),
		CeremonyMonth: 2, CeremonyDay: 26, TimeZone: "Asia/Baku", DefaultLocale: "en"}
	if err := cs.CreateCommemoration(ctx, cm); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().UTC().AddDate(0, 0, 30).Truncate(24 * time.Hour)
	ed := &ceremony.Edition{CommemorationID: cm.ID, Year: s.year, Status: ceremony.EditionInvitationsOpen, RSVPDeadline: &deadline, ReminderDays: 7}
	if err := cs.CreateEdition(ctx, ed); err != nil {
		t.Fatal(err)
	}
	var venueID int64
	if err := srv.DB.Gorm.Raw(`INSERT INTO venues (name, address, latitude, longitude)
		VALUES ('Memorial Alley', 'Istiglaliyyat Street 1, Baku', 40.3553, 49.8268) RETURNING id`).Scan(&venueID).Error; err != nil {
		t.Fatal(err)
	}
	baku, err := time.LoadLocation("Asia/Baku")
	if err != nil {
		t.Fatal(err)
	}
	s.wreathAt = time.Date(s.year, 2, 26, 11, 0, 0, 0, baku)
	s.receptionAt = time.Date(s.year, 2, 26, 13, 0, 0, 0, baku)
	fifty := 50
	for _, c := range []struct {
		id       *int64
		title    string
		at       time.Time
		capacity *int
	}{
		{&s.wreath, "Wreath-laying at the memorial", s.wreathAt, &fifty},
		{&s.reception, "Reception", s.receptionAt, nil},
	} {
		cer := &ceremony.Ceremony{EditionID: ed.ID, Title: c.title, Kind: "other", VenueID: &venueID, StartsAt: c.at,
			EndsAt: c.at.Add(90 * time.Minute), Capacity: c.capacity, Status: ceremony.CeremonyPublished,
			DressCode: "Dark suit", NotesGuests: "Please arrive by 10:30 with your invitation."}
		if err := cs.CreateCeremony(ctx, cer); err != nil {
			t.Fatal(err)
		}
		*c.id = cer.ID
	}
	for _, it := range []ceremony.ProgrammeItem{
		{CeremonyID: s.wreath, StartsAt: s.wreathAt.Add(10 * time.Minute), DurationMinutes: 20, Title: "Laying of wreaths", Visibility: ceremony.VisibleToGuests},
		{CeremonyID: s.wreath, StartsAt: s.wreathAt.Add(-time.Hour), DurationMinutes: 20, Title: "Sound check", Visibility: ceremony.VisibleToStaff},
	} {
		if err := cs.CreateItem(ctx, &it); err != nil {
			t.Fatal(err)
		}
	}
	ds := delegation.NewStore(srv.DB.Gorm)
	gov, err := ds.CreateDelegation(ctx, delegation.DelegationInput{Name: "Cabinet of Ministers", Kind: delegation.KindGovernment, Country: "AZ"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := ds.CreateGuest(ctx, delegation.GuestInput{Honorific: "H.E.", GivenName: "Leyla", FamilyName: "Məmmədova",
		DelegationID: &gov.ID, Language: "az", Email: "leyla.m@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	store := srv.App.Invitations
	if _, err := store.InviteGuests(ctx, invitation.Invite{EditionID: ed.ID, GuestIDs: []int64{g.ID}, Companions: 2,
		Ceremonies: []invitation.CeremonyZone{{CeremonyID: s.wreath}, {CeremonyID: s.reception}}},
		invitation.Actor{Via: invitation.ViaOrganizer}); err != nil {
		t.Fatal(err)
	}
	if err := srv.DB.Gorm.Raw("SELECT id FROM invitations WHERE guest_id = ?", g.ID).Scan(&s.inv).Error; err != nil || s.inv == 0 {
		t.Fatalf("the invitation: %v", err)
	}
	inv, err := store.ByID(ctx, s.inv)
	if err != nil {
		t.Fatal(err)
	}
	s.link = store.Link(inv)
	return s
}

// rsvpRecorded reads the "what is recorded" list of a guest page: the
// first line of each key (a ceremony's title, without its time) and its
// value.
func rsvpRecorded(tab *Tab) map[string]string {
	tab.t.Helper()
	return Eval[map[string]string](tab, `Object.fromEntries([...[...document.querySelectorAll("main .summary-list")].pop()
		.querySelectorAll(".summary-list__row")]
		.map(r => [r.querySelector("dt").innerText.split("\n")[0].trim(), r.querySelector("dd").innerText.trim()]))`)
}

// rsvpCheck compares the recorded list with want, key by key, and fails
// on any key the page shows that want does not name.
func rsvpCheck(t *testing.T, page string, got, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q recorded as %q, want %q", page, k, got[k], v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected row %q = %q", page, k, v)
		}
	}
}

// rsvpAnswerEvents counts the invitation's "answer" events through the
// personal link.
func rsvpAnswerEvents(t *testing.T, srv *testserver.Server, inv int64) (link, all int64) {
	t.Helper()
	if err := srv.DB.Gorm.Raw(`SELECT count(*) FILTER (WHERE via = 'link'), count(*) FROM invitation_events
		WHERE invitation_id = ? AND action = 'answer'`, inv).Row().Scan(&link, &all); err != nil {
		t.Fatal(err)
	}
	return link, all
}

// rsvpBoardRow is the cells of a ceremony's row on the RSVP board: invited,
// accepted, seats, declined, waitlisted, not answered, capacity.
func rsvpBoardRow(tab *Tab, ceremony int64) []string {
	tab.t.Helper()
	return Eval[[]string](tab, `[...document.querySelectorAll('#board-ceremonies tr[data-ceremony="`+strconv.FormatInt(ceremony, 10)+`"] td')]
		.map(td => td.innerText.trim())`)
}

// rsvpShot saves a screenshot for review into test-artifacts/screens/rsvp/
// when VIGIL_SCREENSHOTS is set.
func rsvpShot(t *testing.T, tab *Tab, name string) {
	t.Helper()
	if os.Getenv("VIGIL_SCREENSHOTS") == "" {
		return
	}
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tab.Screenshot(filepath.Join(root, "test-artifacts", "screens", "rsvp", name+".png"))
}

// setScriptsDisabled switches the page's JavaScript off or on, as a
// browser with scripting turned off.
func setScriptsDisabled(tab *Tab, off bool) {
	tab.t.Helper()
	tab.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		return tg.Call(ctx, "Emulation.setScriptExecutionDisabled", map[string]bool{"value": off}, nil)
	}))
}

// allowDownloads lets the tab's browser context save downloads into dir,
// under the names the server suggests.
func allowDownloads(tab *Tab, dir string) {
	tab.t.Helper()
	tab.Do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		c := chromedp.FromContext(ctx)
		return c.Browser.Call(ctx, "Browser.setDownloadBehavior", map[string]any{
			"behavior": "allow", "browserContextId": c.BrowserContextID, "downloadPath": dir,
		}, nil)
	}))
}

// icsResponse is the calendar file as the page's fetch received it.
type icsResponse struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Body        string `json:"body"`
}

// The "done when": a guest opens the personal link, answers in
// Azerbaijani with two companions, changes the answer, downloads the .ics;
// an organizer sees it on the board. Also: the page on a phone, and an
// answer sent with JavaScript off.
func TestGuestAnswersInAzerbaijaniAndOrganizerSeesItOnTheBoard(t *testing.T) {
	srv, guest := setup(t)
	site := seedRSVP(t, srv)
	tr, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	az := func(key string, kv ...any) string { return tr.T("az", key, kv...) }
	wreath, reception := strconv.FormatInt(site.wreath, 10), strconv.FormatInt(site.reception, 10)
	submit := `form[action="/rsvp"] button[type=submit]`

	// 1. The personal link: swapped for a session, the token leaves the
	// address bar at once.
	if status := guest.Open(site.link); status != http.StatusOK {
		t.Fatalf("opening the personal link: status %d", status)
	}
	token := strings.TrimPrefix(site.link, "/rsvp/")
	if href := Eval[string](guest, "location.href"); strings.Contains(href, token) || !strings.HasSuffix(href, "/rsvp") {
		t.Errorf("after opening the link the address is %q: want …/rsvp without the token", href)
	}

	// 2. In Azerbaijani, the guest's language on file; times written out in
	// Baku time; venue with a map link, dress code, the guests' programme
	// and never the staff's.
	if lang := Eval[string](guest, "document.documentElement.lang"); lang != "az" {
		t.Errorf(`<html lang=%q>, want "az"`, lang)
	}
	if h := guest.Text("h1"); h != az("rsvp.title") {
		t.Errorf("heading %q, want %q", h, az("rsvp.title"))
	}
	card := guest.Text(`section[aria-labelledby="c-` + wreath + `-title"]`)
	weekday := az("weekday." + site.wreathAt.Weekday().String())
	r, n := utf8.DecodeRuneInString(weekday)
	when := strings.ToUpper(string(r)) + weekday[n:] + ", 26 fevral " + strconv.Itoa(site.year) + ", 11:00–12:30 (Bakı vaxtı ilə)"
	for _, want := range []string{"Wreath-laying at the memorial", when, "Memorial Alley", "Istiglaliyyat Street 1, Baku",
		az("rsvp.map"), az("rsvp.dress_code"), "Dark suit", "Please arrive by 10:30", "11:10 — Laying of wreaths", az("rsvp.question")} {
		if !strings.Contains(card, want) {
			t.Errorf("the wreath-laying's card lacks %q:\n%s", want, card)
		}
	}
	if strings.Contains(guest.Text("main"), "Sound check") {
		t.Error("the guest sees a programme item meant for staff")
	}
	if got := Eval[string](guest, `document.querySelector('a[href^="https://www.openstreetmap.org/?mlat=40.3553"]')?.rel || "no map link"`); !strings.Contains(got, "noreferrer") {
		t.Errorf("map link: rel %q, want noreferrer", got)
	}
	if got := guest.Text(`section[aria-labelledby="c-` + reception + `-title"] p strong`); !strings.Contains(got, "13:00–14:30 (Bakı vaxtı ilə)") {
		t.Errorf("the reception's time %q", got)
	}
	if guest.Count(`input[name^="companion_"]`) != 2 {
		t.Errorf("%d companion inputs, want 2", guest.Count(`input[name^="companion_"]`))
	}
	checkA11y(t, guest, "guest page (az)")
	rsvpShot(t, guest, "rsvp-desktop-az")

	// 3. Accept the wreath-laying with two companions, decline the
	// reception; needs and a phone.
	guest.Do(
		chromedp.Click(chromedp.CSS(`label[for="f-answer_`+wreath+`-accept"]`)),
		chromedp.Click(chromedp.CSS(`label[for="f-answer_`+reception+`-decline"]`)),
	)
	guest.Type("#f-companion_1", "Rəşad Əliyev")
	guest.Type("#f-companion_2", "Günay Şükürova")
	guest.Type("#f-accessibility_needs", "Pilləkənsiz giriş")
	guest.Type("#f-dietary_needs", "Vegetarian yemək")
	guest.Type("#f-contact_phone", "+994 12 345 67 89")
	if status := guest.ClickAndWait(submit); status != http.StatusOK {
		t.Fatalf("sending the answer: status %d", status)
	}
	if p := guest.Path(); p != "/rsvp/done" {
		t.Fatalf("after sending the answer: %s, want /rsvp/done", p)
	}
	if h := guest.Text("h1"); h != az("rsvp.done.title") {
		t.Errorf("confirmation heading %q, want %q", h, az("rsvp.done.title"))
	}
	rsvpCheck(t, "confirmation", rsvpRecorded(guest), map[string]string{
		"Wreath-laying at the memorial": az("rsvp.status.accepted_with", "Count", 2, "Names", "Rəşad Əliyev, Günay Şükürova"),
		"Reception":                     az("rsvp.status.declined"),
		az("rsvp.companions"):           "Rəşad Əliyev\nGünay Şükürova",
		az("rsvp.accessibility"):        "Pilləkənsiz giriş",
		az("rsvp.dietary"):              "Vegetarian yemək",
		az("rsvp.phone"):                "+994 12 345 67 89",
	})
	checkA11y(t, guest, "confirmation (az)")
	rsvpShot(t, guest, "rsvp-done-desktop-az")

	// 4. The guest changes the answer: back to /rsvp (the session keeps
	// the invitation), the form holds what was sent; one companion less.
	if status := guest.ClickAndWait(`main a.button[href="/rsvp"]`); status != http.StatusOK {
		t.Fatalf("back to the answer: status %d", status)
	}
	if got := guest.Value("#f-companion_2"); got != "Günay Şükürova" {
		t.Errorf("the form does not hold the second companion: %q", got)
	}
	if !Eval[bool](guest, `document.querySelector("#f-answer_`+wreath+`-accept").checked && document.querySelector("#f-answer_`+reception+`-decline").checked`) {
		t.Error("the form does not hold the answers sent")
	}
	Eval[string](guest, `document.querySelector("#f-companion_2").value = ""`)
	if status := guest.ClickAndWait(submit); status != http.StatusOK {
		t.Fatalf("changing the answer: status %d", status)
	}
	rsvpCheck(t, "confirmation of the change", rsvpRecorded(guest), map[string]string{
		"Wreath-laying at the memorial": az("rsvp.status.accepted_with", "Count", 1, "Names", "Rəşad Əliyev"),
		"Reception":                     az("rsvp.status.declined"),
		az("rsvp.companions"):           "Rəşad Əliyev",
		az("rsvp.accessibility"):        "Pilləkənsiz giriş",
		az("rsvp.dietary"):              "Vegetarian yemək",
		az("rsvp.phone"):                "+994 12 345 67 89",
	})
	if link, all := rsvpAnswerEvents(t, srv, site.inv); link != 2 || all != 2 {
		t.Errorf("history: %d answer events via the link of %d, want 2 of 2", link, all)
	}

	// 5. The calendar file: RFC 5545, Baku's zone, only the accepted
	// ceremony.
	ics := Run(guest, chromedp.Evaluate[icsResponse](`fetch("/rsvp/calendar.ics").then(async r => ({
		status: r.status, type: r.headers.get("content-type") || "", disposition: r.headers.get("content-disposition") || "", body: await r.text()}))`,
		chromedp.EvalAwaitPromise))
	if ics.Status != http.StatusOK || !strings.HasPrefix(ics.Type, "text/calendar") {
		t.Errorf("calendar.ics: status %d, Content-Type %q", ics.Status, ics.Type)
	}
	if !strings.HasPrefix(ics.Disposition, "attachment") {
		t.Errorf("calendar.ics: Content-Disposition %q", ics.Disposition)
	}
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "VERSION:2.0\r\n", "BEGIN:VTIMEZONE\r\nTZID:Asia/Baku", "DTSTART;TZID=Asia/Baku:" + strconv.Itoa(site.year) + "0226T110000",
		"SUMMARY:Wreath-laying at the memorial", "END:VCALENDAR"} {
		if !strings.Contains(ics.Body, want) {
			t.Errorf("calendar.ics lacks %q:\n%s", want, ics.Body)
		}
	}
	if n := strings.Count(ics.Body, "BEGIN:VEVENT"); n != 1 || strings.Contains(ics.Body, "Reception") {
		t.Errorf("calendar.ics has %d events (want 1, the accepted wreath-laying only):\n%s", n, ics.Body)
	}
	// The button on the confirmation downloads the same file and leaves the
	// page as it is.
	dir := t.TempDir()
	allowDownloads(guest, dir)
	guest.Do(chromedp.Click(chromedp.CSS(`a[href="/rsvp/calendar.ics"]`)))
	file := filepath.Join(dir, "invitation-"+strconv.Itoa(site.year)+".ics")
	var saved []byte
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if saved, err = os.ReadFile(file); err == nil && strings.HasSuffix(string(saved), "END:VCALENDAR\r\n") {
			break
		}
	}
	// DTSTAMP is the time of each download: the two may be a second apart.
	if withoutStamp(string(saved)) != withoutStamp(ics.Body) {
		entries, _ := os.ReadDir(dir)
		t.Errorf("the download button saved %d bytes to %s (folder holds %v), want the calendar file of %d bytes", len(saved), file, entries, len(ics.Body))
	}
	if p := guest.Path(); p != "/rsvp/done" {
		t.Errorf("after the download the page is %s", p)
	}

	// 6. An organizer sees the answer on the board and in the history.
	org := createUser(t, srv, auth.RoleOrganizer, "Nigar Rzayeva", "en")
	office := NewTab(t, srv.URL)
	office.SignIn(org.Email, org.Password)
	if status := office.Open("/editions/" + strconv.Itoa(site.year) + "/rsvp"); status != http.StatusOK {
		t.Fatalf("the board: status %d", status)
	}
	// Invited, accepted, seats (the guest and one companion), declined,
	// waitlisted, not answered; then the capacity.
	if got, want := rsvpBoardRow(office, site.wreath), []string{"1", "1", "2", "0", "0", "0"}; len(got) != 7 || !slices.Equal(got[:6], want) || !strings.HasPrefix(got[6], "2 / 50 ") {
		t.Errorf("the board's wreath-laying row %q, want %q and 2 / 50", got, want)
	}
	if got, want := rsvpBoardRow(office, site.reception), []string{"1", "0", "0", "1", "0", "0"}; len(got) != 7 || !slices.Equal(got[:6], want) {
		t.Errorf("the board's reception row %q, want %q", got, want)
	}
	if office.Count("#board-waiting") != 0 {
		t.Error("the guest who answered is still listed as not answered")
	}
	if status := office.Open("/editions/" + strconv.Itoa(site.year) + "/invitations/" + strconv.FormatInt(site.inv, 10)); status != http.StatusOK {
		t.Fatalf("the invitation: status %d", status)
	}
	history := Eval[[]string](office, `[...document.querySelectorAll('section[aria-labelledby="history-title"] tbody tr td:nth-child(2)')].map(td => td.innerText.trim())`)
	viaLink := 0
	for _, who := range history {
		if who == tr.T("en", "invitation.via.link") {
			viaLink++
		}
	}
	if viaLink != 2 {
		t.Errorf("the history shows %d entries by the guest through the link, want 2: %q", viaLink, history)
	}
	if got := office.Text(".summary-list"); !strings.Contains(got, "Rəşad Əliyev") || !strings.Contains(got, tr.T("en", "invitation.via.link")) {
		t.Errorf("the invitation's summary lacks the companion or the channel:\n%s", got)
	}

	// 7. On a phone: no sideways scrolling, a submit button big enough to
	// tap.
	guest.SetViewport(375, 800, true)
	guest.Open("/rsvp")
	if w := Eval[int](guest, "innerWidth"); w != 375 {
		t.Errorf("innerWidth %d at a 375 px phone", w)
	}
	if sw := Eval[float64](guest, "document.documentElement.scrollWidth"); sw > 375 {
		t.Errorf("the guest page scrolls sideways on a phone: scrollWidth %.0f > 375", sw)
	}
	if b := guest.Box(submit); b.Height < 44 {
		t.Errorf("the submit button is %.0f px tall on a phone, want at least 44", b.Height)
	}
	rsvpShot(t, guest, "rsvp-phone-az")
	guest.ClickAndWait(submit)
	if sw := Eval[float64](guest, "document.documentElement.scrollWidth"); sw > 375 {
		t.Errorf("the confirmation scrolls sideways on a phone: scrollWidth %.0f > 375", sw)
	}
	rsvpShot(t, guest, "rsvp-done-phone-az")
	// Sent again unchanged: nothing recorded twice.
	if link, _ := rsvpAnswerEvents(t, srv, site.inv); link != 2 {
		t.Errorf("an unchanged answer sent again added history: %d answer events, want 2", link)
	}

	// 8. Without JavaScript: the form still works, natively.
	setScriptsDisabled(guest, true)
	guest.Open("/rsvp")
	if cls := Eval[string](guest, "document.documentElement.className"); !strings.Contains(cls, "no-js") {
		t.Fatalf("scripts still ran (html class %q)", cls)
	}
	guest.Do(chromedp.Click(chromedp.CSS(`label[for="f-answer_` + reception + `-accept"]`)))
	if status := guest.ClickAndWait(submit); status != http.StatusOK {
		t.Fatalf("answering without JavaScript: status %d", status)
	}
	if got := rsvpRecorded(guest)["Reception"]; got != az("rsvp.status.accepted_with", "Count", 1, "Names", "Rəşad Əliyev") {
		t.Errorf("answer sent without JavaScript: reception recorded as %q", got)
	}
	var status string
	if err := srv.DB.Gorm.Raw("SELECT status FROM invitation_ceremonies WHERE invitation_id = ? AND ceremony_id = ?", site.inv, site.reception).Scan(&status).Error; err != nil || status != "accepted" {
		t.Errorf("without JavaScript the reception is %q in the database (%v), want accepted", status, err)
	}
	setScriptsDisabled(guest, false)
}

// withoutStamp drops the DTSTAMP lines of a calendar, which carry the time
// it was made.
func withoutStamp(ics string) string {
	var keep []string
	for _, l := range strings.Split(ics, "\r\n") {
		if !strings.HasPrefix(l, "DTSTAMP:") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\r\n")
}
