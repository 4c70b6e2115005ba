package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"vigil/internal/audit"
	"vigil/internal/auth"
	"vigil/internal/ceremony"
	"vigil/internal/delegation"
	"vigil/internal/testdb"
	"vigil/internal/venue"
)

func TestDirectoryPlan(t *testing.T) {
	plan := directoryPlan()
	if !reflect.DeepEqual(plan, directoryPlan()) {
		t.Fatal("the directory plan differs between two calls: it must be deterministic")
	}
	kinds := map[string]int{}
	emails := map[string]bool{}
	names := map[string]int{}
	for _, pd := range plan {
		kinds[pd.in.Kind]++
		if pd.in.Kind == delegation.KindDiplomaticMission {
			if !delegation.ValidCountry(pd.in.Country) {
				t.Errorf("%s: country %q", pd.in.Name, pd.in.Country)
			}
			if h := pd.guests[0]; h.Position != "Ambassador" || h.Honorific != "H.E." || !h.VIP {
				t.Errorf("%s: head %+v is not an Ambassador, H.E., VIP", pd.in.Name, h)
			}
		}
		if !pd.guests[0].VIP {
			t.Errorf("%s: head of delegation %s is not VIP", pd.in.Name, pd.guests[0].FamilyName)
		}
		for _, g := range pd.guests {
			if g.FamilyName == "" || !slices.Contains(delegation.Languages, g.Language) {
				t.Errorf("%s: bad guest %+v", pd.in.Name, g)
			}
			if g.Email != "" {
				if emails[g.Email] {
					t.Errorf("e-mail %s twice", g.Email)
				}
				emails[g.Email] = true
			}
			names[delegation.Fold(g.GivenName+" "+g.FamilyName)]++
		}
	}
	for _, k := range delegation.Kinds {
		if kinds[k] == 0 {
			t.Errorf("no delegation of kind %s", k)
		}
	}
	// Apart from the deliberate near-duplicates (some fold to the same
	// name), no two people share a name.
	for n, c := range names {
		if c > 1 && n != "leyla mammadova" && n != "ayse yilmaz" {
			t.Errorf("%q appears %d times", n, c)
		}
	}
}

// counts are what a second seed must leave unchanged.
type counts struct {
	Delegations, Guests, Audit, Kinds, Emails, DistinctEmails, Participations int
}

