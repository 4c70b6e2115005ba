package delegation

import (
	"context"
	"errors"
	"slices"
	"testing"

	"gorm.io/gorm"

	"vigil/internal/testdb"
)

// directory is a store over a fresh database.
func directory(t *testing.T) (*Store, *gorm.DB) {
	t.Helper()
	db, _ := testdb.New(t)
	return NewStore(db.Gorm), db.Gorm
}

func mustDelegation(t *testing.T, s *Store, in DelegationInput) *Delegation {
	t.Helper()
	d, err := s.CreateDelegation(context.Background(), in)
	if err != nil {
		t.Fatalf("create delegation %q: %v", in.Name, err)
	}
	return d
}

func mustGuest(t *testing.T, s *Store, in GuestInput) *Guest {
	t.Helper()
	g, err := s.CreateGuest(context.Background(), in)
	if err != nil {
		t.Fatalf("create guest %q: %v", in.FamilyName, err)
	}
	return g
}

func positions(t *testing.T, s *Store) []string {
	t.Helper()
	ds, err := s.AllDelegations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for i, d := range ds {
		if d.Precedence != i+1 {
			t.Errorf("%s has position %d at index %d", d.Name, d.Precedence, i)
		}
		names = append(names, d.Name)
	}
	return names
}

func TestPrecedenceIsWrittenOnEveryChange(t *testing.T) {
	s, _ := directory(t)
	ctx := context.Background()
	mustDelegation(t, s, DelegationInput{Name: "Press Agency", Kind: KindPress})
	late := mustDelegation(t, s, DelegationInput{Name: "Embassy of Austria", Kind: KindDiplomaticMission, Country: "AT", CredentialsPresentedOn: day("2023-05-01")})
	mustDelegation(t, s, DelegationInput{Name: "Embassy of Zambia", Kind: KindDiplomaticMission, Country: "ZM", CredentialsPresentedOn: day("2017-09-12")})
	mustDelegation(t, s, DelegationInput{Name: "Office of the President", Kind: KindHeadOfState})
	want := []string{"Office of the President", "Embassy of Zambia", "Embassy of Austria", "Press Agency"}
	if got := positions(t, s); !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	// An earlier credentials date moves Austria ahead of Zambia.
	in := DelegationInput{Name: late.Name, Kind: KindDiplomaticMission, Country: "AT", CredentialsPresentedOn: day("2016-01-20")}
	if _, err := s.UpdateDelegation(ctx, late.ID, late.Version, in); err != nil {
		t.Fatal(err)
	}
	want = []string{"Office of the President", "Embassy of Austria", "Embassy of Zambia", "Press Agency"}
	if got := positions(t, s); !slices.Equal(got, want) {
		t.Fatalf("after update: order %v, want %v", got, want)
	}
	// The credentials date only counts for missions: it is dropped when the
	// kind changes.
	saved, err := s.UpdateDelegation(ctx, late.ID, -1, DelegationInput{Name: late.Name, Kind: KindOther, CredentialsPresentedOn: day("2016-01-20")})
	if err != nil {
		t.Fatal(err)
	}
	if saved.CredentialsPresentedOn != nil {
		t.Errorf("a delegation of kind other kept a credentials date")
	}
	if got := positions(t, s); got[len(got)-1] != late.Name {
		t.Errorf("kind other should come last: %v", got)
	}
	// A stale version is refused and changes nothing.
	if _, err := s.UpdateDelegation(ctx, late.ID, late.Version, in); !errors.Is(err, ErrStale) {
		t.Errorf("stale update: %v, want ErrStale", err)
	}
	if _, err := s.CreateDelegation(ctx, DelegationInput{Name: "press agency", Kind: KindPress}); !errors.Is(err, ErrNameTaken) {
		t.Errorf("same name in another case: %v, want ErrNameTaken", err)
	}
}

