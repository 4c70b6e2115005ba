package invitation_test

import (
	"net/url"
	"strconv"
	"testing"

	"vigil/internal/testserver"
)

func TestZZCountStatements(t *testing.T) {
	srv := testserver.Start(t)
	cer, clients := lastSeats(t, srv, 1, 10)
	c := clients[0]
	db := srv.DB.Gorm
	db.Exec("ALTER SYSTEM SET log_statement = 'all'")
	db.Exec("SELECT pg_reload_conf()")
	db.Exec("SELECT 'ZZ-START'")
	resp, _ := c.Post("/rsvp", url.Values{"answer_" + strconv.FormatInt(cer, 10): {"accept"}, "companion_1": {"X"}})
	db.Exec("SELECT 'ZZ-END'")
	db.Exec("ALTER SYSTEM RESET log_statement")
	db.Exec("SELECT pg_reload_conf()")
	t.Log(resp.StatusCode)
	_ = testserver.Server{}
}
