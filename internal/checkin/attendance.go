package checkin

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/delegation"
	"vigil/internal/view"
)

// The attendance report, after the day: for each ceremony of an edition,
// the guests who accepted against those who came, in all, by kind of
// delegation and by delegation (in order of precedence); the accepted
// guests who did not come; the walk-ins. On screen, on paper (A4) and as
// CSV or XLSX (attendance_export.go).
//
// What counts (the invitation store computes it, see
// internal/invitation/attendance_store.go): expected = accepted answers;
// attended = accepted answers checked in; the rate is attended / accepted.
// Companions are counted apart, accepted against checked in. A guest let
// in without an accepted answer (declined, not answered) is counted apart
// as "came without an accepted answer" and does not lift the rate; a
// walk-in, who had no invitation at all, is listed apart.

// Template of the report; the page and its print view are one file.
const tmplAttendance = "checkin/attendance"

// attendanceViews are the templates of the attendance report.
var attendanceViews = []string{tmplAttendance}

// AttendanceCeremony is a ceremony of the reported edition.
type AttendanceCeremony struct {
	ID       int64
	Title    string
	StartsAt time.Time
	Status   string
}

// AttendanceEdition is the edition reported on, with its ceremonies in
// order of time.
type AttendanceEdition struct {
	ID   int64
	Year int
	// Name is the commemoration's name.
	Name string
	// Location is the commemoration's time zone.
	Location   *time.Location
	Ceremonies []AttendanceCeremony
}

// AttendanceCount is one delegation's answers to one ceremony
// (DelegationID nil: the guests without a delegation).
type AttendanceCount struct {
	CeremonyID   int64
	DelegationID *int64
	Delegation   string
	Kind         string
	// Accepted guests, and how many of them were checked in.
	Accepted int
	Attended int
	// Companions accepted, and how many were checked in.
	Companions   int
	CompanionsIn int
	// Unaccepted guests were checked in without an accepted answer.
	Unaccepted int
}

// AttendanceNoShow is a guest who accepted and did not come.
type AttendanceNoShow struct {
	CeremonyID int64
	// Name is the name as printed, with the honorific.
	Name         string
	VIP          bool
	DelegationID *int64
	Delegation   string
	Companions   int
}

// AttendanceWalkIn is a person let in without an invitation.
type AttendanceWalkIn struct {
	CeremonyID   int64
	Name         string
	Organisation string
	Reason       string
	Gate         string
	At           time.Time
}

// AttendanceReport reads what the report needs; the app implements it
// over the ceremony and invitation stores
// (internal/app/checkin_attendance.go). An edition that does not exist is
// ErrNotFound.
type AttendanceReport interface {
	AttendanceEdition(ctx context.Context, year int) (AttendanceEdition, error)
	// AttendanceCounts are in order of ceremony, then of precedence
	// (guests without a delegation last).
	AttendanceCounts(ctx context.Context, editionID int64) ([]AttendanceCount, error)
	// AttendanceNoShows are in order of ceremony, then of precedence,
	// then by family name in locale's collation.
	AttendanceNoShows(ctx context.Context, editionID int64, locale string) ([]AttendanceNoShow, error)
	AttendanceWalkIns(ctx context.Context, editionID int64) ([]AttendanceWalkIn, error)
}

// WithAttendance gives the handler what the attendance report needs.
func (h *Handler) WithAttendance(r AttendanceReport) *Handler {
	h.attendance = r
	return h
}

// attendanceTally is accepted against attended, for a ceremony or a group
// of its guests.
type attendanceTally struct {
	Accepted, Attended, Companions, CompanionsIn, Unaccepted int
}

func (t *attendanceTally) add(c AttendanceCount) {
	t.Accepted += c.Accepted
	t.Attended += c.Attended
	t.Companions += c.Companions
	t.CompanionsIn += c.CompanionsIn
	t.Unaccepted += c.Unaccepted
}

// rate is the share of the accepted guests who came, in whole percent
// rounded half up; ok is false when nobody accepted.
func (t attendanceTally) rate() (pct int, ok bool) {
	if t.Accepted == 0 {
		return 0, false
	}
	return (t.Attended*200 + t.Accepted) / (2 * t.Accepted), true
}

// attendanceGroup is a kind of delegation or a delegation, with its tally.
type attendanceGroup struct {
	// Kind is the kind of delegation ("" for the guests without one).
	Kind string
	// DelegationID is nil for the guests without a delegation and for
	// kind groups.
	DelegationID *int64
	Delegation   string
	attendanceTally
}

