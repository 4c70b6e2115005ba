package delegation

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"vigil/internal/view"
)

// guestsPerPage is the directory's page size.
const guestsPerPage = 50

// option is one choice of a select.
type option struct {
	Value string
	Label string
}

// countryOptions are the countries by name in each language, built once.
var countryOptions = sync.OnceValue(func() map[string][]option {
	out := map[string][]option{}
	for _, loc := range Languages {
		col := collate.New(language.Make(loc))
		opts := make([]option, 0, len(Countries))
		for _, code := range Countries {
			opts = append(opts, option{Value: code, Label: CountryName(loc, code)})
		}
		// Sort by the name as people read it in that language.
		sortOptions(opts, col)
		out[loc] = opts
	}
	return out
})

func countriesIn(loc string) []option {
	if o, ok := countryOptions()[loc]; ok {
		return o
	}
	return countryOptions()["en"]
}

// Delegation list -------------------------------------------------------------------

type delegationRow struct {
	ID          int64
	Position    int
	Name        string
	Kind        string
	Country     string
	Credentials string
	Rank        string
	Guests      int
}

type delegationsData struct {
	Rows  []delegationRow
	Text  string
	Kind  string
	Kinds []string
	// Filtered says a filter is on, for the empty state.
	Filtered bool
}

// Delegations shows GET /delegations: every delegation in order of
// precedence, filtered by ?q= and ?kind=.
func (h *Handler) Delegations(c echo.Context) error {
	f := DelegationFilter{Text: c.QueryParam("q"), Kind: c.QueryParam("kind")}
	if !ValidKind(f.Kind) {
		f.Kind = ""
	}
	ds, err := h.store.Delegations(c.Request().Context(), f)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "delegations.title")
	p.Nav = "delegations"
	d := delegationsData{Text: f.Text, Kind: f.Kind, Kinds: Kinds, Filtered: f.Text != "" || f.Kind != ""}
	for _, x := range ds {
		r := delegationRow{ID: x.ID, Position: x.Precedence, Name: x.Name, Kind: x.Kind, Country: CountryName(p.Locale, x.Country), Guests: x.Guests}
		if x.CredentialsPresentedOn != nil {
			r.Credentials = p.Day(*x.CredentialsPresentedOn)
		}
		if x.Rank != nil {
			r.Rank = strconv.Itoa(*x.Rank)
		}
		d.Rows = append(d.Rows, r)
	}
	p.Data = d
	return h.view.Render(c, http.StatusOK, tmplDelegations, p)
}

// Delegation page -------------------------------------------------------------------

type memberRow struct {
	ID       int64
	Name     string
	Position string
	Email    string
	VIP      bool
}

type delegationData struct {
	Creating  bool
	ID        int64
	Name      string
	Kind      string
	Country   string
	Position  int
	Kinds     []string
	Countries []option
	Members   []memberRow
	History   []HistoryRow
}

func (h *Handler) renderDelegation(c echo.Context, status int, p *view.Page, d *Delegation) error {
	p.Nav = "delegations"
	data := delegationData{Kinds: Kinds, Countries: countriesIn(p.Locale)}
	if d == nil {
		data.Creating = true
		fillDefaults(p.Form, map[string]string{"kind": KindDiplomaticMission})
		p.Data = data
		return h.view.Render(c, status, tmplDelegation, p)
	}
	ctx := c.Request().Context()
	data.ID, data.Name, data.Kind, data.Position = d.ID, d.Name, d.Kind, d.Precedence
	data.Country = CountryName(p.Locale, d.Country)
	fillDefaults(p.Form, delegationValues(d))
	members, err := h.store.DelegationGuests(ctx, d.ID)
	if err != nil {
		return err
	}
	for _, g := range members {
		data.Members = append(data.Members, memberRow{ID: g.ID, Name: g.DisplayName(), Position: g.Position, Email: g.Email, VIP: g.VIP})
	}
	if data.History, err = h.delegationHistory(ctx, p.T, d.ID); err != nil {
		return err
	}
	p.Data = data
	return h.view.Render(c, status, tmplDelegation, p)
}

// fillDefaults sets the form values that were not posted.
func fillDefaults(f *view.Form, values map[string]string) {
	if f.Values == nil {
		f.Values = map[string]string{}
	}
	for k, v := range values {
		if _, ok := f.Values[k]; !ok {
			f.Values[k] = v
		}
	}
}

