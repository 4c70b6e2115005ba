package invitation_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"vigil/internal/invitation"
	"vigil/internal/testdb"
)

// arrivalsByRow is the reference the board's sums (ArrivalTally) are
// checked against: the answers one by one, in SQL, added up by the test.
const arrivalsByRow = `SELECT i.guest_id, ic.zone_id, g.delegation_id, coalesce(d.name, ''), coalesce(d.precedence, 0), g.vip,
		(ic.status = 'accepted' AND i.revoked_at IS NULL) AS expected,
		1 + ic.companions AS seats,
		ic.checked_in_at IS NOT NULL AS checked_in,
		ic.companions_checked_in
	FROM invitation_ceremonies ic JOIN invitations i ON i.id = ic.invitation_id
	JOIN guests g ON g.id = i.guest_id LEFT JOIN delegations d ON d.id = g.delegation_id
	WHERE ic.ceremony_id = $1
	  AND ((ic.status = 'accepted' AND i.revoked_at IS NULL) OR ic.checked_in_at IS NOT NULL)`

// arrivalKey names a group the way the test compares them.
func arrivalKey(zone, delegation *int64) string {
	s := func(p *int64) string {
		if p == nil {
			return "none"
		}
		return fmt.Sprint(*p)
	}
	return "zone " + s(zone) + " delegation " + s(delegation)
}

