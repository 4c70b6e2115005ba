package mail

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"gorm.io/gorm"

	"vigil/internal/i18n"
)

// QueueMail is the River queue e-mail jobs run on.
const QueueMail = "mail"

// Defaults of Deps.
const (
	DefaultMaxAttempts   = 8
	DefaultWorkers       = 2
	DefaultReminderEvery = time.Hour
)

// Deps is what the mail service is built from.
type Deps struct {
	// Gorm, SQL and Pool are the three views of the one database pool:
	// GORM for the message log, database/sql for River (so that jobs can
	// be inserted in a GORM transaction), and the pgx pool for River's
	// LISTEN connection.
	Gorm *gorm.DB
	SQL  *sql.DB
	Pool *pgxpool.Pool

	Source     Source
	Sender     Sender
	Translator *i18n.Translator
	// From is the sender address (VIGIL_SMTP_FROM).
	From string
	Log  *slog.Logger

	// MaxAttempts is how often a message is tried before it is marked
	// failed (default 8: with River's backoff, attempt^4 seconds, the last
	// try comes about an hour and a half after the first).
	MaxAttempts int
	// Workers is how many e-mails are sent at once (default 2).
	Workers int
	// ReminderEvery is how often the reminder job looks for reminders due
	// (default hourly; each invitation still gets at most one a day, and a
	// restart or an outage delays the day's reminders by an hour at most).
	ReminderEvery time.Duration
	// RetryPolicy overrides River's exponential backoff (tests shorten it).
	RetryPolicy river.ClientRetryPolicy
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Service queues e-mails (it implements invitation.Notifier), sends them
// from River jobs, queues reminders, and lists the message log.
type Service struct {
	db          *gorm.DB
	store       *Store
	source      Source
	sender      Sender
	render      *Renderer
	from        string
	domain      string
	log         *slog.Logger
	now         func() time.Time
	maxAttempts int
	river       *river.Client[*sql.Tx]

	// Start and Stop state: mu guards the fields below and River's Start.
	mu       sync.Mutex
	stopCh   chan struct{}
	loopDone chan struct{}
	stopping bool
	running  bool
}

// New builds the service and its River client. Nothing runs until Start.
func New(d Deps) (*Service, error) {
	if d.Gorm == nil || d.SQL == nil || d.Pool == nil || d.Source == nil || d.Sender == nil || d.Translator == nil {
		return nil, errors.New("mail: New: missing dependency")
	}
	from, err := mail.ParseAddress(d.From)
	if err != nil {
		return nil, fmt.Errorf("mail: sender address %q: %w", d.From, err)
	}
	render, err := NewRenderer(d.Translator)
	if err != nil {
		return nil, err
	}
	s := &Service{
		db: d.Gorm, store: NewStore(d.Gorm), source: d.Source, sender: d.Sender, render: render,
		from: from.String(), domain: from.Address[strings.LastIndex(from.Address, "@")+1:],
		log: d.Log, now: d.Now, maxAttempts: d.MaxAttempts,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.maxAttempts <= 0 {
		s.maxAttempts = DefaultMaxAttempts
	}
	workers := d.Workers
	if workers <= 0 {
		workers = DefaultWorkers
	}
	every := d.ReminderEvery
	if every <= 0 {
		every = DefaultReminderEvery
	}

	ws := river.NewWorkers()
	if err := river.AddWorkerSafely(ws, &sendWorker{s: s}); err != nil {
		return nil, fmt.Errorf("mail: register send worker: %w", err)
	}
	if err := river.AddWorkerSafely(ws, &reminderWorker{s: s}); err != nil {
		return nil, fmt.Errorf("mail: register reminder worker: %w", err)
	}
	client, err := river.NewClient(riverdatabasesql.NewWithPgxListener(d.SQL, d.Pool), &river.Config{
		Queues:      map[string]river.QueueConfig{QueueMail: {MaxWorkers: workers}},
		Workers:     ws,
		MaxAttempts: s.maxAttempts,
		RetryPolicy: d.RetryPolicy,
		// A message being sent when Vigil is asked to stop gets this long
		// to finish before its context is cancelled.
		SoftStopTimeout: 20 * time.Second,
		// A job left running by an instance that died (killed, not
		// stopped) is given to another after this long; River's default
		// is an hour. It must exceed the send job's timeout (jobs.go).
		RescueStuckJobsAfter: 5 * time.Minute,
		// River reports its routine (job counts every few seconds) at
		// info; only its warnings and errors belong in Vigil's log.
		Logger: slog.New(atLeast{s.log.Handler(), slog.LevelWarn}),
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) { return SendReminders{}, nil },
			&river.PeriodicJobOpts{ID: "mail_reminders", RunOnStart: true})},
	})
	if err != nil {
		return nil, fmt.Errorf("mail: River client: %w", err)
	}
	s.river = client
	return s, nil
}

// Store is the message log.
func (s *Service) Store() *Store { return s.store }

// Renderer writes the e-mails.
func (s *Service) Renderer() *Renderer { return s.render }

// Start starts River's workers and the reminder schedule in the
// background. While the database cannot be reached (Vigil starts and
// answers 503 until PostgreSQL is back), it keeps trying, every few
// seconds, until it succeeds or Stop is called. E-mails queued meanwhile
// wait in the queue.
func (s *Service) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopCh != nil {
		return
	}
	s.stopCh, s.loopDone = make(chan struct{}), make(chan struct{})
	go s.startLoop()
}

