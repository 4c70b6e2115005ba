package auth

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"

	"vigil/internal/i18n"
	"vigil/internal/view"
)

// Template names this package renders.
const (
	tmplLogin    = "auth/login"
	tmplUsers    = "auth/users"
	tmplUserForm = "auth/user_form"
)

// Views lists the templates this package needs, checked at start-up.
var Views = []string{tmplLogin, tmplUsers, tmplUserForm}

// Session keys.
const (
	sessUserID = "user_id"
	sessMarker = "user_marker"
)

// Handler serves sign-in, sign-out and user management.
type Handler struct {
	svc      *Service
	sessions *scs.SessionManager
	view     *view.Renderer
}

// NewHandler returns the handler.
func NewHandler(svc *Service, sessions *scs.SessionManager, r *view.Renderer) *Handler {
	return &Handler{svc: svc, sessions: sessions, view: r}
}

// LoginForm shows GET /login.
func (h *Handler) LoginForm(c echo.Context) error {
	if view.User(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	p := h.view.Page(c, "auth.login.title")
	p.Form = view.NewForm(map[string]string{"next": safeNext(c.QueryParam("next"))})
	if c.QueryParam("signed_out") == "1" {
		p.Flash = &view.Flash{Kind: view.FlashInfo, Message: p.T("auth.signed_out")}
	}
	return h.view.Render(c, http.StatusOK, tmplLogin, p)
}

// Login handles POST /login.
func (h *Handler) Login(c echo.Context) error {
	in, form := bindLogin(c)
	p := h.view.Page(c, "auth.login.title")
	p.Form = form
	if !form.Valid() {
		return h.view.Render(c, http.StatusUnprocessableEntity, tmplLogin, p)
	}
	ctx := c.Request().Context()
	u, err := h.svc.Authenticate(ctx, in.Email, in.Password, c.RealIP())
	var throttled *ThrottledError
	switch {
	case errors.As(err, &throttled):
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(throttled.RetryAfter.Seconds())+1))
		form.Add("email", "auth.error.throttled", "Count", throttled.Minutes())
		return h.view.Render(c, http.StatusTooManyRequests, tmplLogin, p)
	case errors.Is(err, ErrInvalidCredentials):
		form.Add("email", "auth.error.invalid")
		return h.view.Render(c, http.StatusUnauthorized, tmplLogin, p)
	case err != nil:
		return fmt.Errorf("auth: login: %w", err)
	}
	// A fresh session id at sign-in defeats session fixation.
	if err := h.sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("auth: renew session: %w", err)
	}
	h.sessions.Put(ctx, sessUserID, u.ID)
	h.sessions.Put(ctx, sessMarker, sessionUserMarker(u.ID))
	if err := h.svc.store.recordLogin(withActor(c, u), u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, safeNext(in.Next))
}

// Logout handles POST /logout.
func (h *Handler) Logout(c echo.Context) error {
	if err := h.sessions.Destroy(c.Request().Context()); err != nil {
		return fmt.Errorf("auth: logout: %w", err)
	}
	return c.Redirect(http.StatusSeeOther, "/login?signed_out=1")
}

// safeNext keeps redirects after sign-in on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) || strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}

// Users management ----------------------------------------------------------

const usersPerPage = 50

// userRow is one line of the user list.
type userRow struct {
	ID        int64
	Name      string
	Email     string
	Role      string
	Disabled  bool
	LastLogin string
}

type usersData struct {
	Rows  []userRow
	Pager view.Pager
	Query string
	Role  string
	Roles []Role
}

// List shows GET /users.
func (h *Handler) List(c echo.Context) error {
	f := ListFilter{Query: strings.TrimSpace(c.QueryParam("q")), Role: Role(c.QueryParam("role"))}
	if !f.Role.Valid() {
		f.Role = ""
	}
	users, total, err := h.svc.store.List(c.Request().Context(), f, view.PageOf(c, usersPerPage), usersPerPage)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "users.title")
	p.Nav = "users"
	d := usersData{Pager: view.Paginate(c, total, usersPerPage), Query: f.Query, Role: string(f.Role), Roles: Roles}
	for _, u := range users {
		r := userRow{ID: u.ID, Name: u.Name, Email: u.Email, Role: string(u.Role), Disabled: u.Disabled}
		if u.LastLoginAt != nil {
			r.LastLogin = p.Date(*u.LastLoginAt)
		}
		d.Rows = append(d.Rows, r)
	}
	p.Data = d
	return h.view.Render(c, http.StatusOK, tmplUsers, p)
}

type userFormData struct {
	Creating bool
	ID       int64
	Roles    []Role
	Locales  []string
	Email    string
}

