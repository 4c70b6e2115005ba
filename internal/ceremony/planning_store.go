package ceremony

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"vigil/internal/audit"
)

// Errors the handlers turn into messages.
var (
	ErrStale         = errors.New("ceremony: changed by someone else")
	ErrEditionExists = errors.New("ceremony: an edition for that year exists")
	ErrZoneElsewhere = errors.New("ceremony: a zone is not part of the ceremony's venue")
)

// ZoneClashError says a zone is already used by another ceremony at an
// overlapping time. PostgreSQL's exclusion constraint is what detects it.
type ZoneClashError struct {
	ZoneID        int64
	OtherID       int64
	OtherTitle    string
	OtherStartsAt time.Time
	OtherEndsAt   time.Time
	OtherYear     int
}

func (e *ZoneClashError) Error() string {
	return fmt.Sprintf("ceremony: zone %d is used by %q at an overlapping time", e.ZoneID, e.OtherTitle)
}

// UpdateCommemoration saves c if it is still at version.
func (s *Store) UpdateCommemoration(ctx context.Context, c *Commemoration, version int) error {
	if _, err := c.Location(); err != nil {
		return err
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var before Commemoration
		if err := tx.First(&before, c.ID).Error; err != nil {
			return notFound(err, "commemoration")
		}
		if before.Version != version {
			return ErrStale
		}
		c.UpdatedAt = time.Now().UTC()
		res := tx.Model(&Commemoration{}).Where("id = ? AND version = ?", c.ID, version).Updates(map[string]any{
			"name": c.Name, "description": c.Description, "commemorated_on": c.CommemoratedOn,
			"ceremony_month": c.CeremonyMonth, "ceremony_day": c.CeremonyDay, "time_zone": c.TimeZone,
			"default_locale": c.DefaultLocale, "version": version + 1, "updated_at": c.UpdatedAt,
		})
		if res.Error != nil {
			return fmt.Errorf("ceremony: update commemoration: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return ErrStale
		}
		return audit.Write(ctx, tx, audit.Record{Action: "update", EntityType: "commemoration", EntityID: c.ID,
			Summary: "Updated commemoration " + c.Name, Changes: audit.Diff(&before, c)})
	})
	if err == nil {
		c.Version = version + 1
	}
	return err
}

func notFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return fmt.Errorf("ceremony: load %s: %w", what, err)
}

// Editions ---------------------------------------------------------------------

// Editions lists the editions of a commemoration, newest first.
func (s *Store) Editions(ctx context.Context, commemorationID int64) ([]Edition, error) {
	var out []Edition
	if err := s.db.WithContext(ctx).Where("commemoration_id = ?", commemorationID).Order("year DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("ceremony: list editions: %w", err)
	}
	return out, nil
}

// EditionByYear returns the commemoration's edition of year.
func (s *Store) EditionByYear(ctx context.Context, commemorationID int64, year int) (*Edition, error) {
	var e Edition
	err := s.db.WithContext(ctx).Where("commemoration_id = ? AND year = ?", commemorationID, year).First(&e).Error
	if err != nil {
		return nil, notFound(err, "edition")
	}
	return &e, nil
}

// EditionByID returns the edition with id.
func (s *Store) EditionByID(ctx context.Context, id int64) (*Edition, error) {
	var e Edition
	if err := s.db.WithContext(ctx).First(&e, id).Error; err != nil {
		return nil, notFound(err, "edition")
	}
	return &e, nil
}

// CeremonyCounts returns how many ceremonies each of the given editions
// has, in one query.
func (s *Store) CeremonyCounts(ctx context.Context, editionIDs []int64) (map[int64]int, error) {
	var rows []struct {
		EditionID int64
		N         int
	}
	if err := s.db.WithContext(ctx).Model(&Ceremony{}).Select("edition_id, count(*) AS n").
		Where("edition_id IN ?", append(editionIDs, 0)).Group("edition_id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("ceremony: count ceremonies: %w", err)
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.EditionID] = r.N
	}
	return out, nil
}

