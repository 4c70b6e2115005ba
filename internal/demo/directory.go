package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"vigil/internal/ceremony"
	"vigil/internal/delegation"
)

// The demo guest directory: about sixty delegations of every kind and about
// four hundred people with Azerbaijani, Russian, English, French, Arabic,
// Turkish, Chinese and other names, so that sorting, search, the order of
// precedence and the duplicates list have something realistic to work on.
//
// Everything is generated from the fixed tables below with a seeded PCG, so
// every database gets the same directory: a bug report that names a guest
// names one the reader has too.

// directorySeed1 and directorySeed2 seed the generator; changing them
// changes every name.
const (
	directorySeed1 = 1992
	directorySeed2 = 226
)

// seedDirectory adds the demo delegations and their guests that are
// missing, then the delegations invited to the demo's current edition.
func seedDirectory(ctx context.Context, store *delegation.Store, ceremonies *ceremony.Store, cm *ceremony.Commemoration, now time.Time) error {
	if err := seedPeople(ctx, store); err != nil {
		return err
	}
	ed, err := ceremonies.CurrentEdition(ctx, cm.ID, now.Year())
	if err != nil {
		return fmt.Errorf("demo: current edition: %w", err)
	}
	loc, err := cm.Location()
	if err != nil {
		return err
	}
	return seedParticipations(ctx, store, ed.ID, cm.CeremonyDate(ed.Year, loc))
}

// seedPeople adds the demo delegations and their guests that are missing.
// A delegation is matched by name and a guest by delegation, given and
// family name, so seeding twice changes nothing and a seed interrupted
// half-way completes on the next run.
func seedPeople(ctx context.Context, store *delegation.Store) error {
	existing, err := store.AllDelegations(ctx)
	if err != nil {
		return err
	}
	ids := make(map[string]int64, len(existing))
	for _, d := range existing {
		ids[strings.ToLower(d.Name)] = d.ID
	}
	var jobs []guestJob
	for _, pd := range directoryPlan() {
		id, had := ids[strings.ToLower(pd.in.Name)]
		guests := pd.guests
		if had {
			gs, err := store.DelegationGuests(ctx, id)
			if err != nil {
				return err
			}
			have := map[string]bool{}
			for _, g := range gs {
				have[g.GivenName+"\x00"+g.FamilyName] = true
			}
			guests = slices.DeleteFunc(slices.Clone(guests), func(in delegation.GuestInput) bool {
				return have[in.GivenName+"\x00"+in.FamilyName]
			})
		} else {
			// Delegations one by one: each recomputes the order of
			// precedence under a lock anyway.
			d, err := store.CreateDelegation(ctx, pd.in)
			if err != nil {
				return fmt.Errorf("demo: delegation %s: %w", pd.in.Name, err)
			}
			id = d.ID
		}
		if len(guests) > 0 {
			jobs = append(jobs, guestJob{id, guests})
		}
	}
	return createGuests(ctx, store, jobs)
}

// guestJob is the guests to add to one delegation.
type guestJob struct {
	delegationID int64
	guests       []delegation.GuestInput
}

// seedWriters is how many guests are written at once. Every guest is its
// own transaction and the commits' flushes to disk dominate (one at a time,
// four hundred guests take 3–4 s); PostgreSQL flushes concurrent commits
// together. The guests of one delegation are written in order, so only the
// interleaving of ids between delegations varies from run to run.
const seedWriters = 6

// createGuests writes the jobs' guests; the first error stops the rest.
func createGuests(ctx context.Context, store *delegation.Store, jobs []guestJob) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan guestJob)
	var wg sync.WaitGroup
	for range seedWriters {
		wg.Go(func() {
			for j := range next {
				for _, in := range j.guests {
					in.DelegationID = &j.delegationID
					_, err := store.CreateGuest(ctx, in)
					// An organizer may have moved a demo guest to another
					// delegation; the guest, known by the e-mail, is there.
					if err != nil && !errors.Is(err, delegation.ErrEmailTaken) {
						cancel(fmt.Errorf("demo: guest %s %s: %w", in.GivenName, in.FamilyName, err))
						return
					}
				}
			}
		})
	}
