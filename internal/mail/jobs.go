package mail

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"
)

// SendMessage is the River job that sends message MessageID.
type SendMessage struct {
	MessageID int64 `json:"message_id"`
}

// Kind names the job in River's table.
func (SendMessage) Kind() string { return "mail_send_message" }

// InsertOpts puts the job on the mail queue.
func (SendMessage) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: QueueMail} }

type sendWorker struct {
	river.WorkerDefaults[SendMessage]
	s *Service
}

// Timeout bounds one attempt: the SMTP dialogue has 30 seconds of its own.
func (w *sendWorker) Timeout(*river.Job[SendMessage]) time.Duration { return 2 * time.Minute }

func (w *sendWorker) Work(ctx context.Context, job *river.Job[SendMessage]) error {
	return w.s.send(ctx, job.Args.MessageID, job.Attempt, job.MaxAttempts)
}

// maxErrorLen bounds the error text kept in the log.
const maxErrorLen = 1000

// sendLease is how long a worker's claim on a message keeps other workers
// from sending it. It must outlast one attempt: the worker's Timeout (2
// minutes, SMTP's own 30 seconds within it), then up to a minute of
// recording the message sent (or 30 seconds recording a failure). A lease
// that ran out while its worker still sends would let a second one send
// the e-mail again. Only a worker that died leaves its lease to run out;
// River's rescuer (RescueStuckJobsAfter, 5 minutes) re-runs its job about
// when the lease ends.
const sendLease = 5 * time.Minute

// send makes attempt number attempt (of max) at message id. It first
// claims the message in the database, so that of several jobs running for
// it at the same moment only one sends it: the others are snoozed until
// the claim's lease ends. A message already sent (or given up) is left
// alone, so a job that runs twice sends once. A failed attempt is recorded
// and its claim released and the error returned, so River tries again
// later; after the last attempt the message is marked failed.
func (s *Service) send(ctx context.Context, id int64, attempt, max int) error {
	m, claimed, wait, err := s.store.claim(ctx, id, sendLease)
	if errors.Is(err, ErrNoMessage) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if !claimed {
		if m.Status != StatusQueued {
			return nil
		}
		// Another job is sending it now. Look again just after its lease
		// ends: by then it is sent, or released for a retry, or its worker
		// died. A snooze does not use up one of the job's attempts.
		s.log.Info("mail: message being sent by another job; waiting", "message_id", m.ID, "for", wait.Round(time.Second))
		return river.JobSnooze(wait + time.Second)
	}
	if m.InvitationID == nil {
		return s.giveUp(ctx, m, "the invitation was deleted")
	}
	d, err := s.source.MessageData(ctx, *m.InvitationID)
	if errors.Is(err, ErrNotFound) {
		return s.giveUp(ctx, m, "the invitation was deleted")
	}
	if err != nil {
		return s.failed(ctx, m, attempt, max, "", err)
	}
	// The message goes to the address and in the language it was queued
	// with: that is what the log shows.
	d.Language = m.Language
	e, err := s.render.Render(m.Template, d)
	if err != nil {
		return s.failed(ctx, m, attempt, max, "", err)
	}
	env := Envelope{From: s.from, To: m.Recipient, MessageID: fmt.Sprintf("vigil-message-%d@%s", m.ID, s.domain), Email: e}
	if err := s.sender.Send(ctx, env); err != nil {
		return s.failed(ctx, m, attempt, max, e.Subject, err)
	}
	// Sent: record it even if Vigil is stopping, and keep trying for a
	// while if the database is briefly away, since a retried job would
	// send the e-mail a second time.
	rec, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	for wait := 100 * time.Millisecond; ; wait *= 2 {
		err = s.store.markSent(rec, m.ID, e.Subject, s.now())
		if err == nil {
			s.log.Info("mail: sent", "message_id", m.ID, "template", m.Template, "attempt", attempt)
			return nil
		}
		if rec.Err() != nil {
			return fmt.Errorf("mail: message %d was sent but could not be recorded: %w", m.ID, err)
		}
		select {
		case <-rec.Done():
		case <-time.After(wait):
		}
	}
}

