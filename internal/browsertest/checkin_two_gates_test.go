package browsertest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"vigil/internal/auth"
	"vigil/internal/delegation"
	"vigil/internal/testserver"
)

// deskSite is a published ceremony of the current edition at a venue with
// two gates, and one accepted guest with a badge.
type deskSite struct {
	ceremony     int64
	gates        [2]int64
	invitation   int64
	code         string
	otherCode    string
	otherInvited int64
}

func seedDeskSite(t *testing.T, srv *testserver.Server) deskSite {
	t.Helper()
	one := func(q string, args ...any) int64 { t.Helper(); return srv.InsertID(t, q, args...) }
	var s deskSite
	year := time.Now().Year()
	cm := one("INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	ed := one("INSERT INTO editions (commemoration_id, year, status) VALUES (?, ?, 'invitations_open')", cm, year)
	venue := one("INSERT INTO venues (name) VALUES ('Memorial')")
	zone := one("INSERT INTO zones (venue_id, name, capacity, badge_colour) VALUES (?, 'Guests stand', 500, '#2f6f4f')", venue)
	s.gates[0] = one("INSERT INTO gates (venue_id, name) VALUES (?, 'North gate')", venue)
	s.gates[1] = one("INSERT INTO gates (venue_id, name) VALUES (?, 'South gate')", venue)
	starts := time.Date(year, 2, 26, 7, 0, 0, 0, time.UTC)
	s.ceremony = one(`INSERT INTO ceremonies (edition_id, title, venue_id, starts_at, ends_at, status)
		VALUES (?, 'Wreath-laying', ?, ?, ?, 'published')`, ed, venue, starts, starts.Add(90*time.Minute))
	del := one("INSERT INTO delegations (name, kind, country) VALUES ('Embassy of France', 'diplomatic_mission', 'FR')")
	for i, g := range []struct {
		given, family, code string
		inv                 *int64
	}{{"Anne", "Martin", "K7M4Q9T2W8XZ", &s.invitation}, {"Louis", "Bernard", "R3N6P8V2C4HJ", &s.otherInvited}} {
		// Through the directory's store, which keeps the folded names the
		// desk's search reads.
		guest, err := delegation.NewStore(srv.DB.Gorm).CreateGuest(context.Background(),
			delegation.GuestInput{Honorific: "H.E.", GivenName: g.given, FamilyName: g.family, DelegationID: &del})
		if err != nil {
			t.Fatal(err)
		}
		gid := guest.ID
		*g.inv = one(`INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code)
			VALUES (?, ?, ?, ?, ?)`, ed, gid, []byte{byte(i), 7}, []byte{byte(i), 8}, g.code)
		srv.Exec(t, "INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, zone_id, status) VALUES (?, ?, ?, 'accepted')",
			*g.inv, s.ceremony, zone)
	}
	s.code, s.otherCode = "K7M4-Q9T2-W8XZ", "R3N6P8V2C4HJ"
	return s
}

func (s deskSite) desk(gate int) string {
	return "/checkin/" + strconv.FormatInt(s.ceremony, 10) + "?gate=" + strconv.FormatInt(s.gates[gate], 10)
}

// waitDesk waits up to 5 seconds for the JavaScript condition cond on a
// desk's page.
func waitDesk(t *testing.T, tab *Tab, cond, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !Eval[bool](tab, cond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s (answer: %q)", what, boardText(tab, "#desk-result"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitSettled waits until htmx has settled the last answer and vigil.js
// has put the focus back in the scan field with its text selected: the
// next code typed before that would be cut by the selection.
func waitSettled(t *testing.T, tab *Tab) {
	t.Helper()
	waitDesk(t, tab, `!document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added") &&
		document.activeElement?.id === "f-q" && document.activeElement.selectionEnd === document.activeElement.value.length`,
		"the desk is ready for the next badge")
}

// htmxErrors fails the test for every error htmx logged in tab (an
// out-of-band swap without its target, a failed swap).
func htmxErrors(t *testing.T, tab *Tab, who string) {
	t.Helper()
	for _, m := range tab.Console() {
		if m.Type == chromedp.ConsoleError && !strings.HasPrefix(m.Text, "Failed to load resource") {
			t.Errorf("%s: console error: %s", who, m.Text)
		}
	}
}

// The "done when": a guest checked in by scan at two gates at
// once; one wins, the other sees "already checked in". Two staff members,
// each in a browser of their own, at two gates, type the same badge code
// into the scan field; both press Enter together (the presses start in
// parallel once both codes are typed). Exactly one desk shows "Checked
// in", the other "Already checked in" naming the first one's gate; the
// database holds one check-in. Neither page reloads: htmx swaps the
// answer in, and the winner's list of recent check-ins gains the guest.
func TestCheckInByScanAtTwoGatesAtOnce(t *testing.T) {
	srv, first := setup(t)
	site := seedDeskSite(t, srv)
	second := NewTab(t, srv.URL)
	tabs := [2]*Tab{first, second}
	names := [2]string{"Aysel Quliyeva", "Rauf Mammadov"}
	for i, tab := range tabs {
		staff := createUser(t, srv, auth.RoleStaff, names[i], "en")
		if status := tab.SignIn(staff.Email, staff.Password); status != http.StatusOK {
			t.Fatalf("sign in: %d", status)
		}
		if status := tab.Open(site.desk(i)); status != http.StatusOK {
			t.Fatalf("desk: %d", status)
		}
		// A page that reloads loses this.
		Eval[int](tab, "window.vigilDeskMarker = 7")
		// The scanner types the code, as a USB scanner does; Enter waits.
		tab.Type("#f-q", site.code)
	}

	// Enter at both gates together.
	var wg sync.WaitGroup
	ready := make(chan struct{})
	errs := make([]error, 2)
	for i, tab := range tabs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			errs[i] = chromedp.Do(tab.Ctx(), chromedp.SendKeys(chromedp.CSS("#f-q"), kb.Enter))
		}()
	}
	close(ready)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("gate %d: Enter: %v", i+1, err)
		}
	}

	answers := [2]string{}
	for i, tab := range tabs {
		waitDesk(t, tab, `!!document.querySelector("#desk-result .checkin-result")`, fmt.Sprintf("gate %d shows an answer", i+1))
		answers[i] = boardText(tab, "#desk-result")
		if Eval[int](tab, "window.vigilDeskMarker || 0") != 7 {
			t.Errorf("gate %d reloaded the page", i+1)
		}
	}
	var gate *int64
	if err := srv.DB.Gorm.Raw("SELECT checked_in_gate_id FROM invitation_ceremonies WHERE invitation_id = ? AND ceremony_id = ?",
		site.invitation, site.ceremony).Scan(&gate).Error; err != nil {
		t.Fatal(err)
	}
	if gate == nil {
		t.Fatalf("the guest is not checked in; answers %q", answers)
	}
	winner := 0
	if *gate == site.gates[1] {
		winner = 1
	}
	loser := 1 - winner
	gateNames := [2]string{"North gate", "South gate"}
	t.Logf("gate %d won; answers %q", winner+1, answers)
	if !strings.HasPrefix(answers[winner], "Checked in") || !strings.Contains(answers[winner], "H.E. Anne Martin") {
		t.Errorf("the winning gate shows %q, want Checked in for H.E. Anne Martin", answers[winner])
	}
	if !strings.HasPrefix(answers[loser], "Already checked in") || !strings.Contains(answers[loser], "at "+gateNames[winner]+",") ||
		!strings.Contains(answers[loser], "by "+names[winner]) {
		t.Errorf("the other gate shows %q, want Already checked in at %s by %s", answers[loser], gateNames[winner], names[winner])
	}
	if !tabs[winner].Visible("#desk-result .checkin-result--success") || !tabs[loser].Visible("#desk-result .checkin-result--warning") {
		t.Error("the answers are not shown in green and amber")
	}
	// Recorded once, in the guest's history.
	if events := checkIns(t, srv, site.invitation); events != 1 {
		t.Errorf("%d check-ins recorded, want 1", events)
	}
	// The winner's recent list gained the guest (out of band), the
	// loser's did not; the scan field is ready for the next badge.
	if got := boardText(tabs[winner], "#recent"); !strings.Contains(got, "H.E. Anne Martin") || tabs[winner].Visible("#recent-empty") {
		t.Errorf("the winning gate's recent list: %q", got)
	}
	if got := boardText(tabs[loser], "#recent"); got != "" || !tabs[loser].Visible("#recent-empty") {
		t.Errorf("the other gate's recent list: %q", got)
	}
	for i, tab := range tabs {
		if !Eval[bool](tab, `document.activeElement && document.activeElement.id === "f-q"`) {
			t.Errorf("gate %d: the scan field lost the focus", i+1)
		}
		htmxErrors(t, tab, fmt.Sprintf("gate %d", i+1))
	}

	if os.Getenv("VIGIL_SCREENSHOTS") != "" {
		root, err := RepoRoot()
		if err != nil {
			t.Fatal(err)
		}
		tabs[loser].SetViewport(375, 812, true)
		tabs[loser].Screenshot(filepath.Join(root, "test-artifacts", "screens", "checkin-desk-already-375.png"))
	}

	// The next badge at the winning gate: its answer replaces the last
	// one and the list grows at the top.
	waitSettled(t, tabs[winner])
	tabs[winner].Type("#f-q", site.otherCode+kb.Enter)
	waitDesk(t, tabs[winner], `document.querySelector("#desk-result").textContent.includes("Louis Bernard")`, "the next scan's answer")
	if got := boardText(tabs[winner], "#recent .card"); !strings.Contains(got, "Louis Bernard") {
		t.Errorf("the newest check-in is not first in the list: %q", got)
	}
	if n := tabs[winner].Count("#recent .card"); n != 2 {
		t.Errorf("%d lines in the recent list, want 2", n)
	}
	htmxErrors(t, tabs[winner], "after the second scan")
}

