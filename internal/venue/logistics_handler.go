package venue

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/auth"
	"vigil/internal/view"
)

// edition reads :year and looks the edition up; a 404 when there is none.
func (h *Handler) edition(c echo.Context) (EditionRef, error) {
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil || year < 1900 || year > 2200 {
		return EditionRef{}, echo.NewHTTPError(http.StatusNotFound)
	}
	e, err := h.planning.Edition(c.Request().Context(), year)
	if err != nil {
		return EditionRef{}, notFound(err)
	}
	if e.Location == nil {
		e.Location = time.UTC
	}
	return e, nil
}

// ceremony reads :year and :id; a 404 unless the ceremony is one of that
// edition's.
func (h *Handler) ceremony(c echo.Context) (EditionRef, CeremonyRef, error) {
	e, err := h.edition(c)
	if err != nil {
		return e, CeremonyRef{}, err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return e, CeremonyRef{}, err
	}
	cr, err := h.planning.Ceremony(c.Request().Context(), e.Year, id)
	if err != nil {
		return e, cr, notFound(err)
	}
	return e, cr, nil
}

func editionURL(year int) string { return "/editions/" + strconv.Itoa(year) }

func ceremonyURL(cr CeremonyRef) string {
	return editionURL(cr.Year) + "/ceremonies/" + strconv.FormatInt(cr.ID, 10)
}

// span writes when a ceremony takes place: "Thursday, 26 February 2026,
// 11:00–12:30".
func span(p *view.Page, cr CeremonyRef) string {
	return p.LongDay(cr.StartsAt) + ", " + p.Clock(cr.StartsAt) + "–" + p.Clock(cr.EndsAt)
}

// phoneURI is a tel: link for a phone number written by hand, or "" when
// it holds nothing dialable. Only digits and a leading + are kept, so the
// link is safe to mark as a URL.
func phoneURI(phone string) template.URL {
	var b strings.Builder
	for i, r := range strings.TrimSpace(phone) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		}
	}
	if len(strings.TrimPrefix(b.String(), "+")) < 3 {
		return ""
	}
	return template.URL("tel:" + b.String())
}

// Logistics of a ceremony ----------------------------------------------------------------

type ceremonyHead struct {
	ID        int64
	Title     string
	When      string
	Cancelled bool
	VenueName string
	VenueURL  string
}

type resourceRow struct {
	ID       int64
	Item     string
	Quantity int
	Supplier string
	Status   string
	Notes    string
}

func newResourceRow(r Resource) resourceRow {
	return resourceRow{ID: r.ID, Item: r.Item, Quantity: r.Quantity, Supplier: r.Supplier, Status: r.Status, Notes: r.Notes}
}

type transportRow struct {
	ID          int64
	PickupAt    string
	Vehicle     string
	DriverName  string
	DriverPhone string
	PhoneURI    template.URL
	PickupPoint string
	Carries     string
	Seats       string
	Notes       string
}

type logisticsData struct {
	Year        int
	EditionName string
	Ceremony    ceremonyHead
	// BaseURL is the ceremony's address; the forms post below it.
	BaseURL           string
	Resources         []resourceRow
	Needed            int
	Transports        []transportRow
	Seats             int
	ResourceStatuses  []string
	EditResource      int64
	EditResourceName  string
	EditTransport     int64
	EditTransportName string
	TasksURL          string
	TransportPrintURL string
}

// logisticsState says which resource and transport forms are open for
// editing.
type logisticsState struct {
	resource, transport int64
}

func (h *Handler) head(ctx context.Context, p *view.Page, cr CeremonyRef) (ceremonyHead, error) {
	hd := ceremonyHead{ID: cr.ID, Title: cr.Title, When: span(p, cr), Cancelled: cr.Status == "cancelled"}
	if cr.VenueID != nil {
		v, err := h.store.ByID(ctx, *cr.VenueID)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return hd, err
		default:
			hd.VenueName, hd.VenueURL = v.Name, venueURL(v.ID)
		}
	}
	return hd, nil
}

