package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"vigil/internal/auth"
	"vigil/internal/delegation"
	"vigil/internal/testserver"
)

// importSheet is the protocol office's spreadsheet the import test uploads:
// its family-name header ("Surname (official)") is one the import does not
// recognise, so the organizer has to map it; rows 4 and 5 have errors; row
// 9 updates a guest already in the directory (same e-mail).
var importSheet = [][]string{
	{"Title", "First name", "Surname (official)", "Delegation", "E-mail", "Language", "Job title"},
	{"Mr.", "Rəşad", "Əliyev", "Cabinet of Ministers", "rashad.aliyev@example.org", "az", "Adviser"},
	{"Ms.", "Günay", "Şükürova", "Cabinet of Ministers", "gunay.s@example.org", "az", ""},
	{"Mr.", "İlqar", "Qəhrəmanov", "Embassy of Türkiye", "ilqar@@example", "en", "Counsellor"},
	{"Dr.", "Çingiz", "Ağayev", "Ministry of Nowhere", "cingiz@example.org", "ru", ""},
	{"", "Aynur", "Həsənli", "Embassy of Türkiye", "aynur.h@example.org", "Azərbaycanca", "Attaché"},
	{"Mr.", "Mehmet", "Öztürk", "Embassy of Türkiye", "mehmet.ozturk@example.org", "en", "First Secretary"},
	{"", "Səbinə", "Məlikova", "Cabinet of Ministers", "", "ru", ""},
	{"Ms.", "Leyla", "Məmmədova", "Cabinet of Ministers", "leyla.m@example.org", "az", "Head of protocol"},
}

// writeImportXLSX writes rows into a new workbook in a temporary folder and
// returns its path.
func writeImportXLSX(t *testing.T, rows [][]string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "Protocol office — guests 2026.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	return path
}

