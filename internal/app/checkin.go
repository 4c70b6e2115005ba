package app

import (
	"context"
	"errors"
	"time"

	"vigil/internal/auth"
	"vigil/internal/ceremony"
	"vigil/internal/checkin"
	"vigil/internal/delegation"
	"vigil/internal/invitation"
	"vigil/internal/venue"
	"vigil/internal/view"
)

// The check-in desk reads ceremonies, gates, invitations and guests
// through the interfaces the checkin package declares; these adapters
// serve them from the stores that own those tables.

// newCheckinDeps builds what the check-in desk needs.
func newCheckinDeps(ceremonies *ceremony.Store, venues *venue.Store, invitations *invitation.Store,
	delegations *delegation.Store, users *auth.Store, renderer *view.Renderer) checkin.Deps {
	return checkin.Deps{
		Attendance: checkinAttendance{invitations},
		Events:     checkinEvents{ceremonies: ceremonies, venues: venues, now: time.Now},
		Directory:  checkinDirectory{guests: delegations, users: users},
		WalkIns:    checkinWalkIns{invitations},
		View:       renderer,
	}
}

// checkinEvents serves checkin.Events from the ceremony and venue stores.
type checkinEvents struct {
	ceremonies *ceremony.Store
	venues     *venue.Store
	now        func() time.Time
}

