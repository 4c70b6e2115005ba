package delegation

// The import's speed on a realistic large file, and the unit tests of its
// pure parts (header recognition, value parsing, the array literals of the
// batched update). The whole flow is tested over HTTP in import_test.go.

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"vigil/internal/database"
	"vigil/internal/delegation/sheet"
	"vigil/internal/testdb"
)

func TestImportRecognisesHeaders(t *testing.T) {
	cases := map[string]string{
		"Given name": impGivenName, "First name": impGivenName, "FIRST_NAME": impGivenName, "Имя": impGivenName, "Ad": impGivenName,
		"Family name": impFamilyName, "Surname": impFamilyName, " last  name ": impFamilyName, "Фамилия": impFamilyName, "Soyad": impFamilyName, "SOYADI": impFamilyName,
		"E-mail": impEmail, "Email": impEmail, "e_mail": impEmail, "Эл. почта": impEmail, "Электронная почта": impEmail, "E-poçt": impEmail, "E-POCT": impEmail,
		"Телефон": impPhone, "Tel.": impPhone, "Telefon": impPhone,
		"Delegation": impDelegation, "Делегация": impDelegation, "Nümayəndə heyəti": impDelegation, "Numayende heyeti": impDelegation, "Country": impDelegation, "Ölkə": impDelegation,
		"Name as printed": impPrintedName, "Honorific": impHonorific, "Title": impHonorific, "Обращение": impHonorific,
		"Position": impPosition, "Должность": impPosition, "Vəzifə": impPosition,
		"Organization": impOrganisation, "Təşkilat": impOrganisation, "VIP": impVIP, "V.I.P.": impVIP,
		"Language": impLanguage, "Язык": impLanguage, "Dil": impLanguage,
		"Accessibility needs": impAccess, "Dietary needs": impDietary, "Диета": impDietary,
		"Restricted notes": impRestricted, "Notes": impRestricted, "Qeydlər": impRestricted,
		"Seat": "", "": "", "Name": "",
	}
	for h, want := range cases {
		if got := autoMap([]string{h})[0]; got != want {
			t.Errorf("header %q maps to %q, want %q", h, got, want)
		}
	}
	// A field goes to the first column that names it; the export's own
	// header maps every column.
	if got := autoMap([]string{"Surname", "Фамилия", "Email"}); !slices.Equal(got, []string{impFamilyName, "", impEmail}) {
		t.Errorf("two family-name columns map to %q", got)
	}
	var header []string
	for _, f := range importFields {
		header = append(header, importLabels[f])
	}
	if got := autoMap(header); !slices.Equal(got, importFields) {
		t.Errorf("the export's header maps to %q", got)
	}
	if importHeaderKey([]string{"E-mail", "Фамилия"}) != importHeaderKey([]string{" email", "ФАМИЛИЯ"}) ||
		importHeaderKey([]string{"A", "B"}) == importHeaderKey([]string{"B", "A"}) {
		t.Error("the header key does not identify the layout")
	}
}

func TestImportParsesValues(t *testing.T) {
	for s, want := range map[string]bool{"yes": true, "YES": true, "True": true, "1": true, "x": true, "X": true, "да": true, "Да": true,
		"bəli": true, "BƏLİ": true, "no": false, "false": false, "0": false, "нет": false, "xeyr": false, "": false} {
		if got, ok := parseVIP(s); !ok || got != want {
			t.Errorf("VIP %q = %v, %v", s, got, ok)
		}
	}
	for _, s := range []string{"maybe", "2", "si"} {
		if _, ok := parseVIP(s); ok {
			t.Errorf("VIP %q accepted", s)
		}
	}
	for s, want := range map[string]string{"en": "en", "EN": "en", "English": "en", "az": "az", "Azərbaycanca": "az",
		"ru": "ru", "Русский": "ru", "russian": "ru"} {
		if got, ok := parseLanguage(s); !ok || got != want {
			t.Errorf("language %q = %q, %v", s, got, ok)
		}
	}
	if _, ok := parseLanguage("fr"); ok {
		t.Error("language fr accepted")
	}
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA"} {
		if got := importColumnLetter(i); got != want {
			t.Errorf("column %d is %q, want %q", i, got, want)
		}
	}
	if got := importClean(" a\x00b\xff "); got != "ab\uFFFD" {
		t.Errorf("importClean gives %q", got)
	}
}