// A guest found by name and tapped, then twelve badges scanned in a row:
// the answers come without a page load, and the recent list keeps ten
// lines (the out-of-band delete trims it).
func TestDeskRecentListKeepsTenLines(t *testing.T) {
	srv, tab := setup(t)
	site := seedDeskSite(t, srv)
	// Twelve more guests, checked in one after another at one gate.
	var codes []string
	for i := range 12 {
		code := fmt.Sprintf("T%02dW%02dX%02dYZZ", i+2, i+2, i+2)
		code = strings.NewReplacer("0", "Z", "1", "Y").Replace(code)
		gid := srv.InsertID(t, "INSERT INTO guests (given_name, family_name) VALUES ('Guest', ?)", fmt.Sprintf("Number %d", i+1))
		var ed int64
		if err := srv.DB.Gorm.Raw("SELECT edition_id FROM ceremonies WHERE id = ?", site.ceremony).Scan(&ed).Error; err != nil {
			t.Fatal(err)
		}
		inv := srv.InsertID(t, `INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code)
			VALUES (?, ?, ?, ?, ?)`, ed, gid, []byte{byte(i), 9}, []byte{byte(i), 10}, code)
		srv.Exec(t, "INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, status) VALUES (?, ?, 'accepted')", inv, site.ceremony)
		codes = append(codes, code)
	}
	staff := createUser(t, srv, auth.RoleStaff, "Aysel Quliyeva", "en")
	tab.SignIn(staff.Email, staff.Password)
	tab.Open(site.desk(0))
	// First a guest found by name and tapped: the answer replaces the
	// search results, and the guest heads the list.
	tab.Type("#f-q", "martin"+kb.Enter)
	waitDesk(t, tab, `!!document.querySelector("#desk-search form button")`, "the guest found by name")
	// A click while htmx still settles the results can land on a button
	// that is being replaced: wait until it is done, as a person would.
	waitDesk(t, tab, `!document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")`, "the results settled")
	tab.Do(chromedp.Click(chromedp.CSS("#desk-search form button")))
	waitDesk(t, tab, `!!document.querySelector("#desk-result .checkin-result--success")`, "the tap's answer")
	if got := boardText(tab, "#desk-search"); got != "" {
		t.Errorf("the search results stay after the tap: %q", got)
	}
	if got := boardText(tab, "#recent .card"); !strings.Contains(got, "H.E. Anne Martin") {
		t.Errorf("the guest tapped is not first in the list: %q", got)
	}
	waitSettled(t, tab)
	for i, code := range codes {
		tab.Type("#f-q", code+kb.Enter)
		waitDesk(t, tab, fmt.Sprintf(`/Number %d\b/.test(document.querySelector("#recent .card")?.textContent || "")`, i+1),
			fmt.Sprintf("check-in %d in the list", i+1))
		waitSettled(t, tab)
	}
	if n := tab.Count("#recent .card"); n != 10 {
		t.Errorf("%d lines in the recent list, want 10", n)
	}
	if n := tab.Count("#recent .recent-mark"); n != 0 {
		t.Errorf("%d marks left in the recent list", n)
	}
	if got := boardText(tab, "#recent .card:last-child"); !strings.Contains(got, "Number 3") {
		t.Errorf("the last line is %q, want guest number 3", got)
	}
	htmxErrors(t, tab, "desk")
}

