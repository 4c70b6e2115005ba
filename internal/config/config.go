// Package config reads Vigil's settings from the environment, validates them
// and hands them out as one explicit value: nothing in Vigil reads the
// environment on its own.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Config is every setting Vigil takes. Zero values are never used directly:
// Load fills in the documented defaults.
type Config struct {
	// Addr is where the HTTP server listens (VIGIL_ADDR).
	Addr string
	// DatabaseURL is the PostgreSQL connection string (DATABASE_URL).
	DatabaseURL string
	// BaseURL is the public address of Vigil, used in links and to decide
	// whether cookies are Secure (VIGIL_BASE_URL).
	BaseURL *url.URL
	// Secret keys HMACs (invitation tokens, rate-limit keys). VIGIL_SECRET.
	Secret []byte
	// MetricsAddr, when set, serves Prometheus metrics on a separate
	// listener; otherwise /metrics is behind organizer login (VIGIL_METRICS_ADDR).
	MetricsAddr string
	// LogLevel and LogFormat control slog output (VIGIL_LOG_LEVEL, VIGIL_LOG_FORMAT).
	LogLevel  slog.Level
	LogFormat string
	// SMTP settings for outgoing mail.
	SMTP SMTP
	// TrustProxy makes Vigil take the client address from X-Forwarded-For
	// (VIGIL_TRUST_PROXY); only set it behind a reverse proxy you run.
	TrustProxy bool
}

// SMTP holds the outgoing mail server settings.
type SMTP struct {
	// Addr is the server as host:port (VIGIL_SMTP_ADDR). Empty means no
	// server: e-mails are still queued and logged, and each attempt fails
	// with "SMTP not configured" until one is set.
	Addr string
	// User and Password authenticate to the server (VIGIL_SMTP_USER,
	// VIGIL_SMTP_PASSWORD); without a user, no authentication.
	User     string
	Password string
	// From is the sender address (VIGIL_SMTP_FROM).
	From string
	// TLS is one of "mandatory" (STARTTLS required, the default),
	// "opportunistic" (STARTTLS when offered) or "none" (plain text; only
	// for a local test server) (VIGIL_SMTP_TLS).
	TLS string
}

// Configured reports whether an SMTP server is set.
func (s SMTP) Configured() bool { return s.Addr != "" }

// String describes the settings without the password, so that SMTP can be
// logged or printed with %v safely.
func (s SMTP) String() string {
	pw := ""
	if s.Password != "" {
		pw = "(set)"
	}
	return fmt.Sprintf("{Addr:%s User:%s Password:%s From:%s TLS:%s}", s.Addr, s.User, pw, s.From, s.TLS)
}

// GoString is String, for %#v.
func (s SMTP) GoString() string { return "config.SMTP" + s.String() }

// Secure reports whether Vigil is served over https, so cookies get the
// Secure flag and HSTS is sent.
func (c Config) Secure() bool { return c.BaseURL != nil && c.BaseURL.Scheme == "https" }

// Defaults documented in the README.
const (
	DefaultAddr    = "127.0.0.1:8080"
	DefaultBaseURL = "http://127.0.0.1:8080"
	minSecretLen   = 32
)

// Need says which settings a command requires; `migrate` needs no secret.
type Need int

const (
	// NeedDatabase requires DATABASE_URL only.
	NeedDatabase Need = iota
	// NeedServer requires everything serve uses.
	NeedServer
)

