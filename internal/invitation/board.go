package invitation

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

// The RSVP board: per ceremony, by kind and by delegation, the answers
// over time, and who has not answered.

type boardCeremony struct {
	ID       int64
	Title    string
	When     string
	Capacity int
	Limited  bool
	Free     int
	Full     bool
	Tally
}

type boardGroup struct {
	ID     int64
	Label  string
	Guests int
	Tally
}

type chartPoint struct {
	X, Y float64
}

// boardChart is the response rate over time drawn as SVG.
type boardChart struct {
	Width, Height     int
	Left, Right       int
	Top, Bottom       int
	Points            string
	Dots              []chartPoint
	Grid              []chartGrid
	FirstDay, LastDay string
	Rows              []chartRow
	Answered, Invited int
	Percent           int
	// PlotRight, LabelX and BaseY place the axis and its labels.
	PlotRight, LabelX, BaseY int
}

type chartGrid struct {
	Y     float64
	Label string
}

type chartRow struct {
	Day        string
	Answers    int
	Cumulative int
	Percent    int
}

type waitingRow struct {
	ID         int64
	Name       string
	Delegation string
}

type boardData struct {
	Year        int
	Name        string
	Ceremonies  []boardCeremony
	Kinds       []boardGroup
	Delegations []boardGroup
	Total       boardGroup
	Chart       boardChart
	Waiting     []waitingRow
	WaitingAll  int
}

// waitingShown bounds the names listed as not answered on the board; the
// list page has them all.
const waitingShown = 25

// Board shows GET /editions/:year/rsvp: the edition's RSVP board.
func (h *Handler) Board(c echo.Context) error {
	ed, err := h.editionOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := h.View.Page(c, "board.title", "Year", ed.Year)
	p.Nav = "editions"
	p.Zone = ed.Location
	d := boardData{Year: ed.Year, Name: ed.Name}

	cs, err := h.Ceremonies.Ceremonies(ctx, ed.ID)
	if err != nil {
		return err
	}
	byCeremony, err := h.Store.CeremonyTallies(ctx, ed.ID)
	if err != nil {
		return err
	}
	for _, ce := range cs {
		t, ok := byCeremony[ce.ID]
		if !ok && ce.Status == "cancelled" {
			continue
		}
		r := boardCeremony{ID: ce.ID, Title: ce.Title, When: p.LongDay(ce.StartsAt) + ", " + p.Clock(ce.StartsAt), Tally: t}
		if capacity, limited := seatLimit(ce); limited {
			r.Limited, r.Capacity = true, capacity
			r.Free = max(capacity-t.Seats, 0)
			r.Full = r.Free == 0
		}
		d.Ceremonies = append(d.Ceremonies, r)
	}

	byDelegation, err := h.Store.DelegationTallies(ctx, ed.ID)
	if err != nil {
		return err
	}
	d.Kinds, d.Delegations, d.Total = groups(p, byDelegation)

	progress, err := h.Store.AnswerProgress(ctx, ed.ID, ed.Location)
	if err != nil {
		return err
	}
	d.Chart = chart(p, progress)

	// The first names of the list's "not answered" filter, in its order;
	// the database counts and pages them.
	waiting := ListQuery{ListFilter: ListFilter{EditionID: ed.ID, Status: StatusUnanswered}, Locale: p.Locale}
	if d.WaitingAll, err = h.Store.CountListed(ctx, waiting); err != nil {
		return err
	}
	err = h.Store.EachListed(ctx, waiting, 0, waitingShown, func(r *ListedRow) error {
		d.Waiting = append(d.Waiting, waitingRow{ID: r.ID, Name: r.DisplayName(), Delegation: r.Delegation})
		return nil
	})
	if err != nil {
		return err
	}
	p.Data = d
	return h.View.Render(c, http.StatusOK, tmplBoard, p)
}

// seatLimit is a ceremony's capacity: as set, else the sum of its zones'
// capacities; limited is false when neither is set.
func seatLimit(ce CeremonyInfo) (int, bool) {
	if ce.Capacity != nil {
		return *ce.Capacity, true
	}
	sum := 0
	for _, z := range ce.Zones {
		sum += z.Capacity
	}
	return sum, sum > 0
}

