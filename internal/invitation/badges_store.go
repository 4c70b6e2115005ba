package invitation

import "context"

// Badges and place cards (check-in package): the guests accepted to a
// ceremony with the check-in code their badge's QR code carries. The query
// has the attendee list's shape (attendees_store.go) and shares its filter
// and its order of precedence, so that badges come off the printer in the
// order the lists give.

// BadgeFilter selects the badges of one ceremony: AttendeeFilter's
// ceremony, kind, delegation and zone (its Status is ignored: only
// accepted answers have badges), and optionally one guest.
type BadgeFilter struct {
	AttendeeFilter
	// GuestID keeps one guest's badge (0: every guest).
	GuestID int64
}

// BadgeRow is one accepted guest as a badge shows them.
type BadgeRow struct {
	InvitationID int64
	GuestID      int64
	Honorific    string
	GivenName    string
	FamilyName   string
	PrintedName  string
	DelegationID *int64
	Delegation   string
	ZoneID       *int64
	Zone         string
	// ZoneColour is the zone's badge colour ("#rrggbb"), "" without a zone.
	ZoneColour string
	// CheckInCode is what the desk's scan field takes.
	CheckInCode string
	// Companions are the companions accepted; CompanionNames the names
	// given, maybe fewer.
	Companions     int
	CompanionNames []string
}

// EachBadge calls fn with every accepted guest f selects, in f's order
// (precedence unless f.Sort says otherwise), read through one cursor so
// that a thousand badges never sit in memory as rows. fn must not keep
// the row.
func (s *Store) EachBadge(ctx context.Context, f BadgeFilter, fn func(*BadgeRow) error) error {
	f.Status = "accepted"
	// The gate filter needs the expected gate's join, which badges do
	// not have.
	f.GateID = 0
	where, args := f.where()
	if f.GuestID != 0 {
		where, args = where+" AND g.id = ?", append(args, f.GuestID)
	}
	var r BadgeRow
	cols := []any{&r.InvitationID, &r.GuestID, &r.Honorific, &r.GivenName, &r.FamilyName, &r.PrintedName,
		&r.DelegationID, &r.Delegation, &r.ZoneID, &r.Zone, &r.ZoneColour,
		&r.CheckInCode, &r.Companions}
	return eachRow(ctx, s.db, "badges", `SELECT i.id, g.id, g.honorific, g.given_name, g.family_name, g.printed_name,
			g.delegation_id, COALESCE(d.name, ''), ic.zone_id, COALESCE(z.name, ''), COALESCE(z.badge_colour, ''),
			i.check_in_code, ic.companions,
			COALESCE((SELECT json_agg(c.name ORDER BY c.position) FROM invitation_companions c
			          WHERE c.invitation_id = i.id), '[]')
		FROM invitation_ceremonies ic
		JOIN invitations i ON i.id = ic.invitation_id
		JOIN guests g ON g.id = i.guest_id
		LEFT JOIN delegations d ON d.id = g.delegation_id
		LEFT JOIN zones z ON z.id = ic.zone_id
		WHERE `+where+` ORDER BY `+f.order(), args, &r, cols, &r.CompanionNames, fn)
}
