package invitation

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"vigil/internal/audit"
)

// Check-in at the gates. A guest is checked in by one conditional UPDATE
// (checked_in_at IS NULL in its WHERE): under READ COMMITTED, concurrent
// scans of one badge queue on the row lock, and every one after the first
// finds the row already checked in and changes nothing, so any number of
// gates count a guest once. The answer row is the check-in's record (the
// guest's History reads it; an undo moves it into the history). The
// trigger of migration 00007 announces every change on the channel
// vigil_checkin for the live board, except the scan's, which CheckIn
// announces after its commit (migration 00014).
//
// Walk-ins (people let in without an invitation) are kept here too, in
// walk_ins: they are the other half of who came in at a gate, and the desk
// lists both.

// Outcomes of a check-in.
const (
	CheckInDone          = "checked_in"
	CheckInAlready       = "already"
	CheckInDeclined      = "declined"
	CheckInNotInvited    = "not_invited"
	CheckInWrongCeremony = "wrong_ceremony"
)

// CheckInRequest checks a guest in: by the badge's code, or, when Code is
// empty, by invitation.
type CheckInRequest struct {
	Code         string
	InvitationID int64
	CeremonyID   int64
	// EditionID is the ceremony's edition: a badge of another edition is
	// "not invited", one of this edition "wrong ceremony".
	EditionID int64
	GateID    *int64
	UserID    int64
}

// GateArrival is an invited guest's check-in at one ceremony.
type GateArrival struct {
	InvitationID        int64
	GuestID             int64
	Status              string
	ZoneID              *int64
	Companions          int
	CompanionsCheckedIn int
	CheckedInAt         *time.Time
	CheckedInGateID     *int64
	CheckedInBy         *int64
}

// arrivalColumns are the columns of a GateArrival, over ic
// (invitation_ceremonies) and i (invitations).
const arrivalColumns = `ic.invitation_id, i.guest_id, ic.status, ic.zone_id, ic.companions,
	ic.companions_checked_in, ic.checked_in_at, ic.checked_in_gate_id, ic.checked_in_by`

// normalizeCode reads a check-in code as typed or scanned: spaces and
// dashes dropped, upper case; a scanned address keeps its last part.
func normalizeCode(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexAny(s, "/=?#"); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, s)
	return strings.ToUpper(s)
}

// AddCompanion checks one more companion of invitation id in at a
// ceremony, never more than the companions accepted: false, and nothing
// changed, when all are in (or the answer is a decline).
func (s *Store) AddCompanion(ctx context.Context, id, ceremonyID, userID int64) (GateArrival, bool, error) {
	var done []GateArrival
	err := s.db.WithContext(ctx).Raw(`WITH done AS (
			UPDATE invitation_ceremonies ic
			SET companions_checked_in = ic.companions_checked_in + 1, updated_at = now()
			FROM invitations i
			WHERE i.id = ic.invitation_id AND ic.invitation_id = ? AND ic.ceremony_id = ?
			  AND ic.companions_checked_in < ic.companions AND ic.status <> 'declined'
			RETURNING `+arrivalColumns+`
		), history AS (
			INSERT INTO invitation_events (invitation_id, via, user_id, action, detail)
			SELECT invitation_id, 'staff', ?, 'companion_checked_in',
			       jsonb_build_object('ceremony_id', ?::bigint, 'companions_checked_in', companions_checked_in)
			FROM done
		)
		SELECT * FROM done`, id, ceremonyID, userID, ceremonyID).Scan(&done).Error
	if err != nil {
		return GateArrival{}, false, fmt.Errorf("invitation: check in companion: %w", err)
	}
	if len(done) == 1 {
		return done[0], true, nil
	}
	a, err := s.GateArrival(ctx, id, ceremonyID)
	return a, false, err
}