func delegationURL(id int64) string { return "/delegations/" + strconv.FormatInt(id, 10) }
func guestURL(id int64) string      { return "/guests/" + strconv.FormatInt(id, 10) }

func (h *Handler) loadDelegation(c echo.Context) (*Delegation, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	d, err := h.store.Delegation(c.Request().Context(), id)
	return d, notFound(err)
}

// NewDelegation shows GET /delegations/new.
func (h *Handler) NewDelegation(c echo.Context) error {
	p := h.view.Page(c, "delegation.new.title")
	p.Form = view.NewForm(map[string]string{})
	return h.renderDelegation(c, http.StatusOK, p, nil)
}

// CreateDelegation handles POST /delegations.
func (h *Handler) CreateDelegation(c echo.Context) error {
	in, _, form := bindDelegation(c)
	p := h.view.Page(c, "delegation.new.title")
	p.Form = form
	if form.Valid() {
		d, err := h.store.CreateDelegation(c.Request().Context(), in)
		switch {
		case errors.Is(err, ErrNameTaken):
			form.Add("name", "delegation.error.name_taken")
		case err != nil:
			return err
		default:
			return h.done(c, "delegation.created", d.Name, delegationURL(d.ID))
		}
	}
	return h.renderDelegation(c, http.StatusUnprocessableEntity, p, nil)
}

// Delegation shows GET /delegations/:id: details, members and the
// editions it took part in; organizers also get the form.
func (h *Handler) Delegation(c echo.Context) error {
	d, err := h.loadDelegation(c)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "delegation.show.title", "Name", d.Name)
	p.Form = view.NewForm(map[string]string{})
	return h.renderDelegation(c, http.StatusOK, p, d)
}

// UpdateDelegation handles POST /delegations/:id.
func (h *Handler) UpdateDelegation(c echo.Context) error {
	d, err := h.loadDelegation(c)
	if err != nil {
		return err
	}
	in, version, form := bindDelegation(c)
	p := h.view.Page(c, "delegation.show.title", "Name", d.Name)
	p.Form = form
	if !form.Valid() {
		return h.renderDelegation(c, http.StatusUnprocessableEntity, p, d)
	}
	saved, err := h.store.UpdateDelegation(c.Request().Context(), d.ID, version, in)
	switch {
	case errors.Is(err, ErrNameTaken):
		form.Add("name", "delegation.error.name_taken")
		return h.renderDelegation(c, http.StatusUnprocessableEntity, p, d)
	case errors.Is(err, ErrStale):
		p.Form = view.NewForm(delegationValues(d))
		p.Form.Add("name", "form.error.stale")
		return h.renderDelegation(c, http.StatusConflict, p, d)
	case err != nil:
		return notFound(err)
	}
	return h.done(c, "delegation.updated", saved.Name, delegationURL(d.ID))
}

// DeleteDelegation handles POST /delegations/:id/delete. A delegation with
// guests or participations stays, and the page says why.
func (h *Handler) DeleteDelegation(c echo.Context) error {
	d, err := h.loadDelegation(c)
	if err != nil {
		return err
	}
	_, err = h.store.DeleteDelegation(c.Request().Context(), d.ID)
	if errors.Is(err, ErrInUse) {
		p := h.view.Page(c, "delegation.show.title", "Name", d.Name)
		p.Form = view.NewForm(map[string]string{})
		p.Flash = &view.Flash{Kind: view.FlashError, Message: p.T("delegation.error.in_use", "Name", d.Name)}
		return h.renderDelegation(c, http.StatusConflict, p, d)
	}
	if err != nil {
		return notFound(err)
	}
	return h.done(c, "delegation.deleted", d.Name, "/delegations")
}

// Guest directory -------------------------------------------------------------------

type guestRow struct {
	ID           int64
	Name         string
	Position     string
	Organisation string
	Email        string
	Language     string
	VIP          bool
	DelegationID int64
	Delegation   string
	Kind         string
}

type guestsData struct {
	Rows        []guestRow
	Total       int
	Pager       view.Pager
	Text        string
	Delegation  int64
	Kind        string
	Language    string
	VIP         bool
	Sort        string
	Delegations []option
	Kinds       []string
	Languages   []string
	Filtered    bool
	// ExportQuery carries the filters to the export links.
	ExportQuery string
}

