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
	// One query: each ceremony with its zones (none: one row with no
	// zone). FOR UPDATE OF c locks the ceremony rows only.
	q := `SELECT c.id, c.capacity, z.id AS zone_id, z.capacity AS zone_capacity
		FROM ceremonies c
		LEFT JOIN ceremony_zones cz ON cz.ceremony_id = c.id
		LEFT JOIN zones z ON z.id = cz.zone_id
		WHERE c.id IN ? ORDER BY c.id`
	if lock {
		q += " FOR UPDATE OF c"
	}
	var rows []struct {
		ID           int64
		Capacity     *int
		ZoneID       *int64
		ZoneCapacity *int
	}
	if err := tx.WithContext(ctx).Raw(q, ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("ceremony: seat limits: %w", err)
	}
	sums := map[int64]int{}
	for _, r := range rows {
		st, ok := out[r.ID]
		if !ok {
			st = Seats{Capacity: r.Capacity, Zones: map[int64]int{}}
			out[r.ID] = st
		}
		if r.ZoneID != nil && r.ZoneCapacity != nil && *r.ZoneCapacity > 0 {
			st.Zones[*r.ZoneID] = *r.ZoneCapacity
			sums[r.ID] += *r.ZoneCapacity
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
