package delegation

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

// Template names of the directory pages.
const (
	tmplDelegations = "delegation/delegations"
	tmplDelegation  = "delegation/delegation"
	tmplGuests      = "delegation/guests"
	tmplGuest       = "delegation/guest"
	tmplDuplicates  = "delegation/duplicates"
	tmplMerge       = "delegation/merge"
)

var directoryViews = []string{tmplDelegations, tmplDelegation, tmplGuests, tmplGuest, tmplDuplicates, tmplMerge}

// Views lists the templates this package needs, checked at start-up.
var Views = slices.Concat(directoryViews, participationViews, importViews)

// EditionRef is what this package needs to know about an edition.
type EditionRef struct {
	ID   int64
	Year int
	// Name is the commemoration's name.
	Name string
	// Location is the commemoration's time zone: times are shown and
	// entered in it.
	Location *time.Location
}

// Editions looks up editions, which the ceremony package owns; ErrNotFound
// (this package's) when there is none.
type Editions interface {
	Edition(ctx context.Context, year int) (EditionRef, error)
	EditionByID(ctx context.Context, id int64) (EditionRef, error)
}

// GateRef is a gate guests can arrive at.
type GateRef struct {
	ID        int64
	Name      string
	VenueName string
}

// Gates lists the gates of every venue, which the venue package owns.
type Gates interface {
	AllGates(ctx context.Context) ([]GateRef, error)
}

// Handler serves the directory, participation and import pages.
type Handler struct {
	store    *Store
	view     *view.Renderer
	editions Editions
	gates    Gates
	history  []HistorySource
	movers   []GuestMover
	now      func() time.Time
}

// NewHandler returns the handler.
func NewHandler(store *Store, editions Editions, gates Gates, r *view.Renderer) *Handler {
	return &Handler{store: store, view: r, editions: editions, gates: gates, now: time.Now}
}

// pathID reads a positive id from the path; anything else is a 404.
func pathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return id, nil
}

// pathYear reads :year; anything but a plausible year is a 404.
func pathYear(c echo.Context) (int, error) {
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil || y < 1900 || y > 2200 {
		return 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return y, nil
}

// notFound turns ErrNotFound into a 404 and passes other errors on.
func notFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	return err
}

// done redirects after a successful change with a flash message naming
// what changed.
func (h *Handler) done(c echo.Context, key, name, to string) error {
	h.view.Flash(c, view.FlashSuccess, key, "Name", name)
	return c.Redirect(http.StatusSeeOther, to)
}
