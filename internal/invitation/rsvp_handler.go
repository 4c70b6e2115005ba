package invitation

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/cases"
	"golang.org/x/text/language"

	"vigil/internal/i18n"
	"vigil/internal/view"
)

// Templates of the guest's answer pages.
const (
	tmplRSVP        = "invitation/rsvp"
	tmplRSVPDone    = "invitation/rsvp_done"
	tmplRSVPInvalid = "invitation/rsvp_invalid"
)

// rsvpViews are the templates of the guest's answer pages.
var rsvpViews = []string{tmplRSVP, tmplRSVPDone, tmplRSVPInvalid}

const (
	// rsvpPath is the guest's page once the link has been swapped for
	// the session: an address that carries no secret.
	rsvpPath = "/rsvp"
	// rsvpSessionKey holds the id of the invitation the link opened.
	rsvpSessionKey = "rsvp_invitation"
	// rsvpLangCookie is the cookie POST /language sets (see the server
	// package); on the guest pages a guest's own switch beats the
	// language on file.
	rsvpLangCookie = "vigil_lang"
)

// errRSVPNoGuest: the request carries no usable invitation (no session value,
// or the invitation was revoked or deleted since).
var errRSVPNoGuest = errors.New("invitation: no guest session")

// Refusals of an answer, decided inside the store's transaction: nothing
// is saved.
var (
	// errRSVPFormInvalid: the guest's form has errors.
	errRSVPFormInvalid = errors.New("invitation: answer form invalid")
	// errRSVPClosed: the deadline has passed.
	errRSVPClosed = errors.New("invitation: answers closed")
)

// rsvpPrivate marks a guest page: it never sends a Referer anywhere (the map
// link, the language switch), and neither a shared computer's cache nor
// the back button keeps a guest's answers.
func rsvpPrivate(c echo.Context) {
	h := c.Response().Header()
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// RSVPOpen handles GET /rsvp/:token, the personal link. A good token is
// swapped for a fresh session holding the invitation and the guest is sent
// on to /rsvp, so the token leaves the address bar, the history and any
// Referer at once. Nothing else changes: mail scanners open links too. A
// bad or revoked token gets the same neutral 404 page and counts against
// the address; past MaxLinkFailures the address gets 429 without a
// look-up.
func (h *Handler) RSVPOpen(c echo.Context) error {
	rsvpPrivate(c)
	ctx := c.Request().Context()
	addr, now := c.RealIP(), h.now()
	limited, err := h.Store.LinkLimited(ctx, addr, now)
	if err != nil {
		return err
	}
	if limited {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(LinkFailureWindow.Seconds())))
		return h.rsvpRefuse(c, http.StatusTooManyRequests, "rsvp.limited.title", "rsvp.limited.message")
	}
	inv, err := h.Store.ByToken(ctx, c.Param("token"))
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrRevoked):
		if err := h.Store.RecordLinkFailure(ctx, addr, now); err != nil {
			return err
		}
		return h.rsvpInvalid(c)
	case err != nil:
		return err
	}
	// A new session id: whoever knew the old cookie learns nothing.
	if err := h.Sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("invitation: renew session: %w", err)
	}
	h.Sessions.Put(ctx, rsvpSessionKey, inv.ID)
	return c.Redirect(http.StatusSeeOther, rsvpPath)
}

// RSVP handles GET /rsvp: the invitation and the answer form, or, after
// the deadline, the answers read-only.
func (h *Handler) RSVP(c echo.Context) error {
	st, ok, err := h.guest(c)
	if !ok {
		return err
	}
	p := h.rsvpPage(c, st, "rsvp.title")
	p.Form = view.NewForm(guestAnswerValues(st.inv))
	return h.renderRSVP(c, http.StatusOK, p, st, false)
}

