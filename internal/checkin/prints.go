package checkin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"vigil/internal/delegation"
	"vigil/internal/view"
)

// Protocol prints: badges and place cards for the guests accepted to a
// ceremony, rendered on the server as PDF (prints_pdf.go draws them), and
// a page that lists the badges with links to each.
//
// A badge's QR code carries the invitation's check-in code, the one the
// desk's scan field takes (Scan). Companions have no code of their own:
// the desk checks them in from their host's record (Companion), so a
// companion's badge carries the host's code and says whose companion it
// is; scanned at the gate it opens the host's record, where the companion
// is counted in with one tap.

// tmplPrints is the page listing the badges.
const tmplPrints = "checkin/prints"

// printViews are the templates of the protocol prints.
var printViews = []string{tmplPrints}

// Badge layouts.
const (
	// LayoutSheet is A4 portrait, 8 badges a page (2 × 4) with cut marks.
	LayoutSheet = "sheet"
	// LayoutCard is one badge a page at CR80 card size, for a card printer.
	LayoutCard = "card"
)

// BadgeQuery selects badges: the accepted guests of one ceremony, in the
// order of precedence.
type BadgeQuery struct {
	CeremonyID int64
	// Kind keeps the guests of delegations of that kind ("": any).
	Kind string
	// DelegationID keeps one delegation's guests (0: any).
	DelegationID int64
	// ZoneID keeps the guests seated in one zone (0: any; ListNone:
	// those without a zone).
	ZoneID int64
	// GuestID keeps one guest (0: every guest).
	GuestID int64
}

// Badge is one accepted guest as badges and place cards print them.
type Badge struct {
	InvitationID int64
	GuestID      int64
	// Name is the name as printed on badges: the printed name, else
	// honorific, given and family name.
	Name      string
	Honorific string
	// Delegation is the delegation's name ("" for a guest without one).
	Delegation string
	ZoneID     *int64
	Zone       string
	// ZoneColour is the zone's badge colour, "#rrggbb" ("" if none).
	ZoneColour string
	// Code is the invitation's check-in code.
	Code string
	// Companions are the companions accepted; CompanionNames the names
	// given, maybe fewer.
	Companions     int
	CompanionNames []string
}

// BadgeDelegation is a delegation offered by the prints' filter: the
// same as the list's, from the same query.
type BadgeDelegation = ListDelegation

// Prints reads what the protocol prints need. The app implements it over
// the invitation store (internal/app/checkin_prints.go).
type Prints interface {
	// EachBadge calls fn with every accepted guest q selects, in order of
	// precedence, read through one cursor. fn must not keep the badge.
	EachBadge(ctx context.Context, q BadgeQuery, fn func(*Badge) error) error
	// BadgeDelegations lists the delegations with guests invited to a
	// ceremony, in order of precedence.
	BadgeDelegations(ctx context.Context, ceremonyID int64) ([]BadgeDelegation, error)
}

// WithPrints gives the handler what the protocol prints need.
func (h *Handler) WithPrints(p Prints) *Handler {
	h.prints = p
	return h
}

// printOptions are what the query string asks of a print.
type printOptions struct {
	Query BadgeQuery
	// Layout is LayoutSheet or LayoutCard.
	Layout string
	// Companion picks one companion of Query.GuestID (1-based; 0: the
	// guest and, unless NoCompanions, their companions).
	Companion int
	// NoCompanions leaves the companions' badges out.
	NoCompanions bool
}

// printOptionsOf reads the filters from the query string; unknown values
// fall back to no filter.
func printOptionsOf(c echo.Context, ceremonyID int64) printOptions {
	o := printOptions{Query: BadgeQuery{CeremonyID: ceremonyID}, Layout: LayoutSheet}
	if slices.Contains(delegation.Kinds, c.QueryParam("kind")) {
		o.Query.Kind = c.QueryParam("kind")
	}
	o.Query.DelegationID = queryID(c, "delegation")
	if o.Query.DelegationID == ListNone {
		o.Query.DelegationID = 0
	}
	o.Query.ZoneID = queryID(c, "zone")
	if id := queryID(c, "guest"); id > 0 {
		o.Query.GuestID = id
		if n, err := strconv.Atoi(c.QueryParam("companion")); err == nil && n > 0 && n <= maxCompanionBadges {
			o.Companion = n
		}
	}
	if c.QueryParam("layout") == LayoutCard {
		o.Layout = LayoutCard
	}
	o.NoCompanions = c.QueryParam("companions") == "0"
	return o
}

// maxCompanionBadges bounds ?companion= (the invitation package allows
// ten companions).
const maxCompanionBadges = 10

