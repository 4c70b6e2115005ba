package checkin

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

// The check-in desk: a phone or tablet at a gate. One field takes a
// badge's code from a scanner (the code and Enter) or a few letters of a
// name; the answer fills the screen. Every form works without JavaScript;
// with htmx the live part of the page (#desk-live) is swapped in place,
// and a scan, the desk's hot path, swaps only its answer (#desk-result):
// one statement checks the guest in and reads all the answer shows, and
// the recent list gains the new line without being read again. On phones
// with a camera and BarcodeDetector, web/static/js/scan-camera.js feeds the
// same field from QR codes.

// Template names of the desk.
const (
	tmplChoose = "checkin/desk_choose"
	tmplDesk   = "checkin/desk"
)

// deskViews are the check-in desk's templates.
var deskViews = []string{tmplChoose, tmplDesk}

const (
	// undoWindow is how long a check-in can be taken back by whoever made
	// it: long enough to notice a wrong tap, short enough that an arrival
	// on the board stays true.
	undoWindow = time.Minute
	// recentLimit is how many check-ins the desk lists.
	recentLimit = 10
	// matchLimit is how many guests a name search shows.
	matchLimit = 12
	// minSearch is the fewest letters a name search takes.
	minSearch = 2
	// eventsTTL is how long the desk keeps a ceremony's title, gates and
	// zones: they do not change during the day, and each scan need not
	// read them again.
	eventsTTL = 30 * time.Second
)

// Choosing a ceremony and gate ----------------------------------------------------------

type chooseCeremony struct {
	ID    int64
	Title string
	When  string
	Venue string
	Gates []Gate
}

type chooseData struct {
	Ceremonies []chooseCeremony
	// UnknownGate: the address named a gate the ceremony's venue does
	// not have (an old bookmark, a gate removed): said above the choice.
	UnknownGate bool
}

// Choose shows GET /checkin: the published ceremonies of the current
// edition, each with a button per gate.
func (h *Handler) Choose(c echo.Context) error {
	ctx := c.Request().Context()
	cs, err := h.Events.Ceremonies(ctx)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	var open []Ceremony
	for _, sum := range cs {
		if !sum.Published() {
			continue
		}
		full, err := h.ceremony(ctx, sum.ID)
		if err != nil {
			return err
		}
		open = append(open, full)
	}
	return h.renderChoose(c, open, false)
}

// renderChoose shows the ceremonies cs with a button per gate, saying
// first, if unknownGate, that the gate asked for is not one of them.
func (h *Handler) renderChoose(c echo.Context, cs []Ceremony, unknownGate bool) error {
	p := h.View.Page(c, "checkin.desk.choose_title")
	p.Nav = "checkin"
	d := chooseData{UnknownGate: unknownGate}
	for _, cer := range cs {
		p.Zone = cer.Location
		d.Ceremonies = append(d.Ceremonies, chooseCeremony{
			ID: cer.ID, Title: cer.Title, When: p.LongDay(cer.StartsAt) + ", " + p.Clock(cer.StartsAt),
			Venue: cer.VenueName, Gates: cer.Gates,
		})
	}
	p.Zone = nil
	p.Data = d
	return h.View.Render(c, http.StatusOK, tmplChoose, p)
}

// The desk ------------------------------------------------------------------------------

// resultView is the big answer that fills the screen after a scan or a
// tap.
type resultView struct {
	// Kind is success (green), warning (amber), danger (red) or empty
	// (neutral).
	Kind       string
	Status     string
	Note       string
	Name       string
	Honorific  string
	Delegation string
	VIP        bool
	Zone       *Zone
	// InvitationID is set when the guest is known: the answer then
	// offers the companions and the undo.
	InvitationID   int64
	CompanionsLeft int
	CanUndo        bool
}

// guestRow is a guest in the search results or the recent list.
type guestRow struct {
	S              *deskShared
	InvitationID   int64
	Name           string
	Delegation     string
	VIP            bool
	Zone           *Zone
	Status         string // the answer, translated
	Declined       bool
	CheckedIn      bool
	CanCheckIn     bool
	CompanionsLeft int
	CanUndo        bool
	WalkIn         bool
	// Detail says when and by whom the guest came in, and the
	// companions (or a walk-in's reason).
	Detail string
}