// UndoCheckIn clears the check-in of invitation id at a ceremony (its
// companions too) if user made it less than window ago, by the
// database's clock; false, and nothing changed, otherwise.
func (s *Store) UndoCheckIn(ctx context.Context, id, ceremonyID, userID int64, window time.Duration) (bool, error) {
	var n int
	// The answer row was the check-in's record (see History): the
	// check-in goes into the history as it was, then its undoing. The
	// UPDATE's RETURNING gives the row as it is after; the old values are
	// read from the same row in a FROM of the statement's snapshot,
	// which the WHERE (checked_in_by = user) pins to the row updated.
	err := s.db.WithContext(ctx).Raw(`WITH done AS (
			UPDATE invitation_ceremonies ic
			SET checked_in_at = NULL, checked_in_gate_id = NULL, checked_in_by = NULL,
			    companions_checked_in = 0, updated_at = now()
			FROM invitation_ceremonies old
			WHERE old.invitation_id = ic.invitation_id AND old.ceremony_id = ic.ceremony_id
			  AND ic.invitation_id = ? AND ic.ceremony_id = ? AND ic.checked_in_by = ?
			  AND ic.checked_in_at > now() - make_interval(secs => ?)
			RETURNING ic.invitation_id, old.checked_in_at, old.checked_in_gate_id, old.checked_in_by
		), history AS (
			INSERT INTO invitation_events (invitation_id, at, via, user_id, action, detail)
			SELECT invitation_id, checked_in_at, 'staff', checked_in_by, 'checked_in',
			       jsonb_build_object('ceremony_id', ?::bigint, 'gate_id', checked_in_gate_id)
			FROM done
			UNION ALL
			SELECT invitation_id, now(), 'staff', ?, 'check_in_undone', jsonb_build_object('ceremony_id', ?::bigint)
			FROM done
		)
		SELECT count(*) FROM done`, id, ceremonyID, userID, window.Seconds(), ceremonyID, userID, ceremonyID).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("invitation: undo check-in: %w", err)
	}
	return n == 1, nil
}

// GateArrival returns invitation id's check-in at a ceremony; ErrNotFound when
// it is not invited to it.
func (s *Store) GateArrival(ctx context.Context, id, ceremonyID int64) (GateArrival, error) {
	var rows []GateArrival
	err := s.db.WithContext(ctx).Raw(`SELECT `+arrivalColumns+`
		FROM invitation_ceremonies ic JOIN invitations i ON i.id = ic.invitation_id
		WHERE ic.invitation_id = ? AND ic.ceremony_id = ?`, id, ceremonyID).Scan(&rows).Error
	if err != nil {
		return GateArrival{}, fmt.Errorf("invitation: arrival: %w", err)
	}
	if len(rows) == 0 {
		return GateArrival{}, ErrNotFound
	}
	return rows[0], nil
}

// GateEntry is one line of a gate's recent list: an invited guest checked
// in (WalkIn nil), or a walk-in.
type GateEntry struct {
	Arrival GateArrival
	WalkIn  *WalkIn
}

