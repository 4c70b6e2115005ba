package delegation_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"vigil/internal/auth"
	"vigil/internal/ceremony"
	"vigil/internal/delegation"
	"vigil/internal/testdb"
	"vigil/internal/testserver"
)

// world is a commemoration with the editions of 2025 and 2026 and a
// directory of delegations of several kinds, created through the stores
// (so the order of precedence is computed as in the application).
type world struct {
	db        *gorm.DB
	s         *delegation.Store
	ed        map[int]int64 // edition id by year
	del       map[string]int64
	guest     map[string]int64
	gate      int64
	commemora string
}

func day(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func newWorld(t *testing.T, db *gorm.DB) *world {
	t.Helper()
	ctx := context.Background()
	cs := ceremony.NewStore(db)
	cm := &ceremony.Commemoration{Name: "Day of Remembrance", CommemoratedOn: time.Date(1992, 2, 26, 0, 0, 0, 0, time.UTC),
		CeremonyMonth: 2, CeremonyDay: 26, TimeZone: "Asia/Baku", DefaultLocale: "en"}
	if err := cs.CreateCommemoration(ctx, cm); err != nil {
		t.Fatal(err)
	}
	w := &world{db: db, s: delegation.NewStore(db), ed: map[int]int64{}, del: map[string]int64{}, guest: map[string]int64{}, commemora: cm.Name}
	for _, y := range []int{2025, 2026} {
		e := &ceremony.Edition{CommemorationID: cm.ID, Year: y, ReminderDays: 7}
		if err := cs.CreateEdition(ctx, e); err != nil {
			t.Fatal(err)
		}
		w.ed[y] = e.ID
	}
	// Created out of order on purpose: the lists must not follow ids.
	for _, d := range []delegation.DelegationInput{
		{Name: "Embassy of Norway", Kind: delegation.KindDiplomaticMission, Country: "NO", CredentialsPresentedOn: day(2021, 9, 14)},
		{Name: "United Nations Office", Kind: delegation.KindInternationalOrganisation},
		{Name: "Embassy of Japan", Kind: delegation.KindDiplomaticMission, Country: "JP", CredentialsPresentedOn: day(2016, 3, 2)},
		{Name: "Cabinet of Ministers", Kind: delegation.KindGovernment, Country: "AZ"},
		{Name: "Office of the President", Kind: delegation.KindHeadOfState, Country: "AZ"},
		{Name: "Embassy of France", Kind: delegation.KindDiplomaticMission, Country: "FR", CredentialsPresentedOn: day(2019, 1, 20)},
	} {
		created, err := w.s.CreateDelegation(ctx, d)
		if err != nil {
			t.Fatalf("create %s: %v", d.Name, err)
		}
		w.del[d.Name] = created.ID
	}
	for _, g := range []struct{ key, delegation, honorific, given, family string }{
		{"president", "Office of the President", "H.E.", "Leyla", "Məmmədova"},
		{"minister", "Cabinet of Ministers", "H.E.", "Rauf", "Əliyev"},
		{"japan", "Embassy of Japan", "H.E.", "Kenji", "Sato"},
		{"france", "Embassy of France", "", "Claire", "Durand"},
		{"norway", "Embassy of Norway", "H.E.", "Ola", "Nordmann"},
	} {
		id := w.del[g.delegation]
		created, err := w.s.CreateGuest(ctx, delegation.GuestInput{Honorific: g.honorific, GivenName: g.given, FamilyName: g.family, DelegationID: &id})
		if err != nil {
			t.Fatalf("create guest %s: %v", g.key, err)
		}
		w.guest[g.key] = created.ID
	}
	var venue int64
	if err := db.Raw("INSERT INTO venues (name) VALUES ('Memorial') RETURNING id").Scan(&venue).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Raw("INSERT INTO gates (venue_id, name) VALUES (?, 'Gate 2') RETURNING id", venue).Scan(&w.gate).Error; err != nil {
		t.Fatal(err)
	}
	return w
}

// precedence is the protocol order of the world's delegations.
var precedence = []string{
	"Office of the President", "Cabinet of Ministers",
	"Embassy of Japan", "Embassy of France", "Embassy of Norway", // by credentials
	"United Nations Office",
}

func (w *world) ids(names ...string) []int64 {
	out := make([]int64, len(names))
	for i, n := range names {
		out[i] = w.del[n]
	}
	return out
}

func (w *world) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := w.db.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%q: %v", query, err)
	}
	return n
}