// CurrentEdition is the edition the dashboard shows: the first not yet
// archived from thisYear on, else the newest.
func (s *Store) CurrentEdition(ctx context.Context, commemorationID int64, thisYear int) (*Edition, error) {
	var e Edition
	err := s.db.WithContext(ctx).Where("commemoration_id = ? AND year >= ? AND status <> ?", commemorationID, thisYear, EditionArchived).
		Order("year").First(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		err = s.db.WithContext(ctx).Where("commemoration_id = ?", commemorationID).Order("year DESC").First(&e).Error
	}
	if err != nil {
		return nil, notFound(err, "current edition")
	}
	return &e, nil
}

// CreateEdition adds an empty edition.
func (s *Store) CreateEdition(ctx context.Context, e *Edition) error {
	e.Version = 1
	if e.Status == "" {
		e.Status = EditionPlanning
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(e).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return ErrEditionExists
			}
			return fmt.Errorf("ceremony: create edition: %w", err)
		}
		return audit.Write(ctx, tx, audit.Record{Action: "create", EntityType: "edition", EntityID: e.ID,
			Summary: fmt.Sprintf("Created edition %d", e.Year), Changes: audit.Diff(nil, e)})
	})
}

// UpdateEdition saves the editable fields of e if it is still at version.
func (s *Store) UpdateEdition(ctx context.Context, e *Edition, version int) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var before Edition
		if err := tx.First(&before, e.ID).Error; err != nil {
			return notFound(err, "edition")
		}
		if before.Version != version {
			return ErrStale
		}
		res := tx.Model(&Edition{}).Where("id = ? AND version = ?", e.ID, version).Updates(map[string]any{
			"status": e.Status, "rsvp_deadline": e.RSVPDeadline, "reminder_days": e.ReminderDays,
			"notes": e.Notes, "version": version + 1, "updated_at": time.Now().UTC(),
		})
		if res.Error != nil {
			return fmt.Errorf("ceremony: update edition: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return ErrStale
		}
		after := before
		after.Status, after.RSVPDeadline, after.ReminderDays, after.Notes = e.Status, e.RSVPDeadline, e.ReminderDays, e.Notes
		return audit.Write(ctx, tx, audit.Record{Action: "update", EntityType: "edition", EntityID: e.ID,
			Summary: fmt.Sprintf("Updated edition %d", before.Year), Changes: audit.Diff(&before, &after)})
	})
	if err == nil {
		e.Version = version + 1
	}
	return err
}

// Ceremonies ---------------------------------------------------------------------

// CeremonyList lists the ceremonies of an edition by start time, without
// their zones (one query, for answers that only need which ceremonies
// there are).
func (s *Store) CeremonyList(ctx context.Context, editionID int64) ([]Ceremony, error) {
	var out []Ceremony
	if err := s.db.WithContext(ctx).Where("edition_id = ?", editionID).Order("starts_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("ceremony: list ceremonies: %w", err)
	}
	return out, nil
}

// Ceremonies lists the ceremonies of an edition by start time, with zones.
func (s *Store) Ceremonies(ctx context.Context, editionID int64) ([]Ceremony, error) {
	out, err := s.CeremonyList(ctx, editionID)
	if err != nil {
		return nil, err
	}
	if err := s.loadZones(ctx, s.db, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) loadZones(ctx context.Context, db *gorm.DB, cs []Ceremony) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	var rows []ceremonyZone
	if err := db.WithContext(ctx).Where("ceremony_id IN ?", ids).Order("zone_id").Find(&rows).Error; err != nil {
		return fmt.Errorf("ceremony: load zones: %w", err)
	}
	for i := range cs {
		cs[i].ZoneIDs = []int64{}
		for _, r := range rows {
			if r.CeremonyID == cs[i].ID {
				cs[i].ZoneIDs = append(cs[i].ZoneIDs, r.ZoneID)
			}
		}
	}
	return nil
}

// Ceremony returns ceremony id of edition editionID.
func (s *Store) Ceremony(ctx context.Context, editionID, id int64) (*Ceremony, error) {
	return s.ceremony(ctx, s.db.WithContext(ctx).Where("edition_id = ? AND id = ?", editionID, id))
}

