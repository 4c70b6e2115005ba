package invitation

import (
	"time"

	"vigil/internal/view"
)

// The printed invitation list writes each answer's date short ("26 Nov,
// 12:31"): the long form the screen uses ("26 November 2026, 12:31 (Baku
// time)") wrapped the answered cell onto four lines and let only ten
// guests onto a page of A4. The zone, and the year when every answer
// shares one, are said once in the column's header instead.

// printRow is a row of the printed list: the list's row with its answer's
// date written short. Row is a named field, not an embedded one: the
// template reaching a field through an embedded struct costs a
// reflect.FieldByNameFunc, with its allocations, per cell.
type printRow struct {
	Row        *invitationRow
	AnsweredOn string
}

// printData is the print view's data: the list's, with rows of printRow.
type printData struct {
	*invitationsData
	// Printed are the rows to print (the list's Rows, dates short).
	Printed []printRow
	// AnsweredYear is the year every answer was given in, or 0 when the
	// answers span years (each date then carries its year) or there are none.
	AnsweredYear int
	// Zone names the time zone of the dates: "(Baku time)".
	Zone string
}

// newPrintData turns the list's data into the print view's. p.Zone is the
// edition's zone (listRows sets it).
func newPrintData(p *view.Page, d *invitationsData) *printData {
	pd := &printData{invitationsData: d, Printed: make([]printRow, len(d.Rows)), Zone: p.ZoneLabel()}
	zone := p.Zone
	if zone == nil {
		zone = time.UTC
	}
	year, oneYear := 0, true
	for _, r := range d.Rows {
		if !r.Answered {
			continue
		}
		y := r.RespondedAt.In(zone).Year()
		if year != 0 && y != year {
			oneYear = false
		}
		year = y
	}
	if oneYear {
		pd.AnsweredYear = year
	}
	for i := range d.Rows {
		r := &d.Rows[i]
		pd.Printed[i].Row = r
		if r.Answered {
			t := r.RespondedAt.In(zone)
			pd.Printed[i].AnsweredOn = p.ShortDay(t, !oneYear) + ", " + t.Format("15:04")
		}
	}
	return pd
}
