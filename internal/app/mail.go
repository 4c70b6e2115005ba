package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"gorm.io/gorm"

	"vigil/internal/ceremony"
	"vigil/internal/config"
	"vigil/internal/database"
	"vigil/internal/i18n"
	"vigil/internal/invitation"
	"vigil/internal/mail"
)

// E-mail: the mail service (message log, River client, SMTP sender) and
// the adapter through which it reads invitations, guests and ceremonies.
//
// The River client runs on database/sql over the one pgx pool
// (riverdatabasesql.NewWithPgxListener), so that Notify can insert a job
// in the very GORM transaction that changes an invitation; its LISTEN
// connection holds one pool connection for good, which the pool size
// (at least 8, 10 from `make db-url`) leaves room for.

// newMail builds the mail service over the database. src is the adapter
// the invitation store is set on once it exists (the store needs the
// service as its notifier, the service the store as its source).
func newMail(cfg config.Config, db *database.DB, tr *i18n.Translator, src mail.Source, log *slog.Logger) (*mail.Service, error) {
	sender, err := mail.NewSender(cfg.SMTP)
	if err != nil {
		return nil, err
	}
	if !cfg.SMTP.Configured() {
		log.Warn("mail: VIGIL_SMTP_ADDR is not set; e-mails are queued and logged, and each attempt fails with \"SMTP not configured\"")
	}
	return mail.New(mail.Deps{
		Gorm: db.Gorm, SQL: db.SQL, Pool: db.Pool, Source: src, Sender: sender, Translator: tr,
		From: cfg.SMTP.From, Log: log,
	})
}

// stopMail lets e-mails being sent finish and stops the job queue.
func (a *App) stopMail() {
	if a.mail == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.mail.Stop(ctx); err != nil {
		a.log.Warn("mail: stop", "err", err)
	}
}

// mailZone is the commemoration's time zone, for the message log.
func mailZone(store *ceremony.Store) func(context.Context) *time.Location {
	return func(ctx context.Context) *time.Location {
		cm, err := store.Current(ctx)
		if err != nil {
			return time.UTC
		}
		loc, err := cm.Location()
		if err != nil {
			return time.UTC
		}
		return loc
	}
}

// mailSource serves mail.Source from the invitation, ceremony and
// delegation stores.
type mailSource struct {
	// invitations is set right after the invitation store is built.
	invitations *invitation.Store
	ceremonies  *ceremony.Store
	editions    invitationEditions
	events      invitationCeremonies
	guests      invitationGuests
	baseURL     *url.URL
	tr          *i18n.Translator
	now         func() time.Time
}

// Recipient implements mail.Source. It reads the guest's address and
// language on the caller's transaction, in one query: the invitation may
// be new in tx, and a second pool connection per answer would let a burst
// of concurrent answers take every connection and wait on each other.
// It is the one place that reads invitations and guests together.
func (s *mailSource) Recipient(ctx context.Context, tx *gorm.DB, invitationID int64) (mail.Recipient, error) {
	var r struct {
		GuestID  int64
		Email    string
		Language string
	}
	res := tx.WithContext(ctx).Raw(`SELECT i.guest_id, g.email, g.language
		FROM invitations i JOIN guests g ON g.id = i.guest_id WHERE i.id = ?`, invitationID).Scan(&r)
	if res.Error != nil {
		return mail.Recipient{}, fmt.Errorf("app: recipient of invitation %d: %w", invitationID, res.Error)
	}
	if res.RowsAffected == 0 {
		return mail.Recipient{}, mail.ErrNotFound
	}
	return mail.Recipient{GuestID: r.GuestID, Email: r.Email, Language: r.Language}, nil
}

