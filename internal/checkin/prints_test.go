package checkin_test

import (
	"context"
	"image"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
	"rsc.io/qr"

	"vigil/internal/auth"
	"vigil/internal/delegation"
	"vigil/internal/invitation"
	"vigil/internal/testserver"
)

// printFixture is a published ceremony with nine accepted guests with
// Azerbaijani, Russian and Arabic names, one of them bringing two
// companions (one named), and a declined and a pending guest who get no
// badge.
type printFixture struct {
	srv      *testserver.Server
	ceremony int64
	staff    *testserver.Client
	// guests are the accepted guests' ids by family name; invitations
	// their invitations.
	guests      map[string]int64
	invitations map[string]int64
	zone, press int64
	president   int64
	// out is where the PDFs and PNGs are kept to look at
	// (VIGIL_PRINTS_OUT), else a temporary directory.
	out string
}

func newPrintFixture(t *testing.T) *printFixture {
	t.Helper()
	srv := testserver.Start(t)
	f := &printFixture{srv: srv, guests: map[string]int64{}, invitations: map[string]int64{}}
	ctx := context.Background()
	db := srv.DB.Gorm
	one := func(q string, args ...any) int64 { t.Helper(); return srv.InsertID(t, q, args...) }
	year := time.Now().Year()
	cm := one("INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	edition := one("INSERT INTO editions (commemoration_id, year, status) VALUES (?, ?, 'invitations_open')", cm, year)
	venue := one("INSERT INTO venues (name) VALUES ('Memorial')")
	f.zone = one("INSERT INTO zones (venue_id, name, capacity, badge_colour) VALUES (?, 'Official stand', 500, '#7a1f1f')", venue)
	f.press = one("INSERT INTO zones (venue_id, name, capacity, badge_colour) VALUES (?, 'Press', 50, '#f2c94c')", venue)
	starts := time.Date(year, 2, 26, 7, 0, 0, 0, time.UTC)
	f.ceremony = one(`INSERT INTO ceremonies (edition_id, title, venue_id, starts_at, ends_at, status)
		VALUES (?, 'Wreath-laying', ?, ?, ?, 'published')`, edition, venue, starts, starts.Add(90*time.Minute))

	store := delegation.NewStore(db)
	newDelegation := func(name, kind, country string) int64 {
		t.Helper()
		d, err := store.CreateDelegation(ctx, delegation.DelegationInput{Name: name, Kind: kind, Country: country})
		if err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	// Created before the president's office, so that only precedence
	// puts them after it.
	russia := newDelegation("Посольство Российской Федерации", "diplomatic_mission", "RU")
	egypt := newDelegation("Embassy of Egypt", "diplomatic_mission", "EG")
	f.president = newDelegation("Office of the President", "head_of_state", "AZ")
	invite := func(in delegation.GuestInput, status string, zone int64) {
		t.Helper()
		g, err := store.CreateGuest(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.App.Invitations.InviteGuests(ctx, invitation.Invite{EditionID: edition, GuestIDs: []int64{g.ID},
			Ceremonies: []invitation.CeremonyZone{{CeremonyID: f.ceremony, ZoneID: &zone}}, Companions: 2}, invitation.Actor{Via: invitation.ViaOrganizer}); err != nil {
			t.Fatal(err)
		}
		var inv int64
		if err := db.Raw("SELECT id FROM invitations WHERE guest_id = ?", g.ID).Scan(&inv).Error; err != nil {
			t.Fatal(err)
		}
		srv.Exec(t, "UPDATE invitation_ceremonies SET status = ? WHERE invitation_id = ?", status, inv)
		f.guests[in.FamilyName], f.invitations[in.FamilyName] = g.ID, inv
	}
	invite(delegation.GuestInput{Honorific: "H.E.", GivenName: "İsmayıl", FamilyName: "Əliyev", DelegationID: &f.president}, "accepted", f.zone)
	invite(delegation.GuestInput{GivenName: "Şəkər", FamilyName: "Qasımova", DelegationID: &f.president}, "accepted", f.zone)
	invite(delegation.GuestInput{Honorific: "Mr", GivenName: "Иван", FamilyName: "Иванов", DelegationID: &russia}, "accepted", f.zone)
	invite(delegation.GuestInput{GivenName: "محمد", FamilyName: "عبد الله", DelegationID: &egypt}, "accepted", f.zone)
	for _, n := range []string{"Rahimova", "Quliyev", "Hüseynova", "Sokolova"} {
		invite(delegation.GuestInput{GivenName: "Aysel", FamilyName: n, DelegationID: &russia}, "accepted", f.zone)
	}
	invite(delegation.GuestInput{GivenName: "Nigar", FamilyName: "Kərimli", PrintedName: "Nigar Kərimli (press)"}, "accepted", f.press)
	invite(delegation.GuestInput{GivenName: "Declined", FamilyName: "Guest", DelegationID: &egypt}, "declined", f.zone)
	invite(delegation.GuestInput{GivenName: "Pending", FamilyName: "Answer", DelegationID: &egypt}, "pending", f.zone)
	// Иванов brings two companions, one named.
	srv.Exec(t, "UPDATE invitation_ceremonies SET companions = 2 WHERE invitation_id = ?", f.invitations["Иванов"])
	srv.Exec(t, "INSERT INTO invitation_companions (invitation_id, position, name) VALUES (?, 1, 'Мария Иванова')", f.invitations["Иванов"])

	user := srv.AddUser(t, "prints@example.org", auth.RoleStaff)
	f.staff = srv.NewClient(t)
	f.staff.Login(user.Email)
	f.out = os.Getenv("VIGIL_PRINTS_OUT")
	if f.out == "" {
		f.out = t.TempDir()
	}
	return f
}

// pdf fetches a print and keeps it as file name.
func (f *printFixture) pdf(t *testing.T, rest, name string) string {
	t.Helper()
	resp, body := f.staff.Get("/checkin/" + strconv.FormatInt(f.ceremony, 10) + rest)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", rest, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Fatalf("GET %s: %s", rest, ct)
	}
	file := filepath.Join(f.out, name)
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// pdfText is the text poppler extracts, NFKC-normalised so that Arabic
// presentation forms read as letters again.
func pdfText(t *testing.T, file string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", file, err)
	}
	return norm.NFKC.String(string(out))
}

var pagesRe = regexp.MustCompile(`(?m)^Pages:\s+(\d+)`)
var sizeRe = regexp.MustCompile(`(?m)^Page size:\s+([\d.]+) x ([\d.]+) pts`)

// pdfPages is the number of pages and the first page's size in mm.
func pdfPages(t *testing.T, file string) (pages int, w, h float64) {
	t.Helper()
	out, err := exec.Command("pdfinfo", file).Output()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v", file, err)
	}
	m := pagesRe.FindSubmatch(out)
	s := sizeRe.FindSubmatch(out)
	if m == nil || s == nil {
		t.Fatalf("pdfinfo %s:\n%s", file, out)
	}
	pages, _ = strconv.Atoi(string(m[1]))
	w, _ = strconv.ParseFloat(string(s[1]), 64)
	h, _ = strconv.ParseFloat(string(s[2]), 64)
	return pages, w * 25.4 / 72, h * 25.4 / 72
}

// render draws page 1 of file as a PNG at dpi and returns its path.
func render(t *testing.T, file string, dpi int) string {
	t.Helper()
	base := strings.TrimSuffix(file, ".pdf")
	if err := exec.Command("pdftoppm", "-png", "-r", strconv.Itoa(dpi), "-f", "1", "-l", "1", "-singlefile", file, base).Run(); err != nil {
		t.Fatalf("pdftoppm %s: %v", file, err)
	}
	return base + ".png"
}

// containsRTL reports whether text holds word in logical order or in
// drawing order: poppler puts Arabic back in logical order when it sees a
// right-to-left line, and may not in a line that starts in Latin.
func containsRTL(text, word string) bool {
	rs := []rune(word)
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return strings.Contains(text, word) || strings.Contains(text, string(rs))
}

func needPoppler(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"pdftotext", "pdftoppm", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
}

func TestBadgesPDF(t *testing.T) {
	needPoppler(t)
	f := newPrintFixture(t)

	// Nine accepted guests, companions left out: a sheet of eight and one
	// more page.
	file := f.pdf(t, "/badges.pdf?companions=0", "badges-sheet.pdf")
	pages, w, h := pdfPages(t, file)
	if pages != 2 || w < 209 || w > 211 || h < 296 || h > 298 {
		t.Errorf("sheet: %d pages of %.0f × %.0f mm, want 2 A4 pages", pages, w, h)
	}
	text := pdfText(t, file)
	for _, want := range []string{"H.E.", "İsmayıl Əliyev", "Şəkər Qasımova", "Иван Иванов", "Office of the President",
		"Посольство Российской", "Embassy of Egypt", "Official stand", "Press", "Nigar Kərimli (press)", "Wreath-laying"} {
		if !strings.Contains(text, want) {
			t.Errorf("sheet text lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{"محمد", "عبد الله"} {
		if !containsRTL(text, want) {
			t.Errorf("sheet text lacks %q:\n%s", want, text)
		}
	}
	for _, no := range []string{"Declined", "Pending", "Мария"} {
		if strings.Contains(text, no) {
			t.Errorf("sheet has %q", no)
		}
	}
	// In order of precedence: the president's office before the
	// embassies, though created after them.
	if a, r := strings.Index(text, "Əliyev"), strings.Index(text, "Иванов"); a < 0 || r < 0 || a > r {
		t.Errorf("Əliyev (head of state) at %d, Иванов (embassy) at %d", a, r)
	}
	// Each badge shows its check-in code under the QR code.
	var code string
	if err := f.srv.DB.Gorm.Raw("SELECT check_in_code FROM invitations WHERE id = ?", f.invitations["Əliyev"]).Scan(&code).Error; err != nil {
		t.Fatal(err)
	}
	if grouped := code[:4] + " " + code[4:8] + " " + code[8:]; !strings.Contains(text, grouped) {
		t.Errorf("sheet lacks Əliyev's code %s", grouped)
	}
	render(t, file, 100)

	// With companions: Иванов's named companion and an unnamed one, each
	// saying whose companion they are.
	file = f.pdf(t, "/badges.pdf", "badges-all.pdf")
	text = pdfText(t, file)
	if !strings.Contains(text, "Мария Иванова") || strings.Count(text, "Companion of Mr Иван Иванов") != 2 {
		t.Errorf("companions' badges wrong:\n%s", text)
	}
	if pages, _, _ := pdfPages(t, file); pages != 2 {
		t.Errorf("11 badges on %d sheets, want 2", pages)
	}

	// Card layout: one CR80 card per badge.
	file = f.pdf(t, "/badges.pdf?layout=card", "badges-card.pdf")
	pages, w, h = pdfPages(t, file)
	if pages != 11 || w < 85.4 || w > 85.8 || h < 53.8 || h > 54.2 {
		t.Errorf("cards: %d pages of %.1f × %.1f mm, want 11 of 85.6 × 54", pages, w, h)
	}

	// Filters: one delegation; one zone.
	text = pdfText(t, f.pdf(t, "/badges.pdf?delegation="+strconv.FormatInt(f.president, 10), "badges-president.pdf"))
	if !strings.Contains(text, "Əliyev") || strings.Contains(text, "Иванов") || strings.Contains(text, "Kərimli") {
		t.Errorf("delegation filter:\n%s", text)
	}
	text = pdfText(t, f.pdf(t, "/badges.pdf?zone="+strconv.FormatInt(f.press, 10), "badges-press.pdf"))
	if !strings.Contains(text, "Kərimli") || strings.Contains(text, "Əliyev") {
		t.Errorf("zone filter:\n%s", text)
	}
	text = pdfText(t, f.pdf(t, "/badges.pdf?kind=head_of_state", "badges-kind.pdf"))
	if !strings.Contains(text, "Qasımova") || strings.Contains(text, "Иванов") {
		t.Errorf("kind filter:\n%s", text)
	}
	// One companion of one guest.
	file = f.pdf(t, "/badges.pdf?layout=card&companion=1&guest="+strconv.FormatInt(f.guests["Иванов"], 10), "badge-companion.pdf")
	text = pdfText(t, file)
	if pages, _, _ := pdfPages(t, file); pages != 1 || !strings.Contains(text, "Мария Иванова") || strings.Contains(text, "Mr\n") {
		t.Errorf("one companion: %d pages:\n%s", pages, text)
	}
	render(t, file, 200)
	// A declined guest has no badge: the PDF says there is none.
	text = pdfText(t, f.pdf(t, "/badges.pdf?guest="+strconv.FormatInt(f.guests["Guest"], 10), "badge-declined.pdf"))
	if !strings.Contains(text, "No guest who accepted") {
		t.Errorf("declined guest's badge:\n%s", text)
	}

	// Nobody without an account.
	anon := f.srv.NewClient(t)
	if resp, _ := anon.Get("/checkin/" + strconv.FormatInt(f.ceremony, 10) + "/badges.pdf"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous: %d, want a redirect to log in", resp.StatusCode)
	}
}

// TestBadgeQRCode renders one Arabic-named guest's card at 600 dpi, reads
// the QR code's modules off the image and checks them against the QR code
// of the invitation's check-in code; then checks that the desk takes that
// code.
func TestBadgeQRCode(t *testing.T) {
	needPoppler(t)
	f := newPrintFixture(t)
	guest := f.guests["عبد الله"]
	file := f.pdf(t, "/badges.pdf?layout=card&guest="+strconv.FormatInt(guest, 10), "badge-arabic.pdf")
	text := pdfText(t, file)
	if !containsRTL(text, "محمد") || !containsRTL(text, "عبد الله") {
		t.Errorf("Arabic name not extracted:\n%q", text)
	}
	var code string
	if err := f.srv.DB.Gorm.Raw("SELECT check_in_code FROM invitations WHERE id = ?", f.invitations["عبد الله"]).Scan(&code).Error; err != nil {
		t.Fatal(err)
	}
	want, err := qr.Encode(code, qr.M)
	if err != nil {
		t.Fatal(err)
	}
	const dpi = 600
	png := render(t, file, dpi)
	img := readPNG(t, png)
	// The QR code's place on the card (prints_pdf.go): 22 mm square, its
	// right edge 4 mm from the card's, its top 11 mm down.
	const side, right, top, cardW = 22.0, 4.0, 11.0, 85.6
	px := func(mm float64) float64 { return mm / 25.4 * dpi }
	x0, y0, m := px(cardW-right-side), px(top), px(side)/float64(want.Size)
	wrong := 0
	for row := range want.Size {
		for col := range want.Size {
			r, g, b, _ := img.At(int(x0+(float64(col)+0.5)*m), int(y0+(float64(row)+0.5)*m)).RGBA()
			dark := (r+g+b)/3 < 0x8000
			if dark != want.Black(col, row) {
				wrong++
			}
		}
	}
	if wrong > 0 {
		t.Errorf("%d of %d QR modules differ from the code %s's", wrong, want.Size*want.Size, code)
	}
	// The quiet zone around it is white.
	for _, p := range []image.Point{{int(x0 - m*1.5), int(y0 + m*3)}, {int(x0 + m*3), int(y0 - m*1.5)}} {
		if r, _, _, _ := img.At(p.X, p.Y).RGBA(); r < 0xe000 {
			t.Errorf("quiet zone not white at %v", p)
		}
	}

	// The desk's scan field takes the code the QR code carries.
	path := "/checkin/" + strconv.FormatInt(f.ceremony, 10)
	f.staff.Get(path)
	resp, body := f.staff.Post(path+"/scan", map[string][]string{"q": {code}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scan: %d", resp.StatusCode)
	}
	var in int
	if err := f.srv.DB.Gorm.Raw("SELECT count(*) FROM invitation_ceremonies WHERE invitation_id = ? AND checked_in_at IS NOT NULL",
		f.invitations["عبد الله"]).Scan(&in).Error; err != nil {
		t.Fatal(err)
	}
	if in != 1 {
		t.Errorf("scanning the badge's code did not check the guest in:\n%.2000s", body)
	}
}

func readPNG(t *testing.T, file string) image.Image {
	t.Helper()
	r, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	img, err := png.Decode(r)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return img
}

func TestPlaceCardsPDF(t *testing.T) {
	needPoppler(t)
	f := newPrintFixture(t)
	file := f.pdf(t, "/placecards.pdf", "placecards.pdf")
	// Nine guests and the one named companion; the unnamed one gets no
	// card.
	pages, w, h := pdfPages(t, file)
	if pages != 10 || w < 296 || w > 298 || h < 209 || h > 211 {
		t.Errorf("%d pages of %.0f × %.0f mm, want 10 A4 landscape", pages, w, h)
	}
	text := pdfText(t, file)
	// Each name twice, once turned upside down; poppler reads both.
	for _, want := range []string{"H.E. İsmayıl Əliyev", "Şəkər Qasımova", "Mr Иван Иванов", "Мария Иванова"} {
		if n := strings.Count(text, want); n != 2 {
			t.Errorf("%q printed %d times, want 2:\n%s", want, n, text)
		}
	}
	if !containsRTL(text, "محمد") {
		t.Errorf("Arabic name lost:\n%s", text)
	}
	png := render(t, file, 60)
	img := readPNG(t, png)
	// Ink on both halves: the name is on the upper half too.
	halves := [2]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, _, _, _ := img.At(x, y).RGBA(); r < 0x4000 {
				halves[(y-b.Min.Y)*2/b.Dy()]++
			}
		}
	}
	if halves[0] == 0 || halves[1] == 0 || halves[0]*2 < halves[1] || halves[1]*2 < halves[0] {
		t.Errorf("ink on the halves: %v, want about the same on both", halves)
	}
}

func TestPrintsPage(t *testing.T) {
	f := newPrintFixture(t)
	path := "/checkin/" + strconv.FormatInt(f.ceremony, 10) + "/prints"
	resp, body := f.staff.Get(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET prints: %d", resp.StatusCode)
	}
	for _, want := range []string{"H.E. İsmayıl Əliyev", "Мария Иванова", "Companion (name not given)", "Companion of Mr Иван Иванов",
		"11 badges (9 guests, 2 companions)", "/badges.pdf?layout=card", "/placecards.pdf",
		"badges.pdf?companions=0&amp;guest=" + strconv.FormatInt(f.guests["Əliyev"], 10), `fill="#7a1f1f"`} {
		if !strings.Contains(body, want) {
			t.Errorf("prints page lacks %q", want)
		}
	}
	if strings.Contains(body, "Declined") {
		t.Error("prints page lists a declined guest")
	}
	// Filtered, the links carry the filter.
	_, body = f.staff.Get(path + "?zone=" + strconv.FormatInt(f.press, 10) + "&companions=0")
	if !strings.Contains(body, "1 badge (1 guest, 0 companions)") || !strings.Contains(body, "badges.pdf?companions=0&amp;zone="+strconv.FormatInt(f.press, 10)) {
		t.Errorf("filtered prints page:\n%.3000s", body)
	}
	// In Azerbaijani.
	f.staff.Post("/language", map[string][]string{"locale": {"az"}})
	if _, body = f.staff.Get(path); !strings.Contains(body, "Bejlər və masa kartları") {
		t.Error("prints page not in Azerbaijani")
	}
}
