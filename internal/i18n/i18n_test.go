package i18n

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

func TestOrdinals(t *testing.T) {
	cases := []struct {
		loc  string
		n    int
		want string
	}{
		{"en", 1, "1st"}, {"en", 2, "2nd"}, {"en", 3, "3rd"}, {"en", 4, "4th"},
		{"en", 11, "11th"}, {"en", 12, "12th"}, {"en", 13, "13th"}, {"en", 21, "21st"},
		{"en", 32, "32nd"}, {"en", 33, "33rd"}, {"en", 34, "34th"}, {"en", 111, "111th"}, {"en", 101, "101st"},
		{"az", 1, "1-ci"}, {"az", 2, "2-ci"}, {"az", 3, "3-cü"}, {"az", 4, "4-cü"}, {"az", 6, "6-cı"},
		{"az", 9, "9-cu"}, {"az", 10, "10-cu"}, {"az", 20, "20-ci"}, {"az", 30, "30-cu"}, {"az", 32, "32-ci"},
		{"az", 33, "33-cü"}, {"az", 34, "34-cü"}, {"az", 35, "35-ci"}, {"az", 40, "40-cı"}, {"az", 50, "50-ci"},
		{"az", 60, "60-cı"}, {"az", 100, "100-cü"},
		{"ru", 32, "32-я"}, {"ru", 1, "1-я"},
	}
	for _, c := range cases {
		if got := Ordinal(c.loc, c.n); got != c.want {
			t.Errorf("Ordinal(%s, %d) = %q, want %q", c.loc, c.n, got, c.want)
		}
	}
}

func TestPluralsAndPlaceholders(t *testing.T) {
	tr, err := New()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		loc, want string
		n         int
	}{
		{"en", "1 user", 1}, {"en", "5 users", 5},
		{"ru", "1 пользователь", 1}, {"ru", "3 пользователя", 3}, {"ru", "5 пользователей", 5}, {"ru", "21 пользователь", 21},
		{"az", "5 istifadəçi", 5},
	}
	for _, c := range cases {
		if got := tr.T(c.loc, "users.count", "Count", c.n); got != c.want {
			t.Errorf("%s users.count %d = %q, want %q", c.loc, c.n, got, c.want)
		}
	}
	if got := tr.T("ru", "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key shows %q", got)
	}
	if got := tr.T("xx", "nav.users"); got != "Users" {
		t.Errorf("unknown locale falls back to %q", got)
	}
}

