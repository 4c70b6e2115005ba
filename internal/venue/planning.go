package venue

import (
	"context"
	"time"
)

// EditionRef is what venue pages need to know about an edition.
type EditionRef struct {
	ID   int64
	Year int
	// Name is the commemoration's name.
	Name string
	// Location is the commemoration's time zone: every time is shown and
	// entered in it.
	Location *time.Location
}

// CeremonyRef is what venue pages need to know about a ceremony.
type CeremonyRef struct {
	ID, EditionID    int64
	Year             int
	Title            string
	StartsAt, EndsAt time.Time
	VenueID          *int64
	Status           string
}

// Planning looks up editions and ceremonies, which the ceremony package
// owns. Each method returns ErrNotFound (this package's) when the record
// does not exist.
type Planning interface {
	Edition(ctx context.Context, year int) (EditionRef, error)
	// EditionByID is Edition by id: "my tasks" lists tasks of several
	// editions and knows only their ids.
	EditionByID(ctx context.Context, id int64) (EditionRef, error)
	Ceremony(ctx context.Context, year int, ceremonyID int64) (CeremonyRef, error)
	// Ceremonies lists the ceremonies of an edition by start time.
	Ceremonies(ctx context.Context, editionID int64) ([]CeremonyRef, error)
}

// Person is someone a task can be assigned to.
type Person struct {
	ID   int64
	Name string
}

// People lists users that tasks can be assigned to.
type People interface {
	Assignable(ctx context.Context) ([]Person, error)
}
