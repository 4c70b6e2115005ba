package venue

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"vigil/internal/testdb"
)

// Fixtures: editions and ceremonies belong to the ceremony package; these
// tests insert the rows they need with plain SQL.

func newStore(t *testing.T) (*Store, *gorm.DB) {
	t.Helper()
	db, _ := testdb.New(t)
	return NewStore(db.Gorm), db.Gorm
}

func insert(t *testing.T, db *gorm.DB, query string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := db.Raw(query+" RETURNING id", args...).Scan(&id).Error; err != nil {
		t.Fatalf("fixture %q: %v", query, err)
	}
	return id
}

func exec(t *testing.T, db *gorm.DB, query string, args ...any) {
	t.Helper()
	if err := db.Exec(query, args...).Error; err != nil {
		t.Fatalf("exec %q: %v", query, err)
	}
}

func count(t *testing.T, db *gorm.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatalf("count %q: %v", query, err)
	}
	return n
}

func commemoration(t *testing.T, db *gorm.DB, tz string) int64 {
	return insert(t, db, `INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone)
		VALUES (?, '1992-02-26', 2, 26, ?)`, "Remembrance "+tz, tz)
}

func edition(t *testing.T, db *gorm.DB, commemorationID int64, year int) int64 {
	return insert(t, db, `INSERT INTO editions (commemoration_id, year) VALUES (?, ?)`, commemorationID, year)
}

func ceremony(t *testing.T, db *gorm.DB, editionID int64, title string, venueID *int64, starts time.Time) int64 {
	return insert(t, db, `INSERT INTO ceremonies (edition_id, title, venue_id, starts_at, ends_at) VALUES (?, ?, ?, ?, ?)`,
		editionID, title, venueID, starts, starts.Add(90*time.Minute))
}

func user(t *testing.T, db *gorm.DB, email string) int64 {
	return insert(t, db, `INSERT INTO users (email, name, role, password_hash) VALUES (?, ?, 'staff', 'x')`, email, "User "+email)
}

