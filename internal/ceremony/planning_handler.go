package ceremony

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/i18n"
	"vigil/internal/view"
)

// Templates of the planning pages.
const (
	tmplCommemoration = "ceremony/commemoration"
	tmplEditions      = "ceremony/editions"
	tmplEdition       = "ceremony/edition"
	tmplDay           = "ceremony/day"
	tmplCeremony      = "ceremony/ceremony"
	tmplProgramme     = "ceremony/programme"
	tmplProgrammePrnt = "ceremony/programme_print"
)

// ZoneOption is a venue zone as the ceremony pages show it.
type ZoneOption struct {
	ID       int64
	Name     string
	Kind     string
	Capacity int
	Colour   string
}

// VenueOption is a venue with its zones, for the ceremony form.
type VenueOption struct {
	ID        int64
	Name      string
	Address   string
	Latitude  *float64
	Longitude *float64
	Zones     []ZoneOption
}

// Venues gives the ceremony pages the venues and zones to choose from; the
// venue package provides it.
type Venues interface {
	VenueOptions(ctx context.Context) ([]VenueOption, error)
}

// Logistics is what planning needs from the venue package's logistics.
type Logistics interface {
	LogisticsCopier
	OpenTasks(ctx context.Context, editionID int64, loc *time.Location) (open, overdue int, err error)
}

// Planning bundles the other domains the planning pages use. Either may be
// nil (tests of this package alone): pages then show no venues and no tasks.
type Planning struct {
	Venues    Venues
	Logistics Logistics
}

// WithPlanning gives the handler access to venues and logistics.
func (h *Handler) WithPlanning(p Planning) *Handler {
	h.planning = p
	return h
}

// scope is the commemoration and edition a request is about.
type scope struct {
	cm  *Commemoration
	ed  *Edition
	loc *time.Location
}

func (h *Handler) commemoration(c echo.Context) (*Commemoration, *time.Location, error) {
	cm, err := h.store.Current(c.Request().Context())
	if errors.Is(err, ErrNotFound) {
		return nil, nil, echo.NewHTTPError(http.StatusNotFound)
	}
	if err != nil {
		return nil, nil, err
	}
	loc, err := cm.Location()
	if err != nil {
		return nil, nil, err
	}
	return cm, loc, nil
}

// editionScope resolves :year.
func (h *Handler) editionScope(c echo.Context) (*scope, error) {
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil || year < 1900 || year > 2200 {
		return nil, echo.NewHTTPError(http.StatusNotFound)
	}
	cm, loc, err := h.commemoration(c)
	if err != nil {
		return nil, err
	}
	ed, err := h.store.EditionByYear(c.Request().Context(), cm.ID, year)
	if errors.Is(err, ErrNotFound) {
		return nil, echo.NewHTTPError(http.StatusNotFound)
	}
	if err != nil {
		return nil, err
	}
	return &scope{cm: cm, ed: ed, loc: loc}, nil
}

func (h *Handler) ceremonyScope(c echo.Context) (*scope, *Ceremony, error) {
	sc, err := h.editionScope(c)
	if err != nil {
		return nil, nil, err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, nil, echo.NewHTTPError(http.StatusNotFound)
	}
	cr, err := h.store.Ceremony(c.Request().Context(), sc.ed.ID, id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, echo.NewHTTPError(http.StatusNotFound)
	}
	return sc, cr, err
}

func (h *Handler) venues(ctx context.Context) ([]VenueOption, error) {
	if h.planning.Venues == nil {
		return nil, nil
	}
	return h.planning.Venues.VenueOptions(ctx)
}

func editionURL(year int) string { return "/editions/" + strconv.Itoa(year) }

func ceremonyURL(year int, id int64) string {
	return editionURL(year) + "/ceremonies/" + strconv.FormatInt(id, 10)
}

// Commemoration -------------------------------------------------------------------

type commemorationData struct {
	Months  []int
	Locales []string
}

