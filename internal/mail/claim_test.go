package mail

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"vigil/internal/mail/mailtest"
)

// Several jobs for one message running at the same moment (River's
// rescuer re-running a job still in flight, a duplicate job) send it
// once: one claims it, the others see the claim and are snoozed.
func TestConcurrentSendsSendOnce(t *testing.T) {
	mp := mailtest.Get(t)
	f := newFixture(t)
	s, _ := newService(t, f, mp.SMTPAddr, Deps{})
	ctx := context.Background()
	to := f.address("concurrent")
	inv := f.invite(t, "Concurrent", to, "en")
	m := f.queue(t, s, inv, TemplateInvitation)
	// A real SMTP dialogue over the network takes a while; Mailpit on
	// loopback answers in a millisecond. The delay puts every job inside
	// the first one's dialogue, as in production.
	slow := &slowSender{Sender: s.sender, delay: 300 * time.Millisecond}
	s.sender = slow

	const n = 8
	warmPool(t, f, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = s.send(ctx, m.ID, 1, DefaultMaxAttempts)
		})
	}
	close(start)
	wg.Wait()

	done, snoozed := 0, 0
	for i, err := range errs {
		var snooze *river.JobSnoozeError
		switch {
		case err == nil:
			done++
		case errors.As(err, &snooze):
			snoozed++
			if snooze.Duration <= 0 || snooze.Duration > sendLease+time.Minute {
				t.Errorf("job %d snoozed for %s", i, snooze.Duration)
			}
		default:
			t.Errorf("job %d: %v", i, err)
		}
	}
	t.Logf("%d jobs: %d finished, %d snoozed", n, done, snoozed)
	if done < 1 {
		t.Errorf("no job finished")
	}

	if c := slow.calls.Load(); c != 1 {
		t.Errorf("%d SMTP dialogues from %d concurrent jobs, want 1", c, n)
	}
	mp.WaitTo(t, to, 1, 10*time.Second)
	// Give a second e-mail, if one was sent, time to arrive.
	time.Sleep(500 * time.Millisecond)
	if got := len(mp.To(t, to)); got != 1 {
		t.Errorf("Mailpit received %d e-mails from %d concurrent jobs, want 1", got, n)
	}
	sent := f.message(t, inv, TemplateInvitation)
	if sent.Status != StatusSent || sent.Attempts != 1 || sent.SentAt == nil {
		t.Errorf("after the concurrent jobs: %+v, want sent after 1 attempt", sent)
	}

	// A snoozed job that comes back finds the message sent and ends
	// quietly, sending nothing.
	if err := s.send(ctx, m.ID, 1, DefaultMaxAttempts); err != nil {
		t.Errorf("a job after the message was sent: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	if got := len(mp.To(t, to)); got != 1 {
		t.Errorf("%d e-mails after a late job, want 1", got)
	}
}

// slowSender is the real sender, taking delay longer for each e-mail.
type slowSender struct {
	Sender
	delay time.Duration
	calls atomic.Int32
}

func (s *slowSender) Send(ctx context.Context, e Envelope) error {
	s.calls.Add(1)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(s.delay):
	}
	return s.Sender.Send(ctx, e)
}