func (h *Handler) renderLogistics(c echo.Context, status int, p *view.Page, e EditionRef, cr CeremonyRef, st logisticsState) error {
	ctx := c.Request().Context()
	p.Zone = e.Location
	p.Nav = "editions"
	resources, err := h.store.Resources(ctx, cr.ID)
	if err != nil {
		return err
	}
	transports, err := h.store.Transports(ctx, cr.ID)
	if err != nil {
		return err
	}
	hd, err := h.head(ctx, p, cr)
	if err != nil {
		return err
	}
	d := logisticsData{
		Year: e.Year, EditionName: e.Name, Ceremony: hd, BaseURL: ceremonyURL(cr),
		ResourceStatuses:  ResourceStatuses,
		TasksURL:          editionURL(e.Year) + "/tasks?ceremony=" + strconv.FormatInt(cr.ID, 10),
		TransportPrintURL: editionURL(e.Year) + "/transport/print?ceremony=" + strconv.FormatInt(cr.ID, 10),
	}
	resourceDefaults := map[string]string{"quantity": "1", "resource_status": ResourceNeeded}
	for _, r := range resources {
		d.Resources = append(d.Resources, newResourceRow(r))
		if r.Status == ResourceNeeded {
			d.Needed++
		}
		if r.ID == st.resource {
			d.EditResource, d.EditResourceName = r.ID, r.Item
			resourceDefaults = resourceValues(&r)
		}
	}
	fill(p.Form, resourceDefaults)
	transportDefaults := map[string]string{}
	for _, t := range transports {
		d.Transports = append(d.Transports, h.transportRow(p, t))
		if t.Seats != nil {
			d.Seats += *t.Seats
		}
		if t.ID == st.transport {
			d.EditTransport, d.EditTransportName = t.ID, t.Vehicle
			transportDefaults = transportValues(&t, e.Location)
		}
	}
	fill(p.Form, transportDefaults)
	p.Data = d
	return h.view.Render(c, status, tmplLogistics, p)
}

func (h *Handler) transportRow(p *view.Page, t Transport) transportRow {
	r := transportRow{
		ID: t.ID, Vehicle: t.Vehicle, DriverName: t.DriverName, DriverPhone: t.DriverPhone,
		PhoneURI: phoneURI(t.DriverPhone), PickupPoint: t.PickupPoint, Carries: t.Carries, Notes: t.Notes,
	}
	if t.PickupAt != nil {
		r.PickupAt = p.Day(t.PickupAt.In(p.Zone)) + ", " + p.Clock(*t.PickupAt)
	}
	if t.Seats != nil {
		r.Seats = strconv.Itoa(*t.Seats)
	}
	return r
}

// logisticsPage is the logistics page of ceremony cr.
func (h *Handler) logisticsPage(c echo.Context, cr CeremonyRef) *view.Page {
	return h.view.Page(c, "venue.logistics.title", "Title", cr.Title)
}

// Logistics shows GET /editions/:year/ceremonies/:id/logistics: the
// resources and transport of a ceremony. ?resource=ID and ?transport=ID
// open that row's edit form.
func (h *Handler) Logistics(c echo.Context) error {
	e, cr, err := h.ceremony(c)
	if err != nil {
		return err
	}
	return h.renderLogistics(c, http.StatusOK, h.logisticsPage(c, cr), e, cr, logisticsState{resource: queryID(c, "resource"), transport: queryID(c, "transport")})
}

// logisticsRows is the logistics page of the ceremony in the path for one
// kind of its rows: open says which edit form of the page row edit is,
// anchor is their section. It returns the edition too: times are entered
// in its time zone.
func (h *Handler) logisticsRows(c echo.Context, anchor string, open func(edit int64) logisticsState) (rowPage, EditionRef) {
	e, cr, err := h.ceremony(c)
	if err != nil {
		return rowPage{err: err}, e
	}
	return rowPage{
		h: h, c: c, parent: cr.ID, back: ceremonyURL(cr) + "/logistics" + anchor,
		page: func() *view.Page { return h.logisticsPage(c, cr) },
		render: func(status int, p *view.Page, edit int64) error {
			return h.renderLogistics(c, status, p, e, cr, open(edit))
		},
	}, e
}

