package ceremony

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"vigil/internal/i18n"
	"vigil/internal/view"
)

// formValues reads the named fields, trimmed, for redisplay.
func formValues(c echo.Context, names ...string) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[n] = strings.TrimSpace(c.FormValue(n))
	}
	return m
}

func required(f *view.Form, name, key string, max int) string {
	v := f.Values[name]
	switch {
	case v == "":
		f.Add(name, key)
	case utf8.RuneCountInString(v) > max:
		f.Add(name, "form.error.too_long", "Max", max)
	}
	return v
}

func optionalText(f *view.Form, name string, max int) string {
	v := f.Values[name]
	if utf8.RuneCountInString(v) > max {
		f.Add(name, "form.error.too_long", "Max", max)
	}
	return v
}

// optionalInt parses a whole number in [min, max], nil when blank.
func optionalInt(f *view.Form, name string, min, max int) *int {
	v := f.Values[name]
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		f.Add(name, "form.error.whole_number", "Min", min, "Max", max)
		return nil
	}
	return &n
}

func requiredInt(f *view.Form, name string, min, max int) int {
	if f.Values[name] == "" {
		f.Add(name, "form.error.whole_number", "Min", min, "Max", max)
		return 0
	}
	if n := optionalInt(f, name, min, max); n != nil {
		return *n
	}
	return 0
}

func parseDate(f *view.Form, name string, required bool) *time.Time {
	v := f.Values[name]
	if v == "" {
		if required {
			f.Add(name, "form.error.date_required")
		}
		return nil
	}
	d, err := time.Parse("2006-01-02", v)
	if err != nil {
		f.Add(name, "form.error.date_invalid")
		return nil
	}
	return &d
}