// EditCommemoration shows GET /commemoration.
func (h *Handler) EditCommemoration(c echo.Context) error {
	cm, _, err := h.commemoration(c)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "commemoration.title")
	p.Nav = "editions"
	p.Form = view.NewForm(map[string]string{
		"name": cm.Name, "description": cm.Description, "commemorated_on": cm.CommemoratedOn.Format("2006-01-02"),
		"ceremony_month": strconv.Itoa(cm.CeremonyMonth), "ceremony_day": strconv.Itoa(cm.CeremonyDay),
		"time_zone": cm.TimeZone, "default_locale": cm.DefaultLocale, "version": strconv.Itoa(cm.Version),
	})
	p.Data = commemorationData{Months: months(), Locales: localesList()}
	return h.view.Render(c, http.StatusOK, tmplCommemoration, p)
}

// UpdateCommemoration handles POST /commemoration.
func (h *Handler) UpdateCommemoration(c echo.Context) error {
	cur, _, err := h.commemoration(c)
	if err != nil {
		return err
	}
	cm, form, version := bindCommemoration(c)
	p := h.view.Page(c, "commemoration.title")
	p.Nav = "editions"
	p.Form = form
	p.Data = commemorationData{Months: months(), Locales: localesList()}
	if !form.Valid() {
		return h.view.Render(c, http.StatusUnprocessableEntity, tmplCommemoration, p)
	}
	cm.ID = cur.ID
	if err := h.store.UpdateCommemoration(c.Request().Context(), cm, version); errors.Is(err, ErrStale) {
		form.Add("name", "form.error.stale")
		form.Values["version"] = strconv.Itoa(cur.Version)
		return h.view.Render(c, http.StatusConflict, tmplCommemoration, p)
	} else if err != nil {
		return err
	}
	h.view.Flash(c, view.FlashSuccess, "commemoration.saved")
	return c.Redirect(http.StatusSeeOther, "/editions")
}

func months() []int { return []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12} }

func localesList() []string { return i18n.Locales }

// Editions ---------------------------------------------------------------------

type editionRow struct {
	Year        int
	Anniversary int
	Status      string
	Ceremonies  int
	Deadline    *time.Time
	URL         string
	HasNext     bool
}

type editionsData struct {
	Name      string
	Rows      []editionRow
	NextYear  int
	CanCreate bool
}

// Editions shows GET /editions.
func (h *Handler) Editions(c echo.Context) error {
	cm, loc, err := h.commemoration(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	eds, err := h.store.Editions(ctx, cm.ID)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "editions.title")
	p.Nav = "editions"
	p.Zone = loc
	years := map[int]bool{}
	for _, e := range eds {
		years[e.Year] = true
	}
	d := editionsData{Name: cm.Name, NextYear: time.Now().In(loc).Year()}
	for years[d.NextYear] {
		d.NextYear++
	}
	d.CanCreate = len(eds) == 0
	ids := make([]int64, len(eds))
	for i, e := range eds {
		ids[i] = e.ID
	}
	counts, err := h.store.CeremonyCounts(ctx, ids)
	if err != nil {
		return err
	}
	for _, e := range eds {
		d.Rows = append(d.Rows, editionRow{
			Year: e.Year, Anniversary: cm.Anniversary(e.Year), Status: e.Status, Ceremonies: counts[e.ID],
			Deadline: e.RSVPDeadline, URL: editionURL(e.Year), HasNext: years[e.Year+1],
		})
	}
	p.Data = d
	return h.view.Render(c, http.StatusOK, tmplEditions, p)
}

// CreateEdition handles POST /editions: an empty edition for ?year.
func (h *Handler) CreateEdition(c echo.Context) error {
	cm, _, err := h.commemoration(c)
	if err != nil {
		return err
	}
	year, err := strconv.Atoi(c.FormValue("year"))
	if err != nil || year < 1900 || year > 2200 {
		h.view.Flash(c, view.FlashError, "edition.error.year")
		return c.Redirect(http.StatusSeeOther, "/editions")
	}
	e := &Edition{CommemorationID: cm.ID, Year: year, ReminderDays: 7}
	err = h.store.CreateEdition(c.Request().Context(), e)
	switch {
	case errors.Is(err, ErrEditionExists):
		// A resubmitted form lands on the edition it already created.
		return c.Redirect(http.StatusSeeOther, editionURL(year))
	case err != nil:
		return err
	}
	h.view.Flash(c, view.FlashSuccess, "edition.created", "Year", year)
	return c.Redirect(http.StatusSeeOther, editionURL(year))
}