func TestSearchFoldsAzerbaijaniLetters(t *testing.T) {
	s, _ := directory(t)
	ctx := context.Background()
	emb := mustDelegation(t, s, DelegationInput{Name: "Embassy of Türkiye", Kind: KindDiplomaticMission, Country: "TR"})
	gov := mustDelegation(t, s, DelegationInput{Name: "Cabinet of Ministers", Kind: KindGovernment, Country: "AZ"})
	ids := map[string]int64{}
	for _, g := range []GuestInput{
		{GivenName: "Rəşad", FamilyName: "Əliyev", DelegationID: &gov.ID, Language: "az", VIP: true},
		{GivenName: "Mehmet", FamilyName: "Şahin", DelegationID: &emb.ID, Email: "m.sahin@example.org", Language: "en"},
		{GivenName: "Leyla", FamilyName: "İsmayılova", DelegationID: &gov.ID, Language: "ru"},
		{GivenName: "Сергей", FamilyName: "Иванов", Language: "ru"},
		{GivenName: "Aysel", FamilyName: "Çələbi", DelegationID: &gov.ID, Language: "az"},
		{GivenName: "Kamran", FamilyName: "Cavadov", DelegationID: &gov.ID, Language: "az"},
		{GivenName: "Orxan", FamilyName: "Dadaşov", DelegationID: &gov.ID, Language: "az"},
	} {
		ids[g.FamilyName] = mustGuest(t, s, g).ID
	}
	find := func(q GuestQuery) []string {
		t.Helper()
		rows, total, err := s.SearchGuests(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if total < len(rows) {
			t.Errorf("total %d < %d rows", total, len(rows))
		}
		var out []string
		for _, r := range rows {
			out = append(out, r.FamilyName)
		}
		return out
	}
	for typed, want := range map[string]string{
		"aliyev": "Əliyev", "ƏLİYEV": "Əliyev", "sahin": "Şahin", "ismayil": "İsmayılova", "ISMAYIL": "İsmayılova",
		"ivanov": "Иванов", "иванов": "Иванов", "m.sahin@": "Şahin", "resad aliyev": "Əliyev", "celebi": "Çələbi",
	} {
		if got := find(GuestQuery{Text: typed}); !slices.Equal(got, []string{want}) {
			t.Errorf("search %q found %v, want [%s]", typed, got, want)
		}
	}
	// The delegation's name is searched too, and follows a rename.
	if got := find(GuestQuery{Text: "turkiye"}); !slices.Equal(got, []string{"Şahin"}) {
		t.Errorf("search by delegation: %v", got)
	}
	if _, err := s.UpdateDelegation(ctx, emb.ID, -1, DelegationInput{Name: "Embassy of the Republic of Türkiye", Kind: KindDiplomaticMission, Country: "TR"}); err != nil {
		t.Fatal(err)
	}
	if got := find(GuestQuery{Text: "republic"}); !slices.Equal(got, []string{"Şahin"}) {
		t.Errorf("search after rename: %v", got)
	}
	// Wildcards are literal.
	if got := find(GuestQuery{Text: "%"}); len(got) != 0 {
		t.Errorf("%% matched %v", got)
	}
	// Filters.
	if got := find(GuestQuery{VIPOnly: true}); !slices.Equal(got, []string{"Əliyev"}) {
		t.Errorf("VIP filter: %v", got)
	}
	if rows, _, _ := s.SearchGuests(ctx, GuestQuery{Text: "aliyev"}); len(rows) != 1 || !rows[0].VIP || rows[0].DelegationName != gov.Name {
		t.Errorf("a VIP's row: %+v", rows)
	}
	if got := find(GuestQuery{Kind: KindDiplomaticMission}); !slices.Equal(got, []string{"Şahin"}) {
		t.Errorf("kind filter: %v", got)
	}
	if got := find(GuestQuery{Language: "ru"}); len(got) != 2 {
		t.Errorf("language filter: %v", got)
	}
	// Azerbaijani collation: C, Ç, D; Russian: Cyrillic before Latin.
	byName := find(GuestQuery{DelegationID: gov.ID, Sort: SortName, Locale: "az"})
	if want := []string{"Cavadov", "Çələbi", "Dadaşov", "Əliyev", "İsmayılova"}; !slices.Equal(byName, want) {
		t.Errorf("az collation: %v, want %v", byName, want)
	}
	if got := find(GuestQuery{Sort: SortName, Locale: "ru"}); got[0] != "Иванов" {
		t.Errorf("ru collation starts with %v", got)
	}
	// Precedence: government before the embassy, VIP first within a
	// delegation, guests without a delegation last.
	prec := find(GuestQuery{Sort: SortPrecedence, Locale: "en"})
	if prec[0] != "Əliyev" || prec[len(prec)-2] != "Şahin" || prec[len(prec)-1] != "Иванов" {
		t.Errorf("precedence order: %v", prec)
	}
	// Pagination.
	rows, total, err := s.SearchGuests(ctx, GuestQuery{Offset: 5, Limit: 5})
	if err != nil || total != 7 || len(rows) != 2 {
		t.Errorf("page 2: %d rows of %d, %v", len(rows), total, err)
	}
}

func TestGuestRules(t *testing.T) {
	s, db := directory(t)
	ctx := context.Background()
	d := mustDelegation(t, s, DelegationInput{Name: "National Assembly", Kind: KindParliament})
	g := mustGuest(t, s, GuestInput{GivenName: "Anar", FamilyName: "Quliyev", Email: "Anar@Example.org", DelegationID: &d.ID})
	if g.Email != "anar@example.org" {
		t.Errorf("e-mail kept as %q", g.Email)
	}
	if _, err := s.CreateGuest(ctx, GuestInput{FamilyName: "Other", Email: "ANAR@example.org"}); !errors.Is(err, ErrEmailTaken) {
		t.Errorf("same e-mail: %v, want ErrEmailTaken", err)
	}
	if _, err := s.DeleteDelegation(ctx, d.ID); !errors.Is(err, ErrInUse) {
		t.Errorf("delete a delegation with guests: %v, want ErrInUse", err)
	}
	var n int64
	db.Model(&Delegation{}).Count(&n)
	if n != 1 {
		t.Errorf("%d delegations after a refused delete", n)
	}
	missing := int64(999999)
	if _, err := s.CreateGuest(ctx, GuestInput{FamilyName: "Nobody", DelegationID: &missing}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown delegation: %v", err)
	}
	// Saving the same values twice changes nothing twice.
	in := GuestInput{GivenName: "Anar", FamilyName: "Quliyev", Email: "anar@example.org", DelegationID: &d.ID, Language: "en"}
	a, err := s.UpdateGuest(ctx, g.ID, g.Version, in)
	if err != nil {
		t.Fatal(err)
	}
	if a.Version != g.Version {
		t.Errorf("an unchanged save bumped the version to %d", a.Version)
	}
}

func TestDuplicatesAndMerge(t *testing.T) {
	s, db := directory(t)
	ctx := context.Background()
	d := mustDelegation(t, s, DelegationInput{Name: "Embassy of Georgia", Kind: KindDiplomaticMission, Country: "GE"})
	other := mustDelegation(t, s, DelegationInput{Name: "Press Club", Kind: KindPress})
	keep := mustGuest(t, s, GuestInput{Honorific: "Ms.", GivenName: "Leyla", FamilyName: "Məmmədova", DelegationID: &d.ID, Phone: "+995 32 200 00 00"})
	drop := mustGuest(t, s, GuestInput{GivenName: "Leila", FamilyName: "Mammadova", DelegationID: &d.ID, Email: "leila@example.org", DietaryNeeds: "Vegetarian"})
	// Same family name, other delegation, different given name: not offered.
	mustGuest(t, s, GuestInput{GivenName: "Nigar", FamilyName: "Mammadova", DelegationID: &other.ID})
	// Same name anywhere is offered.
	twinA := mustGuest(t, s, GuestInput{GivenName: "John", FamilyName: "Smith", DelegationID: &d.ID})
	twinB := mustGuest(t, s, GuestInput{GivenName: "John", FamilyName: "Smith", DelegationID: &other.ID})

	pairs, err := s.Duplicates(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	has := func(pairs []DuplicatePair, a, b int64) bool {
		for _, p := range pairs {
			if p.A.ID == a && p.B.ID == b || p.A.ID == b && p.B.ID == a {
				return true
			}
		}
		return false
	}
	if len(pairs) != 2 || !has(pairs, keep.ID, drop.ID) || !has(pairs, twinA.ID, twinB.ID) {
		t.Fatalf("duplicates %+v", pairs)
	}
	if err := s.MarkDistinct(ctx, twinB.ID, twinA.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDistinct(ctx, twinA.ID, twinB.ID); err != nil {
		t.Fatalf("marking twice: %v", err)
	}
	if pairs, _ = s.Duplicates(ctx, 10); len(pairs) != 1 || has(pairs, twinA.ID, twinB.ID) {
		t.Fatalf("after marking distinct: %+v", pairs)
	}

	// drop heads the delegation in an edition; the merge moves that.
	var cm, ed int64
	db.Raw(`INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone) VALUES ('R', '1992-02-26', 2, 26, 'Asia/Baku') RETURNING id`).Scan(&cm)
	db.Raw(`INSERT INTO editions (commemoration_id, year) VALUES (?, 2026) RETURNING id`, cm).Scan(&ed)
	if err := db.Exec(`INSERT INTO participations (edition_id, delegation_id, head_guest_id) VALUES (?, ?, ?)`, ed, d.ID, drop.ID).Error; err != nil {
		t.Fatal(err)
	}
	merged, err := s.MergeGuests(ctx, keep.ID, drop.ID, MergeFields{"email": true, "dietary_needs": true})
	if err != nil {
		t.Fatal(err)
	}
	if merged.Email != "leila@example.org" || merged.DietaryNeeds != "Vegetarian" || merged.GivenName != "Leyla" || merged.Phone == "" {
		t.Errorf("merged guest %+v", merged)
	}
	var head int64
	db.Raw(`SELECT head_guest_id FROM participations WHERE edition_id = ?`, ed).Scan(&head)
	if head != keep.ID {
		t.Errorf("participation head %d, want %d", head, keep.ID)
	}
	if _, err := s.Guest(ctx, drop.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("merged-away guest still there: %v", err)
	}
	var audits int64
	db.Raw(`SELECT count(*) FROM audit_entries WHERE entity_type = 'guest' AND action = 'merge'`).Scan(&audits)
	if audits != 2 {
		t.Errorf("%d merge audit entries, want 2", audits)
	}
	// A second click finds nothing to merge and changes nothing.
	if _, err := s.MergeGuests(ctx, keep.ID, drop.ID, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("merging again: %v", err)
	}
	if got, _ := s.Guest(ctx, keep.ID); got.Version != merged.Version {
		t.Errorf("a second merge changed the kept guest")
	}
}

// A mover that fails rolls the whole merge back.
type failingMover struct{}

func (failingMover) MoveGuest(context.Context, *gorm.DB, int64, int64) error {
	return errors.New("invitations unavailable")
}

func TestMergeIsAllOrNothing(t *testing.T) {
	s, _ := directory(t)
	ctx := context.Background()
	a := mustGuest(t, s, GuestInput{GivenName: "Aliyə", FamilyName: "Həsənova"})
	b := mustGuest(t, s, GuestInput{GivenName: "Aliya", FamilyName: "Hasanova", Email: "a@example.org"})
	if _, err := s.MergeGuests(ctx, a.ID, b.ID, MergeFields{"email": true}, failingMover{}); err == nil {
		t.Fatal("merge with a failing mover succeeded")
	}
	if _, err := s.Guest(ctx, b.ID); err != nil {
		t.Errorf("the guest to merge away is gone after a failed merge: %v", err)
	}
	if got, _ := s.Guest(ctx, a.ID); got.Email != "" || got.Version != a.Version {
		t.Errorf("the kept guest changed after a failed merge: %+v", got)
	}
}