// failed records a failed attempt at m (claimed by send), releases the
// claim and returns err for River to retry, or, after the last attempt,
// marks the message failed.
func (s *Service) failed(ctx context.Context, m *Message, attempt, max int, subject string, err error) error {
	final := attempt >= max
	msg := err.Error()
	if len(msg) > maxErrorLen {
		msg = msg[:maxErrorLen]
	}
	rec, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if rerr := s.store.markAttempt(rec, m.ID, m.SendingUntil, subject, msg, final); rerr != nil {
		return errors.Join(err, rerr)
	}
	s.log.Warn("mail: attempt failed", "message_id", m.ID, "template", m.Template, "attempt", attempt, "of", max, "final", final, "err", msg)
	return err
}

// giveUp marks a message failed for good, without retries.
func (s *Service) giveUp(ctx context.Context, m *Message, reason string) error {
	if err := s.store.markAttempt(ctx, m.ID, m.SendingUntil, "", reason, true); err != nil {
		return err
	}
	return river.JobCancel(errors.New(reason))
}

// Reminders ---------------------------------------------------------------------

// SendReminders is the periodic River job that queues the reminders due.
type SendReminders struct{}

// Kind names the job in River's table.
func (SendReminders) Kind() string { return "mail_send_reminders" }

// InsertOpts puts the job on the mail queue; a run that fails is simply
// left to the next one.
func (SendReminders) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMail, MaxAttempts: 3}
}

type reminderWorker struct {
	river.WorkerDefaults[SendReminders]
	s *Service
}

func (w *reminderWorker) Work(ctx context.Context, _ *river.Job[SendReminders]) error {
	n, err := w.s.Remind(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		w.s.log.Info("mail: reminders queued", "count", n)
	}
	return nil
}

// Remind queues a reminder to every unanswered invitation of each edition
// whose reminder day is today, once per invitation per day. It returns how
// many were queued. The periodic job calls it; so can anyone, any number
// of times.
func (s *Service) Remind(ctx context.Context) (int, error) {
	now := s.now()
	due, err := s.source.DueReminders(ctx, now)
	if err != nil {
		return 0, fmt.Errorf("mail: reminders due: %w", err)
	}
	return s.queueReminders(ctx, due, now)
}

// RemindNow queues a reminder to each of invitationIDs that has no answer
// yet and a working link, unless it already got one today (so a double
// click sends one). It returns how many were queued. The organizer pages
// call it ("remind" on one guest or all not answered).
func (s *Service) RemindNow(ctx context.Context, invitationIDs []int64) (int, error) {
	due, err := s.source.Unanswered(ctx, invitationIDs)
	if err != nil {
		return 0, fmt.Errorf("mail: unanswered: %w", err)
	}
	return s.queueReminders(ctx, due, s.now())
}

// reminderLock is the first key of the advisory lock that makes the
// "already reminded today" check and the insert one step, between the
// periodic job and an organizer's click.
const reminderLock = 0x6d61696c // "mail"

func (s *Service) queueReminders(ctx context.Context, due []Due, now time.Time) (int, error) {
	n := 0
	for _, d := range due {
		loc := d.Location
		if loc == nil {
			loc = time.UTC
		}
		local := now.In(loc)
		dayStart := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
		queued := false
		err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?, ?)", reminderLock, int32(d.InvitationID)).Error; err != nil {
				return fmt.Errorf("mail: lock reminders: %w", err)
			}
			var count int64
			if err := tx.Model(&Message{}).Where("invitation_id = ? AND template = ? AND created_at >= ?",
				d.InvitationID, TemplateReminder, dayStart).Count(&count).Error; err != nil {
				return fmt.Errorf("mail: reminders today: %w", err)
			}
			if count > 0 {
				return nil
			}
			queued = true
			return s.Notify(ctx, tx, d.InvitationID, TemplateReminder)
		})
		if err != nil {
			return n, err
		}
		if queued {
			n++
		}
	}
	return n, nil
}
