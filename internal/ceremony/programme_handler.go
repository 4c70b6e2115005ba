package ceremony

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

type programmeRow struct {
	ID          int64
	Start       string
	End         string
	Duration    int
	Title       string
	Responsible string
	Zone        string
	Notes       string
	StaffOnly   bool
	Overlap     bool
	GapMinutes  int
	First       bool
	Last        bool
	EditURL     string
	Version     int
}

type programmeData struct {
	Year         int
	EditionURL   string
	URL          string
	Ceremony     ceremonyRow
	Rows         []programmeRow
	Zones        []ZoneOption
	EditingID    int64
	Overlaps     int
	Gaps         int
	Visibilities []string
	// Print view.
	Audience    string
	Name        string
	Anniversary int
	VenueName   string
	DressCode   string
	NotesGuests string
	NotesStaff  string
}

func (h *Handler) programmeData(c echo.Context, sc *scope, cr *Ceremony, p *view.Page, guestsOnly bool) (programmeData, error) {
	ctx := c.Request().Context()
	items, err := h.store.Programme(ctx, cr.ID)
	if err != nil {
		return programmeData{}, err
	}
	vs, err := h.venues(ctx)
	if err != nil {
		return programmeData{}, err
	}
	p.Zone = sc.loc
	d := programmeData{Year: sc.ed.Year, EditionURL: editionURL(sc.ed.Year), URL: ceremonyURL(sc.ed.Year, cr.ID),
		Ceremony: h.ceremonyRow(p, sc, cr, vs), Visibilities: []string{VisibleToGuests, VisibleToStaff},
		Name: sc.cm.Name, Anniversary: sc.cm.Anniversary(sc.ed.Year), DressCode: cr.DressCode,
		NotesGuests: cr.NotesGuests, NotesStaff: cr.NotesStaff}
	if v := findVenue(vs, cr.VenueID); v != nil {
		d.Zones = v.Zones
		d.VenueName = v.Name
	}
	if guestsOnly {
		var shown []ProgrammeItem
		for _, it := range items {
			if it.Visibility == VisibleToGuests {
				shown = append(shown, it)
			}
		}
		items = shown
	}
	checks := CheckProgramme(items)
	for i, it := range items {
		r := programmeRow{ID: it.ID, Start: p.Clock(it.StartsAt), End: p.Clock(it.EndsAt()), Duration: it.DurationMinutes,
			Title: it.Title, Responsible: it.Responsible, Notes: it.Notes, StaffOnly: it.Visibility == VisibleToStaff,
			Overlap: checks[i].OverlapsNext, GapMinutes: int(checks[i].GapAfter / time.Minute),
			First: i == 0, Last: i == len(items)-1, EditURL: d.URL + "/programme?edit=" + strconv.FormatInt(it.ID, 10) + "#item-form",
			Version: it.Version}
		if it.ZoneID != nil {
			for _, z := range d.Zones {
				if z.ID == *it.ZoneID {
					r.Zone = z.Name
				}
			}
		}
		if r.Overlap {
			d.Overlaps++
		}
		if r.GapMinutes > 0 {
			d.Gaps++
		}
		d.Rows = append(d.Rows, r)
	}
	return d, nil
}

func (h *Handler) renderProgramme(c echo.Context, status int, sc *scope, cr *Ceremony, p *view.Page, editing int64) error {
	d, err := h.programmeData(c, sc, cr, p, false)
	if err != nil {
		return err
	}
	d.EditingID = editing
	p.Nav = "editions"
	p.Data = d
	return h.view.Render(c, status, tmplProgramme, p)
}

// Programme shows GET /editions/:year/ceremonies/:id/programme; ?edit=ID
// fills the form with that item.
func (h *Handler) Programme(c echo.Context) error {
	sc, cr, err := h.ceremonyScope(c)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "programme.title", "Title", cr.Title)
	var editing int64
	if id, err := strconv.ParseInt(c.QueryParam("edit"), 10, 64); err == nil {
		items, err := h.store.Programme(c.Request().Context(), cr.ID)
		if err != nil {
			return err
		}
		for _, it := range items {
			if it.ID == id {
				editing = id
				p.Form = view.NewForm(itemValues(&it, sc.loc))
			}
		}
	}
	if editing == 0 {
		// A new item starts where the last one ends.
		start := cr.StartsAt
		items, err := h.store.Programme(c.Request().Context(), cr.ID)
		if err != nil {
			return err
		}
		if n := len(items); n > 0 {
			start = items[n-1].EndsAt()
		}
		p.Form = view.NewForm(map[string]string{"start": start.In(sc.loc).Format("15:04"), "duration": "5", "visibility": VisibleToGuests})
	}
	return h.renderProgramme(c, http.StatusOK, sc, cr, p, editing)
}

