package app

import (
	"context"

	"vigil/internal/ceremony"
	"vigil/internal/venue"
)

// ceremonyVenues gives the ceremony pages the venues and their zones.
type ceremonyVenues struct{ store *venue.Store }

// VenueOptions implements ceremony.Venues.
func (a ceremonyVenues) VenueOptions(ctx context.Context) ([]ceremony.VenueOption, error) {
	vs, err := a.store.List(ctx)
	if err != nil {
		return nil, err
	}
	zs, err := a.store.AllZones(ctx)
	if err != nil {
		return nil, err
	}
	byVenue := map[int64][]ceremony.ZoneOption{}
	for _, z := range zs {
		byVenue[z.VenueID] = append(byVenue[z.VenueID], ceremony.ZoneOption{ID: z.ID, Name: z.Name, Kind: z.Kind, Capacity: z.Capacity, Colour: z.BadgeColour})
	}
	out := make([]ceremony.VenueOption, 0, len(vs))
	for _, v := range vs {
		out = append(out, ceremony.VenueOption{ID: v.ID, Name: v.Name, Address: v.Address, Latitude: v.Latitude, Longitude: v.Longitude, Zones: byVenue[v.ID]})
	}
	return out, nil
}
