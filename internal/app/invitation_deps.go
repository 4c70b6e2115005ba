package app

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"vigil/internal/ceremony"
	"vigil/internal/delegation"
	"vigil/internal/invitation"
	"vigil/internal/venue"
)

// The invitation package reads editions, ceremonies, venues and guests
// through the interfaces it declares; these adapters serve them from the
// stores that own those tables.

// invitationEditions serves invitation.Editions from the ceremony store.
type invitationEditions struct{ store *ceremony.Store }

// info is edition e of commemoration cm as invitation pages see it.
func (a invitationEditions) info(e *ceremony.Edition, cm *ceremony.Commemoration) (invitation.EditionInfo, error) {
	loc, err := cm.Location()
	if err != nil {
		return invitation.EditionInfo{}, err
	}
	return invitation.EditionInfo{
		ID: e.ID, Year: e.Year, Name: cm.Name, Anniversary: cm.Anniversary(e.Year), Location: loc,
		Deadline: e.RSVPDeadline, ReminderDays: e.ReminderDays, Status: e.Status,
	}, nil
}

// editionNotFound maps the ceremony store's "not found" to the invitation
// package's.
func editionNotFound(err error) error {
	if errors.Is(err, ceremony.ErrNotFound) {
		return invitation.ErrNotFound
	}
	return err
}

// Edition implements invitation.Editions: the current commemoration's
// edition of year (two statements; every invitation page starts here).
func (a invitationEditions) Edition(ctx context.Context, year int) (invitation.EditionInfo, error) {
	cm, err := a.store.Current(ctx)
	if err != nil {
		return invitation.EditionInfo{}, editionNotFound(err)
	}
	e, err := a.store.EditionByYear(ctx, cm.ID, year)
	if err != nil {
		return invitation.EditionInfo{}, editionNotFound(err)
	}
	return a.info(e, cm)
}

// EditionByID implements invitation.Editions: an edition of another
// commemoration is not found.
func (a invitationEditions) EditionByID(ctx context.Context, id int64) (invitation.EditionInfo, error) {
	e, err := a.store.EditionByID(ctx, id)
	if err != nil {
		return invitation.EditionInfo{}, editionNotFound(err)
	}
	cm, err := a.store.Current(ctx)
	if err != nil {
		return invitation.EditionInfo{}, editionNotFound(err)
	}
	if cm.ID != e.CommemorationID {
		return invitation.EditionInfo{}, invitation.ErrNotFound
	}
	return a.info(e, cm)
}

// invitationCeremonies serves invitation.Ceremonies from the ceremony and
// venue stores.
type invitationCeremonies struct {
	ceremonies *ceremony.Store
	venues     *venue.Store
}

// Ceremonies implements invitation.Ceremonies.
func (a invitationCeremonies) Ceremonies(ctx context.Context, editionID int64) ([]invitation.CeremonyInfo, error) {
	cs, err := a.ceremonies.Ceremonies(ctx, editionID)
	if err != nil {
		return nil, err
	}
	venues, err := a.venues.List(ctx)
	if err != nil {
		return nil, err
	}
	byVenue := map[int64]venue.Venue{}
	for _, v := range venues {
		byVenue[v.ID] = v
	}
	zones, err := a.venues.AllZones(ctx)
	if err != nil {
		return nil, err
	}
	byZone := map[int64]venue.Zone{}
	for _, z := range zones {
		byZone[z.ID] = z
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	programmes, err := a.ceremonies.Programmes(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]invitation.CeremonyInfo, 0, len(cs))
	for _, c := range cs {
		info := invitation.CeremonyInfo{
			ID: c.ID, EditionID: c.EditionID, Title: c.Title, Titles: c.Titles(), Kind: c.Kind, Status: c.Status,
			StartsAt: c.StartsAt, EndsAt: c.EndsAt, DressCode: c.DressCode, NotesGuests: c.NotesGuests, Capacity: c.Capacity,
		}
		if c.VenueID != nil {
			v := byVenue[*c.VenueID]
			info.VenueName, info.VenueAddress, info.MapURL = v.Name, v.Address, v.MapURL()
		}
		for _, zid := range c.ZoneIDs {
			z := byZone[zid]
			info.Zones = append(info.Zones, invitation.ZoneInfo{ID: z.ID, Name: z.Name, Kind: z.Kind, Capacity: z.Capacity, Colour: z.BadgeColour})
		}
		for _, it := range programmes[c.ID] {
			if it.Visibility == ceremony.VisibleToGuests {
				info.Programme = append(info.Programme, invitation.ProgrammeLine{StartsAt: it.StartsAt, Minutes: it.DurationMinutes, Title: it.Title})
			}
		}
		out = append(out, info)
	}
	return out, nil
}

// invitationCapacity serves invitation.Capacity from the ceremony store.
type invitationCapacity struct{ store *ceremony.Store }

// Limits implements invitation.Capacity.
func (a invitationCapacity) Limits(ctx context.Context, tx *gorm.DB, ids []int64, lock bool) (map[int64]invitation.Limits, error) {
	seats, err := a.store.SeatLimits(ctx, tx, ids, lock)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]invitation.Limits, len(seats))
	for id, s := range seats {
		out[id] = invitation.Limits{Seats: s.Capacity, Zones: s.Zones}
	}
	return out, nil
}

// invitationGuests serves invitation.Guests from the delegation store.
type invitationGuests struct{ store *delegation.Store }

func guestInfo(g delegation.GuestRow) invitation.GuestInfo {
	full := delegation.Guest{Honorific: g.Honorific, GivenName: g.GivenName, FamilyName: g.FamilyName, PrintedName: g.PrintedName}
	return invitation.GuestInfo{
		ID: g.ID, Name: full.DisplayName(), FullName: full.FullName(), Email: g.Email, Language: g.Language, VIP: g.VIP,
		DelegationID: g.DelegationID, Delegation: g.DelegationName, Kind: g.DelegationKind, Precedence: g.Precedence,
	}
}

// Guests implements invitation.Guests.
func (a invitationGuests) Guests(ctx context.Context, ids []int64) (map[int64]invitation.GuestInfo, error) {
	rows, err := a.store.GuestRows(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]invitation.GuestInfo, len(rows))
	for _, r := range rows {
		out[r.ID] = guestInfo(r)
	}
	return out, nil
}

// Members implements invitation.Guests.
func (a invitationGuests) Members(ctx context.Context, delegationID int64) ([]invitation.GuestInfo, error) {
	rows, _, err := a.store.SearchGuests(ctx, delegation.GuestQuery{DelegationID: delegationID, Limit: 500})
	if err != nil {
		return nil, err
	}
	out := make([]invitation.GuestInfo, len(rows))
	for i, r := range rows {
		out[i] = guestInfo(r)
	}
	return out, nil
}

// Heads implements invitation.Guests.
func (a invitationGuests) Heads(ctx context.Context, editionID int64, delegationIDs []int64) (map[int64]int64, error) {
	return a.store.Heads(ctx, editionID, delegationIDs)
}

// Matching implements invitation.Guests.
func (a invitationGuests) Matching(ctx context.Context, f invitation.GuestFilter) ([]int64, error) {
	ids, err := a.store.MatchingGuestIDs(ctx, delegation.GuestQuery{
		Text: f.Text, DelegationID: f.DelegationID, Kind: f.Kind, Language: f.Language, VIPOnly: f.VIPOnly,
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}