type ceremonyRow struct {
	ID       int64
	URL      string
	Title    string
	Kind     string
	Day      string
	Start    string
	End      string
	Venue    string
	Status   string
	Capacity int
}

type editionData struct {
	Name        string
	Year        int
	Anniversary int
	Status      string
	Statuses    []string
	Ceremonies  []ceremonyRow
	OpenTasks   int
	Overdue     int
	NextExists  bool
	URL         string
}

// Edition shows GET /editions/:year.
func (h *Handler) Edition(c echo.Context) error {
	sc, err := h.editionScope(c)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "edition.title", "Year", sc.ed.Year)
	p.Form = view.NewForm(editionValues(sc.ed))
	return h.renderEdition(c, http.StatusOK, sc, p)
}

func editionValues(e *Edition) map[string]string {
	m := map[string]string{"status": e.Status, "reminder_days": strconv.Itoa(e.ReminderDays), "notes": e.Notes, "version": strconv.Itoa(e.Version)}
	if e.RSVPDeadline != nil {
		m["rsvp_deadline"] = e.RSVPDeadline.Format("2006-01-02")
	}
	return m
}

func (h *Handler) renderEdition(c echo.Context, status int, sc *scope, p *view.Page) error {
	ctx := c.Request().Context()
	p.Nav = "editions"
	p.Zone = sc.loc
	cs, err := h.store.Ceremonies(ctx, sc.ed.ID)
	if err != nil {
		return err
	}
	vs, err := h.venues(ctx)
	if err != nil {
		return err
	}
	d := editionData{Name: sc.cm.Name, Year: sc.ed.Year, Anniversary: sc.cm.Anniversary(sc.ed.Year), Status: sc.ed.Status,
		Statuses: EditionStatuses, URL: editionURL(sc.ed.Year)}
	if _, err := h.store.EditionByYear(ctx, sc.cm.ID, sc.ed.Year+1); err == nil {
		d.NextExists = true
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	for _, cr := range cs {
		d.Ceremonies = append(d.Ceremonies, h.ceremonyRow(p, sc, &cr, vs))
	}
	if h.planning.Logistics != nil {
		if d.OpenTasks, d.Overdue, err = h.planning.Logistics.OpenTasks(ctx, sc.ed.ID, sc.loc); err != nil {
			return err
		}
	}
	p.Data = d
	return h.view.Render(c, status, tmplEdition, p)
}

func (h *Handler) ceremonyRow(p *view.Page, sc *scope, cr *Ceremony, vs []VenueOption) ceremonyRow {
	r := ceremonyRow{ID: cr.ID, URL: ceremonyURL(sc.ed.Year, cr.ID), Title: cr.Title, Kind: cr.Kind,
		Day: p.LongDay(cr.StartsAt), Start: p.Clock(cr.StartsAt), End: p.Clock(cr.EndsAt), Status: cr.Status}
	v := findVenue(vs, cr.VenueID)
	if v != nil {
		r.Venue = v.Name
	}
	r.Capacity = effectiveCapacity(cr, v)
	return r
}

func findVenue(vs []VenueOption, id *int64) *VenueOption {
	if id == nil {
		return nil
	}
	for i := range vs {
		if vs[i].ID == *id {
			return &vs[i]
		}
	}
	return nil
}

// effectiveCapacity is the ceremony's own capacity, or its zones' sum.
func effectiveCapacity(cr *Ceremony, v *VenueOption) int {
	if cr.Capacity != nil {
		return *cr.Capacity
	}
	sum := 0
	if v != nil {
		for _, z := range v.Zones {
			for _, id := range cr.ZoneIDs {
				if z.ID == id {
					sum += z.Capacity
				}
			}
		}
	}
	return sum
}

// UpdateEdition handles POST /editions/:year.
func (h *Handler) UpdateEdition(c echo.Context) error {
	sc, err := h.editionScope(c)
	if err != nil {
		return err
	}
	e, form, version := bindEdition(c)
	p := h.view.Page(c, "edition.title", "Year", sc.ed.Year)
	p.Form = form
	if !form.Valid() {
		return h.renderEdition(c, http.StatusUnprocessableEntity, sc, p)
	}
	e.ID = sc.ed.ID
	if err := h.store.UpdateEdition(c.Request().Context(), e, version); errors.Is(err, ErrStale) {
		form.Add("status", "form.error.stale")
		form.Values = editionValues(sc.ed)
		return h.renderEdition(c, http.StatusConflict, sc, p)
	} else if err != nil {
		return err
	}
	h.view.Flash(c, view.FlashSuccess, "edition.saved", "Year", sc.ed.Year)
	return c.Redirect(http.StatusSeeOther, editionURL(sc.ed.Year))
}

// StartNext handles POST /editions/:year/next: next year's edition, copied
// from this one.
func (h *Handler) StartNext(c echo.Context) error {
	sc, err := h.editionScope(c)
	if err != nil {
		return err
	}
	var logistics LogisticsCopier
	if h.planning.Logistics != nil {
		logistics = h.planning.Logistics
	}
	next, err := h.store.StartNextEdition(c.Request().Context(), sc.ed, sc.loc, logistics)
	switch {
	case errors.Is(err, ErrEditionExists):
		h.view.Flash(c, view.FlashInfo, "edition.next_exists", "Year", sc.ed.Year+1)
		return c.Redirect(http.StatusSeeOther, editionURL(sc.ed.Year+1))
	case err != nil:
		return err
	}
	h.view.Flash(c, view.FlashSuccess, "edition.next_started", "Year", next.Year, "From", sc.ed.Year)
	return c.Redirect(http.StatusSeeOther, editionURL(next.Year))
}

// Day view -----------------------------------------------------------------------

// timelineSlot is 15 minutes.
const slotMinutes = 15

type timelineCell struct {
	Span     int
	Ceremony *ceremonyRow
}

type timelineRow struct {
	Venue string
	Cells []timelineCell
}

type dayData struct {
	Year    int
	Day     string
	Days    []dayLink
	Hours   []hourHead
	Rows    []timelineRow
	Empty   bool
	Listing []ceremonyRow
}

type dayLink struct {
	Label   string
	URL     string
	Current bool
}

type hourHead struct {
	Label string
	Span  int
}

// Day shows GET /editions/:year/day?date=YYYY-MM-DD: the ceremonies of one
// day on a timeline, one row per venue, in 15-minute columns (a table, so
// it needs neither inline styles nor script).
func (h *Handler) Day(c echo.Context) error {
	sc, err := h.editionScope(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	cs, err := h.store.Ceremonies(ctx, sc.ed.ID)
	if err != nil {
		return err
	}
	vs, err := h.venues(ctx)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "day.title", "Year", sc.ed.Year)
	p.Nav = "editions"
	p.Zone = sc.loc
	d := dayData{Year: sc.ed.Year}
	var days []string
	for _, cr := range cs {
		k := cr.StartsAt.In(sc.loc).Format("2006-01-02")
		if len(days) == 0 || days[len(days)-1] != k {
			days = append(days, k)
		}
	}
	if len(days) == 0 {
		d.Empty = true
		p.Data = d
		return h.view.Render(c, http.StatusOK, tmplDay, p)
	}
	day := c.QueryParam("date")
	found := false
	for _, k := range days {
		found = found || k == day
	}
	if !found {
		day = days[0]
	}
	for _, k := range days {
		t, _ := time.ParseInLocation("2006-01-02", k, sc.loc)
		d.Days = append(d.Days, dayLink{Label: p.LongDay(t), URL: editionURL(sc.ed.Year) + "/day?date=" + k, Current: k == day})
	}
	var todays []Ceremony
	for _, cr := range cs {
		if cr.StartsAt.In(sc.loc).Format("2006-01-02") == day {
			todays = append(todays, cr)
		}
	}
	dayStart, _ := time.ParseInLocation("2006-01-02", day, sc.loc)
	d.Day = p.LongDay(dayStart)
	first, last := todays[0].StartsAt, todays[0].EndsAt
	for _, cr := range todays {
		if cr.StartsAt.Before(first) {
			first = cr.StartsAt
		}
		if cr.EndsAt.After(last) {
			last = cr.EndsAt
		}
	}
	// Whole local hours around the day's ceremonies.
	f, l := first.In(sc.loc), last.In(sc.loc)
	from := time.Date(f.Year(), f.Month(), f.Day(), f.Hour(), 0, 0, 0, sc.loc)
	to := time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), 0, 0, 0, sc.loc)
	if to.Before(l) {
		to = to.Add(time.Hour)
	}
	slots := int(to.Sub(from).Minutes()) / slotMinutes
	for t := from; t.Before(to); t = t.Add(time.Hour) {
		d.Hours = append(d.Hours, hourHead{Label: t.Format("15:04"), Span: 60 / slotMinutes})
	}
	byVenue := map[string][]Ceremony{}
	var order []string
	for _, cr := range todays {
		name := p.T("day.no_venue")
		if v := findVenue(vs, cr.VenueID); v != nil {
			name = v.Name
		}
		if _, ok := byVenue[name]; !ok {
			order = append(order, name)
		}
		byVenue[name] = append(byVenue[name], cr)
	}
	for _, name := range order {
		// Ceremonies at one venue that overlap (different zones) go on
		// separate lines so each stays readable.
		var lines [][]Ceremony
		for _, cr := range byVenue[name] {
			placed := false
			for i, line := range lines {
				if !line[len(line)-1].EndsAt.After(cr.StartsAt) {
					lines[i] = append(lines[i], cr)
					placed = true
					break
				}
			}
			if !placed {
				lines = append(lines, []Ceremony{cr})
			}
		}
		for li, line := range lines {
			row := timelineRow{}
			if li == 0 {
				row.Venue = name
			}
			pos := 0
			for _, cr := range line {
				start := int(cr.StartsAt.Sub(from).Minutes()) / slotMinutes
				end := (int(cr.EndsAt.Sub(from).Minutes()) + slotMinutes - 1) / slotMinutes
				if start > pos {
					row.Cells = append(row.Cells, timelineCell{Span: start - pos})
				}
				cr := cr
				r := h.ceremonyRow(p, sc, &cr, vs)
				row.Cells = append(row.Cells, timelineCell{Span: max(end-start, 1), Ceremony: &r})
				pos = max(end, start+1)
			}
			if pos < slots {
				row.Cells = append(row.Cells, timelineCell{Span: slots - pos})
			}
			d.Rows = append(d.Rows, row)
		}
	}
	for _, cr := range todays {
		d.Listing = append(d.Listing, h.ceremonyRow(p, sc, &cr, vs))
	}
	p.Data = d
	return h.view.Render(c, http.StatusOK, tmplDay, p)
}

