package checkin

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/delegation"
	"vigil/internal/view"
)

// Attendee lists: who is invited to a ceremony, filtered and ordered as
// the protocol office needs them, on screen, on paper (with a tick-box
// column for checking guests off by hand), as a PDF and as CSV or XLSX.
// All come from the same query (Lists.EachListRow) with the same columns,
// chosen by the user and kept in the query string so that a printed or
// exported link gives the same list again. Every output streams the rows
// as the cursor reads them, so a 5,000-guest list never sits in memory
// whole and the page starts arriving before the query has finished.

// Template names of the lists.
const (
	tmplList      = "checkin/list"
	tmplListPrint = "checkin/list_print"
	// tmplListRows renders a chunk of rows of either page (it has no
	// layout of its own).
	tmplListRows = "checkin/list_rows"
)

// listViews are the attendee lists' templates.
var listViews = []string{tmplList, tmplListPrint, tmplListRows}

// Sort orders of the list.
const (
	ListSortPrecedence = "precedence"
	ListSortName       = "name"
)

// ListNone as ListQuery.ZoneID or GateID selects the guests without a
// zone, or expected at no gate.
const ListNone = -1

// ListQuery selects and orders the answers of one ceremony.
type ListQuery struct {
	CeremonyID int64
	// Status is an answer status, or "all".
	Status       string
	Kind         string
	DelegationID int64
	VIPOnly      bool
	// ZoneID keeps the answers seated in one zone (0: any; ListNone:
	// without a zone).
	ZoneID int64
	// GateID keeps the guests expected at one gate of the venue, the
	// arrival gate of their delegation (0: any; ListNone: no gate).
	GateID int64
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
	Name string
	// PlainName is the name as printed without the honorific (unless the
	// printed name carries one), for lists with an honorific column.
	PlainName    string
	Honorific    string
	Position     string
	Phone        string
	Needs        string
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
	// ExpectedGate is the gate the guest's delegation arrives by.
	ExpectedGate string
	CheckedInAt  *time.Time
	// Gate is the gate the guest was checked in at.
	Gate string
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

// ListColumns are the columns a list can show, in the order it shows
// them; the query string names the chosen ones (?col=name&col=zone…).
var ListColumns = []string{
	"no", "name", "honorific", "delegation", "kind", "position", "vip", "zone", "gate",
	"answer", "companions", "needs", "phone", "checked_in", "tick",
}

// listDefaultColumns are shown when the query string chooses none.
var listDefaultColumns = []string{"no", "name", "delegation", "zone", "answer", "companions", "checked_in", "tick"}

// doorColumns are a door list's columns unless others are chosen: what a
// steward at a gate needs, in type big enough to read standing.
var doorColumns = []string{"no", "name", "delegation", "companions", "tick"}

// listOptions are what the query string asks of a list: which rows
// (Query), which columns and how they go on paper.
type listOptions struct {
	Query ListQuery
	// Cols are the chosen columns, in ListColumns order.
	Cols []string
	// Door makes the list a door list: one gate's guests, big type.
	Door bool
	// Break starts each delegation on a new page.
	Break     bool
	Letter    bool
	Landscape bool
}

func (o listOptions) has(col string) bool { return slices.Contains(o.Cols, col) }

// listOptionsOf reads the filters, columns and paper from the query
// string; unknown values fall back to the defaults (every answer, order of
// precedence, the default columns).
func listOptionsOf(c echo.Context, ceremonyID int64) listOptions {
	o := listOptions{Door: c.QueryParam("door") == "1"}
	q := ListQuery{CeremonyID: ceremonyID, Status: "all", Sort: ListSortPrecedence, Locale: view.Locale(c)}
	if o.Door && c.QueryParam("answer") == "" {
		// The door expects those who said they come.
		q.Status = StatusAccepted
	}
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
	q.DelegationID = queryID(c, "delegation")
	q.ZoneID = queryID(c, "zone")
	q.GateID = queryID(c, "gate")
	q.VIPOnly = c.QueryParam("vip") == "1"
	if c.QueryParam("sort") == ListSortName {
		q.Sort = ListSortName
	}
	o.Break = c.QueryParam("break") == "delegation"
	q.Grouped = c.QueryParam("group") == "delegation" || o.Break
	o.Query = q
	chosen := c.QueryParams()["col"]
	for _, col := range ListColumns {
		if slices.Contains(chosen, col) {
			o.Cols = append(o.Cols, col)
		}
	}
	if len(o.Cols) == 0 {
		o.Cols = listDefaultColumns
		if o.Door {
			o.Cols = doorColumns
		}
	}
	o.Letter = c.QueryParam("letter") == "1"
	o.Landscape = c.QueryParam("landscape") == "1"
	return o
}

// queryID reads an id filter: a positive id, "none" (ListNone), or 0 for
// anything else.
func queryID(c echo.Context, name string) int64 {
	v := c.QueryParam(name)
	if v == "none" {
		return ListNone
	}
	if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
		return id
	}
	return 0
}

