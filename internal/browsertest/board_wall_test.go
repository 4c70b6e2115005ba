package browsertest

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"vigil/internal/auth"
	"vigil/internal/testserver"
)

// wallDelegations are the delegations of a large ceremony, in order of
// precedence; some names are as long as real ones get, to show that they
// are shortened on the screen and still readable in full.
var wallDelegations = []string{
	"Embassy of the United Kingdom of Great Britain and Northern Ireland",
	"Embassy of France", "Embassy of Italy", "Embassy of Japan", "Embassy of Germany",
	"Delegation of the European Union to the Republic of Azerbaijan",
	"Embassy of Spain", "Embassy of Portugal", "Embassy of the Kingdom of the Netherlands",
	"Embassy of Belgium", "Embassy of Austria", "Embassy of Switzerland", "Embassy of Sweden",
	"Embassy of Norway", "Embassy of Finland", "Embassy of Denmark", "Embassy of Poland",
	"Embassy of the Czech Republic", "Embassy of Slovakia", "Embassy of Hungary",
	"Embassy of Romania", "Embassy of Bulgaria", "Embassy of Greece", "Embassy of Croatia",
	"Embassy of Slovenia", "Embassy of Lithuania", "Embassy of Latvia", "Embassy of Estonia",
	"Embassy of Ukraine", "Embassy of Georgia", "Embassy of Kazakhstan", "Embassy of Uzbekistan",
	"Embassy of Turkmenistan", "Embassy of the Kyrgyz Republic", "Embassy of Tajikistan",
	"Embassy of Türkiye", "Embassy of the Islamic Republic of Pakistan", "Embassy of India",
	"Embassy of the People's Republic of China", "Embassy of the Republic of Korea",
	"Embassy of Indonesia", "Embassy of Malaysia", "Embassy of Egypt", "Embassy of Morocco",
	"Embassy of Brazil", "Embassy of Argentina", "Embassy of Mexico",
	"Office of the Organization for Security and Co-operation in Europe",
}

// wallZones are the ceremony's zones.
var wallZones = []string{"VIP stand", "Diplomatic corps", "Government", "Guest stand", "Press area", "Veterans"}

// wallMoreDelegations make a ceremony larger than the board is made for.
var wallMoreDelegations = []string{
	"Embassy of Canada", "Embassy of Australia", "Embassy of New Zealand", "Embassy of Ireland",
	"Embassy of Iceland", "Embassy of Luxembourg", "Embassy of Malta", "Embassy of Cyprus",
	"Embassy of Albania", "Embassy of Serbia", "Embassy of Montenegro", "Embassy of Moldova",
	"Embassy of Chile", "Embassy of Peru", "Embassy of Colombia", "Embassy of Viet Nam",
}

