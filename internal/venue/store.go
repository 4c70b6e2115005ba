package venue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"vigil/internal/audit"
)

// Domain errors the handlers turn into messages.
var (
	ErrNotFound  = errors.New("venue: not found")
	ErrStale     = errors.New("venue: record was changed by someone else")
	ErrNameTaken = errors.New("venue: name already in use")
	// ErrInUse means a ceremony still refers to the venue or zone.
	ErrInUse = errors.New("venue: in use by a ceremony")
)

// Store reads and writes venues, zones, gates and logistics.
type Store struct {
	db  *gorm.DB
	now func() time.Time
}

// NewStore returns a store over db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db, now: time.Now} }

// versioned is a model with an optimistic-locking version.
type versioned interface {
	version() int
	setVersion(int)
}

// anyVersion skips the version check of updateRow, for changes that mean
// the same whatever was saved in between (marking a task done).
const anyVersion = audit.AnyVersion

// op names the row a helper works on, for error messages and the audit log.
type op struct {
	entity string // audit entity type: "venue", "zone", …
	id     int64
}

// auditRows gives the shared row helpers this package's errors.
var auditRows = audit.Rows{NotFound: ErrNotFound, Stale: ErrStale, Fail: failed}

// failed turns a failed statement into the error the handlers know.
func failed(verb, entity string, id int64, err error) error {
	switch {
	case verb == "create" && errors.Is(err, gorm.ErrDuplicatedKey):
		return ErrNameTaken
	case verb == "create" && errors.Is(err, gorm.ErrForeignKeyViolated):
		// The venue, ceremony or edition it belongs to is gone.
		return ErrNotFound
	case verb == "create":
		return fmt.Errorf("venue: create %s: %w", entity, err)
	case verb == "update" && errors.Is(err, gorm.ErrDuplicatedKey):
		return ErrNameTaken
	case verb == "delete" && errors.Is(err, gorm.ErrForeignKeyViolated):
		return ErrInUse
	}
	return fmt.Errorf("venue: %s %s %d: %w", verb, entity, id, err)
}

// createRow inserts row and its audit entry in one transaction.
func createRow[T any](ctx context.Context, db *gorm.DB, entity string, row *T, id func() int64, summary string) error {
	return audit.CreateRow(ctx, db, auditRows, entity, row, id, summary, nil)
}

// updateRow runs one edit of the row o.id inside scope with
// audit.UpdateRow: a version other than the one the editor saw is
// ErrStale, and a change that changes nothing saves nothing.
func updateRow[T any, P interface {
	*T
	versioned
}](ctx context.Context, db *gorm.DB, o op, version int, scope func(*gorm.DB) *gorm.DB, change func(P), summary func(P) string) (P, error) {
	return audit.UpdateRow(ctx, db, auditRows, audit.Update[P]{
		Entity: o.entity, ID: o.id, Version: version, Scope: scope,
		GetVersion: func(p P) int { return p.version() },
		SetVersion: func(p P, v int) { p.setVersion(v) },
		Change: func(_ *gorm.DB, p P) error {
			change(p)
			return nil
		},
		Summary: summary,
	})
}

// deleteRow deletes the row o.id inside scope and audits what it held. A
// ceremony still referring to it makes ErrInUse.
func deleteRow[T any](ctx context.Context, db *gorm.DB, o op, scope func(*gorm.DB) *gorm.DB, summary func(*T) string) (*T, error) {
	return audit.DeleteRow(ctx, db, auditRows, o.entity, o.id, scope, summary, nil)
}

// oneRow loads the row o.id inside scope, or ErrNotFound.
func oneRow[T any](ctx context.Context, db *gorm.DB, o op, scope func(*gorm.DB) *gorm.DB) (*T, error) {
	return audit.OneRow[T](ctx, db, auditRows, o.entity, o.id, scope)
}

// Venues ----------------------------------------------------------------------

// VenueInput is what a venue form sets.
type VenueInput struct {
	Name               string
	Address            string
	Latitude           *float64
	Longitude          *float64
	Capacity           *int
	AccessibilityNotes string
	ParkingNotes       string
	ContactName        string
	ContactPhone       string
	ContactEmail       string
}

func (in VenueInput) apply(v *Venue) {
	v.Name, v.Address = in.Name, in.Address
	v.Latitude, v.Longitude, v.Capacity = in.Latitude, in.Longitude, in.Capacity
	v.AccessibilityNotes, v.ParkingNotes = in.AccessibilityNotes, in.ParkingNotes
	v.ContactName, v.ContactPhone, v.ContactEmail = in.ContactName, in.ContactPhone, in.ContactEmail
}