func (h *Handler) renderUserForm(c echo.Context, status int, p *view.Page, id int64, email string) error {
	p.Nav = "users"
	p.Data = userFormData{Creating: id == 0, ID: id, Roles: Roles, Locales: i18n.Locales, Email: email}
	return h.view.Render(c, status, tmplUserForm, p)
}

// New shows GET /users/new.
func (h *Handler) New(c echo.Context) error {
	p := h.view.Page(c, "users.new.title")
	p.Form = view.NewForm(map[string]string{"role": string(RoleStaff), "locale": i18n.Default})
	return h.renderUserForm(c, http.StatusOK, p, 0, "")
}

// Create handles POST /users.
func (h *Handler) Create(c echo.Context) error {
	in, form := bindUser(c, true)
	p := h.view.Page(c, "users.new.title")
	p.Form = form
	if !form.Valid() {
		return h.renderUserForm(c, http.StatusUnprocessableEntity, p, 0, "")
	}
	u, err := h.svc.store.Create(c.Request().Context(), NewUser{Email: in.Email, Name: in.Name, Role: in.Role, Password: in.Password, Locale: in.Locale})
	if errors.Is(err, ErrEmailTaken) {
		form.Add("email", "users.error.email_taken")
		return h.renderUserForm(c, http.StatusUnprocessableEntity, p, 0, "")
	}
	if err != nil {
		return err
	}
	h.view.Flash(c, view.FlashSuccess, "users.created", "Name", u.Name)
	return c.Redirect(http.StatusSeeOther, "/users")
}

func userID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return id, nil
}

func (h *Handler) load(c echo.Context) (*User, error) {
	id, err := userID(c)
	if err != nil {
		return nil, err
	}
	u, err := h.svc.store.ByID(c.Request().Context(), id)
	if errors.Is(err, ErrNotFound) {
		return nil, echo.NewHTTPError(http.StatusNotFound)
	}
	return u, err
}

// Edit shows GET /users/:id.
func (h *Handler) Edit(c echo.Context) error {
	u, err := h.load(c)
	if err != nil {
		return err
	}
	p := h.view.Page(c, "users.edit.title", "Name", u.Name)
	p.Form = view.NewForm(map[string]string{
		"name": u.Name, "email": u.Email, "role": string(u.Role), "locale": u.Locale,
		"disabled": boolValue(u.Disabled), "version": strconv.Itoa(u.Version),
	})
	return h.renderUserForm(c, http.StatusOK, p, u.ID, u.Email)
}

// Update handles POST /users/:id.
func (h *Handler) Update(c echo.Context) error {
	u, err := h.load(c)
	if err != nil {
		return err
	}
	in, form := bindUser(c, false)
	p := h.view.Page(c, "users.edit.title", "Name", u.Name)
	p.Form = form
	if !form.Valid() {
		return h.renderUserForm(c, http.StatusUnprocessableEntity, p, u.ID, u.Email)
	}
	_, err = h.svc.store.Update(c.Request().Context(), u.ID, in.Version, Changes{
		Name: in.Name, Email: in.Email, Role: in.Role, Locale: in.Locale, Disabled: in.Disabled,
	})
	switch {
	case errors.Is(err, ErrEmailTaken):
		form.Add("email", "users.error.email_taken")
	case errors.Is(err, ErrLastOrganizer):
		form.Add("role", "users.error.last_organizer")
	case errors.Is(err, ErrStale):
		// Show what is saved now; the editor decides again.
		form.Add("name", "form.error.stale")
		form.Values["version"] = strconv.Itoa(u.Version)
	case err != nil:
		return err
	default:
		h.view.Flash(c, view.FlashSuccess, "users.updated", "Name", in.Name)
		return c.Redirect(http.StatusSeeOther, "/users")
	}
	return h.renderUserForm(c, http.StatusConflict, p, u.ID, u.Email)
}

// ResetPassword handles POST /users/:id/password.
func (h *Handler) ResetPassword(c echo.Context) error {
	u, err := h.load(c)
	if err != nil {
		return err
	}
	pw := c.FormValue("password")
	if msg := checkPassword(pw); msg != "" {
		p := h.view.Page(c, "users.edit.title", "Name", u.Name)
		p.Form = view.NewForm(map[string]string{
			"name": u.Name, "email": u.Email, "role": string(u.Role), "locale": u.Locale,
			"disabled": boolValue(u.Disabled), "version": strconv.Itoa(u.Version),
		})
		p.Form.Add("password", msg, "Min", MinPasswordLen)
		return h.renderUserForm(c, http.StatusUnprocessableEntity, p, u.ID, u.Email)
	}
	if err := h.svc.store.SetPassword(c.Request().Context(), u.ID, pw); err != nil {
		return err
	}
	h.view.Flash(c, view.FlashSuccess, "users.password_reset", "Name", u.Name)
	return c.Redirect(http.StatusSeeOther, "/users/"+strconv.FormatInt(u.ID, 10))
}