// Ceremonies ---------------------------------------------------------------------

type ceremonyData struct {
	Year        int
	EditionURL  string
	Creating    bool
	ID          int64
	URL         string
	Kinds       []string
	Venues      []VenueOption
	ZoneChecked map[int64]bool
	Status      string
	Version     int
	// Shown on the read-only summary.
	Summary      ceremonyRow
	VenueName    string
	VenueMapURL  string
	Zones        []ZoneOption
	CapacityNote bool
}

func (h *Handler) renderCeremony(c echo.Context, status int, sc *scope, cr *Ceremony, p *view.Page) error {
	ctx := c.Request().Context()
	vs, err := h.venues(ctx)
	if err != nil {
		return err
	}
	p.Nav = "editions"
	p.Zone = sc.loc
	d := ceremonyData{Year: sc.ed.Year, EditionURL: editionURL(sc.ed.Year), Creating: cr.ID == 0, ID: cr.ID,
		Kinds: CeremonyKinds, Venues: vs, ZoneChecked: map[int64]bool{}, Status: cr.Status, Version: cr.Version}
	for _, z := range cr.ZoneIDs {
		d.ZoneChecked[z] = true
	}
	if cr.ID != 0 {
		d.URL = ceremonyURL(sc.ed.Year, cr.ID)
		d.Summary = h.ceremonyRow(p, sc, cr, vs)
		d.CapacityNote = cr.Capacity == nil
		if v := findVenue(vs, cr.VenueID); v != nil {
			d.VenueName = v.Name
			d.VenueMapURL = mapURL(v)
			for _, z := range v.Zones {
				if d.ZoneChecked[z.ID] {
					d.Zones = append(d.Zones, z)
				}
			}
		}
	}
	p.Data = d
	return h.view.Render(c, status, tmplCeremony, p)
}

