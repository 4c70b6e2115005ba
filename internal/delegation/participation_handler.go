package delegation

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

// Template names of the edition's delegations and the wreath-laying order.
const (
	tmplParticipations = "delegation/participations"
	tmplParticipation  = "delegation/participation"
	tmplWreaths        = "delegation/wreaths"
	tmplWreathsPrint   = "delegation/wreaths_print"
)

// participationViews are the templates of the edition's delegations and
// the wreath-laying order.
var participationViews = []string{tmplParticipations, tmplParticipation, tmplWreaths, tmplWreathsPrint}

// participationEdition reads :year and looks the edition up; a 404 when
// there is none.
func (h *Handler) participationEdition(c echo.Context) (EditionRef, error) {
	year, err := pathYear(c)
	if err != nil {
		return EditionRef{}, err
	}
	e, err := h.editions.Edition(c.Request().Context(), year)
	if err != nil {
		return EditionRef{}, notFound(err)
	}
	if e.Location == nil {
		e.Location = time.UTC
	}
	return e, nil
}

func participationsURL(year int) string {
	return "/editions/" + strconv.Itoa(year) + "/delegations"
}

func participationURL(year int, id int64) string {
	return participationsURL(year) + "/" + strconv.FormatInt(id, 10)
}

func wreathsURL(year int) string { return "/editions/" + strconv.Itoa(year) + "/wreaths" }

// participationOption is one choice of a select.
type participationOption struct {
	Value string
	Label string
}

// kindLabel is the name of delegation kind k in the page's language.
func kindLabel(p *view.Page, k string) string { return p.T("delegation.kind." + k) }

// arrivalText writes an arrival time in the page's zone: "26 February
// 2026, 10:40"; "" for none.
func arrivalText(p *view.Page, t *time.Time) string {
	if t == nil {
		return ""
	}
	return p.Day(t.In(p.Zone)) + ", " + p.Clock(*t)
}

// gateLabels names every gate "Venue — Gate", by id.
func (h *Handler) gateLabels(ctx context.Context) ([]GateRef, map[int64]string, error) {
	gates, err := h.gates.AllGates(ctx)
	if err != nil {
		return nil, nil, err
	}
	labels := make(map[int64]string, len(gates))
	for _, g := range gates {
		labels[g.ID] = g.VenueName + " — " + g.Name
	}
	return gates, labels, nil
}

// participationPrintHead is the header printed at the top of a list's
// first page.
type participationPrintHead struct {
	Title string
	Meta  string
}

func (h *Handler) participationPrintHead(p *view.Page, e EditionRef, listKey string) participationPrintHead {
	return participationPrintHead{
		Title: e.Name + " " + strconv.Itoa(e.Year),
		Meta:  p.T(listKey) + " · " + p.T("participation.print.printed", "When", p.Date(h.now())),
	}
}

// The edition's delegations ------------------------------------------------------------

type participationListRow struct {
	ID             int64
	URL            string
	DelegationName string
	Kind           string
	Country        string
	Status         string
	Head           string
	Wreath         bool
	RibbonText     string
	Arrival        string
	Gate           string
}

type inviteChoice struct {
	ID      int64
	Name    string
	Country string
	Checked bool
}

// inviteGroup is the delegations of one kind not yet in the edition.
type inviteGroup struct {
	Kind    string
	Label   string
	Choices []inviteChoice
}

type participationsData struct {
	Year        int
	EditionName string
	URL         string
	WreathsURL  string
	PrintHead   participationPrintHead
	Rows        []participationListRow
	// Total and Wreaths count the rows shown; InEdition counts every
	// delegation of the edition, whatever the filters.
	Total     int
	Wreaths   int
	InEdition int
	Kind      string
	Status    string
	Filtered  bool
	Kinds     []participationOption
	Statuses  []participationOption
	// Groups are the delegations organizers can still invite, by kind in
	// order of precedence; NoDirectory says the directory is empty.
	Groups      []inviteGroup
	Available   int
	NoDirectory bool
	PrevYear    int
	// HasPrev says whether the edition of PrevYear exists to carry
	// delegations over from.
	HasPrev bool
}

