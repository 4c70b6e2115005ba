package invitation

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/go-pdf/fpdf"
	"github.com/labstack/echo/v4"
	"rsc.io/qr"

	"vigil/internal/i18n"
	"vigil/internal/pdftext"
)

// The printed invitation letter, for guests reached by diplomatic note:
// A4, in the guest's language, with the personal link as a QR code and as
// text. Every string goes through internal/pdftext, which shapes Arabic
// script and orders right-to-left text for fpdf.

// letterCeremony is one ceremony as the letter lists it.
type letterCeremony struct {
	Title string
	When  string
	Venue string
}

// letterContent is everything the letter says, already translated.
type letterContent struct {
	Heading    string
	Subheading string
	Name       string
	Delegation string
	Greeting   string
	Body       string
	Ceremonies []letterCeremony
	Deadline   string
	LinkIntro  string
	Link       string
	Personal   string
	Closing    string
	Title      string
}

// Letter serves GET /editions/:year/invitations/:id/letter.pdf and records
// in the history that it was printed.
func (h *Handler) Letter(c echo.Context) error {
	ed, inv, err := h.invitationOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	guests, err := h.Guests.Guests(ctx, []int64{inv.GuestID})
	if err != nil {
		return err
	}
	g, ok := guests[inv.GuestID]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	cs, err := h.Ceremonies.Ceremonies(ctx, ed.ID)
	if err != nil {
		return err
	}
	// The letter speaks the guest's language, whatever the organizer's.
	p := h.View.Page(c, "")
	if slices.Contains(i18n.Locales, g.Language) {
		p.Locale = g.Language
	}
	p.Zone = ed.Location
	lc := letterContent{
		Heading:    ed.Name,
		Subheading: p.T("anniversary", "Ordinal", p.Ordinal(ed.Anniversary)) + " · " + strconv.Itoa(ed.Year),
		Name:       g.Name,
		Delegation: g.Delegation,
		Greeting:   p.T("letter.greeting", "Name", g.Name),
		Body:       p.T("letter.body", "Name", ed.Name, "Anniversary", p.T("anniversary", "Ordinal", p.Ordinal(ed.Anniversary))),
		LinkIntro:  p.T("letter.link_intro"),
		Link:       h.publicLink(inv),
		Personal:   p.T("letter.personal"),
		Closing:    p.T("letter.closing"),
		Title:      p.T("letter.title", "Name", g.Name),
	}
	for _, ce := range cs {
		if inv.Answer(ce.ID) == nil || ce.Status == "cancelled" {
			continue
		}
		// Written as on the guest's answer page.
		lce := letterCeremony{Title: ce.TitleIn(p.Locale), When: rsvpWhen(p, ed.Location, ce.StartsAt, ce.EndsAt)}
		if ce.VenueName != "" {
			lce.Venue = ce.VenueName
			if ce.VenueAddress != "" {
				lce.Venue += ", " + ce.VenueAddress
			}
		}
		lc.Ceremonies = append(lc.Ceremonies, lce)
	}
	if ed.Deadline != nil {
		lc.Deadline = p.T("letter.deadline", "Date", p.Day(*ed.Deadline))
	} else {
		lc.Deadline = p.T("letter.no_deadline")
	}
	pdf, err := renderLetter(lc)
	if err != nil {
		return err
	}
	if err := h.Store.LetterPrinted(ctx, inv.ID, actorOf(c, ViaOrganizer)); err != nil {
		return err
	}
	// The letter holds a personal link: keep it out of caches.
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="invitation-%d-%d.pdf"`, ed.Year, inv.ID))
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

// publicLink is the full address of inv's personal link.
func (h *Handler) publicLink(inv *Invitation) string {
	path := h.Store.Link(inv)
	if h.BaseURL == nil {
		return path
	}
	return h.BaseURL.JoinPath(path).String()
}

// renderLetter lays the letter out on A4 with 20 mm margins.
func renderLetter(lc letterContent) ([]byte, error) {
	const (
		margin = 20.0
		width  = 210.0 - 2*margin
	)
	pdf, err := pdftext.New("P", "A4")
	if err != nil {
		return nil, fmt.Errorf("invitation: letter PDF: %w", err)
	}
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin)
	pdf.SetTitle(lc.Title, true)
	// MultiCell would wrap text already put in display order, cutting a
	// right-to-left name from the wrong end: wrap the logical text, then
	// draw each line, starting where the paragraph starts; end at the left
	// margin, as MultiCell does.
	multiCell := func(w, h float64, s, align string) {
		for _, line := range pdftext.Wrap(pdf, s, w) {
			pdf.CellFormat(w, h, line, "", 2, align, false, 0, "")
		}
		pdf.SetX(margin)
	}
	pdf.AddPage()

	pdf.SetFont("sans", "B", 16)
	multiCell(width, 8, lc.Heading, "C")
	pdf.SetFont("sans", "", 12)
	multiCell(width, 7, lc.Subheading, "C")
	pdf.Ln(10)

	pdf.SetFont("sans", "B", 12)
	multiCell(width, 6, lc.Name, "L")
	if lc.Delegation != "" {
		pdf.SetFont("sans", "", 11)
		multiCell(width, 6, lc.Delegation, "L")
	}
	pdf.Ln(8)

	pdf.SetFont("sans", "", 11)
	multiCell(width, 6, lc.Greeting, "L")
	pdf.Ln(2)
	multiCell(width, 6, lc.Body, "L")
	pdf.Ln(4)
	for _, ce := range lc.Ceremonies {
		pdf.SetFont("sans", "B", 11)
		multiCell(width, 6, ce.Title, "L")
		pdf.SetFont("sans", "", 10)
		pdf.SetX(margin + 5)
		multiCell(width-5, 5.5, ce.When, "L")
		if ce.Venue != "" {
			pdf.SetX(margin + 5)
			multiCell(width-5, 5.5, ce.Venue, "L")
		}
		pdf.Ln(3)
	}
	pdf.Ln(2)
	pdf.SetFont("sans", "B", 11)
	multiCell(width, 6, lc.Deadline, "L")
	pdf.Ln(4)

	// The link: a QR code to scan, and the address to type.
	code, err := qr.Encode(lc.Link, qr.M)
	if err != nil {
		return nil, fmt.Errorf("invitation: letter QR code: %w", err)
	}
	code.Scale = 8
	opts := fpdf.ImageOptions{ImageType: "PNG"}
	pdf.RegisterImageOptionsReader("link", opts, bytes.NewReader(code.PNG()))
	const side = 42.0
	if pdf.GetY()+side+30 > 297-margin {
		pdf.AddPage()
	}
	pdf.SetFont("sans", "", 11)
	multiCell(width, 6, lc.LinkIntro, "L")
	pdf.Ln(2)
	y := pdf.GetY()
	pdf.ImageOptions("link", margin, y, side, side, false, opts, 0, "")
	pdf.SetY(y + side + 3)
	pdf.SetFont("mono", "", 9)
	multiCell(width, 5, lc.Link, "L")
	pdf.Ln(3)
	pdf.SetFont("sans", "", 9)
	multiCell(width, 5, lc.Personal, "L")
	pdf.Ln(8)
	pdf.SetFont("sans", "", 11)
	multiCell(width, 6, lc.Closing, "L")

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("invitation: letter PDF: %w", err)
	}
	return buf.Bytes(), nil
}