// Camera scanning is an enhancement for browsers with BarcodeDetector.
// Headless Chromium on Linux has no BarcodeDetector (nor a camera), so
// this test checks what can be checked here: the camera block stays
// hidden without it, and its script is served as JavaScript under the
// page's CSP. With a stand-in BarcodeDetector (a stub of the browser's
// API installed before the page's scripts: it "finds" the badge code in
// any frame) and a stand-in camera (a canvas's stream), it checks the
// wiring: the button appears, opens the "camera", and the code found is
// put into the scan field and submitted, which checks the guest in.
// Decoding a real QR code from a real camera is not tested here.
func TestDeskCameraScanning(t *testing.T) {
	srv, tab := setup(t)
	site := seedDeskSite(t, srv)
	staff := createUser(t, srv, auth.RoleStaff, "Aysel Quliyeva", "en")
	tab.SignIn(staff.Email, staff.Password)
	tab.Open(site.desk(0))
	if Eval[bool](tab, `"BarcodeDetector" in window`) {
		t.Log("this Chromium has BarcodeDetector: the hidden-block check below does not apply")
	} else if tab.Visible("[data-scan-camera]") || tab.Visible("[data-scan-camera-toggle]") {
		t.Error("the camera button is shown in a browser without BarcodeDetector")
	}
	src := Eval[string](tab, `document.querySelector("script[src*='scan-camera.js']")?.getAttribute("src") || ""`)
	if src == "" {
		t.Fatal("the desk does not load scan-camera.js")
	}
	resp, err := http.Get(srv.URL + src)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/javascript") && !strings.HasPrefix(ct, "application/javascript") {
		t.Errorf("scan-camera.js: %d %q, want JavaScript", resp.StatusCode, ct)
	}
	if !strings.Contains(string(body), "BarcodeDetector") {
		t.Error("scan-camera.js is not the camera script")
	}

	// The stand-ins, installed before any script of the next page.
	stub := `(() => {
		window.BarcodeDetector = class {
			static getSupportedFormats() { return Promise.resolve(["qr_code", "ean_13"]); }
			constructor(o) { this.formats = o && o.formats; }
			detect(source) {
				window.vigilDetectCalls = (window.vigilDetectCalls || 0) + 1;
				return Promise.resolve(source && source.videoWidth > 0 ? [{ rawValue: ` + jsString(site.code) + `, format: "qr_code" }] : []);
			}
		};
		navigator.mediaDevices.getUserMedia = (c) => {
			window.vigilCameraAsked = JSON.stringify(c);
			const canvas = document.createElement("canvas");
			canvas.width = 320; canvas.height = 240;
			const g = canvas.getContext("2d");
			setInterval(() => { g.fillStyle = "#" + Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, "0"); g.fillRect(0, 0, 320, 240); }, 50);
			return Promise.resolve(canvas.captureStream(20));
		};
	})()`
	tab.Do(chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: stub})
		return err
	}))
	tab.Open(site.desk(0))
	waitDesk(t, tab, `!document.querySelector("[data-scan-camera]").hidden`, "the camera button appears with BarcodeDetector")
	if got := tab.Text("[data-scan-camera-toggle]"); got != "Scan with camera" {
		t.Errorf("camera button %q", got)
	}
	tab.Do(chromedp.Click(chromedp.CSS("[data-scan-camera-toggle]")))
	waitDesk(t, tab, `!!document.querySelector("#desk-result .checkin-result")`, "the code found is checked in")
	if got := boardText(tab, "#desk-result"); !strings.HasPrefix(got, "Checked in") || !strings.Contains(got, "H.E. Anne Martin") {
		t.Errorf("after the camera found the code: %q", got)
	}
	if !strings.Contains(Eval[string](tab, "window.vigilCameraAsked || ''"), `"environment"`) {
		t.Error("the camera asked for is not the rear one")
	}
	if !tab.Visible("[data-scan-camera-video]") || tab.Text("[data-scan-camera-toggle]") != "Stop the camera" {
		t.Error("the camera view is not shown with a stop button while scanning")
	}
	// The same badge in view for a while is sent once.
	time.Sleep(time.Second)
	if events := checkIns(t, srv, site.invitation); events != 1 || !strings.HasPrefix(boardText(tab, "#desk-result"), "Checked in") {
		t.Errorf("%d check-ins and %q after the badge stayed in view, want 1 and still Checked in", events, boardText(tab, "#desk-result"))
	}
	if os.Getenv("VIGIL_SCREENSHOTS") != "" {
		root, err := RepoRoot()
		if err != nil {
			t.Fatal(err)
		}
		tab.SetViewport(375, 812, true)
		tab.Screenshot(filepath.Join(root, "test-artifacts", "screens", "checkin-desk-camera-375.png"))
	}
	// On a phone the camera's view fits the screen.
	tab.SetViewport(375, 812, true)
	if b := tab.Box("[data-scan-camera-video]"); b.X < 0 || b.X+b.Width > 375 || b.Height < 100 {
		t.Errorf("the camera view at 375 px is %+v", b)
	}
	tab.Do(chromedp.Click(chromedp.CSS("[data-scan-camera-toggle]")))
	if tab.Visible("[data-scan-camera-video]") || Eval[bool](tab, `!!document.querySelector("[data-scan-camera-video]").srcObject`) {
		t.Error("stopping the camera leaves it on")
	}
	htmxErrors(t, tab, "desk")
}

