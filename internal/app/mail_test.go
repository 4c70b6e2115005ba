package app

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/internal/config"
	"vigil/internal/database"
	"vigil/internal/invitation"
	"vigil/internal/mail"
	"vigil/internal/mail/mailtest"
	"vigil/internal/testdb"
)

// syncBuffer is a log sink the test reads while the app writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// mailFixture is an edition with a published ceremony in Baku and guests,
// written with plain SQL.
type mailFixture struct {
	db       *database.DB
	url      string
	edition  int64
	ceremony int64
	tag      string
}

func newMailFixture(t *testing.T, deadline string, reminderDays int) *mailFixture {
	t.Helper()
	db, url := testdb.New(t)
	f := &mailFixture{db: db, url: url, tag: fmt.Sprintf("%d", time.Now().UnixNano())}
	var cm, venue int64
	f.one(t, &cm, "INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Day of Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	f.one(t, &f.edition, "INSERT INTO editions (commemoration_id, year, status, rsvp_deadline, reminder_days) VALUES (?, 2027, 'invitations_open', ?, ?)", cm, deadline, reminderDays)
	f.one(t, &venue, "INSERT INTO venues (name, address) VALUES ('Memorial', '1 Memorial Avenue')")
	f.one(t, &f.ceremony, "INSERT INTO ceremonies (edition_id, title, venue_id, status, starts_at, ends_at, dress_code) VALUES (?, 'Wreath-laying', ?, 'published', '2027-02-26 07:00Z', '2027-02-26 08:30Z', 'Dark suit')", f.edition, venue)
	return f
}

func (f *mailFixture) one(t *testing.T, dst *int64, q string, args ...any) {
	t.Helper()
	if err := f.db.Gorm.Raw(q+" RETURNING id", args...).Scan(dst).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func (f *mailFixture) guest(t *testing.T, given, family, email, lang string) int64 {
	t.Helper()
	var id int64
	f.one(t, &id, "INSERT INTO guests (honorific, given_name, family_name, email, language) VALUES ('H.E.', ?, ?, ?, ?)", given, family, email, lang)
	return id
}

func (f *mailFixture) address(name string) string { return name + "." + f.tag + "@example.org" }

// start runs the app over the fixture, sending to smtp ("": none).
func (f *mailFixture) start(t *testing.T, smtp string) (*App, *syncBuffer) {
	t.Helper()
	env := map[string]string{
		"DATABASE_URL": f.url, "VIGIL_BASE_URL": "https://vigil.example.org", "VIGIL_SECRET": strings.Repeat("k", 40),
		"VIGIL_SMTP_ADDR": smtp, "VIGIL_SMTP_TLS": "none", "VIGIL_SMTP_FROM": "Protocol Office <protocol@vigil.example.org>",
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, config.NeedServer)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	a, err := New(cfg, f.db, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a, logs
}

func (f *mailFixture) invitationOf(t *testing.T, a *App, guest int64) *invitation.Invitation {
	t.Helper()
	var id int64
	if err := f.db.Gorm.Raw("SELECT id FROM invitations WHERE guest_id = ?", guest).Scan(&id).Error; err != nil || id == 0 {
		t.Fatalf("no invitation for guest %d: %v", guest, err)
	}
	inv, err := a.Invitations.ByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func (f *mailFixture) messages(t *testing.T, invitationID int64, template string) []mail.Message {
	t.Helper()
	var ms []mail.Message
	if err := f.db.Gorm.Where("invitation_id = ? AND template = ?", invitationID, template).Order("id").Find(&ms).Error; err != nil {
		t.Fatal(err)
	}
	return ms
}

// waitSent waits until invitation id's template message is sent.
func (f *mailFixture) waitSent(t *testing.T, id int64, template string) mail.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ms := f.messages(t, id, template)
		if len(ms) == 1 && ms[0].Status == mail.StatusSent {
			return ms[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s message of invitation %d not sent: %+v", template, id, ms)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// End to end: inviting guests with "send" queues the e-mails in the
// invitation's transaction, River's worker sends them through Mailpit in
// each guest's language with the personal link, and the log says sent.
// The answer's confirmation carries the calendar file. The link never
// reaches the log.
func TestInvitationMailEndToEnd(t *testing.T) {
	mp := mailtest.Get(t)
	f := newMailFixture(t, "2027-02-10", 7)
	a, logs := f.start(t, mp.SMTPAddr)
	ctx := context.Background()
	en := f.guest(t, "Jane", "Smith", f.address("smith"), "en")
	az := f.guest(t, "Leyla", "Əliyeva", f.address("aliyeva"), "az")
	none := f.guest(t, "Pierre", "Dubois", "", "en")
	_, err := a.Invitations.InviteGuests(ctx, invitation.Invite{EditionID: f.edition, GuestIDs: []int64{en, az, none}, Companions: 1, Send: true,
		Ceremonies: []invitation.CeremonyZone{{CeremonyID: f.ceremony}}}, invitation.Actor{Via: invitation.ViaOrganizer})
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		guest       int64
		to, subject string
		words       []string
	}{
		{en, f.address("smith"), "Invitation: Day of Remembrance, 2027", []string{"Dear H.E. Jane Smith,", "Friday, 26 February 2027, 11:00–12:30 (Baku time)", "Memorial, 1 Memorial Avenue"}},
		{az, f.address("aliyeva"), "Dəvət: Day of Remembrance, 2027", []string{"Hörmətli H.E. Leyla Əliyeva,", "cümə, 26 fevral 2027, 11:00–12:30 (Bakı vaxtı)", "mərasimlərinə dəvət etməkdən şərəf duyuruq"}},
	}
	var links []string
	for _, c := range cases {
		inv := f.invitationOf(t, a, c.guest)
		link := "https://vigil.example.org" + a.Invitations.Link(inv)
		links = append(links, link)
		got := mp.WaitTo(t, c.to, 1, 20*time.Second)
		msg := mp.Message(t, got[0].ID)
		if len(msg.To) != 1 || msg.To[0].Address != c.to || msg.Subject != c.subject {
			t.Errorf("to %+v subject %q, want %s %q", msg.To, msg.Subject, c.to, c.subject)
		}
		if !strings.Contains(msg.Text, link) || !strings.Contains(msg.HTML, `href="`+link+`"`) {
			t.Errorf("%s: the personal link %s is missing:\n%s", c.to, link, msg.Text)
		}
		for _, w := range c.words {
			if !strings.Contains(msg.Text, w) {
				t.Errorf("%s: text lacks %q:\n%s", c.to, w, msg.Text)
			}
		}
		m := f.waitSent(t, inv.ID, mail.TemplateInvitation)
		if m.Attempts != 1 || m.Recipient != c.to || m.Subject != c.subject || m.SentAt == nil {
			t.Errorf("logged message: %+v", m)
		}
	}
	// No address: logged as failed, nothing sent.
	if ms := f.messages(t, f.invitationOf(t, a, none).ID, mail.TemplateInvitation); len(ms) != 1 || ms[0].Status != mail.StatusFailed || ms[0].LastError != "no e-mail address" {
		t.Errorf("guest without address: %+v", ms)
	}

	// The answer: a confirmation with the calendar file.
	inv := f.invitationOf(t, a, az)
	if _, err := a.Invitations.Answer(ctx, inv.ID, invitation.Response{Accept: map[int64]bool{f.ceremony: true}, Companions: []string{"Aysel Məmmədova"}},
		invitation.Actor{Via: invitation.ViaLink}); err != nil {
		t.Fatal(err)
	}
	got := mp.WaitTo(t, f.address("aliyeva"), 2, 20*time.Second)
	conf := mp.Message(t, got[0].ID)
	if conf.Subject != "Cavabınız qeydə alındı: Day of Remembrance, 2027" || !strings.Contains(conf.Text, "Cavabınız: iştirak edəcəksiniz") || !strings.Contains(conf.Text, "Aysel Məmmədova") {
		t.Errorf("confirmation %q:\n%s", conf.Subject, conf.Text)
	}
	if len(conf.Attachments) != 1 || conf.Attachments[0].FileName != "calendar.ics" || !strings.HasPrefix(conf.Attachments[0].ContentType, "text/calendar") {
		t.Fatalf("confirmation attachments: %+v", conf.Attachments)
	}
	ics := string(mp.Part(t, conf.ID, conf.Attachments[0].PartID))
	if !strings.Contains(ics, "BEGIN:VCALENDAR") || !strings.Contains(ics, "BEGIN:VEVENT") || !strings.Contains(ics, "Asia/Baku") {
		t.Errorf("calendar file:\n%s", ics)
	}
	f.waitSent(t, inv.ID, mail.TemplateConfirmation)

	// Each e-mail went exactly once.
	time.Sleep(500 * time.Millisecond)
	if n := len(mp.To(t, f.address("smith"))); n != 1 {
		t.Errorf("%d e-mails to the English guest, want 1", n)
	}
	if n := len(mp.To(t, f.address("aliyeva"))); n != 2 {
		t.Errorf("%d e-mails to the Azerbaijani guest, want 2", n)
	}
	for _, l := range links {
		token := l[strings.LastIndex(l, "/")+1:]
		if strings.Contains(logs.String(), token) {
			t.Errorf("a personal link's token is in the log")
		}
	}
	if !strings.Contains(logs.String(), "mail: sent") {
		t.Errorf("the log does not show the sending:\n%s", logs.String())
	}
}

// The reminder job: on the edition's reminder day (deadline less reminder
// days, in Baku) it reminds those who have not answered, not those who
// answered or whose link is revoked, once a day however often it runs;
// the periodic job runs it when Vigil starts.
func TestRemindersGoToTheUnansweredOncePerDay(t *testing.T) {
	baku, err := time.LoadLocation("Asia/Baku")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().In(baku).AddDate(0, 0, 5).Format("2006-01-02")
	f := newMailFixture(t, deadline, 5)
	// A second edition whose reminder day is not today.
	var other int64
	f.one(t, &other, "INSERT INTO editions (commemoration_id, year, status, rsvp_deadline, reminder_days) SELECT commemoration_id, 2028, 'invitations_open', ?, 3 FROM editions WHERE id = ?", deadline, f.edition)

	// Invitations made before Vigil starts (without e-mail).
	store := invitation.NewStore(f.db.Gorm, invitation.NewTokens([]byte(strings.Repeat("k", 40))), nil, nil)
	ctx := context.Background()
	open := f.guest(t, "Open", "Guest", f.address("open"), "en")
	answered := f.guest(t, "Answered", "Guest", f.address("answered"), "ru")
	revoked := f.guest(t, "Revoked", "Guest", f.address("revoked"), "az")
	elsewhere := f.guest(t, "Other", "Guest", f.address("other"), "en")
	by := invitation.Actor{Via: invitation.ViaOrganizer}
	if _, err := store.InviteGuests(ctx, invitation.Invite{EditionID: f.edition, GuestIDs: []int64{open, answered, revoked}}, by); err != nil {
		t.Fatal(err)
	}
	if _, err := store.InviteGuests(ctx, invitation.Invite{EditionID: other, GuestIDs: []int64{elsewhere}}, by); err != nil {
		t.Fatal(err)
	}
	f.db.Gorm.Exec("UPDATE invitations SET responded_at = now(), responded_via = 'link' WHERE guest_id = ?", answered)
	f.db.Gorm.Exec("UPDATE invitations SET revoked_at = now() WHERE guest_id = ?", revoked)

	a, _ := f.start(t, "")
	inv := func(g int64) int64 { return f.invitationOf(t, a, g).ID }
	reminders := func(g int64) int { return len(f.messages(t, inv(g), mail.TemplateReminder)) }

	// The periodic job runs on start.
	for wait := time.Now().Add(20 * time.Second); reminders(open) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(wait) {
			t.Fatal("the periodic reminder job did not run on start")
		}
	}
	// Run again, and on demand for everyone: still one reminder each day.
	if _, err := a.Mail().Remind(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := a.Mail().RemindNow(ctx, []int64{inv(open), inv(answered), inv(revoked), inv(elsewhere)})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 { // only the other edition's open invitation
		t.Errorf("RemindNow queued %d, want 1", n)
	}
	if reminders(open) != 1 || reminders(answered) != 0 || reminders(revoked) != 0 || reminders(elsewhere) != 1 {
		t.Errorf("reminders: open %d answered %d revoked %d elsewhere %d", reminders(open), reminders(answered), reminders(revoked), reminders(elsewhere))
	}
	if m := f.messages(t, inv(open), mail.TemplateReminder)[0]; m.Recipient != f.address("open") || m.Language != "en" {
		t.Errorf("reminder: %+v", m)
	}
	// A day later (the reminder moved back a day) the job may remind
	// again.
	f.db.Gorm.Exec("UPDATE messages SET created_at = created_at - interval '1 day'")
	if _, err := a.Mail().Remind(ctx); err != nil {
		t.Fatal(err)
	}
	if reminders(open) != 2 {
		t.Errorf("reminders a day later: %d, want 2", reminders(open))
	}
}