func mapURL(v *VenueOption) string {
	if v.Latitude == nil || v.Longitude == nil {
		return ""
	}
	return fmt.Sprintf("https://www.openstreetmap.org/?mlat=%.6f&mlon=%.6f#map=17/%.6f/%.6f", *v.Latitude, *v.Longitude, *v.Latitude, *v.Longitude)
}

// NewCeremony shows GET /editions/:year/ceremonies/new.
func (h *Handler) NewCeremony(c echo.Context) error {
	sc, err := h.editionScope(c)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "ceremony.new.title")
	day := sc.cm.CeremonyDate(sc.ed.Year, sc.loc)
	cr := &Ceremony{Kind: "wreath_laying", StartsAt: day.Add(11 * time.Hour), EndsAt: day.Add(12*time.Hour + 30*time.Minute)}
	p.Form = view.NewForm(ceremonyValues(cr, sc.loc))
	p.Form.Values["version"] = ""
	return h.renderCeremony(c, http.StatusOK, sc, cr, p)
}

// CreateCeremony handles POST /editions/:year/ceremonies.
func (h *Handler) CreateCeremony(c echo.Context) error {
	sc, err := h.editionScope(c)
	if err != nil {
		return err
	}
	cr, form, _ := bindCeremony(c, sc.loc)
	cr.EditionID = sc.ed.ID
	p := h.view.Page(c, "ceremony.new.title")
	p.Form = form
	if !form.Valid() {
		return h.renderCeremony(c, http.StatusUnprocessableEntity, sc, cr, p)
	}
	if err := h.store.CreateCeremony(c.Request().Context(), cr); err != nil {
		if h.zoneProblem(c, p, sc.loc, err) {
			cr.ID = 0
			return h.renderCeremony(c, http.StatusConflict, sc, cr, p)
		}
		return err
	}
	h.view.Flash(c, view.FlashSuccess, "ceremony.created", "Title", cr.Title)
	return c.Redirect(http.StatusSeeOther, ceremonyURL(sc.ed.Year, cr.ID)+"/programme")
}

