package auth_test

import (
	"net/http"
	"strings"
	"testing"

	"vigil/internal/auth"
	"vigil/internal/testserver"
)

// The session row names its user, read with it: a new role, a disabled
// account and a session saved before the column existed all count on the
// next request once the change's notification has reached the server
// (here made by SQL on another connection; see session_cache.go).
func TestSessionStoreReadsTheUserWithTheSession(t *testing.T) {
	srv := testserver.Start(t)
	u := srv.AddUser(t, "organizer@example.org", auth.RoleOrganizer)
	c := srv.NewClient(t)
	c.Login("organizer@example.org")

	var owners []int64
	if err := srv.DB.Gorm.Raw("SELECT user_id FROM sessions WHERE user_id IS NOT NULL").Scan(&owners).Error; err != nil {
		t.Fatal(err)
	}
	if len(owners) != 1 || owners[0] != u.ID {
		t.Fatalf("sessions.user_id %v, want [%d]", owners, u.ID)
	}
	if resp, body := c.Get("/users"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "User organizer@example.org") {
		t.Fatalf("organizer page: %d", resp.StatusCode)
	}

	// A session saved before sessions.user_id existed: the user is looked up.
	// (The user is renamed too, so the page shows when the session was
	// read again rather than served from the server's copy.)
	srv.Exec(t, "UPDATE sessions SET user_id = NULL")
	srv.Exec(t, "UPDATE users SET name = 'Renamed Organizer' WHERE id = ?", u.ID)
	testserver.Eventually(t, "the session without user_id read again, with its user", func() bool {
		resp, body := c.Get("/users")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("session without user_id: %d", resp.StatusCode)
		}
		return strings.Contains(body, "Renamed Organizer")
	})
	// It gets the column on its next save (sign-in again).
	c.Login("organizer@example.org")

	// A new role counts on the next request.
	srv.Exec(t, "UPDATE users SET role = 'staff' WHERE id = ?", u.ID)
	took := testserver.Eventually(t, "the organizer page refused after the role became staff", func() bool {
		resp, _ := c.Get("/users")
		return resp.StatusCode == http.StatusForbidden
	})
	t.Logf("the new role counted after %v", took)
	// A disabled account's session ends.
	srv.Exec(t, "UPDATE users SET disabled_at = now() WHERE id = ?", u.ID)
	testserver.Eventually(t, "the sign-in page after the account was disabled", func() bool {
		resp, _ := c.Get("/")
		return resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login")
	})
	var n int64
	if err := srv.DB.Gorm.Raw("SELECT count(*) FROM sessions WHERE user_id = ?", u.ID).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d sessions of the disabled user remain", n)
	}
}
