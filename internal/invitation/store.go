package invitation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Domain errors.
var (
	ErrNotFound = errors.New("invitation: not found")
	ErrRevoked  = errors.New("invitation: link revoked")
	ErrStale    = errors.New("invitation: changed by someone else")
	// ErrTooManyCompanions: more names than the invitation allows.
	ErrTooManyCompanions = errors.New("invitation: too many companions")
	// ErrNoSeat: a waitlisted answer cannot be promoted, nothing is free.
	ErrNoSeat = errors.New("invitation: no free seat")
)

// Limits are the seats of one ceremony: in all, and per zone.
type Limits struct {
	// Seats is the ceremony's capacity; nil means no limit.
	Seats *int
	// Zones are the capacities of the zones that have one.
	Zones map[int64]int
}

// Capacity tells the limits of ceremonies, inside tx, and with lock set
// locks them for a change of answers. The ceremony package implements it
// over its own tables; the lock (SELECT … FOR UPDATE on the ceremony rows,
// in id order) makes concurrent answers for one ceremony take turns, so
// the count of seats taken that follows cannot be overtaken by another
// answer.
type Capacity interface {
	Limits(ctx context.Context, tx *gorm.DB, ceremonyIDs []int64, lock bool) (map[int64]Limits, error)
}

// Notifier queues an e-mail about an invitation inside tx, so that the
// message goes if and only if the change that causes it is saved. The mail
// package implements it.
type Notifier interface {
	Notify(ctx context.Context, tx *gorm.DB, invitationID int64, template string) error
	// NotifyGuest is Notify for a caller that has read the guest's id,
	// address and language on tx already; it returns the message's id.
	NotifyGuest(ctx context.Context, tx *gorm.DB, invitationID, guestID int64, email, language, template string) (int64, error)
	// Retemplate changes, inside tx, which e-mail a message queued in tx
	// will be: what to tell can be known only after it was queued.
	Retemplate(ctx context.Context, tx *gorm.DB, messageID int64, template string) error
}

// Store reads and writes invitations.
type Store struct {
	db       *gorm.DB
	tokens   *Tokens
	capacity Capacity
	notify   Notifier
	now      func() time.Time
	// guard locks the ceremonies before seats are counted. It is off
	// only in the control run that proves the concurrency test can catch
	// overbooking.
	guard bool
	// pool, when set, runs the hot statements without database/sql in
	// between (see onPgx).
	pool *pgxpool.Pool
	// arrivals hears of each check-in the scan makes, once committed.
	arrivals Arrivals
}

// Arrivals is told of every check-in CheckIn commits, for the live board:
// the scan's statement does not announce itself in the database (see
// checkInSQL). Changed must not block.
type Arrivals interface {
	Changed(ceremonyID, invitationID int64)
}

// WithArrivals tells a of each check-in the scan makes.
func (s *Store) WithArrivals(a Arrivals) *Store {
	s.arrivals = a
	return s
}

// NewStore returns a store. notify may be nil (no e-mail).
func NewStore(db *gorm.DB, tokens *Tokens, capacity Capacity, notify Notifier) *Store {
	return &Store{db: db, tokens: tokens, capacity: capacity, notify: notify, now: time.Now, guard: true}
}

// WithPool lets the store's hot statements run on pool directly (see
// onPgx).
func (s *Store) WithPool(pool *pgxpool.Pool) *Store {
	s.pool = pool
	return s
}

// pgxQuerier is what the store's hot statements need of a connection.
type pgxQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// onPgx runs fn on pgx itself, without database/sql's conversions in
// between: on the store's pool when it has one (the app's, WithPool), else
// on the pgx connection under GORM's. The hot statements (the gate's scan,
// the board's sums, the invitation list) use it: database/sql's layer, a
// connection wrapper and a reflective conversion per value, measured a
// tenth of a scan's Go work and half of the board's per read.
func (s *Store) onPgx(ctx context.Context, fn func(pgxQuerier) error) error {
	if s.pool != nil {
		return fn(s.pool)
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("invitation: connection: %w", err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("invitation: connection: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("invitation: driver connection %T is not pgx", dc)
		}
		return fn(c.Conn())
	})
}

