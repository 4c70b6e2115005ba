package invitation_test

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"vigil/internal/delegation"
	"vigil/internal/invitation"
)

// The invitation list pages, filters and sorts in the database: these
// check that the pages together are the whole list in the list's order
// (delegations in order of precedence, VIPs first, names in the reader's
// collation, guests without a delegation last), that every filter and its
// count hold across pages, and that the print view is the whole filtered
// list with the same cells.

var (
	listRowRe  = regexp.MustCompile(`<th scope="row"><a href="/editions/2027/invitations/\d+">([^<]+)</a>`)
	printRowRe = regexp.MustCompile(`<th scope="row">([^<]+?)(?: \([^)]*\))?</th>`)
)

func rowNames(re *regexp.Regexp, body string) []string {
	var out []string
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

func TestInvitationListPagesInSQL(t *testing.T) {
	f := orgSetup(t)
	ctx := context.Background()
	f.invite(t, 0, []int64{f.wreath}, "jean", "marie", "paul", "anne", "nino", "giorgi", "ilahe")
	// A third delegation of 231 guests: a VIP, two names that sort apart
	// in English and Azerbaijani (Ç is a letter of its own there), and
	// "Guest 000" … "Guest 227".
	crowd, err := delegation.NewStore(f.srv.DB.Gorm).CreateDelegation(ctx, delegation.DelegationInput{Name: "Crowd Society", Kind: "civil_society"})
	if err != nil {
		t.Fatal(err)
	}
	var crowdIDs []int64
	add := func(given, family string, vip bool) int64 {
		t.Helper()
		id := f.srv.InsertID(t, "INSERT INTO guests (given_name, family_name, delegation_id, vip) VALUES (?, ?, ?, ?)", given, family, crowd.ID, vip)
		crowdIDs = append(crowdIDs, id)
		return id
	}
	for i := range 228 {
		add("Guest", fmt.Sprintf("%03d", 227-i), false)
	}
	add("Zed", "Last", true)
	add("Çağa", "Ab", false)
	add("Cz", "Ab", false)
	if _, err := f.store.InviteGuests(ctx, invitation.Invite{EditionID: f.edition, GuestIDs: crowdIDs, Companions: 2,
		Ceremonies: []invitation.CeremonyZone{{CeremonyID: f.reception}}}, invitation.Actor{Via: invitation.ViaOrganizer}); err != nil {
		t.Fatal(err)
	}
	// Five of the crowd declined the reception; one of them named a
	// companion.
	f.srv.Exec(t, `UPDATE invitation_ceremonies SET status = 'declined' WHERE ceremony_id = ? AND invitation_id IN
		(SELECT i.id FROM invitations i JOIN guests g ON g.id = i.guest_id WHERE g.family_name IN ('010', '020', '030', '040', '200'))`, f.reception)
	f.srv.Exec(t, `UPDATE invitations SET responded_at = now(), responded_via = 'link' WHERE id IN
		(SELECT invitation_id FROM invitation_ceremonies WHERE status = 'declined')`)
	f.srv.Exec(t, `INSERT INTO invitation_companions (invitation_id, position, name)
		SELECT i.id, 1, 'A companion' FROM invitations i JOIN guests g ON g.id = i.guest_id WHERE g.family_name = '200'`)

	// The whole list's order, as the print view gives it.
	_, body := f.staff.Get(f.path("/print"))
	all := rowNames(printRowRe, body)
	if len(all) != 238 {
		t.Fatalf("print lists %d rows, want 238", len(all))
	}
	orgWant(t, "print", body, "238 invited, 233 not answered")
	at := func(names []string, n string) int {
		i := slices.Index(names, n)
		if i < 0 {
			t.Fatalf("%q not listed", n)
		}
		return i
	}
	var want []string
	for i := range 228 {
		want = append(want, fmt.Sprintf("Guest %03d", i))
	}
	crowdAt := at(all, "Zed Last")
	if got := all[crowdAt:min(crowdAt+231, len(all))]; !slices.Equal(got, slices.Concat([]string{"Zed Last", "Çağa Ab", "Cz Ab"}, want)) {
		t.Errorf("crowd in order %q…", got[:min(6, len(got))])
	}
	if at(all, "Jean Dubois") > at(all, "Anne Petit") || at(all, "Anne Petit") > at(all, "Marie Laurent") {
		t.Errorf("France not VIP first then by name: %q", all[:6])
	}
	if all[len(all)-1] != "İlahə Gülçöhrə Ağaşıyeva" {
		t.Errorf("last row %q, want the guest without a delegation", all[len(all)-1])
	}
	// The three pages are the list, a hundred rows at a time.
	var paged []string
	for pg := 1; pg <= 3; pg++ {
		_, body := f.staff.Get(f.path("?page=" + strconv.Itoa(pg)))
		rows := rowNames(listRowRe, body)
		if want := []int{100, 100, 38}[pg-1]; len(rows) != want {
			t.Fatalf("page %d has %d rows, want %d", pg, len(rows), want)
		}
		paged = append(paged, rows...)
	}
	if !slices.Equal(paged, all) {
		t.Error("the pages are not the printed list in order")
	}
	// A page past the end shows the last one.
	_, body = f.staff.Get(f.path("?page=9"))
	if rows := rowNames(listRowRe, body); len(rows) != 38 || rows[37] != all[237] {
		t.Errorf("page 9 shows %d rows", len(rows))
	}

	// Names sort in the reader's collation: in Azerbaijani Ç follows C.
	f.srv.Exec(t, "UPDATE users SET locale = 'az' WHERE id = ?", f.staffID)
	_, body = f.staff.Get(f.path("/print"))
	az := rowNames(printRowRe, body)
	if i := at(az, "Cz Ab"); i > at(az, "Çağa Ab") {
		t.Error("Azerbaijani order puts Ç before C")
	}
	f.srv.Exec(t, "UPDATE users SET locale = 'en' WHERE id = ?", f.staffID)

	// Filters, their count, and paging inside them.
	q := "?ceremony=" + strconv.FormatInt(f.reception, 10) + "&status=declined"
	_, body = f.staff.Get(f.path(q))
	if rows := rowNames(listRowRe, body); !slices.Equal(rows, []string{"Guest 010", "Guest 020", "Guest 030", "Guest 040", "Guest 200"}) {
		t.Errorf("declined reception: %q", rows)
	}
	orgWant(t, "declined", body, "5 invitations match the filters", "238 invited, 233 not answered", "1 / 2", "Declined")
	_, body = f.staff.Get(f.path("?status=unanswered&kind=civil_society&page=3"))
	if rows := rowNames(listRowRe, body); len(rows) != 26 || rows[25] != "Guest 227" {
		t.Errorf("unanswered civil society page 3: %d rows", len(rows))
	}
	orgWant(t, "unanswered", body, "226 invitations match the filters", "page=2")
	_, body = f.staff.Get(f.path("?delegation=" + strconv.FormatInt(f.france, 10) + "&ceremony=" + strconv.FormatInt(f.wreath, 10)))
	if rows := rowNames(listRowRe, body); !slices.Equal(rows, []string{"Jean Dubois", "Anne Petit", "Marie Laurent", "Paul Girard"}) {
		t.Errorf("France at the wreath-laying: %q", rows)
	}
	_, body = f.staff.Get(f.path("?ceremony=" + strconv.FormatInt(f.cancelled, 10)))
	orgWant(t, "nobody at the concert", body, "No invitation matches these filters")
	// A ceremony, delegation or kind there is not (an old bookmark) is
	// dropped, as an unknown status is: the whole list, not an empty one
	// under filters reading "All"; the filters that exist stay.
	for _, bad := range []string{"?ceremony=999999", "?delegation=999999", "?kind=nonsense", "?ceremony=999999&delegation=999999&kind=nonsense"} {
		_, body = f.staff.Get(f.path(bad))
		if rows := rowNames(listRowRe, body); len(rows) != 100 || strings.Contains(body, "match the filters") {
			t.Errorf("%s: %d rows, filtered=%v; want the unfiltered first page", bad, len(rows), strings.Contains(body, "match the filters"))
		}
	}
	_, body = f.staff.Get(f.path("?status=declined&ceremony=999999"))
	orgWant(t, "declined, unknown ceremony", body, "invitations match the filters", "Declined")
	_, body = f.staff.Get(f.path("/print?kind=civil_society&status=declined"))
	if rows := rowNames(printRowRe, body); len(rows) != 5 || !strings.Contains(body, "5 invitations match the filters") {
		t.Errorf("print of the filter: %q", rows)
	}

	// The RSVP board's counts per delegation, in one query.
	tallies, err := f.store.DelegationTallies(ctx, f.edition)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]invitation.DelegationTally{}
	for _, d := range tallies {
		var id int64
		if d.DelegationID != nil {
			id = *d.DelegationID
		}
		got[id] = d
	}
	if c := got[crowd.ID]; len(got) != 4 || c.Guests != 231 || c.Invited != 231 || c.Declined != 5 || c.Pending != 226 ||
		c.Name != "Crowd Society" || c.Kind != "civil_society" || int64(c.Precedence) != f.int(t, "SELECT precedence FROM delegations WHERE id = ?", crowd.ID) {
		t.Errorf("crowd tally %+v of %d groups", c, len(got))
	}
	if fr, none := got[f.france], got[0]; fr.Guests != 4 || fr.Pending != 4 || none.Guests != 1 || none.Name != "" {
		t.Errorf("France %+v, no delegation %+v", fr, none)
	}
}