// CreateItem handles POST /editions/:year/ceremonies/:id/programme.
func (h *Handler) CreateItem(c echo.Context) error {
	sc, cr, err := h.ceremonyScope(c)
	if err != nil {
		return err
	}
	it, form, _, _ := bindItem(c, cr, sc.loc)
	p := h.view.Page(c, "programme.title", "Title", cr.Title)
	p.Form = form
	if !form.Valid() {
		return h.renderProgramme(c, http.StatusUnprocessableEntity, sc, cr, p, 0)
	}
	if err := h.store.CreateItem(c.Request().Context(), it); err != nil {
		return err
	}
	h.view.Flash(c, view.FlashSuccess, "programme.added", "Title", it.Title)
	return c.Redirect(http.StatusSeeOther, ceremonyURL(sc.ed.Year, cr.ID)+"/programme")
}

// itemScope resolves :year, :id and the programme item's :item.
func (h *Handler) itemScope(c echo.Context) (*scope, *Ceremony, int64, error) {
	sc, cr, err := h.ceremonyScope(c)
	if err != nil {
		return nil, nil, 0, err
	}
	id, err := strconv.ParseInt(c.Param("item"), 10, 64)
	if err != nil {
		return nil, nil, 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return sc, cr, id, nil
}

// UpdateItem handles POST /editions/:year/ceremonies/:id/programme/:item.
func (h *Handler) UpdateItem(c echo.Context) error {
	sc, cr, id, err := h.itemScope(c)
	if err != nil {
		return err
	}
	it, form, version, shift := bindItem(c, cr, sc.loc)
	it.ID = id
	p := h.view.Page(c, "programme.title", "Title", cr.Title)
	p.Form = form
	if !form.Valid() {
		return h.renderProgramme(c, http.StatusUnprocessableEntity, sc, cr, p, id)
	}
	err = h.store.UpdateItem(c.Request().Context(), it, version, shift)
	switch {
	case errors.Is(err, ErrNotFound):
		return echo.NewHTTPError(http.StatusNotFound)
	case errors.Is(err, ErrStale):
		form.Add("title", "form.error.stale")
		return h.renderProgramme(c, http.StatusConflict, sc, cr, p, id)
	case err != nil:
		return err
	}
	h.view.Flash(c, view.FlashSuccess, "programme.saved", "Title", it.Title)
	return c.Redirect(http.StatusSeeOther, ceremonyURL(sc.ed.Year, cr.ID)+"/programme")
}

// DeleteItem handles POST /editions/:year/ceremonies/:id/programme/:item/delete.
func (h *Handler) DeleteItem(c echo.Context) error {
	sc, cr, id, err := h.itemScope(c)
	if err != nil {
		return err
	}
	// Deleting what is already gone is not an error: a double-click.
	if err := h.store.DeleteItem(c.Request().Context(), cr.ID, id); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	h.view.Flash(c, view.FlashSuccess, "programme.deleted")
	return c.Redirect(http.StatusSeeOther, ceremonyURL(sc.ed.Year, cr.ID)+"/programme")
}

// MoveItem handles POST /editions/:year/ceremonies/:id/programme/:item/move
// with direction=up or down.
func (h *Handler) MoveItem(c echo.Context) error {
	sc, cr, id, err := h.itemScope(c)
	if err != nil {
		return err
	}
	err = h.store.MoveItem(c.Request().Context(), cr.ID, id, c.FormValue("direction") == "up")
	switch {
	case errors.Is(err, ErrNotFound):
		return echo.NewHTTPError(http.StatusNotFound)
	case errors.Is(err, ErrNoNeighbour), err == nil:
	default:
		return err
	}
	return c.Redirect(http.StatusSeeOther, ceremonyURL(sc.ed.Year, cr.ID)+"/programme#item-"+strconv.FormatInt(id, 10))
}

// PrintProgramme shows GET /editions/:year/ceremonies/:id/programme/print:
// the staff run-of-show, or with ?audience=guests the guest-visible one.
func (h *Handler) PrintProgramme(c echo.Context) error {
	sc, cr, err := h.ceremonyScope(c)
	if err != nil {
		return err
	}
	guests := c.QueryParam("audience") == "guests"
	key := "programme.print.staff_title"
	if guests {
		key = "programme.print.guest_title"
	}
	p := h.view.Page(c, key, "Title", cr.Title)
	d, err := h.programmeData(c, sc, cr, p, guests)
	if err != nil {
		return err
	}
	d.Audience = "staff"
	if guests {
		d.Audience = "guests"
	}
	p.Data = d
	return h.view.Render(c, http.StatusOK, tmplProgrammePrnt, p)
}
