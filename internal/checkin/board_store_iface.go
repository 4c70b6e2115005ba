package checkin

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// What the live arrivals board reads from the packages that own
// ceremonies, zones, answers and guests. The app implements these
// interfaces over their stores (internal/app/checkin_board.go); a
// ceremony that does not exist is ErrNotFound.

// BoardZone is a zone a ceremony uses, as the board names it.
type BoardZone struct {
	ID     int64
	Name   string
	Colour string
}

// BoardCeremony is what the board shows of a ceremony.
type BoardCeremony struct {
	ID       int64
	Title    string
	StartsAt time.Time
	// Location is the commemoration's time zone; times are shown in it.
	Location *time.Location
	// Zones are the ceremony's zones, in the venue's order.
	Zones []BoardZone
}

// BoardCeremonies looks ceremonies up by id.
type BoardCeremonies interface {
	BoardCeremony(ctx context.Context, id int64) (BoardCeremony, error)
}

// BoardGroup is the answers to a ceremony the board counts (expected,
// that is accepted, or checked in, or both) of one zone and delegation,
// added up.
type BoardGroup struct {
	// ZoneID is the zone the guests are seated in; nil when none is set.
	ZoneID *int64
	// DelegationID is the guests' delegation; nil when they have none.
	DelegationID *int64
	// Delegation is the delegation's name, Precedence its place in the
	// order of precedence (both meaningless without a delegation).
	Delegation string
	Precedence int
	// Guests is how many answers are expected, People their seats (each
	// 1 + its companions).
	Guests int
	People int
	// GuestsIn is how many answers have been checked in, PeopleIn how
	// many people of all the answers have: guests and companions.
	GuestsIn int
	PeopleIn int
}

// BoardVIPWaiting is a VIP expected at a ceremony and not yet checked in.
type BoardVIPWaiting struct {
	GuestID int64
	// ZoneID is the zone the guest is seated in; nil when none is set.
	ZoneID *int64
	// DelegationID is the guest's delegation; nil when none.
	DelegationID *int64
}

// BoardTally is a ceremony's answers as the board keeps them in memory:
// read once, then told of the check-ins the gates' scans announce.
type BoardTally interface {
	// CheckIn counts invitations ids as checked in; false when one of
	// them is an answer the tally does not hold (made since it was read).
	CheckIn(invitationIDs []int64) bool
	// Sums adds the answers up by zone and delegation, and lists the VIPs
	// expected and not yet checked in.
	Sums() ([]BoardGroup, []BoardVIPWaiting)
}

// BoardArrivals reads the answers of a ceremony, from one snapshot.
type BoardArrivals interface {
	BoardArrivals(ctx context.Context, ceremonyID int64) (BoardTally, error)
}

// BoardGuest is what the board shows of a guest.
type BoardGuest struct {
	ID int64
	// Name is the name as printed, with the honorific.
	Name         string
	VIP          bool
	DelegationID *int64
	Delegation   string
	// Precedence is the delegation's place in the order of precedence.
	Precedence int
}

// BoardGuests reads guests from the directory; the board asks it only for
// the VIPs it lists.
type BoardGuests interface {
	BoardGuests(ctx context.Context, ids []int64) (map[int64]BoardGuest, error)
}

// BoardListen opens a connection of its own for LISTEN: it is held for as
// long as boards are open, so it must not be one of the pool's.
type BoardListen func(ctx context.Context) (*pgx.Conn, error)
