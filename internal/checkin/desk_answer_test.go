package checkin

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/i18n"
	"vigil/internal/view"
	"vigil/internal/view/viewtest"
)

// The hand-written answer to an htmx scan (desk_answer.go) must be the
// template's, byte for byte. This test builds the desk's request as Scan
// does (h.open over a real echo context, the answer worded by h.answer
// from check-in Results), renders desk.html's ResultOnly branch with the
// app's Renderer and writes it with scanAnswer, as Scan does, for every
// branch of the templates, hostile text and each language. It is
// package-internal because the writer and the desk's view types are (and
// internal/testserver imports this package); the server-level scan tests
// (desk_test.go) go through Scan itself.

// Hostile and non-Latin text for every field the answer shows.
const (
	hostileName = `<script>alert("x")</script> O'Brien & Sons +1`
	azName      = "Rəşad Əliyev"
	ruName      = "Иван Петров"
	arName      = "محمد بن راشد"
	hostileDel  = `Embassy "A&B" <b>bold</b> 'q'`
	hostileZone = `Stand <A> & "B"`
	// NUL and a byte that is not UTF-8: html/template replaces the one
	// and lets the other through.
	oddBytes = "nul\x00here \xff end"
)

// answerDesk is a desk over a ceremony held in the handler's cache (what
// h.ceremony would have read), so h.open runs as in a request.
type answerDesk struct {
	h   *Handler
	e   *echo.Echo
	now time.Time
}

const (
	answerCeremony       = 7 // with gates
	answerCeremonyNoGate = 8 // at a venue without gates
	answerGate           = 11
	answerUser           = 42
)

func newAnswerDesk(t testing.TB) *answerDesk {
	t.Helper()
	rend := viewtest.Renderer(t)
	now := time.Date(2026, 2, 26, 7, 30, 0, 0, time.UTC)
	h := NewHandler(Deps{View: rend})
	h.now = func() time.Time { return now }
	baku, err := time.LoadLocation("Asia/Baku")
	if err != nil {
		t.Fatal(err)
	}
	cer := Ceremony{
		ID: answerCeremony, EditionID: 3, Year: 2026, Title: `Wreath-laying <"&">`, Status: "published",
		StartsAt: now, VenueName: "Memorial", Location: baku,
		Gates: []Gate{{ID: answerGate, Name: `Gate "1" <north>`}, {ID: 12, Name: "Qapı 2"}},
		Zones: map[int64]Zone{5: {ID: 5, Name: hostileZone, Colour: "#2f6f4f"}},
	}
	noGate := cer
	noGate.ID, noGate.Gates = answerCeremonyNoGate, nil
	h.cache.ceremonies = map[int64]cachedCeremony{cer.ID: {c: cer, at: now}, noGate.ID: {c: noGate, at: now}}
	return &answerDesk{h: h, e: echo.New(), now: now}
}

// request is an htmx scan at ceremony (at answerGate when it has gates)
// in language loc.
func (a *answerDesk) request(t testing.TB, loc, csrf string, ceremony int64) (echo.Context, *httptest.ResponseRecorder) {
	t.Helper()
	id := strconv.FormatInt(ceremony, 10)
	form := url.Values{"gate": {strconv.Itoa(answerGate)}, "q": {"ABCD-EFGH-JKMN"}}
	req := httptest.NewRequest(http.MethodPost, "/checkin/"+id+"/scan", strings.NewReader(form.Encode()))
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	req.Header.Set("HX-Request", "true")
	rec := httptest.NewRecorder()
	c := a.e.NewContext(req, rec)
	c.SetPath("/checkin/:ceremony/scan")
	c.SetParamNames("ceremony")
	c.SetParamValues(id)
	view.SetLocale(c, loc)
	view.SetCSRF(c, csrf)
	return c, rec
}

// answerCase fills in a desk request's answer: most from a check-in
// Result through h.answer, as Scan does; a few by hand, for what other
// handlers put in the same views (the writer must not depend on which).
type answerCase struct {
	name string
	fill func(a *answerDesk, r *deskReq)
}

func ptr[T any](v T) *T { return &v }

// fromResult words res as Scan does.
func fromResult(res Result) func(a *answerDesk, r *deskReq) {
	return func(a *answerDesk, r *deskReq) { r.data.Result, r.data.Fresh = a.h.answer(r, res) }
}