// guestQuery reads the directory's filters from the query string.
func guestQuery(c echo.Context) GuestQuery {
	q := GuestQuery{
		Text:     c.QueryParam("q"),
		Kind:     c.QueryParam("kind"),
		Language: c.QueryParam("language"),
		VIPOnly:  c.QueryParam("vip") == "on",
		Sort:     c.QueryParam("sort"),
		Locale:   view.Locale(c),
	}
	if id, err := strconv.ParseInt(c.QueryParam("delegation"), 10, 64); err == nil && id > 0 {
		q.DelegationID = id
	}
	if !ValidKind(q.Kind) {
		q.Kind = ""
	}
	if !validLanguage(q.Language) {
		q.Language = ""
	}
	if q.Sort != SortName {
		q.Sort = SortPrecedence
	}
	return q
}

func validLanguage(l string) bool {
	for _, x := range Languages {
		if x == l {
			return true
		}
	}
	return false
}

// Guests shows GET /guests: the directory, searched as the organizer types
// (htmx swaps the results; without JavaScript the form submits).
func (h *Handler) Guests(c echo.Context) error {
	ctx := c.Request().Context()
	q := guestQuery(c)
	q.Offset, q.Limit = view.PageOf(c, guestsPerPage), guestsPerPage
	rows, total, err := h.store.SearchGuests(ctx, q)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "guests.title")
	p.Nav = "guests"
	d := guestsData{
		Total: total, Pager: view.Paginate(c, int64(total), guestsPerPage),
		Text: q.Text, Delegation: q.DelegationID, Kind: q.Kind, Language: q.Language, VIP: q.VIPOnly, Sort: q.Sort,
		Kinds: Kinds, Languages: Languages,
		Filtered:    q.Text != "" || q.DelegationID != 0 || q.Kind != "" || q.Language != "" || q.VIPOnly,
		ExportQuery: c.QueryString(),
	}
	if d.Delegations, err = h.delegationOptions(ctx); err != nil {
		return err
	}
	for _, r := range rows {
		g := guestRow{ID: r.ID, Position: r.Position, Organisation: r.Organisation, Email: r.Email, Language: r.Language,
			VIP: r.VIP, Delegation: r.DelegationName, Kind: r.DelegationKind}
		g.Name = (&Guest{Honorific: r.Honorific, GivenName: r.GivenName, FamilyName: r.FamilyName, PrintedName: r.PrintedName}).DisplayName()
		if r.DelegationID != nil {
			g.DelegationID = *r.DelegationID
		}
		d.Rows = append(d.Rows, g)
	}
	p.Data = d
	return h.view.Render(c, http.StatusOK, tmplGuests, p)
}

// delegationOptions are the delegations to choose from, in order of
// precedence.
func (h *Handler) delegationOptions(ctx context.Context) ([]option, error) {
	ds, err := h.store.AllDelegations(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]option, len(ds))
	for i, d := range ds {
		out[i] = option{Value: strconv.FormatInt(d.ID, 10), Label: d.Name}
	}
	return out, nil
}

// Guest page ------------------------------------------------------------------------

type guestData struct {
	Creating    bool
	ID          int64
	Name        string
	FullName    string
	Delegation  string
	DelegatID   int64
	Languages   []string
	Delegations []option
	// Years is the guest's history by edition (guest_history.go).
	Years []guestYear
	Shown *Guest
}

func (h *Handler) renderGuest(c echo.Context, status int, p *view.Page, g *Guest) error {
	ctx := c.Request().Context()
	p.Nav = "guests"
	data := guestData{Languages: Languages}
	var err error
	if data.Delegations, err = h.delegationOptions(ctx); err != nil {
		return err
	}
	if g == nil {
		data.Creating = true
		defaults := map[string]string{"language": "en"}
		if id := c.QueryParam("delegation"); id != "" {
			defaults["delegation_id"] = id
		}
		fillDefaults(p.Form, defaults)
		p.Data = data
		return h.view.Render(c, status, tmplGuest, p)
	}
	data.ID, data.Name, data.FullName = g.ID, g.DisplayName(), g.FullName()
	shown := *g
	if !p.User.IsOrganizer() {
		shown.RestrictedNotes = "" // organizers only
	}
	data.Shown = &shown
	if g.DelegationID != nil {
		d, err := h.store.Delegation(ctx, *g.DelegationID)
		if err != nil {
			return err
		}
		data.Delegation, data.DelegatID = d.Name, d.ID
	}
	if data.Years, err = h.guestYears(ctx, p, g.ID); err != nil {
		return err
	}
	fillDefaults(p.Form, guestValues(&shown))
	p.Data = data
	return h.view.Render(c, status, tmplGuest, p)
}

