package invitation

import (
	"regexp"
	"strconv"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

// Limits of what a guest types.
const (
	rsvpMaxName  = 200
	rsvpMaxNeeds = 1000
	rsvpMaxPhone = 40
)

// Answers to one ceremony, as the form posts them.
const (
	rsvpAccept  = "accept"
	rsvpDecline = "decline"
)

// rsvpPhoneRe lets through what people write in a phone number: digits,
// spaces, + ( ) - . and /; at least five digits are checked separately.
var rsvpPhoneRe = regexp.MustCompile(`^\+?[0-9 ()./-]+$`)

// rsvpAnswerField names the radios of ceremony id.
func rsvpAnswerField(id int64) string { return "answer_" + strconv.FormatInt(id, 10) }

// rsvpCompanionField names the n-th companion input (from 1).
func rsvpCompanionField(n int) string { return "companion_" + strconv.Itoa(n) }

// bindGuestAnswer reads the answer form. open are the ceremonies the guest can
// answer (published ones), allowed the companions the invitation allows.
// Each problem is recorded beside its field; what was typed is kept.
func bindGuestAnswer(c echo.Context, open []CeremonyInfo, allowed int) (Response, *view.Form) {
	b := view.Bind(c)
	r := Response{Accept: map[int64]bool{}}
	for _, cer := range open {
		f := rsvpAnswerField(cer.ID)
		switch b.Raw(f) {
		case rsvpAccept:
			r.Accept[cer.ID] = true
		case rsvpDecline:
			r.Accept[cer.ID] = false
		default:
			b.Form.Add(f, "rsvp.error.answer_missing", "Title", cer.TitleIn(view.Locale(c)))
		}
	}
	// Read every companion input there could be, so a form tampered with
	// (or shown before the organizer lowered the number) is refused, not
	// cut short in silence. Empty inputs are skipped.
	for n := 1; n <= MaxCompanions; n++ {
		if name := b.Text(rsvpCompanionField(n), rsvpMaxName); name != "" {
			r.Companions = append(r.Companions, name)
		}
	}
	if len(r.Companions) > allowed {
		if allowed == 0 {
			b.Form.Add("companions", "rsvp.error.no_companions")
		} else {
			b.Form.Add("companions", "rsvp.error.too_many_companions", "Count", allowed)
		}
	}
	r.AccessibilityNeeds = b.Text("accessibility_needs", rsvpMaxNeeds)
	r.DietaryNeeds = b.Text("dietary_needs", rsvpMaxNeeds)
	r.ContactPhone = b.Text("contact_phone", rsvpMaxPhone)
	if p := r.ContactPhone; p != "" && (!rsvpPhoneRe.MatchString(p) || rsvpDigits(p) < 5) {
		b.Form.Add("contact_phone", "rsvp.error.phone")
	}
	return r, b.Form
}

func rsvpDigits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// guestAnswerValues fills the form from what is saved: a ceremony accepted (or
// waitlisted) shows "accept", declined "decline", unanswered nothing.
func guestAnswerValues(inv *Invitation) map[string]string {
	m := map[string]string{
		"accessibility_needs": inv.AccessibilityNeeds,
		"dietary_needs":       inv.DietaryNeeds,
		"contact_phone":       inv.ContactPhone,
	}
	for _, a := range inv.Ceremonies {
		switch a.Status {
		case StatusAccepted, StatusWaitlisted:
			m[rsvpAnswerField(a.CeremonyID)] = rsvpAccept
		case StatusDeclined:
			m[rsvpAnswerField(a.CeremonyID)] = rsvpDecline
		}
	}
	for i, c := range inv.Companions {
		m[rsvpCompanionField(i+1)] = c.Name
	}
	return m
}