// deskShared is what every form of the desk repeats, worked out once a
// page: where the forms post (the gate in the address) and the words of
// the buttons.
type deskShared struct {
	CSRF                                      string
	ScanURL, CompanionURL, UndoURL, WalkInURL string
	deskLabels
}

// deskLabels are the words of the desk's buttons and badges, in one
// language.
type deskLabels struct {
	CheckIn, AddCompanion, Undo string
	VIP, WalkIn, CheckedIn      string
}

// deskLabelsByLocale keeps each language's deskLabels: the catalogs are
// built in, and a scan's answer needs all six (looking them up was a
// third of the translator's work per scan).
var deskLabelsByLocale sync.Map // locale → deskLabels

func labelsFor(p *view.Page) deskLabels {
	if l, ok := deskLabelsByLocale.Load(p.Locale); ok {
		return l.(deskLabels)
	}
	l := deskLabels{
		CheckIn: p.T("checkin.desk.check_in"), AddCompanion: p.T("checkin.desk.add_companion"), Undo: p.T("checkin.desk.undo"),
		VIP: p.T("checkin.desk.vip"), WalkIn: p.T("checkin.desk.walkin_badge"), CheckedIn: p.T("checkin.result.checked_in"),
	}
	deskLabelsByLocale.Store(p.Locale, l)
	return l
}

type deskData struct {
	Ceremony Ceremony
	When     string
	Gate     *Gate
	// Base is the desk's address without its gate ("/checkin/5").
	Base   string
	Result *resultView
	// Query is the name searched; Searched is set when a search ran.
	Query    string
	Searched bool
	TooShort bool
	Matches  []guestRow
	Recent   []guestRow
	// WalkInOpen shows the walk-in form open (it has errors).
	WalkInOpen bool
	// CodeAlphabet and CodeLength tell vigil.js a badge code from a
	// name, as looksLikeCode does.
	CodeAlphabet string
	CodeLength   int
	// QueryMax bounds what the scan field takes (deskQueryMax).
	QueryMax int
	S        *deskShared
	// Fragment renders only the live part of the desk, for htmx.
	Fragment bool
	// ResultOnly renders only the answer to a scan, for htmx: the desk
	// swaps it in, and adds Fresh (a guest just checked in) to the top of
	// its recent list, without the list being read again.
	ResultOnly bool
	Fresh      *guestRow
}

// desk is the ceremony and gate a request is for.
type desk struct {
	ceremony Ceremony
	gate     *Gate
}

// deskOf reads the ceremony from the path and the gate from the query or
// form. A ceremony of another edition, or cancelled, is a 404 (a draft
// opens, so staff can try the desk before the day; only published ones
// are offered). A missing or unknown gate of a venue that has gates gives
// a desk without gate and ok false: the user chooses one first.
func (h *Handler) deskOf(c echo.Context) (d *desk, ok bool, err error) {
	id, err := pathID(c, "ceremony")
	if err != nil {
		return nil, false, err
	}
	cer, err := h.ceremony(c.Request().Context(), id)
	if err != nil {
		return nil, false, notFound(err)
	}
	if cer.Status == "cancelled" {
		return nil, false, echo.NewHTTPError(http.StatusNotFound)
	}
	d = &desk{ceremony: cer}
	if len(cer.Gates) == 0 {
		return d, true, nil
	}
	gid, _ := strconv.ParseInt(c.FormValue("gate"), 10, 64)
	for i := range cer.Gates {
		if cer.Gates[i].ID == gid {
			d.gate = &cer.Gates[i]
			return d, true, nil
		}
	}
	return d, false, nil
}

func (d *desk) gateID() *int64 {
	if d.gate == nil {
		return nil
	}
	return &d.gate.ID
}

func (d *desk) base() string { return d.addresses().base }

// deskAddresses are a desk's addresses: its own, and those its forms post
// to, with the gate (the page that answers opens at the scan field).
type deskAddresses struct {
	base, scan, companion, undo, walkIn string
}

// deskAddressesOf keeps each desk's addresses, by ceremony and gate:
// every scan's answer carries them, and building them was a tenth of
// the allocations a scan makes. There are as many as there are gates of
// ceremonies, a few dozen a year.
var deskAddressesOf sync.Map // [2]int64{ceremony, gate or 0} → deskAddresses

