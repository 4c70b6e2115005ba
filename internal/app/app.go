// Package app wires Vigil together: configuration → database → stores →
// handlers → server, and runs it until asked to stop.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5"

	"vigil/internal/audit"
	"vigil/internal/auth"
	"vigil/internal/ceremony"
	"vigil/internal/checkin"
	"vigil/internal/config"
	"vigil/internal/database"
	"vigil/internal/delegation"
	"vigil/internal/i18n"
	"vigil/internal/invitation"
	"vigil/internal/mail"
	"vigil/internal/server"
	"vigil/internal/venue"
	"vigil/internal/view"
	"vigil/web"
)

// App is a wired Vigil server.
type App struct {
	Config config.Config
	DB     *database.DB
	Server *server.Server
	Users  *auth.Store
	// Sessions is the session store (tests call its Sync).
	Sessions *auth.SessionStore
	// Invitations is the invitation store the server uses (tests reach
	// it to make links and, in one control run, to drop the capacity
	// guard).
	Invitations *invitation.Store
	// arrivals announces the scans' check-ins to the live boards.
	arrivals *checkin.Announcer
	// mail sends e-mail from the job queue; Close stops it.
	mail      *mail.Service
	log       *slog.Logger
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	// stopSessions ends the session store's LISTEN connection.
	stopSessions context.CancelFunc
	sessionsDone chan struct{}
}

// New wires the application over an open database. It does not check
// migrations; serve does that before calling New.
func New(cfg config.Config, db *database.DB, log *slog.Logger) (*App, error) {
	tr, err := i18n.New()
	if err != nil {
		return nil, err
	}
	staticFS, err := fs.Sub(web.Static, "static")
	if err != nil {
		return nil, fmt.Errorf("app: static files: %w", err)
	}
	assets, err := view.NewAssets(staticFS)
	if err != nil {
		return nil, err
	}
	tmplFS, err := fs.Sub(web.Templates, "templates")
	if err != nil {
		return nil, fmt.Errorf("app: templates: %w", err)
	}

	// Expired sessions are deleted by a.cleanup.
	sessions := scs.New()
	sessions.Codec = server.NewSessionCodec()
	sessionStore := auth.NewSessionStore(db.Pool, sessions.Codec)
	sessions.Store = sessionStore
	sessions.Lifetime = 12 * time.Hour
	// The idle timeout (4 hours) is server.idleSessions's: scs's own would
	// rewrite the session on every request.
	sessions.Cookie.Name = "vigil_session"
	sessions.Cookie.HttpOnly = true
	sessions.Cookie.SameSite = http.SameSiteLaxMode
	sessions.Cookie.Secure = cfg.Secure()
	sessions.Cookie.Path = "/"

	renderer, err := view.New(tmplFS, tr, assets, sessions)
	if err != nil {
		return nil, err
	}
	var views []string
	for _, v := range [][]string{auth.Views, audit.Views, ceremony.Views, venue.Views, delegation.Views, invitation.Views, checkin.Views, {"errors/error"}} {
		views = append(views, v...)
	}
	if err := renderer.Require(views...); err != nil {
		return nil, err
	}

	users := auth.NewStore(db.Gorm)
	users.OnChange(sessionStore.ForgetUser)
	venueStore := venue.NewStore(db.Gorm)
	ceremonyStore := ceremony.NewStore(db.Gorm)
	delegationStore := delegation.NewStore(db.Gorm)
	// BEGIN invitation store
	// The mail service is the invitation store's notifier, and reads
	// invitations back through mailSource, which gets the store once it
	// exists.
	if err := renderer.Require(mail.Views...); err != nil {
		return nil, err
	}
	mailSrc := &mailSource{
		ceremonies: ceremonyStore, editions: invitationEditions{ceremonyStore},
		events: invitationCeremonies{ceremonies: ceremonyStore, venues: venueStore}, guests: invitationGuests{delegationStore},
		baseURL: cfg.BaseURL, tr: tr, now: time.Now,
	}
	mailer, err := newMail(cfg, db, tr, mailSrc, log)
	if err != nil {
		return nil, err
	}
	invitationStore := invitation.NewStore(db.Gorm, invitation.NewTokens(cfg.Secret), invitationCapacity{ceremonyStore}, mailer).WithPool(db.Pool)
	mailSrc.invitations = invitationStore
	// The scan announces its check-ins to the live boards after its
	// commit (migration 00014 says why), through the announcer.
	arrivals := checkin.NewAnnouncer(func(ctx context.Context, sql string, args ...any) error {
		_, err := db.Pool.Exec(ctx, sql, args...)
		return err
	}, log)
	invitationStore.WithArrivals(arrivals)
	// River starts in the background (it waits for the database if it
	// is down); Close stops it.
	mailer.Start()
	// END invitation store
	authSvc := auth.NewService(users, cfg.Secret)
	srv := server.New(server.Deps{
		Config:   cfg,
		DB:       db,
		Sessions: sessions,
		Users:    users,
		View:     renderer,
		Assets:   assets,
		Logger:   log,
		Handlers: server.Handlers{
			Auth:  auth.NewHandler(authSvc, sessions, renderer),
			Audit: audit.NewHandler(audit.NewStore(db.Gorm), renderer),
			Ceremony: ceremony.NewHandler(ceremonyStore.WithWatcher(ceremonyChanges{invitationStore}), renderer).WithPlanning(ceremony.Planning{
				Venues: ceremonyVenues{venueStore}, Logistics: editionCopier{Store: venueStore, delegations: delegationStore},
			}),
			// BEGIN venue wiring
			Venue: venue.NewHandler(venueStore, venuePlanning{store: ceremonyStore}, peopleAdapter{users: users}, renderer),
			// END venue wiring
			// BEGIN delegation wiring
			Delegation: delegation.NewHandler(delegationStore, delegationEditions{ceremonyStore}, delegationGates{venueStore}, renderer).
				WithHistory(invitationHistory{store: invitationStore, editions: ceremonyStore}).
				WithMovers(invitationHistory{store: invitationStore, editions: ceremonyStore}),
			// END delegation wiring
			// BEGIN invitation wiring
			Invitation: invitation.NewHandler(invitation.Deps{
				Store: invitationStore, View: renderer, Editions: invitationEditions{ceremonyStore},
				Ceremonies: invitationCeremonies{ceremonies: ceremonyStore, venues: venueStore},
				Guests:     invitationGuests{delegationStore}, Sessions: sessions, BaseURL: cfg.BaseURL, Log: log,
				Office: invitationOffice{delegations: delegationStore, users: users, ceremonies: ceremonyStore, reminders: mailer, now: time.Now},
			}),
			// END invitation wiring
			// BEGIN mail wiring
			Mail: mail.NewHandler(mailer.Store(), renderer, mailZone(ceremonyStore)),
			// END mail wiring
			// BEGIN checkin wiring
			Checkin: newCheckinHandler(checkinStores{db: db, ceremonies: ceremonyStore, venues: venueStore, invitations: invitationStore,
				delegations: delegationStore, users: users, view: renderer, log: log}),
			// END checkin wiring
		},
	})
	a := &App{Config: cfg, DB: db, Server: srv, Users: users, Sessions: sessionStore, Invitations: invitationStore, arrivals: arrivals, mail: mailer, log: log, stop: make(chan struct{}), done: make(chan struct{})}
	go a.cleanup(10 * time.Minute)
	// The session store keeps sessions in memory while its LISTEN
	// connection (outside the pool, like the live board's) is up.
	listenCtx, stopListen := context.WithCancel(context.Background())
	a.stopSessions, a.sessionsDone = stopListen, make(chan struct{})
	go func() {
		defer close(a.sessionsDone)
		sessionStore.Listen(listenCtx, func(ctx context.Context) (*pgx.Conn, error) {
			return pgx.ConnectConfig(ctx, db.Pool.Config().ConnConfig.Copy())
		}, log)
	}()
	return a, nil
}

