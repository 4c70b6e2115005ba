package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"vigil/internal/auth"
	"vigil/internal/ceremony"
	"vigil/internal/delegation"
	"vigil/internal/invitation"
	"vigil/internal/venue"
)

// The demo invitations: the members of the delegations invited to the
// current edition are invited to its published ceremonies, and a realistic
// share has answered — most through the link, some through the protocol
// office by phone or diplomatic note — so that the RSVP board, the lists
// and the waitlist have something to show.
//
// The answers are drawn from a seeded PCG in the order of precedence, so
// every database gets the same mix.

// invitationSeed1 and invitationSeed2 seed the answers; changing them
// changes who answered what.
const (
	invitationSeed1 = 2026
	invitationSeed2 = 11
)

// Shares of the answers, per invitation; the rest have not answered.
// Members of a delegation that confirmed its participation accept more
// often than the others.
const (
	acceptConfirmed = 0.57
	acceptOthers    = 0.40
	declineShare    = 0.11
	// staffShare of the answers came to the protocol office, not through
	// the link.
	staffShare = 0.25
	// companionShare of the heads who accept bring a companion.
	companionShare = 0.5
)

// demoCompanions are the names heads of delegation give for their
// companions.
var demoCompanions = []string{
	"Aynur Quliyeva", "Elena Sokolova", "Sophie Martin", "Anna Keller", "Maria Rossi", "Leyla Rzayeva",
	"Catherine Hughes", "Natalia Kowalska", "Yuki Tanaka", "Fatima Al-Sayed", "Zeynep Aydın", "Olga Petrenko",
}

// invitee is a guest to invite, and how.
type invitee struct {
	guest      delegation.Guest
	head       bool
	confirmed  bool   // the delegation confirmed its participation
	declined   bool   // the delegation declined or withdrew
	zoneKind   string // the kind of zone the guest sits in
	diplomatic bool   // answers by note rather than by phone
}

// seedInvitations invites the members of the delegations taking part in
// the current edition to its published ceremonies and records their
// answers. It does nothing when store is nil (no secret to make links
// with), when the edition has no published ceremony, or when the edition
// has invitations already: from then on they are the organizers'. No
// e-mail is queued: the store has no notifier.
func seedInvitations(ctx context.Context, store *invitation.Store, users *auth.Store, cs *ceremony.Store, vs *venue.Store, dir *delegation.Store, cm *ceremony.Commemoration, now time.Time) error {
	if store == nil {
		return nil
	}
	ed, err := cs.CurrentEdition(ctx, cm.ID, now.Year())
	if err != nil {
		return fmt.Errorf("demo: current edition: %w", err)
	}
	counts, err := store.EditionCounts(ctx, ed.ID)
	if err != nil || counts.Invited > 0 {
		return err
	}
	all, err := cs.Ceremonies(ctx, ed.ID)
	if err != nil {
		return err
	}
	var published []ceremony.Ceremony
	for _, c := range all {
		if c.Status == ceremony.CeremonyPublished {
			published = append(published, c)
		}
	}
	if len(published) == 0 {
		return nil
	}
	// Each ceremony's zones by kind, to seat the guests.
	zones := make([]map[string]int64, len(published))
	for i, c := range published {
		zones[i] = map[string]int64{}
		if c.VenueID == nil {
			continue
		}
		zs, err := vs.Zones(ctx, *c.VenueID)
		if err != nil {
			return err
		}
		for _, z := range zs {
			if _, taken := zones[i][z.Kind]; !taken && slices.Contains(c.ZoneIDs, z.ID) {
				zones[i][z.Kind] = z.ID
			}
		}
	}

	people, err := invitees(ctx, dir, ed.ID)
	if err != nil {
		return err
	}
	organizer, err := userID(ctx, users, "protocol@vigil.local")
	if err != nil {
		return err
	}
	staff, err := userID(ctx, users, "staff@vigil.local")
	if err != nil {
		return err
	}

	// One invitation per batch of guests sharing companions and zone.
	type batch struct {
		companions int
		zoneKind   string
	}
	batches := map[batch][]int64{}
	var order []batch
	for _, p := range people {
		b := batch{zoneKind: p.zoneKind}
		if p.head {
			b.companions = 1
		}
		if _, seen := batches[b]; !seen {
			order = append(order, b)
		}
		batches[b] = append(batches[b], p.guest.ID)
	}
	by := invitation.Actor{Via: invitation.ViaOrganizer, UserID: organizer}
	for _, b := range order {
		in := invitation.Invite{EditionID: ed.ID, GuestIDs: batches[b], Companions: b.companions}
		for i, c := range published {
			cz := invitation.CeremonyZone{CeremonyID: c.ID}
			if z, ok := zones[i][b.zoneKind]; ok {
				cz.ZoneID = &z
			} else if z, ok := zones[i]["guests"]; ok {
				cz.ZoneID = &z
			}
			in.Ceremonies = append(in.Ceremonies, cz)
		}
		if _, err := store.InviteGuests(ctx, in, by); err != nil {
			return fmt.Errorf("demo: invite: %w", err)
		}
	}

	invs, err := store.List(ctx, invitation.ListFilter{EditionID: ed.ID})
	if err != nil {
		return err
	}
	ids := make(map[int64]int64, len(invs))
	for _, inv := range invs {
		ids[inv.GuestID] = inv.ID
	}
	rnd := rand.New(rand.NewPCG(invitationSeed1, invitationSeed2))
	companions := 0
	for _, p := range people {
		id, ok := ids[p.guest.ID]
		if !ok {
			return fmt.Errorf("demo: no invitation for guest %d", p.guest.ID)
		}
		// Draw every number for every guest, answered or not, so that one
		// guest's answer does not shift the draws of those after.
		roll, viaRoll, channelRoll, companionRoll := rnd.Float64(), rnd.Float64(), rnd.Float64(), rnd.Float64()
		accept := acceptOthers
		if p.confirmed {
			accept = acceptConfirmed
		}
		var yes bool
		switch {
		case p.declined:
			yes = false
		case roll < accept:
			yes = true
		case roll < accept+declineShare:
			yes = false
		default:
			continue // not answered
		}
		r := invitation.Response{Accept: map[int64]bool{}}
		for _, c := range published {
			r.Accept[c.ID] = yes
		}
		if yes {
			r.AccessibilityNeeds, r.DietaryNeeds = p.guest.AccessibilityNeeds, p.guest.DietaryNeeds
			r.ContactPhone = p.guest.Phone
			if p.head && companionRoll < companionShare {
				r.Companions = []string{demoCompanions[companions%len(demoCompanions)]}
				companions++
			}
		}
		actor := invitation.Actor{Via: invitation.ViaLink}
		if p.declined || viaRoll < staffShare {
			actor = invitation.Actor{Via: invitation.ViaStaff, UserID: staff, Channel: "phone"}
			if p.declined || p.diplomatic && channelRoll < 0.6 {
				actor.Channel = "diplomatic_note"
			}
		}
		if _, err := store.Answer(ctx, id, r, actor); err != nil {
			return fmt.Errorf("demo: answer of guest %d: %w", p.guest.ID, err)
		}
	}
	return nil
}

