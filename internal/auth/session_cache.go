package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"vigil/internal/database"
)

// Each instance keeps the sessions it has read, with their users, in
// memory: a signed-in request then needs no look-up before its own work
// (a gate's scan is one statement instead of two). Sessions stay in
// PostgreSQL, and the copies are only trusted while they can be kept
// right: every change to a session or a user is announced by a trigger
// on channel SessionChannel (migrations/00012_session_notify.sql), and
// each instance drops the copies it names. While the LISTEN connection is
// down nothing is kept, and every request reads PostgreSQL as before.
//
// A change made on another instance therefore counts here once its
// notification has arrived, a few milliseconds after the commit; a change
// made on this instance counts at once (the writer drops its copy itself).
// A copy is also never kept longer than cacheTTL, whatever happens.

// SessionChannel is the channel the session triggers notify.
const SessionChannel = "vigil_sessions"

const (
	// cacheTTL bounds how long a copy is trusted, notifications or not.
	cacheTTL = time.Minute
	// cacheMax bounds the memory: past it, the oldest copies make room.
	cacheMax = 4096
)

type cachedSession struct {
	data   []byte
	user   *User // nil: the session holds no user
	expiry time.Time
	until  time.Time
}

// sessionCache holds the copies, keyed by sessionKey(token).
type sessionCache struct {
	mu sync.Mutex
	// live: the LISTEN connection is up and listening, so a change
	// reaches this cache; without it nothing is kept.
	live bool
	// gen counts the drops: a copy read from PostgreSQL is kept only if
	// no drop happened while it was being read (it may predate the
	// change the drop was for).
	gen   uint64
	items map[string]cachedSession
	now   func() time.Time
	// pings are the Sync markers seen (see Sync).
	pings map[string]bool
}

func newSessionCache() *sessionCache {
	return &sessionCache{items: map[string]cachedSession{}, now: time.Now, pings: map[string]bool{}}
}

// sessionKey names a session in the cache and in notifications: the
// token's SHA-256, as the trigger computes it, so the secret itself is
// never sent to other connections.
func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// get returns the copy of the session, if one can be trusted.
func (c *sessionCache) get(key string) (cachedSession, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok || !c.live {
		return cachedSession{}, false
	}
	if now := c.now(); !now.Before(e.expiry) || !now.Before(e.until) {
		delete(c.items, key)
		return cachedSession{}, false
	}
	return e, true
}

// begin is called before a session is read from PostgreSQL; put is given
// its result.
func (c *sessionCache) begin() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put keeps a session read from PostgreSQL, unless something was dropped
// since begin returned gen.
func (c *sessionCache) put(key string, gen uint64, e cachedSession) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || gen != c.gen {
		return
	}
	if len(c.items) >= cacheMax {
		c.evict()
	}
	e.until = c.now().Add(cacheTTL)
	c.items[key] = e
}

// evict makes room: expired copies go, and if that frees nothing, the
// quarter nearest the end of their trust. c.mu is held.
func (c *sessionCache) evict() {
	now := c.now()
	for k, e := range c.items {
		if !now.Before(e.expiry) || !now.Before(e.until) {
			delete(c.items, k)
		}
	}
	if len(c.items) < cacheMax {
		return
	}
	cut := now.Add(cacheTTL * 3 / 4)
	for k, e := range c.items {
		if e.until.Before(cut) {
			delete(c.items, k)
		}
	}
	if len(c.items) >= cacheMax {
		clear(c.items)
	}
}

// drop forgets one session.
func (c *sessionCache) drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.items, key)
}

// dropUser forgets every session of user id.
func (c *sessionCache) dropUser(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.items {
		if e.user != nil && e.user.ID == id {
			delete(c.items, k)
		}
	}
}

// setLive forgets everything and says whether copies may be kept from
// now on: changes made while the LISTEN connection was down were never
// announced.
func (c *sessionCache) setLive(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.items)
	c.live = live
}

// apply acts on one notification; false: it was not understood.
func (c *sessionCache) apply(payload string) bool {
	switch {
	case strings.HasPrefix(payload, "s") && len(payload) == 1+2*sha256.Size:
		c.drop(payload[1:])
	case strings.HasPrefix(payload, "p"):
		c.mu.Lock()
		if len(c.pings) > 64 {
			clear(c.pings)
		}
		c.pings[payload[1:]] = true
		c.mu.Unlock()
	case strings.HasPrefix(payload, "u"):
		id, err := strconv.ParseInt(payload[1:], 10, 64)
		if err != nil {
			return false
		}
		c.dropUser(id)
	default:
		return false
	}
	return true
}

// Listen keeps sessions in memory, and the LISTEN connection that keeps
// them right, until ctx ends; connect opens a connection of its own. When
// the connection drops, the copies are forgotten until it is back;
// meanwhile every request reads PostgreSQL.
func (s *SessionStore) Listen(ctx context.Context, connect func(context.Context) (*pgx.Conn, error), log *slog.Logger) {
	defer s.cache.setLive(false)
	database.Listen(ctx, database.Listener{
		Channel: SessionChannel,
		Connect: connect,
		Up:      func() { s.cache.setLive(true) },
		Notify: func(payload string) {
			if !s.cache.apply(payload) {
				// Not understood: forgetting everything is always safe.
				s.cache.setLive(true)
			}
		},
		Down: func(err error, retryIn time.Duration) {
			s.cache.setLive(false)
			log.Warn("sessions: LISTEN connection lost; reading every session from the database until it is back", "err", err, "in", retryIn)
		},
	})
}

// Sync waits until this instance has acted on every change committed
// before it was called (at most until ctx ends): it sends a marker on the
// channel and waits for it to come back, and notifications arrive in the
// order their transactions committed. Tests that change users or
// sessions behind the server's back call it; nothing needs to while the
// LISTEN connection is down, as nothing is kept then.
func (s *SessionStore) Sync(ctx context.Context) error {
	var raw [8]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return fmt.Errorf("auth: sync sessions: %w", err)
	}
	marker := hex.EncodeToString(raw[:])
	if _, err := s.pool.Exec(ctx, "SELECT pg_notify($1, $2)", SessionChannel, "p"+marker); err != nil {
		return fmt.Errorf("auth: sync sessions: %w", err)
	}
	for {
		s.cache.mu.Lock()
		seen, live := s.cache.pings[marker], s.cache.live
		s.cache.mu.Unlock()
		if seen || !live {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("auth: sync sessions: %w", ctx.Err())
		case <-time.After(time.Millisecond):
		}
	}
}
