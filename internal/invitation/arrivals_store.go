package invitation

import (
	"context"
	"fmt"
)

// The live arrivals board's answers: who is expected at a ceremony and who
// has come, added up by zone and delegation, and the VIPs still awaited.

// ArrivalGroup is the answers to a ceremony the arrivals board counts of
// one zone and one delegation, added up (ArrivalTally.Sums).
type ArrivalGroup struct {
	// ZoneID is the zone the guests are seated in; nil when none is set.
	ZoneID *int64
	// DelegationID is the guests' delegation; nil when they have none.
	DelegationID *int64
	// Delegation is the delegation's name and Precedence its position in
	// the order of precedence; "" and 0 without a delegation.
	Delegation string
	Precedence int
	// Guests is how many answers are expected (accepted, of a live
	// invitation); People their seats, each 1 + its companions.
	Guests int
	People int
	// GuestsIn is how many answers have been checked in; PeopleIn how
	// many people of all the answers have come: the guest if checked in,
	// and the companions checked in.
	GuestsIn int
	PeopleIn int
}

// WaitingVIP is a VIP whose answer is expected and who has not been
// checked in yet.
type WaitingVIP struct {
	GuestID int64
	// ZoneID is the zone the guest is seated in; nil when none is set.
	ZoneID *int64
	// DelegationID is the guest's delegation; nil when none.
	DelegationID *int64
}

// ArrivalRow is one answer to a ceremony as the live board counts it.
type ArrivalRow struct {
	InvitationID int64
	GuestID      int64
	// ZoneID is the zone the guest is seated in; nil when none is set.
	ZoneID *int64
	// DelegationID is the guest's delegation (nil: none), Delegation its
	// name and Precedence its place in the order of precedence.
	DelegationID *int64
	Delegation   string
	Precedence   int
	VIP          bool
	// Expected: accepted, of an invitation not revoked.
	Expected   bool
	Companions int
	// CheckedIn: the guest came; CompanionsIn: how many companions did.
	CheckedIn    bool
	CompanionsIn int
}

// arrivalRowsQuery reads every answer to ceremony $1, whether the board
// counts it or not, so that a check-in announced later (ArrivalTally's
// CheckIn) finds its answer whatever it was.
const arrivalRowsQuery = `SELECT ic.invitation_id, i.guest_id, ic.zone_id, g.delegation_id, coalesce(d.name, ''), coalesce(d.precedence, 0),
		coalesce(g.vip, false), (ic.status = 'accepted' AND i.revoked_at IS NULL), ic.companions,
		ic.checked_in_at IS NOT NULL, ic.companions_checked_in
	FROM invitation_ceremonies ic JOIN invitations i ON i.id = ic.invitation_id
	LEFT JOIN guests g ON g.id = i.guest_id LEFT JOIN delegations d ON d.id = g.delegation_id
	WHERE ic.ceremony_id = $1`

// ArrivalRows reads every answer to ceremony ceremonyID as the board
// counts it, from one snapshot.
func (s *Store) ArrivalRows(ctx context.Context, ceremonyID int64) ([]ArrivalRow, error) {
	var out []ArrivalRow
	err := s.onPgx(ctx, func(db pgxQuerier) error {
		rows, err := db.Query(ctx, arrivalRowsQuery, ceremonyID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r ArrivalRow
			if err := rows.Scan(&r.InvitationID, &r.GuestID, &r.ZoneID, &r.DelegationID, &r.Delegation, &r.Precedence,
				&r.VIP, &r.Expected, &r.Companions, &r.CheckedIn, &r.CompanionsIn); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("invitation: arrivals of ceremony %d: %w", ceremonyID, err)
	}
	return out, nil
}

// ArrivalTally is a ceremony's answers kept in memory by the live board:
// read once (ArrivalRows), then told of each check-in the gates' scans
// announce (CheckIn), so that an arrival costs the board no read of the
// thousands of answers. It is not safe for concurrent use.
type ArrivalTally struct {
	rows map[int64]*ArrivalRow
}

// NewArrivalTally keeps rows.
func NewArrivalTally(rows []ArrivalRow) *ArrivalTally {
	t := &ArrivalTally{rows: make(map[int64]*ArrivalRow, len(rows))}
	for i := range rows {
		t.rows[rows[i].InvitationID] = &rows[i]
	}
	return t
}

// CheckIn counts invitations ids as checked in (again is no change). It
// reports false when one of them is not an answer the tally holds: it was
// added after the tally was read, which must then be read again.
func (t *ArrivalTally) CheckIn(ids []int64) bool {
	ok := true
	for _, id := range ids {
		if r := t.rows[id]; r != nil {
			r.CheckedIn = true
		} else {
			ok = false
		}
	}
	return ok
}

// Sums adds the answers up by zone and delegation, and lists the VIPs
// expected and not yet checked in. An answer counts when it is expected
// (accepted, of a live invitation) or checked in (a guest who declined
// and came after all): expected ones in Guests and People, checked-in
// ones in GuestsIn, and the companions come in PeopleIn.
func (t *ArrivalTally) Sums() ([]ArrivalGroup, []WaitingVIP) {
	type key struct{ zone, delegation int64 }
	idx := map[key]int{}
	var groups []ArrivalGroup
	var vips []WaitingVIP
	for _, r := range t.rows {
		if !r.Expected && !r.CheckedIn {
			continue
		}
		var k key
		if r.ZoneID != nil {
			k.zone = *r.ZoneID
		}
		if r.DelegationID != nil {
			k.delegation = *r.DelegationID
		}
		i, ok := idx[k]
		if !ok {
			i = len(groups)
			idx[k] = i
			groups = append(groups, ArrivalGroup{ZoneID: r.ZoneID, DelegationID: r.DelegationID, Delegation: r.Delegation, Precedence: r.Precedence})
		}
		g := &groups[i]
		if r.Expected {
			g.Guests++
			g.People += 1 + r.Companions
		}
		if r.CheckedIn {
			g.GuestsIn++
			g.PeopleIn++
		}
		g.PeopleIn += r.CompanionsIn
		if r.VIP && r.Expected && !r.CheckedIn {
			vips = append(vips, WaitingVIP{GuestID: r.GuestID, ZoneID: r.ZoneID, DelegationID: r.DelegationID})
		}
	}
	return groups, vips
}
