package checkin

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-pdf/fpdf"
	"github.com/labstack/echo/v4"

	"vigil/internal/pdftext"
	"vigil/internal/view"
)

// The attendee list as a PDF rendered on the server (GET
// /checkin/:ceremony/list.pdf): the same query, columns and paper as the
// print view, for printing where no browser is at hand and for sending
// ahead. The rows are drawn as the cursor reads them; fpdf keeps only the
// finished page streams, a few kilobytes a page, so 5,000 guests stay well
// within the memory budget.

// listPDFWidths are the columns' relative widths; the no. and tick
// columns keep theirs, the others share what is left of the page.
var listPDFWidths = map[string]float64{
	"no": 10, "name": 50, "honorific": 18, "delegation": 42, "kind": 30, "position": 35, "vip": 10,
	"zone": 26, "gate": 26, "answer": 28, "companions": 16, "needs": 40, "phone": 36, "checked_in": 32, "tick": 9,
}

// listPDFMargin is the page's margin (ux.md: 15–20 mm).
const listPDFMargin = 15.0

// listPDF draws one list.
type listPDF struct {
	pdf  *fpdf.Fpdf
	p    *view.Page
	cols []listColumn
	w    []float64
	// rowH and size are a row's height and type size: bigger on a door
	// list, which is read standing at a gate.
	rowH, size float64
	// titleSize is the header's type size: a door list's is read from
	// further away.
	titleSize float64
	title     string
	meta      string
	bottom    float64
	// avail is the width between the margins.
	avail float64
	// group is the delegation being drawn, repeated (continued) at the
	// top of a page it runs onto.
	group string
}

// ListPDF serves GET /checkin/:ceremony/list.pdf.
func (h *Handler) ListPDF(c echo.Context) error {
	cer, err := h.listCeremony(c)
	if err != nil {
		return err
	}
	o := listOptionsOf(c, cer.ID)
	p := h.View.Page(c, "checkin.list.heading")
	p.Zone = cer.Location
	orientation, size := "P", "A4"
	if o.Landscape {
		orientation = "L"
	}
	if o.Letter {
		size = "Letter"
	}
	pdf, err := pdftext.New(orientation, size)
	if err != nil {
		return fmt.Errorf("checkin: list pdf: %w", err)
	}
	d := &listPDF{pdf: pdf, p: p, cols: listColumnsOf(p, o), rowH: 6.5, size: 9.5, titleSize: 11,
		title: cer.Title + " — " + listName(p, cer, o)}
	if o.Door {
		d.rowH, d.size, d.titleSize = 10, 13, 16
	}
	d.meta = p.LongDay(cer.StartsAt) + ", " + p.Clock(cer.StartsAt)
	if cer.VenueName != "" {
		d.meta += " · " + cer.VenueName
	}
	d.layout()
	pdf.SetTitle(d.title, true)
	pdf.SetCompression(false)
	pdf.SetAutoPageBreak(false, listPDFMargin)
	pdf.SetMargins(listPDFMargin, listPDFMargin, listPDFMargin)
	pdf.AliasNbPages("")
	pdf.SetHeaderFunc(d.header)
	pdf.SetFooterFunc(d.footer)
	pdf.AddPage()

	f := newListFormat(p, o, false)
	companion := p.T("checkin.list.companion")
	no := 0
	var curDeleg *int64
	started := false
	err = h.lists.EachListRow(c.Request().Context(), o.Query, func(r *ListRow) error {
		if o.Query.Grouped && (!started || !sameID(curDeleg, r.DelegationID)) {
			title := r.Delegation
			if r.DelegationID == nil {
				title = p.T("checkin.list.no_delegation")
			}
			d.startGroup(title, started && o.Break)
			curDeleg = r.DelegationID
		}
		started = true
		no++
		var companions []string
		if o.has("companions") {
			companions = companionNames(r, f.unnamed)
		}
		host := d.layoutRow(func(col string) string { return f.cell(col, no, r) }, r.CheckedInAt != nil, false)
		rows := []pdfRow{host}
		h := host.h
		for _, name := range companions {
			c := d.layoutRow(func(col string) string {
				if col == "name" {
					return "↳ " + name + " (" + companion + ")"
				}
				return ""
			}, false, true)
			rows = append(rows, c)
			h += c.h
		}
		// A host and their companions stay on one page.
		d.room(h)
		for _, row := range rows {
			d.drawRow(row)
		}
		return pdf.Error()
	})
	if err != nil {
		return fmt.Errorf("checkin: list pdf: %w", err)
	}
	if !started {
		pdf.SetFont(pdftext.Sans, "", d.size)
		pdf.CellFormat(0, d.rowH, pdftext.Text(p.T("checkin.list.empty.text")), "", 1, "L", false, 0, "")
	} else {
		pdf.SetFont(pdftext.Sans, "", 8.5)
		pdf.CellFormat(0, 7, pdftext.Text(p.T("checkin.list.shown", "Count", no)), "", 1, "L", false, 0, "")
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("checkin: list pdf: %w", err)
	}
	resp := c.Response()
	resp.Header().Set(echo.HeaderContentType, "application/pdf")
	resp.Header().Set(echo.HeaderContentDisposition, `inline; filename="`+url.PathEscape(listFileName(cer, p, o, "pdf"))+`"`)
	resp.Header().Set("Cache-Control", "no-store")
	resp.WriteHeader(http.StatusOK)
	if err := pdf.Output(resp); err != nil {
		return fmt.Errorf("checkin: list pdf: %w", err)
	}
	return nil
}

