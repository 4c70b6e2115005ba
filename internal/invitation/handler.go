package invitation

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

// Views lists the templates this package needs, checked at start-up.
var Views = slices.Concat(rsvpViews, organizerViews)

// Sessions is the part of the session manager the guest pages use: the
// personal link's token is swapped for a session value (the invitation
// id), so the token leaves the address bar at once.
type Sessions interface {
	Put(ctx context.Context, key string, val any)
	GetInt64(ctx context.Context, key string) int64
	Remove(ctx context.Context, key string)
	RenewToken(ctx context.Context) error
}

// Deps are what the handler needs.
type Deps struct {
	Store      *Store
	View       *view.Renderer
	Editions   Editions
	Ceremonies Ceremonies
	Guests     Guests
	Sessions   Sessions
	// BaseURL is Vigil's public address, for links in letters.
	BaseURL *url.URL
	Log     *slog.Logger
	// Office serves the organizer pages: delegations, user names, the
	// current edition and reminders (see organizer_handler.go).
	Office Office
}

// Handler serves the guest's answer pages and the organizers' invitation
// pages.
type Handler struct {
	Deps
	now func() time.Time
}

// NewHandler returns the handler.
func NewHandler(d Deps) *Handler { return &Handler{Deps: d, now: time.Now} }

// pathID reads a positive id from the path; anything else is a 404.
func pathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return id, nil
}

// notFound turns ErrNotFound into a 404 and passes other errors on.
func notFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	return err
}
