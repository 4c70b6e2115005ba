package ceremony

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"vigil/internal/audit"
)

// Programme returns a ceremony's run-of-show in order.
func (s *Store) Programme(ctx context.Context, ceremonyID int64) ([]ProgrammeItem, error) {
	var out []ProgrammeItem
	if err := s.db.WithContext(ctx).Where("ceremony_id = ?", ceremonyID).Order("starts_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("ceremony: programme: %w", err)
	}
	return out, nil
}

// Programmes returns the run-of-show of each of the ceremonies ids, in
// order, in one query.
func (s *Store) Programmes(ctx context.Context, ids []int64) (map[int64][]ProgrammeItem, error) {
	out := map[int64][]ProgrammeItem{}
	if len(ids) == 0 {
		return out, nil
	}
	var items []ProgrammeItem
	if err := s.db.WithContext(ctx).Where("ceremony_id IN ?", ids).Order("ceremony_id, starts_at, id").Find(&items).Error; err != nil {
		return nil, fmt.Errorf("ceremony: programmes: %w", err)
	}
	for _, it := range items {
		out[it.CeremonyID] = append(out[it.CeremonyID], it)
	}
	return out, nil
}

// CreateItem adds a programme item.
func (s *Store) CreateItem(ctx context.Context, it *ProgrammeItem) error {
	it.Version = 1
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(it).Error; err != nil {
			return fmt.Errorf("ceremony: create programme item: %w", err)
		}
		return audit.Write(ctx, tx, audit.Record{Action: "create", EntityType: "programme_item", EntityID: it.ID,
			Summary: "Added to the programme: " + it.Title, Changes: audit.Diff(nil, it)})
	})
}

// UpdateItem saves it if still at version. With shiftFollowing, every item
// that started at or after the old start of it moves by as much as its end
// moved, so the rest of the run-of-show keeps its rhythm.
func (s *Store) UpdateItem(ctx context.Context, it *ProgrammeItem, version int, shiftFollowing bool) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var before ProgrammeItem
		if err := tx.Where("ceremony_id = ? AND id = ?", it.CeremonyID, it.ID).First(&before).Error; err != nil {
			return notFound(err, "programme item")
		}
		if before.Version != version {
			return ErrStale
		}
		res := tx.Model(&ProgrammeItem{}).Where("id = ? AND version = ?", it.ID, version).Updates(map[string]any{
			"starts_at": it.StartsAt, "duration_minutes": it.DurationMinutes, "title": it.Title, "responsible": it.Responsible,
			"zone_id": it.ZoneID, "notes": it.Notes, "visibility": it.Visibility, "version": version + 1, "updated_at": time.Now().UTC(),
		})
		if res.Error != nil {
			return fmt.Errorf("ceremony: update programme item: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return ErrStale
		}
		summary := "Changed in the programme: " + it.Title
		if delta := it.EndsAt().Sub(before.EndsAt()); shiftFollowing && delta != 0 {
			q := tx.Model(&ProgrammeItem{}).
				Where("ceremony_id = ? AND id <> ? AND (starts_at > ? OR (starts_at = ? AND id > ?))", it.CeremonyID, it.ID, before.StartsAt, before.StartsAt, it.ID).
				Updates(map[string]any{
					"starts_at":  gorm.Expr("starts_at + make_interval(secs => ?)", delta.Seconds()),
					"version":    gorm.Expr("version + 1"),
					"updated_at": time.Now().UTC(),
				})
			if q.Error != nil {
				return fmt.Errorf("ceremony: shift following items: %w", q.Error)
			}
			summary += fmt.Sprintf("; %d following item(s) moved by %s", q.RowsAffected, delta)
		}
		return audit.Write(ctx, tx, audit.Record{Action: "update", EntityType: "programme_item", EntityID: it.ID,
			Summary: summary, Changes: audit.Diff(&before, it)})
	})
	if err == nil {
		it.Version = version + 1
	}
	return err
}

// DeleteItem removes a programme item.
func (s *Store) DeleteItem(ctx context.Context, ceremonyID, id int64) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var it ProgrammeItem
		if err := tx.Where("ceremony_id = ? AND id = ?", ceremonyID, id).First(&it).Error; err != nil {
			return notFound(err, "programme item")
		}
		if err := tx.Delete(&it).Error; err != nil {
			return fmt.Errorf("ceremony: delete programme item: %w", err)
		}
		return audit.Write(ctx, tx, audit.Record{Action: "delete", EntityType: "programme_item", EntityID: id,
			Summary: "Removed from the programme: " + it.Title})
	})
}

// ErrNoNeighbour means an item is already first (or last).
var ErrNoNeighbour = errors.New("ceremony: no item to swap with")

