package app

import (
	"context"
	"errors"
	"strconv"
	"time"

	"gorm.io/gorm"

	"vigil/internal/auth"
	"vigil/internal/ceremony"
	"vigil/internal/delegation"
	"vigil/internal/invitation"
)

// invitationHistory tells the guest directory what invitations know of a
// guest (delegation.HistorySource) and moves them when two guests are
// merged (delegation.GuestMover).
type invitationHistory struct {
	store    *invitation.Store
	editions *ceremony.Store
}

// GuestHistory implements delegation.HistorySource: per edition the guest
// was invited to, a line for the invitation, the answers, and the
// attendance.
func (a invitationHistory) GuestHistory(ctx context.Context, guestID int64, t delegation.Translate) ([]delegation.HistoryRow, error) {
	invs, err := a.store.GuestInvitations(ctx, guestID)
	if err != nil {
		return nil, err
	}
	var out []delegation.HistoryRow
	for _, inv := range invs {
		link := "/editions/" + strconv.Itoa(inv.Year) + "/invitations/" + strconv.FormatInt(inv.ID, 10)
		row := func(text string) {
			out = append(out, delegation.HistoryRow{Year: inv.Year, Text: text, Link: link})
		}
		row(t("invitation.past.invited", "Count", inv.Ceremonies))
		if inv.RespondedAt == nil {
			row(t("invitation.past.not_answered"))
		} else {
			row(t("invitation.past.answered", "Accepted", inv.Accepted, "Declined", inv.Declined, "Waitlisted", inv.Waitlisted))
		}
		// Whether the guest came is told per ceremony by GuestAttendance
		// below, in the page's table.
	}
	return out, nil
}

// GuestAttendance implements delegation.GuestAttendance: per edition the
// guest was invited to, each ceremony's answer and whether the guest was
// checked in, read in one query; times in the commemoration's time zone.
func (a invitationHistory) GuestAttendance(ctx context.Context, guestID int64) ([]delegation.GuestEdition, error) {
	rows, err := a.store.GuestAttendance(ctx, guestID)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	loc := time.UTC
	cm, err := a.editions.Current(ctx)
	switch {
	case err == nil:
		if loc, err = cm.Location(); err != nil {
			return nil, err
		}
	case !errors.Is(err, ceremony.ErrNotFound):
		return nil, err
	}
	var out []delegation.GuestEdition
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].Year != r.Year {
			out = append(out, delegation.GuestEdition{
				Year: r.Year, Link: "/editions/" + strconv.Itoa(r.Year) + "/invitations/" + strconv.FormatInt(r.InvitationID, 10),
			})
		}
		e := &out[len(out)-1]
		e.Ceremonies = append(e.Ceremonies, delegation.GuestCeremony{
			Title: r.Title, StartsAt: r.StartsAt.In(loc), Status: r.Status, Companions: r.Companions,
			Attended: r.CheckedInAt != nil, CompanionsIn: r.CompanionsCheckedIn,
		})
	}
	return out, nil
}

// MoveGuest implements delegation.GuestMover inside the merge's
// transaction.
func (a invitationHistory) MoveGuest(ctx context.Context, tx *gorm.DB, from, to int64) error {
	return a.store.MoveGuest(ctx, tx, from, to)
}

// invitationOffice serves invitation.Office: delegations from the
// directory, user names from the accounts, the current edition from the
// ceremony store, reminders from the mail service.
type invitationOffice struct {
	delegations *delegation.Store
	users       *auth.Store
	ceremonies  *ceremony.Store
	reminders   interface {
		RemindNow(ctx context.Context, invitationIDs []int64) (int, error)
	}
	now func() time.Time
}

// Delegations implements invitation.Office.
func (a invitationOffice) Delegations(ctx context.Context) ([]invitation.DelegationRef, error) {
	ds, err := a.delegations.AllDelegations(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]invitation.DelegationRef, len(ds))
	for i, d := range ds {
		out[i] = invitation.DelegationRef{ID: d.ID, Name: d.Name, Kind: d.Kind}
	}
	return out, nil
}

// UserNames implements invitation.Office, with one query for all ids
// (auth.Store.Names): a list names several users at once.
func (a invitationOffice) UserNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	return a.users.Names(ctx, ids)
}

// CurrentYear implements invitation.Office: the edition the dashboard
// shows.
func (a invitationOffice) CurrentYear(ctx context.Context) (int, error) {
	cm, err := a.ceremonies.Current(ctx)
	if errors.Is(err, ceremony.ErrNotFound) {
		return 0, invitation.ErrNotFound
	}
	if err != nil {
		return 0, err
	}
	e, err := a.ceremonies.CurrentEdition(ctx, cm.ID, a.now().Year())
	if errors.Is(err, ceremony.ErrNotFound) {
		return 0, invitation.ErrNotFound
	}
	if err != nil {
		return 0, err
	}
	return e.Year, nil
}

// RemindNow implements invitation.Office through the mail service.
func (a invitationOffice) RemindNow(ctx context.Context, ids []int64) (int, error) {
	return a.reminders.RemindNow(ctx, ids)
}