// layout shares the page's width among the columns.
func (d *listPDF) layout() {
	pw, ph := d.pdf.GetPageSize()
	d.bottom = ph - listPDFMargin - 6
	avail := pw - 2*listPDFMargin
	d.avail = avail
	fixed, flex := 0.0, 0.0
	for _, c := range d.cols {
		if c.Key == "no" || c.Key == "tick" {
			fixed += listPDFWidths[c.Key]
		} else {
			flex += listPDFWidths[c.Key]
		}
	}
	scale := 1.0
	if flex > 0 {
		scale = (avail - fixed) / flex
	}
	d.w = make([]float64, len(d.cols))
	for i, c := range d.cols {
		d.w[i] = listPDFWidths[c.Key]
		if c.Key != "no" && c.Key != "tick" {
			d.w[i] *= scale
		}
	}
}

// header draws, on every page, the ceremony, the day and the list's
// name, then the columns' headings.
func (d *listPDF) header() {
	pdf := d.pdf
	pdf.SetFont(pdftext.Sans, "B", d.titleSize)
	pdf.CellFormat(0, d.titleSize*0.55, pdftext.Fit(pdf, d.title, d.avail), "", 1, "L", false, 0, "")
	pdf.SetFont(pdftext.Sans, "", 9)
	pdf.CellFormat(0, 5, pdftext.Fit(pdf, d.meta, d.avail), "B", 1, "L", false, 0, "")
	pdf.Ln(2)
	for i, c := range d.cols {
		label := c.Label
		if c.Key == "tick" {
			label = "✓"
		}
		// A long heading over a narrow column ("Müşayiətçilər") is set
		// smaller before it is shortened.
		size := d.size - 1
		pdf.SetFont(pdftext.Sans, "B", size)
		for size > 6 && pdf.GetStringWidth(pdftext.Text(label)) > d.w[i]-1.5 {
			size -= 0.5
			pdf.SetFontSize(size)
		}
		pdf.CellFormat(d.w[i], d.rowH, pdftext.Fit(pdf, label, d.w[i]-1.5), "B", 0, "L", false, 0, "")
	}
	pdf.Ln(-1)
	if d.group != "" && pdf.PageNo() > 1 {
		d.groupTitle(d.group)
	}
}

// footer writes "Page x of y" (y filled in when the document is closed).
func (d *listPDF) footer() {
	pdf := d.pdf
	_, ph := pdf.GetPageSize()
	pdf.SetY(ph - listPDFMargin)
	pdf.SetFont(pdftext.Sans, "", 8)
	text := d.p.T("checkin.list.pdf.page", "Page", strconv.Itoa(pdf.PageNo()), "Pages", "{nb}")
	pdf.CellFormat(0, 5, pdftext.Text(text), "", 0, "R", false, 0, "")
}

