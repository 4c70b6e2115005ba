package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"vigil/internal/config"
	"vigil/internal/database"
	"vigil/internal/i18n"
	"vigil/internal/mail/mailtest"
	"vigil/internal/testdb"
)

// fixture is a commemoration, an edition and invitations, written with
// plain SQL (those tables belong to other packages), and a Source that
// reads them the way the app's adapter does.
type fixture struct {
	db      *database.DB
	edition int64
	tag     string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, _ := testdb.New(t)
	f := &fixture{db: db, tag: fmt.Sprintf("%d", time.Now().UnixNano())}
	var cm int64
	f.one(t, &cm, "INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Day of Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	f.one(t, &f.edition, "INSERT INTO editions (commemoration_id, year, rsvp_deadline) VALUES (?, 2027, '2027-02-10')", cm)
	return f
}

func (f *fixture) one(t *testing.T, dst *int64, q string, args ...any) {
	t.Helper()
	if err := f.db.Gorm.Raw(q+" RETURNING id", args...).Scan(dst).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// invite makes a guest (with e-mail address email, "" for none) and an
// invitation; it returns the invitation's id.
func (f *fixture) invite(t *testing.T, family, email, lang string) int64 {
	t.Helper()
	var g, inv int64
	f.one(t, &g, "INSERT INTO guests (family_name, email, language) VALUES (?, ?, ?)", family, email, lang)
	f.one(t, &inv, "INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code) VALUES (?, ?, ?, ?, ?)",
		f.edition, g, []byte(family), []byte(f.tag+family), f.tag+family)
	return inv
}

// address is a recipient unique to this run, so that tests running at the
// same time against one Mailpit never see each other's mail.
func (f *fixture) address(name string) string { return name + "." + f.tag + "@example.org" }

type sqlSource struct{ f *fixture }

func (s sqlSource) Recipient(ctx context.Context, tx *gorm.DB, id int64) (Recipient, error) {
	var r Recipient
	res := tx.WithContext(ctx).Raw("SELECT g.id AS guest_id, g.email, g.language FROM invitations i JOIN guests g ON g.id = i.guest_id WHERE i.id = ?", id).Scan(&r)
	if res.Error == nil && res.RowsAffected == 0 {
		return r, ErrNotFound
	}
	return r, res.Error
}

func (s sqlSource) MessageData(ctx context.Context, id int64) (Data, error) {
	var row struct{ FamilyName, Email, Language string }
	res := s.f.db.Gorm.WithContext(ctx).Raw("SELECT g.family_name, g.email, g.language FROM invitations i JOIN guests g ON g.id = i.guest_id WHERE i.id = ?", id).Scan(&row)
	if res.Error != nil {
		return Data{}, res.Error
	}
	if res.RowsAffected == 0 {
		return Data{}, ErrNotFound
	}
	baku, _ := time.LoadLocation("Asia/Baku")
	return Data{InvitationID: id, GuestName: row.FamilyName, Email: row.Email, Language: row.Language, Edition: "Day of Remembrance",
		Year: 2027, Anniversary: 35, Location: baku, Link: fmt.Sprintf("https://vigil.example.org/rsvp/secret-token-%d", id),
		Ceremonies: []Ceremony{{Title: "Wreath-laying", StartsAt: time.Date(2027, 2, 26, 7, 0, 0, 0, time.UTC), EndsAt: time.Date(2027, 2, 26, 8, 0, 0, 0, time.UTC), Status: "pending"}},
	}, nil
}

func (s sqlSource) Unanswered(ctx context.Context, ids []int64) ([]Due, error) {
	var open []int64
	if err := s.f.db.Gorm.WithContext(ctx).Raw("SELECT id FROM invitations WHERE id IN ? AND responded_at IS NULL AND revoked_at IS NULL ORDER BY id", ids).Scan(&open).Error; err != nil {
		return nil, err
	}
	baku, _ := time.LoadLocation("Asia/Baku")
	var out []Due
	for _, id := range open {
		out = append(out, Due{InvitationID: id, Location: baku})
	}
	return out, nil
}

func (s sqlSource) DueReminders(context.Context, time.Time) ([]Due, error) { return nil, nil }

// newService builds the service over the fixture, sending to smtp ("":
// not configured). It is not started: the tests run the worker directly
// unless they start it.
func newService(t *testing.T, f *fixture, smtp string, d Deps) (*Service, *bytes.Buffer) {
	t.Helper()
	tr, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	sender, err := NewSender(config.SMTP{Addr: smtp, TLS: "none", From: "Protocol Office <protocol@vigil.example.org>"})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	d.Gorm, d.SQL, d.Pool, d.Source, d.Sender, d.Translator = f.db.Gorm, f.db.SQL, f.db.Pool, sqlSource{f}, sender, tr
	d.From = "Protocol Office <protocol@vigil.example.org>"
	d.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
	return s, &logs
}

func (f *fixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.Gorm.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// queue has s queue the template's e-mail to invitationID, in a
// transaction of its own, and returns the message queued.
func (f *fixture) queue(t *testing.T, s *Service, invitationID int64, template string) Message {
	t.Helper()
	if err := f.db.Gorm.Transaction(func(tx *gorm.DB) error {
		return s.Notify(context.Background(), tx, invitationID, template)
	}); err != nil {
		t.Fatal(err)
	}
	return f.message(t, invitationID, template)
}

func (f *fixture) message(t *testing.T, invitationID int64, template string) Message {
	t.Helper()
	var m Message
	if err := f.db.Gorm.Where("invitation_id = ? AND template = ?", invitationID, template).Order("id DESC").Take(&m).Error; err != nil {
		t.Fatalf("message %s of invitation %d: %v", template, invitationID, err)
	}
	return m
}

// Notify writes the message and its job in the caller's transaction: a
// rollback leaves neither, a commit both.
func TestNotifyRollsBackWithTheTransaction(t *testing.T) {
	f := newFixture(t)
	s, _ := newService(t, f, "", Deps{})
	ctx := context.Background()
	inv := f.invite(t, "Əliyev", f.address("aliyev"), "az")
	jobs := func() int {
		return f.count(t, "SELECT count(*) FROM river_job WHERE kind = 'mail_send_message'")
	}

	boom := errors.New("the change failed")
	err := f.db.Gorm.Transaction(func(tx *gorm.DB) error {
		if err := s.Notify(ctx, tx, inv, TemplateInvitation); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("transaction: %v", err)
	}
	if n := f.count(t, "SELECT count(*) FROM messages"); n != 0 {
		t.Errorf("%d messages left by a rolled-back transaction", n)
	}
	if n := jobs(); n != 0 {
		t.Errorf("%d jobs left by a rolled-back transaction", n)
	}

	m := f.queue(t, s, inv, TemplateInvitation)
	if m.Status != StatusQueued || m.Recipient != f.address("aliyev") || m.Language != "az" || m.Attempts != 0 {
		t.Errorf("queued message: %+v", m)
	}
	if n := f.count(t, "SELECT count(*) FROM river_job WHERE kind = 'mail_send_message' AND (args->>'message_id')::bigint = ? AND queue = ? AND max_attempts = ?", m.ID, QueueMail, DefaultMaxAttempts); n != 1 {
		t.Errorf("%d jobs for message %d, want 1", n, m.ID)
	}

	// No address: a failed message says so, and no job is queued.
	none := f.invite(t, "Smith", "", "en")
	if err := f.db.Gorm.Transaction(func(tx *gorm.DB) error { return s.Notify(ctx, tx, none, TemplateInvitation) }); err != nil {
		t.Fatal(err)
	}
	if m := f.message(t, none, TemplateInvitation); m.Status != StatusFailed || m.LastError != "no e-mail address" {
		t.Errorf("message to a guest without address: %+v", m)
	}
	if n := jobs(); n != 1 {
		t.Errorf("%d jobs, want 1 (none for the guest without address)", n)
	}

	// Outside a transaction, or with a template that does not exist,
	// nothing is written.
	if err := s.Notify(ctx, f.db.Gorm, inv, TemplateInvitation); err == nil {
		t.Error("Notify outside a transaction worked")
	}
	if err := f.db.Gorm.Transaction(func(tx *gorm.DB) error { return s.Notify(ctx, tx, inv, "birthday") }); err == nil {
		t.Error("an unknown template was queued")
	}
	if n := f.count(t, "SELECT count(*) FROM messages"); n != 2 {
		t.Errorf("%d messages, want 2", n)
	}
}

// The worker sends a queued message through a real SMTP server once: a
// second run of the same job (a retry after a crash) sends nothing.
func TestSendOnceThroughSMTP(t *testing.T) {
	mp := mailtest.Get(t)
	f := newFixture(t)
	s, logs := newService(t, f, mp.SMTPAddr, Deps{})
	ctx := context.Background()
	to := f.address("ivanov")
	inv := f.invite(t, "Иванов", to, "ru")
	m := f.queue(t, s, inv, TemplateReminder)
	if err := s.send(ctx, m.ID, 1, DefaultMaxAttempts); err != nil {
		t.Fatalf("send: %v", err)
	}
	got := mp.WaitTo(t, to, 1, 10*time.Second)
	msg := mp.Message(t, got[0].ID)
	if msg.Subject != "Напоминание: ответ на приглашение, Day of Remembrance, 2027" || msg.From == nil || msg.From.Address != "protocol@vigil.example.org" {
		t.Errorf("subject %q from %+v", msg.Subject, msg.From)
	}
	link := fmt.Sprintf("https://vigil.example.org/rsvp/secret-token-%d", inv)
	if !strings.Contains(msg.Text, link) || !strings.Contains(msg.HTML, link) || !strings.Contains(msg.Text, "Уважаемый(-ая) Иванов!") {
		t.Errorf("body lacks the link or the Russian greeting:\n%s", msg.Text)
	}
	if msg.MessageID != fmt.Sprintf("vigil-message-%d@vigil.example.org", m.ID) {
		t.Errorf("Message-ID %q", msg.MessageID)
	}
	raw := mp.Raw(t, got[0].ID)
	if !strings.Contains(raw, "multipart/alternative") || !strings.Contains(raw, "text/plain") || !strings.Contains(raw, "text/html") {
		t.Errorf("not multipart/alternative with text and HTML:\n%.600s", raw)
	}
	sent := f.message(t, inv, TemplateReminder)
	if sent.Status != StatusSent || sent.Attempts != 1 || sent.SentAt == nil || sent.Subject != msg.Subject || sent.LastError != "" {
		t.Errorf("after sending: %+v", sent)
	}

	// The same job again: nothing is sent, nothing changes.
	if err := s.send(ctx, m.ID, 2, DefaultMaxAttempts); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(mp.To(t, to)); n != 1 {
		t.Errorf("%d messages after the job ran twice, want 1", n)
	}
	if again := f.message(t, inv, TemplateReminder); again.Attempts != 1 || !again.SentAt.Equal(*sent.SentAt) {
		t.Errorf("second run changed the message: %+v", again)
	}
	if strings.Contains(logs.String(), "secret-token") {
		t.Errorf("the personal link is in the log:\n%s", logs.String())
	}
}

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// A server that cannot be reached: each attempt is recorded with its
// error and the message stays queued while attempts remain, then is
// marked failed.
func TestFailingSMTPServer(t *testing.T) {
	f := newFixture(t)
	s, _ := newService(t, f, closedPort(t), Deps{})
	ctx := context.Background()
	inv := f.invite(t, "Dubois", f.address("dubois"), "en")
	m := f.queue(t, s, inv, TemplateInvitation)
	for attempt := 1; attempt <= 3; attempt++ {
		if err := s.send(ctx, m.ID, attempt, 3); err == nil {
			t.Fatalf("attempt %d to a closed port succeeded", attempt)
		}
		got := f.message(t, inv, TemplateInvitation)
		want := StatusQueued
		if attempt == 3 {
			want = StatusFailed
		}
		if got.Status != want || got.Attempts != attempt || !strings.Contains(got.LastError, "connection refused") || got.SentAt != nil {
			t.Errorf("after attempt %d: %+v, want status %s", attempt, got, want)
		}
	}
	// A failed message is not tried again by a stray job.
	if err := s.send(ctx, m.ID, 4, 3); err != nil {
		t.Errorf("job for a failed message: %v", err)
	}
	if got := f.message(t, inv, TemplateInvitation); got.Attempts != 3 {
		t.Errorf("a failed message was tried again: %+v", got)
	}
}

// fastRetry retries at once, so River's retries run within the test.
type fastRetry struct{}

func (fastRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(50 * time.Millisecond) }

// The same through River itself: its retries run the worker until the
// attempts are used up, and the message ends failed.
func TestRiverRetriesThenGivesUp(t *testing.T) {
	f := newFixture(t)
	s, _ := newService(t, f, closedPort(t), Deps{MaxAttempts: 3, RetryPolicy: fastRetry{}})
	s.Start()
	ctx := context.Background()
	inv := f.invite(t, "Müller", f.address("muller"), "en")
	if err := f.db.Gorm.Transaction(func(tx *gorm.DB) error { return s.Notify(ctx, tx, inv, TemplatePromoted) }); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		m := f.message(t, inv, TemplatePromoted)
		if m.Status == StatusFailed {
			if m.Attempts != 3 || m.LastError == "" {
				t.Errorf("failed message: %+v", m)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("message not failed after 30 s: %+v", m)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// River records the job's end just after the worker returns.
	for f.count(t, "SELECT count(*) FROM river_job WHERE kind = 'mail_send_message' AND state = 'discarded' AND attempt = 3") != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the job was not discarded after 3 attempts")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Reminders on demand go only to invitations without an answer, at most
// once a day each, however often they are asked for.
func TestRemindNowOncePerDay(t *testing.T) {
	f := newFixture(t)
	s, _ := newService(t, f, "", Deps{})
	ctx := context.Background()
	open := f.invite(t, "Open", f.address("open"), "en")
	answered := f.invite(t, "Answered", f.address("answered"), "en")
	revoked := f.invite(t, "Revoked", f.address("revoked"), "en")
	f.db.Gorm.Exec("UPDATE invitations SET responded_at = now(), responded_via = 'link' WHERE id = ?", answered)
	f.db.Gorm.Exec("UPDATE invitations SET revoked_at = now() WHERE id = ?", revoked)
	all := []int64{open, answered, revoked}

	n, err := s.RemindNow(ctx, all)
	if err != nil || n != 1 {
		t.Fatalf("RemindNow: %d %v, want 1", n, err)
	}
	if n, err = s.RemindNow(ctx, all); err != nil || n != 0 {
		t.Fatalf("RemindNow again the same day: %d %v, want 0", n, err)
	}
	reminders := func(id int64) int {
		return f.count(t, "SELECT count(*) FROM messages WHERE invitation_id = ? AND template = 'reminder'", id)
	}
	if reminders(open) != 1 || reminders(answered) != 0 || reminders(revoked) != 0 {
		t.Errorf("reminders: open %d, answered %d, revoked %d", reminders(open), reminders(answered), reminders(revoked))
	}
	// The next day (in Baku) it may go again.
	f.db.Gorm.Exec("UPDATE messages SET created_at = created_at - interval '1 day'")
	if n, err = s.RemindNow(ctx, all); err != nil || n != 1 || reminders(open) != 2 {
		t.Fatalf("RemindNow the next day: %d %v (%d reminders)", n, err, reminders(open))
	}
}
