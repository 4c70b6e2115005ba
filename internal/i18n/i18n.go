// Package i18n translates every user-visible string. Catalogs are JSON files
// (locales/en.json, az.json, ru.json, plus locales/<domain>.<lang>.json per
// domain) embedded into the binary; English is complete and the fallback
// for any key another catalog lacks.
package i18n

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var catalogs embed.FS

// Locales Vigil speaks, in the order the language switch shows them.
var Locales = []string{"en", "az", "ru"}

// Default is the language used when nothing else is known.
const Default = "en"

// LocaleNames are the names of the locales in their own language.
var LocaleNames = map[string]string{"en": "English", "az": "Azərbaycanca", "ru": "Русский"}

// Translator holds the parsed catalogs. It is safe for concurrent use.
type Translator struct {
	// texts holds, by locale and key, the messages that are fixed text: no
	// placeholder and no plural forms, most of the catalogs. They are kept
	// out of the go-i18n bundle, which builds about 500 bytes of structures
	// per message (2 MB of the server's heap for these alone) only to hand
	// the same text back.
	texts map[string]map[string]string
	// fills holds, by locale and key, the messages without plural forms
	// whose placeholders are all plain {{.Name}}: T fills them in itself
	// rather than executing go-i18n's text/template (a tenth of a gate
	// scan's Go time went there). They stay in the bundle too, for the
	// English fallback of a locale that lacks one.
	fills map[string]map[string][]piece
	// counted keeps what go-i18n made of the messages whose one
	// placeholder is a small Count ("2 companions to come"), by locale,
	// key and count: executing its plural rules and text/template was the
	// largest part of a gate scan's translations.
	counted    sync.Map // countedKey → string
	bundle     *goi18n.Bundle
	localizers map[string]*goi18n.Localizer
	missing    sync.Map // keys already reported missing, to log once
}

// New parses the embedded catalogs.
func New() (*Translator, error) { return newTranslator(catalogs) }

// newTranslator parses the catalogs in fsys (locales/*.json).
func newTranslator(fsys fs.FS) (*Translator, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	t := &Translator{texts: map[string]map[string]string{}, fills: map[string]map[string][]piece{}, bundle: b, localizers: map[string]*goi18n.Localizer{}}
	for _, loc := range Locales {
		merged, err := catalog(fsys, loc)
		if err != nil {
			return nil, err
		}
		texts, fills := map[string]string{}, map[string][]piece{}
		for k, v := range merged {
			// An empty message stays with go-i18n, which treats it as
			// missing.
			var s string
			if json.Unmarshal(v, &s) != nil || s == "" {
				continue
			}
			if !strings.Contains(s, "{{") {
				texts[k] = s
				delete(merged, k)
			} else if ps, ok := splitFill(s); ok {
				fills[k] = ps
			}
		}
		t.texts[loc], t.fills[loc] = texts, fills
		// Parsed even when empty: the bundle learns the locale, whose plural
		// rules and fallback to English the localizers need.
		raw, err := json.Marshal(merged)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", loc, err)
		}
		if _, err := b.ParseMessageFileBytes(raw, loc+".json"); err != nil {
			return nil, fmt.Errorf("i18n: load %s: %w", loc, err)
		}
	}
	for _, loc := range Locales {
		t.localizers[loc] = goi18n.NewLocalizer(b, loc, Default)
	}
	return t, nil
}

// Supported reports whether loc is one of Vigil's locales.
func Supported(loc string) bool {
	for _, l := range Locales {
		if l == loc {
			return true
		}
	}
	return false
}

// Match picks the best supported locale for an Accept-Language header.
func Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil {
		return Default
	}
	for _, t := range tags {
		base, _ := t.Base()
		if Supported(base.String()) {
			return base.String()
		}
	}
	return Default
}