// RSVPAnswer handles POST /rsvp: validates the answer and records it through
// the store, which skips an answer identical to the saved one, so a double
// click or a resubmitted form changes nothing twice. After the deadline
// nothing is saved and the page says whom to call.
func (h *Handler) RSVPAnswer(c echo.Context) error {
	rsvpPrivate(c)
	ctx := c.Request().Context()
	id := h.Sessions.GetInt64(ctx, rsvpSessionKey)
	if id == 0 {
		return h.rsvpInvalid(c)
	}
	// A page shown again needs the ceremonies in full.
	again := func(status int, form *view.Form, readOnly bool) error {
		st, ok, err := h.guest(c)
		if !ok {
			return err
		}
		p := h.rsvpPage(c, st, "rsvp.title")
		if form != nil {
			p.Form = form
		}
		return h.renderRSVP(c, status, p, st, readOnly)
	}
	// The form is bound inside the store's transaction, on the invitation
	// and its edition as they are read with the lock: one read of each
	// for the whole answer.
	var form *view.Form
	_, err := h.Store.AnswerChecked(ctx, id, Actor{Via: ViaLink}, func(inv *Invitation, w Window) (Response, error) {
		h.guestLocale(c, w.Language)
		st := newRSVPState(inv, w.Edition, GuestInfo{}, w.Ceremonies)
		if !st.open(h.now()) {
			return Response{}, errRSVPClosed
		}
		resp, f := bindGuestAnswer(c, st.answerable(), inv.CompanionsAllowed)
		if form = f; !f.Valid() {
			return Response{}, errRSVPFormInvalid
		}
		return resp, nil
	})
	switch {
	case errors.Is(err, errRSVPClosed):
		return again(http.StatusForbidden, nil, true)
	case errors.Is(err, errRSVPFormInvalid):
		return again(http.StatusUnprocessableEntity, form, false)
	case errors.Is(err, ErrTooManyCompanions):
		// The organizer lowered the number while the form was open.
		st, ok, err := h.guest(c)
		if !ok {
			return err
		}
		form.Add("companions", "rsvp.error.too_many_companions", "Count", st.inv.CompanionsAllowed)
		return again(http.StatusUnprocessableEntity, form, false)
	case errors.Is(err, ErrRevoked), errors.Is(err, ErrNotFound):
		h.Sessions.Remove(ctx, rsvpSessionKey)
		return h.rsvpInvalid(c)
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, rsvpPath+"/done")
}

// RSVPDone handles GET /rsvp/done: exactly what is recorded, how to change it,
// and the calendar file.
func (h *Handler) RSVPDone(c echo.Context) error {
	st, ok, err := h.guest(c)
	if !ok {
		return err
	}
	if st.inv.RespondedAt == nil {
		return c.Redirect(http.StatusSeeOther, rsvpPath)
	}
	p := h.rsvpPage(c, st, "rsvp.done.title")
	d := h.rsvpData(p, st, false)
	at := *st.inv.RespondedAt
	d.RespondedAt = p.LongDay(at) + ", " + p.Clock(at) + " (" + rsvpZone(p, st.ed.Location, at) + ")"
	p.Data = d
	return h.View.Render(c, http.StatusOK, tmplRSVPDone, p)
}

