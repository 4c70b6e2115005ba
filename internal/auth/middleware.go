package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"

	"vigil/internal/audit"
	"vigil/internal/view"
)

const keyUser = "vigil.auth.user"

// LoadUser reads the session's user, if any, and makes it known to the
// templates and the audit log. A disabled or deleted user's session ends.
func LoadUser(store *Store, sessions *scs.SessionManager) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ctx := c.Request().Context()
			id := sessions.GetInt64(ctx, sessUserID)
			if id == 0 {
				return next(c)
			}
			// Read with the session when the store could (SessionStore);
			// a session saved before it kept the user is looked up.
			u := userFromSession(ctx)
			var err error
			if u == nil || u.ID != id {
				u, err = store.ByID(ctx, id)
			}
			if errors.Is(err, ErrNotFound) || (err == nil && u.Disabled) {
				if err := sessions.Destroy(ctx); err != nil {
					return fmt.Errorf("auth: end session of gone user: %w", err)
				}
				return next(c)
			}
			if err != nil {
				return err
			}
			c.Set(keyUser, u)
			view.SetUser(c, &view.CurrentUser{ID: u.ID, Name: u.Name, Email: u.Email, Role: string(u.Role), Locale: u.Locale})
			view.SetLocale(c, u.Locale)
			c.SetRequest(c.Request().WithContext(withActor(c, u)))
			return next(c)
		}
	}
}

func withActor(c echo.Context, u *User) context.Context {
	id := u.ID
	return audit.WithActor(c.Request().Context(), audit.Actor{UserID: &id, Label: u.ActorLabel(), RequestID: view.RequestID(c)})
}

// Current returns the signed-in user, or nil.
func Current(c echo.Context) *User {
	u, _ := c.Get(keyUser).(*User)
	return u
}

// RequireRole lets through only users whose role allows need. Anonymous
// users are sent to sign in and brought back; signed-in users without the
// role get 403.
func RequireRole(need Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := Current(c)
			if u == nil {
				if c.Request().Method != http.MethodGet {
					// A form posted after the session ended: send the
					// user to sign in; the post is not replayed.
					return c.Redirect(http.StatusSeeOther, "/login")
				}
				return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
			}
			if !u.Role.Allows(need) {
				return echo.NewHTTPError(http.StatusForbidden)
			}
			return next(c)
		}
	}
}
