package ceremony_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"vigil/internal/auth"
	"vigil/internal/testserver"
)

type planningFixture struct {
	srv               *testserver.Server
	org, staff        *testserver.Client
	venue, vip, diplo int64
}

func setupPlanning(t *testing.T) *planningFixture {
	t.Helper()
	srv := testserver.Start(t)
	srv.AddUser(t, "organizer@example.org", auth.RoleOrganizer)
	srv.AddUser(t, "staff@example.org", auth.RoleStaff)
	f := &planningFixture{srv: srv}
	db := srv.DB.Gorm
	must := func(dst *int64, sql string, args ...any) {
		t.Helper()
		if err := db.Raw(sql, args...).Scan(dst).Error; err != nil {
			t.Fatal(err)
		}
	}
	var cm int64
	must(&cm, "INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Annual Remembrance Ceremony', '1992-02-26', 2, 26, 'Asia/Baku') RETURNING id")
	must(&f.venue, "INSERT INTO venues (name, latitude, longitude) VALUES ('Memorial, Khatai district', 40.3903, 49.9473) RETURNING id")
	must(&f.vip, "INSERT INTO zones (venue_id, name, kind, capacity, badge_colour) VALUES (?, 'Official stand', 'official', 40, '#7a1f2b') RETURNING id", f.venue)
	must(&f.diplo, "INSERT INTO zones (venue_id, name, kind, capacity, badge_colour) VALUES (?, 'Diplomatic corps', 'diplomatic', 120, '#1f3a5f') RETURNING id", f.venue)
	f.org = srv.NewClient(t)
	f.org.Login("organizer@example.org")
	f.staff = srv.NewClient(t)
	f.staff.Login("staff@example.org")
	return f
}

func (f *planningFixture) ceremonyForm(title, start, end string, zones ...int64) url.Values {
	v := url.Values{"title": {title}, "kind": {"wreath_laying"}, "venue_id": {strconv.FormatInt(f.venue, 10)},
		"date": {"2026-02-26"}, "start": {start}, "end": {end}, "dress_code": {"Dark suit"}, "companions_default": {"1"}}
	for _, z := range zones {
		v.Add("zones", strconv.FormatInt(z, 10))
	}
	return v
}