// groups adds the delegations' tallies up by delegation kind and lists
// the delegations, in order of precedence (guests without a delegation
// last), with the total.
func groups(p *view.Page, byDelegation []DelegationTally) (kinds, delegations []boardGroup, total boardGroup) {
	type agg struct {
		g    boardGroup
		prec int
	}
	const last = int(^uint(0) >> 1)
	byKind := map[string]*agg{}
	var ds []*agg
	total.Label = p.T("board.total")
	for _, t := range byDelegation {
		total.Guests += t.Guests
		total.Tally.Add(t.Tally)
		key, label, prec := t.Kind, p.T("delegation.kind."+t.Kind), t.Precedence
		del := &agg{g: boardGroup{Label: t.Name, Guests: t.Guests, Tally: t.Tally}, prec: prec}
		if t.DelegationID == nil {
			key, label, prec = "", p.T("board.no_delegation"), last
			del.g.Label, del.prec = label, last
		} else {
			del.g.ID = *t.DelegationID
		}
		ds = append(ds, del)
		a := byKind[key]
		if a == nil {
			a = &agg{g: boardGroup{Label: label}, prec: prec}
			byKind[key] = a
		}
		a.prec = min(a.prec, prec)
		a.g.Guests += t.Guests
		a.g.Tally.Add(t.Tally)
	}
	sorted := func(as []*agg) []boardGroup {
		slices.SortFunc(as, func(a, b *agg) int {
			if a.prec != b.prec {
				if a.prec < b.prec {
					return -1
				}
				return 1
			}
			return strings.Compare(a.g.Label, b.g.Label)
		})
		out := make([]boardGroup, len(as))
		for i, a := range as {
			out[i] = a.g
		}
		return out
	}
	var ks []*agg
	for _, a := range byKind {
		ks = append(ks, a)
	}
	return sorted(ks), sorted(ds), total
}

// chart draws the share of invited guests who have answered, day by day
// from the first invitation to the last answer.
func chart(p *view.Page, pr Progress) boardChart {
	ch := boardChart{Width: 640, Height: 240, Left: 48, Right: 16, Top: 16, Bottom: 36, Invited: pr.Invited}
	ch.PlotRight, ch.LabelX, ch.BaseY = ch.Width-ch.Right, ch.Left-6, ch.Height-10
	plotW := float64(ch.Width - ch.Left - ch.Right)
	plotH := float64(ch.Height - ch.Top - ch.Bottom)
	for _, pct := range []int{0, 25, 50, 75, 100} {
		ch.Grid = append(ch.Grid, chartGrid{Y: float64(ch.Top) + plotH*(1-float64(pct)/100), Label: fmt.Sprintf("%d%%", pct)})
	}
	if pr.Since == nil || pr.Invited == 0 {
		return ch
	}
	loc := p.Zone
	if loc == nil {
		loc = time.UTC
	}
	s := pr.Since.In(loc)
	first := time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, loc)
	last := first
	if n := len(pr.Days); n > 0 && pr.Days[n-1].Day.After(last) {
		last = pr.Days[n-1].Day
	}
	span := int(last.Sub(first).Hours()/24 + 0.5)
	ch.FirstDay, ch.LastDay = p.Day(first), p.Day(last)
	x := func(day time.Time) float64 {
		if span == 0 {
			return float64(ch.Left) + plotW
		}
		return float64(ch.Left) + plotW*(day.Sub(first).Hours()/24)/float64(span)
	}
	y := func(n int) float64 { return float64(ch.Top) + plotH*(1-float64(n)/float64(pr.Invited)) }
	pts := []string{fmt.Sprintf("%.1f,%.1f", float64(ch.Left), y(0))}
	cum := 0
	for _, dc := range pr.Days {
		// The step: the count holds until the day's answers come in.
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(dc.Day), y(cum)))
		cum += dc.Answers
		pt := chartPoint{X: x(dc.Day), Y: y(cum)}
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", pt.X, pt.Y))
		ch.Dots = append(ch.Dots, pt)
		ch.Rows = append(ch.Rows, chartRow{Day: p.Day(dc.Day), Answers: dc.Answers, Cumulative: cum, Percent: cum * 100 / pr.Invited})
	}
	ch.Points = strings.Join(pts, " ")
	ch.Answered = cum
	ch.Percent = cum * 100 / pr.Invited
	return ch
}
