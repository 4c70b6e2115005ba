package audit

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

const tmplList = "audit/list"

// Views lists the templates this package needs, checked at start-up.
var Views = []string{tmplList}

// Handler serves the audit log pages.
type Handler struct {
	store *Store
	view  *view.Renderer
}

// NewHandler returns the handler.
func NewHandler(store *Store, r *view.Renderer) *Handler { return &Handler{store: store, view: r} }

const perPage = 50

type row struct {
	When    string
	Actor   string
	Action  string
	Type    string
	ID      string
	Summary string
	Fields  []FieldChange
	// RecordURL filters the log to this record.
	RecordURL string
}

type listData struct {
	Rows   []row
	Pager  view.Pager
	Types  []string
	Type   string
	ID     string
	Record bool
}

// List shows GET /audit, optionally filtered to one record with
// ?type=user&id=5 (the "History" link on each record's page).
func (h *Handler) List(c echo.Context) error {
	f := Filter{EntityType: strings.TrimSpace(c.QueryParam("type")), EntityID: strings.TrimSpace(c.QueryParam("id"))}
	if f.EntityType == "" {
		f.EntityID = ""
	}
	ctx := c.Request().Context()
	entries, total, err := h.store.List(ctx, f, view.PageOf(c, perPage), perPage)
	if err != nil {
		return err
	}
	types, err := h.store.EntityTypes(ctx)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "audit.title")
	if f.EntityID != "" {
		p.Title = p.T("audit.record_title", "Type", f.EntityType, "ID", f.EntityID)
	}
	p.Nav = "audit"
	d := listData{Pager: view.Paginate(c, total, perPage), Types: types, Type: f.EntityType, ID: f.EntityID, Record: f.EntityID != ""}
	for _, e := range entries {
		for i, f := range e.Fields {
			e.Fields[i].Before, e.Fields[i].After = readable(p, f.Before), readable(p, f.After)
		}
		d.Rows = append(d.Rows, row{
			When: p.Date(e.At), Actor: e.Actor, Action: e.Action, Type: e.EntityType, ID: e.EntityID,
			Summary: e.Summary, Fields: e.Fields,
			RecordURL: "/audit?type=" + e.EntityType + "&id=" + e.EntityID,
		})
	}
	p.Data = d
	return h.view.Render(c, http.StatusOK, tmplList, p)
}

// readable shows a recorded value the way a person reads it: booleans as
// yes/no, dates and times written out, in the page's language.
func readable(p *view.Page, v string) string {
	switch v {
	case "true":
		return p.T("audit.yes")
	case "false":
		return p.T("audit.no")
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Location() == time.UTC {
			return p.Day(t)
		}
		return p.Date(t)
	}
	return v
}
