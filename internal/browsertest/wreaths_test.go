package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vigil/internal/auth"
	"vigil/internal/delegation"
	"vigil/internal/testserver"
)

// wreathWant is a delegation laying a wreath, as the database has it.
type wreathWant struct {
	Name string
	Kind string
}

// expectedWreathOrder is the wreath-laying order of the demo edition
// worked out here from the delegations themselves with
// delegation.SortByPrecedence — not from the stored precedence position
// the page sorts by, so a stale position shows.
func expectedWreathOrder(t *testing.T, srv *testserver.Server, year int) []wreathWant {
	t.Helper()
	var rows []struct {
		ID                     int64
		Kind                   string
		CredentialsPresentedOn *time.Time
		Rank                   *int
		Name                   string
	}
	err := srv.DB.Gorm.Raw(`SELECT d.id, d.kind, d.credentials_presented_on, d.rank, d.name
		FROM participations p JOIN delegations d ON d.id = p.delegation_id JOIN editions e ON e.id = p.edition_id
		WHERE e.year = ? AND p.wreath AND p.status NOT IN ('declined', 'withdrawn')`, year).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]delegation.PrecedenceKey, len(rows))
	kinds := map[int64]wreathWant{}
	for i, r := range rows {
		keys[i] = delegation.PrecedenceKey{ID: r.ID, Kind: r.Kind, Credentials: r.CredentialsPresentedOn, Rank: r.Rank, Name: r.Name}
		kinds[r.ID] = wreathWant{Name: r.Name, Kind: r.Kind}
	}
	delegation.SortByPrecedence(keys)
	out := make([]wreathWant, len(keys))
	for i, k := range keys {
		out[i] = kinds[k.ID]
	}
	return out
}

// wreathRow is a row of the wreath-laying order as the page shows it.
type wreathRow struct {
	Position, Name, Ribbon, LaidBy string
}

// azLetters are the letters only Azerbaijani spellings use, among the
// demo's names.
var azLetters = regexp.MustCompile(`[ƏəĞğıİŞşÇçÖöÜü]`)

