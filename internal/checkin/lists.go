package checkin

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/delegation"
	"vigil/internal/delegation/sheet"
	"vigil/internal/view"
)

// Attendee lists: who is invited to a ceremony, filtered and ordered as
// the protocol office needs them, on screen, on paper (with a tick-box
// column for checking guests off by hand) and as CSV or XLSX. The three
// come from the same query (Lists.EachListRow); the exports stream it row
// by row, so a 5,000-guest list never sits in memory whole.

// Template names of the lists.
const (
	tmplList      = "checkin/list"
	tmplListPrint = "checkin/list_print"
)

// listViews are the attendee lists' templates.
var listViews = []string{tmplList, tmplListPrint}

// Sort orders of the list.
const (
	ListSortPrecedence = "precedence"
	ListSortName       = "name"
)

// ListQuery selects and orders the answers of one ceremony.
type ListQuery struct {
	CeremonyID int64
	// Status is an answer status, or "all".
	Status       string
	Kind         string
	DelegationID int64
	VIPOnly      bool
	// Sort is ListSortPrecedence or ListSortName.
	Sort string
	// Grouped keeps each delegation's guests together.
	Grouped bool
	// Locale is the reader's language, whose collation names sort in.
	Locale string
}

// ListRow is one line of the list: an invited guest and their answer.
type ListRow struct {
	InvitationID int64
	GuestID      int64
	// Name is the name as printed, with the honorific.
	Name         string
	VIP          bool
	DelegationID *int64
	Delegation   string
	Kind         string
	Status       string
	Companions   int
	// CompanionNames are the names the guest gave (maybe fewer than
	// Companions).
	CompanionNames []string
	Zone           string
	CheckedInAt    *time.Time
	Gate           string
}

// ListDelegation is a delegation offered by the list's filter.
type ListDelegation struct {
	ID   int64
	Name string
}

// Lists reads the attendee lists. The app implements it over the
// invitation store (internal/app/checkin_lists.go).
type Lists interface {
	// EachListRow calls fn with every row q selects, in q's order, read
	// through one cursor. fn must not keep the row.
	EachListRow(ctx context.Context, q ListQuery, fn func(*ListRow) error) error
	// ListCounts counts a ceremony's answers by status.
	ListCounts(ctx context.Context, ceremonyID int64) (map[string]int, error)
	// ListDelegations lists the delegations with guests invited to a
	// ceremony, in order of precedence.
	ListDelegations(ctx context.Context, ceremonyID int64) ([]ListDelegation, error)
}

// WithLists gives the handler what the attendee lists need.
func (h *Handler) WithLists(l Lists) *Handler {
	h.lists = l
	return h
}

// listStatuses are the answer filter's choices, "all" first.
var listStatuses = []string{"all", StatusAccepted, StatusDeclined, StatusWaitlisted, StatusPending}

// listQuery reads the filters and order from the query string; unknown
// values fall back to the defaults (every answer, order of precedence).
func listQuery(c echo.Context, ceremonyID int64) ListQuery {
	q := ListQuery{CeremonyID: ceremonyID, Status: "all", Sort: ListSortPrecedence, Locale: view.Locale(c)}
	for _, s := range listStatuses {
		if c.QueryParam("answer") == s {
			q.Status = s
		}
	}
	for _, k := range delegation.Kinds {
		if c.QueryParam("kind") == k {
			q.Kind = k
		}
	}
	if id, err := strconv.ParseInt(c.QueryParam("delegation"), 10, 64); err == nil && id > 0 {
		q.DelegationID = id
	}
	q.VIPOnly = c.QueryParam("vip") == "1"
	if c.QueryParam("sort") == ListSortName {
		q.Sort = ListSortName
	}
	q.Grouped = c.QueryParam("group") == "delegation" || c.QueryParam("break") == "delegation"
	return q
}

// listCeremony reads the ceremony from the path (of the current edition).
func (h *Handler) listCeremony(c echo.Context) (Ceremony, error) {
	id, err := pathID(c, "ceremony")
	if err != nil {
		return Ceremony{}, err
	}
	if h.lists == nil {
		return Ceremony{}, echo.NewHTTPError(http.StatusNotFound)
	}
	cer, err := h.ceremony(c.Request().Context(), id)
	if err != nil {
		return Ceremony{}, notFound(err)
	}
	return cer, nil
}

// listLine is a row as the page shows it.
type listLine struct {
	No         int
	Name       string
	VIP        bool
	Delegation string
	Zone       string
	Status     string
	Declined   bool
	// Companions are the names to list under the host (a placeholder for
	// each companion not named).
	Companions []string
	// CheckedIn says when and at which gate ("" when not yet).
	CheckedIn string
}

