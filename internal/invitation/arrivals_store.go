package invitation

import (
	"context"
	"fmt"
)

// The live arrivals board's query: who is expected at a ceremony and who
// has come. The board (internal/checkin) adds the rows up by zone and by
// delegation, which the guest directory knows.

// Arrival is one invitation's answer to a ceremony as the arrivals board
// counts it.
type Arrival struct {
	InvitationID int64
	GuestID      int64
	// ZoneID is the zone the guest is seated in; nil when none is set.
	ZoneID *int64
	// Expected is true for an accepted answer of a live invitation;
	// Seats is then 1 + its companions.
	Expected bool
	Seats    int
	// CheckedIn is true once the guest has been checked in;
	// CompanionsIn is how many of the companions have been.
	CheckedIn    bool
	CompanionsIn int
}

// Arrived is how many people of the answer have come: the guest and the
// companions checked in.
func (a Arrival) Arrived() int {
	if !a.CheckedIn {
		return a.CompanionsIn
	}
	return 1 + a.CompanionsIn
}

// Arrivals lists the answers to ceremony ceremonyID that the board counts:
// the accepted ones (expected) and every one checked in, even if it was
// not expected (a guest who declined and came after all).
//
// The board reads this every half second while check-ins come, for
// thousands of answers: the rows are scanned by hand, without the ORM's
// reflection.
func (s *Store) Arrivals(ctx context.Context, ceremonyID int64) ([]Arrival, error) {
	const q = `SELECT i.id, i.guest_id, ic.zone_id,
			(ic.status = 'accepted' AND i.revoked_at IS NULL) AS expected,
			1 + ic.companions AS seats,
			ic.checked_in_at IS NOT NULL AS checked_in,
			ic.companions_checked_in AS companions_in
		FROM invitation_ceremonies ic JOIN invitations i ON i.id = ic.invitation_id
		WHERE ic.ceremony_id = $1
		  AND ((ic.status = 'accepted' AND i.revoked_at IS NULL) OR ic.checked_in_at IS NOT NULL)
		ORDER BY i.id`
	// On the pool when the store has it: database/sql converts each of
	// the thousands of values through reflection (half the board's Go
	// time per read, measured), pgx scans them into their types.
	type rowsOf interface {
		Next() bool
		Scan(...any) error
		Err() error
	}
	var rows rowsOf
	if s.pool != nil {
		r, err := s.pool.Query(ctx, q, ceremonyID)
		if err != nil {
			return nil, fmt.Errorf("invitation: arrivals of ceremony %d: %w", ceremonyID, err)
		}
		defer r.Close()
		rows = r
	} else {
		r, err := s.db.Statement.ConnPool.QueryContext(ctx, q, ceremonyID)
		if err != nil {
			return nil, fmt.Errorf("invitation: arrivals of ceremony %d: %w", ceremonyID, err)
		}
		defer r.Close()
		rows = r
	}
	out := make([]Arrival, 0, 256)
	for rows.Next() {
		var a Arrival
		if err := rows.Scan(&a.InvitationID, &a.GuestID, &a.ZoneID, &a.Expected, &a.Seats, &a.CheckedIn, &a.CompanionsIn); err != nil {
			return nil, fmt.Errorf("invitation: arrivals of ceremony %d: %w", ceremonyID, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("invitation: arrivals of ceremony %d: %w", ceremonyID, err)
	}
	return out, nil
}
