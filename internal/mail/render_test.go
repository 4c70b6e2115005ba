package mail

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"vigil/internal/i18n"
)

func sampleData(t *testing.T, lang string) Data {
	t.Helper()
	baku, err := time.LoadLocation("Asia/Baku")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Date(2027, 2, 10, 0, 0, 0, 0, time.UTC)
	return Data{
		InvitationID: 7, GuestName: "H.E. Leyla Əliyeva <b>", Email: "leyla@example.org", Language: lang,
		Edition: "Day of Remembrance", Year: 2027, Anniversary: 35, Location: baku, Deadline: &deadline,
		Link: "https://vigil.example.org/rsvp/AbCdEf0123456789AbCdEf0123456789",
		Ceremonies: []Ceremony{
			{Title: "Wreath-laying", StartsAt: time.Date(2027, 2, 26, 7, 0, 0, 0, time.UTC), EndsAt: time.Date(2027, 2, 26, 8, 30, 0, 0, time.UTC),
				Venue: "Memorial", VenueAddress: "1 Memorial Avenue", MapURL: "https://maps.example.org/?q=1", DressCode: "Dark suit", Status: "accepted", Companions: 1},
			{Title: "Reception", Titles: map[string]string{"": "Reception", "az": "Rəsmi qəbul", "ru": "Официальный приём"}, StartsAt: time.Date(2027, 2, 26, 14, 0, 0, 0, time.UTC), EndsAt: time.Date(2027, 2, 26, 16, 0, 0, 0, time.UTC),
				Venue: "Hall", Status: "waitlisted"},
		},
		Companions: []string{"Aysel Məmmədova"},
		Calendar:   []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
	}
}

// newRenderer is the e-mail renderer over the real catalogues.
func newRenderer(t *testing.T) *Renderer {
	t.Helper()
	tr, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRenderer(tr)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// rawKey finds a message key that was not translated.
var rawKey = regexp.MustCompile(`\b(mail|messages|weekday|month|anniversary)\.[a-z0-9_.]+`)

// Every template renders in every language, as text and HTML, with the
// personal link, a translated subject and no untranslated key; the answer
// e-mails show the answers, the confirmation carries the calendar file.
func TestEveryTemplateInEveryLanguage(t *testing.T) {
	r := newRenderer(t)
	subjects := map[string]bool{}
	for _, lang := range Languages {
		for _, tmpl := range Templates {
			d := sampleData(t, lang)
			e, err := r.Render(tmpl, d)
			if err != nil {
				t.Fatalf("%s/%s: %v", tmpl, lang, err)
			}
			for part, body := range map[string]string{"subject": e.Subject, "text": e.Text, "html": e.HTML} {
				if k := rawKey.FindString(body); k != "" {
					t.Errorf("%s/%s %s has the untranslated key %q", tmpl, lang, part, k)
				}
				if part != "subject" && !strings.Contains(body, d.Link) {
					t.Errorf("%s/%s %s lacks the personal link", tmpl, lang, part)
				}
				if !strings.Contains(body, "Day of Remembrance") && part != "text" && part != "html" {
					t.Errorf("%s/%s subject %q lacks the edition", tmpl, lang, body)
				}
			}
			if subjects[e.Subject] {
				t.Errorf("%s/%s: subject %q is used twice", tmpl, lang, e.Subject)
			}
			subjects[e.Subject] = true
			if !strings.Contains(e.Text, "Wreath-laying") || !strings.Contains(e.HTML, "Wreath-laying") {
				t.Errorf("%s/%s lacks the ceremony", tmpl, lang)
			}
			if !strings.Contains(e.HTML, `<a href="`+d.Link+`"`) {
				t.Errorf("%s/%s: the HTML link is not a link", tmpl, lang)
			}
			// Output is escaped in HTML, kept as is in the text.
			if strings.Contains(e.HTML, "Əliyeva <b>") || !strings.Contains(e.HTML, "Əliyeva &lt;b&gt;") || !strings.Contains(e.Text, "Əliyeva <b>") {
				t.Errorf("%s/%s: the guest's name is not escaped right in HTML", tmpl, lang)
			}
			if !strings.HasPrefix(e.HTML, "<!DOCTYPE html>") || !strings.Contains(e.HTML, `<html lang="`+lang+`">`) {
				t.Errorf("%s/%s: HTML does not start as a document in its language", tmpl, lang)
			}
			answers := tmpl == TemplateConfirmation || tmpl == TemplateWaitlisted || tmpl == TemplatePromoted
			if got := strings.Contains(e.Text, "Aysel Məmmədova"); got != answers {
				t.Errorf("%s/%s: companions shown %v, want %v", tmpl, lang, got, answers)
			}
			if got := len(e.Attachments) == 1 && e.Attachments[0].Name == "calendar.ics" && e.Attachments[0].ContentType == "text/calendar"; got != (tmpl == TemplateConfirmation) {
				t.Errorf("%s/%s: calendar attached %v", tmpl, lang, got)
			}
		}
	}
}

// An Azerbaijani e-mail is in Azerbaijani, dates and time zone included;
// a Russian one in Russian; an English one in English.
func TestLanguagesAreReallyUsed(t *testing.T) {
	r := newRenderer(t)
	cases := map[string][]string{
		"az": {"Rəsmi qəbul", "Hörmətli H.E. Leyla", "Sizi Day of Remembrance, 35-ci ildönümü (2027) mərasimlərinə dəvət", "cümə, 26 fevral 2027, 11:00–12:30 (Bakı vaxtı)", "Təşkilat Komitəsi", "Cavabı 10 fevral 2027 tarixinədək"},
		"ru": {"Официальный приём", "Уважаемый(-ая) H.E. Leyla", "пятница, 26 февраля 2027, 11:00–12:30 (по бакинскому времени)", "35-я годовщина", "Организационный комитет", "до 10 февраля 2027 включительно"},
		"en": {"Reception", "Dear H.E. Leyla", "Friday, 26 February 2027, 11:00–12:30 (Baku time)", "35th anniversary", "until 10 February 2027."},
	}
	for lang, want := range cases {
		e, err := r.Render(TemplateInvitation, sampleData(t, lang))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(e.Text, w) || !strings.Contains(e.HTML, w) && !strings.Contains(w, "<") {
				t.Errorf("%s invitation lacks %q:\n%s", lang, w, e.Text)
			}
		}
		if lang != "en" && (strings.Contains(e.Text, "Dear") || strings.Contains(e.Text, "invite")) {
			t.Errorf("%s invitation has English in it:\n%s", lang, e.Text)
		}
	}
	// The subject is translated too.
	if s := r.Subject(TemplateReminder, sampleData(t, "az")); !strings.HasPrefix(s, "Xatırlatma:") {
		t.Errorf("az reminder subject %q", s)
	}
	// A language e-mails are not written in falls back to English.
	if e, err := r.Render(TemplateInvitation, sampleData(t, "fr")); err != nil || !strings.Contains(e.Text, "Dear") {
		t.Errorf("fr falls back to %q %v", e.Text, err)
	}
}

