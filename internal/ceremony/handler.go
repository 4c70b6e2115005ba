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
	Invited    int
	Accepted   int
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
	}
	p.Data = d
	return h.view.Render(c, http.StatusOK, tmplDashboard, p)
}