// CeremonyByID returns ceremony id with its zones, whatever its edition
// (pages addressed by the ceremony alone, such as the arrivals board).
func (s *Store) CeremonyByID(ctx context.Context, id int64) (*Ceremony, error) {
	return s.ceremony(ctx, s.db.WithContext(ctx).Where("id = ?", id))
}

func (s *Store) ceremony(ctx context.Context, q *gorm.DB) (*Ceremony, error) {
	var c Ceremony
	if err := q.First(&c).Error; err != nil {
		return nil, notFound(err, "ceremony")
	}
	cs := []Ceremony{c}
	if err := s.loadZones(ctx, s.db, cs); err != nil {
		return nil, err
	}
	return &cs[0], nil
}

// CreateCeremony adds c with its zones.
func (s *Store) CreateCeremony(ctx context.Context, c *Ceremony) error {
	c.Version = 1
	if c.Status == "" {
		c.Status = CeremonyDraft
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Omit("ZoneIDs").Create(c).Error; err != nil {
			return fmt.Errorf("ceremony: create: %w", err)
		}
		if err := s.setZones(ctx, tx, c); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Record{Action: "create", EntityType: "ceremony", EntityID: c.ID,
			Summary: "Created ceremony " + c.Title, Changes: audit.Diff(nil, c)})
	})
}

// setZones replaces the zones of c, turning a clash into *ZoneClashError.
func (s *Store) setZones(ctx context.Context, tx *gorm.DB, c *Ceremony) error {
	if err := tx.Where("ceremony_id = ?", c.ID).Delete(&ceremonyZone{}).Error; err != nil {
		return fmt.Errorf("ceremony: clear zones: %w", err)
	}
	for _, z := range c.ZoneIDs {
		// A savepoint per zone keeps the transaction usable after a
		// clash, so the error can name the other ceremony.
		err := tx.Transaction(func(sp *gorm.DB) error {
			return sp.Create(&ceremonyZone{CeremonyID: c.ID, ZoneID: z}).Error
		})
		if err != nil {
			return s.zoneError(ctx, tx, err, c, []int64{z})
		}
	}
	return nil
}

func (s *Store) zoneError(ctx context.Context, tx *gorm.DB, err error, c *Ceremony, zoneIDs []int64) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return fmt.Errorf("ceremony: set zone: %w", err)
	}
	switch pg.Code {
	case "23P01": // exclusion_violation
		var other struct {
			ID       int64
			Title    string
			StartsAt time.Time
			EndsAt   time.Time
			Year     int
			ZoneID   int64
		}
		q := tx.WithContext(ctx).Raw(`
			SELECT c.id, c.title, c.starts_at, c.ends_at, e.year, cz.zone_id
			  FROM ceremony_zones cz JOIN ceremonies c ON c.id = cz.ceremony_id JOIN editions e ON e.id = c.edition_id
			 WHERE cz.zone_id IN ? AND cz.active AND c.id <> ? AND cz.during && tstzrange(?, ?, '[)')
			 ORDER BY c.starts_at LIMIT 1`, append(zoneIDs, 0), c.ID, c.StartsAt, c.EndsAt).Scan(&other)
		if q.Error != nil {
			return fmt.Errorf("ceremony: find clashing ceremony: %w", q.Error)
		}
		return &ZoneClashError{ZoneID: other.ZoneID, OtherID: other.ID, OtherTitle: other.Title,
			OtherStartsAt: other.StartsAt, OtherEndsAt: other.EndsAt, OtherYear: other.Year}
	case "23514", "23503": // raised by the trigger, or an unknown zone
		return ErrZoneElsewhere
	}
	return fmt.Errorf("ceremony: set zone: %w", err)
}

