// Package ceremony holds the commemoration and, as later work adds them,
// its editions, ceremonies and programme. It also serves the dashboard,
// which is the current edition at a glance.
package ceremony

import (
	"fmt"
	"sync"
	"time"
)

// Commemoration is the recurring occasion.
type Commemoration struct {
	ID             int64     `gorm:"primaryKey"`
	Name           string    `audit:"name"`
	Description    string    `audit:"description"`
	CommemoratedOn time.Time `gorm:"type:date" audit:"commemorated_on"`
	CeremonyMonth  int       `audit:"ceremony_month"`
	CeremonyDay    int       `audit:"ceremony_day"`
	TimeZone       string    `audit:"time_zone"`
	DefaultLocale  string    `audit:"default_locale"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int
}

// TableName tells GORM where commemorations live.
func (Commemoration) TableName() string { return "commemorations" }

// Location returns the commemoration's time zone.
func (c *Commemoration) Location() (*time.Location, error) {
	if loc, ok := locations.Load(c.TimeZone); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("ceremony: time zone %q: %w", c.TimeZone, err)
	}
	locations.Store(c.TimeZone, loc)
	return loc, nil
}

// locations keeps the time zones loaded: time.LoadLocation reads and
// parses the zone file on every call, and every page shows times.
var locations sync.Map

// CeremonyDate returns the ceremony day in year, at midnight in loc. A 29
// February falls back to the 28th in other years.
func (c *Commemoration) CeremonyDate(year int, loc *time.Location) time.Time {
	day := c.CeremonyDay
	if last := daysIn(time.Month(c.CeremonyMonth), year); day > last {
		day = last
	}
	return time.Date(year, time.Month(c.CeremonyMonth), day, 0, 0, 0, 0, loc)
}

// NextCeremonyDate returns the next ceremony day on or after now's date in
// loc, and how many days away it is (0 = today).
func (c *Commemoration) NextCeremonyDate(now time.Time, loc *time.Location) (time.Time, int) {
	now = now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	d := c.CeremonyDate(now.Year(), loc)
	if d.Before(today) {
		d = c.CeremonyDate(now.Year()+1, loc)
	}
	// Count calendar days, not 24-hour spans, so a DST change in between
	// does not shift the count.
	days := int(time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC).
		Sub(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)).Hours() / 24)
	return d, days
}

// Anniversary is the anniversary number in year: 2024 for an event of 1992
// is the 32nd.
func (c *Commemoration) Anniversary(year int) int { return year - c.CommemoratedOn.Year() }

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Edition statuses, in the order an edition passes through them.
const (
	EditionPlanning        = "planning"
	EditionInvitationsOpen = "invitations_open"
	EditionClosed          = "closed"
	EditionArchived        = "archived"
)

// EditionStatuses lists the statuses in order.
var EditionStatuses = []string{EditionPlanning, EditionInvitationsOpen, EditionClosed, EditionArchived}

// Edition is one year of a commemoration.
type Edition struct {
	ID              int64 `gorm:"primaryKey"`
	CommemorationID int64
	Year            int        `audit:"year"`
	Status          string     `audit:"status"`
	RSVPDeadline    *time.Time `gorm:"column:rsvp_deadline;type:date" audit:"rsvp_deadline"`
	ReminderDays    int        `audit:"reminder_days"`
	Notes           string     `audit:"notes"`
	CopiedFromID    *int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int
}

// TableName tells GORM where editions live.
func (Edition) TableName() string { return "editions" }

// Ceremony kinds.
var CeremonyKinds = []string{"wreath_laying", "memorial_service", "reception", "concert", "other"}

// Ceremony statuses.
const (
	CeremonyDraft     = "draft"
	CeremonyPublished = "published"
	CeremonyCancelled = "cancelled"
)

// Ceremony is one event of an edition.
type Ceremony struct {
	ID                int64 `gorm:"primaryKey"`
	EditionID         int64
	Title             string    `audit:"title"`
	TitleAZ           string    `gorm:"column:title_az" audit:"title_az"`
	TitleRU           string    `gorm:"column:title_ru" audit:"title_ru"`
	Kind              string    `audit:"kind"`
	VenueID           *int64    `audit:"venue_id"`
	StartsAt          time.Time `audit:"starts_at"`
	EndsAt            time.Time `audit:"ends_at"`
	Capacity          *int      `audit:"capacity"`
	DressCode         string    `audit:"dress_code"`
	NotesGuests       string    `audit:"notes_guests"`
	NotesStaff        string    `audit:"notes_staff"`
	Status            string    `audit:"status"`
	CompanionsDefault int       `audit:"companions_default"`
	CreatedAt         time.Time
	UpdatedAt         time.Time
	Version           int
	// ZoneIDs are the venue zones the ceremony uses (ceremony_zones).
	ZoneIDs []int64 `gorm:"-" audit:"zones"`
}

// TableName tells GORM where ceremonies live.
func (Ceremony) TableName() string { return "ceremonies" }

// Titles are the ceremony's titles by language, for guests: the
// translations given, and the title itself under "" for the rest.
func (c *Ceremony) Titles() map[string]string {
	t := map[string]string{"": c.Title}
	if c.TitleAZ != "" {
		t["az"] = c.TitleAZ
	}
	if c.TitleRU != "" {
		t["ru"] = c.TitleRU
	}
	return t
}

// ceremonyZone is one row of ceremony_zones; during and active are filled
// by a trigger from the ceremony.
type ceremonyZone struct {
	CeremonyID int64 `gorm:"primaryKey"`
	ZoneID     int64 `gorm:"primaryKey"`
}

func (ceremonyZone) TableName() string { return "ceremony_zones" }

// Programme item visibility.
const (
	VisibleToGuests = "guests"
	VisibleToStaff  = "staff"
)

// ProgrammeItem is one line of a ceremony's run-of-show.
type ProgrammeItem struct {
	ID              int64 `gorm:"primaryKey"`
	CeremonyID      int64
	StartsAt        time.Time `audit:"starts_at"`
	DurationMinutes int       `audit:"duration_minutes"`
	Title           string    `audit:"title"`
	Responsible     string    `audit:"responsible"`
	ZoneID          *int64    `audit:"zone_id"`
	Notes           string    `audit:"notes"`
	Visibility      string    `audit:"visibility"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int
}

