package ceremony

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// Seats are the places of one ceremony.
type Seats struct {
	// Capacity is the ceremony's own capacity or, when it has none, the sum
	// of its zones' capacities; nil when neither is set (no limit).
	Capacity *int
	// Zones are the capacities of the ceremony's zones that have one.
	Zones map[int64]int
}

// SeatLimits returns the seats of the ceremonies ids, read inside the
// caller's transaction tx. With lock, the ceremony rows are locked (in id
// order, so that two answers naming the same ceremonies cannot deadlock)
// until tx ends: the invitation package counts the seats taken under this
// lock, so concurrent answers take turns and never overbook.
func (s *Store) SeatLimits(ctx context.Context, tx *gorm.DB, ids []int64, lock bool) (map[int64]Seats, error) {
	out := map[int64]Seats{}
	if len(ids) == 0 {
		return out, nil
	}
	q := "SELECT id, capacity FROM ceremonies WHERE id IN ? ORDER BY id"
	if lock {
		q += " FOR UPDATE"
	}
	var rows []struct {
		ID       int64
		Capacity *int
	}
	if err := tx.WithContext(ctx).Raw(q, ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("ceremony: seat limits: %w", err)
	}
	var zones []struct {
		CeremonyID, ZoneID int64
		Capacity           int
	}
	err := tx.WithContext(ctx).Raw(`SELECT cz.ceremony_id, z.id AS zone_id, z.capacity
		FROM ceremony_zones cz JOIN zones z ON z.id = cz.zone_id WHERE cz.ceremony_id IN ?`, ids).Scan(&zones).Error
	if err != nil {
		return nil, fmt.Errorf("ceremony: zone limits: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = Seats{Capacity: r.Capacity, Zones: map[int64]int{}}
	}
	sums := map[int64]int{}
	for _, z := range zones {
		if z.Capacity > 0 {
			out[z.CeremonyID].Zones[z.ZoneID] = z.Capacity
			sums[z.CeremonyID] += z.Capacity
		}
	}
	for id, st := range out {
		if st.Capacity == nil && sums[id] > 0 {
			n := sums[id]
			st.Capacity = &n
			out[id] = st
		}
	}
	return out, nil
}