// UpdateCeremony saves c (and its zones) if it is still at version.
func (s *Store) UpdateCeremony(ctx context.Context, c *Ceremony, version int) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var before Ceremony
		if err := tx.Where("edition_id = ? AND id = ?", c.EditionID, c.ID).First(&before).Error; err != nil {
			return notFound(err, "ceremony")
		}
		bs := []Ceremony{before}
		if err := s.loadZones(ctx, tx, bs); err != nil {
			return err
		}
		before = bs[0]
		if before.Version != version {
			return ErrStale
		}
		c.Status = before.Status
		var res *gorm.DB
		// In a savepoint: moving the times can clash (the trigger updates
		// ceremony_zones), and the error must still be explained.
		err := tx.Transaction(func(sp *gorm.DB) error {
			res = sp.Model(&Ceremony{}).Where("id = ? AND version = ?", c.ID, version).Updates(map[string]any{
				"title": c.Title, "title_az": c.TitleAZ, "title_ru": c.TitleRU, "kind": c.Kind, "venue_id": c.VenueID, "starts_at": c.StartsAt, "ends_at": c.EndsAt,
				"capacity": c.Capacity, "dress_code": c.DressCode, "notes_guests": c.NotesGuests, "notes_staff": c.NotesStaff,
				"companions_default": c.CompanionsDefault, "version": version + 1, "updated_at": time.Now().UTC(),
			})
			return res.Error
		})
		if err != nil {
			return s.zoneError(ctx, tx, err, c, before.ZoneIDs)
		}
		if res.RowsAffected != 1 {
			return ErrStale
		}
		if err := s.setZones(ctx, tx, c); err != nil {
			return err
		}
		// The guests hear of a new time or place in this transaction, so
		// the notice goes if and only if the change is saved.
		if s.watcher != nil && guestsMustKnow(&before, c) {
			if err := s.watcher.CeremonyChanged(ctx, tx, c.ID); err != nil {
				return fmt.Errorf("ceremony: tell of the change: %w", err)
			}
		}
		changes := audit.Diff(&before, c)
		if len(changes) == 0 {
			return nil
		}
		return audit.Write(ctx, tx, audit.Record{Action: "update", EntityType: "ceremony", EntityID: c.ID,
			Summary: "Updated ceremony " + c.Title, Changes: changes})
	})
	if err == nil {
		c.Version = version + 1
	}
	return err
}

// SetCeremonyStatus publishes, cancels or returns a ceremony to draft.
// Reinstating a cancelled ceremony can clash with one planned since.
func (s *Store) SetCeremonyStatus(ctx context.Context, editionID, id int64, version int, status string) error {
	if !slices.Contains([]string{CeremonyDraft, CeremonyPublished, CeremonyCancelled}, status) {
		return fmt.Errorf("ceremony: unknown status %q", status)
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var before Ceremony
		if err := tx.Where("edition_id = ? AND id = ?", editionID, id).First(&before).Error; err != nil {
			return notFound(err, "ceremony")
		}
		if before.Version != version {
			return ErrStale
		}
		if before.Status == status {
			return nil // a double-click changes nothing twice
		}
		var zones []ceremonyZone
		if err := tx.Where("ceremony_id = ?", id).Find(&zones).Error; err != nil {
			return fmt.Errorf("ceremony: load zones: %w", err)
		}
		err := tx.Transaction(func(sp *gorm.DB) error {
			return sp.Model(&Ceremony{}).Where("id = ?", id).Updates(map[string]any{
				"status": status, "version": version + 1, "updated_at": time.Now().UTC(),
			}).Error
		})
		if err != nil {
			ids := make([]int64, len(zones))
			for i, z := range zones {
				ids[i] = z.ZoneID
			}
			return s.zoneError(ctx, tx, err, &before, ids)
		}
		return audit.Write(ctx, tx, audit.Record{Action: status, EntityType: "ceremony", EntityID: id,
			Summary: fmt.Sprintf("Ceremony %s: %s", before.Title, status),
			Changes: map[string]audit.Change{"status": {Before: before.Status, After: status}}})
	})
}

// DeleteCeremony removes a draft or cancelled ceremony with its programme.
func (s *Store) DeleteCeremony(ctx context.Context, editionID, id int64) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c Ceremony
		if err := tx.Where("edition_id = ? AND id = ?", editionID, id).First(&c).Error; err != nil {
			return notFound(err, "ceremony")
		}
		if err := tx.Delete(&c).Error; err != nil {
			return fmt.Errorf("ceremony: delete: %w", err)
		}
		return audit.Write(ctx, tx, audit.Record{Action: "delete", EntityType: "ceremony", EntityID: id,
			Summary: "Deleted ceremony " + c.Title})
	})
}
