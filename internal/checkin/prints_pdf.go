package checkin

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"
	"rsc.io/qr"

	"vigil/internal/pdftext"
)

// The drawing of badges and place cards. Every string goes through
// pdftext, which shapes Arabic names and orders right-to-left text for
// fpdf. Sizes are in millimetres, type sizes in points.

// A badge is CR80 size (ISO/IEC 7810 ID-1, a credit card) in landscape:
// the size of card printers and of the usual clip-on badge holders, so
// that badges cut from a sheet fit the same holders.
const (
	badgeW = 85.6
	badgeH = 54.0
	// The sheet: A4 portrait, two columns of four, centred, with gaps for
	// the cut marks.
	sheetW, sheetH = 210.0, 297.0
	sheetCols      = 2
	sheetRows      = 4
	sheetGapX      = 10.0
	sheetGapY      = 8.0
	// PerSheet is the number of badges on an A4 sheet.
	PerSheet = sheetCols * sheetRows
	// The QR code: about a millimetre a module for a 12-character code,
	// which a phone or gate scanner reads at arm's length.
	qrSide = 22.0
	// ptMM converts points to millimetres.
	ptMM = 25.4 / 72
)

// rgb is a colour as fpdf takes it.
type rgb struct{ R, G, B int }

// hex writes c as "#rrggbb".
func (c rgb) hex() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// Colours of the prints: black text, grey secondary text and marks.
var (
	black     = rgb{0, 0, 0}
	grey      = rgb{85, 85, 85}
	lightGrey = rgb{170, 170, 170}
	// noZone is the band of a guest seated in no zone.
	noZone = rgb{209, 213, 219}
)

// badgeFace is what one badge shows, already translated.
type badgeFace struct {
	Honorific  string
	Name       string
	Delegation string
	Zone       string
	Colour     rgb
	// Note says whose companion the bearer is ("" for a guest).
	Note string
	// Code is the check-in code the QR code carries.
	Code string
	// Event is the ceremony's title and date.
	Event string
	// Companion is n for the host's nth companion, 0 for the guest.
	Companion int
}

// zoneColour is the colour of b's zone band: the zone's badge colour, or
// one derived from the zone's id when it has none, so that a zone keeps
// its colour on every print.
func zoneColour(cer Ceremony, b *Badge) rgb {
	if b.ZoneID == nil {
		return noZone
	}
	s := b.ZoneColour
	if s == "" {
		s = cer.Zones[*b.ZoneID].Colour
	}
	if c, ok := parseColour(s); ok {
		return c
	}
	return derivedColour(*b.ZoneID)
}

// parseColour reads "#rrggbb".
func parseColour(s string) (rgb, bool) {
	if len(s) != 7 || s[0] != '#' {
		return rgb{}, false
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return rgb{}, false
	}
	return rgb{int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)}, true
}

// derivedColour is a stable, fairly dark colour for a zone id: the hue
// from a hash of the id, saturation and lightness fixed so that white text
// on it reads well.
func derivedColour(id int64) rgb {
	h := fnv.New32a()
	fmt.Fprint(h, id)
	hue := float64(h.Sum32()%360) / 60
	const s, l = 0.55, 0.38
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(hue, 2)-1))
	var r, g, b float64
	switch int(hue) {
	case 0:
		r, g = c, x
	case 1:
		r, g = x, c
	case 2:
		g, b = c, x
	case 3:
		g, b = x, c
	case 4:
		r, b = x, c
	default:
		r, b = c, x
	}
	m := l - c/2
	to := func(v float64) int { return int(math.Round((v + m) * 255)) }
	return rgb{to(r), to(g), to(b)}
}

// textOn is the colour of text on background c: white on dark colours,
// black on light ones (by relative luminance, WCAG's formula).
func textOn(c rgb) rgb {
	lin := func(v int) float64 {
		f := float64(v) / 255
		if f <= 0.03928 {
			return f / 12.92
		}
		return math.Pow((f+0.055)/1.055, 2.4)
	}
	lum := 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
	// White text contrasts better below the luminance where both
	// contrasts are equal, about 0.179.
	if lum < 0.179 {
		return rgb{255, 255, 255}
	}
	return black
}

// badgeDoc is a PDF of badges being drawn.
type badgeDoc struct {
	pdf    *fpdf.Fpdf
	layout string
	n      int
}

