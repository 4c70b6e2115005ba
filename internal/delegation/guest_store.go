package delegation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// GuestInput is what a guest form (or an import row) sets.
type GuestInput struct {
	Honorific          string
	GivenName          string
	FamilyName         string
	PrintedName        string
	Position           string
	Organisation       string
	DelegationID       *int64
	Email              string
	Phone              string
	Language           string
	AccessibilityNeeds string
	DietaryNeeds       string
	VIP                bool
	RestrictedNotes    string
}

// Apply copies the input onto g.
func (in GuestInput) Apply(g *Guest) {
	g.Honorific, g.GivenName, g.FamilyName, g.PrintedName = in.Honorific, in.GivenName, in.FamilyName, in.PrintedName
	g.Position, g.Organisation, g.DelegationID = in.Position, in.Organisation, in.DelegationID
	g.Email, g.Phone, g.Language = strings.ToLower(in.Email), in.Phone, in.Language
	if g.Language == "" {
		g.Language = "en"
	}
	g.AccessibilityNeeds, g.DietaryNeeds, g.VIP, g.RestrictedNotes = in.AccessibilityNeeds, in.DietaryNeeds, in.VIP, in.RestrictedNotes
}

// Guest returns guest id.
func (s *Store) Guest(ctx context.Context, id int64) (*Guest, error) {
	return one[Guest](ctx, s.db, "guest", id)
}

