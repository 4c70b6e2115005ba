package delegation_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"vigil/internal/auth"
	"vigil/internal/testserver"
)

// expHeader is the header every export starts with.
var expHeader = []string{"Honorific", "Given name", "Family name", "Name as printed", "Position", "Organisation",
	"Delegation", "E-mail", "Phone", "Language", "Accessibility needs", "Dietary needs", "VIP", "Restricted notes"}

// expGuests adds guests whose values a spreadsheet would take for
// formulas, numbers or dates, next to ordinary ones.
func expGuests(t *testing.T, srv *testserver.Server) impDir {
	t.Helper()
	d := impDirectory(t, srv)
	impExec(t, srv, `INSERT INTO guests (honorific, given_name, family_name, printed_name, position, organisation, delegation_id,
		email, phone, language, accessibility_needs, dietary_needs, vip, restricted_notes, name_key) VALUES
		('H.E.', 'Test', '=cmd', 'H.E. =cmd', '@mention', '+Plus Ltd', ?, 'cmd@example.org', '+994 50 123 45 67', 'az',
		 '-step-free access', 'Halal; no nuts', true, '=HYPERLINK("http://example.org","x")', 'test =cmd'),
		('', 'Leading', '''apostrophe', '', '', '', NULL, '', '007', 'en', '', '', false, 'Line one
line two, "quoted"', 'leading ''apostrophe')`, d.france)
	return d
}

// expCSVCells parses a CSV export (after its BOM).
func expCSVCells(t *testing.T, body string) [][]string {
	t.Helper()
	if !strings.HasPrefix(body, "\uFEFF") {
		t.Fatal("the CSV export has no BOM")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatalf("parse CSV export: %v", err)
	}
	return rows
}

