package delegation_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"vigil/internal/auth"
	"vigil/internal/delegation"
	"vigil/internal/testserver"
)

// Name parts the benchmark directory is made of: Azerbaijani, Russian,
// Turkish, English and French names, so the folded search text looks like a
// real one.
var (
	benchGiven  = []string{"Rəşad", "Leyla", "Aysel", "Orxan", "Sergey", "Анна", "Mehmet", "Ayşe", "John", "Claire", "François", "Günay", "İlqar", "Şəbnəm", "Nigar", "Дмитрий", "Olga", "Kamran", "Emma", "Yusuf"}
	benchFamily = []string{"Əliyev", "Məmmədova", "Həsənov", "Quliyeva", "Иванов", "Смирнова", "Şahin", "Öztürk", "Yılmaz", "Smith", "Johnson", "Lefèvre", "Dubois", "İsmayılov", "Ağayeva", "Çələbi", "Kuznetsov", "Babayev", "Novruzova", "Kərimov"}
	// benchQueries are what people type: fragments, Latin for Azerbaijani
	// letters, an e-mail, a delegation, two words.
	benchQueries = []string{"aliyev", "mammad", "sahin", "ismayil", "ivanov", "lefevre", "claire du", "agayeva", "kerim", "@example", "embassy 17", "rəşad", "smi", "ozturk"}
)

// seedDirectory writes delegations and guests with COPY (the store would
// take minutes for 20,000 rows), computing the search columns as the store
// does.
func seedDirectory(b *testing.B, srv *testserver.Server, delegations, guests int) {
	b.Helper()
	ctx := context.Background()
	s := delegation.NewStore(srv.DB.Gorm)
	var ids []int64
	names := map[int64]string{}
	for i := range delegations {
		in := delegation.DelegationInput{Name: fmt.Sprintf("Embassy %d", i), Kind: delegation.Kinds[i%len(delegation.Kinds)]}
		if in.Kind == delegation.KindDiplomaticMission {
			d := time.Date(2010+i%15, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
			in.CredentialsPresentedOn = &d
		}
		d, err := s.CreateDelegation(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, d.ID)
		names[d.ID] = d.Name
	}
	r := rand.New(rand.NewPCG(1, 2))
	rows := make([][]any, 0, guests)
	for i := range guests {
		did := ids[r.IntN(len(ids))]
		g := &delegation.Guest{
			GivenName: benchGiven[r.IntN(len(benchGiven))], FamilyName: benchFamily[r.IntN(len(benchFamily))],
			Email: fmt.Sprintf("guest%d@example.org", i), Position: "Counsellor", DelegationID: &did,
			Language: delegation.Languages[i%3], VIP: i%50 == 0,
		}
		st, nk := delegation.GuestSearchColumns(g, names[did])
		rows = append(rows, []any{g.GivenName, g.FamilyName, g.Email, g.Position, did, g.Language, g.VIP, st, nk})
	}
	_, err := srv.DB.Pool.CopyFrom(ctx, pgx.Identifier{"guests"},
		[]string{"given_name", "family_name", "email", "position", "delegation_id", "language", "vip", "search_text", "name_key"},
		pgx.CopyFromRows(rows))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := srv.DB.Pool.Exec(ctx, "ANALYZE guests"); err != nil {
		b.Fatal(err)
	}
}

// latencies records each operation's time and reports p50 and p99.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	b.ReportMetric(float64(l[len(l)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(l[len(l)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkGuestSearch searches 20,000 guests in 200 delegations the way the
// directory does (folded words, trigram index, count, precedence order,
// collated names, 50 per page), next to a baseline of one bare pgx query on
// the same index, and through HTTP as a signed-in organizer.
//
//	make bench PKG=./internal/delegation/ TESTFLAGS='-bench GuestSearch -benchtime 400x'
func BenchmarkGuestSearch(b *testing.B) {
	srv := testserver.Start(b)
	seedDirectory(b, srv, 200, 20000)
	ctx := context.Background()
	store := delegation.NewStore(srv.DB.Gorm)

	b.Run("baseline-pgx", func(b *testing.B) {
		var lat latencies
		for i := 0; b.Loop(); i++ {
			q := delegation.Fold(benchQueries[i%len(benchQueries)])
			start := time.Now()
			rows, err := srv.DB.Pool.Query(ctx, `SELECT id, family_name FROM guests WHERE search_text LIKE $1 ORDER BY id LIMIT 50`, "%"+q+"%")
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
			}
			rows.Close()
			lat = append(lat, time.Since(start))
		}
		lat.report(b)
	})
	for _, sort := range []string{delegation.SortPrecedence, delegation.SortName} {
		b.Run("store-"+sort, func(b *testing.B) {
			var lat latencies
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				if _, _, err := store.SearchGuests(ctx, delegation.GuestQuery{Text: benchQueries[i%len(benchQueries)], Sort: sort, Locale: "az", Limit: 50}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			lat.report(b)
		})
	}
	b.Run("store-no-filter-page-100", func(b *testing.B) {
		var lat latencies
		for b.Loop() {
			start := time.Now()
			if _, _, err := store.SearchGuests(ctx, delegation.GuestQuery{Offset: 4950, Limit: 50, Locale: "en"}); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		lat.report(b)
	})
	srv.AddUser(b, "bench@example.org", auth.RoleOrganizer)
	c := srv.NewClient(b)
	c.Login("bench@example.org")
	b.Run("http", func(b *testing.B) {
		var lat latencies
		for i := 0; b.Loop(); i++ {
			start := time.Now()
			resp, _ := c.Get("/guests?q=" + url.QueryEscape(benchQueries[i%len(benchQueries)]))
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
			lat = append(lat, time.Since(start))
		}
		lat.report(b)
	})
}
