package venue

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

// Template names this package renders.
const (
	tmplList           = "venue/list"
	tmplVenue          = "venue/venue"
	tmplLogistics      = "venue/logistics"
	tmplTasks          = "venue/tasks"
	tmplMyTasks        = "venue/my_tasks"
	tmplTransportPrint = "venue/transport_print"
	tmplTasksPrint     = "venue/tasks_print"
)

// Views lists the templates this package needs, checked at start-up.
var Views = []string{tmplList, tmplVenue, tmplLogistics, tmplTasks, tmplMyTasks, tmplTransportPrint, tmplTasksPrint}

// Handler serves the venue, logistics and task pages.
type Handler struct {
	store    *Store
	planning Planning
	people   People
	view     *view.Renderer
	now      func() time.Time
}

// NewHandler returns the handler.
func NewHandler(store *Store, planning Planning, people People, r *view.Renderer) *Handler {
	return &Handler{store: store, planning: planning, people: people, view: r, now: time.Now}
}

// pathID reads a positive id from the path; anything else is a 404.
func pathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return id, nil
}

// notFound turns ErrNotFound into a 404 and passes other errors on.
func notFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	return err
}

// fill sets the form values that were not posted: the other forms of a
// page keep showing what is saved while one of them shows its errors.
func fill(f *view.Form, values map[string]string) {
	if f.Values == nil {
		f.Values = map[string]string{}
	}
	for k, v := range values {
		if _, ok := f.Values[k]; !ok {
			f.Values[k] = v
		}
	}
}

// Venue list --------------------------------------------------------------------------

type venueRow struct {
	ID       int64
	Name     string
	Address  string
	Capacity string
	Zones    int
	Gates    int
	MapURL   string
}

type listData struct {
	Rows    []venueRow
	Printed string
}

// List shows GET /venues.
func (h *Handler) List(c echo.Context) error {
	vs, err := h.store.Summaries(c.Request().Context())
	if err != nil {
		return err
	}
	p := h.view.Page(c, "venue.list.title")
	p.Nav = "venues"
	d := listData{Printed: p.T("venue.print.printed", "When", p.Day(h.now()))}
	for _, v := range vs {
		r := venueRow{ID: v.ID, Name: v.Name, Address: v.Address, Zones: v.ZoneCount, Gates: v.GateCount, MapURL: v.MapURL()}
		if v.Capacity != nil {
			r.Capacity = strconv.Itoa(*v.Capacity)
		}
		d.Rows = append(d.Rows, r)
	}
	p.Data = d
	return h.view.Render(c, http.StatusOK, tmplList, p)
}

// Venue page --------------------------------------------------------------------------

type zoneRow struct {
	ID       int64
	Name     string
	Kind     string
	Capacity int
	Colour   string
	Position int
}

type gateRow struct {
	ID    int64
	Name  string
	Notes string
}

type venueData struct {
	Creating           bool
	ID                 int64
	Name               string
	Address            string
	MapURL             string
	Coordinates        string
	Capacity           string
	AccessibilityNotes string
	ParkingNotes       string
	ContactName        string
	ContactPhone       string
	ContactEmail       string
	Zones              []zoneRow
	ZoneCapacity       int
	Gates              []gateRow
	ZoneKinds          []string
	// EditZone and EditGate are the rows whose edit form is open (0: the
	// form adds a new one); EditZoneName and EditGateName title it.
	EditZone     int64
	EditZoneName string
	EditGate     int64
	EditGateName string
}

// venueState says which zone and gate forms are open for editing.
type venueState struct {
	zone, gate int64
}

