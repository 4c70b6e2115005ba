package loadtest

import (
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
)

// Badges is a ceremony ready for scanning under load, as SeedBadges
// writes it.
type Badges struct {
	CeremonyID int64
	// Codes are the badges' check-in codes, none scanned yet.
	Codes []string
	// Gates are the venue's gates.
	Gates []int64
}

// SeedBadges writes, with SQL, this year's edition of commemoration cm
// (open for invitations) with a venue, one zone and a published ceremony
// on its day, n guests accepted to it, each with a random badge code, and
// gates gates of the venue: what the tests that scan under load (a
// SIGTERM, a database outage) need, fast enough for thousands of badges.
func SeedBadges(t testing.TB, db *gorm.DB, cm int64, n, gates int) Badges {
	t.Helper()
	id := func(q string, args ...any) int64 {
		t.Helper()
		var v int64
		if err := db.Raw(q+" RETURNING id", args...).Scan(&v).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return v
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if err := db.Exec(q, args...).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	year := time.Now().Year()
	ed := id("INSERT INTO editions (commemoration_id, year, status) VALUES (?, ?, 'invitations_open')", cm, year)
	venue := id("INSERT INTO venues (name) VALUES ('Memorial')")
	zone := id("INSERT INTO zones (venue_id, name, capacity, badge_colour) VALUES (?, 'Guests stand', 10000, '#2f6f4f')", venue)
	starts := time.Date(year, 2, 26, 7, 0, 0, 0, time.UTC)
	var b Badges
	b.CeremonyID = id(`INSERT INTO ceremonies (edition_id, title, venue_id, starts_at, ends_at, status)
		VALUES (?, 'Wreath-laying', ?, ?, ?, 'published')`, ed, venue, starts, starts.Add(90*time.Minute))
	exec(`INSERT INTO guests (given_name, family_name, honorific) SELECT 'Badge ' || g, 'Holder', 'H.E.' FROM generate_series(1, ?) g`, n)
	const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	raw := make([]byte, 12)
	for range n {
		if _, err := rand.Read(raw); err != nil {
			t.Fatal(err)
		}
		for j := range raw {
			raw[j] = alphabet[int(raw[j])%len(alphabet)]
		}
		b.Codes = append(b.Codes, string(raw))
	}
	exec(`INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code)
		SELECT ?, g.id, int8send(g.id), sha256(int8send(g.id)), c.code
		FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM guests WHERE family_name = 'Holder') g
		JOIN unnest(string_to_array(?, ',')) WITH ORDINALITY AS c(code, n) ON c.n = g.n`, ed, strings.Join(b.Codes, ","))
	exec(`INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, zone_id, status, companions)
		SELECT id, ?, ?, 'accepted', 0 FROM invitations WHERE edition_id = ?`, b.CeremonyID, zone, ed)
	for i := range gates {
		b.Gates = append(b.Gates, id("INSERT INTO gates (venue_id, name) VALUES (?, ?)", venue, fmt.Sprintf("Gate %d", i+1)))
	}
	return b
}

// Lost says what a test that answered and scanned under load was told had
// succeeded and is not in the database: each answer, found by the marker
// it carried as its dietary needs, must be in the history exactly once,
// and each badge code scanned must be checked in.
func Lost(t testing.TB, db *gorm.DB, markers, scanned []string) []string {
	t.Helper()
	var lost []string
	for _, m := range markers {
		var n int
		if err := db.Raw("SELECT count(*) FROM invitation_events WHERE action = 'answer' AND detail->>'dietary_needs' = ?", m).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			lost = append(lost, fmt.Sprintf("answer %q: %d history rows, want 1", m, n))
		}
	}
	for _, code := range scanned {
		var in bool
		if err := db.Raw(`SELECT ic.checked_in_at IS NOT NULL FROM invitation_ceremonies ic
			JOIN invitations i ON i.id = ic.invitation_id WHERE i.check_in_code = ?`, code).Scan(&in).Error; err != nil {
			t.Fatal(err)
		}
		if !in {
			lost = append(lost, fmt.Sprintf("check-in %s accepted but not saved", code))
		}
	}
	return lost
}