func TestMatch(t *testing.T) {
	for in, want := range map[string]string{
		"az-AZ,az;q=0.9,en;q=0.8": "az", "ru": "ru", "fr-FR,fr;q=0.9": "en", "": "en", "de, ru;q=0.5": "ru",
	} {
		if got := Match(in); got != want {
			t.Errorf("Match(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every key that templates and Go code use exists in the English catalog,
// and the other catalogs have no key English lacks (a typo there would
// never show).
func TestCatalogsCoverUsedKeys(t *testing.T) {
	en, err := Keys("en")
	if err != nil {
		t.Fatal(err)
	}
	root := repoRoot(t)
	used := map[string]string{}
	// Any string literal that looks like a key of one of the catalog's
	// namespaces is a key: "users.error.email_taken", "ceremony.kind." (a
	// prefix completed at run time is skipped below).
	keyRe := regexp.MustCompile(`"((?:` + namespaces + `)\.[a-z0-9_.]+)"`)
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == ".data" || d.Name() == "node_modules" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(p, ".html") && (!strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go")) {
			return nil
		}
		re := keyRe
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = p
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 40 {
		t.Fatalf("found only %d used keys; the scan is broken", len(used))
	}
	for k, where := range used {
		if strings.HasSuffix(k, ".") {
			continue // a prefix completed at run time, e.g. "role."
		}
		if !slices.Contains(en, k) {
			t.Errorf("key %q used in %s is missing from en.json", k, where)
		}
	}
	for _, loc := range []string{"az", "ru"} {
		keys, err := Keys(loc)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if !slices.Contains(en, k) {
				t.Errorf("%s.json has key %q that en.json lacks", loc, k)
			}
		}
	}
}

// namespaces are the first parts of the catalog keys.
const namespaces = "action|anniversary|audit|auth|ceremony|commemoration|dashboard|day|edition|editions|error|form|month|nav|pagination|programme|role|users|venue|task|tasks|transport|resource|logistics|weekday|zone|delegation|delegations|guest|guests|import|export|precedence|wreath|participation|country|duplicates|invitation|invitations|rsvp|mail|messages|board|letter|checkin"

func repoRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// Fixed text is read from the translator's own map, not the go-i18n
// bundle; messages with placeholders or plural forms stay in the bundle.
func TestFixedTextStaysOutOfTheBundle(t *testing.T) {
	tr, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tr.texts["az"]["nav.dashboard"]; !ok {
		t.Error("fixed text nav.dashboard is not in the map")
	}
	if _, ok := tr.texts["en"]["users.count"]; ok {
		t.Error("the plural message users.count is in the fixed-text map")
	}
	if _, err := tr.localizers["az"].Localize(&goi18n.LocalizeConfig{MessageID: "nav.dashboard"}); err == nil {
		t.Error("fixed text nav.dashboard is still in the bundle")
	}
	if got := tr.T("az", "nav.dashboard"); got == "nav.dashboard" || got == tr.T("en", "nav.dashboard") {
		t.Errorf("az nav.dashboard = %q", got)
	}
	if got := tr.T("xx-unknown", "nav.dashboard"); got != tr.T(Default, "nav.dashboard") {
		t.Errorf("unknown locale: %q", got)
	}
	if a, b := tr.T("en", "users.count", "Count", 1), tr.T("en", "users.count", "Count", 5); a == b {
		t.Errorf("messages with arguments read the same: %q", a)
	}
}

// reference translates as the translator did when every message was in
// the go-i18n bundle: the behaviour splitting the catalogs must keep.
func reference(t *testing.T, fsys fs.FS) func(loc, key string, kv ...any) string {
	t.Helper()
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	localizers := map[string]*goi18n.Localizer{}
	for _, loc := range Locales {
		merged, err := catalog(fsys, loc)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(merged)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.ParseMessageFileBytes(raw, loc+".json"); err != nil {
			t.Fatal(err)
		}
		localizers[loc] = goi18n.NewLocalizer(b, loc, Default)
	}
	return func(loc, key string, kv ...any) string {
		l, ok := localizers[loc]
		if !ok {
			l = localizers[Default]
		}
		cfg := &goi18n.LocalizeConfig{MessageID: key}
		if len(kv) > 0 {
			data := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				data[kv[i].(string)] = kv[i+1]
				if kv[i] == "Count" {
					cfg.PluralCount = kv[i+1]
				}
			}
			cfg.TemplateData = data
		}
		s, _ := l.Localize(cfg)
		if s == "" {
			return key
		}
		return s
	}
}

// argSets are the arguments every key is translated with below: none, a
// placeholder, counts that pick each plural form of en, az and ru, and
// values of other kinds (T fills plain placeholders itself, and must
// print them as go-i18n's text/template does).
var argSets = [][]any{nil, {"Name", "Ada"}, {"Count", 1}, {"Count", 2}, {"Count", 5}, {"Count", 21}, {"Count", 3, "Name", "Ada", "Year", 2026},
	{"Count", 0}, {"Count", 101}, {"Count", int64(22)}, {"Count", -1},
	{"Name", nil, "Year", int64(2026)}, {"Name", 2.5, "Year", &pointedYear}, {"Name", "first", "Name", "last"},
	{"Name", time.Date(2027, 2, 26, 7, 0, 0, 0, time.UTC), "Year", errors.New("an error")}, {"Name", []string{"a", "b"}, "Year", true}}

var pointedYear = 2027

// sameAsReference checks every key of every locale (and one no locale
// has), in every locale and an unknown one, with each argument set.
func sameAsReference(t *testing.T, fsys fs.FS) {
	t.Helper()
	tr, err := newTranslator(fsys)
	if err != nil {
		t.Fatal(err)
	}
	ref := reference(t, fsys)
	keys := map[string]bool{"nav.no_such_key": true}
	for _, loc := range Locales {
		m, err := catalog(fsys, loc)
		if err != nil {
			t.Fatal(err)
		}
		for k := range m {
			keys[k] = true
		}
	}
	checked := 0
	for k := range keys {
		for _, loc := range append(slices.Clone(Locales), "xx") {
			for _, kv := range argSets {
				// Twice: the second may come from what T keeps of the
				// first (Translator.counted).
				for range 2 {
					if got, want := tr.T(loc, k, kv...), ref(loc, k, kv...); got != want {
						t.Errorf("T(%s, %s, %v) = %q, want %q", loc, k, kv, got, want)
					}
					checked++
				}
			}
		}
	}
	t.Logf("%d translations compared", checked)
}

// Every message of the real catalogs reads as it did from the bundle.
func TestTranslationsMatchTheBundle(t *testing.T) {
	sameAsReference(t, catalogs)
}

// The same on a catalog with gaps: keys a locale lacks (fixed text and
// plural), an empty message, a fixed text in one locale and a plural in
// another, and placeholders.
func TestFallbacksMatchTheBundle(t *testing.T) {
	fsys := fstest.MapFS{
		"locales/en.json": {Data: []byte(`{
			"nav.fixed": "Fixed", "nav.only_en": "Only English", "nav.empty": "Empty in the others",
			"nav.hello": "Hello {{.Name}}", "nav.only_en_hello": "Hi {{.Name}}",
			"nav.items": {"one": "{{.Count}} item", "other": "{{.Count}} items"},
			"nav.only_en_items": {"one": "one thing", "other": "{{.Count}} things"},
			"nav.mixed": {"one": "{{.Count}} guest", "other": "{{.Count}} guests"}
		}`)},
		"locales/az.json": {Data: []byte(`{
			"nav.fixed": "Sabit", "nav.hello": "Salam {{.Name}}", "nav.items": "{{.Count}} əşya",
			"nav.mixed": "qonaqlar", "nav.empty": ""
		}`)},
		"locales/ru.json": {Data: []byte(`{
			"nav.fixed": "Фикс", "nav.empty": "",
			"nav.items": {"one": "{{.Count}} вещь", "few": "{{.Count}} вещи", "many": "{{.Count}} вещей", "other": "{{.Count}} вещи"},
			"nav.mixed": "гости", "nav.only_ru": "Только русский"
		}`)},
	}
	sameAsReference(t, fsys)
}

// T keeps the texts of small int counts, and only those: the memory it
// keeps is bounded by maxCounted per message and language.
func TestCountedTextsKeptForSmallCountsOnly(t *testing.T) {
	tr, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []any{3, 0, maxCounted, maxCounted + 1, -1, int64(4), "5"} {
		tr.T("ru", "users.count", "Count", n)
	}
	tr.T("ru", "users.count", "Count", 6, "Name", "Ada")
	tr.T("ru", "nav.no_such_key", "Count", 7)
	var kept []int
	tr.counted.Range(func(k, v any) bool {
		kept = append(kept, k.(countedKey).n)
		return true
	})
	slices.Sort(kept)
	if !slices.Equal(kept, []int{0, 3, maxCounted}) {
		t.Errorf("kept the texts of counts %v, want [0 3 %d]", kept, maxCounted)
	}
	if got := tr.T("ru", "users.count", "Count", 3); got != tr.T("ru", "users.count", "Count", 3) || !strings.Contains(got, "3") {
		t.Errorf("kept text %q", got)
	}
}
