package delegation

import (
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

// Length limits of the participation form's fields.
const (
	participationMaxText   = 200
	participationMaxPhone  = 50
	participationMaxRibbon = 300
	participationMaxNotes  = 4000
)

// bindParticipation reads the participation form. Times are entered in
// loc, the edition's time zone; guests are the delegation's guests (the
// only ones who may head it) and gates the gates that can be chosen.
func bindParticipation(c echo.Context, loc *time.Location, guests []Guest, gates []GateRef) (ParticipationInput, int, *view.Form) {
	b := view.Bind(c)
	in := ParticipationInput{
		Status: b.Choice("status", Statuses, "participation.error.status"),
		HeadGuestID: b.ID("head_guest_id", "participation.error.head", func(id int64) bool {
			return slices.ContainsFunc(guests, func(g Guest) bool { return g.ID == id })
		}),
		LiaisonName:    b.Text("liaison_name", participationMaxText),
		LiaisonPhone:   b.Text("liaison_phone", participationMaxPhone),
		Wreath:         b.Raw("wreath") == "on",
		RibbonText:     b.Text("ribbon_text", participationMaxRibbon),
		ArrivalVehicle: b.Text("arrival_vehicle", participationMaxText),
		ArrivalPlate:   b.Text("arrival_plate", participationMaxPhone),
		ArrivalAt:      b.DateTime("arrival_at", loc, "participation.error.arrival_at"),
		ArrivalGateID: b.ID("arrival_gate_id", "participation.error.gate", func(id int64) bool {
			return slices.ContainsFunc(gates, func(g GateRef) bool { return g.ID == id })
		}),
		Notes: b.Text("notes", participationMaxNotes),
	}
	// The wreath is ordered with its ribbon; one without text cannot be.
	if in.Wreath && in.RibbonText == "" {
		b.Form.Add("ribbon_text", "participation.error.ribbon_required")
	}
	return in, b.Version("version"), b.Form
}

// participationValues fills the participation form from a saved one.
func participationValues(p *Participation, loc *time.Location) map[string]string {
	m := map[string]string{
		"status": p.Status, "liaison_name": p.LiaisonName, "liaison_phone": p.LiaisonPhone,
		"ribbon_text": p.RibbonText, "arrival_vehicle": p.ArrivalVehicle, "arrival_plate": p.ArrivalPlate,
		"notes": p.Notes, "version": strconv.Itoa(p.Version),
	}
	if p.Wreath {
		m["wreath"] = "on"
	}
	if p.HeadGuestID != nil {
		m["head_guest_id"] = strconv.FormatInt(*p.HeadGuestID, 10)
	}
	if p.ArrivalAt != nil {
		m["arrival_at"] = p.ArrivalAt.In(loc).Format(view.DateTimeLayout)
	}
	if p.ArrivalGateID != nil {
		m["arrival_gate_id"] = strconv.FormatInt(*p.ArrivalGateID, 10)
	}
	return m
}
