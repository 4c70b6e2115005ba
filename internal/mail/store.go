package mail

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// ErrNoMessage: no message with that id.
var ErrNoMessage = errors.New("mail: no such message")

// Store reads and writes the message log.
type Store struct{ db *gorm.DB }

// NewStore returns the message log over db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// Message returns message id.
func (s *Store) Message(ctx context.Context, id int64) (*Message, error) {
	var m Message
	err := s.db.WithContext(ctx).Take(&m, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNoMessage
	}
	if err != nil {
		return nil, fmt.Errorf("mail: load message %d: %w", id, err)
	}
	return &m, nil
}

// claim takes message id for one attempt at sending it: in one UPDATE,
// if the message is queued and no live lease holds it, it sets a lease
// ending lease from now by the database's clock, so that no other worker
// claims it meanwhile. It returns the message claimed, whose SendingUntil
// (the lease's end) names this claim for markAttempt. A message that
// cannot be claimed comes back with claimed false: either it is no longer
// queued (sent or failed), or another worker's lease holds it for wait
// more.
func (s *Store) claim(ctx context.Context, id int64, lease time.Duration) (m *Message, claimed bool, wait time.Duration, err error) {
	db := s.db.WithContext(ctx)
	m = &Message{}
	res := db.Raw(`UPDATE messages SET sending_until = now() + make_interval(secs => ?)
		WHERE id = ? AND status = ? AND (sending_until IS NULL OR sending_until < now())
		RETURNING *`, lease.Seconds(), id, StatusQueued).Scan(m)
	if res.Error != nil {
		return nil, false, 0, fmt.Errorf("mail: claim message %d: %w", id, res.Error)
	}
	if res.RowsAffected == 1 {
		return m, true, 0, nil
	}
	// Not claimed: say why, with the lease's remaining time by the same
	// clock that set it.
	var row struct {
		Message
		Wait float64
	}
	res = db.Raw(`SELECT *, COALESCE(EXTRACT(EPOCH FROM sending_until - now()), 0)::float8 AS wait
		FROM messages WHERE id = ?`, id).Scan(&row)
	if res.Error != nil {
		return nil, false, 0, fmt.Errorf("mail: load message %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, false, 0, ErrNoMessage
	}
	return &row.Message, false, max(time.Duration(row.Wait*float64(time.Second)), 0), nil
}

// markSent records that message id went out, and ends the lease on it.
// A message already sent keeps its first record.
func (s *Store) markSent(ctx context.Context, id int64, subject string, at time.Time) error {
	err := s.db.WithContext(ctx).Model(&Message{}).Where("id = ? AND status <> ?", id, StatusSent).Updates(map[string]any{
		"status": StatusSent, "sent_at": at, "subject": subject, "attempts": gorm.Expr("attempts + 1"), "last_error": "",
		"sending_until": nil,
	}).Error
	if err != nil {
		return fmt.Errorf("mail: record message %d sent: %w", id, err)
	}
	return nil
}

// markAttempt records a failed attempt at message id, with the error;
// final marks the message failed for good, else it stays queued for the
// next attempt. It ends the lease of claim (the SendingUntil that claim
// returned), so that the retry may claim the message at once; a later
// lease, taken by another worker after this one ran out, is left alone.
// A message sent meanwhile is left alone.
func (s *Store) markAttempt(ctx context.Context, id int64, claim *time.Time, subject, lastError string, final bool) error {
	status := StatusQueued
	if final {
		status = StatusFailed
	}
	set := map[string]any{"status": status, "attempts": gorm.Expr("attempts + 1"), "last_error": lastError,
		"sending_until": gorm.Expr("CASE WHEN sending_until = ? THEN NULL ELSE sending_until END", claim)}
	if subject != "" {
		set["subject"] = subject
	}
	err := s.db.WithContext(ctx).Model(&Message{}).Where("id = ? AND status <> ?", id, StatusSent).Updates(set).Error
	if err != nil {
		return fmt.Errorf("mail: record attempt at message %d: %w", id, err)
	}
	return nil
}

// Filter selects messages of the log; zero fields select all.
type Filter struct {
	InvitationID int64
	Status       string
	Template     string
}

// List returns a page of the log, newest first, and the number of
// messages the filter selects.
func (s *Store) List(ctx context.Context, f Filter, offset, limit int) ([]Message, int64, error) {
	q := s.db.WithContext(ctx).Model(&Message{})
	if f.InvitationID != 0 {
		q = q.Where("invitation_id = ?", f.InvitationID)
	}
	if slices.Contains(Statuses, f.Status) {
		q = q.Where("status = ?", f.Status)
	}
	if slices.Contains(Templates, f.Template) {
		q = q.Where("template = ?", f.Template)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("mail: count messages: %w", err)
	}
	var ms []Message
	if err := q.Order("created_at DESC, id DESC").Offset(offset).Limit(limit).Find(&ms).Error; err != nil {
		return nil, 0, fmt.Errorf("mail: list messages: %w", err)
	}
	return ms, total, nil
}
