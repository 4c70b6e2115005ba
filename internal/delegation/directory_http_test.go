package delegation_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"vigil/internal/auth"
	"vigil/internal/testserver"
)

// directoryClients starts a server with a signed-in organizer and staff
// member.
func directoryClients(t *testing.T) (srv *testserver.Server, org, staff *testserver.Client) {
	t.Helper()
	srv = testserver.Start(t)
	srv.AddUser(t, "org@example.org", auth.RoleOrganizer)
	srv.AddUser(t, "staff@example.org", auth.RoleStaff)
	org, staff = srv.NewClient(t), srv.NewClient(t)
	org.Login("org@example.org")
	staff.Login("staff@example.org")
	return srv, org, staff
}

func idFrom(t *testing.T, resp *http.Response, prefix string) int64 {
	t.Helper()
	loc := resp.Header.Get("Location")
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, prefix), 10, 64)
	if err != nil {
		t.Fatalf("redirect %q is not %sID", loc, prefix)
	}
	return id
}

func count(t *testing.T, srv *testserver.Server, table string) int64 {
	t.Helper()
	var n int64
	if err := srv.DB.Gorm.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDelegationAndGuestForms(t *testing.T) {
	srv, org, staff := directoryClients(t)

	// Bad input: a message beside each field, nothing saved.
	resp, body := org.Post("/delegations", url.Values{"name": {""}, "kind": {"press"}, "country": {"XX"}, "credentials_presented_on": {"2020-02-30"}, "rank": {"0"}})
	status(t, "bad delegation", resp, http.StatusUnprocessableEntity)
	want(t, "bad delegation form", body, "Enter the delegation&#39;s name", "Choose a country from the list", "Enter the date as a real day", "whole number")
	resp, body = org.Post("/delegations", url.Values{"name": {"Embassy of Japan"}, "kind": {"press"}, "country": {"JP"}, "credentials_presented_on": {"2020-02-03"}})
	status(t, "credentials on the press", resp, http.StatusUnprocessableEntity)
	want(t, "credentials on the press", body, "Only diplomatic missions have a credentials date", `value="Embassy of Japan"`)
	if n := count(t, srv, "delegations"); n != 0 {
		t.Fatalf("%d delegations saved from bad forms", n)
	}

	resp, _ = org.Post("/delegations", url.Values{"name": {"Embassy of Japan"}, "kind": {"diplomatic_mission"}, "country": {"JP"}, "credentials_presented_on": {"2020-02-03"}})
	status(t, "create delegation", resp, http.StatusSeeOther)
	did := idFrom(t, resp, "/delegations/")
	_, body = staff.Get("/delegations")
	want(t, "delegation list", body, "Embassy of Japan", "Japan", "Diplomatic mission")
	resp, _ = staff.Post("/delegations", url.Values{"name": {"X"}, "kind": {"press"}})
	status(t, "staff creates a delegation", resp, http.StatusForbidden)

	// The same list in Azerbaijani names the country in Azerbaijani.
	az := srv.NewClient(t)
	az.Login("staff@example.org")
	resp, _ = az.Post("/language", url.Values{"locale": {"az"}, "back": {"/delegations"}})
	status(t, "switch to Azerbaijani", resp, http.StatusSeeOther)
	_, body = az.Get("/delegations")
	want(t, "Azerbaijani list", body, "Yaponiya", "Diplomatik nümayəndəlik")

	// Guests.
	dids := strconv.FormatInt(did, 10)
	guest := url.Values{"honorific": {"H.E."}, "given_name": {"Haruto"}, "family_name": {"Satō"}, "delegation_id": {dids},
		"email": {"not-an-address"}, "language": {"en"}, "vip": {"on"}, "restricted_notes": {"Arrives from the airport at 09:30"}}
	resp, body = org.Post("/guests", guest)
	status(t, "bad e-mail", resp, http.StatusUnprocessableEntity)
	want(t, "bad guest form", body, "Enter an e-mail address like name@example.org", `value="Satō"`, `value="not-an-address"`)
	guest.Set("email", "h.sato@example.org")
	resp, _ = org.Post("/guests", guest)
	status(t, "create guest", resp, http.StatusSeeOther)
	gid := idFrom(t, resp, "/guests/")
	// A second guest with the same e-mail is refused beside the field.
	guest.Set("given_name", "Other")
	resp, body = org.Post("/guests", guest)
	status(t, "same e-mail", resp, http.StatusUnprocessableEntity)
	want(t, "same e-mail", body, "Another guest already has this e-mail address")
	if n := count(t, srv, "guests"); n != 1 {
		t.Fatalf("%d guests, want 1", n)
	}

	// Restricted notes are for organizers only.
	_, body = org.Get("/guests/" + strconv.FormatInt(gid, 10))
	want(t, "organizer's guest page", body, "Arrives from the airport at 09:30", "H.E. Haruto Satō")
	_, body = staff.Get("/guests/" + strconv.FormatInt(gid, 10))
	if strings.Contains(body, "Arrives from the airport") {
		t.Error("staff see restricted notes")
	}
	want(t, "staff's guest page", body, "H.E. Haruto Satō", "Embassy of Japan")

	// The delegation cannot be deleted while it has guests.
	resp, body = org.Post("/delegations/"+dids+"/delete", nil)
	status(t, "delete delegation with guests", resp, http.StatusConflict)
	want(t, "refused delete", body, "still has guests")

	// Editing with a stale version tells the second editor.
	resp, body = org.Post("/guests/"+strconv.FormatInt(gid, 10), url.Values{"family_name": {"Sato"}, "language": {"en"}, "version": {"0"}})
	status(t, "stale guest edit", resp, http.StatusConflict)
	want(t, "stale guest edit", body, "Someone else saved")
}

func TestDirectorySearchAndMerge(t *testing.T) {
	srv, org, staff := directoryClients(t)
	resp, _ := org.Post("/delegations", url.Values{"name": {"Cabinet of Ministers"}, "kind": {"government"}, "country": {"AZ"}})
	status(t, "create delegation", resp, http.StatusSeeOther)
	dids := strings.TrimPrefix(resp.Header.Get("Location"), "/delegations/")
	ids := map[string]int64{}
	for _, g := range []url.Values{
		{"given_name": {"Rəşad"}, "family_name": {"Əliyev"}, "email": {"r.aliyev@example.org"}},
		{"given_name": {"Leyla"}, "family_name": {"Məmmədova"}, "phone": {"+994 12 555 01 01"}},
		{"given_name": {"Leila"}, "family_name": {"Mammadova"}, "email": {"leila@example.org"}, "dietary_needs": {"Vegetarian"}},
		{"given_name": {"Mehmet"}, "family_name": {"Şahin"}},
	} {
		g.Set("delegation_id", dids)
		g.Set("language", "az")
		resp, _ := org.Post("/guests", g)
		status(t, "create "+g.Get("family_name"), resp, http.StatusSeeOther)
		ids[g.Get("family_name")] = idFrom(t, resp, "/guests/")
	}

	// Search as people type on a Latin keyboard, with and without htmx.
	_, body := staff.Get("/guests?q=aliyev")
	want(t, "search aliyev", body, "Rəşad Əliyev", "1 guest")
	if strings.Contains(body, "Şahin") {
		t.Error("search aliyev also lists Şahin")
	}
	resp, body = staff.DoHeader(http.MethodGet, "/guests?q=sahin", nil, http.Header{"Hx-Request": {"true"}})
	status(t, "htmx search", resp, http.StatusOK)
	want(t, "htmx search", body, `id="guest-results"`, "Mehmet Şahin")

	// The two Leylas are offered as possible duplicates and merged.
	_, body = org.Get("/guests/duplicates")
	want(t, "duplicates", body, "Leyla Məmmədova", "Leila Mammadova")
	keep, drop := strconv.FormatInt(ids["Məmmədova"], 10), strconv.FormatInt(ids["Mammadova"], 10)
	_, body = org.Get("/guests/merge?keep=" + keep + "&drop=" + drop)
	want(t, "merge form", body, "Leyla", "Leila", "&#43;994 12 555 01 01", "leila@example.org", `name="take_email" value="drop" checked`)
	form := url.Values{"keep": {keep}, "drop": {drop}, "take_email": {"drop"}, "take_dietary_needs": {"drop"}, "take_given_name": {"keep"}}
	// (Post adds the client's CSRF token to the form it is given.)
	resp, _ = staff.Post("/guests/merge", url.Values{"keep": {keep}, "drop": {drop}})
	status(t, "staff merge", resp, http.StatusForbidden)
	resp, _ = org.Post("/guests/merge", form)
	status(t, "merge", resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/guests/"+keep {
		t.Errorf("merge redirects to %q", loc)
	}
	_, body = org.Get("/guests/" + keep)
	want(t, "merged guest", body, "Leyla Məmmədova", "leila@example.org", "Vegetarian", "&#43;994 12 555 01 01")
	// A second click changes nothing and says so.
	resp, _ = org.Post("/guests/merge", form)
	status(t, "second merge", resp, http.StatusSeeOther)
	_, body = org.Get(resp.Header.Get("Location"))
	want(t, "second merge", body, "merged or deleted already")
	if n := count(t, srv, "guests"); n != 3 {
		t.Errorf("%d guests after the merge, want 3", n)
	}
	// Not the same person: the pair is not offered again.
	sahin, aliyev := strconv.FormatInt(ids["Şahin"], 10), strconv.FormatInt(ids["Əliyev"], 10)
	resp, _ = org.Post("/guests/duplicates/distinct", url.Values{"a": {sahin}, "b": {aliyev}})
	status(t, "mark distinct", resp, http.StatusSeeOther)
	if n := count(t, srv, "guest_distinct_pairs"); n != 1 {
		t.Errorf("%d distinct pairs", n)
	}
}