// newBadgeDoc starts a document of badges in layout (LayoutSheet or
// LayoutCard).
func newBadgeDoc(layout, title string) (*badgeDoc, error) {
	var (
		pdf *fpdf.Fpdf
		err error
	)
	if layout == LayoutCard {
		pdf, err = pdftext.NewSized("L", badgeH, badgeW)
	} else {
		pdf, err = pdftext.New("P", "A4")
	}
	if err != nil {
		return nil, fmt.Errorf("checkin: badges: %w", err)
	}
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetTitle(title, true)
	// fpdf makes a new compressor (about 1 MB) for every page: 125 pages
	// of badges grew the heap by 56 MB. Uncompressed, the text of a page
	// is a few kilobytes; the QR images are PNG already.
	pdf.SetCompression(false)
	return &badgeDoc{pdf: pdf, layout: layout}, nil
}

// sheetOrigin is the top left corner of badge i (0–7) of a sheet.
func sheetOrigin(i int) (x, y float64) {
	left := (sheetW - sheetCols*badgeW - (sheetCols-1)*sheetGapX) / 2
	top := (sheetH - sheetRows*badgeH - (sheetRows-1)*sheetGapY) / 2
	col, row := i%sheetCols, i/sheetCols
	return left + float64(col)*(badgeW+sheetGapX), top + float64(row)*(badgeH+sheetGapY)
}

// add draws the next badge, on a new page when the last is full.
func (d *badgeDoc) add(f *badgeFace) error {
	var x, y float64
	if d.layout == LayoutCard {
		d.pdf.AddPage()
	} else {
		i := d.n % PerSheet
		if i == 0 {
			d.pdf.AddPage()
			cutMarks(d.pdf)
		}
		x, y = sheetOrigin(i)
	}
	d.n++
	if err := drawBadge(d.pdf, x, y, f); err != nil {
		return err
	}
	return d.pdf.Error()
}

// finish ends the document; with no badge drawn it holds one page that
// says so (empty) rather than none, which readers refuse.
func (d *badgeDoc) finish(empty string) ([]byte, error) {
	if d.n == 0 {
		d.pdf.AddPage()
		d.pdf.SetXY(10, 20)
		d.pdf.SetFont(pdftext.Sans, "", 10)
		d.pdf.MultiCell(0, 5, pdftext.Text(empty), "", "L", false)
	}
	return output(d.pdf, "badges")
}

// output writes pdf out.
func output(pdf *fpdf.Fpdf, what string) ([]byte, error) {
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("checkin: %s PDF: %w", what, err)
	}
	return buf.Bytes(), nil
}

// cutMarks draws short light lines in the gaps at every badge corner of a
// sheet, where the guillotine or scissors go, and nothing on the badges.
func cutMarks(pdf *fpdf.Fpdf) {
	const mark = 3.0
	setDraw(pdf, lightGrey)
	pdf.SetLineWidth(0.1)
	for i := range PerSheet {
		x, y := sheetOrigin(i)
		for _, cx := range []float64{x, x + badgeW} {
			for _, cy := range []float64{y, y + badgeH} {
				dx, dy := -mark, -mark
				if cx > x {
					dx = mark
				}
				if cy > y {
					dy = mark
				}
				// The marks point away from the badge.
				pdf.Line(cx+dx/mark*0.5, cy, cx+dx, cy)
				pdf.Line(cx, cy+dy/mark*0.5, cx, cy+dy)
			}
		}
	}
}

