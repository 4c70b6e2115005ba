package browsertest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"vigil/internal/auth"
)

// A USB scanner types a badge code and Enter in a few milliseconds: the
// next guest's badge can be scanned before the last answer is back. Here
// the first answer is held back (its guest's row stays locked by another
// transaction) while the second badge is scanned; htmx queues the second
// submission and reads the field only when it sends it. Both guests must
// be checked in: vigil.js takes a code out of the field as its request
// leaves, so the second code is sent alone, not glued to the first.
func TestDeskScansWithoutWaitingForTheAnswer(t *testing.T) {
	srv, tab := setup(t)
	site := seedDeskSite(t, srv)
	staff := createUser(t, srv, auth.RoleStaff, "Aysel Quliyeva", "en")
	tab.SignIn(staff.Email, staff.Password)
	tab.Open(site.desk(0))
	waitSettled(t, tab)

	ctx := context.Background()
	hold, err := srv.DB.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback(ctx) //nolint:errcheck // released below; this is the test's safety net
	if _, err := hold.Exec(ctx, "SELECT 1 FROM invitation_ceremonies WHERE invitation_id = $1 FOR UPDATE", site.invitation); err != nil {
		t.Fatal(err)
	}
	tab.Type("#f-q", site.code+kb.Enter)
	// The first request is out, waiting on the lock; its code has left
	// the field.
	waitDesk(t, tab, `!!document.querySelector(".htmx-request")`, "the first code sent")
	if v := Eval[string](tab, `document.querySelector("#f-q").value`); v != "" {
		t.Errorf("the scan field keeps %q once its code is sent", v)
	}
	tab.Type("#f-q", site.otherCode+kb.Enter)
	time.Sleep(100 * time.Millisecond) // the second submission is queued behind the first
	if err := hold.Rollback(ctx); err != nil {
		t.Fatal(err)
	}

	checkedIn := func() int64 {
		var n int64
		if err := srv.DB.Gorm.Raw("SELECT count(*) FROM invitation_ceremonies WHERE ceremony_id = ? AND checked_in_at IS NOT NULL",
			site.ceremony).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	deadline := time.Now().Add(5 * time.Second)
	for checkedIn() < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := checkedIn(); n != 2 {
		t.Fatalf("%d guests checked in, want both (answer shown: %q)", n, boardText(tab, "#desk-result"))
	}
	waitDesk(t, tab, `/Louis Bernard/.test(document.querySelector("#desk-result")?.textContent || "")`, "the second guest's answer")
	waitSettled(t, tab)
	if v := Eval[string](tab, `document.querySelector("#f-q").value`); v != "" {
		t.Errorf("the scan field keeps %q after both answers", v)
	}
	htmxErrors(t, tab, "desk")
}