// participation returns the participation of delegation name in year.
func (w *world) participation(t *testing.T, year int, name string) delegation.ParticipationRow {
	t.Helper()
	rows, err := w.s.Participations(context.Background(), w.ed[year], delegation.ParticipationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.DelegationName == name {
			return r
		}
	}
	t.Fatalf("%s is not in %d", name, year)
	return delegation.ParticipationRow{}
}

func ptr[T any](v T) *T { return &v }

func names(rows []delegation.ParticipationRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.DelegationName)
	}
	return out
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, " | ") != strings.Join(want, " | ") {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

// input is the form of a saved participation, to change one field of.
func input(p delegation.Participation) delegation.ParticipationInput {
	return delegation.ParticipationInput{
		Status: p.Status, HeadGuestID: p.HeadGuestID, LiaisonName: p.LiaisonName, LiaisonPhone: p.LiaisonPhone,
		Wreath: p.Wreath, RibbonText: p.RibbonText, ArrivalVehicle: p.ArrivalVehicle, ArrivalPlate: p.ArrivalPlate,
		ArrivalAt: p.ArrivalAt, ArrivalGateID: p.ArrivalGateID, Notes: p.Notes,
	}
}

func TestInviteListsAndWreathOrderFollowPrecedence(t *testing.T) {
	db, _ := testdb.New(t)
	w := newWorld(t, db.Gorm)
	ctx := context.Background()
	ed := w.ed[2026]

	// Invited in reverse, with a duplicate: listed in protocol order.
	ids := w.ids(precedence...)
	for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
		ids[i], ids[j] = ids[j], ids[i]
	}
	n, err := w.s.Invite(ctx, ed, append(ids, ids[0]))
	if err != nil || n != len(precedence) {
		t.Fatalf("invite: %d, %v", n, err)
	}
	if n, err := w.s.Invite(ctx, ed, w.ids("Embassy of Japan")); err != nil || n != 0 {
		t.Fatalf("inviting again added %d (%v)", n, err)
	}
	if _, err := w.s.Invite(ctx, ed, []int64{w.del["Embassy of Japan"], 999999}); !errors.Is(err, delegation.ErrNotFound) {
		t.Fatalf("unknown delegation: %v", err)
	}
	if got := w.count(t, "SELECT count(*) FROM audit_entries WHERE entity_type = 'participation' AND action = 'create'"); got != len(precedence) {
		t.Errorf("%d audit entries for %d invitations", got, len(precedence))
	}
	rows, err := w.s.Participations(ctx, ed, delegation.ParticipationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "edition list", names(rows), precedence)
	for _, r := range rows {
		if r.Status != delegation.StatusInvited || r.Version != 1 || r.EditionID != ed {
			t.Errorf("%s invited as %+v", r.DelegationName, r.Participation)
		}
	}
	rows, _ = w.s.Participations(ctx, ed, delegation.ParticipationFilter{Kind: delegation.KindDiplomaticMission})
	equal(t, "embassies", names(rows), precedence[2:5])
	rows, _ = w.s.Participations(ctx, w.ed[2025], delegation.ParticipationFilter{})
	if len(rows) != 0 {
		t.Errorf("2025 has %d delegations invited to 2026", len(rows))
	}

	// Wreaths: heads, one without a head, one declined.
	set := func(name string, change func(*delegation.ParticipationInput)) {
		t.Helper()
		p := w.participation(t, 2026, name)
		in := input(p.Participation)
		change(&in)
		if _, err := w.s.UpdateParticipation(ctx, ed, p.ID, p.Version, in); err != nil {
			t.Fatalf("update %s: %v", name, err)
		}
	}
	wreath := func(ribbon string, head int64) func(*delegation.ParticipationInput) {
		return func(in *delegation.ParticipationInput) {
			in.Wreath, in.RibbonText, in.Status = true, ribbon, delegation.StatusConfirmed
			if head != 0 {
				in.HeadGuestID = &head
			}
		}
	}
	set("United Nations Office", wreath("From the United Nations", 0))
	set("Embassy of Norway", wreath("From the people of Norway", w.guest["norway"]))
	set("Embassy of Japan", wreath("From the Embassy of Japan", w.guest["japan"]))
	set("Office of the President", wreath("From the President", w.guest["president"]))
	set("Embassy of France", func(in *delegation.ParticipationInput) {
		wreath("From France", w.guest["france"])(in)
		in.Status = delegation.StatusDeclined
	})
	order, err := w.s.WreathOrder(ctx, ed)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, r := range order {
		if r.Position != i+1 {
			t.Errorf("%s at position %d, want %d", r.DelegationName, r.Position, i+1)
		}
		got = append(got, r.DelegationName+" / "+r.RibbonText+" / "+r.LaidBy)
	}
	equal(t, "wreath order", got, []string{
		"Office of the President / From the President / H.E. Leyla Məmmədova",
		"Embassy of Japan / From the Embassy of Japan / H.E. Kenji Sato",
		"Embassy of Norway / From the people of Norway / H.E. Ola Nordmann",
		"United Nations Office / From the United Nations / ",
	})
	if order[1].Country != "JP" || order[1].Kind != delegation.KindDiplomaticMission {
		t.Errorf("wreath row %+v", order[1])
	}
	// Precedence changes move the wreaths: earlier credentials for Norway.
	if _, err := w.s.UpdateDelegation(ctx, w.del["Embassy of Norway"], 1, delegation.DelegationInput{
		Name: "Embassy of Norway", Kind: delegation.KindDiplomaticMission, Country: "NO", CredentialsPresentedOn: day(2010, 5, 5),
	}); err != nil {
		t.Fatal(err)
	}
	order, _ = w.s.WreathOrder(ctx, ed)
	if len(order) != 4 || order[1].DelegationName != "Embassy of Norway" {
		t.Errorf("after new credentials the order is %+v", order)
	}

	// The delegation's history.
	hist, err := w.s.DelegationParticipations(ctx, w.del["Embassy of Japan"])
	if err != nil || len(hist) != 1 || hist[0].EditionID != ed || !hist[0].Wreath || hist[0].HeadName != "H.E. Kenji Sato" || hist[0].Status != delegation.StatusConfirmed {
		t.Errorf("history: %+v, %v", hist, err)
	}
}