// drawBadge draws one badge with its top left corner at x, y: the zone
// band, honorific, name, delegation, whose companion, the QR code with the
// code written under it, and the ceremony.
func drawBadge(pdf *fpdf.Fpdf, x, y float64, f *badgeFace) error {
	const (
		pad    = 4.0
		bandH  = 9.0
		textW  = badgeW - 2*pad - qrSide - 3
		bottom = badgeH - 3.5
	)
	// The zone band across the top, in the zone's colour.
	setFill(pdf, f.Colour)
	pdf.Rect(x, y, badgeW, bandH, "F")
	if f.Zone != "" {
		pdf.SetFont(pdftext.Sans, "B", 10)
		setText(pdf, textOn(f.Colour))
		pdf.SetXY(x+pad, y)
		pdf.CellFormat(badgeW-2*pad, bandH, pdftext.Fit(pdf, f.Zone, badgeW-2*pad), "", 0, "L", false, 0, "")
	}

	ty := y + bandH + 2.5
	if f.Honorific != "" {
		pdf.SetFont(pdftext.Sans, "", 8)
		setText(pdf, grey)
		pdf.SetXY(x+pad, ty)
		pdf.CellFormat(textW, 4, pdftext.Fit(pdf, f.Honorific, textW), "", 0, "L", false, 0, "")
		ty += 4
	}
	// The name: as large as fits on two lines.
	setText(pdf, black)
	size, lines := nameLines(pdf, f.Name, textW, 14, 9)
	lh := size * ptMM * 1.2
	if f.Name == "" {
		// An unnamed companion: a line to write the name on.
		setDraw(pdf, lightGrey)
		pdf.SetLineWidth(0.2)
		pdf.Line(x+pad, ty+7, x+pad+textW, ty+7)
		lh, lines = 8, []string{""}
	}
	for _, l := range lines {
		pdf.SetXY(x+pad, ty)
		pdf.CellFormat(textW, lh, l, "", 0, "L", false, 0, "")
		ty += lh
	}
	ty += 0.8
	if f.Delegation != "" {
		pdf.SetFont(pdftext.Sans, "", 8)
		setText(pdf, black)
		dl := pdftext.Wrap(pdf, f.Delegation, textW)
		if len(dl) > 2 {
			dl = []string{pdftext.Fit(pdf, f.Delegation, textW)}
		}
		for _, l := range dl {
			pdf.SetXY(x+pad, ty)
			pdf.CellFormat(textW, 3.6, l, "", 0, "L", false, 0, "")
			ty += 3.6
		}
	}
	if f.Note != "" {
		pdf.SetFont(pdftext.Sans, "", 7)
		setText(pdf, grey)
		pdf.SetXY(x+pad, ty+0.5)
		pdf.CellFormat(textW, 3.4, pdftext.Fit(pdf, f.Note, textW), "", 0, "L", false, 0, "")
	}

	// The QR code at the right, the code under it for typing at the desk
	// when a badge is damaged.
	qx, qy := x+badgeW-pad-qrSide, y+bandH+2
	if err := drawQR(pdf, f.Code, qx, qy, qrSide); err != nil {
		return err
	}
	pdf.SetFont(pdftext.Mono, "", 6.5)
	setText(pdf, black)
	pdf.SetXY(qx-2, qy+qrSide+0.3)
	pdf.CellFormat(qrSide+4, 3, groupCode(f.Code), "", 0, "C", false, 0, "")

	// The ceremony, along the bottom.
	pdf.SetFont(pdftext.Sans, "", 7)
	setText(pdf, grey)
	pdf.SetXY(x+pad, y+bottom-3)
	pdf.CellFormat(badgeW-2*pad, 3.5, pdftext.Fit(pdf, f.Event, badgeW-2*pad), "", 0, "L", false, 0, "")
	return nil
}

// nameLines sets the bold font at the largest size from max down to min
// at which name fits on two lines of width w, and returns the size and the
// lines; a name too long even then is shortened onto one line.
func nameLines(pdf *fpdf.Fpdf, name string, w, max, min float64) (float64, []string) {
	for size := max; size >= min; size-- {
		pdf.SetFont(pdftext.Sans, "B", size)
		if pdf.GetStringWidth(pdftext.Text(name)) <= w {
			return size, []string{pdftext.Text(name)}
		}
		if size > min+2 {
			// Shrink a while before breaking the name.
			continue
		}
		if lines := pdftext.Wrap(pdf, name, w); len(lines) <= 2 {
			return size, lines
		}
	}
	return min, []string{pdftext.Fit(pdf, name, w)}
}

