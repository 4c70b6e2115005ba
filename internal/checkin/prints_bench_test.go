package checkin_test

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkBadgesPDF renders the badges of 1,000 accepted guests in 50
// delegations and 4 zones on A4 sheets (125 pages) through HTTP, and
// reports the time for the whole PDF, how far the server's heap grew
// while it answered (sampled every 2 ms, after a GC) and the file's size.
// The PDF is built in memory by fpdf before it is sent, so the growth is
// the measure to watch.
//
//	make bench PKG=./internal/checkin/ TESTFLAGS='-bench BadgesPDF -benchtime 5x'
func BenchmarkBadgesPDF(b *testing.B) {
	srv, exec, c := benchServer(b)
	db := srv.DB.Gorm
	var cer int64
	exec("INSERT INTO venues (name) VALUES ('Memorial')")
	exec(`INSERT INTO zones (venue_id, name, capacity, badge_colour)
		SELECT (SELECT id FROM venues), 'Zone ' || i, 1000, '#' || lpad(to_hex(i * 3000000), 6, '0') FROM generate_series(1, 4) i`)
	if err := db.Raw(`INSERT INTO ceremonies (edition_id, title, venue_id, starts_at, ends_at, status)
		SELECT id, 'Wreath-laying', (SELECT id FROM venues), '2099-02-26 07:00Z', '2099-02-26 08:00Z', 'published' FROM editions RETURNING id`).Scan(&cer).Error; err != nil {
		b.Fatal(err)
	}
	exec("INSERT INTO delegations (name, kind, precedence) SELECT 'Посольство ' || i, 'diplomatic_mission', i FROM generate_series(1, 50) i")
	// Names in the three scripts, an Arabic one in every five.
	exec(`INSERT INTO guests (honorific, given_name, family_name, delegation_id, language)
		SELECT 'H.E.', CASE WHEN i % 5 = 0 THEN 'محمد' ELSE 'İsmayıl' END,
		       CASE WHEN i % 5 = 0 THEN 'عبد الله ' || i ELSE 'Əliyev ' || i END,
		       (SELECT id FROM delegations ORDER BY id OFFSET i % 50 LIMIT 1), 'az'
		FROM generate_series(1, 1000) i`)
	exec(`INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code, companions_allowed)
		SELECT (SELECT id FROM editions), id, decode(md5(id::text), 'hex'), decode(md5('h' || id), 'hex'),
		       upper(substr(md5('c' || id), 1, 12)), 0 FROM guests`)
	exec(`INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, status, zone_id)
		SELECT i.id, ?, 'accepted',
		       (SELECT z.id FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM zones) z WHERE z.n = i.id % 4)
		FROM invitations i`, cer)
	exec("ANALYZE")

	url := fmt.Sprintf("%s/checkin/%d/badges.pdf?layout=sheet", srv.URL, cer)
	var whole time.Duration
	var peak, size int64
	for b.Loop() {
		_, t, n, g := benchGet(b, c, url)
		whole += t
		size = n
		peak = max(peak, g)
	}
	b.ReportMetric(float64(whole.Microseconds())/1000/float64(b.N), "whole-ms")
	b.ReportMetric(float64(peak)/(1<<20), "heap-growth-MB")
	b.ReportMetric(float64(size)/(1<<20), "pdf-MB")
}
