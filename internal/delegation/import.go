package delegation

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"vigil/internal/audit"
	"vigil/internal/delegation/sheet"
	"vigil/internal/view"
)

// The spreadsheet import and export share one set of columns, so that an
// export edited in a spreadsheet program and uploaded again lands on the
// same guests and changes only what was edited.

// Import fields, in the order of the export's columns.
const (
	impHonorific    = "honorific"
	impGivenName    = "given_name"
	impFamilyName   = "family_name"
	impPrintedName  = "printed_name"
	impPosition     = "position"
	impOrganisation = "organisation"
	impDelegation   = "delegation"
	impEmail        = "email"
	impPhone        = "phone"
	impLanguage     = "language"
	impAccess       = "accessibility_needs"
	impDietary      = "dietary_needs"
	impVIP          = "vip"
	impRestricted   = "restricted_notes"
)

// importFields are the columns of the export and the fields a file column
// can be mapped to.
var importFields = []string{
	impHonorific, impGivenName, impFamilyName, impPrintedName, impPosition, impOrganisation,
	impDelegation, impEmail, impPhone, impLanguage, impAccess, impDietary, impVIP, impRestricted,
}

// importFieldIndex is the position of each field in importFields.
var importFieldIndex = func() map[string]int {
	m := make(map[string]int, len(importFields))
	for i, f := range importFields {
		m[f] = i
	}
	return m
}()

// importLabels are the export's headers: plain English, because a file
// goes from one organizer to another whatever language their screens
// speak, and each is recognised on import.
var importLabels = map[string]string{
	impHonorific: "Honorific", impGivenName: "Given name", impFamilyName: "Family name",
	impPrintedName: "Name as printed", impPosition: "Position", impOrganisation: "Organisation",
	impDelegation: "Delegation", impEmail: "E-mail", impPhone: "Phone", impLanguage: "Language",
	impAccess: "Accessibility needs", impDietary: "Dietary needs", impVIP: "VIP",
	impRestricted: "Restricted notes",
}

// importMax is the longest value each field takes, in characters: the
// same limits as the guest form.
var importMax = map[string]int{
	impHonorific: 50, impGivenName: 200, impFamilyName: 200, impPrintedName: 200, impPosition: 200,
	impOrganisation: 200, impDelegation: 200, impEmail: 200, impPhone: 50, impLanguage: 50,
	impAccess: 4000, impDietary: 4000, impVIP: 50, impRestricted: 4000,
}

// importAliases are the headers the protocol office and other systems use
// for each field, in English, Azerbaijani and Russian. They are compared
// after headerFold, so case, spaces, punctuation and accents do not matter.
var importAliases = map[string][]string{
	impHonorific: {"Title", "Salutation", "Prefix", "Form of address", "Müraciət", "Müraciət forması", "Titul",
		"Обращение", "Титул"},
	impGivenName: {"First name", "Firstname", "Forename", "Given names", "First", "Ad", "Adı", "Имя"},
	impFamilyName: {"Surname", "Last name", "Lastname", "Family", "Last", "Soyad", "Soyadı", "Familiya",
		"Фамилия"},
	impPrintedName: {"Printed name", "Badge name", "Name on badge", "Display name", "Full name as printed",
		"Çap üçün ad", "Çapda ad", "Nişanda ad", "Имя для печати", "Имя на бейдже", "Как печатать"},
	impPosition: {"Job title", "Role", "Function", "Post", "Vəzifə", "Vəzifəsi", "Должность"},
	impOrganisation: {"Organization", "Company", "Institution", "Agency", "Ministry", "Təşkilat", "Qurum",
		"Müəssisə", "Организация", "Учреждение"},
	impDelegation: {"Country", "Delegation name", "Mission", "Nümayəndə heyəti", "Nümayəndəlik", "Ölkə",
		"Делегация", "Страна"},
	impEmail: {"Email", "E-mail address", "Email address", "Mail", "E-poçt", "Elektron poçt", "E-poçt ünvanı",
		"Эл. почта", "Электронная почта", "Email адрес", "Почта"},
	impPhone: {"Telephone", "Tel", "Tel.", "Mobile", "Phone number", "Mobile phone", "Telefon", "Mobil",
		"Telefon nömrəsi", "Телефон", "Тел.", "Мобильный"},
	impLanguage: {"Preferred language", "Lang", "Dil", "Язык"},
	impAccess: {"Accessibility", "Access needs", "Special needs", "Əlçatanlıq", "Xüsusi ehtiyaclar",
		"Доступность", "Особые потребности"},
	impDietary: {"Diet", "Dietary requirements", "Dietary", "Food", "Pəhriz", "Qida", "Qidalanma",
		"Питание", "Диета"},
	impVIP: {"V.I.P.", "Very important person", "ВИП"},
	impRestricted: {"Notes", "Internal notes", "Restricted", "Comments", "Remarks", "Qeyd", "Qeydlər",
		"Daxili qeydlər", "Примечания", "Заметки", "Комментарий"},
}