// attendanceSection is one ceremony of the report, in no language yet.
type attendanceSection struct {
	Ceremony    AttendanceCeremony
	Total       attendanceTally
	Kinds       []attendanceGroup
	Delegations []attendanceGroup
	NoShows     []AttendanceNoShow
	WalkIns     []AttendanceWalkIn
}

// attendanceReport reads the edition of year and adds its answers up.
func (h *Handler) attendanceReport(ctx context.Context, year int, locale string) (AttendanceEdition, []attendanceSection, error) {
	ed, err := h.attendance.AttendanceEdition(ctx, year)
	if err != nil {
		return AttendanceEdition{}, nil, err
	}
	counts, err := h.attendance.AttendanceCounts(ctx, ed.ID)
	if err != nil {
		return AttendanceEdition{}, nil, fmt.Errorf("checkin: attendance counts: %w", err)
	}
	noShows, err := h.attendance.AttendanceNoShows(ctx, ed.ID, locale)
	if err != nil {
		return AttendanceEdition{}, nil, fmt.Errorf("checkin: no-shows: %w", err)
	}
	walkIns, err := h.attendance.AttendanceWalkIns(ctx, ed.ID)
	if err != nil {
		return AttendanceEdition{}, nil, fmt.Errorf("checkin: walk-ins: %w", err)
	}
	return ed, tallyAttendance(ed, counts, noShows, walkIns), nil
}

// tallyAttendance sorts the rows into one section per ceremony: the
// delegations keep the order the store gives (precedence), the kinds
// follow the order of precedence of delegation.Kinds, and the guests
// without a delegation come last in both.
func tallyAttendance(ed AttendanceEdition, counts []AttendanceCount, noShows []AttendanceNoShow, walkIns []AttendanceWalkIn) []attendanceSection {
	out := make([]attendanceSection, len(ed.Ceremonies))
	at := make(map[int64]*attendanceSection, len(ed.Ceremonies))
	for i, c := range ed.Ceremonies {
		out[i].Ceremony = c
		at[c.ID] = &out[i]
	}
	kinds := map[int64]map[string]*attendanceTally{}
	for _, c := range counts {
		s := at[c.CeremonyID]
		if s == nil {
			continue // a ceremony of another edition: not this report's
		}
		s.Total.add(c)
		g := attendanceGroup{Kind: c.Kind, DelegationID: c.DelegationID, Delegation: c.Delegation}
		g.add(c)
		s.Delegations = append(s.Delegations, g)
		if kinds[c.CeremonyID] == nil {
			kinds[c.CeremonyID] = map[string]*attendanceTally{}
		}
		k := kinds[c.CeremonyID][c.Kind]
		if k == nil {
			k = &attendanceTally{}
			kinds[c.CeremonyID][c.Kind] = k
		}
		k.add(c)
	}
	for i := range out {
		byKind := kinds[out[i].Ceremony.ID]
		for _, k := range append(slices.Clone(delegation.Kinds), "") {
			if t := byKind[k]; t != nil {
				out[i].Kinds = append(out[i].Kinds, attendanceGroup{Kind: k, attendanceTally: *t})
			}
		}
	}
	for _, n := range noShows {
		if s := at[n.CeremonyID]; s != nil {
			s.NoShows = append(s.NoShows, n)
		}
	}
	for _, w := range walkIns {
		if s := at[w.CeremonyID]; s != nil {
			s.WalkIns = append(s.WalkIns, w)
		}
	}
	return out
}

// The page -------------------------------------------------------------------------

// attendanceLine is a tally as the page shows it.
type attendanceLine struct {
	Label string
	// Key identifies the line for tests and styles: "total", a kind, or
	// a delegation id ("none" for the guests without one).
	Key                                                      string
	None                                                     bool
	Accepted, Attended, Companions, CompanionsIn, Unaccepted int
	Rate                                                     string
}

type attendanceNoShowLine struct {
	Name       string
	VIP        bool
	Delegation string
	Companions int
}

type attendanceWalkInLine struct {
	Name, Organisation, Reason, Gate, At string
}

type attendanceCeremonyView struct {
	ID          int64
	Title       string
	When        string
	Cancelled   bool
	Total       attendanceLine
	Kinds       []attendanceLine
	Delegations []attendanceLine
	NoShows     []attendanceNoShowLine
	WalkIns     []attendanceWalkInLine
}

type attendanceData struct {
	Year       int
	Name       string
	Base       string
	Print      bool
	BodyClass  string
	Meta       string
	Printed    string
	Ceremonies []attendanceCeremonyView
}

