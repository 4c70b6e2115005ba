package mail

import (
	"bytes"
	"embed"
	"fmt"
	htemplate "html/template"
	"slices"
	"strings"
	ttemplate "text/template"
	"time"

	"vigil/internal/i18n"
)

// The e-mail templates: email.txt and email.html write every message; the
// words come from the translator (keys mail.<template>.* and mail.*), so one
// pair serves every template in en, az and ru.
//
//go:embed templates/email.txt templates/email.html
var templateFS embed.FS

// Email is a rendered message.
type Email struct {
	Subject string
	Text    string
	HTML    string
	// Attachments are files sent with the message (the .ics of a
	// confirmation).
	Attachments []Attachment
}

// Attachment is a file sent with an e-mail.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Renderer writes e-mails from their templates in the guest's language.
type Renderer struct {
	tr   *i18n.Translator
	text *ttemplate.Template
	html *htemplate.Template
	// keys are the message keys of each language, to tell whether a time
	// zone has a translated name.
	keys map[string]map[string]bool
}

// NewRenderer parses the embedded templates.
func NewRenderer(tr *i18n.Translator) (*Renderer, error) {
	r := &Renderer{tr: tr, keys: map[string]map[string]bool{}}
	var err error
	if r.text, err = ttemplate.ParseFS(templateFS, "templates/email.txt"); err != nil {
		return nil, fmt.Errorf("mail: parse email.txt: %w", err)
	}
	if r.html, err = htemplate.ParseFS(templateFS, "templates/email.html"); err != nil {
		return nil, fmt.Errorf("mail: parse email.html: %w", err)
	}
	for _, loc := range Languages {
		keys, err := i18n.Keys(loc)
		if err != nil {
			return nil, fmt.Errorf("mail: catalog %s: %w", loc, err)
		}
		r.keys[loc] = map[string]bool{}
		for _, k := range keys {
			r.keys[loc][k] = true
		}
	}
	return r, nil
}

// Render writes the e-mail template (one of Templates) for d, in
// d.Language.
func (r *Renderer) Render(template string, d Data) (Email, error) {
	if !slices.Contains(Templates, template) {
		return Email{}, fmt.Errorf("mail: no template %q", template)
	}
	v := r.view(template, d)
	var text, html bytes.Buffer
	if err := r.text.Execute(&text, v); err != nil {
		return Email{}, fmt.Errorf("mail: render %s (text): %w", template, err)
	}
	if err := r.html.Execute(&html, v); err != nil {
		return Email{}, fmt.Errorf("mail: render %s (html): %w", template, err)
	}
	e := Email{Subject: v.Subject, Text: tidy(text.String()), HTML: html.String()}
	if template == TemplateConfirmation && len(d.Calendar) > 0 {
		e.Attachments = append(e.Attachments, Attachment{Name: "calendar.ics", ContentType: "text/calendar", Data: d.Calendar})
	}
	return e, nil
}

// Subject is the translated subject line of template for d.
func (r *Renderer) Subject(template string, d Data) string {
	return r.view(template, d).Subject
}

// emailView is what the templates see.
type emailView struct {
	lang string
	tr   *i18n.Translator

	Lang       string
	Template   string
	Subject    string
	GuestName  string
	Occasion   string
	Link       string
	Deadline   string // the last day to answer, written out; "" for none
	Ceremonies []ceremonyView
	Companions []string
	// ShowStatus: the e-mail is about the guest's answer, so each
	// ceremony shows it (with the companions).
	ShowStatus bool
	// Calendar: a calendar file is attached.
	Calendar bool
}

// T translates key into the e-mail's language.
func (v emailView) T(key string, kv ...any) string { return v.tr.T(v.lang, key, kv...) }

// ceremonyView is one ceremony as the e-mail shows it.
type ceremonyView struct {
	Title     string
	When      string
	Venue     string
	Address   string
	MapURL    string
	DressCode string
	// Status is the answer, translated; Answer the raw status.
	Status    string
	Answer    string
	Cancelled bool
}

