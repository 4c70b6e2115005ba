package app

import (
	"context"

	"gorm.io/gorm"

	"vigil/internal/invitation"
)

// ceremonyChanges serves ceremony.CeremonyWatcher from the invitation
// store: a published ceremony moved in time or to another venue queues the
// change notice to its guests, in the transaction of the change.
type ceremonyChanges struct{ invitations *invitation.Store }

// CeremonyChanged implements ceremony.CeremonyWatcher.
func (a ceremonyChanges) CeremonyChanged(ctx context.Context, tx *gorm.DB, ceremonyID int64) error {
	_, err := a.invitations.CeremonyChanged(ctx, tx, ceremonyID)
	return err
}
