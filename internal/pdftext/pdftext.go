// Package pdftext is the typesetting the server-rendered PDFs share: a
// go-pdf/fpdf document with the embedded fonts registered, and text made
// ready for it.
//
// fpdf draws the code points of a string left to right, one glyph each,
// with no shaping and no bidirectional reordering. Latin (Azerbaijani
// included) and Cyrillic need neither; Arabic script needs both: its
// letters change shape with their neighbours and its words run right to
// left. Text does that work, so that every string drawn through it looks
// as a reader expects:
//
//	pdf, err := pdftext.New("P", "A4")
//	if err != nil { … }
//	pdf.AddPage()
//	pdf.SetFont("sans", "B", 12)
//	pdf.CellFormat(w, 6, pdftext.Text(name), "", 1, "L", false, 0, "")
//
// Text handles one line. A string that may wrap must be cut into lines
// first (Wrap), because a right-to-left line is reordered as a whole: fpdf's
// own MultiCell would cut an already reordered string from the wrong end.
// Fit shortens a string to a width, again on the logical text.
//
// The API (New, NewSized, Text, Wrap, Fit and the family names) is relied on
// by every PDF in Vigil; change it only with all of them in view.
package pdftext

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-fonts/dejavu/dejavusansbold"
	"github.com/go-fonts/dejavu/dejavusansmono"
	"github.com/go-pdf/fpdf"
)

// Font families registered by New. DejaVu covers Latin with every
// Azerbaijani letter, Cyrillic, and the Arabic presentation forms Text
// produces (checked by TestFontCoverage).
const (
	// Sans is DejaVu Sans, with styles "" (regular) and "B" (bold).
	Sans = "sans"
	// Mono is DejaVu Sans Mono, regular only: codes and links.
	Mono = "mono"
)

// New returns an empty document measured in millimetres, with orientation
// "P" or "L" and a page size fpdf knows ("A4", "A5", "Letter", "Legal"…),
// and the fonts registered as Sans ("sans", styles "" and "B") and Mono
// ("mono"). Margins are fpdf's defaults (10 mm); the caller adds pages.
func New(orientation, size string) (*fpdf.Fpdf, error) {
	pdf := fpdf.New(orientation, "mm", size, "")
	return setUp(pdf)
}

// NewSized is New for a page size fpdf has no name for, given in
// millimetres as width × height in portrait; orientation "L" swaps them. A
// CR80 badge card, for example, is NewSized("L", 54, 85.6).
func NewSized(orientation string, width, height float64) (*fpdf.Fpdf, error) {
	if width <= 0 || height <= 0 {
		return nil, fmt.Errorf("pdftext: page size %g × %g mm", width, height)
	}
	pdf := fpdf.NewCustom(&fpdf.InitType{
		OrientationStr: orientation,
		UnitStr:        "mm",
		Size:           fpdf.SizeType{Wd: width, Ht: height},
	})
	return setUp(pdf)
}

// setUp registers the fonts and reports any error fpdf has gathered, since
// fpdf records errors instead of returning them.
func setUp(pdf *fpdf.Fpdf) (*fpdf.Fpdf, error) {
	// fpdf would look for font files on disk: hand it the embedded bytes.
	pdf.AddUTF8FontFromBytes(Sans, "", dejavusans.TTF)
	pdf.AddUTF8FontFromBytes(Sans, "B", dejavusansbold.TTF)
	pdf.AddUTF8FontFromBytes(Mono, "", dejavusansmono.TTF)
	pdf.SetCreator("Vigil", true)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("pdftext: new document: %w", err)
	}
	return pdf, nil
}

// Text returns s ready for fpdf: Arabic letters replaced by their
// contextual presentation forms (lam-alef as its ligature) and right-to-left
// runs put in display order. Text without right-to-left characters comes
// back unchanged, at the cost of one scan. s is one line: a line break in it
// is kept where it is, but each line is ordered on its own.
func Text(s string) string {
	if !hasRTL(s) {
		return s
	}
	if !strings.ContainsAny(s, "\n\r") {
		return visual(shape(s))
	}
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		body, nl := strings.CutSuffix(l, "\n")
		lines[i] = visual(shape(body))
		if nl {
			lines[i] += "\n"
		}
	}
	return strings.Join(lines, "")
}

// Wrap cuts s into lines no wider than width in pdf's current font, at
// spaces where it can (inside a word only when the word alone is too wide),
// and returns each line through Text. An empty s gives no lines.
func Wrap(pdf *fpdf.Fpdf, s string, width float64) []string {
	var lines []string
	for para := range strings.SplitSeq(s, "\n") {
		lines = wrapLine(pdf, strings.TrimSpace(para), width, lines)
	}
	if len(lines) == 1 && lines[0] == "" {
		return nil
	}
	return lines
}

// wrapLine appends the lines of one paragraph to lines.
func wrapLine(pdf *fpdf.Fpdf, s string, width float64, lines []string) []string {
	words := strings.Fields(s)
	if len(words) == 0 {
		return append(lines, "")
	}
	line := ""
	for _, w := range words {
		try := w
		if line != "" {
			try = line + " " + w
		}
		if fits(pdf, try, width) {
			line = try
			continue
		}
		if line != "" {
			lines = append(lines, Text(line))
		}
		// A word wider than the line is cut where it must be.
		for !fits(pdf, w, width) {
			n := fitPrefix(pdf, w, width, "")
			if n == 0 {
				n = len(firstRune(w))
			}
			lines = append(lines, Text(w[:n]))
			w = w[n:]
		}
		line = w
	}
	return append(lines, Text(line))
}

// Fit returns s through Text, shortened with "…" at its logical end (the
// left end of a right-to-left text) if it is wider than width in pdf's
// current font.
func Fit(pdf *fpdf.Fpdf, s string, width float64) string {
	if fits(pdf, s, width) {
		return Text(s)
	}
	const ellipsis = "…"
	n := fitPrefix(pdf, s, width, ellipsis)
	return Text(strings.TrimRight(s[:n], " ") + ellipsis)
}

// fits reports whether s, shaped, is at most width wide. It measures the
// shaped text because presentation forms are narrower than the isolated
// letters they replace.
func fits(pdf *fpdf.Fpdf, s string, width float64) bool {
	return pdf.GetStringWidth(Text(s)) <= width
}

// fitPrefix is the byte length of the longest prefix of s that, followed by
// tail, fits in width; 0 if none does.
func fitPrefix(pdf *fpdf.Fpdf, s string, width float64, tail string) int {
	// Widths grow with the prefix, so a binary search over rune
	// boundaries finds the longest one.
	bounds := make([]int, 0, len(s))
	for i := range s {
		if i > 0 {
			bounds = append(bounds, i)
		}
	}
	bounds = append(bounds, len(s))
	lo, hi := 0, len(bounds)
	for lo < hi {
		mid := (lo + hi) / 2
		if fits(pdf, s[:bounds[mid]]+tail, width) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return 0
	}
	return bounds[lo-1]
}

// firstRune is the first character of s.
func firstRune(s string) string {
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}
