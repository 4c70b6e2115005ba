package ceremony

import (
	"testing"
	"time"
)

func TestAnniversary(t *testing.T) {
	c := Commemoration{CommemoratedOn: time.Date(1992, 2, 26, 0, 0, 0, 0, time.UTC)}
	for year, want := range map[int]int{2024: 32, 2026: 34, 2027: 35, 1993: 1} {
		if got := c.Anniversary(year); got != want {
			t.Errorf("Anniversary(%d) = %d, want %d", year, got, want)
		}
	}
}

func TestNextCeremonyDate(t *testing.T) {
	baku, err := time.LoadLocation("Asia/Baku")
	if err != nil {
		t.Fatal(err)
	}
	c := Commemoration{CeremonyMonth: 2, CeremonyDay: 26, TimeZone: "Asia/Baku"}
	cases := []struct {
		now  time.Time
		want string
		days int
	}{
		{time.Date(2026, 11, 25, 12, 0, 0, 0, baku), "2027-02-26", 93},
		{time.Date(2026, 2, 26, 23, 59, 0, 0, baku), "2026-02-26", 0},
		// 21:00 UTC on the 25th is already the 26th in Baku (UTC+4).
		{time.Date(2026, 2, 25, 21, 0, 0, 0, time.UTC), "2026-02-26", 0},
		{time.Date(2026, 2, 27, 0, 0, 1, 0, baku), "2027-02-26", 364},
	}
	for _, tc := range cases {
		d, days := c.NextCeremonyDate(tc.now, baku)
		if d.Format("2006-01-02") != tc.want || days != tc.days {
			t.Errorf("now %v: %s in %d days, want %s in %d", tc.now, d.Format("2006-01-02"), days, tc.want, tc.days)
		}
	}
}

// Counting days across a daylight-saving change must not lose or gain one.
func TestDaysToGoAcrossDST(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	c := Commemoration{CeremonyMonth: 4, CeremonyDay: 2}
	// Clocks go forward on 29 March 2026.
	_, days := c.NextCeremonyDate(time.Date(2026, 3, 28, 23, 30, 0, 0, berlin), berlin)
	if days != 5 {
		t.Fatalf("28 March → 2 April across DST = %d days, want 5", days)
	}
	c = Commemoration{CeremonyMonth: 10, CeremonyDay: 26}
	// Clocks go back on 25 October 2026.
	_, days = c.NextCeremonyDate(time.Date(2026, 10, 24, 0, 30, 0, 0, berlin), berlin)
	if days != 2 {
		t.Fatalf("24 → 26 October across DST = %d days, want 2", days)
	}
}

func TestLeapDayFallsBack(t *testing.T) {
	c := Commemoration{CeremonyMonth: 2, CeremonyDay: 29}
	if d := c.CeremonyDate(2027, time.UTC); d.Format("01-02") != "02-28" {
		t.Fatalf("29 February in 2027 = %s", d.Format("01-02"))
	}
	if d := c.CeremonyDate(2028, time.UTC); d.Format("01-02") != "02-29" {
		t.Fatalf("29 February in 2028 = %s", d.Format("01-02"))
	}
}
