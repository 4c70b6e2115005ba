package delegation

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// DelegationInput is what a delegation form sets.
type DelegationInput struct {
	Name                   string
	Kind                   string
	Country                string
	ContactName            string
	ContactEmail           string
	ContactPhone           string
	Address                string
	Notes                  string
	CredentialsPresentedOn *time.Time
	Rank                   *int
}

func (in DelegationInput) apply(d *Delegation) {
	d.Name, d.Kind, d.Country = in.Name, in.Kind, in.Country
	d.ContactName, d.ContactEmail, d.ContactPhone = in.ContactName, in.ContactEmail, in.ContactPhone
	d.Address, d.Notes, d.Rank = in.Address, in.Notes, in.Rank
	// Only the diplomatic corps is ordered by credentials; a date kept on
	// another kind would come back to life if the kind changed again.
	d.CredentialsPresentedOn = nil
	if in.Kind == KindDiplomaticMission {
		d.CredentialsPresentedOn = in.CredentialsPresentedOn
	}
	d.SearchText = SearchText(d.Name, d.Country, CountryName("en", d.Country), CountryName("az", d.Country), CountryName("ru", d.Country))
}

// Delegation returns delegation id.
func (s *Store) Delegation(ctx context.Context, id int64) (*Delegation, error) {
	return one[Delegation](ctx, s.db, "delegation", id)
}

// DelegationFilter narrows the delegation list.
type DelegationFilter struct {
	Text string // any part of the name or country, folded
	Kind string
}

// DelegationSummary is a delegation with the number of its guests.
type DelegationSummary struct {
	Delegation
	Guests int
}

// Delegations returns the delegations matching f in order of precedence.
func (s *Store) Delegations(ctx context.Context, f DelegationFilter) ([]DelegationSummary, error) {
	q := s.db.WithContext(ctx).Table("delegations d").
		Select("d.*, (SELECT count(*) FROM guests g WHERE g.delegation_id = d.id) AS guests")
	if f.Kind != "" {
		q = q.Where("d.kind = ?", f.Kind)
	}
	for _, w := range strings.Fields(Fold(f.Text)) {
		q = q.Where("d.search_text LIKE ?", "%"+escapeLike(w)+"%")
	}
	var out []DelegationSummary
	if err := q.Order("d.precedence, d.id").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("delegation: list: %w", err)
	}
	return out, nil
}

// AllDelegations returns every delegation in order of precedence, for
// choosing one in a form.
func (s *Store) AllDelegations(ctx context.Context) ([]Delegation, error) {
	var ds []Delegation
	if err := s.db.WithContext(ctx).Order("precedence, id").Find(&ds).Error; err != nil {
		return nil, fmt.Errorf("delegation: list all: %w", err)
	}
	return ds, nil
}

// DelegationNames names every delegation, by id, with one query.
func (s *Store) DelegationNames(ctx context.Context) (map[int64]string, error) {
	var rows []struct {
		ID   int64
		Name string
	}
	if err := s.db.WithContext(ctx).Model(&Delegation{}).Select("id, name").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("delegation: names: %w", err)
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// CreateDelegation adds a delegation and places it in the order of
// precedence.
func (s *Store) CreateDelegation(ctx context.Context, in DelegationInput) (*Delegation, error) {
	d := &Delegation{Version: 1}
	in.apply(d)
	err := create(ctx, s.db, "delegation", d, func() int64 { return d.ID }, d.Name, recomputePrecedence)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// UpdateDelegation saves a delegation form. A new name is written into its
// guests' search text in the same transaction.
func (s *Store) UpdateDelegation(ctx context.Context, id int64, version int, in DelegationInput) (*Delegation, error) {
	return update(ctx, s.db, "delegation", id, version,
		func(_ *gorm.DB, d *Delegation) error { in.apply(d); return nil },
		func(d *Delegation) string { return d.Name },
		func(tx *gorm.DB, before, after *Delegation) error {
			if before.Name != after.Name {
				if err := reindexGuests(tx, "delegation_id = ?", after.ID); err != nil {
					return err
				}
			}
			return recomputePrecedence(tx)
		})
}

// DeleteDelegation deletes a delegation no guest or participation refers
// to; otherwise ErrInUse.
func (s *Store) DeleteDelegation(ctx context.Context, id int64) (*Delegation, error) {
	return remove(ctx, s.db, "delegation", id, func(d *Delegation) string { return d.Name }, recomputePrecedence)
}

// precedenceLock serialises recomputations of the order so that two
// concurrent edits cannot write positions from two different snapshots.
const precedenceLock = 7_301_001

// recomputePrecedence writes every delegation's position in the order of
// precedence, as SortByPrecedence orders them. It runs in the transaction
// of every change to a delegation; a few hundred rows take a millisecond.
func recomputePrecedence(tx *gorm.DB) error {
	if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", precedenceLock).Error; err != nil {
		return fmt.Errorf("delegation: lock precedence: %w", err)
	}
	var ds []Delegation
	if err := tx.Select("id", "kind", "credentials_presented_on", "rank", "name", "precedence").Find(&ds).Error; err != nil {
		return fmt.Errorf("delegation: load precedence: %w", err)
	}
	keys := make([]PrecedenceKey, len(ds))
	was := make(map[int64]int, len(ds))
	for i := range ds {
		keys[i] = ds[i].precedenceKey()
		was[ds[i].ID] = ds[i].Precedence
	}
	SortByPrecedence(keys)
	var ids []int64
	var pos []int
	for i, k := range keys {
		if was[k.ID] != i+1 {
			ids, pos = append(ids, k.ID), append(pos, i+1)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	err := tx.Exec(`UPDATE delegations d SET precedence = v.p
		FROM (SELECT unnest(?::bigint[]) AS id, unnest(?::integer[]) AS p) v WHERE d.id = v.id`, pgArray(ids), pgArray(pos)).Error
	if err != nil {
		return fmt.Errorf("delegation: write precedence: %w", err)
	}
	return nil
}

// pgArray writes numbers as a PostgreSQL array literal; GORM would expand a
// Go slice argument into a list.
func pgArray[T int | int64](xs []T) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(int64(x), 10))
	}
	b.WriteByte('}')
	return b.String()
}

// escapeLike escapes the LIKE wildcards in s.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