func countAll(t *testing.T, db *gorm.DB) counts {
	t.Helper()
	var c counts
	err := db.Raw(`SELECT (SELECT count(*) FROM delegations) AS delegations, (SELECT count(*) FROM guests) AS guests,
		(SELECT count(*) FROM audit_entries) AS audit, (SELECT count(DISTINCT kind) FROM delegations) AS kinds,
		(SELECT count(*) FROM guests WHERE email <> '') AS emails,
		(SELECT count(DISTINCT lower(email)) FROM guests WHERE email <> '') AS distinct_emails,
		(SELECT count(*) FROM participations) AS participations`).Scan(&c).Error
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSeedDirectory(t *testing.T) {
	db, _ := testdb.New(t)
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
	dir := delegation.NewStore(db.Gorm)

	start := time.Now()
	if err := seedPeople(ctx, dir); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeding the delegations and guests took %v", time.Since(start))
	first := countAll(t, db.Gorm)

	// The whole demo seed, twice: the people are already there, the
	// planning data and the participations are added, and the second run
	// changes nothing.
	seed := func() {
		t.Helper()
		start := time.Now()
		if _, err := Seed(ctx, auth.NewStore(db.Gorm), ceremony.NewStore(db.Gorm), venue.NewStore(db.Gorm), dir, nil, time.Now()); err != nil {
			t.Fatal(err)
		}
		t.Logf("Seed took %v", time.Since(start))
	}
	seed()
	c := countAll(t, db.Gorm)
	if c.Delegations != first.Delegations || c.Guests != first.Guests {
		t.Fatalf("Seed after seedPeople: %+v, then %+v", first, c)
	}
	seed()
	if again := countAll(t, db.Gorm); again != c {
		t.Fatalf("second seed changed the data: %+v, then %+v", c, again)
	}

	// A seed interrupted half-way completes on the next run.
	if err := db.Gorm.Exec(`DELETE FROM guests WHERE delegation_id IN
		(SELECT id FROM delegations WHERE name IN ('Evening Gazette', 'Union of Writers'))
		AND position <> 'Chair'`).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Gorm.Exec(`DELETE FROM delegations WHERE name = 'Evening Gazette'`).Error; err != nil {
		t.Fatal(err)
	}
	if err := seedPeople(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if again := countAll(t, db.Gorm); again.Delegations != c.Delegations || again.Guests != c.Guests {
		t.Fatalf("seeding after a partial seed: %+v, want %+v", again, c)
	}

	if c.Delegations < 55 || c.Kinds != len(delegation.Kinds) {
		t.Errorf("%d delegations of %d kinds; want at least 55 covering all %d", c.Delegations, c.Kinds, len(delegation.Kinds))
	}
	if c.Guests < 380 {
		t.Errorf("%d guests, want at least 380", c.Guests)
	}
	if c.Emails != c.DistinctEmails || c.Emails == c.Guests {
		t.Errorf("%d e-mails, %d distinct, %d guests: want unique e-mails and some guests without one", c.Emails, c.DistinctEmails, c.Guests)
	}

	var names []string
	if err := db.Gorm.Raw(`SELECT given_name || ' ' || family_name FROM guests`).Scan(&names).Error; err != nil {
		t.Fatal(err)
	}
	all := strings.Join(names, "\n")
	for script, ok := range map[string]func(rune) bool{
		"Azerbaijani": func(r rune) bool { return strings.ContainsRune("ƏəĞğıİŞşÇçÖöÜü", r) },
		"Cyrillic":    func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) },
		"Arabic":      func(r rune) bool { return unicode.Is(unicode.Arabic, r) },
		"Chinese":     func(r rune) bool { return unicode.Is(unicode.Han, r) },
	} {
		if !strings.ContainsFunc(all, ok) {
			t.Errorf("no %s names", script)
		}
	}
	for _, want := range []string{"Leyla Məmmədova", "Leyla Mammadova", "Jean-Pierre Lefèvre", "Ayse Yilmaz"} {
		if !slices.Contains(names, want) {
			t.Errorf("near-duplicate %q is missing", want)
		}
	}

	var stateless int
	if err := db.Gorm.Raw(`SELECT count(*) FROM delegations WHERE kind = 'diplomatic_mission' AND country = ''`).Scan(&stateless).Error; err != nil {
		t.Fatal(err)
	}
	if stateless != 0 {
		t.Errorf("%d diplomatic missions without a country", stateless)
	}

	ds, err := dir.AllDelegations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ds[0].Kind != delegation.KindHeadOfState {
		t.Errorf("precedence starts with %s (%s), want the head of state", ds[0].Name, ds[0].Kind)
	}
	if ds[1].Name != "Office of the Prime Minister" || ds[2].Name != "Ministry of Foreign Affairs" {
		t.Errorf("government ranks not applied: %s, %s", ds[1].Name, ds[2].Name)
	}
	// The diplomatic corps: by credentials, the organizer's rank on the same
	// day, and the missions without a date last.
	var corps []string
	for _, d := range ds {
		if d.Kind == delegation.KindDiplomaticMission {
			corps = append(corps, d.Name)
		}
	}
	if corps[0] != "Embassy of the Russian Federation" || corps[len(corps)-2] != "Embassy of Indonesia" || corps[len(corps)-1] != "Embassy of Mexico" {
		t.Errorf("diplomatic corps order %v", corps)
	}
	i := slices.Index(corps, "Embassy of the United Kingdom")
	if i < 0 || i+2 >= len(corps) || corps[i+1] != "Embassy of the United States of America" || corps[i+2] != "Embassy of Canada" {
		t.Errorf("same-day missions not ordered by rank: %v", corps)
	}
}

