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
// on every signed-in request. A change of the user (disabled, a new role)
// counts at once on this instance and within milliseconds on the others
// (see session_cache.go).
//
// The user's id is taken from the session's data when it is saved (with
// the session codec) and kept in the column sessions.user_id.
//
// With Listen running, sessions read are also kept in memory (see
// session_cache.go).
type SessionStore struct {
	pool  *pgxpool.Pool
	codec scs.Codec
	cache *sessionCache
}

// NewSessionStore returns the store; codec must be the session manager's.
func NewSessionStore(pool *pgxpool.Pool, codec scs.Codec) *SessionStore {
	return &SessionStore{pool: pool, codec: codec, cache: newSessionCache()}
}

// ForgetUser drops this instance's copies of user id's sessions at once,
// for a change of the user made here (the notification does the same on
// every instance, a moment later).
func (s *SessionStore) ForgetUser(id int64) { s.cache.dropUser(id) }

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
	key := sessionKey(token)
	h, _ := ctx.Value(sessionUserKey{}).(*sessionUser)
	if e, ok := s.cache.get(key); ok {
		if h != nil {
			h.user = nil
			if e.user != nil {
				u := *e.user // each request its own: handlers may change it
				h.user = &u
			}
		}
		return e.data, true, nil
	}
	gen := s.cache.begin()
	e, found, err := s.read(ctx, token)
	if err != nil || !found {
		return nil, false, err
	}
	s.cache.put(key, gen, e)
	if h != nil {
		h.user = nil
		if e.user != nil {
			u := *e.user
			h.user = &u
		}
	}
	return e.data, true, nil
}

// read reads a session and its user from PostgreSQL.
func (s *SessionStore) read(ctx context.Context, token string) (cachedSession, bool, error) {
	var e cachedSession
	var id *int64
	var u User
	var email, name, role, hash, locale *string
	var created, updated *time.Time
	var version *int
	// The whole user, as Store.ByID reads it: Current gives handlers the same.
	err := s.pool.QueryRow(ctx, `SELECT s.data, s.expiry, u.id, u.email, u.name, u.role, u.password_hash, u.locale,
			u.disabled_at, u.last_login_at, u.created_at, u.updated_at, u.version
		FROM sessions s LEFT JOIN users u ON u.id = s.user_id
		WHERE s.token = $1 AND current_timestamp < s.expiry`, token).
		Scan(&e.data, &e.expiry, &id, &email, &name, &role, &hash, &locale, &u.DisabledAt, &u.LastLoginAt, &created, &updated, &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, false, nil
	}
	if err != nil {
		return e, false, fmt.Errorf("auth: find session: %w", err)
	}
	if id != nil {
		u.ID, u.Email, u.Name, u.Role, u.PasswordHash, u.Locale = *id, *email, *name, Role(*role), *hash, *locale
		u.CreatedAt, u.UpdatedAt, u.Version = *created, *updated, *version
		u.Disabled = u.DisabledAt != nil
		e.user = &u
	}
	return e, true, nil
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
	// This instance's copy goes at once, whatever happened; the others'
	// when the trigger's notification reaches them.
	s.cache.drop(sessionKey(token))
	if err != nil {
		return fmt.Errorf("auth: save session: %w", err)
	}
	return nil
}

// DeleteCtx implements scs.CtxStore.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token = $1`, token)
	s.cache.drop(sessionKey(token))
	if err != nil {
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
