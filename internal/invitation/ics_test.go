package invitation

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// icsFixture is an invitation to three ceremonies: accepted, declined, and
// accepted but still a draft (left out of the file).
func icsFixture(t *testing.T, zone string, starts ...time.Time) (*Invitation, EditionInfo, []CeremonyInfo) {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	ed := EditionInfo{ID: 3, Year: 2026, Name: "Remembrance Day", Anniversary: 34, Location: loc}
	inv := &Invitation{ID: 41}
	var cs []CeremonyInfo
	for i, s := range starts {
		id := int64(100 + i)
		cs = append(cs, CeremonyInfo{
			ID: id, EditionID: 3, Status: "published", StartsAt: s, EndsAt: s.Add(90 * time.Minute),
			Title: fmt.Sprintf(`Wreath-laying, Alley; of \Honour %d`, i), VenueName: "Memorial", VenueAddress: "1 Memorial Street\nOld Town",
			MapURL: "https://www.openstreetmap.org/?mlat=40.35&mlon=49.83", DressCode: "Dark suit; no decorations",
			NotesGuests: "Please arrive 30 minutes early, with your invitation. Ərazidə parkinq yoxdur — İçərişəhər qapısından daxil olun.",
			Programme:   []ProgrammeLine{{StartsAt: s, Minutes: 20, Title: "Arrival of guests"}},
		})
		inv.Ceremonies = append(inv.Ceremonies, CeremonyAnswer{InvitationID: 41, CeremonyID: id, Status: StatusAccepted, Companions: 1})
	}
	// A declined ceremony and an accepted draft: neither is in the file.
	s := starts[0].Add(4 * time.Hour)
	cs = append(cs, CeremonyInfo{ID: 200, Status: "published", Title: "Declined reception", StartsAt: s, EndsAt: s.Add(time.Hour)},
		CeremonyInfo{ID: 201, Status: "draft", Title: "Draft concert", StartsAt: s, EndsAt: s.Add(time.Hour)})
	inv.Ceremonies = append(inv.Ceremonies, CeremonyAnswer{InvitationID: 41, CeremonyID: 200, Status: StatusDeclined},
		CeremonyAnswer{InvitationID: 41, CeremonyID: 201, Status: StatusAccepted})
	return inv, ed, cs
}

func icsOptions() CalendarOptions {
	base, _ := url.Parse("https://vigil.example.org")
	labels := map[string]string{"rsvp.dress_code": "Dress code", "rsvp.programme": "Programme", "rsvp.map_label": "Map", "anniversary": "34th anniversary"}
	return CalendarOptions{BaseURL: base, Now: time.Date(2026, 1, 10, 9, 30, 0, 0, time.UTC), Locale: "en",
		T: func(key string, _ ...any) string { return labels[key] }}
}

// icsProp is one unfolded content line.
type icsProp struct {
	Name   string
	Params string
	Value  string
}

// parseICS checks the file's physical form (CRLF only, no line over 75
// octets, continuation lines start with a space) and returns its unfolded
// content lines.
func parseICS(t *testing.T, b []byte) []icsProp {
	t.Helper()
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Error("the file does not end with CRLF")
	}
	if bytes.Count(b, []byte("\n")) != bytes.Count(b, []byte("\r\n")) {
		t.Error("a line ends with a bare LF")
	}
	physical := strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n")
	var logical []string
	for _, l := range physical {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if strings.ContainsRune(l, '\r') {
			t.Errorf("bare CR in %q", l)
		}
		if strings.HasPrefix(l, " ") {
			if len(logical) == 0 {
				t.Fatal("the file starts with a continuation line")
			}
			logical[len(logical)-1] += l[1:]
			continue
		}
		logical = append(logical, l)
	}
	var out []icsProp
	for _, l := range logical {
		head, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Errorf("content line without a colon: %q", l)
			continue
		}
		name, params, _ := strings.Cut(head, ";")
		out = append(out, icsProp{Name: name, Params: params, Value: value})
	}
	return out
}

