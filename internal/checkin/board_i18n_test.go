package checkin_test

import (
	"strconv"
	"strings"
	"testing"

	"vigil/internal/i18n"
)

// The board's "and N more" (VIPs not listed) has every plural form each
// language needs: a missing form is logged and shows the key instead.
func TestBoardVIPsMorePlurals(t *testing.T) {
	tr, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, loc := range i18n.Locales {
		for _, n := range []int{1, 2, 5, 11, 21, 22, 25, 100} {
			got := tr.T(loc, "checkin.board.vips_more", "Count", n)
			if got == "checkin.board.vips_more" || !strings.Contains(got, strconv.Itoa(n)) {
				t.Errorf("%s, %d: %q", loc, n, got)
			}
		}
	}
	if got := tr.T("ru", "checkin.board.vips_more", "Count", 21); got != "и ещё 21 гость" {
		t.Errorf("ru 21: %q", got)
	}
	if got := tr.T("ru", "checkin.board.vips_more", "Count", 5); got != "и ещё 5 гостей" {
		t.Errorf("ru 5: %q", got)
	}
}