// warmPool opens n connections of the pool at once, so that n jobs
// started together really run together instead of waiting in turn for a
// new connection.
func warmPool(t *testing.T, f *fixture, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := f.db.Pool.Exec(context.Background(), "SELECT pg_sleep(0.05)"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// leaseOf reads message id's lease (nil: none).
func (f *fixture) leaseOf(t *testing.T, id int64) *time.Time {
	t.Helper()
	var until sql.NullTime
	if err := f.db.SQL.QueryRow("SELECT sending_until FROM messages WHERE id = $1", id).Scan(&until); err != nil {
		t.Fatal(err)
	}
	if !until.Valid {
		return nil
	}
	return &until.Time
}

// A live lease keeps a job from sending and snoozes it until the lease
// ends; a lease left by a worker that died (run out) does not block the
// next attempt, which sends the message and ends the lease.
func TestLeaseBlocksUntilItRunsOut(t *testing.T) {
	mp := mailtest.Get(t)
	f := newFixture(t)
	s, _ := newService(t, f, mp.SMTPAddr, Deps{})
	ctx := context.Background()
	to := f.address("crashed")
	inv := f.invite(t, "Crashed", to, "en")
	m := f.queue(t, s, inv, TemplateConfirmation)

	// Another worker is sending it for 3 more minutes.
	f.db.Gorm.Exec("UPDATE messages SET sending_until = now() + interval '3 minutes' WHERE id = ?", m.ID)
	err := s.send(ctx, m.ID, 1, DefaultMaxAttempts)
	var snooze *river.JobSnoozeError
	if !errors.As(err, &snooze) {
		t.Fatalf("send during another's lease: %v, want a snooze", err)
	}
	if snooze.Duration < 3*time.Minute-10*time.Second || snooze.Duration > 3*time.Minute+10*time.Second {
		t.Errorf("snoozed for %s, want about the 3 minutes the lease still runs", snooze.Duration)
	}
	time.Sleep(300 * time.Millisecond)
	if got := mp.To(t, to); len(got) != 0 {
		t.Errorf("%d e-mails sent during another worker's lease", len(got))
	}
	if got := f.message(t, inv, TemplateConfirmation); got.Status != StatusQueued || got.Attempts != 0 {
		t.Errorf("a snoozed job changed the message: %+v", got)
	}

	// That worker died: its lease ran out a second ago.
	f.db.Gorm.Exec("UPDATE messages SET sending_until = now() - interval '1 second' WHERE id = ?", m.ID)
	if err := s.send(ctx, m.ID, 2, DefaultMaxAttempts); err != nil {
		t.Fatalf("send after the lease ran out: %v", err)
	}
	mp.WaitTo(t, to, 1, 10*time.Second)
	time.Sleep(300 * time.Millisecond)
	if got := mp.To(t, to); len(got) != 1 {
		t.Errorf("%d e-mails, want 1", len(got))
	}
	if got := f.message(t, inv, TemplateConfirmation); got.Status != StatusSent || got.Attempts != 1 || got.SendingUntil != nil {
		t.Errorf("after sending: %+v, want sent, 1 attempt, no lease", got)
	}
}

// A failed attempt (the SMTP server refuses connections) releases its
// lease at once, so River's retry claims the message and sends it,
// instead of being snoozed for the rest of the lease.
func TestFailedAttemptReleasesLease(t *testing.T) {
	mp := mailtest.Get(t)
	f := newFixture(t)
	down, _ := newService(t, f, closedPort(t), Deps{})
	up, _ := newService(t, f, mp.SMTPAddr, Deps{})
	ctx := context.Background()
	to := f.address("retry")
	inv := f.invite(t, "Retry", to, "en")
	if err := f.db.Gorm.Transaction(func(tx *gorm.DB) error { return down.Notify(ctx, tx, inv, TemplateWaitlisted) }); err != nil {
		t.Fatal(err)
	}
	m := f.message(t, inv, TemplateWaitlisted)

	err := down.send(ctx, m.ID, 1, DefaultMaxAttempts)
	var snooze *river.JobSnoozeError
	if err == nil || errors.As(err, &snooze) {
		t.Fatalf("attempt with the SMTP server down: %v, want its error", err)
	}
	got := f.message(t, inv, TemplateWaitlisted)
	if got.Status != StatusQueued || got.Attempts != 1 || got.SendingUntil != nil {
		t.Errorf("after the failed attempt: %+v, want queued, 1 attempt, no lease", got)
	}

	// The retry, with the server back.
	if err := up.send(ctx, m.ID, 2, DefaultMaxAttempts); err != nil {
		t.Fatalf("retry: %v", err)
	}
	mp.WaitTo(t, to, 1, 10*time.Second)
	if got := f.message(t, inv, TemplateWaitlisted); got.Status != StatusSent || got.Attempts != 2 || got.LastError != "" {
		t.Errorf("after the retry: %+v, want sent after 2 attempts", got)
	}
}

// A worker whose lease ran out, and whose message another worker then
// claimed, releases only its own lease when its attempt fails: the other
// worker's lease stays.
func TestReleaseLeavesAnotherLease(t *testing.T) {
	f := newFixture(t)
	s, _ := newService(t, f, "", Deps{})
	ctx := context.Background()
	inv := f.invite(t, "Slow", f.address("slow"), "en")
	id := f.queue(t, s, inv, TemplateChanged).ID

	first, claimed, _, err := s.store.claim(ctx, id, sendLease)
	if err != nil || !claimed || first.SendingUntil == nil {
		t.Fatalf("first claim: %+v %v %v", first, claimed, err)
	}
	if _, claimed, wait, err := s.store.claim(ctx, id, sendLease); err != nil || claimed || wait < sendLease-10*time.Second {
		t.Fatalf("second claim during the first lease: claimed %v, wait %s, %v", claimed, wait, err)
	}
	// The first lease runs out; a second worker claims the message.
	f.db.Gorm.Exec("UPDATE messages SET sending_until = now() - interval '1 second' WHERE id = ?", id)
	second, claimed, _, err := s.store.claim(ctx, id, sendLease)
	if err != nil || !claimed {
		t.Fatalf("claim after the lease ran out: %v %v", claimed, err)
	}
	if err := s.store.markAttempt(ctx, id, first.SendingUntil, "", "too slow", false); err != nil {
		t.Fatal(err)
	}
	if got := f.leaseOf(t, id); got == nil || !got.Equal(*second.SendingUntil) {
		t.Errorf("the first worker's failure changed the second's lease: %v, want %v", got, second.SendingUntil)
	}
	if err := s.store.markAttempt(ctx, id, second.SendingUntil, "", "refused", false); err != nil {
		t.Fatal(err)
	}
	if got := f.leaseOf(t, id); got != nil {
		t.Errorf("the second worker's failure left its lease: %v", got)
	}
}

// The lease outlasts the longest attempt: the worker's timeout, then the
// minute send keeps trying to record the message sent.
func TestLeaseOutlastsAttempt(t *testing.T) {
	if longest := (&sendWorker{}).Timeout(nil) + time.Minute; sendLease <= longest {
		t.Errorf("lease %s, but an attempt may last %s", sendLease, longest)
	}
}