func parseClock(f *view.Form, name string) (h, m int, ok bool) {
	v := f.Values[name]
	if v == "" {
		f.Add(name, "form.error.time_required")
		return 0, 0, false
	}
	t, err := time.Parse("15:04", v)
	if err != nil {
		f.Add(name, "form.error.time_invalid")
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

func oneOf(f *view.Form, name string, options []string, key string) string {
	v := f.Values[name]
	if !slices.Contains(options, v) {
		f.Add(name, key)
	}
	return v
}

// commemorationForm ------------------------------------------------------------

func bindCommemoration(c echo.Context) (*Commemoration, *view.Form, int) {
	f := view.NewForm(formValues(c, "name", "description", "commemorated_on", "ceremony_month", "ceremony_day", "time_zone", "default_locale", "version"))
	cm := &Commemoration{}
	cm.Name = required(f, "name", "commemoration.error.name_required", 200)
	cm.Description = optionalText(f, "description", 2000)
	if d := parseDate(f, "commemorated_on", true); d != nil {
		cm.CommemoratedOn = *d
	}
	cm.CeremonyMonth = requiredInt(f, "ceremony_month", 1, 12)
	cm.CeremonyDay = requiredInt(f, "ceremony_day", 1, 31)
	if cm.CeremonyMonth != 0 && cm.CeremonyDay > daysIn(time.Month(cm.CeremonyMonth), 2024) {
		f.Add("ceremony_day", "commemoration.error.no_such_day")
	}
	cm.TimeZone = f.Values["time_zone"]
	if _, err := time.LoadLocation(cm.TimeZone); cm.TimeZone == "" || err != nil || cm.TimeZone == "Local" {
		f.Add("time_zone", "commemoration.error.time_zone")
	}
	cm.DefaultLocale = oneOf(f, "default_locale", i18n.Locales, "commemoration.error.locale")
	version, _ := strconv.Atoi(f.Values["version"])
	return cm, f, version
}

// editionForm ------------------------------------------------------------------

func bindEdition(c echo.Context) (*Edition, *view.Form, int) {
	f := view.NewForm(formValues(c, "status", "rsvp_deadline", "reminder_days", "notes", "version"))
	e := &Edition{}
	e.Status = oneOf(f, "status", EditionStatuses, "edition.error.status")
	e.RSVPDeadline = parseDate(f, "rsvp_deadline", false)
	e.ReminderDays = requiredInt(f, "reminder_days", 0, 90)
	e.Notes = optionalText(f, "notes", 4000)
	version, _ := strconv.Atoi(f.Values["version"])
	return e, f, version
}

// ceremonyForm -----------------------------------------------------------------

var ceremonyFields = []string{"title", "kind", "venue_id", "date", "start", "end", "capacity", "dress_code",
	"notes_guests", "notes_staff", "companions_default", "version"}

// bindCeremony reads the ceremony form; times are entered in loc.
func bindCeremony(c echo.Context, loc *time.Location) (*Ceremony, *view.Form, int) {
	f := view.NewForm(formValues(c, ceremonyFields...))
	cr := &Ceremony{}
	cr.Title = required(f, "title", "ceremony.error.title_required", 200)
	cr.Kind = oneOf(f, "kind", CeremonyKinds, "ceremony.error.kind")
	if v := f.Values["venue_id"]; v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			f.Add("venue_id", "ceremony.error.venue")
		} else {
			cr.VenueID = &id
		}
	}
	day := parseDate(f, "date", true)
	sh, sm, okS := parseClock(f, "start")
	eh, em, okE := parseClock(f, "end")
	if day != nil && okS && okE {
		cr.StartsAt = time.Date(day.Year(), day.Month(), day.Day(), sh, sm, 0, 0, loc)
		cr.EndsAt = time.Date(day.Year(), day.Month(), day.Day(), eh, em, 0, 0, loc)
		if !cr.EndsAt.After(cr.StartsAt) {
			f.Add("end", "ceremony.error.end_before_start")
		}
	}
	cr.Capacity = optionalInt(f, "capacity", 0, 1000000)
	cr.DressCode = optionalText(f, "dress_code", 200)
	cr.NotesGuests = optionalText(f, "notes_guests", 4000)
	cr.NotesStaff = optionalText(f, "notes_staff", 4000)
	if f.Values["companions_default"] == "" {
		f.Values["companions_default"] = "0"
	}
	cr.CompanionsDefault = requiredInt(f, "companions_default", 0, 10)
	for _, z := range c.Request().Form["zones"] {
		id, err := strconv.ParseInt(z, 10, 64)
		if err != nil || id <= 0 {
			f.Add("zones", "ceremony.error.zone")
			break
		}
		if !slices.Contains(cr.ZoneIDs, id) {
			cr.ZoneIDs = append(cr.ZoneIDs, id)
		}
	}
	if len(cr.ZoneIDs) > 0 && cr.VenueID == nil {
		f.Add("zones", "ceremony.error.zones_without_venue")
	}
	version, _ := strconv.Atoi(f.Values["version"])
	return cr, f, version
}

func ceremonyValues(cr *Ceremony, loc *time.Location) map[string]string {
	m := map[string]string{
		"title": cr.Title, "kind": cr.Kind, "dress_code": cr.DressCode, "notes_guests": cr.NotesGuests,
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
	f := view.NewForm(formValues(c, "start", "duration", "title", "responsible", "zone_id", "notes", "visibility", "version", "shift"))
	it := &ProgrammeItem{CeremonyID: cr.ID}
	if h, m, ok := parseClock(f, "start"); ok {
		d := cr.StartsAt.In(loc)
		it.StartsAt = time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc)
	}
	it.DurationMinutes = requiredInt(f, "duration", 0, 1440)
	it.Title = required(f, "title", "programme.error.title_required", 200)
	it.Responsible = optionalText(f, "responsible", 200)
	it.Notes = optionalText(f, "notes", 2000)
	if v := f.Values["zone_id"]; v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			f.Add("zone_id", "ceremony.error.zone")
		} else {
			it.ZoneID = &id
		}
	}
	if f.Values["visibility"] == "" {
		f.Values["visibility"] = VisibleToGuests
	}
	it.Visibility = oneOf(f, "visibility", []string{VisibleToGuests, VisibleToStaff}, "programme.error.visibility")
	version, _ := strconv.Atoi(f.Values["version"])
	return it, f, version, f.Values["shift"] == "on"
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
