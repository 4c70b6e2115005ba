package pdftext

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-fonts/dejavu/dejavusansbold"
	"golang.org/x/text/unicode/norm"
)

// codes writes runes as U+XXXX for readable failures.
func codes(s string) string {
	var b strings.Builder
	for i, r := range []rune(s) {
		if i > 0 {
			b.WriteByte(' ')
		}
		if r < 0x80 {
			fmt.Fprintf(&b, "%q", r)
		} else {
			fmt.Fprintf(&b, "%04X", r)
		}
	}
	return b.String()
}

func TestShape(t *testing.T) {
	tests := []struct {
		name, in string
		want     []rune
	}{
		// meem initial, hah medial, meem medial, dal final.
		{"muhammad", "محمد", []rune{0xFEE3, 0xFEA4, 0xFEE4, 0xFEAA}},
		// seen initial, lam-alef final ligature, meem isolated (alef does
		// not join what follows).
		{"salam", "سلام", []rune{0xFEB3, 0xFEFC, 0xFEE1}},
		// ain initial, beh medial, dal final; alef isolated, lam initial,
		// lam medial, heh final.
		{"abdullah", "عبد الله", []rune{0xFECB, 0xFE92, 0xFEAA, ' ', 0xFE8D, 0xFEDF, 0xFEE0, 0xFEEA}},
		// lam-alef at the start of a word: isolated ligature.
		{"la", "لا", []rune{0xFEFB}},
		// lam with hamza-alef: the hamza ligature; noon final after it? no:
		// alef does not join forward, so the noon stands isolated.
		{"lan", "لأن", []rune{0xFEF7, 0xFEE5}},
		// hamza joins nothing; waw after an initial seen is final.
		{"sawa", "سوء", []rune{0xFEB3, 0xFEEE, 0xFE80}},
		// A mark between letters does not break the joining.
		{"marked", "بَب", []rune{0xFE91, 0x064E, 0xFE90}},
		// Tatweel joins both sides.
		{"tatweel", "بـ", []rune{0xFE91, 0x0640}},
		// Persian letters: peh initial, alef final, keheh isolated? no:
		// alef ends the join, keheh initial, farsi yeh final.
		{"persian", "پاکی", []rune{0xFB58, 0xFE8E, 0xFB90, 0xFBFD}},
		// Latin passes through.
		{"latin", "Əliyev", []rune("Əliyev")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := shape(tt.in); got != string(tt.want) {
				t.Errorf("shape(%q) = %s, want %s", tt.in, codes(got), codes(string(tt.want)))
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"latin unchanged", "H.E. Mr Əli İsmayıl Şəkər", "H.E. Mr Əli İsmayıl Şəkər"},
		{"cyrillic unchanged", "Иванов Иван (Москва)", "Иванов Иван (Москва)"},
		{"empty", "", ""},
		// Right to left on its own: reversed, shaped.
		{"muhammad", "محمد", string([]rune{0xFEAA, 0xFEE4, 0xFEA4, 0xFEE3})},
		{"abdullah", "عبد الله", string([]rune{0xFEEA, 0xFEE0, 0xFEDF, 0xFE8D, ' ', 0xFEAA, 0xFE92, 0xFECB})},
		// Latin first: the Arabic word is reversed in place, the rest keeps
		// its order.
		{"mixed ltr", "H.E. محمد Əliyev", "H.E. " + string([]rune{0xFEAA, 0xFEE4, 0xFEA4, 0xFEE3}) + " Əliyev"},
		// Arabic first: the line runs right to left, so the Latin word
		// comes out on the left, unreversed.
		{"mixed rtl", "محمد Ali", "Ali " + string([]rune{0xFEAA, 0xFEE4, 0xFEA4, 0xFEE3})},
		// Digits inside Arabic keep their own order.
		{"digits", "سلام 12", "12 " + string([]rune{0xFEE1, 0xFEFC, 0xFEB3})},
		// Brackets are mirrored in right-to-left text.
		{"brackets", "محمد (سلام)", "(" + string([]rune{0xFEE1, 0xFEFC, 0xFEB3}) + ") " + string([]rune{0xFEAA, 0xFEE4, 0xFEA4, 0xFEE3})},
		// Trailing space stays at the end.
		{"trailing space", "Ali محمد ", "Ali " + string([]rune{0xFEAA, 0xFEE4, 0xFEA4, 0xFEE3}) + " "},
		// A mark stays after its letter, where fpdf draws it over it.
		{"mark", "بَب", string([]rune{0xFE90, 0xFE91, 0x064E})},
		// Each line of a multi-line string is ordered on its own.
		{"lines", "محمد\nAli", string([]rune{0xFEAA, 0xFEE4, 0xFEA4, 0xFEE3}) + "\nAli"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %s, want %s", tt.in, codes(got), codes(tt.want))
			}
		})
	}
}

