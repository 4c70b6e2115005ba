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
	out := make([]ceremony.VenueOption, 0, len(vs))
	for _, v := range vs {
		zs, err := a.store.Zones(ctx, v.ID)
		if err != nil {
			return nil, err
		}
		o := ceremony.VenueOption{ID: v.ID, Name: v.Name, Address: v.Address, Latitude: v.Latitude, Longitude: v.Longitude}
		for _, z := range zs {
			o.Zones = append(o.Zones, ceremony.ZoneOption{ID: z.ID, Name: z.Name, Kind: z.Kind, Capacity: z.Capacity, Colour: z.BadgeColour})
		}
		out = append(out, o)
	}
	return out, nil
}