func (r *Renderer) view(template string, d Data) emailView {
	lang := d.Language
	if !slices.Contains(Languages, lang) {
		lang = i18n.Default
	}
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	v := emailView{lang: lang, tr: r.tr, Lang: lang, Template: template, GuestName: d.GuestName, Link: d.Link,
		Companions: d.Companions, Calendar: template == TemplateConfirmation && len(d.Calendar) > 0,
		ShowStatus: template == TemplateConfirmation || template == TemplateWaitlisted || template == TemplatePromoted}
	ann := r.tr.T(lang, "anniversary", "Ordinal", i18n.Ordinal(lang, d.Anniversary))
	v.Occasion = r.tr.T(lang, "mail.occasion", "Edition", d.Edition, "Anniversary", ann, "Year", d.Year)
	v.Subject = r.tr.T(lang, "mail.subject."+template, "Edition", d.Edition, "Year", d.Year)
	if d.Deadline != nil {
		dl := *d.Deadline
		// The day alone: after "until" / "до" a weekday would need another
		// grammatical case.
		v.Deadline = r.day(lang, time.Date(dl.Year(), dl.Month(), dl.Day(), 12, 0, 0, 0, loc))
	}
	for _, c := range d.Ceremonies {
		cv := ceremonyView{Title: c.TitleIn(lang), Venue: c.Venue, Address: c.VenueAddress, MapURL: safeURL(c.MapURL), DressCode: c.DressCode,
			Answer: c.Status, Cancelled: c.Cancelled, When: r.when(lang, c.StartsAt, c.EndsAt, loc)}
		if c.Status != "" {
			cv.Status = r.tr.T(lang, "mail.status."+c.Status)
		}
		v.Ceremonies = append(v.Ceremonies, cv)
	}
	return v
}

// longDay writes t's day with its weekday in lang: "Thursday, 26 February
// 2026", "cümə axşamı, 26 fevral 2026", "четверг, 26 февраля 2026".
func (r *Renderer) longDay(lang string, t time.Time, loc *time.Location) string {
	t = t.In(loc)
	return r.tr.T(lang, "weekday."+t.Weekday().String()) + ", " + r.day(lang, t)
}

// day writes t's calendar day in lang: "26 February 2026", "26 fevral
// 2026", "26 февраля 2026".
func (r *Renderer) day(lang string, t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), r.tr.T(lang, fmt.Sprintf("month.%d.genitive", int(t.Month()))), t.Year())
}

// when writes a ceremony's time in its zone: "Thursday, 26 February 2026,
// 11:00–12:30 (Baku time)".
func (r *Renderer) when(lang string, start, end time.Time, loc *time.Location) string {
	if start.IsZero() {
		return ""
	}
	s, e := start.In(loc), end.In(loc)
	clock := s.Format("15:04")
	if !end.IsZero() && e.After(s) && e.YearDay() == s.YearDay() && e.Year() == s.Year() {
		clock += "–" + e.Format("15:04")
	}
	return fmt.Sprintf("%s, %s (%s)", r.longDay(lang, s, loc), clock, r.zoneName(lang, loc, s))
}

// zoneName names loc in lang: a translated name ("Baku time") when the
// catalog has one (key mail.zone.<city>), else the UTC offset ("UTC+4").
func (r *Renderer) zoneName(lang string, loc *time.Location, at time.Time) string {
	name := loc.String()
	city := strings.ToLower(name[strings.LastIndex(name, "/")+1:])
	if key := "mail.zone." + city; r.keys[lang][key] {
		return r.tr.T(lang, key)
	}
	_, off := at.In(loc).Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	h, m := off/3600, off%3600/60
	if m != 0 {
		return fmt.Sprintf("UTC%s%d:%02d", sign, h, m)
	}
	if h == 0 {
		return "UTC"
	}
	return fmt.Sprintf("UTC%s%d", sign, h)
}

// safeURL keeps only http(s) links (a map link comes from a venue record).
func safeURL(u string) string {
	if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		return u
	}
	return ""
}

// tidy removes the blank lines that template actions leave, keeping one
// empty line between paragraphs, and ends the text with one newline.
func tidy(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	out := make([]string, 0, len(lines))
	blank := true
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			if !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		out = append(out, l)
		blank = false
	}
	return strings.TrimSpace(strings.Join(out, "\n")) + "\n"
}
