package invitation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/i18n"
	"vigil/internal/view"
)

// Template names of the organizers' and staff's invitation pages.
const (
	tmplInvitations      = "invitation/invitations"
	tmplInvitationsPrint = "invitation/invitations_print"
	tmplInvite           = "invitation/invite"
	tmplInvitation       = "invitation/invitation"
	tmplBoard            = "invitation/board"
)

// organizerViews are the templates of the organizers' invitation pages.
var organizerViews = []string{tmplInvitations, tmplInvitationsPrint, tmplInvite, tmplInvitation, tmplBoard}

// invitationsPerPage is the invitation list's page size.
const invitationsPerPage = 100

// DelegationRef is a delegation to invite, as the directory knows it.
type DelegationRef struct {
	ID   int64
	Name string
	Kind string
}

// Office is what the organizer pages need besides the guest directory:
// the delegations to choose from, the names of the users in histories, the
// edition the "invite" links of the directory open, and the reminders the
// mail package sends.
type Office interface {
	// Delegations lists every delegation in order of precedence.
	Delegations(ctx context.Context) ([]DelegationRef, error)
	// UserNames returns the names of the users with ids.
	UserNames(ctx context.Context, ids []int64) (map[int64]string, error)
	// CurrentYear is the year of the edition being prepared; ErrNotFound
	// when there is none.
	CurrentYear(ctx context.Context) (int, error)
	// RemindNow queues a reminder e-mail to each invitation (the mail
	// package's) and returns how many were queued.
	RemindNow(ctx context.Context, invitationIDs []int64) (int, error)
}

// editionOf reads :year and returns that edition; unknown is a 404.
func (h *Handler) editionOf(c echo.Context) (EditionInfo, error) {
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil || y < 1900 || y > 2200 {
		return EditionInfo{}, echo.NewHTTPError(http.StatusNotFound)
	}
	ed, err := h.Editions.Edition(c.Request().Context(), y)
	return ed, notFound(err)
}

// invitationOf reads :year and :id: an invitation of another edition is a
// 404.
func (h *Handler) invitationOf(c echo.Context) (EditionInfo, *Invitation, error) {
	ed, err := h.editionOf(c)
	if err != nil {
		return ed, nil, err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return ed, nil, err
	}
	inv, err := h.Store.ByID(c.Request().Context(), id)
	if err != nil {
		return ed, nil, notFound(err)
	}
	if inv.EditionID != ed.ID {
		return ed, nil, echo.NewHTTPError(http.StatusNotFound)
	}
	return ed, inv, nil
}

func listURL(year int) string { return "/editions/" + strconv.Itoa(year) + "/invitations" }
func invitationURL(year int, id int64) string {
	return listURL(year) + "/" + strconv.FormatInt(id, 10)
}

// actorOf is the signed-in user making a change.
func actorOf(c echo.Context, via string) Actor {
	a := Actor{Via: via}
	if u := view.User(c); u != nil {
		id := u.ID
		a.UserID = &id
	}
	return a
}

// flashTo redirects with a flash message.
func (h *Handler) flashTo(c echo.Context, kind, key, to string, kv ...any) error {
	h.View.Flash(c, kind, key, kv...)
	return c.Redirect(http.StatusSeeOther, to)
}

// The invitation list -----------------------------------------------------------

type ceremonyCol struct {
	ID    int64
	Title string
	Day   string
}

type statusCell struct {
	Invited bool
	Status  string
	// Label is the status in the reader's language, translated once per
	// status for the whole list (the print view has thousands of cells).
	Label string
}

type invitationRow struct {
	ID           int64
	Name         string
	VIP          bool
	Delegation   string
	DelegationID int64
	Cells        []statusCell
	Companions   int
	Allowed      int
	Answered     bool
	Responded    string
	RespondedAt  time.Time // zero if none; the print view's short date (invitations_print.go)
	Via          string
	By           string
	Channel      string
	Revoked      bool
}

type listQuery struct {
	Ceremony   int64
	Status     string
	Delegation int64
	Kind       string
}

// Encode is the query string of the filters (without the page).
func (q listQuery) Encode() string {
	v := url.Values{}
	if q.Ceremony != 0 {
		v.Set("ceremony", strconv.FormatInt(q.Ceremony, 10))
	}
	if q.Status != "" {
		v.Set("status", q.Status)
	}
	if q.Delegation != 0 {
		v.Set("delegation", strconv.FormatInt(q.Delegation, 10))
	}
	if q.Kind != "" {
		v.Set("kind", q.Kind)
	}
	return v.Encode()
}

type invitationsData struct {
	Year        int
	Name        string
	Anniversary int
	Query       listQuery
	Filtered    bool
	Ceremonies  []ceremonyCol
	Statuses    []string
	Delegations []DelegationRef
	Kinds       []string
	Rows        []invitationRow
	Shown       int
	Counts      Counts
	Pager       view.Pager
	QueryString string
	// Body is the table's rows and DelegationOptions the delegation
	// filter's choices, written by writeListBody and
	// writeDelegationOptions (the list page only; the print view ranges
	// over Rows).
	Body              template.HTML
	DelegationOptions template.HTML
}

// listStatuses are the choices of the status filter.
var listStatuses = []string{StatusPending, StatusAccepted, StatusDeclined, StatusWaitlisted, StatusUnanswered}

