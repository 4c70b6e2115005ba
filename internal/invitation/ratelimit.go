package invitation

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Guessing links. A token has 256 bits, so guessing one is hopeless; the
// limit is there so that nobody can hammer the look-up (and the database)
// from one address, and so that a flood of bad links is visible.
const (
	// LinkFailureWindow is how long a failed look-up counts.
	LinkFailureWindow = 15 * time.Minute
	// MaxLinkFailures failed look-ups from one address within the window
	// are allowed; the next attempt is refused before any look-up.
	MaxLinkFailures = 10
)

// linkAddressKey is what rsvp_failures stores of a client address: a keyed
// hash, so the table holds no addresses in clear yet one address always
// counts against itself.
func (s *Store) linkAddressKey(address string) string {
	m := hmac.New(sha256.New, s.tokens.secret)
	m.Write([]byte("rsvp failure address\x00"))
	m.Write([]byte(address))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// LinkFailures counts the failed link look-ups from address in the window
// that ends at now.
func (s *Store) LinkFailures(ctx context.Context, address string, now time.Time) (int, error) {
	var n int64
	err := s.db.WithContext(ctx).Table("rsvp_failures").
		Where("address = ? AND at > ?", s.linkAddressKey(address), now.Add(-LinkFailureWindow)).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("invitation: count link failures: %w", err)
	}
	return int(n), nil
}

// LinkLimited reports whether address has used up its failed look-ups.
func (s *Store) LinkLimited(ctx context.Context, address string, now time.Time) (bool, error) {
	n, err := s.LinkFailures(ctx, address, now)
	return n >= MaxLinkFailures, err
}

// RecordLinkFailure notes a failed look-up from address at now. Rows past
// the window are deleted in the same transaction: failures are rare, so
// pruning on the way in keeps the table small without a job of its own.
func (s *Store) RecordLinkFailure(ctx context.Context, address string, now time.Time) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM rsvp_failures WHERE at <= ?", now.Add(-LinkFailureWindow)).Error; err != nil {
			return fmt.Errorf("invitation: prune link failures: %w", err)
		}
		if err := tx.Exec("INSERT INTO rsvp_failures (address, at) VALUES (?, ?)", s.linkAddressKey(address), now).Error; err != nil {
			return fmt.Errorf("invitation: record link failure: %w", err)
		}
		return nil
	})
}