feed:
	for _, j := range jobs {
		select {
		case next <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}

// Participations of the demo edition: the state, the government, the
// parliament, the diplomatic corps (but the two missions whose heads have
// not presented credentials yet) and five international organisations;
// about twenty wreaths.
const (
	invitedOrganisations = 5
	wreaths              = 20
)

// liaisonOfficers are the protocol office's staff who accompany
// delegations.
var liaisonOfficers = [][2]string{
	{"Nigar Həsənova", "+994 50 610 21 34"},
	{"Elvin Quliyev", "+994 55 718 40 92"},
	{"Röya Səfərova", "+994 70 243 66 15"},
	{"Tural Məmmədov", "+994 51 904 12 78"},
}

// seedParticipations invites the demo delegations to edition editionID,
// with their heads of delegation, wreaths, liaison officers and arrivals;
// day is the ceremony day. It does nothing when the edition has
// delegations already: from then on the list is the organizers'.
func seedParticipations(ctx context.Context, store *delegation.Store, editionID int64, day time.Time) error {
	rows, err := store.Participations(ctx, editionID, delegation.ParticipationFilter{})
	if err != nil || len(rows) > 0 {
		return err
	}
	heads := map[string]delegation.GuestInput{}
	for _, pd := range directoryPlan() {
		heads[pd.in.Name] = pd.guests[0]
	}
	all, err := store.AllDelegations(ctx)
	if err != nil {
		return err
	}
	var ids []int64
	organisations := 0
	for _, d := range all {
		if _, demo := heads[d.Name]; !demo {
			continue
		}
		switch d.Kind {
		case delegation.KindHeadOfState, delegation.KindGovernment, delegation.KindParliament:
		case delegation.KindDiplomaticMission:
			if d.CredentialsPresentedOn == nil {
				continue
			}
		case delegation.KindInternationalOrganisation:
			if organisations == invitedOrganisations {
				continue
			}
			organisations++
		default:
			continue
		}
		ids = append(ids, d.ID)
	}
	if _, err := store.Invite(ctx, editionID, ids); err != nil {
		return fmt.Errorf("demo: invite delegations: %w", err)
	}
	if rows, err = store.Participations(ctx, editionID, delegation.ParticipationFilter{}); err != nil {
		return err
	}

	laid, mission, confirmed := 0, 0, 0
	for _, r := range rows {
		in := delegation.ParticipationInput{Status: delegation.StatusInvited}
		switch r.DelegationKind {
		case delegation.KindHeadOfState, delegation.KindParliament:
			in.Status, in.Wreath = delegation.StatusConfirmed, true
		case delegation.KindGovernment:
			in.Status = delegation.StatusConfirmed
			in.Wreath = r.DelegationName == "Office of the Prime Minister" || r.DelegationName == "Ministry of Foreign Affairs"
		case delegation.KindDiplomaticMission:
			switch {
			case mission%2 == 0:
				in.Wreath = true
				if mission%4 == 0 {
					in.Status = delegation.StatusConfirmed
				}
			case mission == 5:
				in.Status = delegation.StatusDeclined
			case mission == 11:
				in.Status = delegation.StatusWithdrawn
			case mission%3 == 0:
				in.Status = delegation.StatusConfirmed
			}
			mission++
		}
		if in.Wreath {
			if laid == wreaths {
				in.Wreath = false
			} else {
				laid++
				in.RibbonText = "In memory — " + r.DelegationName
			}
		}
		if in.HeadGuestID, err = headOf(ctx, store, r.DelegationID, heads[r.DelegationName]); err != nil {
			return err
		}
		if in.Status == delegation.StatusConfirmed {
			lo := liaisonOfficers[confirmed%len(liaisonOfficers)]
			in.LiaisonName, in.LiaisonPhone = lo[0], lo[1]
			in.ArrivalVehicle = "Official car"
			in.ArrivalPlate = fmt.Sprintf("10-AA-%03d", 101+confirmed)
			if r.DelegationKind == delegation.KindDiplomaticMission {
				in.ArrivalPlate = fmt.Sprintf("CD %03d", 101+confirmed)
			}
			at := day.Add(10*time.Hour + 30*time.Minute + time.Duration(confirmed)*time.Minute)
			in.ArrivalAt = &at
			confirmed++
		}
		if _, err := store.UpdateParticipation(ctx, editionID, r.ID, r.Version, in); err != nil {
			return fmt.Errorf("demo: participation of %s: %w", r.DelegationName, err)
		}
	}
	return nil
}

// headOf returns the id of the guest of delegation id planned as its head;
// nil if an organizer removed that guest.
func headOf(ctx context.Context, store *delegation.Store, id int64, head delegation.GuestInput) (*int64, error) {
	gs, err := store.DelegationGuests(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, g := range gs {
		if g.GivenName == head.GivenName && g.FamilyName == head.FamilyName {
			return &g.ID, nil
		}
	}
	return nil, nil
}

// plannedDelegation is one demo delegation with its people; the head of
// delegation comes first.
type plannedDelegation struct {
	in     delegation.DelegationInput
	guests []delegation.GuestInput
}

// delegationSpec describes a demo delegation.
type delegationSpec struct {
	name, kind, country string
	// credentials is the day the head of mission presented credentials
	// (diplomatic missions; "" for none yet).
	credentials string
	rank        int
	// culture names the people: a key of cultures, or several separated
	// by commas for an organisation whose staff come from many countries.
	culture string
	domain  string // e-mail domain
	size    int    // number of guests
	head    string // position of the head of delegation, when not the kind's usual one
}

// delegationSpecs are the demo delegations. The Prime Minister's office and
// the foreign ministry are ranked ahead of the other ministries (which
// follow by name). The diplomatic corps has dates
// spread over ten years, three missions on one day (two ranked by the
// organizer, one not), two on another and two without a date, so that the
// order of precedence exercises every rule.
var delegationSpecs = []delegationSpec{
	{name: "Office of the Head of State", kind: delegation.KindHeadOfState, country: "AZ", culture: "az", domain: "office.example.org", size: 7},

	{name: "Office of the Prime Minister", kind: delegation.KindGovernment, country: "AZ", rank: 1, culture: "az", domain: "pmo.example.org", size: 6, head: "Prime Minister"},
	{name: "Ministry of Foreign Affairs", kind: delegation.KindGovernment, country: "AZ", rank: 2, culture: "az", domain: "mfa.example.org", size: 9},
	{name: "Ministry of Culture", kind: delegation.KindGovernment, country: "AZ", culture: "az", domain: "culture.example.org", size: 7},
	{name: "Ministry of Defence", kind: delegation.KindGovernment, country: "AZ", culture: "az", domain: "mod.example.org", size: 6},
	{name: "Ministry of Education", kind: delegation.KindGovernment, country: "AZ", culture: "az", domain: "edu.example.org", size: 5},

	{name: "National Assembly", kind: delegation.KindParliament, country: "AZ", culture: "az", domain: "parliament.example.org", size: 20},

	{name: "Embassy of the Russian Federation", kind: delegation.KindDiplomaticMission, country: "RU", credentials: "2015-04-08", culture: "ru", domain: "embassy-ru.example.org", size: 10},
	{name: "Embassy of Saudi Arabia", kind: delegation.KindDiplomaticMission, country: "SA", credentials: "2015-11-24", culture: "ar", domain: "embassy-sa.example.org", size: 6},
	{name: "Embassy of Kazakhstan", kind: delegation.KindDiplomaticMission, country: "KZ", credentials: "2016-02-16", culture: "kk", domain: "embassy-kz.example.org", size: 7},
	{name: "Embassy of Pakistan", kind: delegation.KindDiplomaticMission, country: "PK", credentials: "2016-06-21", culture: "pk", domain: "embassy-pk.example.org", size: 6},
	{name: "Embassy of the People's Republic of China", kind: delegation.KindDiplomaticMission, country: "CN", credentials: "2016-10-12", culture: "zh", domain: "embassy-cn.example.org", size: 10},
	{name: "Embassy of Brazil", kind: delegation.KindDiplomaticMission, country: "BR", credentials: "2017-02-07", culture: "pt", domain: "embassy-br.example.org", size: 5},
	{name: "Embassy of Japan", kind: delegation.KindDiplomaticMission, country: "JP", credentials: "2017-05-30", culture: "ja", domain: "embassy-jp.example.org", size: 8},
	{name: "Embassy of Switzerland", kind: delegation.KindDiplomaticMission, country: "CH", credentials: "2017-11-21", culture: "de,fr,it", domain: "embassy-ch.example.org", size: 6},
	{name: "Embassy of Türkiye", kind: delegation.KindDiplomaticMission, country: "TR", credentials: "2018-04-10", culture: "tr", domain: "embassy-tr.example.org", size: 10},
	{name: "Embassy of Georgia", kind: delegation.KindDiplomaticMission, country: "GE", credentials: "2018-04-10", culture: "ka", domain: "embassy-ge.example.org", size: 7},
	{name: "Embassy of Qatar", kind: delegation.KindDiplomaticMission, country: "QA", credentials: "2018-09-25", culture: "ar", domain: "embassy-qa.example.org", size: 5},
	{name: "Embassy of France", kind: delegation.KindDiplomaticMission, country: "FR", credentials: "2019-03-14", culture: "fr", domain: "embassy-fr.example.org", size: 9},
	{name: "Embassy of Belarus", kind: delegation.KindDiplomaticMission, country: "BY", credentials: "2019-07-02", culture: "ru", domain: "embassy-by.example.org", size: 6},
	{name: "Embassy of Romania", kind: delegation.KindDiplomaticMission, country: "RO", credentials: "2019-12-10", culture: "ro", domain: "embassy-ro.example.org", size: 5},
	{name: "Embassy of Uzbekistan", kind: delegation.KindDiplomaticMission, country: "UZ", credentials: "2020-03-03", culture: "uz", domain: "embassy-uz.example.org", size: 7},
	{name: "Embassy of Israel", kind: delegation.KindDiplomaticMission, country: "IL", credentials: "2020-07-14", culture: "he", domain: "embassy-il.example.org", size: 6},
	{name: "Embassy of Italy", kind: delegation.KindDiplomaticMission, country: "IT", credentials: "2020-11-18", culture: "it", domain: "embassy-it.example.org", size: 8},
	{name: "Embassy of Hungary", kind: delegation.KindDiplomaticMission, country: "HU", credentials: "2021-03-30", culture: "hu", domain: "embassy-hu.example.org", size: 5},
	{name: "Embassy of Iran", kind: delegation.KindDiplomaticMission, country: "IR", credentials: "2021-05-18", culture: "fa", domain: "embassy-ir.example.org", size: 7},
	{name: "Embassy of the United Kingdom", kind: delegation.KindDiplomaticMission, country: "GB", credentials: "2021-09-15", rank: 1, culture: "en", domain: "embassy-gb.example.org", size: 9},
	{name: "Embassy of the United States of America", kind: delegation.KindDiplomaticMission, country: "US", credentials: "2021-09-15", rank: 2, culture: "en", domain: "embassy-us.example.org", size: 10},
	{name: "Embassy of Canada", kind: delegation.KindDiplomaticMission, country: "CA", credentials: "2021-09-15", culture: "en,fr", domain: "embassy-ca.example.org", size: 5},
	{name: "Embassy of Greece", kind: delegation.KindDiplomaticMission, country: "GR", credentials: "2022-03-22", culture: "el", domain: "embassy-gr.example.org", size: 5},
	{name: "Embassy of Germany", kind: delegation.KindDiplomaticMission, country: "DE", credentials: "2022-06-07", culture: "de", domain: "embassy-de.example.org", size: 9},
	{name: "Embassy of Ukraine", kind: delegation.KindDiplomaticMission, country: "UA", credentials: "2022-12-06", culture: "uk", domain: "embassy-ua.example.org", size: 7},
	{name: "Embassy of Spain", kind: delegation.KindDiplomaticMission, country: "ES", credentials: "2023-02-21", culture: "es", domain: "embassy-es.example.org", size: 6},
	{name: "Embassy of the United Arab Emirates", kind: delegation.KindDiplomaticMission, country: "AE", credentials: "2023-06-13", culture: "ar", domain: "embassy-ae.example.org", size: 6},
	{name: "Embassy of Poland", kind: delegation.KindDiplomaticMission, country: "PL", credentials: "2023-09-12", culture: "pl", domain: "embassy-pl.example.org", size: 6},
	{name: "Embassy of the Republic of Korea", kind: delegation.KindDiplomaticMission, country: "KR", credentials: "2024-01-23", culture: "ko", domain: "embassy-kr.example.org", size: 7},
	{name: "Embassy of the Netherlands", kind: delegation.KindDiplomaticMission, country: "NL", credentials: "2024-05-28", culture: "nl", domain: "embassy-nl.example.org", size: 5},
	{name: "Embassy of Egypt", kind: delegation.KindDiplomaticMission, country: "EG", credentials: "2024-10-08", culture: "ar", domain: "embassy-eg.example.org", size: 6},
	{name: "Embassy of the Czech Republic", kind: delegation.KindDiplomaticMission, country: "CZ", credentials: "2025-01-28", culture: "cs", domain: "embassy-cz.example.org", size: 5},
	{name: "Embassy of India", kind: delegation.KindDiplomaticMission, country: "IN", credentials: "2025-03-11", culture: "in", domain: "embassy-in.example.org", size: 6},
	{name: "Embassy of Mexico", kind: delegation.KindDiplomaticMission, country: "MX", culture: "es", domain: "embassy-mx.example.org", size: 5},
	{name: "Embassy of Indonesia", kind: delegation.KindDiplomaticMission, country: "ID", culture: "id", domain: "embassy-id.example.org", size: 5},

	{name: "Delegation of the European Union", kind: delegation.KindInternationalOrganisation, culture: "fr,de,it,es,pl,nl,ro", domain: "eu-delegation.example.org", size: 6, head: "Ambassador, Head of Delegation"},
	{name: "United Nations Resident Coordinator Office", kind: delegation.KindInternationalOrganisation, culture: "en,fr,es,az,ru,in", domain: "un.example.org", size: 6, head: "Resident Coordinator"},
	{name: "United Nations Children's Fund Office", kind: delegation.KindInternationalOrganisation, culture: "en,az,es,ar", domain: "children-fund.example.org", size: 4},
	{name: "United Nations Refugee Agency Office", kind: delegation.KindInternationalOrganisation, culture: "en,fr,az,de", domain: "refugee-agency.example.org", size: 4},
	{name: "World Health Organization Country Office", kind: delegation.KindInternationalOrganisation, culture: "en,ru,az,it", domain: "health-org.example.org", size: 4},
	{name: "OSCE Office", kind: delegation.KindInternationalOrganisation, culture: "de,en,pl,ru", domain: "osce-office.example.org", size: 4},
	{name: "International Red Cross Delegation", kind: delegation.KindInternationalOrganisation, culture: "fr,de,en,az", domain: "red-cross.example.org", size: 4, head: "Head of Delegation"},
	{name: "Council of Europe Office", kind: delegation.KindInternationalOrganisation, culture: "fr,en,el,az", domain: "coe-office.example.org", size: 4},

	{name: "National Red Crescent Society", kind: delegation.KindCivilSociety, country: "AZ", culture: "az", domain: "red-crescent.example.org", size: 5},
	{name: "Union of Writers", kind: delegation.KindCivilSociety, country: "AZ", culture: "az", domain: "writers.example.org", size: 4},
	{name: "Youth Volunteers Network", kind: delegation.KindCivilSociety, country: "AZ", culture: "az", domain: "volunteers.example.org", size: 6},
	{name: "Association of Veterans", kind: delegation.KindCivilSociety, country: "AZ", culture: "az", domain: "veterans.example.org", size: 5},

	{name: "Muslim Religious Board", kind: delegation.KindReligiousCommunity, country: "AZ", culture: "az", domain: "religious-board.example.org", size: 4},
	{name: "Orthodox Diocese of Baku", kind: delegation.KindReligiousCommunity, country: "AZ", culture: "ru", domain: "diocese.example.org", size: 3},
	{name: "Jewish Community of Baku", kind: delegation.KindReligiousCommunity, country: "AZ", culture: "he,az,ru", domain: "jewish-community.example.org", size: 3},
	{name: "Catholic Parish of Baku", kind: delegation.KindReligiousCommunity, country: "AZ", culture: "it,pl,az", domain: "catholic-parish.example.org", size: 3},

	{name: "Caspian News Agency", kind: delegation.KindPress, country: "AZ", culture: "az", domain: "caspian-news.example.org", size: 5},
	{name: "Public Television", kind: delegation.KindPress, country: "AZ", culture: "az", domain: "public-tv.example.org", size: 5},
	{name: "City Radio", kind: delegation.KindPress, country: "AZ", culture: "az,ru", domain: "city-radio.example.org", size: 3},
	{name: "World Wire News Agency, Baku bureau", kind: delegation.KindPress, culture: "en,fr,ru,az", domain: "world-wire.example.org", size: 4},
	{name: "Evening Gazette", kind: delegation.KindPress, country: "AZ", culture: "az", domain: "evening-gazette.example.org", size: 3},

	{name: "City Executive Authority", kind: delegation.KindOther, country: "AZ", culture: "az", domain: "city.example.org", size: 5, head: "Head of the City Executive Authority"},
	{name: "State University", kind: delegation.KindOther, country: "AZ", culture: "az", domain: "university.example.org", size: 5, head: "Rector"},
	{name: "Memorial Site Administration", kind: delegation.KindOther, country: "AZ", culture: "az", domain: "memorial.example.org", size: 4, head: "Director"},
}

// role is a position in a delegation.
type role struct {
	position string
	// honorific replaces Mr./Ms. (H.E., Dr., Prof.).
	honorific string
	vip       bool
	org       string
	// local marks an Azerbaijani employee of a foreign mission.
	local bool
}

// rosters list, per kind, the positions in the order people are added:
// a delegation of size n has the first n (the last ones repeat).
var rosters = map[string][]role{
	delegation.KindHeadOfState: {
		{position: "Head of the Office", honorific: "H.E.", vip: true},
		{position: "Chief of State Protocol", vip: true},
		{position: "Deputy Chief of State Protocol"},
		{position: "Foreign Policy Adviser"},
		{position: "Press Secretary"},
		{position: "Protocol Officer"},
	},
	delegation.KindGovernment: {
		{position: "Minister", honorific: "H.E.", vip: true},
		{position: "Deputy Minister", honorific: "H.E.", vip: true},
		{position: "Chief of Staff"},
		{position: "Head of the Protocol Department", org: "Protocol Department"},
		{position: "Head of Division"},
		{position: "Senior Adviser"},
		{position: "Press Secretary", org: "Press Service"},
		{position: "Protocol Officer", org: "Protocol Department"},
		{position: "Desk Officer"},
	},
	delegation.KindParliament: {
		{position: "Speaker of the National Assembly", honorific: "H.E.", vip: true},
		{position: "Deputy Speaker", honorific: "H.E.", vip: true},
		{position: "Chair of the Committee on Culture", org: "Committee on Culture"},
		{position: "Chair of the Committee on International Relations", org: "Committee on International Relations"},
		{position: "Member of Parliament", org: "Committee on Culture"},
		{position: "Member of Parliament", org: "Committee on International Relations"},
		{position: "Member of Parliament", org: "Committee on Education"},
		{position: "Member of Parliament", org: "Committee on Youth and Sport"},
		{position: "Head of the International Relations Department", org: "Secretariat"},
		{position: "Protocol Officer", org: "Secretariat"},
		{position: "Member of Parliament", org: "Committee on Legal Affairs"},
		{position: "Member of Parliament", org: "Committee on Economic Policy"},
	},
	delegation.KindDiplomaticMission: {
		{position: "Ambassador", honorific: "H.E.", vip: true},
		{position: "Deputy Head of Mission"},
		{position: "Counsellor"},
		{position: "Defence Attaché"},
		{position: "First Secretary"},
		{position: "Protocol Assistant", local: true},
		{position: "Second Secretary"},
		{position: "Consul"},
		{position: "Third Secretary"},
		{position: "Press Attaché"},
		{position: "Attaché"},
	},
	delegation.KindInternationalOrganisation: {
		{position: "Head of Office", vip: true},
		{position: "Deputy Head of Office"},
		{position: "Programme Officer"},
		{position: "Communications Officer"},
		{position: "Liaison Officer", local: true},
		{position: "Programme Assistant"},
	},
	delegation.KindCivilSociety: {
		{position: "Chair", vip: true},
		{position: "Deputy Chair"},
		{position: "Executive Director"},
		{position: "Board Member"},
		{position: "Volunteer Coordinator"},
		{position: "Member"},
	},
	delegation.KindReligiousCommunity: {
		{position: "Head of the Community", vip: true},
		{position: "Deputy Head of the Community"},
		{position: "Secretary of the Council"},
	},
	delegation.KindPress: {
		{position: "Editor-in-Chief", vip: true},
		{position: "Correspondent"},
		{position: "Photographer"},
		{position: "Camera Operator"},
		{position: "Correspondent"},
	},
	delegation.KindOther: {
		{position: "Head", vip: true},
		{position: "Deputy Head"},
		{position: "Head of the Public Events Department"},
		{position: "Coordinator"},
		{position: "Specialist"},
	},
}

// nearDuplicates are people entered twice with slightly different spellings,
// one without e-mail, as happens when two lists are merged: the duplicates
// page shows them.
var nearDuplicates = []struct {
	delegation string
	guests     [2]delegation.GuestInput
}{
	{"Ministry of Culture", [2]delegation.GuestInput{
		{Honorific: "Ms.", GivenName: "Leyla", FamilyName: "Məmmədova", Position: "Head of Division", Email: "leyla.mammadova@culture.example.org", Phone: "+994 50 318 42 77", Language: "az"},
		{Honorific: "Ms.", GivenName: "Leyla", FamilyName: "Mammadova", Position: "Head of Division", Phone: "+994 50 318 42 77", Language: "az"},
	}},
	{"Embassy of France", [2]delegation.GuestInput{
		{Honorific: "Mr.", GivenName: "Jean-Pierre", FamilyName: "Lefèvre", Position: "Cultural Attaché", Email: "jean-pierre.lefevre@embassy-fr.example.org", Phone: "+33 6 41 27 88 13", Language: "en"},
		{Honorific: "Mr.", GivenName: "Jean Pierre", FamilyName: "Lefevre", Position: "Cultural Attaché", Language: "en"},
	}},
	{"Embassy of Türkiye", [2]delegation.GuestInput{
		{Honorific: "Ms.", GivenName: "Ayşe", FamilyName: "Yılmaz", Position: "Second Secretary", Email: "ayse.yilmaz@embassy-tr.example.org", Phone: "+994 55 204 61 90", Language: "az"},
		{Honorific: "Ms.", GivenName: "Ayse", FamilyName: "Yilmaz", Position: "Second Secretary", Phone: "+90 532 418 27 06", Language: "en"},
	}},
}

// directoryPlan returns the demo directory: the same every time.
func directoryPlan() []plannedDelegation {
	g := newGenerator()
	for _, nd := range nearDuplicates {
		for _, in := range nd.guests {
			g.reserve(in.GivenName, in.FamilyName, in.Email)
		}
	}
	plan := make([]plannedDelegation, 0, len(delegationSpecs))
	for _, s := range delegationSpecs {
		pd := plannedDelegation{in: g.delegationInput(s)}
		roster := rosters[s.kind]
		for i := range s.size {
			r := roster[min(i, len(roster)-1)]
			if i == 0 && s.head != "" {
				r.position = s.head
			}
			if i == 0 && s.kind == delegation.KindOther && s.head == "Rector" {
				r.honorific = "Prof."
			}
			if i == 0 && s.head == "Ambassador, Head of Delegation" {
				r.honorific = "H.E."
			}
			pd.guests = append(pd.guests, g.guest(s, r, i == 0))
		}
		for _, nd := range nearDuplicates {
			if nd.delegation == s.name {
				pd.guests = append(pd.guests, nd.guests[0], nd.guests[1])
			}
		}
		plan = append(plan, pd)
	}
	return plan
}

// generator draws people from the culture tables, never the same name or
// e-mail twice.
type generator struct {
	rnd      *rand.Rand
	cultures map[string]*culture
	names    map[string]bool // folded Latin full names in use
	emails   map[string]bool
	n        int // guests so far, to spread the rare needs evenly
}

func newGenerator() *generator {
	return &generator{
		rnd:      rand.New(rand.NewPCG(directorySeed1, directorySeed2)),
		cultures: parseCultures(),
		names:    map[string]bool{},
		emails:   map[string]bool{},
	}
}

func (g *generator) reserve(given, family, email string) {
	g.names[delegation.Fold(given+" "+family)] = true
	if email != "" {
		g.emails[email] = true
	}
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// chance is true with probability p.
func (g *generator) chance(p float64) bool { return g.rnd.Float64() < p }

func (g *generator) delegationInput(s delegationSpec) delegation.DelegationInput {
	in := delegation.DelegationInput{Name: s.name, Kind: s.kind, Country: s.country}
	if s.credentials != "" {
		d, err := time.Parse(time.DateOnly, s.credentials)
		if err != nil {
			panic("demo: bad credentials date in the table: " + s.credentials)
		}
		in.CredentialsPresentedOn = &d
	}
	if s.rank > 0 {
		rank := s.rank
		in.Rank = &rank
	}
	c := g.cultures[strings.Split(s.culture, ",")[0]]
	p := c.person(g.rnd, g.rnd.IntN(2) == 0)
	in.ContactName = p.given + " " + p.family
	if c.familyFirst {
		in.ContactName = p.family + p.given
	}
	in.ContactEmail = "protocol@" + s.domain
	in.ContactPhone = fmt.Sprintf("+994 12 %03d %02d %02d", 400+g.rnd.IntN(600), g.rnd.IntN(100), g.rnd.IntN(100))
	districts := []string{"Sabail", "Nasimi", "Yasamal", "Narimanov", "Khatai"}
	in.Address = fmt.Sprintf("Office %d, %s district, Baku", 1+g.rnd.IntN(40), pick(g.rnd, districts))
	if s.kind == delegation.KindDiplomaticMission && s.credentials == "" {
		in.Notes = "New head of mission; credentials not yet presented."
	}
	return in
}

// guest draws the person holding role r in delegation s.
func (g *generator) guest(s delegationSpec, r role, head bool) delegation.GuestInput {
	g.n++
	key := pick(g.rnd, strings.Split(s.culture, ","))
	if r.local {
		key = "az"
	}
	c := g.cultures[key]
	female := g.rnd.IntN(2) == 0
	var p person
	for try := 0; ; try++ {
		p = c.person(g.rnd, female)
		k := delegation.Fold(p.latinGiven + " " + p.latinFamily)
		if !g.names[k] {
			g.names[k] = true
			break
		}
		if try > 200 {
			panic("demo: culture " + key + " has too few names")
		}
	}
	in := delegation.GuestInput{
		GivenName: p.given, FamilyName: p.family,
		Position: r.position, Organisation: r.org, VIP: r.vip,
	}
	switch {
	case r.honorific != "":
		in.Honorific = r.honorific
	case s.kind != delegation.KindPress && g.chance(0.10):
		in.Honorific = "Dr."
	case s.kind == delegation.KindOther && g.chance(0.15):
		in.Honorific = "Prof."
	case female:
		in.Honorific = "Ms."
	default:
		in.Honorific = "Mr."
	}
	// Badges in Baku print Chinese, Japanese and Korean names in Latin
	// letters, family name first.
	if c.familyFirst {
		in.PrintedName = in.Honorific + " " + p.latinFamily + " " + p.latinGiven
	}
	in.Language = c.language(g.rnd)

	// Most have an e-mail at their organisation; a few were given only a
	// phone number.
	if !g.chance(0.07) || head {
		local := asciiLocal(p.latinGiven) + "." + asciiLocal(p.latinFamily)
		if c.familyFirst {
			local = asciiLocal(p.latinFamily) + "." + asciiLocal(p.latinGiven)
		}
		email := local + "@" + s.domain
		for i := 2; g.emails[email]; i++ {
			email = fmt.Sprintf("%s%d@%s", local, i, s.domain)
		}
		g.emails[email] = true
		in.Email = email
	}
	// Foreign staff keep a home number now and then.
	switch {
	case g.chance(0.05):
	case c.callingCode != "" && !r.local && g.chance(0.3):
		in.Phone = fmt.Sprintf("+%s %03d %03d %04d", c.callingCode, 100+g.rnd.IntN(900), g.rnd.IntN(1000), g.rnd.IntN(10000))
	default:
		in.Phone = fmt.Sprintf("+994 %s %03d %02d %02d", pick(g.rnd, []string{"50", "51", "55", "70", "77", "99", "10"}), 200+g.rnd.IntN(800), g.rnd.IntN(100), g.rnd.IntN(100))
	}

	if g.n%29 == 7 {
		in.AccessibilityNeeds = pick(g.rnd, accessibilityNeeds)
	}
	switch {
	case g.chance(c.halal):
		in.DietaryNeeds = "Halal"
	case g.chance(c.kosher):
		in.DietaryNeeds = "Kosher"
	case g.chance(0.08):
		in.DietaryNeeds = pick(g.rnd, dietaryNeeds)
	}
	if head && g.chance(0.2) {
		in.RestrictedNotes = pick(g.rnd, restrictedNotes)
	}
	return in
}

var accessibilityNeeds = []string{
	"Wheelchair user: step-free route and a wheelchair place in the stand.",
	"Wheelchair access.",
	"Walks with a stick: a seat close to the entrance.",
	"Hard of hearing: a seat near the loudspeakers.",
}

var dietaryNeeds = []string{"Vegetarian", "Vegetarian", "Vegan", "Halal", "Kosher", "No nuts (allergy)", "Gluten-free"}

// restrictedNotes are logistics for organizers only.
var restrictedNotes = []string{
	"Arrives from the airport at 09:30, needs a parking pass.",
	"Official car drops off at the main gate; the driver waits in the reserved area.",
	"Leaves at 12:00 for another engagement: seat near the exit.",
	"Accompanied by an assistant; prepare a second badge.",
	"Needs an interpreter into Russian at the reception.",
	"Car plate to be confirmed by the protocol office the day before.",
}

// asciiLocal turns a Latin name into the part of an e-mail address people
// would write for it: "Lefèvre" → "lefevre", "de Vries" → "devries".
func asciiLocal(s string) string {
	var b strings.Builder
	for _, r := range delegation.Fold(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		}
	}
	return b.String()
}

// person is a name drawn from a culture: as written, and in Latin letters
// for the e-mail address.
type person struct {
	given, family           string
	latinGiven, latinFamily string
}

// name is one entry of a name table.
type name struct {
	native, latin string
}

// familyName has a masculine and a feminine form (the same in most
// languages).
type familyName struct {
	m, f name
}

// culture is where a person's name comes from.
type culture struct {
	male, female []name
	family       []familyName
	familyFirst  bool    // family name first (Chinese, Japanese, Korean)
	latinShare   float64 // share of people who write their name in Latin letters
	callingCode  string  // international calling code of the home country
	langs        []string
	// halal and kosher are the shares of people who ask for such meals.
	halal, kosher float64
}

func (c *culture) person(r *rand.Rand, female bool) person {
	given := pick(r, c.male)
	if female {
		given = pick(r, c.female)
	}
	fam := pick(r, c.family)
	family := fam.m
	if female {
		family = fam.f
	}
	p := person{given: given.native, family: family.native, latinGiven: given.latin, latinFamily: family.latin}
	if c.latinShare > 0 && r.Float64() < c.latinShare {
		p.given, p.family = given.latin, family.latin
	}
	return p
}

// language draws the preferred language; langs repeats a language to make
// it likelier.
func (c *culture) language(r *rand.Rand) string { return pick(r, c.langs) }

// cultureTable is a culture as written in the source: comma-separated
// names, each "Native=Latin" when the script is not Latin, family names
// "Masculine/Feminine" when they differ.
type cultureTable struct {
	male, female, family string
	familyFirst          bool
	latinShare           float64
	callingCode          string
	langs                string
	halal, kosher        float64
}

var cultureTables = map[string]cultureTable{
	"az": {
		male:   "Əli, Rəşad, Elçin, Tural, Orxan, Vüqar, Kamran, Fərid, Səməd, Nicat, Cavid, Emin, Ruslan, Elnur, Şahin, Ağa, Çingiz, İsmayıl, Ülvi, Tofiq, Rauf, Anar, Zaur, Mübariz, Elşən, Namiq, Vüsal, Cəlil",
		female: "Leyla, Aysel, Günel, Nərmin, Səbinə, Aynur, Lalə, Şəbnəm, Könül, Ülviyyə, Nigar, Aytən, Gülnarə, Fidan, Zərifə, Səadət, İradə, Çiçək, Röya, Ayşən, Xədicə, Təranə, Sevinc, Gülər",
		family: "Əliyev/Əliyeva, Məmmədov/Məmmədova, Həsənov/Həsənova, Hüseynov/Hüseynova, İsmayılov/İsmayılova, Ağayev/Ağayeva, " +
			"Qasımov/Qasımova, Quliyev/Quliyeva, Rəhimov/Rəhimova, Abdullayev/Abdullayeva, Cəfərov/Cəfərova, Nəsirov/Nəsirova, " +
			"Səfərov/Səfərova, Orucov/Orucova, Bağırov/Bağırova, Şükürov/Şükürova, Çələbi, Kərimov/Kərimova, Süleymanov/Süleymanova, " +
			"Əsədov/Əsədova, Musayev/Musayeva, Vəliyev/Vəliyeva, Talıbov/Talıbova, Göyüşov/Göyüşova, Zeynalov/Zeynalova, Şahin, " +
			"Hacıyev/Hacıyeva, Babayev/Babayeva, Nağıyev/Nağıyeva, Ələkbərov/Ələkbərova",
		langs: "az, az, az, az, az, az, ru, en", halal: 0.06,
	},
	"ru": {
		male: "Иван=Ivan, Алексей=Aleksey, Дмитрий=Dmitry, Сергей=Sergey, Андрей=Andrey, Михаил=Mikhail, Николай=Nikolay, Павел=Pavel, " +
			"Владимир=Vladimir, Артём=Artyom, Игорь=Igor, Олег=Oleg, Евгений=Evgeny, Константин=Konstantin",
		female: "Анна=Anna, Мария=Maria, Елена=Elena, Ольга=Olga, Татьяна=Tatiana, Наталья=Natalia, Екатерина=Ekaterina, Ирина=Irina, " +
			"Светлана=Svetlana, Юлия=Yulia, Дарья=Daria, Ксения=Ksenia",
		family: "Иванов/Иванова=Ivanov/Ivanova, Смирнов/Смирнова=Smirnov/Smirnova, Кузнецов/Кузнецова=Kuznetsov/Kuznetsova, " +
			"Попов/Попова=Popov/Popova, Соколов/Соколова=Sokolov/Sokolova, Лебедев/Лебедева=Lebedev/Lebedeva, Козлов/Козлова=Kozlov/Kozlova, " +
			"Новиков/Новикова=Novikov/Novikova, Морозов/Морозова=Morozov/Morozova, Петров/Петрова=Petrov/Petrova, Волков/Волкова=Volkov/Volkova, " +
			"Соловьёв/Соловьёва=Solovyov/Solovyova, Васильев/Васильева=Vasilyev/Vasilyeva, Зайцев/Зайцева=Zaytsev/Zaytseva, " +
			"Фёдоров/Фёдорова=Fyodorov/Fyodorova, Орлов/Орлова=Orlov/Orlova, Белов/Белова=Belov/Belova",
		callingCode: "7", langs: "ru, ru, ru, ru, ru, en",
	},
	"uk": {
		male:        "Олександр=Oleksandr, Андрій=Andriy, Тарас=Taras, Богдан=Bohdan, Юрій=Yuriy, Василь=Vasyl, Микола=Mykola, Дмитро=Dmytro",
		female:      "Олена=Olena, Оксана=Oksana, Ірина=Iryna, Наталія=Nataliia, Галина=Halyna, Тетяна=Tetiana, Марія=Mariia",
		family:      "Коваленко=Kovalenko, Шевченко=Shevchenko, Бондаренко=Bondarenko, Мельник=Melnyk, Ткаченко=Tkachenko, Кравченко=Kravchenko, Савчук=Savchuk, Лисенко=Lysenko, Руденко=Rudenko",
		callingCode: "380", langs: "ru, en, en",
	},
	"kk": {
		male:   "Нурлан=Nurlan, Ерлан=Yerlan, Асхат=Askhat, Данияр=Daniyar, Серик=Serik, Бауыржан=Bauyrzhan, Арман=Arman",
		female: "Айгерим=Aigerim, Жанар=Zhanar, Динара=Dinara, Гульнара=Gulnara, Салтанат=Saltanat, Асель=Assel",
		family: "Абенов/Абенова=Abenov/Abenova, Жумабаев/Жумабаева=Zhumabayev/Zhumabayeva, Касымов/Касымова=Kassymov/Kassymova, " +
			"Нурпеисов/Нурпеисова=Nurpeisov/Nurpeisova, Тулегенов/Тулегенова=Tulegenov/Tulegenova, Ахметов/Ахметова=Akhmetov/Akhmetova, " +
			"Сарсенбаев/Сарсенбаева=Sarsenbayev/Sarsenbayeva",
		callingCode: "7", langs: "ru, ru, ru, en", halal: 0.1,
	},
	"uz": {
		male:        "Jasur, Sardor, Bekzod, Otabek, Rustam, Dilshod, Aziz, Sherzod",
		female:      "Dilnoza, Malika, Nodira, Gulnora, Zarina, Madina, Shahlo",
		family:      "Rakhimov/Rakhimova, Yusupov/Yusupova, Abdullaev/Abdullaeva, Nazarov/Nazarova, Ergashev/Ergasheva, Usmonov/Usmonova, Saidov/Saidova, Tursunov/Tursunova",
		callingCode: "998", langs: "ru, ru, en, az", halal: 0.1,
	},
	"ka": {
		male:        "Giorgi, Levan, Davit, Irakli, Nikoloz, Zurab, Lasha, Sandro",
		female:      "Nino, Tamar, Ketevan, Mariam, Ana, Eka, Salome",
		family:      "Beridze, Kapanadze, Gelashvili, Maisuradze, Tsiklauri, Lomidze, Chikovani, Gogoladze, Bakradze, Abashidze",
		callingCode: "995", langs: "en, en, ru",
	},
	"tr": {
		male:        "Mehmet, Mustafa, Ahmet, Emre, Burak, Murat, Can, Hakan, Oğuz, Serkan, Kerem, Barış",
		female:      "Zeynep, Elif, Fatma, Emine, Büşra, Gül, Özlem, Derya, Selin, Şule, İpek",
		family:      "Yılmaz, Kaya, Demir, Şahin, Çelik, Öztürk, Aydın, Arslan, Doğan, Kılıç, Gül, Koç, Kurt, Özdemir, Aksoy, Güneş, Yıldız",
		callingCode: "90", langs: "en, en, az, az, ru", halal: 0.1,
	},
	"en": {
		male:   "James, John, Robert, Michael, David, William, Richard, Thomas, Christopher, Daniel, Matthew, Andrew, Edward, George, Oliver, Henry",
		female: "Mary, Elizabeth, Sarah, Emily, Jennifer, Catherine, Rebecca, Charlotte, Laura, Jessica, Hannah, Rachel, Olivia, Victoria",
		family: "Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Taylor, Anderson, Thomas, Moore, Clarke, Walker, Wright, " +
			"Hughes, Campbell, Mitchell, Turner, O'Brien, MacDonald, Fletcher, Harrison, Bennett",
		callingCode: "1", langs: "en, en, en, en, en, ru",
	},
	"fr": {
		male:        "Jean, Pierre, Louis, Nicolas, François, Étienne, Julien, Mathieu, Olivier, Sébastien, Benoît, Jérôme, Rémi",
		female:      "Béatrice, Hélène, Élodie, Camille, Margaux, Céline, Sophie, Amélie, Anaïs, Chloé, Geneviève, Noémie",
		family:      "Dubois, Moreau, Laurent, Girard, Rousseau, Fontaine, Mercier, Bonnet, Lambert, Faure, Chevalier, Gauthier, Beaumont, Leclerc, Durand, Bélanger",
		callingCode: "33", langs: "en, en, en, en, ru",
	},
	"de": {
		male:        "Klaus, Stefan, Matthias, Jürgen, Wolfgang, Andreas, Markus, Florian, Tobias, Lukas, Jörg",
		female:      "Ursula, Sabine, Katharina, Anja, Julia, Birgit, Claudia, Franziska, Jana, Lena, Stefanie, Monika",
		family:      "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann, Köhler, Groß, Zimmermann, Krüger, Hartmann, Lange, Weiß",
		callingCode: "49", langs: "en, en, en, en, ru",
	},
	"it": {
		male:        "Marco, Giuseppe, Luca, Alessandro, Francesco, Matteo, Lorenzo, Davide, Stefano, Niccolò",
		female:      "Giulia, Francesca, Chiara, Sara, Martina, Valentina, Alessia, Federica",
		family:      "Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno, Galli, Conti, De Luca, Mancini",
		callingCode: "39", langs: "en, en, en, ru",
	},
	"es": {
		male:        "José, Antonio, Manuel, Francisco, Javier, Carlos, Alejandro, Miguel, Rafael, Pablo, Andrés, Jesús",
		female:      "María, Carmen, Lucía, Isabel, Laura, Marta, Cristina, Paula, Sofía, Inés, Ximena",
		family:      "García, Fernández, González, Rodríguez, López, Martínez, Sánchez, Pérez, Gómez, Jiménez, Ruiz, Hernández, Díaz, Muñoz, Álvarez, Castillo, Ortega, Núñez",
		callingCode: "34", langs: "en, en, en, en, ru",
	},
	"pt": {
		male:        "João, Pedro, Lucas, Gabriel, Thiago, Felipe, Gustavo, André",
		female:      "Beatriz, Juliana, Fernanda, Camila, Letícia, Mariana, Larissa",
		family:      "Silva, Santos, Oliveira, Souza, Pereira, Costa, Almeida, Nascimento, Lima, Araújo, Gonçalves, Conceição",
		callingCode: "55", langs: "en",
	},
	"pl": {
		male:   "Piotr, Krzysztof, Tomasz, Paweł, Michał, Marcin, Łukasz, Grzegorz",
		female: "Katarzyna, Małgorzata, Agnieszka, Magdalena, Joanna, Ewa",
		family: "Nowak, Kowalski/Kowalska, Wiśniewski/Wiśniewska, Wójcik, Kamiński/Kamińska, Lewandowski/Lewandowska, " +
			"Zieliński/Zielińska, Szymański/Szymańska, Woźniak, Dąbrowski/Dąbrowska",
		callingCode: "48", langs: "en, en, ru",
	},
	"nl": {
		male:        "Jan, Pieter, Willem, Joost, Maarten, Bram, Sander, Thijs",
		female:      "Anouk, Sanne, Lotte, Femke, Eva, Marieke, Inge",
		family:      "de Vries, van Dijk, Jansen, de Jong, Bakker, Visser, Smit, Meijer, van den Berg, Mulder, Bos",
		callingCode: "31", langs: "en",
	},
	"hu": {
		male:        "László, István, Zoltán, Gábor, Attila, Balázs, Péter",
		female:      "Katalin, Zsuzsanna, Erzsébet, Éva, Krisztina, Anikó, Réka",
		family:      "Nagy, Kovács, Tóth, Szabó, Horváth, Varga, Kiss, Molnár, Németh, Farkas",
		callingCode: "36", langs: "en, en, ru",
	},
	"cs": {
		male:        "Jiří, Petr, Tomáš, Martin, Ondřej, Jakub",
		female:      "Jana, Lucie, Tereza, Petra, Kateřina, Veronika",
		family:      "Novák/Nováková, Svoboda/Svobodová, Dvořák/Dvořáková, Černý/Černá, Procházka/Procházková, Kučera/Kučerová, Veselý/Veselá, Horák/Horáková",
		callingCode: "420", langs: "en, en, ru",
	},
	"ro": {
		male:        "Andrei, Mihai, Alexandru, Ion, Ștefan, Cristian, Radu",
		female:      "Ioana, Andreea, Cristina, Raluca, Mihaela, Simona",
		family:      "Popescu, Ionescu, Popa, Dumitrescu, Stoica, Constantinescu, Munteanu, Stănescu, Rădulescu",
		callingCode: "40", langs: "en, en, ru",
	},
	"el": {
		male:   "Γιώργος=Giorgos, Δημήτρης=Dimitris, Νίκος=Nikos, Κωνσταντίνος=Konstantinos, Ιωάννης=Ioannis, Παναγιώτης=Panagiotis",
		female: "Μαρία=Maria, Ελένη=Eleni, Κατερίνα=Katerina, Σοφία=Sofia, Βασιλική=Vasiliki, Δέσποινα=Despoina",
		family: "Παπαδόπουλος/Παπαδοπούλου=Papadopoulos/Papadopoulou, Παπαδάκης/Παπαδάκη=Papadakis/Papadaki, Γεωργίου=Georgiou, " +
			"Νικολάου=Nikolaou, Οικονόμου=Oikonomou, Αλεξίου=Alexiou, Καραγιάννης/Καραγιάννη=Karagiannis/Karagianni",
		latinShare: 0.5, callingCode: "30", langs: "en",
	},
	"he": {
		male:        "Yosef, Avi, Eitan, Noam, Yonatan, Ariel, Itai",
		female:      "Tamar, Noa, Michal, Yael, Shira, Rivka, Adi",
		family:      "Cohen, Levi, Mizrahi, Peretz, Biton, Friedman, Avraham, Katz, Shapiro, Ben-David",
		callingCode: "972", langs: "en, en, ru", kosher: 0.4,
	},
	"ar": {
		male: "محمد=Mohammed, أحمد=Ahmed, خالد=Khaled, عبدالله=Abdullah, يوسف=Youssef, عمر=Omar, فيصل=Faisal, سعيد=Saeed, " +
			"طارق=Tarek, حسن=Hassan, ناصر=Nasser, سلطان=Sultan",
		female: "فاطمة=Fatima, مريم=Maryam, نورة=Noura, ليلى=Layla, سارة=Sarah, هدى=Huda, أمل=Amal, ريم=Reem, دانة=Dana",
		family: "العلي=Al-Ali, الحربي=Al-Harbi, المنصوري=Al-Mansouri, الهاشمي=Al-Hashimi, الشمري=Al-Shammari, القحطاني=Al-Qahtani, " +
			"الكعبي=Al-Kaabi, العتيبي=Al-Otaibi, الظاهري=Al-Dhaheri, حداد=Haddad, منصور=Mansour, عبدالرحمن=Abdelrahman, السيد=El-Sayed, الزعبي=Al-Zoubi",
		latinShare: 0.4, langs: "en, en, en, ru", halal: 0.3,
	},
	"fa": {
		male:        "Reza, Mohammad, Hossein, Mehdi, Amir, Farhad, Babak",
		female:      "Zahra, Fatemeh, Niloufar, Shirin, Parisa, Mahsa",
		family:      "Hosseini, Ahmadi, Mohammadi, Rezaei, Moradi, Karimi, Jafari, Rahimi, Kazemi, Sadeghi",
		callingCode: "98", langs: "en, en, az, ru", halal: 0.3,
	},
	"pk": {
		male:        "Usman, Bilal, Hamza, Asad, Tariq, Zeeshan, Adnan",
		female:      "Ayesha, Sana, Hina, Saima, Nadia, Mehwish",
		family:      "Khan, Qureshi, Malik, Chaudhry, Siddiqui, Butt, Hussain, Mirza, Raza",
		callingCode: "92", langs: "en", halal: 0.3,
	},
	"in": {
		male:        "Rahul, Amit, Vikram, Arjun, Sanjay, Rajesh, Anil, Suresh",
		female:      "Priya, Anjali, Neha, Kavita, Sunita, Deepa, Meera",
		family:      "Sharma, Verma, Gupta, Iyer, Nair, Reddy, Patel, Menon, Rao, Chatterjee, Mehta, Singh",
		callingCode: "91", langs: "en",
	},
	"id": {
		male:        "Budi, Agus, Dedi, Rizki, Hendra, Arif, Bambang",
		female:      "Siti, Dewi, Sri, Rina, Putri, Ayu, Indah",
		family:      "Santoso, Wijaya, Pratama, Hidayat, Saputra, Kusuma, Setiawan, Nugroho, Halim",
		callingCode: "62", langs: "en", halal: 0.3,
	},
	"zh": {
		male:        "伟=Wei, 强=Qiang, 磊=Lei, 军=Jun, 洋=Yang, 勇=Yong, 杰=Jie, 涛=Tao, 明=Ming, 超=Chao, 浩=Hao",
		female:      "娜=Na, 敏=Min, 静=Jing, 丽=Li, 芳=Fang, 婷=Ting, 雪=Xue, 琳=Lin, 颖=Ying",
		family:      "王=Wang, 李=Li, 张=Zhang, 刘=Liu, 陈=Chen, 杨=Yang, 黄=Huang, 赵=Zhao, 周=Zhou, 吴=Wu, 徐=Xu, 孙=Sun, 马=Ma, 朱=Zhu",
		familyFirst: true, callingCode: "86", langs: "en, en, en, ru",
	},
	"ja": {
		male:        "太郎=Taro, 健一=Kenichi, 浩=Hiroshi, 大輔=Daisuke, 翔太=Shota, 誠=Makoto, 拓也=Takuya",
		female:      "花子=Hanako, 美咲=Misaki, 由美=Yumi, 恵=Megumi, 陽子=Yoko, 彩=Aya",
		family:      "佐藤=Sato, 鈴木=Suzuki, 高橋=Takahashi, 田中=Tanaka, 渡辺=Watanabe, 伊藤=Ito, 山本=Yamamoto, 中村=Nakamura, 小林=Kobayashi, 加藤=Kato",
		familyFirst: true, callingCode: "81", langs: "en",
	},
	"ko": {
		male:        "민준=Minjun, 서준=Seojun, 지훈=Jihoon, 현우=Hyunwoo, 성민=Sungmin, 동현=Donghyun",
		female:      "서연=Seoyeon, 지은=Jieun, 수진=Sujin, 민지=Minji, 하은=Haeun, 유진=Yujin",
		family:      "김=Kim, 이=Lee, 박=Park, 최=Choi, 정=Jung, 강=Kang, 조=Cho, 윤=Yoon, 장=Jang, 임=Lim",
		familyFirst: true, callingCode: "82", langs: "en, en, ru",
	},
}

// parseCultures turns cultureTables into cultures.
func parseCultures() map[string]*culture {
	out := make(map[string]*culture, len(cultureTables))
	for key, t := range cultureTables {
		c := &culture{
			male: parseNames(t.male), female: parseNames(t.female),
			familyFirst: t.familyFirst, latinShare: t.latinShare, callingCode: t.callingCode,
			halal: t.halal, kosher: t.kosher,
		}
		for _, l := range strings.Split(t.langs, ",") {
			c.langs = append(c.langs, strings.TrimSpace(l))
		}
		for _, f := range strings.Split(t.family, ",") {
			native, latin, _ := strings.Cut(strings.TrimSpace(f), "=")
			nm, nf, gendered := strings.Cut(native, "/")
			if !gendered {
				nf = nm
			}
			if latin == "" {
				latin = native
			}
			lm, lf, gendered := strings.Cut(latin, "/")
			if !gendered {
				lf = lm
			}
			c.family = append(c.family, familyName{m: name{nm, lm}, f: name{nf, lf}})
		}
		if len(c.male) == 0 || len(c.female) == 0 || len(c.family) == 0 || len(c.langs) == 0 {
			panic("demo: culture " + key + " is incomplete")
		}
		out[key] = c
	}
	return out
}

func parseNames(list string) []name {
	var out []name
	for _, s := range strings.Split(list, ",") {
		native, latin, _ := strings.Cut(strings.TrimSpace(s), "=")
		if latin == "" {
			latin = native
		}
		out = append(out, name{native, latin})
	}
	return out
}