func expXLSXCells(t *testing.T, data []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open XLSX export: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// expCheckNeutral fails on any data cell a spreadsheet would run.
func expCheckNeutral(t *testing.T, what string, rows [][]string) {
	t.Helper()
	for i, r := range rows {
		for _, c := range r {
			if c != "" && strings.ContainsAny(c[:1], "=+-@\t\r") {
				t.Errorf("%s row %d has a cell starting like a formula: %q", what, i+1, c)
			}
		}
	}
}

// expReimport uploads an export, maps its columns as proposed and checks
// that committing it changes nothing.
func expReimport(t *testing.T, srv *testserver.Server, org *testserver.Client, name string, data []byte, guests int) {
	t.Helper()
	u := impUploadOK(t, srv, org, name, data)
	_, body := org.Get(u)
	form := url.Values{}
	for i := range expHeader {
		col := "col" + strconv.Itoa(i)
		if got := impSelected(t, body, col); got == "" {
			t.Errorf("%s: column %q is not recognised", name, expHeader[i])
		} else {
			form.Set(col, got)
		}
	}
	resp, body := org.Post(u+"/mapping", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s: mapping: %d\n%s", name, resp.StatusCode, body)
	}
	_, body = org.Get(u + "/preview")
	want(t, name+" preview", body, "0 new, 0 to update, ")
	lacks(t, name+" preview", body, "Possible duplicate", "Updates guest")
	before := sqlText(t, srv, `SELECT string_agg(id || ':' || version, ',' ORDER BY id) FROM guests`)
	resp, _ = org.Post(u+"/commit", nil)
	status(t, name+" commit", resp, http.StatusSeeOther)
	if r := sqlText(t, srv, `SELECT result::text FROM guest_imports WHERE id = ?`, strings.TrimPrefix(u, "/guests/import/")); r != `{"created": 0, "skipped": 0, "updated": 0, "unchanged": `+strconv.Itoa(guests)+`}` {
		t.Errorf("%s: re-import result %s", name, r)
	}
	if after := sqlText(t, srv, `SELECT string_agg(id || ':' || version, ',' ORDER BY id) FROM guests`); after != before {
		t.Errorf("%s: re-import changed guests: %s → %s", name, before, after)
	}
}

func TestExportCSVRoundTrip(t *testing.T) {
	srv := testserver.Start(t)
	org := signIn(t, srv, "organizer@example.org", auth.RoleOrganizer)
	expGuests(t, srv)

	resp, body := org.Get("/guests/export.csv")
	status(t, "CSV export", resp, http.StatusOK)
	today := time.Now().Format("2006-01-02")
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="guests-`+today+`.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	rows := expCSVCells(t, body)
	if len(rows) != 7 || strings.Join(rows[0], "|") != strings.Join(expHeader, "|") {
		t.Fatalf("CSV export: %d rows, header %q", len(rows), rows[0])
	}
	expCheckNeutral(t, "CSV export", rows)
	want(t, "CSV export", body, `'=cmd`, `'+994 50 123 45 67`, `'@mention`, `'+Plus Ltd`, `'-step-free access`,
		`"'=HYPERLINK(""http://example.org"",""x"")"`, `'apostrophe`, "Halal; no nuts", "Line one\nline two", "Embassy of France", ",yes,")
	// In order of precedence, which puts guests without a delegation last.
	if rows[6][2] != "'apostrophe" {
		t.Errorf("the guest without a delegation is not last: %q", rows[6])
	}

	expReimport(t, srv, org, "guests.csv", []byte(body), 6)
	if n := sqlText(t, srv, `SELECT family_name FROM guests WHERE email = 'cmd@example.org'`); n != "=cmd" {
		t.Errorf("the round trip stored %q", n)
	}
	if n := sqlText(t, srv, `SELECT phone FROM guests WHERE email = 'cmd@example.org'`); n != "+994 50 123 45 67" {
		t.Errorf("the round trip stored phone %q", n)
	}

	// An edit in the spreadsheet comes back as exactly that change.
	edited := strings.Replace(body, "+994 50 123 45 67", "+994 50 765 43 21", 1)
	u := impUploadOK(t, srv, org, "edited.csv", []byte(edited))
	form := url.Values{}
	for i, f := range []string{"honorific", "given_name", "family_name", "printed_name", "position", "organisation",
		"delegation", "email", "phone", "language", "accessibility_needs", "dietary_needs", "vip", "restricted_notes"} {
		form.Set("col"+strconv.Itoa(i), f)
	}
	resp, _ = org.Post(u+"/mapping", form)
	status(t, "edited mapping", resp, http.StatusSeeOther)
	_, body = org.Get(u + "/preview")
	want(t, "edited preview", body, "6 rows: 0 new, 1 to update, 5 unchanged, 0 with errors.", "Changes: Phone<")
}

func TestExportXLSXRoundTrip(t *testing.T) {
	srv := testserver.Start(t)
	org := signIn(t, srv, "organizer@example.org", auth.RoleOrganizer)
	expGuests(t, srv)

	resp, body := org.Get("/guests/export.xlsx")
	status(t, "XLSX export", resp, http.StatusOK)
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="guests-`+time.Now().Format("2006-01-02")+`.xlsx"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	rows := expXLSXCells(t, []byte(body))
	if len(rows) != 7 || strings.Join(rows[0], "|") != strings.Join(expHeader, "|") {
		t.Fatalf("XLSX export: %d rows, header %q", len(rows), rows[0])
	}
	expCheckNeutral(t, "XLSX export", rows)
	flat := ""
	for _, r := range rows {
		flat += strings.Join(r, "|") + "\n"
	}
	want(t, "XLSX export", flat, "'=cmd", "'+994 50 123 45 67", "|007|", "Line one\nline two")

	expReimport(t, srv, org, "guests.xlsx", []byte(body), 6)
	if n := sqlText(t, srv, `SELECT family_name FROM guests WHERE email = 'cmd@example.org'`); n != "=cmd" {
		t.Errorf("the round trip stored %q", n)
	}
}

func TestExportFollowsDirectoryFilters(t *testing.T) {
	srv := testserver.Start(t)
	org := signIn(t, srv, "organizer@example.org", auth.RoleOrganizer)
	d := expGuests(t, srv)
	count := func(query string) int {
		t.Helper()
		resp, body := org.Get("/guests/export.csv" + query)
		status(t, "export "+query, resp, http.StatusOK)
		return len(expCSVCells(t, body)) - 1
	}
	for query, want := range map[string]int{
		"":                 6,
		"?vip=on":          1,
		"?language=ru":     2,
		"?kind=parliament": 2,
		"?delegation=" + strconv.FormatInt(d.france, 10): 3,
		"?q=aliyev":              1,
		"?q=morozov&language=ru": 1,
		"?q=nobody":              0,
	} {
		if got := count(query); got != want {
			t.Errorf("export%s: %d guests, want %d", query, got, want)
		}
	}
	resp, body := org.Get("/guests/export.csv?template=1")
	status(t, "template", resp, http.StatusOK)
	if rows := expCSVCells(t, body); len(rows) != 1 {
		t.Errorf("the template has %d rows", len(rows))
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="guests-template.csv"` {
		t.Errorf("template Content-Disposition %q", cd)
	}
	resp, body = org.Get("/guests/export.xlsx?template=1")
	status(t, "XLSX template", resp, http.StatusOK)
	if rows := expXLSXCells(t, []byte(body)); len(rows) != 1 || rows[0][2] != "Family name" {
		t.Errorf("the XLSX template: %q", rows)
	}
}
