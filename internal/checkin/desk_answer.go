package checkin

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

// The answer to an htmx scan, written by hand. It is the desk's hot
// path, and executing web/templates/checkin/desk.html's ResultOnly branch
// with html/template measured ~40% of the server's CPU per scan (a
// reflective call per field and per escaper). writeScanAnswer writes the
// very bytes that branch writes: the templates "checkin-desk-scanned",
// "checkin-desk-result", "checkin-desk-row" and "csrf" are mirrored here
// line by line, with html/template's escaping of each context, and
// desk_answer_test.go renders both for every branch and requires them
// byte for byte equal, so an edit of one without the other fails there.
// The templates stay the page's (and the non-htmx answer's) source.

// scanAnswerSize is room for a typical answer with its recent line
// (about 3 kB), so that the buffer is allocated once.
const scanAnswerSize = 4 << 10

// scanAnswer is the answer to an htmx scan (writeScanAnswer). A fresh
// buffer each time rather than a pool: it is one allocation next to the
// scan's database round trip, and a pooled one would be safe only while
// every writer between here and the connection copies what it is given.
func scanAnswer(p *view.Page, d *deskData) []byte {
	buf := bytes.NewBuffer(make([]byte, 0, scanAnswerSize))
	writeScanAnswer(buf, p, d)
	return buf.Bytes()
}

// answerBufs keeps the scan answers' buffers between scans: a fresh one
// was a quarter of the bytes a scan allocated, and the collector's work
// grows with them.
var answerBufs = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, scanAnswerSize)) }}

// sendScanAnswer writes the answer to d into the response.
func sendScanAnswer(c echo.Context, p *view.Page, d *deskData) error {
	buf := answerBufs.Get().(*bytes.Buffer)
	buf.Reset()
	writeScanAnswer(buf, p, d)
	// Its length, known here, spares the server and the desk's browser
	// the chunked encoding that net/http falls back to for an answer
	// over 2 kB written without one.
	c.Response().Header()[echo.HeaderContentLength] = []string{strconv.Itoa(buf.Len())}
	err := c.HTMLBlob(http.StatusOK, buf.Bytes())
	answerBufs.Put(buf)
	return err
}

// writeScanAnswer writes what desk.html writes for d.ResultOnly: the
// answer (d.Result) and, out of band, the cleared search results and the
// recent list's new line (d.Fresh).
func writeScanAnswer(buf *bytes.Buffer, p *view.Page, d *deskData) {
	// desk.html: the text before and around the {{if}} at its top, then
	// checkin-desk-scanned.
	buf.WriteString("\n\n")
	writeResult(buf, p, d)
	buf.WriteString("\n<div id=\"desk-search\" hx-swap-oob=\"true\"></div>\n")
	if d.Fresh != nil {
		buf.WriteString("\n<div hx-swap-oob=\"afterbegin:#recent\"><span class=\"recent-mark\" hidden></span>")
		writeRow(buf, d.Fresh)
		buf.WriteString("</div>\n<div hx-swap-oob=\"delete:#recent > .recent-mark, #recent > .card:nth-child(n+12)\"></div>\n" +
			"<p class=\"muted\" id=\"recent-empty\" hidden hx-swap-oob=\"true\">")
		view.WriteText(buf, p.T("checkin.desk.recent_empty"))
		buf.WriteString("</p>\n")
	}
	// The end of checkin-desk-scanned, then the newlines between
	// desk.html's {{define}}s and its comments.
	buf.WriteString("\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n")
}