// importHeaderIndex maps a folded header to its field: the field's own
// name, its export label and its aliases.
var importHeaderIndex = func() map[string]string {
	m := map[string]string{}
	add := func(h, f string) {
		for _, k := range headerFolds(h) {
			if old, ok := m[k]; ok && old != f {
				panic(fmt.Sprintf("delegation: import header %q means both %s and %s", h, old, f))
			}
			m[k] = f
		}
	}
	for _, f := range importFields {
		add(f, f)
		add(importLabels[f], f)
		for _, a := range importAliases[f] {
			add(a, f)
		}
	}
	return m
}()

// headerFold folds a header for comparison: Fold, then only letters and
// digits, so "E-mail", "e_mail" and "EMAIL " all become "email".
func headerFold(s string) string { return lettersOnly(Fold(s)) }

// headerFolds are the spellings a header is recognised by: headerFold,
// and the same with Ə typed as "e" ("Numayende heyeti").
func headerFolds(s string) []string {
	var out []string
	for _, f := range importFolds(s) {
		out = append(out, lettersOnly(f))
	}
	return out
}

func lettersOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// importHeaderKey identifies a header set (the layout of a spreadsheet),
// under which its mapping is remembered.
func importHeaderKey(header []string) string {
	h := sha256.New()
	for _, c := range header {
		h.Write([]byte(headerFold(c)))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// autoMap proposes a field for each column of header; "" ignores the
// column. A field goes to the first column that names it.
func autoMap(header []string) []string {
	m := make([]string, len(header))
	used := map[string]bool{}
	for i, h := range header {
		for _, k := range headerFolds(h) {
			if f, ok := importHeaderIndex[k]; ok && !used[f] {
				m[i], used[f] = f, true
				break
			}
		}
	}
	return m
}

// fitMapping makes a stored mapping usable for header: the right length,
// fields that exist. A mapping remembered for another layout is no use.
func fitMapping(m []string, header []string) ([]string, bool) {
	if len(m) != len(header) {
		return nil, false
	}
	for _, f := range m {
		if f != "" && !slices.Contains(importFields, f) {
			return nil, false
		}
	}
	return m, true
}

// checkMapping returns the mapping's problems: family name unmapped, a
// field chosen for two columns (beside the second select).
func checkMapping(m []string) *view.Form {
	f := &view.Form{Values: map[string]string{}}
	seen := map[string]int{}
	hasFamily := false
	for i, field := range m {
		f.Values[importColumnField(i)] = field
		if field == "" {
			continue
		}
		if field == impFamilyName {
			hasFamily = true
		}
		if first, dup := seen[field]; dup {
			f.Add(importColumnField(i), "import.mapping.error.twice", "Column", importColumnLetter(first))
			continue
		}
		seen[field] = i
	}
	if !hasFamily {
		f.Add("mapping", "import.mapping.error.family_name")
	}
	return f
}

// importColumnField is the form field of column i's select.
func importColumnField(i int) string { return "col" + strconv.Itoa(i) }

// importColumnLetter is the column's name as spreadsheet programs show it:
// A … Z, AA, AB …
func importColumnLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// vipValues are the spellings of yes and no a VIP column may hold, folded.
var vipValues = func() map[string]bool {
	m := map[string]bool{"": false}
	for v, words := range map[bool][]string{
		true:  {"yes", "y", "true", "1", "x", "да", "д", "bəli", "hə"},
		false: {"no", "n", "false", "0", "нет", "н", "xeyr", "yox"},
	} {
		for _, w := range words {
			m[Fold(w)] = v
		}
	}
	return m
}()

// parseVIP reads a VIP cell: yes/no in the three languages, true/false,
// 1/0 or a cross.
func parseVIP(s string) (bool, bool) {
	v, ok := vipValues[Fold(s)]
	return v, ok
}

// languageValues are the ways a language cell may name a language, folded.
var languageValues = func() map[string]string {
	m := map[string]string{}
	for code, names := range map[string][]string{
		"en": {"en", "eng", "English", "İngilis", "İngilis dili", "ingiliscə", "английский", "англ"},
		"az": {"az", "aze", "Azerbaijani", "Azeri", "Azərbaycanca", "Azərbaycan", "Azərbaycan dili", "азербайджанский", "азерб"},
		"ru": {"ru", "rus", "Russian", "Русский", "Rus", "Rus dili", "rusca", "русский язык"},
	} {
		for _, n := range names {
			m[Fold(n)] = code
		}
	}
	return m
}()

// parseLanguage reads a language cell: a code or a language's name.
func parseLanguage(s string) (string, bool) {
	code, ok := languageValues[Fold(s)]
	return code, ok
}

// importMsg is one problem of a row: a translation key and its arguments.
type importMsg struct {
	Key  string
	Args []any
}

// What the commit does with a row.
const (
	importCreate    = "create"
	importUpdate    = "update"
	importUnchanged = "unchanged"
	importError     = "error"
)

// importRow is one data row of the file, validated.
type importRow struct {
	// Line is the row number in the file, as the spreadsheet shows it.
	Line int
	// Values are the mapped cells by field (importFields order), trimmed.
	Values   []string
	Errors   []importMsg
	Warnings []importMsg
	// Action is importCreate, importUpdate, importUnchanged or importError.
	Action string
	// GuestID is the guest the row updates (or leaves unchanged).
	GuestID int64
	// Changed names the fields an update changes, in importFields order.
	Changed []string
	// guest is what will be saved; before is the guest as it is now.
	guest, before *Guest
}

// importPlan is a validated file: what each row would do.
type importPlan struct {
	Rows []importRow
	// Mapped tells which fields the mapping uses (importFields order).
	Mapped                              []bool
	Created, Updated, Unchanged, Failed int
	Warned                              int
}

// importDelegation is a delegation as the import sees it.
type importDelegation struct {
	ID      int64
	Name    string
	Country string
}

// importDirectory is the directory an import is checked against: every
// delegation and every guest, loaded in one query each, indexed the ways
// rows are matched.
type importDirectory struct {
	names map[int64]string
	// byName holds delegations by folded name; more than one means the
	// name is ambiguous once folded.
	byName    map[string][]int64
	byCountry map[string][]int64
	guests    []Guest
	byEmail   map[string]int
	// byKey holds guests by importNameKey, with and without delegation.
	byKey map[string][]int
}

// newImportDirectory indexes delegations and guests.
func newImportDirectory(ds []importDelegation, gs []Guest) *importDirectory {
	dir := &importDirectory{
		names: map[int64]string{}, byName: map[string][]int64{}, byCountry: map[string][]int64{},
		guests: gs, byEmail: make(map[string]int, len(gs)), byKey: make(map[string][]int, 2*len(gs)),
	}
	for _, d := range ds {
		dir.names[d.ID] = d.Name
		for _, k := range importFolds(d.Name) {
			dir.byName[k] = append(dir.byName[k], d.ID)
		}
		if d.Country != "" {
			keys := []string{Fold(d.Country)}
			for _, loc := range Languages {
				keys = append(keys, importFolds(CountryName(loc, d.Country))...)
			}
			slices.Sort(keys)
			for _, c := range slices.Compact(keys) {
				if c != "" {
					dir.byCountry[c] = append(dir.byCountry[c], d.ID)
				}
			}
		}
	}
	for i := range gs {
		g := &gs[i]
		if g.Email != "" {
			dir.byEmail[strings.ToLower(g.Email)] = i
		}
		for _, nk := range importFolds(g.FullName()) {
			k := importNameKey(nk, g.DelegationID, true)
			dir.byKey[k] = append(dir.byKey[k], i)
			k = importNameKey(nk, nil, false)
			dir.byKey[k] = append(dir.byKey[k], i)
		}
	}
	return dir
}

// importFolds are the spellings a name is found by: folded with Ə as "a"
// (Fold) and as "e", so that "Milli Meclis" finds "Milli Məclis".
func importFolds(s string) []string {
	a, e := Fold(s), fold(s, "e", false)
	if a == e {
		return []string{a}
	}
	return []string{a, e}
}

// importLookup collects the entries of m under every spelling of s, each
// once.
func importLookup[T comparable](m map[string][]T, s string, key func(string) string) []T {
	var out []T
	for _, f := range importFolds(s) {
		for _, v := range m[key(f)] {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// importNameKey is the folded full name with the delegation: how a row
// without a known e-mail finds its guest. Without a delegation column any
// delegation matches.
func importNameKey(folded string, delegationID *int64, withDelegation bool) string {
	switch {
	case !withDelegation:
		return folded + "\x00*"
	case delegationID == nil:
		return folded + "\x00-"
	}
	return folded + "\x00" + strconv.FormatInt(*delegationID, 10)
}

// findDelegation resolves a delegation cell: a delegation's name (folded),
// else a country (code or name in any of the three languages) that exactly
// one delegation has.
func (dir *importDirectory) findDelegation(s string) (int64, importMsg, bool) {
	same := func(k string) string { return k }
	switch ids := importLookup(dir.byName, s, same); len(ids) {
	case 1:
		return ids[0], importMsg{}, true
	case 0:
	default:
		return 0, importMsg{Key: "import.row.delegation_ambiguous", Args: []any{"Name", s}}, false
	}
	if ids := importLookup(dir.byCountry, s, same); len(ids) == 1 {
		return ids[0], importMsg{}, true
	}
	return 0, importMsg{Key: "import.row.delegation_unknown", Args: []any{"Name", s}}, false
}

// planImport checks every row of t under mapping against the directory and
// decides what each row does. It only reads: the commit runs it again
// inside its transaction, so what it writes is what it checked.
func planImport(t *sheet.Table, mapping []string, dir *importDirectory) *importPlan {
	p := &importPlan{Mapped: make([]bool, len(importFields))}
	cols := make([]int, len(importFields)) // field → column, -1 unmapped
	for i := range cols {
		cols[i] = -1
	}
	for c, f := range mapping {
		if i, ok := importFieldIndex[f]; ok && c < len(t.Header) {
			cols[i], p.Mapped[i] = c, true
		}
	}
	mapped := func(f string) bool { return p.Mapped[importFieldIndex[f]] }
	emailRow := map[string]int{} // e-mail → line of the first row with it
	keyRow := map[string]int{}   // name key → line
	guestRow := map[int64]int{}  // guest → line of the row that matched it
	p.Rows = make([]importRow, 0, len(t.Rows))
	for ri, cells := range t.Rows {
		r := importRow{Line: t.Line[ri], Values: make([]string, len(importFields))}
		empty := true
		for i, c := range cols {
			if c >= 0 && c < len(cells) {
				r.Values[i] = importClean(cells[c])
				if r.Values[i] != "" {
					empty = false
				}
			}
		}
		if empty {
			continue // only ignored columns hold anything: nothing to import
		}
		val := func(f string) string { return r.Values[importFieldIndex[f]] }
		fail := func(key string, args ...any) { r.Errors = append(r.Errors, importMsg{Key: key, Args: args}) }

		for i, f := range importFields {
			if n := utf8.RuneCountInString(r.Values[i]); n > importMax[f] {
				fail("import.row.too_long", "Field", "import.field."+f, "Max", importMax[f])
			}
		}
		if val(impFamilyName) == "" {
			fail("import.row.family_name_required")
		}
		email := strings.ToLower(val(impEmail))
		r.Values[importFieldIndex[impEmail]] = email
		if email != "" && !view.ValidEmail(email) {
			fail("import.row.email", "Value", email)
		}
		var delegationID *int64
		if s := val(impDelegation); s != "" {
			if id, msg, ok := dir.findDelegation(s); ok {
				delegationID = &id
			} else {
				r.Errors = append(r.Errors, msg)
			}
		}
		lang := ""
		if s := val(impLanguage); s != "" {
			var ok bool
			if lang, ok = parseLanguage(s); !ok {
				fail("import.row.language", "Value", s)
			}
		}
		vip, ok := parseVIP(val(impVIP))
		if !ok {
			fail("import.row.vip", "Value", val(impVIP))
		}

		// Duplicates inside the file.
		fullName := strings.TrimSpace(val(impGivenName) + " " + val(impFamilyName))
		nameFolded := Fold(fullName)
		key := importNameKey(nameFolded, delegationID, mapped(impDelegation))
		if email != "" {
			if first, dup := emailRow[email]; dup {
				fail("import.row.duplicate_email", "Row", first)
			} else {
				emailRow[email] = r.Line
			}
		}
		if nameFolded != "" {
			if first, dup := keyRow[key]; dup {
				fail("import.row.duplicate_name", "Row", first)
			} else {
				keyRow[key] = r.Line
			}
		}

		// The guest this row is: by e-mail, else by name and delegation
		// when exactly one guest has them and no e-mail says otherwise.
		match := -1
		if i, ok := dir.byEmail[email]; ok && email != "" {
			match = i
		} else if nameFolded != "" {
			cands := importLookup(dir.byKey, fullName, func(f string) string { return importNameKey(f, delegationID, mapped(impDelegation)) })
			if len(cands) == 0 && mapped(impDelegation) && val(impDelegation) == "" {
				// An empty delegation cell keeps the guest's delegation,
				// so it may be any delegation's guest.
				cands = importLookup(dir.byKey, fullName, func(f string) string { return importNameKey(f, nil, false) })
			}
			var other []string
			for _, gi := range cands {
				g := &dir.guests[gi]
				if len(cands) == 1 && (email == "" || g.Email == "") {
					match = gi
					break
				}
				other = append(other, "#"+strconv.FormatInt(g.ID, 10))
			}
			if match < 0 && len(other) > 0 {
				r.Warnings = append(r.Warnings, importMsg{Key: "import.row.possible_duplicate", Args: []any{"Guests", strings.Join(other, ", ")}})
			}
		}
		if match >= 0 {
			id := dir.guests[match].ID
			if first, dup := guestRow[id]; dup {
				fail("import.row.same_guest", "Row", first, "ID", id)
			} else {
				guestRow[id] = r.Line
			}
		}

		if len(r.Errors) > 0 {
			r.Action = importError
			p.Failed++
			if match >= 0 {
				r.GuestID = dir.guests[match].ID
			}
			if len(r.Warnings) > 0 {
				p.Warned++
			}
			p.Rows = append(p.Rows, r)
			continue
		}

		// What the row makes of the guest: a filled cell of a mapped column
		// sets the field; an empty cell keeps what is saved, so that a
		// sheet missing some e-mails or delegations never erases them.
		g := &Guest{Version: 1, Language: "en"}
		if match >= 0 {
			r.before = &dir.guests[match]
			cp := *r.before
			g = &cp
			r.GuestID = g.ID
		}
		for i, f := range importFields {
			v := r.Values[i]
			if !p.Mapped[i] || v == "" {
				continue
			}
			switch f {
			case impHonorific:
				g.Honorific = v
			case impGivenName:
				g.GivenName = v
			case impFamilyName:
				g.FamilyName = v
			case impPrintedName:
				g.PrintedName = v
			case impPosition:
				g.Position = v
			case impOrganisation:
				g.Organisation = v
			case impDelegation:
				g.DelegationID = delegationID
			case impEmail:
				g.Email = email
			case impPhone:
				g.Phone = v
			case impLanguage:
				g.Language = lang
			case impAccess:
				g.AccessibilityNeeds = v
			case impDietary:
				g.DietaryNeeds = v
			case impVIP:
				g.VIP = vip
			case impRestricted:
				g.RestrictedNotes = v
			}
		}
		name := ""
		if g.DelegationID != nil {
			name = dir.names[*g.DelegationID]
		}
		g.index(name)
		r.guest = g
		switch {
		case r.before == nil:
			r.Action = importCreate
			p.Created++
		default:
			changes := audit.Diff(r.before, g)
			for _, f := range importFields {
				if _, ok := changes[importAuditName(f)]; ok {
					r.Changed = append(r.Changed, f)
				}
			}
			if len(changes) == 0 {
				r.Action = importUnchanged
				p.Unchanged++
			} else {
				r.Action = importUpdate
				p.Updated++
			}
		}
		if len(r.Warnings) > 0 {
			p.Warned++
		}
		p.Rows = append(p.Rows, r)
	}
	return p
}

// importClean trims a cell and drops what PostgreSQL text cannot hold
// (NUL, invalid UTF-8), which a hand-made CSV can contain.
func importClean(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
}

// importAuditName is the audit tag of the Guest field an import field
// sets.
func importAuditName(f string) string {
	if f == impDelegation {
		return "delegation_id"
	}
	return f
}

// importResult is what a commit did, kept with the import so that a second
// click shows the same result.
type importResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
}
