package main

import (
	"context"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"vigil/internal/auth"
	"vigil/internal/database"
	"vigil/internal/delegation"
	"vigil/internal/invitation"
)

// The large edition the benchmark drives: Size.Delegations delegations of
// Size.Guests guests between them, all invited to the main ceremony and
// shares of them to three more, with a realistic mix of answers. It is
// written with a few set-based INSERTs (the directory import and the
// package benchmarks do the same) because 5,000 guests through the stores'
// one-row transactions would take minutes; the rows are those the stores
// write: tokens as Vigil makes them (HMAC of a nonce under VIGIL_SECRET,
// stored hashed), 12-character check-in codes, search columns filled.

// Size is how large the seeded edition is.
type Size struct {
	Delegations int
	Guests      int
}

// DefaultSize is what issue 7 asks for.
var DefaultSize = Size{Delegations: 200, Guests: 5000}

// Answer shares per invitation and ceremony; the rest are pending.
const (
	shareAccepted = 0.55
	shareDeclined = 0.10
	// shareByStaff of the answers came through the protocol office.
	shareByStaff = 0.25
)

// StaffPassword is the password of the staff accounts the seed makes.
const StaffPassword = "correct horse battery staple"

// GateStaff is how many gates scan at once, each with its own account.
const GateStaff = 10

// Invite is one seeded invitation, as the driver needs it.
type Invite struct {
	ID    int64
	Token string
	Code  string
	// Status per ceremony index (0 to 3); "" where not invited.
	Status [4]string
}

// Fixture is what the seed made.
type Fixture struct {
	Year         int
	EditionID    int64
	CeremonyIDs  [4]int64
	GateIDs      []int64
	Delegations  int
	Guests       int
	Invites      []Invite
	GateEmails   []string
	ListEmail    string
	BoardEmail   string
	SeedDuration time.Duration
}

// Seed fills the migrated, empty database db with the benchmark's edition.
// secret must be the VIGIL_SECRET the server runs with, or the links
// open nothing.
func Seed(ctx context.Context, db *database.DB, secret []byte, size Size) (*Fixture, error) {
	start := time.Now()
	f := &Fixture{Year: time.Now().Year() + 1, Delegations: size.Delegations, Guests: size.Guests}
	rnd := mrand.New(mrand.NewPCG(2026, 7))
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := seedPlanning(ctx, tx, f); err != nil {
			return err
		}
		guestIDs, heads, err := seedDirectory(ctx, tx, rnd, size)
		if err != nil {
			return err
		}
		return seedInvitations(ctx, tx, rnd, f, invitation.NewTokens(secret), guestIDs, heads)
	})
	if err != nil {
		return nil, err
	}
	if err := seedStaff(ctx, db, f); err != nil {
		return nil, err
	}
	if _, err := db.Pool.Exec(ctx, "ANALYZE"); err != nil {
		return nil, fmt.Errorf("vigil-load: analyze: %w", err)
	}
	f.SeedDuration = time.Since(start)
	return f, nil
}

// ceremonyPlan: the four ceremonies of the day, their capacity, and which
// guests (by number) each invites.
var ceremonyPlan = [4]struct {
	title, kind string
	hour        int
	capacity    int
	invites     func(i int) bool
}{
	{"Wreath-laying at the memorial", "wreath_laying", 9, 6000, func(int) bool { return true }},
	{"Memorial service", "memorial_service", 11, 2500, func(i int) bool { return i%5 < 2 }},
	{"Reception", "reception", 13, 2000, func(i int) bool { return i%10 < 3 }},
	{"Evening concert", "concert", 18, 1200, func(i int) bool { return i%5 == 4 }},
}

// zoneKinds are the zones of the venue; a guest sits in the zone of its
// delegation's kind.
var zoneKinds = []struct{ name, kind, colour string }{
	{"Official stand", "official", "#1f3a5f"},
	{"Diplomatic stand", "diplomatic", "#2f6f4f"},
	{"Guests", "guests", "#6f4f2f"},
	{"Press", "press", "#5f1f3a"},
}

