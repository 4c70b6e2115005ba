package pdftext

import (
	"slices"

	"golang.org/x/text/unicode/bidi"
)

// The Unicode Bidirectional Algorithm (UAX #9) for one line without
// explicit embeddings, overrides or isolates: the rules that decide where a
// right-to-left run starts and ends among Latin words, spaces, digits and
// punctuation (W1–W7, N1–N2, I1–I2) and the reordering for display (L1,
// L2, L4). Names, titles and labels are what Vigil prints, and they carry
// no explicit formatting characters; those are treated as neutral.
//
// golang.org/x/text/unicode/bidi supplies the character classes. Its
// Paragraph.Order reports runs by direction only, which loses the level
// that tells digits inside Arabic text (level 2) from Latin around it
// (level 0), so the levels are resolved here.

// hasRTL reports whether s holds any right-to-left character, so that
// Latin and Cyrillic text skips the work.
func hasRTL(s string) bool {
	for _, r := range s {
		if r < '\u0590' {
			continue
		}
		switch class(r) {
		case bidi.R, bidi.AL:
			return true
		}
	}
	return false
}

// class is the bidirectional class of r.
func class(r rune) bidi.Class {
	p, _ := bidi.LookupRune(r)
	return p.Class()
}

// visual returns s, one line in logical order, in display order.
func visual(s string) string {
	rs := []rune(s)
	if len(rs) == 0 {
		return s
	}
	types := make([]bidi.Class, len(rs))
	orig := make([]bidi.Class, len(rs))
	for i, r := range rs {
		types[i] = class(r)
		switch types[i] {
		case bidi.LRE, bidi.RLE, bidi.LRO, bidi.RLO, bidi.PDF, bidi.LRI, bidi.RLI, bidi.FSI, bidi.PDI:
			types[i] = bidi.ON
		}
		orig[i] = types[i]
	}
	base := baseLevel(types)
	resolveWeak(types, base)
	resolveNeutral(types, base)
	levels := make([]uint8, len(rs))
	for i, t := range types {
		levels[i] = base
		switch {
		case base == 0 && t == bidi.R:
			levels[i] = 1
		case base == 0 && (t == bidi.AN || t == bidi.EN):
			levels[i] = 2
		case base == 1 && (t == bidi.L || t == bidi.EN || t == bidi.AN):
			levels[i] = 2
		}
	}
	// L1: separators and whitespace at the end of the line go back to the
	// paragraph level.
	for i := len(rs) - 1; i >= 0; i-- {
		if orig[i] != bidi.WS && orig[i] != bidi.S && orig[i] != bidi.BN {
			break
		}
		levels[i] = base
	}
	for i := range rs {
		if levels[i]%2 == 1 {
			rs[i] = mirror(rs[i])
		}
	}
	reorder(rs, levels, orig)
	return string(rs)
}

// baseLevel is the paragraph level by rules P2–P3: that of the first strong
// character, left to right when there is none.
func baseLevel(types []bidi.Class) uint8 {
	for _, t := range types {
		switch t {
		case bidi.L:
			return 0
		case bidi.R, bidi.AL:
			return 1
		}
	}
	return 0
}

// strongOf is the direction a level's start or end implies (sos, eos).
func strongOf(level uint8) bidi.Class {
	if level%2 == 1 {
		return bidi.R
	}
	return bidi.L
}

// resolveWeak applies rules W1–W7 to the line.
func resolveWeak(t []bidi.Class, base uint8) {
	sos := strongOf(base)
	// W1: a mark takes the type of what it marks.
	for i := range t {
		if t[i] == bidi.NSM {
			if i == 0 {
				t[i] = sos
			} else {
				t[i] = t[i-1]
			}
		}
	}
	// W2: European digits after Arabic letters are Arabic numbers. W3: AL
	// is R from here on.
	last := sos
	for i := range t {
		switch t[i] {
		case bidi.L, bidi.R:
			last = t[i]
		case bidi.AL:
			last = bidi.AL
			t[i] = bidi.R
		case bidi.EN:
			if last == bidi.AL {
				t[i] = bidi.AN
			}
		}
	}
	// W4: one separator between two numbers of a kind joins them.
	for i := 1; i+1 < len(t); i++ {
		switch {
		case t[i] == bidi.ES && t[i-1] == bidi.EN && t[i+1] == bidi.EN:
			t[i] = bidi.EN
		case t[i] == bidi.CS && t[i-1] == t[i+1] && (t[i-1] == bidi.EN || t[i-1] == bidi.AN):
			t[i] = t[i-1]
		}
	}
	// W5: terminators (%, currency) next to European digits join them.
	for i := 0; i < len(t); {
		if t[i] != bidi.ET {
			i++
			continue
		}
		j := i
		for j < len(t) && t[j] == bidi.ET {
			j++
		}
		if (i > 0 && t[i-1] == bidi.EN) || (j < len(t) && t[j] == bidi.EN) {
			for k := i; k < j; k++ {
				t[k] = bidi.EN
			}
		}
		i = j
	}
	// W6: the remaining separators and terminators are neutral.
	for i := range t {
		switch t[i] {
		case bidi.ES, bidi.ET, bidi.CS:
			t[i] = bidi.ON
		}
	}
	// W7: European digits in left-to-right context are left to right.
	last = sos
	for i := range t {
		switch t[i] {
		case bidi.L, bidi.R:
			last = t[i]
		case bidi.EN:
			if last == bidi.L {
				t[i] = bidi.L
			}
		}
	}
}

