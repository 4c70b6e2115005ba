package app

import (
	"context"
	"errors"

	"vigil/internal/ceremony"
	"vigil/internal/checkin"
	"vigil/internal/delegation"
	"vigil/internal/invitation"
)

// checkinAttendanceReport serves checkin.AttendanceReport: the edition and
// its ceremonies from the ceremony store, the answers and walk-ins from the
// invitation store, which counts them in SQL.
type checkinAttendanceReport struct {
	ceremonies  *ceremony.Store
	invitations *invitation.Store
}

// AttendanceEdition implements checkin.AttendanceReport: the current
// commemoration's edition of year.
func (a checkinAttendanceReport) AttendanceEdition(ctx context.Context, year int) (checkin.AttendanceEdition, error) {
	cm, err := a.ceremonies.Current(ctx)
	if errors.Is(err, ceremony.ErrNotFound) {
		return checkin.AttendanceEdition{}, checkin.ErrNotFound
	}
	if err != nil {
		return checkin.AttendanceEdition{}, err
	}
	loc, err := cm.Location()
	if err != nil {
		return checkin.AttendanceEdition{}, err
	}
	ed, err := a.ceremonies.EditionByYear(ctx, cm.ID, year)
	if errors.Is(err, ceremony.ErrNotFound) {
		return checkin.AttendanceEdition{}, checkin.ErrNotFound
	}
	if err != nil {
		return checkin.AttendanceEdition{}, err
	}
	cs, err := a.ceremonies.CeremonyList(ctx, ed.ID)
	if err != nil {
		return checkin.AttendanceEdition{}, err
	}
	out := checkin.AttendanceEdition{ID: ed.ID, Year: ed.Year, Name: cm.Name, Location: loc}
	for _, c := range cs {
		out.Ceremonies = append(out.Ceremonies, checkin.AttendanceCeremony{ID: c.ID, Title: c.Title, StartsAt: c.StartsAt, Status: c.Status})
	}
	return out, nil
}

// AttendanceCounts implements checkin.AttendanceReport.
func (a checkinAttendanceReport) AttendanceCounts(ctx context.Context, editionID int64) ([]checkin.AttendanceCount, error) {
	rows, err := a.invitations.AttendanceCounts(ctx, editionID)
	if err != nil {
		return nil, err
	}
	out := make([]checkin.AttendanceCount, len(rows))
	for i, r := range rows {
		out[i] = checkin.AttendanceCount{
			CeremonyID: r.CeremonyID, DelegationID: r.DelegationID, Delegation: r.Delegation, Kind: r.Kind,
			Accepted: r.Accepted, Attended: r.Attended, Companions: r.Companions, CompanionsIn: r.CompanionsIn,
			Unaccepted: r.Unaccepted,
		}
	}
	return out, nil
}

// AttendanceNoShows implements checkin.AttendanceReport.
func (a checkinAttendanceReport) AttendanceNoShows(ctx context.Context, editionID int64, locale string) ([]checkin.AttendanceNoShow, error) {
	rows, err := a.invitations.AttendanceNoShows(ctx, editionID, locale)
	if err != nil {
		return nil, err
	}
	out := make([]checkin.AttendanceNoShow, len(rows))
	for i, r := range rows {
		g := delegation.Guest{Honorific: r.Honorific, GivenName: r.GivenName, FamilyName: r.FamilyName, PrintedName: r.PrintedName}
		out[i] = checkin.AttendanceNoShow{
			CeremonyID: r.CeremonyID, Name: g.DisplayName(), VIP: r.VIP, DelegationID: r.DelegationID,
			Delegation: r.Delegation, Companions: r.Companions,
		}
	}
	return out, nil
}

// AttendanceWalkIns implements checkin.AttendanceReport.
func (a checkinAttendanceReport) AttendanceWalkIns(ctx context.Context, editionID int64) ([]checkin.AttendanceWalkIn, error) {
	rows, err := a.invitations.AttendanceWalkIns(ctx, editionID)
	if err != nil {
		return nil, err
	}
	out := make([]checkin.AttendanceWalkIn, len(rows))
	for i, r := range rows {
		out[i] = checkin.AttendanceWalkIn{
			CeremonyID: r.CeremonyID, Name: r.Name, Organisation: r.Organisation, Reason: r.Reason, Gate: r.Gate, At: r.At,
		}
	}
	return out, nil
}
