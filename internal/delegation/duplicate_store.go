package delegation

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"vigil/internal/audit"
)

// nameSimilarity is how alike two folded names must be (pg_trgm
// similarity, 0–1) to be offered as the same person: "Leyla Məmmədova" and
// "Leila Mammadova" are 0.6 alike, two different people of one embassy
// rarely above 0.4.
const nameSimilarity = 0.55

// DuplicatePair is two guests that may be one person.
type DuplicatePair struct {
	A, B       GuestRow
	Similarity float64
	SameName   bool
}

// Duplicates lists up to limit pairs of guests that may be the same
// person: a very similar name in the same delegation, or the same name
// anywhere. Pairs an organizer marked distinct are left out. (The same
// e-mail cannot occur twice: the directory refuses it and imports match on
// it.)
func (s *Store) Duplicates(ctx context.Context, limit int) ([]DuplicatePair, error) {
	type pair struct {
		A, B       int64
		Similarity float64
	}
	var pairs []pair
	err := s.db.WithContext(ctx).Raw(`
		SELECT a.id AS a, b.id AS b, similarity(a.name_key, b.name_key) AS similarity
		FROM guests a JOIN guests b ON a.id < b.id
		 AND (a.name_key = b.name_key
		      OR (a.delegation_id = b.delegation_id AND similarity(a.name_key, b.name_key) >= ?))
		WHERE NOT EXISTS (SELECT 1 FROM guest_distinct_pairs x WHERE x.guest_a = a.id AND x.guest_b = b.id)
		ORDER BY similarity DESC, a.id, b.id
		LIMIT ?`, nameSimilarity, limit).Scan(&pairs).Error
	if err != nil {
		return nil, fmt.Errorf("delegation: find duplicates: %w", err)
	}
	if len(pairs) == 0 {
		return nil, nil
	}
	ids := make([]int64, 0, 2*len(pairs))
	for _, p := range pairs {
		ids = append(ids, p.A, p.B)
	}
	var rows []GuestRow
	err = s.db.WithContext(ctx).Table("guests g").Joins("LEFT JOIN delegations d ON d.id = g.delegation_id").
		Select(`g.id, g.honorific, g.given_name, g.family_name, g.printed_name, g.position, g.organisation,
			g.email, g.phone, g.language, g.vip, g.delegation_id, coalesce(d.name, '') AS delegation_name`).
		Where("g.id IN ?", ids).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("delegation: load duplicates: %w", err)
	}
	byID := map[int64]GuestRow{}
	for _, r := range rows {
		byID[r.ID] = r
	}
	out := make([]DuplicatePair, 0, len(pairs))
	for _, p := range pairs {
		out = append(out, DuplicatePair{A: byID[p.A], B: byID[p.B], Similarity: p.Similarity, SameName: p.Similarity >= 0.999})
	}
	return out, nil
}

// MarkDistinct records that guests a and b are different people.
func (s *Store) MarkDistinct(ctx context.Context, a, b int64) error {
	if a > b {
		a, b = b, a
	}
	if a == b {
		return ErrNotFound
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`INSERT INTO guest_distinct_pairs (guest_a, guest_b) VALUES (?, ?) ON CONFLICT DO NOTHING`, a, b)
		if res.Error != nil {
			if errors.Is(res.Error, gorm.ErrForeignKeyViolated) {
				return ErrNotFound
			}
			return fmt.Errorf("delegation: mark distinct: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return nil // marked before: a resubmit changes nothing twice
		}
		return audit.Write(ctx, tx, audit.Record{Action: "distinct", EntityType: "guest", EntityID: a,
			Summary: fmt.Sprintf("Guests %d and %d marked as different people", a, b)})
	})
}

// GuestMover moves what another domain keeps about a guest (invitations,
// answers, check-ins) from one guest to another, inside the merge's
// transaction. The invitation package implements it.
type GuestMover interface {
	MoveGuest(ctx context.Context, tx *gorm.DB, from, to int64) error
}