// writeResult is "checkin-desk-result": the big answer.
func writeResult(buf *bytes.Buffer, p *view.Page, d *deskData) {
	s := d.S
	buf.WriteString("\n<div id=\"desk-result\">\n")
	if v := d.Result; v != nil {
		buf.WriteString("\n<div class=\"checkin-result")
		if v.Kind != "" {
			buf.WriteString(" checkin-result--")
			view.WriteText(buf, v.Kind)
		}
		buf.WriteString("\" role=\"status\" aria-live=\"assertive\">\n  <p class=\"checkin-result__status\">")
		view.WriteText(buf, v.Status)
		buf.WriteString("</p>\n  ")
		writeWith(buf, "<p class=\"checkin-result__meta\">", v.Honorific, "</p>")
		buf.WriteString("\n  ")
		writeWith(buf, "<p class=\"checkin-result__name\">", v.Name, "</p>")
		buf.WriteString("\n  ")
		if v.Delegation != "" || v.Zone != nil || v.VIP {
			buf.WriteString("\n  <p class=\"checkin-result__meta\">")
			view.WriteText(buf, v.Delegation)
			if z := v.Zone; z != nil {
				if v.Delegation != "" {
					buf.WriteString(" · ")
				}
				buf.WriteString(`<span class="zone-tag"><svg class="zone-swatch" width="20" height="20" viewBox="0 0 20 20" aria-hidden="true" focusable="false"><rect x="1" y="1" width="18" height="18" fill="`)
				view.WriteText(buf, z.Colour)
				buf.WriteString(`" stroke="#1b1c1e" stroke-width="2"/></svg> `)
				view.WriteText(buf, z.Name)
				buf.WriteString("</span>")
			}
			if v.VIP {
				buf.WriteString(" <span class=\"badge\">")
				view.WriteText(buf, s.VIP)
				buf.WriteString("</span>")
			}
			buf.WriteString("\n  </p>\n  ")
		}
		buf.WriteString("\n  ")
		writeWith(buf, "<p class=\"checkin-result__meta\">", v.Note, "</p>")
		buf.WriteString("\n  ")
		if v.CompanionsLeft != 0 || v.CanUndo {
			buf.WriteString("\n  <div class=\"form-actions\">\n    ")
			if v.CompanionsLeft != 0 {
				writeFormStart(buf, s, s.CompanionURL, v.InvitationID)
				buf.WriteString("\n      <button class=\"button button--secondary\" type=\"submit\">")
				view.WriteText(buf, s.AddCompanion)
				buf.WriteString("\n        <span class=\"small\">(")
				view.WriteText(buf, p.T("checkin.desk.companions_left", "Count", v.CompanionsLeft))
				buf.WriteString(")</span></button>\n    </form>\n    ")
			}
			buf.WriteString("\n    ")
			if v.CanUndo {
				writeFormStart(buf, s, s.UndoURL, v.InvitationID)
				buf.WriteString("\n      <button class=\"button button--secondary\" type=\"submit\">")
				view.WriteText(buf, s.Undo)
				buf.WriteString("</button>\n    </form>\n    ")
			}
			buf.WriteString("\n  </div>\n  ")
		}
		buf.WriteString("\n</div>\n")
	}
	buf.WriteString("\n</div>\n")
}

// writeRow is "checkin-desk-row": a guest in the desk's lists.
func writeRow(buf *bytes.Buffer, r *guestRow) {
	s := r.S
	buf.WriteString("\n<div class=\"card\" role=\"listitem\">\n  <p class=\"mb-0\"><strong>")
	view.WriteText(buf, r.Name)
	buf.WriteString("</strong>")
	if r.VIP {
		buf.WriteString(" <span class=\"badge\">")
		view.WriteText(buf, s.VIP)
		buf.WriteString("</span>")
	}
	if r.WalkIn {
		buf.WriteString(" <span class=\"badge badge--warning\">")
		view.WriteText(buf, s.WalkIn)
		buf.WriteString("</span>")
	}
	buf.WriteString("</p>\n  <p class=\"small mb-0\">")
	view.WriteText(buf, r.Delegation)
	if z := r.Zone; z != nil {
		buf.WriteString(` <span class="zone-tag"><svg class="zone-swatch" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" focusable="false"><rect x="0.5" y="0.5" width="13" height="13" fill="`)
		view.WriteText(buf, z.Colour)
		buf.WriteString(`" stroke="#1b1c1e"/></svg> `)
		view.WriteText(buf, z.Name)
		buf.WriteString("</span>")
	}
	buf.WriteString("\n  </p>\n  ")
	switch {
	case r.WalkIn:
		buf.WriteString("\n  <p class=\"small muted mb-0\">")
		view.WriteText(buf, r.Detail)
		buf.WriteString("</p>\n  ")
	case r.CheckedIn:
		buf.WriteString("\n  <p class=\"small mb-0\"><span class=\"badge badge--success\">")
		view.WriteText(buf, s.CheckedIn)
		buf.WriteString("</span> ")
		view.WriteText(buf, r.Detail)
		buf.WriteString("</p>\n  ")
	default:
		buf.WriteString("\n  <p class=\"small mb-0\"><span class=\"badge")
		if r.Declined {
			buf.WriteString(" badge--danger")
		}
		buf.WriteString("\">")
		view.WriteText(buf, r.Status)
		buf.WriteString("</span></p>\n  ")
	}
	buf.WriteString("\n  ")
	if r.CanCheckIn || r.CompanionsLeft != 0 || r.CanUndo {
		buf.WriteString("\n  <div class=\"form-actions\">\n    ")
		if r.CanCheckIn {
			writeRowForm(buf, r, s.ScanURL, "button", s.CheckIn)
		}
		buf.WriteString("\n    ")
		if r.CompanionsLeft != 0 {
			writeRowForm(buf, r, s.CompanionURL, "button button--secondary", s.AddCompanion)
		}
		buf.WriteString("\n    ")
		if r.CanUndo {
			writeRowForm(buf, r, s.UndoURL, "button button--secondary", s.Undo)
		}
		buf.WriteString("\n  </div>\n  ")
	}
	buf.WriteString("\n</div>\n")
}