// invitees lists whom the demo invites, in the order of precedence: every
// member of the state's, the government's and the parliament's
// delegations; from the other delegations the head and one or two more.
func invitees(ctx context.Context, dir *delegation.Store, editionID int64) ([]invitee, error) {
	rows, err := dir.Participations(ctx, editionID, delegation.ParticipationFilter{})
	if err != nil {
		return nil, err
	}
	var out []invitee
	for i, r := range rows {
		gs, err := dir.DelegationGuests(ctx, r.DelegationID)
		if err != nil {
			return nil, err
		}
		if len(gs) == 0 {
			continue
		}
		// The head of delegation first, then the others in the
		// directory's order (VIPs first).
		head := 0
		if r.HeadGuestID != nil {
			head = max(0, slices.IndexFunc(gs, func(g delegation.Guest) bool { return g.ID == *r.HeadGuestID }))
		}
		gs = append([]delegation.Guest{gs[head]}, slices.Delete(slices.Clone(gs), head, head+1)...)
		p := invitee{
			confirmed: r.Status == delegation.StatusConfirmed,
			declined:  r.Status == delegation.StatusDeclined || r.Status == delegation.StatusWithdrawn,
		}
		switch r.DelegationKind {
		case delegation.KindHeadOfState, delegation.KindGovernment, delegation.KindParliament:
			p.zoneKind = "official"
		default:
			p.zoneKind, p.diplomatic = "diplomatic", true
			// One or two besides the head, alternating down the list.
			gs = gs[:min(len(gs), 2+i%2)]
		}
		for j, g := range gs {
			p.guest, p.head = g, j == 0
			out = append(out, p)
		}
	}
	return out, nil
}

// userID is the id of the demo user with email, nil if it is gone.
func userID(ctx context.Context, users *auth.Store, email string) (*int64, error) {
	u, err := users.ByEmail(ctx, email)
	if errors.Is(err, auth.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &u.ID, nil
}
