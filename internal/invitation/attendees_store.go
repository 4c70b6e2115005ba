package invitation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// The attendee list of a ceremony (check-in package): one query for the
// rows, read through a cursor so that a 5,000-guest export streams with
// bounded memory. It joins the directory's tables (guests, delegations)
// and the venue's (zones, gates) in SQL rather than asking those packages
// per row: the order of precedence is guests.precedence, which the
// directory keeps, and the names sort in the reader's ICU collation.

// AttendeeSortName sorts the attendee list by family name; any other
// value sorts by order of precedence.
const AttendeeSortName = "name"

// AttendeeNone as AttendeeFilter.ZoneID or GateID keeps the answers
// without a zone, or the guests expected at no gate of the venue.
const AttendeeNone = -1

// AttendeeFilter selects and orders the answers of one ceremony.
type AttendeeFilter struct {
	CeremonyID int64
	// Status keeps answers of that status ("" or "all": every answer).
	Status string
	// Kind keeps guests of delegations of that kind ("": any).
	Kind string
	// DelegationID keeps the guests of one delegation (0: any).
	DelegationID int64
	VIPOnly      bool
	// ZoneID keeps the answers seated in that zone (0: any; AttendeeNone:
	// those without a zone).
	ZoneID int64
	// GateID keeps the guests expected at that gate: their delegation's
	// arrival gate in the edition, when it is a gate of the ceremony's
	// venue (0: any; AttendeeNone: those expected at no gate).
	GateID int64
	// Sort is AttendeeSortName or the order of precedence.
	Sort string
	// Grouped keeps each delegation's guests together (in the order of
	// precedence of the delegations) whatever the sort.
	Grouped bool
	// Locale is the reader's language: names sort in its collation.
	Locale string
}

// AttendeeRow is one invited guest's answer to a ceremony, as listed.
type AttendeeRow struct {
	InvitationID int64
	GuestID      int64
	Honorific    string
	GivenName    string
	FamilyName   string
	PrintedName  string
	Position     string
	// Phone is the number the guest gave with the answer, else the
	// directory's.
	Phone string
	// AccessibilityNeeds and DietaryNeeds are those given with the
	// answer, else the directory's.
	AccessibilityNeeds string
	DietaryNeeds       string
	VIP                bool
	DelegationID       *int64
	Delegation         string
	Kind               string
	Status             string
	Companions         int
	// CompanionNames are the names the guest gave, in their order.
	CompanionNames []string
	ZoneID         *int64
	Zone           string
	// ExpectedGateID and ExpectedGate are the gate the guest's delegation
	// arrives by (a gate of the ceremony's venue), if any.
	ExpectedGateID *int64
	ExpectedGate   string
	CheckedInAt    *time.Time
	// Gate is the gate the guest was checked in at.
	Gate string
}

// attendeeCollations are the ICU collations names sort by (as the
// directory's, delegation.GuestQuery.order).
var attendeeCollations = map[string]string{"en": `"en-x-icu"`, "az": `"az-x-icu"`, "ru": `"ru-x-icu"`}

// attendeeCollation is locale's collation, English's for any other.
func attendeeCollation(locale string) string {
	if col, ok := attendeeCollations[locale]; ok {
		return col
	}
	return attendeeCollations["en"]
}

func (f AttendeeFilter) where() (string, []any) {
	conds, args := []string{"ic.ceremony_id = ?"}, []any{f.CeremonyID}
	if f.Status != "" && f.Status != "all" {
		conds, args = append(conds, "ic.status = ?"), append(args, f.Status)
	}
	if f.Kind != "" {
		conds, args = append(conds, "d.kind = ?"), append(args, f.Kind)
	}
	if f.DelegationID != 0 {
		conds, args = append(conds, "g.delegation_id = ?"), append(args, f.DelegationID)
	}
	if f.VIPOnly {
		conds = append(conds, "g.vip")
	}
	switch {
	case f.ZoneID == AttendeeNone:
		conds = append(conds, "ic.zone_id IS NULL")
	case f.ZoneID > 0:
		conds, args = append(conds, "ic.zone_id = ?"), append(args, f.ZoneID)
	}
	switch {
	case f.GateID == AttendeeNone:
		conds = append(conds, "eg.id IS NULL")
	case f.GateID > 0:
		conds, args = append(conds, "eg.id = ?"), append(args, f.GateID)
	}
	return strings.Join(conds, " AND "), args
}

func (f AttendeeFilter) order() string {
	col := attendeeCollation(f.Locale)
	byName := "g.family_name COLLATE " + col + ", g.given_name COLLATE " + col + ", g.id"
	switch {
	case f.Sort == AttendeeSortName && f.Grouped:
		return "g.precedence, g.delegation_id, " + byName
	case f.Sort == AttendeeSortName:
		return byName
	}
	// g.precedence is the delegation's position (guests without one
	// last); VIPs first inside a delegation, as in the directory.
	return "g.precedence, g.delegation_id, g.vip DESC, " + byName
}