func (d *desk) addresses() deskAddresses {
	key := [2]int64{d.ceremony.ID, 0}
	if d.gate != nil {
		key[1] = d.gate.ID
	}
	if a, ok := deskAddressesOf.Load(key); ok {
		return a.(deskAddresses)
	}
	base := "/checkin/" + strconv.FormatInt(key[0], 10)
	post := func(action string) string {
		u := base + "/" + action
		if d.gate != nil {
			u += "?gate=" + strconv.FormatInt(key[1], 10)
		}
		return u + "#f-q"
	}
	a := deskAddresses{base: base, scan: post("scan"), companion: post("companion"), undo: post("undo"), walkIn: post("walkin")}
	deskAddressesOf.Store(key, a)
	return a
}

// chooseGate sends the user to choose a gate of the desk's ceremony.
func chooseGate(c echo.Context, d *desk) error { return c.Redirect(http.StatusSeeOther, d.base()) }

// deskReq is one request to the desk: the page being built, and what
// waits for the guests' names, which are read in one go at the end.
type deskReq struct {
	c    echo.Context
	ctx  context.Context
	p    *view.Page
	data *deskData
	d    *desk
	me   int64
	// answer is the guest the big answer is about (nil: none, or the
	// answer is complete already); finish words it.
	answer *Attendee
	finish func(r *resultView) error
	// matches are the guests a search found.
	matches []Attendee
}

// open starts a request to the desk: nil (and the response written)
// when the user has to choose a gate first.
func (h *Handler) open(c echo.Context, choose func(c echo.Context, d *desk) error) (*deskReq, error) {
	d, ok, err := h.deskOf(c)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, choose(c, d)
	}
	p := h.View.Page(c, "checkin.desk.title", "Ceremony", d.ceremony.Title)
	p.Nav = "checkin"
	p.Zone = d.ceremony.Location
	addr := d.addresses()
	data := &deskData{
		Ceremony: d.ceremony, Gate: d.gate, Base: addr.base, CodeAlphabet: codeAlphabet, CodeLength: codeLength, QueryMax: deskQueryMax,
		S: &deskShared{
			CSRF: p.CSRF, ScanURL: addr.scan, CompanionURL: addr.companion, UndoURL: addr.undo, WalkInURL: addr.walkIn,
			deskLabels: labelsFor(p),
		},
		// An htmx request swaps #desk-live only: the rest of the page
		// is not rendered.
		Fragment: c.Request().Method == http.MethodPost && c.Request().Header.Get("HX-Request") == "true",
	}
	if !data.Fragment {
		// Only the page's heading shows it.
		data.When = p.LongDay(d.ceremony.StartsAt) + ", " + p.Clock(d.ceremony.StartsAt)
	}
	p.Data = data
	return &deskReq{c: c, ctx: c.Request().Context(), p: p, data: data, d: d, me: userID(c)}, nil
}

// Desk shows GET /checkin/:ceremony?gate=G, and with q the guests whose
// names match.
func (h *Handler) Desk(c echo.Context) error {
	r, err := h.open(c, func(c echo.Context, d *desk) error {
		return h.renderChoose(c, []Ceremony{d.ceremony}, c.QueryParam("gate") != "")
	})
	if r == nil {
		return err
	}
	if q := strings.TrimSpace(c.QueryParam("q")); q != "" {
		if err := h.search(r, q); err != nil {
			return err
		}
	}
	return h.render(r)
}