// listGroup is the rows of one delegation (or all rows, untitled, when
// the list is not grouped).
type listGroup struct {
	Title string
	Lines []listLine
}

type listOption struct {
	Value, Label string
	Selected     bool
}

type listData struct {
	Ceremony Ceremony
	When     string
	Base     string
	// Query is the filters' query string, for the print and export links.
	Query                   string
	Counts                  []string
	Shown                   int
	Groups                  []listGroup
	Grouped                 bool
	Statuses, Kinds, Delegs []listOption
	VIPOnly                 bool
	ByName                  bool
	// Break starts each delegation on a new page (print).
	Break bool
	// BodyClass is the print page's paper: print-landscape, print-letter.
	BodyClass string
	Printed   string
	Meta      string
}

// List serves GET /checkin/:ceremony/list.
func (h *Handler) List(c echo.Context) error { return h.renderList(c, tmplList) }

// ListPrint serves GET /checkin/:ceremony/list/print: the same rows for
// paper, A4 portrait unless ?landscape=1 or ?letter=1.
func (h *Handler) ListPrint(c echo.Context) error { return h.renderList(c, tmplListPrint) }

func (h *Handler) renderList(c echo.Context, tmpl string) error {
	cer, err := h.listCeremony(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	q := listQuery(c, cer.ID)
	p := h.View.Page(c, "checkin.list.title", "Title", cer.Title)
	p.Nav = "checkin"
	p.Zone = cer.Location
	d := listData{
		Ceremony: cer, When: p.LongDay(cer.StartsAt) + ", " + p.Clock(cer.StartsAt),
		Base: "/checkin/" + strconv.FormatInt(cer.ID, 10), Query: c.QueryString(),
		Grouped: q.Grouped, VIPOnly: q.VIPOnly, ByName: q.Sort == ListSortName,
		Break: c.QueryParam("break") == "delegation",
	}
	var classes []string
	if c.QueryParam("letter") == "1" {
		classes = append(classes, "print-letter")
	}
	if c.QueryParam("landscape") == "1" {
		classes = append(classes, "print-landscape")
	}
	d.BodyClass = strings.Join(classes, " ")
	d.Printed = p.T("checkin.list.printed", "When", p.Date(time.Now()))
	d.Meta = d.When + " · " + p.T("checkin.list.heading")

	counts, err := h.lists.ListCounts(ctx, cer.ID)
	if err != nil {
		return fmt.Errorf("checkin: list counts: %w", err)
	}
	for _, s := range listStatuses[1:] {
		d.Counts = append(d.Counts, p.T("checkin.list.count."+s, "Count", counts[s]))
	}
	for _, s := range listStatuses {
		d.Statuses = append(d.Statuses, listOption{Value: s, Label: statusLabel(p, s), Selected: q.Status == s})
	}
	d.Kinds = append(d.Kinds, listOption{Value: "", Label: p.T("checkin.list.any_kind")})
	for _, k := range delegation.Kinds {
		d.Kinds = append(d.Kinds, listOption{Value: k, Label: p.T("delegation.kind." + k), Selected: q.Kind == k})
	}
	dels, err := h.lists.ListDelegations(ctx, cer.ID)
	if err != nil {
		return fmt.Errorf("checkin: list delegations: %w", err)
	}
	d.Delegs = append(d.Delegs, listOption{Value: "", Label: p.T("checkin.list.any_delegation")})
	for _, dl := range dels {
		d.Delegs = append(d.Delegs, listOption{Value: strconv.FormatInt(dl.ID, 10), Label: dl.Name, Selected: q.DelegationID == dl.ID})
	}

	var cur *listGroup
	var curDeleg *int64
	err = h.lists.EachListRow(ctx, q, func(r *ListRow) error {
		if cur == nil || (q.Grouped && !sameID(curDeleg, r.DelegationID)) {
			title := ""
			if q.Grouped {
				title = r.Delegation
				if r.DelegationID == nil {
					title = p.T("checkin.list.no_delegation")
				}
			}
			d.Groups = append(d.Groups, listGroup{Title: title})
			cur = &d.Groups[len(d.Groups)-1]
			curDeleg = r.DelegationID
		}
		d.Shown++
		cur.Lines = append(cur.Lines, listLineOf(p, d.Shown, r))
		return nil
	})
	if err != nil {
		return err
	}
	p.Data = d
	return h.View.Render(c, http.StatusOK, tmpl, p)
}

func sameID(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// statusLabel names an answer status ("all" included).
func statusLabel(p *view.Page, s string) string {
	if s == "all" {
		return p.T("checkin.list.answer_all")
	}
	return p.T("checkin.status." + s)
}

// listLineOf is row r, numbered no, as the page shows it.
func listLineOf(p *view.Page, no int, r *ListRow) listLine {
	l := listLine{
		No: no, Name: r.Name, VIP: r.VIP, Delegation: r.Delegation, Zone: r.Zone,
		Status: statusLabel(p, r.Status), Declined: r.Status == StatusDeclined,
		Companions: companionNames(r, p.T("checkin.list.companion_unnamed")),
	}
	if r.CheckedInAt != nil {
		l.CheckedIn = p.Clock(*r.CheckedInAt)
		if r.Gate != "" {
			l.CheckedIn += " · " + r.Gate
		}
	}
	return l
}

// companionNames lists a row's companions: the names given, then the
// placeholder unnamed for each companion coming without a name.
func companionNames(r *ListRow, unnamed string) []string {
	n := r.Companions
	if len(r.CompanionNames) > n {
		n = len(r.CompanionNames)
	}
	out := make([]string, 0, n)
	for i := range n {
		if i < len(r.CompanionNames) {
			out = append(out, r.CompanionNames[i])
		} else {
			out = append(out, unnamed)
		}
	}
	return out
}

// listRowWriter is a CSV or XLSX writer.
type listRowWriter interface {
	Write(row []string) error
	Close() error
}

// ListCSV serves GET /checkin/:ceremony/list.csv.
func (h *Handler) ListCSV(c echo.Context) error {
	return h.exportList(c, "csv", "text/csv; charset=utf-8", func() (listRowWriter, error) {
		return sheet.NewCSVWriter(c.Response()), nil
	})
}

// ListXLSX serves GET /checkin/:ceremony/list.xlsx.
func (h *Handler) ListXLSX(c echo.Context) error {
	return h.exportList(c, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", func() (listRowWriter, error) {
		return sheet.NewXLSXWriter(c.Response(), "Attendees")
	})
}

// exportList streams the list's rows through the writer open makes, every
// cell neutralised against formula injection by the sheet package.
func (h *Handler) exportList(c echo.Context, ext, contentType string, open func() (listRowWriter, error)) error {
	cer, err := h.listCeremony(c)
	if err != nil {
		return err
	}
	q := listQuery(c, cer.ID)
	p := h.View.Page(c, "checkin.list.heading")
	p.Zone = cer.Location
	name := "attendees-" + strconv.FormatInt(cer.ID, 10) + "-" + cer.StartsAt.In(p.Zone).Format("2006-01-02") + "." + ext
	resp := c.Response()
	resp.Header().Set(echo.HeaderContentType, contentType)
	resp.Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+url.PathEscape(name)+`"`)
	resp.Header().Set("Cache-Control", "no-store")
	w, err := open()
	if err != nil {
		return fmt.Errorf("checkin: export list: %w", err)
	}
	header := []string{
		p.T("checkin.list.col.no"), p.T("checkin.list.col.name"), p.T("checkin.list.col.delegation"),
		p.T("checkin.list.col.vip"), p.T("checkin.list.col.zone"), p.T("checkin.list.col.answer"),
		p.T("checkin.list.col.companions"), p.T("checkin.list.col.checked_in"), p.T("checkin.list.col.gate"),
	}
	err = w.Write(header)
	no := 0
	unnamed := p.T("checkin.list.companion_unnamed")
	yes := p.T("checkin.list.yes")
	if err == nil {
		row := make([]string, len(header))
		err = h.lists.EachListRow(c.Request().Context(), q, func(r *ListRow) error {
			no++
			vip := ""
			if r.VIP {
				vip = yes
			}
			at := ""
			if r.CheckedInAt != nil {
				at = r.CheckedInAt.In(p.Zone).Format("2006-01-02 15:04")
			}
			row = append(row[:0], strconv.Itoa(no), r.Name, r.Delegation, vip, r.Zone, statusLabel(p, r.Status),
				strings.Join(companionNames(r, unnamed), "; "), at, r.Gate)
			return w.Write(row)
		})
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if resp.Committed {
			// The status is sent; an error page cannot replace half a
			// file, so the log is the only place this shows.
			slog.Error("checkin: list export failed mid-stream", "request_id", view.RequestID(c), "err", err)
		}
		return fmt.Errorf("checkin: export list %s: %w", ext, err)
	}
	if !resp.Committed {
		resp.WriteHeader(http.StatusOK)
	}
	return nil
}
