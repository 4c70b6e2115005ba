package app

import (
	"context"
	"errors"

	"vigil/internal/auth"
	"vigil/internal/ceremony"
	"vigil/internal/venue"
)

// venuePlanning gives the venue pages the editions and ceremonies they hang
// off, through the ceremony store (which owns those tables).
type venuePlanning struct{ store *ceremony.Store }

// commemoration is the one Vigil runs, with its time zone.
func (a venuePlanning) commemoration(ctx context.Context) (*ceremony.Commemoration, error) {
	cm, err := a.store.Current(ctx)
	if errors.Is(err, ceremony.ErrNotFound) {
		return nil, venue.ErrNotFound
	}
	return cm, err
}

func (a venuePlanning) ref(ctx context.Context, e *ceremony.Edition, err error) (venue.EditionRef, error) {
	if errors.Is(err, ceremony.ErrNotFound) {
		return venue.EditionRef{}, venue.ErrNotFound
	}
	if err != nil {
		return venue.EditionRef{}, err
	}
	cm, err := a.commemoration(ctx)
	if err != nil {
		return venue.EditionRef{}, err
	}
	if e.CommemorationID != cm.ID {
		return venue.EditionRef{}, venue.ErrNotFound
	}
	loc, err := cm.Location()
	if err != nil {
		return venue.EditionRef{}, err
	}
	return venue.EditionRef{ID: e.ID, Year: e.Year, Name: cm.Name, Location: loc}, nil
}

// Edition implements venue.Planning.
func (a venuePlanning) Edition(ctx context.Context, year int) (venue.EditionRef, error) {
	cm, err := a.commemoration(ctx)
	if err != nil {
		return venue.EditionRef{}, err
	}
	e, err := a.store.EditionByYear(ctx, cm.ID, year)
	return a.ref(ctx, e, err)
}

// EditionByID implements venue.Planning.
func (a venuePlanning) EditionByID(ctx context.Context, id int64) (venue.EditionRef, error) {
	e, err := a.store.EditionByID(ctx, id)
	return a.ref(ctx, e, err)
}

func ceremonyRef(year int, c *ceremony.Ceremony) venue.CeremonyRef {
	return venue.CeremonyRef{ID: c.ID, EditionID: c.EditionID, Year: year, Title: c.Title,
		StartsAt: c.StartsAt, EndsAt: c.EndsAt, VenueID: c.VenueID, Status: c.Status}
}

// Ceremony implements venue.Planning.
func (a venuePlanning) Ceremony(ctx context.Context, year int, ceremonyID int64) (venue.CeremonyRef, error) {
	e, err := a.Edition(ctx, year)
	if err != nil {
		return venue.CeremonyRef{}, err
	}
	c, err := a.store.Ceremony(ctx, e.ID, ceremonyID)
	if errors.Is(err, ceremony.ErrNotFound) {
		return venue.CeremonyRef{}, venue.ErrNotFound
	}
	if err != nil {
		return venue.CeremonyRef{}, err
	}
	return ceremonyRef(year, c), nil
}

// Ceremonies implements venue.Planning.
func (a venuePlanning) Ceremonies(ctx context.Context, editionID int64) ([]venue.CeremonyRef, error) {
	e, err := a.store.EditionByID(ctx, editionID)
	if errors.Is(err, ceremony.ErrNotFound) {
		return nil, venue.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	cs, err := a.store.Ceremonies(ctx, editionID)
	if err != nil {
		return nil, err
	}
	out := make([]venue.CeremonyRef, len(cs))
	for i := range cs {
		out[i] = ceremonyRef(e.Year, &cs[i])
	}
	return out, nil
}

// peopleAdapter lists the active users tasks can be assigned to.
type peopleAdapter struct{ users *auth.Store }

// Assignable implements venue.People.
func (a peopleAdapter) Assignable(ctx context.Context) ([]venue.Person, error) {
	const page = 500
	var out []venue.Person
	for offset := 0; ; offset += page {
		us, total, err := a.users.List(ctx, auth.ListFilter{}, offset, page)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			if !u.Disabled {
				out = append(out, venue.Person{ID: u.ID, Name: u.Name})
			}
		}
		if int64(offset+page) >= total || len(us) == 0 {
			return out, nil
		}
	}
}
