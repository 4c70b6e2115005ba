package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
)

// SessionStore keeps sessions in PostgreSQL, so that any instance serves
// any request, and reads the signed-in user in the same statement as the
// session: LoadUser then needs no look-up of its own, one round trip fewer
// on every signed-in request (a gate's scan has three in all). The user
// is read fresh each time, so a disabled account or a new role counts at
// once, on every instance.
//
// The user's id is taken from the session's data when it is saved (with
// the session codec) and kept in the column sessions.user_id.
type SessionStore struct {
	pool  *pgxpool.Pool
	codec scs.Codec
}

// NewSessionStore returns the store; codec must be the session manager's.
func NewSessionStore(pool *pgxpool.Pool, codec scs.Codec) *SessionStore {
	return &SessionStore{pool: pool, codec: codec}
}

// sessionUser carries, through the request's context, the user the
// session store read with the session to LoadUser.
type sessionUser struct {
	user *User // nil: the session holds none (or was saved without it)
}

type sessionUserKey struct{}

// WithSessionUser prepares the request for the session store to hand the
// user to LoadUser. It goes before the session manager's LoadAndSave.
func WithSessionUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		c.SetRequest(r.WithContext(context.WithValue(r.Context(), sessionUserKey{}, &sessionUser{})))
		return next(c)
	}
}

// userFromSession is the user the store read with the session, or nil.
func userFromSession(ctx context.Context) *User {
	if h, ok := ctx.Value(sessionUserKey{}).(*sessionUser); ok {
		return h.user
	}
	return nil
}

// FindCtx implements scs.CtxStore.
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	var id *int64
	var u User
	var email, name, role, hash, locale *string
	var created, updated *time.Time
	var version *int
	// The whole user, as Store.ByID reads it: Current gives handlers the same.
	err := s.pool.QueryRow(ctx, `SELECT s.data, u.id, u.email, u.name, u.role, u.password_hash, u.locale,
			u.disabled_at, u.last_login_at, u.created_at, u.updated_at, u.version
		FROM sessions s LEFT JOIN users u ON u.id = s.user_id
		WHERE s.token = $1 AND current_timestamp < s.expiry`, token).
		Scan(&data, &id, &email, &name, &role, &hash, &locale, &u.DisabledAt, &u.LastLoginAt, &created, &updated, &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("auth: find session: %w", err)
	}
	if h, ok := ctx.Value(sessionUserKey{}).(*sessionUser); ok {
		h.user = nil
		if id != nil {
			u.ID, u.Email, u.Name, u.Role, u.PasswordHash, u.Locale = *id, *email, *name, Role(*role), *hash, *locale
			u.CreatedAt, u.UpdatedAt, u.Version = *created, *updated, *version
			u.Disabled = u.DisabledAt != nil
			h.user = &u
		}
	}
	return data, true, nil
}

// CommitCtx implements scs.CtxStore.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	var user *int64
	if _, values, err := s.codec.Decode(b); err == nil {
		if id, ok := values[sessUserID].(int64); ok && id > 0 {
			user = &id
		}
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry, user_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry, user_id = EXCLUDED.user_id`,
		token, b, expiry, user)
	if err != nil {
		return fmt.Errorf("auth: save session: %w", err)
	}
	return nil
}

// DeleteCtx implements scs.CtxStore.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token = $1`, token); err != nil {
		return fmt.Errorf("auth: delete session: %w", err)
	}
	return nil
}

// Find implements scs.Store (scs calls FindCtx).
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit implements scs.Store (scs calls CommitCtx).
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete implements scs.Store (scs calls DeleteCtx).
func (s *SessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}
