package delegation

import (
	"slices"
	"testing"
	"time"
)

func day(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func rank(n int) *int { return &n }

// The rules of the order of precedence, one case per rule.
func TestComparePrecedence(t *testing.T) {
	cases := []struct {
		name        string
		first, then PrecedenceKey
	}{
		{"head of state before government", PrecedenceKey{Kind: KindHeadOfState, Name: "Z"}, PrecedenceKey{Kind: KindGovernment, Name: "A"}},
		{"government before parliament", PrecedenceKey{Kind: KindGovernment}, PrecedenceKey{Kind: KindParliament}},
		{"parliament before the diplomatic corps", PrecedenceKey{Kind: KindParliament, Name: "Z"}, PrecedenceKey{Kind: KindDiplomaticMission, Name: "A", Credentials: day("1990-01-01")}},
		{"diplomatic corps before international organisations", PrecedenceKey{Kind: KindDiplomaticMission}, PrecedenceKey{Kind: KindInternationalOrganisation}},
		{"international organisations before civil society", PrecedenceKey{Kind: KindInternationalOrganisation}, PrecedenceKey{Kind: KindCivilSociety}},
		{"civil society before religious communities", PrecedenceKey{Kind: KindCivilSociety}, PrecedenceKey{Kind: KindReligiousCommunity}},
		{"religious communities before the press", PrecedenceKey{Kind: KindReligiousCommunity}, PrecedenceKey{Kind: KindPress}},
		{"the press before other", PrecedenceKey{Kind: KindPress}, PrecedenceKey{Kind: KindOther}},
		{"an unknown kind after every known one", PrecedenceKey{Kind: KindOther}, PrecedenceKey{Kind: "bogus"}},
		{"earlier credentials first", PrecedenceKey{Kind: KindDiplomaticMission, Name: "Zambia", Credentials: day("2019-03-04")}, PrecedenceKey{Kind: KindDiplomaticMission, Name: "Austria", Credentials: day("2021-11-30")}},
		{"credentials outrank an explicit rank", PrecedenceKey{Kind: KindDiplomaticMission, Credentials: day("2019-03-04")}, PrecedenceKey{Kind: KindDiplomaticMission, Credentials: day("2020-03-04"), Rank: rank(1)}},
		{"a mission without a date after those with one", PrecedenceKey{Kind: KindDiplomaticMission, Name: "Z", Credentials: day("2024-01-01")}, PrecedenceKey{Kind: KindDiplomaticMission, Name: "A"}},
		{"same credentials day: rank decides", PrecedenceKey{Kind: KindDiplomaticMission, Name: "Z", Credentials: day("2020-05-05"), Rank: rank(1)}, PrecedenceKey{Kind: KindDiplomaticMission, Name: "A", Credentials: day("2020-05-05"), Rank: rank(2)}},
		{"credentials ignored outside the diplomatic corps", PrecedenceKey{Kind: KindInternationalOrganisation, Name: "A", Credentials: day("2024-01-01")}, PrecedenceKey{Kind: KindInternationalOrganisation, Name: "B", Credentials: day("1990-01-01")}},
		{"lower rank first", PrecedenceKey{Kind: KindInternationalOrganisation, Name: "Z", Rank: rank(1)}, PrecedenceKey{Kind: KindInternationalOrganisation, Name: "A", Rank: rank(5)}},
		{"ranked before unranked", PrecedenceKey{Kind: KindCivilSociety, Name: "Z", Rank: rank(100)}, PrecedenceKey{Kind: KindCivilSociety, Name: "A"}},
		{"then by name", PrecedenceKey{Kind: KindPress, Name: "Azertac"}, PrecedenceKey{Kind: KindPress, Name: "Reuters"}},
		{"names collate accents beside their letter", PrecedenceKey{Kind: KindPress, Name: "Çağ"}, PrecedenceKey{Kind: KindPress, Name: "Dünya"}},
		{"then by id", PrecedenceKey{ID: 1, Kind: KindPress, Name: "Same"}, PrecedenceKey{ID: 2, Kind: KindPress, Name: "Same"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if ComparePrecedence(c.first, c.then) >= 0 || ComparePrecedence(c.then, c.first) <= 0 {
				t.Errorf("%+v should come before %+v", c.first, c.then)
			}
		})
	}
}

func TestSortByPrecedence(t *testing.T) {
	keys := []PrecedenceKey{
		{ID: 1, Kind: KindPress, Name: "Press Agency"},
		{ID: 2, Kind: KindDiplomaticMission, Name: "Embassy B", Credentials: day("2022-06-01")},
		{ID: 3, Kind: KindHeadOfState, Name: "Office of the President"},
		{ID: 4, Kind: KindDiplomaticMission, Name: "Embassy A", Credentials: day("2018-02-01")},
		{ID: 5, Kind: KindDiplomaticMission, Name: "Embassy C"},
		{ID: 6, Kind: KindGovernment, Name: "Cabinet"},
	}
	SortByPrecedence(keys)
	var ids []int64
	for _, k := range keys {
		ids = append(ids, k.ID)
	}
	if want := []int64{3, 6, 4, 2, 5, 1}; !slices.Equal(ids, want) {
		t.Errorf("order %v, want %v", ids, want)
	}
}