// UnguardedForControlRun turns the capacity lock off. Only the control run
// of the concurrency test calls it, to prove that the test catches
// overbooking when the guard is missing.
func (s *Store) UnguardedForControlRun() { s.guard = false }

// Actor is who makes a change: the guest through the link, staff on the
// guest's behalf (with the channel: "phone", "diplomatic note"), an
// organizer, or Vigil.
type Actor struct {
	Via     string
	UserID  *int64
	Channel string
}

// event writes a history entry inside tx.
func event(tx *gorm.DB, invitationID int64, a Actor, action string, detail any) error {
	raw, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("invitation: history detail: %w", err)
	}
	e := Event{InvitationID: invitationID, Via: a.Via, UserID: a.UserID, Action: action, Detail: raw}
	if err := tx.Omit("at").Create(&e).Error; err != nil {
		return fmt.Errorf("invitation: write history: %w", err)
	}
	return nil
}

func (s *Store) notifyTx(ctx context.Context, tx *gorm.DB, id int64, template string) error {
	if s.notify == nil {
		return nil
	}
	return s.notify.Notify(ctx, tx, id, template)
}

// Inviting ------------------------------------------------------------------------

// Invite is who to invite to what.
type Invite struct {
	EditionID  int64
	GuestIDs   []int64
	Ceremonies []CeremonyZone
	// Companions is the number of companions each guest may bring.
	Companions int
	// Send queues the invitation e-mail to each new guest.
	Send bool
}

// CeremonyZone is a ceremony to invite to, and the zone the guests sit in
// (nil: none assigned).
type CeremonyZone struct {
	CeremonyID int64
	ZoneID     *int64
}

// InviteResult says what Invite did.
type InviteResult struct {
	Created int // new invitations
	Added   int // ceremonies added to invitations that existed
}

