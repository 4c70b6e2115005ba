package invitation

import (
	"context"
	"testing"
	"time"
)

// An answer whose seat counts (migration 00015) deadlock with another
// transaction's is cancelled by PostgreSQL and tried again, and then
// recorded once: here a guest declines two ceremonies (the counts of the
// first, then of the second) while another transaction holds the second's
// count and then asks for the first's.
func TestAnswerRetriedAfterADeadlockOnTheSeatCounts(t *testing.T) {
	s, f, _ := newCore(t)
	ctx := context.Background()
	org := Actor{Via: ViaOrganizer}
	if _, err := s.InviteGuests(ctx, Invite{EditionID: f.edition, GuestIDs: f.guests[:1],
		Ceremonies: []CeremonyZone{{CeremonyID: f.small}, {CeremonyID: f.big}}}, org); err != nil {
		t.Fatal(err)
	}
	inv := f.invitation(t, s, f.guests[0])
	guest := Actor{Via: ViaLink}
	if _, err := s.Answer(ctx, inv.ID, Response{Accept: map[int64]bool{f.small: true, f.big: true}}, guest); err != nil {
		t.Fatal(err)
	}
	deadlocks := func() int64 {
		t.Helper()
		var n int64
		if err := f.db.Raw(`SELECT pg_stat_clear_snapshot(), deadlocks FROM pg_stat_database WHERE datname = current_database()`).Row().Scan(new(any), &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := deadlocks()

	other := f.db.Begin()
	defer other.Rollback()
	if err := other.Exec(`UPDATE ceremony_seats SET seats = seats WHERE ceremony_id = ?`, f.big).Error; err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.Answer(ctx, inv.ID, Response{Accept: map[int64]bool{f.small: false, f.big: false}}, guest)
		done <- err
	}()
	// The answer has taken the first ceremony's count and waits for the
	// second's; now the other transaction waits for the first's.
	time.Sleep(300 * time.Millisecond)
	if err := other.Exec(`UPDATE ceremony_seats SET seats = seats WHERE ceremony_id = ?`, f.small).Error; err != nil {
		t.Fatalf("the other transaction was the one cancelled: %v", err)
	}
	if err := other.Commit().Error; err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("answer after a deadlock: %v", err)
	}

	var declined, events int64
	f.db.Raw(`SELECT count(*) FROM invitation_ceremonies WHERE invitation_id = ? AND status = 'declined'`, inv.ID).Scan(&declined)
	f.db.Raw(`SELECT count(*) FROM invitation_events WHERE invitation_id = ? AND action = 'answer'`, inv.ID).Scan(&events)
	if declined != 2 || events != 2 {
		t.Errorf("%d ceremonies declined, %d answers in the history; want 2 and 2 (the acceptance, the decline once)", declined, events)
	}
	var seats int64
	f.db.Raw(`SELECT coalesce(sum(seats), 0) FROM ceremony_seats`).Scan(&seats)
	if seats != 0 {
		t.Errorf("%d seats still counted after the decline", seats)
	}
	// The deadlock did happen (the statistics arrive within a second).
	for wait := time.Now().Add(3 * time.Second); deadlocks() == before; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(wait) {
			t.Fatal("no deadlock was detected: the test did not set one up")
		}
	}
}