func readListQuery(c echo.Context) listQuery {
	q := listQuery{Status: c.QueryParam("status"), Kind: c.QueryParam("kind")}
	if !slices.Contains(listStatuses, q.Status) {
		q.Status = ""
	}
	q.Ceremony, _ = strconv.ParseInt(c.QueryParam("ceremony"), 10, 64)
	q.Delegation, _ = strconv.ParseInt(c.QueryParam("delegation"), 10, 64)
	return q
}

// known is q without the filters naming a ceremony, delegation or kind
// that head does not have.
func (q listQuery) known(head ListHead) listQuery {
	if q.Ceremony != 0 && !slices.ContainsFunc(head.Ceremonies, func(c CeremonyInfo) bool { return c.ID == q.Ceremony }) {
		q.Ceremony = 0
	}
	if q.Delegation != 0 && !slices.ContainsFunc(head.Delegations, func(d DelegationRef) bool { return d.ID == q.Delegation }) {
		q.Delegation = 0
	}
	if q.Kind != "" && !slices.ContainsFunc(head.Delegations, func(d DelegationRef) bool { return d.Kind == q.Kind }) {
		q.Kind = ""
	}
	return q
}

// kindsOf lists the kinds of ds in the order they first appear, which for
// delegations in order of precedence is the protocol order of kinds.
func kindsOf(ds []DelegationRef) []string {
	var out []string
	for _, d := range ds {
		if !slices.Contains(out, d.Kind) {
			out = append(out, d.Kind)
		}
	}
	return out
}

// listHead is the invitation list's content but its rows: the filters'
// choices, the ceremonies' columns, the edition's counts and how many
// invitations the filters keep, all read in one statement
// (Store.ListHead).
//
// A filter naming a ceremony, delegation or kind there is not (an old
// bookmark, a hand-typed address) is dropped, as an unknown status is,
// rather than showing an empty list under a filter that reads "All": the
// head is then read again without it.
func (h *Handler) listHead(c echo.Context, p *view.Page, ed EditionInfo, q listQuery) (*invitationsData, ListQuery, error) {
	var lq ListQuery
	var head ListHead
	for {
		lq = ListQuery{ListFilter: ListFilter{EditionID: ed.ID, CeremonyID: q.Ceremony, Status: q.Status},
			DelegationID: q.Delegation, Kind: q.Kind, Locale: p.Locale}
		var err error
		if head, err = h.Store.ListHead(c.Request().Context(), lq); err != nil {
			return nil, lq, err
		}
		known := q.known(head)
		if known == q {
			break
		}
		q = known
	}
	d := &invitationsData{Year: ed.Year, Name: ed.Name, Anniversary: ed.Anniversary, Query: q, Statuses: listStatuses,
		Filtered: q != listQuery{}, QueryString: q.Encode(), Delegations: head.Delegations, Kinds: kindsOf(head.Delegations),
		Counts: head.Counts, Shown: head.Shown}
	// The columns need the titles and days only.
	for _, ce := range head.Ceremonies {
		d.Ceremonies = append(d.Ceremonies, ceremonyCol{ID: ce.ID, Title: ce.Title, Day: p.Day(ce.StartsAt.In(ed.Location))})
	}
	return d, lq, nil
}

// listDates formats the list's dates exactly as Page.Date does, but
// translates each day's month and the zone's name once for the whole list
// rather than twice per row (the print view has thousands).
type listDates struct {
	p    *view.Page
	zone string
	days map[int]string
}

func newListDates(p *view.Page) *listDates {
	return &listDates{p: p, zone: p.ZoneLabel(), days: map[int]string{}}
}

// Date is p.Date(t), in p's zone (UTC when it has none).
func (l *listDates) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	zone := l.p.Zone
	if zone == nil {
		zone = time.UTC
	}
	t = t.In(zone)
	key := t.Year()*1000 + t.YearDay()
	day, ok := l.days[key]
	if !ok {
		day = l.p.Day(t)
		l.days[key] = day
	}
	return day + ", " + t.Format("15:04") + " " + l.zone
}

