package invitation

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

// Forms of the organizer pages: inviting, and an answer staff record on a
// guest's behalf.

// Ways of inviting; each is a form of its own on the invite page.
const (
	modeGuests      = "guests"
	modeDelegations = "delegations"
	modeFilter      = "filter"
)

// Who of a delegation is invited.
const (
	membersAll  = "all"
	membersHead = "head"
)

// Channels through which staff receive an answer.
var channels = []string{"phone", "diplomatic_note", "email", "in_person"}

// maxExtra bounds the "head of delegation plus N" choice.
const maxExtra = 50

// inviteForm is a posted invite form.
type inviteForm struct {
	Mode       string
	Ceremonies []CeremonyZone
	Companions int
	Send       bool
	// Chosen holds the ids ticked (ceremonies, guests, delegations) and
	// Zones the zone chosen per ceremony, to show the form again.
	Chosen map[string]map[int64]bool
	Zones  map[int64]string
	// Guests and Delegations are the ids ticked in those modes.
	Guests      []int64
	Delegations []int64
	Members     string
	Extra       int
	Filter      GuestFilter
}

// formIDs reads the positive ids of a repeated field.
func formIDs(c echo.Context, field string) []int64 {
	var out []int64
	params, err := c.FormParams()
	if err != nil {
		return nil
	}
	seen := map[int64]bool{}
	for _, v := range params[field] {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err == nil && n > 0 && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

func idSet(ids []int64) map[int64]bool {
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// bindInvite reads the invite form of one mode. Errors are recorded on
// fields named "<mode>-<field>", so the summary links to the right form.
// ceremonies are the edition's, to check the ticked ones against.
func bindInvite(c echo.Context, ceremonies []CeremonyInfo) (inviteForm, *view.Form) {
	b := view.Bind(c)
	f := inviteForm{Mode: c.FormValue("mode"), Chosen: map[string]map[int64]bool{}, Zones: map[int64]string{}}
	switch f.Mode {
	case modeGuests, modeDelegations, modeFilter:
	default:
		f.Mode = modeGuests
	}
	field := func(name string) string { return f.Mode + "-" + name }
	byID := map[int64]CeremonyInfo{}
	for _, ce := range ceremonies {
		byID[ce.ID] = ce
	}
	chosen := formIDs(c, "ceremony")
	f.Chosen["ceremony"] = idSet(chosen)
	for _, id := range chosen {
		ce, ok := byID[id]
		if !ok || ce.Status == "cancelled" {
			b.Form.Add(field("ceremony"), "invitations.error.ceremony")
			continue
		}
		cz := CeremonyZone{CeremonyID: id}
		if v := strings.TrimSpace(c.FormValue("zone_" + strconv.FormatInt(id, 10))); v != "" {
			f.Zones[id] = v
			z, err := strconv.ParseInt(v, 10, 64)
			if err != nil || !hasZone(ce, z) {
				b.Form.Add(field("ceremony"), "invitations.error.zone")
			} else {
				cz.ZoneID = &z
			}
		}
		f.Ceremonies = append(f.Ceremonies, cz)
	}
	if len(chosen) == 0 {
		b.Form.Add(field("ceremony"), "invitations.error.no_ceremony")
	}
	// Each form names its companions field after itself, so the three
	// fields on the page have ids of their own.
	raw := b.Raw(field("companions"))
	if raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > MaxCompanions {
			b.Form.Add(field("companions"), "form.error.whole_number", "Min", 0, "Max", MaxCompanions)
		} else {
			f.Companions = n
		}
	}
	f.Send = c.FormValue("send") == "on"
	switch f.Mode {
	case modeGuests:
		f.Guests = formIDs(c, "guest")
		f.Chosen["guest"] = idSet(f.Guests)
		if len(f.Guests) == 0 {
			b.Form.Add(field("guest"), "invitations.error.no_guest")
		}
	case modeDelegations:
		f.Delegations = formIDs(c, "delegation")
		f.Chosen["delegation"] = idSet(f.Delegations)
		if len(f.Delegations) == 0 {
			b.Form.Add(field("delegation"), "invitations.error.no_delegation")
		}
		f.Members = b.Raw("members")
		if f.Members != membersAll && f.Members != membersHead {
			b.Form.Add(field("members"), "invitations.error.members")
		}
		if f.Members == membersHead {
			raw := strings.TrimSpace(c.FormValue("extra"))
			b.Form.Values["extra"] = raw
			if raw != "" {
				n, err := strconv.Atoi(raw)
				if err != nil || n < 0 || n > maxExtra {
					b.Form.Add(field("extra"), "form.error.whole_number", "Min", 0, "Max", maxExtra)
				} else {
					f.Extra = n
				}
			}
		}
	case modeFilter:
		f.Filter = GuestFilter{Text: b.Text("fq", 200), Kind: b.Raw("fkind"), Language: b.Raw("flanguage"), VIPOnly: b.Raw("fvip") == "on"}
		if id, err := strconv.ParseInt(b.Raw("fdelegation"), 10, 64); err == nil && id > 0 {
			f.Filter.DelegationID = id
		}
	}
	return f, b.Form
}

func hasZone(ce CeremonyInfo, id int64) bool {
	for _, z := range ce.Zones {
		if z.ID == id {
			return true
		}
	}
	return false
}

// staffAnswerForm is an answer staff record.
type staffAnswerForm struct {
	Response Response
	Channel  string
}

// bindStaffAnswer reads the answer form: per invited ceremony accept or
// decline, companions by name up to allowed, needs, phone, and the channel
// the answer came through.
func bindStaffAnswer(c echo.Context, inv *Invitation) (staffAnswerForm, *view.Form) {
	b := view.Bind(c)
	var f staffAnswerForm
	f.Response.Accept = map[int64]bool{}
	for _, a := range inv.Ceremonies {
		name := "answer_" + strconv.FormatInt(a.CeremonyID, 10)
		switch b.Raw(name) {
		case "accept":
			f.Response.Accept[a.CeremonyID] = true
		case "decline":
			f.Response.Accept[a.CeremonyID] = false
		default:
			b.Form.Add(name, "invitation.error.choose_answer")
		}
	}
	for i := 1; i <= inv.CompanionsAllowed; i++ {
		if n := b.Text("companion_"+strconv.Itoa(i), 200); n != "" {
			f.Response.Companions = append(f.Response.Companions, n)
		}
	}
	// A name typed beyond the places allowed (a form changed meanwhile)
	// is an error, not silently dropped.
	for i := inv.CompanionsAllowed + 1; i <= MaxCompanions; i++ {
		if strings.TrimSpace(c.FormValue("companion_"+strconv.Itoa(i))) != "" {
			b.Form.Add("companion_1", "invitation.error.too_many_companions", "Count", inv.CompanionsAllowed)
			break
		}
	}
	f.Response.AccessibilityNeeds = b.Text("accessibility_needs", 1000)
	f.Response.DietaryNeeds = b.Text("dietary_needs", 1000)
	f.Response.ContactPhone = b.Text("contact_phone", 50)
	f.Channel = b.Choice("channel", channels, "invitation.error.channel")
	// The page shown again with the errors has the companions form too,
	// which shows what is saved.
	b.Form.Values["companions_allowed"] = strconv.Itoa(inv.CompanionsAllowed)
	return f, b.Form
}

// staffAnswerValues fills the answer form from what is saved.
func staffAnswerValues(inv *Invitation) map[string]string {
	v := map[string]string{
		"accessibility_needs": inv.AccessibilityNeeds, "dietary_needs": inv.DietaryNeeds,
		"contact_phone": inv.ContactPhone, "channel": "phone",
		"companions_allowed": strconv.Itoa(inv.CompanionsAllowed),
	}
	for _, a := range inv.Ceremonies {
		name := "answer_" + strconv.FormatInt(a.CeremonyID, 10)
		switch a.Status {
		case StatusAccepted, StatusWaitlisted:
			v[name] = "accept"
		case StatusDeclined:
			v[name] = "decline"
		}
	}
	for _, cp := range inv.Companions {
		v["companion_"+strconv.Itoa(cp.Position)] = cp.Name
	}
	return v
}