func answerCases(now time.Time) []answerCase {
	zone := &Zone{ID: 5, Name: hostileZone, Colour: "#2f6f4f"}
	justNow, earlier := now.Add(-10*time.Second), now.Add(-2*time.Hour)
	me, other := int64(answerUser), int64(7)
	gate := int64(answerGate)
	guest := func(name, honorific, del string, vip bool) Guest {
		return Guest{ID: 9, Name: name, Honorific: honorific, Delegation: del, VIP: vip}
	}
	att := func(status string, companions, in int, at *time.Time, gate, by *int64) Attendee {
		return Attendee{InvitationID: 1234, GuestID: 9, Status: status, ZoneID: ptr(int64(5)), Companions: companions,
			CompanionsIn: in, CheckedInAt: at, GateID: gate, By: by}
	}
	var cs []answerCase
	add := func(name string, fill func(a *answerDesk, r *deskReq)) { cs = append(cs, answerCase{name, fill}) }

	// Checked in now: the answer with undo, and the recent list's line.
	add("checked in, VIP, zone, delegation, honorific, companions", fromResult(Result{
		Outcome: OutcomeCheckedIn, Attendee: att(StatusAccepted, 2, 0, &justNow, &gate, &me),
		Guest: guest("Paul Durand", "H.E.", "Embassy of France", true), GateName: "Gate 1", ByName: "Aysel", Zone: zone}))
	for _, n := range []int{1, 3, 5, 21} {
		add(fmt.Sprintf("checked in, %d companions left (plurals)", n), fromResult(Result{
			Outcome: OutcomeCheckedIn, Attendee: att(StatusAccepted, n, 0, &justNow, &gate, &me),
			Guest: guest(ruName, "", "Посольство", false), GateName: "Ворота 1", ByName: "Айсель", Zone: zone}))
	}
	add("checked in, hostile everywhere", fromResult(Result{
		Outcome: OutcomeCheckedIn, Attendee: att(StatusAccepted, 1, 1, &justNow, &gate, &me),
		Guest: guest(hostileName, `Dr. <i>&"'`, hostileDel, true), GateName: `<gate> "&"`, ByName: `<by> 'x' & +`,
		Zone: &Zone{ID: 5, Name: hostileZone, Colour: `"><script>alert(1)</script>`}}))
	add("checked in, pending answer, honorific in the name, no zone nor delegation", fromResult(Result{
		Outcome: OutcomeCheckedIn, Attendee: att(StatusPending, 0, 0, &justNow, &gate, &me),
		Guest: guest("H.E. "+azName, "H.E.", "", false), GateName: "Qapı 1", ByName: "Aysel"}))
	add("checked in, waitlisted, zone without delegation, unknown gate and user", fromResult(Result{
		Outcome: OutcomeCheckedIn, Attendee: att(StatusWaitlisted, 0, 0, &justNow, &gate, nil),
		Guest: guest(arName, "سعادة", "", false), Zone: &Zone{ID: 6, Name: arName, Colour: "javascript:alert(1)"}}))
	add("checked in without a gate", fromResult(Result{
		Outcome: OutcomeCheckedIn, Attendee: att(StatusAccepted, 0, 0, &justNow, nil, &me),
		Guest: guest(oddBytes, "", oddBytes, false), Zone: &Zone{ID: 6, Name: oddBytes, Colour: oddBytes}}))

	// Already checked in: by this user a moment ago (undo offered), by
	// someone else earlier, at no gate or an unknown one.
	add("already, by me, undo and companions", fromResult(Result{
		Outcome: OutcomeAlready, Attendee: att(StatusAccepted, 2, 1, &justNow, &gate, &me),
		Guest: guest("Anne Martin", "Mme", "Embassy of France", false), GateName: "Gate 1", ByName: "Aysel", Zone: zone}))
	add("already, by someone else, long ago, no gate", fromResult(Result{
		Outcome: OutcomeAlready, Attendee: att(StatusAccepted, 0, 0, &earlier, nil, &other),
		Guest: guest(hostileName, "", hostileDel, true), ByName: ""}))
	add("already, gate unknown to the desk, companions all in", fromResult(Result{
		Outcome: OutcomeAlready, Attendee: att(StatusAccepted, 2, 2, &earlier, ptr(int64(99)), nil),
		Guest: guest(azName, "Cənab", "Azərbaycan nümayəndə heyəti", true), Zone: zone}))
	add("already, VIP only", fromResult(Result{
		Outcome: OutcomeAlready, Attendee: att(StatusAccepted, 0, 0, &earlier, &gate, &other),
		Guest: guest("", "", "", true), GateName: "Gate 1", ByName: "Kamran"}))

	// Refusals.
	add("declined", fromResult(Result{
		Outcome: OutcomeDeclined, Attendee: att(StatusDeclined, 3, 0, nil, nil, nil),
		Guest: guest("Louis Bernard", "H.E.", "Embassy of France", false), Zone: zone}))
	add("wrong ceremony, invited elsewhere", fromResult(Result{
		Outcome: OutcomeWrongCeremony, Attendee: att(StatusAccepted, 1, 0, nil, nil, nil),
		Guest: guest(ruName, "", hostileDel, false), Elsewhere: []string{"Evening concert", `<b>Gala</b> & "dinner"`}}))
	add("wrong ceremony, nowhere else", fromResult(Result{
		Outcome: OutcomeWrongCeremony, Attendee: att(StatusAccepted, 0, 0, nil, nil, nil),
		Guest: guest(azName, "", "", false)}))
	add("not invited: unknown code", fromResult(Result{Outcome: OutcomeNotInvited}))
	add("not invited to this edition", fromResult(Result{
		Outcome: OutcomeNotInvited, Attendee: att(StatusAccepted, 2, 0, nil, nil, nil),
		Guest: guest(arName, "", "", true), Zone: zone}))

	// By hand: an answer of no kind, walk-in and not-yet-arrived lines,
	// every button of a line, odd numbers and addresses.
	add("no kind, walk-in line", func(a *answerDesk, r *deskReq) {
		r.data.Result = &resultView{Status: r.p.T("checkin.desk.undone"), Note: r.p.T("checkin.desk.undone_note"),
			Name: hostileName, CompanionsLeft: -1, InvitationID: -3}
		r.data.Fresh = &guestRow{S: r.data.S, WalkIn: true, VIP: true, Name: hostileName, Delegation: hostileDel,
			Detail: "07:31 · " + r.p.T("checkin.walkin.reason_note", "Reason", `<"reason"> & more`)}
	})
	add("no answer, a line to check in with every button", func(a *answerDesk, r *deskReq) {
		r.data.Result = nil
		r.data.Fresh = &guestRow{S: r.data.S, InvitationID: 77, Name: azName, Delegation: hostileDel, Zone: zone,
			Status: r.p.T("checkin.status.pending"), CanCheckIn: true, CompanionsLeft: 2, CanUndo: true}
	})
	add("declined line, odd addresses", func(a *answerDesk, r *deskReq) {
		s := *r.data.S
		s.ScanURL = `javascript:alert("x")`
		s.CompanionURL = "/checkin/7/companion?gate=11&x=<a b>\"'%41%zz%4#ü"
		s.UndoURL = "HTTPS://example.org/undo?q=a+b;c=d#f-q"
		s.VIP, s.Undo, s.AddCompanion, s.CheckIn = `<VIP>`, `Undo "it"`, `+1 & more`, `Check 'in'`
		r.data.S = &s
		r.data.Result = &resultView{Kind: `x" onmouseover="alert(1)`, Status: hostileName, Name: ruName, VIP: true,
			InvitationID: 5, CompanionsLeft: 1, CanUndo: true}
		r.data.Fresh = &guestRow{S: &s, InvitationID: 5, Name: ruName, Declined: true, VIP: true,
			Status: r.p.T("checkin.status.declined"), CanCheckIn: true, CompanionsLeft: 1, CanUndo: true}
	})
	return cs
}