// listCeremony reads the ceremony from the path (of the current edition).
func (h *Handler) listCeremony(c echo.Context) (Ceremony, error) {
	return h.pathCeremony(c, h.lists != nil)
}

// listName is the list's name as headers and titles give it: "Attendee
// list", or "Door list: Gate North".
func listName(p *view.Page, cer Ceremony, o listOptions) string {
	if !o.Door {
		return p.T("checkin.list.heading")
	}
	return p.T("checkin.list.door.title", "Gate", gateName(p, cer, o.Query.GateID))
}

// gateName names gate id of the ceremony's venue for the door list.
func gateName(p *view.Page, cer Ceremony, id int64) string {
	if id == ListNone {
		return p.T("checkin.list.no_gate")
	}
	for _, g := range cer.Gates {
		if g.ID == id {
			return g.Name
		}
	}
	return p.T("checkin.list.any_gate")
}

// listFormat writes the cells of the list in the reader's language, the
// same for every output.
type listFormat struct {
	p *view.Page
	// export writes for a spreadsheet: full dates, companions by name.
	export  bool
	unnamed string
	yes     string
	// plain drops the honorific from names (an honorific column has it).
	plain bool
}

func newListFormat(p *view.Page, o listOptions, export bool) listFormat {
	return listFormat{p: p, export: export, unnamed: p.T("checkin.list.companion_unnamed"), yes: p.T("checkin.list.yes"), plain: o.has("honorific")}
}

// cell is column col of row r, numbered no.
func (f listFormat) cell(col string, no int, r *ListRow) string {
	switch col {
	case "no":
		return strconv.Itoa(no)
	case "name":
		if f.plain {
			return r.PlainName
		}
		return r.Name
	case "honorific":
		return r.Honorific
	case "delegation":
		return r.Delegation
	case "kind":
		if r.Kind == "" {
			return ""
		}
		return f.p.T("delegation.kind." + r.Kind)
	case "position":
		return r.Position
	case "vip":
		if r.VIP {
			return f.yes
		}
	case "zone":
		return r.Zone
	case "gate":
		return r.ExpectedGate
	case "answer":
		return statusLabel(f.p, r.Status)
	case "companions":
		if f.export {
			return strings.Join(companionNames(r, f.unnamed), "; ")
		}
		if r.Companions > 0 {
			return strconv.Itoa(r.Companions)
		}
	case "needs":
		return r.Needs
	case "phone":
		return r.Phone
	case "checked_in":
		if r.CheckedInAt == nil {
			return ""
		}
		at := f.p.Clock(*r.CheckedInAt)
		if f.export {
			at = r.CheckedInAt.In(f.p.Zone).Format("2006-01-02 15:04")
		}
		if r.Gate != "" {
			at += " · " + r.Gate
		}
		return at
	case "tick":
		if r.CheckedInAt != nil {
			return "☑"
		}
		return "☐"
	}
	return ""
}

// listColumn is a column as the page heads it.
type listColumn struct {
	Key, Label string
}

func listColumnsOf(p *view.Page, o listOptions) []listColumn {
	out := make([]listColumn, len(o.Cols))
	for i, c := range o.Cols {
		out[i] = listColumn{Key: c, Label: p.T("checkin.list.col." + c)}
	}
	return out
}

