package invitation

import (
	"context"
	"fmt"
)

// Unanswered returns, in id order, the invitations that have no answer yet
// and a working link: of edition editionID when it is not 0, and among ids
// when ids is not nil. The mail package reminds them (through the adapter
// in internal/app/mail.go).
func (s *Store) Unanswered(ctx context.Context, editionID int64, ids []int64) ([]int64, error) {
	q := s.db.WithContext(ctx).Model(&Invitation{}).Where("responded_at IS NULL AND revoked_at IS NULL")
	if editionID != 0 {
		q = q.Where("edition_id = ?", editionID)
	}
	if ids != nil {
		if len(ids) == 0 {
			return nil, nil
		}
		q = q.Where("id IN ?", ids)
	}
	var out []int64
	if err := q.Order("id").Pluck("id", &out).Error; err != nil {
		return nil, fmt.Errorf("invitation: unanswered: %w", err)
	}
	return out, nil
}
