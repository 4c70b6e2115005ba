package mail_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"vigil/internal/auth"
	"vigil/internal/testserver"
)

// The message log: organizers see every message, newest first, with its
// status, attempts and error, filtered by invitation or status and paged;
// staff may not.
func TestMessageLogPage(t *testing.T) {
	srv := testserver.Start(t)
	srv.AddUser(t, "org@example.org", auth.RoleOrganizer)
	srv.AddUser(t, "staff@example.org", auth.RoleStaff)
	db := srv.DB.Gorm
	exec := func(q string, args ...any) {
		t.Helper()
		if err := db.Exec(q, args...).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var cm, ed, g, inv int64
	scan := func(dst *int64, q string, args ...any) {
		t.Helper()
		if err := db.Raw(q+" RETURNING id", args...).Scan(dst).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	scan(&cm, "INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Day of Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	scan(&ed, "INSERT INTO editions (commemoration_id, year) VALUES (?, 2027)", cm)
	scan(&g, "INSERT INTO guests (family_name, email) VALUES ('Smith', 'smith@example.org')")
	scan(&inv, "INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code) VALUES (?, ?, 'n', 'h', 'c')", ed, g)
	// 55 old sent messages of nobody's invitation, then three of Smith's.
	exec(`INSERT INTO messages (recipient, template, language, subject, status, attempts, created_at, sent_at)
		SELECT 'bulk' || n || '@example.org', 'reminder', 'en', 'Reminder', 'sent', 1, now() - interval '2 days' + n * interval '1 second', now() - interval '2 days'
		FROM generate_series(1, 55) AS n`)
	exec(`INSERT INTO messages (invitation_id, guest_id, recipient, template, language, subject, status, attempts, last_error, created_at) VALUES
		(?, ?, 'smith@example.org', 'invitation', 'az', 'Dəvət: Day of Remembrance, 2027', 'sent', 1, '', now() - interval '1 hour'),
		(?, ?, 'smith@example.org', 'confirmation', 'az', '', 'queued', 2, 'dial tcp 127.0.0.1:1: connect: connection refused', now() - interval '30 minutes'),
		(?, ?, 'smith@example.org', 'reminder', 'az', '', 'failed', 8, 'mail: send: 550 mailbox unavailable', now())`, inv, g, inv, g, inv, g)

	staff := srv.NewClient(t)
	staff.Login("staff@example.org")
	if resp, _ := staff.Get("/messages"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("staff GET /messages: %d, want 403", resp.StatusCode)
	}
	org := srv.NewClient(t)
	org.Login("org@example.org")
	resp, body := org.Get("/messages")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /messages: %d", resp.StatusCode)
	}
	for _, want := range []string{"58 messages", "550 mailbox unavailable", "connection refused", `data-status="failed"`, `data-status="queued"`, "Dəvət: Day of Remembrance, 2027", "Azərbaycanca", fmt.Sprintf("/messages?invitation=%d", inv)} {
		if !strings.Contains(body, want) {
			t.Errorf("/messages lacks %q", want)
		}
	}
	// Newest first: the failed reminder, then the queued confirmation.
	if i, j := strings.Index(body, "550 mailbox"), strings.Index(body, "connection refused"); i < 0 || j < 0 || i > j {
		t.Error("messages are not newest first")
	}
	if strings.Contains(body, "bulk1@example.org") || !strings.Contains(body, "page=2") {
		t.Error("the oldest message is on page 1, or there is no page 2")
	}
	if _, body = org.Get("/messages?page=2"); !strings.Contains(body, "bulk1@example.org") {
		t.Error("page 2 lacks the oldest message")
	}
	_, body = org.Get(fmt.Sprintf("/messages?invitation=%d", inv))
	if !strings.Contains(body, "3 messages") || strings.Contains(body, "bulk") || !strings.Contains(body, fmt.Sprintf("Messages for invitation %d", inv)) {
		t.Errorf("filter by invitation:\n%s", body)
	}
	if _, body = org.Get("/messages?status=failed"); !strings.Contains(body, "1 message") || !strings.Contains(body, "550 mailbox") {
		t.Error("filter by status failed")
	}
	if resp, _ := org.Get("/messages?invitation=abc"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("bad invitation id: %d, want 404", resp.StatusCode)
	}
}
