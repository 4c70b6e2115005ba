package checkin_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/internal/auth"
	"vigil/internal/delegation"
	"vigil/internal/server"
	"vigil/internal/testserver"
)

// attendanceFixture is the 2025 edition after the day, and the 2026 one
// before it.
//
// 2025, Wreath-laying (the numbers the report must show):
//
//	Office of the President (head of state): Leyla accepted with 1
//	  companion, came with the companion.
//	Embassy of France (diplomatic mission, credentials 2019): Anne
//	  accepted with 2 companions, came with 1; Louis declined and came
//	  anyway; Marie did not answer.
//	Embassy of Italy (diplomatic mission, credentials 2021): Carla
//	  accepted and came; Paolo (VIP) accepted and did not come.
//	No delegation: Dmitri accepted and did not come.
//	A walk-in whose name starts like a formula.
//
// So: accepted 5, attended 3 (60%), companions 2 of 3, 1 came without an
// accepted answer, 1 walk-in, no-shows Paolo and Dmitri.
//
// 2025, Reception: Leyla accepted and did not come.
// 2026, Wreath-laying: Leyla invited, no answer yet.
type attendanceFixture struct {
	srv                     *testserver.Server
	staff                   *testserver.Client
	wreath, reception, next int64
	president, france       int64
	italy                   int64
	guests                  map[string]int64
}

// attendanceWalkIn is the walk-in's name: a spreadsheet would take it for
// a formula if the export did not neutralise it.
const attendanceWalkIn = `=HYPERLINK("http://example.org","Press")`

