package delegation

import (
	"cmp"
	"context"
	"slices"
	"time"

	"vigil/internal/view"
)

// A guest's page shows the guest's history by edition: the lines the
// history sources give (delegations headed, invitations and answers), and,
// from a source that also knows attendance, each ceremony the guest was
// invited to with the answer and whether the guest came. The attendance
// report of the check-in package feeds it: both read the same check-ins.

// GuestCeremony is a guest's answer to one ceremony and whether the guest
// came.
type GuestCeremony struct {
	Title string
	// StartsAt is in the commemoration's time zone.
	StartsAt time.Time
	// Status is the answer: pending, accepted, declined or waitlisted.
	Status     string
	Companions int
	// Attended: the guest was checked in.
	Attended bool
	// CompanionsIn is how many companions were checked in.
	CompanionsIn int
}

// GuestEdition is what a guest was invited to in one edition.
type GuestEdition struct {
	Year int
	// Link goes to the invitation.
	Link       string
	Ceremonies []GuestCeremony
}

// GuestAttendance tells, for each edition a guest was invited to (newest
// first), the answer to each ceremony and whether the guest came. A
// HistorySource registered with WithHistory that also implements it adds
// this table to the guest's page (the app's invitation history does), so
// the one registration feeds both.
type GuestAttendance interface {
	GuestAttendance(ctx context.Context, guestID int64) ([]GuestEdition, error)
}

// guestCeremonyLine is a ceremony as the guest's page shows it.
type guestCeremonyLine struct {
	Title  string
	Day    string
	Answer string
	// Came is "attended", "absent" (accepted, did not come), or ""
	// when the guest was not expected and did not come.
	Came         string
	Companions   int
	CompanionsIn int
}

// guestYear is one edition of the guest's history.
type guestYear struct {
	Year       int
	Rows       []HistoryRow
	Link       string
	Ceremonies []guestCeremonyLine
}

// guestYears is the guest's history by edition, newest first.
func (h *Handler) guestYears(ctx context.Context, p *view.Page, id int64) ([]guestYear, error) {
	rows, err := h.guestHistory(ctx, p.T, id)
	if err != nil {
		return nil, err
	}
	byYear := map[int]*guestYear{}
	var out []*guestYear
	year := func(y int) *guestYear {
		if byYear[y] == nil {
			byYear[y] = &guestYear{Year: y}
			out = append(out, byYear[y])
		}
		return byYear[y]
	}
	for _, r := range rows {
		y := year(r.Year)
		y.Rows = append(y.Rows, r)
	}
	for _, src := range h.history {
		a, ok := src.(GuestAttendance)
		if !ok {
			continue
		}
		eds, err := a.GuestAttendance(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, e := range eds {
			y := year(e.Year)
			y.Link = e.Link
			for _, c := range e.Ceremonies {
				y.Ceremonies = append(y.Ceremonies, guestCeremonyLineOf(p, c))
			}
		}
	}
	slices.SortStableFunc(out, func(a, b *guestYear) int { return cmp.Compare(b.Year, a.Year) })
	years := make([]guestYear, len(out))
	for i, y := range out {
		years[i] = *y
	}
	return years, nil
}

func guestCeremonyLineOf(p *view.Page, c GuestCeremony) guestCeremonyLine {
	l := guestCeremonyLine{
		Title: c.Title, Day: p.Day(c.StartsAt), Answer: p.T("guest.attendance.answer." + c.Status),
		Companions: c.Companions, CompanionsIn: c.CompanionsIn,
	}
	switch {
	case c.Attended:
		l.Came = "attended"
	case c.Status == "accepted":
		l.Came = "absent"
	}
	return l
}