// values are o's filters as a query string, for links between the prints.
func (o printOptions) values() url.Values {
	v := url.Values{}
	if o.Query.Kind != "" {
		v.Set("kind", o.Query.Kind)
	}
	if o.Query.DelegationID > 0 {
		v.Set("delegation", strconv.FormatInt(o.Query.DelegationID, 10))
	}
	switch {
	case o.Query.ZoneID == ListNone:
		v.Set("zone", "none")
	case o.Query.ZoneID > 0:
		v.Set("zone", strconv.FormatInt(o.Query.ZoneID, 10))
	}
	if o.NoCompanions {
		v.Set("companions", "0")
	}
	return v
}

// printsCeremony reads the ceremony from the path (of the current
// edition); 404 when the prints are not wired.
func (h *Handler) printsCeremony(c echo.Context) (Ceremony, error) {
	return h.pathCeremony(c, h.prints != nil)
}

// eachFace calls fn with the badge faces o selects: each guest, then
// their companions, in order of precedence.
func (h *Handler) eachFace(ctx context.Context, p *view.Page, cer Ceremony, o printOptions, fn func(*badgeFace, *Badge) error) error {
	event := cer.Title + " · " + p.Day(cer.StartsAt.In(p.Zone))
	var f badgeFace
	return h.prints.EachBadge(ctx, o.Query, func(b *Badge) error {
		colour := zoneColour(cer, b)
		host := b.Name
		if b.Honorific != "" && !strings.HasPrefix(b.Name, b.Honorific) {
			host = b.Honorific + " " + b.Name
		}
		if o.Companion == 0 {
			f = badgeFace{
				Honorific: b.Honorific, Name: b.Name, Delegation: b.Delegation, Zone: b.Zone, Colour: colour,
				Code: b.Code, Event: event,
			}
			if b.Honorific != "" && strings.HasPrefix(b.Name, b.Honorific) {
				// A name printed with its honorific does not repeat it.
				f.Honorific = ""
			}
			if err := fn(&f, b); err != nil {
				return err
			}
			if o.NoCompanions {
				return nil
			}
		}
		for i := range b.Companions {
			if o.Companion != 0 && o.Companion != i+1 {
				continue
			}
			f = badgeFace{
				Name: companionName(b, i), Delegation: b.Delegation, Zone: b.Zone, Colour: colour,
				Note: p.T("checkin.prints.companion_of", "Name", host), Code: b.Code, Event: event, Companion: i + 1,
			}
			if err := fn(&f, b); err != nil {
				return err
			}
		}
		return nil
	})
}

// companionName is the name of companion i of b, "" if not given (the
// badge leaves room to write it by hand).
func companionName(b *Badge, i int) string {
	if i < len(b.CompanionNames) {
		return b.CompanionNames[i]
	}
	return ""
}

// Badges serves GET /checkin/:ceremony/badges.pdf: the badges of the
// accepted guests, filtered by kind, delegation, zone or one guest
// (?guest=, with ?companion=n for one companion), on A4 sheets of eight
// (?layout=sheet, the default) or one per CR80 card (?layout=card).
func (h *Handler) Badges(c echo.Context) error {
	cer, err := h.printsCeremony(c)
	if err != nil {
		return err
	}
	o := printOptionsOf(c, cer.ID)
	p := h.printPage(c, cer)
	doc, err := newBadgeDoc(o.Layout, p.T("checkin.prints.badges_title", "Title", cer.Title))
	if err != nil {
		return err
	}
	err = h.eachFace(c.Request().Context(), p, cer, o, func(f *badgeFace, _ *Badge) error { return doc.add(f) })
	if err != nil {
		return err
	}
	b, err := doc.finish(p.T("checkin.prints.none"))
	if err != nil {
		return err
	}
	return sendPDF(c, b, printFile(p, cer, "badges"))
}

// PlaceCards serves GET /checkin/:ceremony/placecards.pdf: a folded tent
// card for each accepted guest and each named companion, with the badges'
// filters.
func (h *Handler) PlaceCards(c echo.Context) error {
	cer, err := h.printsCeremony(c)
	if err != nil {
		return err
	}
	o := printOptionsOf(c, cer.ID)
	p := h.printPage(c, cer)
	doc, err := newPlaceCardDoc(p.T("checkin.prints.placecards_title", "Title", cer.Title))
	if err != nil {
		return err
	}
	err = h.eachFace(c.Request().Context(), p, cer, o, func(f *badgeFace, b *Badge) error {
		if f.Companion > 0 && f.Name == "" {
			// A card with no name has no use on a table.
			return nil
		}
		name := f.Name
		if f.Companion == 0 && f.Honorific != "" {
			name = f.Honorific + " " + f.Name
		}
		return doc.add(name, f.Delegation)
	})
	if err != nil {
		return err
	}
	b, err := doc.finish(p.T("checkin.prints.none"))
	if err != nil {
		return err
	}
	return sendPDF(c, b, printFile(p, cer, "placecards"))
}

// printPage is the page the prints are translated and dated through.
func (h *Handler) printPage(c echo.Context, cer Ceremony) *view.Page {
	p := h.View.Page(c, "checkin.prints.title", "Title", cer.Title)
	p.Nav = "checkin"
	p.Zone = cer.Location
	if p.Zone == nil {
		p.Zone = cer.StartsAt.Location()
	}
	return p
}

