package browsertest

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"vigil/internal/auth"
	"vigil/internal/testserver"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// account is a user a test created, with its password.
type account struct {
	ID       int64
	Email    string
	Name     string
	Password string
}

var userSeq atomic.Int64

// setup checks for Chromium first (so a machine without it skips before
// touching the database), then starts Vigil and opens a tab on it.
func setup(t *testing.T) (*testserver.Server, *Tab) {
	t.Helper()
	requireChromium(t)
	srv := testserver.Start(t)
	return srv, NewTab(t, srv.URL)
}

// createUser adds an account directly in the store.
func createUser(t *testing.T, srv *testserver.Server, role auth.Role, name, locale string) account {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n := userSeq.Add(1)
	a := account{
		Email:    fmt.Sprintf("%s%d@example.org", role, n),
		Name:     name,
		Password: "correct-horse-battery-" + string(role),
	}
	u, err := srv.App.Users.Create(ctx, auth.NewUser{Email: a.Email, Name: a.Name, Role: role, Password: a.Password, Locale: locale})
	if err != nil {
		t.Fatalf("create %s: %v", role, err)
	}
	a.ID = u.ID
	return a
}