// Scan serves POST /checkin/:ceremony/scan: a badge's code (field q), or
// a tap on a guest found by name (field invitation). Text that is not a
// code is searched as a name.
func (h *Handler) Scan(c echo.Context) error {
	r, err := h.open(c, chooseGate)
	if r == nil {
		return err
	}
	req := CheckIn{CeremonyID: r.d.ceremony.ID, EditionID: r.d.ceremony.EditionID, GateID: r.d.gateID(), UserID: r.me}
	if inv, _ := strconv.ParseInt(c.FormValue("invitation"), 10, 64); inv > 0 {
		req.InvitationID = inv
	} else {
		q := strings.TrimSpace(truncate(c.FormValue("q"), deskQueryMax))
		if !looksLikeCode(normalizeCode(q)) {
			if q != "" {
				if err := h.search(r, q); err != nil {
					return err
				}
			}
			return h.render(r)
		}
		req.Code = q
	}
	res, err := h.Attendance.CheckIn(r.ctx, req)
	if err != nil {
		return err
	}
	if err := h.name(r, &res); err != nil {
		return err
	}
	if res.Outcome == OutcomeNotInvited && res.Attendee.InvitationID == 0 && !strings.ContainsAny(req.Code, "0123456789") {
		// Twelve letters no badge has: perhaps a name.
		if err := h.search(r, strings.TrimSpace(req.Code)); err != nil {
			return err
		}
		if len(r.matches) > 0 {
			return h.render(r)
		}
		r.data.Searched, r.data.Query = false, ""
	}
	r.data.Result, r.data.Fresh = h.answer(r, res)
	if !r.data.Fragment {
		return h.render(r)
	}
	// The scan's hot path: the Result says all the answer shows, so the
	// desk gets the answer alone (and the new line of its recent list),
	// with no other look-up. The headers point htmx, which posted for
	// the whole live part, at the answer.
	r.data.ResultOnly = true
	hdr := c.Response().Header()
	for _, kv := range scanAnswerHeaders {
		hdr[kv.key] = kv.value
	}
	hdr.Add("Vary", "HX-Request")
	// Written by hand (desk_answer.go), not by html/template: executing
	// the template measured ~40% of the server's CPU per scan. It writes
	// the template's very bytes, and desk_answer_test.go keeps the two
	// identical; the headers are those view.Renderer.Render sets.
	hdr.Set("Content-Language", r.p.Locale)
	return sendScanAnswer(c, r.p, r.data)
}

// scanAnswerHeaders point htmx at the answer: the same value slices for
// every scan (cap 1, so an Add elsewhere copies rather than writes into
// them), keys in canonical form.
var scanAnswerHeaders = []struct {
	key   string
	value []string
}{
	{"Hx-Retarget", []string{"#desk-result"}},
	{"Hx-Reselect", []string{"#desk-result"}},
	{"Hx-Reswap", []string{"outerHTML show:#f-q:top"}},
}

