package checkin_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// listPDFText writes pdf to test-artifacts/pdf/name (to look at), asks
// poppler (a real PDF reader) for its page count and size, and returns its
// text page by page.
func listPDFText(t *testing.T, pdf []byte, name string) (pages []string, info string) {
	t.Helper()
	for _, tool := range []string{"pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s (poppler-utils) is not installed", tool)
		}
	}
	file := filepath.Join("..", "..", "test-artifacts", "pdf", name)
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", file).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	info = string(out)
	text, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages = strings.Split(strings.TrimSuffix(string(text), "\f"), "\f")
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindStringSubmatch(info)
	if m == nil || m[1] != strconv.Itoa(len(pages)) {
		t.Fatalf("pdfinfo says %v pages, the text has %d", m, len(pages))
	}
	return pages, info
}

func (f *listFixture) listPDF(t *testing.T, query string) []byte {
	t.Helper()
	resp, body := f.staff.Get(f.path("/list.pdf?" + query))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("list.pdf?%s: %d %s", query, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return []byte(body)
}

// The server's PDF: Azerbaijani, Cyrillic and Arabic names intact, the
// chosen columns, the header with the ceremony, the day and "Page x of
// y" on every page, companions under their host.
func TestListPDF(t *testing.T) {
	f := newListFixture(t)
	emb := strconv.FormatInt(f.embassy, 10)
	f.srv.Exec(t, `INSERT INTO guests (honorific, given_name, family_name, delegation_id) VALUES
		('H.E.', 'İsmayıl', 'Əliyev', `+emb+`), ('', 'Şəkər', 'Hüseynova', `+emb+`),
		('', 'Дмитрий', 'Иванов', `+emb+`), ('', 'محمد', 'العلي', `+emb+`)`)
	// Enough guests for a few pages.
	f.srv.Exec(t, `INSERT INTO guests (given_name, family_name) SELECT 'Guest', 'Zz ' || lpad(i::text, 3, '0') FROM generate_series(1, 120) i`)
	f.srv.Exec(t, `INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code)
		SELECT (SELECT edition_id FROM ceremonies WHERE id = ?), g.id, decode(md5(g.id::text), 'hex'), decode(md5('h' || g.id), 'hex'), 'P' || g.id
		FROM guests g WHERE NOT EXISTS (SELECT 1 FROM invitations i WHERE i.guest_id = g.id)`, f.ceremony)
	f.srv.Exec(t, `INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, status)
		SELECT i.id, ?, 'accepted' FROM invitations i WHERE NOT EXISTS (SELECT 1 FROM invitation_ceremonies ic WHERE ic.invitation_id = i.id)`, f.ceremony)

	pages, info := listPDFText(t, f.listPDF(t, "col=no&col=name&col=delegation&col=phone&col=companions&col=tick"), "attendee-list.pdf")
	if len(pages) < 3 {
		t.Fatalf("%d pages for 130 guests, want several", len(pages))
	}
	if !strings.Contains(info, "(A4)") || !strings.Contains(info, "595.28 x 841.89") {
		t.Errorf("not A4 portrait:\n%s", info)
	}
	for i, pg := range pages {
		for _, s := range []string{"Wreath-laying — Attendee list", "February", "No.", "Name", "Delegation", "Phone",
			"Page " + strconv.Itoa(i+1) + " of " + strconv.Itoa(len(pages))} {
			if !strings.Contains(pg, s) {
				t.Errorf("page %d lacks %q", i+1, s)
			}
		}
		if strings.Contains(pg, "Zone") || strings.Contains(pg, "Answer") {
			t.Errorf("page %d has a column not chosen", i+1)
		}
	}
	all := strings.Join(pages, "\n")
	for _, s := range []string{"H.E. İsmayıl Əliyev", "Şəkər Hüseynova", "Дмитрий Иванов", "H.E. Leyla Çakır", "+994 12 555 01 01", "Zz 120"} {
		if !strings.Contains(all, s) {
			t.Errorf("the PDF lacks %q", s)
		}
	}
	arabic := 0
	for _, r := range all {
		if unicode.Is(unicode.Arabic, r) {
			arabic++
		}
	}
	if arabic < 5 {
		t.Errorf("the Arabic name is missing (%d Arabic letters)", arabic)
	}
	// Companions under their host, the formula printed as text.
	wantOrder(t, "pdf", all, "Anne Martin", "↳ Jean Martin (companion)", "↳ Paul Martin", "↳ Companion (name not given)", "=1+1")

	// Letter landscape, a page per delegation.
	pages, info = listPDFText(t, f.listPDF(t, "letter=1&landscape=1&break=delegation"), "attendee-list-letter-landscape.pdf")
	if !strings.Contains(info, "792 x 612 pts (letter)") {
		t.Errorf("not Letter landscape:\n%s", info)
	}
	// Three delegations (the last, without one, runs over pages).
	if len(pages) < 3 || !strings.Contains(pages[0], "Office of the President") || strings.Contains(pages[0], "Embassy of France") ||
		!strings.Contains(pages[1], "Embassy of France") {
		t.Errorf("no page per delegation: %d pages, first %q", len(pages), pages[0])
	}

	// In Azerbaijani: the header, the page numbers and the columns too.
	f.srv.Exec(t, "UPDATE users SET locale = 'az' WHERE id = ?", f.user.ID)
	pages, _ = listPDFText(t, f.listPDF(t, ""), "attendee-list-az.pdf")
	for i, pg := range pages {
		for _, s := range []string{"Wreath-laying — İştirakçıların siyahısı", "fevral", "Nümayəndə heyəti", "Səhifə " + strconv.Itoa(i+1) + " / " + strconv.Itoa(len(pages))} {
			if !strings.Contains(pg, s) {
				t.Errorf("Azerbaijani page %d lacks %q", i+1, s)
			}
		}
	}
	f.srv.Exec(t, "UPDATE users SET locale = 'en' WHERE id = ?", f.user.ID)

	// Gate North's door list.
	pages, _ = listPDFText(t, f.listPDF(t, "door=1&gate="+strconv.FormatInt(f.north, 10)+"&sort=name"), "door-list.pdf")
	door := strings.Join(pages, "\n")
	if !strings.Contains(door, "Wreath-laying — Door list: Gate North") || !strings.Contains(door, "Anne Martin") || strings.Contains(door, "Leyla Çakır") ||
		strings.Contains(door, "Louis Bernard") {
		t.Errorf("door list:\n%s", door)
	}
}
