package browsertest

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vigil/internal/auth"
)

// Printed pages number themselves in the reader's language: "Page 1 of 2",
// "Səhifə 1 / 2", "Страница 1 из 2" (named pages in print.css), in
// portrait and landscape alike.
func TestPrintedPageNumbersFollowTheLanguage(t *testing.T) {
	srv, tab := setup(t)
	seedDemo(t, srv)
	edition, _ := demoPaths(t, srv)
	for _, c := range []struct{ locale, want string }{
		{"az", "Səhifə 1 / "}, {"ru", "Страница 1 из "},
	} {
		u := createUser(t, srv, auth.RoleStaff, "Staff "+c.locale, c.locale)
		tab.SignIn(u.Email, u.Password)
		for _, p := range []string{edition + "/tasks/print", edition + "/transport/print"} {
			tab.Open(p)
			pdf := Run(tab, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
			name := strings.NewReplacer("/", "-").Replace(strings.TrimPrefix(p, "/")) + "-" + c.locale + ".pdf"
			text := checkPDF(t, pdf, name, 0)
			if text != "" && !strings.Contains(text, c.want) {
				t.Errorf("%s in %s lacks %q", p, c.locale, c.want)
			}
			if strings.Contains(text, "Page 1 of") {
				t.Errorf("%s in %s is numbered in English", p, c.locale)
			}
		}
		tab.ClickAndWait(`form[action="/logout"] button[type=submit]`)
	}
}
