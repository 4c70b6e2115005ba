package mail

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// ErrNotFound is what a Source returns for an invitation that does not
// exist (any more).
var ErrNotFound = errors.New("mail: invitation not found")

// Recipient is whom an invitation's e-mails go to.
type Recipient struct {
	GuestID  int64
	Email    string // empty: the guest has no address
	Language string
}

// Data is everything an e-mail about an invitation shows, read when the
// message is sent.
type Data struct {
	InvitationID int64
	// GuestName is the name as printed, honorific included.
	GuestName string
	Email     string
	Language  string
	// Edition is the commemoration's name; Year and Anniversary the
	// edition's.
	Edition     string
	Year        int
	Anniversary int
	// Location is the commemoration's time zone: every time is written in it.
	Location *time.Location
	// Deadline is the last day the answer can be changed (a calendar day),
	// nil for none.
	Deadline *time.Time
	// Link is the absolute personal link. It opens the guest's answer page
	// and must never be logged or stored.
	Link string
	// Ceremonies are the ceremonies invited to, by start time.
	Ceremonies []Ceremony
	// Companions are the names the guest gave.
	Companions []string
	// Calendar is the .ics file of the accepted ceremonies, attached to the
	// confirmation; nil for none.
	Calendar []byte
}

// Ceremony is one ceremony of an invitation, with the guest's answer.
type Ceremony struct {
	Title string
	// Titles are the title by language (see TitleIn).
	Titles       map[string]string
	StartsAt     time.Time
	EndsAt       time.Time
	Venue        string
	VenueAddress string
	MapURL       string
	DressCode    string
	// Status is the answer: pending, accepted, declined or waitlisted.
	Status string
	// Companions coming to this ceremony.
	Companions int
	// Cancelled: the ceremony itself is cancelled.
	Cancelled bool
}

// TitleIn is the ceremony's title in lang: its translation when one was
// given, else the title itself.
func (c *Ceremony) TitleIn(lang string) string {
	if t := c.Titles[lang]; t != "" {
		return t
	}
	return c.Title
}

// Source is what this package reads of invitations, guests and
// ceremonies. The app implements it over the stores that own them.
type Source interface {
	// Recipient reads whom invitation id's e-mails go to, through tx (the
	// invitation may have been created in tx). ErrNotFound if none.
	Recipient(ctx context.Context, tx *gorm.DB, invitationID int64) (Recipient, error)
	// MessageData reads what an e-mail about invitation id shows.
	// ErrNotFound if the invitation is gone.
	MessageData(ctx context.Context, invitationID int64) (Data, error)
	// Unanswered returns those of ids that have no answer yet and a
	// working link, each with its time zone.
	Unanswered(ctx context.Context, ids []int64) ([]Due, error)
	// DueReminders returns the unanswered invitations of every edition
	// whose reminder day (its RSVP deadline less its reminder days, in its
	// time zone) is the day of now there, with that zone.
	DueReminders(ctx context.Context, now time.Time) ([]Due, error)
}

// Due is an invitation that should get a reminder, with its time zone (a
// guest gets at most one reminder per day of that zone).
type Due struct {
	InvitationID int64
	Location     *time.Location
}