// InviteGuests invites guests to ceremonies, in one transaction. A guest
// already invited to the edition keeps the invitation (and its link) and
// gains the ceremonies it lacked; answers given stay. Inviting twice
// changes nothing twice.
func (s *Store) InviteGuests(ctx context.Context, in Invite, by Actor) (InviteResult, error) {
	var res InviteResult
	if in.Companions < 0 || in.Companions > MaxCompanions {
		return res, ErrTooManyCompanions
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, gid := range in.GuestIDs {
			var inv Invitation
			isNew := false
			err := tx.Where("edition_id = ? AND guest_id = ?", in.EditionID, gid).Take(&inv).Error
			switch {
			case errors.Is(err, gorm.ErrRecordNotFound):
				nonce, err := newNonce()
				if err != nil {
					return err
				}
				code, err := newCheckInCode()
				if err != nil {
					return err
				}
				inv = Invitation{EditionID: in.EditionID, GuestID: gid, TokenNonce: nonce,
					TokenHash: Hash(s.tokens.Token(nonce)), CheckInCode: code, CompanionsAllowed: in.Companions, Version: 1}
				if err := tx.Omit("Ceremonies", "Companions").Create(&inv).Error; err != nil {
					if errors.Is(err, gorm.ErrForeignKeyViolated) {
						return ErrNotFound
					}
					return fmt.Errorf("invitation: create: %w", err)
				}
				res.Created++
				isNew = true
				if err := event(tx, inv.ID, by, "invited", map[string]any{"companions_allowed": in.Companions}); err != nil {
					return err
				}
				if in.Send {
					if err := s.notifyTx(ctx, tx, inv.ID, "invitation"); err != nil {
						return err
					}
				}
			case err != nil:
				return fmt.Errorf("invitation: load: %w", err)
			}
			for _, c := range in.Ceremonies {
				r := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&CeremonyAnswer{
					InvitationID: inv.ID, CeremonyID: c.CeremonyID, ZoneID: c.ZoneID, Status: StatusPending,
				})
				if r.Error != nil {
					if errors.Is(r.Error, gorm.ErrForeignKeyViolated) {
						return ErrNotFound
					}
					return fmt.Errorf("invitation: add ceremony: %w", r.Error)
				}
				if r.RowsAffected == 1 && !isNew {
					res.Added++
					if err := event(tx, inv.ID, by, "ceremony_added", map[string]any{"ceremony_id": c.CeremonyID}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	return res, err
}

// Looking up ----------------------------------------------------------------------

// ByToken finds the invitation a link's token opens; ErrNotFound for no
// such token (or a malformed one), ErrRevoked for a revoked link.
func (s *Store) ByToken(ctx context.Context, token string) (*Invitation, error) {
	if !PlausibleToken(token) {
		return nil, ErrNotFound
	}
	var inv Invitation
	err := s.db.WithContext(ctx).Where("token_hash = ?", Hash(token)).Take(&inv).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("invitation: by token: %w", err)
	}
	if inv.RevokedAt != nil {
		return nil, ErrRevoked
	}
	return &inv, nil
}

// ByID returns invitation id with its answers and companions.
func (s *Store) ByID(ctx context.Context, id int64) (*Invitation, error) {
	var inv Invitation
	err := s.db.WithContext(ctx).
		Preload("Ceremonies", func(db *gorm.DB) *gorm.DB { return db.Order("ceremony_id") }).
		Preload("Companions", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Take(&inv, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("invitation: load %d: %w", id, err)
	}
	return &inv, nil
}

// Link is the path of invitation inv's personal link.
func (s *Store) Link(inv *Invitation) string { return "/rsvp/" + s.tokens.Token(inv.TokenNonce) }

// Answering -----------------------------------------------------------------------

// Response is a guest's answer, for some or all invited ceremonies.
type Response struct {
	// Accept says, per ceremony id, accept (true) or decline (false).
	// Ceremonies not named keep their answer.
	Accept             map[int64]bool
	Companions         []string
	AccessibilityNeeds string
	DietaryNeeds       string
	ContactPhone       string
}

// Outcome is what became of a response.
type Outcome struct {
	// Status per ceremony id after the response.
	Status map[int64]string
	// Changed is false when the response was the same as the saved one
	// (a double click, a resubmitted form): nothing was written.
	Changed bool
}

func anyDeclined(st map[int64]string) bool {
	for _, s := range st {
		if s == StatusDeclined {
			return true
		}
	}
	return false
}

// same reports whether r changes nothing of what is saved.
func same(inv *Invitation, answers []CeremonyAnswer, companions []Companion, r Response) bool {
	if inv.RespondedAt == nil {
		return false
	}
	if inv.AccessibilityNeeds != r.AccessibilityNeeds || inv.DietaryNeeds != r.DietaryNeeds || inv.ContactPhone != r.ContactPhone {
		return false
	}
	if !slices.Equal(companionNames(companions), r.Companions) {
		return false
	}
	for _, a := range answers {
		accept, named := r.Accept[a.CeremonyID]
		if !named {
			continue
		}
		switch {
		case !accept && a.Status != StatusDeclined:
			return false
		case accept && a.Status != StatusAccepted && a.Status != StatusWaitlisted:
			return false
		case accept && a.Companions != len(r.Companions):
			return false
		}
	}
	return true
}

// companionNames are the names of cs, in order.
func companionNames(cs []Companion) []string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return names
}

// Organizer actions -----------------------------------------------------------------

// Revoke stops invitation id's link from working (the invitation and its
// answers stay; check-in still works). Revoking twice changes nothing.
func (s *Store) Revoke(ctx context.Context, id int64, by Actor) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Invitation{}).Where("id = ? AND revoked_at IS NULL", id).
			Updates(map[string]any{"revoked_at": s.now(), "version": gorm.Expr("version + 1"), "updated_at": s.now()})
		if res.Error != nil {
			return fmt.Errorf("invitation: revoke: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return s.exists(tx, id)
		}
		return event(tx, id, by, "revoked", map[string]any{})
	})
}