// T translates key into loc. kv are name/value pairs for the message's
// placeholders ({{.Name}}); a pair named "Count" also picks the plural form.
// A missing key is logged once and shown as the key itself, so a gap is
// visible rather than blank.
func (t *Translator) T(loc, key string, kv ...any) string {
	l, ok := t.localizers[loc]
	if !ok {
		loc, l = Default, t.localizers[Default]
	}
	if s, ok := t.texts[loc][key]; ok {
		if hasCount(kv) {
			// The text reads the same for every count. go-i18n warned only
			// for counts whose plural form the message lacks; this warns
			// for any count, as the catalog needs plural forms either way.
			t.warn(loc, key, errNoPlurals)
		}
		return s
	}
	if ps, ok := t.fills[loc][key]; ok && !hasCount(kv) {
		return fill(ps, kv)
	}
	n, counted := smallCount(kv)
	if counted {
		if s, ok := t.counted.Load(countedKey{loc, key, n}); ok {
			return s.(string)
		}
	}
	cfg := &goi18n.LocalizeConfig{MessageID: key}
	if len(kv) > 0 {
		data := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			name := fmt.Sprint(kv[i])
			data[name] = kv[i+1]
			if name == "Count" {
				cfg.PluralCount = kv[i+1]
			}
		}
		cfg.TemplateData = data
	}
	s, err := l.Localize(cfg)
	if err != nil {
		// The English fallback go-i18n gives for a key loc lacks cannot
		// find English fixed text: that is in texts.
		var notFound *goi18n.MessageNotFoundErr
		if s == "" && loc != Default && errors.As(err, &notFound) {
			s = t.texts[Default][key]
		}
		t.warn(loc, key, err)
		if s == "" {
			return key
		}
		return s
	}
	if counted {
		t.counted.Store(countedKey{loc, key, n}, s)
	}
	return s
}

// countedKey names a message with its count in Translator.counted.
type countedKey struct {
	loc, key string
	n        int
}

// maxCounted bounds the counts Translator.counted keeps, and so its size:
// at most this many texts per message and language.
const maxCounted = 100

// smallCount reports n when kv is only a Count that is an int from 0 to
// maxCounted.
func smallCount(kv []any) (n int, ok bool) {
	if len(kv) != 2 || kv[0] != "Count" {
		return 0, false
	}
	n, ok = kv[1].(int)
	return n, ok && n >= 0 && n <= maxCounted
}

// piece is a part of a message: text, or (name set) a placeholder.
type piece struct{ text, name string }