// MessageData implements mail.Source.
func (s *mailSource) MessageData(ctx context.Context, invitationID int64) (mail.Data, error) {
	inv, err := s.invitations.ByID(ctx, invitationID)
	if errors.Is(err, invitation.ErrNotFound) {
		return mail.Data{}, mail.ErrNotFound
	}
	if err != nil {
		return mail.Data{}, err
	}
	ed, err := s.editions.EditionByID(ctx, inv.EditionID)
	if errors.Is(err, invitation.ErrNotFound) {
		return mail.Data{}, mail.ErrNotFound
	}
	if err != nil {
		return mail.Data{}, err
	}
	cs, err := s.events.Ceremonies(ctx, inv.EditionID)
	if err != nil {
		return mail.Data{}, err
	}
	gs, err := s.guests.Guests(ctx, []int64{inv.GuestID})
	if err != nil {
		return mail.Data{}, err
	}
	g, ok := gs[inv.GuestID]
	if !ok {
		return mail.Data{}, mail.ErrNotFound
	}
	d := mail.Data{
		InvitationID: inv.ID, GuestName: g.Name, Email: g.Email, Language: g.Language,
		Edition: ed.Name, Year: ed.Year, Anniversary: ed.Anniversary, Location: ed.Location, Deadline: ed.Deadline,
		Link: s.baseURL.String() + s.invitations.Link(inv),
	}
	for _, c := range cs {
		a := inv.Answer(c.ID)
		if a == nil || c.Status == ceremony.CeremonyDraft {
			continue
		}
		d.Ceremonies = append(d.Ceremonies, mail.Ceremony{
			Title: c.Title, Titles: c.Titles, StartsAt: c.StartsAt, EndsAt: c.EndsAt, Venue: c.VenueName, VenueAddress: c.VenueAddress,
			MapURL: c.MapURL, DressCode: c.DressCode, Status: a.Status, Companions: a.Companions,
			Cancelled: c.Status == ceremony.CeremonyCancelled,
		})
	}
	for _, c := range inv.Companions {
		d.Companions = append(d.Companions, c.Name)
	}
	lang := g.Language
	// The calendar file carries the invitation page's address without the
	// token (CalendarOptions.Link empty): calendars are synced and shared.
	d.Calendar = invitation.Calendar(inv, ed, cs, invitation.CalendarOptions{
		BaseURL: s.baseURL, Now: s.now(), Locale: lang,
		T: func(key string, kv ...any) string { return s.tr.T(lang, key, kv...) },
	})
	return d, nil
}

// Unanswered implements mail.Source.
func (s *mailSource) Unanswered(ctx context.Context, ids []int64) ([]mail.Due, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	loc, err := s.location(ctx)
	if err != nil || loc == nil {
		return nil, err
	}
	open, err := s.invitations.Unanswered(ctx, 0, ids)
	if err != nil {
		return nil, err
	}
	out := make([]mail.Due, len(open))
	for i, id := range open {
		out[i] = mail.Due{InvitationID: id, Location: loc}
	}
	return out, nil
}

// DueReminders implements mail.Source: every edition still taking answers
// whose reminder day is the day of now in the commemoration's zone.
func (s *mailSource) DueReminders(ctx context.Context, now time.Time) ([]mail.Due, error) {
	cm, err := s.ceremonies.Current(ctx)
	if errors.Is(err, ceremony.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	loc, err := cm.Location()
	if err != nil {
		return nil, err
	}
	eds, err := s.ceremonies.Editions(ctx, cm.ID)
	if err != nil {
		return nil, err
	}
	today := now.In(loc)
	var out []mail.Due
	for _, e := range eds {
		if e.RSVPDeadline == nil || e.Status == ceremony.EditionClosed || e.Status == ceremony.EditionArchived {
			continue
		}
		dl := *e.RSVPDeadline
		day := time.Date(dl.Year(), dl.Month(), dl.Day()-e.ReminderDays, 0, 0, 0, 0, loc)
		if day.Year() != today.Year() || day.YearDay() != today.YearDay() {
			continue
		}
		ids, err := s.invitations.Unanswered(ctx, e.ID, nil)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out = append(out, mail.Due{InvitationID: id, Location: loc})
		}
	}
	return out, nil
}

// location is the commemoration's time zone; nil when there is none yet.
func (s *mailSource) location(ctx context.Context) (*time.Location, error) {
	cm, err := s.ceremonies.Current(ctx)
	if errors.Is(err, ceremony.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return cm.Location()
}

// Mail is the mail service: tests and tools queue reminders through it
// (RemindNow) and read the message log.
func (a *App) Mail() *mail.Service { return a.mail }