func newAttendanceFixture(t *testing.T) *attendanceFixture {
	t.Helper()
	srv := testserver.Start(t)
	f := &attendanceFixture{srv: srv, guests: map[string]int64{}}
	ctx := context.Background()
	one := func(q string, args ...any) int64 { t.Helper(); return srv.InsertID(t, q, args...) }
	exec := func(q string, args ...any) { t.Helper(); srv.Exec(t, q, args...) }

	cm := one("INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	ed25 := one("INSERT INTO editions (commemoration_id, year, status) VALUES (?, 2025, 'closed')", cm)
	ed26 := one("INSERT INTO editions (commemoration_id, year, status) VALUES (?, 2026, 'invitations_open')", cm)
	venue := one("INSERT INTO venues (name) VALUES ('Memorial')")
	gate := one("INSERT INTO gates (venue_id, name) VALUES (?, 'Gate North')", venue)
	at := func(y int, h int) time.Time { return time.Date(y, 2, 26, h, 0, 0, 0, time.UTC) }
	f.wreath = one(`INSERT INTO ceremonies (edition_id, title, venue_id, starts_at, ends_at, status)
		VALUES (?, 'Wreath-laying', ?, ?, ?, 'published')`, ed25, venue, at(2025, 7), at(2025, 8))
	f.reception = one(`INSERT INTO ceremonies (edition_id, title, venue_id, starts_at, ends_at, status)
		VALUES (?, 'Reception', ?, ?, ?, 'published')`, ed25, venue, at(2025, 12), at(2025, 14))
	f.next = one(`INSERT INTO ceremonies (edition_id, title, venue_id, starts_at, ends_at, status)
		VALUES (?, 'Wreath-laying', ?, ?, ?, 'published')`, ed26, venue, at(2026, 7), at(2026, 8))

	store := delegation.NewStore(srv.DB.Gorm)
	del := func(in delegation.DelegationInput) int64 {
		t.Helper()
		d, err := store.CreateDelegation(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	day := func(y int) *time.Time { d := time.Date(y, 5, 1, 0, 0, 0, 0, time.UTC); return &d }
	// Italy first, so that only the order of precedence (credentials)
	// puts France before it.
	f.italy = del(delegation.DelegationInput{Name: "Embassy of Italy", Kind: "diplomatic_mission", Country: "IT", CredentialsPresentedOn: day(2021)})
	f.france = del(delegation.DelegationInput{Name: "Embassy of France", Kind: "diplomatic_mission", Country: "FR", CredentialsPresentedOn: day(2019)})
	f.president = del(delegation.DelegationInput{Name: "Office of the President", Kind: "head_of_state", Country: "AZ"})

	type answer struct {
		ceremony, edition int64
		status            string
		companions        int
		in                bool
		companionsIn      int
	}
	guest := func(key string, in delegation.GuestInput, answers ...answer) {
		t.Helper()
		g, err := store.CreateGuest(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		f.guests[key] = g.ID
		invs := map[int64]int64{}
		for i, a := range answers {
			inv, ok := invs[a.edition]
			if !ok {
				inv = one(`INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code, companions_allowed)
					VALUES (?, ?, ?, ?, ?, 3)`, a.edition, g.ID, []byte("n"+key), []byte(fmt.Sprintf("h%s%d", key, i)), fmt.Sprintf("ATT-%s-%d", key, i))
				invs[a.edition] = inv
			}
			if a.status != "pending" {
				exec("UPDATE invitations SET responded_at = now(), responded_via = 'link' WHERE id = ?", inv)
			}
			var checkedIn any
			if a.in {
				checkedIn = at(2025, 6)
			}
			exec(`INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, status, companions, checked_in_at, checked_in_gate_id, companions_checked_in)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, inv, a.ceremony, a.status, a.companions, checkedIn, gate, a.companionsIn)
		}
	}
	w, r, n := f.wreath, f.reception, f.next
	guest("leyla", delegation.GuestInput{Honorific: "H.E.", GivenName: "Leyla", FamilyName: "Əliyeva", DelegationID: &f.president},
		answer{w, ed25, "accepted", 1, true, 1}, answer{r, ed25, "accepted", 0, false, 0}, answer{n, ed26, "pending", 0, false, 0})
	guest("anne", delegation.GuestInput{GivenName: "Anne", FamilyName: "Martin", DelegationID: &f.france},
		answer{w, ed25, "accepted", 2, true, 1})
	guest("louis", delegation.GuestInput{GivenName: "Louis", FamilyName: "Bernard", DelegationID: &f.france},
		answer{w, ed25, "declined", 0, true, 0})
	guest("marie", delegation.GuestInput{GivenName: "Marie", FamilyName: "Dubois", DelegationID: &f.france},
		answer{w, ed25, "pending", 0, false, 0})
	guest("carla", delegation.GuestInput{GivenName: "Carla", FamilyName: "Rossi", DelegationID: &f.italy},
		answer{w, ed25, "accepted", 0, true, 0})
	guest("paolo", delegation.GuestInput{GivenName: "Paolo", FamilyName: "Bianchi", VIP: true, DelegationID: &f.italy},
		answer{w, ed25, "accepted", 0, false, 0})
	guest("dmitri", delegation.GuestInput{GivenName: "Dmitri", FamilyName: "Orlov"},
		answer{w, ed25, "accepted", 0, false, 0})
	exec("INSERT INTO walk_ins (ceremony_id, gate_id, name, organisation, reason, at) VALUES (?, ?, ?, 'Press pool', '+ photographer sent by the press office', ?)",
		f.wreath, gate, attendanceWalkIn, at(2025, 6).Add(12*time.Minute))

	u := srv.AddUser(t, "staff@example.org", auth.RoleStaff)
	f.staff = srv.NewClient(t)
	f.staff.Login(u.Email)
	return f
}

func (f *attendanceFixture) get(t *testing.T, path string) string {
	t.Helper()
	resp, body := f.staff.Get(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%.500s", path, resp.StatusCode, body)
	}
	return body
}

// attendanceSection is the part of the report page about one ceremony.
func attendanceSection(t *testing.T, body string, ceremony int64) string {
	t.Helper()
	start := strings.Index(body, `data-ceremony="`+strconv.FormatInt(ceremony, 10)+`"`)
	if start < 0 {
		t.Fatalf("no section for ceremony %d", ceremony)
	}
	rest := body[start:]
	if end := strings.Index(rest, "</section>"); end >= 0 {
		rest = rest[:end]
	}
	return rest
}

// tallyRow reads the numbers of the tally row with key in section s.
func tallyRow(t *testing.T, s, key string) (accepted, attended, companions, companionsIn, unaccepted int, rate string) {
	t.Helper()
	re := regexp.MustCompile(`(?s)data-attendance-row="` + regexp.QuoteMeta(key) + `" data-accepted="(\d+)" data-attended="(\d+)" data-companions="(\d+)" data-companions-in="(\d+)" data-unaccepted="(\d+)">.*?<td class="text-end nowrap">([^<]*)</td>`)
	m := re.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no tally row %q in:\n%s", key, s)
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	return n(1), n(2), n(3), n(4), n(5), m[6]
}

func TestAttendanceReport(t *testing.T) {
	f := newAttendanceFixture(t)
	body := f.get(t, "/editions/2025/attendance")
	s := attendanceSection(t, body, f.wreath)

	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	for _, tc := range []struct {
		key                                                      string
		accepted, attended, companions, companionsIn, unaccepted int
		rate                                                     string
	}{
		{"head_of_state", 1, 1, 1, 1, 0, "100%"},
		{"diplomatic_mission", 3, 2, 2, 1, 1, "67%"},
		{id(f.president), 1, 1, 1, 1, 0, "100%"},
		{id(f.france), 1, 1, 2, 1, 1, "100%"},
		{id(f.italy), 2, 1, 0, 0, 0, "50%"},
		{"none", 1, 0, 0, 0, 0, "0%"},
	} {
		a, at, c, ci, u, rate := tallyRow(t, s, tc.key)
		if a != tc.accepted || at != tc.attended || c != tc.companions || ci != tc.companionsIn || u != tc.unaccepted || rate != tc.rate {
			t.Errorf("%s: accepted %d attended %d companions %d/%d unaccepted %d rate %q; want %d %d %d/%d %d %q",
				tc.key, a, at, ci, c, u, rate, tc.accepted, tc.attended, tc.companionsIn, tc.companions, tc.unaccepted, tc.rate)
		}
	}
	total := regexp.MustCompile(`data-attendance-total data-accepted="(\d+)" data-attended="(\d+)" data-walk-ins="(\d+)" data-no-shows="(\d+)"`).FindStringSubmatch(s)
	if total == nil || total[1] != "5" || total[2] != "3" || total[3] != "1" || total[4] != "2" {
		t.Errorf("wreath-laying totals %q, want accepted 5, attended 3, 1 walk-in, 2 no-shows", total)
	}
	if !strings.Contains(s, ">60%<") {
		t.Error("wreath-laying rate 60% not shown")
	}
	// Delegations in order of precedence: head of state, then the
	// diplomatic corps by credentials, then the guests without one.
	delegs := s[strings.Index(s, "By delegation"):]
	wantOrder(t, "delegations", delegs, "Office of the President", "Embassy of France", "Embassy of Italy", "Without a delegation")
	// Kinds in order of precedence, the guests without a delegation last.
	kinds := s[strings.Index(s, "By kind of delegation"):strings.Index(s, "By delegation")]
	wantOrder(t, "kinds", kinds, "Head of state", "Diplomatic mission", "Without a delegation")
	// No-shows, with their delegation, in order of precedence; walk-ins
	// apart with their reason.
	noShows := s[strings.Index(s, "data-no-show-list"):strings.Index(s, "data-walk-in-list")]
	wantOrder(t, "no-shows", noShows, "Paolo Bianchi", "Embassy of Italy", "Dmitri Orlov", "Without a delegation")
	for _, who := range []string{"Leyla", "Anne", "Carla", "Louis", "Marie"} {
		if strings.Contains(noShows, who) {
			t.Errorf("%s listed as a no-show", who)
		}
	}
	walkIns := s[strings.Index(s, "data-walk-in-list"):]
	if !strings.Contains(walkIns, "photographer sent by the press office") || !strings.Contains(walkIns, "Gate North") || !strings.Contains(walkIns, "10:12") {
		t.Errorf("walk-in not listed with reason, gate and Baku time:\n%s", walkIns)
	}

	// The reception: Leyla accepted and did not come. Only this edition's
	// ceremonies: the 2026 wreath-laying is not in the 2025 report.
	rs := attendanceSection(t, body, f.reception)
	if !strings.Contains(rs, `data-attendance-total data-accepted="1" data-attended="0" data-walk-ins="0" data-no-shows="1"`) {
		t.Error("reception: want 1 accepted, none came, Leyla a no-show")
	}
	if a, at, _, _, _, rate := tallyRow(t, rs, id(f.president)); a != 1 || at != 0 || rate != "0%" {
		t.Errorf("reception: %d/%d %q", at, a, rate)
	}
	if strings.Contains(body, `data-ceremony="`+id(f.next)+`"`) {
		t.Error("the 2026 ceremony is in the 2025 report")
	}
	// 2026: nobody has accepted yet.
	if b := f.get(t, "/editions/2026/attendance"); !strings.Contains(b, "No guest accepted this ceremony.") {
		t.Error("2026: no empty state")
	}
	if resp, _ := f.staff.Get("/editions/1999/attendance"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown edition: %d, want 404", resp.StatusCode)
	}

	// The print view: the same numbers, the print header, no actions on
	// paper, A4 unless Letter is asked for.
	p := f.get(t, "/editions/2025/attendance/print")
	if ps := attendanceSection(t, p, f.wreath); !strings.Contains(ps, `data-accepted="5" data-attended="3"`) {
		t.Error("print view lacks the wreath-laying totals")
	}
	for _, want := range []string{`class="print-header"`, `<body class="">`, "Printed "} {
		if !strings.Contains(p, want) {
			t.Errorf("print view lacks %q", want)
		}
	}
	if strings.Contains(p, "attendance.csv") {
		t.Error("print view carries the download links")
	}
	if b := f.get(t, "/editions/2025/attendance/print?letter=1"); !strings.Contains(b, `<body class="print-letter">`) {
		t.Error("?letter=1 does not select Letter paper")
	}
}

func TestAttendanceExports(t *testing.T) {
	f := newAttendanceFixture(t)
	resp, body := f.staff.Get("/editions/2025/attendance.csv")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Disposition") != `attachment; filename="attendance-2025.csv"` {
		t.Fatalf("CSV: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	checkAttendanceExport(t, "CSV", sheetRows(t, "csv", body))

	resp, body = f.staff.Get("/editions/2025/attendance.xlsx")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Disposition") != `attachment; filename="attendance-2025.xlsx"` {
		t.Fatalf("XLSX: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	checkAttendanceExport(t, "XLSX", sheetRows(t, "xlsx", body))
}

func checkAttendanceExport(t *testing.T, what string, rows [][]string) {
	t.Helper()
	if len(rows) < 2 || rows[0][0] != "Ceremony" || rows[0][2] != "Section" || rows[0][8] != "Rate (%)" {
		t.Fatalf("%s: header %q", what, rows[0])
	}
	find := func(pred func(r []string) bool) []string {
		for _, r := range rows[1:] {
			for len(r) < 16 {
				r = append(r, "") // XLSX leaves trailing empty cells out
			}
			if pred(r) {
				return r
			}
		}
		return nil
	}
	total := find(func(r []string) bool { return r[0] == "Wreath-laying" && r[2] == "Total" })
	if total == nil || total[1] != "2025-02-26 11:00" || total[6] != "5" || total[7] != "3" || total[8] != "60" || total[9] != "3" || total[10] != "2" || total[11] != "1" {
		t.Errorf("%s: wreath-laying total %q", what, total)
	}
	italy := find(func(r []string) bool { return r[2] == "Delegation" && r[4] == "Embassy of Italy" })
	if italy == nil || italy[3] != "Diplomatic mission" || italy[6] != "2" || italy[7] != "1" || italy[8] != "50" {
		t.Errorf("%s: Italy %q", what, italy)
	}
	if r := find(func(r []string) bool { return r[2] == "Did not come" && strings.HasPrefix(r[5], "Paolo Bianchi") }); r == nil || r[4] != "Embassy of Italy" {
		t.Errorf("%s: Paolo not a no-show of Italy: %q", what, r)
	}
	walkIn := find(func(r []string) bool { return r[2] == "Walk-in" })
	if walkIn == nil || walkIn[5] != "'"+attendanceWalkIn || walkIn[13] != "'+ photographer sent by the press office" || walkIn[14] != "Gate North" {
		t.Errorf("%s: walk-in %q, want the formula-like cells neutralised", what, walkIn)
	}
	if r := find(func(r []string) bool { return r[0] == "Wreath-laying" && r[1] == "2026-02-26 11:00" }); r != nil {
		t.Errorf("%s: a 2026 ceremony in the 2025 export", what)
	}
}

// TestAttendanceAccess walks the route table: every attendance route is
// for staff and organizers, and anonymous visitors are sent to sign in.
func TestAttendanceAccess(t *testing.T) {
	f := newAttendanceFixture(t)
	f.srv.AddUser(t, "organizer@example.org", auth.RoleOrganizer)
	org := f.srv.NewClient(t)
	org.Login("organizer@example.org")
	anon := f.srv.NewClient(t)
	n := 0
	for _, r := range f.srv.App.Server.Routes() {
		if !strings.HasPrefix(r.Path, "/editions/:year/attendance") {
			continue
		}
		n++
		if r.Method != http.MethodGet || r.Access != server.Staff {
			t.Errorf("%s %s: %s, want GET for staff", r.Method, r.Path, r.Access)
		}
		path := strings.Replace(r.Path, ":year", "2025", 1)
		if resp, _ := anon.Get(path); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("anonymous GET %s: %d %q", path, resp.StatusCode, resp.Header.Get("Location"))
		}
		for who, c := range map[string]*testserver.Client{"staff": f.staff, "organizer": org} {
			if resp, _ := c.Get(path); resp.StatusCode != http.StatusOK {
				t.Errorf("%s GET %s: %d", who, path, resp.StatusCode)
			}
		}
	}
	if n != 4 {
		t.Errorf("%d attendance routes in the table, want 4 (page, print, CSV, XLSX)", n)
	}
}

// TestGuestHistoryAttendance checks that the attendance feeds the guest's
// page: per edition, each ceremony with the answer and whether the guest
// came.
func TestGuestHistoryAttendance(t *testing.T) {
	f := newAttendanceFixture(t)
	body := f.get(t, "/guests/"+strconv.FormatInt(f.guests["leyla"], 10))
	y26, y25 := strings.Index(body, `data-history-year="2026"`), strings.Index(body, `data-history-year="2025"`)
	if y26 < 0 || y25 < 0 || y26 > y25 {
		t.Fatalf("history years 2026 %d, 2025 %d: want both, newest first", y26, y25)
	}
	past, next := body[y25:], body[y26:y25]
	row := func(s, title string) string {
		t.Helper()
		m := regexp.MustCompile(`(?s)<tr data-came="([a-z]*)">\s*<th scope="row">` + regexp.QuoteMeta(title) + `<br>.*?</tr>`).FindStringSubmatch(s)
		if m == nil {
			t.Fatalf("no row for %s in:\n%s", title, s)
		}
		return m[0]
	}
	if r := row(past, "Wreath-laying"); !strings.Contains(r, `data-came="attended"`) || !strings.Contains(r, "Accepted") || !strings.Contains(r, "26 February 2025") {
		t.Errorf("2025 wreath-laying: %s", r)
	}
	if r := row(past, "Reception"); !strings.Contains(r, `data-came="absent"`) || !strings.Contains(r, "Did not come") {
		t.Errorf("2025 reception: %s", r)
	}
	if r := row(next, "Wreath-laying"); !strings.Contains(r, `data-came=""`) || !strings.Contains(r, "Did not answer") {
		t.Errorf("2026 wreath-laying: %s", r)
	}
	// The invitation's summary lines are still there, once, with the
	// link to the invitation.
	if !strings.Contains(past, "Invited to 2 ceremonies") || strings.Count(body, "Invited to") != 2 {
		t.Errorf("invitation summary lines missing or repeated")
	}

	// Louis declined and came anyway: shown as he answered, and as come.
	body = f.get(t, "/guests/"+strconv.FormatInt(f.guests["louis"], 10))
	if r := row(body, "Wreath-laying"); !strings.Contains(r, `data-came="attended"`) || !strings.Contains(r, "Declined") {
		t.Errorf("Louis: %s", r)
	}
}
