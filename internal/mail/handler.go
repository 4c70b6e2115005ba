package mail

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/i18n"
	"vigil/internal/view"
)

const tmplLog = "mail/messages"

// Views lists the templates this package needs, checked at start-up.
var Views = []string{tmplLog}

// Handler serves the message log.
type Handler struct {
	store *Store
	view  *view.Renderer
	zone  func(context.Context) *time.Location
}

// NewHandler returns the handler. zone gives the time zone times are shown
// in (the commemoration's); nil means UTC.
func NewHandler(store *Store, r *view.Renderer, zone func(context.Context) *time.Location) *Handler {
	return &Handler{store: store, view: r, zone: zone}
}

const perPage = 50

type messageRow struct {
	When          string
	Recipient     string
	Subject       string
	Template      string
	Language      string
	Status        string
	StatusKey     string
	Badge         string
	Error         string
	Attempts      int
	SentAt        string
	InvitationURL string
	InvitationID  int64
}

type logData struct {
	Rows         []messageRow
	Pager        view.Pager
	Statuses     []string
	Templates    []string
	Status       string
	Template     string
	InvitationID int64
}

// List shows GET /messages: the message log, newest first, filtered by
// ?status=, ?template= and ?invitation=ID (the messages of one guest's
// invitation).
func (h *Handler) List(c echo.Context) error {
	f := Filter{Status: c.QueryParam("status"), Template: c.QueryParam("template")}
	if !slices.Contains(Statuses, f.Status) {
		f.Status = ""
	}
	if !slices.Contains(Templates, f.Template) {
		f.Template = ""
	}
	if v := c.QueryParam("invitation"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return echo.NewHTTPError(http.StatusNotFound)
		}
		f.InvitationID = id
	}
	ctx := c.Request().Context()
	ms, total, err := h.store.List(ctx, f, view.PageOf(c, perPage), perPage)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "messages.title")
	if f.InvitationID != 0 {
		p.Title = p.T("messages.title_invitation", "ID", f.InvitationID)
	}
	p.Nav = "messages"
	if h.zone != nil {
		p.Zone = h.zone(ctx)
	}
	d := logData{Pager: view.Paginate(c, total, perPage), Statuses: Statuses, Templates: Templates,
		Status: f.Status, Template: f.Template, InvitationID: f.InvitationID}
	for _, m := range ms {
		r := messageRow{
			When: p.Date(m.CreatedAt), Recipient: m.Recipient, Subject: m.Subject, Template: p.T("messages.template." + m.Template),
			Language: i18n.LocaleNames[m.Language], StatusKey: m.Status, Status: p.T("messages.status." + m.Status),
			Badge: badges[m.Status], Error: m.LastError, Attempts: m.Attempts,
		}
		if m.SentAt != nil {
			r.SentAt = p.Date(*m.SentAt)
		}
		if m.InvitationID != nil {
			r.InvitationID = *m.InvitationID
			r.InvitationURL = "/messages?invitation=" + strconv.FormatInt(*m.InvitationID, 10)
		}
		d.Rows = append(d.Rows, r)
	}
	p.Data = d
	return h.view.Render(c, http.StatusOK, tmplLog, p)
}

// badges are the badge styles of the statuses.
var badges = map[string]string{StatusQueued: "neutral", StatusSent: "success", StatusFailed: "danger"}