// resources is the flow of the resources of the ceremony in the path.
func (h *Handler) resources(c echo.Context) *rowFlow[Resource, ResourceInput] {
	rp, _ := h.logisticsRows(c, "#resources", func(id int64) logisticsState { return logisticsState{resource: id} })
	return &rowFlow[Resource, ResourceInput]{
		rowPage: rp,
		param:   "rid",

		load: h.store.Resource, storeCreate: h.store.CreateResource, storeUpdate: h.store.UpdateResource, storeDelete: h.store.DeleteResource,
		bind: bindResource, values: resourceValues, name: func(r *Resource) string { return r.Item },

		field: "item", created: "venue.resource.created", updated: "venue.resource.updated", deleted: "venue.resource.deleted",
	}
}

// CreateResource handles POST /editions/:year/ceremonies/:id/resources.
func (h *Handler) CreateResource(c echo.Context) error { return h.resources(c).handleCreate() }

// UpdateResource handles POST /editions/:year/ceremonies/:id/resources/:rid.
func (h *Handler) UpdateResource(c echo.Context) error { return h.resources(c).handleUpdate() }

// DeleteResource handles POST /editions/:year/ceremonies/:id/resources/:rid/delete.
func (h *Handler) DeleteResource(c echo.Context) error { return h.resources(c).handleDelete() }

// transport is the flow of the transport of the ceremony in the path.
func (h *Handler) transport(c echo.Context) *rowFlow[Transport, TransportInput] {
	rp, e := h.logisticsRows(c, "#transport", func(id int64) logisticsState { return logisticsState{transport: id} })
	return &rowFlow[Transport, TransportInput]{
		rowPage: rp,
		param:   "tid",

		load: h.store.Transport, storeCreate: h.store.CreateTransport, storeUpdate: h.store.UpdateTransport, storeDelete: h.store.DeleteTransport,
		bind:   func(c echo.Context) (TransportInput, int, *view.Form) { return bindTransport(c, e.Location) },
		values: func(t *Transport) map[string]string { return transportValues(t, e.Location) },
		name:   func(t *Transport) string { return t.Vehicle },

		field: "vehicle", created: "venue.transport.created", updated: "venue.transport.updated", deleted: "venue.transport.deleted",
	}
}

// CreateTransport handles POST /editions/:year/ceremonies/:id/transport.
func (h *Handler) CreateTransport(c echo.Context) error { return h.transport(c).handleCreate() }

// UpdateTransport handles POST /editions/:year/ceremonies/:id/transport/:tid.
func (h *Handler) UpdateTransport(c echo.Context) error { return h.transport(c).handleUpdate() }

// DeleteTransport handles POST /editions/:year/ceremonies/:id/transport/:tid/delete.
func (h *Handler) DeleteTransport(c echo.Context) error { return h.transport(c).handleDelete() }

// Tasks ----------------------------------------------------------------------------------

type option struct {
	Value string
	Label string
}

type taskRow struct {
	ID          int64
	Title       string
	Notes       string
	Ceremony    string
	CeremonyURL string
	Assignee    string
	Due         string
	Overdue     bool
	Done        bool
	DoneAt      string
	// CanToggle: the viewer may mark it done or open again.
	CanToggle bool
	StatusURL string
	Year      int
	Edition   string
}

type tasksData struct {
	Year        int
	EditionName string
	Rows        []taskRow
	Total       int
	Overdue     int
	// The filters as chosen: "" is all; "none" is the whole edition (no
	// ceremony) or nobody.
	Ceremony      string
	Assignee      string
	Status        string
	Filtered      bool
	Ceremonies    []option
	People        []option
	Statuses      []string
	EditTask      int64
	EditTaskTitle string
	PrintURL      string
	// Back is where a status change returns to.
	Back string
}

// taskContext is what the task pages of an edition share.
type taskContext struct {
	edition    EditionRef
	ceremonies []CeremonyRef
	people     []Person
	titles     map[int64]string
	names      map[int64]string
}

