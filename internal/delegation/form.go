package delegation

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

// Length limits of free-text fields.
const (
	maxName  = 200
	maxShort = 200
	maxNotes = 4000
)

// Delegation form -------------------------------------------------------------------

func bindDelegation(c echo.Context) (DelegationInput, int, *view.Form) {
	b := view.Bind(c)
	in := DelegationInput{
		Name:         b.Required("name", maxName, "delegation.error.name_required"),
		Kind:         b.Choice("kind", Kinds, "delegation.error.kind"),
		Country:      strings.ToUpper(b.Raw("country")),
		ContactName:  b.Text("contact_name", maxShort),
		ContactEmail: strings.ToLower(b.Text("contact_email", maxShort)),
		ContactPhone: b.Text("contact_phone", 50),
		Address:      b.Text("address", maxNotes),
		Notes:        b.Text("notes", maxNotes),
		Rank:         b.Int("rank", 1, 10000, false),
	}
	in.CredentialsPresentedOn = b.Date("credentials_presented_on", "delegation.error.credentials_date")
	version := b.Version("version")
	if in.Country != "" && !ValidCountry(in.Country) {
		b.Form.Add("country", "delegation.error.country")
	}
	if in.ContactEmail != "" && !view.ValidEmail(in.ContactEmail) {
		b.Form.Add("contact_email", "delegation.error.email")
	}
	if in.Kind != KindDiplomaticMission && in.CredentialsPresentedOn != nil {
		b.Form.Add("credentials_presented_on", "delegation.error.credentials_only_missions")
	}
	return in, version, b.Form
}

func delegationValues(d *Delegation) map[string]string {
	m := map[string]string{
		"name": d.Name, "kind": d.Kind, "country": d.Country,
		"contact_name": d.ContactName, "contact_email": d.ContactEmail, "contact_phone": d.ContactPhone,
		"address": d.Address, "notes": d.Notes, "version": strconv.Itoa(d.Version),
	}
	if d.CredentialsPresentedOn != nil {
		m["credentials_presented_on"] = d.CredentialsPresentedOn.Format(view.DateLayout)
	}
	if d.Rank != nil {
		m["rank"] = strconv.Itoa(*d.Rank)
	}
	return m
}

// Guest form ------------------------------------------------------------------------

// bindGuest reads the guest form; delegationExists checks the chosen
// delegation.
func bindGuest(c echo.Context, delegationExists func(int64) bool) (GuestInput, int, *view.Form) {
	b := view.Bind(c)
	in := GuestInput{
		Honorific:          b.Text("honorific", 50),
		GivenName:          b.Text("given_name", maxName),
		FamilyName:         b.Required("family_name", maxName, "guest.error.family_name_required"),
		PrintedName:        b.Text("printed_name", maxName),
		Position:           b.Text("position", maxShort),
		Organisation:       b.Text("organisation", maxShort),
		DelegationID:       b.ID("delegation_id", "guest.error.delegation", delegationExists),
		Email:              strings.ToLower(b.Text("email", maxShort)),
		Phone:              b.Text("phone", 50),
		Language:           b.Choice("language", Languages, "guest.error.language"),
		AccessibilityNeeds: b.Text("accessibility_needs", maxNotes),
		DietaryNeeds:       b.Text("dietary_needs", maxNotes),
		VIP:                b.Raw("vip") == "on",
		RestrictedNotes:    b.Text("restricted_notes", maxNotes),
	}
	version := b.Version("version")
	if in.Email != "" && !view.ValidEmail(in.Email) {
		b.Form.Add("email", "guest.error.email")
	}
	return in, version, b.Form
}

func guestValues(g *Guest) map[string]string {
	m := map[string]string{
		"honorific": g.Honorific, "given_name": g.GivenName, "family_name": g.FamilyName,
		"printed_name": g.PrintedName, "position": g.Position, "organisation": g.Organisation,
		"email": g.Email, "phone": g.Phone, "language": g.Language,
		"accessibility_needs": g.AccessibilityNeeds, "dietary_needs": g.DietaryNeeds,
		"restricted_notes": g.RestrictedNotes, "version": strconv.Itoa(g.Version), "delegation_id": "",
	}
	if g.DelegationID != nil {
		m["delegation_id"] = strconv.FormatInt(*g.DelegationID, 10)
	}
	if g.VIP {
		m["vip"] = "on"
	}
	return m
}
