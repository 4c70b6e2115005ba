package delegation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"vigil/internal/audit"
)

// Rules of a participation the store refuses to break, whoever calls it.
var (
	// ErrHeadNotInDelegation means the chosen head of delegation is not a
	// guest of that delegation.
	ErrHeadNotInDelegation = errors.New("delegation: head of delegation is not one of its guests")
	// ErrRibbonRequired means a wreath was ticked without its ribbon text:
	// the wreath cannot be ordered without it.
	ErrRibbonRequired = errors.New("delegation: a wreath needs its ribbon text")
)

// notComing are the statuses of a delegation that will not be there: they
// lay no wreath and are not carried over to the next edition.
var notComing = []string{StatusDeclined, StatusWithdrawn}

// ParticipationInput is what the participation form sets.
type ParticipationInput struct {
	Status         string
	HeadGuestID    *int64
	LiaisonName    string
	LiaisonPhone   string
	Wreath         bool
	RibbonText     string
	ArrivalVehicle string
	ArrivalPlate   string
	ArrivalAt      *time.Time
	ArrivalGateID  *int64
	Notes          string
}

func (in ParticipationInput) apply(p *Participation) {
	p.Status, p.HeadGuestID = in.Status, in.HeadGuestID
	p.LiaisonName, p.LiaisonPhone = in.LiaisonName, in.LiaisonPhone
	p.Wreath, p.RibbonText = in.Wreath, in.RibbonText
	p.ArrivalVehicle, p.ArrivalPlate, p.ArrivalGateID = in.ArrivalVehicle, in.ArrivalPlate, in.ArrivalGateID
	p.Notes = in.Notes
	// The same instant read back from the database carries another
	// *Location; keeping the saved value makes an unchanged form change
	// nothing (the audit diff compares with reflect.DeepEqual).
	switch {
	case in.ArrivalAt == nil:
		p.ArrivalAt = nil
	case p.ArrivalAt == nil || !p.ArrivalAt.Equal(*in.ArrivalAt):
		t := in.ArrivalAt.UTC()
		p.ArrivalAt = &t
	}
}

// checkParticipation enforces the rules of a participation inside tx.
func checkParticipation(tx *gorm.DB, p *Participation) error {
	if p.Wreath && p.RibbonText == "" {
		return ErrRibbonRequired
	}
	if p.HeadGuestID == nil {
		return nil
	}
	var n int64
	err := tx.Model(&Guest{}).Where("id = ? AND delegation_id = ?", *p.HeadGuestID, p.DelegationID).Count(&n).Error
	if err != nil {
		return fmt.Errorf("delegation: check head of delegation: %w", err)
	}
	if n == 0 {
		return ErrHeadNotInDelegation
	}
	return nil
}

// headName is the name a head of delegation is printed with; "" for none.
func headName(honorific, given, family, printed string) string {
	g := Guest{Honorific: honorific, GivenName: given, FamilyName: family, PrintedName: printed}
	return g.DisplayName()
}

// headColumns select the head of delegation's name parts from guests g.
const headColumns = `coalesce(g.honorific, '') AS head_honorific, coalesce(g.given_name, '') AS head_given_name,
	coalesce(g.family_name, '') AS head_family_name, coalesce(g.printed_name, '') AS head_printed_name`

// headParts receives headColumns. Scan structs hold it as a named,
// embedded field: GORM skips an anonymous field of an unexported type.
type headParts struct {
	HeadHonorific   string
	HeadGivenName   string
	HeadFamilyName  string
	HeadPrintedName string
}

func (h headParts) name() string {
	return headName(h.HeadHonorific, h.HeadGivenName, h.HeadFamilyName, h.HeadPrintedName)
}

// ParticipationFilter narrows an edition's delegations; empty fields do
// not filter.
type ParticipationFilter struct {
	Kind   string
	Status string
}

// ParticipationRow is a participation with what lists show of its
// delegation and head of delegation.
type ParticipationRow struct {
	Participation
	DelegationName string
	DelegationKind string
	// Country is the delegation's ISO 3166-1 code ("" for none).
	Country string
	// HeadName is the head of delegation's name as printed, honorific
	// included; "" when there is none.
	HeadName string
}

// participationScan receives one row of participationQuery.
type participationScan struct {
	Participation
	DelegationName string
	DelegationKind string
	Country        string
	Head           headParts `gorm:"embedded"`
}

func (r participationScan) row() ParticipationRow {
	return ParticipationRow{Participation: r.Participation, DelegationName: r.DelegationName,
		DelegationKind: r.DelegationKind, Country: r.Country, HeadName: r.Head.name()}
}

// participationQuery joins participations with their delegation and head,
// in one query, in order of precedence.
func (s *Store) participationQuery(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx).Table("participations p").
		Joins("JOIN delegations d ON d.id = p.delegation_id").
		Joins("LEFT JOIN guests g ON g.id = p.head_guest_id").
		Select(`p.*, d.name AS delegation_name, d.kind AS delegation_kind, d.country AS country, ` + headColumns).
		Order("d.precedence, d.id")
}