// participationFilter reads ?kind= and ?status=; values that mean nothing
// are dropped.
func participationFilter(c echo.Context) ParticipationFilter {
	var f ParticipationFilter
	if k := c.QueryParam("kind"); ValidKind(k) {
		f.Kind = k
	}
	if s := c.QueryParam("status"); slices.Contains(Statuses, s) {
		f.Status = s
	}
	return f
}

// renderParticipations renders the edition's delegations; checked are the
// delegations ticked in the invite form when it is shown again.
func (h *Handler) renderParticipations(c echo.Context, status int, p *view.Page, e EditionRef, checked map[int64]bool) error {
	ctx := c.Request().Context()
	p.Zone = e.Location
	p.Nav = "editions"
	f := participationFilter(c)
	rows, err := h.store.Participations(ctx, e.ID, f)
	if err != nil {
		return err
	}
	_, gates, err := h.gateLabels(ctx)
	if err != nil {
		return err
	}
	d := participationsData{
		Year: e.Year, EditionName: e.Name, URL: participationsURL(e.Year), WreathsURL: wreathsURL(e.Year),
		PrintHead: h.participationPrintHead(p, e, "participation.print.list"),
		Kind:      f.Kind, Status: f.Status, Filtered: f != ParticipationFilter{}, PrevYear: e.Year - 1,
	}
	for _, k := range Kinds {
		d.Kinds = append(d.Kinds, participationOption{Value: k, Label: kindLabel(p, k)})
	}
	for _, s := range Statuses {
		d.Statuses = append(d.Statuses, participationOption{Value: s, Label: p.T("participation.status." + s)})
	}
	for _, r := range rows {
		lr := participationListRow{
			ID: r.ID, URL: participationURL(e.Year, r.ID), DelegationName: r.DelegationName,
			Kind: kindLabel(p, r.DelegationKind), Country: CountryName(p.Locale, r.Country), Status: r.Status,
			Head: r.HeadName, Wreath: r.Wreath, RibbonText: r.RibbonText, Arrival: arrivalText(p, r.ArrivalAt),
		}
		if r.ArrivalGateID != nil {
			lr.Gate = gates[*r.ArrivalGateID]
		}
		d.Rows = append(d.Rows, lr)
		if r.Wreath {
			d.Wreaths++
		}
	}
	d.Total, d.InEdition = len(d.Rows), len(d.Rows)
	if p.User.IsOrganizer() {
		if err := h.fillInvite(ctx, p, e, &d, checked); err != nil {
			return err
		}
	} else if d.Filtered {
		all, err := h.store.Participations(ctx, e.ID, ParticipationFilter{})
		if err != nil {
			return err
		}
		d.InEdition = len(all)
	}
	p.Data = d
	return h.view.Render(c, status, tmplParticipations, p)
}

// fillInvite lists the delegations not yet in edition e, by kind.
func (h *Handler) fillInvite(ctx context.Context, p *view.Page, e EditionRef, d *participationsData, checked map[int64]bool) error {
	all, err := h.store.AllDelegations(ctx)
	if err != nil {
		return err
	}
	present, err := h.store.Participations(ctx, e.ID, ParticipationFilter{})
	if err != nil {
		return err
	}
	d.InEdition = len(present)
	d.NoDirectory = len(all) == 0
	switch _, err := h.editions.Edition(ctx, d.PrevYear); {
	case err == nil:
		d.HasPrev = true
	case !errors.Is(err, ErrNotFound):
		return err
	}
	in := make(map[int64]bool, len(present))
	for _, r := range present {
		in[r.DelegationID] = true
	}
	for _, dl := range all {
		if in[dl.ID] {
			continue
		}
		if n := len(d.Groups); n == 0 || d.Groups[n-1].Kind != dl.Kind {
			d.Groups = append(d.Groups, inviteGroup{Kind: dl.Kind, Label: kindLabel(p, dl.Kind)})
		}
		g := &d.Groups[len(d.Groups)-1]
		g.Choices = append(g.Choices, inviteChoice{ID: dl.ID, Name: dl.Name, Country: CountryName(p.Locale, dl.Country), Checked: checked[dl.ID]})
		d.Available++
	}
	return nil
}

