package invitation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// The scan at a gate is the one request of the day that must be fast: a
// queue of guests waits on it. It is one statement, one round trip: the
// conditional UPDATE that checks the guest in (checked_in_at IS NULL in its
// WHERE, so concurrent scans of one badge queue on the row lock and only
// the first changes it), the history row, and everything the desk shows
// about the guest (name, delegation, zone, and for a guest checked in
// before: the gate, time and staff member; for a guest invited elsewhere:
// those ceremonies). It joins the directory's and the venue's tables in
// SQL, as the attendee list does, rather than asking those packages one
// look-up at a time.
//
// It runs through GORM's connection pool directly, without GORM's
// statement builder and reflection: the desk's benchmark found those cost
// more than the database work.

// GateGuest is who a scanned badge belongs to, as the desk shows them.
type GateGuest struct {
	Honorific   string
	GivenName   string
	FamilyName  string
	PrintedName string
	VIP         bool
	Delegation  string
}

// CheckInResult says what a check-in did.
type CheckInResult struct {
	Outcome string
	Arrival GateArrival
	// Guest is the badge's guest (zero for an unknown code).
	Guest GateGuest
	// ByName names the staff member who checked the guest in
	// (Arrival.CheckedInBy), GateName the gate (Arrival.CheckedInGateID).
	ByName   string
	GateName string
	// ZoneName and ZoneColour describe Arrival.ZoneID.
	ZoneName   string
	ZoneColour string
	// Elsewhere are the titles of the ceremonies the guest is invited to
	// instead (CheckInWrongCeremony), by start time.
	Elsewhere []string
}

// checkInSQL checks a guest in and reads the answer; %s selects the
// invitation ($1: the code, or the id). $2 ceremony, $3 gate (may be
// NULL), $4 staff user.
//
// The answer is found by its primary key (the invitation's id as a scalar
// subquery), never by a scan of the ceremony's answers, whatever plan the
// prepared statement settles on.
//
// Every part of one statement reads the same snapshot, taken when the
// statement starts; only the UPDATE waits for a concurrent change of the
// row and looks at its newest version. So when the UPDATE changes nothing
// while the snapshot still shows the guest not checked in (and not
// declined), another gate checked them in after the snapshot was taken:
// CheckIn then runs the statement again, and the new snapshot shows who
// was first.
const checkInSQL = `WITH inv AS (
	SELECT i.id, i.guest_id, i.edition_id FROM invitations i WHERE %s
), done AS (
	UPDATE invitation_ceremonies ic
	SET checked_in_at = now(), checked_in_gate_id = $3, checked_in_by = $4, updated_at = now()
	WHERE ic.invitation_id = (SELECT id FROM inv) AND ic.ceremony_id = $2
	  AND ic.checked_in_at IS NULL AND ic.status <> 'declined'
	RETURNING ic.invitation_id, ic.status, ic.zone_id, ic.companions, ic.companions_checked_in,
	          ic.checked_in_at, ic.checked_in_gate_id, ic.checked_in_by
), history AS (
	INSERT INTO invitation_events (invitation_id, via, user_id, action, detail)
	SELECT invitation_id, 'staff', $4, 'checked_in',
	       jsonb_build_object('ceremony_id', $2::bigint, 'gate_id', $3::bigint, 'status', status)
	FROM done
), answer AS (
	SELECT true AS done, d.* FROM done d
	UNION ALL
	SELECT false, ic.invitation_id, ic.status, ic.zone_id, ic.companions, ic.companions_checked_in,
	       ic.checked_in_at, ic.checked_in_gate_id, ic.checked_in_by
	FROM invitation_ceremonies ic
	WHERE ic.invitation_id = (SELECT id FROM inv) AND ic.ceremony_id = $2 AND NOT EXISTS (SELECT FROM done)
)
SELECT inv.id, inv.guest_id, inv.edition_id, a.done IS NOT NULL, coalesce(a.done, false),
       coalesce(a.status, ''), a.zone_id, coalesce(a.companions, 0), coalesce(a.companions_checked_in, 0),
       a.checked_in_at, a.checked_in_gate_id, a.checked_in_by,
       coalesce(u.name, ''), coalesce(gt.name, ''), coalesce(z.name, ''), coalesce(z.badge_colour, ''),
       g.honorific, g.given_name, g.family_name, g.printed_name, g.vip, coalesce(dl.name, ''),
       CASE WHEN a.invitation_id IS NULL THEN (
           SELECT json_agg(ce.title ORDER BY ce.starts_at, ce.id)::text
           FROM invitation_ceremonies o JOIN ceremonies ce ON ce.id = o.ceremony_id
           WHERE o.invitation_id = inv.id) END
FROM inv
JOIN guests g ON g.id = inv.guest_id
LEFT JOIN delegations dl ON dl.id = g.delegation_id
LEFT JOIN answer a ON true
LEFT JOIN users u ON u.id = a.checked_in_by
LEFT JOIN gates gt ON gt.id = a.checked_in_gate_id
LEFT JOIN zones z ON z.id = a.zone_id`