// placeholder is the one kind of action fill understands.
var placeholder = regexp.MustCompile(`\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// splitFill cuts s into pieces, or says it needs go-i18n's templates
// (an action other than a plain placeholder).
func splitFill(s string) ([]piece, bool) {
	var ps []piece
	last := 0
	for _, m := range placeholder.FindAllStringSubmatchIndex(s, -1) {
		if m[0] > last {
			ps = append(ps, piece{text: s[last:m[0]]})
		}
		ps = append(ps, piece{name: s[m[2]:m[3]]})
		last = m[1]
	}
	if last < len(s) {
		ps = append(ps, piece{text: s[last:]})
	}
	for _, p := range ps {
		if p.name == "" && (strings.Contains(p.text, "{{") || strings.Contains(p.text, "}}")) {
			return nil, false
		}
	}
	return ps, true
}

// fill writes the pieces with kv's values as text/template prints them
// (fmt's %v; "<no value>" for a name not given or nil).
func fill(ps []piece, kv []any) string {
	var b strings.Builder
	for _, p := range ps {
		if p.name == "" {
			b.WriteString(p.text)
			continue
		}
		var v any
		for i := 0; i+1 < len(kv); i += 2 { // the last of a name counts, as in a map
			name, ok := kv[i].(string)
			if !ok {
				name = fmt.Sprint(kv[i])
			}
			if name == p.name {
				v = kv[i+1]
			}
		}
		switch v := v.(type) {
		case nil:
			b.WriteString("<no value>")
		case string:
			b.WriteString(v)
		case int:
			b.WriteString(strconv.Itoa(v))
		case error, fmt.Stringer:
			fmt.Fprint(&b, v)
		default:
			// text/template prints what a pointer points to.
			rv := reflect.ValueOf(v)
			for rv.Kind() == reflect.Pointer && !rv.IsNil() {
				rv = rv.Elem()
			}
			fmt.Fprint(&b, rv.Interface())
		}
	}
	return b.String()
}

var errNoPlurals = errors.New("i18n: message has no plural forms but was given a Count")

// warn logs a missing or broken message, once per locale and key.
func (t *Translator) warn(loc, key string, err error) {
	if _, seen := t.missing.LoadOrStore(loc+":"+key, true); !seen {
		slog.Warn("i18n: missing or broken message", "locale", loc, "key", key, "err", err)
	}
}

// hasCount reports whether the name/value pairs kv name a Count.
func hasCount(kv []any) bool {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == "Count" {
			return true
		}
	}
	return false
}

// Keys returns every message id in loc's catalog, for the completeness tests.
func Keys(loc string) ([]string, error) {
	m, err := catalog(catalogs, loc)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys, nil
}

// catalog merges the catalog files of loc: locales/<loc>.json and one
// locales/<part>.<loc>.json per domain that wants its own file (so that
// people working on different domains do not edit one file). A key defined
// twice is an error, not a silent override.
func catalog(fsys fs.FS, loc string) (map[string]json.RawMessage, error) {
	files, err := fs.Glob(fsys, "locales/*.json")
	if err != nil {
		return nil, fmt.Errorf("i18n: list catalogs: %w", err)
	}
	merged := map[string]json.RawMessage{}
	for _, f := range files {
		base := strings.TrimSuffix(path.Base(f), ".json")
		if base != loc && !strings.HasSuffix(base, "."+loc) {
			continue
		}
		raw, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("i18n: read %s: %w", f, err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("i18n: parse %s: %w", f, err)
		}
		for k, v := range m {
			if _, dup := merged[k]; dup {
				return nil, fmt.Errorf("i18n: %s: key %q is defined twice", f, k)
			}
			merged[k] = v
		}
	}
	if len(merged) == 0 {
		return nil, fmt.Errorf("i18n: no catalog for %s", loc)
	}
	return merged, nil
}

// Ordinal writes n as an ordinal number in loc: "32nd", "32-ci", "32-я".
// The Russian form agrees with a feminine noun (годовщина, "anniversary"),
// which is the only noun Vigil puts after it.
func Ordinal(loc string, n int) string {
	switch loc {
	case "az":
		return fmt.Sprintf("%d-%s", n, azOrdinalSuffix(n))
	case "ru":
		return fmt.Sprintf("%d-я", n)
	default:
		suffix := "th"
		switch {
		case n%100 >= 11 && n%100 <= 13:
		case n%10 == 1:
			suffix = "st"
		case n%10 == 2:
			suffix = "nd"
		case n%10 == 3:
			suffix = "rd"
		}
		return fmt.Sprintf("%d%s", n, suffix)
	}
}

// azOrdinalSuffix follows vowel harmony with the last vowel of the number's
// spoken form: -ci/-cı/-cu/-cü.
func azOrdinalSuffix(n int) string {
	if n < 0 {
		n = -n
	}
	// The spoken form ends with the word for the lowest non-zero place
	// (ones, then tens, then hundred, thousand, million).
	var last string
	switch {
	case n%10 != 0:
		last = []string{"", "bir", "iki", "üç", "dörd", "beş", "altı", "yeddi", "səkkiz", "doqquz"}[n%10]
	case n%100 != 0:
		last = []string{"", "on", "iyirmi", "otuz", "qırx", "əlli", "altmış", "yetmiş", "səksən", "doxsan"}[(n/10)%10]
	case n%1000 != 0:
		last = "yüz"
	case n%1000000 != 0:
		last = "min"
	case n == 0:
		last = "sıfır"
	default:
		last = "milyon"
	}
	for _, r := range reverse(last) {
		switch r {
		case 'a', 'ı':
			return "cı"
		case 'e', 'ə', 'i':
			return "ci"
		case 'o', 'u':
			return "cu"
		case 'ö', 'ü':
			return "cü"
		}
	}
	return "ci"
}

func reverse(s string) []rune {
	r := []rune(strings.ToLower(s))
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return r
}