func (h *Handler) taskContext(ctx context.Context, e EditionRef) (*taskContext, error) {
	crs, err := h.planning.Ceremonies(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	people, err := h.people.Assignable(ctx)
	if err != nil {
		return nil, err
	}
	tc := &taskContext{edition: e, ceremonies: crs, people: people, titles: map[int64]string{}, names: map[int64]string{}}
	for _, cr := range crs {
		tc.titles[cr.ID] = cr.Title
	}
	for _, p := range people {
		tc.names[p.ID] = p.Name
	}
	return tc, nil
}

// parseTaskFilter reads ?ceremony=, ?assignee= and ?status=; values that
// mean nothing are dropped.
func parseTaskFilter(c echo.Context, tc *taskContext) (TaskFilter, tasksData) {
	var f TaskFilter
	d := tasksData{}
	switch v := c.QueryParam("ceremony"); v {
	case "":
	case "none":
		f.NoCeremony, d.Ceremony = true, v
	default:
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && tc.titles[id] != "" {
			f.CeremonyID, d.Ceremony = &id, v
		}
	}
	switch v := c.QueryParam("assignee"); v {
	case "":
	case "none":
		f.Unassigned, d.Assignee = true, v
	default:
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			f.AssigneeID, d.Assignee = &id, v
		}
	}
	if v := c.QueryParam("status"); v == TaskOpen || v == TaskDone {
		f.Status, d.Status = v, v
	}
	d.Filtered = d.Ceremony != "" || d.Assignee != "" || d.Status != ""
	return f, d
}

// filterQuery writes the chosen filters back as a query string.
func (d tasksData) filterQuery() string {
	q := url.Values{}
	for k, v := range map[string]string{"ceremony": d.Ceremony, "assignee": d.Assignee, "status": d.Status} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// row turns a task into a table row for the viewer u.
func (tc *taskContext) row(p *view.Page, t Task, today time.Time, u *auth.User) taskRow {
	r := taskRow{
		ID: t.ID, Title: t.Title, Notes: t.Notes, Overdue: t.Overdue(today), Done: t.Status == TaskDone,
		Year: tc.edition.Year, Edition: tc.edition.Name,
		StatusURL: editionURL(tc.edition.Year) + "/tasks/" + strconv.FormatInt(t.ID, 10) + "/status",
	}
	if t.CeremonyID != nil {
		r.Ceremony = tc.titles[*t.CeremonyID]
		r.CeremonyURL = editionURL(tc.edition.Year) + "/ceremonies/" + strconv.FormatInt(*t.CeremonyID, 10) + "/logistics"
	}
	if t.AssigneeID != nil {
		r.Assignee = tc.names[*t.AssigneeID]
		if r.Assignee == "" {
			r.Assignee = p.T("venue.task.former_user")
		}
	}
	if t.DueOn != nil {
		r.Due = p.Day(*t.DueOn)
	}
	if t.DoneAt != nil {
		r.DoneAt = p.Date(*t.DoneAt)
	}
	r.CanToggle = u != nil && (u.Role == auth.RoleOrganizer || (t.AssigneeID != nil && *t.AssigneeID == u.ID))
	return r
}

// rows turns tasks into table rows for the viewer u and counts the overdue
// ones.
func (tc *taskContext) rows(p *view.Page, tasks []Task, today time.Time, u *auth.User) (rows []taskRow, overdue int) {
	for _, t := range tasks {
		r := tc.row(p, t, today, u)
		rows = append(rows, r)
		if r.Overdue {
			overdue++
		}
	}
	return rows, overdue
}

func (h *Handler) renderTasks(c echo.Context, status int, p *view.Page, tc *taskContext, editID int64) error {
	ctx := c.Request().Context()
	e := tc.edition
	p.Zone = e.Location
	p.Nav = "editions"
	f, d := parseTaskFilter(c, tc)
	tasks, err := h.store.Tasks(ctx, e.ID, f)
	if err != nil {
		return err
	}
	d.Year, d.EditionName, d.Statuses = e.Year, e.Name, TaskStatuses
	d.PrintURL = editionURL(e.Year) + "/tasks/print" + d.filterQuery()
	d.Back = editionURL(e.Year) + "/tasks" + d.filterQuery()
	for _, cr := range tc.ceremonies {
		d.Ceremonies = append(d.Ceremonies, option{Value: strconv.FormatInt(cr.ID, 10), Label: cr.Title})
	}
	for _, person := range tc.people {
		d.People = append(d.People, option{Value: strconv.FormatInt(person.ID, 10), Label: person.Name})
	}
	d.Rows, d.Overdue = tc.rows(p, tasks, Today(h.now(), e.Location), auth.Current(c))
	d.Total = len(d.Rows)
	taskDefaults := map[string]string{"status": TaskOpen}
	if d.Ceremony != "" && d.Ceremony != "none" {
		taskDefaults["ceremony_id"] = d.Ceremony
	}
	if editID != 0 {
		t, err := h.store.Task(ctx, e.ID, editID)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		default:
			d.EditTask, d.EditTaskTitle = t.ID, t.Title
			taskDefaults = taskValues(t)
			if t.AssigneeID != nil && tc.names[*t.AssigneeID] == "" {
				// Keep a former user selectable so that saving keeps them.
				d.People = append(d.People, option{Value: strconv.FormatInt(*t.AssigneeID, 10), Label: p.T("venue.task.former_user")})
			}
		}
	}
	fill(p.Form, taskDefaults)
	p.Data = d
	return h.view.Render(c, status, tmplTasks, p)
}

