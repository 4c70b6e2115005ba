package invitation

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// After the day: who came. The attendance report of an edition (check-in
// package) reads three aggregates, each one query whatever the number of
// guests: the answers counted per ceremony and delegation, the accepted
// guests who did not come, and the walk-ins. A guest's own attendance
// across editions (the directory's guest page) is a fourth.
//
// What counts: a guest is expected when the answer is accepted, and has
// attended when the answer is also checked in. Companions are counted
// apart (accepted companions against companions checked in). A guest
// checked in without an accepted answer (declined, pending or waitlisted,
// let in at the gate) is counted apart too, as "came without an accepted
// answer": counting them as attended would lift the rate above what the
// answers promised. Walk-ins have no invitation at all and are listed on
// their own.

// AttendanceCount is the answers of one delegation (DelegationID nil: the
// guests without one) to one ceremony.
type AttendanceCount struct {
	CeremonyID   int64
	DelegationID *int64
	Delegation   string
	Kind         string
	// Precedence is the delegation's place in the order of precedence
	// (guests without a delegation come last).
	Precedence int
	// Accepted guests, and how many of them were checked in.
	Accepted int
	Attended int
	// Companions accepted with those answers, and how many came.
	Companions   int
	CompanionsIn int
	// Unaccepted is how many guests were checked in without an accepted
	// answer.
	Unaccepted int
}

// AttendanceCounts counts the answers of every ceremony of an edition by
// delegation, in order of ceremony and then of precedence. Delegations
// with no accepted answer and no one checked in are left out.
func (s *Store) AttendanceCounts(ctx context.Context, editionID int64) ([]AttendanceCount, error) {
	return scanAll[AttendanceCount](ctx, s.db, "attendance counts", `SELECT ic.ceremony_id, g.delegation_id,
			COALESCE(d.name, '') AS delegation, COALESCE(d.kind, '') AS kind,
			COALESCE(d.precedence, 2147483647) AS precedence,
			count(*) FILTER (WHERE ic.status = 'accepted') AS accepted,
			count(*) FILTER (WHERE ic.status = 'accepted' AND ic.checked_in_at IS NOT NULL) AS attended,
			COALESCE(sum(ic.companions) FILTER (WHERE ic.status = 'accepted'), 0) AS companions,
			COALESCE(sum(ic.companions_checked_in) FILTER (WHERE ic.status = 'accepted'), 0) AS companions_in,
			count(*) FILTER (WHERE ic.status <> 'accepted' AND ic.checked_in_at IS NOT NULL) AS unaccepted
		FROM invitations i
		JOIN invitation_ceremonies ic ON ic.invitation_id = i.id
		JOIN guests g ON g.id = i.guest_id
		LEFT JOIN delegations d ON d.id = g.delegation_id
		WHERE i.edition_id = ?
		GROUP BY ic.ceremony_id, g.delegation_id, d.name, d.kind, d.precedence
		HAVING count(*) FILTER (WHERE ic.status = 'accepted' OR ic.checked_in_at IS NOT NULL) > 0
		ORDER BY ic.ceremony_id, precedence, g.delegation_id NULLS LAST`, editionID)
}

// NoShow is a guest who accepted a ceremony and was not checked in.
type NoShow struct {
	CeremonyID   int64
	GuestID      int64
	Honorific    string
	GivenName    string
	FamilyName   string
	PrintedName  string
	VIP          bool
	DelegationID *int64
	Delegation   string
	Companions   int
}

// AttendanceNoShows lists the guests who accepted a ceremony of an
// edition and were not checked in, by ceremony, then in order of
// precedence, then by family name in locale's collation.
func (s *Store) AttendanceNoShows(ctx context.Context, editionID int64, locale string) ([]NoShow, error) {
	col := attendeeCollation(locale)
	return scanAll[NoShow](ctx, s.db, "no-shows", `SELECT ic.ceremony_id, g.id AS guest_id, g.honorific, g.given_name, g.family_name,
			g.printed_name, g.vip, g.delegation_id, COALESCE(d.name, '') AS delegation, ic.companions
		FROM invitations i
		JOIN invitation_ceremonies ic ON ic.invitation_id = i.id
		JOIN guests g ON g.id = i.guest_id
		LEFT JOIN delegations d ON d.id = g.delegation_id
		WHERE i.edition_id = ? AND ic.status = 'accepted' AND ic.checked_in_at IS NULL
		ORDER BY ic.ceremony_id, g.precedence, g.delegation_id, g.vip DESC,
			g.family_name COLLATE `+col+`, g.given_name COLLATE `+col+`, g.id`, editionID)
}

// AttendanceWalkIn is a person let in without an invitation.
type AttendanceWalkIn struct {
	CeremonyID   int64
	Name         string
	Organisation string
	Reason       string
	Gate         string
	At           time.Time
}

// AttendanceWalkIns lists the walk-ins of every ceremony of an edition,
// by ceremony and time of arrival.
func (s *Store) AttendanceWalkIns(ctx context.Context, editionID int64) ([]AttendanceWalkIn, error) {
	return scanAll[AttendanceWalkIn](ctx, s.db, "walk-ins", `SELECT w.ceremony_id, w.name, w.organisation, w.reason,
			COALESCE(gt.name, '') AS gate, w.at
		FROM walk_ins w
		JOIN ceremonies c ON c.id = w.ceremony_id
		LEFT JOIN gates gt ON gt.id = w.gate_id
		WHERE c.edition_id = ?
		ORDER BY w.ceremony_id, w.at, w.id`, editionID)
}

// GuestCeremonyAnswer is a guest's answer to one ceremony of a past or
// current edition, and whether the guest came.
type GuestCeremonyAnswer struct {
	InvitationID int64
	EditionID    int64
	Year         int
	// Answered is whether the guest (or staff for them) has answered
	// the invitation at all.
	Answered            bool
	CeremonyID          int64
	Title               string
	StartsAt            time.Time
	Status              string
	Companions          int
	CheckedInAt         *time.Time
	CompanionsCheckedIn int
}

// GuestAttendance returns a guest's answers to every ceremony invited to,
// newest edition first, ceremonies in their order, in one query.
func (s *Store) GuestAttendance(ctx context.Context, guestID int64) ([]GuestCeremonyAnswer, error) {
	return scanAll[GuestCeremonyAnswer](ctx, s.db, "guest attendance", `SELECT i.id AS invitation_id, i.edition_id, e.year,
			i.responded_at IS NOT NULL AS answered, c.id AS ceremony_id, c.title, c.starts_at,
			ic.status, ic.companions, ic.checked_in_at, ic.companions_checked_in
		FROM invitations i
		JOIN editions e ON e.id = i.edition_id
		JOIN invitation_ceremonies ic ON ic.invitation_id = i.id
		JOIN ceremonies c ON c.id = ic.ceremony_id
		WHERE i.guest_id = ?
		ORDER BY e.year DESC, c.starts_at, c.id`, guestID)
}

// scanAll runs query and scans every row into a T; what names the query
// in errors.
func scanAll[T any](ctx context.Context, db *gorm.DB, what, query string, args ...any) ([]T, error) {
	var out []T
	if err := db.WithContext(ctx).Raw(query, args...).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("invitation: %s: %w", what, err)
	}
	return out, nil
}