func TestArrivalTallyMatchesRowByRow(t *testing.T) {
	db, _ := testdb.New(t)
	ctx := context.Background()
	id := func(q string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := db.Pool.QueryRow(ctx, q+" RETURNING id", args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	cm := id("INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('Remembrance', '1992-02-26', 2, 26, 'Asia/Baku')")
	ed := id("INSERT INTO editions (commemoration_id, year) VALUES ($1, 2099)", cm)
	venue := id("INSERT INTO venues (name) VALUES ('Memorial')")
	zone := func(name string) int64 {
		return id("INSERT INTO zones (venue_id, name, capacity, badge_colour) VALUES ($1, $2, 500, '#2f6f4f')", venue, name)
	}
	zVIP, zGuests, zPress := zone("VIP stand"), zone("Guests stand"), zone("Press")
	ceremony := func(title string) int64 {
		return id(`INSERT INTO ceremonies (edition_id, title, venue_id, starts_at, ends_at, status)
			VALUES ($1, $2, $3, '2099-02-26 07:00Z', '2099-02-26 08:30Z', 'published')`, ed, title, venue)
	}
	wreath, reception := ceremony("Wreath-laying"), ceremony("Reception")
	delegation := func(name string, precedence int) int64 {
		return id("INSERT INTO delegations (name, kind, country, precedence) VALUES ($1, 'diplomatic_mission', 'FR', $2)", name, precedence)
	}
	dFrance, dItaly, dGeorgia := delegation("Embassy of France", 2), delegation("Embassy of Italy", 1), delegation("Parliament of Georgia", 3)

	// answer invites a guest of delegation del (nil: none) to the wreath-
	// laying in zone z (nil: none) and sets the answer with sql, a SET
	// clause on invitation_ceremonies.
	n := 0
	answer := func(del *int64, vip bool, z *int64, revoked bool, set string) int64 {
		t.Helper()
		n++
		g := id("INSERT INTO guests (honorific, given_name, family_name, delegation_id, vip) VALUES ('H.E.', $1, 'Guest', $2, $3)",
			fmt.Sprintf("No. %d", n), del, vip)
		inv := id(`INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code, revoked_at)
			VALUES ($1, $2, int8send($2), sha256(int8send($2)), 'CODE' || $2::text, CASE WHEN $3 THEN now() END)`, ed, g, revoked)
		if _, err := db.Pool.Exec(ctx, "INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, zone_id) VALUES ($1, $2, $3)", inv, wreath, z); err != nil {
			t.Fatal(err)
		}
		// The same guest at another ceremony, arrived: not the wreath-
		// laying's.
		if _, err := db.Pool.Exec(ctx, `INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, zone_id, status, companions, checked_in_at, companions_checked_in)
			VALUES ($1, $2, $3, 'accepted', 2, now(), 2)`, inv, reception, z); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Pool.Exec(ctx, "UPDATE invitation_ceremonies SET "+set+" WHERE invitation_id = $1 AND ceremony_id = $2", inv, wreath); err != nil {
			t.Fatal(err)
		}
		return g
	}
	const (
		awaited  = "status = 'accepted', companions = 2"
		partlyIn = "status = 'accepted', companions = 2, checked_in_at = now(), companions_checked_in = 1"
		alone    = "status = 'accepted', checked_in_at = now()"
		oneMore  = "status = 'accepted', companions = 1"
		declined = "status = 'declined', checked_in_at = now()"
		waitIn   = "status = 'waitlisted', companions = 1, checked_in_at = now(), companions_checked_in = 1"
		pending  = "status = 'pending'"
		// Companions who came before the guest did.
		companionsFirst = "status = 'accepted', companions = 2, companions_checked_in = 2"
	)
	vip1 := answer(&dFrance, true, &zVIP, false, awaited)
	answer(&dFrance, false, &zVIP, false, partlyIn)
	answer(&dFrance, false, &zGuests, false, companionsFirst)
	answer(&dItaly, true, &zVIP, false, alone)
	answer(&dItaly, false, nil, false, oneMore)
	answer(nil, false, &zGuests, false, alone)
	vipNoDelegation := answer(nil, true, nil, false, awaited)
	answer(&dFrance, false, &zVIP, false, declined)
	answer(&dItaly, false, &zGuests, true, awaited)
	answer(&dItaly, true, &zGuests, true, alone) // revoked, came anyway
	answer(&dFrance, false, &zVIP, false, pending)
	answer(&dGeorgia, false, &zPress, false, waitIn)
	vipGeorgia := answer(&dGeorgia, true, &zPress, false, oneMore)

	// The reference: the answers one by one, added up as the board did.
	rows, err := db.Pool.Query(ctx, arrivalsByRow, wreath)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]invitation.ArrivalGroup{}
	var wantVIPs []int64
	var total invitation.ArrivalGroup
	for rows.Next() {
		var guest int64
		var r invitation.ArrivalGroup
		var vip, expected, checkedIn bool
		var seats, companionsIn int
		if err := rows.Scan(&guest, &r.ZoneID, &r.DelegationID, &r.Delegation, &r.Precedence, &vip, &expected, &seats, &checkedIn, &companionsIn); err != nil {
			t.Fatal(err)
		}
		g := want[arrivalKey(r.ZoneID, r.DelegationID)]
		g.ZoneID, g.DelegationID, g.Delegation, g.Precedence = r.ZoneID, r.DelegationID, r.Delegation, r.Precedence
		for _, sum := range []*invitation.ArrivalGroup{&g, &total} {
			if expected {
				sum.Guests++
				sum.People += seats
			}
			if checkedIn {
				sum.GuestsIn++
				sum.PeopleIn++
			}
			sum.PeopleIn += companionsIn
		}
		want[arrivalKey(r.ZoneID, r.DelegationID)] = g
		if vip && expected && !checkedIn {
			wantVIPs = append(wantVIPs, guest)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// The reference itself, by hand, so that it cannot drift with the
	// query it checks.
	if total.Guests != 8 || total.People != 18 || total.GuestsIn != 6 || total.PeopleIn != 10 {
		t.Fatalf("reference totals %+v, want 8 guests / 18 people expected, 6 guests / 10 people in", total)
	}
	slices.Sort(wantVIPs)
	if !slices.Equal(wantVIPs, []int64{vip1, vipNoDelegation, vipGeorgia}) {
		t.Fatalf("reference VIPs %v", wantVIPs)
	}

	// Through the pgx pool (as the server runs) and through database/sql.
	for _, s := range []struct {
		name  string
		store *invitation.Store
	}{
		{"pool", invitation.NewStore(db.Gorm, nil, nil, nil).WithPool(db.Pool)},
		{"database/sql", invitation.NewStore(db.Gorm, nil, nil, nil)},
	} {
		t.Run(s.name, func(t *testing.T) {
			rows, err := s.store.ArrivalRows(ctx, wreath)
			if err != nil {
				t.Fatal(err)
			}
			tally := invitation.NewArrivalTally(rows)
			groups, vips := tally.Sums()
			got := map[string]invitation.ArrivalGroup{}
			for _, g := range groups {
				k := arrivalKey(g.ZoneID, g.DelegationID)
				if _, dup := got[k]; dup {
					t.Errorf("%s twice", k)
				}
				got[k] = g
			}
			for k, w := range want {
				g, ok := got[k]
				if !ok {
					t.Errorf("%s missing", k)
					continue
				}
				if g.Delegation != w.Delegation || g.Precedence != w.Precedence || g.Guests != w.Guests ||
					g.People != w.People || g.GuestsIn != w.GuestsIn || g.PeopleIn != w.PeopleIn {
					t.Errorf("%s: %q/%d %d guests %d people expected, %d guests %d people in; want %q/%d %d %d, %d %d", k,
						g.Delegation, g.Precedence, g.Guests, g.People, g.GuestsIn, g.PeopleIn,
						w.Delegation, w.Precedence, w.Guests, w.People, w.GuestsIn, w.PeopleIn)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%d groups, want %d", len(got), len(want))
			}
			var ids []int64
			for _, v := range vips {
				ids = append(ids, v.GuestID)
				if v.GuestID == vip1 && (v.ZoneID == nil || *v.ZoneID != zVIP || v.DelegationID == nil || *v.DelegationID != dFrance) {
					t.Errorf("VIP of France: %+v", v)
				}
				if v.GuestID == vipNoDelegation && (v.ZoneID != nil || v.DelegationID != nil) {
					t.Errorf("VIP without delegation or zone: %+v", v)
				}
			}
			slices.Sort(ids)
			if !slices.Equal(ids, wantVIPs) {
				t.Errorf("VIPs awaited %v, want %v", ids, wantVIPs)
			}

			// Told of a check-in, the tally counts it as the database
			// would: the French VIP in, once, however often told.
			var vip1Invitation int64
			for _, r := range rows {
				if r.GuestID == vip1 {
					vip1Invitation = r.InvitationID
				}
			}
			for range 2 {
				if !tally.CheckIn([]int64{vip1Invitation}) {
					t.Fatal("the tally does not know the VIP's answer")
				}
			}
			groups, vips = tally.Sums()
			k := arrivalKey(&zVIP, &dFrance)
			for _, g := range groups {
				if arrivalKey(g.ZoneID, g.DelegationID) == k && (g.GuestsIn != want[k].GuestsIn+1 || g.PeopleIn != want[k].PeopleIn+1 || g.Guests != want[k].Guests) {
					t.Errorf("after the check-in, %s: %+v, want one more guest in than %+v", k, g, want[k])
				}
			}
			for _, v := range vips {
				if v.GuestID == vip1 {
					t.Error("the VIP checked in is still awaited")
				}
			}
			if len(vips) != len(wantVIPs)-1 {
				t.Errorf("%d VIPs awaited after the check-in, want %d", len(vips), len(wantVIPs)-1)
			}
			// An answer made after the tally was read: it must be read
			// again.
			if tally.CheckIn([]int64{vip1Invitation, 1 << 40}) {
				t.Error("a check-in of an answer the tally never read was taken as counted")
			}
		})
	}
}