// listCell is one cell of a row on the page. Its kind is worked out once
// here rather than compared in the template for each of 5,000 rows.
type listCell struct {
	Text string
	// Class is the cell's class, for the columns print styles ("" for
	// most).
	Class string
	// Name heads the row; Tick is the tick box.
	Name, Tick bool
}

// listLine is a row as the page shows it.
type listLine struct {
	Cells []listCell
	// VIPBadge marks a VIP beside the name when no VIP column says it.
	VIPBadge bool
	Declined bool
	// Companions are the names to list under the host (a placeholder for
	// each companion not named).
	Companions []string
}

// listGroup starts a delegation's rows (or all rows, untitled, when the
// list is not grouped).
type listGroup struct {
	Title string
	// Close ends the previous group's table first.
	Close bool
	// Break starts the group on a new page.
	Break bool
}

// listItem is a new group or a row.
type listItem struct {
	Group *listGroup
	Line  *listLine
}

// listChunk is a run of rows, rendered by tmplListRows and sent as it
// comes.
type listChunk struct {
	Cols []listColumn
	// Repeat is the header repeated above the table on every printed
	// page ("" on screen).
	Repeat string
	Items  []listItem
	// End closes the list: the last table, the count (or the empty
	// state).
	End   bool
	Open  bool
	Shown int
	// Failed says the rows could not all be read.
	Failed bool
	// VIPLabel and CompanionLabel are the words beside a VIP's and a
	// companion's name.
	VIPLabel, CompanionLabel string
	// CompanionBefore and CompanionAfter are the empty cells before and
	// after a companion's name, the tick box among them.
	CompanionBefore, CompanionAfter template.HTML
	// CompanionSpan is how many columns a companion's name spans.
	CompanionSpan int
}

// listOption is a choice of a filter form (the list's and the prints').
type listOption struct {
	Value, Label string
	Selected     bool
}

// doorLink is a gate's door list, one click away from the list.
type doorLink struct {
	Gate                 string
	ByPrecedence, ByName string
	PDF                  string
}

type listData struct {
	Ceremony Ceremony
	When     string
	Base     string
	// The same list elsewhere: on screen, printed, as PDF, CSV and XLSX
	// (the query string carried along).
	ListURL, PrintURL, PDFURL, CSVURL, XLSXURL string
	// Customised says columns or paper were chosen (their options are
	// shown open).
	Customised bool
	Counts     []string
	// Name is the list's name: "Attendee list" or "Door list: Gate 2".
	Name                    string
	Statuses, Kinds, Delegs []listOption
	Zones, Gates            []listOption
	Columns                 []listOption
	Doors                   []doorLink
	VIPOnly                 bool
	ByName                  bool
	Grouped                 bool
	Break                   bool
	Letter, Landscape, Door bool
	// BodyClass is the print page's paper: print-landscape, print-letter.
	BodyClass string
	Printed   string
	// Rows marks where the streamed rows go in the page.
	Rows template.HTML
}

// rowsMarker is where the rows go: the page around it is rendered first,
// split there, and the rows streamed between its two halves.
const rowsMarker = "<!--vigil:list-rows-->"

// List serves GET /checkin/:ceremony/list.
func (h *Handler) List(c echo.Context) error { return h.renderList(c, tmplList) }

// ListPrint serves GET /checkin/:ceremony/list/print: the same rows for
// paper, A4 portrait unless ?landscape=1 or ?letter=1; ?door=1 with
// ?gate= makes it a gate's door list.
func (h *Handler) ListPrint(c echo.Context) error { return h.renderList(c, tmplListPrint) }

