package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
)

const (
	csrfCookie = "vigil_csrf"
	csrfField  = "_csrf"
	csrfHeader = "X-CSRF-Token"
)

// errCSRF is answered when a state-changing request lacks a valid token.
var errCSRF = echo.NewHTTPError(http.StatusForbidden, "csrf")

// csrf guards every state-changing request with a double-submit token: a
// random value in an HttpOnly cookie that each form (field _csrf) or htmx
// request (header X-CSRF-Token) must repeat. A cross-site page can neither
// read the cookie nor set it, and SameSite=Lax keeps it off cross-site
// posts anyway. Requests whose Origin names another host are refused too.
// It is stateless, so it works on any instance without a session.
func csrf(secure bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			token := ""
			if ck, err := req.Cookie(csrfCookie); err == nil && len(ck.Value) == 43 {
				token = ck.Value
			}
			switch req.Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
			default:
				if origin := req.Header.Get("Origin"); origin != "" && origin != "null" {
					if u, err := url.Parse(origin); err != nil || u.Host != req.Host {
						return errCSRF
					}
				}
				sent := req.Header.Get(csrfHeader)
				if sent == "" {
					sent = c.FormValue(csrfField)
				}
				if token == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 {
					return errCSRF
				}
			}
			if token == "" {
				b := make([]byte, 32)
				if _, err := rand.Read(b); err != nil {
					return err
				}
				token = base64.RawURLEncoding.EncodeToString(b)
				c.SetCookie(&http.Cookie{
					Name: csrfCookie, Value: token, Path: "/", HttpOnly: true,
					Secure: secure, SameSite: http.SameSiteLaxMode, MaxAge: 0,
				})
			}
			view.SetCSRF(c, token)
			return next(c)
		}
	}
}