// groupCode writes a check-in code in groups of four for reading aloud
// and typing; the desk drops the spaces.
func groupCode(code string) string {
	var b strings.Builder
	for i, r := range code {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// badgeQR is the QR code of a badge: the check-in code itself, which the
// desk's scan field takes as typed. Level M survives a scratch or a fold.
func badgeQR(code string) (*qr.Code, error) {
	q, err := qr.Encode(code, qr.M)
	if err != nil {
		return nil, fmt.Errorf("checkin: badge QR code: %w", err)
	}
	return q, nil
}

// drawQR draws the QR code of code as vector squares, side millimetres
// wide (the quiet zone is the white of the badge around it): sharp at
// any printer resolution, and without one image per badge in the file.
func drawQR(pdf *fpdf.Fpdf, code string, x, y, side float64) error {
	q, err := badgeQR(code)
	if err != nil {
		return err
	}
	m := side / float64(q.Size)
	setFill(pdf, black)
	for row := range q.Size {
		for col := 0; col < q.Size; {
			if !q.Black(col, row) {
				col++
				continue
			}
			start := col
			for col < q.Size && q.Black(col, row) {
				col++
			}
			// A hair of overlap keeps renderers from drawing seams
			// between rows.
			pdf.Rect(x+float64(start)*m, y+float64(row)*m, float64(col-start)*m, m+0.02, "F")
		}
	}
	return nil
}

func setFill(pdf *fpdf.Fpdf, c rgb) { pdf.SetFillColor(c.R, c.G, c.B) }
func setDraw(pdf *fpdf.Fpdf, c rgb) { pdf.SetDrawColor(c.R, c.G, c.B) }
func setText(pdf *fpdf.Fpdf, c rgb) { pdf.SetTextColor(c.R, c.G, c.B) }

// Place cards are A4 landscape, one a sheet, folded along the long middle
// into a tent 297 × 105 mm: the size of a head-table name card, whose name
// reads from across a room, and made with one fold and no cutting, on
// card stock any office printer takes. (Two per A4 portrait would give
// 210 × 74 mm cards, small for a ceremony and needing a cut.) The name is
// printed on both halves, the upper one turned 180°, so that it reads from
// both sides once folded.
const (
	cardW, cardH = 297.0, 210.0
	cardFold     = cardH / 2
)

// placeCardDoc is a PDF of place cards being drawn.
type placeCardDoc struct {
	pdf *fpdf.Fpdf
	n   int
}

// newPlaceCardDoc starts a document of place cards.
func newPlaceCardDoc(title string) (*placeCardDoc, error) {
	pdf, err := pdftext.New("L", "A4")
	if err != nil {
		return nil, fmt.Errorf("checkin: place cards: %w", err)
	}
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetTitle(title, true)
	pdf.SetCompression(false) // as for badges: no compressor per page
	return &placeCardDoc{pdf: pdf}, nil
}

// add draws the next card.
func (d *placeCardDoc) add(name, deleg string) error {
	pdf := d.pdf
	pdf.AddPage()
	d.n++
	// The fold: a light dashed line, which the fold hides.
	setDraw(pdf, lightGrey)
	pdf.SetLineWidth(0.2)
	pdf.SetDashPattern([]float64{2, 2}, 0)
	pdf.Line(10, cardFold, cardW-10, cardFold)
	pdf.SetDashPattern(nil, 0)
	cardHalf(pdf, name, deleg)
	// The same, turned about the centre of the sheet onto the upper half.
	pdf.TransformBegin()
	pdf.TransformRotate(180, cardW/2, cardFold)
	cardHalf(pdf, name, deleg)
	pdf.TransformEnd()
	return pdf.Error()
}

// cardHalf draws the lower half: the name large, centred a little below
// the middle of the face, the delegation under it.
func cardHalf(pdf *fpdf.Fpdf, name, deleg string) {
	const w = cardW - 30
	setText(pdf, black)
	size, lines := nameLines(pdf, name, w, 48, 28)
	lh := size * ptMM * 1.15
	block := lh * float64(len(lines))
	if deleg != "" {
		block += 12
	}
	y := cardFold + (cardH-cardFold-block)/2 + 4
	for _, l := range lines {
		pdf.SetXY(15, y)
		pdf.CellFormat(w, lh, l, "", 0, "C", false, 0, "")
		y += lh
	}
	if deleg != "" {
		pdf.SetFont(pdftext.Sans, "", 18)
		setText(pdf, grey)
		pdf.SetXY(15, y+3)
		pdf.CellFormat(w, 9, pdftext.Fit(pdf, deleg, w), "", 0, "C", false, 0, "")
	}
}

// finish ends the document (one page saying so when there is no card).
func (d *placeCardDoc) finish(empty string) ([]byte, error) {
	if d.n == 0 {
		d.pdf.AddPage()
		d.pdf.SetXY(15, 20)
		d.pdf.SetFont(pdftext.Sans, "", 12)
		d.pdf.MultiCell(0, 6, pdftext.Text(empty), "", "L", false)
	}
	return output(d.pdf, "place cards")
}