// MoveItem swaps an item with the one before it (up) or after it. The pair
// keeps its place in the day: the earlier of the two now starts where the
// first one started, and the other follows it directly.
func (s *Store) MoveItem(ctx context.Context, ceremonyID, id int64, up bool) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var items []ProgrammeItem
		if err := tx.Where("ceremony_id = ?", ceremonyID).Order("starts_at, id").Find(&items).Error; err != nil {
			return fmt.Errorf("ceremony: load programme: %w", err)
		}
		i := -1
		for k, it := range items {
			if it.ID == id {
				i = k
			}
		}
		if i < 0 {
			return ErrNotFound
		}
		j := i + 1
		if up {
			j = i - 1
		}
		if j < 0 || j >= len(items) {
			return ErrNoNeighbour
		}
		first, second := items[min(i, j)], items[max(i, j)]
		// second moves to first's start; first follows second.
		newSecond := first.StartsAt
		newFirst := newSecond.Add(time.Duration(second.DurationMinutes) * time.Minute)
		for _, u := range []struct {
			id int64
			at time.Time
		}{{second.ID, newSecond}, {first.ID, newFirst}} {
			if err := tx.Model(&ProgrammeItem{}).Where("id = ?", u.id).Updates(map[string]any{
				"starts_at": u.at, "version": gorm.Expr("version + 1"), "updated_at": time.Now().UTC(),
			}).Error; err != nil {
				return fmt.Errorf("ceremony: move programme item: %w", err)
			}
		}
		return audit.Write(ctx, tx, audit.Record{Action: "move", EntityType: "programme_item", EntityID: id,
			Summary: fmt.Sprintf("Swapped %q and %q in the programme", first.Title, second.Title)})
	})
}

// LogisticsCopier copies a ceremony's logistics when a new edition is
// started; the venue package does it, inside this package's transaction.
type LogisticsCopier interface {
	CopyLogistics(ctx context.Context, tx *gorm.DB, fromEdition, toEdition int64, ceremonyIDs map[int64]int64, shift func(time.Time) time.Time) error
}

// StartNextEdition creates the edition of the following year from from, in
// one transaction: its ceremonies (not the cancelled ones; as drafts) with
// their zones and programme, and, through logistics, resources, transport
// and tasks — every date moved by one year in loc. Answers and check-ins are
// not copied.
func (s *Store) StartNextEdition(ctx context.Context, from *Edition, loc *time.Location, logistics LogisticsCopier) (*Edition, error) {
	shift := func(t time.Time) time.Time { return ShiftYear(t, 1, loc) }
	next := &Edition{
		CommemorationID: from.CommemorationID, Year: from.Year + 1, Status: EditionPlanning,
		ReminderDays: from.ReminderDays, Notes: from.Notes, CopiedFromID: &from.ID, Version: 1,
	}
	if from.RSVPDeadline != nil {
		d := ShiftYear(*from.RSVPDeadline, 1, time.UTC)
		next.RSVPDeadline = &d
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(next).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return ErrEditionExists
			}
			return fmt.Errorf("ceremony: create next edition: %w", err)
		}
		var cs []Ceremony
		if err := tx.Where("edition_id = ? AND status <> ?", from.ID, CeremonyCancelled).Order("starts_at, id").Find(&cs).Error; err != nil {
			return fmt.Errorf("ceremony: load ceremonies to copy: %w", err)
		}
		if err := s.loadZones(ctx, tx, cs); err != nil {
			return err
		}
		ids := map[int64]int64{}
		for _, c := range cs {
			oldID := c.ID
			c.ID = 0
			c.EditionID = next.ID
			c.StartsAt, c.EndsAt = shift(c.StartsAt), shift(c.EndsAt)
			c.Status = CeremonyDraft
			c.Version = 1
			c.CreatedAt, c.UpdatedAt = time.Time{}, time.Time{}
			if err := tx.Omit("ZoneIDs").Create(&c).Error; err != nil {
				return fmt.Errorf("ceremony: copy ceremony %d: %w", oldID, err)
			}
			if err := s.setZones(ctx, tx, &c); err != nil {
				return err
			}
			ids[oldID] = c.ID
			var items []ProgrammeItem
			if err := tx.Where("ceremony_id = ?", oldID).Find(&items).Error; err != nil {
				return fmt.Errorf("ceremony: load programme to copy: %w", err)
			}
			for _, it := range items {
				it.ID, it.CeremonyID, it.StartsAt, it.Version = 0, c.ID, shift(it.StartsAt), 1
				it.CreatedAt, it.UpdatedAt = time.Time{}, time.Time{}
				if err := tx.Create(&it).Error; err != nil {
					return fmt.Errorf("ceremony: copy programme item: %w", err)
				}
			}
		}
		if logistics != nil {
			if err := logistics.CopyLogistics(ctx, tx, from.ID, next.ID, ids, shift); err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, audit.Record{Action: "create", EntityType: "edition", EntityID: next.ID,
			Summary: fmt.Sprintf("Started edition %d from %d: %d ceremonies copied", next.Year, from.Year, len(cs)),
			Changes: audit.Diff(nil, next)})
	})
	if err != nil {
		return nil, err
	}
	return next, nil
}
