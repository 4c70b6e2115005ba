// Package demo fills a database with the demonstration data `vigil seed
// --demo` and `make run` provide: logistics only, in neutral wording.
// Every step is idempotent, so seeding twice changes nothing.
package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"time"

	"vigil/internal/auth"
	"vigil/internal/ceremony"
	"vigil/internal/delegation"
	"vigil/internal/invitation"
	"vigil/internal/venue"
)

// Account is a user the seed created, with the password to print once.
type Account struct {
	Email    string
	Password string
	Role     auth.Role
}

// EnsureOrganizer creates the first organizer when no user with email
// exists. It returns the account with its password only when it created it;
// password may be empty to have one generated.
func EnsureOrganizer(ctx context.Context, users *auth.Store, email, password string) (*Account, error) {
	return ensureUser(ctx, users, email, "Organizer", auth.RoleOrganizer, password)
}

func ensureUser(ctx context.Context, users *auth.Store, email, name string, role auth.Role, password string) (*Account, error) {
	_, err := users.ByEmail(ctx, email)
	if err == nil {
		return nil, nil
	}
	if !errors.Is(err, auth.ErrNotFound) {
		return nil, err
	}
	if password == "" {
		if password, err = GeneratePassword(); err != nil {
			return nil, err
		}
	}
	if msg := auth.CheckPasswordPolicy(password); msg != "" {
		return nil, fmt.Errorf("demo: password for %s: %s", email, msg)
	}
	if _, err := users.Create(ctx, auth.NewUser{Email: email, Name: name, Role: role, Password: password, Locale: "en"}); err != nil {
		if errors.Is(err, auth.ErrEmailTaken) {
			// Another seed run won the race; that one printed it.
			return nil, nil
		}
		return nil, err
	}
	return &Account{Email: email, Password: password, Role: role}, nil
}

// GeneratePassword returns 20 characters from an alphabet without look-alike
// letters, easy to type from a terminal.
func GeneratePassword() (string, error) {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", fmt.Errorf("demo: generate password: %w", err)
		}
		b[i] = alphabet[n.Int64()]
	}
	return string(b), nil
}

// Name of the demo commemoration; the seed finds it by this name.
const Name = "Annual Remembrance Ceremony"

// Seed adds the demo data that is missing and returns the demo accounts it
// created (with their passwords, to print once). invitations writes the
// demo invitations (app.DemoInvitations); nil leaves them out.
func Seed(ctx context.Context, users *auth.Store, ceremonies *ceremony.Store, venues *venue.Store, directory *delegation.Store, invitations *invitation.Store, now time.Time) ([]Account, error) {
	var created []Account
	staff, err := ensureUser(ctx, users, "staff@vigil.local", "Aysel Mammadova", auth.RoleStaff, "")
	if err != nil {
		return nil, err
	}
	if staff != nil {
		created = append(created, *staff)
	}
	org2, err := ensureUser(ctx, users, "protocol@vigil.local", "Rashad Aliyev", auth.RoleOrganizer, "")
	if err != nil {
		return nil, err
	}
	if org2 != nil {
		created = append(created, *org2)
	}

	c, err := ceremonies.ByName(ctx, Name)
	if errors.Is(err, ceremony.ErrNotFound) {
		c = &ceremony.Commemoration{
			Name:           Name,
			Description:    "Yearly wreath-laying and remembrance ceremony at the memorial in the Khatai district of Baku.",
			CommemoratedOn: time.Date(1992, time.February, 26, 0, 0, 0, 0, time.UTC),
			CeremonyMonth:  2,
			CeremonyDay:    26,
			TimeZone:       "Asia/Baku",
			DefaultLocale:  "az",
		}
		if err := ceremonies.CreateCommemoration(ctx, c); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	if err := seedPlanning(ctx, users, ceremonies, venues, c, now); err != nil {
		return nil, fmt.Errorf("demo: planning: %w", err)
	}
	// The guest directory and the delegations invited this year (see
	// directory.go).
	if err := seedDirectory(ctx, directory, ceremonies, c, now); err != nil {
		return nil, fmt.Errorf("demo: directory: %w", err)
	}
	if err := seedInvitations(ctx, invitations, users, ceremonies, venues, directory, c, now); err != nil {
		return nil, fmt.Errorf("demo: invitations: %w", err)
	}
	return created, nil
}