func TestSeedParticipations(t *testing.T) {
	db, _ := testdb.New(t)
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
	dir := delegation.NewStore(db.Gorm)
	cs := ceremony.NewStore(db.Gorm)
	if _, err := Seed(ctx, auth.NewStore(db.Gorm), cs, venue.NewStore(db.Gorm), dir, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	cm, err := cs.ByName(ctx, Name)
	if err != nil {
		t.Fatal(err)
	}
	ed, err := cs.CurrentEdition(ctx, cm.ID, time.Now().Year())
	if err != nil {
		t.Fatal(err)
	}
	rows, err := dir.Participations(ctx, ed.ID, delegation.ParticipationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]int{}
	for _, r := range rows {
		statuses[r.Status]++
		if r.HeadName == "" {
			t.Errorf("%s has no head of delegation", r.DelegationName)
		}
	}
	if len(rows) < 40 || len(rows) > 50 || statuses[delegation.StatusConfirmed] == 0 || statuses[delegation.StatusDeclined] == 0 {
		t.Errorf("%d participations, statuses %v", len(rows), statuses)
	}
	ws, err := dir.WreathOrder(ctx, ed.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("statuses %v", statuses)
	if len(ws) < 18 || len(ws) > 22 || ws[0].Kind != delegation.KindHeadOfState {
		t.Fatalf("wreath order %+v", ws)
	}
	for _, w := range ws {
		if w.RibbonText != "In memory — "+w.DelegationName || w.LaidBy == "" {
			t.Errorf("wreath %+v", w)
		}
	}
}

// The sample import files (testdata/import) are written from sampleRows:
// go test ./internal/demo -run TestImportSamples -update-samples
var updateSamples = flag.Bool("update-samples", false, "rewrite testdata/import from sampleRows")

var sampleHeader = []string{"Honorific", "Given name", "Family name", "Name as printed", "Position", "Organisation",
	"Delegation", "E-mail", "Phone", "Language", "Accessibility needs", "Dietary needs", "VIP", "Restricted notes"}

// sampleRows are the rows of the sample import, in the export's columns.
// The first two match demo guests by e-mail (updates); the last five are
// wrong on purpose (see testdata/import/README.md).
var sampleRows = [][]string{
	{"H.E.", "Anja", "Hoffmann", "", "Ambassador", "", "Embassy of Germany", "anja.hoffmann@embassy-de.example.org", "+994 12 465 71 00", "en", "", "", "yes", "Official car drops off at the main gate; the driver waits in the reserved area."},
	{"Mr.", "François", "Rousseau", "", "Minister-Counsellor", "", "Embassy of France", "francois.rousseau@embassy-fr.example.org", "+994 10 602 37 10", "en", "", "", "no", ""},
	{"Mr.", "Tural", "Nəsirov", "", "Head of Division", "Protocol Department", "Ministry of Foreign Affairs", "tural.nasirov@mfa.example.org", "+994 50 412 33 18", "az", "", "", "no", ""},
	{"Ms.", "Aynur", "Hüseynova", "", "Protocol Officer", "Protocol Department", "Ministry of Foreign Affairs", "aynur.huseynova@mfa.example.org", "+994 55 271 09 64", "az", "", "Vegetarian", "no", ""},
	{"H.E.", "Kamran", "Bağırov", "", "Deputy Minister", "", "Ministry of Culture", "kamran.bagirov@culture.example.org", "+994 12 493 20 11", "az", "", "", "yes", "Arrives from the airport at 09:30; needs a parking pass."},
	{"Dr.", "Səbinə", "İsmayılova", "", "Member of Parliament", "Committee on Education", "National Assembly", "sabina.ismayilova@parliament.example.org", "+994 70 318 44 02", "az", "Wheelchair access.", "", "no", ""},
	{"Mr.", "Orxan", "Şükürov", "", "Member of Parliament", "Committee on Culture", "National Assembly", "orxan.sukurov@parliament.example.org", "+994 51 600 72 19", "ru", "", "", "no", ""},
	{"Ms.", "Béatrice", "Vasseur", "", "Cultural Attaché", "", "Embassy of France", "beatrice.vasseur@embassy-fr.example.org", "+33 6 18 52 40 97", "en", "", "Vegetarian", "no", ""},
	{"Mr.", "Дмитрий", "Воронцов", "", "Counsellor", "", "Embassy of the Russian Federation", "dmitry.vorontsov@embassy-ru.example.org", "+994 50 733 18 62", "ru", "", "", "no", ""},
	{"Ms.", "Екатерина", "Белоусова", "", "First Secretary", "", "Embassy of the Russian Federation", "ekaterina.belousova@embassy-ru.example.org", "+7 916 204 37 81", "ru", "", "", "no", ""},
	{"Mr.", "Mehmet", "Karataş", "", "Counsellor", "", "Embassy of Türkiye", "mehmet.karatas@embassy-tr.example.org", "+90 532 771 40 26", "az", "", "Halal", "no", ""},
	{"Ms.", "Gülşen", "Ertürk", "", "Third Secretary", "", "Embassy of Türkiye", "gulsen.erturk@embassy-tr.example.org", "+994 55 390 12 84", "en", "", "", "no", ""},
	{"Mr.", "刚", "郑", "Mr. Zheng Gang", "Second Secretary", "", "Embassy of the People's Republic of China", "zheng.gang@embassy-cn.example.org", "+994 51 388 20 75", "en", "", "", "no", ""},
	{"Ms.", "晓燕", "林", "Ms. Lin Xiaoyan", "Attaché", "", "Embassy of the People's Republic of China", "lin.xiaoyan@embassy-cn.example.org", "+86 138 0013 2468", "en", "", "", "no", ""},
	{"Mr.", "عبدالعزيز", "الدوسري", "Mr. Abdulaziz Al-Dosari", "Counsellor", "", "Embassy of Saudi Arabia", "abdulaziz.al-dosari@embassy-sa.example.org", "+966 50 123 4567", "en", "", "Halal", "no", ""},
	{"Mr.", "Rashid", "Al-Nuaimi", "", "First Secretary", "", "Embassy of the United Arab Emirates", "rashid.al-nuaimi@embassy-ae.example.org", "+994 50 817 26 30", "en", "", "Halal", "no", ""},
	{"Ms.", "Victoria", "Ashworth", "", "Counsellor", "", "Embassy of the United Kingdom", "victoria.ashworth@embassy-gb.example.org", "+44 7700 900418", "en", "", "", "no", ""},
	{"Mr.", "Benjamin", "Carter", "", "Defence Attaché", "", "Embassy of the United States of America", "benjamin.carter@embassy-us.example.org", "+1 202 555 0143", "en", "", "", "no", ""},
	{"Ms.", "Giorgia", "Fontana", "", "First Secretary", "", "Embassy of Italy", "giorgia.fontana@embassy-it.example.org", "+39 347 210 5583", "en", "", "Gluten-free", "no", ""},
	{"Mr.", "健太", "松本", "Mr. Matsumoto Kenta", "Counsellor", "", "Embassy of Japan", "matsumoto.kenta@embassy-jp.example.org", "+81 90 1234 5678", "en", "", "", "no", ""},
	{"Ms.", "Nino", "Javakhishvili", "", "Second Secretary", "", "Embassy of Georgia", "nino.javakhishvili@embassy-ge.example.org", "+995 599 12 34 56", "ru", "", "", "no", ""},
	{"Mr.", "Ерболат", "Мукашев", "", "Consul", "", "Embassy of Kazakhstan", "yerbolat.mukashev@embassy-kz.example.org", "+7 701 555 12 34", "ru", "", "", "no", ""},
	{"Ms.", "Dilfuza", "Khodjaeva", "", "Attaché", "", "Embassy of Uzbekistan", "dilfuza.khodjaeva@embassy-uz.example.org", "+998 90 123 45 67", "ru", "", "", "no", ""},
	{"Mr.", "Ruben", "van der Linden", "", "Deputy Head of Mission", "", "Embassy of the Netherlands", "ruben.vanderlinden@embassy-nl.example.org", "+31 6 1234 5678", "en", "", "", "no", ""},
	{"Ms.", "Αθηνά", "Σταύρου", "", "Consul", "", "Embassy of Greece", "athina.stavrou@embassy-gr.example.org", "+30 694 123 4567", "en", "", "", "no", ""},
	{"Dr.", "Оксана", "Гончаренко", "", "Counsellor", "", "Embassy of Ukraine", "oksana.honcharenko@embassy-ua.example.org", "+380 67 123 4567", "ru", "", "", "no", ""},
	{"Mr.", "Miguel Ángel", "Torres", "", "Counsellor", "", "Embassy of Spain", "miguelangel.torres@embassy-es.example.org", "+34 612 345 678", "en", "", "", "no", ""},
	{"Ms.", "Sophie", "Marchand", "", "Programme Officer", "", "Delegation of the European Union", "sophie.marchand@eu-delegation.example.org", "+994 12 497 20 33", "en", "", "", "no", ""},
	{"Mr.", "Thomas", "Berger", "", "Deputy Head of Office", "", "OSCE Office", "thomas.berger@osce-office.example.org", "+43 664 123 4567", "en", "", "", "no", ""},
	{"Ms.", "Günay", "Əhmədova", "", "Liaison Officer", "", "United Nations Resident Coordinator Office", "gunay.ahmadova@un.example.org", "+994 50 280 14 57", "az", "", "", "no", ""},
	{"Mr.", "Fuad", "Rzayev", "", "Correspondent", "", "Caspian News Agency", "fuad.rzayev@caspian-news.example.org", "+994 55 604 38 21", "az", "", "", "no", ""},
	{"Ms.", "Nərgiz", "Kazımova", "", "Camera Operator", "", "Public Television", "nargiz.kazimova@public-tv.example.org", "+994 70 519 62 08", "az", "", "", "no", ""},
	{"Mr.", "Elvin", "Mirzəyev", "", "Volunteer Coordinator", "", "Youth Volunteers Network", "elvin.mirzayev@volunteers.example.org", "+994 51 702 41 36", "az", "", "", "no", "Needs a parking pass for a minibus with 12 volunteers."},
	{"Prof.", "Arzu", "Hümbətova", "", "Vice-Rector", "", "State University", "arzu.humbatova@university.example.org", "+994 12 439 08 51", "az", "Walks with a stick: a seat close to the entrance.", "", "no", ""},
	{"Mr.", "Samir", "Qədirli", "", "Site Manager", "", "Memorial Site Administration", "samir.qadirli@memorial.example.org", "+994 50 144 70 92", "az", "", "", "no", ""},
	// Wrong on purpose, one mistake each.
	{"Mr.", "Rustam", "Xolmatov", "", "Second Secretary", "", "Embassy of Uzbekistan", "rustam.xolmatov.embassy-uz.example.org", "+998 90 765 43 21", "ru", "", "", "no", ""},
	{"Ms.", "Ana", "Ferreira", "", "Counsellor", "", "Embassy of Portugal", "ana.ferreira@embassy-pt.example.org", "+351 912 345 678", "en", "", "", "no", ""},
	{"Mr.", "Grégoire", "Lemaire", "", "Consul", "", "Embassy of France", "gregoire.lemaire@embassy-fr.example.org", "+33 6 72 19 45 03", "fr", "", "", "no", ""},
	{"Ms.", "Aytən", "Rüstəmova", "", "Protocol Officer", "Protocol Department", "Ministry of Foreign Affairs", "tural.nasirov@mfa.example.org", "+994 55 318 27 40", "az", "", "", "no", ""},
	{"Mr.", "Farid", "", "", "Correspondent", "", "World Wire News Agency, Baku bureau", "farid@world-wire.example.org", "+994 55 118 30 47", "en", "", "", "no", ""},
}

// sampleWrong is how many rows at the end of sampleRows are wrong.
const sampleWrong = 5

const sampleDir = "../../testdata/import"

// sampleCSV is the CSV as Excel's "CSV UTF-8" writes it in locales whose
// list separator is a semicolon: a BOM, semicolons and CRLF line ends.
func sampleCSV(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	b.Write([]byte{0xEF, 0xBB, 0xBF})
	w := csv.NewWriter(&b)
	w.Comma, w.UseCRLF = ';', true
	if err := w.WriteAll(append([][]string{sampleHeader}, sampleRows...)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeSampleXLSX(t *testing.T, path string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Guests"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range append([][]string{sampleHeader}, sampleRows...) {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			t.Fatal(err)
		}
		cells := make([]any, len(row))
		for j, v := range row {
			cells[j] = v // strings, so phone numbers stay text
		}
		if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	last, _ := excelize.ColumnNumberToName(len(sampleHeader))
	if err := f.SetCellStyle(sheet, "A1", last+"1", bold); err != nil {
		t.Fatal(err)
	}
	if err := f.SetColWidth(sheet, "A", last, 22); err != nil {
		t.Fatal(err)
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		t.Fatal(err)
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestImportSamples(t *testing.T) {
	csvPath := filepath.Join(sampleDir, "guests-sample.csv")
	xlsxPath := filepath.Join(sampleDir, "guests-sample.xlsx")
	if *updateSamples {
		if err := os.WriteFile(csvPath, sampleCSV(t), 0o644); err != nil {
			t.Fatal(err)
		}
		writeSampleXLSX(t, xlsxPath)
	}

	got, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, sampleCSV(t)) {
		t.Errorf("%s is not what sampleRows give; run with -update-samples", csvPath)
	}
	f, err := excelize.OpenFile(xlsxPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Guests")
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		for len(rows[i]) < len(sampleHeader) {
			rows[i] = append(rows[i], "") // GetRows drops trailing empty cells
		}
	}
	if want := append([][]string{sampleHeader}, sampleRows...); !reflect.DeepEqual(rows, want) {
		t.Errorf("%s is not what sampleRows give; run with -update-samples", xlsxPath)
	}

	// The rows refer to the demo: their delegations exist, the first two
	// update demo guests, the others are new people.
	names := map[string]bool{}
	emails := map[string]bool{}
	for _, pd := range directoryPlan() {
		names[pd.in.Name] = true
		for _, g := range pd.guests {
			emails[g.Email] = true
		}
	}
	good := sampleRows[:len(sampleRows)-sampleWrong]
	for i, r := range good {
		if !names[r[6]] {
			t.Errorf("row %d: delegation %q is not in the demo", i+2, r[6])
		}
		if !slices.Contains(delegation.Languages, r[9]) || r[2] == "" || !strings.Contains(r[7], "@") {
			t.Errorf("row %d is meant to be correct: %v", i+2, r)
		}
		if updates := i < 2; emails[r[7]] != updates {
			t.Errorf("row %d: e-mail %s in the demo = %v, want %v", i+2, r[7], emails[r[7]], updates)
		}
	}
	wrong := sampleRows[len(sampleRows)-sampleWrong:]
	if strings.Contains(wrong[0][7], "@") || names[wrong[1][6]] || wrong[2][9] != "fr" || wrong[3][7] != good[2][7] || wrong[4][2] != "" {
		t.Error("the deliberately wrong rows are not wrong in the way README.md says")
	}
}
