package browsertest

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vigil/internal/auth"
	"vigil/internal/testserver"
)

type planningSite struct {
	venue, official, diplomatic int64
}

// seedVenue adds the commemoration and a venue with two zones, as an
// organizer would before planning.
func seedVenue(t *testing.T, srv *testserver.Server) planningSite {
	t.Helper()
	var s planningSite
	db := srv.DB.Gorm
	for _, q := range []struct {
		dst  *int64
		sql  string
		args []any
	}{
		{new(int64), "INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Annual Remembrance Ceremony', '1992-02-26', 2, 26, 'Asia/Baku') RETURNING id", nil},
		{&s.venue, "INSERT INTO venues (name) VALUES ('Memorial, Khatai district') RETURNING id", nil},
	} {
		if err := db.Raw(q.sql, q.args...).Scan(q.dst).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Raw("INSERT INTO zones (venue_id, name, kind, capacity) VALUES (?, 'Official stand', 'official', 40) RETURNING id", s.venue).Scan(&s.official).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Raw("INSERT INTO zones (venue_id, name, kind, capacity) VALUES (?, 'Diplomatic corps', 'diplomatic', 150) RETURNING id", s.venue).Scan(&s.diplomatic).Error; err != nil {
		t.Fatal(err)
	}
	return s
}

// fillCeremony fills the ceremony form on the current page.
func fillCeremony(tab *Tab, title, start, end string, venue int64, zones ...int64) {
	tab.t.Helper()
	tab.Type("#f-title", title)
	tab.Do(
		chromedp.SetValue(chromedp.CSS("#f-start"), start),
		chromedp.SetValue(chromedp.CSS("#f-end"), end),
		chromedp.SetValue(chromedp.CSS("#f-venue_id"), fmt.Sprint(venue)),
	)
	for _, z := range zones {
		tab.Do(chromedp.Click(chromedp.CSS(fmt.Sprintf("#zone-%d", z))))
	}
}

func TestPlanCeremonyProgrammeClashAndNextEdition(t *testing.T) {
	srv, tab := setup(t)
	site := seedVenue(t, srv)
	org := createUser(t, srv, auth.RoleOrganizer, "Leyla Hasanova", "en")
	tab.SignIn(org.Email, org.Password)

	// Start the 2026 edition from the empty state.
	tab.Open("/editions")
	if got := tab.Text(".empty-state__title"); got != "No edition yet" {
		t.Fatalf("empty state: %q", got)
	}
	tab.ClickAndWait(`form[action="/editions"] button[type=submit]`)
	if p := tab.Path(); p != "/editions/2026" {
		t.Fatalf("after starting the edition: %s", p)
	}

	// Plan the wreath-laying in two zones.
	tab.ClickAndWait(`.page-actions a[href="/editions/2026/ceremonies/new"]`)
	fillCeremony(tab, "Wreath-laying at the memorial", "11:00", "12:30", site.venue, site.official, site.diplomatic)
	if status := tab.ClickAndWait(`form[action="/editions/2026/ceremonies"] button[type=submit]`); status != http.StatusOK {
		t.Fatalf("create ceremony: %d", status)
	}
	if p := tab.Path(); !strings.HasSuffix(p, "/programme") {
		t.Fatalf("after creating: %s", p)
	}
	cerPath := strings.TrimSuffix(tab.Path(), "/programme")

	// Its run-of-show: each new item starts where the last one ends.
	for _, it := range []struct{ title, minutes, wantStart string }{
		{"Arrival of guests", "20", "11:00"},
		{"Wreath-laying by delegations", "40", "11:20"},
		{"Minute of silence", "5", "12:00"},
	} {
		if got := tab.Value("#f-start"); got != it.wantStart {
			t.Errorf("next item's start prefilled %q, want %q", got, it.wantStart)
		}
		tab.Type("#f-title", it.title)
		tab.Do(chromedp.SetValue(chromedp.CSS("#f-duration"), it.minutes))
		tab.ClickAndWait(`#item-form button[type=submit]`)
	}
	if n := tab.Count("tbody tr"); n != 3 {
		t.Fatalf("programme has %d rows, want 3", n)
	}
	if got := tab.Text("tbody tr:nth-child(3) td"); !strings.HasPrefix(got, "12:00–12:05") {
		t.Errorf("third item at %q", got)
	}

	// Another ceremony in the diplomatic corps zone at an overlapping time.
	tab.Open("/editions/2026/ceremonies/new")
	fillCeremony(tab, "Memorial service", "12:00", "13:00", site.venue, site.diplomatic)
	if status := tab.ClickAndWait(`form[action="/editions/2026/ceremonies"] button[type=submit]`); status != http.StatusConflict {
		t.Fatalf("clashing ceremony: status %d, want 409", status)
	}
	msg := tab.Text("#f-zones-error")
	if !strings.Contains(msg, "Diplomatic corps is already used by Wreath-laying at the memorial on Thursday, 26 February 2026, 11:00–12:30") {
		t.Errorf("clash message: %q", msg)
	}
	if !tab.Visible(".error-summary") || tab.Value("#f-title") != "Memorial service" {
		t.Error("the refused form must show the summary and keep the input")
	}

	// The printed run-of-show: A4, header, the items.
	tab.Open(cerPath + "/programme/print")
	pdf := Run(tab, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	text := checkPDF(t, pdf, "run-of-show.pdf", 1)
	for _, want := range []string{"Wreath-laying at the memorial", "run-of-show for staff", "Arrival of guests", "Minute of silence", "Page 1 of 1"} {
		if text != "" && !strings.Contains(text, want) {
			t.Errorf("printed run-of-show lacks %q", want)
		}
	}

	// Start 2027 from 2026.
	tab.Open("/editions/2026")
	Eval[bool](tab, `(window.confirm = () => true, true)`)
	tab.ClickAndWait(`.card form[action="/editions/2026/next"] button[type=submit]`)
	if p := tab.Path(); p != "/editions/2027" {
		t.Fatalf("after starting 2027: %s", p)
	}
	if got := tab.Text("tbody tr td"); !strings.Contains(got, "Friday, 26 February 2027") || !strings.Contains(got, "11:00–12:30") {
		t.Errorf("copied ceremony at %q", got)
	}
	if got := tab.Text(".flash"); !strings.Contains(got, "The 2027 edition was started from 2026") {
		t.Errorf("flash %q", got)
	}
}

var pdfPageRe = regexp.MustCompile(`/Type\s*/Page[^s]`)

// checkPDF saves pdf under test-artifacts/pdf, checks it has wantPages (if > 0)
// pages, and returns its text (pdftotext), or "" where poppler is missing
// outside CI.
func checkPDF(t *testing.T, pdf []byte, name string, wantPages int) string {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("%s is not a PDF", name)
	}
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "test-artifacts", "pdf", name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if n := len(pdfPageRe.FindAll(pdf, -1)); wantPages > 0 && n != wantPages {
		t.Errorf("%s has %d pages, want %d", name, n, wantPages)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is required in CI to read printed pages")
		}
		t.Log("pdftotext missing: printed text not checked (apt-get install poppler-utils)")
		return ""
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", name, err)
	}
	return string(out)
}

// The transport sheet and the logistics checklist of the demo edition
// print on A4 with their header, rows and "page x of y".
func TestPrintTransportSheetAndChecklist(t *testing.T) {
	srv, tab := setup(t)
	seedDemo(t, srv)
	org := createUser(t, srv, auth.RoleOrganizer, "Leyla Hasanova", "en")
	tab.SignIn(org.Email, org.Password)
	edition, _ := demoPaths(t, srv)
	for _, p := range []struct {
		path, file string
		pages      int
		want       []string
	}{
		{edition + "/transport/print", "transport-sheet.pdf", 1, []string{"Transport sheet", "Minibus 1", "Elvin Hasanov", "Hotel district", "Page 1 of 1"}},
		{edition + "/tasks/print", "logistics-checklist.pdf", 2, []string{"Logistics checklist", "Ceremony", "Wreath stands", "City florist", "Page 1 of 2", "Page 2 of 2"}},
	} {
		tab.Open(p.path)
		pdf := Run(tab, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
		text := checkPDF(t, pdf, p.file, p.pages)
		for _, w := range p.want {
			if text != "" && !strings.Contains(text, w) {
				t.Errorf("%s lacks %q", p.file, w)
			}
		}
	}
}