// Companion serves POST /checkin/:ceremony/companion: one more companion
// of a guest is in.
func (h *Handler) Companion(c echo.Context) error {
	r, err := h.open(c, chooseGate)
	if r == nil {
		return err
	}
	inv, err := strconv.ParseInt(c.FormValue("invitation"), 10, 64)
	if err != nil || inv <= 0 {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	a, added, err := h.Attendance.AddCompanion(r.ctx, inv, r.d.ceremony.ID, r.me)
	if err != nil {
		return notFound(err)
	}
	r.answer = &a
	r.finish = func(v *resultView) error {
		if added {
			v.Kind, v.Status = "success", r.p.T("checkin.desk.companion_in")
		} else {
			v.Kind, v.Status = "warning", r.p.T("checkin.desk.companions_all_in")
		}
		v.Note = r.p.T("checkin.desk.companions_count", "In", a.CompanionsIn, "Of", a.Companions)
		return nil
	}
	return h.render(r)
}

// Undo serves POST /checkin/:ceremony/undo: a check-in made by this user
// less than a minute ago is taken back.
func (h *Handler) Undo(c echo.Context) error {
	r, err := h.open(c, chooseGate)
	if r == nil {
		return err
	}
	inv, err := strconv.ParseInt(c.FormValue("invitation"), 10, 64)
	if err != nil || inv <= 0 {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	a, err := h.Attendance.Attendee(r.ctx, inv, r.d.ceremony.ID)
	if err != nil {
		return notFound(err)
	}
	undone, err := h.Attendance.Undo(r.ctx, inv, r.d.ceremony.ID, r.me, undoWindow)
	if err != nil {
		return err
	}
	r.answer = &a
	r.finish = func(v *resultView) error {
		v.CanUndo, v.CompanionsLeft = false, 0
		if undone {
			v.Kind, v.Status, v.Note = "", r.p.T("checkin.desk.undone"), r.p.T("checkin.desk.undone_note")
		} else {
			v.Kind, v.Status, v.Note = "warning", r.p.T("checkin.desk.undo_refused"), r.p.T("checkin.desk.undo_refused_note")
		}
		return nil
	}
	return h.render(r)
}

// WalkIn serves POST /checkin/:ceremony/walkin: someone let in without an
// invitation, with the reason.
func (h *Handler) WalkIn(c echo.Context) error {
	r, err := h.open(c, chooseGate)
	if r == nil {
		return err
	}
	b := view.Bind(c)
	w := WalkIn{
		CeremonyID: r.d.ceremony.ID, GateID: r.d.gateID(),
		Name:         b.Required("walkin_name", 200, "checkin.walkin.error.name"),
		Organisation: b.Text("walkin_organisation", 200),
		Reason:       b.Required("walkin_reason", 500, "checkin.walkin.error.reason"),
	}
	if r.me > 0 {
		w.By = &r.me
	}
	if !b.Form.Valid() {
		r.p.Form = b.Form
		r.data.WalkInOpen = true
		return h.render(r)
	}
	if err := h.WalkIns.Record(r.ctx, &w); err != nil {
		return err
	}
	r.data.Result = &resultView{
		Kind: "success", Status: r.p.T("checkin.walkin.recorded"), Name: w.Name, Delegation: w.Organisation,
		Note: r.p.T("checkin.walkin.reason_note", "Reason", w.Reason),
	}
	return h.render(r)
}

// render reads the recent list, the names of every guest the page shows
// (in one look-up), words the answer and renders the desk.
func (h *Handler) render(r *deskReq) error {
	recent, err := h.Attendance.Recent(r.ctx, r.d.ceremony.ID, r.d.gateID(), recentLimit)
	if err != nil {
		return err
	}
	var gids, uids []int64
	want := func(a Attendee) {
		gids = append(gids, a.GuestID)
		if a.By != nil && !slices.Contains(uids, *a.By) {
			uids = append(uids, *a.By)
		}
	}
	if r.answer != nil {
		want(*r.answer)
	}
	for _, a := range r.matches {
		want(a)
	}
	for _, e := range recent {
		if e.WalkIn == nil {
			want(e.Attendee)
		} else if e.WalkIn.By != nil && !slices.Contains(uids, *e.WalkIn.By) {
			uids = append(uids, *e.WalkIn.By)
		}
	}
	guests := map[int64]Guest{}
	if len(gids) > 0 {
		if guests, err = h.Directory.Guests(r.ctx, gids); err != nil {
			return err
		}
	}
	users, err := h.userNames(r.ctx, uids)
	if err != nil {
		return err
	}
	if r.answer != nil {
		v := resultOf(guests[r.answer.GuestID], *r.answer, r.d.zone(r.answer.ZoneID))
		if err := r.finish(v); err != nil {
			return err
		}
		r.data.Result = v
	}
	for _, a := range r.matches {
		r.data.Matches = append(r.data.Matches, h.row(r, guests, users, a))
	}
	for _, e := range recent {
		if w := e.WalkIn; w != nil {
			r.data.Recent = append(r.data.Recent, guestRow{S: r.data.S, WalkIn: true, Name: w.Name, Delegation: w.Organisation,
				Detail: r.p.Clock(w.At) + " · " + r.p.T("checkin.desk.by", "By", name(r.p, users, w.By)) + " · " +
					r.p.T("checkin.walkin.reason_note", "Reason", w.Reason)})
			continue
		}
		r.data.Recent = append(r.data.Recent, h.row(r, guests, users, e.Attendee))
	}
	r.c.Response().Header().Add("Vary", "HX-Request")
	return h.View.Render(r.c, http.StatusOK, tmplDesk, r.p)
}

// answer words the outcome of a check-in from the Result alone, and,
// when the guest was checked in now, the line the recent list gains.
func (h *Handler) answer(r *deskReq, res Result) (*resultView, *guestRow) {
	p := r.p
	a, g := res.Attendee, res.Guest
	if a.InvitationID == 0 {
		return &resultView{Kind: "danger", Status: p.T("checkin.result.not_invited"), Note: p.T("checkin.result.unknown_code")}, nil
	}
	v := resultOf(g, a, res.Zone)
	var fresh *guestRow
	switch res.Outcome {
	case OutcomeCheckedIn:
		v.Kind, v.Status, v.CanUndo = "success", p.T("checkin.result.checked_in"), true
		switch a.Status {
		case StatusPending:
			v.Kind, v.Note = "warning", p.T("checkin.result.no_answer")
		case StatusWaitlisted:
			v.Kind, v.Note = "warning", p.T("checkin.result.waitlisted")
		}
		fresh = &guestRow{
			S: r.data.S, InvitationID: a.InvitationID, Name: g.Name, Delegation: g.Delegation, VIP: g.VIP, Zone: res.Zone,
			CheckedIn: true, CompanionsLeft: v.CompanionsLeft, CanUndo: true, Detail: arrivedDetail(p, a, res.GateName, res.ByName),
		}
	case OutcomeAlready:
		v.Kind, v.Status = "warning", p.T("checkin.result.already")
		v.Note = arrived(p, a, res.GateName, res.ByName)
		v.CanUndo = h.canUndo(r, a)
	case OutcomeDeclined:
		v.Kind, v.Status, v.Note, v.CompanionsLeft = "danger", p.T("checkin.result.declined"), p.T("checkin.result.declined_note"), 0
	case OutcomeWrongCeremony:
		v.Kind, v.Status, v.CompanionsLeft = "danger", p.T("checkin.result.wrong_ceremony"), 0
		if len(res.Elsewhere) > 0 {
			v.Note = p.T("checkin.result.invited_to", "Ceremonies", strings.Join(res.Elsewhere, ", "))
		}
	default:
		v.Kind, v.Status, v.Note, v.CompanionsLeft = "danger", p.T("checkin.result.not_invited"), p.T("checkin.result.other_edition"), 0
	}
	return v, fresh
}

// arrived says where, when and by whom a guest was checked in, given the
// gate's and the staff member's names ("" when unknown).
func arrived(p *view.Page, a Attendee, gate, by string) string {
	if a.CheckedInAt == nil {
		return ""
	}
	switch {
	case a.GateID == nil:
		gate = p.T("checkin.desk.no_gate")
	case gate == "":
		gate = p.T("checkin.desk.other_gate")
	}
	if a.By == nil || by == "" {
		by = p.T("checkin.desk.someone")
	}
	return p.T("checkin.result.already_note", "Gate", gate, "Time", p.Clock(*a.CheckedInAt), "By", by)
}

// resultOf is the answer about guest g: who they are, their zone and the
// companions still to come.
func resultOf(g Guest, a Attendee, zone *Zone) *resultView {
	v := &resultView{Name: g.Name, Delegation: g.Delegation, VIP: g.VIP, InvitationID: a.InvitationID, Zone: zone, CompanionsLeft: companionsLeft(a)}
	if g.Honorific != "" && !strings.HasPrefix(g.Name, g.Honorific) {
		v.Honorific = g.Honorific
	}
	return v
}

// companionsLeft is how many of a guest's companions are still to come;
// none when the guest declined.
func companionsLeft(a Attendee) int {
	if a.Status == StatusDeclined {
		return 0
	}
	return max(a.Companions-a.CompanionsIn, 0)
}

// arrivedDetail is a checked-in guest's line in the desk's lists: where,
// when and by whom, and how many of the companions are in.
func arrivedDetail(p *view.Page, a Attendee, gate, by string) string {
	d := arrived(p, a, gate, by)
	if a.Companions > 0 {
		d += " · " + p.T("checkin.desk.companions_count", "In", a.CompanionsIn, "Of", a.Companions)
	}
	return d
}

// row describes a guest for the lists.
func (h *Handler) row(r *deskReq, guests map[int64]Guest, users map[int64]string, a Attendee) guestRow {
	g := guests[a.GuestID]
	row := guestRow{
		S: r.data.S, InvitationID: a.InvitationID, Name: g.Name, Delegation: g.Delegation, VIP: g.VIP, Zone: r.d.zone(a.ZoneID),
		Declined: a.Status == StatusDeclined, CompanionsLeft: companionsLeft(a),
	}
	if a.CheckedInAt == nil {
		row.Status = r.p.T("checkin.status." + a.Status)
		row.CanCheckIn = !row.Declined
		return row
	}
	row.CheckedIn = true
	row.Detail = arrivedDetail(r.p, a, r.d.gateName(r.p, a.GateID), name(r.p, users, a.By))
	row.CanUndo = h.canUndo(r, a)
	return row
}

// canUndo reports whether the user may still undo a check-in (the
// database has the last word).
func (h *Handler) canUndo(r *deskReq, a Attendee) bool {
	return a.CheckedInAt != nil && a.By != nil && *a.By == r.me && h.now().Sub(*a.CheckedInAt) < undoWindow
}

func name(p *view.Page, users map[int64]string, id *int64) string {
	if id != nil {
		if n, ok := users[*id]; ok {
			return n
		}
	}
	return p.T("checkin.desk.someone")
}

func (d *desk) zone(id *int64) *Zone {
	z, _ := lookupZone(d.ceremony, id)
	return z
}

func (d *desk) gateName(p *view.Page, id *int64) string {
	if id == nil {
		return p.T("checkin.desk.no_gate")
	}
	if n, ok := lookupGate(d.ceremony, id); ok {
		return n
	}
	return p.T("checkin.desk.other_gate")
}

// search finds the invited guests whose names match q.
func (h *Handler) search(r *deskReq, q string) error {
	r.data.Query, r.data.Searched = q, true
	if utf8.RuneCountInString(q) < minSearch {
		r.data.TooShort = true
		return nil
	}
	ids, err := h.Directory.Search(r.ctx, q)
	if err != nil {
		return err
	}
	as, err := h.Attendance.Invited(r.ctx, r.d.ceremony.ID, ids)
	if err != nil {
		return err
	}
	if len(as) > matchLimit {
		as = as[:matchLimit]
	}
	r.matches = as
	return nil
}

// Helpers ---------------------------------------------------------------------------------

func userID(c echo.Context) int64 {
	if u := view.User(c); u != nil {
		return u.ID
	}
	return 0
}

// looksLikeCode reports whether s (normalized) has a check-in code's
// shape: 12 characters of the badge alphabet. A rare name of that shape
// is searched as well when no badge has it (Scan).
func looksLikeCode(s string) bool {
	if len(s) != codeLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(codeAlphabet, rune(s[i])) {
			return false
		}
	}
	return true
}

// codeAlphabet is the alphabet of check-in codes (the invitation
// package's).
// deskQueryMax bounds the scan field: a badge code, a scanned address
// or a few words of a name. Anything longer is cut (it was echoed whole
// as the search's heading).
const deskQueryMax = 200

const (
	codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	codeLength   = 12
)

// normalizeCode reads a check-in code as typed or scanned: spaces and
// dashes dropped, upper case; a scanned address keeps its last part.
func normalizeCode(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexAny(s, "/=?#"); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, s)
	return strings.ToUpper(s)
}