// What a row does: which guest it matches, what it changes, and why not.
func TestPlanImportMatching(t *testing.T) {
	parl, embassy := int64(1), int64(2)
	dir := newImportDirectory(
		[]importDelegation{{ID: parl, Name: "Milli Məclis", Country: "AZ"}, {ID: embassy, Name: "Embassy of France", Country: "FR"}},
		[]Guest{
			{ID: 10, GivenName: "Günay", FamilyName: "Məmmədova", Email: "gunay@example.org", Phone: "1", DelegationID: &parl, Language: "az", Version: 3},
			{ID: 11, GivenName: "Anne", FamilyName: "Martin", DelegationID: &embassy, Language: "en", Version: 1},
			{ID: 12, GivenName: "Anne", FamilyName: "Martin", DelegationID: &embassy, Language: "en", Version: 1},
			{ID: 13, GivenName: "Paul", FamilyName: "Roux", Email: "paul@example.org", DelegationID: &embassy, Language: "en", Version: 1},
			{ID: 14, GivenName: "Ilham", FamilyName: "Qasımov", Language: "az", Version: 1},
		})
	table := &sheet.Table{
		Header: []string{"Family name", "Given name", "E-mail", "Delegation", "Phone", "Language"},
		Rows: [][]string{
			{"Məmmədova", "Günay", "", "Milli Meclis", "", ""},                // 2: by name, "e" spelling of the delegation; empty cells keep
			{"Other", "Name", "GUNAY@example.org", "", "2", ""},               // 3: by e-mail, though the name differs; same guest as row 2
			{"Martin", "Anne", "", "Embassy of France", "", ""},               // 4: two guests have the name: a new one, with a warning
			{"Roux", "Paul", "p.roux@example.org", "France", "", ""},          // 5: the name, another e-mail: a new one, with a warning
			{"Qasımov", "Ilham", "", "", "", "ru"},                            // 6: empty delegation: any delegation's guest
			{"Roux", "Paul", "paul@example.org", "Embassy of France", "", ""}, // 7: the same person as row 5
		},
		Line: []int{2, 3, 4, 5, 6, 7},
	}
	p := planImport(table, autoMap(table.Header), dir)
	type want struct {
		action  string
		guest   int64
		changed []string
		msgs    []string
	}
	wants := []want{
		{importUnchanged, 10, nil, nil},
		{importError, 10, nil, []string{"import.row.same_guest"}},
		{importCreate, 0, nil, []string{"import.row.possible_duplicate"}},
		{importCreate, 0, nil, []string{"import.row.possible_duplicate"}},
		{importUpdate, 14, []string{impLanguage}, nil},
		{importError, 13, nil, []string{"import.row.duplicate_name"}},
	}
	if len(p.Rows) != len(wants) {
		t.Fatalf("%d rows planned", len(p.Rows))
	}
	for i, w := range wants {
		r := p.Rows[i]
		var msgs []string
		for _, m := range append(r.Errors, r.Warnings...) {
			msgs = append(msgs, m.Key)
		}
		if r.Action != w.action || r.GuestID != w.guest || !slices.Equal(r.Changed, w.changed) || !slices.Equal(msgs, w.msgs) {
			t.Errorf("row %d: %s guest %d changes %v messages %v; want %s guest %d changes %v messages %v",
				r.Line, r.Action, r.GuestID, r.Changed, msgs, w.action, w.guest, w.changed, w.msgs)
		}
	}
	if g := p.Rows[4].guest; g.Version != 1 || g.DelegationID != nil || g.Language != "ru" || g.NameKey != "ilham qasimov" {
		t.Errorf("updated guest: %+v", g)
	}
	if p.Created != 2 || p.Updated != 1 || p.Unchanged != 1 || p.Failed != 2 || p.Warned != 2 {
		t.Errorf("counts: %+v", p)
	}
}

