package invitation

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"vigil/internal/audit"
)

// Change notices: when an organizer moves a ceremony in time or to another
// venue, the guests who may still come are told.

// templateChanged is the e-mail that tells a guest a ceremony's time or
// venue changed.
const templateChanged = "changed"

// stillComing are the answers whose guests are told of a change: those who
// accepted, those on the waitlist, and those who have not answered yet
// (they decide on the new time). Those who declined are left in peace.
var stillComing = []string{StatusPending, StatusAccepted, StatusWaitlisted}

// CeremonyChanged runs inside tx, the transaction that changed ceremony
// ceremonyID's time or venue: every guest invited to it whose answer is
// pending, accepted or waitlisted, and whose link is not revoked, gets a
// "ceremony_changed" entry in the history and the "changed" e-mail,
// queued in tx, so that the notice goes if and only if the change is
// saved. It returns how many invitations were told. The history names the
// user in ctx's audit actor, who made the change.
func (s *Store) CeremonyChanged(ctx context.Context, tx *gorm.DB, ceremonyID int64) (int, error) {
	var ids []int64
	err := tx.WithContext(ctx).Model(&CeremonyAnswer{}).
		Joins("JOIN invitations i ON i.id = invitation_ceremonies.invitation_id").
		Where("invitation_ceremonies.ceremony_id = ? AND invitation_ceremonies.status IN ? AND i.revoked_at IS NULL", ceremonyID, stillComing).
		Order("invitation_ceremonies.invitation_id").
		Pluck("invitation_ceremonies.invitation_id", &ids).Error
	if err != nil {
		return 0, fmt.Errorf("invitation: guests of changed ceremony %d: %w", ceremonyID, err)
	}
	by := Actor{Via: ViaOrganizer, UserID: audit.ActorFrom(ctx).UserID}
	for _, id := range ids {
		if err := event(tx, id, by, "ceremony_changed", map[string]any{"ceremony_id": ceremonyID}); err != nil {
			return 0, err
		}
		if err := s.notifyTx(ctx, tx, id, templateChanged); err != nil {
			return 0, fmt.Errorf("invitation: change notice for %d: %w", id, err)
		}
	}
	return len(ids), nil
}
