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

// BoardArrival is one answer to a ceremony the board counts: expected
// (accepted) or checked in, or both.
type BoardArrival struct {
	GuestID int64
	// ZoneID is the zone the guest is seated in; nil when none is set.
	ZoneID   *int64
	Expected bool
	// Seats is 1 + the companions of the answer.
	Seats     int
	CheckedIn bool
	// Arrived is how many people of the answer have been checked in:
	// the guest and companions.
	Arrived int
}

// BoardArrivals reads the answers of a ceremony.
type BoardArrivals interface {
	Arrivals(ctx context.Context, ceremonyID int64) ([]BoardArrival, error)
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

// BoardGuests reads guests from the directory.
type BoardGuests interface {
	BoardGuests(ctx context.Context, ids []int64) (map[int64]BoardGuest, error)
}

// BoardListen opens a connection of its own for LISTEN: it is held for as
// long as boards are open, so it must not be one of the pool's.
type BoardListen func(ctx context.Context) (*pgx.Conn, error)
