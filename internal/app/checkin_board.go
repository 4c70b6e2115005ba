package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"vigil/internal/ceremony"
	"vigil/internal/checkin"
	"vigil/internal/database"
	"vigil/internal/delegation"
	"vigil/internal/invitation"
	"vigil/internal/venue"
	"vigil/internal/view"
)

// The live arrivals board reads ceremonies, answers and guests through the
// interfaces the checkin package declares; these adapters serve them from
// the stores that own those tables.

// newCheckinBoard builds the live board. Its LISTEN connection is opened
// from the pool's configuration but outside the pool: it is held for as
// long as boards are open, and a pooled connection kept that long would
// shrink the pool.
func newCheckinBoard(db *database.DB, ceremonies *ceremony.Store, venues *venue.Store, invitations *invitation.Store,
	delegations *delegation.Store, renderer *view.Renderer, log *slog.Logger) *checkin.Board {
	return checkin.NewBoard(checkin.BoardDeps{
		Ceremonies: &boardCeremonies{ceremonies: ceremonies, venues: venues},
		Arrivals:   boardArrivals{invitations},
		Guests:     &boardGuests{store: delegations},
		Listen: func(ctx context.Context) (*pgx.Conn, error) {
			conn, err := pgx.ConnectConfig(ctx, db.Pool.Config().ConnConfig.Copy())
			if err != nil {
				return nil, fmt.Errorf("app: live board connection: %w", err)
			}
			return conn, nil
		},
		View: renderer,
		Log:  log,
	})
}

// boardCeremonies serves checkin.BoardCeremonies from the ceremony and
// venue stores, keeping what it read of a ceremony for boardCeremonyTTL.
type boardCeremonies struct {
	ceremonies *ceremony.Store
	venues     *venue.Store

	mu   sync.Mutex
	kept map[int64]keptBoardCeremony
}

type keptBoardCeremony struct {
	c  checkin.BoardCeremony
	at time.Time
}

// boardCeremonyTTL is how long the board trusts what it read of a
// ceremony (title, start, zones): the board reads its numbers up to twice
// a second while check-ins come, and those four look-ups each time were
// the gates' scans' to wait behind. A change shows within this time.
const boardCeremonyTTL = 10 * time.Second

// BoardCeremony implements checkin.BoardCeremonies: the ceremony in any
// edition of the commemoration (the newest edition is tried first), with
// its zones in the venue's order (all the venue's zones when the ceremony
// names none).
func (a *boardCeremonies) BoardCeremony(ctx context.Context, id int64) (checkin.BoardCeremony, error) {
	a.mu.Lock()
	k, ok := a.kept[id]
	a.mu.Unlock()
	if ok && time.Since(k.at) < boardCeremonyTTL {
		return k.c, nil
	}
	c, err := a.read(ctx, id)
	if err != nil {
		return c, err
	}
	a.mu.Lock()
	if a.kept == nil {
		a.kept = map[int64]keptBoardCeremony{}
	}
	a.kept[id] = keptBoardCeremony{c: c, at: time.Now()}
	a.mu.Unlock()
	return c, nil
}

