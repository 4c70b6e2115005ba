package invitation

import (
	"context"
	"time"
)

// What this package reads from the packages that own editions, ceremonies,
// venues and guests. The app implements these interfaces over their
// stores (internal/app/invitation_deps.go); each returns ErrNotFound (this
// package's) for a record that does not exist.

// EditionInfo is what invitation pages show of an edition.
type EditionInfo struct {
	ID   int64
	Year int
	// Name is the commemoration's name.
	Name string
	// Anniversary is the number of years since the commemorated date.
	Anniversary int
	// Location is the commemoration's time zone: every time is shown in it.
	Location *time.Location
	// Deadline is the last day answers can be changed through the link
	// (inclusive, in Location); nil for none.
	Deadline *time.Time
	// ReminderDays: reminders go this many days before the deadline.
	ReminderDays int
	// Status is planning, invitations_open, closed or archived.
	Status string
}

// Open reports whether answers can still be given through the link at now:
// until the end of the deadline day in the edition's time zone.
func (e EditionInfo) Open(now time.Time) bool {
	if e.Deadline == nil {
		return true
	}
	d := *e.Deadline
	end := time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, e.Location)
	return now.Before(end)
}

// Editions looks up editions.
type Editions interface {
	Edition(ctx context.Context, year int) (EditionInfo, error)
	EditionByID(ctx context.Context, id int64) (EditionInfo, error)
}

// ZoneInfo is a zone a ceremony uses.
type ZoneInfo struct {
	ID       int64
	Name     string
	Kind     string
	Capacity int
	Colour   string
}

// ProgrammeLine is one item of a ceremony's run-of-show that guests see.
type ProgrammeLine struct {
	StartsAt time.Time
	Minutes  int
	Title    string
}

// CeremonyInfo is what invitation pages show of a ceremony.
type CeremonyInfo struct {
	ID        int64
	EditionID int64
	Title     string
	// Titles are the title by language for guests (see TitleIn).
	Titles       map[string]string
	Kind         string
	Status       string // draft, published, cancelled
	StartsAt     time.Time
	EndsAt       time.Time
	VenueName    string
	VenueAddress string
	MapURL       string
	DressCode    string
	NotesGuests  string
	Capacity     *int // as set on the ceremony; nil: the zones' sum
	Zones        []ZoneInfo
	// Programme is the guest-visible run-of-show, by start time.
	Programme []ProgrammeLine
}

// TitleIn is the ceremony's title for a guest reading lang: its
// translation when one was given, else the title itself.
func (c *CeremonyInfo) TitleIn(lang string) string {
	if t := c.Titles[lang]; t != "" {
		return t
	}
	return c.Title
}

// Ceremonies lists the ceremonies of an edition, by start time.
type Ceremonies interface {
	Ceremonies(ctx context.Context, editionID int64) ([]CeremonyInfo, error)
}

// GuestInfo is what invitation pages show of a guest.
type GuestInfo struct {
	ID int64
	// Name is the name as printed (honorific included).
	Name         string
	FullName     string
	Email        string
	Language     string
	VIP          bool
	DelegationID *int64
	Delegation   string
	Kind         string // the delegation's kind
	// Precedence is the delegation's position in the order of precedence.
	Precedence int
}

// GuestFilter selects guests to invite, as the guest directory filters
// them.
type GuestFilter struct {
	Text         string
	DelegationID int64
	Kind         string
	Language     string
	VIPOnly      bool
}

// Guests reads the guest directory.
type Guests interface {
	Guests(ctx context.Context, ids []int64) (map[int64]GuestInfo, error)
	// Members are the guests of a delegation, VIPs first.
	Members(ctx context.Context, delegationID int64) ([]GuestInfo, error)
	// Heads returns, per delegation, the head of delegation in edition
	// editionID (from its participation), if one is set.
	Heads(ctx context.Context, editionID int64, delegationIDs []int64) (map[int64]int64, error)
	// Matching returns the ids of the guests f selects, in order of
	// precedence.
	Matching(ctx context.Context, f GuestFilter) ([]int64, error)
}
