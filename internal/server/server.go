// Package server builds the Echo instance: middleware (recover, request id,
// logging, metrics, security headers, sessions, CSRF, user), error pages,
// probes, and the one route table in routes.go.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

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
	"vigil/internal/venue"
	"vigil/internal/view"
)

// Handlers are the domain handlers the route table points at.
type Handlers struct {
	Auth     *auth.Handler
	Audit    *audit.Handler
	Ceremony *ceremony.Handler
	// BEGIN venue handler
	Venue *venue.Handler
	// END venue handler
	// BEGIN delegation handler
	Delegation *delegation.Handler
	// END delegation handler
	// BEGIN invitation handler
	Invitation *invitation.Handler
	// END invitation handler
	// BEGIN mail handler
	Mail *mail.Handler
	// END mail handler
	// BEGIN checkin handler
	Checkin *checkin.Handler
	// END checkin handler
}

// Pinger reports whether the database answers, for /readyz.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps is everything the server needs.
type Deps struct {
	Config   config.Config
	DB       Pinger
	Sessions *scs.SessionManager
	Users    *auth.Store
	View     *view.Renderer
	Assets   *view.Assets
	Handlers Handlers
	Logger   *slog.Logger
}

// Server is the HTTP side of Vigil.
type Server struct {
	Echo     *echo.Echo
	cfg      config.Config
	db       Pinger
	sessions *scs.SessionManager
	users    *auth.Store
	view     *view.Renderer
	assets   *view.Assets
	h        Handlers
	log      *slog.Logger
	metrics  *metrics
}

// New builds the server and registers every route.
func New(d Deps) *Server {
	s := &Server{
		cfg: d.Config, db: d.DB, sessions: d.Sessions, users: d.Users, view: d.View,
		assets: d.Assets, h: d.Handlers, log: d.Logger, metrics: newMetrics(),
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	if d.Config.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	} else {
		// Never believe X-Forwarded-For from the open internet: the
		// sign-in limits count by address.
		e.IPExtractor = echo.ExtractIPDirect()
	}
	e.HTTPErrorHandler = s.errorHandler
	s.Echo = e
	if s.sessions != nil {
		// The session store is the first thing a signed-in request asks
		// of the database: when it is down, answer with the translated
		// 503 page rather than scs's bare 500.
		s.sessions.ErrorFunc = s.sessionError
	}

	e.Use(s.requestID, s.logRequests, middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic", "request_id", view.RequestID(c), "err", err, "stack", string(stack))
			return err
		},
	}), s.securityHeaders, middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit:   "2M",
		Skipper: func(c echo.Context) bool { _, ok := uploadLimits[c.Request().Method+" "+c.Path()]; return ok },
	}))

	sessionChain := []echo.MiddlewareFunc{
		auth.WithSessionUser,
		echo.WrapMiddleware(s.sessions.LoadAndSave),
		idleSessions(s.sessions, time.Now),
		s.locale,
		auth.LoadUser(s.users, s.sessions),
		csrf(d.Config.Secure()),
	}
	for _, r := range s.Routes() {
		var chain []echo.MiddlewareFunc
		if r.Access != Bare {
			chain = append(chain, sessionChain...)
		}
		if limit, ok := uploadLimits[r.Method+" "+r.Path]; ok {
			chain = append([]echo.MiddlewareFunc{middleware.BodyLimit(limit)}, chain...)
		}
		if r.Access == Staff || r.Access == Organizer {
			chain = append(chain, auth.RequireRole(roleFor(r.Access)))
		}
		e.Add(r.Method, r.Path, r.Handler, chain...)
	}
	// Unknown paths still get the session and user, so the 404 page shows
	// the navigation of a signed-in user.
	e.RouteNotFound("/*", func(c echo.Context) error { return echo.ErrNotFound }, sessionChain...)
	return s
}

// ServeHTTP lets the server be used as an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.Echo.ServeHTTP(w, r) }

func (s *Server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if id == "" || len(id) > 64 || strings.ContainsAny(id, " \r\n\t") {
			b := make([]byte, 8)
			if _, err := rand.Read(b); err != nil {
				return err
			}
			id = hex.EncodeToString(b)
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		view.SetRequestID(c, id)
		return next(c)
	}
}

// logPath is the path as logged: invitation links carry their token in the
// path, and tokens never reach the logs.
func logPath(p string) string {
	if strings.HasPrefix(p, "/rsvp/") {
		return "/rsvp/[redacted]"
	}
	return p
}

func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			// Let the error handler write the response now so the status
			// logged and counted is the one sent.
			c.Error(err)
		}
		status := c.Response().Status
		dur := time.Since(start)
		route := c.Path()
		if route == "" || route == "/*" && status == http.StatusNotFound {
			route = "not_found"
		}
		s.metrics.observe(c.Request().Method, route, status, dur)
		if route == "/healthz" || route == "/readyz" || route == "/static/*" {
			return nil
		}
		lvl := slog.LevelInfo
		if status >= 500 {
			lvl = slog.LevelError
		}
		// As Attrs, not key-value pairs: the pairs box each value, an
		// allocation per field on every request.
		s.log.LogAttrs(c.Request().Context(), lvl, "request",
			slog.String("request_id", view.RequestID(c)),
			slog.String("method", c.Request().Method),
			slog.String("path", logPath(c.Request().URL.Path)),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Float64("duration_ms", float64(dur.Microseconds())/1000),
			slog.Int64("bytes", c.Response().Size),
			slog.String("ip", c.RealIP()),
		)
		return nil
	}
}

func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		// The same value slices for every response (an allocation each
		// saved on every request): cap 1, so an Add elsewhere copies
		// rather than writes into them.
		for _, kv := range securityHeaderValues {
			h[kv.key] = kv.value
		}
		if s.cfg.Secure() {
			h[hstsKey] = hstsValue
		}
		return next(c)
	}
}

