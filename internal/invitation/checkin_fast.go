package invitation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// The scan at a gate is the one request of the day that must be fast: a
// queue of guests waits on it. A guest checked in is one statement, one
// round trip (checkInNowSQL): the conditional UPDATE that checks the guest
// in (checked_in_at IS NULL in its WHERE, so concurrent scans of one badge
// queue on the row lock and only the first changes it), returning what
// the desk shows (the guest's name, delegation and zone). Any other outcome takes a
// second statement (checkInSQL) that says why: for a guest checked in
// before, the gate, time and staff member; for a guest invited elsewhere,
// those ceremonies.
//
// What it leaves out, measured with pgbench against the bare UPDATE of
// targets.md (10 clients, fsync on):
//   - the history row: the answer row itself records the check-in
//     (checked_in_at, _gate_id, _by), and History reads it from there;
//     an undo writes the check-in it undoes into the history first
//     (UndoCheckIn). The row's insert, with its indexes and foreign-key
//     checks, cost a quarter of the statement's throughput;
//   - the zone's, gate's, staff member's and delegation's names: ids
//     only, which the desk names from what it holds in memory (~20%;
//     the delegation's, a join, about 5% more);
//   - NOTIFY: a transaction that notifies holds PostgreSQL's notify lock
//     through its commit, so concurrent check-ins would commit one at a
//     time (a third of the bare UPDATE's throughput). The store announces
//     a change after the commit instead (Store.Arrivals).
//
// It runs on pgx directly (onPgx), without GORM's statement builder and
// reflection: the desk's benchmark found those cost more than the
// database work. Nullable columns are scanned straight into the
// pointers they fill (pgx sets a NULL's to nil), not through
// database/sql's Null types, whose scanning boxes each value.

// GateGuest is who a scanned badge belongs to, as the desk shows them.
type GateGuest struct {
	Honorific   string
	GivenName   string
	FamilyName  string
	PrintedName string
	VIP         bool
	// DelegationID is the guest's delegation (nil: none), which the desk
	// names from its memory.
	DelegationID *int64
}

// CheckInResult says what a check-in did.
type CheckInResult struct {
	Outcome string
	Arrival GateArrival
	// Guest is the badge's guest (zero for an unknown code).
	Guest GateGuest
	// Elsewhere are the titles of the ceremonies the guest is invited to
	// instead (CheckInWrongCeremony), by start time.
	Elsewhere []string
}

