package ceremony

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"vigil/internal/testdb"
)

type fixture struct {
	db    *gorm.DB
	s     *Store
	cm    *Commemoration
	ed    *Edition
	loc   *time.Location
	venue int64
	zones []int64 // official stand, diplomatic corps
}

func setup(t *testing.T, tz string) *fixture {
	t.Helper()
	db, _ := testdb.New(t)
	s := NewStore(db.Gorm)
	ctx := context.Background()
	cm := &Commemoration{Name: "Remembrance", CommemoratedOn: time.Date(1992, 2, 26, 0, 0, 0, 0, time.UTC), CeremonyMonth: 2, CeremonyDay: 26, TimeZone: tz, DefaultLocale: "en"}
	if err := s.CreateCommemoration(ctx, cm); err != nil {
		t.Fatal(err)
	}
	ed := &Edition{CommemorationID: cm.ID, Year: 2026, ReminderDays: 7}
	if err := s.CreateEdition(ctx, ed); err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db.Gorm, s: s, cm: cm, ed: ed, loc: loc}
	if err := db.Gorm.Raw("INSERT INTO venues (name) VALUES ('Memorial') RETURNING id").Scan(&f.venue).Error; err != nil {
		t.Fatal(err)
	}
	for _, z := range []string{"Official stand", "Diplomatic corps"} {
		var id int64
		if err := db.Gorm.Raw("INSERT INTO zones (venue_id, name, capacity) VALUES (?, ?, 100) RETURNING id", f.venue, z).Scan(&id).Error; err != nil {
			t.Fatal(err)
		}
		f.zones = append(f.zones, id)
	}
	return f
}

func (f *fixture) ceremony(t *testing.T, title string, start time.Time, minutes int, zones ...int64) (*Ceremony, error) {
	t.Helper()
	c := &Ceremony{EditionID: f.ed.ID, Title: title, Kind: "wreath_laying", VenueID: &f.venue,
		StartsAt: start, EndsAt: start.Add(time.Duration(minutes) * time.Minute), ZoneIDs: zones}
	return c, f.s.CreateCeremony(context.Background(), c)
}

func TestZoneClashIsRefusedByPostgres(t *testing.T) {
	f := setup(t, "Asia/Baku")
	ctx := context.Background()
	at := time.Date(2026, 2, 26, 11, 0, 0, 0, f.loc)
	first, err := f.ceremony(t, "Wreath-laying", at, 90, f.zones[0], f.zones[1])
	if err != nil {
		t.Fatal(err)
	}
	// Same zone, overlapping: refused, naming the other ceremony, nothing saved.
	_, err = f.ceremony(t, "Memorial service", at.Add(60*time.Minute), 60, f.zones[1])
	var clash *ZoneClashError
	if !errors.As(err, &clash) || clash.OtherTitle != "Wreath-laying" || clash.ZoneID != f.zones[1] {
		t.Fatalf("overlap: %v", err)
	}
	cs, _ := f.s.Ceremonies(ctx, f.ed.ID)
	if len(cs) != 1 {
		t.Fatalf("the refused ceremony was saved: %d ceremonies", len(cs))
	}
	// Back to back is fine ([start, end) ranges).
	second, err := f.ceremony(t, "Memorial service", at.Add(90*time.Minute), 60, f.zones[1])
	if err != nil {
		t.Fatalf("back-to-back: %v", err)
	}
	// Moving the second one earlier makes it clash: refused on update too.
	second.StartsAt = at.Add(30 * time.Minute)
	if err := f.s.UpdateCeremony(ctx, second, second.Version); !errors.As(err, &clash) || clash.OtherID != first.ID {
		t.Fatalf("update into a clash: %v", err)
	}
	// Cancelling the first frees the zone...
	if err := f.s.SetCeremonyStatus(ctx, f.ed.ID, first.ID, first.Version, CeremonyCancelled); err != nil {
		t.Fatal(err)
	}
	if err := f.s.UpdateCeremony(ctx, second, second.Version); err != nil {
		t.Fatalf("after cancelling the other: %v", err)
	}
	// ...and reinstating it now clashes.
	first, _ = f.s.Ceremony(ctx, f.ed.ID, first.ID)
	if err := f.s.SetCeremonyStatus(ctx, f.ed.ID, first.ID, first.Version, CeremonyPublished); !errors.As(err, &clash) {
		t.Fatalf("reinstating into a clash: %v", err)
	}
	// The database itself refuses, whatever code writes the row.
	err = f.db.Exec("INSERT INTO ceremony_zones (ceremony_id, zone_id, during, active) VALUES (?, ?, tstzrange(now(), now()), true)", second.ID, f.zones[0]).Error
	if err != nil {
		t.Fatalf("a zone of the venue at its own time: %v", err)
	}
	var otherVenue, foreignZone int64
	f.db.Raw("INSERT INTO venues (name) VALUES ('Hall') RETURNING id").Scan(&otherVenue)
	f.db.Raw("INSERT INTO zones (venue_id, name) VALUES (?, 'Hall floor') RETURNING id", otherVenue).Scan(&foreignZone)
	second, _ = f.s.Ceremony(ctx, f.ed.ID, second.ID)
	second.ZoneIDs = append(second.ZoneIDs, foreignZone)
	if err := f.s.UpdateCeremony(ctx, second, second.Version); !errors.Is(err, ErrZoneElsewhere) {
		t.Fatalf("zone of another venue: %v", err)
	}
}