// icsComponents returns the properties of every name component (BEGIN..END,
// nested ones included), in order.
func icsComponents(props []icsProp, name string) [][]icsProp {
	var out [][]icsProp
	var cur []icsProp
	depth := 0
	for _, p := range props {
		switch {
		case p.Name == "BEGIN" && p.Value == name:
			depth++
			cur = nil
		case p.Name == "END" && p.Value == name:
			depth--
			out = append(out, cur)
		case depth > 0:
			cur = append(cur, p)
		}
	}
	return out
}

func icsPropOf(ps []icsProp, name string) (icsProp, bool) {
	for _, p := range ps {
		if p.Name == name {
			return p, true
		}
	}
	return icsProp{}, false
}

// icsResolve turns an event's local DTSTART into UTC with the observances of
// the file's VTIMEZONE, as a calendar that does not know the zone's name
// would: the observance with the latest onset at or before the local time
// gives the offset.
func icsResolve(t *testing.T, props []icsProp, local string) time.Time {
	t.Helper()
	lt, err := time.Parse(icsLocal, local)
	if err != nil {
		t.Fatalf("local time %q: %v", local, err)
	}
	var best time.Time
	offset := ""
	for _, kind := range []string{"STANDARD", "DAYLIGHT"} {
		for _, obs := range icsComponents(props, kind) {
			start, _ := icsPropOf(obs, "DTSTART")
			to, _ := icsPropOf(obs, "TZOFFSETTO")
			if _, ok := icsPropOf(obs, "TZOFFSETFROM"); !ok {
				t.Errorf("%s without TZOFFSETFROM", kind)
			}
			onset, err := time.Parse(icsLocal, start.Value)
			if err != nil {
				t.Fatalf("observance DTSTART %q: %v", start.Value, err)
			}
			if !onset.After(lt) && (offset == "" || onset.After(best)) {
				best, offset = onset, to.Value
			}
		}
	}
	if offset == "" {
		t.Fatalf("no observance covers %s", local)
	}
	o, err := time.Parse("-0700", offset)
	if err != nil {
		t.Fatalf("offset %q: %v", offset, err)
	}
	_, sec := o.Zone()
	return lt.Add(-time.Duration(sec) * time.Second).UTC()
}