// renderVenue renders the venue page. p.Form holds what was posted (if
// anything); the other forms are filled from what is saved.
func (h *Handler) renderVenue(c echo.Context, status int, p *view.Page, v *Venue, st venueState) error {
	ctx := c.Request().Context()
	p.Nav = "venues"
	d := venueData{ZoneKinds: ZoneKinds}
	if v == nil {
		d.Creating = true
		fill(p.Form, map[string]string{})
		p.Data = d
		return h.view.Render(c, status, tmplVenue, p)
	}
	zones, err := h.store.Zones(ctx, v.ID)
	if err != nil {
		return err
	}
	gates, err := h.store.Gates(ctx, v.ID)
	if err != nil {
		return err
	}
	d.ID, d.Name, d.Address, d.MapURL = v.ID, v.Name, v.Address, v.MapURL()
	if d.MapURL != "" {
		d.Coordinates = formatCoord(*v.Latitude) + ", " + formatCoord(*v.Longitude)
	}
	if v.Capacity != nil {
		d.Capacity = strconv.Itoa(*v.Capacity)
	}
	d.AccessibilityNotes, d.ParkingNotes = v.AccessibilityNotes, v.ParkingNotes
	d.ContactName, d.ContactPhone, d.ContactEmail = v.ContactName, v.ContactPhone, v.ContactEmail
	fill(p.Form, venueValues(v))
	zoneDefaults := map[string]string{"zone_kind": "guests", "zone_colour": DefaultBadgeColour}
	for _, z := range zones {
		d.Zones = append(d.Zones, zoneRow{ID: z.ID, Name: z.Name, Kind: z.Kind, Capacity: z.Capacity, Colour: z.BadgeColour, Position: z.Position})
		d.ZoneCapacity += z.Capacity
		if z.ID == st.zone {
			d.EditZone, d.EditZoneName = z.ID, z.Name
			zoneDefaults = zoneValues(&z)
		}
	}
	fill(p.Form, zoneDefaults)
	gateDefaults := map[string]string{}
	for _, g := range gates {
		d.Gates = append(d.Gates, gateRow{ID: g.ID, Name: g.Name, Notes: g.Notes})
		if g.ID == st.gate {
			d.EditGate, d.EditGateName = g.ID, g.Name
			gateDefaults = gateValues(&g)
		}
	}
	fill(p.Form, gateDefaults)
	p.Data = d
	return h.view.Render(c, status, tmplVenue, p)
}

// loadVenue reads :id and its venue; a 404 when there is none.
func (h *Handler) loadVenue(c echo.Context) (*Venue, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	v, err := h.store.ByID(c.Request().Context(), id)
	return v, notFound(err)
}