func seedPlanning(ctx context.Context, tx pgx.Tx, f *Fixture) error {
	one := func(dst *int64, q string, args ...any) error {
		if err := tx.QueryRow(ctx, q+" RETURNING id", args...).Scan(dst); err != nil {
			return fmt.Errorf("vigil-load: seed: %s: %w", strings.Fields(q)[2], err)
		}
		return nil
	}
	var cm, venue int64
	if err := one(&cm, `INSERT INTO commemorations (name, commemorated_on, ceremony_month, ceremony_day, time_zone, default_locale)
		VALUES ('Annual Remembrance Ceremony', '1992-02-26', 2, 26, 'Asia/Baku', 'az')`); err != nil {
		return err
	}
	if err := one(&f.EditionID, `INSERT INTO editions (commemoration_id, year, status, rsvp_deadline)
		VALUES ($1, $2, 'invitations_open', make_date($2, 2, 1))`, cm, f.Year); err != nil {
		return err
	}
	if err := one(&venue, `INSERT INTO venues (name, address, capacity) VALUES ('Memorial Park', 'Memorial Avenue 1, Baku', 8000)`); err != nil {
		return err
	}
	zones := make([]int64, len(zoneKinds))
	for i, z := range zoneKinds {
		if err := one(&zones[i], `INSERT INTO zones (venue_id, name, kind, capacity, badge_colour, position) VALUES ($1, $2, $3, 3000, $4, $5)`,
			venue, z.name, z.kind, z.colour, i); err != nil {
			return err
		}
	}
	for i := 1; i <= GateStaff; i++ {
		var g int64
		if err := one(&g, `INSERT INTO gates (venue_id, name) VALUES ($1, $2)`, venue, fmt.Sprintf("Gate %d", i)); err != nil {
			return err
		}
		f.GateIDs = append(f.GateIDs, g)
	}
	baku, err := time.LoadLocation("Asia/Baku")
	if err != nil {
		return fmt.Errorf("vigil-load: time zone: %w", err)
	}
	for i, c := range ceremonyPlan {
		at := time.Date(f.Year, 2, 26, c.hour, 0, 0, 0, baku)
		if err := one(&f.CeremonyIDs[i], `INSERT INTO ceremonies (edition_id, title, kind, venue_id, starts_at, ends_at, capacity, status, companions_default)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'published', 0)`, f.EditionID, c.title, c.kind, venue, at, at.Add(90*time.Minute), c.capacity); err != nil {
			return err
		}
		for _, z := range zones {
			if _, err := tx.Exec(ctx, `INSERT INTO ceremony_zones (ceremony_id, zone_id, during, active) VALUES ($1, $2, tstzrange($3, $4), true)`,
				f.CeremonyIDs[i], z, at, at.Add(90*time.Minute)); err != nil {
				return fmt.Errorf("vigil-load: seed: ceremony zones: %w", err)
			}
		}
	}
	return nil
}

var (
	givenNames  = []string{"Leyla", "Rashad", "Aysel", "Elnur", "Sophie", "Thomas", "Anna", "Marco", "Elena", "Dmitri", "Yuki", "Fatima", "Omar", "Ingrid", "Lucas", "Nadia", "Kemal", "Maria", "Jonas", "Aynur"}
	familyNames = []string{"Mammadova", "Aliyev", "Huseynova", "Quliyev", "Martin", "Keller", "Rossi", "Sokolova", "Petrov", "Tanaka", "Al-Sayed", "Aydın", "Larsen", "Silva", "Kowalska", "Novak", "Demir", "Fischer", "Hughes", "Rzayeva"}
	positions   = []string{"Ambassador", "Counsellor", "First Secretary", "Attaché", "Deputy Head of Mission", "Adviser", "Protocol Officer"}
	languages   = []string{"en", "az", "ru"}
	kinds       = []string{"diplomatic_mission", "diplomatic_mission", "diplomatic_mission", "government", "parliament", "international_organisation", "civil_society", "press"}
)

