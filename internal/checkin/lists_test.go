package checkin_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"vigil/internal/auth"
	"vigil/internal/delegation"
	"vigil/internal/invitation"
	"vigil/internal/testserver"
)

// listFixture is a published ceremony with guests of a head-of-state
// delegation, an embassy and none, in every answer.
type listFixture struct {
	srv      *testserver.Server
	ceremony int64
	embassy  int64
	// zone seats everyone but Zeynalov (the VIP stand seats Yilmaz).
	zone, vipZone int64
	// north is the embassy's arrival gate, south the president's.
	north, south int64
	staff        *testserver.Client
	user         *auth.User
}

func newListFixture(t *testing.T) *listFixture {
	t.Helper()
	srv := testserver.Start(t)
	f := &listFixture{srv: srv}
	ctx := context.Background()
	db := srv.DB.Gorm
	one := func(q string, args ...any) int64 { t.Helper(); return srv.InsertID(t, q, args...) }
	exec := func(q string, args ...any) { t.Helper(); srv.Exec(t, q, args...) }
	year := time.Now().Year()
	cm := one("INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	edition := one("INSERT INTO editions (commemoration_id, year, status) VALUES (?, ?, 'invitations_open')", cm, year)
	venue := one("INSERT INTO venues (name) VALUES ('Memorial')")
	zone := one("INSERT INTO zones (venue_id, name, capacity, badge_colour) VALUES (?, 'Guests stand', 500, '#2f6f4f')", venue)
	vipZone := one("INSERT INTO zones (venue_id, name, capacity, badge_colour) VALUES (?, 'VIP stand', 50, '#7a1f1f')", venue)
	gate := one("INSERT INTO gates (venue_id, name) VALUES (?, 'Gate North')", venue)
	south := one("INSERT INTO gates (venue_id, name) VALUES (?, 'Gate South')", venue)
	f.zone, f.vipZone, f.north, f.south = zone, vipZone, gate, south
	starts := time.Date(year, 2, 26, 7, 0, 0, 0, time.UTC)
	f.ceremony = one(`INSERT INTO ceremonies (edition_id, title, venue_id, starts_at, ends_at, status)
		VALUES (?, 'Wreath-laying', ?, ?, ?, 'published')`, edition, venue, starts, starts.Add(90*time.Minute))

	store := delegation.NewStore(db)
	// The embassy is created first, so that only the order of precedence
	// (not the id) puts the head of state before it.
	emb, err := store.CreateDelegation(ctx, delegation.DelegationInput{Name: "Embassy of France", Kind: "diplomatic_mission", Country: "FR"})
	if err != nil {
		t.Fatal(err)
	}
	f.embassy = emb.ID
	pres, err := store.CreateDelegation(ctx, delegation.DelegationInput{Name: "Office of the President", Kind: "head_of_state", Country: "AZ"})
	if err != nil {
		t.Fatal(err)
	}
	invite := func(in delegation.GuestInput, status string) int64 {
		t.Helper()
		g, err := store.CreateGuest(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.App.Invitations.InviteGuests(ctx, invitation.Invite{EditionID: edition, GuestIDs: []int64{g.ID},
			Ceremonies: []invitation.CeremonyZone{{CeremonyID: f.ceremony, ZoneID: &zone}}, Companions: 3}, invitation.Actor{Via: invitation.ViaOrganizer}); err != nil {
			t.Fatal(err)
		}
		var inv int64
		if err := db.Raw("SELECT id FROM invitations WHERE guest_id = ?", g.ID).Scan(&inv).Error; err != nil {
			t.Fatal(err)
		}
		exec("UPDATE invitation_ceremonies SET status = ? WHERE invitation_id = ?", status, inv)
		return inv
	}
	invite(delegation.GuestInput{Honorific: "H.E.", GivenName: "Leyla", FamilyName: "Çakır", Position: "Chief of Protocol",
		Phone: "+994 12 555 01 01", AccessibilityNeeds: "Wheelchair access", DietaryNeeds: "Vegetarian", DelegationID: &pres.ID}, "accepted")
	martin := invite(delegation.GuestInput{GivenName: "Anne", FamilyName: "Martin", DelegationID: &emb.ID}, "accepted")
	yilmaz := invite(delegation.GuestInput{GivenName: "Zara", FamilyName: "Yilmaz", VIP: true, DelegationID: &emb.ID}, "accepted")
	invite(delegation.GuestInput{GivenName: "Nihad", FamilyName: "Cuma", DelegationID: &emb.ID}, "pending")
	invite(delegation.GuestInput{GivenName: "Louis", FamilyName: "Bernard", DelegationID: &emb.ID}, "declined")
	invite(delegation.GuestInput{GivenName: "Test", FamilyName: "Zeynalov", PrintedName: "=1+1"}, "accepted")
	// Anne Martin brings three companions, two of them named.
	exec("UPDATE invitation_ceremonies SET companions = 3 WHERE invitation_id = ?", martin)
	exec("INSERT INTO invitation_companions (invitation_id, position, name) VALUES (?, 1, 'Jean Martin'), (?, 2, 'Paul Martin')", martin, martin)
	exec("UPDATE invitation_ceremonies SET checked_in_at = now(), checked_in_gate_id = ?, zone_id = ? WHERE invitation_id = ?", gate, vipZone, yilmaz)
	exec("UPDATE invitation_ceremonies SET zone_id = NULL WHERE invitation_id = (SELECT i.id FROM invitations i JOIN guests g ON g.id = i.guest_id WHERE g.family_name = 'Zeynalov')")
	// The embassy arrives by Gate North, the president's office by Gate
	// South; Zeynalov, without a delegation, is expected at no gate.
	exec(`INSERT INTO participations (edition_id, delegation_id, arrival_gate_id) VALUES (?, ?, ?), (?, ?, ?)`,
		edition, emb.ID, gate, edition, pres.ID, south)

	f.user = srv.AddUser(t, "desk@example.org", auth.RoleStaff)
	f.staff = srv.NewClient(t)
	f.staff.Login(f.user.Email)
	return f
}

// formulaHTML is the printed name "=1+1" as html/template writes it.
const formulaHTML = "=1&#43;1"

func (f *listFixture) path(rest string) string {
	return "/checkin/" + strconv.FormatInt(f.ceremony, 10) + rest
}

func (f *listFixture) get(t *testing.T, rest string) string {
	t.Helper()
	resp, body := f.staff.Get(f.path(rest))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", rest, resp.StatusCode)
	}
	return body
}

// wantOrder fails unless every one of names appears in body, in order.
func wantOrder(t *testing.T, what, body string, names ...string) {
	t.Helper()
	last := -1
	for _, n := range names {
		i := strings.Index(body, n)
		if i < 0 {
			t.Errorf("%s: %q missing", what, n)
			return
		}
		if i < last {
			t.Errorf("%s: %q out of order (want %q)", what, n, names)
			return
		}
		last = i
	}
}

func TestListOrderAndFilters(t *testing.T) {
	f := newListFixture(t)
	body := f.get(t, "/list")
	// The head of state before the embassy; inside the embassy the VIP
	// first, then by name; the guest without a delegation last.
	wantOrder(t, "precedence", body, "H.E. Leyla Çakır", "Zara Yilmaz", "Louis Bernard", "Nihad Cuma", "Anne Martin", formulaHTML)
	for _, s := range []string{"4 accepted", "1 declined", "1 not answered", "Gate North"} {
		if !strings.Contains(body, s) {
			t.Errorf("list lacks %q", s)
		}
	}
	// Companions under their host, the unnamed one too.
	wantOrder(t, "companions", body, "Anne Martin", "Jean Martin", "Paul Martin", "Companion (name not given)", formulaHTML)

	// By family name: English sorts Ç with C, Azerbaijani after C.
	wantOrder(t, "name en", f.get(t, "/list?sort=name"), "Louis Bernard", "Leyla Çakır", "Nihad Cuma", "Anne Martin", "Zara Yilmaz")
	f.srv.Exec(t, "UPDATE users SET locale = 'az' WHERE id = ?", f.user.ID)
	wantOrder(t, "name az", f.get(t, "/list?sort=name"), "Louis Bernard", "Nihad Cuma", "Leyla Çakır", "Anne Martin", "Zara Yilmaz")
	f.srv.Exec(t, "UPDATE users SET locale = 'en' WHERE id = ?", f.user.ID)

	only := func(query string, want string, not ...string) {
		t.Helper()
		b := f.get(t, "/list?"+query)
		if !strings.Contains(b, want) {
			t.Errorf("%s: %q missing", query, want)
		}
		for _, n := range not {
			if strings.Contains(b, n) {
				t.Errorf("%s: %q listed", query, n)
			}
		}
	}
	all := []string{"Leyla Çakır", "Zara Yilmaz", "Louis Bernard", "Nihad Cuma", "Anne Martin", formulaHTML}
	except := func(keep string) []string {
		var out []string
		for _, n := range all {
			if n != keep {
				out = append(out, n)
			}
		}
		return out
	}
	only("answer=declined", "Louis Bernard", except("Louis Bernard")...)
	only("answer=pending", "Nihad Cuma", except("Nihad Cuma")...)
	only("kind=head_of_state", "Leyla Çakır", except("Leyla Çakır")...)
	only("vip=1&delegation="+strconv.FormatInt(f.embassy, 10), "Zara Yilmaz", except("Zara Yilmaz")...)
}

func TestListPrint(t *testing.T) {
	f := newListFixture(t)
	body := f.get(t, "/list/print?break=delegation&landscape=1")
	for _, s := range []string{`class="print-landscape"`, `class="list-repeat"`, "Wreath-laying", "Office of the President", "Embassy of France", "☐", "☑"} {
		if !strings.Contains(body, s) {
			t.Errorf("print view lacks %q", s)
		}
	}
	// Three delegations (one of them "none"): a page break before the
	// second and the third.
	if n := strings.Count(body, "page-break-before"); n != 2 {
		t.Errorf("%d page breaks, want 2", n)
	}
	wantOrder(t, "print", body, "Office of the President", "Leyla Çakır", "Embassy of France", "Zara Yilmaz", "Without a delegation", formulaHTML)
	if b := f.get(t, "/list/print?letter=1"); !strings.Contains(b, `class="print-letter"`) {
		t.Error("?letter=1 does not select Letter paper")
	}
	// The header repeated on every printed page (in each table's thead)
	// names the ceremony, the day and the list.
	if n := strings.Count(body, `<tr class="list-repeat" hidden><th colspan="8" scope="colgroup">Wreath-laying · `); n != 3 {
		t.Errorf("%d repeated headers, want one per delegation's table (3)", n)
	}
}

func TestListExports(t *testing.T) {
	f := newListFixture(t)
	resp, body := f.staff.Get(f.path("/list.csv"))
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="attendees-`) {
		t.Fatalf("CSV: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	checkExport(t, "CSV", sheetRows(t, "csv", body))

	resp, body = f.staff.Get(f.path("/list.xlsx"))
	if resp.StatusCode != http.StatusOK || !strings.HasSuffix(resp.Header.Get("Content-Disposition"), `.xlsx"`) {
		t.Fatalf("XLSX: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	checkExport(t, "XLSX", sheetRows(t, "xlsx", body))
	checkExport(t, "XLSX read by openpyxl", openpyxlRows(t, []byte(body)))
}

func checkExport(t *testing.T, what string, rows [][]string) {
	t.Helper()
	if len(rows) != 7 {
		t.Fatalf("%s: %d rows, want header + 6", what, len(rows))
	}
	// The default columns, without the tick box (paper only).
	if got := strings.Join(rows[0], "|"); got != "No.|Name|Delegation|Zone|Answer|Companions|Checked in" {
		t.Errorf("%s: header %q", what, got)
	}
	if rows[1][1] != "H.E. Leyla Çakır" || rows[2][1] != "Zara Yilmaz" {
		t.Errorf("%s: rows %q", what, rows[:3])
	}
	if got := rows[5][5]; got != "Jean Martin; Paul Martin; Companion (name not given)" {
		t.Errorf("%s: companions %q", what, got)
	}
	if got := rows[6][1]; got != "'=1+1" {
		t.Errorf("%s: formula cell %q, want it neutralised", what, got)
	}
	if !strings.HasSuffix(rows[2][6], " · Gate North") {
		t.Errorf("%s: checked in %q, want the gate", what, rows[2][6])
	}
}

func TestListAccess(t *testing.T) {
	f := newListFixture(t)
	anon := f.srv.NewClient(t)
	for _, p := range []string{"/list", "/list/print", "/list.csv", "/list.xlsx", "/list.pdf"} {
		resp, _ := anon.Get(f.path(p))
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("anonymous GET %s: %d %q, want redirect to /login", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	for _, p := range []string{"/list", "/list.pdf"} {
		if resp, _ := f.staff.Get("/checkin/999999" + p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown ceremony %s: %d, want 404", p, resp.StatusCode)
		}
	}
}

// exportRows downloads the list as CSV or XLSX (read back by excelize)
// and returns its rows.
func (f *listFixture) exportRows(t *testing.T, ext, query string) [][]string {
	t.Helper()
	resp, body := f.staff.Get(f.path("/list." + ext + "?" + query))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d", ext, resp.StatusCode)
	}
	return sheetRows(t, ext, body)
}

// sheetRows reads back an export's rows: a CSV (its byte-order mark
// dropped) or an XLSX's first sheet (by excelize).
func sheetRows(t *testing.T, ext, body string) [][]string {
	t.Helper()
	if ext == "csv" {
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	x, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("open XLSX: %v", err)
	}
	defer x.Close()
	rows, err := x.GetRows(x.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// headerCells are the texts of the first table's column headers.
var headerCellRe = regexp.MustCompile(`<th scope="col" class="col-([a-z_]+)">`)

func headerCols(body string) []string {
	var out []string
	for _, m := range headerCellRe.FindAllStringSubmatch(body, -1) {
		if len(out) > 0 && m[1] == out[0] {
			break // the next table's header
		}
		out = append(out, m[1])
	}
	return out
}

// The columns chosen in the query string, and only those, in every
// output; the honorific column takes the honorific out of the name.
func TestListColumns(t *testing.T) {
	f := newListFixture(t)
	query := "col=tick&col=phone&col=honorific&col=name&col=needs&col=position&col=gate&col=kind&col=bogus"
	want := []string{"name", "honorific", "kind", "position", "gate", "needs", "phone", "tick"}
	for _, page := range []string{"/list?", "/list/print?"} {
		body := f.get(t, page+query)
		if got := headerCols(body); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s columns %v, want %v", page, got, want)
		}
		for _, s := range []string{"Chief of Protocol", "&#43;994 12 555 01 01", "Wheelchair access; Vegetarian", "Gate South", "Head of state"} {
			if !strings.Contains(body, s) {
				t.Errorf("%s lacks %q", page, s)
			}
		}
		if strings.Contains(body, "H.E. Leyla Çakır") || !strings.Contains(body, `<th scope="row" class="col-name">Leyla Çakır`) {
			t.Errorf("%s: the name repeats the honorific of its own column", page)
		}
		// Links to print and export carry the columns along.
		if !strings.Contains(body, "list.pdf?"+strings.ReplaceAll(query, "&", "&amp;")) {
			t.Errorf("%s: the PDF link forgets the columns", page)
		}
	}
	// The screen form shows the chosen columns checked.
	body := f.get(t, "/list?"+query)
	for _, c := range []string{"phone", "needs"} {
		if !strings.Contains(body, `value="`+c+`" checked>`) {
			t.Errorf("column %s not checked in the form", c)
		}
	}
	if strings.Contains(body, `value="zone" checked>`) {
		t.Error("an unchosen column is checked")
	}
	for _, ext := range []string{"csv", "xlsx"} {
		rows := f.exportRows(t, ext, query)
		if got := strings.Join(rows[0], "|"); got != "Name|Honorific|Kind|Position|Expected gate|Needs|Phone" {
			t.Errorf("%s header %q", ext, got)
		}
		if got := strings.Join(rows[1], "|"); got != "Leyla Çakır|H.E.|Head of state|Chief of Protocol|Gate South|Wheelchair access; Vegetarian|'+994 12 555 01 01" {
			t.Errorf("%s first row %q", ext, got)
		}
	}
	// No columns chosen: the defaults.
	if got := headerCols(f.get(t, "/list")); strings.Join(got, ",") != "no,name,delegation,zone,answer,companions,checked_in,tick" {
		t.Errorf("default columns %v", got)
	}
	// Without the companions column, no companions under their host.
	if body := f.get(t, "/list?col=name"); strings.Contains(body, "Jean Martin") {
		t.Error("companions listed without their column")
	}
}

// Lists per zone and per expected gate.
func TestListZoneAndGate(t *testing.T) {
	f := newListFixture(t)
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	cases := []struct {
		query string
		want  []string
	}{
		{"zone=" + id(f.vipZone), []string{"Zara Yilmaz"}},
		{"zone=" + id(f.zone), []string{"Leyla Çakır", "Louis Bernard", "Nihad Cuma", "Anne Martin"}},
		{"zone=none", []string{formulaHTML}},
		{"gate=" + id(f.north), []string{"Zara Yilmaz", "Louis Bernard", "Nihad Cuma", "Anne Martin"}},
		{"gate=" + id(f.south), []string{"Leyla Çakır"}},
		{"gate=none", []string{formulaHTML}},
		{"gate=" + id(f.north) + "&zone=" + id(f.zone) + "&answer=accepted", []string{"Anne Martin"}},
	}
	all := []string{"Leyla Çakır", "Zara Yilmaz", "Louis Bernard", "Nihad Cuma", "Anne Martin", formulaHTML}
	for _, c := range cases {
		body := f.get(t, "/list?"+c.query)
		for _, n := range all {
			if got, want := strings.Contains(body, n), slices.Contains(c.want, n); got != want {
				t.Errorf("%s: %q listed %v, want %v", c.query, n, got, want)
			}
		}
		rows := f.exportRows(t, "csv", c.query)
		if len(rows)-1 != len(c.want) {
			t.Errorf("%s: CSV has %d rows, want %d", c.query, len(rows)-1, len(c.want))
		}
	}
	// The filter offers the venue's zones and gates.
	body := f.get(t, "/list?gate="+id(f.south))
	for _, s := range []string{`<option value="` + id(f.vipZone) + `">VIP stand</option>`, `<option value="` + id(f.south) + `" selected>Gate South</option>`} {
		if !strings.Contains(body, s) {
			t.Errorf("filters lack %s", s)
		}
	}
}

// A gate's door list: one link per gate from the list, the guests who
// accepted and are expected there, big type, a tick box each.
func TestListDoorList(t *testing.T) {
	f := newListFixture(t)
	body := f.get(t, "/list")
	north := strconv.FormatInt(f.north, 10)
	link := f.path("/list/print?answer=accepted&amp;door=1&amp;gate=" + north)
	for _, s := range []string{link, link + "&amp;sort=name", f.path("/list.pdf?answer=accepted&amp;door=1&amp;gate=" + north), "Gate South", "No gate assigned"} {
		if !strings.Contains(body, s) {
			t.Errorf("the list lacks the door-list link %s", s)
		}
	}
	door := f.get(t, "/list/print?answer=accepted&door=1&gate="+north+"&sort=name")
	if !strings.Contains(door, `class="list-door"`) || !strings.Contains(door, "<h1 class=\"page-title\">Door list: Gate North</h1>") {
		t.Error("the door list has no big type or no title")
	}
	if got := headerCols(door); strings.Join(got, ",") != "no,name,delegation,companions,tick" {
		t.Errorf("door list columns %v", got)
	}
	// Accepted and expected at Gate North, by family name; not the
	// declined, the unanswered, nor guests of other gates.
	wantOrder(t, "door", door, "Anne Martin", "Jean Martin", "Zara Yilmaz")
	for _, n := range []string{"Louis Bernard", "Nihad Cuma", "Leyla Çakır", formulaHTML} {
		if strings.Contains(door, n) {
			t.Errorf("door list of Gate North lists %q", n)
		}
	}
	// Zara Yilmaz is in: her box is ticked already; Anne Martin and her
	// three companions have one box each.
	if n := strings.Count(door, "☐</td>"); n != 4 {
		t.Errorf("%d empty tick boxes, want 4", n)
	}
	if !strings.Contains(door, "☑</td>") {
		t.Error("the guest already checked in is not ticked")
	}
	// Downloads of a door list say so, with the gate, in their name.
	for _, ext := range []string{"csv", "xlsx", "pdf"} {
		resp, _ := f.staff.Get(f.path("/list." + ext + "?answer=accepted&door=1&gate=" + north))
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="door-list-`+strconv.FormatInt(f.ceremony, 10)+"-gate-"+north+"-") {
			t.Errorf("door list %s named %q", ext, cd)
		}
	}
	// Anne Martin and her companions in a tbody of their own, which
	// paper keeps on one page.
	if i := strings.Index(door, `<tbody class="list-entry"><tr class="list-row">`); i < 0 || !strings.Contains(door[i:strings.Index(door[i:], "</tbody>")+i], "Companion (name not given)") {
		t.Error("a guest and their companions are not kept together")
	}
}

// The page is streamed: the part above the rows is sent (flushed) before
// the rows are read, the table's header before its first row, and the
// rows go out in runs, so the response is chunked with a chunk boundary
// at each of those places and where the rows end.
func TestListStreams(t *testing.T) {
	f := newListFixture(t)
	// Enough guests for a few runs of rows.
	f.srv.Exec(t, `INSERT INTO guests (given_name, family_name) SELECT 'Guest', 'Zz ' || lpad(i::text, 4, '0') FROM generate_series(1, 600) i`)
	f.srv.Exec(t, `INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code)
		SELECT (SELECT edition_id FROM ceremonies WHERE id = ?), g.id, decode(md5(g.id::text), 'hex'), decode(md5('h' || g.id), 'hex'), 'S' || g.id
		FROM guests g WHERE g.family_name LIKE 'Zz %'`, f.ceremony)
	f.srv.Exec(t, `INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, status)
		SELECT i.id, ?, 'pending' FROM invitations i JOIN guests g ON g.id = i.guest_id WHERE g.family_name LIKE 'Zz %'`, f.ceremony)

	for _, page := range []string{"/list", "/list/print"} {
		chunks := rawChunks(t, f, f.path(page))
		var body strings.Builder
		var bounds []int
		for _, c := range chunks {
			body.WriteString(c)
			bounds = append(bounds, body.Len())
		}
		b := body.String()
		at := func(what string, i int) {
			t.Helper()
			if i < 0 || !slices.Contains(bounds, i) {
				t.Errorf("%s: no chunk ends where %s (%d chunks)", page, what, len(chunks))
			}
		}
		at("the rows begin", strings.Index(b, `<section class="list-group`))
		rows := regexp.MustCompile(`<tr class="list-row`).FindAllStringIndex(b, -1)
		if len(rows) != 606 {
			t.Fatalf("%s: %d rows, want 606", page, len(rows))
		}
		at("the table's header ends", rows[0][0])
		at("a run of rows ends", rows[250][0])
		at("the rows end", strings.Index(b, "606 guests listed</p>\n")+len("606 guests listed</p>\n"))
		if !strings.HasSuffix(strings.TrimSpace(b), "</html>") {
			t.Errorf("%s: the page is cut short", page)
		}
	}
}

// rawChunks GETs path over a bare HTTP/1.1 connection with the staff
// client's cookies and returns the chunks of the chunked response body.
func rawChunks(t *testing.T, f *listFixture, path string) []string {
	t.Helper()
	u, err := url.Parse(f.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var cookies []string
	for _, c := range f.staff.HTTP.Jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nConnection: close\r\n\r\n", path, u.Host, strings.Join(cookies, "; "))
	r := bufio.NewReader(conn)
	status, err := r.ReadString('\n')
	if err != nil || !strings.Contains(status, " 200 ") {
		t.Fatalf("GET %s: %q %v", path, status, err)
	}
	chunked := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line == "\r\n" {
			break
		}
		if strings.EqualFold(strings.TrimSpace(line), "Transfer-Encoding: chunked") {
			chunked = true
		}
	}
	if !chunked {
		t.Fatalf("GET %s: not chunked, so not streamed", path)
	}
	var out []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		n, err := strconv.ParseInt(strings.TrimSpace(line), 16, 64)
		if err != nil {
			t.Fatalf("chunk size %q: %v", line, err)
		}
		if n == 0 {
			return out
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			t.Fatal(err)
		}
		out = append(out, string(buf[:n]))
	}
}