// The array literals of the batched update must carry any text through
// PostgreSQL unchanged.
func TestImportArrayLiterals(t *testing.T) {
	db, _ := testdb.New(t)
	texts := []string{"", "plain", `quote " and \ backslash`, "comma, {brace} }", "NULL", "line\nbreak", "Əliyev Иванов", " spaced "}
	var got []string
	if err := db.Gorm.Raw(`SELECT unnest(?::text[])`, impTextArray(texts)).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, texts) {
		t.Errorf("text array came back as %q", got)
	}
	one := int64(7)
	var ids []sql.NullInt64
	if err := db.Gorm.Raw(`SELECT unnest(?::bigint[])`, impIDArray([]*int64{&one, nil})).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0] != (sql.NullInt64{Int64: 7, Valid: true}) || ids[1].Valid {
		t.Errorf("id array came back as %v", ids)
	}
	var bools []bool
	if err := db.Gorm.Raw(`SELECT unnest(?::boolean[])`, impBoolArray([]bool{true, false})).Scan(&bools).Error; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(bools, []bool{true, false}) {
		t.Errorf("boolean array came back as %v", bools)
	}
}

// impBenchRows are n guests as the export writes them, spread over the
// delegations.
func impBenchRows(n int, delegations []string, phone string) [][]string {
	langs := []string{"en", "az", "ru"}
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{
			[]string{"", "H.E.", "Dr."}[i%3], fmt.Sprintf("Given%d", i), fmt.Sprintf("Familyname%05d", i), "",
			"Counsellor", "Ministry of Foreign Affairs", delegations[i%len(delegations)],
			fmt.Sprintf("guest%05d@example.org", i), fmt.Sprintf("%s %05d", phone, i), langs[i%3],
			"", []string{"", "Vegetarian"}[i%2], []string{"no", "yes"}[min(i%10, 1)], "",
		}
	}
	return rows
}