// seedDirectory writes the delegations and their guests and returns the
// guests' ids in order, and which of them head their delegation.
func seedDirectory(ctx context.Context, tx pgx.Tx, rnd *mrand.Rand, size Size) ([]int64, map[int64]bool, error) {
	names, dkinds, countries := make([]string, size.Delegations), make([]string, size.Delegations), make([]string, size.Delegations)
	prec := make([]int32, size.Delegations)
	for i := range names {
		dkinds[i] = kinds[i%len(kinds)]
		countries[i] = delegation.Countries[(i*7)%len(delegation.Countries)]
		switch dkinds[i] {
		case "diplomatic_mission":
			names[i] = fmt.Sprintf("Embassy of %s (%03d)", delegation.CountryName("en", countries[i]), i+1)
		default:
			names[i] = fmt.Sprintf("Delegation %03d", i+1)
		}
		prec[i] = int32(i + 1)
	}
	rows, err := tx.Query(ctx, `INSERT INTO delegations (name, kind, country, precedence, search_text)
		SELECT n, k, c, p, lower(n) FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS t(n, k, c, p)
		RETURNING id, precedence`, names, dkinds, countries, prec)
	if err != nil {
		return nil, nil, fmt.Errorf("vigil-load: seed delegations: %w", err)
	}
	delIDs := make([]int64, size.Delegations)
	for rows.Next() {
		var id int64
		var p int32
		if err := rows.Scan(&id, &p); err != nil {
			return nil, nil, err
		}
		delIDs[p-1] = id
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("vigil-load: seed delegations: %w", err)
	}

	n := size.Guests
	var (
		hon, given, family, pos, email, lang, search, key []string
		del                                               []int64
		vip                                               []bool
	)
	for i := range n {
		d := i % size.Delegations
		head := i < size.Delegations
		g := delegation.Guest{GivenName: pick(rnd, givenNames), FamilyName: pick(rnd, familyNames), Position: pick(rnd, positions),
			Email: fmt.Sprintf("guest%05d@example.org", i+1), Language: pick(rnd, languages), VIP: head}
		if head {
			g.Honorific, g.Position = "H.E.", "Head of delegation"
		}
		s, k := delegation.GuestSearchColumns(&g, names[d])
		hon, given, family, pos = append(hon, g.Honorific), append(given, g.GivenName), append(family, g.FamilyName), append(pos, g.Position)
		email, lang, search, key = append(email, g.Email), append(lang, g.Language), append(search, s), append(key, k)
		del, vip = append(del, delIDs[d]), append(vip, g.VIP)
	}
	rows, err = tx.Query(ctx, `INSERT INTO guests (honorific, given_name, family_name, position, email, language, search_text, name_key, delegation_id, vip)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bool[])
		RETURNING id, email`, hon, given, family, pos, email, lang, search, key, del, vip)
	if err != nil {
		return nil, nil, fmt.Errorf("vigil-load: seed guests: %w", err)
	}
	byEmail := map[string]int64{}
	for rows.Next() {
		var id int64
		var e string
		if err := rows.Scan(&id, &e); err != nil {
			return nil, nil, err
		}
		byEmail[e] = id
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("vigil-load: seed guests: %w", err)
	}
	ids := make([]int64, n)
	heads := map[int64]bool{}
	for i := range n {
		ids[i] = byEmail[email[i]]
		if vip[i] {
			heads[ids[i]] = true
		}
	}
	return ids, heads, nil
}