// TestTextKeepsLetters checks that shaping loses nothing: NFKC takes the
// presentation forms back to the letters of a right-to-left word once it
// is put back in logical order (a ligature decomposes in logical order).
func TestTextKeepsLetters(t *testing.T) {
	for _, s := range []string{"محمد", "عبد الله", "سلام", "أحمد بن علي"} {
		got := []rune(Text(s))
		for i, j := 0, len(got)-1; i < j; i, j = i+1, j-1 {
			got[i], got[j] = got[j], got[i]
		}
		if n := norm.NFKC.String(string(got)); n != s {
			t.Errorf("NFKC(reversed Text(%q)) = %q", s, n)
		}
	}
}

// TestFontCoverage checks that DejaVu has a glyph for every presentation
// form shape can produce and for the Azerbaijani letters: a missing glyph
// prints as an empty box.
func TestFontCoverage(t *testing.T) {
	var want []rune
	for _, l := range letters {
		n := 4
		if l.join != joinDual {
			n = 2
		}
		if l.isolated == 0xFEEF {
			n = 2
		}
		for f := range n {
			want = append(want, l.isolated+rune(f))
		}
	}
	for r := rune(0xFEF5); r <= 0xFEFC; r++ {
		want = append(want, r)
	}
	want = append(want, []rune("ƏəĞğIıİiŞşÇçÖöÜüЖжЩщЁё…")...)
	for name, ttf := range map[string][]byte{"DejaVu Sans": dejavusans.TTF, "DejaVu Sans Bold": dejavusansbold.TTF} {
		cmap, err := readCmap(ttf)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, r := range want {
			if !cmap(r) {
				t.Errorf("%s has no glyph for U+%04X", name, r)
			}
		}
	}
}

// readCmap reads a TrueType font's format 4 character map (the Basic
// Multilingual Plane) and returns whether it maps a rune to a glyph.
func readCmap(ttf []byte) (func(rune) bool, error) {
	u16 := func(b []byte, off int) int { return int(binary.BigEndian.Uint16(b[off:])) }
	u32 := func(b []byte, off int) int { return int(binary.BigEndian.Uint32(b[off:])) }
	var cmap []byte
	for i := range u16(ttf, 4) {
		rec := 12 + 16*i
		if string(ttf[rec:rec+4]) == "cmap" {
			off, n := u32(ttf, rec+8), u32(ttf, rec+12)
			cmap = ttf[off : off+n]
		}
	}
	if cmap == nil {
		return nil, fmt.Errorf("no cmap table")
	}
	for i := range u16(cmap, 2) {
		rec := 4 + 8*i
		platform, encoding, off := u16(cmap, rec), u16(cmap, rec+2), u32(cmap, rec+4)
		if platform != 3 || encoding != 1 || u16(cmap, off) != 4 {
			continue
		}
		sub := cmap[off:]
		segs := u16(sub, 6) / 2
		ends, starts, deltas, ranges := 14, 16+2*segs, 16+4*segs, 16+6*segs
		return func(r rune) bool {
			c := int(r)
			for s := range segs {
				end, start := u16(sub, ends+2*s), u16(sub, starts+2*s)
				if c > end {
					continue
				}
				if c < start {
					return false
				}
				ro := u16(sub, ranges+2*s)
				if ro == 0 {
					return (c+u16(sub, deltas+2*s))&0xFFFF != 0
				}
				g := u16(sub, ranges+2*s+ro+2*(c-start))
				return g != 0
			}
			return false
		}, nil
	}
	return nil, fmt.Errorf("no format 4 Unicode cmap")
}