func TestParticipationRulesAndVersions(t *testing.T) {
	db, _ := testdb.New(t)
	w := newWorld(t, db.Gorm)
	ctx := context.Background()
	ed := w.ed[2026]
	if _, err := w.s.Invite(ctx, ed, w.ids("Embassy of Japan", "Embassy of France")); err != nil {
		t.Fatal(err)
	}
	p := w.participation(t, 2026, "Embassy of Japan")

	// A wreath needs its ribbon text.
	in := input(p.Participation)
	in.Wreath = true
	if _, err := w.s.UpdateParticipation(ctx, ed, p.ID, p.Version, in); !errors.Is(err, delegation.ErrRibbonRequired) {
		t.Fatalf("wreath without ribbon: %v", err)
	}
	// The head must be one of the delegation's guests.
	in = input(p.Participation)
	in.HeadGuestID = ptr(w.guest["france"])
	if _, err := w.s.UpdateParticipation(ctx, ed, p.ID, p.Version, in); !errors.Is(err, delegation.ErrHeadNotInDelegation) {
		t.Fatalf("head of another delegation: %v", err)
	}
	if again := w.participation(t, 2026, "Embassy of Japan"); again.Version != 1 || again.Wreath || again.HeadGuestID != nil {
		t.Fatalf("a refused change was saved: %+v", again.Participation)
	}
	// Another edition's id is not found.
	if _, err := w.s.UpdateParticipation(ctx, w.ed[2025], p.ID, p.Version, input(p.Participation)); !errors.Is(err, delegation.ErrNotFound) {
		t.Errorf("update through another edition: %v", err)
	}
	if _, err := w.s.Participation(ctx, w.ed[2025], p.ID); !errors.Is(err, delegation.ErrNotFound) {
		t.Errorf("load through another edition: %v", err)
	}

	// Saved with the version seen; then that version is stale.
	in = input(p.Participation)
	in.HeadGuestID = ptr(w.guest["japan"])
	in.ArrivalAt = ptr(time.Date(2026, 2, 26, 10, 40, 0, 0, time.FixedZone("Baku", 4*3600)))
	saved, err := w.s.UpdateParticipation(ctx, ed, p.ID, p.Version, in)
	if err != nil || saved.Version != 2 {
		t.Fatalf("update: %+v, %v", saved, err)
	}
	if _, err := w.s.UpdateParticipation(ctx, ed, p.ID, p.Version, in); !errors.Is(err, delegation.ErrStale) {
		t.Fatalf("stale version: %v", err)
	}
	// The same form sent again with the new version changes nothing.
	again, err := w.s.UpdateParticipation(ctx, ed, p.ID, saved.Version, in)
	if err != nil || again.Version != 2 {
		t.Fatalf("unchanged form saved a new version: %+v, %v", again, err)
	}
	if n := w.count(t, "SELECT count(*) FROM audit_entries WHERE entity_type = 'participation' AND action = 'update'"); n != 1 {
		t.Errorf("%d update audit entries, want 1", n)
	}

	// Removing leaves the other delegation and the directory alone.
	if _, err := w.s.DeleteParticipation(ctx, w.ed[2025], p.ID); !errors.Is(err, delegation.ErrNotFound) {
		t.Errorf("delete through another edition: %v", err)
	}
	if _, err := w.s.DeleteParticipation(ctx, ed, p.ID); err != nil {
		t.Fatal(err)
	}
	rows, _ := w.s.Participations(ctx, ed, delegation.ParticipationFilter{})
	equal(t, "after removing Japan", names(rows), []string{"Embassy of France"})
	if n := w.count(t, "SELECT count(*) FROM audit_entries WHERE entity_type = 'participation' AND action = 'delete'"); n != 1 {
		t.Errorf("%d delete audit entries, want 1", n)
	}
}

