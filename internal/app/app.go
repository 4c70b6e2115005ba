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
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"

	"vigil/internal/audit"
	"vigil/internal/auth"
	"vigil/internal/ceremony"
	"vigil/internal/config"
	"vigil/internal/database"
	"vigil/internal/i18n"
	"vigil/internal/server"
	"vigil/internal/view"
	"vigil/web"
)

// App is a wired Vigil server.
type App struct {
	Config config.Config
	DB     *database.DB
	Server *server.Server
	Users  *auth.Store
	log    *slog.Logger
	stores *pgxstore.PostgresStore
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

	store := pgxstore.NewWithCleanupInterval(db.Pool, 10*time.Minute)
	sessions := scs.New()
	sessions.Store = store
	sessions.Lifetime = 12 * time.Hour
	sessions.IdleTimeout = 4 * time.Hour
	sessions.Cookie.Name = "vigil_session"
	sessions.Cookie.HttpOnly = true
	sessions.Cookie.SameSite = http.SameSiteLaxMode
	sessions.Cookie.Secure = cfg.Secure()
	sessions.Cookie.Path = "/"
	sessions.ErrorFunc = server.SessionErrorFunc(log)

	renderer, err := view.New(tmplFS, tr, assets, sessions)
	if err != nil {
		return nil, err
	}
	var views []string
	for _, v := range [][]string{auth.Views, audit.Views, ceremony.Views, {"errors/error"}} {
		views = append(views, v...)
	}
	if err := renderer.Require(views...); err != nil {
		return nil, err
	}

	users := auth.NewStore(db.Gorm)
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
			Auth:     auth.NewHandler(authSvc, sessions, renderer),
			Audit:    audit.NewHandler(audit.NewStore(db.Gorm), renderer),
			Ceremony: ceremony.NewHandler(ceremony.NewStore(db.Gorm), renderer),
			// BEGIN venue wiring
			// END venue wiring
		},
	})
	return &App{Config: cfg, DB: db, Server: srv, Users: users, log: log, stores: store}, nil
}

// Close stops background work of the app (session clean-up).
func (a *App) Close() { a.stores.StopCleanup() }

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
