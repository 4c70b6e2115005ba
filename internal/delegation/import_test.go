package delegation_test

import (
	"bytes"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"vigil/internal/auth"
	"vigil/internal/delegation"
	"vigil/internal/testserver"
)

func impExec(t *testing.T, srv *testserver.Server, query string, args ...any) {
	t.Helper()
	if err := srv.DB.Gorm.Exec(query, args...).Error; err != nil {
		t.Fatalf("%q: %v", query, err)
	}
}

// impDir is the directory the tests import against.
type impDir struct {
	france, azerbaijan int64
	aliyev, mammadova  int64 // Milli Məclis
	morozov, lebedeva  int64 // Embassy of France
}

// impDirectory adds the delegations and guests the tests import against,
// with the search columns the application writes (Fold).
func impDirectory(t *testing.T, srv *testserver.Server) impDir {
	t.Helper()
	var d impDir
	d.france = sqlInt(t, srv, `INSERT INTO delegations (name, kind, country) VALUES ('Embassy of France', 'diplomatic_mission', 'FR') RETURNING id`)
	d.azerbaijan = sqlInt(t, srv, `INSERT INTO delegations (name, kind, country) VALUES ('Milli Məclis', 'parliament', 'AZ') RETURNING id`)
	guest := func(given, family, email, phone, lang string, delegationID int64) int64 {
		return sqlInt(t, srv, `INSERT INTO guests (given_name, family_name, email, phone, language, delegation_id, name_key, search_text)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, given, family, email, phone, lang, delegationID,
			delegation.Fold(given+" "+family), delegation.SearchText(given+" "+family, email))
	}
	d.aliyev = guest("Rəşad", "Əliyev", "rashad@example.org", "+994 12 000 00 00", "az", d.azerbaijan)
	d.mammadova = guest("Günay", "Məmmədova", "gunay@example.org", "", "az", d.azerbaijan)
	d.morozov = guest("Сергей", "Морозов", "morozov@example.org", "+7 495 000 00 00", "ru", d.france)
	d.lebedeva = guest("Ольга", "Лебедева", "olga@example.org", "", "ru", d.france)
	return d
}

// impUpload posts a file to the import form as a browser does.
func impUpload(t *testing.T, srv *testserver.Server, c *testserver.Client, name string, data []byte) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("_csrf", c.CSRF()); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/guests/import", &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatalf("upload %s: %v", name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

var impLocation = regexp.MustCompile(`^/guests/import/(\d+)$`)

// impUploadOK uploads a file that must be accepted and returns its import's
// address.
func impUploadOK(t *testing.T, srv *testserver.Server, c *testserver.Client, name string, data []byte) string {
	t.Helper()
	resp, body := impUpload(t, srv, c, name, data)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload %s: status %d\n%s", name, resp.StatusCode, body)
	}
	loc := resp.Header.Get("Location")
	if !impLocation.MatchString(loc) {
		t.Fatalf("upload %s sent to %q", name, loc)
	}
	return loc
}

// impRow is the preview table's row for file row line.
func impRow(t *testing.T, body string, line int) string {
	t.Helper()
	start := strings.Index(body, `<tr id="row-`+strconv.Itoa(line)+`"`)
	if start < 0 {
		t.Fatalf("preview has no row %d", line)
	}
	end := strings.Index(body[start:], "</tr>")
	return html.UnescapeString(body[start : start+end])
}

// impSelected returns the value chosen in the select named name.
func impSelected(t *testing.T, body, name string) string {
	t.Helper()
	re := regexp.MustCompile(`(?s)<select[^>]*name="` + name + `".*?</select>`)
	sel := re.FindString(body)
	if sel == "" {
		t.Fatalf("no select %s", name)
	}
	m := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(sel)
	if m == nil {
		t.Fatalf("select %s has nothing selected", name)
	}
	return m[1]
}

func impCP1251(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1251.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode Windows-1251: %v", err)
	}
	return b
}

// The protocol office's CSV: semicolons, Windows-1251, Russian headers,
// with a mistake of each kind.
const impOfficeCSV = "Фамилия;Имя;Эл. почта;Делегация;Телефон;VIP;Язык\r\n" +
	"Иванов;Пётр;Ivanov@Example.org;Embassy of France;+994 50 555 01 01;да;ru\r\n" + // 2: new
	";Анна;anna@example.org;Embassy of France;;;\r\n" + // 3: no family name
	"Петров;Олег;not-an-email;Embassy of France;;нет;en\r\n" + // 4: bad e-mail
	"Сидоров;Иван;sidorov@example.org;Атлантида;;;\r\n" + // 5: unknown delegation
	"Кузнецов;Илья;kuznetsov@example.org;Embassy of France;;может быть;\r\n" + // 6: bad VIP
	"Смирнов;Олег;ivanov@example.org;Embassy of France;;;\r\n" + // 7: e-mail of row 2
	"Орлов;Павел;orlov@example.org;Embassy of France;;;fr\r\n" + // 8: unknown language
	"Морозов;Сергей;MOROZOV@example.org;Embassy of France;+7 495 555 01 01;нет;ru\r\n" + // 9: updates the guest
	"Лебедева;Ольга;o.lebedeva@example.org;EMBASSY OF FRANCE;;;\r\n" + // 10: same name, other e-mail
	"\r\n" + // 11: blank
	"Иванов;Пётр;;Embassy of France;;;\r\n" // 12: same person as row 2

func TestImportCSVFlow(t *testing.T) {
	srv := testserver.Start(t)
	org := signIn(t, srv, "organizer@example.org", auth.RoleOrganizer)
	d := impDirectory(t, srv)

	_, body := org.Get("/guests/import")
	want(t, "upload form", body, `enctype="multipart/form-data"`, `name="file"`, `accept=".csv,.xlsx`,
		"Windows-1251", "at most 10 MB and 20000 rows", `href="/guests/export.xlsx?template=1"`)

	importURL := impUploadOK(t, srv, org, "protocol.csv", impCP1251(t, impOfficeCSV))
	if n := sqlInt(t, srv, `SELECT count(*) FROM guest_imports WHERE status = 'uploaded' AND length(content) > 0`); n != 1 {
		t.Fatalf("%d uploads stored, want 1", n)
	}

	// Mapping: the Russian headers map themselves, with sample values.
	_, body = org.Get(importURL)
	want(t, "mapping", body, "protocol.csv", "Фамилия", "Иванов", "Эл. почта", "Ivanov@Example.org")
	for col, want := range map[string]string{"col0": "family_name", "col1": "given_name", "col2": "email",
		"col3": "delegation", "col4": "phone", "col5": "vip", "col6": "language"} {
		if got := impSelected(t, body, col); got != want {
			t.Errorf("%s auto-mapped to %q, want %q", col, got, want)
		}
	}

	// A field twice and no family name: messages beside the selects,
	// nothing saved.
	resp, body := org.Post(importURL+"/mapping", url.Values{"col0": {"given_name"}, "col1": {"given_name"}, "col2": {"email"}})
	status(t, "bad mapping", resp, http.StatusUnprocessableEntity)
	want(t, "bad mapping", body, "This field is already chosen for column A", `id="f-col1-error"`,
		"Choose the column that holds the family name", `href="#f-mapping"`)
	if n := sqlInt(t, srv, `SELECT count(*) FROM import_mappings`); n != 0 {
		t.Fatal("a refused mapping was remembered")
	}
	// The phone column is ignored on purpose: the next impUpload of this
	// layout must remember that.
	mapping := url.Values{"col0": {"family_name"}, "col1": {"given_name"}, "col2": {"email"}, "col3": {"delegation"},
		"col4": {""}, "col5": {"vip"}, "col6": {"language"}}
	resp, _ = org.Post(importURL+"/mapping", mapping)
	status(t, "mapping", resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != importURL+"/preview" {
		t.Fatalf("mapping sent to %q", loc)
	}
	mapping.Set("col4", "phone")
	resp, _ = org.Post(importURL+"/mapping", mapping)
	status(t, "mapping with phone", resp, http.StatusSeeOther)

	// Preview: every error on its row.
	_, body = org.Get(importURL + "/preview")
	want(t, "preview summary", body, "10 rows: 2 new, 1 to update, 0 unchanged, 7 with errors.")
	want(t, "row 2", impRow(t, body, 2), "New guest", "+994 50 555 01 01", "ivanov@example.org")
	want(t, "row 3", impRow(t, body, 3), "The family name is missing")
	want(t, "row 4", impRow(t, body, 4), "“not-an-email” is not an e-mail address")
	want(t, "row 5", impRow(t, body, 5), "There is no delegation “Атлантида”")
	want(t, "row 6", impRow(t, body, 6), "“может быть” is not yes or no")
	want(t, "row 7", impRow(t, body, 7), "The same e-mail address is already in row 2")
	want(t, "row 8", impRow(t, body, 8), "Unknown language “fr”")
	want(t, "row 9", impRow(t, body, 9), "Updates guest", `href="/guests/`+strconv.FormatInt(d.morozov, 10)+`"`, "Changes: Phone</span>")
	want(t, "row 10", impRow(t, body, 10), "New guest", "Possible duplicate of #"+strconv.FormatInt(d.lebedeva, 10))
	want(t, "row 12", impRow(t, body, 12), "The same person (name and delegation) is already in row 2")
	for _, line := range []int{2, 9, 10} {
		lacks(t, "valid row "+strconv.Itoa(line), impRow(t, body, line), "text-danger")
	}
	if strings.Contains(body, `id="row-11"`) {
		t.Error("the blank row 11 is shown")
	}
	_, body = org.Get(importURL + "/preview?show=problems")
	if strings.Contains(body, `id="row-2"`) || !strings.Contains(body, `id="row-10"`) || !strings.Contains(body, `id="row-3"`) {
		t.Error("'only problems' shows the wrong rows")
	}
	_, body = org.Get(importURL + "/preview?show=errors_first")
	if strings.Index(body, `id="row-12"`) > strings.Index(body, `id="row-2"`) {
		t.Error("'errors first' puts a valid row before an error")
	}

	// Commit refused while rows have errors: nothing imported.
	guests := sqlInt(t, srv, `SELECT count(*) FROM guests`)
	resp, body = org.Post(importURL+"/commit", nil)
	status(t, "commit with errors", resp, http.StatusUnprocessableEntity)
	want(t, "commit with errors", body, "7 rows have errors", "Nothing was imported", `id="f-skip_errors-error"`)
	if n := sqlInt(t, srv, `SELECT count(*) FROM guests`); n != guests {
		t.Fatalf("a refused commit imported %d guests", n-guests)
	}

	// Skipping the errors imports the rest in one go.
	resp, _ = org.Post(importURL+"/commit", url.Values{"skip_errors": {"on"}})
	status(t, "commit", resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != importURL+"/done" {
		t.Fatalf("commit sent to %q", loc)
	}
	_, body = org.Get(importURL + "/done")
	want(t, "done", body, "Import finished: 2 new guests, 1 updated.", `<dd class="summary-list__value">2</dd>`,
		`<dd class="summary-list__value">7</dd>`, `href="/guests"`)
	if n := sqlInt(t, srv, `SELECT count(*) FROM guests`); n != guests+2 {
		t.Fatalf("commit added %d guests, want 2", n-guests)
	}
	var ivanov struct {
		Email, Phone, Language, SearchText, NameKey string
		VIP                                         bool `gorm:"column:vip"`
		DelegationID                                int64
	}
	if err := srv.DB.Gorm.Raw(`SELECT email, phone, language, search_text, name_key, vip, delegation_id FROM guests WHERE family_name = 'Иванов'`).Scan(&ivanov).Error; err != nil {
		t.Fatal(err)
	}
	if ivanov.Email != "ivanov@example.org" || ivanov.Phone != "+994 50 555 01 01" || ivanov.Language != "ru" ||
		!ivanov.VIP || ivanov.DelegationID != d.france || ivanov.NameKey != "пётр иванов" && ivanov.NameKey != "петр иванов" ||
		!strings.Contains(ivanov.SearchText, "ivanov") || !strings.Contains(ivanov.SearchText, "embassy of france") {
		t.Errorf("imported guest: %+v", ivanov)
	}
	if p := sqlText(t, srv, `SELECT phone FROM guests WHERE id = ?`, d.morozov); p != "+7 495 555 01 01" {
		t.Errorf("updated guest's phone is %q", p)
	}
	if v := sqlInt(t, srv, `SELECT version FROM guests WHERE id = ?`, d.morozov); v != 2 {
		t.Errorf("updated guest's version is %d, want 2", v)
	}
	if n := sqlInt(t, srv, `SELECT count(*) FROM audit_entries WHERE entity_type = 'guest_import' AND action = 'import'`); n != 1 {
		t.Errorf("%d import audit entries, want 1", n)
	}
	if n := sqlInt(t, srv, `SELECT count(*) FROM audit_entries WHERE entity_type = 'guest' AND action IN ('create', 'update') AND actor_user_id IS NOT NULL`); n != 3 {
		t.Errorf("%d guest audit entries, want 3", n)
	}
	if s := sqlText(t, srv, `SELECT changes->'phone'->>'after' FROM audit_entries WHERE entity_type = 'guest' AND entity_id = ?`, strconv.FormatInt(d.morozov, 10)); s != "+7 495 555 01 01" {
		t.Errorf("the update's audit entry records phone %q", s)
	}

	// A double click: the second commit changes nothing and shows the
	// same result.
	resp, _ = org.Post(importURL+"/commit", url.Values{"skip_errors": {"on"}})
	status(t, "second commit", resp, http.StatusSeeOther)
	if n := sqlInt(t, srv, `SELECT count(*) FROM guests`); n != guests+2 {
		t.Fatal("a second commit imported again")
	}
	_, body = org.Get(importURL + "/done")
	want(t, "done again", body, `<dd class="summary-list__value">2</dd>`)
	// The committed import's steps show the result, not forms.
	_, body = org.Get(importURL)
	want(t, "mapping after commit", body, "Import finished")
	resp, _ = org.Post(importURL+"/mapping", mapping)
	status(t, "mapping after commit", resp, http.StatusSeeOther)

	// The same layout again: the mapping (phone ignored the first time,
	// then mapped) is remembered; the same file changes nothing.
	again := impUploadOK(t, srv, org, "protocol-again.csv", impCP1251(t, impOfficeCSV))
	_, body = org.Get(again)
	want(t, "remembered mapping", body, "remembered from the last file with the same columns")
	if got := impSelected(t, body, "col4"); got != "phone" {
		t.Errorf("remembered mapping has col4 = %q", got)
	}
	resp, _ = org.Post(again+"/mapping", mapping)
	status(t, "mapping again", resp, http.StatusSeeOther)
	_, body = org.Get(again + "/preview")
	want(t, "preview again", body, "10 rows: 0 new, 0 to update, 3 unchanged, 7 with errors.")
	want(t, "row 10 again", impRow(t, body, 10), "No change to guest")
	resp, _ = org.Post(again+"/commit", url.Values{"skip_errors": {"on"}})
	status(t, "commit again", resp, http.StatusSeeOther)
	if r := sqlText(t, srv, `SELECT result::text FROM guest_imports WHERE id = ?`, strings.TrimPrefix(again, "/guests/import/")); r != `{"created": 0, "skipped": 7, "updated": 0, "unchanged": 3}` {
		t.Errorf("re-import result %s", r)
	}
	if v := sqlInt(t, srv, `SELECT version FROM guests WHERE id = ?`, d.morozov); v != 2 {
		t.Errorf("re-import bumped the version to %d", v)
	}
}

// impXLSX builds a workbook with rows (the first is the header); nil rows
// stay blank.
func impXLSX(t testing.TB, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		for j, v := range r {
			cell, err := excelize.CoordinatesToCellName(j+1, i+1)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.SetCellStr("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImportXLSXWithErrors(t *testing.T) {
	srv := testserver.Start(t)
	org := signIn(t, srv, "organizer@example.org", auth.RoleOrganizer)
	d := impDirectory(t, srv)

	long := strings.Repeat("Ə", 201)
	data := impXLSX(t, [][]string{
		{"Surname", "First name", "E-mail", "Country", "V.I.P.", "Internal notes", "Seat"},
		{"Dupont", "Claire", "claire.dupont@example.org", "France", "x", "=1+1", "A1"}, // 2: the country names the embassy
		{"Həsənov", "Elvin", "elvin@example.org", "az", "bəli", "", "A2"},              // 3: by country code
		{long, "", "", "France", "", "", ""},                                           // 4: too long
		nil,                                                                            // 5: blank
		{"Martin", "", "martin@example", "France", "maybe", "", ""},                    // 6: two errors
		{"Məmmədova", "Günay", "", "Milli Meclis", "", "Prefers an aisle seat", ""},    // 7: the guest, by name
	})
	u := impUploadOK(t, srv, org, "embassy list.xlsx", data)
	_, body := org.Get(u)
	for col, want := range map[string]string{"col0": "family_name", "col1": "given_name", "col2": "email",
		"col3": "delegation", "col4": "vip", "col5": "restricted_notes", "col6": ""} {
		if got := impSelected(t, body, col); got != want {
			t.Errorf("%s auto-mapped to %q, want %q", col, got, want)
		}
	}
	resp, _ := org.Post(u+"/mapping", url.Values{"col0": {"family_name"}, "col1": {"given_name"}, "col2": {"email"},
		"col3": {"delegation"}, "col4": {"vip"}, "col5": {"restricted_notes"}, "col6": {""}})
	status(t, "mapping", resp, http.StatusSeeOther)
	_, body = org.Get(u + "/preview")
	want(t, "xlsx preview", body, "5 rows: 2 new, 1 to update, 0 unchanged, 2 with errors.")
	want(t, "row 7", impRow(t, body, 7), "Updates guest", "#"+strconv.FormatInt(d.mammadova, 10), "Changes: Restricted notes</span>")
	want(t, "row 2", impRow(t, body, 2), "New guest", "=1+1")
	want(t, "row 4", impRow(t, body, 4), "Family name is longer than 200 characters")
	want(t, "row 6", impRow(t, body, 6), "“martin@example” is not an e-mail address", "“maybe” is not yes or no")
	lacks(t, "preview", body, "A1", "A2") // the ignored column

	resp, _ = org.Post(u+"/commit", url.Values{"skip_errors": {"on"}})
	status(t, "commit", resp, http.StatusSeeOther)
	var got []struct {
		FamilyName, RestrictedNotes string
		DelegationID                int64
		VIP                         bool `gorm:"column:vip"`
	}
	if err := srv.DB.Gorm.Raw(`SELECT family_name, restricted_notes, delegation_id, vip FROM guests WHERE family_name IN ('Dupont', 'Həsənov') ORDER BY family_name`).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].DelegationID != d.france || got[0].RestrictedNotes != "=1+1" || !got[0].VIP ||
		got[1].DelegationID != d.azerbaijan || !got[1].VIP {
		t.Errorf("imported %+v", got)
	}
}

func TestImportCommitIsAllOrNothing(t *testing.T) {
	srv := testserver.Start(t)
	org := signIn(t, srv, "organizer@example.org", auth.RoleOrganizer)
	impDirectory(t, srv)
	// A rule the import cannot know: the database refuses one of the
	// to update, after the new guests were inserted.
	impExec(t, srv, `CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.given_name = 'Boom' THEN RAISE EXCEPTION 'refused by test trigger'; END IF; RETURN NEW; END $$`)
	impExec(t, srv, `CREATE TRIGGER refuse_boom BEFORE UPDATE ON guests FOR EACH ROW EXECUTE FUNCTION refuse_boom()`)

	csv := "Family name,Given name,E-mail\n" +
		"Adams,Ann,ann@example.org\n" +
		"Brown,Bob,bob@example.org\n" +
		"Əliyev,Boom,rashad@example.org\n"
	u := impUploadOK(t, srv, org, "all-or-nothing.csv", []byte(csv))
	resp, _ := org.Post(u+"/mapping", url.Values{"col0": {"family_name"}, "col1": {"given_name"}, "col2": {"email"}})
	status(t, "mapping", resp, http.StatusSeeOther)
	_, body := org.Get(u + "/preview")
	want(t, "preview", body, "3 rows: 2 new, 1 to update, 0 unchanged, 0 with errors.")

	guests := sqlInt(t, srv, `SELECT count(*) FROM guests`)
	audits := sqlInt(t, srv, `SELECT count(*) FROM audit_entries`)
	resp, _ = org.Post(u+"/commit", nil)
	status(t, "failing commit", resp, http.StatusInternalServerError)
	if n := sqlInt(t, srv, `SELECT count(*) FROM guests`); n != guests {
		t.Fatalf("a failed commit left %d new guests", n-guests)
	}
	if n := sqlInt(t, srv, `SELECT count(*) FROM audit_entries`); n != audits {
		t.Fatalf("a failed commit left %d audit entries", n-audits)
	}
	if s := sqlText(t, srv, `SELECT status FROM guest_imports`); s != "mapped" {
		t.Fatalf("a failed import is %q", s)
	}

	// Without the obstacle the same import goes through.
	impExec(t, srv, `DROP TRIGGER refuse_boom ON guests`)
	resp, _ = org.Post(u+"/commit", nil)
	status(t, "commit", resp, http.StatusSeeOther)
	if n := sqlInt(t, srv, `SELECT count(*) FROM guests`); n != guests+2 {
		t.Fatalf("commit added %d guests, want 2", n-guests)
	}
}

// A long file is checked whole and shown a page at a time.
func TestImportPreviewPages(t *testing.T) {
	srv := testserver.Start(t)
	org := signIn(t, srv, "organizer@example.org", auth.RoleOrganizer)
	var b strings.Builder
	b.WriteString("Family name;Given name\n")
	for i := 2; i <= 451; i++ {
		if i == 420 {
			b.WriteString(";Nameless\n")
			continue
		}
		b.WriteString("Guest" + strconv.Itoa(i) + ";Given\n")
	}
	u := impUploadOK(t, srv, org, "long.csv", []byte(b.String()))
	resp, _ := org.Post(u+"/mapping", url.Values{"col0": {"family_name"}, "col1": {"given_name"}})
	status(t, "mapping", resp, http.StatusSeeOther)
	_, body := org.Get(u + "/preview")
	want(t, "page 1", body, "450 rows: 449 new, 0 to update, 0 unchanged, 1 with errors.", "Page 1 of 3", `id="row-201"`,
		`href="`+u+`/preview?page=2"`)
	lacks(t, "page 1", body, `id="row-202"`, `id="row-420"`)
	_, body = org.Get(u + "/preview?page=3")
	want(t, "page 3", body, `id="row-420"`, `id="row-451"`, "The family name is missing")
	_, body = org.Get(u + "/preview?show=errors_first")
	want(t, "errors first", body, `id="row-420"`, "Page 1 of 3")
	_, body = org.Get(u + "/preview?show=problems")
	want(t, "only problems", body, `id="row-420"`)
	lacks(t, "only problems", body, `id="row-2"`, "Page 1 of")
	resp, body = org.Post(u+"/commit", nil)
	status(t, "commit with an error", resp, http.StatusUnprocessableEntity)
	want(t, "refused commit", body, "1 row has errors", `href="`+u+`/preview?page=2"`)
}

// Many clicks at once, as from several tabs or instances: one import.
func TestImportConcurrentCommitsImportOnce(t *testing.T) {
	srv := testserver.Start(t)
	org := signIn(t, srv, "organizer@example.org", auth.RoleOrganizer)
	u := impUploadOK(t, srv, org, "once.csv", []byte("Family name,E-mail\nAdams,ann@example.org\nBrown,bob@example.org\n"))
	resp, _ := org.Post(u+"/mapping", url.Values{"col0": {"family_name"}, "col1": {"email"}})
	status(t, "mapping", resp, http.StatusSeeOther)
	form := url.Values{"_csrf": {org.CSRF()}}.Encode()
	codes := make(chan int, 5)
	for range 5 {
		go func() {
			req, err := http.NewRequest(http.MethodPost, srv.URL+u+"/commit", strings.NewReader(form))
			if err != nil {
				codes <- 0
				return
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := org.HTTP.Do(req)
			if err != nil {
				codes <- 0
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	for range 5 {
		if code := <-codes; code != http.StatusSeeOther {
			t.Errorf("a concurrent commit answered %d", code)
		}
	}
	if n := sqlInt(t, srv, `SELECT count(*) FROM guests`); n != 2 {
		t.Errorf("concurrent commits created %d guests, want 2", n)
	}
	if n := sqlInt(t, srv, `SELECT count(*) FROM audit_entries WHERE action = 'import'`); n != 1 {
		t.Errorf("%d import audit entries, want 1", n)
	}
}

func TestImportStaleGuestRefusesCommit(t *testing.T) {
	srv := testserver.Start(t)
	org := signIn(t, srv, "organizer@example.org", auth.RoleOrganizer)
	d := impDirectory(t, srv)
	u := impUploadOK(t, srv, org, "stale.csv", []byte("Family name,E-mail,Phone\nNew,new@example.org,1\nƏliyev,rashad@example.org,+994 70 000 00 00\n"))
	resp, _ := org.Post(u+"/mapping", url.Values{"col0": {"family_name"}, "col1": {"email"}, "col2": {"phone"}})
	status(t, "mapping", resp, http.StatusSeeOther)
	// Someone saves the guest between the import's reading and writing: a
	// trigger stands in for them, bumping the version as a form save does.
	impExec(t, srv, `CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN UPDATE guests SET version = version + 1 WHERE id = `+strconv.FormatInt(d.aliyev, 10)+`; RETURN NEW; END $$`)
	impExec(t, srv, `CREATE TRIGGER bump AFTER INSERT ON guests FOR EACH STATEMENT EXECUTE FUNCTION bump()`)
	guests := sqlInt(t, srv, `SELECT count(*) FROM guests`)
	resp, body := org.Post(u+"/commit", nil)
	status(t, "stale commit", resp, http.StatusConflict)
	want(t, "stale commit", body, "changed by someone else while the import ran")
	if n := sqlInt(t, srv, `SELECT count(*) FROM guests`); n != guests {
		t.Fatal("a stale commit imported guests")
	}
}

func TestImportRefusesBadFiles(t *testing.T) {
	srv := testserver.Start(t)
	org := signIn(t, srv, "organizer@example.org", auth.RoleOrganizer)
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"photo.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "This file is not a spreadsheet"},
		{"old.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), "This is an old Excel file (.xls)"},
		{"report.pdf", []byte("%PDF-1.4\n..."), "This file is not a spreadsheet"},
		{"empty.csv", nil, "The file is empty"},
		{"header.csv", []byte("Family name;E-mail\n"), "has a header row but no guests"},
		{"broken.xlsx", []byte("PK\x03\x04 this is not really a zip"), "The file cannot be read"},
		{"wide.csv", []byte(strings.Repeat("a,", 150) + "a\n1\n"), "more than 100 columns"},
		{"long.csv", []byte("Family name\n" + strings.Repeat("x", 4001) + "\n"), "Row 2 has a cell longer than 4000 characters"},
	}
	for _, c := range cases {
		resp, body := impUpload(t, srv, org, c.name, c.data)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", c.name, resp.StatusCode)
			continue
		}
		want(t, c.name, body, c.want, `id="f-file-error"`, `href="#f-file"`)
	}
	resp, body := org.Post("/guests/import", url.Values{})
	status(t, "no file", resp, http.StatusUnprocessableEntity)
	want(t, "no file", body, "Choose a CSV or Excel file to upload")
	if n := sqlInt(t, srv, `SELECT count(*) FROM guest_imports`); n != 0 {
		t.Fatalf("refused files stored %d uploads", n)
	}
}

// A file beyond any limit is refused before it is read; nothing is stored.
func TestImportRefusesHugeUpload(t *testing.T) {
	srv := testserver.Start(t)
	org := signIn(t, srv, "organizer@example.org", auth.RoleOrganizer)
	huge := bytes.Repeat([]byte("Family name\nSmith\n"), 12<<20/18)
	resp, body := impUpload(t, srv, org, "huge.csv", huge)
	status(t, "12 MB upload", resp, http.StatusRequestEntityTooLarge)
	want(t, "12 MB upload", body, "larger than Vigil accepts")
	if n := sqlInt(t, srv, `SELECT count(*) FROM guest_imports`); n != 0 {
		t.Fatal("a huge file was stored")
	}
	// Between the server-wide body limit and the import's 10 MB a file
	// passes the server (this route may send 11 MB) and is refused by the
	// import with its own message, beside the field.
	mid := bytes.Repeat([]byte("Family name\nSmith\n"), (10<<20+1<<19)/18)
	resp, body = impUpload(t, srv, org, "10.5mb.csv", mid)
	status(t, "10.5 MB upload", resp, http.StatusUnprocessableEntity)
	want(t, "10.5 MB upload", body, "The file is larger than 10 MB")
	if n := sqlInt(t, srv, `SELECT count(*) FROM guest_imports`); n != 0 {
		t.Fatal("a too large file was stored")
	}
}

// Files up to 10 MB import once the server lets POST /guests/import take
// them (see the body limit in internal/server/server.go).
func TestImportTakesFilesUpTo10MB(t *testing.T) {
	srv := testserver.Start(t)
	org := signIn(t, srv, "organizer@example.org", auth.RoleOrganizer)
	// 9.5 MB in fewer than 20,000 rows: past the server-wide 2 MB body
	// limit, within the import's limits.
	var b strings.Builder
	b.WriteString("Family name,Given name,Accessibility needs\n")
	note := strings.Repeat("Needs a seat near the aisle and step-free access. ", 11)
	for i := 0; b.Len() < 9<<20+1<<19; i++ {
		b.WriteString("Guest " + strconv.Itoa(i) + ",Given," + note + "\n")
	}
	resp, body := impUpload(t, srv, org, "9.5mb.csv", []byte(b.String()))
	status(t, "9.5 MB upload", resp, http.StatusSeeOther)
	if n := sqlInt(t, srv, `SELECT count(*) FROM guest_imports`); n != 1 {
		t.Fatalf("%d uploads stored (%s)", n, body)
	}
}

func TestImportAndExportAreForOrganizers(t *testing.T) {
	srv := testserver.Start(t)
	staff := signIn(t, srv, "staff@example.org", auth.RoleStaff)
	org := signIn(t, srv, "organizer@example.org", auth.RoleOrganizer)
	u := impUploadOK(t, srv, org, "guests.csv", []byte("Family name\nSmith\n"))
	for _, path := range []string{"/guests/import", u, u + "/preview", u + "/done", "/guests/export.csv", "/guests/export.xlsx"} {
		resp, body := staff.Get(path)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("staff GET %s: %d, want 403", path, resp.StatusCode)
		}
		if strings.Contains(body, "Smith") {
			t.Errorf("staff GET %s shows the file", path)
		}
	}
	resp, _ := impUpload(t, srv, staff, "guests.csv", []byte("Family name\nJones\n"))
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("staff impUpload: %d, want 403", resp.StatusCode)
	}
	for _, path := range []string{u + "/mapping", u + "/commit"} {
		resp, _ := staff.Post(path, url.Values{"col0": {"family_name"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("staff POST %s: %d, want 403", path, resp.StatusCode)
		}
	}
	if n := sqlInt(t, srv, `SELECT count(*) FROM guest_imports`); n != 1 {
		t.Errorf("%d uploads, want only the organizer's", n)
	}
	if n := sqlInt(t, srv, `SELECT count(*) FROM guests`); n != 0 {
		t.Error("staff imported guests")
	}
	resp, _ = org.Get("/guests/import/999999")
	status(t, "unknown import", resp, http.StatusNotFound)
}

func TestOldUploadsAreDeleted(t *testing.T) {
	srv := testserver.Start(t)
	org := signIn(t, srv, "organizer@example.org", auth.RoleOrganizer)
	old := impUploadOK(t, srv, org, "old.csv", []byte("Family name\nSmith\n"))
	impExec(t, srv, `UPDATE guest_imports SET created_at = now() - interval '25 hours'`)
	recent := impUploadOK(t, srv, org, "recent.csv", []byte("Family name\nJones\n"))
	if resp, _ := org.Get(old); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a day-old impUpload is still there: %d", resp.StatusCode)
	}
	if resp, _ := org.Get(recent); resp.StatusCode != http.StatusOK {
		t.Errorf("the new impUpload: %d", resp.StatusCode)
	}
}
