package venue

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

// Length limits of free-text fields.
const (
	maxName  = 200
	maxShort = 200
	maxNotes = 4000
)

// binder is the shared form reader.
type binder = view.Binder

func newBinder(c echo.Context) *binder { return view.Bind(c) }

// Venue form ----------------------------------------------------------------------

func bindVenue(c echo.Context) (VenueInput, int, *view.Form) {
	b := newBinder(c)
	in := VenueInput{
		Name:               b.Required("name", maxName, "venue.error.name_required"),
		Address:            b.Text("address", maxNotes),
		Latitude:           b.Coordinate("latitude", 90, "venue.error.latitude"),
		Longitude:          b.Coordinate("longitude", 180, "venue.error.longitude"),
		Capacity:           b.Count("capacity", "venue.error.capacity"),
		AccessibilityNotes: b.Text("accessibility_notes", maxNotes),
		ParkingNotes:       b.Text("parking_notes", maxNotes),
		ContactName:        b.Text("contact_name", maxShort),
		ContactPhone:       b.Text("contact_phone", 50),
		ContactEmail:       strings.ToLower(b.Text("contact_email", maxShort)),
	}
	version := b.Version("version")
	// A map link needs both coordinates.
	lat, lon := b.Form.Values["latitude"], b.Form.Values["longitude"]
	switch {
	case lat != "" && lon == "":
		b.Form.Add("longitude", "venue.error.coordinates_pair")
	case lat == "" && lon != "":
		b.Form.Add("latitude", "venue.error.coordinates_pair")
	}
	if in.ContactEmail != "" && !view.ValidEmail(in.ContactEmail) {
		b.Form.Add("contact_email", "venue.error.email")
	}
	return in, version, b.Form
}

// venueValues fills the venue form from a saved venue.
func venueValues(v *Venue) map[string]string {
	m := map[string]string{
		"name": v.Name, "address": v.Address,
		"accessibility_notes": v.AccessibilityNotes, "parking_notes": v.ParkingNotes,
		"contact_name": v.ContactName, "contact_phone": v.ContactPhone, "contact_email": v.ContactEmail,
		"version": strconv.Itoa(v.Version),
	}
	if v.Latitude != nil {
		m["latitude"] = formatCoord(*v.Latitude)
	}
	if v.Longitude != nil {
		m["longitude"] = formatCoord(*v.Longitude)
	}
	if v.Capacity != nil {
		m["capacity"] = strconv.Itoa(*v.Capacity)
	}
	return m
}

// Zone and gate forms ---------------------------------------------------------------

var colourRe = regexp.MustCompile(`^#[0-9a-f]{6}$`)

func bindZone(c echo.Context) (ZoneInput, int, *view.Form) {
	b := newBinder(c)
	in := ZoneInput{
		Name: b.Required("zone_name", maxName, "venue.error.zone_name_required"),
		Kind: b.Choice("zone_kind", ZoneKinds, "venue.error.zone_kind"),
	}
	if n := b.Count("zone_capacity", "venue.error.capacity"); n != nil {
		in.Capacity = *n
	} else if b.Form.Values["zone_capacity"] == "" {
		b.Form.Add("zone_capacity", "venue.error.capacity")
	}
	in.BadgeColour = strings.ToLower(b.Raw("zone_colour"))
	b.Form.Values["zone_colour"] = in.BadgeColour
	if !colourRe.MatchString(in.BadgeColour) {
		b.Form.Add("zone_colour", "venue.error.zone_colour")
	}
	if v := b.Raw("zone_position"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < -100000 || n > 100000 {
			b.Form.Add("zone_position", "venue.error.zone_position")
		} else {
			in.Position = &n
		}
	}
	return in, b.Version("zone_version"), b.Form
}

func zoneValues(z *Zone) map[string]string {
	return map[string]string{
		"zone_name": z.Name, "zone_kind": z.Kind, "zone_capacity": strconv.Itoa(z.Capacity),
		"zone_colour": z.BadgeColour, "zone_position": strconv.Itoa(z.Position), "zone_version": strconv.Itoa(z.Version),
	}
}

func bindGate(c echo.Context) (GateInput, int, *view.Form) {
	b := newBinder(c)
	in := GateInput{
		Name:  b.Required("gate_name", maxName, "venue.error.gate_name_required"),
		Notes: b.Text("gate_notes", maxNotes),
	}
	return in, b.Version("gate_version"), b.Form
}

func gateValues(g *Gate) map[string]string {
	return map[string]string{"gate_name": g.Name, "gate_notes": g.Notes, "gate_version": strconv.Itoa(g.Version)}
}

