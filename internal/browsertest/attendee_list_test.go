package browsertest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vigil/internal/auth"
	"vigil/internal/testserver"
)

// listCeremony is the demo ceremony with the most answers whose venue has
// gates, with every invited delegation arriving by its first gate.
type listCeremony struct {
	ID       int64
	Title    string
	Answers  int
	GateName string
	// AzName is an invited guest's name with Azerbaijani letters.
	AzName string
}

func seedListCeremony(t *testing.T, srv *testserver.Server) listCeremony {
	t.Helper()
	var c listCeremony
	err := srv.DB.Gorm.Raw(`SELECT c.id, c.title, count(*) AS answers,
			(SELECT g.name FROM gates g WHERE g.venue_id = c.venue_id ORDER BY g.id LIMIT 1) AS gate_name
		FROM ceremonies c JOIN invitation_ceremonies ic ON ic.ceremony_id = c.id
		WHERE EXISTS (SELECT 1 FROM gates g WHERE g.venue_id = c.venue_id)
		GROUP BY c.id ORDER BY count(*) DESC, c.id LIMIT 1`).Scan(&c).Error
	if err != nil || c.ID == 0 || c.Answers < 10 {
		t.Fatalf("the demo has no ceremony with gates and answers: %+v %v", c, err)
	}
	srv.Exec(t, `INSERT INTO participations (edition_id, delegation_id, arrival_gate_id)
		SELECT DISTINCT i.edition_id, g.delegation_id,
			(SELECT gt.id FROM gates gt JOIN ceremonies ce ON ce.venue_id = gt.venue_id WHERE ce.id = ? ORDER BY gt.id LIMIT 1)
		FROM invitation_ceremonies ic JOIN invitations i ON i.id = ic.invitation_id JOIN guests g ON g.id = i.guest_id
		WHERE ic.ceremony_id = ? AND g.delegation_id IS NOT NULL
		ON CONFLICT (edition_id, delegation_id) DO UPDATE SET arrival_gate_id = EXCLUDED.arrival_gate_id`, c.ID, c.ID)
	err = srv.DB.Gorm.Raw(`SELECT g.given_name || ' ' || g.family_name FROM invitation_ceremonies ic
		JOIN invitations i ON i.id = ic.invitation_id JOIN guests g ON g.id = i.guest_id
		WHERE ic.ceremony_id = ? AND g.printed_name = '' AND (g.given_name || g.family_name) ~ '[ƏəĞğıİŞşÇçÖöÜü]'
		ORDER BY g.id LIMIT 1`, c.ID).Scan(&c.AzName).Error
	if err != nil || c.AzName == "" {
		t.Fatalf("no Azerbaijani name among the demo's guests: %v", err)
	}
	return c
}

// The attendee list of a demo ceremony on screen, with columns chosen by
// the user, printed by Chromium to A4: the header with the ceremony on
// every page with "Page x of y", the chosen columns, an Azerbaijani name
// intact; then a gate's door list reached in one click from the list.
func TestAttendeeListPrintsToPDF(t *testing.T) {
	srv, tab := setup(t)
	seedDemo(t, srv)
	cer := seedListCeremony(t, srv)
	staff := createUser(t, srv, auth.RoleStaff, "Elvin Quliyev", "en")
	tab.SignIn(staff.Email, staff.Password)
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("/checkin/%d", cer.ID)

	tab.Open(base + "/list")
	if h := tab.Text("h1"); h != "Attendee list: "+cer.Title {
		t.Errorf("heading %q", h)
	}
	if n := tab.Count("main tr.list-row"); n != cer.Answers {
		t.Errorf("the list shows %d guests, want %d", n, cer.Answers)
	}
	tab.Screenshot(filepath.Join(root, "test-artifacts", "screens", "attendee-list.png"))

	// Choose the columns: the phone in, the zone and answer out.
	tab.Do(chromedp.Click(chromedp.CSS("details.list-options summary")))
	Eval[bool](tab, `(() => { document.querySelector("#f-col-phone").checked = true;
		document.querySelector("#f-col-zone").checked = false;
		document.querySelector("#f-col-answer").checked = false; return true })()`)
	tab.ClickAndWait(`.filters__actions button[type=submit]`)
	heads := Eval[[]string](tab, `[...document.querySelector("main table thead").querySelectorAll("tr:not([hidden]) th")].map(th => th.className)`)
	if got := strings.Join(heads, " "); got != "col-no col-name col-delegation col-companions col-phone col-checked_in col-tick" {
		t.Errorf("columns after choosing: %q", got)
	}
	if p := tab.Path(); !strings.Contains(p, "col=phone") {
		t.Errorf("the chosen columns are not in the address: %s", p)
	}

	// The print view keeps the columns; Chromium prints it to A4.
	tab.ClickAndWait(`.page-actions a[href^="` + base + `/list/print?"]`)
	pdf := Run(tab, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	pages := len(pdfPageRe.FindAll(pdf, -1))
	text := checkPDF(t, pdf, "attendee-list-chromium.pdf", 0)
	if text == "" {
		return // no pdftotext outside CI
	}
	for _, m := range mediaBoxRe.FindAllSubmatch(pdf, -1) {
		if w, h := string(m[1]), string(m[2]); !strings.HasPrefix(w, "59") || !strings.HasPrefix(h, "84") {
			t.Errorf("page of %s×%s pt, want A4", w, h)
		}
	}
	if !containsWords(text, cer.AzName) {
		t.Errorf("the printed list lacks the Azerbaijani name %q", cer.AzName)
	}
	for _, screen := range []string{"Back to the attendee list", "Sign out", "Download PDF"} {
		if strings.Contains(text, screen) {
			t.Errorf("the printed list shows %q from the screen", screen)
		}
	}
	for p := 1; p <= pages; p++ {
		pt := pdfPageText(t, "attendee-list-chromium.pdf", p)
		for _, want := range []string{cer.Title + " · ", fmt.Sprintf("Page %d of %d", p, pages), "Phone", "Delegation"} {
			if !strings.Contains(pt, want) {
				t.Errorf("page %d of %d lacks %q", p, pages, want)
			}
		}
		if strings.Contains(pt, "Zone") {
			t.Errorf("page %d prints the zone column, which was left out", p)
		}
	}

	// The door list of the first gate, one click from the list.
	tab.Open(base + "/list")
	tab.ClickAndWait(`.list-doors a[href*="door=1"]`)
	if h := tab.Text("h1"); h != "Door list: "+cer.GateName {
		t.Errorf("door list heading %q", h)
	}
	tab.Screenshot(filepath.Join(root, "test-artifacts", "screens", "door-list.png"))
	pdf = Run(tab, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	door := checkPDF(t, pdf, "door-list-chromium.pdf", 0)
	if !strings.Contains(door, "Door list: "+cer.GateName) || !strings.Contains(door, "Page 1 of ") {
		t.Errorf("the printed door list lacks its title or page numbers:\n%.600s", door)
	}
}
