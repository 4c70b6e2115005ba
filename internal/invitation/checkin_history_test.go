package invitation_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"vigil/internal/database"
	"vigil/internal/invitation"
	"vigil/internal/testdb"
)

// migratedTo gives a test database rolled back to migration version, its
// migrator (to go up and down again) and a statement runner that fails the
// test on an error.
func migratedTo(t *testing.T, version int64) (*database.DB, *database.Migrator, func(q string, args ...any)) {
	t.Helper()
	db, _ := testdb.New(t)
	m, err := database.NewMigrator(db.SQL)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.DownTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	return db, m, func(q string, args ...any) {
		t.Helper()
		if err := db.Gorm.Exec(q, args...).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// Migration 00014 makes the answer row the record of a check-in that
// stands: the history rows the scan wrote before it are dropped where the
// row holds the same check-in, so the history shows each check-in once;
// an undone check-in's row stays. Rolled back, the rows come back.
func TestCheckInHistoryAcrossMigration14(t *testing.T) {
	db, m, exec := migratedTo(t, 13)
	ctx := context.Background()
	exec(`INSERT INTO users (id, email, name, role, password_hash) OVERRIDING SYSTEM VALUE VALUES (7, 'gate@example.org', 'Gate staff', 'staff', 'x')`)
	exec(`INSERT INTO commemorations (id, name, commemorated_on, ceremony_month, ceremony_day, time_zone) OVERRIDING SYSTEM VALUE
		VALUES (1, 'Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')`)
	exec(`INSERT INTO editions (id, commemoration_id, year, status) OVERRIDING SYSTEM VALUE VALUES (1, 1, 2026, 'invitations_open')`)
	exec(`INSERT INTO venues (id, name) OVERRIDING SYSTEM VALUE VALUES (1, 'Memorial')`)
	exec(`INSERT INTO gates (id, venue_id, name) OVERRIDING SYSTEM VALUE VALUES (3, 1, 'North gate')`)
	exec(`INSERT INTO ceremonies (id, edition_id, title, venue_id, starts_at, ends_at, status) OVERRIDING SYSTEM VALUE
		VALUES (5, 1, 'Wreath-laying', 1, '2026-02-26 07:00Z', '2026-02-26 08:30Z', 'published')`)
	exec(`INSERT INTO guests (id, given_name, family_name) OVERRIDING SYSTEM VALUE VALUES (1, 'Anne', 'Martin'), (2, 'Paul', 'Durand')`)
	exec(`INSERT INTO invitations (id, edition_id, guest_id, token_nonce, token_hash, check_in_code) OVERRIDING SYSTEM VALUE
		VALUES (1, 1, 1, '\x01', sha256('\x01'), 'AAAAAAAAAAAA'), (2, 1, 2, '\x02', sha256('\x02'), 'BBBBBBBBBBBB')`)
	// Anne: checked in, undone, checked in again, as the scan and the undo
	// wrote it before 00014 (the scan's row at the check-in's own time).
	exec(`INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, status, checked_in_at, checked_in_gate_id, checked_in_by)
		VALUES (1, 5, 'accepted', '2026-02-26 06:40Z', 3, 7), (2, 5, 'accepted', NULL, NULL, NULL)`)
	exec(`INSERT INTO invitation_events (invitation_id, at, via, user_id, action, detail) VALUES
		(1, '2026-02-26 06:30Z', 'staff', 7, 'checked_in', '{"ceremony_id": 5, "gate_id": 3, "status": "accepted"}'),
		(1, '2026-02-26 06:30:20Z', 'staff', 7, 'check_in_undone', '{"ceremony_id": 5}'),
		(1, '2026-02-26 06:40Z', 'staff', 7, 'checked_in', '{"ceremony_id": 5, "gate_id": 3, "status": "accepted"}')`)

	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	store := invitation.NewStore(db.Gorm, nil, nil, nil)
	history := func() string {
		t.Helper()
		es, err := store.History(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, e := range es {
			lines = append(lines, fmt.Sprintf("%s %s", e.At.UTC().Format("15:04:05"), e.Action))
		}
		return strings.Join(lines, ", ")
	}
	want := "06:30:00 checked_in, 06:30:20 check_in_undone, 06:40:00 checked_in"
	if got := history(); got != want {
		t.Errorf("history after 00014:\n%s\nwant\n%s", got, want)
	}
	var rows int
	if err := db.Gorm.Raw(`SELECT count(*) FROM invitation_events WHERE action = 'checked_in'`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Errorf("%d checked_in rows kept, want 1 (the undone check-in)", rows)
	}

	if err := m.DownTo(ctx, 13); err != nil {
		t.Fatal(err)
	}
	if err := db.Gorm.Raw(`SELECT count(*) FROM invitation_events WHERE action = 'checked_in'`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if rows != 2 {
		t.Errorf("%d checked_in rows after rolling 00014 back, want 2", rows)
	}
}