func (h *Handler) renderList(c echo.Context, tmpl string) error {
	cer, err := h.listCeremony(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	o := listOptionsOf(c, cer.ID)
	q := o.Query
	p := h.View.Page(c, "checkin.list.title", "Title", cer.Title)
	p.Nav = "checkin"
	p.Zone = cer.Location
	name := listName(p, cer, o)
	if o.Door {
		p.Title = name + " — " + cer.Title
	}
	d := listData{
		Ceremony: cer, When: p.LongDay(cer.StartsAt) + ", " + p.Clock(cer.StartsAt), Name: name,
		Base:    "/checkin/" + strconv.FormatInt(cer.ID, 10),
		Grouped: q.Grouped, VIPOnly: q.VIPOnly, ByName: q.Sort == ListSortName,
		Break: o.Break, Letter: o.Letter, Landscape: o.Landscape, Door: o.Door,
		Rows: template.HTML(rowsMarker),
	}
	query := c.QueryString()
	if query != "" {
		query = "?" + query
	}
	d.ListURL, d.PrintURL, d.PDFURL = d.Base+"/list"+query, d.Base+"/list/print"+query, d.Base+"/list.pdf"+query
	d.CSVURL, d.XLSXURL = d.Base+"/list.csv"+query, d.Base+"/list.xlsx"+query
	d.Customised = len(c.QueryParams()["col"]) > 0 || o.Letter || o.Landscape || o.Break
	var classes []string
	if o.Letter {
		classes = append(classes, "print-letter")
	}
	if o.Landscape {
		classes = append(classes, "print-landscape")
	}
	if o.Door {
		classes = append(classes, "list-door")
	}
	d.BodyClass = strings.Join(classes, " ")
	d.Printed = p.T("checkin.list.printed", "When", p.Date(time.Now()))

	counts, err := h.lists.ListCounts(ctx, cer.ID)
	if err != nil {
		return fmt.Errorf("checkin: list counts: %w", err)
	}
	for _, s := range listStatuses[1:] {
		d.Counts = append(d.Counts, p.T("checkin.list.count."+s, "Count", counts[s]))
	}
	if tmpl == tmplList {
		if err := h.listFilters(c, p, cer, o, &d); err != nil {
			return err
		}
	}
	p.Data = d
	frame, err := h.capture(c, tmpl, p)
	if err != nil {
		return err
	}
	head, tail, ok := bytes.Cut(frame, []byte(rowsMarker))
	if !ok {
		return fmt.Errorf("checkin: %s has no place for the rows", tmpl)
	}

	resp := c.Response()
	resp.Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	resp.Header().Set("Content-Language", p.Locale)
	resp.WriteHeader(http.StatusOK)
	if _, err := resp.Write(head); err != nil {
		return fmt.Errorf("checkin: list: %w", err)
	}
	resp.Flush()

	chunk := listChunk{Cols: listColumnsOf(p, o), VIPLabel: p.T("checkin.list.vip"), CompanionLabel: p.T("checkin.list.companion")}
	chunk.CompanionBefore, chunk.CompanionAfter, chunk.CompanionSpan = companionCells(o.Cols)
	if tmpl == tmplListPrint {
		chunk.Repeat = cer.Title + " · " + d.When + " · " + name
	}
	send := func() error {
		p.Data = &chunk
		b, err := h.capture(c, tmplListRows, p)
		if err != nil {
			return err
		}
		if _, err := resp.Write(b); err != nil {
			return fmt.Errorf("checkin: list: %w", err)
		}
		resp.Flush()
		chunk.Items = chunk.Items[:0]
		return nil
	}
	lines := 0
	err = h.eachListItem(ctx, p, o, func(it listItem) error {
		if it.Line == nil {
			it.Group.Close = chunk.Open
			chunk.Open = true
		} else {
			chunk.Shown++
			lines++
		}
		chunk.Items = append(chunk.Items, it)
		if it.Line == nil && chunk.Shown == 0 {
			// The first table's header goes out before the first row.
			return send()
		}
		if lines == listChunkRows {
			lines = 0
			return send()
		}
		return nil
	})
	if err != nil {
		// The page is on its way: an error page cannot replace it, so the
		// reader is told at the end of the rows, and the log says why.
		slog.Error("checkin: attendee list failed mid-stream", "request_id", view.RequestID(c), "err", err)
		chunk.Failed = true
	}
	chunk.End = true
	if err := send(); err != nil {
		slog.Error("checkin: attendee list failed mid-stream", "request_id", view.RequestID(c), "err", err)
		return nil
	}
	if _, err := resp.Write(tail); err != nil {
		slog.Error("checkin: attendee list failed mid-stream", "request_id", view.RequestID(c), "err", err)
	}
	return nil
}

// listCellClass are the classes of the cells print styles size or keep
// on one line; other cells have none, which keeps 5,000 rows lighter.
var listCellClass = map[string]string{
	"no": "col-no", "tick": "col-tick", "phone": "col-phone", "checked_in": "col-checked_in", "companions": "col-companions",
}

// companionCells are the cells of a companion's row around the name:
// empty ones, and the tick box (constant markup).
// The name's cell spans the empty columns after it, up to the tick box.
func companionCells(cols []string) (before, after template.HTML, span int) {
	var b, a strings.Builder
	w := &b
	for _, c := range cols {
		switch {
		case c == "name":
			w, span = &a, 1
		case c == "tick":
			w.WriteString(`<td class="col-tick" aria-hidden="true">☐</td>`)
		case span > 0 && a.Len() == 0:
			span++
		default:
			w.WriteString("<td></td>")
		}
	}
	return template.HTML(b.String()), template.HTML(a.String()), max(span, 1)
}

// listChunkRows is how many rows go out at a time: enough to keep the
// template's overhead small, few enough that the reader sees rows soon.
const listChunkRows = 250

// eachListItem calls fn with each group start and each row of the list o
// asks for, read through the lists' cursor.
func (h *Handler) eachListItem(ctx context.Context, p *view.Page, o listOptions, fn func(listItem) error) error {
	f := newListFormat(p, o, false)
	withCompanions := o.has("companions")
	started := false
	var curDeleg *int64
	no := 0
	return h.lists.EachListRow(ctx, o.Query, func(r *ListRow) error {
		if !started || (o.Query.Grouped && !sameID(curDeleg, r.DelegationID)) {
			g := &listGroup{Break: o.Break && started}
			if o.Query.Grouped {
				g.Title = r.Delegation
				if r.DelegationID == nil {
					g.Title = p.T("checkin.list.no_delegation")
				}
			}
			started, curDeleg = true, r.DelegationID
			if err := fn(listItem{Group: g}); err != nil {
				return err
			}
		}
		no++
		l := &listLine{Cells: make([]listCell, len(o.Cols)), VIPBadge: r.VIP && !o.has("vip"), Declined: r.Status == StatusDeclined}
		for i, col := range o.Cols {
			l.Cells[i] = listCell{Text: f.cell(col, no, r), Name: col == "name", Tick: col == "tick"}
			l.Cells[i].Class = listCellClass[col]
		}
		if withCompanions {
			l.Companions = companionNames(r, f.unnamed)
		}
		return fn(listItem{Line: l})
	})
}

// listFilters fills the filter form's choices and the door lists' links.
func (h *Handler) listFilters(c echo.Context, p *view.Page, cer Ceremony, o listOptions, d *listData) error {
	q := o.Query
	for _, s := range listStatuses {
		d.Statuses = append(d.Statuses, listOption{Value: s, Label: statusLabel(p, s), Selected: q.Status == s})
	}
	dels, err := h.lists.ListDelegations(c.Request().Context(), cer.ID)
	if err != nil {
		return fmt.Errorf("checkin: list delegations: %w", err)
	}
	d.Kinds, d.Delegs, d.Zones = filterChoices(p, cer, dels, q.Kind, q.DelegationID, q.ZoneID, filterLabels{
		AnyKind: "checkin.list.any_kind", AnyDelegation: "checkin.list.any_delegation",
		AnyZone: "checkin.list.any_zone", NoZone: "checkin.list.no_zone",
	})
	d.Gates = append(d.Gates, listOption{Value: "", Label: p.T("checkin.list.any_gate")})
	door := func(gate, value string) doorLink {
		v := url.Values{"door": {"1"}, "gate": {value}, "answer": {StatusAccepted}}
		l := doorLink{Gate: gate, ByPrecedence: d.Base + "/list/print?" + v.Encode(), PDF: d.Base + "/list.pdf?" + v.Encode()}
		v.Set("sort", ListSortName)
		l.ByName = d.Base + "/list/print?" + v.Encode()
		return l
	}
	for _, g := range cer.Gates {
		id := strconv.FormatInt(g.ID, 10)
		d.Gates = append(d.Gates, listOption{Value: id, Label: g.Name, Selected: q.GateID == g.ID})
		d.Doors = append(d.Doors, door(g.Name, id))
	}
	d.Gates = append(d.Gates, listOption{Value: "none", Label: p.T("checkin.list.no_gate"), Selected: q.GateID == ListNone})
	if len(cer.Gates) > 0 {
		d.Doors = append(d.Doors, door(p.T("checkin.list.no_gate"), "none"))
	}
	for _, col := range ListColumns {
		d.Columns = append(d.Columns, listOption{Value: col, Label: p.T("checkin.list.col." + col), Selected: o.has(col)})
	}
	return nil
}

// capture renders page as template name and returns the bytes: the
// view.Renderer renders whole pages into a buffer (so that a template
// error never sends half a page), which the list turns into a stream by
// rendering its frame and its chunks of rows one at a time.
func (h *Handler) capture(c echo.Context, name string, p *view.Page) ([]byte, error) {
	w := &captureWriter{}
	orig := c.Response()
	c.SetResponse(echo.NewResponse(w, c.Echo()))
	err := h.View.Render(c, http.StatusOK, name, p)
	c.SetResponse(orig)
	if err != nil {
		return nil, fmt.Errorf("checkin: list: %w", err)
	}
	return w.buf.Bytes(), nil
}

// captureWriter is a response writer that keeps the body (a list's
// chunks, the board's fragments).
type captureWriter struct {
	buf    bytes.Buffer
	header http.Header
}

func (w *captureWriter) Header() http.Header {
	if w.header == nil {
		w.header = http.Header{}
	}
	return w.header
}

func (w *captureWriter) Write(b []byte) (int, error) { return w.buf.Write(b) }

func (w *captureWriter) WriteHeader(int) {}

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

// companionNames lists a row's companions: the names given, then the
// placeholder unnamed for each companion coming without a name.
func companionNames(r *ListRow, unnamed string) []string {
	n := max(r.Companions, len(r.CompanionNames))
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

// ListCSV serves GET /checkin/:ceremony/list.csv.
func (h *Handler) ListCSV(c echo.Context) error { return h.exportList(c, "csv") }

// ListXLSX serves GET /checkin/:ceremony/list.xlsx.
func (h *Handler) ListXLSX(c echo.Context) error { return h.exportList(c, "xlsx") }

// listFileName is the download's name: attendees-<ceremony>-<day>.<ext>,
// or door-list-<ceremony>[-gate-<gate>]-<day>.<ext> for a door list.
func listFileName(cer Ceremony, p *view.Page, o listOptions, ext string) string {
	name := "attendees-" + strconv.FormatInt(cer.ID, 10)
	if o.Door {
		name = "door-list-" + strconv.FormatInt(cer.ID, 10)
		if o.Query.GateID > 0 {
			name += "-gate-" + strconv.FormatInt(o.Query.GateID, 10)
		}
	}
	return name + "-" + cer.StartsAt.In(p.Zone).Format("2006-01-02") + "." + ext
}

// exportList streams the list's rows as a spreadsheet. The tick-box
// column is for paper and is left out.
func (h *Handler) exportList(c echo.Context, ext string) error {
	cer, err := h.listCeremony(c)
	if err != nil {
		return err
	}
	o := listOptionsOf(c, cer.ID)
	o.Cols = slices.DeleteFunc(slices.Clone(o.Cols), func(c string) bool { return c == "tick" })
	p := h.View.Page(c, "checkin.list.heading")
	p.Zone = cer.Location
	return sendSheet(c, "list", ext, listFileName(cer, p, o, ext), "Attendees", func(w sheetWriter) error {
		row := make([]string, len(o.Cols))
		for i, col := range o.Cols {
			row[i] = p.T("checkin.list.col." + col)
		}
		if err := w.Write(row); err != nil {
			return err
		}
		no := 0
		f := newListFormat(p, o, true)
		return h.lists.EachListRow(c.Request().Context(), o.Query, func(r *ListRow) error {
			no++
			for i, col := range o.Cols {
				row[i] = f.cell(col, no, r)
			}
			return w.Write(row)
		})
	})
}