// NewLink gives invitation id a new link (the old one stops working) and,
// with send, mails it to the guest.
func (s *Store) NewLink(ctx context.Context, id int64, send bool, by Actor) error {
	nonce, err := newNonce()
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Invitation{}).Where("id = ?", id).Updates(map[string]any{
			"token_nonce": nonce, "token_hash": Hash(s.tokens.Token(nonce)), "revoked_at": nil,
			"version": gorm.Expr("version + 1"), "updated_at": s.now(),
		})
		if res.Error != nil {
			return fmt.Errorf("invitation: new link: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		if err := event(tx, id, by, "new_link", map[string]any{"sent": send}); err != nil {
			return err
		}
		if send {
			return s.notifyTx(ctx, tx, id, "invitation")
		}
		return nil
	})
}

// Promote gives a waitlisted answer its seats, if the ceremony (locked for
// the count) and the zone hold them now, and tells the guest. ErrNoSeat
// when nothing is free; promoting an answer that is not waitlisted
// changes nothing.
func (s *Store) Promote(ctx context.Context, id, ceremonyID int64, by Actor) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		limits, err := s.capacity.Limits(ctx, tx, []int64{ceremonyID}, s.guard)
		if err != nil {
			return err
		}
		var a CeremonyAnswer
		err = tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("invitation_id = ? AND ceremony_id = ?", id, ceremonyID).Take(&a).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("invitation: load answer: %w", err)
		}
		if a.Status != StatusWaitlisted {
			return nil
		}
		taken, err := countSeats(ctx, tx.Statement.ConnPool, limits, id)
		if err != nil {
			return err
		}
		if !taken.fits(&a, limits[ceremonyID]) {
			return ErrNoSeat
		}
		if err := tx.Model(&a).Updates(map[string]any{"status": StatusAccepted, "waitlisted_at": nil, "updated_at": s.now()}).Error; err != nil {
			return fmt.Errorf("invitation: promote: %w", err)
		}
		if err := event(tx, id, by, "promoted", map[string]any{"ceremony_id": ceremonyID}); err != nil {
			return err
		}
		return s.notifyTx(ctx, tx, id, "promoted")
	})
}

// exists is nil when invitation id exists, else ErrNotFound.
func (s *Store) exists(tx *gorm.DB, id int64) error {
	var n int64
	if err := tx.Model(&Invitation{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return fmt.Errorf("invitation: exists: %w", err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// History returns invitation id's events, oldest first. A check-in that
// stands is read from its answer row (checked_in_at, _gate_id, _by), which
// is its record: the scan writes no history row of its own (see
// checkInSQL), and an undo writes the check-in it undoes into
// invitation_events before clearing the row (UndoCheckIn). Such an entry
// has ID 0.
func (s *Store) History(ctx context.Context, id int64) ([]Event, error) {
	var es []Event
	err := s.db.WithContext(ctx).Raw(`SELECT id, invitation_id, at, via, user_id, action, detail
		FROM invitation_events WHERE invitation_id = ?
		UNION ALL
		SELECT 0, invitation_id, checked_in_at, 'staff', checked_in_by, 'checked_in',
		       jsonb_build_object('ceremony_id', ceremony_id, 'gate_id', checked_in_gate_id)
		FROM invitation_ceremonies WHERE invitation_id = ? AND checked_in_at IS NOT NULL
		ORDER BY at, id`, id, id).Scan(&es).Error
	if err != nil {
		return nil, fmt.Errorf("invitation: history: %w", err)
	}
	return es, nil
}