// pathAttendance reads :year and that edition's report, for the page,
// its print and the exports: anything but a plausible year, an edition
// that does not exist, or attendance not wired, is a 404.
func (h *Handler) pathAttendance(c echo.Context) (int, AttendanceEdition, []attendanceSection, error) {
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil || year < 1900 || year > 2200 {
		return 0, AttendanceEdition{}, nil, echo.NewHTTPError(http.StatusNotFound)
	}
	if h.attendance == nil {
		return 0, AttendanceEdition{}, nil, echo.NewHTTPError(http.StatusNotFound)
	}
	ed, sections, err := h.attendanceReport(c.Request().Context(), year, view.Locale(c))
	if err != nil {
		return 0, AttendanceEdition{}, nil, notFound(err)
	}
	return year, ed, sections, nil
}

// EditionAttendance serves GET /editions/:year/attendance.
func (h *Handler) EditionAttendance(c echo.Context) error { return h.renderAttendance(c, false) }

// EditionAttendancePrint serves GET /editions/:year/attendance/print: the same
// report for paper, A4 portrait unless ?letter=1 or ?landscape=1.
func (h *Handler) EditionAttendancePrint(c echo.Context) error { return h.renderAttendance(c, true) }

func (h *Handler) renderAttendance(c echo.Context, print bool) error {
	year, ed, sections, err := h.pathAttendance(c)
	if err != nil {
		return err
	}
	p := h.View.Page(c, "checkin.attendance.title", "Year", year)
	p.Nav = "checkin"
	p.Zone = ed.Location
	d := attendanceData{Year: year, Name: ed.Name, Base: "/editions/" + strconv.Itoa(year), Print: print}
	if print {
		d.BodyClass = printClasses(c)
		d.Meta = ed.Name + " · " + p.T("checkin.attendance.heading")
		d.Printed = p.T("checkin.attendance.printed", "When", p.Date(time.Now()))
	}
	for _, s := range sections {
		v := attendanceCeremonyView{
			ID: s.Ceremony.ID, Title: s.Ceremony.Title, Cancelled: s.Ceremony.Status == "cancelled",
			When:  p.LongDay(s.Ceremony.StartsAt) + ", " + p.Clock(s.Ceremony.StartsAt),
			Total: attendanceLineOf(p, "total", p.T("checkin.attendance.total"), false, s.Total),
		}
		for _, k := range s.Kinds {
			if k.Kind == "" {
				v.Kinds = append(v.Kinds, attendanceLineOf(p, "none", p.T("checkin.attendance.no_delegation"), true, k.attendanceTally))
				continue
			}
			v.Kinds = append(v.Kinds, attendanceLineOf(p, k.Kind, p.T("delegation.kind."+k.Kind), false, k.attendanceTally))
		}
		for _, g := range s.Delegations {
			if g.DelegationID == nil {
				v.Delegations = append(v.Delegations, attendanceLineOf(p, "none", p.T("checkin.attendance.no_delegation"), true, g.attendanceTally))
				continue
			}
			v.Delegations = append(v.Delegations, attendanceLineOf(p, strconv.FormatInt(*g.DelegationID, 10), g.Delegation, false, g.attendanceTally))
		}
		for _, n := range s.NoShows {
			del := n.Delegation
			if n.DelegationID == nil {
				del = p.T("checkin.attendance.no_delegation")
			}
			v.NoShows = append(v.NoShows, attendanceNoShowLine{Name: n.Name, VIP: n.VIP, Delegation: del, Companions: n.Companions})
		}
		for _, w := range s.WalkIns {
			v.WalkIns = append(v.WalkIns, attendanceWalkInLine{Name: w.Name, Organisation: w.Organisation, Reason: w.Reason, Gate: w.Gate, At: p.Clock(w.At)})
		}
		d.Ceremonies = append(d.Ceremonies, v)
	}
	p.Data = d
	return h.View.Render(c, http.StatusOK, tmplAttendance, p)
}

// printClasses picks the paper from the query: print-letter,
// print-landscape (print.css), A4 portrait when neither.
func printClasses(c echo.Context) string {
	classes := ""
	if c.QueryParam("letter") == "1" {
		classes = "print-letter"
	}
	if c.QueryParam("landscape") == "1" {
		if classes != "" {
			classes += " "
		}
		classes += "print-landscape"
	}
	return classes
}

func attendanceLineOf(p *view.Page, key, label string, none bool, t attendanceTally) attendanceLine {
	l := attendanceLine{
		Label: label, Key: key, None: none, Accepted: t.Accepted, Attended: t.Attended,
		Companions: t.Companions, CompanionsIn: t.CompanionsIn, Unaccepted: t.Unaccepted,
		Rate: p.T("checkin.attendance.no_rate"),
	}
	if pct, ok := t.rate(); ok {
		l.Rate = p.T("checkin.attendance.rate", "Percent", pct)
	}
	return l
}
