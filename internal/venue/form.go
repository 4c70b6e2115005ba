package venue

import (
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

// Length limits of free-text fields.
const (
	maxName  = 200
	maxShort = 200
	maxNotes = 4000
)

// Formats of the date and time inputs (<input type="date"> and
// <input type="datetime-local">).
const (
	dateLayout     = "2006-01-02"
	dateTimeLayout = "2006-01-02T15:04"
)

// binder reads a posted form into typed values, recording each problem as
// a message key beside its field and keeping what was typed.
type binder struct {
	c    echo.Context
	form *view.Form
}

func newBinder(c echo.Context) *binder {
	return &binder{c: c, form: view.NewForm(map[string]string{})}
}

// raw is the trimmed value of field, kept for showing the form again.
func (b *binder) raw(field string) string {
	v := strings.TrimSpace(b.c.FormValue(field))
	b.form.Values[field] = v
	return v
}

// text reads a free-text field of at most max characters.
func (b *binder) text(field string, max int) string {
	v := b.raw(field)
	if utf8.RuneCountInString(v) > max {
		b.form.Add(field, "venue.error.too_long", "Max", max)
	}
	return v
}

// required reads a text field that must not be empty.
func (b *binder) required(field string, max int, missingKey string) string {
	v := b.raw(field)
	switch {
	case v == "":
		b.form.Add(field, missingKey)
	case utf8.RuneCountInString(v) > max:
		b.form.Add(field, "venue.error.too_long", "Max", max)
	}
	return v
}

// count reads a whole number of 0 or more; empty is nil.
func (b *binder) count(field, key string) *int {
	v := b.raw(field)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		b.form.Add(field, key)
		return nil
	}
	return &n
}

// coordinate reads a decimal number between -limit and limit; empty is nil.
func (b *binder) coordinate(field string, limit float64, key string) *float64 {
	v := strings.ReplaceAll(b.raw(field), ",", ".")
	if v == "" {
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < -limit || f > limit {
		b.form.Add(field, key)
		return nil
	}
	return &f
}

// choice reads a value that must be one of options.
func (b *binder) choice(field string, options []string, key string) string {
	v := b.raw(field)
	if !slices.Contains(options, v) {
		b.form.Add(field, key)
	}
	return v
}

// date reads a calendar day (midnight UTC); empty is nil.
func (b *binder) date(field, key string) *time.Time {
	v := b.raw(field)
	if v == "" {
		return nil
	}
	d, err := time.Parse(dateLayout, v)
	if err != nil || d.Year() < 1900 || d.Year() > 2200 {
		b.form.Add(field, key)
		return nil
	}
	return &d
}

// dateTime reads a wall-clock time in loc; empty is nil. A time that does
// not exist in loc (skipped by a DST change) is refused rather than moved.
func (b *binder) dateTime(field string, loc *time.Location, key string) *time.Time {
	v := b.raw(field)
	if v == "" {
		return nil
	}
	layout := dateTimeLayout
	if len(v) == len(dateTimeLayout)+3 {
		// Some browsers add seconds.
		layout += ":05"
	}
	t, err := time.ParseInLocation(layout, v, loc)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 || t.Format(layout) != v {
		b.form.Add(field, key)
		return nil
	}
	return &t
}

// version reads a form's hidden version field. Each form of a page has
// its own ("zone_version", "gate_version", …), so that they can share the
// page's values.
func (b *binder) version(field string) int {
	v := b.c.FormValue(field)
	b.form.Values[field] = v
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0
	}
	return n
}

// id reads an optional id chosen from a list; empty is nil.
func (b *binder) id(field, key string, allowed func(int64) bool) *int64 {
	v := b.raw(field)
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || !allowed(n) {
		b.form.Add(field, key)
		return nil
	}
	return &n
}

// Venue form ----------------------------------------------------------------------

