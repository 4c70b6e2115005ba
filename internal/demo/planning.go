package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"vigil/internal/auth"
	"vigil/internal/ceremony"
	"vigil/internal/venue"
)

// seedPlanning adds a complete, plausible edition: venues with zones and
// gates, three ceremonies with the wreath-laying's run-of-show, and their
// resources, transport and tasks. It does nothing when the commemoration
// already has an edition.
func seedPlanning(ctx context.Context, users *auth.Store, cs *ceremony.Store, vs *venue.Store, cm *ceremony.Commemoration, now time.Time) error {
	eds, err := cs.Editions(ctx, cm.ID)
	if err != nil || len(eds) > 0 {
		return err
	}
	loc, err := cm.Location()
	if err != nil {
		return err
	}
	next, _ := cm.NextCeremonyDate(now, loc)
	year := next.Year()

	type zoneSpec struct {
		name, kind, colour string
		capacity           int
	}
	existing, err := vs.List(ctx)
	if err != nil {
		return err
	}
	mkVenue := func(in venue.VenueInput, zones []zoneSpec, gates ...string) (*venue.Venue, []int64, error) {
		// A seed interrupted after the venues reuses them.
		for _, v := range existing {
			if v.Name == in.Name {
				zs, err := vs.Zones(ctx, v.ID)
				ids := make([]int64, len(zs))
				for i, z := range zs {
					ids[i] = z.ID
				}
				return &v, ids, err
			}
		}
		v, err := vs.CreateVenue(ctx, in)
		if err != nil {
			return nil, nil, err
		}
		var ids []int64
		for _, z := range zones {
			zone, err := vs.CreateZone(ctx, v.ID, venue.ZoneInput{Name: z.name, Kind: z.kind, Capacity: z.capacity, BadgeColour: z.colour})
			if err != nil {
				return nil, nil, err
			}
			ids = append(ids, zone.ID)
		}
		for _, g := range gates {
			if _, err := vs.CreateGate(ctx, v.ID, venue.GateInput{Name: g}); err != nil {
				return nil, nil, err
			}
		}
		return v, ids, nil
	}
	f := func(x float64) *float64 { return &x }
	n := func(x int) *int { return &x }

	memorial, memorialZones, err := mkVenue(venue.VenueInput{
		Name: "Memorial, Khatai district", Address: "Khatai district, Baku", Latitude: f(40.3925), Longitude: f(49.9536),
		Capacity: n(520), AccessibilityNotes: "Step-free route from the main gate to every stand; wheelchair places in the guests' area.",
		ParkingNotes: "Official cars drop off at the main gate and park in the reserved area on the east side.",
		ContactName:  "Site manager", ContactPhone: "+994 12 000 00 01",
	}, []zoneSpec{
		{"Official stand", "official", "#7a1f2b", 40},
		{"Diplomatic corps", "diplomatic", "#1f3a5f", 150},
		{"Guests", "guests", "#3f6e4a", 300},
		{"Press", "press", "#8a6d1d", 30},
	}, "Main gate", "North gate", "Service entrance")
	if err != nil {
		return err
	}
	hall, hallZones, err := mkVenue(venue.VenueInput{
		Name: "Memorial hall", Address: "Khatai district, Baku", Latitude: f(40.3911), Longitude: f(49.9489), Capacity: n(220),
		AccessibilityNotes: "Lift to the gallery.", ContactName: "Hall administrator", ContactPhone: "+994 12 000 00 02",
	}, []zoneSpec{{"Hall", "guests", "#3f6e4a", 200}, {"Press gallery", "press", "#8a6d1d", 20}}, "Main entrance")
	if err != nil {
		return err
	}
	reception, receptionZones, err := mkVenue(venue.VenueInput{
		Name: "Reception hall, city centre", Address: "Nizami district, Baku", Latitude: f(40.3777), Longitude: f(49.8532), Capacity: n(250),
		ParkingNotes: "Underground car park, entrance from the side street.", ContactName: "Events office", ContactPhone: "+994 12 000 00 03",
	}, []zoneSpec{{"Main hall", "guests", "#1f3a5f", 250}}, "Entrance")
	if err != nil {
		return err
	}

	deadline := time.Date(year, time.February, 16, 0, 0, 0, 0, time.UTC)
	ed := &ceremony.Edition{CommemorationID: cm.ID, Year: year, ReminderDays: 7, RSVPDeadline: &deadline}
	if err := cs.CreateEdition(ctx, ed); err != nil {
		if errors.Is(err, ceremony.ErrEditionExists) {
			return nil
		}
		return err
	}
	day := cm.CeremonyDate(year, loc)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }

	wreath := &ceremony.Ceremony{EditionID: ed.ID, Title: "Wreath-laying at the memorial",
		TitleAZ: "Memorialda əklilqoyma mərasimi", TitleRU: "Возложение венков к мемориалу", Kind: "wreath_laying", VenueID: &memorial.ID,
		StartsAt: at(11, 0), EndsAt: at(12, 30), ZoneIDs: memorialZones, DressCode: "Dark suit; uniform for military attachés",
		NotesGuests: "Please arrive by 10:50. Wreaths are placed in the order of precedence announced by the protocol officers.",
		NotesStaff:  "Gates open at 10:15. Keep the route from the main gate to the official stand clear.", CompanionsDefault: 1}
	service := &ceremony.Ceremony{EditionID: ed.ID, Title: "Memorial service", TitleAZ: "Anım mərasimi", TitleRU: "Траурная церемония", Kind: "memorial_service", VenueID: &hall.ID,
		StartsAt: at(14, 0), EndsAt: at(15, 0), ZoneIDs: hallZones, DressCode: "Dark suit"}
	recep := &ceremony.Ceremony{EditionID: ed.ID, Title: "Reception", TitleAZ: "Rəsmi qəbul", TitleRU: "Официальный приём", Kind: "reception", VenueID: &reception.ID,
		StartsAt: at(18, 0), EndsAt: at(20, 0), ZoneIDs: receptionZones, DressCode: "Dark suit", CompanionsDefault: 1}
	for _, c := range []*ceremony.Ceremony{wreath, service, recep} {
		if err := cs.CreateCeremony(ctx, c); err != nil {
			return fmt.Errorf("demo: ceremony %s: %w", c.Title, err)
		}
	}
	if err := cs.SetCeremonyStatus(ctx, ed.ID, wreath.ID, wreath.Version, ceremony.CeremonyPublished); err != nil {
		return err
	}

	zone := func(i int) *int64 { return &memorialZones[i] }
	items := []ceremony.ProgrammeItem{
		{StartsAt: at(10, 0), DurationMinutes: 45, Title: "Security check of the site", Responsible: "Security service", Visibility: ceremony.VisibleToStaff},
		{StartsAt: at(10, 45), DurationMinutes: 15, Title: "Staff briefing at the main gate", Responsible: "Protocol office", Visibility: ceremony.VisibleToStaff},
		{StartsAt: at(11, 0), DurationMinutes: 20, Title: "Arrival of guests", Responsible: "Protocol office", ZoneID: zone(2), Visibility: ceremony.VisibleToGuests},
		{StartsAt: at(11, 20), DurationMinutes: 10, Title: "Arrival of the head of state", Responsible: "State protocol", ZoneID: zone(0), Visibility: ceremony.VisibleToGuests},
		{StartsAt: at(11, 30), DurationMinutes: 5, Title: "National anthem", Responsible: "Military band", Visibility: ceremony.VisibleToGuests},
		{StartsAt: at(11, 35), DurationMinutes: 40, Title: "Wreath-laying by delegations", Responsible: "Protocol office", Visibility: ceremony.VisibleToGuests,
			Notes: "Delegations are called in the order of precedence."},
		{StartsAt: at(12, 15), DurationMinutes: 5, Title: "Minute of silence", Responsible: "Master of ceremonies", Visibility: ceremony.VisibleToGuests},
		{StartsAt: at(12, 20), DurationMinutes: 10, Title: "Departure", Responsible: "Protocol office", Visibility: ceremony.VisibleToGuests},
	}
	for _, it := range items {
		it.CeremonyID = wreath.ID
		if err := cs.CreateItem(ctx, &it); err != nil {
			return err
		}
	}

	for _, r := range []venue.ResourceInput{
		{Item: "Wreath stands", Quantity: 60, Supplier: "City florist", Status: "ordered"},
		{Item: "Wreaths for delegations without their own", Quantity: 12, Supplier: "City florist", Status: "needed"},
		{Item: "Chairs for the guests' area", Quantity: 300, Supplier: "Event rentals", Status: "needed"},
		{Item: "Sound system and microphones", Quantity: 1, Supplier: "Audio services", Status: "delivered"},
		{Item: "Interpreters (English, Russian, French)", Quantity: 3, Supplier: "Interpreting agency", Status: "ordered"},
	} {
		if _, err := vs.CreateResource(ctx, wreath.ID, r); err != nil {
			return err
		}
	}
	pickup := at(10, 15)
	for _, tr := range []venue.TransportInput{
		{Vehicle: "Minibus 1 (10-AA-101)", DriverName: "Elvin Hasanov", DriverPhone: "+994 50 000 00 11", PickupPoint: "Hotel district, main square", PickupAt: &pickup, Carries: "Diplomatic corps, group A", Seats: n(18)},
		{Vehicle: "Minibus 2 (10-AA-102)", DriverName: "Orkhan Mammadli", DriverPhone: "+994 50 000 00 12", PickupPoint: "Hotel district, main square", PickupAt: &pickup, Carries: "Diplomatic corps, group B", Seats: n(18)},
		{Vehicle: "Press bus (10-AB-201)", DriverName: "Rauf Ismayilov", DriverPhone: "+994 50 000 00 13", PickupPoint: "Press centre", PickupAt: &pickup, Carries: "Accredited press", Seats: n(30)},
	} {
		if _, err := vs.CreateTransport(ctx, wreath.ID, tr); err != nil {
			return err
		}
	}

	staff, err := users.ByEmail(ctx, "staff@vigil.local")
	var staffID *int64
	if err == nil {
		staffID = &staff.ID
	}
	due := func(days int) *time.Time {
		d := now.In(loc).AddDate(0, 0, days)
		t := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
		return &t
	}
	for _, tk := range []venue.TaskInput{
		{Title: "Confirm the wreath order with the florist", CeremonyID: &wreath.ID, AssigneeID: staffID, DueOn: due(-2)},
		{Title: "Send the seating plan of the official stand for approval", CeremonyID: &wreath.ID, DueOn: due(10)},
		{Title: "Brief gate staff on the check-in procedure", CeremonyID: &wreath.ID, AssigneeID: staffID, DueOn: due(20)},
		{Title: "Book interpreters for the memorial service", CeremonyID: &service.ID, DueOn: due(14)},
		{Title: "Agree the reception menu, with vegetarian and halal options", CeremonyID: &recep.ID, DueOn: due(30)},
		{Title: "Print the attendee lists and badges", AssigneeID: staffID, DueOn: due(60)},
	} {
		if tk.Status == "" {
			tk.Status = "open"
		}
		if _, err := vs.CreateTask(ctx, ed.ID, tk); err != nil {
			return err
		}
	}
	return nil
}