// room starts a new page unless h millimetres fit on this one.
func (d *listPDF) room(h float64) {
	if d.pdf.GetY()+h > d.bottom {
		d.pdf.AddPage()
	}
}

// startGroup starts a delegation's rows: on a new page when newPage.
func (d *listPDF) startGroup(title string, newPage bool) {
	d.group = ""
	if newPage {
		d.pdf.AddPage()
	} else {
		d.room(3 * d.rowH)
	}
	d.group = title
	d.groupTitle(title)
}

func (d *listPDF) groupTitle(title string) {
	pdf := d.pdf
	pdf.SetFont(pdftext.Sans, "B", d.size+0.5)
	pdf.CellFormat(0, d.rowH+1, pdftext.Fit(pdf, title, d.avail), "", 1, "L", false, 0, "")
}

// listPDFMaxLines is how many lines a cell wraps to before it is cut.
const listPDFMaxLines = 3

// pdfRow is a row laid out: each column's lines, and the row's height.
type pdfRow struct {
	lines   [][]string
	h       float64
	ticked  bool
	compact bool
}

// lineH is the height of a line of text, pad the space around a row's
// text (together a one-line row is rowH high).
func (d *listPDF) lineH() float64 { return d.size * 0.44 }
func (d *listPDF) pad() float64   { return d.rowH - d.lineH() }

// layout lays a row out: cell gives each column's text, wrapped to its
// width; ticked draws the box checked; companion sets the line as a
// companion under their host, the name running on over the empty columns
// after it.
func (d *listPDF) layoutRow(cell func(col string) string, ticked, companion bool) pdfRow {
	pdf := d.pdf
	pdf.SetFont(pdftext.Sans, "", d.size)
	r := pdfRow{lines: make([][]string, len(d.cols)), ticked: ticked, compact: companion}
	n := 1
	for i, c := range d.cols {
		if c.Key == "tick" {
			continue
		}
		w := d.w[i]
		if companion {
			if c.Key != "name" {
				continue
			}
			for j := i + 1; j < len(d.cols) && d.cols[j].Key != "tick"; j++ {
				w += d.w[j]
			}
		}
		lines := pdftext.Wrap(pdf, cell(c.Key), w-1.5)
		if len(lines) > listPDFMaxLines {
			lines = lines[:listPDFMaxLines]
			lines[listPDFMaxLines-1] += "…"
		}
		r.lines[i] = lines
		n = max(n, len(lines))
	}
	r.h = d.pad() + float64(n)*d.lineH()
	return r
}

// drawRow draws a laid out row where the page's cursor is.
func (d *listPDF) drawRow(r pdfRow) {
	pdf := d.pdf
	pdf.SetFont(pdftext.Sans, "", d.size)
	if r.compact {
		pdf.SetTextColor(60, 60, 60)
	}
	y := pdf.GetY()
	x := listPDFMargin
	for i := 0; i < len(d.cols); i++ {
		c := d.cols[i]
		w := d.w[i]
		if c.Key == "tick" {
			s := min(d.rowH-2.5, 5.5)
			bx, by := x+(w-s)/2, y+(d.rowH-s)/2
			pdf.SetDrawColor(0, 0, 0)
			pdf.Rect(bx, by, s, s, "D")
			if r.ticked {
				pdf.Line(bx+s*0.2, by+s*0.55, bx+s*0.42, by+s*0.8)
				pdf.Line(bx+s*0.42, by+s*0.8, bx+s*0.85, by+s*0.2)
			}
			x += w
			continue
		}
		lines := r.lines[i]
		if r.compact && c.Key == "name" {
			for i+1 < len(d.cols) && d.cols[i+1].Key != "tick" {
				i++
				w += d.w[i]
			}
		}
		for k, line := range lines {
			pdf.SetXY(x, y+d.pad()/2+float64(k)*d.lineH())
			pdf.CellFormat(w, d.lineH(), line, "", 0, "L", false, 0, "")
		}
		x += w
	}
	pdf.SetDrawColor(150, 150, 150)
	pdf.Line(listPDFMargin, y+r.h, x, y+r.h)
	pdf.SetXY(listPDFMargin, y+r.h)
	pdf.SetTextColor(0, 0, 0)
}
