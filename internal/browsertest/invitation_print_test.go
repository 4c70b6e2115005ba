package browsertest

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/chromedp"

	"vigil/internal/auth"
)

// invitationPrintRowRe is the first line of a printed invitation row: its
// number, then the guest's name.
var invitationPrintRowRe = regexp.MustCompile(`^\s{0,3}(\d{1,3})\s+\S`)

// invitationPrintRow is a row of the printed invitation list as the page
// shows it: the guest, the answered date (or "Not answered") and the note
// under it naming the staff member who recorded the answer.
type invitationPrintRow struct{ Name, Answered, Note string }

// pageFooterRe is the "Page x of y" line in the three languages.
var pageFooterRe = regexp.MustCompile(`(Page|Səhifə|Страница) \d+`)

// invitationsPerA4 is how many guests of the demo, at the least, a page
// of the printed invitation list holds on average. When the answered cell
// carried the full date and zone ("26 November 2026, 12:31 (Baku time)
// · recorded by staff: …") a page held ten.
const invitationsPerA4 = 22

// The demo edition's invitation list printed by Chromium on A4 portrait:
// compact (at least invitationsPerA4 guests a page on average), every
// guest's name and short answered date ("26 Nov, 12:34") on paper, staff
// answers marked on a line of their own, no row split across pages, the
// header and "Page x of y" on every page. In Azerbaijani and Russian,
// whose words are longer, the list is as compact.
func TestInvitationListPrintsCompactly(t *testing.T) {
	srv, _ := setup(t)
	seedDemo(t, srv)
	edition, _ := demoPaths(t, srv)
	year, err := strconv.Atoi(strings.TrimPrefix(edition, "/editions/"))
	if err != nil {
		t.Fatal(err)
	}

	// What the list should say, from the database: each answer's date in
	// the commemoration's zone, and how many answers staff recorded.
	var answers []struct {
		RespondedAt *time.Time
		Via         string
		TimeZone    string
	}
	if err := srv.DB.Gorm.Raw(`SELECT i.responded_at, coalesce(i.responded_via, '') AS via, cm.time_zone
		FROM invitations i JOIN editions e ON e.id = i.edition_id JOIN commemorations cm ON cm.id = e.commemoration_id
		WHERE e.year = ?`, year).Scan(&answers).Error; err != nil {
		t.Fatal(err)
	}
	if len(answers) < 100 {
		t.Fatalf("the demo edition has %d invitations; the test needs 100 or more", len(answers))
	}
	var wantDates []string
	staffAnswers := 0
	for _, a := range answers {
		if a.RespondedAt == nil {
			continue
		}
		zone, err := time.LoadLocation(a.TimeZone)
		if err != nil {
			t.Fatal(err)
		}
		wantDates = append(wantDates, a.RespondedAt.In(zone).Format("2 Jan, 15:04"))
		if a.Via == "staff" {
			staffAnswers++
		}
	}
	if len(wantDates) == 0 || staffAnswers == 0 {
		t.Fatalf("the demo has %d answers, %d by staff: the test needs both", len(wantDates), staffAnswers)
	}
	slices.Sort(wantDates)

	for _, loc := range []string{"en", "az", "ru"} {
		t.Run(loc, func(t *testing.T) {
			tab := NewTab(t, srv.URL) // a browser context of its own: signed out
			org := createUser(t, srv, auth.RoleOrganizer, "Leyla Hasanova", loc)
			tab.SignIn(org.Email, org.Password)
			tab.Open(edition + "/invitations/print")

			// On the page: one row a guest, dates short.
			rows := Eval[[]invitationPrintRow](tab, `[...document.querySelectorAll("main table.inv-print tbody tr")].map(tr => {
				const a = tr.lastElementChild, note = a.querySelector(".inv-print__note");
				return {Name: tr.querySelector("th").innerText.trim(), Note: note ? note.innerText.trim() : "",
					Answered: (note ? a.firstChild.textContent : a.innerText).trim()}})`)
			if len(rows) != len(answers) {
				t.Fatalf("the print view lists %d guests, want %d", len(rows), len(answers))
			}
			var dates []string
			notes := 0
			for _, r := range rows {
				if r.Note != "" {
					notes++
				}
				if loc == "en" && r.Answered != "Not answered" {
					dates = append(dates, r.Answered)
				}
			}
			if notes != staffAnswers {
				t.Errorf("%d rows say staff recorded the answer, want %d", notes, staffAnswers)
			}
			if loc == "en" {
				slices.Sort(dates)
				if !slices.Equal(dates, wantDates) {
					t.Errorf("answered dates on the page:\n%q\nwant\n%q", dates, wantDates)
				}
				if got := tab.Text("table.inv-print thead th:last-child .inv-print__note"); !strings.Contains(got, "(Baku time)") {
					t.Errorf("the answered column's header does not name the zone: %q", got)
				}
			}

			if loc == "en" {
				root, err := RepoRoot()
				if err != nil {
					t.Fatal(err)
				}
				tab.Screenshot(filepath.Join(root, "test-artifacts", "screens", "invitation-list-print.png"))
			}
			pdf := Run(tab, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
			pages := len(pdfPageRe.FindAll(pdf, -1))
			file := "invitation-list-" + loc + ".pdf"
			text := checkPDF(t, pdf, file, 0)
			if most := (len(rows) + invitationsPerA4 - 1) / invitationsPerA4; pages > most {
				t.Errorf("%d invitations print on %d pages, want at most %d (%d a page)", len(rows), pages, most, invitationsPerA4)
			}
			for _, m := range mediaBoxRe.FindAllSubmatch(pdf, -1) {
				w, _ := strconv.ParseFloat(string(m[1]), 64)
				h, _ := strconv.ParseFloat(string(m[2]), 64)
				if w < 593 || w > 598 || h < 840 || h > 845 {
					t.Errorf("page of %.1f×%.1f pt, want A4 portrait (595×842)", w, h)
				}
			}
			if text == "" {
				return // no pdftotext outside CI
			}
			checkInvitationPages(t, file, loc, pages, rows)
		})
	}
}

// checkInvitationPages reads the printed list page by page: each page has
// the table's header and "Page x of y" (English), starts with a whole
// row, and the rows, numbered 1…n in order, carry their guest's name and
// answered date.
func checkInvitationPages(t *testing.T, file, loc string, pages int, rows []invitationPrintRow) {
	t.Helper()
	header := map[string][]string{"en": {"Guest", "Delegation"}, "az": {"Qonaq"}, "ru": {"Гость", "Делегация"}}[loc]
	next := 1
	var perPage []int
	for p := 1; p <= pages; p++ {
		pt := pdfPageText(t, file, p)
		if loc == "en" && !strings.Contains(pt, fmt.Sprintf("Page %d of %d", p, pages)) {
			t.Errorf("page %d lacks “Page %d of %d”", p, p, pages)
		}
		lines := strings.Split(pt, "\n")
		head := slices.IndexFunc(lines, func(l string) bool {
			for _, w := range header {
				if !strings.Contains(l, w) {
					return false
				}
			}
			return true
		})
		if head < 0 {
			t.Errorf("page %d does not repeat the table header:\n%s", p, pt)
			continue
		}
		blocks := pdfRows(t, p, lines[head+1:], invitationPrintRowRe, pageFooterRe.MatchString)
		perPage = append(perPage, len(blocks))
		for _, b := range blocks {
			n, _ := strconv.Atoi(invitationPrintRowRe.FindStringSubmatch(b[0])[1])
			if n != next {
				t.Errorf("page %d: row %d where row %d was due", p, n, next)
			}
			next = n + 1
			if n < 1 || n > len(rows) {
				continue
			}
			r, text := rows[n-1], strings.Join(b, "\n")
			// The first line holds the number, the name's start and the
			// date, which never wraps.
			if !containsNameParts(text, r.Name) || !strings.Contains(b[0], r.Answered) {
				t.Errorf("page %d: row %d reads\n%s\nwant %s … %s", p, n, text, r.Name, r.Answered)
			}
			if r.Note != "" && !containsNameParts(text, r.Note) {
				t.Errorf("page %d: row %d lacks %q:\n%s", p, n, r.Note, text)
			}
		}
	}
	if next != len(rows)+1 {
		t.Errorf("the printed list numbers rows up to %d, want %d", next-1, len(rows))
	}
	t.Logf("%s: %d guests on %d pages, rows a page %v", loc, len(rows), pages, perPage)
}

// containsNameParts reports whether every part of name occurs in text: a
// name that wraps in its cell, at a space or after a hyphen ("Al-" /
// "Mansouri"), is still found, and so is a right-to-left name, whose
// brackets pdftotext moves.
func containsNameParts(text, name string) bool {
	for _, w := range strings.FieldsFunc(name, func(r rune) bool {
		return unicode.IsSpace(r) || r == '-' || r == '(' || r == ')'
	}) {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}
