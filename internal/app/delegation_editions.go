package app

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"vigil/internal/ceremony"
	"vigil/internal/delegation"
	"vigil/internal/venue"
)

// delegationEditions gives the delegation pages the editions they hang off,
// through the ceremony store, which owns them.
type delegationEditions struct{ store *ceremony.Store }

func (a delegationEditions) ref(ctx context.Context, e *ceremony.Edition, err error) (delegation.EditionRef, error) {
	if errors.Is(err, ceremony.ErrNotFound) {
		return delegation.EditionRef{}, delegation.ErrNotFound
	}
	if err != nil {
		return delegation.EditionRef{}, err
	}
	cm, err := a.store.Current(ctx)
	if errors.Is(err, ceremony.ErrNotFound) || err == nil && e.CommemorationID != cm.ID {
		return delegation.EditionRef{}, delegation.ErrNotFound
	}
	if err != nil {
		return delegation.EditionRef{}, err
	}
	loc, err := cm.Location()
	if err != nil {
		return delegation.EditionRef{}, err
	}
	return delegation.EditionRef{ID: e.ID, Year: e.Year, Name: cm.Name, Location: loc}, nil
}

// Edition implements delegation.Editions.
func (a delegationEditions) Edition(ctx context.Context, year int) (delegation.EditionRef, error) {
	cm, err := a.store.Current(ctx)
	if errors.Is(err, ceremony.ErrNotFound) {
		return delegation.EditionRef{}, delegation.ErrNotFound
	}
	if err != nil {
		return delegation.EditionRef{}, err
	}
	e, err := a.store.EditionByYear(ctx, cm.ID, year)
	return a.ref(ctx, e, err)
}

// EditionByID implements delegation.Editions.
func (a delegationEditions) EditionByID(ctx context.Context, id int64) (delegation.EditionRef, error) {
	e, err := a.store.EditionByID(ctx, id)
	return a.ref(ctx, e, err)
}

// delegationGates lists the venues' gates for the delegation pages.
type delegationGates struct{ store *venue.Store }

// AllGates implements delegation.Gates.
func (a delegationGates) AllGates(ctx context.Context) ([]delegation.GateRef, error) {
	gs, err := a.store.AllGates(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]delegation.GateRef, len(gs))
	for i, g := range gs {
		out[i] = delegation.GateRef{ID: g.ID, Name: g.Name, VenueName: g.VenueName}
	}
	return out, nil
}

// editionCopier copies, when a new edition is started, the venue package's
// logistics and the delegation package's participations, inside the one
// transaction of ceremony.Store.StartNextEdition.
// It also passes on the venue store's open-task counts to the dashboard.
type editionCopier struct {
	*venue.Store
	delegations *delegation.Store
}

// CopyLogistics implements ceremony.LogisticsCopier.
func (c editionCopier) CopyLogistics(ctx context.Context, tx *gorm.DB, from, to int64, ceremonyIDs map[int64]int64, shift func(time.Time) time.Time) error {
	if err := c.Store.CopyLogistics(ctx, tx, from, to, ceremonyIDs, shift); err != nil {
		return err
	}
	return c.delegations.CopyParticipations(ctx, tx, from, to)
}
