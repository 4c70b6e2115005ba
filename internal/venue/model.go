// Package venue holds the places ceremonies happen in and the logistics
// behind them: venues with their zones (each with a capacity and a badge
// colour) and gates, and per ceremony the resources to have delivered, the
// transport to run and the tasks of each edition, with overdue tasks in
// plain sight and printable transport sheets and checklists.
//
// Editions and ceremonies belong to the ceremony package; this package
// refers to them only by id and reads them through the Planning interface
// it declares.
package venue

import (
	"strconv"
	"time"
)

// Zone kinds, in the order forms show them.
var ZoneKinds = []string{"official", "diplomatic", "guests", "press", "staff", "other"}

// DefaultBadgeColour is the colour of a new zone's badges (the accent).
const DefaultBadgeColour = "#1f3a5f"

// Resource statuses.
const (
	ResourceNeeded    = "needed"
	ResourceOrdered   = "ordered"
	ResourceDelivered = "delivered"
)

// ResourceStatuses lists the statuses in the order a resource passes them.
var ResourceStatuses = []string{ResourceNeeded, ResourceOrdered, ResourceDelivered}

// Task statuses.
const (
	TaskOpen = "open"
	TaskDone = "done"
)

// TaskStatuses lists the task statuses.
var TaskStatuses = []string{TaskOpen, TaskDone}

// Venue is a place where ceremonies happen. The audit tags name the fields
// the audit log records.
type Venue struct {
	ID                 int64    `gorm:"primaryKey"`
	Name               string   `audit:"name"`
	Address            string   `audit:"address"`
	Latitude           *float64 `audit:"latitude"`
	Longitude          *float64 `audit:"longitude"`
	Capacity           *int     `audit:"capacity"`
	AccessibilityNotes string   `audit:"accessibility_notes"`
	ParkingNotes       string   `audit:"parking_notes"`
	ContactName        string   `audit:"contact_name"`
	ContactPhone       string   `audit:"contact_phone"`
	ContactEmail       string   `audit:"contact_email"`
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int
}

// TableName tells GORM where venues live.
func (Venue) TableName() string { return "venues" }

// MapURL links to the venue on OpenStreetMap, or is "" without coordinates.
func (v *Venue) MapURL() string {
	if v.Latitude == nil || v.Longitude == nil {
		return ""
	}
	lat, lon := formatCoord(*v.Latitude), formatCoord(*v.Longitude)
	return "https://www.openstreetmap.org/?mlat=" + lat + "&mlon=" + lon + "#map=17/" + lat + "/" + lon
}

func formatCoord(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Zone is a part of a venue with its own capacity and badge colour: the
// official stand, the diplomatic corps, guests, press, staff.
type Zone struct {
	ID          int64 `gorm:"primaryKey"`
	VenueID     int64
	Name        string `audit:"name"`
	Kind        string `audit:"kind"`
	Capacity    int    `audit:"capacity"`
	BadgeColour string `audit:"badge_colour"`
	Position    int    `audit:"position"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
}

// TableName tells GORM where zones live.
func (Zone) TableName() string { return "zones" }

// Gate is an entrance of a venue where guests are checked in.
type Gate struct {
	ID        int64 `gorm:"primaryKey"`
	VenueID   int64
	Name      string `audit:"name"`
	Notes     string `audit:"notes"`
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// TableName tells GORM where gates live.
func (Gate) TableName() string { return "gates" }

// Resource is something a ceremony needs: wreaths, chairs, sound,
// interpreters.
type Resource struct {
	ID         int64 `gorm:"primaryKey"`
	CeremonyID int64
	Item       string `audit:"item"`
	Quantity   int    `audit:"quantity"`
	Supplier   string `audit:"supplier"`
	Status     string `audit:"status"`
	Notes      string `audit:"notes"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int
}

// TableName tells GORM where resources live.
func (Resource) TableName() string { return "resources" }

// Transport is one vehicle run for a ceremony: who drives, where and when
// it picks up, and whom it carries.
type Transport struct {
	ID          int64 `gorm:"primaryKey"`
	CeremonyID  int64
	Vehicle     string     `audit:"vehicle"`
	DriverName  string     `audit:"driver_name"`
	DriverPhone string     `audit:"driver_phone"`
	PickupPoint string     `audit:"pickup_point"`
	PickupAt    *time.Time `audit:"pickup_at"`
	Carries     string     `audit:"carries"`
	Seats       *int       `audit:"seats"`
	Notes       string     `audit:"notes"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
}

// TableName tells GORM where transport lives.
func (Transport) TableName() string { return "transports" }

// Task is one thing to do for an edition, or for one of its ceremonies.
// DueOn is a calendar day, held as midnight UTC.
type Task struct {
	ID         int64 `gorm:"primaryKey"`
	EditionID  int64
	CeremonyID *int64     `audit:"ceremony_id"`
	Title      string     `audit:"title"`
	AssigneeID *int64     `audit:"assignee_id"`
	DueOn      *time.Time `gorm:"type:date" audit:"due_on"`
	Status     string     `audit:"status"`
	Notes      string     `audit:"notes"`
	DoneAt     *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int
}

// TableName tells GORM where tasks live.
func (Task) TableName() string { return "tasks" }

// Overdue reports whether the task is open and was due before today (a
// calendar day, see Today).
func (t *Task) Overdue(today time.Time) bool {
	return t.Status == TaskOpen && t.DueOn != nil && civil(*t.DueOn).Before(today)
}

// Today is the calendar day of now in loc, as midnight UTC: the form task
// due dates are compared in.
func Today(now time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return civil(now.In(loc))
}

// civil drops the clock and zone of t, keeping its calendar day.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// The versioned methods let the generic store helpers read and bump each
// model's version.

func (v *Venue) version() int         { return v.Version }
func (v *Venue) setVersion(n int)     { v.Version = n }
func (z *Zone) version() int          { return z.Version }
func (z *Zone) setVersion(n int)      { z.Version = n }
func (g *Gate) version() int          { return g.Version }
func (g *Gate) setVersion(n int)      { g.Version = n }
func (r *Resource) version() int      { return r.Version }
func (r *Resource) setVersion(n int)  { r.Version = n }
func (t *Transport) version() int     { return t.Version }
func (t *Transport) setVersion(n int) { t.Version = n }
func (t *Task) version() int          { return t.Version }
func (t *Task) setVersion(n int)      { t.Version = n }
