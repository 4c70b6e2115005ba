// Package ceremony holds the commemoration and, as later work adds them,
// its editions, ceremonies and programme. It also serves the dashboard,
// which is the current edition at a glance.
package ceremony

import (
	"fmt"
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
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("ceremony: time zone %q: %w", c.TimeZone, err)
	}
	return loc, nil
}

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
