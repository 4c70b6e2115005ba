package checkin_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
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
	staff    *testserver.Client
	user     *auth.User
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
	gate := one("INSERT INTO gates (venue_id, name) VALUES (?, 'Gate North')", venue)
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
	invite(delegation.GuestInput{Honorific: "H.E.", GivenName: "Leyla", FamilyName: "Çakır", DelegationID: &pres.ID}, "accepted")
	martin := invite(delegation.GuestInput{GivenName: "Anne", FamilyName: "Martin", DelegationID: &emb.ID}, "accepted")
	yilmaz := invite(delegation.GuestInput{GivenName: "Zara", FamilyName: "Yilmaz", VIP: true, DelegationID: &emb.ID}, "accepted")
	invite(delegation.GuestInput{GivenName: "Nihad", FamilyName: "Cuma", DelegationID: &emb.ID}, "pending")
	invite(delegation.GuestInput{GivenName: "Louis", FamilyName: "Bernard", DelegationID: &emb.ID}, "declined")
	invite(delegation.GuestInput{GivenName: "Test", FamilyName: "Zeynalov", PrintedName: "=1+1"}, "accepted")
	// Anne Martin brings three companions, two of them named.
	exec("UPDATE invitation_ceremonies SET companions = 3 WHERE invitation_id = ?", martin)
	exec("INSERT INTO invitation_companions (invitation_id, position, name) VALUES (?, 1, 'Jean Martin'), (?, 2, 'Paul Martin')", martin, martin)
	exec("UPDATE invitation_ceremonies SET checked_in_at = now(), checked_in_gate_id = ? WHERE invitation_id = ?", gate, yilmaz)

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
	if err := f.srv.DB.Gorm.Exec("UPDATE users SET locale = 'az' WHERE id = ?", f.user.ID).Error; err != nil {
		t.Fatal(err)
	}
	wantOrder(t, "name az", f.get(t, "/list?sort=name"), "Louis Bernard", "Nihad Cuma", "Leyla Çakır", "Anne Martin", "Zara Yilmaz")
	if err := f.srv.DB.Gorm.Exec("UPDATE users SET locale = 'en' WHERE id = ?", f.user.ID).Error; err != nil {
		t.Fatal(err)
	}

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
	for _, s := range []string{`class="print-landscape"`, `class="print-header"`, "Wreath-laying", "Office of the President", "Embassy of France", "☐"} {
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
}

func TestListExports(t *testing.T) {
	f := newListFixture(t)
	resp, body := f.staff.Get(f.path("/list.csv"))
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="attendees-`) {
		t.Fatalf("CSV: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	checkExport(t, "CSV", rows)

	resp, body = f.staff.Get(f.path("/list.xlsx"))
	if resp.StatusCode != http.StatusOK || !strings.HasSuffix(resp.Header.Get("Content-Disposition"), `.xlsx"`) {
		t.Fatalf("XLSX: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	x, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatalf("open XLSX: %v", err)
	}
	defer x.Close()
	rows, err = x.GetRows(x.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	checkExport(t, "XLSX", rows)
}

func checkExport(t *testing.T, what string, rows [][]string) {
	t.Helper()
	if len(rows) != 7 {
		t.Fatalf("%s: %d rows, want header + 6", what, len(rows))
	}
	if rows[0][1] != "Name" || rows[1][1] != "H.E. Leyla Çakır" || rows[2][1] != "Zara Yilmaz" {
		t.Errorf("%s: rows %q", what, rows[:3])
	}
	if got := rows[5][6]; got != "Jean Martin; Paul Martin; Companion (name not given)" {
		t.Errorf("%s: companions %q", what, got)
	}
	if got := rows[6][1]; got != "'=1+1" {
		t.Errorf("%s: formula cell %q, want it neutralised", what, got)
	}
	if rows[2][8] != "Gate North" {
		t.Errorf("%s: gate %q", what, rows[2][8])
	}
}

func TestListAccess(t *testing.T) {
	f := newListFixture(t)
	anon := f.srv.NewClient(t)
	for _, p := range []string{"/list", "/list/print", "/list.csv", "/list.xlsx"} {
		resp, _ := anon.Get(f.path(p))
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("anonymous GET %s: %d %q, want redirect to /login", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if resp, _ := f.staff.Get("/checkin/999999/list"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown ceremony: %d, want 404", resp.StatusCode)
	}
}
