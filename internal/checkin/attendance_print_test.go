package checkin_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vigil/internal/testserver"
)

// TestAttendancePrintPDF prints the attendance report's print view with
// headless Chromium, as staff would from the browser, and reads the PDF
// back: A4, the report's numbers, "Page x of y", no buttons or navigation.
// It needs VIGIL_CHROMIUM (the browser) and is skipped without it; with
// VIGIL_ARTIFACTS set, the PDF is kept there for a person to look at.
func TestAttendancePrintPDF(t *testing.T) {
	chromium := os.Getenv("VIGIL_CHROMIUM")
	if chromium == "" {
		t.Skip("VIGIL_CHROMIUM is not set: the print view is not printed")
	}
	f := newAttendanceFixture(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()))
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer acancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, tcancel := context.WithTimeout(ctx, 60*time.Second)
	defer tcancel()
	// Sign in as staff through the form, as a person would.
	err := chromedp.Do(ctx,
		chromedp.Navigate(f.srv.URL+"/login"),
		chromedp.SendKeys("#f-email", "staff@example.org"),
		chromedp.SendKeys("#f-password", testserver.Password),
		chromedp.Click(`form[action="/login"] button[type=submit]`),
		chromedp.WaitVisible(`.site-nav`),
		chromedp.Navigate(f.srv.URL+"/editions/2025/attendance/print"),
		chromedp.WaitVisible(`[data-attendance-summary]`),
	)
	if err != nil {
		t.Fatalf("open the print view in Chromium: %v", err)
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	if err != nil {
		t.Fatalf("print with Chromium: %v", err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatal("Chromium did not give a PDF")
	}
	dir := os.Getenv("VIGIL_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "attendance-2025.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	// A4 is 595 × 842 points.
	if !regexp.MustCompile(`/MediaBox\s*\[\s*0 0 59[45](\.\d+)? 84[12](\.\d+)?\s*\]`).Match(pdf) {
		t.Error("the print view is not on A4")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) missing: printed text not checked")
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	for _, want := range []string{"Attendance 2025", "Remembrance", "Wreath-laying", "60%", "Office of the President",
		"Embassy of France", "Paolo Bianchi", "Press pool", "10:12", "Page 1 of"} {
		if !strings.Contains(text, want) {
			t.Errorf("printed report lacks %q", want)
		}
	}
	for _, unwanted := range []string{"Download CSV", "Print view", "Sign out"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("printed report shows %q", unwanted)
		}
	}
}