// printFile names a print's file: "badges-12-2026-02-26.pdf".
func printFile(p *view.Page, cer Ceremony, what string) string {
	return what + "-" + strconv.FormatInt(cer.ID, 10) + "-" + cer.StartsAt.In(p.Zone).Format("2006-01-02") + ".pdf"
}

// sendPDF writes a finished document.
func sendPDF(c echo.Context, b []byte, file string) error {
	// The badges carry check-in codes: keep them out of shared caches.
	c.Response().Header().Set("Cache-Control", "private, no-store")
	c.Response().Header().Set("Content-Disposition", `inline; filename="`+file+`"`)
	return c.Blob(http.StatusOK, "application/pdf", b)
}

// printRow is one badge in the list of badges.
type printRow struct {
	No         int
	Name       string
	Delegation string
	Zone       string
	// Colour is the zone's badge colour, "#rrggbb".
	Colour string
	// Note says whose companion this is.
	Note     string
	CardURL  string
	SheetURL string
}

// printsData is the page listing the badges.
type printsData struct {
	Ceremony Ceremony
	When     string
	Base     string
	Kinds    []listOption
	Delegs   []listOption
	Zones    []listOption
	// NoCompanions is the filter's "leave companions out".
	NoCompanions bool
	// The PDFs of everything the filters select.
	SheetURL      string
	CardURL       string
	PlaceCardsURL string
	Rows          []printRow
	Count         string
}

// Prints serves GET /checkin/:ceremony/prints: the badges the filters
// select, each with a link to its own PDF, and links to all of them on
// sheets, on cards and as place cards.
func (h *Handler) Prints(c echo.Context) error {
	cer, err := h.printsCeremony(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	o := printOptionsOf(c, cer.ID)
	// The page lists everyone the filters select; a guest's link picks
	// one badge.
	o.Query.GuestID, o.Companion, o.Layout = 0, 0, LayoutSheet
	p := h.printPage(c, cer)
	d := printsData{
		Ceremony: cer, When: p.LongDay(cer.StartsAt) + ", " + p.Clock(cer.StartsAt),
		Base: "/checkin/" + strconv.FormatInt(cer.ID, 10), NoCompanions: o.NoCompanions,
	}
	v := o.values()
	d.SheetURL = d.Base + "/badges.pdf" + query(v)
	v.Set("layout", LayoutCard)
	d.CardURL = d.Base + "/badges.pdf" + query(v)
	v.Del("layout")
	d.PlaceCardsURL = d.Base + "/placecards.pdf" + query(v)
	if err := h.printFilters(ctx, p, cer, o, &d); err != nil {
		return err
	}
	guests, companions := 0, 0
	err = h.eachFace(ctx, p, cer, o, func(f *badgeFace, b *Badge) error {
		one := url.Values{"guest": {strconv.FormatInt(b.GuestID, 10)}}
		r := printRow{No: len(d.Rows) + 1, Name: f.Name, Delegation: f.Delegation, Zone: f.Zone, Note: f.Note, Colour: f.Colour.hex()}
		if f.Companion > 0 {
			companions++
			one.Set("companion", strconv.Itoa(f.Companion))
			if r.Name == "" {
				r.Name = p.T("checkin.prints.unnamed")
			}
		} else {
			guests++
			if f.Honorific != "" {
				r.Name = f.Honorific + " " + f.Name
			}
			one.Set("companions", "0")
		}
		r.SheetURL = d.Base + "/badges.pdf?" + one.Encode()
		one.Set("layout", LayoutCard)
		r.CardURL = d.Base + "/badges.pdf?" + one.Encode()
		d.Rows = append(d.Rows, r)
		return nil
	})
	if err != nil {
		return err
	}
	d.Count = p.T("checkin.prints.count", "Count", len(d.Rows)) + " (" +
		p.T("checkin.prints.count_guests", "Count", guests) + ", " + p.T("checkin.prints.count_companions", "Count", companions) + ")"
	p.Data = d
	return h.View.Render(c, http.StatusOK, tmplPrints, p)
}

// query is "?" and v encoded, or "" for no values.
func query(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// printFilters fills the filter form's choices.
func (h *Handler) printFilters(ctx context.Context, p *view.Page, cer Ceremony, o printOptions, d *printsData) error {
	q := o.Query
	dels, err := h.prints.BadgeDelegations(ctx, cer.ID)
	if err != nil {
		return fmt.Errorf("checkin: badge delegations: %w", err)
	}
	d.Kinds, d.Delegs, d.Zones = filterChoices(p, cer, dels, q.Kind, q.DelegationID, q.ZoneID, filterLabels{
		AnyKind: "checkin.prints.any_kind", AnyDelegation: "checkin.prints.any_delegation",
		AnyZone: "checkin.prints.any_zone", NoZone: "checkin.prints.no_zone",
	})
	return nil
}
