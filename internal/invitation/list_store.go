package invitation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"vigil/internal/audit"
)

// Queries and small writes of the organizers' invitation pages.

// StatusUnanswered is a filter of the list beside the answer statuses:
// the guest has not answered anything yet, by link or through staff.
const StatusUnanswered = "unanswered"

// ListFilter selects invitations of an edition. The guest's delegation and
// kind live in the directory, so the handler filters on them.
type ListFilter struct {
	EditionID int64
	// CeremonyID keeps invitations to that ceremony (0: any).
	CeremonyID int64
	// Status keeps invitations with an answer of that status (to the
	// ceremony, if one is chosen), or StatusUnanswered; "" keeps all.
	Status string
}

// List returns the invitations of an edition that f selects, with their
// answers and companions, in no particular order: the caller sorts them by
// precedence, which the directory knows. Three queries whatever the number.
func (s *Store) List(ctx context.Context, f ListFilter) ([]Invitation, error) {
	q := s.db.WithContext(ctx).Where("edition_id = ?", f.EditionID)
	switch {
	case f.Status == StatusUnanswered:
		q = q.Where("responded_at IS NULL")
		if f.CeremonyID != 0 {
			q = q.Where("EXISTS (SELECT 1 FROM invitation_ceremonies ic WHERE ic.invitation_id = invitations.id AND ic.ceremony_id = ?)", f.CeremonyID)
		}
	case f.Status != "" && f.CeremonyID != 0:
		q = q.Where("EXISTS (SELECT 1 FROM invitation_ceremonies ic WHERE ic.invitation_id = invitations.id AND ic.ceremony_id = ? AND ic.status = ?)", f.CeremonyID, f.Status)
	case f.Status != "":
		q = q.Where("EXISTS (SELECT 1 FROM invitation_ceremonies ic WHERE ic.invitation_id = invitations.id AND ic.status = ?)", f.Status)
	case f.CeremonyID != 0:
		q = q.Where("EXISTS (SELECT 1 FROM invitation_ceremonies ic WHERE ic.invitation_id = invitations.id AND ic.ceremony_id = ?)", f.CeremonyID)
	}
	var out []Invitation
	err := q.Preload("Ceremonies", func(db *gorm.DB) *gorm.DB { return db.Order("ceremony_id") }).
		Preload("Companions", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Order("id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("invitation: list: %w", err)
	}
	return out, nil
}

// Counts are the figures at the top of the invitation list.
type Counts struct {
	Invited     int
	NotAnswered int
}

// EditionCounts counts an edition's invitations and those not answered.
func (s *Store) EditionCounts(ctx context.Context, editionID int64) (Counts, error) {
	var c Counts
	err := s.db.WithContext(ctx).Model(&Invitation{}).Where("edition_id = ?", editionID).
		Select("count(*) AS invited, count(*) FILTER (WHERE responded_at IS NULL) AS not_answered").Scan(&c).Error
	if err != nil {
		return c, fmt.Errorf("invitation: counts: %w", err)
	}
	return c, nil
}

// remindAgain is how long a reminder asked for stays pending: asking again
// within it (a double click, two organizers at once) changes nothing.
const remindAgain = time.Hour

// RequestReminders records that the guests of the given invitations (nil:
// every invitation of the edition not answered and not revoked) are to be
// reminded, as a "remind_requested" event on each, and returns their ids
// for the mail package to send. Invitations already answered or revoked,
// or reminded within the last hour, are skipped.
func (s *Store) RequestReminders(ctx context.Context, editionID int64, ids []int64, by Actor) ([]int64, error) {
	var targets []int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Model(&Invitation{}).Where("edition_id = ? AND responded_at IS NULL AND revoked_at IS NULL", editionID).
			Where("NOT EXISTS (SELECT 1 FROM invitation_events e WHERE e.invitation_id = invitations.id AND e.action = 'remind_requested' AND e.at > ?)", s.now().Add(-remindAgain))
		if ids != nil {
			q = q.Where("id IN ?", ids)
		}
		// Lock the rows so two requests at once do not both remind.
		if err := q.Clauses(clause.Locking{Strength: "UPDATE"}).Order("id").Pluck("id", &targets).Error; err != nil {
			return fmt.Errorf("invitation: reminders: %w", err)
		}
		for _, id := range targets {
			if err := event(tx, id, by, "remind_requested", map[string]any{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return targets, nil
}

// SetCompanionsAllowed changes how many companions invitation id may
// bring. Fewer than the guest has already named is refused
// (ErrTooManyCompanions): the guest or staff must first take names off.
func (s *Store) SetCompanionsAllowed(ctx context.Context, id int64, n int, by Actor) error {
	if n < 0 || n > MaxCompanions {
		return ErrTooManyCompanions
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var inv Invitation
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&inv, id).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return fmt.Errorf("invitation: lock: %w", err)
		}
		if inv.CompanionsAllowed == n {
			return nil
		}
		var named int64
		if err := tx.Model(&Companion{}).Where("invitation_id = ?", id).Count(&named).Error; err != nil {
			return fmt.Errorf("invitation: count companions: %w", err)
		}
		if int(named) > n {
			return ErrTooManyCompanions
		}
		if err := tx.Model(&Invitation{}).Where("id = ?", id).Updates(map[string]any{
			"companions_allowed": n, "version": gorm.Expr("version + 1"), "updated_at": s.now(),
		}).Error; err != nil {
			return fmt.Errorf("invitation: companions allowed: %w", err)
		}
		if err := event(tx, id, by, "companions_allowed", map[string]any{"before": inv.CompanionsAllowed, "after": n}); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Record{Action: "update", EntityType: "invitation", EntityID: id,
			Summary: fmt.Sprintf("Companions allowed changed from %d to %d", inv.CompanionsAllowed, n),
			Changes: map[string]audit.Change{"companions_allowed": {Before: inv.CompanionsAllowed, After: n}}})
	})
}

// LetterPrinted records that invitation id's letter was opened for
// printing: the letter carries the personal link, so who printed it when
// belongs in the history.
func (s *Store) LetterPrinted(ctx context.Context, id int64, by Actor) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return event(tx, id, by, "letter_printed", map[string]any{})
	})
}
