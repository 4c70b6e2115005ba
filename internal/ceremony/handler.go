package ceremony

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

const tmplDashboard = "ceremony/dashboard"

// Views lists the templates this package needs, checked at start-up.
var Views = []string{tmplDashboard, tmplCommemoration, tmplEditions, tmplEdition, tmplDay, tmplCeremony, tmplProgramme, tmplProgrammePrnt}

// Handler serves the dashboard and, later, the planning pages.
type Handler struct {
	store    *Store
	view     *view.Renderer
	now      func() time.Time
	planning Planning
}

// NewHandler returns the handler.
func NewHandler(store *Store, r *view.Renderer) *Handler {
	return &Handler{store: store, view: r, now: time.Now}
}

type dashboardData struct {
	HasCommemoration bool
	Name             string
	Description      string
	CommemoratedOn   string
	TimeZone         string
	NextDate         string
	DaysToGo         int
	Anniversary      int
	Year             int
	// The counts below stay zero until editions, ceremonies, invitations
	// and tasks exist; the cards then say what to do next.
	Ceremonies int
	OpenTasks  int
	Overdue    int
	Invited    int
	Accepted   int
	// EditionURL links to the current edition ("" when none is planned).
	EditionURL string
}

// Dashboard shows GET /.
func (h *Handler) Dashboard(c echo.Context) error {
	p := h.view.Page(c, "dashboard.title")
	p.Nav = "dashboard"
	d := dashboardData{}
	cm, err := h.store.Current(c.Request().Context())
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return err
	default:
		loc, err := cm.Location()
		if err != nil {
			return err
		}
		p.Zone = loc
		next, days := cm.NextCeremonyDate(h.now(), loc)
		d = dashboardData{
			HasCommemoration: true,
			Name:             cm.Name,
			Description:      cm.Description,
			CommemoratedOn:   p.Day(cm.CommemoratedOn),
			TimeZone:         cm.TimeZone,
			NextDate:         p.T("weekday."+next.Weekday().String()) + ", " + p.Day(next),
			DaysToGo:         days,
			Anniversary:      cm.Anniversary(next.Year()),
			Year:             next.Year(),
		}
		if err := h.currentEdition(c, cm, next.Year(), loc, &d); err != nil {
			return err
		}
	}
	p.Data = d
	return h.view.Render(c, http.StatusOK, tmplDashboard, p)
}

// currentEdition fills the dashboard's figures for the edition of year.
func (h *Handler) currentEdition(c echo.Context, cm *Commemoration, year int, loc *time.Location, d *dashboardData) error {
	ctx := c.Request().Context()
	ed, err := h.store.CurrentEdition(ctx, cm.ID, year)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	d.EditionURL = editionURL(ed.Year)
	counts, err := h.store.CeremonyCounts(ctx, []int64{ed.ID})
	if err != nil {
		return err
	}
	d.Ceremonies = counts[ed.ID]
	if h.planning.Logistics != nil {
		if d.OpenTasks, d.Overdue, err = h.planning.Logistics.OpenTasks(ctx, ed.ID, loc); err != nil {
			return err
		}
	}
	return nil
}