// Caches ------------------------------------------------------------------------------------

// caches keeps, on each server instance, what the desk reads of a
// ceremony (title, gates, zones) and the names of staff and delegations,
// each for eventsTTL. A TTL rather than invalidation: with several
// instances, a change made through one is seen by the others within
// eventsTTL, and none of it decides a check-in (the scan's statement
// decides with the rows themselves; the cache says which gates a desk
// offers, how the page is titled, and how the answer names the zone,
// gate, staff member and delegation, by the ids the statement returns).
type caches struct {
	mu          sync.Mutex
	ceremonies  map[int64]cachedCeremony
	users       map[int64]cachedName
	delegations cachedNames
}

type cachedCeremony struct {
	c  Ceremony
	at time.Time
}

type cachedName struct {
	name string
	at   time.Time
}

// cachedNames are names read together, at.
type cachedNames struct {
	names map[int64]string
	at    time.Time
}

// name fills in the names a check-in's answer shows (Result.Zone,
// GateName, ByName, Guest.Delegation) from what the desk holds in
// memory: the ceremony's zones and gates, and the staff's and
// delegations' names. A zone or gate the desk has not seen (made within
// eventsTTL) has the ceremony read again once.
func (h *Handler) name(r *deskReq, res *Result) error {
	a := res.Attendee
	if a.InvitationID == 0 {
		return nil
	}
	cer := r.d.ceremony
	zone, zoneOK := lookupZone(cer, a.ZoneID)
	gate, gateOK := lookupGate(cer, a.GateID)
	if !zoneOK || !gateOK {
		fresh, err := h.reloadCeremony(r.ctx, cer.ID)
		if err != nil {
			return err
		}
		zone, _ = lookupZone(fresh, a.ZoneID)
		gate, _ = lookupGate(fresh, a.GateID)
	}
	res.Zone, res.GateName = zone, gate
	if a.By != nil {
		names, err := h.userNames(r.ctx, []int64{*a.By})
		if err != nil {
			return err
		}
		res.ByName = names[*a.By]
	}
	if g := &res.Guest; g.DelegationID != nil && g.Delegation == "" {
		name, err := h.delegationName(r.ctx, *g.DelegationID)
		if err != nil {
			return err
		}
		g.Delegation = name
	}
	return nil
}