var (
	mediaBoxRe = regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]`)
	// rowStartRe is the first line of a printed row: its position, then a
	// wide gap (pdftotext -layout) before the delegation.
	rowStartRe = regexp.MustCompile(`^\s*(\d{1,3})\s{2,}\S`)
)

// The demo edition's wreaths on screen and on A4: numbered in the order of
// precedence, the state's delegation first; the printed table repeats its
// header on every page and never splits a row.
func TestWreathOrderPrintsInPrecedenceOrder(t *testing.T) {
	srv, tab := setup(t)
	seedDemo(t, srv)
	staff := createUser(t, srv, auth.RoleStaff, "Elvin Quliyev", "en")
	tab.SignIn(staff.Email, staff.Password)
	edition, _ := demoPaths(t, srv)
	year, err := strconv.Atoi(strings.TrimPrefix(edition, "/editions/"))
	if err != nil {
		t.Fatal(err)
	}
	want := expectedWreathOrder(t, srv, year)
	if len(want) < 10 {
		t.Fatalf("the demo edition has %d wreaths; the test needs a longer list", len(want))
	}
	if want[0].Kind != delegation.KindHeadOfState {
		t.Fatalf("the first wreath by precedence is %+v, want the head of state's delegation", want[0])
	}

	// On screen, from the edition's delegations.
	tab.Open(edition + "/delegations")
	tab.ClickAndWait(`.page-actions a[href="` + edition + `/wreaths"]`)
	if h := tab.Text("h1"); h != fmt.Sprintf("Wreath-laying order %d", year) {
		t.Errorf("heading %q", h)
	}
	if got := tab.Text("p.count"); !strings.HasPrefix(got, fmt.Sprintf("%d wreaths", len(want))) {
		t.Errorf("count %q, want %d wreaths", got, len(want))
	}
	rows := Eval[[]wreathRow](tab, `[...document.querySelectorAll("main tbody tr")].map(tr => ({
		Position: tr.cells[0].innerText.trim(), Name: tr.querySelector("th a").innerText.trim(),
		Ribbon: tr.cells[2].innerText.trim(), LaidBy: tr.cells[3].innerText.trim()}))`)
	if len(rows) != len(want) {
		t.Fatalf("the page lists %d wreaths, want %d", len(rows), len(want))
	}
	for i, r := range rows {
		if r.Position != strconv.Itoa(i+1) || r.Name != want[i].Name {
			t.Errorf("row %d: %s %s, want %d %s", i+1, r.Position, r.Name, i+1, want[i].Name)
		}
	}
	if got := tab.Text("main tbody tr:first-child th .muted"); !strings.HasPrefix(got, "Head of state") {
		t.Errorf("first row's kind %q", got)
	}
	// An Azerbaijani name to look for on paper.
	azName := ""
	for _, r := range rows {
		for _, s := range []string{r.LaidBy, r.Name} {
			if azName == "" && azLetters.MatchString(s) && !strings.Contains(s, "\n") {
				azName = s
			}
		}
	}
	if azName == "" {
		t.Fatalf("no Azerbaijani name among the wreaths: %+v", rows)
	}

	// The print view, printed to PDF.
	tab.ClickAndWait(`.page-actions a[href="` + edition + `/wreaths/print"]`)
	pdf := Run(tab, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	pages := len(pdfPageRe.FindAll(pdf, -1))
	// Even rows of three lines fit eight to a page of A4 with its header:
	// more pages than that mean rows ballooned or break oddly.
	if pages < 1 || pages > (len(want)+7)/8 {
		t.Errorf("the wreath order prints on %d pages for %d rows", pages, len(want))
	}
	for _, m := range mediaBoxRe.FindAllSubmatch(pdf, -1) {
		w, _ := strconv.ParseFloat(string(m[1]), 64)
		h, _ := strconv.ParseFloat(string(m[2]), 64)
		if w < 593 || w > 598 || h < 840 || h > 845 {
			t.Errorf("page of %.1f×%.1f pt, want A4 (595×842)", w, h)
		}
	}
	text := checkPDF(t, pdf, "wreath-order.pdf", pages)
	if text == "" {
		return // no pdftotext outside CI: the layout is not readable
	}
	if !strings.Contains(text, fmt.Sprintf("Wreath-laying order %d", year)) {
		t.Error("the printed order lacks its title")
	}
	if !containsWords(text, azName) {
		t.Errorf("the printed order lacks the Azerbaijani name %q", azName)
	}
	// Paper carries no navigation or buttons.
	for _, screen := range []string{"Back to the wreath-laying order", "Dashboard", "Sign out", "Print"} {
		if strings.Contains(text, screen) {
			t.Errorf("the printed order shows %q from the screen", screen)
		}
	}

	// Page by page: "Page x of y", the repeated table header, and rows that
	// start on the page that holds them, numbered 1…n in order.
	next := 1
	for p := 1; p <= pages; p++ {
		pt := pdfPageText(t, "wreath-order.pdf", p)
		if !strings.Contains(pt, fmt.Sprintf("Page %d of %d", p, pages)) {
			t.Errorf("page %d lacks “Page %d of %d”", p, p, pages)
		}
		lines := strings.Split(pt, "\n")
		head := -1
		for i, l := range lines {
			if strings.Contains(l, "No.") && strings.Contains(l, "Delegation") && strings.Contains(l, "Ribbon text") && strings.Contains(l, "Laid by") {
				head = i
				break
			}
		}
		if head < 0 {
			t.Errorf("page %d does not repeat the table header:\n%s", p, pt)
			continue
		}
		// A row is its first line (position, delegation …) and the lines
		// its wrapped cells continue on, up to the next row.
		blocks := pdfRows(t, p, lines[head+1:], rowStartRe, func(l string) bool { return strings.Contains(l, "Page ") })
		if len(blocks) == 0 {
			t.Errorf("page %d has no rows", p)
		}
		for _, b := range blocks {
			pos := rowStartRe.FindStringSubmatch(b[0])[1]
			if pos != strconv.Itoa(next) {
				t.Errorf("page %d: row %s where row %d was due", p, pos, next)
			}
			if next <= len(want) && !containsWords(strings.Join(b, "\n"), want[next-1].Name) {
				t.Errorf("page %d: row %d reads\n%s\nwant %s", p, next, strings.Join(b, "\n"), want[next-1].Name)
			}
			n, _ := strconv.Atoi(pos)
			next = n + 1
		}
	}
	if next != len(want)+1 {
		t.Errorf("the printed order numbers rows up to %d, want %d", next-1, len(want))
	}
}

// containsWords reports whether every word of s occurs in text: a name
// that wraps inside a table cell is still found.
func containsWords(text, s string) bool {
	for _, w := range strings.Fields(s) {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// pdfPageText is the text of page p of the PDF checkPDF saved as name.
func pdfPageText(t *testing.T, name string, p int) string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "test-artifacts", "pdf", name)
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-f", strconv.Itoa(p), "-l", strconv.Itoa(p), path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext page %d of %s: %v", p, name, err)
	}
	return string(out)
}

// directoryPage is a page of the guest directory, named for reports and
// screenshot files.
type directoryPage struct{ Name, Path string }

// directoryPages are the guest directory's pages with the demo data, for
// the accessibility check and the screenshots.
func directoryPages(t *testing.T, srv *testserver.Server) []directoryPage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var ids struct{ Guest, Delegation int64 }
	err := srv.DB.Gorm.WithContext(ctx).Raw(`SELECT
		(SELECT id FROM guests WHERE delegation_id IS NOT NULL ORDER BY id LIMIT 1) AS guest,
		(SELECT id FROM delegations ORDER BY precedence, id LIMIT 1) AS delegation`).Scan(&ids).Error
	if err != nil || ids.Guest == 0 || ids.Delegation == 0 {
		t.Fatalf("demo guest and delegation: %+v, %v", ids, err)
	}
	edition, _ := demoPaths(t, srv)
	return []directoryPage{
		{"guests", "/guests"},
		{"guest", fmt.Sprintf("/guests/%d", ids.Guest)},
		{"delegations", "/delegations"},
		{"delegation", fmt.Sprintf("/delegations/%d", ids.Delegation)},
		{"duplicates", "/guests/duplicates"},
		{"import", "/guests/import"},
		{"edition-delegations", edition + "/delegations"},
		{"wreaths", edition + "/wreaths"},
	}
}
