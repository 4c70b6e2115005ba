package invitation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// What the guest directory asks of invitations: a guest's history across
// editions, and moving invitations when two guests are merged.

// GuestInvitation sums up one of a guest's invitations.
type GuestInvitation struct {
	ID        int64
	EditionID int64
	// Year is the edition's year.
	Year        int
	Ceremonies  int
	Accepted    int
	Declined    int
	Waitlisted  int
	RespondedAt *time.Time
}

// GuestInvitations returns every invitation of a guest, with its
// edition's year, newest edition first, in one query.
func (s *Store) GuestInvitations(ctx context.Context, guestID int64) ([]GuestInvitation, error) {
	var out []GuestInvitation
	err := s.db.WithContext(ctx).Raw(`SELECT i.id, i.edition_id, e.year, i.responded_at,
			count(ic.ceremony_id) AS ceremonies,
			count(*) FILTER (WHERE ic.status = 'accepted') AS accepted,
			count(*) FILTER (WHERE ic.status = 'declined') AS declined,
			count(*) FILTER (WHERE ic.status = 'waitlisted') AS waitlisted
		FROM invitations i JOIN editions e ON e.id = i.edition_id
		LEFT JOIN invitation_ceremonies ic ON ic.invitation_id = i.id
		WHERE i.guest_id = ? GROUP BY i.id, e.year ORDER BY i.edition_id DESC`, guestID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("invitation: guest history: %w", err)
	}
	return out, nil
}

// MoveGuest moves guest from's invitations to guest to, inside tx (the
// merge's transaction). Where both were invited to the same edition, one
// invitation stays: the one with an answer, else to's; the other's history
// and the ceremonies the kept one lacks move to it, then it is deleted.
func (s *Store) MoveGuest(ctx context.Context, tx *gorm.DB, from, to int64) error {
	tx = tx.WithContext(ctx)
	var froms []Invitation
	if err := tx.Where("guest_id = ?", from).Order("id").Find(&froms).Error; err != nil {
		return fmt.Errorf("invitation: move guest: %w", err)
	}
	for _, f := range froms {
		var t Invitation
		err := tx.Where("guest_id = ? AND edition_id = ?", to, f.EditionID).Take(&t).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			if err := tx.Model(&Invitation{}).Where("id = ?", f.ID).Updates(map[string]any{"guest_id": to, "updated_at": s.now()}).Error; err != nil {
				return fmt.Errorf("invitation: move invitation %d: %w", f.ID, err)
			}
			if err := event(tx, f.ID, Actor{Via: ViaOrganizer}, "guest_merged", map[string]any{"from_guest": from, "to_guest": to}); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("invitation: move guest: %w", err)
		}
		keep, drop := t, f
		if t.RespondedAt == nil && f.RespondedAt != nil {
			keep, drop = f, t
		}
		if err := s.fold(tx, keep.ID, drop.ID); err != nil {
			return err
		}
		if keep.GuestID != to {
			// The unique (edition, guest) pair is free now drop is gone.
			if err := tx.Model(&Invitation{}).Where("id = ?", keep.ID).Updates(map[string]any{"guest_id": to, "updated_at": s.now()}).Error; err != nil {
				return fmt.Errorf("invitation: move invitation %d: %w", keep.ID, err)
			}
		}
		if err := event(tx, keep.ID, Actor{Via: ViaOrganizer}, "guest_merged",
			map[string]any{"from_guest": from, "to_guest": to, "dropped_invitation": drop.ID}); err != nil {
			return err
		}
	}
	return nil
}

// fold moves invitation drop's history, and its answers to ceremonies keep
// lacks, to keep, and deletes drop.
func (s *Store) fold(tx *gorm.DB, keep, drop int64) error {
	steps := []struct {
		what string
		sql  string
	}{
		{"history", "UPDATE invitation_events SET invitation_id = ? WHERE invitation_id = ?"},
		{"answers", `UPDATE invitation_ceremonies SET invitation_id = ? WHERE invitation_id = ? AND ceremony_id NOT IN
			(SELECT ceremony_id FROM invitation_ceremonies WHERE invitation_id = ?)`},
	}
	for _, st := range steps {
		args := []any{keep, drop}
		if st.what == "answers" {
			args = append(args, keep)
		}
		if err := tx.Exec(st.sql, args...).Error; err != nil {
			return fmt.Errorf("invitation: move %s of %d: %w", st.what, drop, err)
		}
	}
	if err := tx.Delete(&Invitation{}, drop).Error; err != nil {
		return fmt.Errorf("invitation: delete merged invitation %d: %w", drop, err)
	}
	return nil
}