// listRows reads the rows of the list (offset and limit as in
// Store.EachListed) and turns them into table rows. The statement names
// the users who recorded answers.
func (h *Handler) listRows(ctx context.Context, p *view.Page, ed *EditionInfo, d *invitationsData, lq ListQuery, offset, limit int) ([]invitationRow, error) {
	p.Zone = ed.Location
	var out []invitationRow
	if limit >= 0 {
		out = make([]invitationRow, 0, limit)
	}
	dates := newListDates(p)
	labels := map[string]string{}
	unknown := ""
	err := h.Store.EachListed(ctx, lq, offset, limit, func(inv *ListedRow) error {
		r := invitationRow{ID: inv.ID, Name: inv.DisplayName(), VIP: inv.VIP, Delegation: inv.Delegation, Allowed: inv.CompanionsAllowed,
			Companions: inv.Companions, Answered: inv.RespondedAt != nil, Revoked: inv.RevokedAt != nil, Channel: inv.StaffChannel,
			By: inv.RespondedByName, Cells: make([]statusCell, len(d.Ceremonies))}
		if r.Name == "" {
			if unknown == "" {
				unknown = p.T("invitation.unknown_guest")
			}
			r.Name = unknown
		}
		if inv.DelegationID != nil {
			r.DelegationID = *inv.DelegationID
		}
		for i, col := range d.Ceremonies {
			if st, ok := inv.Answers[col.ID]; ok {
				label, ok := labels[st]
				if !ok {
					label = p.T("invitation.status." + st)
					labels[st] = label
				}
				r.Cells[i] = statusCell{Invited: true, Status: st, Label: label}
			}
		}
		if inv.RespondedAt != nil {
			r.Responded = dates.Date(*inv.RespondedAt)
			r.RespondedAt = *inv.RespondedAt
		}
		if inv.RespondedVia != nil {
			r.Via = *inv.RespondedVia
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// The list page's rows and delegation choices are written here rather
// than by invitations.html: executing html/template for them, a
// reflective call per field, function and escaper, for a hundred rows of
// a dozen cells and two hundred choices, was over half of the page's Go
// time (BenchmarkInvitationListPage). They are the markup the template
// had, byte for byte, escaped as html/template escapes text and quoted
// attribute values (view.WriteText); list_bench_test.go checks hostile names in
// every place. The rest of the page stays in the template.

// listRowSize is about what a row takes, so that the body is allocated
// once.
const listRowSize = 1 << 10

// statusBadge is the opening tag of a status's badge.
func statusBadge(status string) string {
	switch status {
	case StatusAccepted:
		return `<span class="badge badge--success">`
	case StatusDeclined:
		return `<span class="badge badge--danger">`
	case StatusWaitlisted:
		return `<span class="badge badge--warning">`
	}
	return `<span class="badge badge--neutral">`
}

// writeListBody writes the list table's rows: per invitation the guest
// (a link to the invitation, VIP and revoked-link badges), the
// delegation, the answer to each ceremony, the companions, the answer's
// date and channel, and for organizers a reminder button for a guest who
// has not answered.
func writeListBody(p *view.Page, d *invitationsData) template.HTML {
	if len(d.Rows) == 0 {
		return ""
	}
	var b strings.Builder
	b.Grow(len(d.Rows) * listRowSize)
	esc := func(s string) { view.WriteText(&b, s) }
	// What every row says alike, translated once.
	var (
		vip        = p.T("invitation.vip")
		revoked    = p.T("invitation.link_revoked")
		notInvited = p.T("invitations.not_invited")
		byLink     = p.T("invitation.via.link")
		notYet     = p.T("invitation.not_answered")
		organizer  = p.User.IsOrganizer()
		remind     string
		byStaff    = map[string]string{}
		channels   = map[string]string{}
	)
	if organizer {
		remind = p.T("invitations.remind_one")
	}
	year := strconv.Itoa(d.Year)
	for i := range d.Rows {
		r := &d.Rows[i]
		id := strconv.FormatInt(r.ID, 10)
		b.WriteString("\n  <tr>\n    <th scope=\"row\"><a href=\"/editions/")
		b.WriteString(year)
		b.WriteString("/invitations/")
		b.WriteString(id)
		b.WriteString(`">`)
		esc(r.Name)
		b.WriteString("</a>")
		if r.VIP {
			b.WriteString(` <span class="badge badge--warning">`)
			esc(vip)
			b.WriteString("</span>")
		}
		if r.Revoked {
			b.WriteString(` <span class="badge badge--disabled">`)
			esc(revoked)
			b.WriteString("</span>")
		}
		b.WriteString("</th>\n    <td>")
		if r.DelegationID != 0 {
			b.WriteString(`<a href="/delegations/`)
			b.WriteString(strconv.FormatInt(r.DelegationID, 10))
			b.WriteString(`">`)
			esc(r.Delegation)
			b.WriteString("</a>")
		} else {
			b.WriteString(`<span class="muted">—</span>`)
		}
		b.WriteString("</td>\n    ")
		for _, cell := range r.Cells {
			b.WriteString("<td>")
			if cell.Invited {
				b.WriteString(statusBadge(cell.Status))
				esc(cell.Label)
				b.WriteString("</span>")
			} else {
				b.WriteString(`<span class="muted" aria-label="`)
				esc(notInvited)
				b.WriteString(`">—</span>`)
			}
			b.WriteString("</td>")
		}
		b.WriteString("\n    <td class=\"nowrap\">")
		b.WriteString(strconv.Itoa(r.Companions))
		b.WriteString(" / ")
		b.WriteString(strconv.Itoa(r.Allowed))
		b.WriteString("</td>\n    <td>")
		if r.Answered {
			esc(r.Responded)
			b.WriteString(`<br><span class="muted small">`)
			if r.Via == ViaStaff {
				by, ok := byStaff[r.By]
				if !ok {
					by = p.T("invitation.via_staff_by", "Name", r.By)
					byStaff[r.By] = by
				}
				esc(by)
				if r.Channel != "" {
					ch, ok := channels[r.Channel]
					if !ok {
						ch = p.T("invitation.channel." + r.Channel)
						channels[r.Channel] = ch
					}
					b.WriteString(" · ")
					esc(ch)
				}
			} else {
				esc(byLink)
			}
			b.WriteString("</span>")
		} else {
			b.WriteString(`<span class="muted">`)
			esc(notYet)
			b.WriteString("</span>")
		}
		b.WriteString("</td>\n    ")
		if organizer {
			b.WriteString("<td>")
			if !r.Answered && !r.Revoked {
				b.WriteString("\n      <form class=\"inline-form\" method=\"post\" action=\"/editions/")
				b.WriteString(year)
				b.WriteString(`/invitations/remind"><input type="hidden" name="_csrf" value="`)
				esc(p.CSRF)
				b.WriteString(`"><input type="hidden" name="id" value="`)
				b.WriteString(id)
				b.WriteString("\">\n        <button class=\"button button--small button--secondary\" type=\"submit\">")
				esc(remind)
				b.WriteString(`<span class="visually-hidden"> `)
				esc(r.Name)
				b.WriteString("</span></button></form>")
			}
			b.WriteString("</td>")
		}
		b.WriteString("\n  </tr>\n  ")
	}
	// Every value above is escaped or a number.
	return template.HTML(b.String())
}

// writeDelegationOptions writes the delegation filter's choices, the
// chosen one selected.
func writeDelegationOptions(d *invitationsData) template.HTML {
	var b strings.Builder
	b.Grow(len(d.Delegations) * 64)
	for _, del := range d.Delegations {
		b.WriteString(`<option value="`)
		b.WriteString(strconv.FormatInt(del.ID, 10))
		b.WriteString(`"`)
		if del.ID == d.Query.Delegation {
			b.WriteString(" selected")
		}
		b.WriteString(">")
		view.WriteText(&b, del.Name)
		b.WriteString("</option>")
	}
	return template.HTML(b.String())
}

// Invitations shows GET /editions/:year/invitations: every invitation of
// the edition in order of precedence, filtered by ceremony, status,
// delegation and kind, a page at a time. The database filters, counts,
// sorts and pages: a page reads its 100 rows only.
func (h *Handler) Invitations(c echo.Context) error {
	ed, err := h.editionOf(c)
	if err != nil {
		return err
	}
	p := h.View.Page(c, "invitations.title", "Year", ed.Year)
	p.Nav = "editions"
	d, lq, err := h.listHead(c, p, ed, readListQuery(c))
	if err != nil {
		return err
	}
	d.Pager = view.Paginate(c, int64(d.Shown), invitationsPerPage)
	if d.Shown > 0 {
		if d.Rows, err = h.listRows(c.Request().Context(), p, &ed, d, lq, d.Pager.Offset(), invitationsPerPage); err != nil {
			return err
		}
	}
	d.Body = writeListBody(p, d)
	d.DelegationOptions = writeDelegationOptions(d)
	p.Data = d
	return h.View.Render(c, http.StatusOK, tmplInvitations, p)
}

// PrintInvitations shows GET /editions/:year/invitations/print: the same
// list, whole, for paper. The rows are read through one cursor into the
// table's small row structs; no invitation models, no guest directory
// look-up.
func (h *Handler) PrintInvitations(c echo.Context) error {
	ed, err := h.editionOf(c)
	if err != nil {
		return err
	}
	p := h.View.Page(c, "invitations.print.title", "Year", ed.Year)
	p.Nav = "editions"
	d, lq, err := h.listHead(c, p, ed, readListQuery(c))
	if err != nil {
		return err
	}
	if d.Shown > 0 {
		if d.Rows, err = h.listRows(c.Request().Context(), p, &ed, d, lq, 0, -1); err != nil {
			return err
		}
	}
	p.Data = newPrintData(p, d)
	return h.View.Render(c, http.StatusOK, tmplInvitationsPrint, p)
}

// Remind handles POST /editions/:year/invitations/remind: with id, that
// guest; with all, every guest not answered. Each request is kept in the
// invitation's history; the mail package queues the e-mails (at most one a
// day per guest, so a double click sends one).
func (h *Handler) Remind(c echo.Context) error {
	ed, err := h.editionOf(c)
	if err != nil {
		return err
	}
	var only []int64
	back := listURL(ed.Year) + "?status=" + StatusUnanswered
	if c.FormValue("all") != "on" {
		id, err := strconv.ParseInt(c.FormValue("id"), 10, 64)
		if err != nil || id <= 0 {
			return echo.NewHTTPError(http.StatusBadRequest)
		}
		only = []int64{id}
		if to := c.FormValue("back"); to == "invitation" {
			back = invitationURL(ed.Year, id)
		}
	}
	ctx := c.Request().Context()
	targets, err := h.Store.RequestReminders(ctx, ed.ID, only, actorOf(c, ViaOrganizer))
	if err != nil {
		return err
	}
	n := 0
	if len(targets) > 0 {
		if n, err = h.Office.RemindNow(ctx, targets); err != nil {
			return err
		}
	}
	switch {
	case len(targets) == 0:
		return h.flashTo(c, view.FlashInfo, "invitations.remind.none", back)
	case n == 0:
		return h.flashTo(c, view.FlashInfo, "invitations.remind.not_sent", back)
	}
	return h.flashTo(c, view.FlashSuccess, "invitations.remind.done", back, "Count", n)
}

// GoInvite handles GET /invitations/new, the "invite" entry of the guest
// directory: the invite page of the edition being prepared, with the
// guest (?guest=) or delegation (?delegation=) chosen there already
// ticked. Its forms post to the edition's own address.
func (h *Handler) GoInvite(c echo.Context) error {
	y, err := h.Office.CurrentYear(c.Request().Context())
	if errors.Is(err, ErrNotFound) {
		return h.flashTo(c, view.FlashError, "invitations.error.no_edition", "/editions")
	}
	if err != nil {
		return err
	}
	ed, err := h.Editions.Edition(c.Request().Context(), y)
	if err != nil {
		return notFound(err)
	}
	return h.newInvitations(c, ed)
}

// The invite page ---------------------------------------------------------------

type inviteCeremony struct {
	ID     int64
	Title  string
	When   string
	Status string
	Zones  []ZoneInfo
}

type foundGuest struct {
	ID         int64
	Name       string
	Delegation string
	VIP        bool
}

type inviteData struct {
	Year        int
	Ceremonies  []inviteCeremony
	Search      string
	Found       []foundGuest
	More        bool
	Delegations []DelegationRef
	Kinds       []string
	Languages   []string
	// Posted is the form that was sent back with errors; its choices.
	Posted inviteForm
	// Preset is the delegation chosen from the directory.
	Preset int64
}

// searchLimit bounds the guests listed by a search on the invite page.
const searchLimit = 50

func (h *Handler) renderInvite(c echo.Context, status int, p *view.Page, ed EditionInfo, posted inviteForm) error {
	ctx := c.Request().Context()
	p.Nav = "editions"
	p.Zone = ed.Location
	cs, err := h.Ceremonies.Ceremonies(ctx, ed.ID)
	if err != nil {
		return err
	}
	d := inviteData{Year: ed.Year, Search: strings.TrimSpace(c.QueryParam("q")), Languages: i18n.Locales, Posted: posted}
	if d.Posted.Chosen == nil {
		d.Posted.Chosen = map[string]map[int64]bool{}
	}
	for _, ce := range cs {
		if ce.Status == "cancelled" {
			continue
		}
		d.Ceremonies = append(d.Ceremonies, inviteCeremony{ID: ce.ID, Title: ce.Title, Status: ce.Status, Zones: ce.Zones,
			When: p.LongDay(ce.StartsAt) + ", " + p.Clock(ce.StartsAt)})
	}
	if d.Delegations, err = h.Office.Delegations(ctx); err != nil {
		return err
	}
	d.Kinds = kindsOf(d.Delegations)
	var show []int64
	if d.Search != "" {
		found, err := h.Guests.Matching(ctx, GuestFilter{Text: d.Search})
		if err != nil {
			return err
		}
		if len(found) > searchLimit {
			found, d.More = found[:searchLimit], true
		}
		show = found
	}
	// Guests ticked before (a form shown again) or chosen in the
	// directory stay listed and ticked.
	picked := d.Posted.Chosen["guest"]
	if id, err := strconv.ParseInt(c.QueryParam("guest"), 10, 64); err == nil && id > 0 {
		if picked == nil {
			picked = map[int64]bool{}
			d.Posted.Chosen["guest"] = picked
		}
		picked[id] = true
	}
	for id := range picked {
		if !slices.Contains(show, id) {
			show = append(show, id)
		}
	}
	if id, err := strconv.ParseInt(c.QueryParam("delegation"), 10, 64); err == nil && id > 0 {
		d.Preset = id
	}
	if len(show) > 0 {
		infos, err := h.Guests.Guests(ctx, show)
		if err != nil {
			return err
		}
		for _, id := range show {
			if g, ok := infos[id]; ok {
				d.Found = append(d.Found, foundGuest{ID: id, Name: g.Name, Delegation: g.Delegation, VIP: g.VIP})
			}
		}
	}
	p.Data = d
	return h.View.Render(c, status, tmplInvite, p)
}

// NewInvitations shows GET /editions/:year/invitations/new: three ways to
// invite (single guests, whole delegations, the directory's filter).
func (h *Handler) NewInvitations(c echo.Context) error {
	ed, err := h.editionOf(c)
	if err != nil {
		return err
	}
	return h.newInvitations(c, ed)
}

func (h *Handler) newInvitations(c echo.Context, ed EditionInfo) error {
	p := h.View.Page(c, "invitations.new.title", "Year", ed.Year)
	p.Form = view.NewForm(map[string]string{"guests-companions": "0", "delegations-companions": "0", "filter-companions": "0", "extra": "0", "members": membersAll})
	return h.renderInvite(c, http.StatusOK, p, ed, inviteForm{})
}

// Invite handles POST /editions/:year/invitations: invites the guests one
// of the three forms selects, in one transaction. Inviting again changes
// nothing twice.
func (h *Handler) Invite(c echo.Context) error {
	ed, err := h.editionOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	cs, err := h.Ceremonies.Ceremonies(ctx, ed.ID)
	if err != nil {
		return err
	}
	f, form := bindInvite(c, cs)
	p := h.View.Page(c, "invitations.new.title", "Year", ed.Year)
	p.Form = form
	var guests []int64
	if form.Valid() {
		if guests, err = h.selectGuests(ctx, ed, f); err != nil {
			return err
		}
		if len(guests) == 0 {
			form.Add(f.Mode+"-"+map[string]string{modeGuests: "guest", modeDelegations: "delegation", modeFilter: "fq"}[f.Mode], "invitations.error.nobody")
		}
	}
	if !form.Valid() {
		return h.renderInvite(c, http.StatusUnprocessableEntity, p, ed, f)
	}
	res, err := h.Store.InviteGuests(ctx, Invite{EditionID: ed.ID, GuestIDs: guests, Ceremonies: f.Ceremonies,
		Companions: f.Companions, Send: f.Send}, actorOf(c, ViaOrganizer))
	if errors.Is(err, ErrNotFound) {
		// A guest or ceremony deleted meanwhile.
		form.Add(f.Mode+"-ceremony", "invitations.error.gone")
		return h.renderInvite(c, http.StatusConflict, p, ed, f)
	}
	if err != nil {
		return err
	}
	return h.flashTo(c, view.FlashSuccess, "invitations.invited", listURL(ed.Year),
		"Count", len(guests), "Created", res.Created, "Added", res.Added)
}

// selectGuests lists the guests an invite form selects.
func (h *Handler) selectGuests(ctx context.Context, ed EditionInfo, f inviteForm) ([]int64, error) {
	switch f.Mode {
	case modeGuests:
		infos, err := h.Guests.Guests(ctx, f.Guests)
		if err != nil {
			return nil, err
		}
		var out []int64
		for _, id := range f.Guests {
			if _, ok := infos[id]; ok {
				out = append(out, id)
			}
		}
		return out, nil
	case modeFilter:
		return h.Guests.Matching(ctx, f.Filter)
	}
	heads := map[int64]int64{}
	if f.Members == membersHead {
		var err error
		if heads, err = h.Guests.Heads(ctx, ed.ID, f.Delegations); err != nil {
			return nil, err
		}
	}
	var out []int64
	for _, did := range f.Delegations {
		members, err := h.Guests.Members(ctx, did)
		if err != nil {
			return nil, err
		}
		out = append(out, pickMembers(members, f.Members, heads[did], f.Extra)...)
	}
	return out, nil
}

// pickMembers chooses whom of a delegation to invite: everyone, or the
// head of delegation (else the first VIP, else the first member) and the
// next extra members in the order given (VIPs first).
func pickMembers(members []GuestInfo, mode string, head int64, extra int) []int64 {
	if len(members) == 0 {
		return nil
	}
	if mode == membersAll {
		out := make([]int64, len(members))
		for i, m := range members {
			out[i] = m.ID
		}
		return out
	}
	found := false
	for _, m := range members {
		if m.ID == head {
			found = true
		}
	}
	if !found {
		head = members[0].ID
		for _, m := range members {
			if m.VIP {
				head = m.ID
				break
			}
		}
	}
	out := []int64{head}
	for _, m := range members {
		if len(out) > extra {
			break
		}
		if m.ID != head {
			out = append(out, m.ID)
		}
	}
	return out
}

// The invitation page -----------------------------------------------------------

type answerRow struct {
	ID         int64
	Title      string
	When       string
	Venue      string
	Status     string
	Zone       string
	Companions int
	CheckedIn  string
	Cancelled  bool
	Field      string
}

type historyRow struct {
	When string
	Who  string
	Via  string
	What string
}

type invitationData struct {
	Year           int
	ID             int64
	GuestID        int64
	Name           string
	FullName       string
	VIP            bool
	Delegation     string
	DelegationID   int64
	Email          string
	Language       string
	Revoked        string
	Ceremonies     []answerRow
	Allowed        int
	Companions     []string
	Accessibility  string
	Dietary        string
	Phone          string
	Responded      string
	Via            string
	By             string
	Channel        string
	History        []historyRow
	Deadline       string
	Open           bool
	Channels       []string
	CompanionSlots []int
	Waitlisted     bool
}

func (h *Handler) renderInvitation(c echo.Context, status int, p *view.Page, ed EditionInfo, inv *Invitation) error {
	ctx := c.Request().Context()
	p.Nav = "editions"
	p.Zone = ed.Location
	guests, err := h.Guests.Guests(ctx, []int64{inv.GuestID})
	if err != nil {
		return err
	}
	g := guests[inv.GuestID]
	cs, err := h.Ceremonies.Ceremonies(ctx, ed.ID)
	if err != nil {
		return err
	}
	events, err := h.Store.History(ctx, inv.ID)
	if err != nil {
		return err
	}
	users := []int64{}
	if inv.RespondedBy != nil {
		users = append(users, *inv.RespondedBy)
	}
	for _, e := range events {
		if e.UserID != nil && !slices.Contains(users, *e.UserID) {
			users = append(users, *e.UserID)
		}
	}
	names := map[int64]string{}
	if len(users) > 0 {
		if names, err = h.Office.UserNames(ctx, users); err != nil {
			return err
		}
	}
	d := invitationData{Year: ed.Year, ID: inv.ID, GuestID: inv.GuestID, Name: g.Name, FullName: g.FullName, VIP: g.VIP,
		Delegation: g.Delegation, Email: g.Email, Language: g.Language, Allowed: inv.CompanionsAllowed,
		Accessibility: inv.AccessibilityNeeds, Dietary: inv.DietaryNeeds, Phone: inv.ContactPhone, Channel: inv.StaffChannel,
		Open: ed.Open(h.now()), Channels: channels}
	if d.Name == "" {
		d.Name = p.T("invitation.unknown_guest")
	}
	if g.DelegationID != nil {
		d.DelegationID = *g.DelegationID
	}
	if inv.RevokedAt != nil {
		d.Revoked = p.Date(*inv.RevokedAt)
	}
	if ed.Deadline != nil {
		d.Deadline = p.Day(*ed.Deadline)
	}
	for i := 1; i <= inv.CompanionsAllowed; i++ {
		d.CompanionSlots = append(d.CompanionSlots, i)
	}
	for _, cp := range inv.Companions {
		d.Companions = append(d.Companions, cp.Name)
	}
	titles := map[int64]string{}
	for _, ce := range cs {
		titles[ce.ID] = ce.Title
		a := inv.Answer(ce.ID)
		if a == nil {
			continue
		}
		r := answerRow{ID: ce.ID, Title: ce.Title, When: p.LongDay(ce.StartsAt) + ", " + p.Clock(ce.StartsAt), Venue: ce.VenueName,
			Status: a.Status, Companions: a.Companions, Cancelled: ce.Status == "cancelled", Field: "answer_" + strconv.FormatInt(ce.ID, 10)}
		if a.ZoneID != nil {
			for _, z := range ce.Zones {
				if z.ID == *a.ZoneID {
					r.Zone = z.Name
				}
			}
		}
		if a.CheckedInAt != nil {
			r.CheckedIn = p.Date(*a.CheckedInAt)
		}
		if a.Status == StatusWaitlisted {
			d.Waitlisted = true
		}
		d.Ceremonies = append(d.Ceremonies, r)
	}
	if inv.RespondedAt != nil {
		d.Responded = p.Date(*inv.RespondedAt)
	}
	if inv.RespondedVia != nil {
		d.Via = *inv.RespondedVia
	}
	if inv.RespondedBy != nil {
		d.By = names[*inv.RespondedBy]
	}
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		r := historyRow{When: p.Date(e.At), Via: e.Via, What: describe(p, e, titles)}
		if e.UserID != nil {
			r.Who = names[*e.UserID]
		}
		d.History = append(d.History, r)
	}
	p.Data = d
	return h.View.Render(c, status, tmplInvitation, p)
}

// describe writes one history event in the reader's language.
func describe(p *view.Page, e Event, titles map[int64]string) string {
	var detail map[string]any
	if len(e.Detail) > 0 {
		if err := json.Unmarshal(e.Detail, &detail); err != nil {
			detail = nil
		}
	}
	title := func(v any) string {
		var id int64
		switch x := v.(type) {
		case float64:
			id = int64(x)
		case string:
			id, _ = strconv.ParseInt(x, 10, 64)
		}
		if t, ok := titles[id]; ok {
			return t
		}
		return "#" + strconv.FormatInt(id, 10)
	}
	switch e.Action {
	case "invited":
		return p.T("invitation.event.invited", "Allowed", detail["companions_allowed"])
	case "ceremony_added":
		return p.T("invitation.event.ceremony_added", "Ceremony", title(detail["ceremony_id"]))
	case "answer":
		var parts []string
		after, _ := detail["after"].(map[string]any)
		ids := make([]string, 0, len(after))
		for k := range after {
			ids = append(ids, k)
		}
		slices.Sort(ids)
		for _, k := range ids {
			st, _ := after[k].(string)
			parts = append(parts, title(k)+": "+p.T("invitation.status."+st))
		}
		s := p.T("invitation.event.answer", "Answers", strings.Join(parts, "; "))
		if names, _ := detail["companions"].([]any); len(names) > 0 {
			var ns []string
			for _, n := range names {
				ns = append(ns, fmt.Sprint(n))
			}
			s += " " + p.T("invitation.event.companions", "Names", strings.Join(ns, ", "))
		}
		if ch, _ := detail["channel"].(string); ch != "" {
			s += " " + p.T("invitation.event.channel", "Channel", p.T("invitation.channel."+ch))
		}
		return s
	case "promoted":
		return p.T("invitation.event.promoted", "Ceremony", title(detail["ceremony_id"]))
	case "ceremony_changed":
		return p.T("invitation.event.ceremony_changed", "Ceremony", title(detail["ceremony_id"]))
	case "checked_in":
		return p.T("invitation.event.checked_in", "Ceremony", title(detail["ceremony_id"]))
	case "companion_checked_in":
		return p.T("invitation.event.companion_checked_in", "Ceremony", title(detail["ceremony_id"]))
	case "check_in_undone":
		return p.T("invitation.event.check_in_undone", "Ceremony", title(detail["ceremony_id"]))
	case "companions_allowed":
		return p.T("invitation.event.companions_allowed", "Before", detail["before"], "After", detail["after"])
	case "new_link":
		if sent, _ := detail["sent"].(bool); sent {
			return p.T("invitation.event.new_link_sent")
		}
		return p.T("invitation.event.new_link")
	case "revoked", "letter_printed", "remind_requested", "guest_merged":
		return p.T("invitation.event." + e.Action)
	}
	return e.Action
}

// Invitation shows GET /editions/:year/invitations/:id: the guest, the
// answer to each ceremony, the history, and the actions.
func (h *Handler) Invitation(c echo.Context) error {
	ed, inv, err := h.invitationOf(c)
	if err != nil {
		return err
	}
	p := h.View.Page(c, "invitation.title")
	p.Form = view.NewForm(staffAnswerValues(inv))
	return h.renderInvitation(c, http.StatusOK, p, ed, inv)
}

// RecordAnswer handles POST /editions/:year/invitations/:id/answer: an
// answer received by phone, diplomatic note, e-mail or in person, recorded
// by staff on the guest's behalf — also after the deadline.
func (h *Handler) RecordAnswer(c echo.Context) error {
	ed, inv, err := h.invitationOf(c)
	if err != nil {
		return err
	}
	f, form := bindStaffAnswer(c, inv)
	p := h.View.Page(c, "invitation.title")
	p.Form = form
	if !form.Valid() {
		return h.renderInvitation(c, http.StatusUnprocessableEntity, p, ed, inv)
	}
	by := actorOf(c, ViaStaff)
	by.Channel = f.Channel
	out, err := h.Store.Answer(c.Request().Context(), inv.ID, f.Response, by)
	switch {
	case errors.Is(err, ErrTooManyCompanions):
		form.Add("companion_1", "invitation.error.too_many_companions", "Count", inv.CompanionsAllowed)
		return h.renderInvitation(c, http.StatusUnprocessableEntity, p, ed, inv)
	case err != nil:
		return notFound(err)
	}
	to := invitationURL(ed.Year, inv.ID)
	if !out.Changed {
		return h.flashTo(c, view.FlashInfo, "invitation.answer.unchanged", to)
	}
	for _, st := range out.Status {
		if st == StatusWaitlisted {
			return h.flashTo(c, view.FlashInfo, "invitation.answer.waitlisted", to)
		}
	}
	return h.flashTo(c, view.FlashSuccess, "invitation.answer.recorded", to)
}

// Revoke handles POST /editions/:year/invitations/:id/revoke: the link
// stops working; the answers stay.
func (h *Handler) Revoke(c echo.Context) error {
	ed, inv, err := h.invitationOf(c)
	if err != nil {
		return err
	}
	if err := h.Store.Revoke(c.Request().Context(), inv.ID, actorOf(c, ViaOrganizer)); err != nil {
		return notFound(err)
	}
	return h.flashTo(c, view.FlashSuccess, "invitation.revoked", invitationURL(ed.Year, inv.ID))
}

// NewLink handles POST /editions/:year/invitations/:id/link: a new link
// replaces the old one, mailed to the guest if asked.
func (h *Handler) NewLink(c echo.Context) error {
	ed, inv, err := h.invitationOf(c)
	if err != nil {
		return err
	}
	send := c.FormValue("send") == "on"
	if err := h.Store.NewLink(c.Request().Context(), inv.ID, send, actorOf(c, ViaOrganizer)); err != nil {
		return notFound(err)
	}
	key := "invitation.new_link.done"
	if send {
		key = "invitation.new_link.sent"
	}
	return h.flashTo(c, view.FlashSuccess, key, invitationURL(ed.Year, inv.ID))
}

// Promote handles POST /editions/:year/invitations/:id/promote: a
// waitlisted answer to ceremony gets its seats if they are free now.
func (h *Handler) Promote(c echo.Context) error {
	ed, inv, err := h.invitationOf(c)
	if err != nil {
		return err
	}
	cid, err := strconv.ParseInt(c.FormValue("ceremony"), 10, 64)
	if err != nil || inv.Answer(cid) == nil {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	to := invitationURL(ed.Year, inv.ID)
	err = h.Store.Promote(c.Request().Context(), inv.ID, cid, actorOf(c, ViaOrganizer))
	if errors.Is(err, ErrNoSeat) {
		return h.flashTo(c, view.FlashError, "invitation.promote.no_seat", to, "Seats", inv.Answer(cid).Seats())
	}
	if err != nil {
		return notFound(err)
	}
	return h.flashTo(c, view.FlashSuccess, "invitation.promote.done", to)
}

// SetCompanions handles POST /editions/:year/invitations/:id/companions.
func (h *Handler) SetCompanions(c echo.Context) error {
	ed, inv, err := h.invitationOf(c)
	if err != nil {
		return err
	}
	to := invitationURL(ed.Year, inv.ID)
	raw := strings.TrimSpace(c.FormValue("companions_allowed"))
	// A refusal is shown beside the field, with what was typed.
	refuse := func(key string, kv ...any) error {
		p := h.View.Page(c, "invitation.title")
		p.Form = view.NewForm(staffAnswerValues(inv))
		p.Form.Values["companions_allowed"] = raw
		p.Form.Add("companions_allowed", key, kv...)
		return h.renderInvitation(c, http.StatusUnprocessableEntity, p, ed, inv)
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 || n > MaxCompanions {
		return refuse("invitation.allowed.invalid", "Max", MaxCompanions)
	}
	err = h.Store.SetCompanionsAllowed(c.Request().Context(), inv.ID, n, actorOf(c, ViaOrganizer))
	if errors.Is(err, ErrTooManyCompanions) {
		return refuse("invitation.allowed.named", "Count", len(inv.Companions))
	}
	if err != nil {
		return notFound(err)
	}
	return h.flashTo(c, view.FlashSuccess, "invitation.allowed.done", to, "Count", n)
}
