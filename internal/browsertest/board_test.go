package browsertest

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/internal/auth"
	"vigil/internal/testserver"
)

// boardSite is a ceremony with two accepted guests, one of them a VIP.
type boardSite struct {
	ceremony         int64
	ambassador, aide int64 // invitations
}

func seedBoardSite(t *testing.T, srv *testserver.Server) boardSite {
	t.Helper()
	db := srv.DB.Gorm
	one := func(dst *int64, sql string, args ...any) {
		t.Helper()
		if err := db.Raw(sql, args...).Scan(dst).Error; err != nil {
			t.Fatalf("fixture %q: %v", sql, err)
		}
	}
	var s boardSite
	var cm, ed, venue, zone, del int64
	one(&cm, "INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku') RETURNING id")
	one(&ed, "INSERT INTO editions (commemoration_id, year) VALUES (?, 2026) RETURNING id", cm)
	one(&venue, "INSERT INTO venues (name) VALUES ('Memorial') RETURNING id")
	one(&zone, "INSERT INTO zones (venue_id, name, capacity, badge_colour) VALUES (?, 'VIP stand', 20, '#8a1c1c') RETURNING id", venue)
	one(&s.ceremony, "INSERT INTO ceremonies (edition_id, title, venue_id, starts_at, ends_at, status) VALUES (?, 'Wreath-laying', ?, '2026-02-26 07:00Z', '2026-02-26 08:30Z', 'published') RETURNING id", ed, venue)
	if err := db.Exec("INSERT INTO ceremony_zones (ceremony_id, zone_id) VALUES (?, ?)", s.ceremony, zone).Error; err != nil {
		t.Fatal(err)
	}
	one(&del, "INSERT INTO delegations (name, kind, country, precedence) VALUES ('Embassy of Japan', 'diplomatic_mission', 'JP', 1) RETURNING id")
	for i, g := range []struct {
		given, family string
		vip           bool
		inv           *int64
	}{{"Haruto", "Sato", true, &s.ambassador}, {"Yui", "Tanaka", false, &s.aide}} {
		var gid int64
		one(&gid, "INSERT INTO guests (given_name, family_name, vip, delegation_id) VALUES (?, ?, ?, ?) RETURNING id", g.given, g.family, g.vip, del)
		one(g.inv, `INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, ed, gid, []byte{byte(i)}, []byte{byte(i), 1}, "LIVEBOARD"+strconv.Itoa(i))
		if err := db.Exec(`INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, zone_id, status) VALUES (?, ?, ?, 'accepted')`,
			*g.inv, s.ceremony, zone).Error; err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// The "done when": the live board updates in a second browser
// without reload. Two screens show the board; a guest is checked in (the
// desk's update of the answer, whose trigger announces it); both show the
// arrival within seconds, and neither page was reloaded.
func TestLiveBoardUpdatesWithoutReload(t *testing.T) {
	srv, wall := setup(t)
	staff := createUser(t, srv, auth.RoleStaff, "Aysel Quliyeva", "en")
	site := seedBoardSite(t, srv)
	path := "/checkin/" + strconv.FormatInt(site.ceremony, 10) + "/board"

	second := NewTab(t, srv.URL)
	screens := []*Tab{wall, second}
	for _, tab := range screens {
		tab.SetViewport(1920, 1080, false)
		if status := tab.SignIn(staff.Email, staff.Password); status != http.StatusOK {
			t.Fatalf("sign in: %d", status)
		}
		if status := tab.Open(path); status != http.StatusOK {
			t.Fatalf("board: %d", status)
		}
		// Read in one step: the board's live part is swapped as events
		// come in.
		if got := boardText(tab, ".board-big"); got != "0 / 2" {
			t.Errorf("board shows %q, want 0 / 2", got)
		}
		if !strings.Contains(boardText(tab, ".board-vips"), "Haruto Sato") {
			t.Error("the VIP not yet arrived is not listed")
		}
		// A wall screen: no navigation.
		if tab.Visible(".site-header") {
			t.Error("the board shows the site navigation")
		}
		// A page that reloads loses this.
		Eval[int](tab, "window.vigilBoardMarker = 7")
		waitBoard(t, tab, `document.querySelector("[data-board-status]").dataset.state === "live"`, "the board says it is live")
	}

	if err := srv.DB.Gorm.Exec("UPDATE invitation_ceremonies SET checked_in_at = now() WHERE invitation_id = ? AND ceremony_id = ?",
		site.ambassador, site.ceremony).Error; err != nil {
		t.Fatal(err)
	}
	for i, tab := range screens {
		waitBoard(t, tab, `document.querySelector(".board-big").textContent.replace(/\s+/g, " ").trim() === "1 / 2"`, "screen "+strconv.Itoa(i+1)+" shows the arrival")
		if Eval[int](tab, "window.vigilBoardMarker || 0") != 7 {
			t.Errorf("screen %d reloaded the page", i+1)
		}
		if strings.Contains(boardText(tab, "#board-live"), "Haruto Sato") {
			t.Errorf("screen %d still lists the VIP who arrived", i+1)
		}
	}
	if os.Getenv("VIGIL_SCREENSHOTS") != "" {
		root, err := RepoRoot()
		if err != nil {
			t.Fatal(err)
		}
		wall.Screenshot(filepath.Join(root, "test-artifacts", "screens", "live-board.png"))
	}
}

// boardText is the text of the first element css selects, spaces folded,
// read in one step.
func boardText(tab *Tab, css string) string {
	return Eval[string](tab, `(document.querySelector(`+strconv.Quote(css)+`)?.textContent || "").replace(/\s+/g, " ").trim()`)
}

// waitBoard waits up to 5 seconds for the JavaScript condition cond.
func waitBoard(t *testing.T, tab *Tab, cond, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !Eval[bool](tab, cond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s (board: %q)", what, boardText(tab, "#board-live"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
