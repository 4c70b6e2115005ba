package venue_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/internal/auth"
	"vigil/internal/server"
	"vigil/internal/testserver"
)

// signIn adds a user and returns a client signed in as them.
func signIn(t *testing.T, srv *testserver.Server, email string, role auth.Role) (*testserver.Client, *auth.User) {
	t.Helper()
	u := srv.AddUser(t, email, role)
	c := srv.NewClient(t)
	c.Login(email)
	return c, u
}

func want(t *testing.T, what, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("%s lacks %q", what, p)
		}
	}
}

func status(t *testing.T, what string, resp *http.Response, code int) {
	t.Helper()
	if resp.StatusCode != code {
		t.Fatalf("%s: status %d, want %d", what, resp.StatusCode, code)
	}
}

func sqlInt(t *testing.T, srv *testserver.Server, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := srv.DB.Gorm.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%q: %v", query, err)
	}
	return n
}

func sqlID(t *testing.T, srv *testserver.Server, query string, args ...any) int64 {
	t.Helper()
	return sqlInt(t, srv, query+" RETURNING id", args...)
}

// planned inserts the commemoration (Baku time), the 2026 edition and a
// wreath-laying at 11:00 local on 26 February 2026. Editions and
// ceremonies belong to the ceremony package; plain SQL keeps this test
// independent of its forms.
func planned(t *testing.T, srv *testserver.Server) (editionID, ceremonyID int64) {
	t.Helper()
	cm := sqlID(t, srv, `INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone)
		VALUES ('Day of Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')`)
	editionID = sqlID(t, srv, `INSERT INTO editions (commemoration_id, year) VALUES (?, 2026)`, cm)
	ceremonyID = sqlID(t, srv, `INSERT INTO ceremonies (edition_id, title, starts_at, ends_at)
		VALUES (?, 'Wreath-laying', '2026-02-26 11:00+04', '2026-02-26 12:30+04')`, editionID)
	return editionID, ceremonyID
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

var locationID = regexp.MustCompile(`^/venues/(\d+)$`)

func TestOrganizerCreatesAVenueWithZonesAndGates(t *testing.T) {
	srv := testserver.Start(t)
	org, _ := signIn(t, srv, "organizer@example.org", auth.RoleOrganizer)

	_, body := org.Get("/venues")
	want(t, "empty venue list", body, "No venues yet", `href="/venues/new"`)

	// Bad input: each problem beside its field, what was typed kept,
	// nothing saved.
	resp, body := org.Post("/venues", url.Values{
		"name": {""}, "latitude": {"north"}, "longitude": {""}, "capacity": {"-3"}, "contact_email": {"desk.example.org"},
	})
	status(t, "bad venue", resp, http.StatusUnprocessableEntity)
	want(t, "bad venue form", body,
		`href="#f-name"`, "Enter the name of the venue",
		"Enter the latitude as a number between -90 and 90", `value="north"`,
		"Capacity must be a whole number of 0 or more", `value="-3"`,
		"Enter an e-mail address in the form name@example.org", `value="desk.example.org"`,
		`id="f-capacity-error"`)
	resp, body = org.Post("/venues", url.Values{"name": {"Memorial"}, "latitude": {"40.3577"}})
	status(t, "half coordinates", resp, http.StatusUnprocessableEntity)
	want(t, "half coordinates", body, "Enter both the latitude and the longitude, or neither")
	if n := sqlInt(t, srv, `SELECT count(*) FROM venues`); n != 0 {
		t.Fatalf("a refused form saved %d venues", n)
	}

	resp, _ = org.Post("/venues", url.Values{
		"name": {"Alley of Martyrs"}, "address": {"Baku"}, "latitude": {"40,3577"}, "longitude": {"49.829"},
		"capacity": {"3000"}, "accessibility_notes": {"Step-free from Gate 2"}, "contact_email": {"Desk@Example.org"},
	})
	status(t, "create venue", resp, http.StatusSeeOther)
	m := locationID.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("created venue sent to %q", resp.Header.Get("Location"))
	}
	venueURL := m[0]
	_, body = org.Get(venueURL)
	want(t, "venue page", body, "Alley of Martyrs was added.", "Step-free from Gate 2", "desk@example.org",
		`href="https://www.openstreetmap.org/?mlat=40.3577&amp;mlon=49.829#map=17/40.3577/49.829"`,
		"No zones yet", "No gates yet", `action="`+venueURL+`/zones"`, `class="print-header"`)
	resp, body = org.Post("/venues", url.Values{"name": {"alley of martyrs"}})
	status(t, "duplicate venue", resp, http.StatusUnprocessableEntity)
	want(t, "duplicate venue", body, "Another venue already has this name")

	// Zones: bad, then good.
	resp, body = org.Post(venueURL+"/zones", url.Values{"zone_name": {""}, "zone_kind": {"vip"}, "zone_capacity": {"many"}, "zone_colour": {"red"}})
	status(t, "bad zone", resp, http.StatusUnprocessableEntity)
	want(t, "bad zone", body, "Enter the name of the zone", "Choose the kind of zone", "Capacity must be a whole number of 0 or more",
		"Enter the badge colour as # and six hexadecimal digits", `value="many"`, `href="#f-zone_name"`,
		// The venue form further down still shows what is saved.
		`value="Alley of Martyrs"`)
	if n := sqlInt(t, srv, `SELECT count(*) FROM zones`); n != 0 {
		t.Fatalf("a refused zone was saved")
	}
	resp, _ = org.Post(venueURL+"/zones", url.Values{"zone_name": {"Official stand"}, "zone_kind": {"official"}, "zone_capacity": {"40"}, "zone_colour": {"#8B0000"}})
	status(t, "create zone", resp, http.StatusSeeOther)
	resp, _ = org.Post(venueURL+"/zones", url.Values{"zone_name": {"Diplomatic corps"}, "zone_kind": {"diplomatic"}, "zone_capacity": {"120"}, "zone_colour": {"#1f3a5f"}})
	status(t, "second zone", resp, http.StatusSeeOther)
	resp, body = org.Post(venueURL+"/zones", url.Values{"zone_name": {"official stand"}, "zone_kind": {"official"}, "zone_capacity": {"1"}, "zone_colour": {"#000000"}})
	status(t, "duplicate zone", resp, http.StatusUnprocessableEntity)
	want(t, "duplicate zone", body, "This venue already has a zone with this name")

	resp, _ = org.Post(venueURL+"/gates", url.Values{"gate_name": {"Gate 2 (north)"}, "gate_notes": {"Step-free"}})
	status(t, "create gate", resp, http.StatusSeeOther)
	resp, body = org.Post(venueURL+"/gates", url.Values{"gate_name": {" "}})
	status(t, "bad gate", resp, http.StatusUnprocessableEntity)
	want(t, "bad gate", body, "Enter the name of the gate")

	_, body = org.Get(venueURL)
	want(t, "venue with zones", body, "Official stand", "Diplomatic corps", "Diplomatic corps</td>", `fill="#8b0000"`,
		"2 zones", "160 places in all", "Gate 2 (north)", "1 gate")
	_, body = org.Get("/venues")
	want(t, "venue list", body, "Alley of Martyrs", `<td class="num">2</td>`, `<td class="num">1</td>`, "3000")

	// Edit a zone through its edit form, then a stale second edit.
	zoneID := sqlInt(t, srv, `SELECT id FROM zones WHERE name = 'Official stand'`)
	zoneURL := venueURL + "/zones/" + id(zoneID)
	_, body = org.Get(venueURL + "?zone=" + id(zoneID))
	want(t, "zone edit form", body, "Edit zone Official stand", `action="`+zoneURL+`"`, `name="zone_version" value="1"`)
	edit := url.Values{"zone_name": {"Official stand"}, "zone_kind": {"official"}, "zone_capacity": {"50"}, "zone_colour": {"#8b0000"}, "zone_position": {"0"}, "zone_version": {"1"}}
	resp, _ = org.Post(zoneURL, edit)
	status(t, "edit zone", resp, http.StatusSeeOther)
	edit.Set("zone_capacity", "999")
	resp, body = org.Post(zoneURL, edit)
	status(t, "stale zone", resp, http.StatusConflict)
	want(t, "stale zone", body, "Someone else saved this record", `value="50"`)

	// The venue itself: a stale edit is told and saves nothing.
	form := url.Values{"name": {"Alley of Martyrs (Şəhidlər Xiyabanı)"}, "version": {"1"}}
	resp, _ = org.Post(venueURL, form)
	status(t, "edit venue", resp, http.StatusSeeOther)
	form.Set("name", "Somebody else's name")
	resp, body = org.Post(venueURL, form)
	status(t, "stale venue", resp, http.StatusConflict)
	want(t, "stale venue", body, "Someone else saved this record", "Alley of Martyrs (Şəhidlər Xiyabanı)")
	if n := sqlInt(t, srv, `SELECT count(*) FROM venues WHERE name = 'Somebody else''s name'`); n != 0 {
		t.Fatal("stale edit saved")
	}

	// A venue a ceremony uses cannot be deleted; the page says why.
	editionID, ceremonyID := planned(t, srv)
	_ = editionID
	venueID := sqlInt(t, srv, `SELECT id FROM venues`)
	if err := srv.DB.Gorm.Exec(`UPDATE ceremonies SET venue_id = ? WHERE id = ?`, venueID, ceremonyID).Error; err != nil {
		t.Fatal(err)
	}
	resp, body = org.Post(venueURL+"/delete", url.Values{})
	status(t, "delete used venue", resp, http.StatusConflict)
	want(t, "delete used venue", body, "cannot be deleted because a ceremony takes place there")
	if n := sqlInt(t, srv, `SELECT count(*) FROM venues`); n != 1 {
		t.Fatal("used venue deleted")
	}
	// Zones and gates are deleted one by one; then the venue, once free.
	resp, _ = org.Post(zoneURL+"/delete", url.Values{})
	status(t, "delete zone", resp, http.StatusSeeOther)
	if err := srv.DB.Gorm.Exec(`UPDATE ceremonies SET venue_id = NULL`).Error; err != nil {
		t.Fatal(err)
	}
	resp, _ = org.Post(venueURL+"/delete", url.Values{})
	status(t, "delete venue", resp, http.StatusSeeOther)
	_, body = org.Get("/venues")
	want(t, "after delete", body, "was deleted.", "No venues yet")

	// Every change is audited.
	for _, typ := range []string{"venue", "zone", "gate"} {
		if n := sqlInt(t, srv, `SELECT count(*) FROM audit_entries WHERE entity_type = ?`, typ); n == 0 {
			t.Errorf("no audit entries for %s", typ)
		}
	}
	for _, path := range []string{venueURL, "/venues/999999", "/venues/abc", "/venues/0"} {
		if resp, _ := org.Get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
	if resp, _ := org.Post("/venues/999999/zones", url.Values{"zone_name": {"x"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("zone of a missing venue: %d", resp.StatusCode)
	}
}

func TestStaffReadsButChangesNothing(t *testing.T) {
	srv := testserver.Start(t)
	org, _ := signIn(t, srv, "organizer@example.org", auth.RoleOrganizer)
	staff, _ := signIn(t, srv, "staff@example.org", auth.RoleStaff)
	editionID, ceremonyID := planned(t, srv)
	resp, _ := org.Post("/venues", url.Values{"name": {"Memorial"}})
	status(t, "create venue", resp, http.StatusSeeOther)
	venueURL := resp.Header.Get("Location")
	org.Post(venueURL+"/zones", url.Values{"zone_name": {"Stand"}, "zone_kind": {"official"}, "zone_capacity": {"10"}, "zone_colour": {"#000000"}})
	org.Post(venueURL+"/gates", url.Values{"gate_name": {"Gate 1"}})
	base := "/editions/2026/ceremonies/" + id(ceremonyID)
	org.Post(base+"/resources", url.Values{"item": {"Chairs"}, "quantity": {"200"}, "resource_status": {"needed"}})
	org.Post(base+"/transport", url.Values{"vehicle": {"Minibus 1"}})
	org.Post("/editions/2026/tasks", url.Values{"title": {"Order wreaths"}})

	for _, path := range []string{"/venues", venueURL, base + "/logistics", "/editions/2026/tasks", "/my/tasks", "/editions/2026/tasks/print", "/editions/2026/transport/print"} {
		resp, body := staff.Get(path)
		status(t, "staff GET "+path, resp, http.StatusOK)
		if strings.Contains(body, `method="post" action="/venues`) || strings.Contains(body, `action="`+base+`/resources"`) ||
			strings.Contains(body, `action="/editions/2026/tasks"`) && strings.Contains(body, `name="title"`) {
			t.Errorf("staff sees an organizer's form on %s", path)
		}
	}
	_, body := staff.Get(venueURL)
	want(t, "staff venue page", body, "Stand", "Gate 1")

	before := sqlInt(t, srv, `SELECT count(*) FROM audit_entries`)
	zoneID := sqlInt(t, srv, `SELECT id FROM zones`)
	gateID := sqlInt(t, srv, `SELECT id FROM gates`)
	resourceID := sqlInt(t, srv, `SELECT id FROM resources`)
	transportID := sqlInt(t, srv, `SELECT id FROM transports`)
	taskID := sqlInt(t, srv, `SELECT id FROM tasks WHERE edition_id = ?`, editionID)
	venueID := strings.TrimPrefix(venueURL, "/venues/")
	n := 0
	for _, r := range srv.App.Server.Routes() {
		if r.Method != http.MethodPost || r.Access != server.Organizer ||
			!(strings.HasPrefix(r.Path, "/venues") || strings.Contains(r.Path, "/resources") || strings.Contains(r.Path, "/transport") || strings.Contains(r.Path, "/tasks")) {
			continue
		}
		path := strings.NewReplacer(":year", "2026", ":zone", id(zoneID), ":gate", id(gateID), ":rid", id(resourceID),
			":tid", id(transportID), ":task", id(taskID)).Replace(r.Path)
		if strings.HasPrefix(path, "/venues/:id") {
			path = strings.Replace(path, ":id", venueID, 1)
		}
		path = strings.Replace(path, ":id", id(ceremonyID), 1)
		resp, _ := staff.Post(path, url.Values{"name": {"x"}, "zone_name": {"x"}, "item": {"x"}, "vehicle": {"x"}, "title": {"x"}, "quantity": {"1"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("staff POST %s: %d, want 403", path, resp.StatusCode)
		}
		n++
	}
	if n < 15 {
		t.Fatalf("only %d organizer routes of the venue package found", n)
	}
	if after := sqlInt(t, srv, `SELECT count(*) FROM audit_entries`); after != before {
		t.Errorf("staff posts changed something: %d audit entries, were %d", after, before)
	}
}

func TestTaskStatusAndMyTasks(t *testing.T) {
	srv := testserver.Start(t)
	org, _ := signIn(t, srv, "organizer@example.org", auth.RoleOrganizer)
	staff, me := signIn(t, srv, "staff@example.org", auth.RoleStaff)
	_, other := signIn(t, srv, "other@example.org", auth.RoleStaff)
	_, ceremonyID := planned(t, srv)

	baku, err := time.LoadLocation("Asia/Baku")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(baku)
	day := func(d int) string { return today.AddDate(0, 0, d).Format("2006-01-02") }
	add := func(title, assignee, due string) {
		t.Helper()
		f := url.Values{"title": {title}, "assignee_id": {assignee}, "due_on": {due}}
		if title == "Print the wreath-laying order" {
			f.Set("ceremony_id", id(ceremonyID))
		}
		resp, body := org.Post("/editions/2026/tasks", f)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add task %q: %d\n%s", title, resp.StatusCode, body)
		}
	}
	add("Confirm the florist", id(me.ID), day(10))
	add("Book the interpreters", id(me.ID), day(-5))
	add("Print the wreath-laying order", id(me.ID), "")
	add("Brief the drivers", id(other.ID), day(-2))

	// Bad task input.
	resp, body := org.Post("/editions/2026/tasks", url.Values{"title": {""}, "assignee_id": {"999999"}, "due_on": {"2026-02-30"}, "ceremony_id": {"424242"}})
	status(t, "bad task", resp, http.StatusUnprocessableEntity)
	want(t, "bad task", body, "Enter what needs doing", "Choose a person from the list", "Enter a real date", "Choose a ceremony of this edition", `value="2026-02-30"`)

	_, body = org.Get("/editions/2026/tasks")
	want(t, "checklist", body, "4 tasks", "2 overdue", "badge badge--danger", "Checklist 2026", "Wreath-laying", `href="/editions/2026/tasks/print"`)
	_, body = org.Get("/editions/2026/tasks?assignee=" + id(other.ID))
	want(t, "filtered checklist", body, "1 task", "Brief the drivers")
	if strings.Contains(body, "Confirm the florist") {
		t.Error("assignee filter shows someone else's task")
	}

	// My tasks: mine only, overdue first.
	_, body = staff.Get("/my/tasks")
	want(t, "my tasks", body, "3 open tasks", "1 overdue", "Book the interpreters", "Confirm the florist", "Print the wreath-laying order")
	if strings.Contains(body, "Brief the drivers") {
		t.Error("my tasks shows someone else's task")
	}
	if i, j := strings.Index(body, "Book the interpreters"), strings.Index(body, "Confirm the florist"); i > j {
		t.Error("the overdue task is not first")
	}

	mine := sqlInt(t, srv, `SELECT id FROM tasks WHERE title = 'Book the interpreters'`)
	theirs := sqlInt(t, srv, `SELECT id FROM tasks WHERE title = 'Brief the drivers'`)
	// Staff marks their own task done, twice (a double click): one change.
	for i := 0; i < 2; i++ {
		resp, _ = staff.Post("/editions/2026/tasks/"+id(mine)+"/status", url.Values{"status": {"done"}, "back": {"/my/tasks"}})
		status(t, "staff marks own task done", resp, http.StatusSeeOther)
		if loc := resp.Header.Get("Location"); loc != "/my/tasks" {
			t.Errorf("sent back to %q", loc)
		}
	}
	if n := sqlInt(t, srv, `SELECT count(*) FROM audit_entries WHERE entity_type = 'task' AND entity_id = ? AND action = 'update'`, id(mine)); n != 1 {
		t.Errorf("double submit wrote %d changes", n)
	}
	_, body = staff.Get("/my/tasks")
	want(t, "my tasks after done", body, "is done.", "2 open tasks")
	// Not someone else's.
	resp, _ = staff.Post("/editions/2026/tasks/"+id(theirs)+"/status", url.Values{"status": {"done"}})
	status(t, "staff marks another's task", resp, http.StatusForbidden)
	if n := sqlInt(t, srv, `SELECT count(*) FROM tasks WHERE id = ? AND status = 'open'`, theirs); n != 1 {
		t.Error("another's task changed")
	}
	// An off-site "back" is ignored.
	resp, _ = org.Post("/editions/2026/tasks/"+id(theirs)+"/status", url.Values{"status": {"done"}, "back": {"//evil.example/"}})
	status(t, "organizer marks any task", resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/editions/2026/tasks" {
		t.Errorf("off-site back followed: %q", loc)
	}
	resp, _ = org.Post("/editions/2026/tasks/"+id(theirs)+"/status", url.Values{"status": {"maybe"}})
	status(t, "unknown status", resp, http.StatusBadRequest)

	// Edit and delete through the checklist.
	_, body = org.Get("/editions/2026/tasks?edit=" + id(theirs))
	want(t, "task edit form", body, "Edit task: Brief the drivers", `action="/editions/2026/tasks/`+id(theirs)+`"`)
	resp, _ = org.Post("/editions/2026/tasks/"+id(theirs), url.Values{"title": {"Brief all drivers"}, "status": {"open"}, "assignee_id": {id(other.ID)}, "version": {"2"}})
	status(t, "edit task", resp, http.StatusSeeOther)
	resp, body = org.Post("/editions/2026/tasks/"+id(theirs), url.Values{"title": {"Stale"}, "status": {"open"}, "version": {"2"}})
	status(t, "stale task", resp, http.StatusConflict)
	want(t, "stale task", body, "Someone else saved this record", `value="Brief all drivers"`)
	resp, _ = org.Post("/editions/2026/tasks/"+id(theirs)+"/delete", url.Values{})
	status(t, "delete task", resp, http.StatusSeeOther)
	resp, _ = org.Post("/editions/2026/tasks/"+id(theirs)+"/delete", url.Values{})
	status(t, "delete task twice", resp, http.StatusNotFound)
}

func TestLogisticsAndPrintViews(t *testing.T) {
	srv := testserver.Start(t)
	org, _ := signIn(t, srv, "organizer@example.org", auth.RoleOrganizer)
	_, ceremonyID := planned(t, srv)
	base := "/editions/2026/ceremonies/" + id(ceremonyID)

	_, body := org.Get(base + "/logistics")
	want(t, "empty logistics", body, "Logistics: Wreath-laying", "Thursday, 26 February 2026, 11:00–12:30", "No resources yet", "No transport yet")

	resp, body := org.Post(base+"/resources", url.Values{"item": {""}, "quantity": {"2.5"}, "resource_status": {"lost"}})
	status(t, "bad resource", resp, http.StatusUnprocessableEntity)
	want(t, "bad resource", body, "Enter the item", "Quantity must be a whole number of 0 or more", "Choose a status", `value="2.5"`)
	resp, _ = org.Post(base+"/resources", url.Values{"item": {"Wreath stands"}, "quantity": {"12"}, "supplier": {"Florist Gül"}, "resource_status": {"ordered"}})
	status(t, "add resource", resp, http.StatusSeeOther)

	resp, body = org.Post(base+"/transport", url.Values{"vehicle": {""}, "pickup_at": {"26/02/2026 9:30"}, "seats": {"many"}})
	status(t, "bad transport", resp, http.StatusUnprocessableEntity)
	want(t, "bad transport", body, "Enter the vehicle", "Enter a real date and time for the pick-up", "Seats must be a whole number of 0 or more")
	resp, _ = org.Post(base+"/transport", url.Values{
		"vehicle": {"Minibus 1"}, "driver_name": {"Rauf Məmmədov"}, "driver_phone": {"+994 50 123 45 67"},
		"pickup_point": {"Hotel lobby"}, "pickup_at": {"2026-02-26T09:30"}, "carries": {"Delegation of Georgia"}, "seats": {"16"},
	})
	status(t, "add transport", resp, http.StatusSeeOther)
	if n := sqlInt(t, srv, `SELECT count(*) FROM transports WHERE pickup_at = '2026-02-26 05:30+00'`); n != 1 {
		t.Error("pick-up time not stored as 09:30 Baku time")
	}
	_, body = org.Get(base + "/logistics")
	want(t, "logistics", body, "Wreath stands", "Florist Gül", "Ordered", "Minibus 1", "26 February 2026, 09:30", `href="tel:&#43;994501234567"`, "16 seats")
	transportID := sqlInt(t, srv, `SELECT id FROM transports`)
	_, body = org.Get(base + "/logistics?transport=" + id(transportID))
	want(t, "transport edit form", body, `value="2026-02-26T09:30"`, `name="transport_version" value="1"`)

	org.Post("/editions/2026/tasks", url.Values{"title": {"Order wreaths"}, "ceremony_id": {id(ceremonyID)}, "due_on": {"2020-01-01"}})

	resp, body = org.Get("/editions/2026/transport/print")
	status(t, "transport sheet", resp, http.StatusOK)
	want(t, "transport sheet", body, `class="print-header"`, "Day of Remembrance 2026", "Transport sheet", "Thursday, 26 February 2026",
		"<thead>", "Minibus 1", "Rauf Məmmədov", "Delegation of Georgia", "09:30", `print-landscape`)
	_, body = org.Get("/editions/2026/transport/print?ceremony=" + id(ceremonyID))
	want(t, "one ceremony's sheet", body, "Wreath-laying · Thursday, 26 February 2026, 11:00–12:30 · Transport sheet")
	resp, body = org.Get("/editions/2026/tasks/print")
	status(t, "checklist print", resp, http.StatusOK)
	want(t, "checklist print", body, `class="print-header"`, "Day of Remembrance 2026", "Logistics checklist", "Order wreaths",
		"1 January 2020", "Overdue", "Wreath stands", "<thead>")

	for _, path := range []string{
		"/editions/1999/tasks", "/editions/abc/tasks", "/editions/2026/ceremonies/999999/logistics", "/editions/2027/ceremonies/" + id(ceremonyID) + "/logistics",
		"/editions/2026/transport/print?ceremony=999999", "/editions/1999/tasks/print", "/editions/1999/transport/print",
	} {
		if resp, _ := org.Get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}

	resourceID := sqlInt(t, srv, `SELECT id FROM resources`)
	resp, _ = org.Post(base+"/resources/"+id(resourceID), url.Values{"item": {"Wreath stands"}, "quantity": {"14"}, "resource_status": {"delivered"}, "resource_version": {"1"}})
	status(t, "edit resource", resp, http.StatusSeeOther)
	resp, body = org.Post(base+"/resources/"+id(resourceID), url.Values{"item": {"Wreath stands"}, "quantity": {"1"}, "resource_status": {"needed"}, "resource_version": {"1"}})
	status(t, "stale resource", resp, http.StatusConflict)
	want(t, "stale resource", body, "Someone else saved this record", `value="14"`)
	resp, _ = org.Post(base+"/transport/"+id(transportID)+"/delete", url.Values{})
	status(t, "delete transport", resp, http.StatusSeeOther)
	resp, _ = org.Post(base+"/resources/"+id(resourceID)+"/delete", url.Values{})
	status(t, "delete resource", resp, http.StatusSeeOther)
	for _, typ := range []string{"resource", "transport", "task"} {
		if n := sqlInt(t, srv, `SELECT count(*) FROM audit_entries WHERE entity_type = ?`, typ); n < 2 && typ != "task" || n < 1 {
			t.Errorf("%d audit entries for %s", n, typ)
		}
	}
}

func TestPagesInAzerbaijaniAndRussian(t *testing.T) {
	srv := testserver.Start(t)
	_, ceremonyID := planned(t, srv)
	for loc, words := range map[string][]string{
		"az": {"Məkanlar", "Logistika", "Yoxlama siyahısı 2026", "Nəqliyyat cədvəli"},
		"ru": {"Места проведения", "Логистика", "Чек-лист 2026", "Транспортный лист"},
	} {
		u, err := srv.App.Users.Create(context.Background(), auth.NewUser{Email: loc + "@example.org", Name: "User " + loc, Role: auth.RoleOrganizer, Password: testserver.Password, Locale: loc})
		if err != nil {
			t.Fatal(err)
		}
		c := srv.NewClient(t)
		c.Login(u.Email)
		var all string
		for _, path := range []string{"/venues", "/editions/2026/ceremonies/" + id(ceremonyID) + "/logistics", "/editions/2026/tasks", "/editions/2026/transport/print"} {
			resp, body := c.Get(path)
			status(t, loc+" "+path, resp, http.StatusOK)
			all += body
		}
		want(t, loc+" pages", all, words...)
		if strings.Contains(all, "venue.") {
			t.Errorf("%s pages show a message key", loc)
		}
	}
}
