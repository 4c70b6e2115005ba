package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"vigil/internal/auth"
	"vigil/internal/venue"
)

// planningAdapter gives the venue pages the editions and ceremonies they
// hang off, read with plain SQL. The commemoration is the first one
// created, as on the dashboard; its time zone is every edition's Location.
// It may be replaced by calls to the ceremony store.
type planningAdapter struct{ db *gorm.DB }

// commemorationSQL picks the commemoration Vigil runs.
const commemorationSQL = `(SELECT id FROM commemorations ORDER BY id LIMIT 1)`

// edition reads one edition matched by where (on editions e).
func (a planningAdapter) edition(ctx context.Context, where string, arg any) (venue.EditionRef, error) {
	var e venue.EditionRef
	var tz string
	row := a.db.WithContext(ctx).Raw(`
		SELECT e.id, e.year, c.name, c.time_zone
		  FROM editions e JOIN commemorations c ON c.id = e.commemoration_id
		 WHERE e.commemoration_id = `+commemorationSQL+` AND `+where, arg).Row()
	if err := row.Scan(&e.ID, &e.Year, &e.Name, &tz); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return e, venue.ErrNotFound
		}
		return e, fmt.Errorf("app: venue planning: edition: %w", err)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return e, fmt.Errorf("app: venue planning: time zone %q: %w", tz, err)
	}
	e.Location = loc
	return e, nil
}

// Edition implements venue.Planning.
func (a planningAdapter) Edition(ctx context.Context, year int) (venue.EditionRef, error) {
	return a.edition(ctx, "e.year = ?", year)
}

// EditionByID implements venue.Planning.
func (a planningAdapter) EditionByID(ctx context.Context, id int64) (venue.EditionRef, error) {
	return a.edition(ctx, "e.id = ?", id)
}

const ceremonySQL = `
	SELECT c.id, c.edition_id, e.year, c.title, c.starts_at, c.ends_at, c.venue_id, c.status
	  FROM ceremonies c JOIN editions e ON e.id = c.edition_id
	 WHERE e.commemoration_id = ` + commemorationSQL

func scanCeremony(scan func(...any) error) (venue.CeremonyRef, error) {
	var c venue.CeremonyRef
	err := scan(&c.ID, &c.EditionID, &c.Year, &c.Title, &c.StartsAt, &c.EndsAt, &c.VenueID, &c.Status)
	return c, err
}

// Ceremony implements venue.Planning.
func (a planningAdapter) Ceremony(ctx context.Context, year int, ceremonyID int64) (venue.CeremonyRef, error) {
	row := a.db.WithContext(ctx).Raw(ceremonySQL+` AND e.year = ? AND c.id = ?`, year, ceremonyID).Row()
	c, err := scanCeremony(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return c, venue.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("app: venue planning: ceremony %d: %w", ceremonyID, err)
	}
	return c, nil
}

// Ceremonies implements venue.Planning.
func (a planningAdapter) Ceremonies(ctx context.Context, editionID int64) ([]venue.CeremonyRef, error) {
	rows, err := a.db.WithContext(ctx).Raw(ceremonySQL+` AND c.edition_id = ? ORDER BY c.starts_at, c.id`, editionID).Rows()
	if err != nil {
		return nil, fmt.Errorf("app: venue planning: ceremonies: %w", err)
	}
	defer rows.Close()
	var out []venue.CeremonyRef
	for rows.Next() {
		c, err := scanCeremony(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("app: venue planning: ceremonies: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("app: venue planning: ceremonies: %w", err)
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
