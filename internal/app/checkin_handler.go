package app

import (
	"log/slog"

	"vigil/internal/auth"
	"vigil/internal/ceremony"
	"vigil/internal/checkin"
	"vigil/internal/database"
	"vigil/internal/delegation"
	"vigil/internal/invitation"
	"vigil/internal/venue"
	"vigil/internal/view"
)

// checkinStores are the stores the check-in handler reads through its
// adapters.
type checkinStores struct {
	db          *database.DB
	ceremonies  *ceremony.Store
	venues      *venue.Store
	invitations *invitation.Store
	delegations *delegation.Store
	users       *auth.Store
	view        *view.Renderer
	log         *slog.Logger
}

// newCheckinHandler wires the check-in package: the desk, the live board,
// the attendee lists, the protocol prints and the attendance report.
func newCheckinHandler(s checkinStores) *checkin.Handler {
	h := checkin.NewHandler(newCheckinDeps(s.ceremonies, s.venues, s.invitations, s.delegations, s.users, s.view)).
		WithBoard(newCheckinBoard(s.db, s.ceremonies, s.venues, s.invitations, s.delegations, s.view, s.log)).
		WithLists(checkinLists{s.invitations})
	// BEGIN checkin prints wiring
	h = h.WithPrints(checkinPrints{s.invitations})
	// END checkin prints wiring
	// BEGIN checkin attendance wiring
	h = h.WithAttendance(checkinAttendanceReport{ceremonies: s.ceremonies, invitations: s.invitations})
	// END checkin attendance wiring
	return h
}
