package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// Sign-in limits. Failures are counted over a sliding window; past either
// limit, sign-in from that address or for that account waits until the
// oldest counted failure leaves the window.
const (
	FailureWindow   = 15 * time.Minute
	MaxEmailFailure = 5
	MaxIPFailure    = 20
)

// ErrInvalidCredentials covers both an unknown e-mail and a wrong password,
// so the answer never tells which accounts exist.
var ErrInvalidCredentials = errors.New("auth: invalid e-mail or password")

// ThrottledError says sign-in is paused and for how long.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("auth: too many failed sign-ins; retry after %s", e.RetryAfter.Round(time.Second))
}

// Minutes is the wait rounded up to whole minutes, for the message.
func (e *ThrottledError) Minutes() int {
	m := int((e.RetryAfter + time.Minute - 1) / time.Minute)
	if m < 1 {
		m = 1
	}
	return m
}

// Service holds the sign-in rules.
type Service struct {
	store  *Store
	secret []byte
	now    func() time.Time
}

// NewService returns the sign-in service; secret keys the HMACs under which
// addresses and e-mails are counted.
func NewService(store *Store, secret []byte) *Service {
	return &Service{store: store, secret: secret, now: time.Now}
}

func (s *Service) key(kind, v string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(kind + ":" + v))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// Authenticate checks email and password for a sign-in from ip. It returns
// ErrInvalidCredentials for any mismatch (or a disabled account) and a
// *ThrottledError when too many attempts failed recently.
func (s *Service) Authenticate(ctx context.Context, email, password, ip string) (*User, error) {
	email = NormalizeEmail(email)
	ipKey, emailKey := s.key("ip", ip), s.key("email", email)
	now := s.now().UTC()
	ipN, emailN, ipOldest, emailOldest, err := s.store.failures(ctx, ipKey, emailKey, now.Add(-FailureWindow))
	if err != nil {
		return nil, err
	}
	switch {
	case emailN >= MaxEmailFailure:
		return nil, &ThrottledError{RetryAfter: emailOldest.Add(FailureWindow).Sub(now)}
	case ipN >= MaxIPFailure:
		return nil, &ThrottledError{RetryAfter: ipOldest.Add(FailureWindow).Sub(now)}
	}

	u, err := s.store.ByEmail(ctx, email)
	hash := dummyHash()
	if err == nil {
		hash = u.PasswordHash
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		if u != nil {
			slog.Error("auth: stored password hash is malformed", "user_id", u.ID)
		}
		ok = false
	}
	if !ok || u == nil || u.Disabled {
		if err := s.store.addFailure(ctx, ipKey, emailKey); err != nil {
			return nil, err
		}
		return nil, ErrInvalidCredentials
	}
	if err := s.store.clearFailures(ctx, emailKey); err != nil {
		return nil, err
	}
	return u, nil
}

// sessionUserMarker is stored in the session beside the user id so that a
// user's sessions can be found inside scs's encoded data and ended.
func sessionUserMarker(id int64) string { return "vigil-user:" + strconv.FormatInt(id, 10) + ";" }