func bindVenue(c echo.Context) (VenueInput, int, *view.Form) {
	b := newBinder(c)
	in := VenueInput{
		Name:               b.required("name", maxName, "venue.error.name_required"),
		Address:            b.text("address", maxNotes),
		Latitude:           b.coordinate("latitude", 90, "venue.error.latitude"),
		Longitude:          b.coordinate("longitude", 180, "venue.error.longitude"),
		Capacity:           b.count("capacity", "venue.error.capacity"),
		AccessibilityNotes: b.text("accessibility_notes", maxNotes),
		ParkingNotes:       b.text("parking_notes", maxNotes),
		ContactName:        b.text("contact_name", maxShort),
		ContactPhone:       b.text("contact_phone", 50),
		ContactEmail:       strings.ToLower(b.text("contact_email", maxShort)),
	}
	version := b.version("version")
	// A map link needs both coordinates.
	lat, lon := b.form.Values["latitude"], b.form.Values["longitude"]
	switch {
	case lat != "" && lon == "":
		b.form.Add("longitude", "venue.error.coordinates_pair")
	case lat == "" && lon != "":
		b.form.Add("latitude", "venue.error.coordinates_pair")
	}
	if in.ContactEmail != "" && !validEmail(in.ContactEmail) {
		b.form.Add("contact_email", "venue.error.email")
	}
	return in, version, b.form
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndex(s, "@")+1:], ".")
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
		Name: b.required("zone_name", maxName, "venue.error.zone_name_required"),
		Kind: b.choice("zone_kind", ZoneKinds, "venue.error.zone_kind"),
	}
	if n := b.count("zone_capacity", "venue.error.capacity"); n != nil {
		in.Capacity = *n
	} else if b.form.Values["zone_capacity"] == "" {
		b.form.Add("zone_capacity", "venue.error.capacity")
	}
	in.BadgeColour = strings.ToLower(b.raw("zone_colour"))
	b.form.Values["zone_colour"] = in.BadgeColour
	if !colourRe.MatchString(in.BadgeColour) {
		b.form.Add("zone_colour", "venue.error.zone_colour")
	}
	if v := b.raw("zone_position"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < -100000 || n > 100000 {
			b.form.Add("zone_position", "venue.error.zone_position")
		} else {
			in.Position = &n
		}
	}
	return in, b.version("zone_version"), b.form
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
		Name:  b.required("gate_name", maxName, "venue.error.gate_name_required"),
		Notes: b.text("gate_notes", maxNotes),
	}
	return in, b.version("gate_version"), b.form
}

func gateValues(g *Gate) map[string]string {
	return map[string]string{"gate_name": g.Name, "gate_notes": g.Notes, "gate_version": strconv.Itoa(g.Version)}
}

// Logistics forms ---------------------------------------------------------------------

func bindResource(c echo.Context) (ResourceInput, int, *view.Form) {
	b := newBinder(c)
	in := ResourceInput{
		Item:     b.required("item", maxName, "venue.error.item_required"),
		Supplier: b.text("supplier", maxShort),
		Status:   b.choice("resource_status", ResourceStatuses, "venue.error.resource_status"),
		Notes:    b.text("resource_notes", maxNotes),
	}
	if n := b.count("quantity", "venue.error.quantity"); n != nil {
		in.Quantity = *n
	} else if b.form.Values["quantity"] == "" {
		b.form.Add("quantity", "venue.error.quantity")
	}
	return in, b.version("resource_version"), b.form
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
		Vehicle:     b.required("vehicle", maxName, "venue.error.vehicle_required"),
		DriverName:  b.text("driver_name", maxShort),
		DriverPhone: b.text("driver_phone", 50),
		PickupPoint: b.text("pickup_point", maxNotes),
		PickupAt:    b.dateTime("pickup_at", loc, "venue.error.pickup_at"),
		Carries:     b.text("carries", maxNotes),
		Seats:       b.count("seats", "venue.error.seats"),
		Notes:       b.text("transport_notes", maxNotes),
	}
	return in, b.version("transport_version"), b.form
}

func transportValues(t *Transport, loc *time.Location) map[string]string {
	m := map[string]string{
		"vehicle": t.Vehicle, "driver_name": t.DriverName, "driver_phone": t.DriverPhone,
		"pickup_point": t.PickupPoint, "carries": t.Carries, "transport_notes": t.Notes,
		"transport_version": strconv.Itoa(t.Version),
	}
	if t.PickupAt != nil {
		m["pickup_at"] = t.PickupAt.In(loc).Format(dateTimeLayout)
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
		Title: b.required("title", maxName, "venue.error.title_required"),
		CeremonyID: b.id("ceremony_id", "venue.error.task_ceremony", func(id int64) bool {
			return slices.ContainsFunc(ceremonies, func(cr CeremonyRef) bool { return cr.ID == id })
		}),
		AssigneeID: b.id("assignee_id", "venue.error.assignee", func(id int64) bool {
			return (keepAssignee != nil && *keepAssignee == id) || slices.ContainsFunc(people, func(p Person) bool { return p.ID == id })
		}),
		DueOn:  b.date("due_on", "venue.error.due_on"),
		Status: TaskOpen,
		Notes:  b.text("notes", maxNotes),
	}
	if c.FormValue("status") != "" || c.FormValue("version") != "" {
		in.Status = b.choice("status", TaskStatuses, "venue.error.task_status")
	}
	return in, b.version("version"), b.form
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
		m["due_on"] = t.DueOn.Format(dateLayout)
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
