package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"vigil/internal/audit"
	"vigil/internal/testdb"
)

const pw = "a long enough password"

func newStore(t *testing.T) *Store {
	db, _ := testdb.New(t)
	return NewStore(db.Gorm)
}

func mustCreate(t *testing.T, s *Store, email string, role Role) *User {
	t.Helper()
	u, err := s.Create(context.Background(), NewUser{Email: email, Name: "Name " + email, Role: role, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("Şahin-Əliyev пароль")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=12288,t=3,p=1$") {
		t.Fatalf("hash format %q", h)
	}
	// A hash of an earlier version (19 MiB, 2 passes) still signs in:
	// it is checked with the parameters it carries.
	old := "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$" + base64.RawStdEncoding.EncodeToString(
		argon2.IDKey([]byte("Şahin-Əliyev пароль"), []byte("saltsaltsaltsalt"), 2, 19456, 1, 32))
	if ok, err := CheckPassword(old, "Şahin-Əliyev пароль"); !ok || err != nil {
		t.Fatalf("a 19 MiB hash no longer checks: %v %v", ok, err)
	}
	if ok, err := CheckPassword(h, "Şahin-Əliyev пароль"); !ok || err != nil {
		t.Fatalf("right password rejected: %v %v", ok, err)
	}
	if ok, _ := CheckPassword(h, "Sahin-Aliyev пароль"); ok {
		t.Fatal("wrong password accepted")
	}
	h2, _ := HashPassword("Şahin-Əliyev пароль")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
	if _, err := CheckPassword("$2a$10$bcrypt", "x"); err == nil {
		t.Fatal("malformed hash accepted")
	}
}

func TestCreateNormalizesAndRejectsDuplicates(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	u := mustCreate(t, s, "  Aysel.Mammadova@Example.ORG ", RoleStaff)
	if u.Email != "aysel.mammadova@example.org" {
		t.Fatalf("email stored as %q", u.Email)
	}
	_, err := s.Create(ctx, NewUser{Email: "AYSEL.MAMMADOVA@example.org", Name: "X", Role: RoleStaff, Password: pw})
	if !errors.Is(err, ErrEmailTaken) {
		t.Fatalf("duplicate e-mail: %v", err)
	}
	got, err := s.ByEmail(ctx, "aysel.mammadova@EXAMPLE.org")
	if err != nil || got.ID != u.ID {
		t.Fatalf("ByEmail: %v %v", got, err)
	}
	if strings.Contains(got.PasswordHash, pw) {
		t.Fatal("password stored in clear")
	}
}

func TestAuthenticate(t *testing.T) {
	s := newStore(t)
	svc := NewService(s, []byte("0123456789abcdef0123456789abcdef"))
	ctx := context.Background()
	u := mustCreate(t, s, "staff@example.org", RoleStaff)

	got, err := svc.Authenticate(ctx, "STAFF@example.org", pw, "10.0.0.1")
	if err != nil || got.ID != u.ID {
		t.Fatalf("right password: %v", err)
	}
	if _, err := svc.Authenticate(ctx, "staff@example.org", "wrong password!", "10.0.0.1"); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := svc.Authenticate(ctx, "nobody@example.org", pw, "10.0.0.1"); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("unknown e-mail: %v, want the same error as a wrong password", err)
	}

	// A disabled account cannot sign in, with the same answer.
	if _, err := s.Update(ctx, u.ID, u.Version, Changes{Name: u.Name, Email: u.Email, Role: u.Role, Locale: "en", Disabled: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, "staff@example.org", pw, "10.0.0.2"); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("disabled user: %v", err)
	}
}

