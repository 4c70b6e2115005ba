// Package checkin is the day of the ceremony: the check-in desk at the
// gates (desk.go) and the live arrivals board (board*.go).
//
// Invitations, guests, ceremonies and gates belong to other packages; this
// package reaches them through the interfaces it declares
// (desk_store_iface.go), which the app implements over their stores. The
// check-in itself is one conditional UPDATE in the invitation package's
// store, so that any number of gates scanning one badge at once count it
// once.
package checkin

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

// Views lists the templates this package needs, checked at start-up.
var Views = slices.Concat(deskViews, boardViews, listViews, printViews, attendanceViews)

// Deps are what the check-in desk needs.
type Deps struct {
	// Attendance checks guests in and reads who came.
	Attendance Attendance
	// Events are the ceremonies of the current edition and their gates.
	Events Events
	// Directory finds guests by name and tells who they are.
	Directory Directory
	// WalkIns records guests who came without an invitation.
	WalkIns WalkIns
	View    *view.Renderer
}

// Handler serves the check-in desk and the live board.
type Handler struct {
	Deps
	// Board is what the live board needs (board.go).
	Board *Board
	// lists reads the attendee lists (lists.go).
	lists Lists
	// now is the desk's clock, for what it shows; the one-minute undo
	// window is judged by the database's clock.
	now func() time.Time
	// cache keeps ceremonies and staff names between requests.
	cache caches
	// attendance reads the attendance report (attendance.go).
	attendance AttendanceReport
	prints     Prints // badges and place cards (prints.go)
}

// NewHandler returns the handler.
func NewHandler(d Deps) *Handler { return &Handler{Deps: d, now: time.Now} }

// WithBoard gives the handler what the live board needs.
func (h *Handler) WithBoard(b *Board) *Handler {
	h.Board = b
	return h
}

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
