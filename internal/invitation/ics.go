package invitation

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"vigil/internal/i18n"
)

// The calendar file (RFC 5545) a guest downloads from the confirmation
// page and the confirmation e-mail carries: one event per accepted
// ceremony, in the commemoration's time zone, with that zone described in
// a VTIMEZONE so that calendars which do not know the zone's name still
// place the event right.

// CalendarOptions are what a calendar file needs besides the invitation.
type CalendarOptions struct {
	// BaseURL is Vigil's public address: its host makes each event's UID
	// unique, and Link defaults to its /rsvp page.
	BaseURL *url.URL
	// Link goes into each event's URL property. Never put the personal
	// link here: calendars are synced and shared.
	Link string
	// Now stamps the file (DTSTAMP).
	Now time.Time
	// Locale and T write the descriptions in the guest's language; with
	// T nil the descriptions carry the bare values.
	Locale string
	T      func(key string, kv ...any) string
}

// Calendar writes the calendar file of invitation inv: a VEVENT for each
// ceremony the guest accepted (a cancelled one is marked CANCELLED, so a
// calendar that has the event drops it; drafts are left out). ceremonies
// are the edition's (as Ceremonies returns them); ed gives the time zone.
// The file has CRLF line ends and lines folded at 75 octets. It returns
// nil when no ceremony is accepted, since a calendar needs an event.
func Calendar(inv *Invitation, ed EditionInfo, ceremonies []CeremonyInfo, opt CalendarOptions) []byte {
	loc := ed.Location
	if loc == nil {
		loc = time.UTC
	}
	var events []CeremonyInfo
	for _, c := range ceremonies {
		a := inv.Answer(c.ID)
		if a == nil || a.Status != StatusAccepted || c.Status == "draft" {
			continue
		}
		events = append(events, c)
	}
	if len(events) == 0 {
		return nil
	}
	host := "vigil.invalid"
	link := opt.Link
	if opt.BaseURL != nil {
		if opt.BaseURL.Hostname() != "" {
			host = opt.BaseURL.Hostname()
		}
		if link == "" {
			link = opt.BaseURL.JoinPath("rsvp").String()
		}
	}
	t := opt.T
	if t == nil {
		t = func(string, ...any) string { return "" }
	}
	utc := loc == time.UTC || loc.String() == "UTC"

	var w icsWriter
	w.line("BEGIN:VCALENDAR")
	w.line("VERSION:2.0")
	w.line("PRODID:-//Vigil//Invitation//EN")
	w.line("CALSCALE:GREGORIAN")
	w.line("METHOD:PUBLISH")
	if !utc {
		var times []time.Time
		for _, c := range events {
			times = append(times, c.StartsAt, c.EndsAt)
		}
		w.lines(icsTimezone(loc, times))
	}
	stamp := opt.Now.UTC().Format(icsUTC)
	for _, c := range events {
		end := c.EndsAt
		if !end.After(c.StartsAt) {
			end = c.StartsAt.Add(time.Hour)
		}
		w.line("BEGIN:VEVENT")
		w.line(fmt.Sprintf("UID:invitation-%d-ceremony-%d@%s", inv.ID, c.ID, host))
		w.line("DTSTAMP:" + stamp)
		if utc {
			w.line("DTSTART:" + c.StartsAt.UTC().Format(icsUTC))
			w.line("DTEND:" + end.UTC().Format(icsUTC))
		} else {
			w.line("DTSTART;TZID=" + icsParam(loc.String()) + ":" + c.StartsAt.In(loc).Format(icsLocal))
			w.line("DTEND;TZID=" + icsParam(loc.String()) + ":" + end.In(loc).Format(icsLocal))
		}
		w.line("SUMMARY:" + icsEscape(c.TitleIn(opt.Locale)))
		if where := icsJoin(", ", c.VenueName, c.VenueAddress); where != "" {
			w.line("LOCATION:" + icsEscape(where))
		}
		w.line("DESCRIPTION:" + icsEscape(icsDescription(c, ed, opt.Locale, t, loc)))
		if link != "" {
			w.line("URL:" + link)
		}
		if c.Status == "cancelled" {
			w.line("STATUS:CANCELLED")
		} else {
			w.line("STATUS:CONFIRMED")
		}
		w.line("END:VEVENT")
	}
	w.line("END:VCALENDAR")
	return []byte(w.b.String())
}

// Formats of date-times in the file: UTC, and local time with a TZID.
const (
	icsUTC   = "20060102T150405Z"
	icsLocal = "20060102T150405"
)

// icsDescription is what an event's notes say: the occasion, the dress
// code, the notes for guests, the programme and the map.
func icsDescription(c CeremonyInfo, ed EditionInfo, locale string, t func(string, ...any) string, loc *time.Location) string {
	var parts []string
	head := ed.Name
	if ed.Anniversary > 0 {
		if a := t("anniversary", "Ordinal", i18n.Ordinal(locale, ed.Anniversary)); a != "" {
			head = icsJoin(" · ", ed.Name, a)
		}
	}
	parts = append(parts, head)
	if c.DressCode != "" {
		parts = append(parts, icsLabelled(t("rsvp.dress_code"), c.DressCode))
	}
	if c.NotesGuests != "" {
		parts = append(parts, c.NotesGuests)
	}
	if len(c.Programme) > 0 {
		lines := []string{}
		if l := t("rsvp.programme"); l != "" {
			lines = append(lines, l+":")
		}
		for _, p := range c.Programme {
			lines = append(lines, p.StartsAt.In(loc).Format("15:04")+" "+p.Title)
		}
		parts = append(parts, strings.Join(lines, "\n"))
	}
	if c.MapURL != "" {
		parts = append(parts, icsLabelled(t("rsvp.map_label"), c.MapURL))
	}
	return strings.Join(parts, "\n\n")
}