func (h *Handler) loadGuest(c echo.Context) (*Guest, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	g, err := h.store.Guest(c.Request().Context(), id)
	return g, notFound(err)
}

// delegationExists checks a chosen delegation id.
func (h *Handler) delegationExists(c echo.Context) func(int64) bool {
	return func(id int64) bool {
		_, err := h.store.Delegation(c.Request().Context(), id)
		return err == nil
	}
}

// NewGuest shows GET /guests/new (?delegation=ID preselects one).
func (h *Handler) NewGuest(c echo.Context) error {
	p := h.view.Page(c, "guest.new.title")
	p.Form = view.NewForm(map[string]string{})
	return h.renderGuest(c, http.StatusOK, p, nil)
}

// CreateGuest handles POST /guests.
func (h *Handler) CreateGuest(c echo.Context) error {
	in, _, form := bindGuest(c, h.delegationExists(c))
	p := h.view.Page(c, "guest.new.title")
	p.Form = form
	if form.Valid() {
		g, err := h.store.CreateGuest(c.Request().Context(), in)
		switch {
		case errors.Is(err, ErrEmailTaken):
			form.Add("email", "guest.error.email_taken")
		case errors.Is(err, ErrNotFound):
			form.Add("delegation_id", "guest.error.delegation")
		case err != nil:
			return err
		default:
			return h.done(c, "guest.created", g.FullName(), guestURL(g.ID))
		}
	}
	return h.renderGuest(c, http.StatusUnprocessableEntity, p, nil)
}

// Guest shows GET /guests/:id: the guest, the history across editions, and
// for organizers the form.
func (h *Handler) Guest(c echo.Context) error {
	g, err := h.loadGuest(c)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "guest.show.title", "Name", g.FullName())
	p.Form = view.NewForm(map[string]string{})
	return h.renderGuest(c, http.StatusOK, p, g)
}

// UpdateGuest handles POST /guests/:id.
func (h *Handler) UpdateGuest(c echo.Context) error {
	g, err := h.loadGuest(c)
	if err != nil {
		return err
	}
	in, version, form := bindGuest(c, h.delegationExists(c))
	p := h.view.Page(c, "guest.show.title", "Name", g.FullName())
	p.Form = form
	if !form.Valid() {
		return h.renderGuest(c, http.StatusUnprocessableEntity, p, g)
	}
	saved, err := h.store.UpdateGuest(c.Request().Context(), g.ID, version, in)
	switch {
	case errors.Is(err, ErrEmailTaken):
		form.Add("email", "guest.error.email_taken")
		return h.renderGuest(c, http.StatusUnprocessableEntity, p, g)
	case errors.Is(err, ErrStale):
		p.Form = view.NewForm(guestValues(g))
		p.Form.Add("family_name", "form.error.stale")
		return h.renderGuest(c, http.StatusConflict, p, g)
	case err != nil:
		return notFound(err)
	}
	return h.done(c, "guest.updated", saved.FullName(), guestURL(g.ID))
}

// DeleteGuest handles POST /guests/:id/delete.
func (h *Handler) DeleteGuest(c echo.Context) error {
	g, err := h.loadGuest(c)
	if err != nil {
		return err
	}
	if _, err := h.store.DeleteGuest(c.Request().Context(), g.ID); err != nil {
		if errors.Is(err, ErrInUse) {
			p := h.view.Page(c, "guest.show.title", "Name", g.FullName())
			p.Form = view.NewForm(map[string]string{})
			p.Flash = &view.Flash{Kind: view.FlashError, Message: p.T("guest.error.in_use", "Name", g.FullName())}
			return h.renderGuest(c, http.StatusConflict, p, g)
		}
		return notFound(err)
	}
	return h.done(c, "guest.deleted", g.FullName(), "/guests")
}
