package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"vigil/internal/app"
	"vigil/internal/audit"
	"vigil/internal/auth"
	"vigil/internal/ceremony"
	"vigil/internal/database"
	"vigil/internal/delegation"
	"vigil/internal/invitation"
	"vigil/internal/testdb"
	"vigil/internal/venue"
)

// invitationCounts are the figures of the demo invitations a second seed
// must leave unchanged.
type invitationCounts struct {
	Invitations, Answers, Accepted, Declined, Waitlisted, Pending int
	Companions, ViaLink, ViaPhone, ViaNote, Events, Answered      int
	AnswerEvents, Messages, Jobs                                  int
}

func countInvitations(t *testing.T, db *gorm.DB) invitationCounts {
	t.Helper()
	var c invitationCounts
	err := db.Raw(`SELECT (SELECT count(*) FROM invitations) AS invitations,
		(SELECT count(*) FROM invitation_ceremonies) AS answers,
		(SELECT count(*) FROM invitation_ceremonies WHERE status = 'accepted') AS accepted,
		(SELECT count(*) FROM invitation_ceremonies WHERE status = 'declined') AS declined,
		(SELECT count(*) FROM invitation_ceremonies WHERE status = 'waitlisted') AS waitlisted,
		(SELECT count(*) FROM invitation_ceremonies WHERE status = 'pending') AS pending,
		(SELECT count(*) FROM invitation_companions) AS companions,
		(SELECT count(*) FROM invitations WHERE responded_via = 'link') AS via_link,
		(SELECT count(*) FROM invitations WHERE responded_via = 'staff' AND staff_channel = 'phone' AND responded_by IS NOT NULL) AS via_phone,
		(SELECT count(*) FROM invitations WHERE responded_via = 'staff' AND staff_channel = 'diplomatic_note' AND responded_by IS NOT NULL) AS via_note,
		(SELECT count(*) FROM invitation_events) AS events,
		(SELECT count(*) FROM invitations WHERE responded_at IS NOT NULL) AS answered,
		(SELECT count(DISTINCT invitation_id) FROM invitation_events WHERE action = 'answer') AS answer_events,
		(SELECT count(*) FROM messages) AS messages,
		(SELECT count(*) FROM river_job) AS jobs`).Scan(&c).Error
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// answersByName is every invited guest's name with the answer, which the
// seed must draw the same in every database (ids may differ).
func answersByName(t *testing.T, db *gorm.DB) string {
	t.Helper()
	var rows []string
	err := db.Raw(`SELECT g.given_name || ' ' || g.family_name || ': ' || ic.status || ' +' || ic.companions || ' ' || coalesce(i.responded_via, '-') || ' ' || i.staff_channel
		FROM invitation_ceremonies ic JOIN invitations i ON i.id = ic.invitation_id JOIN guests g ON g.id = i.guest_id
		ORDER BY 1`).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(rows, "\n")
}

func seedWithInvitations(t *testing.T, db *database.DB, secret []byte) time.Duration {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
	start := time.Now()
	_, err := Seed(ctx, auth.NewStore(db.Gorm), ceremony.NewStore(db.Gorm), venue.NewStore(db.Gorm), delegation.NewStore(db.Gorm),
		app.DemoInvitations(db, secret), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return time.Since(start)
}

func TestSeedInvitations(t *testing.T) {
	db, _ := testdb.New(t)
	ctx := context.Background()
	secret := []byte(strings.Repeat("s", 40))
	// Without a secret the seed leaves the invitations out; with one, the
	// next seed adds them.
	took := seedWithInvitations(t, db, nil)
	if n := countInvitations(t, db.Gorm).Invitations; n != 0 {
		t.Fatalf("%d invitations seeded without a secret", n)
	}
	t.Logf("Seed without invitations took %v", took)
	took = seedWithInvitations(t, db, secret)
	t.Logf("Seed of the invitations alone took %v", took)
	c := countInvitations(t, db.Gorm)
	t.Logf("demo invitations: %+v", c)

	// The demo has one published ceremony, so one answer per invitation.
	if c.Invitations < 120 || c.Invitations > 200 || c.Answers != c.Invitations {
		t.Fatalf("%d invitations with %d answers; want 120–200, one answer each", c.Invitations, c.Answers)
	}
	share := func(n int) float64 { return float64(n) / float64(c.Answers) }
	if s := share(c.Accepted + c.Waitlisted); s < 0.48 || s > 0.62 {
		t.Errorf("%.0f%% accepted (or waitlisted), want about 55%%", 100*s)
	}
	if s := share(c.Declined); s < 0.10 || s > 0.22 {
		t.Errorf("%.0f%% declined, want about 15%%", 100*s)
	}
	if s := share(c.Pending); s < 0.20 || s > 0.40 {
		t.Errorf("%.0f%% not answered, want about 30%%", 100*s)
	}
	if c.Companions == 0 || c.ViaLink < c.Answered/2 || c.ViaPhone == 0 || c.ViaNote == 0 || c.ViaLink+c.ViaPhone+c.ViaNote != c.Answered {
		t.Errorf("want companions, mostly link answers and some by phone and by note: %+v", c)
	}
	// Every answer is in the history, and every invitation has its
	// "invited" entry.
	if c.AnswerEvents != c.Answered || c.Events != c.Invitations+c.Answered {
		t.Errorf("%d invitations answered, %d with an answer in the history, %d history entries", c.Answered, c.AnswerEvents, c.Events)
	}
	// The demo sends nothing.
	if c.Messages != 0 || c.Jobs != 0 {
		t.Errorf("%d messages and %d jobs queued by the demo", c.Messages, c.Jobs)
	}
	// Heads of delegation may bring one companion, the others none.
	var heads, others int
	if err := db.Gorm.Raw(`SELECT count(*) FILTER (WHERE companions_allowed = 1), count(*) FILTER (WHERE companions_allowed = 0)
		FROM invitations`).Row().Scan(&heads, &others); err != nil {
		t.Fatal(err)
	}
	if heads < 40 || heads+others != c.Invitations {
		t.Errorf("%d invitations allow a companion, %d none", heads, others)
	}
	// The links open with the server's secret.
	store := app.DemoInvitations(db, secret)
	var id int64
	if err := db.Gorm.Raw("SELECT min(id) FROM invitations").Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	inv, err := store.ByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := store.ByToken(ctx, strings.TrimPrefix(store.Link(inv), "/rsvp/")); err != nil || got.ID != id {
		t.Errorf("the demo link does not open invitation %d: %v", id, err)
	}
	// The capacity holds: no zone has more seats taken than it holds.
	var over int
	if err := db.Gorm.Raw(`SELECT count(*) FROM (SELECT ic.zone_id, sum(1 + ic.companions) AS seats
		FROM invitation_ceremonies ic WHERE ic.status = 'accepted' GROUP BY ic.zone_id) s
		JOIN zones z ON z.id = s.zone_id WHERE s.seats > z.capacity`).Scan(&over).Error; err != nil {
		t.Fatal(err)
	}
	if over != 0 {
		t.Errorf("%d zones overbooked", over)
	}

	seeded := answersByName(t, db.Gorm)

	// Seeding again changes nothing, not even an answer staff changed
	// since: the invitations are the organizers' once there are some.
	var declined int64
	if err := db.Gorm.Raw("SELECT min(invitation_id) FROM invitation_ceremonies WHERE status = 'declined'").Scan(&declined).Error; err != nil {
		t.Fatal(err)
	}
	inv, err = store.ByID(ctx, declined)
	if err != nil {
		t.Fatal(err)
	}
	accept := map[int64]bool{inv.Ceremonies[0].CeremonyID: true}
	if _, err := store.Answer(ctx, declined, invitation.Response{Accept: accept}, invitation.Actor{Via: invitation.ViaStaff, Channel: "phone"}); err != nil {
		t.Fatal(err)
	}
	c = countInvitations(t, db.Gorm)
	seedWithInvitations(t, db, secret)
	if again := countInvitations(t, db.Gorm); again != c {
		t.Fatalf("second seed changed the invitations: %+v, then %+v", c, again)
	}

	// Another database gets the same answers from the same people.
	other, _ := testdb.New(t)
	t.Logf("the whole demo seed took %v", seedWithInvitations(t, other, []byte(strings.Repeat("t", 40))))
	if a, b := seeded, answersByName(t, other.Gorm); a != b {
		t.Errorf("the answers differ between two databases:\n%s\n----\n%s", a, b)
	}

}