// last year: Japan confirmed with everything filled in, France declined,
// Norway withdrawn, the President invited with a head who has since moved
// to another delegation, the Cabinet invited (and already in 2026).
func (w *world) lastYear(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	from := w.ed[2025]
	if _, err := w.s.Invite(ctx, from, w.ids("Office of the President", "Cabinet of Ministers", "Embassy of Japan", "Embassy of France", "Embassy of Norway")); err != nil {
		t.Fatal(err)
	}
	set := func(name string, in delegation.ParticipationInput) {
		t.Helper()
		p := w.participation(t, 2025, name)
		if _, err := w.s.UpdateParticipation(ctx, from, p.ID, p.Version, in); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	set("Embassy of Japan", delegation.ParticipationInput{
		Status: delegation.StatusConfirmed, HeadGuestID: ptr(w.guest["japan"]), LiaisonName: "Aysel Quliyeva", LiaisonPhone: "+994 50 000 00 01",
		Wreath: true, RibbonText: "From the Embassy of Japan", ArrivalVehicle: "Black sedan", ArrivalPlate: "10-AA-001",
		ArrivalAt: ptr(time.Date(2025, 2, 26, 6, 40, 0, 0, time.UTC)), ArrivalGateID: ptr(w.gate), Notes: "Arrives with two aides",
	})
	set("Embassy of France", delegation.ParticipationInput{Status: delegation.StatusDeclined, Wreath: true, RibbonText: "From France"})
	set("Embassy of Norway", delegation.ParticipationInput{Status: delegation.StatusWithdrawn})
	set("Office of the President", delegation.ParticipationInput{Status: delegation.StatusInvited, HeadGuestID: ptr(w.guest["president"])})
	g, err := w.s.Guest(ctx, w.guest["president"])
	if err != nil {
		t.Fatal(err)
	}
	moved := delegation.GuestInput{Honorific: g.Honorific, GivenName: g.GivenName, FamilyName: g.FamilyName, DelegationID: ptr(w.del["Cabinet of Ministers"])}
	if _, err := w.s.UpdateGuest(ctx, g.ID, g.Version, moved); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Invite(ctx, w.ed[2026], w.ids("Cabinet of Ministers")); err != nil {
		t.Fatal(err)
	}
	p := w.participation(t, 2026, "Cabinet of Ministers")
	in := input(p.Participation)
	in.LiaisonName = "Kept as it was"
	if _, err := w.s.UpdateParticipation(ctx, w.ed[2026], p.ID, p.Version, in); err != nil {
		t.Fatal(err)
	}
}

func TestCarryOverCopiesLastYear(t *testing.T) {
	db, _ := testdb.New(t)
	w := newWorld(t, db.Gorm)
	ctx := context.Background()
	w.lastYear(t)

	n, err := w.s.CarryOver(ctx, w.ed[2025], w.ed[2026])
	if err != nil || n != 2 {
		t.Fatalf("carry over: %d, %v (want the President and Japan)", n, err)
	}
	rows, _ := w.s.Participations(ctx, w.ed[2026], delegation.ParticipationFilter{})
	equal(t, "2026 after carrying over", names(rows), []string{"Office of the President", "Cabinet of Ministers", "Embassy of Japan"})

	jp := w.participation(t, 2026, "Embassy of Japan")
	want := delegation.Participation{
		ID: jp.ID, EditionID: w.ed[2026], DelegationID: w.del["Embassy of Japan"], Status: delegation.StatusInvited,
		HeadGuestID: jp.HeadGuestID, LiaisonName: "Aysel Quliyeva", LiaisonPhone: "+994 50 000 00 01",
		Wreath: true, RibbonText: "From the Embassy of Japan", Version: 1,
	}
	got := jp.Participation
	got.CreatedAt, got.UpdatedAt = time.Time{}, time.Time{}
	if got.HeadGuestID == nil || *got.HeadGuestID != w.guest["japan"] || got.ArrivalAt != nil || got.ArrivalGateID != nil ||
		got.ArrivalVehicle != "" || got.ArrivalPlate != "" || got.Notes != "" {
		t.Errorf("Japan carried over as %+v", got)
	}
	got.HeadGuestID = want.HeadGuestID
	if got != want {
		t.Errorf("Japan carried over as\n %+v\nwant %+v", got, want)
	}
	if pres := w.participation(t, 2026, "Office of the President"); pres.HeadGuestID != nil {
		t.Errorf("a head who moved to another delegation was carried over: %d", *pres.HeadGuestID)
	}
	if cab := w.participation(t, 2026, "Cabinet of Ministers"); cab.LiaisonName != "Kept as it was" || cab.Version != 2 {
		t.Errorf("a delegation already present was changed: %+v", cab.Participation)
	}
	// Last year is untouched.
	if jp25 := w.participation(t, 2025, "Embassy of Japan"); jp25.ArrivalAt == nil || jp25.Status != delegation.StatusConfirmed {
		t.Errorf("2025 changed: %+v", jp25.Participation)
	}

	// Twice adds nothing.
	before := w.count(t, "SELECT count(*) FROM audit_entries")
	if n, err := w.s.CarryOver(ctx, w.ed[2025], w.ed[2026]); err != nil || n != 0 {
		t.Fatalf("second carry over: %d, %v", n, err)
	}
	if after := w.count(t, "SELECT count(*) FROM audit_entries"); after != before {
		t.Errorf("a carry over that added nothing wrote %d audit entries", after-before)
	}
	if c := w.count(t, "SELECT count(*) FROM participations WHERE edition_id = ?", w.ed[2026]); c != 3 {
		t.Errorf("%d participations in 2026 after the second run", c)
	}
}

func TestCopyParticipationsRollsBackWithItsTransaction(t *testing.T) {
	db, _ := testdb.New(t)
	w := newWorld(t, db.Gorm)
	ctx := context.Background()
	w.lastYear(t)
	audits := w.count(t, "SELECT count(*) FROM audit_entries")

	errAbort := errors.New("the next edition could not be started")
	err := db.Gorm.Transaction(func(tx *gorm.DB) error {
		if err := w.s.CopyParticipations(ctx, tx, w.ed[2025], w.ed[2026]); err != nil {
			return err
		}
		var n int
		if err := tx.Raw("SELECT count(*) FROM participations WHERE edition_id = ?", w.ed[2026]).Scan(&n).Error; err != nil {
			return err
		}
		if n != 3 {
			t.Errorf("inside the transaction 2026 has %d participations, want 3", n)
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatal(err)
	}
	if n := w.count(t, "SELECT count(*) FROM participations WHERE edition_id = ?", w.ed[2026]); n != 1 {
		t.Errorf("after the rollback 2026 has %d participations, want only the Cabinet", n)
	}
	if n := w.count(t, "SELECT count(*) FROM audit_entries"); n != audits {
		t.Errorf("the rollback left %d audit entries", n-audits)
	}

	// Starting the next edition copies them in the ceremony store's
	// transaction.
	cs := ceremony.NewStore(db.Gorm)
	e, err := cs.EditionByID(ctx, w.ed[2026])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Invite(ctx, w.ed[2026], w.ids("Embassy of Japan")); err != nil {
		t.Fatal(err)
	}
	next, err := cs.StartNextEdition(ctx, e, time.UTC, participationCopier{w.s})
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := w.s.Participations(ctx, next.ID, delegation.ParticipationFilter{})
	equal(t, "2027", names(rows), []string{"Cabinet of Ministers", "Embassy of Japan"})
}

// participationCopier is the delegation half of the application's
// editionCopier.
type participationCopier struct{ s *delegation.Store }

func (c participationCopier) CopyLogistics(ctx context.Context, tx *gorm.DB, from, to int64, _ map[int64]int64, _ func(time.Time) time.Time) error {
	return c.s.CopyParticipations(ctx, tx, from, to)
}

// HTTP ---------------------------------------------------------------------------------------

// inOrder checks that parts appear in body in this order.
func inOrder(t *testing.T, what, body string, parts ...string) {
	t.Helper()
	at := -1
	for _, p := range parts {
		i := strings.Index(body, p)
		if i < 0 {
			t.Errorf("%s lacks %q", what, p)
			return
		}
		if i < at {
			t.Errorf("%s: %q comes too early (order %q)", what, p, parts)
			return
		}
		at = i
	}
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

var flashRe = regexp.MustCompile(`class="flash flash--(\w+)"[^>]*>([^<]*)<`)

// flash follows a redirect and returns the flash message shown there.
func flash(t *testing.T, c *testserver.Client, resp *http.Response) (kind, msg, body string) {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want a redirect", resp.StatusCode)
	}
	_, body = c.Get(resp.Header.Get("Location"))
	m := flashRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no flash after redirect to %s", resp.Header.Get("Location"))
	}
	return m[1], m[2], body
}

func TestEditionDelegationsOverHTTP(t *testing.T) {
	srv := testserver.Start(t)
	w := newWorld(t, srv.DB.Gorm)
	org := signIn(t, srv, "organizer@example.org", auth.RoleOrganizer)
	staff := signIn(t, srv, "staff@example.org", auth.RoleStaff)
	list := "/editions/2026/delegations"

	// Empty: the next step, and the invite form by kind in precedence order.
	_, body := org.Get(list)
	want(t, "empty list", body, "No delegations in the 2026 edition yet", `action="`+list+`/carry"`,
		"Add the delegations of 2025", `name="all_kind" value="diplomatic_mission"`, "Invite all 3 of this kind")
	inOrder(t, "invite form", body, "Head of state", "Office of the President", "Government", "Cabinet of Ministers",
		"Diplomatic mission", "Embassy of Japan", "Embassy of France", "Embassy of Norway", "International organisation", "United Nations Office")
	_, body = staff.Get(list)
	want(t, "staff empty list", body, "An organizer invites the delegations")
	lacks(t, "staff list", body, `action="`+list+`/carry"`, `name="delegation"`)

	// Nothing ticked: the message beside the list, nothing saved.
	resp, body := org.Post(list, url.Values{})
	status(t, "empty invite", resp, http.StatusUnprocessableEntity)
	want(t, "empty invite", body, `href="#f-delegation"`, "Tick at least one delegation to invite")
	resp, _ = staff.Post(list, url.Values{"delegation": {id(w.del["Embassy of Japan"])}})
	status(t, "staff invite", resp, http.StatusForbidden)

	// A kind's button plus one ticked box.
	resp, _ = org.Post(list, url.Values{"all_kind": {"diplomatic_mission"}, "delegation": {id(w.del["Office of the President"])}})
	kind, msg, body := flash(t, org, resp)
	if kind != "success" || msg != "4 delegations were invited to 2026." {
		t.Errorf("flash %s %q", kind, msg)
	}
	want(t, "list", body, "4 delegations, 0 with a wreath", "Japan", "Invite the 1 delegation of this kind")
	inOrder(t, "list", body, "Office of the President", "Embassy of Japan", "Embassy of France", "Embassy of Norway", `id="invite"`)
	resp, _ = org.Post(list, url.Values{"delegation": {id(w.del["Embassy of Japan"])}})
	if kind, msg, _ := flash(t, org, resp); kind != "info" || !strings.Contains(msg, "already in this edition") {
		t.Errorf("inviting again: %s %q", kind, msg)
	}

	// Filters.
	_, body = staff.Get(list + "?kind=head_of_state")
	want(t, "filtered list", body, "1 delegation, 0 with a wreath", "filtered from 4 in this edition", "Office of the President")
	lacks(t, "filtered list", body, "Embassy of Japan")
	_, body = staff.Get(list + "?status=confirmed")
	want(t, "no match", body, "No delegation matches these filters")

	// The participation page.
	jp := w.participation(t, 2026, "Embassy of Japan")
	page := list + "/" + id(jp.ID)
	_, body = org.Get(page)
	want(t, "participation page", body, `href="/delegations/`+id(w.del["Embassy of Japan"])+`"`, "H.E. Kenji Sato",
		"Memorial — Gate 2", `type="datetime-local"`, "(Asia/Baku)", `data-confirm="Remove Embassy of Japan from the 2026 edition?"`,
		`name="version" value="1"`)
	lacks(t, "participation page", body, "Ola Nordmann")
	resp, body = staff.Get(page)
	status(t, "staff page", resp, http.StatusOK)
	want(t, "staff page", body, "Embassy of Japan", "Not chosen yet")
	lacks(t, "staff page", body, `action="`+page+`"`)
	resp, _ = org.Get("/editions/2025/delegations/" + id(jp.ID))
	status(t, "another edition's participation", resp, http.StatusNotFound)
	resp, _ = org.Get("/editions/2031/delegations")
	status(t, "missing edition", resp, http.StatusNotFound)

	form := func(kv ...string) url.Values {
		v := url.Values{"status": {"confirmed"}, "version": {"1"}, "head_guest_id": {id(w.guest["japan"])},
			"liaison_name": {"Aysel Quliyeva"}, "wreath": {"on"}, "ribbon_text": {"From the Embassy of Japan"},
			"arrival_vehicle": {"Black sedan"}, "arrival_plate": {"10-AA-001"}, "arrival_at": {"2026-02-26T10:40"},
			"arrival_gate_id": {id(w.gate)}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	resp, _ = staff.Post(page, form())
	status(t, "staff save", resp, http.StatusForbidden)
	resp, body = org.Post(page, form("ribbon_text", ""))
	status(t, "wreath without ribbon", resp, http.StatusUnprocessableEntity)
	want(t, "wreath without ribbon", body, `id="f-ribbon_text-error"`, "Enter the ribbon text, or untick the wreath", `value="Black sedan"`)
	resp, body = org.Post(page, form("head_guest_id", id(w.guest["norway"])))
	status(t, "head of another delegation", resp, http.StatusUnprocessableEntity)
	want(t, "head of another delegation", body, `id="f-head_guest_id-error"`, "Choose the head of delegation from this delegation")
	resp, body = org.Post(page, form("arrival_at", "2026-02-30T10:40"))
	status(t, "bad arrival", resp, http.StatusUnprocessableEntity)
	want(t, "bad arrival", body, "Enter a real date and time")
	if p := w.participation(t, 2026, "Embassy of Japan"); p.Version != 1 {
		t.Fatalf("a refused form was saved: %+v", p.Participation)
	}
	resp, _ = org.Post(page, form())
	if kind, msg, _ := flash(t, org, resp); kind != "success" || msg != "Changes to Embassy of Japan were saved." {
		t.Errorf("save: %s %q", kind, msg)
	}
	saved := w.participation(t, 2026, "Embassy of Japan")
	if saved.ArrivalAt == nil || !saved.ArrivalAt.Equal(time.Date(2026, 2, 26, 6, 40, 0, 0, time.UTC)) || saved.Version != 2 || !saved.Wreath {
		t.Errorf("saved %+v (arrival is entered in Baku time)", saved.Participation)
	}
	_, body = org.Get(page)
	want(t, "saved page", body, `value="2026-02-26T10:40"`, `name="version" value="2"`)
	_, body = staff.Get(list)
	want(t, "list after save", body, "4 delegations, 1 with a wreath", "26 February 2026, 10:40", "Memorial — Gate 2", "H.E. Kenji Sato", `badge--success">Confirmed`)
	resp, body = org.Post(page, form("liaison_name", "Someone else"))
	status(t, "stale save", resp, http.StatusConflict)
	want(t, "stale save", body, "Someone else saved this record", `value="Aysel Quliyeva"`, `name="version" value="2"`)

	// The wreath-laying order and its print view.
	resp, body = staff.Get("/editions/2026/wreaths")
	status(t, "wreaths", resp, http.StatusOK)
	want(t, "wreaths", body, "1 wreath", "From the Embassy of Japan", "H.E. Kenji Sato", `href="/editions/2026/wreaths/print"`)
	fr := w.participation(t, 2026, "Embassy of France")
	resp, _ = org.Post(list+"/"+id(fr.ID), form("head_guest_id", id(w.guest["france"]), "ribbon_text", "From France"))
	status(t, "France", resp, http.StatusSeeOther)
	pres := w.participation(t, 2026, "Office of the President")
	resp, _ = org.Post(list+"/"+id(pres.ID), form("head_guest_id", "", "ribbon_text", "From the President"))
	status(t, "President", resp, http.StatusSeeOther)
	resp, body = staff.Get("/editions/2026/wreaths/print")
	status(t, "wreaths print", resp, http.StatusOK)
	want(t, "wreaths print", body, `class="print-header"`, "Day of Remembrance 2026", "Wreath-laying order", "3 wreaths", "to be confirmed", "Claire Durand")
	inOrder(t, "wreaths print", body, "From the President", "From the Embassy of Japan", "From France")

	// Removing asks once, then removes.
	resp, _ = staff.Post(page+"/delete", url.Values{})
	status(t, "staff delete", resp, http.StatusForbidden)
	resp, _ = org.Post(page+"/delete", url.Values{})
	if kind, msg, body := flash(t, org, resp); kind != "success" || !strings.Contains(msg, "Embassy of Japan was removed") || !strings.Contains(body, "3 delegations, 2 with a wreath") {
		t.Errorf("delete: %s %q", kind, msg)
	}

	// Carry over: none before 2025; from 2025 into 2026.
	_, body = org.Get("/editions/2025/delegations")
	want(t, "2025 list", body, "There is no 2024 edition to take the delegations from")
	lacks(t, "2025 list", body, `action="/editions/2025/delegations/carry"`)
	resp, _ = org.Post("/editions/2025/delegations/carry", url.Values{})
	if kind, msg, _ := flash(t, org, resp); kind != "error" || !strings.Contains(msg, "There is no 2024 edition") {
		t.Errorf("carry without a previous edition: %s %q", kind, msg)
	}
	resp, _ = staff.Post(list+"/carry", url.Values{})
	status(t, "staff carry", resp, http.StatusForbidden)
	ctx := context.Background()
	if _, err := w.s.Invite(ctx, w.ed[2025], w.ids("Embassy of Japan", "United Nations Office", "Cabinet of Ministers")); err != nil {
		t.Fatal(err)
	}
	un := w.participation(t, 2025, "United Nations Office")
	in := input(un.Participation)
	in.Status = delegation.StatusDeclined
	if _, err := w.s.UpdateParticipation(ctx, w.ed[2025], un.ID, un.Version, in); err != nil {
		t.Fatal(err)
	}
	resp, _ = org.Post(list+"/carry", url.Values{})
	kind, msg, body = flash(t, org, resp)
	if kind != "success" || msg != "2 delegations of 2025 were added." {
		t.Errorf("carry: %s %q", kind, msg)
	}
	inOrder(t, "list after carry", body, "Office of the President", "Cabinet of Ministers", "Embassy of Japan", "Embassy of France")
	table, _, _ := strings.Cut(body, `id="invite"`)
	lacks(t, "list after carry", table, "United Nations Office")
	resp, _ = org.Post(list+"/carry", url.Values{})
	if kind, msg, _ := flash(t, org, resp); kind != "info" || !strings.Contains(msg, "Nothing was added") {
		t.Errorf("carry twice: %s %q", kind, msg)
	}

	// Starting 2027 from 2026 brings the delegations along (the real
	// wiring: ceremony's transaction calls CopyParticipations).
	resp, _ = org.Post("/editions/2026/next", url.Values{})
	status(t, "start 2027", resp, http.StatusSeeOther)
	_, body = staff.Get("/editions/2027/delegations")
	want(t, "2027", body, "5 delegations, 2 with a wreath")
	inOrder(t, "2027", body, "Office of the President", "Cabinet of Ministers", "Embassy of Japan", "Embassy of France", "Embassy of Norway")
	lacks(t, "2027", body, "10:40", `badge--success">Confirmed`)
}
