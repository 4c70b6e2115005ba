// Package delegation is the guest directory kept from year to year: the
// delegations invited to every edition (states, governments, parliaments,
// diplomatic missions, organisations, press), the people in them, each
// delegation's participation in an edition with its wreath and arrival,
// the order of precedence every list and print follows, and the import and
// export of the protocol office's spreadsheets.
//
// Editions, gates and users belong to other packages; this package refers
// to them only by id and reads them through interfaces it declares.
package delegation

import (
	"strings"
	"time"
)

// Languages a guest can prefer, in the order forms show them.
var Languages = []string{"en", "az", "ru"}

// Participation statuses.
const (
	StatusInvited   = "invited"
	StatusConfirmed = "confirmed"
	StatusDeclined  = "declined"
	StatusWithdrawn = "withdrawn"
)

// Statuses lists the participation statuses.
var Statuses = []string{StatusInvited, StatusConfirmed, StatusDeclined, StatusWithdrawn}

// Delegation is a country or organisation invited year after year. The
// audit tags name the fields the audit log records.
type Delegation struct {
	ID                     int64      `gorm:"primaryKey"`
	Name                   string     `audit:"name"`
	Kind                   string     `audit:"kind"`
	Country                string     `audit:"country"`
	ContactName            string     `audit:"contact_name"`
	ContactEmail           string     `audit:"contact_email"`
	ContactPhone           string     `audit:"contact_phone"`
	Address                string     `audit:"address"`
	Notes                  string     `audit:"notes"`
	CredentialsPresentedOn *time.Time `gorm:"type:date" audit:"credentials_presented_on"`
	Rank                   *int       `audit:"rank"`
	// Precedence is the computed position in the order of precedence.
	Precedence int `gorm:"->"`
	SearchText string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int
}

// TableName tells GORM where delegations live.
func (Delegation) TableName() string { return "delegations" }

func (d *Delegation) version() int     { return d.Version }
func (d *Delegation) setVersion(v int) { d.Version = v }

// precedenceKey is what the order of precedence looks at.
func (d *Delegation) precedenceKey() PrecedenceKey {
	return PrecedenceKey{ID: d.ID, Kind: d.Kind, Credentials: d.CredentialsPresentedOn, Rank: d.Rank, Name: d.Name}
}

// Guest is a person kept from year to year.
type Guest struct {
	ID                 int64  `gorm:"primaryKey"`
	Honorific          string `audit:"honorific"`
	GivenName          string `audit:"given_name"`
	FamilyName         string `audit:"family_name"`
	PrintedName        string `audit:"printed_name"`
	Position           string `audit:"position"`
	Organisation       string `audit:"organisation"`
	DelegationID       *int64 `audit:"delegation_id"`
	Email              string `audit:"email"`
	Phone              string `audit:"phone"`
	Language           string `audit:"language"`
	AccessibilityNeeds string `audit:"accessibility_needs"`
	DietaryNeeds       string `audit:"dietary_needs"`
	VIP                bool   `gorm:"column:vip" audit:"vip"`
	RestrictedNotes    string `audit:"restricted_notes"`
	SearchText         string
	NameKey            string
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int
}

// TableName tells GORM where guests live.
func (Guest) TableName() string { return "guests" }

func (g *Guest) version() int     { return g.Version }
func (g *Guest) setVersion(v int) { g.Version = v }

// FullName is given and family name.
func (g *Guest) FullName() string {
	return strings.TrimSpace(g.GivenName + " " + g.FamilyName)
}

// DisplayName is the name as printed on badges and lists: the guest's own
// printed form if there is one, else honorific, given and family name.
func (g *Guest) DisplayName() string {
	if g.PrintedName != "" {
		return g.PrintedName
	}
	return strings.TrimSpace(g.Honorific + " " + g.FullName())
}

// index fills the search columns from the guest's fields and the name of
// its delegation.
func (g *Guest) index(delegationName string) {
	g.SearchText, g.NameKey = GuestSearchColumns(g, delegationName)
}

// GuestSearchColumns are the search text and name key stored for g in
// delegation delegationName; bulk loaders (the import, benchmarks) write
// them without going through the store.
func GuestSearchColumns(g *Guest, delegationName string) (searchText, nameKey string) {
	return SearchText(g.FullName(), g.FamilyName+" "+g.GivenName, g.PrintedName, g.Email, g.Organisation, delegationName),
		Fold(g.FullName())
}

// Participation is a delegation in one edition.
type Participation struct {
	ID             int64      `gorm:"primaryKey"`
	EditionID      int64      `audit:"edition_id"`
	DelegationID   int64      `audit:"delegation_id"`
	Status         string     `audit:"status"`
	HeadGuestID    *int64     `audit:"head_guest_id"`
	LiaisonName    string     `audit:"liaison_name"`
	LiaisonPhone   string     `audit:"liaison_phone"`
	Wreath         bool       `audit:"wreath"`
	RibbonText     string     `audit:"ribbon_text"`
	ArrivalVehicle string     `audit:"arrival_vehicle"`
	ArrivalPlate   string     `audit:"arrival_plate"`
	ArrivalAt      *time.Time `audit:"arrival_at"`
	ArrivalGateID  *int64     `audit:"arrival_gate_id"`
	Notes          string     `audit:"notes"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int
}

// TableName tells GORM where participations live.
func (Participation) TableName() string { return "participations" }

func (p *Participation) version() int     { return p.Version }
func (p *Participation) setVersion(v int) { p.Version = v }