// RecentAtGate returns the last limit check-ins and walk-ins at a
// ceremony's gate (nil: those made without a gate), newest first, in one
// query: the desk shows it after every scan.
func (s *Store) RecentAtGate(ctx context.Context, ceremonyID int64, gateID *int64, limit int) ([]GateEntry, error) {
	gate, walkGate := "ic.checked_in_gate_id IS NULL", "w.gate_id IS NULL"
	args := []any{ceremonyID}
	if gateID != nil {
		gate, walkGate = "ic.checked_in_gate_id = ?", "w.gate_id = ?"
		args = append(args, *gateID)
	}
	args = append(args, limit, ceremonyID)
	if gateID != nil {
		args = append(args, *gateID)
	}
	args = append(args, limit, limit)
	var rows []struct {
		GateArrival
		WalkInID     *int64
		At           time.Time
		Name         string
		Organisation string
		Reason       string
	}
	err := s.db.WithContext(ctx).Raw(`(SELECT `+arrivalColumns+`, NULL::bigint AS walk_in_id, ic.checked_in_at AS at,
				'' AS name, '' AS organisation, '' AS reason
			FROM invitation_ceremonies ic JOIN invitations i ON i.id = ic.invitation_id
			WHERE ic.ceremony_id = ? AND ic.checked_in_at IS NOT NULL AND `+gate+`
			ORDER BY ic.checked_in_at DESC LIMIT ?)
		UNION ALL
		(SELECT 0, 0, '', NULL, 0, 0, NULL, w.gate_id, w.checked_in_by, w.id, w.at, w.name, w.organisation, w.reason
			FROM walk_ins w
			WHERE w.ceremony_id = ? AND `+walkGate+`
			ORDER BY w.at DESC LIMIT ?)
		ORDER BY at DESC LIMIT ?`, args...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("invitation: recent at gate: %w", err)
	}
	out := make([]GateEntry, len(rows))
	for i, r := range rows {
		if r.WalkInID == nil {
			out[i] = GateEntry{Arrival: r.GateArrival}
			continue
		}
		out[i] = GateEntry{WalkIn: &WalkIn{ID: *r.WalkInID, CeremonyID: ceremonyID, GateID: r.CheckedInGateID,
			Name: r.Name, Organisation: r.Organisation, Reason: r.Reason, CheckedInBy: r.CheckedInBy, At: r.At}}
	}
	return out, nil
}

// InvitedAmong returns the answers to a ceremony of those of guestIDs who
// are invited to it, in the order of guestIDs, at most limit.
func (s *Store) InvitedAmong(ctx context.Context, ceremonyID int64, guestIDs []int64, limit int) ([]GateArrival, error) {
	if len(guestIDs) == 0 {
		return nil, nil
	}
	// The ids go as one text parameter: a search may match thousands of
	// guests, more than a statement takes parameters.
	ids := make([]string, len(guestIDs))
	for i, id := range guestIDs {
		ids[i] = strconv.FormatInt(id, 10)
	}
	var rows []GateArrival
	err := s.db.WithContext(ctx).Raw(`SELECT `+arrivalColumns+`
		FROM unnest(string_to_array(?, ',')::bigint[]) WITH ORDINALITY AS g(id, n)
		JOIN invitations i ON i.guest_id = g.id
		JOIN invitation_ceremonies ic ON ic.invitation_id = i.id AND ic.ceremony_id = ?
		ORDER BY g.n LIMIT ?`, strings.Join(ids, ","), ceremonyID, limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("invitation: invited among: %w", err)
	}
	return rows, nil
}

// WalkIn is a person let in at a gate without an invitation.
type WalkIn struct {
	ID           int64 `gorm:"primaryKey"`
	CeremonyID   int64
	GateID       *int64
	Name         string
	Organisation string
	Reason       string
	CheckedInBy  *int64
	At           time.Time `gorm:"default:now()"`
}

// TableName tells GORM where walk-ins live.
func (WalkIn) TableName() string { return "walk_ins" }

// RecordWalkIn saves w (its ID and At are set), with an audit entry.
func (s *Store) RecordWalkIn(ctx context.Context, w *WalkIn) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Omit("at").Create(w).Error; err != nil {
			if errors.Is(err, gorm.ErrForeignKeyViolated) {
				return ErrNotFound
			}
			return fmt.Errorf("invitation: record walk-in: %w", err)
		}
		if err := tx.Raw("SELECT at FROM walk_ins WHERE id = ?", w.ID).Scan(&w.At).Error; err != nil {
			return fmt.Errorf("invitation: record walk-in: %w", err)
		}
		return audit.Write(ctx, tx, audit.Record{
			Action: "create", EntityType: "walk_in", EntityID: w.ID, Summary: w.Name,
			Changes: map[string]audit.Change{
				"ceremony_id": {After: w.CeremonyID}, "gate_id": {After: w.GateID}, "name": {After: w.Name},
				"organisation": {After: w.Organisation}, "reason": {After: w.Reason},
			},
		})
	})
}
