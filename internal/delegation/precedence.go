package delegation

import (
	"cmp"
	"slices"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Kinds are the kinds of delegation in their order of precedence: the
// state first, then government and parliament, the diplomatic corps,
// international organisations, civil society, religious communities, the
// press, and anything else last. Forms list them in this order too.
var Kinds = []string{
	KindHeadOfState, KindGovernment, KindParliament, KindDiplomaticMission,
	KindInternationalOrganisation, KindCivilSociety, KindReligiousCommunity, KindPress, KindOther,
}

// Delegation kinds.
const (
	KindHeadOfState               = "head_of_state"
	KindGovernment                = "government"
	KindParliament                = "parliament"
	KindDiplomaticMission         = "diplomatic_mission"
	KindInternationalOrganisation = "international_organisation"
	KindCivilSociety              = "civil_society"
	KindReligiousCommunity        = "religious_community"
	KindPress                     = "press"
	KindOther                     = "other"
)

// ValidKind reports whether k is one of Kinds.
func ValidKind(k string) bool { return slices.Contains(Kinds, k) }

// PrecedenceKey is what the order of precedence looks at.
type PrecedenceKey struct {
	ID   int64
	Kind string
	// Credentials is the day the head of mission presented credentials;
	// only diplomatic missions are ordered by it.
	Credentials *time.Time
	// Rank is the organizer's explicit rank; nil comes after every rank.
	Rank *int
	Name string
}

// nameCollator orders names the same way whatever the reader's language,
// so a printed list never changes with who printed it. The root (CLDR)
// order puts accented letters next to their base letter.
var nameCollator = collate.New(language.Und)

// ComparePrecedence orders two delegations by protocol:
//  1. by kind, in the order of Kinds;
//  2. inside the diplomatic corps, by the date the head of mission
//     presented credentials, earliest first (Vienna Convention on
//     Diplomatic Relations, art. 16); a mission without a date follows
//     those with one;
//  3. by the organizer's explicit rank, lowest first, unranked last;
//  4. by name, then by id so the order is total.
//
// Every list, print and the wreath-laying order use this one function,
// through the precedence position the store writes with SortByPrecedence.
func ComparePrecedence(a, b PrecedenceKey) int {
	if c := cmp.Compare(kindIndex(a.Kind), kindIndex(b.Kind)); c != 0 {
		return c
	}
	if a.Kind == KindDiplomaticMission {
		if c := compareNilLast(a.Credentials, b.Credentials, func(x, y time.Time) int { return x.Compare(y) }); c != 0 {
			return c
		}
	}
	if c := compareNilLast(a.Rank, b.Rank, cmp.Compare[int]); c != 0 {
		return c
	}
	if c := nameCollator.CompareString(a.Name, b.Name); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// SortByPrecedence sorts keys into the order of precedence.
func SortByPrecedence(keys []PrecedenceKey) { slices.SortStableFunc(keys, ComparePrecedence) }

func kindIndex(k string) int {
	if i := slices.Index(Kinds, k); i >= 0 {
		return i
	}
	return len(Kinds)
}

func compareNilLast[T any](a, b *T, c func(T, T) int) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return c(*a, *b)
}