// impBenchXLSX writes rows under the export's header as a workbook.
func impBenchXLSX(b *testing.B, rows [][]string) []byte {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	write := func(i int, r []string) {
		cells := make([]any, len(r))
		for j, c := range r {
			cells[j] = c
		}
		cell, err := excelize.CoordinatesToCellName(1, i)
		if err == nil {
			err = sw.SetRow(cell, cells)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	var header []string
	for _, f := range importFields {
		header = append(header, importLabels[f])
	}
	write(1, header)
	for i, r := range rows {
		write(i+2, r)
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkImport10000 measures the steps of importing a 10,000-row
// workbook: the preview (read the stored file, check every row against the
// directory), the commit into an empty directory (10,000 new guests), the
// commit of the same guests with every phone changed (10,000 updates), and
// a re-import that changes nothing. copy_baseline is PostgreSQL's COPY of
// the same rows, the floor any import could reach.
//
//	go test -run='^$' -bench=Import -benchtime=3x ./internal/delegation/
func BenchmarkImport10000(b *testing.B) {
	const n = 10000
	db, _ := testdb.New(b)
	ctx := context.Background()
	s := NewStore(db.Gorm)
	var userID int64
	if err := db.Gorm.Raw(`INSERT INTO users (email, name, role, password_hash) VALUES ('bench@example.org', 'Bench', 'organizer', 'x') RETURNING id`).Scan(&userID).Error; err != nil {
		b.Fatal(err)
	}
	var delegations []string
	for i := range 60 {
		d, err := s.CreateDelegation(ctx, DelegationInput{Name: fmt.Sprintf("Delegation %02d", i), Kind: Kinds[i%len(Kinds)]})
		if err != nil {
			b.Fatal(err)
		}
		delegations = append(delegations, d.Name)
	}
	rows := impBenchRows(n, delegations, "+994 50")
	data := impBenchXLSX(b, rows)
	changed := impBenchXLSX(b, impBenchRows(n, delegations, "+994 70"))
	b.Logf("workbook: %d rows, %d KB", n, len(data)>>10)

	upload := func(content []byte) int64 {
		t, err := sheet.Read("guests.xlsx", bytes.NewReader(content), sheet.DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		id, err := s.createImport(ctx, userID, "guests.xlsx", content, t.Header)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.saveImportMapping(ctx, id, importFields); err != nil {
			b.Fatal(err)
		}
		return id
	}
	empty := func() {
		if err := db.Gorm.Exec(`TRUNCATE guests, audit_entries CASCADE`).Error; err != nil {
			b.Fatal(err)
		}
	}
	commit := func(id int64, want importResult) {
		res, _, err := s.commitImport(ctx, id, false)
		if err != nil {
			b.Fatal(err)
		}
		if res != want {
			b.Fatalf("commit: %+v, want %+v", res, want)
		}
	}
	perImport := func(b *testing.B, start time.Time) {
		b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/import")
	}

	b.Run("preview", func(b *testing.B) {
		empty()
		gi, err := s.guestImportByID(ctx, upload(data))
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		start := time.Now()
		for range b.N {
			plan, err := s.planStoredImport(ctx, gi)
			if err != nil {
				b.Fatal(err)
			}
			if plan.Created != n || plan.Failed != 0 {
				b.Fatalf("preview: %d new, %d errors", plan.Created, plan.Failed)
			}
		}
		perImport(b, start)
	})
	b.Run("commit", func(b *testing.B) {
		var spent time.Duration
		for range b.N {
			b.StopTimer()
			empty()
			id := upload(data)
			b.StartTimer()
			start := time.Now()
			commit(id, importResult{Created: n})
			spent += time.Since(start)
		}
		b.ReportMetric(float64(spent.Milliseconds())/float64(b.N), "ms/import")
	})
	b.Run("commit_updates", func(b *testing.B) {
		var spent time.Duration
		for range b.N {
			b.StopTimer()
			empty()
			commit(upload(data), importResult{Created: n})
			id := upload(changed)
			b.StartTimer()
			start := time.Now()
			commit(id, importResult{Updated: n})
			spent += time.Since(start)
		}
		b.ReportMetric(float64(spent.Milliseconds())/float64(b.N), "ms/import")
	})
	b.Run("reimport_unchanged", func(b *testing.B) {
		b.StopTimer()
		empty()
		commit(upload(data), importResult{Created: n})
		var spent time.Duration
		for range b.N {
			b.StopTimer()
			id := upload(data)
			b.StartTimer()
			start := time.Now()
			commit(id, importResult{Unchanged: n})
			spent += time.Since(start)
		}
		b.ReportMetric(float64(spent.Milliseconds())/float64(b.N), "ms/import")
	})
	b.Run("copy_baseline", func(b *testing.B) {
		ids := map[string]int64{}
		for _, name := range delegations {
			var id int64
			if err := db.Gorm.Raw(`SELECT id FROM delegations WHERE name = ?`, name).Scan(&id).Error; err != nil {
				b.Fatal(err)
			}
			ids[name] = id
		}
		values := make([][]any, len(rows))
		for i, r := range rows {
			values[i] = []any{r[0], r[1], r[2], r[3], r[4], r[5], ids[r[6]], r[7], r[8], r[9], r[10], r[11], r[12] == "yes", r[13],
				strings.ToLower(r[1] + " " + r[2]), strings.ToLower(r[1] + " " + r[2])}
		}
		cols := []string{"honorific", "given_name", "family_name", "printed_name", "position", "organisation", "delegation_id",
			"email", "phone", "language", "accessibility_needs", "dietary_needs", "vip", "restricted_notes", "search_text", "name_key"}
		var spent time.Duration
		for range b.N {
			b.StopTimer()
			empty()
			b.StartTimer()
			start := time.Now()
			copied, err := impCopyGuests(ctx, db, cols, values)
			if err != nil {
				b.Fatal(err)
			}
			if copied != n {
				b.Fatalf("copied %d rows", copied)
			}
			spent += time.Since(start)
		}
		b.ReportMetric(float64(spent.Milliseconds())/float64(b.N), "ms/import")
	})
}

func impCopyGuests(ctx context.Context, db *database.DB, cols []string, values [][]any) (int64, error) {
	return db.Pool.CopyFrom(ctx, pgx.Identifier{"guests"}, cols, pgx.CopyFromRows(values))
}
