// Package mail sends Vigil's e-mails to guests: the invitation, reminders,
// the confirmation (with the calendar file), waitlist and promotion notices
// and change notices, each in the guest's language, as plain text and
// HTML. Every e-mail is a row in the message log (messages) and a River job
// inserted in the same transaction as the change that causes it, so the
// e-mail goes if and only if the change is saved. The job renders and sends
// the message through SMTP, records each attempt, and is retried with
// backoff; a message already sent is never sent again.
//
// Invitations, guests and ceremonies belong to other packages; this
// package reads them through the Source interface it declares.
package mail

import "time"

// Message statuses.
const (
	StatusQueued = "queued" // waiting to be sent, or to be tried again
	StatusSent   = "sent"
	StatusFailed = "failed" // given up: no address, or every attempt failed
)

// Statuses lists the message statuses.
var Statuses = []string{StatusQueued, StatusSent, StatusFailed}

// Templates: what an e-mail is about.
const (
	TemplateInvitation   = "invitation"
	TemplateReminder     = "reminder"
	TemplateConfirmation = "confirmation"
	TemplateWaitlisted   = "waitlisted"
	TemplatePromoted     = "promoted"
	TemplateChanged      = "changed"
)

// Templates lists every e-mail template.
var Templates = []string{TemplateInvitation, TemplateReminder, TemplateConfirmation, TemplateWaitlisted, TemplatePromoted, TemplateChanged}

// Languages e-mails are written in; any other falls back to English.
var Languages = []string{"en", "az", "ru"}

// Message is one e-mail sent or to be sent. Its body is rendered when it
// is sent (it carries the personal link, which is never stored).
type Message struct {
	ID           int64 `gorm:"primaryKey"`
	InvitationID *int64
	GuestID      *int64
	Recipient    string
	Template     string
	Language     string
	Subject      string
	Status       string
	Attempts     int
	LastError    string
	CreatedAt    time.Time
	SentAt       *time.Time
	// SendingUntil is the end of the lease of the worker sending the
	// message now (nil: none): no other worker sends it before then.
	SendingUntil *time.Time
}

// TableName tells GORM where messages live.
func (Message) TableName() string { return "messages" }

// errNoAddress is recorded for a guest without an e-mail address.
const errNoAddress = "no e-mail address"
