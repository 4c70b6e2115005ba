package pdftext

import "strings"

// Arabic shaping by the joining rules of the Unicode Standard (chapter 9.2,
// ArabicShaping.txt), reduced to what fpdf can draw: each letter becomes
// the presentation form (Arabic Presentation Forms-A/B) for its position,
// and lam followed by alef becomes the obligatory lam-alef ligature. A real
// shaping engine would use the font's OpenType tables instead; DejaVu has
// the presentation-form glyphs, which is all this needs.

// joining is a letter's Unicode joining type.
type joining uint8

const (
	joinNone        joining = iota // U: joins nothing (hamza, Latin, spaces)
	joinRight                      // R: joins the letter before it only
	joinDual                       // D: joins both sides
	joinCausing                    // C: tatweel, joins both sides, no forms
	joinTransparent                // T: marks, skipped when finding neighbours
)

// form is a position in a word; the presentation forms of a letter are
// laid out in this order in Unicode.
type form uint8

const (
	isolated form = iota
	final
	initial
	medial
)

// letter is one Arabic letter: its joining type and its isolated
// presentation form, the other forms following it in the order of form.
type letter struct {
	join     joining
	isolated rune
}

// letters holds the letters with presentation forms. Dual-joining letters
// have four forms, right-joining ones two.
var letters = map[rune]letter{
	'\u0621': {joinNone, 0xFE80},  // hamza
	'\u0622': {joinRight, 0xFE81}, // alef with madda above
	'\u0623': {joinRight, 0xFE83}, // alef with hamza above
	'\u0624': {joinRight, 0xFE85}, // waw with hamza above
	'\u0625': {joinRight, 0xFE87}, // alef with hamza below
	'\u0626': {joinDual, 0xFE89},  // yeh with hamza above
	'\u0627': {joinRight, 0xFE8D}, // alef
	'\u0628': {joinDual, 0xFE8F},  // beh
	'\u0629': {joinRight, 0xFE93}, // teh marbuta
	'\u062A': {joinDual, 0xFE95},  // teh
	'\u062B': {joinDual, 0xFE99},  // theh
	'\u062C': {joinDual, 0xFE9D},  // jeem
	'\u062D': {joinDual, 0xFEA1},  // hah
	'\u062E': {joinDual, 0xFEA5},  // khah
	'\u062F': {joinRight, 0xFEA9}, // dal
	'\u0630': {joinRight, 0xFEAB}, // thal
	'\u0631': {joinRight, 0xFEAD}, // reh
	'\u0632': {joinRight, 0xFEAF}, // zain
	'\u0633': {joinDual, 0xFEB1},  // seen
	'\u0634': {joinDual, 0xFEB5},  // sheen
	'\u0635': {joinDual, 0xFEB9},  // sad
	'\u0636': {joinDual, 0xFEBD},  // dad
	'\u0637': {joinDual, 0xFEC1},  // tah
	'\u0638': {joinDual, 0xFEC5},  // zah
	'\u0639': {joinDual, 0xFEC9},  // ain
	'\u063A': {joinDual, 0xFECD},  // ghain
	'\u0641': {joinDual, 0xFED1},  // feh
	'\u0642': {joinDual, 0xFED5},  // qaf
	'\u0643': {joinDual, 0xFED9},  // kaf
	'\u0644': {joinDual, 0xFEDD},  // lam
	'\u0645': {joinDual, 0xFEE1},  // meem
	'\u0646': {joinDual, 0xFEE5},  // noon
	'\u0647': {joinDual, 0xFEE9},  // heh
	'\u0648': {joinRight, 0xFEED}, // waw
	'\u0649': {joinDual, 0xFEEF},  // alef maksura (forms in FE: iso, fin only)
	'\u064A': {joinDual, 0xFEF1},  // yeh
	// Persian letters, common in names written in Arabic script.
	'\u067E': {joinDual, 0xFB56},  // peh
	'\u0686': {joinDual, 0xFB7A},  // tcheh
	'\u0698': {joinRight, 0xFB8A}, // jeh
	'\u06A9': {joinDual, 0xFB8E},  // keheh
	'\u06AF': {joinDual, 0xFB92},  // gaf
	'\u06CC': {joinDual, 0xFBFC},  // farsi yeh
}

