package server

import (
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
)

// Idle sessions. scs's own IdleTimeout rewrites the session row on every
// request to push the expiry out — one more write (and WAL flush) on every
// page and every guest answer. Instead the session records when it was last
// seen, at most every touchEvery, and a session idle for longer than
// idleTimeout is ended on its next request.
const (
	idleTimeout = 4 * time.Hour
	touchEvery  = 10 * time.Minute
	seenKey     = "seen"
)

// idleSessions ends sessions idle for longer than idleTimeout and keeps
// the others' "last seen" time within touchEvery. Anonymous visitors'
// empty sessions are left alone: putting a value would make one row per
// request.
func idleSessions(sm *scs.SessionManager, now func() time.Time) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ctx := c.Request().Context()
			t := now()
			// Kept as Unix seconds: SessionCodec stores no time.Time.
			unix := sm.GetInt64(ctx, seenKey)
			if unix != 0 && t.Sub(time.Unix(unix, 0)) > idleTimeout {
				if err := sm.Destroy(ctx); err != nil {
					return err
				}
				unix = 0
			}
			// Before the handler: scs saves the session when the response
			// starts. A session the handler starts (a sign-in, a guest's
			// link) is stamped on its next request.
			if len(sm.Keys(ctx)) > 0 && (unix == 0 || t.Sub(time.Unix(unix, 0)) > touchEvery) {
				sm.Put(ctx, seenKey, t.Unix())
			}
			return next(c)
		}
	}
}
