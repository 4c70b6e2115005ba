package app

import (
	"context"

	"vigil/internal/checkin"
	"vigil/internal/delegation"
	"vigil/internal/invitation"
)

// checkinPrints serves checkin.Prints from the invitation store, whose one
// badge query joins the accepted answers with the directory's guests and
// delegations and the venue's zones, in order of precedence.
type checkinPrints struct{ store *invitation.Store }

// EachBadge implements checkin.Prints.
func (a checkinPrints) EachBadge(ctx context.Context, q checkin.BadgeQuery, fn func(*checkin.Badge) error) error {
	f := invitation.BadgeFilter{
		AttendeeFilter: invitation.AttendeeFilter{
			CeremonyID: q.CeremonyID, Kind: q.Kind, DelegationID: q.DelegationID, ZoneID: noneID(q.ZoneID),
		},
		GuestID: q.GuestID,
	}
	var b checkin.Badge
	return a.store.EachBadge(ctx, f, func(r *invitation.BadgeRow) error {
		g := delegation.Guest{Honorific: r.Honorific, GivenName: r.GivenName, FamilyName: r.FamilyName, PrintedName: r.PrintedName}
		b = checkin.Badge{
			InvitationID: r.InvitationID, GuestID: r.GuestID, Name: g.DisplayName(), Honorific: r.Honorific,
			Delegation: r.Delegation, ZoneID: r.ZoneID, Zone: r.Zone, ZoneColour: r.ZoneColour, Code: r.CheckInCode,
			Companions: r.Companions, CompanionNames: r.CompanionNames,
		}
		if r.PrintedName == "" {
			// The badge prints the honorific on its own line above the
			// name.
			b.Name = g.FullName()
		}
		return fn(&b)
	})
}

// BadgeDelegations implements checkin.Prints.
func (a checkinPrints) BadgeDelegations(ctx context.Context, ceremonyID int64) ([]checkin.BadgeDelegation, error) {
	ds, err := a.store.AttendeeDelegations(ctx, ceremonyID)
	if err != nil {
		return nil, err
	}
	out := make([]checkin.BadgeDelegation, len(ds))
	for i, d := range ds {
		out[i] = checkin.BadgeDelegation{ID: d.ID, Name: d.Name}
	}
	return out, nil
}
