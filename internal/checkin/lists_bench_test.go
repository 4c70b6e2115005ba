package checkin_test

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkAttendeeList5000 renders the attendee list of a ceremony with
// 5,000 accepted guests in 100 delegations as HTML (screen and print),
// PDF, CSV and XLSX through HTTP, reporting the time to the first byte,
// the whole response, and how far the server's heap grew while it
// answered (targets.md: first byte ≤ 50 ms for HTML, PDF ≤ 2 s, XLSX ≤ 1 s,
// growth ≤ 50 MB).
//
//	make bench PKG=./internal/checkin/ TESTFLAGS='-bench AttendeeList5000 -benchtime 5x'
func BenchmarkAttendeeList5000(b *testing.B) {
	srv, exec, c := benchServer(b)
	db := srv.DB.Gorm
	var cer int64
	if err := db.Raw(`INSERT INTO ceremonies (edition_id, title, starts_at, ends_at, status)
		SELECT id, 'Wreath-laying', '2099-02-26 07:00Z', '2099-02-26 08:00Z', 'published' FROM editions RETURNING id`).Scan(&cer).Error; err != nil {
		b.Fatal(err)
	}
	exec("INSERT INTO delegations (name, kind, precedence) SELECT 'Embassy ' || i, 'diplomatic_mission', i FROM generate_series(1, 100) i")
	exec(`INSERT INTO guests (honorific, given_name, family_name, delegation_id, vip, language)
		SELECT 'H.E.', 'Guest', 'Məmmədov ' || i, (SELECT id FROM delegations ORDER BY id OFFSET i % 100 LIMIT 1), i % 50 = 0, 'az'
		FROM generate_series(1, 5000) i`)
	exec(`INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code, companions_allowed)
		SELECT (SELECT id FROM editions), id, decode(md5(id::text), 'hex'), decode(md5('h' || id), 'hex'), 'C' || id, 1 FROM guests`)
	exec(`INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, status, companions)
		SELECT id, ?, 'accepted', id % 2 FROM invitations`, cer)
	exec("ANALYZE")

	for _, format := range []string{"", "/print", ".pdf", ".csv", ".xlsx"} {
		name := "html"
		if format != "" {
			name = format[1:]
		}
		b.Run(name, func(b *testing.B) {
			url := fmt.Sprintf("%s/checkin/%d/list%s", srv.URL, cer, format)
			var firstByte, whole time.Duration
			var peak int64
			for b.Loop() {
				f, t, _, g := benchGet(b, c, url)
				firstByte += f
				whole += t
				peak = max(peak, g)
			}
			b.ReportMetric(float64(firstByte.Microseconds())/1000/float64(b.N), "first-byte-ms")
			b.ReportMetric(float64(whole.Microseconds())/1000/float64(b.N), "whole-ms")
			b.ReportMetric(float64(peak)/(1<<20), "heap-growth-MB")
		})
	}
}