// The desk at phone width (375 px): the scan field, its button and the
// camera button fit, nothing scrolls sideways, and the page passes
// axe-core after a scan.
func TestDeskAtPhoneWidth(t *testing.T) {
	srv, tab := setup(t)
	site := seedDeskSite(t, srv)
	staff := createUser(t, srv, auth.RoleStaff, "Aysel Quliyeva", "en")
	tab.SetViewport(375, 812, true)
	tab.SignIn(staff.Email, staff.Password)
	tab.Open(site.desk(0))
	tab.Type("#f-q", site.code+kb.Enter)
	waitDesk(t, tab, `!!document.querySelector("#desk-result .checkin-result")`, "the answer")
	// Show the camera block as a browser with BarcodeDetector would, to
	// see it at this width.
	Eval[bool](tab, `(document.querySelector("[data-scan-camera]").hidden = false, true)`)
	if w := Eval[int](tab, "document.documentElement.scrollWidth"); w > 375 {
		t.Errorf("the desk is %d px wide at 375 px", w)
	}
	for _, css := range []string{"#f-q", "form button[type=submit]", "[data-scan-camera-toggle]", "#desk-result .checkin-result"} {
		b := tab.Box(css)
		if b.X < 0 || b.X+b.Width > 375 || b.Height < 40 {
			t.Errorf("%s at %+v: off screen or smaller than a finger", css, b)
		}
	}
	// The answer swapped in, the recent line added out of band and the
	// camera block pass axe-core as the page does.
	checkA11y(t, tab, "desk after a scan, at 375 px")
	if os.Getenv("VIGIL_SCREENSHOTS") != "" {
		root, err := RepoRoot()
		if err != nil {
			t.Fatal(err)
		}
		tab.Screenshot(filepath.Join(root, "test-artifacts", "screens", "checkin-desk-375.png"))
	}
}

// checkIns counts the check-ins in invitation inv's history.
func checkIns(t *testing.T, srv *testserver.Server, inv int64) int {
	t.Helper()
	history, err := srv.App.Invitations.History(context.Background(), inv)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range history {
		if e.Action == "checked_in" {
			n++
		}
	}
	return n
}