// RSVPCalendar handles GET /rsvp/calendar.ics: the accepted ceremonies as
// an RFC 5545 calendar.
func (h *Handler) RSVPCalendar(c echo.Context) error {
	st, ok, err := h.guest(c)
	if !ok {
		return err
	}
	ics := Calendar(st.inv, st.ed, st.ceremonies, CalendarOptions{
		BaseURL: h.BaseURL, Now: h.now(), Locale: view.Locale(c),
		T: func(key string, kv ...any) string { return h.View.T(c, key, kv...) },
	})
	if ics == nil {
		// Nothing accepted: the confirmation says so.
		return c.Redirect(http.StatusSeeOther, rsvpPath+"/done")
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="invitation-%d.ics"`, st.ed.Year))
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", ics)
}

// The guest's state ----------------------------------------------------------------

// rsvpState is what every guest page reads: the invitation the session
// holds, its edition and guest, and the ceremonies invited to (drafts
// left out), by start time.
type rsvpState struct {
	inv        *Invitation
	ed         EditionInfo
	guest      GuestInfo
	ceremonies []CeremonyInfo
}

// guest loads the guest's invitation from the session for a guest page.
// Without one it answers the "this link does not work" page itself and
// returns ok false (with that page's error, if any).
func (h *Handler) guest(c echo.Context) (st *rsvpState, ok bool, err error) {
	rsvpPrivate(c)
	st, err = h.loadRSVP(c)
	if errors.Is(err, errRSVPNoGuest) {
		return nil, false, h.rsvpInvalid(c)
	}
	return st, err == nil, err
}

// loadRSVP loads the session's invitation and sets the page language: the
// guest's own switch (the language cookie), else the language on file.
// errRSVPNoGuest when there is nothing to show.
func (h *Handler) loadRSVP(c echo.Context) (*rsvpState, error) {
	ctx := c.Request().Context()
	id := h.Sessions.GetInt64(ctx, rsvpSessionKey)
	if id == 0 {
		return nil, errRSVPNoGuest
	}
	inv, err := h.Store.ByID(ctx, id)
	if errors.Is(err, ErrNotFound) || err == nil && inv.RevokedAt != nil {
		h.Sessions.Remove(ctx, rsvpSessionKey)
		return nil, errRSVPNoGuest
	}
	if err != nil {
		return nil, err
	}
	ed, err := h.Editions.EditionByID(ctx, inv.EditionID)
	if errors.Is(err, ErrNotFound) {
		return nil, errRSVPNoGuest
	}
	if err != nil {
		return nil, fmt.Errorf("invitation: edition of %d: %w", inv.ID, err)
	}
	if ed.Location == nil {
		ed.Location = time.UTC
	}
	guests, err := h.Guests.Guests(ctx, []int64{inv.GuestID})
	if err != nil {
		return nil, fmt.Errorf("invitation: guest of %d: %w", inv.ID, err)
	}
	g, ok := guests[inv.GuestID]
	if !ok {
		return nil, errRSVPNoGuest
	}
	all, err := h.Ceremonies.Ceremonies(ctx, inv.EditionID)
	if err != nil {
		return nil, fmt.Errorf("invitation: ceremonies of %d: %w", inv.ID, err)
	}
	st := newRSVPState(inv, ed, g, all)
	h.guestLocale(c, g.Language)
	return st, nil
}

// guestLocale sets the page language for a guest whose language on file
// is lang: the guest's own switch (the language cookie) beats it.
func (h *Handler) guestLocale(c echo.Context, lang string) {
	if ck, err := c.Cookie(rsvpLangCookie); err == nil && i18n.Supported(ck.Value) {
		lang = ck.Value
	}
	if i18n.Supported(lang) {
		view.SetLocale(c, lang)
	}
}

// newRSVPState keeps the ceremonies the invitation is for that guests
// may see (not the drafts).
func newRSVPState(inv *Invitation, ed EditionInfo, g GuestInfo, all []CeremonyInfo) *rsvpState {
	st := &rsvpState{inv: inv, ed: ed, guest: g}
	for _, cer := range all {
		if inv.Answer(cer.ID) != nil && cer.Status != "draft" {
			st.ceremonies = append(st.ceremonies, cer)
		}
	}
	return st
}

// open reports whether the guest can still change the answer at now.
func (st *rsvpState) open(now time.Time) bool {
	return st.ed.Open(now) && st.ed.Status != "closed" && st.ed.Status != "archived"
}

// answerable are the ceremonies the form asks about: the published ones
// (a cancelled one keeps its answer).
func (st *rsvpState) answerable() []CeremonyInfo {
	var out []CeremonyInfo
	for _, c := range st.ceremonies {
		if c.Status == "published" {
			out = append(out, c)
		}
	}
	return out
}

// Rendering ------------------------------------------------------------------------

// rsvpPage starts a guest page. Its language switch returns to /rsvp,
// never to an address with a token in it.
func (h *Handler) rsvpPage(c echo.Context, st *rsvpState, titleKey string) *view.Page {
	p := h.View.Page(c, titleKey)
	p.Path = rsvpPath
	if st != nil {
		p.Zone = st.ed.Location
	}
	return p
}

// rsvpInvalid renders the one page for every link that does not work, so
// that nobody learns whether a token exists or was revoked.
func (h *Handler) rsvpInvalid(c echo.Context) error {
	return h.rsvpRefuse(c, http.StatusNotFound, "rsvp.invalid.title", "rsvp.invalid.message")
}

func (h *Handler) rsvpRefuse(c echo.Context, status int, titleKey, messageKey string) error {
	p := h.rsvpPage(c, nil, titleKey)
	p.Data = rsvpInvalidData{Message: p.T(messageKey), Contact: p.T("rsvp.invalid.contact")}
	return h.View.Render(c, status, tmplRSVPInvalid, p)
}

type rsvpInvalidData struct {
	Message string
	Contact string
}

// rsvpData is the view of the answer page and the confirmation.
type rsvpData struct {
	Edition     string
	Anniversary int
	Guest       string
	Ceremonies  []rsvpCeremony
	// Open: the form is shown; otherwise the answers are shown read-only
	// with Closed saying why and whom to call.
	Open    bool
	Closed  string
	Refused bool
	// Change says until when the answer can be changed.
	Change string
	// Companion inputs, and the saved companions and needs.
	CompanionInputs []rsvpCompanionInput
	CompanionsHint  string
	ShowCompanions  bool
	Companions      []string
	Accessibility   string
	Dietary         string
	Phone           string
	Responded       bool
	RespondedAt     string
	// Calendar: at least one ceremony is accepted.
	Calendar bool
}

type rsvpCompanionInput struct {
	Name  string
	Label string
}

// rsvpCeremony is one ceremony as the guest sees it.
type rsvpCeremony struct {
	ID           int64
	Title        string
	When         template.HTML
	Venue        string
	AddressLines []string
	MapURL       string
	DressCode    string
	Notes        []string
	Programme    []rsvpLine
	Cancelled    bool
	// Field names the ceremony's radios; Answerable: the form asks.
	Field      string
	Answerable bool
	Status     string
	StatusText string
	Waitlisted bool
}

type rsvpLine struct {
	Time  string
	Title string
}

func (h *Handler) renderRSVP(c echo.Context, status int, p *view.Page, st *rsvpState, refused bool) error {
	d := h.rsvpData(p, st, refused)
	p.Data = d
	return h.View.Render(c, status, tmplRSVP, p)
}

func (h *Handler) rsvpData(p *view.Page, st *rsvpState, refused bool) rsvpData {
	inv, ed := st.inv, st.ed
	d := rsvpData{
		Edition: ed.Name, Anniversary: ed.Anniversary, Guest: st.guest.Name,
		Open: st.open(h.now()), Refused: refused, Responded: inv.RespondedAt != nil,
		Accessibility: inv.AccessibilityNeeds, Dietary: inv.DietaryNeeds, Phone: inv.ContactPhone,
	}
	if d.Guest == "" {
		d.Guest = st.guest.FullName
	}
	for _, comp := range inv.Companions {
		d.Companions = append(d.Companions, comp.Name)
	}
	deadline := ""
	if ed.Deadline != nil {
		dl := *ed.Deadline
		deadline = p.LongDay(time.Date(dl.Year(), dl.Month(), dl.Day(), 12, 0, 0, 0, ed.Location))
	}
	switch {
	case d.Open && deadline != "":
		d.Change = p.T("rsvp.change_until", "Deadline", deadline)
	case d.Open:
		d.Change = p.T("rsvp.change_any_time")
	case deadline != "" && !ed.Open(h.now()):
		d.Closed = p.T("rsvp.closed", "Deadline", deadline)
	default:
		d.Closed = p.T("rsvp.closed_no_date")
	}
	if n := inv.CompanionsAllowed; n > 0 || p.Err("companions") != "" {
		d.ShowCompanions = true
		d.CompanionsHint = p.T("rsvp.companions_hint", "Count", n)
		for i := 1; i <= n; i++ {
			d.CompanionInputs = append(d.CompanionInputs, rsvpCompanionInput{Name: rsvpCompanionField(i), Label: p.T("rsvp.companion_label", "N", i)})
		}
	}
	for _, cer := range st.ceremonies {
		a := inv.Answer(cer.ID)
		rc := rsvpCeremony{
			ID: cer.ID, Title: cer.TitleIn(p.Locale), When: rsvpWhenHTML(p, ed.Location, cer.StartsAt, cer.EndsAt),
			Venue: cer.VenueName, AddressLines: rsvpLines(cer.VenueAddress), MapURL: cer.MapURL,
			DressCode: cer.DressCode, Notes: rsvpLines(cer.NotesGuests), Cancelled: cer.Status == "cancelled",
			Field: rsvpAnswerField(cer.ID), Answerable: cer.Status == "published", Status: a.Status,
		}
		for _, it := range cer.Programme {
			rc.Programme = append(rc.Programme, rsvpLine{Time: p.Clock(it.StartsAt), Title: it.Title})
		}
		rc.StatusText = rsvpStatusText(p, a, d.Companions)
		rc.Waitlisted = a.Status == StatusWaitlisted
		if a.Status == StatusAccepted {
			d.Calendar = true
		}
		d.Ceremonies = append(d.Ceremonies, rc)
	}
	return d
}

// rsvpStatusText says in words what is recorded for one ceremony.
func rsvpStatusText(p *view.Page, a *CeremonyAnswer, companions []string) string {
	switch a.Status {
	case StatusAccepted:
		if a.Companions > 0 {
			names := companions
			if len(names) > a.Companions {
				names = names[:a.Companions]
			}
			return p.T("rsvp.status.accepted_with", "Count", a.Companions, "Names", strings.Join(names, ", "))
		}
		return p.T("rsvp.status.accepted")
	case StatusDeclined:
		return p.T("rsvp.status.declined")
	case StatusWaitlisted:
		return p.T("rsvp.status.waitlisted")
	default:
		return p.T("rsvp.status.pending")
	}
}

// rsvpZoneCities name the zones guests are likely to meet by a city in their
// language; any other zone is shown by its offset from UTC.
var rsvpZoneCities = map[string]string{
	"Asia/Baku":       "rsvp.city.baku",
	"Asia/Tbilisi":    "rsvp.city.tbilisi",
	"Europe/Berlin":   "rsvp.city.berlin",
	"Europe/Istanbul": "rsvp.city.istanbul",
	"Europe/London":   "rsvp.city.london",
	"Europe/Moscow":   "rsvp.city.moscow",
	"Europe/Paris":    "rsvp.city.paris",
}

// rsvpWhen writes a ceremony's time out in full, in the commemoration's zone
// and the page's language: "Thursday, 26 February 2026, 11:00–12:30 (Baku
// time)".
// rsvpWhenHTML is rsvpWhen for the guest's pages: the time range is kept
// on one line, so that a phone breaks the line after the date rather than
// inside "11:00–12:30".
func rsvpWhenHTML(p *view.Page, loc *time.Location, start, end time.Time) template.HTML {
	const open, shut = "\x01", "\x02" // HTMLEscapeString keeps these (not NUL)
	marked := rsvpWhen(p, loc, start, end, func(clock string) string { return open + clock }, func(clock string) string { return clock + shut })
	esc := template.HTMLEscapeString(marked)
	if strings.Count(esc, open) != 1 || strings.Count(esc, shut) != 1 || strings.Index(esc, open) > strings.Index(esc, shut) {
		return template.HTML(template.HTMLEscapeString(rsvpWhen(p, loc, start, end)))
	}
	esc = strings.Replace(esc, open, `<span class="nowrap">`, 1)
	return template.HTML(strings.Replace(esc, shut, "</span>", 1))
}

func rsvpWhen(p *view.Page, loc *time.Location, start, end time.Time, mark ...func(string) string) string {
	zone := rsvpZone(p, loc, start)
	// The line starts with the weekday, which Azerbaijani and Russian
	// write in lower case inside a sentence; the line stands alone.
	day := rsvpCapital(p.Locale, p.LongDay(start))
	from := p.Clock(start)
	if !end.After(start) {
		return p.T("rsvp.when_start", "Day", day, "Start", from, "Zone", zone)
	}
	until := p.Clock(end)
	if s, e := start.In(loc), end.In(loc); s.YearDay() != e.YearDay() || s.Year() != e.Year() {
		until = p.LongDay(end) + ", " + until
	} else if len(mark) == 2 {
		// Marks around the time range, for rsvpWhenHTML.
		from, until = mark[0](from), mark[1](until)
	}
	return p.T("rsvp.when", "Day", day, "Start", from, "End", until, "Zone", zone)
}

// rsvpCapital writes the first letter of s in upper case, by the rules of
// locale (Azerbaijani i → İ).
func rsvpCapital(locale, s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return cases.Upper(language.Make(locale)).String(string(r)) + s[n:]
}

// rsvpZone names loc in words, "Baku time", or by its offset at t,
// "UTC+02:00".
func rsvpZone(p *view.Page, loc *time.Location, t time.Time) string {
	if key, ok := rsvpZoneCities[loc.String()]; ok {
		return p.T("rsvp.zone", "City", p.T(key))
	}
	_, off := t.In(loc).Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("UTC%c%02d:%02d", sign, off/3600, off%3600/60)
}

// rsvpLines splits text typed with line breaks into its non-empty lines.
func rsvpLines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