func TestWrapAndFit(t *testing.T) {
	pdf, err := New("P", "A4")
	if err != nil {
		t.Fatal(err)
	}
	pdf.SetFont(Sans, "", 12)
	long := "Permanent Mission of the Republic to the International Organisations"
	lines := Wrap(pdf, long, 60)
	if len(lines) < 2 {
		t.Fatalf("Wrap gave %q, want several lines", lines)
	}
	if strings.Join(lines, " ") != long {
		t.Errorf("Wrap lost words: %q", lines)
	}
	for _, l := range lines {
		if w := pdf.GetStringWidth(l); w > 60 {
			t.Errorf("line %q is %.1f mm wide", l, w)
		}
	}
	// An Arabic paragraph is cut in logical order: the first line holds
	// the first words, each line reordered on its own.
	ar := "عبد الله محمد سلام عبد الله محمد سلام عبد الله محمد سلام"
	lines = Wrap(pdf, ar, 40)
	if len(lines) < 2 {
		t.Fatalf("Wrap gave %q, want several lines", lines)
	}
	if lines[0] != Text(strings.Join(strings.Fields(ar)[:len(strings.Fields(lines[0]))], " ")) {
		t.Errorf("first line %s is not the first words", codes(lines[0]))
	}
	if Wrap(pdf, "", 40) != nil {
		t.Error("Wrap of empty text gave lines")
	}

	fit := Fit(pdf, long, 40)
	if !strings.HasPrefix(fit, "Permanent") || !strings.HasSuffix(fit, "…") || pdf.GetStringWidth(fit) > 40 {
		t.Errorf("Fit = %q (%.1f mm)", fit, pdf.GetStringWidth(fit))
	}
	if Fit(pdf, "Ali", 40) != "Ali" {
		t.Error("Fit shortened a short text")
	}
	// Shortened Arabic keeps its first letters, which display on the
	// right: the ellipsis comes out on the left.
	fit = Fit(pdf, ar, 30)
	if !strings.HasPrefix(fit, "…") || pdf.GetStringWidth(fit) > 30 {
		t.Errorf("Fit(arabic) = %s", codes(fit))
	}
}

func TestNewSized(t *testing.T) {
	pdf, err := NewSized("L", 54, 85.6)
	if err != nil {
		t.Fatal(err)
	}
	pdf.AddPage()
	if w, h := pdf.GetPageSize(); w < 85.5 || w > 85.7 || h < 53.9 || h > 54.1 {
		t.Errorf("page is %.1f × %.1f mm", w, h)
	}
	if _, err := NewSized("P", 0, 10); err == nil {
		t.Error("NewSized accepted a zero width")
	}
	if _, err := New("P", "Elephant"); err == nil {
		t.Error("New accepted an unknown page size")
	}
}

// TestRender draws the test names with New and Text, checks with poppler
// that the text comes back, and writes a PNG to look at (kept when
// VIGIL_PDFTEXT_OUT names a directory).
func TestRender(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("poppler-utils not installed")
	}
	pdf, err := New("P", "A4")
	if err != nil {
		t.Fatal(err)
	}
	pdf.AddPage()
	names := []string{"Əliyev Şəkər İsmayıl", "Иванов Иван", "محمد", "عبد الله", "سلام", "H.E. محمد Əliyev", "أحمد بن علي", "پاکی"}
	for _, style := range []string{"", "B"} {
		pdf.SetFont(Sans, style, 18)
		for _, n := range names {
			pdf.CellFormat(0, 10, Text(n), "", 1, "L", false, 0, "")
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("VIGIL_PDFTEXT_OUT")
	if dir == "" {
		dir = t.TempDir()
	}
	file := filepath.Join(dir, "pdftext.pdf")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := norm.NFKC.String(string(out))
	for _, n := range []string{"Əliyev Şəkər İsmayıl", "Иванов Иван"} {
		if !strings.Contains(text, n) {
			t.Errorf("pdftotext lost %q:\n%s", n, text)
		}
	}
	for _, n := range []string{"محمد", "سلام", "علي"} {
		if !containsEitherWay(text, n) {
			t.Errorf("pdftotext lost %q:\n%s", n, text)
		}
	}
	if err := exec.Command("pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", file, filepath.Join(dir, "pdftext")).Run(); err != nil {
		t.Fatalf("pdftoppm: %v", err)
	}
}

// containsEitherWay reports whether text holds word in logical order or
// reversed: poppler puts right-to-left text back in logical order when it
// recognises it, and leaves it in drawing order when it does not.
func containsEitherWay(text, word string) bool {
	rs := []rune(word)
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return strings.Contains(text, word) || strings.Contains(text, string(rs))
}