// Participations returns the delegations of edition editionID matching f,
// in order of precedence.
func (s *Store) Participations(ctx context.Context, editionID int64, f ParticipationFilter) ([]ParticipationRow, error) {
	q := s.participationQuery(ctx).Where("p.edition_id = ?", editionID)
	if f.Kind != "" {
		q = q.Where("d.kind = ?", f.Kind)
	}
	if f.Status != "" {
		q = q.Where("p.status = ?", f.Status)
	}
	var rs []participationScan
	if err := q.Scan(&rs).Error; err != nil {
		return nil, fmt.Errorf("delegation: participations of edition %d: %w", editionID, err)
	}
	out := make([]ParticipationRow, len(rs))
	for i, r := range rs {
		out[i] = r.row()
	}
	return out, nil
}

// Participation returns participation id of edition editionID; one of
// another edition is ErrNotFound.
func (s *Store) Participation(ctx context.Context, editionID, id int64) (*ParticipationRow, error) {
	var rs []participationScan
	err := s.participationQuery(ctx).Where("p.edition_id = ? AND p.id = ?", editionID, id).Limit(1).Scan(&rs).Error
	if err != nil {
		return nil, fmt.Errorf("delegation: load participation %d: %w", id, err)
	}
	if len(rs) == 0 {
		return nil, ErrNotFound
	}
	r := rs[0].row()
	return &r, nil
}

// Invite adds the delegations delegationIDs to edition editionID as
// invited, in one transaction with an audit entry for each, and returns
// how many were added: delegations already in the edition are left as
// they are, so sending the form twice adds nothing twice. An id of no
// delegation makes ErrNotFound and adds nothing.
func (s *Store) Invite(ctx context.Context, editionID int64, delegationIDs []int64) (int, error) {
	ids := slices.Clone(delegationIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return 0, nil
	}
	added := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ds []Delegation
		if err := tx.Select("id", "name").Where("id IN ?", ids).Order("precedence, id").Find(&ds).Error; err != nil {
			return fmt.Errorf("delegation: load delegations to invite: %w", err)
		}
		if len(ds) != len(ids) {
			return ErrNotFound
		}
		for _, d := range ds {
			ok, err := insertParticipation(ctx, tx, &Participation{EditionID: editionID, DelegationID: d.ID, Status: StatusInvited, Version: 1},
				d.Name+": invited")
			if err != nil {
				return err
			}
			if ok {
				added++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// insertParticipation adds p unless its delegation is already in its
// edition, and audits it; it reports whether p was added.
func insertParticipation(ctx context.Context, tx *gorm.DB, p *Participation, summary string) (bool, error) {
	res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "edition_id"}, {Name: "delegation_id"}}, DoNothing: true}).Create(p)
	if res.Error != nil {
		if errors.Is(res.Error, gorm.ErrForeignKeyViolated) {
			return false, ErrNotFound // the edition, delegation or head is gone
		}
		return false, fmt.Errorf("delegation: add participation of delegation %d: %w", p.DelegationID, res.Error)
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	err := audit.Write(ctx, tx, audit.Record{
		Action: "create", EntityType: "participation", EntityID: p.ID,
		Summary: summary, Changes: audit.Diff(nil, p),
	})
	return err == nil, err
}

// CopyParticipations copies, inside tx, the participations of edition from
// into edition to, as the new edition's invitation list: every delegation
// that did not decline or withdraw, with its head of delegation (if still
// one of its guests), liaison officer, wreath and ribbon text; the status
// goes back to invited and the arrival and notes, which belong to that
// year, are left empty. Delegations already in edition to are skipped, so
// running it again adds nothing. The ceremony package calls it inside the
// transaction that starts the next edition; CarryOver wraps it in one of
// its own.
func (s *Store) CopyParticipations(ctx context.Context, tx *gorm.DB, from, to int64) error {
	_, err := copyParticipations(ctx, tx, from, to)
	return err
}

