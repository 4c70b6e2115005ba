package invitation_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"vigil/internal/invitation"
)

// Moving a published ceremony in time or to another venue queues one
// "changed" e-mail per guest who may still come (pending, accepted,
// waitlisted), in the transaction of the change, through the app's real
// wiring: the organizer's form, the ceremony store, the invitation store
// and the mail service's message log. Declined guests and revoked links
// get none; a new title, a stale form or a draft ceremony send nothing.
func TestCeremonyChangeNotice(t *testing.T) {
	f := orgSetup(t)
	ctx := context.Background()
	f.invite(t, 0, []int64{f.wreath}, "jean", "marie", "paul", "anne", "nino", "giorgi", "ilahe")
	f.invite(t, 0, []int64{f.reception}, "paul")
	link := invitation.Actor{Via: invitation.ViaLink}
	answer := func(guest string, accept bool) {
		t.Helper()
		if _, err := f.store.Answer(ctx, f.inv(t, guest), invitation.Response{Accept: map[int64]bool{f.wreath: accept}}, link); err != nil {
			t.Fatalf("answer of %s: %v", guest, err)
		}
	}
	// Three seats: jean, nino and giorgi take them, anne waits; marie
	// declines; paul does not answer; ilahe's link is revoked.
	answer("jean", true)
	answer("nino", true)
	answer("giorgi", true)
	answer("anne", true)
	answer("marie", false)
	if st := f.status(t, "anne", f.wreath); st != invitation.StatusWaitlisted {
		t.Fatalf("anne is %s, want waitlisted", st)
	}
	if err := f.store.Revoke(ctx, f.inv(t, "ilahe"), invitation.Actor{Via: invitation.ViaOrganizer}); err != nil {
		t.Fatal(err)
	}
	told := []string{"jean", "nino", "giorgi", "anne", "paul"}
	untold := []string{"marie", "ilahe"}

	var venue, other int64
	if err := f.srv.DB.Gorm.Raw("SELECT venue_id FROM ceremonies WHERE id = ?", f.wreath).Scan(&venue).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.srv.DB.Gorm.Raw("INSERT INTO venues (name, address) VALUES ('Memorial hall', '2 Memorial Avenue') RETURNING id").Scan(&other).Error; err != nil {
		t.Fatal(err)
	}
	version := func(id int64) string {
		return strconv.FormatInt(f.int(t, "SELECT version FROM ceremonies WHERE id = ?", id), 10)
	}
	form := func(title string, venueID int64, start, end, version string) url.Values {
		v := url.Values{"title": {title}, "kind": {"wreath_laying"}, "venue_id": {strconv.FormatInt(venueID, 10)},
			"date": {"2027-02-26"}, "start": {start}, "end": {end}, "capacity": {"3"}, "version": {version}}
		if venueID == venue {
			v.Set("zones", strconv.FormatInt(f.zone, 10))
		}
		return v
	}
	post := func(id int64, v url.Values, want int) {
		t.Helper()
		resp, _ := f.org.Post("/editions/"+strconv.Itoa(orgYear)+"/ceremonies/"+strconv.FormatInt(id, 10), v)
		orgStatus(t, "update ceremony", resp, want)
	}
	notices := func(guest string) int64 {
		t.Helper()
		return f.int(t, "SELECT count(*) FROM messages WHERE invitation_id = ? AND template = 'changed'", f.inv(t, guest))
	}
	check := func(step string, want int64) {
		t.Helper()
		for _, g := range told {
			if n := notices(g); n != want {
				t.Errorf("%s: %d change notices to %s, want %d", step, n, g, want)
			}
			if n := f.int(t, "SELECT count(*) FROM invitation_events WHERE invitation_id = ? AND action = 'ceremony_changed'", f.inv(t, g)); n != want {
				t.Errorf("%s: %d history entries for %s, want %d", step, n, g, want)
			}
		}
		for _, g := range untold {
			if n := notices(g); n != 0 {
				t.Errorf("%s: %d change notices to %s, want none", step, n, g)
			}
		}
	}

	// A new title is not worth an e-mail.
	stale := version(f.wreath)
	post(f.wreath, form("Wreath-laying at the memorial", venue, "11:00", "12:00", stale), http.StatusSeeOther)
	if f.text(t, "SELECT title FROM ceremonies WHERE id = ?", f.wreath) != "Wreath-laying at the memorial" {
		t.Fatal("the title was not saved")
	}
	check("new title", 0)

	// A form opened before that save is stale: nothing saved, nothing sent.
	post(f.wreath, form("Wreath-laying at the memorial", venue, "10:30", "11:30", stale), http.StatusConflict)
	if f.int(t, "SELECT count(*) FROM ceremonies WHERE id = ? AND starts_at = '2027-02-26 07:00Z'", f.wreath) != 1 {
		t.Fatal("the stale form moved the ceremony")
	}
	check("stale form", 0)

	// Half an hour earlier: one notice to each guest who may still come.
	post(f.wreath, form("Wreath-laying at the memorial", venue, "10:30", "11:30", version(f.wreath)), http.StatusSeeOther)
	check("new time", 1)
	if n := f.int(t, "SELECT count(*) FROM messages WHERE template = 'changed'"); n != int64(len(told)) {
		t.Errorf("%d change notices in all, want %d", n, len(told))
	}

	// Another venue: a second notice each.
	post(f.wreath, form("Wreath-laying at the memorial", other, "10:30", "11:30", version(f.wreath)), http.StatusSeeOther)
	check("new venue", 2)

	// The reception is a draft: guests do not see it, so its new time
	// tells nobody.
	post(f.reception, url.Values{"title": {"Reception"}, "kind": {"reception"}, "date": {"2027-02-26"},
		"start": {"17:00"}, "end": {"19:00"}, "version": {version(f.reception)}}, http.StatusSeeOther)
	if f.int(t, "SELECT count(*) FROM ceremonies WHERE id = ? AND starts_at = '2027-02-26 13:00Z'", f.reception) != 1 {
		t.Fatal("the reception was not moved")
	}
	check("draft moved", 2)
}