// EachAttendee calls fn with every answer f selects, in f's order, read
// through one cursor; the companions' names come in the same row.
func (s *Store) EachAttendee(ctx context.Context, f AttendeeFilter, fn func(*AttendeeRow) error) error {
	where, args := f.where()
	var r AttendeeRow
	cols := []any{&r.InvitationID, &r.GuestID, &r.Honorific, &r.GivenName, &r.FamilyName, &r.PrintedName, &r.Position,
		&r.Phone, &r.AccessibilityNeeds, &r.DietaryNeeds, &r.VIP,
		&r.DelegationID, &r.Delegation, &r.Kind, &r.Status, &r.Companions,
		&r.ZoneID, &r.Zone, &r.ExpectedGateID, &r.ExpectedGate, &r.CheckedInAt, &r.Gate}
	return eachRow(ctx, s.db, "attendees", `SELECT i.id, g.id, g.honorific, g.given_name, g.family_name, g.printed_name, g.position,
			COALESCE(NULLIF(i.contact_phone, ''), g.phone),
			COALESCE(NULLIF(i.accessibility_needs, ''), g.accessibility_needs),
			COALESCE(NULLIF(i.dietary_needs, ''), g.dietary_needs), g.vip,
			g.delegation_id, COALESCE(d.name, ''), COALESCE(d.kind, ''), ic.status, ic.companions,
			ic.zone_id, COALESCE(z.name, ''), eg.id, COALESCE(eg.name, ''), ic.checked_in_at, COALESCE(gt.name, ''),
			COALESCE((SELECT json_agg(c.name ORDER BY c.position) FROM invitation_companions c
			          WHERE c.invitation_id = i.id), '[]')
		FROM invitation_ceremonies ic
		JOIN ceremonies ce ON ce.id = ic.ceremony_id
		JOIN invitations i ON i.id = ic.invitation_id
		JOIN guests g ON g.id = i.guest_id
		LEFT JOIN delegations d ON d.id = g.delegation_id
		LEFT JOIN zones z ON z.id = ic.zone_id
		LEFT JOIN gates gt ON gt.id = ic.checked_in_gate_id
		LEFT JOIN participations p ON p.edition_id = i.edition_id AND p.delegation_id = g.delegation_id
		LEFT JOIN gates eg ON eg.id = p.arrival_gate_id AND eg.venue_id = ce.venue_id
		WHERE `+where+` ORDER BY `+f.order(), args, &r, cols, &r.CompanionNames, fn)
}

// eachRow runs query and calls fn with each row, read through one cursor
// into *r (reset before each row): its columns into cols, pointers into
// *r, and a last one, the companions' names as a JSON array, into *names.
// It is the shape the attendee list and the badges share. fn must not
// keep the row; what names the query in errors.
func eachRow[R any](ctx context.Context, db *gorm.DB, what, query string, args []any, r *R, cols []any, names *[]string, fn func(*R) error) error {
	rows, err := db.WithContext(ctx).Raw(query, args...).Rows()
	if err != nil {
		return fmt.Errorf("invitation: %s: %w", what, err)
	}
	defer rows.Close()
	var raw []byte
	// The pointers stay good from row to row: *r is only reset.
	dest := append(cols, &raw)
	for rows.Next() {
		*r = *new(R)
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("invitation: %s: scan: %w", what, err)
		}
		if err := json.Unmarshal(raw, names); err != nil {
			return fmt.Errorf("invitation: %s: companions: %w", what, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("invitation: %s: %w", what, err)
	}
	return nil
}

// AttendeeCounts counts a ceremony's answers by status.
func (s *Store) AttendeeCounts(ctx context.Context, ceremonyID int64) (map[string]int, error) {
	var rows []struct {
		Status string
		N      int
	}
	err := s.db.WithContext(ctx).Raw(`SELECT status, count(*) AS n FROM invitation_ceremonies
		WHERE ceremony_id = ? GROUP BY status`, ceremonyID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("invitation: attendee counts: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// AttendeeDelegation is a delegation with guests invited to a ceremony.
type AttendeeDelegation struct {
	ID   int64
	Name string
}

// AttendeeDelegations lists the delegations with guests invited to a
// ceremony, in order of precedence: the choices of the list's filter.
func (s *Store) AttendeeDelegations(ctx context.Context, ceremonyID int64) ([]AttendeeDelegation, error) {
	var out []AttendeeDelegation
	err := s.db.WithContext(ctx).Raw(`SELECT d.id, d.name FROM delegations d
		WHERE EXISTS (SELECT 1 FROM invitation_ceremonies ic JOIN invitations i ON i.id = ic.invitation_id
		              JOIN guests g ON g.id = i.guest_id WHERE ic.ceremony_id = ? AND g.delegation_id = d.id)
		ORDER BY d.precedence, d.id`, ceremonyID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("invitation: attendee delegations: %w", err)
	}
	return out, nil
}
