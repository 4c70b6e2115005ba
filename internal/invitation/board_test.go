package invitation_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"vigil/internal/invitation"
)

// boardTable returns the cells of each row of the table with id, keyed by
// the row's header text (tags stripped).
func boardTable(t *testing.T, body, id string) map[string][]string {
	t.Helper()
	start := strings.Index(body, `id="`+id+`"`)
	if start < 0 {
		t.Fatalf("no table %s", id)
	}
	table := body[start:]
	table = table[:strings.Index(table, "</table>")]
	tags := regexp.MustCompile(`<[^>]+>`)
	clean := func(s string) string {
		return strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(s, " "))), " ")
	}
	rows := map[string][]string{}
	for _, tr := range regexp.MustCompile(`(?s)<tr[^>]*>(.*?)</tr>`).FindAllStringSubmatch(table, -1) {
		th := regexp.MustCompile(`(?s)<th scope="row">(.*?)</th>`).FindStringSubmatch(tr[1])
		if th == nil {
			continue
		}
		var cells []string
		for _, td := range regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`).FindAllStringSubmatch(tr[1], -1) {
			cells = append(cells, clean(td[1]))
		}
		rows[clean(th[1])] = cells
	}
	return rows
}

func TestBoardNumbers(t *testing.T) {
	f := orgSetup(t)
	ctx := context.Background()
	link := invitation.Actor{Via: invitation.ViaLink}
	f.invite(t, 1, []int64{f.wreath, f.reception}, "jean")
	f.invite(t, 0, []int64{f.wreath, f.reception}, "nino")
	f.invite(t, 0, []int64{f.wreath}, "giorgi")
	f.invite(t, 0, []int64{f.reception}, "marie", "paul", "ilahe")
	answer := func(guest string, accept map[int64]bool, companions ...string) {
		t.Helper()
		if _, err := f.store.Answer(ctx, f.inv(t, guest), invitation.Response{Accept: accept, Companions: companions}, link); err != nil {
			t.Fatal(err)
		}
	}
	answer("jean", map[int64]bool{f.wreath: true, f.reception: false}, "Claire Dubois") // 2 seats
	answer("nino", map[int64]bool{f.wreath: true})                                      // 1 seat: full
	answer("giorgi", map[int64]bool{f.wreath: true})                                    // waitlisted
	answer("marie", map[int64]bool{f.reception: true})
	answer("ilahe", map[int64]bool{f.reception: false})
	// Paul has not answered.

	resp, body := f.staff.Get("/editions/2027/rsvp")
	orgStatus(t, "board", resp, http.StatusOK)

	// Per ceremony: invited, accepted, seats, declined, waitlisted, not
	// answered, and seats against capacity.
	cer := boardTable(t, body, "board-ceremonies")
	want := map[string][]string{
		"Wreath-laying": {"3", "2", "3", "0", "1", "0", "3 / 3 Full"},
		"Reception":     {"5", "1", "1", "2", "0", "2", "No limit"},
	}
	for name, cells := range want {
		var got []string
		for k, v := range cer {
			if strings.HasPrefix(k, name) {
				got = v
			}
		}
		if !slices.Equal(got, cells) {
			t.Errorf("ceremony %s: %q, want %q", name, got, cells)
		}
	}
	if _, ok := cer["Concert"]; ok {
		t.Error("a cancelled ceremony nobody is invited to is on the board")
	}

	// By delegation, in order of precedence, and by kind with the total.
	del := boardTable(t, body, "board-delegations")
	for name, cells := range map[string][]string{
		"Embassy of France":     {"3", "4", "2", "3", "1", "0", "1"},
		"Parliament of Georgia": {"2", "3", "1", "1", "0", "1", "1"},
		"No delegation":         {"1", "1", "0", "0", "1", "0", "0"},
	} {
		if !slices.Equal(del[name], cells) {
			t.Errorf("delegation %s: %q, want %q", name, del[name], cells)
		}
	}
	kinds := boardTable(t, body, "board-kinds")
	for name, cells := range map[string][]string{
		"Diplomatic mission": {"3", "4", "2", "3", "1", "0", "1"},
		"Parliament":         {"2", "3", "1", "1", "0", "1", "1"},
		"All guests":         {"6", "8", "3", "4", "2", "1", "2"},
	} {
		if !slices.Equal(kinds[name], cells) {
			t.Errorf("kind %s: %q, want %q", name, kinds[name], cells)
		}
	}

	// Answers over time: 5 of 6 guests, as a chart with a text
	// alternative and a table; those not answered listed.
	orgWant(t, "board", body, "<svg", "<title id=\"chart-title\">", "5 of 6 guests (83%) answered", "<polyline points=",
		"Paul Girard", "/editions/2027/invitations?status=unanswered")
	if strings.Contains(body, " style=") {
		t.Error("inline style on the board (CSP)")
	}
	// The not answered list on the invitation list matches.
	_, list := f.staff.Get("/editions/2027/invitations?status=unanswered")
	orgWant(t, "unanswered list", list, "Paul Girard", "6 invited, 1 not answered")
	if strings.Contains(list, "Jean Dubois") {
		t.Error("an answered guest is listed as not answered")
	}
}
