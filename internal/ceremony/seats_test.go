package ceremony

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"
)

// A ceremony's seats are its own capacity or the sum of its zones'; each
// zone keeps its own limit; a ceremony with neither has no limit.
func TestSeatLimits(t *testing.T) {
	f := setup(t, "Asia/Baku")
	start := time.Date(2026, 2, 26, 11, 0, 0, 0, f.loc)
	both, err := f.ceremony(t, "Wreath-laying", start, 60, f.zones...)
	if err != nil {
		t.Fatal(err)
	}
	own, err := f.ceremony(t, "Reception", start.Add(3*time.Hour), 60, f.zones[0])
	if err != nil {
		t.Fatal(err)
	}
	f.db.Exec("UPDATE ceremonies SET capacity = 30 WHERE id = ?", own.ID)
	free, err := f.ceremony(t, "Concert", start.Add(6*time.Hour), 60)
	if err != nil {
		t.Fatal(err)
	}
	err = f.db.Transaction(func(tx *gorm.DB) error {
		seats, err := f.s.SeatLimits(context.Background(), tx, []int64{both.ID, own.ID, free.ID}, true)
		if err != nil {
			return err
		}
		if s := seats[both.ID]; s.Capacity == nil || *s.Capacity != 200 || len(s.Zones) != 2 || s.Zones[f.zones[1]] != 100 {
			t.Errorf("two zones of 100: %+v", s)
		}
		if s := seats[own.ID]; s.Capacity == nil || *s.Capacity != 30 || s.Zones[f.zones[0]] != 100 {
			t.Errorf("own capacity 30 with a zone: %+v", s)
		}
		if s, ok := seats[free.ID]; !ok || s.Capacity != nil || len(s.Zones) != 0 {
			t.Errorf("no zones, no capacity: %+v %v", s, ok)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
