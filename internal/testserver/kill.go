package testserver

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vigil/internal/database"
)

// Instance is a Vigil server on a shared database, as StartOn starts one,
// that a test can also kill as a crash would: Kill cuts every connection
// it has, to its clients and to PostgreSQL, at once, without letting a
// request finish.
//
// Its database connections go through a small TCP relay of its own,
// because only cutting them from outside models a dead process: a
// cancelled context or a graceful shutdown lets the code under test run
// its own clean-up, which a crash does not. So Server.DB dies with the
// instance too: a test checks the database afterwards through its own
// connection or another instance's.
type Instance struct {
	*Server
	http   *trackingListener
	relay  *relay
	killed atomic.Bool
}

// StartInstance starts a Vigil server on the database of db, like StartOn,
// with env added to its environment (for example VIGIL_SMTP_ADDR, so that
// both instances of a test send e-mail). It stops when the test ends; after
// Kill it only releases what is left.
func StartInstance(t testing.TB, db *database.DB, env map[string]string) *Instance {
	t.Helper()
	shared := db.Pool.Config().ConnString()
	u, err := url.Parse(shared)
	if err != nil || u.Host == "" {
		t.Fatalf("testserver: StartInstance needs a postgres:// URL, not %q", shared)
	}
	r, err := startRelay(u.Host)
	if err != nil {
		t.Fatalf("testserver: database relay: %v", err)
	}
	u.Host = r.addr
	dbURL := u.String()
	own, err := database.Open(context.Background(), dbURL)
	if err != nil {
		r.close()
		t.Fatalf("testserver: open the shared database: %v", err)
	}
	inst := &Instance{relay: r}
	inst.Server = launch{
		what:  "instance",
		db:    own,
		dbURL: dbURL,
		env:   env,
		listener: func(ln net.Listener) net.Listener {
			inst.http = &trackingListener{Listener: ln, conns: map[net.Conn]struct{}{}}
			return inst.http
		},
		release: func() {
			own.Close()
			r.close()
		},
		stopping: func() {
			if inst.killed.Load() {
				// The test's checks are over: give the dead instance
				// its database back so that what is left of it (River
				// resigning its leadership) stops at once rather than
				// retrying for seconds.
				r.reopen()
			}
		},
		// A killed instance's Serve fails on its closed listener.
		failed: func(error) bool { return !inst.killed.Load() },
	}.start(t)
	return inst
}

// Kill stops the instance as a crash would: requests in flight get no
// answer, every connection to PostgreSQL is cut (so a transaction it had
// open can never commit, and PostgreSQL rolls it back when it finds the
// client gone), it cannot connect again, and its listener and client
// connections close. Its goroutines are only reaped when the test ends.
//
// The order matters: the client connections go deaf first, so that a
// handler that sees its database vanish cannot still send an answer; the
// database goes next, before the client connections close, so that no
// handler reacts to its cancelled request by rolling back itself —
// whatever happens to its transaction is PostgreSQL's doing, as after a
// crash.
func (i *Instance) Kill() {
	i.killed.Store(true)
	i.http.deafen()
	i.relay.close()
	i.http.closeAll()
}

// trackingListener remembers the connections it accepted, so that they
// can all be closed at once.
type trackingListener struct {
	net.Listener
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	// deaf: writes to every connection fail (the client hears nothing)
	// while reads still wait, so the server does not notice yet.
	deaf atomic.Bool
}

// deafen makes every write to a client fail from now on.
func (l *trackingListener) deafen() { l.deaf.Store(true) }

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		c.Close()
		return nil, net.ErrClosed
	}
	tc := &trackedConn{Conn: c, l: l}
	l.conns[tc] = struct{}{}
	return tc, nil
}

// closeAll closes the listener and every connection still open.
func (l *trackingListener) closeAll() {
	l.mu.Lock()
	l.closed = true
	conns := make([]net.Conn, 0, len(l.conns))
	for c := range l.conns {
		conns = append(conns, c)
	}
	l.mu.Unlock()
	l.Listener.Close()
	for _, c := range conns {
		c.Close()
	}
}

type trackedConn struct {
	net.Conn
	l    *trackingListener
	once sync.Once
}

func (c *trackedConn) Write(p []byte) (int, error) {
	if c.l.deaf.Load() {
		return 0, net.ErrClosed
	}
	return c.Conn.Write(p)
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

// relay forwards TCP connections to PostgreSQL until close, which cuts
// them all and refuses new ones.
type relay struct {
	// addr is where it listens, ln while it does.
	addr   string
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	closed bool
}

func startRelay(target string) (*relay, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &relay{ln: ln, addr: ln.Addr().String(), target: target}
	go r.serve(ln)
	return r, nil
}

func (r *relay) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go r.pipe(c)
	}
}

// pipe copies both ways between a client and a new connection to the
// target; when either side ends, both close.
func (r *relay) pipe(client net.Conn) {
	server, err := net.DialTimeout("tcp", r.target, 5*time.Second)
	if err != nil {
		client.Close()
		return
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		client.Close()
		server.Close()
		return
	}
	r.conns = append(r.conns, client, server)
	r.mu.Unlock()
	go func() {
		_, _ = io.Copy(server, client)
		server.Close()
		client.Close()
	}()
	_, _ = io.Copy(client, server)
	server.Close()
	client.Close()
}

// reopen accepts connections again on the same address, if it is still
// free.
func (r *relay) reopen() {
	ln, err := net.Listen("tcp", r.addr)
	if err != nil {
		return
	}
	r.mu.Lock()
	r.ln, r.closed = ln, false
	r.mu.Unlock()
	go r.serve(ln)
}

// close stops accepting and cuts every connection.
func (r *relay) close() {
	r.mu.Lock()
	r.closed = true
	ln, conns := r.ln, r.conns
	r.conns = nil
	r.mu.Unlock()
	if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		slog.Warn("testserver: close relay", "err", err)
	}
	for _, c := range conns {
		c.Close()
	}
}
