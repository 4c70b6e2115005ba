package checkin

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

// The attendance report as a spreadsheet: one sheet, one line per tally
// (the ceremony's total, each kind of delegation, each delegation), per
// guest who did not come and per walk-in, the section named in a column
// so that a filter in the spreadsheet separates them. Every cell goes
// through the sheet package's writers, which neutralise formula
// injection; the report is a few hundred lines at most, so it is built
// before the first byte is sent and a failure still gets an error page.

// EditionAttendanceCSV serves GET /editions/:year/attendance.csv.
func (h *Handler) EditionAttendanceCSV(c echo.Context) error { return h.exportAttendance(c, "csv") }

// EditionAttendanceXLSX serves GET /editions/:year/attendance.xlsx.
func (h *Handler) EditionAttendanceXLSX(c echo.Context) error { return h.exportAttendance(c, "xlsx") }

func (h *Handler) exportAttendance(c echo.Context, ext string) error {
	year, ed, sections, err := h.pathAttendance(c)
	if err != nil {
		return err
	}
	p := h.View.Page(c, "checkin.attendance.heading")
	p.Zone = ed.Location
	rows := attendanceRows(p, sections)
	return sendSheet(c, "attendance", ext, "attendance-"+strconv.Itoa(year)+"."+ext, "Attendance", func(w sheetWriter) error {
		for _, r := range rows {
			if err := w.Write(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// Columns of the export.
const (
	attColCeremony = iota
	attColDate
	attColSection
	attColKind
	attColDelegation
	attColName
	attColAccepted
	attColAttended
	attColRate
	attColCompanions
	attColCompanionsIn
	attColUnaccepted
	attColOrganisation
	attColReason
	attColGate
	attColTime
	attColumns
)

// attendanceRows is the report as spreadsheet lines, header first.
func attendanceRows(p *view.Page, sections []attendanceSection) [][]string {
	header := make([]string, attColumns)
	for i, k := range []string{"ceremony", "date", "section", "kind", "delegation", "name", "accepted", "attended", "rate",
		"companions", "companions_in", "unaccepted", "organisation", "reason", "gate", "time"} {
		header[i] = p.T("checkin.attendance.col." + k)
	}
	out := [][]string{header}
	noDelegation := p.T("checkin.attendance.no_delegation")
	kindLabel := func(k string) string {
		if k == "" {
			return noDelegation
		}
		return p.T("delegation.kind." + k)
	}
	for _, s := range sections {
		date := s.Ceremony.StartsAt.In(p.Zone).Format("2006-01-02 15:04")
		line := func(section string) []string {
			r := make([]string, attColumns)
			r[attColCeremony], r[attColDate], r[attColSection] = s.Ceremony.Title, date, p.T("checkin.attendance.section."+section)
			return r
		}
		tally := func(r []string, t attendanceTally) []string {
			r[attColAccepted], r[attColAttended] = strconv.Itoa(t.Accepted), strconv.Itoa(t.Attended)
			if pct, ok := t.rate(); ok {
				r[attColRate] = strconv.Itoa(pct)
			}
			r[attColCompanions], r[attColCompanionsIn] = strconv.Itoa(t.Companions), strconv.Itoa(t.CompanionsIn)
			r[attColUnaccepted] = strconv.Itoa(t.Unaccepted)
			return r
		}
		out = append(out, tally(line("total"), s.Total))
		for _, k := range s.Kinds {
			r := line("kind")
			r[attColKind] = kindLabel(k.Kind)
			out = append(out, tally(r, k.attendanceTally))
		}
		for _, g := range s.Delegations {
			r := line("delegation")
			r[attColKind] = kindLabel(g.Kind)
			r[attColDelegation] = g.Delegation
			if g.DelegationID == nil {
				r[attColDelegation] = noDelegation
			}
			out = append(out, tally(r, g.attendanceTally))
		}
		for _, n := range s.NoShows {
			r := line("no_show")
			r[attColDelegation], r[attColName] = n.Delegation, n.Name
			if n.DelegationID == nil {
				r[attColDelegation] = noDelegation
			}
			r[attColAccepted], r[attColAttended], r[attColCompanions] = "1", "0", strconv.Itoa(n.Companions)
			if n.VIP {
				r[attColName] += " (" + p.T("checkin.attendance.vip") + ")"
			}
			out = append(out, r)
		}
		for _, w := range s.WalkIns {
			r := line("walk_in")
			r[attColName], r[attColOrganisation], r[attColReason], r[attColGate] = w.Name, w.Organisation, w.Reason, w.Gate
			r[attColTime] = w.At.In(p.Zone).Format("2006-01-02 15:04")
			r[attColAttended] = "1"
			out = append(out, r)
		}
	}
	return out
}