func contains(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func TestPlanAnEdition(t *testing.T) {
	f := setupPlanning(t)
	org := f.org

	_, body := org.Get("/editions")
	contains(t, body, "No edition yet")
	resp, _ := org.Post("/editions", url.Values{"year": {"2026"}})
	if resp.Header.Get("Location") != "/editions/2026" {
		t.Fatalf("create edition: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A resubmitted form creates nothing twice.
	if resp, _ := org.Post("/editions", url.Values{"year": {"2026"}}); resp.Header.Get("Location") != "/editions/2026" {
		t.Fatalf("resubmit: %d", resp.StatusCode)
	}
	_, body = org.Get("/editions")
	if strings.Count(body, `href="/editions/2026"`) != 1 {
		t.Fatal("edition 2026 listed more than once")
	}
	contains(t, body, "34th anniversary")

	// Bad input: messages beside the fields, nothing saved.
	bad := f.ceremonyForm("", "12:00", "11:00", f.vip)
	bad.Set("capacity", "lots")
	resp, body = org.Post("/editions/2026/ceremonies", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad ceremony: %d", resp.StatusCode)
	}
	contains(t, body, "Enter the title of the ceremony", "The end must be after the start", "Enter a whole number from 0 to 1000000", `href="#f-end"`)
	var n int64
	f.srv.DB.Gorm.Raw("SELECT count(*) FROM ceremonies").Scan(&n)
	if n != 0 {
		t.Fatalf("%d ceremonies saved from a bad form", n)
	}

	resp, _ = org.Post("/editions/2026/ceremonies", f.ceremonyForm("Wreath-laying at the memorial", "11:00", "12:30", f.vip, f.diplo))
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "/programme") {
		t.Fatalf("create ceremony: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	cerURL := strings.TrimSuffix(resp.Header.Get("Location"), "/programme")

	// The same zone at an overlapping time: refused, naming the other ceremony.
	resp, body = org.Post("/editions/2026/ceremonies", f.ceremonyForm("Memorial service", "12:00", "13:00", f.diplo))
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("zone clash: %d", resp.StatusCode)
	}
	contains(t, body, "Diplomatic corps is already used by Wreath-laying at the memorial on Thursday, 26 February 2026, 11:00–12:30")
	if !strings.Contains(body, `value="Memorial service"`) {
		t.Error("the refused form lost its input")
	}

	_, body = org.Get(cerURL)
	contains(t, body, "Thursday, 26 February 2026, 11:00–12:30", "Memorial, Khatai district", "openstreetmap.org/?mlat=40.390300", "160", "sum of the zones")

	// Run-of-show: items, an overlap flagged, print views.
	add := func(start, minutes, title, vis string) {
		t.Helper()
		resp, body := org.Post(cerURL+"/programme", url.Values{"start": {start}, "duration": {minutes}, "title": {title}, "visibility": {vis}, "responsible": {"Protocol office"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add %s: %d\n%s", title, resp.StatusCode, body)
		}
	}
	add("11:00", "20", "Arrival of guests", "guests")
	add("11:20", "10", "Arrival of the head of state", "guests")
	add("11:25", "5", "Security sweep", "staff")
	_, body = org.Get(cerURL + "/programme")
	contains(t, body, "Overlaps the next item", "1 overlap")
	_, body = org.Get(cerURL + "/programme/print")
	contains(t, body, `class="print-header"`, "Security sweep", "Protocol office", "run-of-show for staff")
	_, body = org.Get(cerURL + "/programme/print?audience=guests")
	if strings.Contains(body, "Security sweep") || strings.Contains(body, "Protocol office") {
		t.Error("the guest programme shows staff-only items or who is responsible")
	}
	contains(t, body, "Arrival of the head of state", "Dark suit")

	// Edition page and day view.
	_, body = org.Get("/editions/2026")
	contains(t, body, "Wreath-laying at the memorial", "Draft")
	_, body = org.Get("/editions/2026/day")
	contains(t, body, `class="timeline__event timeline__event--draft"`, "11:00–12:30", `class="timeline__hour">11:00</th>`, `class="timeline__hour">12:00</th>`)
	if strings.Contains(body, `class="timeline__hour">13:00</th>`) {
		t.Error("the timeline runs past the last hour of the day's ceremonies")
	}

	// Staff read but cannot change.
	resp, body = f.staff.Get(cerURL)
	if resp.StatusCode != 200 || strings.Contains(body, `action="`+cerURL+`"`) {
		t.Fatalf("staff ceremony page: %d (edit form shown: %v)", resp.StatusCode, strings.Contains(body, `action="`+cerURL+`"`))
	}
	if resp, _ := f.staff.Post(cerURL, f.ceremonyForm("Changed", "11:00", "12:00")); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("staff POST: %d", resp.StatusCode)
	}

	// Publish, then start next year's edition from this one.
	_, body = org.Get(cerURL)
	version := between(body, `name="version" value="`, `"`)
	if resp, _ := org.Post(cerURL+"/status", url.Values{"status": {"published"}, "version": {version}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", resp.StatusCode)
	}
	resp, _ = org.Post("/editions/2026/next", nil)
	if resp.Header.Get("Location") != "/editions/2027" {
		t.Fatalf("start next: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = org.Get("/editions/2027")
	contains(t, body, "Friday, 26 February 2027", "11:00–12:30", "Wreath-laying at the memorial", "Draft", "35th anniversary")
	// Twice: lands on the existing edition, copies nothing again.
	org.Post("/editions/2026/next", nil)
	f.srv.DB.Gorm.Raw("SELECT count(*) FROM ceremonies").Scan(&n)
	if n != 2 {
		t.Fatalf("%d ceremonies after starting 2027 twice, want 2", n)
	}

	// The dashboard shows the coming edition at a glance.
	_, body = org.Get("/")
	contains(t, body, "Open the 2027 edition", `Ceremonies</dt><dd class="stat__value">1</dd>`)
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i+len(from):]
	return s[:strings.Index(s, to)]
}

func TestEditCommemorationValidates(t *testing.T) {
	f := setupPlanning(t)
	_, body := f.org.Get("/commemoration")
	version := between(body, `name="version" value="`, `"`)
	resp, body := f.org.Post("/commemoration", url.Values{"name": {""}, "commemorated_on": {"1992-02-30"}, "ceremony_month": {"2"},
		"ceremony_day": {"30"}, "time_zone": {"Mars/Olympus"}, "default_locale": {"az"}, "version": {version}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad commemoration: %d", resp.StatusCode)
	}
	contains(t, body, "Enter the name of the commemoration", "Enter a real date", "That month does not have this day", "Enter a time zone name such as Asia/Baku")
	resp, _ = f.org.Post("/commemoration", url.Values{"name": {"Annual Remembrance Ceremony"}, "commemorated_on": {"1992-02-26"}, "ceremony_month": {"2"},
		"ceremony_day": {"26"}, "time_zone": {"Asia/Baku"}, "default_locale": {"az"}, "version": {version}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("good commemoration: %d", resp.StatusCode)
	}
	// The same stale form again: refused, nothing overwritten.
	resp, body = f.org.Post("/commemoration", url.Values{"name": {"Other name"}, "commemorated_on": {"1992-02-26"}, "ceremony_month": {"2"},
		"ceremony_day": {"26"}, "time_zone": {"Asia/Baku"}, "default_locale": {"az"}, "version": {version}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Someone else saved this record") {
		t.Fatalf("stale commemoration: %d", resp.StatusCode)
	}
}
