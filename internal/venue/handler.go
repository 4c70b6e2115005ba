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
			h.view.Flash(c, view.FlashSuccess, "venue.created", "Name", v.Name)
			return c.Redirect(http.StatusSeeOther, venueURL(v.ID))
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
	p := h.view.Page(c, "venue.show.title", "Name", v.Name)
	return h.renderVenue(c, http.StatusOK, p, v, venueState{zone: queryID(c, "zone"), gate: queryID(c, "gate")})
}

// Update handles POST /venues/:id.
func (h *Handler) Update(c echo.Context) error {
	v, err := h.loadVenue(c)
	if err != nil {
		return err
	}
	in, version, form := bindVenue(c)
	p := h.view.Page(c, "venue.show.title", "Name", v.Name)
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
	h.view.Flash(c, view.FlashSuccess, "venue.updated", "Name", saved.Name)
	return c.Redirect(http.StatusSeeOther, venueURL(v.ID))
}

// Delete handles POST /venues/:id/delete. A venue a ceremony uses stays.
func (h *Handler) Delete(c echo.Context) error {
	v, err := h.loadVenue(c)
	if err != nil {
		return err
	}
	_, err = h.store.DeleteVenue(c.Request().Context(), v.ID)
	if errors.Is(err, ErrInUse) {
		p := h.view.Page(c, "venue.show.title", "Name", v.Name)
		p.Flash = &view.Flash{Kind: view.FlashError, Message: p.T("venue.error.venue_in_use", "Name", v.Name)}
		return h.renderVenue(c, http.StatusConflict, p, v, venueState{})
	}
	if err != nil {
		return notFound(err)
	}
	h.view.Flash(c, view.FlashSuccess, "venue.deleted", "Name", v.Name)
	return c.Redirect(http.StatusSeeOther, "/venues")
}

// Zones -------------------------------------------------------------------------------

// CreateZone handles POST /venues/:id/zones.
func (h *Handler) CreateZone(c echo.Context) error {
	return h.saveZone(c, 0)
}

// UpdateZone handles POST /venues/:id/zones/:zone.
func (h *Handler) UpdateZone(c echo.Context) error {
	id, err := pathID(c, "zone")
	if err != nil {
		return err
	}
	return h.saveZone(c, id)
}