// read reads ceremony id for BoardCeremony.
func (a *boardCeremonies) read(ctx context.Context, id int64) (checkin.BoardCeremony, error) {
	cm, err := a.ceremonies.Current(ctx)
	if errors.Is(err, ceremony.ErrNotFound) {
		return checkin.BoardCeremony{}, checkin.ErrNotFound
	}
	if err != nil {
		return checkin.BoardCeremony{}, err
	}
	loc, err := cm.Location()
	if err != nil {
		return checkin.BoardCeremony{}, err
	}
	c, err := a.ceremonies.CeremonyByID(ctx, id)
	if errors.Is(err, ceremony.ErrNotFound) {
		return checkin.BoardCeremony{}, checkin.ErrNotFound
	}
	if err != nil {
		return checkin.BoardCeremony{}, err
	}
	// A ceremony of another commemoration is not this Vigil's.
	ed, err := a.ceremonies.EditionByID(ctx, c.EditionID)
	if err != nil || ed.CommemorationID != cm.ID {
		if err == nil || errors.Is(err, ceremony.ErrNotFound) {
			return checkin.BoardCeremony{}, checkin.ErrNotFound
		}
		return checkin.BoardCeremony{}, err
	}
	out := checkin.BoardCeremony{ID: c.ID, Title: c.Title, StartsAt: c.StartsAt, Location: loc}
	if c.VenueID == nil {
		return out, nil
	}
	zones, err := a.venues.Zones(ctx, *c.VenueID)
	if err != nil {
		return checkin.BoardCeremony{}, err
	}
	used := map[int64]bool{}
	for _, z := range c.ZoneIDs {
		used[z] = true
	}
	for _, z := range zones {
		if len(used) == 0 || used[z.ID] {
			out.Zones = append(out.Zones, checkin.BoardZone{ID: z.ID, Name: z.Name, Colour: z.BadgeColour})
		}
	}
	return out, nil
}

// boardArrivals serves checkin.BoardArrivals from the invitation store.
type boardArrivals struct{ store *invitation.Store }

// BoardArrivals implements checkin.BoardArrivals.
func (a boardArrivals) BoardArrivals(ctx context.Context, ceremonyID int64) (checkin.BoardTally, error) {
	rows, err := a.store.ArrivalRows(ctx, ceremonyID)
	if err != nil {
		return nil, err
	}
	return boardTally{invitation.NewArrivalTally(rows)}, nil
}

// boardTally serves checkin.BoardTally from an invitation.ArrivalTally.
type boardTally struct{ *invitation.ArrivalTally }

// Sums implements checkin.BoardTally.
func (t boardTally) Sums() ([]checkin.BoardGroup, []checkin.BoardVIPWaiting) {
	groups, vips := t.ArrivalTally.Sums()
	// The two packages declare the same fields on purpose: a conversion,
	// which stops compiling the day they differ.
	outG := make([]checkin.BoardGroup, len(groups))
	for i, g := range groups {
		outG[i] = checkin.BoardGroup(g)
	}
	outV := make([]checkin.BoardVIPWaiting, len(vips))
	for i, v := range vips {
		outV[i] = checkin.BoardVIPWaiting(v)
	}
	return outG, outV
}

// boardGuestsTTL is how long the board trusts what it read of a guest:
// while check-ins come, the board names the same VIPs every half second,
// and a guest's name hardly changes during a ceremony; a change shows
// within this time.
const boardGuestsTTL = 15 * time.Second

// boardGuests serves checkin.BoardGuests from the delegation store,
// keeping what it read for boardGuestsTTL.
type boardGuests struct {
	store *delegation.Store
	mu    sync.Mutex
	// cache holds the guests read since since.
	cache map[int64]checkin.BoardGuest
	since time.Time
}

// BoardGuests implements checkin.BoardGuests: only the guests not read in
// the last boardGuestsTTL are read from the store.
func (a *boardGuests) BoardGuests(ctx context.Context, ids []int64) (map[int64]checkin.BoardGuest, error) {
	out := make(map[int64]checkin.BoardGuest, len(ids))
	var missing []int64
	a.mu.Lock()
	if a.cache == nil || time.Since(a.since) > boardGuestsTTL {
		a.cache, a.since = map[int64]checkin.BoardGuest{}, time.Now()
	}
	for _, id := range ids {
		if g, ok := a.cache[id]; ok {
			out[id] = g
		} else {
			missing = append(missing, id)
		}
	}
	a.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	rows, err := a.store.GuestRows(ctx, missing)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, r := range rows {
		g := guestInfo(r)
		bg := checkin.BoardGuest{
			ID: r.ID, Name: g.Name, VIP: r.VIP, DelegationID: r.DelegationID, Delegation: r.DelegationName, Precedence: r.Precedence,
		}
		out[r.ID] = bg
		a.cache[r.ID] = bg
	}
	return out, nil
}