func TestStaleCeremonyUpdate(t *testing.T) {
	f := setup(t, "Asia/Baku")
	ctx := context.Background()
	c, err := f.ceremony(t, "Reception", time.Date(2026, 2, 26, 18, 0, 0, 0, f.loc), 120)
	if err != nil {
		t.Fatal(err)
	}
	a, b := *c, *c
	a.Title = "Reception (A)"
	if err := f.s.UpdateCeremony(ctx, &a, c.Version); err != nil {
		t.Fatal(err)
	}
	b.Title = "Reception (B)"
	if err := f.s.UpdateCeremony(ctx, &b, c.Version); !errors.Is(err, ErrStale) {
		t.Fatalf("second editor: %v", err)
	}
	got, _ := f.s.Ceremony(ctx, f.ed.ID, c.ID)
	if got.Title != "Reception (A)" {
		t.Fatalf("title %q", got.Title)
	}
}

func TestProgrammeShiftAndMove(t *testing.T) {
	f := setup(t, "Asia/Baku")
	ctx := context.Background()
	at := time.Date(2026, 2, 26, 11, 0, 0, 0, f.loc)
	c, err := f.ceremony(t, "Wreath-laying", at, 90)
	if err != nil {
		t.Fatal(err)
	}
	add := func(title string, offset, minutes int) *ProgrammeItem {
		it := &ProgrammeItem{CeremonyID: c.ID, StartsAt: at.Add(time.Duration(offset) * time.Minute), DurationMinutes: minutes, Title: title, Visibility: VisibleToGuests}
		if err := f.s.CreateItem(ctx, it); err != nil {
			t.Fatal(err)
		}
		return it
	}
	arrival := add("Arrival of guests", 0, 20)
	add("National anthem", 20, 5)
	add("Wreath-laying", 25, 40)
	starts := func() []string {
		items, err := f.s.Programme(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range items {
			out = append(out, it.StartsAt.In(f.loc).Format("15:04")+" "+it.Title)
		}
		return out
	}
	// Arrival takes 10 minutes longer; following items shift.
	arrival.DurationMinutes = 30
	if err := f.s.UpdateItem(ctx, arrival, arrival.Version, true); err != nil {
		t.Fatal(err)
	}
	want := []string{"11:00 Arrival of guests", "11:30 National anthem", "11:35 Wreath-laying"}
	if got := starts(); !equal(got, want) {
		t.Fatalf("after shift: %v, want %v", got, want)
	}
	items, _ := f.s.Programme(ctx, c.ID)
	// Move the anthem up: it now starts at 11:00 and arrival follows.
	if err := f.s.MoveItem(ctx, c.ID, items[1].ID, true); err != nil {
		t.Fatal(err)
	}
	want = []string{"11:00 National anthem", "11:05 Arrival of guests", "11:35 Wreath-laying"}
	if got := starts(); !equal(got, want) {
		t.Fatalf("after move: %v, want %v", got, want)
	}
	if err := f.s.MoveItem(ctx, c.ID, items[1].ID, true); !errors.Is(err, ErrNoNeighbour) {
		t.Fatalf("moving the first item up: %v", err)
	}
	items, _ = f.s.Programme(ctx, c.ID)
	checks := CheckProgramme(items)
	if checks[0].GapAfter != 0 || checks[1].GapAfter != 0 || checks[0].OverlapsNext {
		t.Fatalf("checks: %+v", checks)
	}
	// Without shifting, a longer item overlaps the next.
	items[1].DurationMinutes = 45
	if err := f.s.UpdateItem(ctx, &items[1], items[1].Version, false); err != nil {
		t.Fatal(err)
	}
	items, _ = f.s.Programme(ctx, c.ID)
	if !CheckProgramme(items)[1].OverlapsNext {
		t.Fatal("overlap not flagged")
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

type failingLogistics struct{ called bool }

func (f *failingLogistics) CopyLogistics(context.Context, *gorm.DB, int64, int64, map[int64]int64, func(time.Time) time.Time) error {
	f.called = true
	return errors.New("logistics copy failed")
}

func TestStartNextEdition(t *testing.T) {
	for _, tz := range []string{"Asia/Baku", "Europe/Berlin"} {
		t.Run(tz, func(t *testing.T) {
			f := setup(t, tz)
			ctx := context.Background()
			deadline := time.Date(2026, 2, 16, 0, 0, 0, 0, time.UTC)
			f.ed.RSVPDeadline = &deadline
			if err := f.s.UpdateEdition(ctx, f.ed, f.ed.Version); err != nil {
				t.Fatal(err)
			}
			// Berlin: 26 Feb is winter time; a ceremony on 28 March 2026
			// (summer time begins 29 March) tests the DST edge.
			at := time.Date(2026, 2, 26, 11, 0, 0, 0, f.loc)
			wreath, err := f.ceremony(t, "Wreath-laying", at, 90, f.zones[0])
			if err != nil {
				t.Fatal(err)
			}
			if err := f.s.CreateItem(ctx, &ProgrammeItem{CeremonyID: wreath.ID, StartsAt: at, DurationMinutes: 20, Title: "Arrival", Visibility: VisibleToGuests}); err != nil {
				t.Fatal(err)
			}
			late, err := f.ceremony(t, "Concert", time.Date(2026, 3, 28, 19, 30, 0, 0, f.loc), 120)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.s.SetCeremonyStatus(ctx, f.ed.ID, late.ID, late.Version, CeremonyPublished); err != nil {
				t.Fatal(err)
			}
			cancelled, _ := f.ceremony(t, "Cancelled one", at.Add(5*time.Hour), 30)
			if err := f.s.SetCeremonyStatus(ctx, f.ed.ID, cancelled.ID, cancelled.Version, CeremonyCancelled); err != nil {
				t.Fatal(err)
			}

			// A failure in the logistics copy leaves nothing behind.
			fl := &failingLogistics{}
			if _, err := f.s.StartNextEdition(ctx, f.ed, f.loc, fl); err == nil || !fl.called {
				t.Fatalf("failing copy: %v", err)
			}
			if _, err := f.s.EditionByYear(ctx, f.cm.ID, 2027); !errors.Is(err, ErrNotFound) {
				t.Fatalf("half a copy was kept: %v", err)
			}

			next, err := f.s.StartNextEdition(ctx, f.ed, f.loc, nil)
			if err != nil {
				t.Fatal(err)
			}
			if next.Year != 2027 || next.RSVPDeadline.Format("2006-01-02") != "2027-02-16" || *next.CopiedFromID != f.ed.ID {
				t.Fatalf("next edition: %+v", next)
			}
			cs, err := f.s.Ceremonies(ctx, next.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != 2 {
				t.Fatalf("copied %d ceremonies, want 2 (cancelled ones stay behind)", len(cs))
			}
			got := cs[0].StartsAt.In(f.loc).Format("2006-01-02 15:04")
			if got != "2027-02-26 11:00" || cs[0].Status != CeremonyDraft || len(cs[0].ZoneIDs) != 1 {
				t.Fatalf("wreath-laying copied to %s %s zones %v", got, cs[0].Status, cs[0].ZoneIDs)
			}
			if got := cs[1].StartsAt.In(f.loc).Format("2006-01-02 15:04"); got != "2027-03-28 19:30" {
				t.Fatalf("concert copied to %s, want the same local time", got)
			}
			items, _ := f.s.Programme(ctx, cs[0].ID)
			if len(items) != 1 || items[0].StartsAt.In(f.loc).Format("2006-01-02 15:04") != "2027-02-26 11:00" {
				t.Fatalf("programme copy: %+v", items)
			}
			if _, err := f.s.StartNextEdition(ctx, f.ed, f.loc, nil); !errors.Is(err, ErrEditionExists) {
				t.Fatalf("starting 2027 twice: %v", err)
			}
		})
	}
}

func TestShiftYear(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	cases := []struct{ in, want string }{
		{"2026-02-26 11:00", "2027-02-26 11:00"},
		{"2026-03-28 02:30", "2027-03-28 03:30"}, // 02:30 does not exist on 28 March 2027 in Berlin (DST starts): Go moves it forward
		{"2024-02-29 10:00", "2025-02-28 10:00"},
		{"2026-10-25 12:00", "2027-10-25 12:00"},
	}
	for _, c := range cases {
		in, _ := time.ParseInLocation("2006-01-02 15:04", c.in, berlin)
		if got := ShiftYear(in, 1, berlin).Format("2006-01-02 15:04"); got != c.want {
			t.Errorf("ShiftYear(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}
