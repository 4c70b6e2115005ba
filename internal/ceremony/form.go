package ceremony

import (
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/i18n"
	"vigil/internal/view"
)

// requiredDate reads a date that must be given.
func requiredDate(b *view.Binder, field string) *time.Time {
	if b.Raw(field) == "" {
		b.Form.Add(field, "form.error.date_required")
		return nil
	}
	return b.Date(field, "form.error.date_invalid")
}

// commemorationForm ------------------------------------------------------------

func bindCommemoration(c echo.Context) (*Commemoration, *view.Form, int) {
	b := view.Bind(c)
	cm := &Commemoration{}
	cm.Name = b.Required("name", 200, "commemoration.error.name_required")
	cm.Description = b.Text("description", 2000)
	if d := requiredDate(b, "commemorated_on"); d != nil {
		cm.CommemoratedOn = *d
	}
	if m := b.Int("ceremony_month", 1, 12, true); m != nil {
		cm.CeremonyMonth = *m
	}
	if d := b.Int("ceremony_day", 1, 31, true); d != nil {
		cm.CeremonyDay = *d
		if cm.CeremonyMonth != 0 && cm.CeremonyDay > daysIn(time.Month(cm.CeremonyMonth), 2024) {
			b.Form.Add("ceremony_day", "commemoration.error.no_such_day")
		}
	}
	cm.TimeZone = b.Raw("time_zone")
	if _, err := time.LoadLocation(cm.TimeZone); cm.TimeZone == "" || err != nil || cm.TimeZone == "Local" {
		b.Form.Add("time_zone", "commemoration.error.time_zone")
	}
	cm.DefaultLocale = b.Choice("default_locale", i18n.Locales, "commemoration.error.locale")
	return cm, b.Form, b.Version("version")
}

// editionForm ------------------------------------------------------------------

func bindEdition(c echo.Context) (*Edition, *view.Form, int) {
	b := view.Bind(c)
	e := &Edition{}
	e.Status = b.Choice("status", EditionStatuses, "edition.error.status")
	e.RSVPDeadline = b.Date("rsvp_deadline", "form.error.date_invalid")
	if n := b.Int("reminder_days", 0, 90, true); n != nil {
		e.ReminderDays = *n
	}
	e.Notes = b.Text("notes", 4000)
	return e, b.Form, b.Version("version")
}

// ceremonyForm -----------------------------------------------------------------

// bindCeremony reads the ceremony form; times are entered in loc.
func bindCeremony(c echo.Context, loc *time.Location) (*Ceremony, *view.Form, int) {
	b := view.Bind(c)
	cr := &Ceremony{}
	cr.Title = b.Required("title", 200, "ceremony.error.title_required")
	cr.TitleAZ = b.Text("title_az", 200)
	cr.TitleRU = b.Text("title_ru", 200)
	cr.Kind = b.Choice("kind", CeremonyKinds, "ceremony.error.kind")
	cr.VenueID = b.ID("venue_id", "ceremony.error.venue", nil)
	day := requiredDate(b, "date")
	sh, sm, okS := b.Clock("start")
	eh, em, okE := b.Clock("end")
	if day != nil && okS && okE {
		cr.StartsAt = time.Date(day.Year(), day.Month(), day.Day(), sh, sm, 0, 0, loc)
		cr.EndsAt = time.Date(day.Year(), day.Month(), day.Day(), eh, em, 0, 0, loc)
		if !cr.EndsAt.After(cr.StartsAt) {
			b.Form.Add("end", "ceremony.error.end_before_start")
		}
	}
	cr.Capacity = b.Int("capacity", 0, 1000000, false)
	cr.DressCode = b.Text("dress_code", 200)
	cr.NotesGuests = b.Text("notes_guests", 4000)
	cr.NotesStaff = b.Text("notes_staff", 4000)
	if n := b.Int("companions_default", 0, 10, false); n != nil {
		cr.CompanionsDefault = *n
	}
	for _, z := range c.Request().Form["zones"] {
		id, err := strconv.ParseInt(z, 10, 64)
		if err != nil || id <= 0 {
			b.Form.Add("zones", "ceremony.error.zone")
			break
		}
		if !slices.Contains(cr.ZoneIDs, id) {
			cr.ZoneIDs = append(cr.ZoneIDs, id)
		}
	}
	if len(cr.ZoneIDs) > 0 && cr.VenueID == nil {
		b.Form.Add("zones", "ceremony.error.zones_without_venue")
	}
	return cr, b.Form, b.Version("version")
}

func ceremonyValues(cr *Ceremony, loc *time.Location) map[string]string {
	m := map[string]string{
		"title": cr.Title, "title_az": cr.TitleAZ, "title_ru": cr.TitleRU, "kind": cr.Kind, "dress_code": cr.DressCode, "notes_guests": cr.NotesGuests,
		"notes_staff": cr.NotesStaff, "companions_default": strconv.Itoa(cr.CompanionsDefault),
		"version": strconv.Itoa(cr.Version),
	}
	if cr.VenueID != nil {
		m["venue_id"] = strconv.FormatInt(*cr.VenueID, 10)
	}
	if !cr.StartsAt.IsZero() {
		m["date"] = cr.StartsAt.In(loc).Format("2006-01-02")
		m["start"] = cr.StartsAt.In(loc).Format("15:04")
		m["end"] = cr.EndsAt.In(loc).Format("15:04")
	}
	if cr.Capacity != nil {
		m["capacity"] = strconv.Itoa(*cr.Capacity)
	}
	return m
}

// programmeForm ----------------------------------------------------------------

// bindItem reads a programme item; its time is on the ceremony's day in loc.
func bindItem(c echo.Context, cr *Ceremony, loc *time.Location) (*ProgrammeItem, *view.Form, int, bool) {
	b := view.Bind(c)
	it := &ProgrammeItem{CeremonyID: cr.ID}
	if h, m, ok := b.Clock("start"); ok {
		d := cr.StartsAt.In(loc)
		it.StartsAt = time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc)
	}
	if n := b.Int("duration", 0, 1440, true); n != nil {
		it.DurationMinutes = *n
	}
	it.Title = b.Required("title", 200, "programme.error.title_required")
	it.Responsible = b.Text("responsible", 200)
	it.Notes = b.Text("notes", 2000)
	it.ZoneID = b.ID("zone_id", "ceremony.error.zone", nil)
	if b.Raw("visibility") == "" {
		b.Form.Values["visibility"] = VisibleToGuests
		it.Visibility = VisibleToGuests
	} else {
		it.Visibility = b.Choice("visibility", []string{VisibleToGuests, VisibleToStaff}, "programme.error.visibility")
	}
	shift := b.Raw("shift") == "on"
	return it, b.Form, b.Version("version"), shift
}

func itemValues(it *ProgrammeItem, loc *time.Location) map[string]string {
	m := map[string]string{
		"start": it.StartsAt.In(loc).Format("15:04"), "duration": strconv.Itoa(it.DurationMinutes), "title": it.Title,
		"responsible": it.Responsible, "notes": it.Notes, "visibility": it.Visibility, "version": strconv.Itoa(it.Version),
	}
	if it.ZoneID != nil {
		m["zone_id"] = strconv.FormatInt(*it.ZoneID, 10)
	}
	return m
}