func TestSignInThrottledPerAccount(t *testing.T) {
	s := newStore(t)
	svc := NewService(s, []byte("0123456789abcdef0123456789abcdef"))
	ctx := context.Background()
	mustCreate(t, s, "organizer@example.org", RoleOrganizer)
	for i := 0; i < MaxEmailFailure; i++ {
		// From different addresses: the account limit must still hold.
		ip := "10.0.1." + string(rune('1'+i))
		if _, err := svc.Authenticate(ctx, "organizer@example.org", "wrong password!", ip); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	_, err := svc.Authenticate(ctx, "organizer@example.org", pw, "10.0.9.9")
	var th *ThrottledError
	if !errors.As(err, &th) {
		t.Fatalf("after %d failures the right password got %v, want throttled", MaxEmailFailure, err)
	}
	if th.Minutes() < 1 || th.Minutes() > 15 {
		t.Fatalf("retry in %d minutes", th.Minutes())
	}
	// The window passes: sign-in works again and the count is cleared.
	svc.now = func() time.Time { return time.Now().Add(FailureWindow + time.Minute) }
	if _, err := svc.Authenticate(ctx, "organizer@example.org", pw, "10.0.9.9"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestSignInThrottledPerAddress(t *testing.T) {
	s := newStore(t)
	svc := NewService(s, []byte("0123456789abcdef0123456789abcdef"))
	ctx := context.Background()
	mustCreate(t, s, "staff@example.org", RoleStaff)
	for i := 0; i < MaxIPFailure; i++ {
		// Different accounts from one address (password spraying).
		email := "guess" + string(rune('a'+i)) + "@example.org"
		if _, err := svc.Authenticate(ctx, email, "wrong password!", "192.0.2.7"); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	var th *ThrottledError
	if _, err := svc.Authenticate(ctx, "staff@example.org", pw, "192.0.2.7"); !errors.As(err, &th) {
		t.Fatalf("address over the limit: %v, want throttled", err)
	}
	if _, err := svc.Authenticate(ctx, "staff@example.org", pw, "192.0.2.8"); err != nil {
		t.Fatalf("another address: %v", err)
	}
}

func TestUpdateVersionCheckAndAudit(t *testing.T) {
	db, _ := testdb.New(t)
	s := NewStore(db.Gorm)
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "tester"})
	mustCreate(t, s, "organizer@example.org", RoleOrganizer)
	u := mustCreate(t, s, "staff@example.org", RoleStaff)

	after, err := s.Update(ctx, u.ID, u.Version, Changes{Name: "Aysel Məmmədova", Email: u.Email, Role: RoleOrganizer, Locale: "az"})
	if err != nil {
		t.Fatal(err)
	}
	if after.Version != u.Version+1 || after.Role != RoleOrganizer {
		t.Fatalf("after update: %+v", after)
	}
	// A second editor with the old version is told, and nothing changes.
	_, err = s.Update(ctx, u.ID, u.Version, Changes{Name: "Other", Email: u.Email, Role: RoleStaff, Locale: "en"})
	if !errors.Is(err, ErrStale) {
		t.Fatalf("stale update: %v", err)
	}
	now, _ := s.ByID(ctx, u.ID)
	if now.Name != "Aysel Məmmədova" || now.Locale != "az" {
		t.Fatalf("stale update changed the row: %+v", now)
	}

	entries, _, err := audit.NewStore(db.Gorm).List(ctx, audit.Filter{EntityType: "user", EntityID: strconv.FormatInt(u.ID, 10)}, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Action != "update" || entries[0].Actor != "tester" {
		t.Fatalf("audit entries: %+v", entries)
	}
	changed := map[string]audit.FieldChange{}
	for _, f := range entries[0].Fields {
		changed[f.Field] = f
	}
	if changed["name"].Before != "Name staff@example.org" || changed["name"].After != "Aysel Məmmədova" || changed["role"].After != "organizer" {
		t.Fatalf("audit changes: %+v", entries[0].Fields)
	}
	if _, ok := changed["email"]; ok {
		t.Fatal("unchanged field recorded")
	}
}

func TestLastOrganizerCannotBeRemoved(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	a := mustCreate(t, s, "a@example.org", RoleOrganizer)
	b := mustCreate(t, s, "b@example.org", RoleOrganizer)

	// Demote both at once: exactly one may succeed.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, u := range []*User{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Update(ctx, u.ID, u.Version, Changes{Name: u.Name, Email: u.Email, Role: RoleStaff, Locale: "en"})
		}()
	}
	wg.Wait()
	ok, refused := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, ErrLastOrganizer):
			refused++
		default:
			t.Fatal(err)
		}
	}
	if ok != 1 || refused != 1 {
		t.Fatalf("concurrent demotions: %d succeeded, %d refused; want 1 and 1", ok, refused)
	}
}

func TestSetPasswordEndsSessions(t *testing.T) {
	db, _ := testdb.New(t)
	s := NewStore(db.Gorm)
	ctx := context.Background()
	u := mustCreate(t, s, "staff@example.org", RoleStaff)
	other := mustCreate(t, s, "other@example.org", RoleStaff)
	// Session rows as scs writes them: gob data containing the marker.
	for tok, id := range map[string]int64{"t1": u.ID, "t2": other.ID} {
		data := []byte("gob..." + sessionUserMarker(id) + "...")
		if err := db.Gorm.Exec("INSERT INTO sessions (token, data, expiry) VALUES (?, ?, now() + interval '1 hour')", tok, data).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetPassword(ctx, u.ID, "another long password"); err != nil {
		t.Fatal(err)
	}
	var left []string
	if err := db.Gorm.Raw("SELECT token FROM sessions ORDER BY token").Scan(&left).Error; err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0] != "t2" {
		t.Fatalf("sessions left: %v, want only the other user's", left)
	}
	got, _ := s.ByID(ctx, u.ID)
	if ok, _ := CheckPassword(got.PasswordHash, "another long password"); !ok {
		t.Fatal("new password does not work")
	}
}

func TestRoleAllows(t *testing.T) {
	cases := []struct {
		have, need Role
		want       bool
	}{
		{RoleOrganizer, RoleOrganizer, true},
		{RoleOrganizer, RoleStaff, true},
		{RoleStaff, RoleStaff, true},
		{RoleStaff, RoleOrganizer, false},
		{Role("guest"), RoleStaff, false},
	}
	for _, c := range cases {
		if got := c.have.Allows(c.need); got != c.want {
			t.Errorf("%s allows %s = %v, want %v", c.have, c.need, got, c.want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "/",
		"/users?page=2":        "/users?page=2",
		"//evil.example":       "/",
		"https://evil.example": "/",
		`/\evil.example`:       "/",
		"/x\r\nSet-Cookie: a":  "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