// securityHeaderValues are the headers every response carries, their keys
// in canonical form.
var securityHeaderValues = []struct {
	key   string
	value []string
}{
	{"Content-Security-Policy", []string{"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"}},
	{"X-Content-Type-Options", []string{"nosniff"}},
	{"X-Frame-Options", []string{"DENY"}},
	{"Referrer-Policy", []string{"same-origin"}},
	{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
	{"Permissions-Policy", []string{"geolocation=(), microphone=(), camera=(self)"}},
}

const hstsKey = "Strict-Transport-Security"

var hstsValue = []string{"max-age=31536000; includeSubDomains"}

// uploadLimits are the routes that take files larger than the 2 MB every
// other request is held to: the guest import reads spreadsheets of up to
// 10 MiB (the multipart envelope adds a little). Echo reads "M" as 10^6.
var uploadLimits = map[string]string{
	http.MethodPost + " /guests/import": "11MiB",
}

const langCookie = "vigil_lang"

// locale picks the page language for visitors who are not signed in: their
// choice (cookie), else the browser's. A signed-in user's own setting
// replaces it in auth.LoadUser.
func (s *Server) locale(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		view.SetLocale(c, requestLocale(c.Request()))
		return next(c)
	}
}

// requestLocale is the visitor's language from the request alone (no
// session, no database): the language cookie, else Accept-Language.
func requestLocale(r *http.Request) string {
	if ck, err := r.Cookie(langCookie); err == nil && i18n.Supported(ck.Value) {
		return ck.Value
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

// setLanguage handles POST /language: remembers the visitor's language.
func (s *Server) setLanguage(c echo.Context) error {
	loc := c.FormValue("locale")
	if !i18n.Supported(loc) {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	// A signed-in user's own setting wins over the cookie (auth.LoadUser),
	// so the choice is saved there too.
	if u := view.User(c); u != nil {
		if err := s.users.SetLocale(c.Request().Context(), u.ID, loc); err != nil {
			return err
		}
	}
	c.SetCookie(&http.Cookie{
		Name: langCookie, Value: loc, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode,
	})
	back := c.FormValue("back")
	if back == "" || !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.HasPrefix(back, `/\`) {
		back = "/"
	}
	return c.Redirect(http.StatusSeeOther, back)
}

func (s *Server) healthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok\n")
}

func (s *Server) readyz(c echo.Context) error {
	if err := s.db.Ping(c.Request().Context()); err != nil {
		s.log.Warn("readyz: database unreachable", "err", err)
		return c.String(http.StatusServiceUnavailable, "database unavailable\n")
	}
	return c.String(http.StatusOK, "ready\n")
}

// errorHandler renders every error as a page in the user's language; the
// details of a 500 go to the log with the request id, never to the page.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := http.StatusInternalServerError
	key := "error.500.message"
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		status = he.Code
		key = "error.generic.message"
		switch status {
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			status, key = http.StatusNotFound, "error.404.message"
		case http.StatusForbidden:
			key = "error.403.message"
			if he.Message == "csrf" {
				key = "error.csrf.message"
			}
		case http.StatusRequestEntityTooLarge:
			key = "error.413.message"
		case http.StatusBadRequest:
			key = "error.400.message"
		default:
			if status >= 500 {
				key = "error.500.message"
			}
		}
	case database.IsUnavailable(err):
		status, key = http.StatusServiceUnavailable, "error.503.message"
		s.log.Error("database unavailable", "request_id", view.RequestID(c), "err", err)
	default:
		s.log.Error("request failed", "request_id", view.RequestID(c), "path", logPath(c.Request().URL.Path), "err", err)
	}
	if status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", "5")
	}
	if c.Request().Method == http.MethodHead {
		if err := c.NoContent(status); err != nil {
			s.log.Error("write error response", "err", err)
		}
		return
	}
	if err := s.view.ErrorPage(c, status, key); err != nil {
		s.log.Error("render error page", "err", err)
	}
}

// sessionError answers when the session store fails: with the database
// down, the error page (503, in the visitor's language, with Retry-After);
// any other failure is a 500 page, its details in the log only.
func (s *Server) sessionError(w http.ResponseWriter, r *http.Request, err error) {
	c := s.Echo.NewContext(r, w)
	view.SetLocale(c, requestLocale(r))
	view.SetRequestID(c, w.Header().Get(echo.HeaderXRequestID))
	status, key := http.StatusInternalServerError, "error.500.message"
	if database.IsUnavailable(err) {
		status, key = http.StatusServiceUnavailable, "error.503.message"
		w.Header().Set("Retry-After", "5")
		s.log.Error("database unavailable", "request_id", view.RequestID(c), "where", "session store", "err", err)
	} else {
		s.log.Error("session store", "request_id", view.RequestID(c), "path", logPath(r.URL.Path), "err", err)
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	if err := s.view.ErrorPage(c, status, key); err != nil {
		s.log.Error("render error page", "err", err)
	}
}

// metrics ---------------------------------------------------------------------

type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vigil_http_request_duration_seconds", Help: "HTTP request duration by method and route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
	}
	m.reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(d.Seconds())
}

// MetricsHandler serves the Prometheus metrics, for a separate listener.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
}

func (s *Server) metricsHandler() echo.HandlerFunc {
	if s.cfg.MetricsAddr != "" {
		// Served on their own address; not here.
		return func(c echo.Context) error { return echo.ErrNotFound }
	}
	return func(c echo.Context) error {
		s.MetricsHandler().ServeHTTP(c.Response(), c.Request())
		return nil
	}
}
