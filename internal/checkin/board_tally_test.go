package checkin_test

import (
	"fmt"
	"testing"
	"time"

	"vigil/internal/checkin"
)

// The scans' check-ins reach boards on another instance without the
// answers being read again: the announcement names the invitations, and
// the board counts them in the answers it keeps. Any other change (here an
// undo by hand in SQL, announced by the trigger) and a check-in of an
// answer made after the board read them have the answers read again, and
// every board ends on the numbers the database holds.
func TestBoardCountsScansWithoutReadingAgain(t *testing.T) {
	const arrivals = 30
	s := newFanSite(t, arrivals+1)
	streams := s.openBoards(t, 3, 0)
	time.Sleep(700 * time.Millisecond) // the first numbers, read once
	for _, st := range streams {
		st.drain()
	}

	reads := checkin.BoardFullReads()
	for _, inv := range s.invitations[:arrivals] {
		s.checkIn(t, inv)
	}
	deadline := time.Now().Add(10 * time.Second)
	for i, st := range streams {
		if _, ok := st.await(arrivals, deadline); !ok {
			t.Fatalf("board %d did not show the %d scans' arrivals", i, arrivals)
		}
	}
	if n := checkin.BoardFullReads() - reads; n != 0 {
		t.Errorf("%d reads of the answers for %d scans, want 0", n, arrivals)
	}

	// An undo by hand: the trigger's notification has them read again.
	reads = checkin.BoardFullReads()
	s.a.Exec(t, "UPDATE invitation_ceremonies SET checked_in_at = NULL WHERE invitation_id = ?", s.invitations[0])
	deadline = time.Now().Add(5 * time.Second)
	for i, st := range streams {
		if _, ok := st.await(arrivals-1, deadline); !ok {
			t.Fatalf("board %d did not show the undone check-in", i)
		}
	}
	if n := checkin.BoardFullReads() - reads; n < 1 {
		t.Error("the undo was counted without reading the answers")
	}

	// A guest invited after the board read its answers, then scanned:
	// the board does not know the answer, reads them again, and counts
	// the guest among the expected and the arrived.
	time.Sleep(700 * time.Millisecond)
	var ceremonyZone int64
	if err := s.a.DB.Gorm.Raw("SELECT zone_id FROM invitation_ceremonies WHERE invitation_id = ?", s.invitations[1]).Scan(&ceremonyZone).Error; err != nil {
		t.Fatal(err)
	}
	var edition, delegation int64
	if err := s.a.DB.Gorm.Raw("SELECT edition_id FROM invitations WHERE id = ?", s.invitations[1]).Scan(&edition).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.a.DB.Gorm.Raw("SELECT id FROM delegations LIMIT 1").Scan(&delegation).Error; err != nil {
		t.Fatal(err)
	}
	g := s.a.InsertID(t, "INSERT INTO guests (given_name, family_name, delegation_id) VALUES ('Late', 'Guest', ?)", delegation)
	late := s.a.InsertID(t, `INSERT INTO invitations (edition_id, guest_id, token_nonce, token_hash, check_in_code)
		VALUES (?, ?, 'late-n', 'late-h', ?)`, edition, g, fmt.Sprintf("LATE%08d", g))
	s.a.Exec(t, "INSERT INTO invitation_ceremonies (invitation_id, ceremony_id, zone_id, status) VALUES (?, ?, ?, 'accepted')", late, s.ceremony, ceremonyZone)
	reads = checkin.BoardFullReads()
	s.checkIn(t, late)
	deadline = time.Now().Add(5 * time.Second)
	for i, st := range streams {
		if _, ok := st.await(arrivals, deadline); !ok {
			t.Fatalf("board %d did not count the late guest's arrival", i)
		}
	}
	if n := checkin.BoardFullReads() - reads; n < 1 {
		t.Error("a check-in of an answer the board never read was counted without reading")
	}
}