func (h *Handler) saveZone(c echo.Context, zoneID int64) error {
	v, err := h.loadVenue(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var current *Zone
	if zoneID != 0 {
		if current, err = h.zoneOf(c, v.ID, zoneID); err != nil {
			return err
		}
	}
	in, version, form := bindZone(c)
	p := h.view.Page(c, "venue.show.title", "Name", v.Name)
	p.Form = form
	st := venueState{zone: zoneID}
	if !form.Valid() {
		return h.renderVenue(c, http.StatusUnprocessableEntity, p, v, st)
	}
	var z *Zone
	if zoneID == 0 {
		z, err = h.store.CreateZone(ctx, v.ID, in)
	} else {
		z, err = h.store.UpdateZone(ctx, v.ID, zoneID, version, in)
	}
	switch {
	case errors.Is(err, ErrNameTaken):
		form.Add("zone_name", "venue.error.zone_name_taken")
		return h.renderVenue(c, http.StatusUnprocessableEntity, p, v, st)
	case errors.Is(err, ErrStale):
		p.Form = view.NewForm(zoneValues(current))
		p.Form.Add("zone_name", "form.error.stale")
		return h.renderVenue(c, http.StatusConflict, p, v, st)
	case err != nil:
		return notFound(err)
	}
	key := "venue.zone.created"
	if zoneID != 0 {
		key = "venue.zone.updated"
	}
	h.view.Flash(c, view.FlashSuccess, key, "Name", z.Name)
	return c.Redirect(http.StatusSeeOther, venueURL(v.ID)+"#zones")
}

// zoneOf loads zone id of a venue; a 404 when it is not that venue's.
func (h *Handler) zoneOf(c echo.Context, venueID, id int64) (*Zone, error) {
	zs, err := h.store.ZonesByID(c.Request().Context(), []int64{id})
	if err != nil {
		return nil, err
	}
	if len(zs) != 1 || zs[0].VenueID != venueID {
		return nil, echo.NewHTTPError(http.StatusNotFound)
	}
	return &zs[0], nil
}

// DeleteZone handles POST /venues/:id/zones/:zone/delete.
func (h *Handler) DeleteZone(c echo.Context) error {
	v, err := h.loadVenue(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "zone")
	if err != nil {
		return err
	}
	z, err := h.store.DeleteZone(c.Request().Context(), v.ID, id)
	if errors.Is(err, ErrInUse) {
		p := h.view.Page(c, "venue.show.title", "Name", v.Name)
		current, lerr := h.zoneOf(c, v.ID, id)
		if lerr != nil {
			return lerr
		}
		p.Flash = &view.Flash{Kind: view.FlashError, Message: p.T("venue.error.zone_in_use", "Name", current.Name)}
		return h.renderVenue(c, http.StatusConflict, p, v, venueState{})
	}
	if err != nil {
		return notFound(err)
	}
	h.view.Flash(c, view.FlashSuccess, "venue.zone.deleted", "Name", z.Name)
	return c.Redirect(http.StatusSeeOther, venueURL(v.ID)+"#zones")
}

// Gates -------------------------------------------------------------------------------

// CreateGate handles POST /venues/:id/gates.
func (h *Handler) CreateGate(c echo.Context) error {
	return h.saveGate(c, 0)
}

// UpdateGate handles POST /venues/:id/gates/:gate.
func (h *Handler) UpdateGate(c echo.Context) error {
	id, err := pathID(c, "gate")
	if err != nil {
		return err
	}
	return h.saveGate(c, id)
}

func (h *Handler) saveGate(c echo.Context, gateID int64) error {
	v, err := h.loadVenue(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var current *Gate
	if gateID != 0 {
		if current, err = h.gateOf(c, v.ID, gateID); err != nil {
			return err
		}
	}
	in, version, form := bindGate(c)
	p := h.view.Page(c, "venue.show.title", "Name", v.Name)
	p.Form = form
	st := venueState{gate: gateID}
	if !form.Valid() {
		return h.renderVenue(c, http.StatusUnprocessableEntity, p, v, st)
	}
	var g *Gate
	if gateID == 0 {
		g, err = h.store.CreateGate(ctx, v.ID, in)
	} else {
		g, err = h.store.UpdateGate(ctx, v.ID, gateID, version, in)
	}
	switch {
	case errors.Is(err, ErrNameTaken):
		form.Add("gate_name", "venue.error.gate_name_taken")
		return h.renderVenue(c, http.StatusUnprocessableEntity, p, v, st)
	case errors.Is(err, ErrStale):
		p.Form = view.NewForm(gateValues(current))
		p.Form.Add("gate_name", "form.error.stale")
		return h.renderVenue(c, http.StatusConflict, p, v, st)
	case err != nil:
		return notFound(err)
	}
	key := "venue.gate.created"
	if gateID != 0 {
		key = "venue.gate.updated"
	}
	h.view.Flash(c, view.FlashSuccess, key, "Name", g.Name)
	return c.Redirect(http.StatusSeeOther, venueURL(v.ID)+"#gates")
}

func (h *Handler) gateOf(c echo.Context, venueID, id int64) (*Gate, error) {
	gs, err := h.store.Gates(c.Request().Context(), venueID)
	if err != nil {
		return nil, err
	}
	for i := range gs {
		if gs[i].ID == id {
			return &gs[i], nil
		}
	}
	return nil, echo.NewHTTPError(http.StatusNotFound)
}

// DeleteGate handles POST /venues/:id/gates/:gate/delete.
func (h *Handler) DeleteGate(c echo.Context) error {
	v, err := h.loadVenue(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "gate")
	if err != nil {
		return err
	}
	g, err := h.store.DeleteGate(c.Request().Context(), v.ID, id)
	if errors.Is(err, ErrInUse) {
		// Nothing refers to gates yet; check-ins will.
		current, lerr := h.gateOf(c, v.ID, id)
		if lerr != nil {
			return lerr
		}
		p := h.view.Page(c, "venue.show.title", "Name", v.Name)
		p.Flash = &view.Flash{Kind: view.FlashError, Message: p.T("venue.error.gate_in_use", "Name", current.Name)}
		return h.renderVenue(c, http.StatusConflict, p, v, venueState{})
	}
	if err != nil {
		return notFound(err)
	}
	h.view.Flash(c, view.FlashSuccess, "venue.gate.deleted", "Name", g.Name)
	return c.Redirect(http.StatusSeeOther, venueURL(v.ID)+"#gates")
}