func (h *Handler) participationsPage(c echo.Context, e EditionRef) *view.Page {
	return h.view.Page(c, "participation.list.title", "Year", e.Year)
}

// EditionDelegations shows GET /editions/:year/delegations: the
// delegations of the edition in order of precedence, filtered by ?kind=
// and ?status=; organizers also get the forms that invite delegations.
func (h *Handler) EditionDelegations(c echo.Context) error {
	e, err := h.participationEdition(c)
	if err != nil {
		return err
	}
	return h.renderParticipations(c, http.StatusOK, h.participationsPage(c, e), e, nil)
}

// InviteDelegations handles POST /editions/:year/delegations: it adds the
// ticked delegations (delegation=ID, repeated) and, when a kind's button
// was pressed (all_kind=KIND), every delegation of that kind not yet in
// the edition. Delegations already in it are left as they are.
func (h *Handler) InviteDelegations(c echo.Context) error {
	e, err := h.participationEdition(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	params, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	all, err := h.store.AllDelegations(ctx)
	if err != nil {
		return err
	}
	known := make(map[int64]string, len(all))
	for _, d := range all {
		known[d.ID] = d.Kind
	}
	form := view.NewForm(map[string]string{})
	checked := map[int64]bool{}
	var ids []int64
	for _, v := range params["delegation"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || known[id] == "" {
			form.Add("delegation", "participation.error.unknown_delegation")
			continue
		}
		checked[id] = true
		ids = append(ids, id)
	}
	if kind := c.FormValue("all_kind"); kind != "" {
		if !ValidKind(kind) {
			return echo.NewHTTPError(http.StatusBadRequest)
		}
		for _, d := range all {
			if d.Kind == kind {
				ids = append(ids, d.ID)
			}
		}
	}
	if form.Valid() && len(ids) == 0 {
		form.Add("delegation", "participation.error.choose")
	}
	if !form.Valid() {
		p := h.participationsPage(c, e)
		p.Form = form
		return h.renderParticipations(c, http.StatusUnprocessableEntity, p, e, checked)
	}
	n, err := h.store.Invite(ctx, e.ID, ids)
	if err != nil {
		return notFound(err)
	}
	if n == 0 {
		h.view.Flash(c, view.FlashInfo, "participation.invited_none")
	} else {
		h.view.Flash(c, view.FlashSuccess, "participation.invited", "Count", n, "Year", e.Year)
	}
	return c.Redirect(http.StatusSeeOther, participationsURL(e.Year))
}

// CarryOver handles POST /editions/:year/delegations/carry: it adds the
// delegations of the year before, as CopyParticipations describes.
func (h *Handler) CarryOver(c echo.Context) error {
	e, err := h.participationEdition(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	to := participationsURL(e.Year)
	prev, err := h.editions.Edition(ctx, e.Year-1)
	if errors.Is(err, ErrNotFound) {
		h.view.Flash(c, view.FlashError, "participation.carry.no_previous", "Year", e.Year-1)
		return c.Redirect(http.StatusSeeOther, to)
	}
	if err != nil {
		return err
	}
	n, err := h.store.CarryOver(ctx, prev.ID, e.ID)
	if err != nil {
		return notFound(err)
	}
	if n == 0 {
		h.view.Flash(c, view.FlashInfo, "participation.carry.none", "Year", prev.Year)
	} else {
		h.view.Flash(c, view.FlashSuccess, "participation.carry.done", "Count", n, "Year", prev.Year)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// One participation ----------------------------------------------------------------------

type participationData struct {
	Year           int
	EditionName    string
	ListURL        string
	URL            string
	DelegationName string
	DelegationURL  string
	Kind           string
	Country        string
	Status         string
	Head           string
	LiaisonName    string
	LiaisonPhone   string
	Wreath         bool
	RibbonText     string
	ArrivalVehicle string
	ArrivalPlate   string
	Arrival        string
	Gate           string
	Notes          string
	Statuses       []string
	Guests         []participationOption
	Gates          []participationOption
	// ArrivalHint says in which time zone the arrival is entered.
	ArrivalHint string
}

// loadParticipation reads :year and :pid; a 404 unless the participation
// is one of that edition's.
func (h *Handler) loadParticipation(c echo.Context) (EditionRef, *ParticipationRow, error) {
	e, err := h.participationEdition(c)
	if err != nil {
		return e, nil, err
	}
	id, err := pathID(c, "pid")
	if err != nil {
		return e, nil, err
	}
	r, err := h.store.Participation(c.Request().Context(), e.ID, id)
	return e, r, notFound(err)
}

// participationChoices are what the participation form offers: the
// delegation's guests and every gate.
type participationChoices struct {
	guests []Guest
	gates  []GateRef
	labels map[int64]string
}

func (h *Handler) participationChoices(ctx context.Context, r *ParticipationRow) (participationChoices, error) {
	guests, err := h.store.DelegationGuests(ctx, r.DelegationID)
	if err != nil {
		return participationChoices{}, err
	}
	gates, labels, err := h.gateLabels(ctx)
	if err != nil {
		return participationChoices{}, err
	}
	return participationChoices{guests: guests, gates: gates, labels: labels}, nil
}

func (h *Handler) participationPage(c echo.Context, r *ParticipationRow) *view.Page {
	return h.view.Page(c, "participation.show.title", "Name", r.DelegationName)
}

// renderParticipation renders the participation page. p.Form holds what
// was posted, if anything; otherwise the form shows what is saved.
func (h *Handler) renderParticipation(c echo.Context, status int, p *view.Page, e EditionRef, r *ParticipationRow, ch participationChoices) error {
	p.Zone = e.Location
	p.Nav = "editions"
	if p.Form.Values == nil {
		p.Form.Values = participationValues(&r.Participation, e.Location)
	}
	d := participationData{
		Year: e.Year, EditionName: e.Name, ListURL: participationsURL(e.Year), URL: participationURL(e.Year, r.ID),
		DelegationName: r.DelegationName, DelegationURL: "/delegations/" + strconv.FormatInt(r.DelegationID, 10),
		Kind: kindLabel(p, r.DelegationKind), Country: CountryName(p.Locale, r.Country),
		Status: r.Status, Head: r.HeadName, LiaisonName: r.LiaisonName, LiaisonPhone: r.LiaisonPhone,
		Wreath: r.Wreath, RibbonText: r.RibbonText, ArrivalVehicle: r.ArrivalVehicle, ArrivalPlate: r.ArrivalPlate,
		Arrival: arrivalText(p, r.ArrivalAt), Notes: r.Notes, Statuses: Statuses,
		ArrivalHint: p.T("participation.field.arrival_at_hint", "Zone", e.Location.String()),
	}
	if r.ArrivalGateID != nil {
		d.Gate = ch.labels[*r.ArrivalGateID]
	}
	for _, g := range ch.guests {
		d.Guests = append(d.Guests, participationOption{Value: strconv.FormatInt(g.ID, 10), Label: g.DisplayName()})
	}
	for _, g := range ch.gates {
		d.Gates = append(d.Gates, participationOption{Value: strconv.FormatInt(g.ID, 10), Label: ch.labels[g.ID]})
	}
	p.Data = d
	return h.view.Render(c, status, tmplParticipation, p)
}

// Participation shows GET /editions/:year/delegations/:pid: a delegation
// in the edition; organizers get the form that changes it.
func (h *Handler) Participation(c echo.Context) error {
	e, r, err := h.loadParticipation(c)
	if err != nil {
		return err
	}
	ch, err := h.participationChoices(c.Request().Context(), r)
	if err != nil {
		return err
	}
	return h.renderParticipation(c, http.StatusOK, h.participationPage(c, r), e, r, ch)
}

// UpdateParticipation handles POST /editions/:year/delegations/:pid.
func (h *Handler) UpdateParticipation(c echo.Context) error {
	e, r, err := h.loadParticipation(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ch, err := h.participationChoices(ctx, r)
	if err != nil {
		return err
	}
	in, version, form := bindParticipation(c, e.Location, ch.guests, ch.gates)
	p := h.participationPage(c, r)
	p.Form = form
	if !form.Valid() {
		return h.renderParticipation(c, http.StatusUnprocessableEntity, p, e, r, ch)
	}
	_, err = h.store.UpdateParticipation(ctx, e.ID, r.ID, version, in)
	switch {
	case errors.Is(err, ErrStale):
		// Show what is saved now; the editor decides again.
		current, lerr := h.store.Participation(ctx, e.ID, r.ID)
		if lerr != nil {
			return notFound(lerr)
		}
		p.Form = view.NewForm(participationValues(&current.Participation, e.Location))
		p.Form.Add("status", "form.error.stale")
		return h.renderParticipation(c, http.StatusConflict, p, e, current, ch)
	case errors.Is(err, ErrHeadNotInDelegation):
		form.Add("head_guest_id", "participation.error.head")
		return h.renderParticipation(c, http.StatusUnprocessableEntity, p, e, r, ch)
	case errors.Is(err, ErrRibbonRequired):
		form.Add("ribbon_text", "participation.error.ribbon_required")
		return h.renderParticipation(c, http.StatusUnprocessableEntity, p, e, r, ch)
	case err != nil:
		return notFound(err)
	}
	return h.done(c, "participation.updated", r.DelegationName, participationsURL(e.Year)+"#p-"+strconv.FormatInt(r.ID, 10))
}

// DeleteParticipation handles POST /editions/:year/delegations/:pid/delete:
// the delegation leaves the edition (it stays in the directory).
func (h *Handler) DeleteParticipation(c echo.Context) error {
	e, r, err := h.loadParticipation(c)
	if err != nil {
		return err
	}
	_, err = h.store.DeleteParticipation(c.Request().Context(), e.ID, r.ID)
	if errors.Is(err, ErrInUse) {
		h.view.Flash(c, view.FlashError, "participation.error.in_use", "Name", r.DelegationName)
		return c.Redirect(http.StatusSeeOther, participationURL(e.Year, r.ID))
	}
	if err != nil {
		return notFound(err)
	}
	return h.done(c, "participation.removed", r.DelegationName, participationsURL(e.Year))
}

// Wreath-laying order -------------------------------------------------------------------

type wreathViewRow struct {
	Position       int
	URL            string
	DelegationName string
	Country        string
	Kind           string
	RibbonText     string
	LaidBy         string
}

type wreathsData struct {
	Year        int
	EditionName string
	ListURL     string
	URL         string
	PrintURL    string
	PrintHead   participationPrintHead
	Rows        []wreathViewRow
}

func (h *Handler) wreathsData(c echo.Context, p *view.Page, e EditionRef) (wreathsData, error) {
	p.Zone = e.Location
	p.Nav = "editions"
	rows, err := h.store.WreathOrder(c.Request().Context(), e.ID)
	if err != nil {
		return wreathsData{}, err
	}
	d := wreathsData{
		Year: e.Year, EditionName: e.Name, ListURL: participationsURL(e.Year),
		URL: wreathsURL(e.Year), PrintURL: wreathsURL(e.Year) + "/print",
		PrintHead: h.participationPrintHead(p, e, "wreath.print.list"),
	}
	for _, r := range rows {
		d.Rows = append(d.Rows, wreathViewRow{
			Position: r.Position, URL: participationURL(e.Year, r.ParticipationID), DelegationName: r.DelegationName,
			Country: CountryName(p.Locale, r.Country), Kind: kindLabel(p, r.Kind), RibbonText: r.RibbonText, LaidBy: r.LaidBy,
		})
	}
	return d, nil
}

// Wreaths shows GET /editions/:year/wreaths: the wreath-laying order, in
// order of precedence.
func (h *Handler) Wreaths(c echo.Context) error { return h.renderWreaths(c, tmplWreaths) }

// PrintWreaths shows GET /editions/:year/wreaths/print: the wreath-laying
// order on A4 paper.
func (h *Handler) PrintWreaths(c echo.Context) error { return h.renderWreaths(c, tmplWreathsPrint) }

// renderWreaths renders the wreath-laying order of the edition in the path
// with template name: the page or its print view.
func (h *Handler) renderWreaths(c echo.Context, name string) error {
	e, err := h.participationEdition(c)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "wreath.title", "Year", e.Year)
	d, err := h.wreathsData(c, p, e)
	if err != nil {
		return err
	}
	p.Data = d
	return h.view.Render(c, http.StatusOK, name, p)
}
