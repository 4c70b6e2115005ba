package app

import (
	"context"
	"strings"

	"vigil/internal/checkin"
	"vigil/internal/delegation"
	"vigil/internal/invitation"
)

// checkinLists serves checkin.Lists from the invitation store, whose one
// query joins the answers with the directory's guests and delegations.
type checkinLists struct{ store *invitation.Store }

// EachListRow implements checkin.Lists.
func (a checkinLists) EachListRow(ctx context.Context, q checkin.ListQuery, fn func(*checkin.ListRow) error) error {
	f := invitation.AttendeeFilter{
		CeremonyID: q.CeremonyID, Status: q.Status, Kind: q.Kind, DelegationID: q.DelegationID, VIPOnly: q.VIPOnly,
		ZoneID: noneID(q.ZoneID), GateID: noneID(q.GateID), Grouped: q.Grouped, Locale: q.Locale,
	}
	if q.Sort == checkin.ListSortName {
		f.Sort = invitation.AttendeeSortName
	}
	var row checkin.ListRow
	return a.store.EachAttendee(ctx, f, func(r *invitation.AttendeeRow) error {
		g := delegation.Guest{Honorific: r.Honorific, GivenName: r.GivenName, FamilyName: r.FamilyName, PrintedName: r.PrintedName}
		plain := r.PrintedName
		if plain == "" {
			plain = g.FullName()
		}
		row = checkin.ListRow{
			InvitationID: r.InvitationID, GuestID: r.GuestID, Name: g.DisplayName(), PlainName: plain, Honorific: r.Honorific,
			Position: r.Position, Phone: r.Phone, Needs: joinNonEmpty("; ", r.AccessibilityNeeds, r.DietaryNeeds), VIP: r.VIP,
			DelegationID: r.DelegationID, Delegation: r.Delegation, Kind: r.Kind, Status: r.Status,
			Companions: r.Companions, CompanionNames: r.CompanionNames, Zone: r.Zone, ExpectedGate: r.ExpectedGate,
			CheckedInAt: r.CheckedInAt, Gate: r.Gate,
		}
		return fn(&row)
	})
}

// noneID passes an id filter on, checkin.ListNone as the store's
// AttendeeNone.
func noneID(id int64) int64 {
	if id == checkin.ListNone {
		return invitation.AttendeeNone
	}
	return id
}

// joinNonEmpty joins the parts that are not empty.
func joinNonEmpty(sep string, parts ...string) string {
	var b strings.Builder
	for _, s := range parts {
		if s == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s)
	}
	return b.String()
}

// ListCounts implements checkin.Lists.
func (a checkinLists) ListCounts(ctx context.Context, ceremonyID int64) (map[string]int, error) {
	return a.store.AttendeeCounts(ctx, ceremonyID)
}

// ListDelegations implements checkin.Lists.
func (a checkinLists) ListDelegations(ctx context.Context, ceremonyID int64) ([]checkin.ListDelegation, error) {
	ds, err := a.store.AttendeeDelegations(ctx, ceremonyID)
	if err != nil {
		return nil, err
	}
	out := make([]checkin.ListDelegation, len(ds))
	for i, d := range ds {
		out[i] = checkin.ListDelegation{ID: d.ID, Name: d.Name}
	}
	return out, nil
}