func (s *Service) startLoop() {
	defer close(s.loopDone)
	wait := 500 * time.Millisecond
	for {
		s.mu.Lock()
		if s.stopping {
			s.mu.Unlock()
			return
		}
		// River keeps this context for its whole life and would cancel
		// the e-mails being sent when it ends: only Stop ends River.
		err := s.river.Start(context.Background())
		if err == nil {
			s.running = true
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		s.log.Warn("mail: job queue not started; trying again", "err", err, "in", wait)
		select {
		case <-s.stopCh:
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 15*time.Second)
	}
}

// Started reports whether River runs (Start has succeeded).
func (s *Service) Started() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running
}

// Stop lets the e-mails being sent finish (up to the soft stop timeout,
// then cancels them) and stops River. It waits at most until ctx ends.
// Stopping twice, or a service never started, is fine.
func (s *Service) Stop(ctx context.Context) error {
	s.mu.Lock()
	if s.stopCh == nil || s.stopping {
		s.mu.Unlock()
		return nil
	}
	s.stopping = true
	close(s.stopCh)
	s.mu.Unlock()
	<-s.loopDone
	s.mu.Lock()
	running := s.running
	s.running = false
	s.mu.Unlock()
	if !running {
		return nil
	}
	if err := s.river.Stop(ctx); err != nil {
		return fmt.Errorf("mail: stop River: %w", err)
	}
	return nil
}

// Notify queues e-mail template about invitation invitationID inside tx:
// a message row and the River job that sends it, so that both are saved
// or neither. A guest without an e-mail address gets a failed message
// ("no e-mail address") and no job, so the log shows who was not told.
// It implements invitation.Notifier.
func (s *Service) Notify(ctx context.Context, tx *gorm.DB, invitationID int64, template string) error {
	if !slices.Contains(Templates, template) {
		return fmt.Errorf("mail: notify: unknown template %q", template)
	}
	r, err := s.source.Recipient(ctx, tx, invitationID)
	if err != nil {
		return fmt.Errorf("mail: notify %d: %w", invitationID, err)
	}
	_, err = s.NotifyGuest(ctx, tx, invitationID, r.GuestID, r.Email, r.Language, template)
	return err
}

// NotifyGuest is Notify for a caller that has read the guest's id, address
// and language on tx already (a guest's answer does): one look-up fewer
// on the busiest path. It returns the message's id. It implements
// invitation.Notifier.
func (s *Service) NotifyGuest(ctx context.Context, tx *gorm.DB, invitationID, guestID int64, email, lang, template string) (int64, error) {
	if !slices.Contains(Templates, template) {
		return 0, fmt.Errorf("mail: notify: unknown template %q", template)
	}
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return 0, errors.New("mail: notify must run inside a transaction")
	}
	m := Message{InvitationID: &invitationID, GuestID: &guestID, Recipient: strings.TrimSpace(email),
		Template: template, Language: language(lang), Status: StatusQueued}
	if m.Recipient == "" {
		m.Status, m.LastError = StatusFailed, errNoAddress
	}
	// Plain SQL: GORM's Create cost more than the insert.
	if err := sqlTx.QueryRowContext(ctx, `INSERT INTO messages (invitation_id, guest_id, recipient, template, language, subject, status, attempts, last_error)
		VALUES ($1, $2, $3, $4, $5, '', $6, 0, $7) RETURNING id`,
		m.InvitationID, m.GuestID, m.Recipient, m.Template, m.Language, m.Status, m.LastError).Scan(&m.ID); err != nil {
		return 0, fmt.Errorf("mail: log message: %w", err)
	}
	if m.Status == StatusFailed {
		return m.ID, nil
	}
	if _, err := s.river.InsertTx(ctx, sqlTx, SendMessage{MessageID: m.ID}, &river.InsertOpts{Queue: QueueMail, MaxAttempts: s.maxAttempts}); err != nil {
		return 0, fmt.Errorf("mail: queue message %d: %w", m.ID, err)
	}
	return m.ID, nil
}

// Retemplate changes which e-mail message id, queued in tx and not sent
// yet, will be. It implements invitation.Notifier.
func (s *Service) Retemplate(ctx context.Context, tx *gorm.DB, messageID int64, template string) error {
	if !slices.Contains(Templates, template) {
		return fmt.Errorf("mail: retemplate: unknown template %q", template)
	}
	res := tx.WithContext(ctx).Exec("UPDATE messages SET template = ? WHERE id = ? AND status = ?", template, messageID, StatusQueued)
	if res.Error != nil {
		return fmt.Errorf("mail: retemplate message %d: %w", messageID, res.Error)
	}
	return nil
}

// language is lang if e-mails are written in it, else the default.
func language(lang string) string {
	if slices.Contains(Languages, lang) {
		return lang
	}
	return i18n.Default
}

// atLeast passes on records of at least its level to the handler it wraps.
type atLeast struct {
	slog.Handler
	min slog.Level
}

// Enabled implements slog.Handler.
func (a atLeast) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= a.min && a.Handler.Enabled(ctx, l)
}

// WithAttrs implements slog.Handler.
func (a atLeast) WithAttrs(attrs []slog.Attr) slog.Handler {
	return atLeast{a.Handler.WithAttrs(attrs), a.min}
}

// WithGroup implements slog.Handler.
func (a atLeast) WithGroup(name string) slog.Handler {
	return atLeast{a.Handler.WithGroup(name), a.min}
}