// A zone without a translated name is written as its UTC offset; a map
// link that is not http(s) is dropped.
func TestZoneFallbackAndUnsafeMapLink(t *testing.T) {
	r := newRenderer(t)
	d := sampleData(t, "en")
	d.Location, _ = time.LoadLocation("Asia/Kolkata")
	d.Ceremonies[0].MapURL = "javascript:alert(1)"
	e, err := r.Render(TemplateChanged, d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Text, "12:30–14:00 (UTC+5:30)") {
		t.Errorf("Kolkata time not written with its offset:\n%s", e.Text)
	}
	if strings.Contains(e.HTML, "javascript:") || strings.Contains(e.Text, "javascript:") {
		t.Error("a javascript: map link was kept")
	}
	if _, err := r.Render("nonsense", d); err == nil {
		t.Error("an unknown template rendered")
	}
}

// The plain text reads as a letter: no blank-line runs, no trailing
// spaces, one paragraph per block.
func TestTextIsTidy(t *testing.T) {
	r := newRenderer(t)
	e, err := r.Render(TemplateConfirmation, sampleData(t, "en"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(e.Text, "\n\n\n") || regexp.MustCompile(`[ \t]\n`).MatchString(e.Text) || !strings.HasPrefix(e.Text, "Dear") {
		t.Errorf("untidy text:\n%q", e.Text)
	}
	want := "* Wreath-laying\n  When: Friday, 26 February 2027, 11:00–12:30 (Baku time)\n  Where: Memorial, 1 Memorial Avenue\n  Map: https://maps.example.org/?q=1\n  Dress code: Dark suit\n  Your reply: attending\n"
	if !strings.Contains(e.Text, want) {
		t.Errorf("ceremony block not as expected:\n%s", e.Text)
	}
}