func TestScanAnswerMatchesTemplate(t *testing.T) {
	a := newAnswerDesk(t)
	full := true // the first difference shows both answers in full
	csrfs := []string{"dGVzdC10b2tlbi0xMjM0NTY3ODkw_-", `a+b/c=="'<>&`}
	for _, loc := range i18n.Locales {
		for ci, ceremony := range []int64{answerCeremony, answerCeremonyNoGate} {
			for _, tc := range answerCases(a.now) {
				name := fmt.Sprintf("%s/ceremony %d/%s", loc, ceremony, tc.name)
				c, rec := a.request(t, loc, csrfs[ci], ceremony)
				r, err := a.h.open(c, chooseGate)
				if r == nil || err != nil {
					t.Fatalf("%s: open: %v (status %d)", name, err, rec.Code)
				}
				r.me = answerUser
				tc.fill(a, r)
				r.data.ResultOnly = true
				if err := a.h.View.Render(c, http.StatusOK, tmplDesk, r.p); err != nil {
					t.Fatalf("%s: template: %v", name, err)
				}
				got := string(scanAnswer(r.p, r.data))
				if want := rec.Body.String(); got != want {
					t.Errorf("%s: the written answer differs from the template's:\n%s", name, firstDifference(want, got, full))
					full = false
				}
			}
		}
	}
}