// lamAlef maps the alef that follows a lam to the isolated form of their
// ligature; the final form follows it.
var lamAlef = map[rune]rune{
	'\u0622': 0xFEF5,
	'\u0623': 0xFEF7,
	'\u0625': 0xFEF9,
	'\u0627': 0xFEFB,
}

const lam = '\u0644'

// joiningOf is the joining type of r, including the letters that join but
// have no presentation forms fpdf could use.
func joiningOf(r rune) joining {
	if l, ok := letters[r]; ok {
		return l.join
	}
	switch {
	case r == '\u0640' || r == '\u200D': // tatweel, zero width joiner
		return joinCausing
	case r >= '\u0610' && r <= '\u061A', r >= '\u064B' && r <= '\u065F', r == '\u0670',
		r >= '\u06D6' && r <= '\u06DC', r >= '\u06DF' && r <= '\u06E4', r == '\u06E7', r == '\u06E8',
		r >= '\u06EA' && r <= '\u06ED':
		return joinTransparent
	case r == '\u0620', r >= '\u063B' && r <= '\u063F', r == '\u066E', r == '\u066F',
		r >= '\u0678' && r <= '\u0687', r >= '\u069A' && r <= '\u06BF', r >= '\u06C1' && r <= '\u06C2',
		r >= '\u06CC' && r <= '\u06CE', r >= '\u06D0' && r <= '\u06D1', r >= '\u06FA' && r <= '\u06FC':
		return joinDual
	case r >= '\u0671' && r <= '\u0677', r >= '\u0688' && r <= '\u0699', r == '\u06C0',
		r >= '\u06C3' && r <= '\u06CB', r == '\u06CF', r >= '\u06D2' && r <= '\u06D3', r == '\u06D5':
		return joinRight
	}
	return joinNone
}

// joinsBefore reports whether a letter of type j connects to the letter
// that precedes it in logical order; joinsAfter, to the one that follows.
func joinsBefore(j joining) bool { return j == joinRight || j == joinDual || j == joinCausing }
func joinsAfter(j joining) bool  { return j == joinDual || j == joinCausing }

// shape returns s with Arabic letters in their contextual presentation
// forms, in logical order. Everything else passes through unchanged.
func shape(s string) string {
	rs := []rune(s)
	types := make([]joining, len(rs))
	for i, r := range rs {
		types[i] = joiningOf(r)
	}
	// neighbour finds the nearest letter in direction step that is not a
	// mark, which joins across marks as if they were not there.
	neighbour := func(i, step int) joining {
		for j := i + step; j >= 0 && j < len(rs); j += step {
			if types[j] != joinTransparent {
				return types[j]
			}
		}
		return joinNone
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		l, ok := letters[r]
		if !ok {
			b.WriteRune(r)
			continue
		}
		before := joinsAfter(neighbour(i, -1)) && joinsBefore(l.join)
		if r == lam {
			// Lam and a following alef (marks between them allowed) make
			// one ligature, which joins only before, like alef does.
			j := i + 1
			for j < len(rs) && types[j] == joinTransparent {
				j++
			}
			if lig, ok := lamAlef[at(rs, j)]; ok {
				if before {
					lig++
				}
				b.WriteRune(lig)
				for _, m := range rs[i+1 : j] {
					b.WriteRune(m)
				}
				i = j
				continue
			}
		}
		after := joinsAfter(l.join) && joinsBefore(neighbour(i, +1))
		b.WriteRune(presentation(r, l, before, after))
	}
	return b.String()
}

// presentation is the form of letter l for its neighbours.
func presentation(r rune, l letter, before, after bool) rune {
	f := isolated
	switch {
	case before && after:
		f = medial
	case before:
		f = final
	case after:
		f = initial
	}
	if l.join != joinDual && f > final {
		// Right-joining letters have no initial or medial form.
		f -= 2
	}
	if r == '\u0649' && f > final {
		// Alef maksura has no initial or medial form in Presentation
		// Forms-B (it rarely starts or continues a word): keep the letter.
		return r
	}
	return l.isolated + rune(f)
}

// at is rs[i], or 0 past its end.
func at(rs []rune, i int) rune {
	if i < len(rs) {
		return rs[i]
	}
	return 0
}
