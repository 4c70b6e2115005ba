package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/internal/database"
	"vigil/internal/testdb"
)

// A backup restored into an empty database holds every guest, every
// answer (with its history) and every check-in of the original.
func TestBackupRestore(t *testing.T) {
	if _, err := database.Tool("pg_dump", os.Getenv("VIGIL_PG_BINDIR")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skipf("no PostgreSQL client programs: %v", err)
	}
	ctx := context.Background()
	src, srcURL := testdb.New(t)
	exec := func(q string, args ...any) {
		t.Helper()
		if err := src.Gorm.Exec(q, args...).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	id := func(q string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := src.Gorm.Raw(q+" RETURNING id", args...).Scan(&n).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	cm := id("INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Day of Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	ed := id("INSERT INTO editions (commemoration_id, year, status) VALUES (?, 2027, 'invitations_open')", cm)
	venue := id("INSERT INTO venues (name, address) VALUES ('Memorial', '1 Memorial Avenue')")
	gate := id("INSERT INTO gates (venue_id, name) VALUES (?, 'North gate')", venue)
	cer := id(`INSERT INTO ceremonies (edition_id, title, venue_id, status, starts_at, ends_at)
		VALUES (?, 'Wreath-laying', ?, 'published', '2027-02-26 07:00Z', '2027-02-26 08:30Z')`, ed, venue)
	del := id("INSERT INTO delegations (name, kind, country) VALUES ('Embassy of Norway', 'diplomatic_mission', 'NO')")
	const guests = 120
	exec(`INSERT INTO guests (given_name, family_name, delegation_id, email, language)
		SELECT 'Guest ' || g, 'Nordmann', ?, 'guest' || g || '@example.org', 'en' FROM generate_series(1, ?) g`, del, guests)
	exec(`INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code, dietary_needs, responded_at, responded_via)
		SELECT ?, id, int8send(id), sha256(int8send(id)), 'CODE' || id, 'note ' || id, now(), 'link' FROM guests`, ed)
	// Every third guest declined; of those who accepted, every other one is in.
	exec(`INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, status, companions, checked_in_at, checked_in_gate_id)
		SELECT i.id, ?, CASE WHEN i.id % 3 = 0 THEN 'declined' ELSE 'accepted' END, i.id % 2,
			CASE WHEN i.id % 3 <> 0 AND i.id % 2 = 0 THEN now() END,
			CASE WHEN i.id % 3 <> 0 AND i.id % 2 = 0 THEN ?::bigint END
		FROM invitations i`, cer, gate)
	exec(`INSERT INTO invitation_events (invitation_id, via, action, detail)
		SELECT id, 'link', 'answer', jsonb_build_object('dietary_needs', dietary_needs) FROM invitations`)

	// What is compared: one line per row, in a fixed order.
	snapshot := func(db *database.DB) map[string]string {
		t.Helper()
		queries := map[string]string{
			"guests":      "SELECT g.id || ' ' || g.given_name || ' ' || g.email || ' ' || d.name FROM guests g JOIN delegations d ON d.id = g.delegation_id ORDER BY g.id",
			"invitations": "SELECT id || ' ' || guest_id || ' ' || check_in_code || ' ' || dietary_needs || ' ' || encode(token_hash, 'hex') FROM invitations ORDER BY id",
			"answers":     "SELECT invitation_id || ' ' || status || ' ' || companions FROM invitation_ceremonies ORDER BY invitation_id",
			"check-ins":   "SELECT invitation_id || ' ' || checked_in_at || ' ' || checked_in_gate_id FROM invitation_ceremonies WHERE checked_in_at IS NOT NULL ORDER BY invitation_id",
			"history":     "SELECT id || ' ' || invitation_id || ' ' || action || ' ' || detail::text FROM invitation_events ORDER BY id",
			"migrations":  "SELECT version_id::text FROM goose_db_version WHERE is_applied ORDER BY id",
		}
		out := map[string]string{}
		for name, q := range queries {
			var rows []string
			if err := db.Gorm.WithContext(ctx).Raw(q).Scan(&rows).Error; err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			out[name] = fmt.Sprintf("%d rows\n%s", len(rows), strings.Join(rows, "\n"))
		}
		return out
	}
	before := snapshot(src)
	for name, want := range map[string]string{"guests": "120 rows", "answers": "120 rows", "check-ins": "40 rows"} {
		if !strings.HasPrefix(before[name], want+"\n") {
			t.Fatalf("fixture %s: %.20q, want %s", name, before[name], want)
		}
	}

	file := filepath.Join(t.TempDir(), "vigil.dump")
	env := map[string]string{"DATABASE_URL": srcURL + "&pool_max_conns=4", "VIGIL_PG_BINDIR": os.Getenv("VIGIL_PG_BINDIR")}
	if r := vigil(t, env, "", "backup", file); r.code != 0 || !strings.Contains(r.stdout, "backup: wrote") {
		t.Fatalf("backup: %+v", r)
	}
	if r := vigil(t, env, "", "backup", file); r.code != 1 || !strings.Contains(r.stderr, "already exists") {
		t.Fatalf("backup over an existing file: %+v", r)
	}
	if _, err := os.Stat(file + ".partial"); !os.IsNotExist(err) {
		t.Fatalf("a .partial file is left: %v", err)
	}

	// Restoring into the database it came from (not empty) is refused.
	if r := vigil(t, env, "", "restore", file); r.code != 1 || !strings.Contains(r.stderr, "not empty") {
		t.Fatalf("restore into a full database: %+v", r)
	}

	emptyURL := testdb.Empty(t)
	env["DATABASE_URL"] = emptyURL
	if r := vigil(t, env, "", "restore", file); r.code != 0 || !strings.Contains(r.stdout, "restore: loaded") {
		t.Fatalf("restore: %+v", r)
	}
	dst, err := database.Open(ctx, emptyURL)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	after := snapshot(dst)
	for name, want := range before {
		if after[name] != want {
			t.Errorf("%s after restore differs:\n got %.200q\nwant %.200q", name, after[name], want)
		}
	}
	// The restored database is one Vigil can serve: no migration pending.
	m, err := database.NewMigrator(dst.SQL)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := m.Pending(ctx); err != nil || n != 0 {
		t.Fatalf("pending migrations after restore: %d %v", n, err)
	}
	if r := vigil(t, env, "", "restore"); r.code != 2 {
		t.Fatalf("restore without a file: %+v", r)
	}
}