// MergeFields names the fields whose value comes from the guest merged
// away rather than from the one kept.
type MergeFields map[string]bool

// mergeable are the fields a merge can take from either guest, in form
// order.
var mergeable = []string{
	"honorific", "given_name", "family_name", "printed_name", "position", "organisation", "delegation_id",
	"email", "phone", "language", "accessibility_needs", "dietary_needs", "vip", "restricted_notes",
}

// take copies the fields named in from onto keep.
func (f MergeFields) take(keep, from *Guest) {
	pick := func(name string, dst *string, src string) {
		if f[name] {
			*dst = src
		}
	}
	pick("honorific", &keep.Honorific, from.Honorific)
	pick("given_name", &keep.GivenName, from.GivenName)
	pick("family_name", &keep.FamilyName, from.FamilyName)
	pick("printed_name", &keep.PrintedName, from.PrintedName)
	pick("position", &keep.Position, from.Position)
	pick("organisation", &keep.Organisation, from.Organisation)
	pick("email", &keep.Email, from.Email)
	pick("phone", &keep.Phone, from.Phone)
	pick("language", &keep.Language, from.Language)
	pick("accessibility_needs", &keep.AccessibilityNeeds, from.AccessibilityNeeds)
	pick("dietary_needs", &keep.DietaryNeeds, from.DietaryNeeds)
	pick("restricted_notes", &keep.RestrictedNotes, from.RestrictedNotes)
	if f["delegation_id"] {
		keep.DelegationID = from.DelegationID
	}
	if f["vip"] {
		keep.VIP = from.VIP
	}
}

// MergeGuests merges guest drop into guest keep, in one transaction: keep
// takes the fields named in take from drop; every record that refers to
// drop (participations it heads, and through movers invitations and
// check-ins) then refers to keep; drop is deleted; the audit log keeps
// drop's values. Merging a guest already merged is ErrNotFound.
func (s *Store) MergeGuests(ctx context.Context, keepID, dropID int64, take MergeFields, movers ...GuestMover) (*Guest, error) {
	if keepID == dropID {
		return nil, ErrNotFound
	}
	var keep Guest
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var both []Guest
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id IN ?", []int64{keepID, dropID}).Order("id").Find(&both).Error; err != nil {
			return fmt.Errorf("delegation: load guests to merge: %w", err)
		}
		if len(both) != 2 {
			return ErrNotFound
		}
		drop := both[1]
		keep = both[0]
		if keep.ID != keepID {
			keep, drop = drop, keep
		}
		before := keep
		if err := tx.Exec("UPDATE participations SET head_guest_id = ? WHERE head_guest_id = ?", keep.ID, drop.ID).Error; err != nil {
			return fmt.Errorf("delegation: move participations: %w", err)
		}
		for _, m := range movers {
			if err := m.MoveGuest(ctx, tx, drop.ID, keep.ID); err != nil {
				return err
			}
		}
		// Delete first: the e-mail kept may be the one drop had.
		if err := tx.Delete(&drop).Error; err != nil {
			return writeErr("guest", err)
		}
		take.take(&keep, &drop)
		name, err := delegationName(tx, keep.DelegationID)
		if err != nil {
			return err
		}
		keep.index(name)
		keep.Version++
		if err := tx.Model(&keep).Select("*").Omit("id", "created_at").Updates(&keep).Error; err != nil {
			return writeErr("guest", err)
		}
		rec := audit.DeleteRecord("guest", drop.ID, fmt.Sprintf("Merged into %s (guest %d)", keep.FullName(), keep.ID), &drop)
		rec.Action = "merge"
		if err := audit.Write(ctx, tx, rec); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Record{Action: "merge", EntityType: "guest", EntityID: keep.ID,
			Summary: fmt.Sprintf("Merged %s (guest %d) into this guest", drop.FullName(), drop.ID),
			Changes: audit.Diff(&before, &keep)})
	})
	if err != nil {
		return nil, err
	}
	return &keep, nil
}
