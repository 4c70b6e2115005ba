package invitation

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/internal/view"
	"vigil/internal/view/viewtest"
)

// printPage is a page in language loc, in the Baku zone, as the print view
// has it once listRows has run.
func printPage(t *testing.T, loc string) *view.Page {
	t.Helper()
	rend := viewtest.Renderer(t)
	c := echo.New().NewContext(httptest.NewRequest("GET", "/editions/2027/invitations/print", nil), httptest.NewRecorder())
	view.SetLocale(c, loc)
	p := rend.Page(c, "")
	var err error
	if p.Zone, err = time.LoadLocation("Asia/Baku"); err != nil {
		t.Fatal(err)
	}
	return p
}

// The printed list writes answers' dates short, in the reader's language
// and the edition's zone: day and time, with the year only when the
// answers span years; the header then names the year once, and the zone.
// The long date the screen shows wrapped onto four lines on paper.
func TestPrintDataWritesAnswersShort(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	rows := func(times ...string) *invitationsData {
		d := &invitationsData{}
		for _, s := range times {
			r := invitationRow{Name: "Guest " + s}
			if s != "" {
				r.Answered, r.RespondedAt = true, at(s)
			}
			d.Rows = append(d.Rows, r)
		}
		return d
	}
	for _, tc := range []struct {
		name, loc string
		data      *invitationsData
		year      int
		zone      string
		want      []string
	}{
		{"one year", "en", rows("2026-11-26T08:34:00Z", "", "2026-02-03T20:05:00Z"), 2026, "(Baku time)",
			[]string{"26 Nov, 12:34", "", "4 Feb, 00:05"}},
		{"one year in Azerbaijani", "az", rows("2026-11-26T08:34:00Z", "2026-09-01T06:00:00Z"), 2026, "(Bakı vaxtı)",
			[]string{"26 noy, 12:34", "1 sen, 10:00"}},
		{"one year in Russian", "ru", rows("2026-11-26T08:34:00Z", "2026-05-01T06:00:00Z"), 2026, "(по времени Баку)",
			[]string{"26 нояб., 12:34", "1 мая, 10:00"}},
		// In Baku the first answer is already 2027.
		{"two years", "en", rows("2026-12-31T20:30:00Z", "2026-12-31T19:30:00Z"), 0, "(Baku time)",
			[]string{"1 Jan 2027, 00:30", "31 Dec 2026, 23:30"}},
		{"no answers", "en", rows("", ""), 0, "(Baku time)", []string{"", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pd := newPrintData(printPage(t, tc.loc), tc.data)
			if pd.AnsweredYear != tc.year || pd.Zone != tc.zone {
				t.Errorf("header: year %d, zone %q; want %d, %q", pd.AnsweredYear, pd.Zone, tc.year, tc.zone)
			}
			if len(pd.Printed) != len(tc.want) {
				t.Fatalf("%d rows printed, want %d", len(pd.Printed), len(tc.want))
			}
			for i, r := range pd.Printed {
				if r.AnsweredOn != tc.want[i] || r.Row.Name != tc.data.Rows[i].Name {
					t.Errorf("row %d: %q %q, want %q %q", i, r.Row.Name, r.AnsweredOn, tc.data.Rows[i].Name, tc.want[i])
				}
			}
		})
	}
}
