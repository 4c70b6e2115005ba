// Package auth holds Vigil's accounts: users and their roles, passwords,
// sessions, sign-in with its rate limits, and the middleware that guards
// every route by role.
package auth

import "time"

// Role is what a user may do.
type Role string

// Roles. Organizers may do everything; staff read, print, check guests in
// and record answers taken by phone.
const (
	RoleOrganizer Role = "organizer"
	RoleStaff     Role = "staff"
)

// Roles lists the roles in the order forms show them.
var Roles = []Role{RoleOrganizer, RoleStaff}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleOrganizer || r == RoleStaff }

// Allows reports whether a user with role r may use a route that needs
// role need. Organizers may use staff routes.
func (r Role) Allows(need Role) bool {
	switch need {
	case RoleStaff:
		return r == RoleStaff || r == RoleOrganizer
	case RoleOrganizer:
		return r == RoleOrganizer
	}
	return false
}

// User is an account. The audit tags name the fields the audit log records.
type User struct {
	ID           int64  `gorm:"primaryKey"`
	Email        string `audit:"email"`
	Name         string `audit:"name"`
	Role         Role   `audit:"role"`
	PasswordHash string `audit:"password,secret"`
	Locale       string `audit:"locale"`
	DisabledAt   *time.Time
	Disabled     bool `gorm:"-" audit:"disabled"`
	LastLoginAt  *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int
}

// TableName tells GORM where users live.
func (User) TableName() string { return "users" }

// ActorLabel is how the audit log names this user.
func (u *User) ActorLabel() string { return u.Name + " <" + u.Email + ">" }