func ptr[T any](v T) *T { return &v }

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestVenueCRUDAndVersions(t *testing.T) {
	s, db := newStore(t)
	ctx := context.Background()

	v, err := s.CreateVenue(ctx, VenueInput{Name: "Şəhidlər Xiyabanı", Address: "Baku", Latitude: ptr(40.3577), Longitude: ptr(49.8290), Capacity: ptr(2000)})
	if err != nil {
		t.Fatal(err)
	}
	if v.ID == 0 || v.Version != 1 {
		t.Fatalf("created %+v", v)
	}
	if want := "https://www.openstreetmap.org/?mlat=40.3577&mlon=49.829#map=17/40.3577/49.829"; v.MapURL() != want {
		t.Errorf("map URL %q, want %q", v.MapURL(), want)
	}
	if _, err := s.CreateVenue(ctx, VenueInput{Name: "City Hall"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateVenue(ctx, VenueInput{Name: "CITY HALL"}); !errors.Is(err, ErrNameTaken) {
		t.Fatalf("duplicate name: %v, want ErrNameTaken", err)
	}

	in := VenueInput{Name: "Alley of Martyrs", Address: "Baku, Azerbaijan", ContactEmail: "desk@example.org"}
	saved, err := s.UpdateVenue(ctx, v.ID, 1, in)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Version != 2 || saved.Name != "Alley of Martyrs" || saved.Latitude != nil || saved.Capacity != nil {
		t.Fatalf("updated %+v", saved)
	}
	// A second editor still at version 1 is refused and changes nothing.
	if _, err := s.UpdateVenue(ctx, v.ID, 1, VenueInput{Name: "Somebody else"}); !errors.Is(err, ErrStale) {
		t.Fatalf("stale update: %v, want ErrStale", err)
	}
	got, err := s.ByID(ctx, v.ID)
	if err != nil || got.Name != "Alley of Martyrs" || got.Version != 2 || got.ContactEmail != "desk@example.org" {
		t.Fatalf("after stale update: %+v %v", got, err)
	}
	if _, err := s.UpdateVenue(ctx, 999999, 1, in); !errors.Is(err, ErrNotFound) {
		t.Fatalf("update missing: %v", err)
	}
	if _, err := s.ByID(ctx, 999999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing venue: %v", err)
	}

	list, err := s.List(ctx)
	if err != nil || len(list) < 2 || list[0].Name != "Alley of Martyrs" {
		t.Fatalf("list by name: %+v %v", list, err)
	}
	// Every change is in the audit log, the stale one not.
	if n := count(t, db, `SELECT count(*) FROM audit_entries WHERE entity_type = 'venue' AND entity_id = ?`, fmt.Sprint(v.ID)); n != 2 {
		t.Errorf("venue has %d audit entries, want 2 (create, update)", n)
	}
}

func TestZonesAndGates(t *testing.T) {
	s, db := newStore(t)
	ctx := context.Background()
	v, err := s.CreateVenue(ctx, VenueInput{Name: "Memorial"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.CreateVenue(ctx, VenueInput{Name: "Hall"})
	if err != nil {
		t.Fatal(err)
	}
	vip, err := s.CreateZone(ctx, v.ID, ZoneInput{Name: "VIP stand", Kind: "official", Capacity: 40, BadgeColour: "#aa0000"})
	if err != nil {
		t.Fatal(err)
	}
	press, err := s.CreateZone(ctx, v.ID, ZoneInput{Name: "Press", Kind: "press", Capacity: 20, BadgeColour: "#00aa00"})
	if err != nil {
		t.Fatal(err)
	}
	if vip.Position != 0 || press.Position != 1 {
		t.Errorf("new zones go last: positions %d, %d", vip.Position, press.Position)
	}
	first, err := s.CreateZone(ctx, v.ID, ZoneInput{Name: "Front", Kind: "guests", Capacity: 100, BadgeColour: DefaultBadgeColour, Position: ptr(-1)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateZone(ctx, v.ID, ZoneInput{Name: "press", Kind: "press", BadgeColour: "#000000"}); !errors.Is(err, ErrNameTaken) {
		t.Fatalf("duplicate zone: %v", err)
	}
	if _, err := s.CreateZone(ctx, other.ID, ZoneInput{Name: "Press", Kind: "press", BadgeColour: "#000000"}); err != nil {
		t.Fatalf("same zone name in another venue: %v", err)
	}
	if _, err := s.CreateZone(ctx, 999999, ZoneInput{Name: "Nowhere", Kind: "press", BadgeColour: "#000000"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("zone of a missing venue: %v", err)
	}
	zs, err := s.Zones(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(zs) != 3 || zs[0].ID != first.ID || zs[1].ID != vip.ID || zs[2].ID != press.ID {
		t.Fatalf("zones order: %+v", zs)
	}
	all, err := s.AllZones(ctx)
	if err != nil || len(all) != 4 || all[0].ID != first.ID || all[1].ID != vip.ID || all[2].ID != press.ID || all[3].VenueID != other.ID {
		t.Fatalf("all zones: %+v %v", all, err)
	}

	z, err := s.UpdateZone(ctx, v.ID, vip.ID, vip.Version, ZoneInput{Name: "Official stand", Kind: "official", Capacity: 50, BadgeColour: "#bb0000"})
	if err != nil || z.Capacity != 50 || z.Position != 0 || z.Version != 2 {
		t.Fatalf("update zone: %+v %v", z, err)
	}
	if _, err := s.UpdateZone(ctx, v.ID, vip.ID, vip.Version, ZoneInput{Name: "X", Kind: "official", BadgeColour: "#bb0000"}); !errors.Is(err, ErrStale) {
		t.Fatalf("stale zone: %v", err)
	}
	if _, err := s.UpdateZone(ctx, other.ID, vip.ID, 2, ZoneInput{Name: "X", Kind: "official", BadgeColour: "#bb0000"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("zone through another venue: %v", err)
	}
	if _, err := s.UpdateZone(ctx, v.ID, press.ID, 1, ZoneInput{Name: "official STAND", Kind: "press", BadgeColour: "#bb0000"}); !errors.Is(err, ErrNameTaken) {
		t.Fatalf("rename onto another zone: %v", err)
	}

	g, err := s.CreateGate(ctx, v.ID, GateInput{Name: "Gate 1", Notes: "North"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateGate(ctx, v.ID, GateInput{Name: "gate 1"}); !errors.Is(err, ErrNameTaken) {
		t.Fatalf("duplicate gate: %v", err)
	}
	if g, err = s.UpdateGate(ctx, v.ID, g.ID, 1, GateInput{Name: "Gate 1 (north)"}); err != nil || g.Notes != "" {
		t.Fatalf("update gate: %+v %v", g, err)
	}
	if _, err := s.UpdateGate(ctx, v.ID, g.ID, 1, GateInput{Name: "Gate X"}); !errors.Is(err, ErrStale) {
		t.Fatalf("stale gate: %v", err)
	}
	if _, err := s.DeleteGate(ctx, other.ID, g.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete gate through another venue: %v", err)
	}
	if _, err := s.DeleteGate(ctx, v.ID, g.ID); err != nil {
		t.Fatal(err)
	}
	gs, err := s.Gates(ctx, v.ID)
	if err != nil || len(gs) != 0 {
		t.Fatalf("gates after delete: %+v %v", gs, err)
	}
	sums, err := s.Summaries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sm := range sums {
		if sm.ID == v.ID && (sm.ZoneCount != 3 || sm.GateCount != 0 || sm.Name != "Memorial") {
			t.Errorf("summary %+v", sm)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM audit_entries WHERE entity_type = 'gate' AND action = 'delete' AND changes->'name'->>'before' = 'Gate 1 (north)'`); n != 1 {
		t.Errorf("gate deletion audited %d times with its name before", n)
	}
}

func TestDeleteRefusedWhileACeremonyUsesIt(t *testing.T) {
	s, db := newStore(t)
	ctx := context.Background()
	v, err := s.CreateVenue(ctx, VenueInput{Name: "Memorial"})
	if err != nil {
		t.Fatal(err)
	}
	z, err := s.CreateZone(ctx, v.ID, ZoneInput{Name: "Stand", Kind: "official", Capacity: 10, BadgeColour: "#000000"})
	if err != nil {
		t.Fatal(err)
	}
	free, err := s.CreateZone(ctx, v.ID, ZoneInput{Name: "Lawn", Kind: "guests", Capacity: 10, BadgeColour: "#000000"})
	if err != nil {
		t.Fatal(err)
	}
	ed := edition(t, db, commemoration(t, db, "Asia/Baku"), 2026)
	cer := ceremony(t, db, ed, "Wreath-laying", &v.ID, time.Date(2026, 2, 26, 7, 0, 0, 0, time.UTC))
	exec(t, db, `INSERT INTO ceremony_zones (ceremony_id, zone_id) VALUES (?, ?)`, cer, z.ID)

	if _, err := s.DeleteVenue(ctx, v.ID); !errors.Is(err, ErrInUse) {
		t.Fatalf("delete used venue: %v, want ErrInUse", err)
	}
	if _, err := s.DeleteZone(ctx, v.ID, z.ID); !errors.Is(err, ErrInUse) {
		t.Fatalf("delete used zone: %v, want ErrInUse", err)
	}
	if _, err := s.DeleteZone(ctx, v.ID, free.ID); err != nil {
		t.Fatalf("delete unused zone: %v", err)
	}
	if _, err := s.ByID(ctx, v.ID); err != nil {
		t.Fatalf("refused deletion removed the venue: %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_entries WHERE entity_type = 'venue' AND action = 'delete'`); n != 0 {
		t.Fatalf("refused deletion audited %d times", n)
	}
	// The ceremony moves elsewhere (its zones go with it): now it can go,
	// with its zones and gates.
	exec(t, db, `UPDATE ceremonies SET venue_id = NULL WHERE id = ?`, cer)
	if _, err := s.CreateGate(ctx, v.ID, GateInput{Name: "Gate"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteVenue(ctx, v.ID); err != nil {
		t.Fatalf("delete unused venue: %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM zones WHERE venue_id = ?`, v.ID) + count(t, db, `SELECT count(*) FROM gates WHERE venue_id = ?`, v.ID); n != 0 {
		t.Fatalf("%d zones and gates left behind", n)
	}
	if _, err := s.DeleteVenue(ctx, v.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
}

func TestResourcesTransportAndTasks(t *testing.T) {
	s, db := newStore(t)
	ctx := context.Background()
	baku := mustLoad(t, "Asia/Baku")
	ed := edition(t, db, commemoration(t, db, "Asia/Baku"), 2026)
	c1 := ceremony(t, db, ed, "Wreath-laying", nil, time.Date(2026, 2, 26, 7, 0, 0, 0, time.UTC))
	c2 := ceremony(t, db, ed, "Reception", nil, time.Date(2026, 2, 26, 14, 0, 0, 0, time.UTC))
	leyla := user(t, db, "leyla@example.org")

	r, err := s.CreateResource(ctx, c1, ResourceInput{Item: "Wreath stands", Quantity: 12, Status: ResourceNeeded})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateResource(ctx, c2, ResourceInput{Item: "Chairs", Quantity: 200, Status: ResourceOrdered}); err != nil {
		t.Fatal(err)
	}
	if r, err = s.UpdateResource(ctx, c1, r.ID, 1, ResourceInput{Item: "Wreath stands", Quantity: 14, Supplier: "Florist", Status: ResourceDelivered}); err != nil || r.Quantity != 14 {
		t.Fatalf("update resource: %+v %v", r, err)
	}
	if _, err := s.UpdateResource(ctx, c2, r.ID, 2, ResourceInput{Item: "X", Status: ResourceNeeded}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("resource through another ceremony: %v", err)
	}
	rs, err := s.Resources(ctx, c2, c1)
	if err != nil || len(rs) != 2 || rs[0].CeremonyID != c2 || rs[1].CeremonyID != c1 {
		t.Fatalf("resources in ceremony order: %+v %v", rs, err)
	}

	at := time.Date(2026, 2, 26, 9, 30, 0, 0, baku)
	tr, err := s.CreateTransport(ctx, c1, TransportInput{Vehicle: "Minibus 1", PickupAt: &at, Seats: ptr(16)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateTransport(ctx, c1, TransportInput{Vehicle: "Sedan"}); err != nil {
		t.Fatal(err)
	}
	ts, err := s.Transports(ctx, c1)
	if err != nil || len(ts) != 2 || ts[0].ID != tr.ID || !ts[0].PickupAt.Equal(at) || ts[1].PickupAt != nil {
		t.Fatalf("transport by pick-up time, untimed last: %+v %v", ts, err)
	}
	if _, err := s.DeleteTransport(ctx, c1, tr.ID); err != nil {
		t.Fatal(err)
	}

	due := time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)
	task, err := s.CreateTask(ctx, ed, TaskInput{Title: "Order wreaths", CeremonyID: &c1, AssigneeID: &leyla, DueOn: &due, Status: TaskOpen})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateTask(ctx, ed, TaskInput{Title: "Book interpreters", Status: TaskOpen}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Task(ctx, ed, task.ID)
	if err != nil || got.DueOn == nil || !got.DueOn.Equal(due) {
		t.Fatalf("due date round trip: %+v %v", got, err)
	}
	done, err := s.SetTaskStatus(ctx, ed, task.ID, TaskDone)
	if err != nil || done.DoneAt == nil || done.Status != TaskDone {
		t.Fatalf("mark done: %+v %v", done, err)
	}
	again, err := s.SetTaskStatus(ctx, ed, task.ID, TaskDone)
	if err != nil || !again.DoneAt.Equal(*done.DoneAt) {
		t.Fatalf("marking done twice changed the time: %+v %v", again, err)
	}
	if n := count(t, db, `SELECT count(*) FROM audit_entries WHERE entity_type = 'task' AND entity_id = ? AND action = 'update'`, fmt.Sprint(task.ID)); n != 1 {
		t.Errorf("marking done twice wrote %d audit entries, want 1", n)
	}
	mine, err := s.OpenTasksOf(ctx, leyla)
	if err != nil || len(mine) != 0 {
		t.Fatalf("done task still open for its assignee: %+v %v", mine, err)
	}
	open, err := s.UpdateTask(ctx, ed, task.ID, again.Version, TaskInput{Title: "Order wreaths", CeremonyID: &c1, AssigneeID: &leyla, DueOn: &due, Status: TaskOpen})
	if err != nil || open.DoneAt != nil {
		t.Fatalf("reopen: %+v %v", open, err)
	}
	if _, err := s.UpdateTask(ctx, ed, task.ID, again.Version, TaskInput{Title: "Late", Status: TaskOpen}); !errors.Is(err, ErrStale) {
		t.Fatalf("stale task: %v", err)
	}
	if list, err := s.Tasks(ctx, ed, TaskFilter{CeremonyID: &c1}); err != nil || len(list) != 1 {
		t.Fatalf("tasks of a ceremony: %+v %v", list, err)
	}
	if list, err := s.Tasks(ctx, ed, TaskFilter{NoCeremony: true, Unassigned: true}); err != nil || len(list) != 1 || list[0].Title != "Book interpreters" {
		t.Fatalf("edition-wide unassigned tasks: %+v %v", list, err)
	}
	if list, err := s.Tasks(ctx, ed, TaskFilter{AssigneeID: &leyla, Status: TaskDone}); err != nil || len(list) != 0 {
		t.Fatalf("done tasks of leyla: %+v %v", list, err)
	}
	if _, err := s.Task(ctx, ed+1000, task.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("task through another edition: %v", err)
	}
	if _, err := s.DeleteTask(ctx, ed, task.ID); err != nil {
		t.Fatal(err)
	}
}

func TestOpenTasksCountsOverdueInTheEditionsZone(t *testing.T) {
	s, db := newStore(t)
	ctx := context.Background()
	ed := edition(t, db, commemoration(t, db, "Asia/Baku"), 2026)
	day := func(m time.Month, d int) *time.Time { return ptr(time.Date(2026, m, d, 0, 0, 0, 0, time.UTC)) }
	for _, in := range []TaskInput{
		{Title: "Long overdue", DueOn: day(2, 1), Status: TaskOpen},
		{Title: "Due yesterday in Baku", DueOn: day(2, 25), Status: TaskOpen},
		{Title: "Due today", DueOn: day(2, 26), Status: TaskOpen},
		{Title: "No date", Status: TaskOpen},
		{Title: "Overdue but done", DueOn: day(2, 1), Status: TaskDone},
	} {
		if _, err := s.CreateTask(ctx, ed, in); err != nil {
			t.Fatal(err)
		}
	}
	// 21:30 UTC on 25 February is already 01:30 on the 26th in Baku.
	s.now = func() time.Time { return time.Date(2026, 2, 25, 21, 30, 0, 0, time.UTC) }
	open, overdue, err := s.OpenTasks(ctx, ed, mustLoad(t, "Asia/Baku"))
	if err != nil || open != 4 || overdue != 2 {
		t.Fatalf("Baku: open %d overdue %d (%v), want 4 and 2", open, overdue, err)
	}
	open, overdue, err = s.OpenTasks(ctx, ed, time.UTC)
	if err != nil || open != 4 || overdue != 1 {
		t.Fatalf("UTC: open %d overdue %d (%v), want 4 and 1", open, overdue, err)
	}
	if open, overdue, err := s.OpenTasks(ctx, ed+1000, time.UTC); err != nil || open != 0 || overdue != 0 {
		t.Fatalf("other edition: %d %d %v", open, overdue, err)
	}
	today := Today(s.now(), mustLoad(t, "Asia/Baku"))
	if !(&Task{Status: TaskOpen, DueOn: day(2, 25)}).Overdue(today) || (&Task{Status: TaskOpen, DueOn: day(2, 26)}).Overdue(today) {
		t.Error("Task.Overdue disagrees with OpenTasks")
	}
}

// shiftYear is what the ceremony package passes: the same local date and
// wall-clock time a year later.
func shiftYear(loc *time.Location) func(time.Time) time.Time {
	return func(t time.Time) time.Time {
		l := t.In(loc)
		return time.Date(l.Year()+1, l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), loc)
	}
}

func TestCopyLogistics(t *testing.T) {
	for _, tc := range []struct {
		zone     string
		pickup   time.Time // in the zone, in 2025
		wantUTCs time.Duration
	}{
		// Europe/Berlin: 29 March 2025 is still winter time (UTC+1), 29
		// March 2026 is summer time (UTC+2): the wall clock stays 10:00,
		// the instant moves by a year less an hour.
		{"Europe/Berlin", time.Date(2025, 3, 29, 10, 0, 0, 0, mustLoad(t, "Europe/Berlin")), 365*24*time.Hour - time.Hour},
		// Asia/Baku has no DST: 26 February 11:00 stays 26 February 11:00.
		{"Asia/Baku", time.Date(2025, 2, 26, 11, 0, 0, 0, mustLoad(t, "Asia/Baku")), 365 * 24 * time.Hour},
	} {
		t.Run(tc.zone, func(t *testing.T) {
			s, db := newStore(t)
			ctx := context.Background()
			loc := mustLoad(t, tc.zone)
			cm := commemoration(t, db, tc.zone)
			from, to := edition(t, db, cm, 2025), edition(t, db, cm, 2026)
			oldC := ceremony(t, db, from, "Wreath-laying", nil, tc.pickup.Add(time.Hour))
			dropped := ceremony(t, db, from, "Cancelled concert", nil, tc.pickup.Add(5*time.Hour))
			newC := ceremony(t, db, to, "Wreath-laying", nil, shiftYear(loc)(tc.pickup.Add(time.Hour)))
			leyla := user(t, db, "leyla@example.org")

			if _, err := s.CreateResource(ctx, oldC, ResourceInput{Item: "Wreaths", Quantity: 30, Supplier: "Florist", Status: ResourceDelivered, Notes: "white"}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreateResource(ctx, dropped, ResourceInput{Item: "Stage", Quantity: 1, Status: ResourceOrdered}); err != nil {
				t.Fatal(err)
			}
			pickup := tc.pickup
			if _, err := s.CreateTransport(ctx, oldC, TransportInput{Vehicle: "Minibus 1", DriverName: "Rauf", PickupAt: &pickup, Seats: ptr(16), Carries: "Delegation A"}); err != nil {
				t.Fatal(err)
			}
			due := time.Date(2025, 2, 20, 0, 0, 0, 0, time.UTC)
			task, err := s.CreateTask(ctx, from, TaskInput{Title: "Order wreaths", CeremonyID: &oldC, AssigneeID: &leyla, DueOn: &due, Status: TaskOpen})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.SetTaskStatus(ctx, from, task.ID, TaskDone); err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreateTask(ctx, from, TaskInput{Title: "Print badges", Status: TaskOpen}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreateTask(ctx, from, TaskInput{Title: "Tune the piano", CeremonyID: &dropped, Status: TaskOpen}); err != nil {
				t.Fatal(err)
			}
			ids := map[int64]int64{oldC: newC}

			// The caller's transaction fails after the copy: nothing stays.
			boom := errors.New("boom")
			err = db.Transaction(func(tx *gorm.DB) error {
				if err := s.CopyLogistics(ctx, tx, from, to, ids, shiftYear(loc)); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("transaction: %v", err)
			}
			if n := count(t, db, `SELECT (SELECT count(*) FROM resources WHERE ceremony_id = ?) + (SELECT count(*) FROM transports WHERE ceremony_id = ?) + (SELECT count(*) FROM tasks WHERE edition_id = ?) + (SELECT count(*) FROM audit_entries WHERE action = 'copy_logistics')`, newC, newC, to); n != 0 {
				t.Fatalf("a rolled-back copy left %d rows", n)
			}

			if err := db.Transaction(func(tx *gorm.DB) error { return s.CopyLogistics(ctx, tx, from, to, ids, shiftYear(loc)) }); err != nil {
				t.Fatal(err)
			}
			rs, err := s.Resources(ctx, newC)
			if err != nil || len(rs) != 1 {
				t.Fatalf("copied resources: %+v %v", rs, err)
			}
			if r := rs[0]; r.Item != "Wreaths" || r.Quantity != 30 || r.Supplier != "Florist" || r.Notes != "white" || r.Status != ResourceNeeded || r.Version != 1 {
				t.Errorf("copied resource %+v: want the same item, status needed", r)
			}
			ts, err := s.Transports(ctx, newC)
			if err != nil || len(ts) != 1 || ts[0].PickupAt == nil {
				t.Fatalf("copied transport: %+v %v", ts, err)
			}
			got := ts[0].PickupAt.In(loc)
			if got.Year() != 2026 || got.Month() != tc.pickup.Month() || got.Day() != tc.pickup.Day() || got.Hour() != tc.pickup.Hour() || got.Minute() != 0 {
				t.Errorf("pick-up moved to %s, want the same local date and time in 2026", got)
			}
			if d := ts[0].PickupAt.Sub(tc.pickup); d != tc.wantUTCs {
				t.Errorf("pick-up moved by %s, want %s", d, tc.wantUTCs)
			}
			if ts[0].Vehicle != "Minibus 1" || ts[0].DriverName != "Rauf" || ts[0].Seats == nil || *ts[0].Seats != 16 || ts[0].Carries != "Delegation A" {
				t.Errorf("copied transport %+v", ts[0])
			}
			tasks, err := s.Tasks(ctx, to, TaskFilter{})
			if err != nil || len(tasks) != 2 {
				t.Fatalf("copied tasks (the dropped ceremony's left behind): %+v %v", tasks, err)
			}
			for _, tk := range tasks {
				if tk.Status != TaskOpen || tk.DoneAt != nil || tk.Version != 1 {
					t.Errorf("copied task %q not reset: %+v", tk.Title, tk)
				}
				if tk.Title == "Order wreaths" {
					if tk.CeremonyID == nil || *tk.CeremonyID != newC || tk.AssigneeID == nil || *tk.AssigneeID != leyla {
						t.Errorf("ceremony or assignee not carried over: %+v", tk)
					}
					if tk.DueOn == nil || !tk.DueOn.Equal(time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)) {
						t.Errorf("due date %v, want 2026-02-20", tk.DueOn)
					}
				}
			}
			// The old edition is untouched.
			if old, err := s.Task(ctx, from, task.ID); err != nil || old.Status != TaskDone {
				t.Errorf("old task changed: %+v %v", old, err)
			}
			if n := count(t, db, `SELECT count(*) FROM audit_entries WHERE action = 'copy_logistics' AND entity_type = 'edition' AND entity_id = ?`, fmt.Sprint(to)); n != 1 {
				t.Errorf("%d audit entries for the copy, want 1", n)
			}
		})
	}
}

func TestShiftDateKeepsTheDayInEveryZone(t *testing.T) {
	d := time.Date(2025, 3, 30, 0, 0, 0, 0, time.UTC)
	for _, zone := range []string{"Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York", "Europe/Berlin", "Asia/Baku"} {
		got := shiftDate(d, shiftYear(mustLoad(t, zone)))
		if want := time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
			t.Errorf("%s: %s, want %s", zone, got, want)
		}
	}
}