// writeRowForm is one of a row's buttons, in its form; the button names
// the guest for screen readers.
func writeRowForm(buf *bytes.Buffer, r *guestRow, action, class, label string) {
	writeFormStart(buf, r.S, action, r.InvitationID)
	buf.WriteString("\n      <button class=\"")
	buf.WriteString(class)
	buf.WriteString("\" type=\"submit\">")
	view.WriteText(buf, label)
	buf.WriteString("<span class=\"visually-hidden\"> ")
	view.WriteText(buf, r.Name)
	buf.WriteString("</span></button>\n    </form>\n    ")
}

// writeWith is {{with .Text}}before{{.}}after{{end}}: before, text
// escaped and after, or nothing when text is empty.
func writeWith(buf *bytes.Buffer, before, text, after string) {
	if text != "" {
		buf.WriteString(before)
		view.WriteText(buf, text)
		buf.WriteString(after)
	}
}

// writeFormStart opens a desk's small form: the form, the "csrf"
// partial and the invitation it is about.
func writeFormStart(buf *bytes.Buffer, s *deskShared, action string, invitation int64) {
	buf.WriteString("\n    <form class=\"inline-form\" method=\"post\" action=\"")
	escURL(buf, action)
	buf.WriteString("\">\n      <input type=\"hidden\" name=\"_csrf\" value=\"")
	view.WriteText(buf, s.CSRF)
	buf.WriteString("\"><input type=\"hidden\" name=\"invitation\" value=\"")
	buf.Write(strconv.AppendInt(buf.AvailableBuffer(), invitation, 10))
	buf.WriteString("\">")
}

// escURL writes u as html/template writes a value that makes a whole
// URL attribute (action="{{.}}"): a scheme other than http, https or
// mailto is defused to "#ZgotmplZ" (urlFilter), bytes not allowed in a
// URL are percent-encoded, valid escapes kept (urlNormalizer), and the
// result is escaped for the attribute.
func escURL(buf *bytes.Buffer, u string) {
	if scheme, _, ok := strings.Cut(u, ":"); ok && !strings.Contains(scheme, "/") &&
		!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "mailto") {
		buf.WriteString("#ZgotmplZ")
		return
	}
	const hex = "0123456789abcdef"
	var b strings.Builder
	last := 0
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("!#$&*+,/:;=?@[]-._~", c) >= 0:
			continue
		case c == '%' && i+2 < len(u) && isHex(u[i+1]) && isHex(u[i+2]):
			continue
		}
		b.WriteString(u[last:i])
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
		last = i + 1
	}
	if last == 0 {
		view.WriteText(buf, u)
		return
	}
	b.WriteString(u[last:])
	view.WriteText(buf, b.String())
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