// checkInSQL checks a guest in and reads the answer; %s selects the
// invitation ($1: the code, or the id). $2 ceremony, $3 gate (may be
// NULL), $4 staff user.
//
// inv also tells the check-in trigger to stay silent (migration 00014):
// CheckIn announces the change after the commit. It runs before the
// UPDATE, which needs inv's id to find its row.
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
	SELECT i.id, i.guest_id, i.edition_id,
	       set_config('vigil.checkin_announce', 'after_commit', true) AS quiet
	FROM invitations i WHERE %s
), done AS (
	UPDATE invitation_ceremonies ic
	SET checked_in_at = now(), checked_in_gate_id = $3, checked_in_by = $4, updated_at = now()
	WHERE ic.invitation_id = (SELECT id FROM inv) AND ic.ceremony_id = $2
	  AND ic.checked_in_at IS NULL AND ic.status <> 'declined'
	RETURNING ic.invitation_id, ic.status, ic.zone_id, ic.companions, ic.companions_checked_in,
	          ic.checked_in_at, ic.checked_in_gate_id, ic.checked_in_by
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
       g.honorific, g.given_name, g.family_name, g.printed_name, g.vip, g.delegation_id,
       CASE WHEN a.invitation_id IS NULL THEN (
           SELECT json_agg(ce.title ORDER BY ce.starts_at, ce.id)::text
           FROM invitation_ceremonies o JOIN ceremonies ce ON ce.id = o.ceremony_id
           WHERE o.invitation_id = inv.id) END
FROM inv
JOIN guests g ON g.id = inv.guest_id
LEFT JOIN answer a ON true`

// checkInNowSQL is the scan's common case alone: a guest expected and not
// yet checked in is checked in, and the UPDATE returns what the desk
// shows. It is a plain UPDATE … FROM over index look-ups, which
// PostgreSQL sets up and runs in less CPU than checkInSQL's CTEs (pgbench:
// +12% throughput): CheckIn runs it first and only when it changes
// nothing asks checkInSQL why. %s and $1–$4 as in checkInSQL.
//
// set_config in the WHERE quiets the check-in trigger (migration 00014):
// it is evaluated on the row before the UPDATE changes it, which is when
// the trigger's WHEN looks.
const checkInNowSQL = `UPDATE invitation_ceremonies ic
SET checked_in_at = now(), checked_in_gate_id = $3, checked_in_by = $4, updated_at = now()
FROM invitations i
JOIN guests g ON g.id = i.guest_id
WHERE %s AND ic.invitation_id = i.id AND ic.ceremony_id = $2
  AND ic.checked_in_at IS NULL AND ic.status <> 'declined'
  AND set_config('vigil.checkin_announce', 'after_commit', true) IS NOT NULL
RETURNING ic.invitation_id, i.guest_id, ic.status, ic.zone_id, ic.companions, ic.companions_checked_in,
          ic.checked_in_at, ic.checked_in_gate_id, ic.checked_in_by,
          g.honorific, g.given_name, g.family_name, g.printed_name, g.vip, g.delegation_id`

var (
	checkInByCode    = fmt.Sprintf(checkInSQL, "i.check_in_code = $1")
	checkInByID      = fmt.Sprintf(checkInSQL, "i.id = $1")
	checkInNowByCode = fmt.Sprintf(checkInNowSQL, "i.check_in_code = $1")
	checkInNowByID   = fmt.Sprintf(checkInNowSQL, "i.id = $1")
)

// CheckIn checks a guest in at a gate, once. When the guest cannot be
// checked in it says why: checked in before (where, when, by whom),
// declined, not invited, or invited to other ceremonies.
func (s *Store) CheckIn(ctx context.Context, r CheckInRequest) (CheckInResult, error) {
	q, now, key := checkInByID, checkInNowByID, any(r.InvitationID)
	if r.InvitationID == 0 {
		code := normalizeCode(r.Code)
		if code == "" {
			return CheckInResult{Outcome: CheckInNotInvited}, nil
		}
		q, now, key = checkInByCode, checkInNowByCode, code
	}
	if res, ok, err := s.checkInNow(ctx, now, key, r); err != nil || ok {
		return res, err
	}
	// The statement is sent as it is, on pgx (onPgx): the connection
	// prepares it once and GORM's builder has nothing to add.
	for range 3 {
		var (
			res           CheckInResult
			a             = &res.Arrival
			edition       int64
			invited, done bool
			elsewhere     sql.NullString
		)
		err := s.onPgx(ctx, func(db pgxQuerier) error {
			return db.QueryRow(ctx, q, key, r.CeremonyID, r.GateID, r.UserID).Scan(
				&a.InvitationID, &a.GuestID, &edition, &invited, &done,
				&a.Status, &a.ZoneID, &a.Companions, &a.CompanionsCheckedIn,
				&a.CheckedInAt, &a.CheckedInGateID, &a.CheckedInBy,
				&res.Guest.Honorific, &res.Guest.GivenName, &res.Guest.FamilyName, &res.Guest.PrintedName, &res.Guest.VIP,
				&res.Guest.DelegationID, &elsewhere)
		})
		if errors.Is(err, sql.ErrNoRows) { // pgx's ErrNoRows is also sql.ErrNoRows
			return CheckInResult{Outcome: CheckInNotInvited}, nil
		}
		if err != nil {
			return CheckInResult{}, fmt.Errorf("invitation: check in: %w", err)
		}
		switch {
		case done:
			res.Outcome = CheckInDone
			if s.arrivals != nil {
				s.arrivals.Changed(r.CeremonyID, a.InvitationID)
			}
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

// checkInNow runs checkInNowSQL: ok is false, and nothing changed, when
// the guest could not be checked in there and then (already in, declined,
// not invited, unknown code), which checkInSQL then explains.
func (s *Store) checkInNow(ctx context.Context, q string, key any, r CheckInRequest) (CheckInResult, bool, error) {
	var (
		res = CheckInResult{Outcome: CheckInDone}
		a   = &res.Arrival
	)
	err := s.onPgx(ctx, func(db pgxQuerier) error {
		return db.QueryRow(ctx, q, key, r.CeremonyID, r.GateID, r.UserID).Scan(
			&a.InvitationID, &a.GuestID, &a.Status, &a.ZoneID, &a.Companions, &a.CompanionsCheckedIn,
			&a.CheckedInAt, &a.CheckedInGateID, &a.CheckedInBy,
			&res.Guest.Honorific, &res.Guest.GivenName, &res.Guest.FamilyName, &res.Guest.PrintedName, &res.Guest.VIP,
			&res.Guest.DelegationID)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return CheckInResult{}, false, nil
	}
	if err != nil {
		return CheckInResult{}, false, fmt.Errorf("invitation: check in: %w", err)
	}
	if s.arrivals != nil {
		s.arrivals.Changed(r.CeremonyID, a.InvitationID)
	}
	return res, true, nil
}
