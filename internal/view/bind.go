package view

import (
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// Formats of the date and time inputs (<input type="date">, type="time"
// and type="datetime-local").
const (
	DateLayout     = "2006-01-02"
	ClockLayout    = "15:04"
	DateTimeLayout = "2006-01-02T15:04"
)

// Binder reads a posted form into typed values, recording each problem as
// a message key beside its field and keeping what was typed, so a form
// shown again loses nothing. Every domain's form.go uses it.
type Binder struct {
	c echo.Context
	// Form holds the values read and the errors found.
	Form *Form
}

// Bind starts reading the request's form.
func Bind(c echo.Context) *Binder {
	return &Binder{c: c, Form: NewForm(map[string]string{})}
}

// Raw is the trimmed value of field, kept for showing the form again.
func (b *Binder) Raw(field string) string {
	v := strings.TrimSpace(b.c.FormValue(field))
	b.Form.Values[field] = v
	return v
}

// Text reads a free-text field of at most max characters.
func (b *Binder) Text(field string, max int) string {
	v := b.Raw(field)
	if utf8.RuneCountInString(v) > max {
		b.Form.Add(field, "form.error.too_long", "Max", max)
	}
	return v
}

// Required reads a text field that must not be empty.
func (b *Binder) Required(field string, max int, missingKey string) string {
	v := b.Raw(field)
	switch {
	case v == "":
		b.Form.Add(field, missingKey)
	case utf8.RuneCountInString(v) > max:
		b.Form.Add(field, "form.error.too_long", "Max", max)
	}
	return v
}

// Count reads a whole number of 0 or more; empty is nil.
func (b *Binder) Count(field, key string) *int {
	v := b.Raw(field)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		b.Form.Add(field, key)
		return nil
	}
	return &n
}

// Int reads a whole number in [min, max]; empty is nil unless required.
func (b *Binder) Int(field string, min, max int, required bool) *int {
	v := b.Raw(field)
	if v == "" && !required {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		b.Form.Add(field, "form.error.whole_number", "Min", min, "Max", max)
		return nil
	}
	return &n
}

// Coordinate reads a decimal number between -limit and limit (a comma is
// taken for a decimal point); empty is nil.
func (b *Binder) Coordinate(field string, limit float64, key string) *float64 {
	v := strings.ReplaceAll(b.Raw(field), ",", ".")
	if v == "" {
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < -limit || f > limit {
		b.Form.Add(field, key)
		return nil
	}
	return &f
}

// Choice reads a value that must be one of options.
func (b *Binder) Choice(field string, options []string, key string) string {
	v := b.Raw(field)
	if !slices.Contains(options, v) {
		b.Form.Add(field, key)
	}
	return v
}

// Date reads a calendar day (midnight UTC); empty is nil.
func (b *Binder) Date(field, key string) *time.Time {
	v := b.Raw(field)
	if v == "" {
		return nil
	}
	d, err := time.Parse(DateLayout, v)
	if err != nil || d.Year() < 1900 || d.Year() > 2200 {
		b.Form.Add(field, key)
		return nil
	}
	return &d
}

// Clock reads a wall-clock time "15:04"; ok is false (and the error
// recorded) when it is missing or malformed.
func (b *Binder) Clock(field string) (hour, minute int, ok bool) {
	v := b.Raw(field)
	if v == "" {
		b.Form.Add(field, "form.error.time_required")
		return 0, 0, false
	}
	if len(v) == len(ClockLayout)+3 {
		v = v[:len(ClockLayout)] // some browsers add seconds
	}
	t, err := time.Parse(ClockLayout, v)
	if err != nil {
		b.Form.Add(field, "form.error.time_invalid")
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

// DateTime reads a wall-clock date and time in loc; empty is nil. A time
// that does not exist in loc (skipped by a DST change) is refused rather
// than moved.
func (b *Binder) DateTime(field string, loc *time.Location, key string) *time.Time {
	v := b.Raw(field)
	if v == "" {
		return nil
	}
	layout := DateTimeLayout
	if len(v) == len(DateTimeLayout)+3 {
		layout += ":05" // some browsers add seconds
	}
	t, err := time.ParseInLocation(layout, v, loc)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 || t.Format(layout) != v {
		b.Form.Add(field, key)
		return nil
	}
	return &t
}

// Version reads a form's hidden version field (0 when absent).
func (b *Binder) Version(field string) int {
	v := b.c.FormValue(field)
	b.Form.Values[field] = v
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0
	}
	return n
}

// ID reads an optional id chosen from a list; empty is nil. allowed may
// be nil to accept any positive id.
func (b *Binder) ID(field, key string, allowed func(int64) bool) *int64 {
	v := b.Raw(field)
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || (allowed != nil && !allowed(n)) {
		b.Form.Add(field, key)
		return nil
	}
	return &n
}

// ValidEmail reports whether s is a plain address such as name@example.org
// (no display name, a dot in the domain).
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndex(s, "@")+1:], ".")
}