// zoneProblem puts a zone clash or a foreign zone on the form; it reports
// whether err was one of those.
func (h *Handler) zoneProblem(c echo.Context, p *view.Page, loc *time.Location, err error) bool {
	p.Zone = loc
	var clash *ZoneClashError
	switch {
	case errors.As(err, &clash):
		zone := strconv.FormatInt(clash.ZoneID, 10)
		if vs, verr := h.venues(c.Request().Context()); verr == nil {
			for _, v := range vs {
				for _, z := range v.Zones {
					if z.ID == clash.ZoneID {
						zone = z.Name
					}
				}
			}
		}
		p.Form.Add("zones", "ceremony.error.zone_clash", "Zone", zone, "Other", clash.OtherTitle,
			"Day", p.LongDay(clash.OtherStartsAt), "Start", p.Clock(clash.OtherStartsAt), "End", p.Clock(clash.OtherEndsAt))
		return true
	case errors.Is(err, ErrZoneElsewhere):
		p.Form.Add("zones", "ceremony.error.zone_elsewhere")
		return true
	}
	return false
}

// Ceremony shows GET /editions/:year/ceremonies/:id.
func (h *Handler) Ceremony(c echo.Context) error {
	sc, cr, err := h.ceremonyScope(c)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "ceremony.title", "Title", cr.Title)
	p.Form = view.NewForm(ceremonyValues(cr, sc.loc))
	return h.renderCeremony(c, http.StatusOK, sc, cr, p)
}

