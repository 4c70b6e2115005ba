package checkin

import (
	"context"
	"errors"
	"time"
)

// What the check-in desk reads and writes through other packages. The app
// implements these interfaces over the invitation, ceremony, venue,
// delegation and auth stores (internal/app/checkin.go).

// ErrNotFound is returned for a ceremony, gate or invitation that does not
// exist (or is not open for check-in).
var ErrNotFound = errors.New("checkin: not found")

// Gate is an entrance of a venue where guests are checked in.
type Gate struct {
	ID   int64
	Name string
}

// Zone is a part of a venue, with the colour its badges carry.
type Zone struct {
	ID     int64
	Name   string
	Colour string
}

// Ceremony is a ceremony as the desk sees it.
type Ceremony struct {
	ID        int64
	EditionID int64
	Year      int
	Title     string
	Status    string // draft, published, cancelled
	StartsAt  time.Time
	VenueName string
	// Location is the commemoration's time zone: times are shown in it.
	Location *time.Location
	// Gates are the gates of the ceremony's venue (Ceremony only).
	Gates []Gate
	// Zones are the zones of the ceremony's venue, by id (Ceremony only).
	Zones map[int64]Zone
}

// Published reports whether guests can be checked in to the ceremony.
func (c Ceremony) Published() bool { return c.Status == "published" }

// Events reads the ceremonies of the current edition.
type Events interface {
	// Ceremonies lists the ceremonies of the current edition by start
	// time, without gates and zones; ErrNotFound when there is no edition.
	Ceremonies(ctx context.Context) ([]Ceremony, error)
	// Ceremony returns ceremony id of the current edition with its
	// venue's gates and zones; ErrNotFound for any other.
	Ceremony(ctx context.Context, id int64) (Ceremony, error)
}

// Outcomes of a check-in.
const (
	// OutcomeCheckedIn: checked in now, by this request.
	OutcomeCheckedIn = "checked_in"
	// OutcomeAlready: someone checked the guest in before (Attendee says
	// where, when and who).
	OutcomeAlready = "already"
	// OutcomeDeclined: the guest declined this ceremony.
	OutcomeDeclined = "declined"
	// OutcomeNotInvited: an unknown code, or a guest not invited to this
	// edition.
	OutcomeNotInvited = "not_invited"
	// OutcomeWrongCeremony: invited to other ceremonies of the edition,
	// not to this one.
	OutcomeWrongCeremony = "wrong_ceremony"
)

// Answer statuses the desk tells apart (the invitation package's).
const (
	StatusPending    = "pending"
	StatusAccepted   = "accepted"
	StatusDeclined   = "declined"
	StatusWaitlisted = "waitlisted"
)

// Attendee is an invited guest's check-in at one ceremony.
type Attendee struct {
	InvitationID int64
	GuestID      int64
	// Status is the answer: pending, accepted, declined or waitlisted.
	Status string
	ZoneID *int64
	// Companions are the companions accepted; CompanionsIn those checked
	// in so far.
	Companions   int
	CompanionsIn int
	CheckedInAt  *time.Time
	GateID       *int64
	By           *int64
}

// CheckIn asks to check a guest in at a gate: by the badge's code, or (a
// tap in the search results) by invitation.
type CheckIn struct {
	Code         string
	InvitationID int64
	CeremonyID   int64
	EditionID    int64
	GateID       *int64
	UserID       int64
}

// Result is what a check-in did, with all the desk shows about it: a
// scan is answered from the Result alone, without another look-up.
type Result struct {
	Outcome  string
	Attendee Attendee
	// Guest is who the badge belongs to (zero for an unknown code).
	Guest Guest
	// ByName names who checked the guest in (Attendee.By); GateName is
	// the gate (Attendee.GateID); Zone is the guest's zone
	// (Attendee.ZoneID), nil for none. The Attendance leaves them empty:
	// the desk names them from what it holds (Handler.name), so the
	// scan's statement need not join three more tables.
	ByName   string
	GateName string
	Zone     *Zone
	// Elsewhere are the titles of the ceremonies the guest is invited to
	// instead (OutcomeWrongCeremony), by start time.
	Elsewhere []string
}

// Attendance checks guests in and reads the check-ins. Every change is
// kept in the invitation's history, made by staff user.
type Attendance interface {
	// CheckIn checks a guest in, once: any number of simultaneous
	// requests for one guest and ceremony check in exactly one. It is
	// the desk's hot path: one round trip to the database.
	CheckIn(ctx context.Context, r CheckIn) (Result, error)
	// AddCompanion checks one more companion of a checked-in guest in,
	// never more than the companions accepted; false when none is left.
	AddCompanion(ctx context.Context, invitationID, ceremonyID, userID int64) (Attendee, bool, error)
	// Undo clears a check-in that user made less than window ago; false
	// (and nothing changed) otherwise.
	Undo(ctx context.Context, invitationID, ceremonyID, userID int64, window time.Duration) (bool, error)
	// Recent returns the last limit check-ins and walk-ins at a
	// ceremony's gate (nil: no gate), newest first.
	Recent(ctx context.Context, ceremonyID int64, gateID *int64, limit int) ([]Entry, error)
	// Invited returns the answers of those of guestIDs invited to the
	// ceremony, in the order of guestIDs.
	Invited(ctx context.Context, ceremonyID int64, guestIDs []int64) ([]Attendee, error)
	// Attendee returns invitation id's check-in at a ceremony.
	Attendee(ctx context.Context, invitationID, ceremonyID int64) (Attendee, error)
}

// Guest is who a guest is, as the desk shows them.
type Guest struct {
	ID int64
	// Name is the name as printed on the badge.
	Name       string
	Honorific  string
	Delegation string
	// DelegationID is the guest's delegation, when Delegation is not
	// filled in yet: a scan's answer names it from the desk's memory
	// (Handler.name).
	DelegationID *int64
	VIP          bool
}

// Directory is the guest directory.
type Directory interface {
	// Guests returns the guests ids that exist.
	Guests(ctx context.Context, ids []int64) (map[int64]Guest, error)
	// Search returns the ids of the guests whose names (folded: "aliyev"
	// finds "Əliyev") contain every word of text, in order of precedence.
	Search(ctx context.Context, text string) ([]int64, error)
	// DelegationNames names every delegation, by id.
	DelegationNames(ctx context.Context) (map[int64]string, error)
	// UserNames names the staff users ids.
	UserNames(ctx context.Context, ids []int64) (map[int64]string, error)
}

// WalkIn is a person let in without an invitation.
type WalkIn struct {
	ID           int64
	CeremonyID   int64
	GateID       *int64
	Name         string
	Organisation string
	Reason       string
	By           *int64
	At           time.Time
}

// WalkIns records walk-ins.
type WalkIns interface {
	// Record saves w (its ID and At are set).
	Record(ctx context.Context, w *WalkIn) error
}

// Entry is one line of a desk's recent list: an invited guest checked in,
// or a walk-in.
type Entry struct {
	// Attendee is the check-in (when WalkIn is nil).
	Attendee Attendee
	WalkIn   *WalkIn
}

// At is when the entry came in.
func (e Entry) At() time.Time {
	if e.WalkIn != nil {
		return e.WalkIn.At
	}
	if e.Attendee.CheckedInAt != nil {
		return *e.Attendee.CheckedInAt
	}
	return time.Time{}
}
