package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"vigil/internal/audit"
)

// Domain errors the handlers turn into messages.
var (
	ErrNotFound      = errors.New("auth: user not found")
	ErrEmailTaken    = errors.New("auth: e-mail already in use")
	ErrStale         = errors.New("auth: user was changed by someone else")
	ErrLastOrganizer = errors.New("auth: the last active organizer cannot be disabled or demoted")
)

// Store reads and writes users and sign-in failures.
type Store struct {
	db *gorm.DB
	// changed hears of every change of a user made here, once committed
	// (the session store's copies of that user go at once).
	changed func(id int64)
}

// NewStore returns a store over db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db, changed: func(int64) {}} }

// OnChange makes f hear of every change of a user this store commits.
func (s *Store) OnChange(f func(id int64)) { s.changed = f }

// NormalizeEmail is how e-mails are compared and stored.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NewUser is what creating an account takes.
type NewUser struct {
	Email    string
	Name     string
	Role     Role
	Password string
	Locale   string
}

// Create adds a user, hashing the password.
func (s *Store) Create(ctx context.Context, in NewUser) (*User, error) {
	hash, err := HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	loc := in.Locale
	if loc == "" {
		loc = "en"
	}
	u := &User{Email: NormalizeEmail(in.Email), Name: strings.TrimSpace(in.Name), Role: in.Role, PasswordHash: hash, Locale: loc, Version: 1}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(u).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return ErrEmailTaken
			}
			return fmt.Errorf("auth: create user: %w", err)
		}
		return audit.Write(ctx, tx, audit.Record{
			Action: "create", EntityType: "user", EntityID: u.ID,
			Summary: "Created user " + u.Email, Changes: audit.Diff(nil, u),
		})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// ByID returns the user with id.
func (s *Store) ByID(ctx context.Context, id int64) (*User, error) {
	var u User
	err := s.db.WithContext(ctx).First(&u, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("auth: user %d: %w", id, err)
	}
	u.Disabled = u.DisabledAt != nil
	return &u, nil
}

// ByEmail returns the user with email (compared case-insensitively).
func (s *Store) ByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	err := s.db.WithContext(ctx).Where("email = ?", NormalizeEmail(email)).First(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("auth: user by e-mail: %w", err)
	}
	u.Disabled = u.DisabledAt != nil
	return &u, nil
}

// Names returns the names of the users with ids, in one query: lists and
// histories name the staff who recorded answers or checked guests in,
// and asking for them one at a time cost a round trip each. Ids of users
// that no longer exist are left out.
func (s *Store) Names(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   int64
		Name string
	}
	if err := s.db.WithContext(ctx).Model(&User{}).Select("id, name").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("auth: user names: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// ListFilter narrows the user list.
type ListFilter struct {
	Query string
	Role  Role
}

// List returns one page of users ordered by name, and the total.
func (s *Store) List(ctx context.Context, f ListFilter, offset, limit int) ([]User, int64, error) {
	q := s.db.WithContext(ctx).Model(&User{})
	if f.Query != "" {
		like := "%" + escapeLike(strings.ToLower(f.Query)) + "%"
		q = q.Where("lower(name) LIKE ? OR email LIKE ?", like, like)
	}
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("auth: count users: %w", err)
	}
	var users []User
	if err := q.Order("disabled_at IS NOT NULL, lower(name), id").Offset(offset).Limit(limit).Find(&users).Error; err != nil {
		return nil, 0, fmt.Errorf("auth: list users: %w", err)
	}
	for i := range users {
		users[i].Disabled = users[i].DisabledAt != nil
	}
	return users, total, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// SetLocale remembers the language a user chose with the language switch.
// It is a preference, not an edit of the account: no version check, no
// audit entry.
func (s *Store) SetLocale(ctx context.Context, id int64, loc string) error {
	if err := s.db.WithContext(ctx).Model(&User{}).Where("id = ?", id).Update("locale", loc).Error; err != nil {
		return fmt.Errorf("auth: set locale: %w", err)
	}
	s.changed(id)
	return nil
}

// Changes is an edit of a user's account.
type Changes struct {
	Name     string
	Email    string
	Role     Role
	Locale   string
	Disabled bool
}

// Update applies ch to user id if it is still at version; a newer version
// means someone else saved first, and ErrStale is returned with nothing
// changed. The last active organizer can be neither demoted nor disabled,
// so Vigil never locks its organizers out.
func (s *Store) Update(ctx context.Context, id int64, version int, ch Changes) (*User, error) {
	defer s.changed(id) // after the commit (or the rollback: forgetting is always safe)
	var after User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var before User
		// Lock organizers so two concurrent demotions cannot both pass
		// the last-organizer check.
		if err := tx.Exec("SELECT id FROM users WHERE role = 'organizer' FOR UPDATE").Error; err != nil {
			return fmt.Errorf("auth: lock organizers: %w", err)
		}
		if err := tx.First(&before, id).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return fmt.Errorf("auth: load user: %w", err)
		}
		before.Disabled = before.DisabledAt != nil
		if before.Version != version {
			return ErrStale
		}
		losesOrganizer := before.Role == RoleOrganizer && !before.Disabled && (ch.Role != RoleOrganizer || ch.Disabled)
		if losesOrganizer {
			var others int64
			if err := tx.Model(&User{}).Where("role = 'organizer' AND disabled_at IS NULL AND id <> ?", id).Count(&others).Error; err != nil {
				return fmt.Errorf("auth: count organizers: %w", err)
			}
			if others == 0 {
				return ErrLastOrganizer
			}
		}
		after = before
		after.Name = strings.TrimSpace(ch.Name)
		after.Email = NormalizeEmail(ch.Email)
		after.Role = ch.Role
		after.Locale = ch.Locale
		after.Disabled = ch.Disabled
		switch {
		case ch.Disabled && before.DisabledAt == nil:
			now := time.Now().UTC()
			after.DisabledAt = &now
		case !ch.Disabled:
			after.DisabledAt = nil
		}
		after.Version = before.Version + 1
		after.UpdatedAt = time.Now().UTC()
		res := tx.Model(&User{}).Where("id = ? AND version = ?", id, version).Updates(map[string]any{
			"name": after.Name, "email": after.Email, "role": after.Role, "locale": after.Locale,
			"disabled_at": after.DisabledAt, "version": after.Version, "updated_at": after.UpdatedAt,
		})
		if res.Error != nil {
			if errors.Is(res.Error, gorm.ErrDuplicatedKey) {
				return ErrEmailTaken
			}
			return fmt.Errorf("auth: update user: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return ErrStale
		}
		changes := audit.Diff(&before, &after)
		if len(changes) == 0 {
			return nil
		}
		if ch.Disabled && !before.Disabled {
			// A disabled user must not keep a live session anywhere.
			if err := deleteSessionsOf(tx, id); err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, audit.Record{
			Action: "update", EntityType: "user", EntityID: id,
			Summary: "Updated user " + after.Email, Changes: changes,
		})
	})
	if err != nil {
		return nil, err
	}
	return &after, nil
}