func TestCalendarBaku(t *testing.T) {
	baku, _ := time.LoadLocation("Asia/Baku")
	start := time.Date(2026, 2, 26, 11, 0, 0, 0, baku)
	inv, ed, cs := icsFixture(t, "Asia/Baku", start)
	b := Calendar(inv, ed, cs, icsOptions())
	props := parseICS(t, b)

	for _, want := range []string{"BEGIN:VCALENDAR", "VERSION:2.0", "END:VCALENDAR"} {
		name, value, _ := strings.Cut(want, ":")
		if !slices.Contains(props, icsProp{Name: name, Value: value}) {
			t.Errorf("missing %s", want)
		}
	}
	if p, ok := icsPropOf(props, "PRODID"); !ok || p.Value == "" {
		t.Error("no PRODID")
	}
	// One zone, one standard observance at +04:00, no summer time.
	tzs := icsComponents(props, "VTIMEZONE")
	if len(tzs) != 1 {
		t.Fatalf("%d VTIMEZONE components", len(tzs))
	}
	if id, _ := icsPropOf(tzs[0], "TZID"); id.Value != "Asia/Baku" {
		t.Errorf("TZID %q", id.Value)
	}
	std, day := icsComponents(props, "STANDARD"), icsComponents(props, "DAYLIGHT")
	if len(std) != 1 || len(day) != 0 {
		t.Fatalf("%d STANDARD and %d DAYLIGHT observances for Baku, want 1 and 0", len(std), len(day))
	}
	for _, name := range []string{"TZOFFSETFROM", "TZOFFSETTO"} {
		if p, _ := icsPropOf(std[0], name); p.Value != "+0400" {
			t.Errorf("%s = %q, want +0400", name, p.Value)
		}
	}

	events := icsComponents(props, "VEVENT")
	if len(events) != 1 {
		t.Fatalf("%d events, want 1 (the declined and the draft ceremony left out)", len(events))
	}
	ev := events[0]
	for _, name := range []string{"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "DESCRIPTION", "URL"} {
		if _, ok := icsPropOf(ev, name); !ok {
			t.Errorf("event without %s", name)
		}
	}
	if uid, _ := icsPropOf(ev, "UID"); uid.Value != "invitation-41-ceremony-100@vigil.example.org" {
		t.Errorf("UID %q", uid.Value)
	}
	if p, _ := icsPropOf(ev, "DTSTAMP"); p.Value != "20260110T093000Z" {
		t.Errorf("DTSTAMP %q", p.Value)
	}
	ds, _ := icsPropOf(ev, "DTSTART")
	if ds.Params != "TZID=Asia/Baku" || ds.Value != "20260226T110000" {
		t.Errorf("DTSTART;%s:%s, want TZID=Asia/Baku:20260226T110000", ds.Params, ds.Value)
	}
	if got := icsResolve(t, props, ds.Value); !got.Equal(start) {
		t.Errorf("DTSTART resolves to %s, want %s", got, start.UTC())
	}
	if de, _ := icsPropOf(ev, "DTEND"); de.Value != "20260226T123000" {
		t.Errorf("DTEND %q", de.Value)
	}
	// Text is escaped: backslash, semicolon, comma, line break.
	if s, _ := icsPropOf(ev, "SUMMARY"); s.Value != `Wreath-laying\, Alley\; of \\Honour 0` {
		t.Errorf("SUMMARY %q", s.Value)
	}
	if l, _ := icsPropOf(ev, "LOCATION"); l.Value != `Memorial\, 1 Memorial Street\nOld Town` {
		t.Errorf("LOCATION %q", l.Value)
	}
	d, _ := icsPropOf(ev, "DESCRIPTION")
	for _, want := range []string{`Dress code: Dark suit\; no decorations`, `34th anniversary`, `11:00 Arrival of guests`, `İçərişəhər`, `\n\n`} {
		if !strings.Contains(d.Value, want) {
			t.Errorf("DESCRIPTION lacks %q: %q", want, d.Value)
		}
	}
	if len(d.Value) <= 75 {
		t.Error("the description is short: the fixture no longer tests folding")
	}
	if bytes.Contains(b, []byte("Draft concert")) || bytes.Contains(b, []byte("Declined reception")) {
		t.Error("a draft or declined ceremony is in the file")
	}

	// The UID is stable: the same event in a file made later.
	opt := icsOptions()
	opt.Now = opt.Now.Add(48 * time.Hour)
	again := icsComponents(parseICS(t, Calendar(inv, ed, cs, opt)), "VEVENT")
	if u1, _ := icsPropOf(ev, "UID"); len(again) != 1 || u1 != icsMust(icsPropOf(again[0], "UID")) {
		t.Error("the UID changed between two files")
	}
	icsPythonCheck(t, b, map[string]time.Time{"invitation-41-ceremony-100@vigil.example.org": start})
}

func icsMust(p icsProp, _ bool) icsProp { return p }

func TestCalendarBerlinSummerAndWinter(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	winter := time.Date(2026, 1, 20, 10, 0, 0, 0, berlin) // CET, +01:00
	summer := time.Date(2026, 7, 15, 10, 0, 0, 0, berlin) // CEST, +02:00
	inv, ed, cs := icsFixture(t, "Europe/Berlin", winter, summer)
	b := Calendar(inv, ed, cs, icsOptions())
	props := parseICS(t, b)

	if n := len(icsComponents(props, "DAYLIGHT")); n == 0 {
		t.Fatal("no DAYLIGHT observance for Berlin")
	}
	// The change to summer time on 29 March 2026 at 02:00 CET and back on
	// 25 October at 03:00 CEST.
	want := []icsProp{
		{Name: "DTSTART", Value: "20260329T020000"}, {Name: "TZOFFSETFROM", Value: "+0100"}, {Name: "TZOFFSETTO", Value: "+0200"},
	}
	if got := icsComponents(props, "DAYLIGHT")[0]; !icsContainsAll(got, want) {
		t.Errorf("DAYLIGHT observance %v, want %v", got, want)
	}
	want = []icsProp{
		{Name: "DTSTART", Value: "20261025T030000"}, {Name: "TZOFFSETFROM", Value: "+0200"}, {Name: "TZOFFSETTO", Value: "+0100"},
	}
	found := false
	for _, std := range icsComponents(props, "STANDARD") {
		found = found || icsContainsAll(std, want)
	}
	if !found {
		t.Errorf("no STANDARD observance %v in %v", want, icsComponents(props, "STANDARD"))
	}

	events := icsComponents(props, "VEVENT")
	if len(events) != 2 {
		t.Fatalf("%d events, want 2", len(events))
	}
	for i, want := range []time.Time{winter, summer} {
		ds, _ := icsPropOf(events[i], "DTSTART")
		if ds.Params != "TZID=Europe/Berlin" || ds.Value != want.Format(icsLocal) {
			t.Errorf("event %d: DTSTART;%s:%s", i, ds.Params, ds.Value)
		}
		if got := icsResolve(t, props, ds.Value); !got.Equal(want) {
			t.Errorf("event %d resolves to %s, want %s", i, got, want.UTC())
		}
	}
	icsPythonCheck(t, b, map[string]time.Time{
		"invitation-41-ceremony-100@vigil.example.org": winter,
		"invitation-41-ceremony-101@vigil.example.org": summer,
	})
}

