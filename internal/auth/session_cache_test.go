package auth

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"vigil/internal/database"
	"vigil/internal/testdb"
)

// rawCodec is a stand-in codec: the store decodes data only to find the
// user's id when saving, and every session here is user 1's.
type rawCodec struct{}

func (rawCodec) Encode(time.Time, map[string]any) ([]byte, error) { return nil, nil }
func (rawCodec) Decode([]byte) (time.Time, map[string]any, error) {
	return time.Time{}, map[string]any{sessUserID: int64(1)}, nil
}

// listening starts a session store as one server instance has it, with
// its LISTEN connection, and waits until the connection is up.
func listening(t *testing.T, db *database.DB) *SessionStore {
	t.Helper()
	s := NewSessionStore(db.Pool, rawCodec{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Listen(ctx, func(ctx context.Context) (*pgx.Conn, error) {
			return pgx.ConnectConfig(ctx, db.Pool.Config().ConnConfig.Copy())
		}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	t.Cleanup(func() { cancel(); <-done })
	eventually(t, "the LISTEN connection is up", func() bool {
		s.cache.mu.Lock()
		defer s.cache.mu.Unlock()
		return s.cache.live
	})
	return s
}

// eventually waits up to two seconds for cond: a change made on another
// connection reaches this instance with its notification.
func eventually(t *testing.T, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < 2*time.Second {
		if cond() {
			return time.Since(start)
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("not within 2 s: %s", what)
	return 0
}

func withUser(ctx context.Context) (context.Context, *sessionUser) {
	h := &sessionUser{}
	return context.WithValue(ctx, sessionUserKey{}, h), h
}

// Two instances on one database: each keeps the sessions it read, and a
// change made anywhere (a sign-out, a new role, a disabled account, a
// session ended by SQL) reaches the other's copy through NOTIFY.
func TestSessionCacheAcrossInstances(t *testing.T) {
	db, _ := testdb.New(t)
	ctx := context.Background()
	var uid int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO users (email, name, role, password_hash)
		VALUES ('gate@example.org', 'Gate One', 'staff', 'x') RETURNING id`).Scan(&uid); err != nil {
		t.Fatal(err)
	}
	if uid != 1 {
		t.Fatalf("user id %d: rawCodec says every session is user 1's", uid)
	}
	a, b := listening(t, db), listening(t, db)
	save := func(token string) {
		t.Helper()
		if _, err := db.Pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry, user_id) VALUES ($1, 'data', now() + interval '1 hour', $2)`, token, uid); err != nil {
			t.Fatal(err)
		}
	}
	find := func(s *SessionStore, token string) (*User, bool) {
		t.Helper()
		c, h := withUser(ctx)
		_, ok, err := s.FindCtx(c, token)
		if err != nil {
			t.Fatal(err)
		}
		return h.user, ok
	}
	cached := func(s *SessionStore, token string) bool {
		_, ok := s.cache.get(sessionKey(token))
		return ok
	}

	save("tok-1")
	u, ok := find(b, "tok-1")
	if !ok || u == nil || u.Role != RoleStaff || u.Name != "Gate One" {
		t.Fatalf("B reads the session: ok=%v user=%+v", ok, u)
	}
	if !cached(b, "tok-1") {
		t.Fatal("B keeps no copy of the session it read")
	}
	// The copy is served without PostgreSQL: with the row changed behind
	// the trigger's back, B still answers from its copy.
	for _, q := range []string{`ALTER TABLE users DISABLE TRIGGER users_session_notify`,
		`UPDATE users SET name = 'Renamed quietly' WHERE id = ` + strconv.FormatInt(uid, 10)} {
		if _, err := db.Pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Pool.Exec(ctx, `ALTER TABLE users ENABLE TRIGGER users_session_notify`); err != nil {
		t.Fatal(err)
	}
	if u, _ := find(b, "tok-1"); u == nil || u.Name != "Gate One" {
		t.Fatalf("B's second read went to the database (user %+v), not to its copy", u)
	}
	// Each request gets its own user: a handler changing it changes no copy.
	u.Name = "changed by a handler"
	if u2, _ := find(b, "tok-1"); u2.Name != "Gate One" {
		t.Fatalf("a handler's change reached the copy: %q", u2.Name)
	}

	// A new role, given by SQL on another connection.
	if _, err := db.Pool.Exec(ctx, `UPDATE users SET role = 'organizer' WHERE id = $1`, uid); err != nil {
		t.Fatal(err)
	}
	took := eventually(t, "B sees the new role", func() bool {
		u, _ := find(b, "tok-1")
		return u != nil && u.Role == RoleOrganizer
	})
	t.Logf("a new role reached the other instance in %v", took)

	// A sign-out on A ends the session on B.
	find(a, "tok-1")
	if err := a.DeleteCtx(ctx, "tok-1"); err != nil {
		t.Fatal(err)
	}
	if _, ok := find(a, "tok-1"); ok {
		t.Fatal("A still finds the session it deleted")
	}
	took = eventually(t, "B no longer finds the session A deleted", func() bool {
		_, ok := find(b, "tok-1")
		return !ok
	})
	t.Logf("a sign-out reached the other instance in %v", took)

	// A session saved again on A (new data) is read afresh on B.
	save("tok-2")
	find(b, "tok-2")
	if err := a.CommitCtx(ctx, "tok-2", []byte("new data"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B reads the data A saved", func() bool {
		d, _, _ := b.FindCtx(ctx, "tok-2")
		return string(d) == "new data"
	})

	// A disabled account, by SQL: B's copy goes.
	find(b, "tok-2")
	if _, err := db.Pool.Exec(ctx, `UPDATE users SET disabled_at = now() WHERE id = $1`, uid); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B sees the account disabled", func() bool {
		u, _ := find(b, "tok-2")
		return u != nil && u.Disabled
	})

	// Sync: once it returns, every change committed before it counts.
	find(b, "tok-2")
	if _, err := db.Pool.Exec(ctx, `UPDATE users SET name = 'Gate Two' WHERE id = $1`, uid); err != nil {
		t.Fatal(err)
	}
	if err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if u, _ := find(b, "tok-2"); u == nil || u.Name != "Gate Two" {
		t.Fatalf("after Sync, B still has the old user: %+v", u)
	}

	// The LISTEN connection cut: nothing is kept until it is back, and
	// then copies are kept again.
	find(b, "tok-2")
	if _, err := db.Pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE query = 'LISTEN `+SessionChannel+`' AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B forgets its copies when its LISTEN connection drops", func() bool { return !cached(b, "tok-2") })
	eventually(t, "B keeps copies again once it listens again", func() bool {
		find(b, "tok-2")
		return cached(b, "tok-2")
	})
}

// A session read while a drop happens may predate the change the drop is
// for: it is not kept. Nor is anything kept while not listening, or past
// the session's expiry.
func TestSessionCacheKeepsNothingDoubtful(t *testing.T) {
	c := newSessionCache()
	e := cachedSession{data: []byte("d"), user: &User{ID: 7}, expiry: time.Now().Add(time.Hour)}

	c.put("k", c.begin(), e)
	if _, ok := c.get("k"); ok {
		t.Fatal("kept while not listening")
	}
	c.setLive(true)
	gen := c.begin()
	c.drop("other")
	c.put("k", gen, e)
	if _, ok := c.get("k"); ok {
		t.Fatal("kept a read that overlapped a drop")
	}
	gen = c.begin()
	c.dropUser(99)
	c.put("k", gen, e)
	if _, ok := c.get("k"); ok {
		t.Fatal("kept a read that overlapped a user's drop")
	}
	c.put("k", c.begin(), e)
	if _, ok := c.get("k"); !ok {
		t.Fatal("a clean read was not kept")
	}
	if !c.apply("u7") {
		t.Fatal("a user's notification not understood")
	}
	if _, ok := c.get("k"); ok {
		t.Fatal("user 7's session kept after user 7 changed")
	}
	if c.apply("x") || c.apply("unumber") {
		t.Fatal("nonsense understood")
	}

	// Past the session's expiry, or the copy's own limit: gone.
	now := time.Now()
	c.now = func() time.Time { return now }
	c.put("k", c.begin(), cachedSession{expiry: now.Add(time.Second)})
	c.now = func() time.Time { return now.Add(2 * time.Second) }
	if _, ok := c.get("k"); ok {
		t.Fatal("kept past the session's expiry")
	}
	c.now = func() time.Time { return now }
	c.put("k", c.begin(), e)
	c.now = func() time.Time { return now.Add(cacheTTL) }
	if _, ok := c.get("k"); ok {
		t.Fatal("kept past cacheTTL")
	}

	// Full: room is made, the memory stays bounded.
	c.now = time.Now
	for i := range 3 * cacheMax {
		c.put(sessionKey(strconv.Itoa(i)), c.begin(), e)
	}
	if n := len(c.items); n > cacheMax {
		t.Fatalf("%d copies kept, at most %d", n, cacheMax)
	}
}
