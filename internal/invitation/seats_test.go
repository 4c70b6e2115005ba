package invitation_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"
)

// seatRows lists, one line a ceremony and zone, the seats ceremony_seats
// holds (without rows down to 0) and, beside them, the seats the accepted
// answers add up to.
func seatRows(t *testing.T, db *gorm.DB) (kept, counted string) {
	t.Helper()
	read := func(q string) string {
		t.Helper()
		rows, err := db.Raw(q).Rows()
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		var lines []string
		for rows.Next() {
			var c, z, n int64
			if err := rows.Scan(&c, &z, &n); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, fmt.Sprintf("ceremony %d zone %d: %d", c, z, n))
		}
		return strings.Join(lines, "\n")
	}
	return read(`SELECT ceremony_id, zone_id, seats FROM ceremony_seats WHERE seats <> 0 ORDER BY 1, 2`),
		read(`SELECT ceremony_id, coalesce(zone_id, 0), sum(1 + companions) FROM invitation_ceremonies
			WHERE status = 'accepted' GROUP BY 1, 2 ORDER BY 1, 2`)
}

// The running seat counts of migration 00015 follow every change of an
// accepted answer (one that comes, goes, or changes its companions, zone
// or ceremony), whoever makes it, and ignore the rest (a check-in, a
// pending or declined answer); the migration counts the answers already
// there, and rolls back.
func TestCeremonySeatsFollowTheAnswers(t *testing.T) {
	db, m, exec := migratedTo(t, 14)
	ctx := context.Background()
	check := func(step string) {
		t.Helper()
		kept, counted := seatRows(t, db.Gorm)
		if kept != counted {
			t.Errorf("%s: ceremony_seats\n%s\nwant (the accepted answers)\n%s", step, kept, counted)
		}
	}
	exec(`INSERT INTO commemorations (id, name, commemorated_on, ceremony_month, ceremony_day, time_zone) OVERRIDING SYSTEM VALUE
		VALUES (1, 'Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')`)
	exec(`INSERT INTO editions (id, commemoration_id, year, status) OVERRIDING SYSTEM VALUE VALUES (1, 1, 2026, 'invitations_open')`)
	exec(`INSERT INTO venues (id, name) OVERRIDING SYSTEM VALUE VALUES (1, 'Memorial')`)
	exec(`INSERT INTO zones (id, venue_id, name, capacity, badge_colour) OVERRIDING SYSTEM VALUE
		VALUES (11, 1, 'Official stand', 50, '#7a3b8f'), (12, 1, 'Guests stand', 500, '#2f6f4f')`)
	exec(`INSERT INTO ceremonies (id, edition_id, title, venue_id, starts_at, ends_at, status, capacity) OVERRIDING SYSTEM VALUE
		VALUES (5, 1, 'Wreath-laying', 1, '2026-02-26 07:00Z', '2026-02-26 08:30Z', 'published', 300),
		       (6, 1, 'Evening concert', 1, '2026-02-26 17:00Z', '2026-02-26 19:00Z', 'published', 200)`)
	exec(`INSERT INTO guests (id, given_name, family_name) OVERRIDING SYSTEM VALUE
		VALUES (1, 'Anne', 'Martin'), (2, 'Paul', 'Durand'), (3, 'Claire', 'Petit'), (4, 'Louis', 'Bernard')`)
	exec(`INSERT INTO invitations (id, edition_id, guest_id, token_nonce, token_hash, check_in_code) OVERRIDING SYSTEM VALUE
		SELECT g, 1, g, int8send(g), sha256(int8send(g)), 'CODE' || lpad(g::text, 8, '0') FROM generate_series(1, 4) g`)
	// Answers made before 00015: it counts them.
	exec(`INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, zone_id, status, companions) VALUES
		(1, 5, 11, 'accepted', 2), (2, 5, NULL, 'pending', 0), (3, 5, NULL, 'accepted', 1), (1, 6, 12, 'accepted', 0)`)
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if kept, _ := seatRows(t, db.Gorm); kept != "ceremony 5 zone 0: 2\nceremony 5 zone 11: 3\nceremony 6 zone 12: 1" {
		t.Errorf("after 00015:\n%s", kept)
	}
	check("after 00015")

	for _, step := range []struct{ what, sql string }{
		{"a new accepted answer", `INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, zone_id, status, companions) VALUES (4, 6, NULL, 'accepted', 3)`},
		{"a pending answer accepted", `UPDATE invitation_ceremonies SET status = 'accepted', companions = 1 WHERE invitation_id = 2 AND ceremony_id = 5`},
		{"fewer companions", `UPDATE invitation_ceremonies SET companions = 0 WHERE invitation_id = 1 AND ceremony_id = 5`},
		{"another zone", `UPDATE invitation_ceremonies SET zone_id = 12 WHERE invitation_id = 1 AND ceremony_id = 5`},
		{"declined", `UPDATE invitation_ceremonies SET status = 'declined', companions = 0 WHERE invitation_id = 3 AND ceremony_id = 5`},
		{"a check-in", `UPDATE invitation_ceremonies SET checked_in_at = now(), updated_at = now() WHERE invitation_id = 1 AND ceremony_id = 5`},
		{"waitlisted", `UPDATE invitation_ceremonies SET status = 'waitlisted', waitlisted_at = now() WHERE invitation_id = 4 AND ceremony_id = 6`},
		{"moved to another ceremony", `UPDATE invitation_ceremonies SET ceremony_id = 5, status = 'accepted' WHERE invitation_id = 4 AND ceremony_id = 6`},
		{"a zone deleted (its answers lose it)", `DELETE FROM zones WHERE id = 12`},
		{"an invitation deleted", `DELETE FROM invitations WHERE id = 2`},
		{"several answers in one statement", `UPDATE invitation_ceremonies SET companions = companions + 1 WHERE status = 'accepted'`},
		{"a ceremony deleted", `DELETE FROM ceremonies WHERE id = 6`},
	} {
		exec(step.sql)
		check(step.what)
	}
	if kept, _ := seatRows(t, db.Gorm); kept != "ceremony 5 zone 0: 7" {
		t.Errorf("at the end:\n%s", kept)
	}

	if err := m.DownTo(ctx, 14); err != nil {
		t.Fatal(err)
	}
	if err := db.Gorm.Exec(`SELECT 1 FROM ceremony_seats`).Error; err == nil {
		t.Error("ceremony_seats is still there after rolling 00015 back")
	}
	exec(`UPDATE invitation_ceremonies SET companions = 0`) // no trigger left to fail
}