// The comparison is not vacuous: the hostile text reaches the answer,
// escaped, and each branch's markup appears.
func TestScanAnswerShowsWhatItIsGiven(t *testing.T) {
	a := newAnswerDesk(t)
	c, _ := a.request(t, "en", "tok", answerCeremony)
	r, err := a.h.open(c, chooseGate)
	if r == nil || err != nil {
		t.Fatalf("open: %v", err)
	}
	r.me = answerUser
	findAnswerCase(t, a.now, "checked in, hostile everywhere").fill(a, r)
	out := string(scanAnswer(r.p, r.data))
	for _, want := range []string{
		`<p class="checkin-result__name">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; O&#39;Brien &amp; Sons &#43;1</p>`,
		`fill="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`,
		`action="/checkin/7/undo?gate=11#f-q"`,
		`<input type="hidden" name="_csrf" value="tok"><input type="hidden" name="invitation" value="1234">`,
		`hx-swap-oob="afterbegin:#recent"`, `<span class="badge badge--success">Checked in</span>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the answer lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "<script>") {
		t.Errorf("the answer has an unescaped <script>:\n%s", out)
	}
}

// firstDifference shows where want and got part: the line and column and
// the text around it in each, quoted so that spaces and newlines show;
// with full, both in full as well.
func firstDifference(want, got string, full bool) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	line := strings.Count(want[:i], "\n") + 1
	col := i - strings.LastIndexByte(want[:i], '\n')
	around := func(s string) string {
		from, to := max(i-120, 0), min(i+120, len(s))
		return fmt.Sprintf("%q", s[from:i]) + " ⟨here⟩ " + fmt.Sprintf("%q", s[i:to])
	}
	msg := fmt.Sprintf("first difference at byte %d (line %d, column %d)\ntemplate: %s\nwriter:   %s", i, line, col, around(want), around(got))
	if full {
		msg += fmt.Sprintf("\n--- template, in full:\n%q\n--- writer, in full:\n%q", want, got)
	}
	return msg
}

// findAnswerCase is the case called name.
func findAnswerCase(t testing.TB, now time.Time, name string) answerCase {
	t.Helper()
	for _, tc := range answerCases(now) {
		if tc.name == name {
			return tc
		}
	}
	t.Fatalf("no case %q", name)
	return answerCase{}
}

// BenchmarkScanAnswer compares the template with the writer for a
// typical answer: a guest checked in now, with the recent list's line.
func BenchmarkScanAnswer(b *testing.B) {
	a := newAnswerDesk(b)
	c, rec := a.request(b, "az", "dGVzdC10b2tlbi0xMjM0NTY3ODkw_-", answerCeremony)
	r, err := a.h.open(c, chooseGate)
	if r == nil || err != nil {
		b.Fatalf("open: %v", err)
	}
	r.me = answerUser
	findAnswerCase(b, a.now, "checked in, VIP, zone, delegation, honorific, companions").fill(a, r)
	r.data.ResultOnly = true
	b.Run("template", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rec.Body.Reset()
			if err := a.h.View.Render(c, http.StatusOK, tmplDesk, r.p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("writer", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			scanAnswer(r.p, r.data)
		}
	})
}

// fakeDelegations is a Directory that only names delegations, counting
// its reads.
type fakeDelegations struct {
	Directory
	names map[int64]string
	reads int
}

func (f *fakeDelegations) DelegationNames(context.Context) (map[int64]string, error) {
	f.reads++
	return maps.Clone(f.names), nil
}

// The desk reads every delegation's name in one go when it meets one it
// lacks (made since its last read), and again after eventsTTL.
func TestDeskKeepsDelegationNames(t *testing.T) {
	d := newAnswerDesk(t)
	dir := &fakeDelegations{names: map[int64]string{1: "Embassy of France", 2: "Embassy of Italy"}}
	d.h.Directory = dir
	at := func(after time.Duration, id int64, want string, reads int) {
		t.Helper()
		d.h.now = func() time.Time { return d.now.Add(after) }
		got, err := d.h.delegationName(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if got != want || dir.reads != reads {
			t.Errorf("at +%s, delegation %d: %q after %d reads, want %q after %d", after, id, got, dir.reads, want, reads)
		}
	}
	at(0, 1, "Embassy of France", 1)
	at(time.Second, 2, "Embassy of Italy", 1)
	dir.names[3] = "Embassy of Spain"
	at(2*time.Second, 3, "Embassy of Spain", 2)
	dir.names[1] = "Embassy of the French Republic"
	at(2*time.Second+eventsTTL-1, 1, "Embassy of France", 2)
	at(2*time.Second+eventsTTL, 1, "Embassy of the French Republic", 3)
}