// current is the current edition and the commemoration's time zone.
func (a checkinEvents) current(ctx context.Context) (*ceremony.Edition, *time.Location, error) {
	cm, err := a.ceremonies.Current(ctx)
	if errors.Is(err, ceremony.ErrNotFound) {
		return nil, nil, checkin.ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	loc, err := cm.Location()
	if err != nil {
		return nil, nil, err
	}
	ed, err := a.ceremonies.CurrentEdition(ctx, cm.ID, a.now().Year())
	if errors.Is(err, ceremony.ErrNotFound) {
		return nil, nil, checkin.ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	return ed, loc, nil
}

func checkinCeremony(c *ceremony.Ceremony, ed *ceremony.Edition, loc *time.Location) checkin.Ceremony {
	return checkin.Ceremony{
		ID: c.ID, EditionID: c.EditionID, Year: ed.Year, Title: c.Title, Status: c.Status, StartsAt: c.StartsAt, Location: loc,
	}
}

// Ceremonies implements checkin.Events.
func (a checkinEvents) Ceremonies(ctx context.Context) ([]checkin.Ceremony, error) {
	ed, loc, err := a.current(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := a.ceremonies.CeremonyList(ctx, ed.ID)
	if err != nil {
		return nil, err
	}
	out := make([]checkin.Ceremony, len(cs))
	for i := range cs {
		out[i] = checkinCeremony(&cs[i], ed, loc)
	}
	return out, nil
}

// Ceremony implements checkin.Events.
func (a checkinEvents) Ceremony(ctx context.Context, id int64) (checkin.Ceremony, error) {
	ed, loc, err := a.current(ctx)
	if err != nil {
		return checkin.Ceremony{}, err
	}
	c, err := a.ceremonies.Ceremony(ctx, ed.ID, id)
	if errors.Is(err, ceremony.ErrNotFound) {
		return checkin.Ceremony{}, checkin.ErrNotFound
	}
	if err != nil {
		return checkin.Ceremony{}, err
	}
	out := checkinCeremony(c, ed, loc)
	out.Zones = map[int64]checkin.Zone{}
	if c.VenueID == nil {
		return out, nil
	}
	v, err := a.venues.ByID(ctx, *c.VenueID)
	if err != nil {
		return checkin.Ceremony{}, err
	}
	out.VenueName = v.Name
	gates, err := a.venues.Gates(ctx, v.ID)
	if err != nil {
		return checkin.Ceremony{}, err
	}
	for _, g := range gates {
		out.Gates = append(out.Gates, checkin.Gate{ID: g.ID, Name: g.Name})
	}
	zones, err := a.venues.Zones(ctx, v.ID)
	if err != nil {
		return checkin.Ceremony{}, err
	}
	for _, z := range zones {
		out.Zones[z.ID] = checkin.Zone{ID: z.ID, Name: z.Name, Colour: z.BadgeColour}
	}
	return out, nil
}

// checkinAttendance serves checkin.Attendance and checkin.WalkIns from the
// invitation store.
type checkinAttendance struct{ store *invitation.Store }

func attendee(a invitation.GateArrival) checkin.Attendee {
	return checkin.Attendee{
		InvitationID: a.InvitationID, GuestID: a.GuestID, Status: a.Status, ZoneID: a.ZoneID,
		Companions: a.Companions, CompanionsIn: a.CompanionsCheckedIn,
		CheckedInAt: a.CheckedInAt, GateID: a.CheckedInGateID, By: a.CheckedInBy,
	}
}

func attendees(as []invitation.GateArrival) []checkin.Attendee {
	out := make([]checkin.Attendee, len(as))
	for i, a := range as {
		out[i] = attendee(a)
	}
	return out
}

// notFoundAs maps the invitation package's ErrNotFound to the checkin
// package's.
func notFoundAs(err error) error {
	if errors.Is(err, invitation.ErrNotFound) {
		return checkin.ErrNotFound
	}
	return err
}

// CheckIn implements checkin.Attendance.
func (a checkinAttendance) CheckIn(ctx context.Context, r checkin.CheckIn) (checkin.Result, error) {
	res, err := a.store.CheckIn(ctx, invitation.CheckInRequest{
		Code: r.Code, InvitationID: r.InvitationID, CeremonyID: r.CeremonyID, EditionID: r.EditionID, GateID: r.GateID, UserID: r.UserID,
	})
	if err != nil {
		return checkin.Result{}, err
	}
	// The two packages name the outcomes alike.
	// The delegation's, zone's, gate's and staff member's names come
	// from the desk's own memory (checkin.Handler.name), not from this
	// statement.
	out := checkin.Result{Outcome: res.Outcome, Attendee: attendee(res.Arrival), Elsewhere: res.Elsewhere}
	if res.Arrival.GuestID != 0 {
		g := res.Guest
		full := delegation.Guest{Honorific: g.Honorific, GivenName: g.GivenName, FamilyName: g.FamilyName, PrintedName: g.PrintedName}
		out.Guest = checkin.Guest{ID: res.Arrival.GuestID, Name: full.DisplayName(), Honorific: g.Honorific, DelegationID: g.DelegationID, VIP: g.VIP}
	}
	return out, nil
}

// AddCompanion implements checkin.Attendance.
func (a checkinAttendance) AddCompanion(ctx context.Context, invitationID, ceremonyID, userID int64) (checkin.Attendee, bool, error) {
	r, ok, err := a.store.AddCompanion(ctx, invitationID, ceremonyID, userID)
	return attendee(r), ok, notFoundAs(err)
}

// Undo implements checkin.Attendance.
func (a checkinAttendance) Undo(ctx context.Context, invitationID, ceremonyID, userID int64, window time.Duration) (bool, error) {
	return a.store.UndoCheckIn(ctx, invitationID, ceremonyID, userID, window)
}

// Recent implements checkin.Attendance.
func (a checkinAttendance) Recent(ctx context.Context, ceremonyID int64, gateID *int64, limit int) ([]checkin.Entry, error) {
	rows, err := a.store.RecentAtGate(ctx, ceremonyID, gateID, limit)
	if err != nil {
		return nil, err
	}
	out := make([]checkin.Entry, len(rows))
	for i, r := range rows {
		if w := r.WalkIn; w != nil {
			out[i].WalkIn = &checkin.WalkIn{ID: w.ID, CeremonyID: w.CeremonyID, GateID: w.GateID, Name: w.Name,
				Organisation: w.Organisation, Reason: w.Reason, By: w.CheckedInBy, At: w.At}
			continue
		}
		out[i].Attendee = attendee(r.Arrival)
	}
	return out, nil
}

// Invited implements checkin.Attendance.
func (a checkinAttendance) Invited(ctx context.Context, ceremonyID int64, guestIDs []int64) ([]checkin.Attendee, error) {
	rows, err := a.store.InvitedAmong(ctx, ceremonyID, guestIDs, 50)
	return attendees(rows), err
}

// Attendee implements checkin.Attendance.
func (a checkinAttendance) Attendee(ctx context.Context, invitationID, ceremonyID int64) (checkin.Attendee, error) {
	r, err := a.store.GateArrival(ctx, invitationID, ceremonyID)
	return attendee(r), notFoundAs(err)
}

// checkinWalkIns serves checkin.WalkIns from the invitation store, which
// keeps walk-ins beside the check-ins.
type checkinWalkIns struct{ store *invitation.Store }

// Record implements checkin.WalkIns.
func (a checkinWalkIns) Record(ctx context.Context, w *checkin.WalkIn) error {
	row := invitation.WalkIn{CeremonyID: w.CeremonyID, GateID: w.GateID, Name: w.Name, Organisation: w.Organisation, Reason: w.Reason, CheckedInBy: w.By}
	if err := a.store.RecordWalkIn(ctx, &row); err != nil {
		return notFoundAs(err)
	}
	w.ID, w.At = row.ID, row.At
	return nil
}

// checkinDirectory serves checkin.Directory from the delegation and user
// stores.
type checkinDirectory struct {
	guests *delegation.Store
	users  *auth.Store
}

// Guests implements checkin.Directory.
func (a checkinDirectory) Guests(ctx context.Context, ids []int64) (map[int64]checkin.Guest, error) {
	rows, err := a.guests.GuestRows(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]checkin.Guest, len(rows))
	for _, r := range rows {
		g := guestInfo(r)
		out[r.ID] = checkin.Guest{ID: r.ID, Name: g.Name, Honorific: r.Honorific, Delegation: r.DelegationName, VIP: r.VIP}
	}
	return out, nil
}

// Search implements checkin.Directory with the directory's folded search.
func (a checkinDirectory) Search(ctx context.Context, text string) ([]int64, error) {
	return a.guests.MatchingGuestIDs(ctx, delegation.GuestQuery{Text: text})
}

// DelegationNames implements checkin.Directory, with one query.
func (a checkinDirectory) DelegationNames(ctx context.Context) (map[int64]string, error) {
	return a.guests.DelegationNames(ctx)
}

// UserNames implements checkin.Directory, with one query for all ids
// (auth.Store.Names).
func (a checkinDirectory) UserNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	return a.users.Names(ctx, ids)
}