// seedImportDirectory adds the delegations the spreadsheet names and the
// one guest it updates.
func seedImportDirectory(t *testing.T, srv *testserver.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := delegation.NewStore(srv.DB.Gorm)
	gov, err := s.CreateDelegation(ctx, delegation.DelegationInput{Name: "Cabinet of Ministers", Kind: delegation.KindGovernment, Country: "AZ"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateDelegation(ctx, delegation.DelegationInput{Name: "Embassy of Türkiye", Kind: delegation.KindDiplomaticMission, Country: "TR"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateGuest(ctx, delegation.GuestInput{Honorific: "Ms.", GivenName: "Leyla", FamilyName: "Məmmədova", DelegationID: &gov.ID, Email: "leyla.m@example.org", Language: "az"}); err != nil {
		t.Fatal(err)
	}
}

// countGuests counts the guests whose family name is one of names (all
// guests without names).
func countGuests(t *testing.T, srv *testserver.Server, names ...string) int64 {
	t.Helper()
	q := srv.DB.Gorm.Table("guests")
	if len(names) > 0 {
		q = q.Where("family_name IN ?", names)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// selectField chooses field in the mapping select named col ("col2" is the
// file's third column) and checks the choice took.
func selectField(t *testing.T, tab *Tab, col, field string) {
	t.Helper()
	tab.Do(chromedp.SetValue(chromedp.CSS("#f-"+col), field))
	if got := tab.Value("#f-" + col); got != field {
		t.Fatalf("select #f-%s holds %q after choosing %q", col, got, field)
	}
}

var importPath = regexp.MustCompile(`^/guests/import/(\d+)$`)

// The "done when": import an XLSX with errors, fix the mapping, see
// the preview, import — through the real file input, as an organizer.
func TestImportXLSXWithErrorsFixMappingPreviewAndImport(t *testing.T) {
	srv, tab := setup(t)
	seedImportDirectory(t, srv)
	org := createUser(t, srv, auth.RoleOrganizer, "Leyla Hasanova", "en")
	tab.SignIn(org.Email, org.Password)
	file := writeImportXLSX(t, importSheet)

	// From the directory to the upload form.
	tab.Open("/guests")
	tab.ClickAndWait(`.page-actions a[href="/guests/import"]`)
	if h := tab.Text("h1"); h != "Import guests from a spreadsheet" {
		t.Errorf("upload heading %q", h)
	}
	// Without a file: refused, with the message beside the field.
	if status := tab.ClickAndWait(`form[action="/guests/import"] button[type=submit]`); status != http.StatusUnprocessableEntity {
		t.Errorf("upload without a file: status %d, want 422", status)
	}
	if got := tab.Text("#f-file-error"); !strings.Contains(got, "Choose a CSV or Excel file to upload") {
		t.Errorf("no-file error %q", got)
	}
	tab.Do(chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{file}))
	if status := tab.ClickAndWait(`form[action="/guests/import"] button[type=submit]`); status != http.StatusOK {
		t.Fatalf("upload: status %d", status)
	}

	// The mapping page: every column but the family name's is recognised.
	m := importPath.FindStringSubmatch(tab.Path())
	if m == nil {
		t.Fatalf("after the upload: %s, want /guests/import/<id>", tab.Path())
	}
	base := m[0]
	if got := tab.Text(".lede"); !strings.Contains(got, "Protocol office — guests 2026.xlsx: 8 rows.") {
		t.Errorf("mapping lede %q", got)
	}
	for col, want := range map[string]string{
		"col0": "honorific", "col1": "given_name", "col2": "", "col3": "delegation",
		"col4": "email", "col5": "language", "col6": "position",
	} {
		if got := tab.Value("#f-" + col); got != want {
			t.Errorf("column %s mapped to %q, want %q", col, got, want)
		}
	}
	if got := tab.Text("tbody tr:nth-child(3) th"); !strings.Contains(got, "Surname (official)") {
		t.Errorf("third column shown as %q", got)
	}
	if got := tab.Text("tbody tr:nth-child(3) td"); !strings.Contains(got, "Əliyev") || !strings.Contains(got, "Şükürova") {
		t.Errorf("third column's samples %q", got)
	}

	// Submitted as proposed: no family name. The message sits on the
	// mapping table, and the summary at the top links to it.
	if status := tab.ClickAndWait(`form[action="` + base + `/mapping"] button[type=submit]`); status != http.StatusUnprocessableEntity {
		t.Errorf("mapping without a family name: status %d, want 422", status)
	}
	if got := tab.Text("#f-mapping > .field-error"); !strings.Contains(got, "Choose the column that holds the family name") {
		t.Errorf("family-name error %q", got)
	}
	if got := tab.Text(".error-summary"); !strings.Contains(got, "Choose the column that holds the family name") {
		t.Errorf("error summary %q", got)
	}

	// Mapped wrongly: the surname column as a second given name. The error
	// is beside that column's select and names the other column.
	selectField(t, tab, "col2", "given_name")
	tab.ClickAndWait(`form[action="` + base + `/mapping"] button[type=submit]`)
	if got := tab.Text("#f-col2-error"); !strings.Contains(got, "This field is already chosen for column B") {
		t.Errorf("error beside column C's select %q", got)
	}
	if got := Eval[string](tab, `document.querySelector("#f-col2").getAttribute("aria-describedby") || ""`); got != "f-col2-error" {
		t.Errorf("column C's select is described by %q", got)
	}
	if tab.Count(".field-error") != 2 || tab.Count("#f-col1-error") != 0 {
		t.Errorf("want the error beside column C and the family-name error only; page has %d errors", tab.Count(".field-error"))
	}
	// The wrong choice is kept for the organizer to correct.
	if got := tab.Value("#f-col2"); got != "given_name" {
		t.Errorf("column C's choice was not kept: %q", got)
	}
	checkA11y(t, tab, "import mapping with errors")

	// Fixed: the preview.
	selectField(t, tab, "col2", "family_name")
	if status := tab.ClickAndWait(`form[action="` + base + `/mapping"] button[type=submit]`); status != http.StatusOK {
		t.Fatalf("mapping: status %d", status)
	}
	if p := tab.Path(); p != base+"/preview" {
		t.Fatalf("after the mapping: %s", p)
	}
	if got := tab.Text("#import-summary"); got != "8 rows: 5 new, 1 to update, 0 unchanged, 2 with errors." {
		t.Errorf("preview summary %q", got)
	}
	if n := tab.Count("tbody tr"); n != 8 {
		t.Errorf("preview lists %d rows, want 8", n)
	}
	// Each message on its own row (rows as the spreadsheet numbers them).
	for _, r := range []struct {
		row, outcome, errText string
	}{
		{"#row-2", "New guest", ""},
		{"#row-3", "New guest", ""},
		{"#row-4", "Not imported", "“ilqar@@example” is not an e-mail address in the form name@example.org"},
		{"#row-5", "Not imported", "There is no delegation “Ministry of Nowhere”; add it first or correct the name"},
		{"#row-6", "New guest", ""},
		{"#row-9", "Updates guest", ""},
	} {
		if got := tab.Text(r.row + " .badge"); got != r.outcome {
			t.Errorf("%s: outcome %q, want %q", r.row, got, r.outcome)
		}
		errs := Eval[[]string](tab, `[...document.querySelectorAll(`+jsString(r.row+" li.text-danger")+`)].map(e => e.innerText.trim())`)
		switch {
		case r.errText == "" && len(errs) != 0:
			t.Errorf("%s has errors %q", r.row, errs)
		case r.errText != "" && (len(errs) != 1 || !strings.HasSuffix(errs[0], r.errText)):
			t.Errorf("%s: errors %q, want [%s]", r.row, errs, r.errText)
		}
		highlighted := Eval[bool](tab, `document.querySelector(`+jsString(r.row)+`).classList.contains("is-highlight")`)
		if highlighted != (r.errText != "") {
			t.Errorf("%s highlighted: %v", r.row, highlighted)
		}
	}
	if got := tab.Text("#row-4"); !strings.Contains(got, "Qəhrəmanov") {
		t.Errorf("row 4 shows %q", got)
	}
	if got := tab.Text("#row-9 td"); !strings.Contains(got, "Changes: Position") {
		t.Errorf("row 9's changes %q", got)
	}
	if got := tab.Text("#row-9 strong"); got != "Head of protocol" {
		t.Errorf("row 9's changed cell %q", got)
	}

	// Commit without skipping: refused, nothing imported.
	commit := `form[action="` + base + `/commit"] button[type=submit]`
	if got := tab.Text(commit); got != "Import (5 new, 1 updated)" {
		t.Errorf("commit button %q", got)
	}
	if status := tab.ClickAndWait(commit); status != http.StatusUnprocessableEntity {
		t.Errorf("commit with errors: status %d, want 422", status)
	}
	if got := tab.Text("#f-skip_errors-error"); !strings.Contains(got, "2 rows have errors.") || !strings.Contains(got, "Nothing was imported.") {
		t.Errorf("refused commit's message %q", got)
	}
	checkA11y(t, tab, "import preview with errors")
	if n := countGuests(t, srv); n != 1 {
		t.Fatalf("a refused commit left %d guests, want the 1 from before", n)
	}

	// Skip the rows with errors and import.
	if got := tab.Text(`label[for="f-skip_errors"]`); got != "Skip the 2 rows with errors and import the others" {
		t.Errorf("skip label %q", got)
	}
	tab.Do(chromedp.Click(chromedp.CSS("#f-skip_errors")))
	if status := tab.ClickAndWait(commit); status != http.StatusOK {
		t.Fatalf("commit: status %d", status)
	}
	if p := tab.Path(); p != base+"/done" {
		t.Fatalf("after the commit: %s", p)
	}
	if got := tab.Text(".flash"); got != "Import finished: 5 new guests, 1 updated." {
		t.Errorf("flash %q", got)
	}
	got := Eval[[]string](tab, `[...document.querySelectorAll("#import-result .summary-list__row")].map(r => r.innerText.replace(/\s+/g, " ").trim())`)
	want := []string{"New guests 5", "Guests updated 1", "Rows without changes 0", "Rows skipped because of errors 2"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("done page %q, want %q", got, want)
	}
	checkA11y(t, tab, "import done")

	// The database holds exactly that.
	if n := countGuests(t, srv); n != 6 {
		t.Errorf("%d guests after the import, want 6", n)
	}
	if n := countGuests(t, srv, "Qəhrəmanov", "Ağayev"); n != 0 {
		t.Errorf("%d rows with errors were imported", n)
	}
	var leyla struct{ Position, Email string }
	if err := srv.DB.Gorm.Raw("SELECT position, email FROM guests WHERE family_name = 'Məmmədova'").Scan(&leyla).Error; err != nil || leyla.Position != "Head of protocol" {
		t.Errorf("updated guest %+v (%v)", leyla, err)
	}
	var lang string
	if err := srv.DB.Gorm.Raw("SELECT language FROM guests WHERE family_name = 'Həsənli'").Scan(&lang).Error; err != nil || lang != "az" {
		t.Errorf("Aynur Həsənli's language %q (%v), want az", lang, err)
	}

	// The directory finds an imported name typed without Azerbaijani
	// letters.
	tab.ClickAndWait(`a.button[href="/guests"]`)
	tab.Type("#q-text", "aliyev")
	waitResults(t, tab, "Mr. Rəşad Əliyev")
	tab.ClickAndWait("#guest-results tbody th a")
	if got := tab.Text(".summary-list"); !strings.Contains(got, "rashad.aliyev@example.org") || !strings.Contains(got, "Adviser") {
		t.Errorf("imported guest's details %q", got)
	}
	if got := tab.Text(`.page-head a[href^="/delegations/"]`); got != "Cabinet of Ministers" {
		t.Errorf("imported guest's delegation %q", got)
	}

	// The import cannot run twice: its pages now show the result.
	tab.Open(base + "/preview")
	if h := tab.Text("h1"); h != "Import finished" {
		t.Errorf("preview of a finished import shows %q", h)
	}
}

// The guest directory on a phone (375 px): the page does not scroll
// sideways (wide tables scroll inside their own box) and the search field
// is in view.
func TestGuestsAtPhoneWidth(t *testing.T) {
	const width = 375
	srv, tab := setup(t)
	seedDemo(t, srv)
	staff := createUser(t, srv, auth.RoleStaff, "Elvin Quliyev", "az")
	tab.SignIn(staff.Email, staff.Password)
	tab.SetViewport(width, 800, true)
	// wider reports how the page exceeds the phone's width, or "". A phone
	// widens its layout viewport (innerWidth) to fit content that
	// overflows, so innerWidth must stay the phone's width too.
	wider := func() string {
		t.Helper()
		w := Eval[struct{ Scroll, Body, Inner float64 }](tab, `({Scroll: document.documentElement.scrollWidth, Body: document.body.scrollWidth, Inner: window.innerWidth})`)
		if w.Scroll <= w.Inner && w.Body <= w.Inner && w.Inner == width {
			return ""
		}
		widest := Eval[string](tab, `(() => {
			let best = null;
			for (const el of document.querySelectorAll("body *")) {
				const r = el.getBoundingClientRect();
				if (r.right > `+strconv.Itoa(width)+` + 0.5 && !el.closest(".table-wrap") && (!best || r.right > best.right)) best = {el, right: r.right};
			}
			return best ? best.el.tagName.toLowerCase() + (best.el.className ? "." + best.el.className : "") + " ends at " + best.right + " px" : "none";
		})()`)
		return fmt.Sprintf("page %v px, body %v px, layout viewport %v px; widest element outside a table box: %s", w.Scroll, w.Body, w.Inner, widest)
	}
	for _, path := range []string{"/guests", "/guests?q=m%C9%99mm%C9%99d"} {
		tab.Open(path)
		tab.Do(chromedp.WaitVisible(chromedp.CSS("#guest-results")))
		if msg := wider(); msg != "" {
			t.Errorf("%s scrolls sideways on a %d px phone: %s", path, width, msg)
		}
		if !tab.Visible("#q-text") {
			t.Errorf("%s: the search field is not visible", path)
		}
		box := tab.Box("#q-text")
		if box.X < 0 || box.X+box.Width > width || box.Height < 44 {
			t.Errorf("%s: search field at %+v: it must fit the width and be at least 44 px tall", path, box)
		}
	}
	// The search works at that width too, and its results keep the width.
	tab.Open("/guests")
	tab.Type("#q-text", "mammadova")
	waitUntil(t, tab, `document.querySelectorAll("#guest-results tbody tr").length > 0 && location.search.startsWith("?q=mammadova")`)
	if msg := wider(); msg != "" {
		t.Errorf("search results scroll the page sideways: %s", msg)
	}
}

// waitUntil polls the JavaScript condition cond until it holds, for at most
// five seconds.
func waitUntil(t *testing.T, tab *Tab, cond string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if Eval[bool](tab, cond) {
			return
		}
	}
	t.Fatalf("never true: %s (on %s)", cond, tab.Path())
}

// TestDirectoryScreenshotsForReview saves screenshots of the guest
// directory, the import steps and the wreath-laying order in English and
// Azerbaijani, at desktop and phone widths, into
// test-artifacts/screens/directory/ for people to look at. It runs only
// when VIGIL_SCREENSHOTS is set.
func TestDirectoryScreenshotsForReview(t *testing.T) {
	if os.Getenv("VIGIL_SCREENSHOTS") == "" {
		t.Skip("set VIGIL_SCREENSHOTS=1 to save screenshots into test-artifacts/screens/directory/")
	}
	srv, tab := setup(t)
	seedDemo(t, srv)
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "test-artifacts", "screens", "directory")
	edition, _ := demoPaths(t, srv)
	pages := append(directoryPages(t, srv), directoryPage{"wreaths-print", edition + "/wreaths/print"})
	// The import test's sheet, naming delegations of the demo.
	rows := make([][]string, len(importSheet))
	for i, r := range importSheet {
		rows[i] = slices.Clone(r)
		switch r[3] {
		case "Cabinet of Ministers":
			rows[i][3] = "Ministry of Foreign Affairs"
		case "Embassy of Türkiye":
			rows[i][3] = "Embassy of Kazakhstan"
		}
	}
	file := writeImportXLSX(t, rows)

	for _, lang := range []string{"en", "az"} {
		org := createUser(t, srv, auth.RoleOrganizer, "Leyla Hasanova", lang)
		tab.SetViewport(DesktopWidth, DesktopHeight, false)
		tab.SignIn(org.Email, org.Password)
		for _, vp := range []struct {
			name   string
			w, h   int64
			mobile bool
		}{
			{"desktop", DesktopWidth, DesktopHeight, false},
			{"phone", PhoneWidth, PhoneHeight, true},
		} {
			shot := func(name string) {
				t.Helper()
				tab.Do(chromedp.Sleep(100 * time.Millisecond)) // let fonts settle
				tab.Screenshot(filepath.Join(dir, lang+"-"+name+"-"+vp.name+".png"))
			}
			tab.SetViewport(vp.w, vp.h, vp.mobile)
			for _, p := range pages {
				tab.Open(p.Path)
				shot(p.Name)
			}
			if vp.name == "desktop" {
				// The paper copy, in the organizer's language.
				tab.Open(edition + "/wreaths/print")
				pdf := Run(tab, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
				if err := os.WriteFile(filepath.Join(dir, lang+"-wreaths-print.pdf"), pdf, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			tab.Open("/guests?q=m%C9%99mm%C9%99d")
			shot("guests-search")

			// The import, step by step, with its errors shown.
			tab.Open("/guests/import")
			tab.ClickAndWait(`form[action="/guests/import"] button[type=submit]`)
			shot("import-no-file")
			tab.Do(chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{file}))
			tab.ClickAndWait(`form[action="/guests/import"] button[type=submit]`)
			shot("import-mapping")
			selectField(t, tab, "col2", "given_name")
			tab.ClickAndWait(`form[action$="/mapping"] button[type=submit]`)
			shot("import-mapping-errors")
			selectField(t, tab, "col2", "family_name")
			tab.ClickAndWait(`form[action$="/mapping"] button[type=submit]`)
			shot("import-preview")
			if tab.Count(`form[action$="/commit"] button[type=submit]`) == 0 {
				// Imported in an earlier round: nothing left to change.
				continue
			}
			tab.ClickAndWait(`form[action$="/commit"] button[type=submit]`)
			shot("import-commit-refused")
			tab.Do(chromedp.Click(chromedp.CSS("#f-skip_errors")))
			tab.ClickAndWait(`form[action$="/commit"] button[type=submit]`)
			shot("import-done")
		}
		tab.SetViewport(DesktopWidth, DesktopHeight, false)
		tab.ClickAndWait(logoutButton)
	}
	t.Logf("screenshots in %s", dir)
}
