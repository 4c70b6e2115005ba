package auth_test

import (
	"net/http"
	"strings"
	"testing"

	"vigil/internal/auth"
	"vigil/internal/testserver"
)

// The session row names its user, and the user read with it is read fresh
// on every request: a new role, a disabled account and a session saved
// before the column existed all count at once.
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
	srv.Exec(t, "UPDATE sessions SET user_id = NULL")
	if resp, _ := c.Get("/users"); resp.StatusCode != http.StatusOK {
		t.Fatalf("session without user_id: %d", resp.StatusCode)
	}
	// It gets the column on its next save (sign-in again).
	c.Login("organizer@example.org")

	// A new role counts on the next request.
	srv.Exec(t, "UPDATE users SET role = 'staff' WHERE id = ?", u.ID)
	if resp, _ := c.Get("/users"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("organizer page after the role became staff: %d, want 403", resp.StatusCode)
	}
	// A disabled account's session ends.
	srv.Exec(t, "UPDATE users SET disabled_at = now() WHERE id = ?", u.ID)
	resp, _ := c.Get("/")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("after the account was disabled: %d %q, want the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
	}
	var n int64
	if err := srv.DB.Gorm.Raw("SELECT count(*) FROM sessions WHERE user_id = ?", u.ID).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d sessions of the disabled user remain", n)
	}
}