// cleanup deletes expired sessions and sign-in failures past their window,
// every interval, until Close.
func (a *App) cleanup(interval time.Duration) {
	defer close(a.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if _, err := a.DB.Pool.Exec(ctx, "DELETE FROM sessions WHERE expiry < now()"); err != nil {
				a.log.Warn("clean up expired sessions", "err", err)
			}
			if err := a.Users.PruneFailures(ctx, time.Now().Add(-auth.FailureWindow)); err != nil {
				a.log.Warn("clean up sign-in failures", "err", err)
			}
			cancel()
		}
	}
}

// Close stops the app's background work: the clean-up, then the job
// queue (e-mails being sent are finished first).
func (a *App) Close() {
	// The last check-ins' announcements go out before the pool closes.
	a.arrivals.Flush()
	a.closeOnce.Do(func() { close(a.stop); a.stopSessions() })
	<-a.done
	<-a.sessionsDone
	a.stopMail()
}

// Run serves on the configured address until ctx is cancelled, then shuts
// down gracefully: the listener closes at once, requests in flight get up
// to 25 seconds to finish.
func (a *App) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("app: listen on %s (VIGIL_ADDR): %w", a.Config.Addr, err)
	}
	return a.Serve(ctx, ln)
}

// Serve is Run on an existing listener (tests pass one on a free port).
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Server,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	servers := []*http.Server{srv}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if a.Config.MetricsAddr != "" {
		msrv := &http.Server{Addr: a.Config.MetricsAddr, Handler: a.Server.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, msrv)
		go func() { errc <- msrv.ListenAndServe() }()
		a.log.Info("metrics listening", "addr", a.Config.MetricsAddr)
	}
	a.log.Info("vigil listening", "addr", ln.Addr().String(), "base_url", a.Config.BaseURL.String())

	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("app: serve: %w", err)
		}
		return nil
	case <-ctx.Done():
	}
	a.log.Info("shutting down: finishing requests in flight")
	shutCtx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	var errs []error
	for _, s := range servers {
		if err := s.Shutdown(shutCtx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("app: shutdown: %w", err)
	}
	a.log.Info("stopped")
	return nil
}