// CarryOver copies the participations of edition from into edition to as
// CopyParticipations does, in its own transaction, and returns how many
// delegations were added.
func (s *Store) CarryOver(ctx context.Context, from, to int64) (int, error) {
	var n int
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		n, err = copyParticipations(ctx, tx, from, to)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// carrySource is a participation to carry over, with the head of
// delegation it keeps.
type carrySource struct {
	Participation
	DelegationName string
	// KeptHeadID is the head of delegation if still one of the
	// delegation's guests, else nil.
	KeptHeadID *int64
}

func copyParticipations(ctx context.Context, tx *gorm.DB, from, to int64) (int, error) {
	if from == to {
		return 0, nil
	}
	var src []carrySource
	err := tx.WithContext(ctx).Table("participations p").
		Joins("JOIN delegations d ON d.id = p.delegation_id").
		Joins("LEFT JOIN guests g ON g.id = p.head_guest_id AND g.delegation_id = p.delegation_id").
		Select("p.*, d.name AS delegation_name, g.id AS kept_head_id").
		Where("p.edition_id = ? AND p.status NOT IN ?", from, notComing).
		Order("d.precedence, d.id").Scan(&src).Error
	if err != nil {
		return 0, fmt.Errorf("delegation: load participations of edition %d: %w", from, err)
	}
	added := 0
	for _, sp := range src {
		p := &Participation{
			EditionID: to, DelegationID: sp.DelegationID, Status: StatusInvited, HeadGuestID: sp.KeptHeadID,
			LiaisonName: sp.LiaisonName, LiaisonPhone: sp.LiaisonPhone, Wreath: sp.Wreath, RibbonText: sp.RibbonText,
			Version: 1,
		}
		ok, err := insertParticipation(ctx, tx.WithContext(ctx), p, sp.DelegationName+": carried over from the previous edition")
		if err != nil {
			return 0, err
		}
		if ok {
			added++
		}
	}
	return added, nil
}

// UpdateParticipation saves the participation form of participation id of
// edition editionID, if it is still at version (else ErrStale). A head of
// delegation who is not one of its guests makes ErrHeadNotInDelegation, a
// wreath without ribbon text ErrRibbonRequired; neither saves anything.
func (s *Store) UpdateParticipation(ctx context.Context, editionID, id int64, version int, in ParticipationInput) (*Participation, error) {
	var name string
	return update(ctx, s.db, "participation", id, version,
		func(tx *gorm.DB, p *Participation) error {
			if p.EditionID != editionID {
				return ErrNotFound
			}
			in.apply(p)
			if err := checkParticipation(tx, p); err != nil {
				return err
			}
			var err error
			name, err = delegationName(tx, &p.DelegationID)
			return err
		},
		func(*Participation) string { return name }, nil)
}

// DeleteParticipation removes participation id from edition editionID.
func (s *Store) DeleteParticipation(ctx context.Context, editionID, id int64) (*ParticipationRow, error) {
	row, err := s.Participation(ctx, editionID, id)
	if err != nil {
		return nil, err
	}
	// The edition of a participation never changes, so checking it before
	// the delete's own transaction is enough.
	_, err = remove(ctx, s.db, "participation", id, func(*Participation) string { return row.DelegationName + ": removed from the edition" }, nil)
	if err != nil {
		return nil, err
	}
	return row, nil
}

// WreathRow is one wreath of the wreath-laying order.
type WreathRow struct {
	// Position is the wreath's place in the order, from 1.
	Position        int
	ParticipationID int64
	DelegationID    int64
	DelegationName  string
	// Country is the delegation's ISO 3166-1 code ("" for none).
	Country    string
	Kind       string
	RibbonText string
	// LaidBy is the head of delegation's name as printed, honorific
	// included; "" when not known yet.
	LaidBy string
}

// WreathOrder returns the wreaths of edition editionID in the order they
// are laid: the delegations bringing one that have not declined or
// withdrawn, in order of precedence.
func (s *Store) WreathOrder(ctx context.Context, editionID int64) ([]WreathRow, error) {
	var rs []participationScan
	err := s.participationQuery(ctx).
		Where("p.edition_id = ? AND p.wreath AND p.status NOT IN ?", editionID, notComing).
		Scan(&rs).Error
	if err != nil {
		return nil, fmt.Errorf("delegation: wreath order of edition %d: %w", editionID, err)
	}
	out := make([]WreathRow, len(rs))
	for i, r := range rs {
		out[i] = WreathRow{
			Position: i + 1, ParticipationID: r.ID, DelegationID: r.DelegationID, DelegationName: r.DelegationName,
			Country: r.Country, Kind: r.DelegationKind, RibbonText: r.RibbonText, LaidBy: r.Head.name(),
		}
	}
	return out, nil
}

// DelegationParticipation is a delegation's participation in one edition,
// for the delegation's history.
type DelegationParticipation struct {
	ID        int64
	EditionID int64
	Status    string
	Wreath    bool
	// HeadName is the head of delegation's name as printed; "" for none.
	HeadName string
}

// DelegationParticipations returns the participations of delegation
// delegationID in every edition, the most recently created edition first
// (editions belong to the ceremony package; callers that show years look
// them up by EditionID).
func (s *Store) DelegationParticipations(ctx context.Context, delegationID int64) ([]DelegationParticipation, error) {
	var rs []delegationParticipationScan
	err := s.db.WithContext(ctx).Table("participations p").
		Joins("LEFT JOIN guests g ON g.id = p.head_guest_id").
		Select("p.id, p.edition_id, p.status, p.wreath, "+headColumns).
		Where("p.delegation_id = ?", delegationID).
		Order("p.edition_id DESC").Scan(&rs).Error
	if err != nil {
		return nil, fmt.Errorf("delegation: participations of delegation %d: %w", delegationID, err)
	}
	out := make([]DelegationParticipation, len(rs))
	for i, r := range rs {
		out[i] = DelegationParticipation{ID: r.ID, EditionID: r.EditionID, Status: r.Status, Wreath: r.Wreath, HeadName: r.Head.name()}
	}
	return out, nil
}

// delegationParticipationScan receives one row of DelegationParticipations.
type delegationParticipationScan struct {
	ID        int64
	EditionID int64
	Status    string
	Wreath    bool
	Head      headParts `gorm:"embedded"`
}