// List returns every venue by name.
func (s *Store) List(ctx context.Context) ([]Venue, error) {
	var vs []Venue
	if err := s.db.WithContext(ctx).Order("lower(name), id").Find(&vs).Error; err != nil {
		return nil, fmt.Errorf("venue: list venues: %w", err)
	}
	return vs, nil
}

// VenueSummary is a venue with how many zones and gates it has.
type VenueSummary struct {
	Venue     `gorm:"embedded"`
	ZoneCount int
	GateCount int
}

// Summaries returns every venue by name with its zone and gate counts.
func (s *Store) Summaries(ctx context.Context) ([]VenueSummary, error) {
	var out []VenueSummary
	err := s.db.WithContext(ctx).Raw(`
		SELECT v.*,
		       (SELECT count(*) FROM zones z WHERE z.venue_id = v.id) AS zone_count,
		       (SELECT count(*) FROM gates g WHERE g.venue_id = v.id) AS gate_count
		  FROM venues v
		 ORDER BY lower(v.name), v.id`).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("venue: venue summaries: %w", err)
	}
	return out, nil
}

// ByID returns the venue with id, or ErrNotFound.
func (s *Store) ByID(ctx context.Context, id int64) (*Venue, error) {
	var v Venue
	err := s.db.WithContext(ctx).First(&v, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("venue: venue %d: %w", id, err)
	}
	return &v, nil
}

// CreateVenue adds a venue; ErrNameTaken when another has its name.
func (s *Store) CreateVenue(ctx context.Context, in VenueInput) (*Venue, error) {
	v := &Venue{Version: 1}
	in.apply(v)
	if err := createRow(ctx, s.db, "venue", v, func() int64 { return v.ID }, "Created venue "+v.Name); err != nil {
		return nil, err
	}
	return v, nil
}

// UpdateVenue saves in over venue id if it is still at version.
func (s *Store) UpdateVenue(ctx context.Context, id int64, version int, in VenueInput) (*Venue, error) {
	return updateRow(ctx, s.db, op{"venue", id}, version,
		func(tx *gorm.DB) *gorm.DB { return tx },
		func(v *Venue) { in.apply(v) },
		func(v *Venue) string { return "Updated venue " + v.Name })
}

// DeleteVenue deletes a venue with its zones and gates; ErrInUse when a
// ceremony takes place there or uses one of its zones.
func (s *Store) DeleteVenue(ctx context.Context, id int64) (*Venue, error) {
	return deleteRow(ctx, s.db, op{"venue", id},
		func(tx *gorm.DB) *gorm.DB { return tx },
		func(v *Venue) string { return "Deleted venue " + v.Name })
}

// Zones -----------------------------------------------------------------------

// ZoneInput is what a zone form sets.
type ZoneInput struct {
	Name        string
	Kind        string
	Capacity    int
	BadgeColour string
	// Position orders the zones; nil puts a new zone last.
	Position *int
}

// Zones returns the zones of a venue ordered by position, then name.
func (s *Store) Zones(ctx context.Context, venueID int64) ([]Zone, error) {
	var zs []Zone
	if err := s.db.WithContext(ctx).Where("venue_id = ?", venueID).Order("position, lower(name), id").Find(&zs).Error; err != nil {
		return nil, fmt.Errorf("venue: zones of venue %d: %w", venueID, err)
	}
	return zs, nil
}

// AllZones returns the zones of every venue in one query, ordered by
// venue, position and name (for pages that list venues with their zones).
func (s *Store) AllZones(ctx context.Context) ([]Zone, error) {
	var zs []Zone
	if err := s.db.WithContext(ctx).Order("venue_id, position, lower(name), id").Find(&zs).Error; err != nil {
		return nil, fmt.Errorf("venue: all zones: %w", err)
	}
	return zs, nil
}

func inVenue(venueID int64) func(*gorm.DB) *gorm.DB {
	return func(tx *gorm.DB) *gorm.DB { return tx.Where("venue_id = ?", venueID) }
}

// Zone returns zone id of venueID, or ErrNotFound.
func (s *Store) Zone(ctx context.Context, venueID, id int64) (*Zone, error) {
	return oneRow[Zone](ctx, s.db, op{"zone", id}, inVenue(venueID))
}