// TableName tells GORM where programme items live.
func (ProgrammeItem) TableName() string { return "programme_items" }

// EndsAt is when the item ends.
func (p ProgrammeItem) EndsAt() time.Time {
	return p.StartsAt.Add(time.Duration(p.DurationMinutes) * time.Minute)
}

// ShiftYear moves t by years in loc, keeping the local date and wall-clock
// time: 26 February 11:00 Baku time stays 26 February 11:00 Baku time, and a
// DST change in between does not move it by an hour. A 29 February lands on
// 28 February in a year without one.
func ShiftYear(t time.Time, years int, loc *time.Location) time.Time {
	l := t.In(loc)
	y, m, d := l.Date()
	y += years
	if last := daysIn(m, y); d > last {
		d = last
	}
	return time.Date(y, m, d, l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), loc)
}

// ProgrammeCheck flags overlaps and gaps in a run-of-show sorted by start.
type ProgrammeCheck struct {
	// OverlapsNext is true when the item ends after the next one starts.
	OverlapsNext bool
	// GapAfter is the idle time before the next item (zero when none).
	GapAfter time.Duration
}

// CheckProgramme returns, for each item of items (sorted by start), whether
// it overlaps the next one and the gap after it.
func CheckProgramme(items []ProgrammeItem) []ProgrammeCheck {
	out := make([]ProgrammeCheck, len(items))
	for i := 0; i+1 < len(items); i++ {
		end, next := items[i].EndsAt(), items[i+1].StartsAt
		switch {
		case end.After(next):
			out[i].OverlapsNext = true
		case next.After(end):
			out[i].GapAfter = next.Sub(end)
		}
	}
	return out
}