func pick[T any](r *mrand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// seedInvitations invites every guest to the main ceremony and shares of
// them to the others, and records the answers.
func seedInvitations(ctx context.Context, tx pgx.Tx, rnd *mrand.Rand, f *Fixture, tokens *invitation.Tokens, guestIDs []int64, heads map[int64]bool) error {
	n := len(guestIDs)
	f.Invites = make([]Invite, n)
	var (
		nonces, hashes [][]byte
		codes, via     []*string
		companions     []int32
		responded      []*time.Time
	)
	seen := map[string]bool{}
	now := time.Now().UTC()
	for i := range n {
		nonce := make([]byte, 16)
		if _, err := rand.Read(nonce); err != nil {
			return fmt.Errorf("vigil-load: nonce: %w", err)
		}
		tok := tokens.Token(nonce)
		code := checkInCode(rnd)
		for seen[code] {
			code = checkInCode(rnd)
		}
		seen[code] = true
		inv := &f.Invites[i]
		inv.Token, inv.Code = tok, code
		answered := false
		for c := range ceremonyPlan {
			if !ceremonyPlan[c].invites(i) {
				continue
			}
			switch x := rnd.Float64(); {
			case x < shareAccepted:
				inv.Status[c], answered = "accepted", true
			case x < shareAccepted+shareDeclined:
				inv.Status[c], answered = "declined", true
			default:
				inv.Status[c] = "pending"
			}
		}
		nonces, hashes, codes = append(nonces, nonce), append(hashes, invitation.Hash(tok)), append(codes, &inv.Code)
		allowed := int32(0)
		if heads[guestIDs[i]] {
			allowed = 1
		}
		companions = append(companions, allowed)
		if answered {
			at := now.Add(-time.Duration(rnd.IntN(30*24)) * time.Hour)
			v := "link"
			if rnd.Float64() < shareByStaff {
				v = "staff"
			}
			responded, via = append(responded, &at), append(via, &v)
		} else {
			responded, via = append(responded, nil), append(via, nil)
		}
	}
	rows, err := tx.Query(ctx, `INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code, companions_allowed, responded_at, responded_via, staff_channel)
		SELECT $1, g, nn, h, c, a, r, v, CASE WHEN v = 'staff' THEN 'phone' ELSE '' END
		FROM unnest($2::bigint[], $3::bytea[], $4::bytea[], $5::text[], $6::int[], $7::timestamptz[], $8::text[]) AS t(g, nn, h, c, a, r, v)
		RETURNING id, check_in_code`, f.EditionID, guestIDs, nonces, hashes, codes, companions, responded, via)
	if err != nil {
		return fmt.Errorf("vigil-load: seed invitations: %w", err)
	}
	byCode := map[string]int64{}
	for rows.Next() {
		var id int64
		var c string
		if err := rows.Scan(&id, &c); err != nil {
			return err
		}
		byCode[c] = id
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("vigil-load: seed invitations: %w", err)
	}
	// The guests' zones follow their delegation's kind.
	zoneRows, err := tx.Query(ctx, `SELECT g.id, z.id FROM guests g JOIN delegations d ON d.id = g.delegation_id
		JOIN zones z ON z.kind = CASE WHEN d.kind IN ('government', 'parliament', 'head_of_state') THEN 'official'
			WHEN d.kind IN ('diplomatic_mission', 'international_organisation') THEN 'diplomatic'
			WHEN d.kind = 'press' THEN 'press' ELSE 'guests' END`)
	if err != nil {
		return fmt.Errorf("vigil-load: seed zones: %w", err)
	}
	zoneOfGuest := map[int64]int64{}
	for zoneRows.Next() {
		var g, z int64
		if err := zoneRows.Scan(&g, &z); err != nil {
			return err
		}
		zoneOfGuest[g] = z
	}
	if err := zoneRows.Err(); err != nil {
		return fmt.Errorf("vigil-load: seed zones: %w", err)
	}
	var invIDs, cerIDs, zoneIDs []int64
	var statuses []string
	for i := range f.Invites {
		inv := &f.Invites[i]
		inv.ID = byCode[inv.Code]
		for c, st := range inv.Status {
			if st == "" {
				continue
			}
			invIDs, cerIDs, zoneIDs, statuses = append(invIDs, inv.ID), append(cerIDs, f.CeremonyIDs[c]), append(zoneIDs, zoneOfGuest[guestIDs[i]]), append(statuses, st)
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, zone_id, status)
		SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[])`, invIDs, cerIDs, zoneIDs, statuses); err != nil {
		return fmt.Errorf("vigil-load: seed invitation ceremonies: %w", err)
	}
	// Each answer has its line in the history, as the store writes it.
	if _, err := tx.Exec(ctx, `INSERT INTO invitation_events (invitation_id, at, via, action)
		SELECT id, responded_at, responded_via, 'answer' FROM invitations WHERE responded_at IS NOT NULL`); err != nil {
		return fmt.Errorf("vigil-load: seed history: %w", err)
	}
	return nil
}

// checkInAlphabet is the badge codes' alphabet (internal/invitation's).
const checkInAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

func checkInCode(rnd *mrand.Rand) string {
	b := make([]byte, 12)
	for i := range b {
		b[i] = checkInAlphabet[rnd.IntN(len(checkInAlphabet))]
	}
	return string(b)
}

// seedStaff makes the staff accounts: one per gate, one reading lists, one
// for the wall screens of the board.
func seedStaff(ctx context.Context, db *database.DB, f *Fixture) error {
	users := auth.NewStore(db.Gorm)
	add := func(email string) error {
		if _, err := users.Create(ctx, auth.NewUser{Email: email, Name: "Staff " + strings.Split(email, "@")[0], Role: auth.RoleStaff,
			Password: StaffPassword, Locale: "en"}); err != nil {
			return fmt.Errorf("vigil-load: seed user %s: %w", email, err)
		}
		return nil
	}
	for i := 1; i <= GateStaff; i++ {
		e := fmt.Sprintf("gate%d@vigil.local", i)
		if err := add(e); err != nil {
			return err
		}
		f.GateEmails = append(f.GateEmails, e)
	}
	f.ListEmail, f.BoardEmail = "lists@vigil.local", "board@vigil.local"
	if err := add(f.ListEmail); err != nil {
		return err
	}
	return add(f.BoardEmail)
}
