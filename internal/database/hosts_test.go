package database_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"vigil/internal/database"
	"vigil/internal/testdb"
)

// A primary/standby pair in DATABASE_URL: several hosts and
// target_session_attrs=read-write. Both sides of the one pool take it (pgx
// directly, GORM and database/sql through stdlib), and a first host that
// does not answer is passed over for the next.
func TestSeveralHostsReadWrite(t *testing.T) {
	ctx := context.Background()
	_, one := testdb.New(t)
	u, err := url.Parse(one)
	if err != nil {
		t.Fatal(err)
	}
	// Nothing listens on port 1: the "failed primary".
	u.Host = "127.0.0.1:1," + u.Host
	q := u.Query()
	q.Set("target_session_attrs", "read-write")
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()
	multi := u.String()

	db, err := database.Open(ctx, multi)
	if err != nil {
		t.Fatalf("open %s: %v", multi, err)
	}
	defer db.Close()
	cc := db.Pool.Config().ConnConfig
	if cc.Port != 1 || len(cc.Fallbacks) != 1 || cc.ValidateConnect == nil {
		t.Fatalf("parsed as port %d, %d fallbacks, validate %v: want port 1, 1 fallback, a read-write check",
			cc.Port, len(cc.Fallbacks), cc.ValidateConnect != nil)
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("pgx ping over two hosts: %v", err)
	}
	var readOnly string
	if err := db.Gorm.WithContext(ctx).Raw("SHOW transaction_read_only").Scan(&readOnly).Error; err != nil || readOnly != "off" {
		t.Fatalf("GORM over two hosts: %q %v", readOnly, err)
	}
	if _, err := db.SQL.ExecContext(ctx, "CREATE TEMP TABLE t (x int)"); err != nil {
		t.Fatalf("database/sql over two hosts: %v", err)
	}

	// target_session_attrs=standby finds no standby among them: refused,
	// and reported as the database being unavailable (a 503, not a 500).
	q.Set("target_session_attrs", "standby")
	u.RawQuery = q.Encode()
	standby, err := database.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer standby.Close()
	err = standby.Ping(ctx)
	if err == nil || !database.IsUnavailable(err) {
		t.Fatalf("standby-only over a primary: %v (unavailable %v)", err, database.IsUnavailable(err))
	}

	// The libpq tools (pg_dump) get the same URL without pgxpool's own
	// settings, which they reject.
	lib := database.LibpqURL(multi + "&pool_max_conns=10&pool_min_conns=1")
	if strings.Contains(lib, "pool_") || !strings.Contains(lib, "target_session_attrs=read-write") || !strings.Contains(lib, "127.0.0.1:1,") {
		t.Fatalf("LibpqURL = %q", lib)
	}
	if got := database.LibpqURL("host=a,b dbname=v pool_max_conns=5 target_session_attrs=read-write"); got != "host=a,b dbname=v target_session_attrs=read-write" {
		t.Fatalf("LibpqURL keyword form = %q", got)
	}
}
