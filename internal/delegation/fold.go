package delegation

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Search folding. People type names on a Latin keyboard: "aliyev" must find
// "Əliyev", "sahin" "Şahin", "ismayil" "İsmayıl". Fold lowercases, removes
// accents and maps the Azerbaijani and Turkish letters to the Latin letters
// people type for them, so the stored text and the query meet in the middle.
// Ə is typed as "a" (Əliyev → Aliyev, the official romanisation) or as "e"
// (Məmmədov → Memmedov); SearchText stores both spellings.

// foldRune maps the letters that lose more than an accent.
var foldRune = map[rune]string{
	'ə': "a", 'ı': "i", 'ß': "ss", 'æ': "ae", 'ø': "o", 'đ': "d", 'ł': "l", 'œ': "oe", 'þ': "th",
}

// cyrillic is a simple Latin transliteration, so "ivanov" finds "Иванов".
var cyrillic = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i",
	'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "",
	'э': "e", 'ю': "yu", 'я': "ya", 'і': "i", 'ї': "yi", 'є': "ye", 'ў': "u", 'ғ': "g", 'қ': "q", 'ң': "n",
	'ө': "o", 'ү': "u", 'ұ': "u", 'һ': "h", 'ә': "a",
}

// Fold returns s folded for search: lower case, accents removed, Ə as "a",
// dotted and dotless i as "i", whitespace collapsed. Other scripts (Arabic,
// Chinese) pass through lower-cased.
func Fold(s string) string { return fold(s, "a", false) }

func fold(s, schwa string, translit bool) string {
	var b strings.Builder
	space := true // drop leading spaces
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if unicode.Is(unicode.Mn, r) {
			continue // the accent of a decomposed letter (ş → s + ̧ ; İ → i + ̇)
		}
		if unicode.IsSpace(r) || r == ',' || r == ';' {
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		space = false
		switch {
		case r == 'ə':
			b.WriteString(schwa)
		case foldRune[r] != "":
			b.WriteString(foldRune[r])
		case translit && cyrillic[r] != "" || translit && (r == 'ъ' || r == 'ь'):
			b.WriteString(cyrillic[r])
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// SearchText is the stored search text of parts: each part folded, plus the
// "e" spelling of any Ə and a Latin transliteration of any Cyrillic, joined
// by " | " so that a query never matches across two fields.
func SearchText(parts ...string) string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, p := range parts {
		add(fold(p, "a", false))
		add(fold(p, "e", false))
		add(fold(p, "a", true))
	}
	return strings.Join(out, " | ")
}