// Tasks shows GET /editions/:year/tasks: the checklist of the edition,
// filtered by ?ceremony=, ?assignee= and ?status=; ?edit=ID opens that
// task's edit form.
func (h *Handler) Tasks(c echo.Context) error {
	e, err := h.edition(c)
	if err != nil {
		return err
	}
	tc, err := h.taskContext(c.Request().Context(), e)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "venue.tasks.title", "Year", e.Year)
	return h.renderTasks(c, http.StatusOK, p, tc, queryID(c, "edit"))
}

// CreateTask handles POST /editions/:year/tasks.
func (h *Handler) CreateTask(c echo.Context) error { return h.saveTask(c, 0) }

// UpdateTask handles POST /editions/:year/tasks/:task.
func (h *Handler) UpdateTask(c echo.Context) error {
	id, err := pathID(c, "task")
	if err != nil {
		return err
	}
	return h.saveTask(c, id)
}

func (h *Handler) saveTask(c echo.Context, id int64) error {
	e, err := h.edition(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var current *Task
	if id != 0 {
		if current, err = h.store.Task(ctx, e.ID, id); err != nil {
			return notFound(err)
		}
	}
	tc, err := h.taskContext(ctx, e)
	if err != nil {
		return err
	}
	var keep *int64
	if current != nil {
		keep = current.AssigneeID
	}
	in, version, form := bindTask(c, tc.ceremonies, tc.people, keep)
	p := h.view.Page(c, "venue.tasks.title", "Year", e.Year)
	p.Form = form
	if !form.Valid() {
		return h.renderTasks(c, http.StatusUnprocessableEntity, p, tc, id)
	}
	var t *Task
	if id == 0 {
		t, err = h.store.CreateTask(ctx, e.ID, in)
	} else {
		t, err = h.store.UpdateTask(ctx, e.ID, id, version, in)
	}
	switch {
	case errors.Is(err, ErrStale):
		current, lerr := h.store.Task(ctx, e.ID, id)
		if lerr != nil {
			return notFound(lerr)
		}
		p.Form = view.NewForm(taskValues(current))
		p.Form.Add("title", "form.error.stale")
		return h.renderTasks(c, http.StatusConflict, p, tc, id)
	case err != nil:
		return notFound(err)
	}
	key := "venue.task.created"
	if id != 0 {
		key = "venue.task.updated"
	}
	return h.done(c, key, t.Title, editionURL(e.Year)+"/tasks#task-"+strconv.FormatInt(t.ID, 10))
}

// editionTask reads :year and :task; a 404 when there is no such edition
// or the id is no id.
func (h *Handler) editionTask(c echo.Context) (EditionRef, int64, error) {
	e, err := h.edition(c)
	if err != nil {
		return e, 0, err
	}
	id, err := pathID(c, "task")
	return e, id, err
}

// DeleteTask handles POST /editions/:year/tasks/:task/delete.
func (h *Handler) DeleteTask(c echo.Context) error {
	e, id, err := h.editionTask(c)
	if err != nil {
		return err
	}
	t, err := h.store.DeleteTask(c.Request().Context(), e.ID, id)
	if err != nil {
		return notFound(err)
	}
	return h.done(c, "venue.task.deleted", t.Title, editionURL(e.Year)+"/tasks")
}

// SetTaskStatus handles POST /editions/:year/tasks/:task/status: the form
// says which status it wants (status=done or status=open), so sending it
// twice changes nothing twice. Organizers may change any task; staff only
// their own.
func (h *Handler) SetTaskStatus(c echo.Context) error {
	e, id, err := h.editionTask(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	t, err := h.store.Task(ctx, e.ID, id)
	if err != nil {
		return notFound(err)
	}
	u := auth.Current(c)
	if u == nil || (u.Role != auth.RoleOrganizer && (t.AssigneeID == nil || *t.AssigneeID != u.ID)) {
		return echo.NewHTTPError(http.StatusForbidden)
	}
	status := c.FormValue("status")
	if status != TaskOpen && status != TaskDone {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	if _, err := h.store.SetTaskStatus(ctx, e.ID, id, status); err != nil {
		return notFound(err)
	}
	key := "venue.task.marked_done"
	if status == TaskOpen {
		key = "venue.task.reopened"
	}
	return h.done(c, key, t.Title, safeBack(c.FormValue("back"), editionURL(e.Year)+"/tasks"))
}

type myTasksData struct {
	Rows    []taskRow
	Overdue int
}

// MyTasks shows GET /my/tasks: the signed-in user's open tasks in every
// edition, overdue ones first.
func (h *Handler) MyTasks(c echo.Context) error {
	ctx := c.Request().Context()
	u := auth.Current(c)
	if u == nil {
		return echo.NewHTTPError(http.StatusForbidden)
	}
	tasks, err := h.store.OpenTasksOf(ctx, u.ID)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "venue.my_tasks.title")
	p.Nav = "tasks"
	contexts := map[int64]*taskContext{}
	d := myTasksData{}
	for _, t := range tasks {
		tc, ok := contexts[t.EditionID]
		if !ok {
			e, err := h.planning.EditionByID(ctx, t.EditionID)
			if err != nil {
				return err
			}
			if e.Location == nil {
				e.Location = time.UTC
			}
			if tc, err = h.taskContext(ctx, e); err != nil {
				return err
			}
			contexts[t.EditionID] = tc
		}
		p.Zone = tc.edition.Location
		r := tc.row(p, t, Today(h.now(), tc.edition.Location), u)
		d.Rows = append(d.Rows, r)
		if r.Overdue {
			d.Overdue++
		}
	}
	// The store orders by due date; overdue tasks come first.
	sort.SliceStable(d.Rows, func(i, j int) bool { return d.Rows[i].Overdue && !d.Rows[j].Overdue })
	p.Data = d
	return h.view.Render(c, http.StatusOK, tmplMyTasks, p)
}

// Print views -------------------------------------------------------------------------------

// printHead is the header printed at the top of the first page.
type printHead struct {
	Title   string
	Meta    string
	Printed string
	Back    string
}

func (h *Handler) printHead(p *view.Page, e EditionRef, crs []CeremonyRef, listKey string) printHead {
	ph := printHead{Title: e.Name + " " + strconv.Itoa(e.Year), Printed: p.T("venue.print.printed", "When", p.Date(h.now()))}
	meta := p.T(listKey)
	switch {
	case len(crs) == 1:
		meta = crs[0].Title + " · " + span(p, crs[0]) + " · " + meta
	case len(crs) > 1:
		meta = p.LongDay(crs[0].StartsAt) + " · " + meta
	}
	ph.Meta = meta
	return ph
}

type transportGroup struct {
	Title string
	When  string
	Rows  []transportRow
	Seats int
}

type transportPrintData struct {
	Head   printHead
	Groups []transportGroup
	Total  int
}

// PrintTransport shows GET /editions/:year/transport/print: the transport
// sheet of the edition, or of one ceremony with ?ceremony=ID.
func (h *Handler) PrintTransport(c echo.Context) error {
	e, err := h.edition(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	crs, err := h.planning.Ceremonies(ctx, e.ID)
	if err != nil {
		return err
	}
	if crs, err = onlyCeremony(c, crs); err != nil {
		return err
	}
	transports, err := h.store.Transports(ctx, ceremonyIDs(crs)...)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "venue.transport_print.title", "Year", e.Year)
	p.Zone = e.Location
	p.Nav = "editions"
	d := transportPrintData{Head: h.printHead(p, e, crs, "venue.transport_print.list")}
	d.Head.Back = editionURL(e.Year) + "/tasks"
	if c.QueryParam("ceremony") != "" {
		d.Head.Back = ceremonyURL(crs[0]) + "/logistics"
	}
	for _, cr := range crs {
		g := transportGroup{Title: cr.Title, When: span(p, cr)}
		for _, t := range transports {
			if t.CeremonyID != cr.ID {
				continue
			}
			g.Rows = append(g.Rows, h.transportRow(p, t))
			if t.Seats != nil {
				g.Seats += *t.Seats
			}
		}
		if len(g.Rows) > 0 {
			d.Groups = append(d.Groups, g)
			d.Total += len(g.Rows)
		}
	}
	p.Data = d
	return h.view.Render(c, http.StatusOK, tmplTransportPrint, p)
}

func ceremonyIDs(crs []CeremonyRef) []int64 {
	ids := make([]int64, 0, len(crs))
	for _, cr := range crs {
		ids = append(ids, cr.ID)
	}
	return ids
}

// onlyCeremony narrows crs to ?ceremony=ID when given; a 404 when that
// ceremony is not in the list.
func onlyCeremony(c echo.Context, crs []CeremonyRef) ([]CeremonyRef, error) {
	v := c.QueryParam("ceremony")
	if v == "" {
		return crs, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err == nil {
		for _, cr := range crs {
			if cr.ID == id {
				return []CeremonyRef{cr}, nil
			}
		}
	}
	return nil, echo.NewHTTPError(http.StatusNotFound)
}

type resourceGroup struct {
	Title string
	Rows  []resourceRow
}

type tasksPrintData struct {
	Head      printHead
	Rows      []taskRow
	Total     int
	Overdue   int
	Resources []resourceGroup
}

// PrintTasks shows GET /editions/:year/tasks/print: the logistics
// checklist — the tasks (with the same filters as the checklist page) and
// the resources of the ceremonies concerned.
func (h *Handler) PrintTasks(c echo.Context) error {
	e, err := h.edition(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	tc, err := h.taskContext(ctx, e)
	if err != nil {
		return err
	}
	f, fd := parseTaskFilter(c, tc)
	tasks, err := h.store.Tasks(ctx, e.ID, f)
	if err != nil {
		return err
	}
	crs := tc.ceremonies
	switch {
	case f.NoCeremony:
		crs = nil
	case f.CeremonyID != nil:
		for _, cr := range tc.ceremonies {
			if cr.ID == *f.CeremonyID {
				crs = []CeremonyRef{cr}
			}
		}
	}
	p := h.view.Page(c, "venue.tasks_print.title", "Year", e.Year)
	p.Zone = e.Location
	p.Nav = "editions"
	d := tasksPrintData{Head: h.printHead(p, e, crs, "venue.tasks_print.list")}
	d.Head.Back = editionURL(e.Year) + "/tasks" + fd.filterQuery()
	d.Rows, d.Overdue = tc.rows(p, tasks, Today(h.now(), e.Location), nil)
	d.Total = len(d.Rows)
	if f.AssigneeID == nil && !f.Unassigned && f.Status == "" {
		resources, err := h.store.Resources(ctx, ceremonyIDs(crs)...)
		if err != nil {
			return err
		}
		for _, cr := range crs {
			g := resourceGroup{Title: cr.Title}
			for _, r := range resources {
				if r.CeremonyID == cr.ID {
					g.Rows = append(g.Rows, newResourceRow(r))
				}
			}
			if len(g.Rows) > 0 {
				d.Resources = append(d.Resources, g)
			}
		}
	}
	p.Data = d
	return h.view.Render(c, http.StatusOK, tmplTasksPrint, p)
}