// lookupZone finds zone id among the ceremony's; ok is false when the
// ceremony does not have it.
func lookupZone(c Ceremony, id *int64) (z *Zone, ok bool) {
	if id == nil {
		return nil, true
	}
	if found, ok := c.Zones[*id]; ok {
		return &found, true
	}
	return nil, false
}

// lookupGate names gate id among the ceremony's; ok is false when the
// ceremony does not have it (a gate of another venue, or a new one).
func lookupGate(c Ceremony, id *int64) (name string, ok bool) {
	if id == nil {
		return "", true
	}
	for _, g := range c.Gates {
		if g.ID == *id {
			return g.Name, true
		}
	}
	return "", false
}

// ceremony returns ceremony id of the current edition, with its gates
// and zones, read again after eventsTTL.
func (h *Handler) ceremony(ctx context.Context, id int64) (Ceremony, error) {
	h.cache.mu.Lock()
	cc, ok := h.cache.ceremonies[id]
	h.cache.mu.Unlock()
	if ok && h.now().Sub(cc.at) < eventsTTL {
		return cc.c, nil
	}
	return h.reloadCeremony(ctx, id)
}

// reloadCeremony reads ceremony id again and keeps it.
func (h *Handler) reloadCeremony(ctx context.Context, id int64) (Ceremony, error) {
	c, err := h.Events.Ceremony(ctx, id)
	if err != nil {
		return Ceremony{}, err
	}
	h.cache.mu.Lock()
	if h.cache.ceremonies == nil {
		h.cache.ceremonies = map[int64]cachedCeremony{}
	}
	h.cache.ceremonies[id] = cachedCeremony{c: c, at: h.now()}
	h.cache.mu.Unlock()
	return c, nil
}