// neutral reports whether a resolved type is decided by its surroundings.
func neutral(c bidi.Class) bool {
	switch c {
	case bidi.B, bidi.S, bidi.WS, bidi.ON, bidi.BN:
		return true
	}
	return false
}

// resolveNeutral applies rules N1–N2: a run of neutrals between text of one
// direction takes that direction (numbers count as right to left), any
// other takes the paragraph's.
func resolveNeutral(t []bidi.Class, base uint8) {
	dir := func(c bidi.Class) bidi.Class {
		if c == bidi.EN || c == bidi.AN {
			return bidi.R
		}
		return c
	}
	for i := 0; i < len(t); {
		if !neutral(t[i]) {
			i++
			continue
		}
		j := i
		for j < len(t) && neutral(t[j]) {
			j++
		}
		before, after := strongOf(base), strongOf(base)
		if i > 0 {
			before = dir(t[i-1])
		}
		if j < len(t) {
			after = dir(t[j])
		}
		to := strongOf(base)
		if before == after {
			to = before
		}
		for k := i; k < j; k++ {
			t[k] = to
		}
		i = j
	}
}

// reorder applies rule L2: from the highest level down to the lowest odd
// one, every run at that level or above is reversed. A combining mark stays
// after the letter it belongs to, because fpdf draws a mark over the glyph
// before it in the string.
func reorder(rs []rune, levels []uint8, orig []bidi.Class) {
	high := slices.Max(levels)
	for lv := high; lv >= 1; lv-- {
		for i := 0; i < len(rs); {
			if levels[i] < lv {
				i++
				continue
			}
			j := i
			for j < len(rs) && levels[j] >= lv {
				j++
			}
			reverseClusters(rs[i:j], levels[i:j], orig[i:j])
			i = j
		}
	}
}

// reverseClusters reverses rs in place, keeping each letter's following
// marks after it.
func reverseClusters(rs []rune, levels []uint8, orig []bidi.Class) {
	slices.Reverse(rs)
	slices.Reverse(levels)
	slices.Reverse(orig)
	// The marks now precede their letters: move each group of marks after
	// the letter that follows it.
	for i := 0; i < len(rs); {
		if orig[i] != bidi.NSM {
			i++
			continue
		}
		j := i
		for j < len(rs) && orig[j] == bidi.NSM {
			j++
		}
		if j == len(rs) {
			break
		}
		rotate(rs[i:j+1], levels[i:j+1], orig[i:j+1])
		i = j + 1
	}
}

// rotate moves the last element of each slice to its front.
func rotate(rs []rune, levels []uint8, orig []bidi.Class) {
	n := len(rs) - 1
	r, l, o := rs[n], levels[n], orig[n]
	copy(rs[1:], rs[:n])
	copy(levels[1:], levels[:n])
	copy(orig[1:], orig[:n])
	rs[0], levels[0], orig[0] = r, l, o
}

// mirrors are the characters drawn as their mirror image in right-to-left
// text (the common ones of BidiMirroring.txt).
var mirrors = map[rune]rune{
	'(': ')', ')': '(', '[': ']', ']': '[', '{': '}', '}': '{',
	'<': '>', '>': '<', '«': '»', '»': '«', '‹': '›', '›': '‹',
}

// mirror is r as drawn in right-to-left text.
func mirror(r rune) rune {
	if m, ok := mirrors[r]; ok {
		return m
	}
	return r
}