// UpdateCeremony handles POST /editions/:year/ceremonies/:id.
func (h *Handler) UpdateCeremony(c echo.Context) error {
	sc, cur, err := h.ceremonyScope(c)
	if err != nil {
		return err
	}
	cr, form, version := bindCeremony(c, sc.loc)
	cr.ID, cr.EditionID, cr.Status, cr.Version = cur.ID, sc.ed.ID, cur.Status, cur.Version
	p := h.view.Page(c, "ceremony.title", "Title", cur.Title)
	p.Form = form
	if !form.Valid() {
		return h.renderCeremony(c, http.StatusUnprocessableEntity, sc, cr, p)
	}
	err = h.store.UpdateCeremony(c.Request().Context(), cr, version)
	switch {
	case errors.Is(err, ErrStale):
		form.Add("title", "form.error.stale")
		p.Form.Values = ceremonyValues(cur, sc.loc)
		return h.renderCeremony(c, http.StatusConflict, sc, cur, p)
	case h.zoneProblem(c, p, sc.loc, err):
		return h.renderCeremony(c, http.StatusConflict, sc, cr, p)
	case err != nil:
		return err
	}
	h.view.Flash(c, view.FlashSuccess, "ceremony.saved", "Title", cr.Title)
	return c.Redirect(http.StatusSeeOther, ceremonyURL(sc.ed.Year, cr.ID))
}

// SetStatus handles POST /editions/:year/ceremonies/:id/status.
func (h *Handler) SetStatus(c echo.Context) error {
	sc, cr, err := h.ceremonyScope(c)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	status := c.FormValue("status")
	err = h.store.SetCeremonyStatus(c.Request().Context(), sc.ed.ID, cr.ID, version, status)
	p := h.view.Page(c, "ceremony.title", "Title", cr.Title)
	p.Form = view.NewForm(ceremonyValues(cr, sc.loc))
	switch {
	case errors.Is(err, ErrStale):
		p.Form.Add("title", "form.error.stale")
		return h.renderCeremony(c, http.StatusConflict, sc, cr, p)
	case h.zoneProblem(c, p, sc.loc, err):
		return h.renderCeremony(c, http.StatusConflict, sc, cr, p)
	case err != nil:
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	h.view.Flash(c, view.FlashSuccess, "ceremony.flash."+status, "Title", cr.Title)
	return c.Redirect(http.StatusSeeOther, ceremonyURL(sc.ed.Year, cr.ID))
}

// DeleteCeremony handles POST /editions/:year/ceremonies/:id/delete.
func (h *Handler) DeleteCeremony(c echo.Context) error {
	sc, cr, err := h.ceremonyScope(c)
	if err != nil {
		return err
	}
	if cr.Status == CeremonyPublished {
		h.view.Flash(c, view.FlashError, "ceremony.error.delete_published")
		return c.Redirect(http.StatusSeeOther, ceremonyURL(sc.ed.Year, cr.ID))
	}
	if err := h.store.DeleteCeremony(c.Request().Context(), sc.ed.ID, cr.ID); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	h.view.Flash(c, view.FlashSuccess, "ceremony.deleted", "Title", cr.Title)
	return c.Redirect(http.StatusSeeOther, editionURL(sc.ed.Year))
}