func icsContainsAll(ps []icsProp, want []icsProp) bool {
	for _, w := range want {
		if !slices.Contains(ps, w) {
			return false
		}
	}
	return true
}

func TestCalendarNothingAccepted(t *testing.T) {
	baku, _ := time.LoadLocation("Asia/Baku")
	inv, ed, cs := icsFixture(t, "Asia/Baku", time.Date(2026, 2, 26, 11, 0, 0, 0, baku))
	for i := range inv.Ceremonies {
		inv.Ceremonies[i].Status = StatusDeclined
	}
	if b := Calendar(inv, ed, cs, icsOptions()); b != nil {
		t.Errorf("a calendar without events: %q", b)
	}
}

func TestICSFoldingKeepsCharactersWhole(t *testing.T) {
	var w icsWriter
	long := "DESCRIPTION:" + strings.Repeat("Ə", 100) // two octets each
	w.line(long)
	out := w.b.String()
	for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets", len(l))
		}
		if !strings.HasPrefix(l, "DESCRIPTION") && !strings.HasPrefix(l, " ") {
			t.Errorf("continuation without a space: %q", l)
		}
		if !icsUTF8Valid(strings.TrimPrefix(l, " ")) {
			t.Errorf("a line splits a character: %q", l)
		}
	}
	if unfolded := strings.ReplaceAll(strings.TrimSuffix(out, "\r\n"), "\r\n ", ""); unfolded != long {
		t.Error("unfolding does not give the line back")
	}
}

func icsUTF8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// icsPythonCheck reads the file with the Python icalendar library, when it is
// installed (Debian: python3-icalendar), and checks each event's start in
// UTC. The library is optional locally; CI must have it.
func icsPythonCheck(t *testing.T, ics []byte, starts map[string]time.Time) {
	t.Helper()
	py := ""
	for _, cand := range []string{"python3", "/usr/bin/python3"} {
		if p, err := exec.LookPath(cand); err == nil && exec.Command(p, "-c", "import icalendar").Run() == nil {
			py = p
			break
		}
	}
	if py == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("python3 with icalendar is required in CI (apt-get install python3-icalendar)")
		}
		t.Log("python3-icalendar not installed: skipping the independent parser check")
		return
	}
	script := `
import sys, datetime, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
for ev in cal.walk("VEVENT"):
    start = ev.decoded("DTSTART")
    if start.tzinfo is None:
        raise SystemExit("DTSTART without a zone")
    print(str(ev["UID"]), start.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ"))
`
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(ics)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("icalendar could not read the file: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		uid, at, _ := strings.Cut(l, " ")
		got[uid] = at
	}
	for uid, want := range starts {
		if got[uid] != want.UTC().Format(icsUTC) {
			t.Errorf("icalendar: %s starts %q, want %s", uid, got[uid], want.UTC().Format(icsUTC))
		}
	}
	if len(got) != len(starts) {
		t.Errorf("icalendar read %d events, want %d: %v", len(got), len(starts), got)
	}
}