func icsLabelled(label, value string) string {
	if label == "" {
		return value
	}
	return label + ": " + value
}

func icsJoin(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// icsTimezone describes loc around times. A zone without changes there (Baku
// since 2016) gets one STANDARD observance; a zone with summer time gets,
// for each time, the change that began its period and the one that ends
// it, as STANDARD or DAYLIGHT observances with the offsets Go's zone data
// gives — enough for a reader to place every event of the file.
func icsTimezone(loc *time.Location, times []time.Time) []string {
	type onset struct {
		at       time.Time
		daylight bool
		from, to int
		name     string
	}
	seen := map[int64]bool{}
	var onsets []onset
	add := func(tr time.Time) {
		if tr.IsZero() || seen[tr.Unix()] {
			return
		}
		seen[tr.Unix()] = true
		_, from := tr.Add(-time.Second).In(loc).Zone()
		after := tr.In(loc)
		name, to := after.Zone()
		onsets = append(onsets, onset{at: tr, daylight: after.IsDST(), from: from, to: to, name: name})
	}
	var fixed []time.Time
	for _, t := range times {
		start, end := icsBounds(loc, t)
		if end.IsZero() {
			fixed = append(fixed, t)
			continue
		}
		add(start)
		add(end)
	}
	if len(onsets) > 0 {
		// Times in a period that runs on for ever, beside times with
		// changes: describe that period by its start.
		for _, t := range fixed {
			start, _ := icsBounds(loc, t)
			add(start)
		}
	}
	out := []string{"BEGIN:VTIMEZONE", "TZID:" + loc.String()}
	if len(onsets) == 0 {
		ref := time.Now()
		if len(times) > 0 {
			ref = times[0]
		}
		name, off := ref.In(loc).Zone()
		return append(out, "BEGIN:STANDARD", "DTSTART:19700101T000000",
			"TZOFFSETFROM:"+icsOffset(off), "TZOFFSETTO:"+icsOffset(off), "TZNAME:"+icsEscape(name),
			"END:STANDARD", "END:VTIMEZONE")
	}
	slices.SortFunc(onsets, func(a, b onset) int { return a.at.Compare(b.at) })
	for _, o := range onsets {
		kind := "STANDARD"
		if o.daylight {
			kind = "DAYLIGHT"
		}
		// DTSTART is the wall-clock time of the change in the offset in
		// force before it (RFC 5545, 3.6.5).
		out = append(out, "BEGIN:"+kind,
			"DTSTART:"+o.at.In(time.FixedZone("", o.from)).Format(icsLocal),
			"TZOFFSETFROM:"+icsOffset(o.from), "TZOFFSETTO:"+icsOffset(o.to), "TZNAME:"+icsEscape(o.name),
			"END:"+kind)
	}
	return append(out, "END:VTIMEZONE")
}

// icsBounds returns the changes of offset in loc around t: the last one
// at or before t and the next one after it (zero when there is none).
// Go's zone data has changes that change nothing (the 2038 end of the
// 32-bit tables, a renamed abbreviation); they are stepped over.
func icsBounds(loc *time.Location, t time.Time) (start, end time.Time) {
	t = t.In(loc)
	_, off := t.Zone()
	dst := t.IsDST()
	same := func(x time.Time) bool {
		x = x.In(loc)
		_, o := x.Zone()
		return o == off && x.IsDST() == dst
	}
	start, end = t.ZoneBounds()
	for !start.IsZero() && same(start.Add(-time.Second)) {
		start, _ = start.Add(-time.Second).In(loc).ZoneBounds()
	}
	for !end.IsZero() && same(end) {
		_, end = end.In(loc).ZoneBounds()
	}
	return start, end
}

// icsOffset writes seconds east of UTC as RFC 5545 writes offsets: +0400,
// -0330, +053328 when there are seconds.
func icsOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	s := fmt.Sprintf("%c%02d%02d", sign, sec/3600, sec%3600/60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}

// icsEscape escapes a TEXT value (RFC 5545, 3.3.11): backslash,
// semicolon, comma and line breaks; other control characters are dropped.
func icsEscape(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == ';':
			b.WriteString(`\;`)
		case r == ',':
			b.WriteString(`\,`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// icsParam quotes a parameter value that holds a character a parameter
// cannot carry bare (zone names normally need nothing).
func icsParam(s string) string {
	if strings.ContainsAny(s, ":;,") {
		return `"` + strings.ReplaceAll(s, `"`, "") + `"`
	}
	return s
}

// icsWriter collects content lines, folded and ended with CRLF.
type icsWriter struct{ b strings.Builder }

func (w *icsWriter) lines(ls []string) {
	for _, l := range ls {
		w.line(l)
	}
}

// line writes one content line, folded so that no physical line is longer
// than 75 octets (RFC 5545, 3.1), never inside a UTF-8 sequence; each
// continuation starts with a space.
func (w *icsWriter) line(l string) {
	limit := 75
	for len(l) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(l[cut]) {
			cut--
		}
		w.b.WriteString(l[:cut])
		w.b.WriteString("\r\n ")
		l = l[cut:]
		limit = 74 // the leading space counts
	}
	w.b.WriteString(l)
	w.b.WriteString("\r\n")
}
