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

// markSent records that message id went out. A message already sent keeps
// its first record.
func (s *Store) markSent(ctx context.Context, id int64, subject string, at time.Time) error {
	err := s.db.WithContext(ctx).Model(&Message{}).Where("id = ? AND status <> ?", id, StatusSent).Updates(map[string]any{
		"status": StatusSent, "sent_at": at, "subject": subject, "attempts": gorm.Expr("attempts + 1"), "last_error": "",
	}).Error
	if err != nil {
		return fmt.Errorf("mail: record message %d sent: %w", id, err)
	}
	return nil
}

// markAttempt records a failed attempt at message id, with the error;
// final marks the message failed for good, else it stays queued for the
// next attempt. A message sent meanwhile is left alone.
func (s *Store) markAttempt(ctx context.Context, id int64, subject, lastError string, final bool) error {
	status := StatusQueued
	if final {
		status = StatusFailed
	}
	set := map[string]any{"status": status, "attempts": gorm.Expr("attempts + 1"), "last_error": lastError}
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
