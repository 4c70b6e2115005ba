package browsertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vigil/internal/auth"
	"vigil/internal/delegation"
	"vigil/internal/testserver"
)

// seedGuests adds a government delegation with guests whose names use the
// Azerbaijani letters, and two records of one person.
func seedGuests(t *testing.T, srv *testserver.Server) {
	t.Helper()
	ctx := context.Background()
	s := delegation.NewStore(srv.DB.Gorm)
	gov, err := s.CreateDelegation(ctx, delegation.DelegationInput{Name: "Cabinet of Ministers", Kind: delegation.KindGovernment, Country: "AZ"})
	if err != nil {
		t.Fatal(err)
	}
	emb, err := s.CreateDelegation(ctx, delegation.DelegationInput{Name: "Embassy of Türkiye", Kind: delegation.KindDiplomaticMission, Country: "TR"})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []delegation.GuestInput{
		{Honorific: "Mr.", GivenName: "Rəşad", FamilyName: "Əliyev", DelegationID: &gov.ID, Language: "az", VIP: true},
		{GivenName: "İlqar", FamilyName: "İsmayılov", DelegationID: &gov.ID, Language: "az"},
		{GivenName: "Mehmet", FamilyName: "Şahin", DelegationID: &emb.ID, Language: "en"},
		{GivenName: "Leyla", FamilyName: "Məmmədova", DelegationID: &gov.ID, Language: "az", Phone: "+994 12 555 01 01"},
		{GivenName: "Leila", FamilyName: "Mammadova", DelegationID: &gov.ID, Language: "ru", Email: "leila.m@example.org"},
	} {
		if _, err := s.CreateGuest(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
}

// waitResults waits until the search results are exactly one guest, want
// (htmx swaps the results in after the user stops typing).
func waitResults(t *testing.T, tab *Tab, want string) {
	t.Helper()
	var got string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		got = Eval[string](tab, `[...document.querySelectorAll("#guest-results tbody th")].map(e => e.innerText).join("|")`)
		if got == want {
			return
		}
	}
	t.Fatalf("the results never became [%s]; they are [%s]", want, got)
}

func TestDirectorySearchAndMergeInBrowser(t *testing.T) {
	srv, tab := setup(t)
	seedGuests(t, srv)
	org := createUser(t, srv, auth.RoleOrganizer, "Nigar Rzayeva", "az")
	tab.SignIn(org.Email, org.Password)

	// Instant search: typing on a Latin keyboard finds Azerbaijani names,
	// with no page load (the address follows).
	tab.Open("/guests")
	tab.Type("#q-text", "aliyev")
	waitResults(t, tab, "Mr. Rəşad Əliyev VIP")
	if p := Eval[string](tab, "location.search"); !strings.HasPrefix(p, "?q=aliyev&") {
		t.Errorf("address after search: %q", p)
	}
	Eval[string](tab, `document.querySelector("#q-text").value = ""`)
	tab.Type("#q-text", "ismayil")
	waitResults(t, tab, "İlqar İsmayılov")
	Eval[string](tab, `document.querySelector("#q-text").value = ""`)
	tab.Type("#q-text", "Şahin")
	waitResults(t, tab, "Mehmet Şahin")
	// The page is in Azerbaijani, the organizer's language.
	if h := tab.Text("h1"); h != "Qonaqlar" {
		t.Errorf("heading %q", h)
	}

	// Merge the two Leylas from the duplicates page.
	tab.Open("/guests/duplicates")
	if n := tab.Count("tbody tr"); n != 1 {
		t.Fatalf("%d possible duplicates, want 1", n)
	}
	tab.ClickAndWait("tbody tr a.button")
	// The e-mail only the second record has is chosen by default; keep the
	// second record's given name too.
	if !Eval[bool](tab, `document.querySelector("#take-email-drop").checked`) {
		t.Error("the missing e-mail is not taken from the other record by default")
	}
	tab.Do(chromedp.Click(chromedp.CSS("#take-given_name-drop")))
	Eval[bool](tab, "(window.confirm = () => true, true)")
	tab.ClickAndWait(`form[action="/guests/merge"] button[type=submit]`)
	if !strings.HasPrefix(tab.Path(), "/guests/") {
		t.Fatalf("after merging: %s", tab.Path())
	}
	summary := tab.Text(".summary-list")
	for _, want := range []string{"Leila Məmmədova", "leila.m@example.org", "+994 12 555 01 01"} {
		if !strings.Contains(summary, want) {
			t.Errorf("merged guest lacks %q: %q", want, summary)
		}
	}
	tab.Open("/guests/duplicates")
	if n := tab.Count("tbody tr"); n != 0 {
		t.Errorf("%d duplicates left after the merge", n)
	}
}