// delegationName is the name of delegation id inside tx ("" for none).
func delegationName(tx *gorm.DB, id *int64) (string, error) {
	if id == nil {
		return "", nil
	}
	var name string
	res := tx.Model(&Delegation{}).Where("id = ?", *id).Limit(1).Pluck("name", &name)
	if res.Error != nil {
		return "", fmt.Errorf("delegation: load name: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return "", ErrNotFound
	}
	return name, nil
}

// CreateGuest adds a guest. An e-mail another guest has makes
// ErrEmailTaken; a delegation that is gone makes ErrNotFound.
func (s *Store) CreateGuest(ctx context.Context, in GuestInput) (*Guest, error) {
	g := &Guest{Version: 1}
	in.Apply(g)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		name, err := delegationName(tx, g.DelegationID)
		if err != nil {
			return err
		}
		g.index(name)
		return create(ctx, tx, "guest", g, func() int64 { return g.ID }, g.FullName(), nil)
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// UpdateGuest saves a guest form.
func (s *Store) UpdateGuest(ctx context.Context, id int64, version int, in GuestInput) (*Guest, error) {
	return update(ctx, s.db, "guest", id, version,
		func(tx *gorm.DB, g *Guest) error {
			in.Apply(g)
			name, err := delegationName(tx, g.DelegationID)
			if err != nil {
				return err
			}
			g.index(name)
			return nil
		},
		func(g *Guest) string { return g.FullName() }, nil)
}

// DeleteGuest deletes a guest; a delegation it headed keeps no head.
func (s *Store) DeleteGuest(ctx context.Context, id int64) (*Guest, error) {
	return remove(ctx, s.db, "guest", id, func(g *Guest) string { return g.FullName() }, nil)
}

// reindexGuests rewrites the search text of the guests matching where, after
// their delegation's name changed.
func reindexGuests(tx *gorm.DB, where string, args ...any) error {
	var gs []Guest
	if err := tx.Where(where, args...).Find(&gs).Error; err != nil {
		return fmt.Errorf("delegation: reindex guests: %w", err)
	}
	names := map[int64]string{}
	for i := range gs {
		g := &gs[i]
		var name string
		if g.DelegationID != nil {
			n, ok := names[*g.DelegationID]
			if !ok {
				var err error
				if n, err = delegationName(tx, g.DelegationID); err != nil && !errors.Is(err, ErrNotFound) {
					return err
				}
				names[*g.DelegationID] = n
			}
			name = n
		}
		g.index(name)
		if err := tx.Model(g).UpdateColumns(map[string]any{"search_text": g.SearchText, "name_key": g.NameKey}).Error; err != nil {
			return fmt.Errorf("delegation: reindex guest %d: %w", g.ID, err)
		}
	}
	return nil
}

// Sort orders of the guest directory.
const (
	SortPrecedence = "precedence"
	SortName       = "name"
)

// GuestQuery is a search of the guest directory.
type GuestQuery struct {
	Text         string // any part of a name, e-mail, organisation or delegation
	DelegationID int64
	Kind         string
	Language     string
	VIPOnly      bool
	Sort         string // SortPrecedence (default) or SortName
	Locale       string // collation of names: en, az, ru
	Offset       int
	Limit        int
}

// GuestRow is one guest of a directory page.
type GuestRow struct {
	ID             int64
	Honorific      string
	GivenName      string
	FamilyName     string
	PrintedName    string
	Position       string
	Organisation   string
	Email          string
	Phone          string
	Language       string
	VIP            bool `gorm:"column:vip"`
	DelegationID   *int64
	DelegationName string
	DelegationKind string
	Country        string
	// Precedence is the delegation's position in the order of precedence.
	Precedence int
}

// collations are the ICU collations names sort by in each language: in
// Azerbaijani Ç follows C and Ə follows E; in Russian Cyrillic comes first.
var collations = map[string]string{"en": `"en-x-icu"`, "az": `"az-x-icu"`, "ru": `"ru-x-icu"`}

func collation(loc string) string {
	if c, ok := collations[loc]; ok {
		return c
	}
	return collations["en"]
}

// guestsMatching is the query of the guests (g, with their delegation d)
// matching q's text and filters; the directory, its count and the export
// share it.
func (s *Store) guestsMatching(ctx context.Context, q GuestQuery) *gorm.DB {
	where := s.db.WithContext(ctx).Table("guests g").Joins("LEFT JOIN delegations d ON d.id = g.delegation_id")
	for _, w := range strings.Fields(Fold(q.Text)) {
		where = where.Where("g.search_text LIKE ?", "%"+escapeLike(w)+"%")
	}
	if q.DelegationID > 0 {
		where = where.Where("g.delegation_id = ?", q.DelegationID)
	}
	if q.Kind != "" {
		where = where.Where("d.kind = ?", q.Kind)
	}
	if q.Language != "" {
		where = where.Where("g.language = ?", q.Language)
	}
	if q.VIPOnly {
		where = where.Where("g.vip")
	}
	return where
}

// order is q's ORDER BY: the order of precedence (VIPs first inside a
// delegation, guests without one last) or the family name, both collated
// in q's language.
func (q GuestQuery) order() string { return q.sortOrder(false) }

// sortOrder is order; with sort, written so that the planner sorts the
// rows rather than reading them through the order's index ("+ 0" and
// "|| ”" change no value).
func (q GuestQuery) sortOrder(sort bool) string {
	col := collation(q.Locale)
	family, prec := "g.family_name", "g.precedence"
	if sort {
		family, prec = "(g.family_name || '')", "g.precedence + 0"
	}
	byName := family + " COLLATE " + col + ", g.given_name COLLATE " + col + ", g.id"
	if q.Sort == SortName {
		return byName
	}
	// g.precedence is the delegation's position (migration 00004 keeps
	// it); an index per language serves this order.
	return prec + ", g.vip DESC, " + byName
}

// SearchGuests returns one page of the guests matching q, and how many
// match in all. Every word of the text must appear in the folded search
// text (a trigram index serves it), so "aliyev" finds "Əliyev".
func (s *Store) SearchGuests(ctx context.Context, q GuestQuery) ([]GuestRow, int, error) {
	limit := q.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	cols := guestRowColumns
	page := s.guestsMatching(ctx, q).Order(q.order()).Offset(q.Offset).Limit(limit)
	if strings.TrimSpace(q.Text) == "" {
		// Without text the page walks an index in order; the count is a
		// cheap scan of its own.
		var total int64
		if err := s.guestsMatching(ctx, q).Count(&total).Error; err != nil {
			return nil, 0, fmt.Errorf("delegation: count guests: %w", err)
		}
		var rows []GuestRow
		if err := page.Select(cols).Scan(&rows).Error; err != nil {
			return nil, 0, fmt.Errorf("delegation: list guests: %w", err)
		}
		return rows, int(total), nil
	}
	// Text has to be matched against every guest: one pass gives the page
	// and, through the window count, the total (matching twice, a count
	// and then the page, doubled the time of a search).
	var rows []struct {
		GuestRow
		Total int
	}
	// Every match is read for the count anyway, so sorting the matches
	// beats walking the order's index through all guests (measured: 13.6 ms
	// by the index, 7 ms by a scan and a sort, for 1,000 matches of
	// 20,000).
	page = s.guestsMatching(ctx, q).Order(q.sortOrder(true)).Offset(q.Offset).Limit(limit)
	if err := page.Select(cols + ", count(*) OVER () AS total").Scan(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("delegation: search guests: %w", err)
	}
	if len(rows) == 0 {
		if q.Offset == 0 {
			return nil, 0, nil
		}
		// A page past the end: count to tell how many there are.
		var total int64
		if err := s.guestsMatching(ctx, q).Count(&total).Error; err != nil {
			return nil, 0, fmt.Errorf("delegation: count guests: %w", err)
		}
		return nil, int(total), nil
	}
	out := make([]GuestRow, len(rows))
	for i, r := range rows {
		out[i] = r.GuestRow
	}
	return out, rows[0].Total, nil
}

// DelegationGuests returns the guests of delegation id by name.
func (s *Store) DelegationGuests(ctx context.Context, id int64) ([]Guest, error) {
	var gs []Guest
	err := s.db.WithContext(ctx).Where("delegation_id = ?", id).
		Order("vip DESC, family_name COLLATE \"und-x-icu\", given_name COLLATE \"und-x-icu\", id").Find(&gs).Error
	if err != nil {
		return nil, fmt.Errorf("delegation: guests of %d: %w", id, err)
	}
	return gs, nil
}

// guestRowColumns are the columns of a GuestRow.
const guestRowColumns = `g.id, g.honorific, g.given_name, g.family_name, g.printed_name, g.position,
	g.organisation, g.email, g.phone, g.language, g.vip, g.delegation_id, g.precedence,
	coalesce(d.name, '') AS delegation_name, coalesce(d.kind, '') AS delegation_kind, coalesce(d.country, '') AS country`

// GuestRows returns the guests ids (those that exist), in order of
// precedence.
func (s *Store) GuestRows(ctx context.Context, ids []int64) ([]GuestRow, error) {
	var rows []GuestRow
	if len(ids) == 0 {
		return rows, nil
	}
	err := s.db.WithContext(ctx).Table("guests g").Joins("LEFT JOIN delegations d ON d.id = g.delegation_id").
		Select(guestRowColumns).Where("g.id IN ?", ids).Order(GuestQuery{}.order()).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("delegation: guest rows: %w", err)
	}
	return rows, nil
}

// MatchingGuestIDs returns the ids of every guest q's text and filters
// select, in q's order (for inviting a filtered selection).
func (s *Store) MatchingGuestIDs(ctx context.Context, q GuestQuery) ([]int64, error) {
	var ids []int64
	if err := s.guestsMatching(ctx, q).Order(q.order()).Pluck("g.id", &ids).Error; err != nil {
		return nil, fmt.Errorf("delegation: matching guests: %w", err)
	}
	return ids, nil
}

// Heads returns, per delegation of delegationIDs that has one in edition
// editionID, the guest heading it.
func (s *Store) Heads(ctx context.Context, editionID int64, delegationIDs []int64) (map[int64]int64, error) {
	var rows []struct{ DelegationID, HeadGuestID int64 }
	err := s.db.WithContext(ctx).Table("participations").Select("delegation_id, head_guest_id").
		Where("edition_id = ? AND delegation_id IN ? AND head_guest_id IS NOT NULL", editionID, delegationIDs).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("delegation: heads: %w", err)
	}
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.DelegationID] = r.HeadGuestID
	}
	return out, nil
}
