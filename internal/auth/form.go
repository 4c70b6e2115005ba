package auth

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"vigil/internal/i18n"
	"vigil/internal/view"
)

// loginForm is the sign-in form.
type loginForm struct {
	Email    string
	Password string
	Next     string
}

func bindLogin(c echo.Context) (loginForm, *view.Form) {
	f := loginForm{
		Email:    strings.TrimSpace(c.FormValue("email")),
		Password: c.FormValue("password"),
		Next:     c.FormValue("next"),
	}
	form := view.NewForm(map[string]string{"email": f.Email, "next": f.Next})
	if f.Email == "" {
		form.Add("email", "auth.error.email_required")
	}
	if f.Password == "" {
		form.Add("password", "auth.error.password_required")
	}
	return f, form
}

// userForm is the add/edit user form.
type userForm struct {
	Name     string
	Email    string
	Role     Role
	Locale   string
	Disabled bool
	Password string
	Version  int
}

func bindUser(c echo.Context, creating bool) (userForm, *view.Form) {
	f := userForm{
		Name:     strings.TrimSpace(c.FormValue("name")),
		Email:    NormalizeEmail(c.FormValue("email")),
		Role:     Role(c.FormValue("role")),
		Locale:   c.FormValue("locale"),
		Disabled: c.FormValue("disabled") == "on",
		Password: c.FormValue("password"),
	}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	form := view.NewForm(map[string]string{
		"name": f.Name, "email": f.Email, "role": string(f.Role), "locale": f.Locale,
		"disabled": boolValue(f.Disabled), "version": c.FormValue("version"),
	})
	switch {
	case f.Name == "":
		form.Add("name", "users.error.name_required")
	case utf8.RuneCountInString(f.Name) > 200:
		form.Add("name", "users.error.name_too_long", "Max", 200)
	}
	if msg := checkEmail(f.Email); msg != "" {
		form.Add("email", msg)
	}
	if !f.Role.Valid() {
		form.Add("role", "users.error.role_required")
	}
	if !i18n.Supported(f.Locale) {
		form.Add("locale", "users.error.locale_required")
	}
	if creating {
		if msg := checkPassword(f.Password); msg != "" {
			form.Add("password", msg, "Min", MinPasswordLen)
		}
	}
	return f, form
}

func boolValue(b bool) string {
	if b {
		return "on"
	}
	return ""
}

// checkEmail returns a message key when s is not a plain e-mail address.
func checkEmail(s string) string {
	if s == "" {
		return "users.error.email_required"
	}
	if !view.ValidEmail(s) {
		return "users.error.email_invalid"
	}
	return ""
}

// checkPassword returns a message key when the password is too weak.
func checkPassword(p string) string {
	switch {
	case p == "":
		return "users.error.password_required"
	case utf8.RuneCountInString(p) < MinPasswordLen:
		return "users.error.password_too_short"
	case len(p) > 1024:
		return "users.error.password_too_long"
	}
	return ""
}

// CheckPasswordPolicy is checkPassword for the CLI: it returns a readable
// English reason, or "".
func CheckPasswordPolicy(p string) string {
	switch checkPassword(p) {
	case "users.error.password_required":
		return "the password is empty"
	case "users.error.password_too_short":
		return "the password must be at least " + strconv.Itoa(MinPasswordLen) + " characters long"
	case "users.error.password_too_long":
		return "the password is longer than 1024 bytes"
	}
	return ""
}

// CheckEmailPolicy is checkEmail for the CLI.
func CheckEmailPolicy(e string) string {
	if checkEmail(NormalizeEmail(e)) != "" {
		return "not a valid e-mail address"
	}
	return ""
}