// Logistics forms ---------------------------------------------------------------------

func bindResource(c echo.Context) (ResourceInput, int, *view.Form) {
	b := newBinder(c)
	in := ResourceInput{
		Item:     b.Required("item", maxName, "venue.error.item_required"),
		Supplier: b.Text("supplier", maxShort),
		Status:   b.Choice("resource_status", ResourceStatuses, "venue.error.resource_status"),
		Notes:    b.Text("resource_notes", maxNotes),
	}
	if n := b.Count("quantity", "venue.error.quantity"); n != nil {
		in.Quantity = *n
	} else if b.Form.Values["quantity"] == "" {
		b.Form.Add("quantity", "venue.error.quantity")
	}
	return in, b.Version("resource_version"), b.Form
}

func resourceValues(r *Resource) map[string]string {
	return map[string]string{
		"item": r.Item, "quantity": strconv.Itoa(r.Quantity), "supplier": r.Supplier,
		"resource_status": r.Status, "resource_notes": r.Notes, "resource_version": strconv.Itoa(r.Version),
	}
}

func bindTransport(c echo.Context, loc *time.Location) (TransportInput, int, *view.Form) {
	b := newBinder(c)
	in := TransportInput{
		Vehicle:     b.Required("vehicle", maxName, "venue.error.vehicle_required"),
		DriverName:  b.Text("driver_name", maxShort),
		DriverPhone: b.Text("driver_phone", 50),
		PickupPoint: b.Text("pickup_point", maxNotes),
		PickupAt:    b.DateTime("pickup_at", loc, "venue.error.pickup_at"),
		Carries:     b.Text("carries", maxNotes),
		Seats:       b.Count("seats", "venue.error.seats"),
		Notes:       b.Text("transport_notes", maxNotes),
	}
	return in, b.Version("transport_version"), b.Form
}

func transportValues(t *Transport, loc *time.Location) map[string]string {
	m := map[string]string{
		"vehicle": t.Vehicle, "driver_name": t.DriverName, "driver_phone": t.DriverPhone,
		"pickup_point": t.PickupPoint, "carries": t.Carries, "transport_notes": t.Notes,
		"transport_version": strconv.Itoa(t.Version),
	}
	if t.PickupAt != nil {
		m["pickup_at"] = t.PickupAt.In(loc).Format(view.DateTimeLayout)
	}
	if t.Seats != nil {
		m["seats"] = strconv.Itoa(*t.Seats)
	}
	return m
}

// bindTask reads the task form; ceremonies and people are the edition's
// ceremonies and the people who may be assigned. keepAssignee is the
// task's current assignee, accepted even when no longer assignable (a
// disabled account) so that saving other fields does not drop them.
func bindTask(c echo.Context, ceremonies []CeremonyRef, people []Person, keepAssignee *int64) (TaskInput, int, *view.Form) {
	b := newBinder(c)
	in := TaskInput{
		Title: b.Required("title", maxName, "venue.error.title_required"),
		CeremonyID: b.ID("ceremony_id", "venue.error.task_ceremony", func(id int64) bool {
			return slices.ContainsFunc(ceremonies, func(cr CeremonyRef) bool { return cr.ID == id })
		}),
		AssigneeID: b.ID("assignee_id", "venue.error.assignee", func(id int64) bool {
			return (keepAssignee != nil && *keepAssignee == id) || slices.ContainsFunc(people, func(p Person) bool { return p.ID == id })
		}),
		DueOn:  b.Date("due_on", "venue.error.due_on"),
		Status: TaskOpen,
		Notes:  b.Text("notes", maxNotes),
	}
	if c.FormValue("status") != "" || c.FormValue("version") != "" {
		in.Status = b.Choice("status", TaskStatuses, "venue.error.task_status")
	}
	return in, b.Version("version"), b.Form
}

func taskValues(t *Task) map[string]string {
	m := map[string]string{"title": t.Title, "status": t.Status, "notes": t.Notes, "version": strconv.Itoa(t.Version)}
	if t.CeremonyID != nil {
		m["ceremony_id"] = strconv.FormatInt(*t.CeremonyID, 10)
	}
	if t.AssigneeID != nil {
		m["assignee_id"] = strconv.FormatInt(*t.AssigneeID, 10)
	}
	if t.DueOn != nil {
		m["due_on"] = t.DueOn.Format(view.DateLayout)
	}
	return m
}

// safeBack keeps the redirect after a status change on this site.
func safeBack(back, fallback string) string {
	if back == "" || !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.HasPrefix(back, `/\`) || strings.ContainsAny(back, "\r\n") {
		return fallback
	}
	return back
}
