package ceremony

import (
	"context"

	"gorm.io/gorm"
)

// CeremonyWatcher is told, inside the transaction that saves the change,
// that a published ceremony's start, end or venue changed. The invitation
// package queues its change notices this way: in the same transaction, so
// that guests are told if and only if the change is saved. The app wires
// it; this package knows nothing of invitations.
type CeremonyWatcher interface {
	CeremonyChanged(ctx context.Context, tx *gorm.DB, ceremonyID int64) error
}

// WithWatcher returns a copy of the store whose UpdateCeremony tells w of
// changes of time or venue. The store it is called on is left as it was.
func (s *Store) WithWatcher(w CeremonyWatcher) *Store {
	c := *s
	c.watcher = w
	return &c
}

// guestsMustKnow reports whether the change from before to after is one
// the invited guests are told of: a published ceremony that moves in time
// or to another venue. Drafts are not shown to guests, nobody is asked to
// come to a cancelled one, and a new title, dress code or note is not worth
// an e-mail to everyone.
func guestsMustKnow(before, after *Ceremony) bool {
	if before.Status != CeremonyPublished {
		return false
	}
	return !before.StartsAt.Equal(after.StartsAt) || !before.EndsAt.Equal(after.EndsAt) || !sameID(before.VenueID, after.VenueID)
}

// sameID reports whether two optional ids are equal (both nil counts).
func sameID(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
