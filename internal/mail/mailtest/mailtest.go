// Package mailtest gives tests the Mailpit that `make test` starts (a real
// SMTP server) and reads the messages back through Mailpit's HTTP API.
package mailtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// Environment variables make test sets (deploy/local/mailpit.sh).
const (
	EnvSMTP = "VIGIL_TEST_SMTP_ADDR"
	EnvURL  = "VIGIL_TEST_MAILPIT_URL"
)

// Mailpit is a running Mailpit.
type Mailpit struct {
	// SMTPAddr is where to send (host:port, plain SMTP).
	SMTPAddr string
	// URL is the HTTP API's base.
	URL string
}

// Get returns the Mailpit of this test run. Without one the test is
// skipped with a loud message, except under CI (CI set), where it fails:
// there the e-mail tests must run.
func Get(t testing.TB) *Mailpit {
	t.Helper()
	m := &Mailpit{SMTPAddr: os.Getenv(EnvSMTP), URL: strings.TrimRight(os.Getenv(EnvURL), "/")}
	if m.SMTPAddr == "" || m.URL == "" {
		msg := fmt.Sprintf("%s and %s are not set: no Mailpit, so this E-MAIL TEST DOES NOT RUN. Run the tests with `make test`, which starts one", EnvSMTP, EnvURL)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip("\n\n  *** " + msg + " ***\n")
	}
	return m
}

// Address is an e-mail address as Mailpit reports it.
type Address struct {
	Name    string
	Address string
}

// Summary is a message in a list.
type Summary struct {
	ID          string
	MessageID   string
	From        *Address
	To          []Address
	Subject     string
	Attachments int
}

// Attachment is a file of a message.
type Attachment struct {
	PartID      string
	FileName    string
	ContentType string
	Size        int
}

// Message is one message with its bodies.
type Message struct {
	ID          string
	MessageID   string
	From        *Address
	To          []Address
	Subject     string
	Text        string
	HTML        string
	Attachments []Attachment
}

func (m *Mailpit) get(t testing.TB, path string, into any) []byte {
	t.Helper()
	resp, err := http.Get(m.URL + path)
	if err != nil {
		t.Fatalf("mailpit: GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("mailpit: read %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("mailpit: GET %s: %s: %s", path, resp.Status, b)
	}
	if into != nil {
		if err := json.Unmarshal(b, into); err != nil {
			t.Fatalf("mailpit: decode %s: %v", path, err)
		}
	}
	return b
}

// To lists the messages sent to address, newest first.
func (m *Mailpit) To(t testing.TB, address string) []Summary {
	t.Helper()
	var res struct{ Messages []Summary }
	m.get(t, "/api/v1/search?limit=1000&query="+url.QueryEscape(fmt.Sprintf("to:%q", address)), &res)
	// Search matches substrings; keep exact recipients.
	var out []Summary
	for _, s := range res.Messages {
		for _, to := range s.To {
			if strings.EqualFold(to.Address, address) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// WaitTo waits up to timeout until at least n messages were sent to
// address and returns them, newest first; the test fails if they do not
// come.
func (m *Mailpit) WaitTo(t testing.TB, address string, n int, timeout time.Duration) []Summary {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := m.To(t, address)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit: %d message(s) to %s after %s, want %d", len(got), address, timeout, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Message reads message id with its bodies and attachments.
func (m *Mailpit) Message(t testing.TB, id string) Message {
	t.Helper()
	var msg Message
	m.get(t, "/api/v1/message/"+url.PathEscape(id), &msg)
	return msg
}

// Raw is message id as it was received (headers and MIME body).
func (m *Mailpit) Raw(t testing.TB, id string) string {
	t.Helper()
	return string(m.get(t, "/api/v1/message/"+url.PathEscape(id)+"/raw", nil))
}

// Part downloads attachment partID of message id.
func (m *Mailpit) Part(t testing.TB, id, partID string) []byte {
	t.Helper()
	return m.get(t, "/api/v1/message/"+url.PathEscape(id)+"/part/"+url.PathEscape(partID), nil)
}