// Load reads the settings through getenv (os.Getenv in production, a map in
// tests) and returns every problem found at once, each naming its variable.
func Load(getenv func(string) string, need Need) (Config, error) {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}

	c := Config{}

	c.DatabaseURL = get("DATABASE_URL", "")
	if c.DatabaseURL == "" {
		bad("DATABASE_URL", "is not set; give a PostgreSQL URL such as postgres://user@127.0.0.1:5432/vigil (make run sets one up for you)")
	} else if msg := checkDatabaseURL(c.DatabaseURL); msg != "" {
		bad("DATABASE_URL", "%s", msg)
	}

	if need == NeedServer {
		c.Addr = get("VIGIL_ADDR", DefaultAddr)
		if _, port, err := net.SplitHostPort(c.Addr); err != nil {
			bad("VIGIL_ADDR", "%q is not host:port (for example 127.0.0.1:8080)", c.Addr)
		} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
			bad("VIGIL_ADDR", "port %q is not a number from 0 to 65535", port)
		}

		raw := get("VIGIL_BASE_URL", DefaultBaseURL)
		u, err := url.Parse(raw)
		switch {
		case err != nil || u.Host == "":
			bad("VIGIL_BASE_URL", "%q is not an absolute URL such as https://vigil.example.org", raw)
		case u.Scheme != "http" && u.Scheme != "https":
			bad("VIGIL_BASE_URL", "must start with http:// or https://")
		default:
			u.Path = strings.TrimRight(u.Path, "/")
			c.BaseURL = u
		}

		secret := getenv("VIGIL_SECRET")
		switch {
		case secret == "":
			bad("VIGIL_SECRET", "is not set; give at least %d random characters (make run keeps one in .data/secret)", minSecretLen)
		case len(secret) < minSecretLen:
			bad("VIGIL_SECRET", "is %d characters long; it must be at least %d", len(secret), minSecretLen)
		default:
			c.Secret = []byte(secret)
		}

		c.MetricsAddr = get("VIGIL_METRICS_ADDR", "")
		if c.MetricsAddr != "" {
			if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
				bad("VIGIL_METRICS_ADDR", "%q is not host:port", c.MetricsAddr)
			}
		}

		switch tp := strings.ToLower(get("VIGIL_TRUST_PROXY", "false")); tp {
		case "true", "1", "yes":
			c.TrustProxy = true
		case "false", "0", "no":
		default:
			bad("VIGIL_TRUST_PROXY", "%q is not true or false", tp)
		}

		c.SMTP.Addr = get("VIGIL_SMTP_ADDR", "")
		if c.SMTP.Addr != "" {
			if host, port, err := net.SplitHostPort(c.SMTP.Addr); err != nil || host == "" {
				bad("VIGIL_SMTP_ADDR", "%q is not host:port (for example smtp.example.org:587)", c.SMTP.Addr)
			} else if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
				bad("VIGIL_SMTP_ADDR", "port %q is not a number from 1 to 65535", port)
			}
		}
		c.SMTP.User = get("VIGIL_SMTP_USER", "")
		c.SMTP.Password = getenv("VIGIL_SMTP_PASSWORD")
		if c.SMTP.Password != "" && c.SMTP.User == "" {
			bad("VIGIL_SMTP_PASSWORD", "is set but VIGIL_SMTP_USER is not")
		}
		c.SMTP.From = get("VIGIL_SMTP_FROM", "Vigil <vigil@localhost>")
		if _, err := mail.ParseAddress(c.SMTP.From); err != nil {
			bad("VIGIL_SMTP_FROM", "%q is not an e-mail address", c.SMTP.From)
		}
		c.SMTP.TLS = strings.ToLower(get("VIGIL_SMTP_TLS", "mandatory"))
		switch c.SMTP.TLS {
		case "mandatory", "opportunistic", "none":
		default:
			bad("VIGIL_SMTP_TLS", "%q must be mandatory, opportunistic or none", c.SMTP.TLS)
		}
	}

	lvl := get("VIGIL_LOG_LEVEL", "info")
	if err := c.LogLevel.UnmarshalText([]byte(lvl)); err != nil {
		bad("VIGIL_LOG_LEVEL", "%q must be debug, info, warn or error", lvl)
	}
	c.LogFormat = strings.ToLower(get("VIGIL_LOG_FORMAT", "text"))
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("VIGIL_LOG_FORMAT", "%q must be text or json", c.LogFormat)
	}

	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return c, nil
}

// checkDatabaseURL returns what is wrong with a PostgreSQL connection
// string, or "". Both libpq forms are taken, as pgx (and pg_dump) take
// them: a URL, which may name several hosts for a primary/standby pair
// (postgres://u@db1:5432,db2:5432/vigil?target_session_attrs=read-write),
// and keyword/value pairs (host=db1,db2 dbname=vigil ...). pgxpool's own
// pool_* settings are accepted; pgconn keeps unknown ones for the server.
func checkDatabaseURL(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		if scheme := s[:i]; scheme != "postgres" && scheme != "postgresql" {
			return "must be a postgres:// URL"
		}
		if _, err := url.Parse(s); err != nil {
			return "must be a postgres:// URL"
		}
	} else if !strings.Contains(s, "=") {
		return "must be a postgres:// URL or keyword=value pairs (host=... dbname=...)"
	}
	if _, err := pgconn.ParseConfig(s); err != nil {
		// pgconn's message leaves the password out.
		return fmt.Sprintf("is not a valid PostgreSQL connection string: %v", err)
	}
	return ""
}
