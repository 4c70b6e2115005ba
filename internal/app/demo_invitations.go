package app

import (
	"vigil/internal/ceremony"
	"vigil/internal/database"
	"vigil/internal/invitation"
)

// DemoInvitations returns the invitation store `vigil seed --demo` writes
// the demo invitations with: the server's tokens, so that their links open
// once Vigil serves with the same VIGIL_SECRET; the ceremonies' capacities,
// as in the app; and no notifier, so that seeding queues no e-mail. It is
// nil without a secret, and the seed then leaves the invitations out
// rather than make links that no server would open.
func DemoInvitations(db *database.DB, secret []byte) *invitation.Store {
	if len(secret) == 0 {
		return nil
	}
	return invitation.NewStore(db.Gorm, invitation.NewTokens(secret), invitationCapacity{ceremony.NewStore(db.Gorm)}, nil)
}
