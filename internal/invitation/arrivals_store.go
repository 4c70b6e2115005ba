package invitation

import (
	"context"
	"fmt"
)

// The live arrivals board's query: who is expected at a ceremony and who
// has come, added up by zone and delegation, and the VIPs still awaited.

// ArrivalGroup is the answers to a ceremony the arrivals board counts of
// one zone and one delegation, added up.
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

// arrivalSumsQuery counts the answers to ceremony $1 that the board
// counts: the accepted ones of live invitations (expected) and every one
// checked in, even if it was not expected (a guest who declined and came
// after all). Groups come first (guest_id NULL), then the VIPs awaited.
// One statement, so both parts are of one snapshot: a VIP listed as
// awaited is not also counted as arrived.
const arrivalSumsQuery = `WITH a AS (
		SELECT i.id AS invitation_id, i.guest_id, ic.zone_id, g.delegation_id, coalesce(g.vip, false) AS vip,
			(ic.status = 'accepted' AND i.revoked_at IS NULL) AS expected,
			ic.companions, ic.checked_in_at IS NOT NULL AS checked_in, ic.companions_checked_in
		FROM invitation_ceremonies ic JOIN invitations i ON i.id = ic.invitation_id
		LEFT JOIN guests g ON g.id = i.guest_id
		WHERE ic.ceremony_id = $1
		  AND ((ic.status = 'accepted' AND i.revoked_at IS NULL) OR ic.checked_in_at IS NOT NULL)
	), s AS (
		SELECT zone_id, delegation_id,
			count(*) FILTER (WHERE expected) AS guests,
			coalesce(sum(1 + companions) FILTER (WHERE expected), 0) AS people,
			count(*) FILTER (WHERE checked_in) AS guests_in,
			sum(CASE WHEN checked_in THEN 1 ELSE 0 END + companions_checked_in) AS people_in
		FROM a GROUP BY zone_id, delegation_id
	)
	SELECT NULL::bigint AS guest_id, s.zone_id, s.delegation_id, coalesce(d.name, ''), coalesce(d.precedence, 0),
		s.guests, s.people, s.guests_in, s.people_in
	FROM s LEFT JOIN delegations d ON d.id = s.delegation_id
	UNION ALL
	SELECT a.guest_id, a.zone_id, a.delegation_id, '', 0, 0, 0, 0, 0
	FROM a WHERE a.vip AND a.expected AND NOT a.checked_in`

// ArrivalSums reads the answers to ceremony ceremonyID that the board
// counts, added up by zone and delegation, and the VIPs expected and not
// yet checked in.
//
// The board reads this every half second while check-ins come: the
// database adds up the thousands of answers, so that the board's Go work
// does not grow with them (reading them row by row cost milliseconds of
// CPU per read, which the gates' scans waited behind).
func (s *Store) ArrivalSums(ctx context.Context, ceremonyID int64) ([]ArrivalGroup, []WaitingVIP, error) {
	var groups []ArrivalGroup
	var vips []WaitingVIP
	err := s.onPgx(ctx, func(db pgxQuerier) error {
		rows, err := db.Query(ctx, arrivalSumsQuery, ceremonyID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var guestID *int64
			var g ArrivalGroup
			if err := rows.Scan(&guestID, &g.ZoneID, &g.DelegationID, &g.Delegation, &g.Precedence,
				&g.Guests, &g.People, &g.GuestsIn, &g.PeopleIn); err != nil {
				return err
			}
			if guestID != nil {
				vips = append(vips, WaitingVIP{GuestID: *guestID, ZoneID: g.ZoneID, DelegationID: g.DelegationID})
			} else {
				groups = append(groups, g)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, nil, fmt.Errorf("invitation: arrivals of ceremony %d: %w", ceremonyID, err)
	}
	return groups, vips, nil
}