// CreateZone adds a zone to a venue; ErrNameTaken when the venue already
// has a zone of that name, ErrNotFound when the venue is gone.
func (s *Store) CreateZone(ctx context.Context, venueID int64, in ZoneInput) (*Zone, error) {
	z := &Zone{VenueID: venueID, Name: in.Name, Kind: in.Kind, Capacity: in.Capacity, BadgeColour: in.BadgeColour, Version: 1}
	if in.Position != nil {
		z.Position = *in.Position
	} else {
		var last *int
		if err := s.db.WithContext(ctx).Model(&Zone{}).Where("venue_id = ?", venueID).Select("max(position)").Scan(&last).Error; err != nil {
			return nil, fmt.Errorf("venue: last zone position: %w", err)
		}
		if last != nil {
			z.Position = *last + 1
		}
	}
	if err := createRow(ctx, s.db, "zone", z, func() int64 { return z.ID }, "Created zone "+z.Name); err != nil {
		return nil, err
	}
	return z, nil
}

// UpdateZone saves in over zone id of venueID if it is still at version.
func (s *Store) UpdateZone(ctx context.Context, venueID, id int64, version int, in ZoneInput) (*Zone, error) {
	return updateRow(ctx, s.db, op{"zone", id}, version, inVenue(venueID),
		func(z *Zone) {
			z.Name, z.Kind, z.Capacity, z.BadgeColour = in.Name, in.Kind, in.Capacity, in.BadgeColour
			if in.Position != nil {
				z.Position = *in.Position
			}
		},
		func(z *Zone) string { return "Updated zone " + z.Name })
}

// DeleteZone deletes zone id of venueID; ErrInUse when a ceremony uses it.
func (s *Store) DeleteZone(ctx context.Context, venueID, id int64) (*Zone, error) {
	return deleteRow(ctx, s.db, op{"zone", id}, inVenue(venueID),
		func(z *Zone) string { return "Deleted zone " + z.Name })
}

// Gates -----------------------------------------------------------------------

// GateInput is what a gate form sets.
type GateInput struct {
	Name  string
	Notes string
}

// Gates returns the gates of a venue by name.
func (s *Store) Gates(ctx context.Context, venueID int64) ([]Gate, error) {
	var gs []Gate
	if err := s.db.WithContext(ctx).Where("venue_id = ?", venueID).Order("lower(name), id").Find(&gs).Error; err != nil {
		return nil, fmt.Errorf("venue: gates of venue %d: %w", venueID, err)
	}
	return gs, nil
}

// GateOfVenue is a gate with the name of its venue.
type GateOfVenue struct {
	Gate
	VenueName string
}

// AllGates returns the gates of every venue, by venue and gate name (for
// choosing where a delegation arrives).
func (s *Store) AllGates(ctx context.Context) ([]GateOfVenue, error) {
	var gs []GateOfVenue
	err := s.db.WithContext(ctx).Table("gates g").Select("g.*, v.name AS venue_name").
		Joins("JOIN venues v ON v.id = g.venue_id").Order("lower(v.name), lower(g.name), g.id").Scan(&gs).Error
	if err != nil {
		return nil, fmt.Errorf("venue: all gates: %w", err)
	}
	return gs, nil
}

// Gate returns gate id of venueID, or ErrNotFound.
func (s *Store) Gate(ctx context.Context, venueID, id int64) (*Gate, error) {
	return oneRow[Gate](ctx, s.db, op{"gate", id}, inVenue(venueID))
}

// CreateGate adds a gate to a venue.
func (s *Store) CreateGate(ctx context.Context, venueID int64, in GateInput) (*Gate, error) {
	g := &Gate{VenueID: venueID, Name: in.Name, Notes: in.Notes, Version: 1}
	if err := createRow(ctx, s.db, "gate", g, func() int64 { return g.ID }, "Created gate "+g.Name); err != nil {
		return nil, err
	}
	return g, nil
}

// UpdateGate saves in over gate id of venueID if it is still at version.
func (s *Store) UpdateGate(ctx context.Context, venueID, id int64, version int, in GateInput) (*Gate, error) {
	return updateRow(ctx, s.db, op{"gate", id}, version, inVenue(venueID),
		func(g *Gate) { g.Name, g.Notes = in.Name, in.Notes },
		func(g *Gate) string { return "Updated gate " + g.Name })
}

// DeleteGate deletes gate id of venueID.
func (s *Store) DeleteGate(ctx context.Context, venueID, id int64) (*Gate, error) {
	return deleteRow(ctx, s.db, op{"gate", id}, inVenue(venueID),
		func(g *Gate) string { return "Deleted gate " + g.Name })
}