// SetPassword replaces a user's password and ends their other sessions.
func (s *Store) SetPassword(ctx context.Context, id int64, password string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	defer s.changed(id)
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&User{}).Where("id = ?", id).Updates(map[string]any{
			"password_hash": hash, "updated_at": time.Now().UTC(), "version": gorm.Expr("version + 1"),
		})
		if res.Error != nil {
			return fmt.Errorf("auth: set password: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		if err := deleteSessionsOf(tx, id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Record{
			Action: "password", EntityType: "user", EntityID: id, Summary: "Password reset",
			Changes: map[string]audit.Change{"password": {After: "(changed)"}},
		})
	})
}

// deleteSessionsOf ends every session of a user. scs stores the user id
// inside the gob-encoded data, so sessions are tagged with a readable marker
// too (see sessionUserMarker) and matched on that.
func deleteSessionsOf(tx *gorm.DB, id int64) error {
	if err := tx.Exec("DELETE FROM sessions WHERE position(convert_to(?, 'UTF8') in data) > 0", sessionUserMarker(id)).Error; err != nil {
		return fmt.Errorf("auth: end sessions of user %d: %w", id, err)
	}
	return nil
}

// recordLogin stamps the sign-in time and writes the audit entry.
func (s *Store) recordLogin(ctx context.Context, u *User) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Update("last_login_at", time.Now().UTC()).Error; err != nil {
			return fmt.Errorf("auth: record login: %w", err)
		}
		return audit.Write(ctx, tx, audit.Record{Action: "login", EntityType: "user", EntityID: u.ID, Summary: "Signed in"})
	})
}

// loginFailure is one failed sign-in attempt.
type loginFailure struct {
	ID       int64 `gorm:"primaryKey"`
	IPKey    string
	EmailKey string
	At       time.Time
}

func (loginFailure) TableName() string { return "login_failures" }

func (s *Store) addFailure(ctx context.Context, ipKey, emailKey string) error {
	f := loginFailure{IPKey: ipKey, EmailKey: emailKey, At: time.Now().UTC()}
	if err := s.db.WithContext(ctx).Create(&f).Error; err != nil {
		return fmt.Errorf("auth: record failure: %w", err)
	}
	return nil
}

// failures counts recent failures from an address and for an account, and
// when the oldest of each that counts will age out.
func (s *Store) failures(ctx context.Context, ipKey, emailKey string, since time.Time) (ip, email int64, ipOldest, emailOldest time.Time, err error) {
	row := s.db.WithContext(ctx).Raw(`
		SELECT
		  count(*) FILTER (WHERE ip_key = @ip),
		  count(*) FILTER (WHERE email_key = @email),
		  coalesce(min(at) FILTER (WHERE ip_key = @ip), now()),
		  coalesce(min(at) FILTER (WHERE email_key = @email), now())
		FROM login_failures
		WHERE at > @since AND (ip_key = @ip OR email_key = @email)`,
		map[string]any{"ip": ipKey, "email": emailKey, "since": since}).Row()
	if err = row.Scan(&ip, &email, &ipOldest, &emailOldest); err != nil {
		err = fmt.Errorf("auth: count failures: %w", err)
	}
	return
}

func (s *Store) clearFailures(ctx context.Context, emailKey string) error {
	if err := s.db.WithContext(ctx).Where("email_key = ?", emailKey).Delete(&loginFailure{}).Error; err != nil {
		return fmt.Errorf("auth: clear failures: %w", err)
	}
	return nil
}

// PruneFailures deletes failures older than the window; run now and then.
func (s *Store) PruneFailures(ctx context.Context, before time.Time) error {
	if err := s.db.WithContext(ctx).Where("at < ?", before).Delete(&loginFailure{}).Error; err != nil {
		return fmt.Errorf("auth: prune failures: %w", err)
	}
	return nil
}
