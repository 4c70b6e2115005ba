// Package invitation is a guest's personal invitation to an edition's
// ceremonies: the link that opens the answer page without an account, the
// answer to each ceremony with companions and needs, capacity that is
// never exceeded (the answer that does not fit goes on the waitlist),
// answers staff record on a guest's behalf, and the history of every
// change.
//
// Guests, delegations, ceremonies and zones belong to other packages; this
// package refers to them by id and reaches them through the interfaces it
// declares (Capacity, Notifier).
package invitation

import "time"

// Answer statuses of one ceremony.
const (
	StatusPending    = "pending"
	StatusAccepted   = "accepted"
	StatusDeclined   = "declined"
	StatusWaitlisted = "waitlisted"
)

// Statuses lists the answer statuses.
var Statuses = []string{StatusPending, StatusAccepted, StatusDeclined, StatusWaitlisted}

// How an answer or change came in.
const (
	ViaLink      = "link"      // the guest, through the personal link
	ViaStaff     = "staff"     // staff, on the guest's behalf
	ViaOrganizer = "organizer" // an organizer's change (invite, revoke, promote)
	ViaSystem    = "system"    // Vigil itself (a reminder sent)
)

// MaxCompanions bounds the companions one invitation may bring.
const MaxCompanions = 10

// Invitation is a guest's personal invitation to an edition.
type Invitation struct {
	ID                 int64 `gorm:"primaryKey"`
	EditionID          int64
	GuestID            int64
	TokenNonce         []byte
	TokenHash          []byte
	RevokedAt          *time.Time
	CheckInCode        string
	CompanionsAllowed  int
	AccessibilityNeeds string
	DietaryNeeds       string
	ContactPhone       string
	RespondedAt        *time.Time
	RespondedVia       *string
	RespondedBy        *int64
	StaffChannel       string
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int
	// Ceremonies are the answers, one per ceremony invited to.
	Ceremonies []CeremonyAnswer `gorm:"foreignKey:InvitationID"`
	// Companions are the names the guest gave.
	Companions []Companion `gorm:"foreignKey:InvitationID"`
}

// TableName tells GORM where invitations live.
func (Invitation) TableName() string { return "invitations" }

// Answer returns the answer for ceremony id, or nil.
func (inv *Invitation) Answer(ceremonyID int64) *CeremonyAnswer {
	for i := range inv.Ceremonies {
		if inv.Ceremonies[i].CeremonyID == ceremonyID {
			return &inv.Ceremonies[i]
		}
	}
	return nil
}

// CeremonyAnswer is the answer to one ceremony of an invitation.
type CeremonyAnswer struct {
	InvitationID    int64 `gorm:"primaryKey"`
	CeremonyID      int64 `gorm:"primaryKey"`
	ZoneID          *int64
	Status          string
	Companions      int
	WaitlistedAt    *time.Time
	CheckedInAt     *time.Time
	CheckedInGateID *int64
	CheckedInBy     *int64
	UpdatedAt       time.Time
}

// TableName tells GORM where the answers live.
func (CeremonyAnswer) TableName() string { return "invitation_ceremonies" }

// Seats is how many places the answer takes when accepted.
func (a *CeremonyAnswer) Seats() int { return 1 + a.Companions }

// Companion is a person a guest brings.
type Companion struct {
	InvitationID int64 `gorm:"primaryKey"`
	Position     int   `gorm:"primaryKey"`
	Name         string
}

// TableName tells GORM where companions live.
func (Companion) TableName() string { return "invitation_companions" }

// Event is one entry of an invitation's history.
type Event struct {
	ID           int64 `gorm:"primaryKey"`
	InvitationID int64
	At           time.Time
	Via          string
	UserID       *int64
	Action       string
	Detail       []byte `gorm:"type:jsonb"`
}

// TableName tells GORM where the history lives.
func (Event) TableName() string { return "invitation_events" }