var (
	checkInByCode = fmt.Sprintf(checkInSQL, "i.check_in_code = $1")
	checkInByID   = fmt.Sprintf(checkInSQL, "i.id = $1")
)

// CheckIn checks a guest in at a gate, once. When the guest cannot be
// checked in it says why: checked in before (where, when, by whom),
// declined, not invited, or invited to other ceremonies.
func (s *Store) CheckIn(ctx context.Context, r CheckInRequest) (CheckInResult, error) {
	q, key := checkInByID, any(r.InvitationID)
	if r.InvitationID == 0 {
		code := normalizeCode(r.Code)
		if code == "" {
			return CheckInResult{Outcome: CheckInNotInvited}, nil
		}
		q, key = checkInByCode, code
	}
	// The statement is sent as it is, on pgx (onPgx): the connection
	// prepares it once and GORM's builder has nothing to add.
	for range 3 {
		var (
			res             CheckInResult
			a               = &res.Arrival
			edition         int64
			invited, done   bool
			elsewhere       sql.NullString
			checkedInAt     sql.NullTime
			zone, gate, by  sql.NullInt64
			companions, cin int
		)
		err := s.onPgx(ctx, func(db pgxQuerier) error {
			return db.QueryRow(ctx, q, key, r.CeremonyID, r.GateID, r.UserID).Scan(
				&a.InvitationID, &a.GuestID, &edition, &invited, &done,
				&a.Status, &zone, &companions, &cin,
				&checkedInAt, &gate, &by,
				&res.ByName, &res.GateName, &res.ZoneName, &res.ZoneColour,
				&res.Guest.Honorific, &res.Guest.GivenName, &res.Guest.FamilyName, &res.Guest.PrintedName, &res.Guest.VIP,
				&res.Guest.Delegation, &elsewhere)
		})
		if errors.Is(err, sql.ErrNoRows) { // pgx's ErrNoRows is also sql.ErrNoRows
			return CheckInResult{Outcome: CheckInNotInvited}, nil
		}
		if err != nil {
			return CheckInResult{}, fmt.Errorf("invitation: check in: %w", err)
		}
		a.Companions, a.CompanionsCheckedIn = companions, cin
		a.ZoneID, a.CheckedInGateID, a.CheckedInBy = nullID(zone), nullID(gate), nullID(by)
		if checkedInAt.Valid {
			t := checkedInAt.Time
			a.CheckedInAt = &t
		}
		switch {
		case done:
			res.Outcome = CheckInDone
		case !invited:
			res.Outcome = CheckInNotInvited
			if edition == r.EditionID && elsewhere.Valid {
				if err := json.Unmarshal([]byte(elsewhere.String), &res.Elsewhere); err != nil {
					return CheckInResult{}, fmt.Errorf("invitation: check in: other ceremonies: %w", err)
				}
				res.Outcome = CheckInWrongCeremony
			}
		case a.CheckedInAt != nil:
			res.Outcome = CheckInAlready
		case a.Status == StatusDeclined:
			res.Outcome = CheckInDeclined
		default:
			// Checked in by another gate after this statement's
			// snapshot (or undone in between): ask again.
			continue
		}
		return res, nil
	}
	return CheckInResult{}, fmt.Errorf("invitation: check in: the check-in kept changing")
}

func nullID(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}