// seedBoardWall adds a ceremony with the delegations named, in that order
// of precedence, of three guests each (one of every four delegations led
// by a VIP who has not arrived yet: 12 VIPs for 48 delegations), six
// zones, a guest without delegation or zone, and arrivals spread so that
// some delegations are complete. It returns the ceremony and an invitation
// not yet checked in.
func seedBoardWall(t *testing.T, srv *testserver.Server, delegations []string) (ceremony, waiting int64) {
	t.Helper()
	one := func(sql string, args ...any) int64 { t.Helper(); return srv.InsertID(t, sql, args...) }
	exec := func(sql string, args ...any) { t.Helper(); srv.Exec(t, sql, args...) }
	cm := one("INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	ed := one("INSERT INTO editions (commemoration_id, year) VALUES (?, 2026)", cm)
	venue := one("INSERT INTO venues (name) VALUES ('Memorial')")
	ceremony = one("INSERT INTO ceremonies (edition_id, title, venue_id, starts_at, ends_at, status) VALUES (?, 'Wreath-laying at the Memorial', ?, '2026-02-26 07:00Z', '2026-02-26 08:30Z', 'published')", ed, venue)
	colours := []string{"#8a1c1c", "#1c4f8a", "#2e6b3a", "#6b5a2e", "#555555", "#5a2e6b"}
	zones := make([]int64, len(wallZones))
	for i, name := range wallZones {
		zones[i] = one("INSERT INTO zones (venue_id, name, capacity, badge_colour, position) VALUES (?, ?, 200, ?, ?)", venue, name, colours[i], i+1)
		exec("INSERT INTO ceremony_zones (ceremony_id, zone_id) VALUES (?, ?)", ceremony, zones[i])
	}
	// 11 and 13 names, so that the VIPs (every fourth delegation) are
	// not all called alike.
	given := []string{"Anna", "Boris", "Carla", "Daniel", "Elena", "Farid", "Greta", "Hugo", "Irina", "Jonas", "Kamila"}
	family := []string{"Bernard", "Rossi", "Sato", "Weber", "Novak", "Aliyev", "Lindqvist", "Costa", "Horvat", "Kowalski", "Silva", "Petrov", "Nakamura-Villeneuve"}
	n := 0
	invite := func(delegation *int64, zone *int64, person int, vip, in bool, companions int) int64 {
		t.Helper()
		n++
		honorific := ""
		if vip {
			honorific = "H.E."
		}
		gid := one("INSERT INTO guests (honorific, given_name, family_name, vip, delegation_id) VALUES (?, ?, ?, ?, ?)",
			honorific, given[person%len(given)], family[(person/3+person%3)%len(family)], vip, delegation)
		inv := one(`INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code, companions_allowed)
			VALUES (?, ?, ?, ?, ?, 2)`, ed, gid, []byte("wall"+strconv.Itoa(n)), []byte("wallhash"+strconv.Itoa(n)), fmt.Sprintf("WALL%04d", n))
		var at, companionsIn any = nil, 0
		if in {
			at, companionsIn = "2026-02-26 06:40Z", companions
		}
		exec(`INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, zone_id, status, companions, checked_in_at, companions_checked_in)
			VALUES (?, ?, ?, 'accepted', ?, ?, ?)`, inv, ceremony, zone, companions, at, companionsIn)
		return inv
	}
	for d, name := range delegations {
		del := one("INSERT INTO delegations (name, kind, precedence) VALUES (?, 'diplomatic_mission', ?)", name, d+1)
		vip := d%4 == 0
		invite(&del, &zones[d%len(zones)], d, vip, !vip && d%5 != 0, 0)
		invite(&del, &zones[(d+1)%len(zones)], d+1, false, d%3 != 0, d%3)
		inv := invite(&del, &zones[(d+2)%len(zones)], d+2, false, d%2 == 0, 1)
		if d%2 != 0 {
			waiting = inv
		}
	}
	invite(nil, nil, 0, false, false, 0)
	return ceremony, waiting
}

// wallLayout is what the board measures in the browser.
type wallLayout struct {
	ScrollHeight, ScrollWidth float64
	InnerHeight, InnerWidth   float64
	Delegations, Zones, VIPs  int
	Outside                   []string // rows not wholly within the viewport
	Small                     []string // text smaller than MinFont
	Untitled                  []string // delegation names shortened without the full name in a title
	MinFont                   float64  // the smallest text in a delegation row, px
	Lefts                     []float64
	Bottom                    float64 // where the board's content ends
	// Unread: rows whose text (what a screen reader reads) lacks the
	// name, or the numbers with the words that say which is which.
	Unread []string
}

// measureWall reads the layout of the board in tab.
func measureWall(tab *Tab, minFont float64) wallLayout {
	return Eval[wallLayout](tab, `(() => {
		const w = window.innerWidth, h = window.innerHeight, min = `+strconv.FormatFloat(minFont, 'f', -1, 64)+`;
		const out = {ScrollHeight: document.documentElement.scrollHeight, ScrollWidth: document.documentElement.scrollWidth,
			InnerHeight: h, InnerWidth: w, Outside: [], Small: [], Untitled: [], MinFont: 1000, Lefts: []};
		const label = el => el.textContent.replace(/\s+/g, " ").trim();
		const inside = (what, el) => {
			const r = el.getBoundingClientRect();
			if (r.top < 0 || r.left < 0 || r.bottom > h + 0.5 || r.right > w + 0.5 || r.width === 0 || r.height === 0) {
				out.Outside.push(what + " " + label(el) + " at " + [r.left, r.top, r.right, r.bottom].map(Math.round).join(","));
			}
		};
		const dels = document.querySelectorAll("#board-live [data-board-delegation]");
		const zones = document.querySelectorAll("#board-live [data-board-zone]");
		const vips = document.querySelectorAll("#board-live .board-vips li");
		out.Bottom = document.getElementById("board-live").getBoundingClientRect().bottom;
		out.Delegations = dels.length; out.Zones = zones.length; out.VIPs = vips.length;
		for (const row of dels) {
			inside("delegation", row);
			const said = label(row), name = row.querySelector("[title]")?.title || "";
			if (!name || !said.startsWith(name) || !said.includes("Arrived: " + row.dataset.arrived) || !said.includes("Expected: " + row.dataset.expected)) {
				out.Unread.push(said);
			}
			out.Lefts.push(Math.round(row.getBoundingClientRect().left));
			// Every visible piece of text in the row: the name and the numbers.
			for (const el of [row, ...row.querySelectorAll("*")]) {
				const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim() !== "");
				const r = el.getBoundingClientRect();
				if (!text || r.width <= 1 || r.height <= 1) continue;
				const size = parseFloat(getComputedStyle(el).fontSize);
				out.MinFont = Math.min(out.MinFont, size);
				if (size < min) out.Small.push(label(el) + ": " + size + "px");
			}
			// A name cut short must be readable in full some other way.
			for (const el of row.querySelectorAll("*")) {
				if (el.getBoundingClientRect().width > 1 && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow === "hidden" && el.title !== label(el)) {
					out.Untitled.push(label(el));
				}
			}
		}
		for (const row of zones) inside("zone", row);
		for (const row of vips) inside("VIP", row);
		return out;
	})()`)
}

// checkWall fails the test unless the board in tab, at a wall screen's
// size, shows all its rows (delegations and the guests without one, the
// zones and the guests without one, vips VIPs) within the screen, in type
// of 16px or more, long names cut short only with the full name at hand.
func checkWall(t *testing.T, tab *Tab, when string, delegations, vips int) {
	t.Helper()
	m := measureWall(tab, 16)
	if m.Delegations != delegations+1 || m.Zones != len(wallZones)+1 || m.VIPs != vips {
		t.Fatalf("%s: %d delegations, %d zones, %d VIPs shown, want %d, %d, %d", when, m.Delegations, m.Zones, m.VIPs, delegations+1, len(wallZones)+1, vips)
	}
	if m.ScrollHeight > m.InnerHeight || m.ScrollWidth > m.InnerWidth {
		t.Errorf("%s: the page is %v×%v, larger than the %v×%v screen", when, m.ScrollWidth, m.ScrollHeight, m.InnerWidth, m.InnerHeight)
	}
	if len(m.Outside) > 0 {
		t.Errorf("%s: %d rows not within the screen, first %q", when, len(m.Outside), m.Outside[0])
	}
	if len(m.Small) > 0 {
		t.Errorf("%s: delegation text smaller than 16px: %q", when, m.Small)
	}
	if len(m.Untitled) > 0 {
		t.Errorf("%s: shortened delegation names without the full name: %q", when, m.Untitled)
	}
	if len(m.Unread) > 0 {
		t.Errorf("%s: rows that do not read as name, arrived and expected: %q", when, m.Unread)
	}
	t.Logf("%s: page %v×%v, content ends at %.0f; smallest delegation text %vpx", when, m.ScrollWidth, m.ScrollHeight, m.Bottom, m.MinFont)
}

// The board is made for a wall screen of 1920×1080 that nobody scrolls: a
// ceremony with 48 delegations, 12 VIPs awaited and 6 zones fits on it
// whole, in type readable from a few metres, before and after an update
// comes in. On a phone it becomes one column that scrolls, with no
// sideways scrolling.
func TestBoardFitsWallScreen(t *testing.T) {
	srv, tab := setup(t)
	staff := createUser(t, srv, auth.RoleStaff, "Aysel Quliyeva", "en")
	ceremony, waiting := seedBoardWall(t, srv, wallDelegations)
	path := "/checkin/" + strconv.FormatInt(ceremony, 10) + "/board"
	if status := tab.SignIn(staff.Email, staff.Password); status != http.StatusOK {
		t.Fatalf("sign in: %d", status)
	}
	shots := os.Getenv("VIGIL_SCREENSHOTS") != ""
	shot := func(name string) {
		t.Helper()
		if !shots {
			return
		}
		root, err := RepoRoot()
		if err != nil {
			t.Fatal(err)
		}
		tab.Screenshot(filepath.Join(root, "test-artifacts", "screens", name))
	}

	tab.SetViewport(1920, 1080, false)
	if status := tab.Open(path); status != http.StatusOK {
		t.Fatalf("board: %d", status)
	}
	// Measure what the live stream put in place, as a wall screen shows it
	// most of the time.
	waitBoard(t, tab, `document.querySelector("[data-board-status]").dataset.state === "live"`, "the board says it is live")
	checkWall(t, tab, "1920×1080", len(wallDelegations), 12)
	checkA11y(t, tab, "board at 1920×1080")
	shot("board-wall-1920.png")

	// An arrival: the part swapped in by the stream keeps the layout.
	before := boardText(tab, ".board-big")
	if err := srv.DB.Gorm.Exec("UPDATE invitation_ceremonies SET checked_in_at = now() WHERE invitation_id = ? AND ceremony_id = ?", waiting, ceremony).Error; err != nil {
		t.Fatal(err)
	}
	waitBoard(t, tab, `document.querySelector(".board-big").textContent.replace(/\s+/g, " ").trim() !== `+strconv.Quote(before), "the board shows the arrival")
	checkWall(t, tab, "1920×1080 after an update", len(wallDelegations), 12)

	// A laptop may scroll, but nothing runs off sideways.
	tab.SetViewport(1366, 768, false)
	if m := measureWall(tab, 14); m.ScrollWidth > m.InnerWidth || len(m.Small) > 0 {
		t.Errorf("1366×768: page %v wide in %v; text too small: %q", m.ScrollWidth, m.InnerWidth, m.Small)
	}
	shot("board-wall-1366.png")

	// A tablet lying down: two columns that scroll.
	tab.SetViewport(1024, 768, false)
	if m := measureWall(tab, 16); m.ScrollWidth > m.InnerWidth || len(m.Small) > 0 {
		t.Errorf("1024×768: page %v wide in %v; text too small: %q", m.ScrollWidth, m.InnerWidth, m.Small)
	}
	shot("board-wall-1024.png")

	// A phone: one column that scrolls, nothing off to the side.
	tab.SetViewport(390, 844, true)
	if status := tab.Open(path); status != http.StatusOK {
		t.Fatalf("board: %d", status)
	}
	m := measureWall(tab, 14)
	if m.ScrollWidth > m.InnerWidth {
		t.Errorf("390×844: page %v wide in %v", m.ScrollWidth, m.InnerWidth)
	}
	for _, left := range m.Lefts {
		if left != m.Lefts[0] {
			t.Errorf("390×844: delegations in more than one column (left edges %v)", m.Lefts)
			break
		}
	}
	if len(m.Small) > 0 {
		t.Errorf("390×844: delegation text too small: %q", m.Small)
	}
	checkA11y(t, tab, "board at 390×844")
	shot("board-wall-390.png")
}

// More delegations than the board is made for (64, and 16 VIPs awaited, of
// whom 12 are named) still fit the wall screen, in five narrower columns.
func TestBoardFitsWallScreenManyDelegations(t *testing.T) {
	srv, tab := setup(t)
	staff := createUser(t, srv, auth.RoleStaff, "Aysel Quliyeva", "en")
	ceremony, _ := seedBoardWall(t, srv, append(slices.Clone(wallDelegations), wallMoreDelegations...))
	if status := tab.SignIn(staff.Email, staff.Password); status != http.StatusOK {
		t.Fatalf("sign in: %d", status)
	}
	tab.SetViewport(1920, 1080, false)
	if status := tab.Open("/checkin/" + strconv.FormatInt(ceremony, 10) + "/board"); status != http.StatusOK {
		t.Fatalf("board: %d", status)
	}
	waitBoard(t, tab, `document.querySelector("[data-board-status]").dataset.state === "live"`, "the board says it is live")
	checkWall(t, tab, "64 delegations at 1920×1080", len(wallDelegations)+len(wallMoreDelegations), 12)
	if os.Getenv("VIGIL_SCREENSHOTS") != "" {
		root, err := RepoRoot()
		if err != nil {
			t.Fatal(err)
		}
		tab.Screenshot(filepath.Join(root, "test-artifacts", "screens", "board-wall-1920-64.png"))
	}
}