func queryID(c echo.Context, name string) int64 {
	id, err := strconv.ParseInt(c.QueryParam(name), 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

func venueURL(id int64) string { return "/venues/" + strconv.FormatInt(id, 10) }

// venuePage is the page of venue v.
func (h *Handler) venuePage(c echo.Context, v *Venue) *view.Page {
	return h.view.Page(c, "venue.show.title", "Name", v.Name)
}

// New shows GET /venues/new.
func (h *Handler) New(c echo.Context) error {
	p := h.view.Page(c, "venue.new.title")
	return h.renderVenue(c, http.StatusOK, p, nil, venueState{})
}

// Create handles POST /venues.
func (h *Handler) Create(c echo.Context) error {
	in, _, form := bindVenue(c)
	p := h.view.Page(c, "venue.new.title")
	p.Form = form
	if form.Valid() {
		v, err := h.store.CreateVenue(c.Request().Context(), in)
		switch {
		case errors.Is(err, ErrNameTaken):
			form.Add("name", "venue.error.name_taken")
		case err != nil:
			return err
		default:
			return h.done(c, "venue.created", v.Name, venueURL(v.ID))
		}
	}
	return h.renderVenue(c, http.StatusUnprocessableEntity, p, nil, venueState{})
}

// Show shows GET /venues/:id: details, zones and gates; organizers also
// get the forms. ?zone=ID and ?gate=ID open that row's edit form.
func (h *Handler) Show(c echo.Context) error {
	v, err := h.loadVenue(c)
	if err != nil {
		return err
	}
	return h.renderVenue(c, http.StatusOK, h.venuePage(c, v), v, venueState{zone: queryID(c, "zone"), gate: queryID(c, "gate")})
}

// Update handles POST /venues/:id.
func (h *Handler) Update(c echo.Context) error {
	v, err := h.loadVenue(c)
	if err != nil {
		return err
	}
	in, version, form := bindVenue(c)
	p := h.venuePage(c, v)
	p.Form = form
	if !form.Valid() {
		return h.renderVenue(c, http.StatusUnprocessableEntity, p, v, venueState{})
	}
	saved, err := h.store.UpdateVenue(c.Request().Context(), v.ID, version, in)
	switch {
	case errors.Is(err, ErrNameTaken):
		form.Add("name", "venue.error.name_taken")
		return h.renderVenue(c, http.StatusUnprocessableEntity, p, v, venueState{})
	case errors.Is(err, ErrStale):
		// Show what is saved now; the editor decides again.
		p.Form = view.NewForm(venueValues(v))
		p.Form.Add("name", "form.error.stale")
		return h.renderVenue(c, http.StatusConflict, p, v, venueState{})
	case err != nil:
		return notFound(err)
	}
	return h.done(c, "venue.updated", saved.Name, venueURL(v.ID))
}

// Delete handles POST /venues/:id/delete. A venue a ceremony uses stays.
func (h *Handler) Delete(c echo.Context) error {
	v, err := h.loadVenue(c)
	if err != nil {
		return err
	}
	_, err = h.store.DeleteVenue(c.Request().Context(), v.ID)
	if errors.Is(err, ErrInUse) {
		p := h.venuePage(c, v)
		p.Flash = &view.Flash{Kind: view.FlashError, Message: p.T("venue.error.venue_in_use", "Name", v.Name)}
		return h.renderVenue(c, http.StatusConflict, p, v, venueState{})
	}
	if err != nil {
		return notFound(err)
	}
	return h.done(c, "venue.deleted", v.Name, "/venues")
}

// Zones and gates -----------------------------------------------------------------

// venueRows is the page of the venue in the path for one kind of its rows:
// open says which edit form of the page row edit is, anchor is their
// section.
func (h *Handler) venueRows(c echo.Context, anchor string, open func(edit int64) venueState) rowPage {
	v, err := h.loadVenue(c)
	if err != nil {
		return rowPage{err: err}
	}
	return rowPage{
		h: h, c: c, parent: v.ID, back: venueURL(v.ID) + anchor,
		page: func() *view.Page { return h.venuePage(c, v) },
		render: func(status int, p *view.Page, edit int64) error {
			return h.renderVenue(c, status, p, v, open(edit))
		},
	}
}

// zones is the flow of the zones of the venue in the path.
func (h *Handler) zones(c echo.Context) *rowFlow[Zone, ZoneInput] {
	return &rowFlow[Zone, ZoneInput]{
		rowPage: h.venueRows(c, "#zones", func(id int64) venueState { return venueState{zone: id} }),
		param:   "zone",

		load: h.store.Zone, storeCreate: h.store.CreateZone, storeUpdate: h.store.UpdateZone, storeDelete: h.store.DeleteZone,
		bind: bindZone, values: zoneValues, name: func(z *Zone) string { return z.Name },

		field: "zone_name", nameTaken: "venue.error.zone_name_taken", inUse: "venue.error.zone_in_use",
		created: "venue.zone.created", updated: "venue.zone.updated", deleted: "venue.zone.deleted",
	}
}

// CreateZone handles POST /venues/:id/zones.
func (h *Handler) CreateZone(c echo.Context) error { return h.zones(c).handleCreate() }

// UpdateZone handles POST /venues/:id/zones/:zone.
func (h *Handler) UpdateZone(c echo.Context) error { return h.zones(c).handleUpdate() }

// DeleteZone handles POST /venues/:id/zones/:zone/delete.
func (h *Handler) DeleteZone(c echo.Context) error { return h.zones(c).handleDelete() }

// gates is the flow of the gates of the venue in the path. Nothing refers
// to gates yet; check-ins will.
func (h *Handler) gates(c echo.Context) *rowFlow[Gate, GateInput] {
	return &rowFlow[Gate, GateInput]{
		rowPage: h.venueRows(c, "#gates", func(id int64) venueState { return venueState{gate: id} }),
		param:   "gate",

		load: h.store.Gate, storeCreate: h.store.CreateGate, storeUpdate: h.store.UpdateGate, storeDelete: h.store.DeleteGate,
		bind: bindGate, values: gateValues, name: func(g *Gate) string { return g.Name },

		field: "gate_name", nameTaken: "venue.error.gate_name_taken", inUse: "venue.error.gate_in_use",
		created: "venue.gate.created", updated: "venue.gate.updated", deleted: "venue.gate.deleted",
	}
}

// CreateGate handles POST /venues/:id/gates.
func (h *Handler) CreateGate(c echo.Context) error { return h.gates(c).handleCreate() }

// UpdateGate handles POST /venues/:id/gates/:gate.
func (h *Handler) UpdateGate(c echo.Context) error { return h.gates(c).handleUpdate() }

// DeleteGate handles POST /venues/:id/gates/:gate/delete.
func (h *Handler) DeleteGate(c echo.Context) error { return h.gates(c).handleDelete() }