// delegationName names delegation id. The desk keeps every delegation's
// name, read in one go (a few hundred rows) when it meets one it lacks and
// again after eventsTTL: the guests at a gate come from every delegation,
// and reading them one by one cost each delegation's first guest a
// statement more.
func (h *Handler) delegationName(ctx context.Context, id int64) (string, error) {
	now := h.now()
	h.cache.mu.Lock()
	d := h.cache.delegations
	h.cache.mu.Unlock()
	// A guest's delegation always exists (a foreign key), so one missing
	// is new since the last read, or (rarely) deleted since the scan.
	if name, ok := d.names[id]; ok && now.Sub(d.at) < eventsTTL {
		return name, nil
	}
	all, err := h.Directory.DelegationNames(ctx)
	if err != nil {
		return "", err
	}
	h.cache.mu.Lock()
	h.cache.delegations = cachedNames{names: all, at: now}
	h.cache.mu.Unlock()
	return all[id], nil
}

// userNames names users ids, each read again after eventsTTL.
func (h *Handler) userNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	var missing []int64
	now := h.now()
	h.cache.mu.Lock()
	for _, id := range ids {
		if n, ok := h.cache.users[id]; ok && now.Sub(n.at) < eventsTTL {
			out[id] = n.name
		} else {
			missing = append(missing, id)
		}
	}
	h.cache.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	names, err := h.Directory.UserNames(ctx, missing)
	if err != nil {
		return nil, err
	}
	h.cache.mu.Lock()
	if h.cache.users == nil {
		h.cache.users = map[int64]cachedName{}
	}
	for id, n := range names {
		out[id] = n
		h.cache.users[id] = cachedName{name: n, at: now}
	}
	h.cache.mu.Unlock()
	return out, nil
}

// truncate cuts s to at most n characters.
func truncate(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
