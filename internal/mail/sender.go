package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"vigil/internal/config"
)

// Envelope is one e-mail ready to go.
type Envelope struct {
	From string
	To   string
	// MessageID is the Message-ID header, the same on every attempt, so
	// that a receiving server can tell a repeated delivery.
	MessageID string
	Email
}

// Sender delivers e-mails.
type Sender interface {
	Send(ctx context.Context, e Envelope) error
}

// ErrNotConfigured is every attempt's failure while no SMTP server is set:
// the message stays in the log, queued, and goes once one is.
var ErrNotConfigured = errors.New("SMTP not configured (set VIGIL_SMTP_ADDR)")

// NewSender returns the SMTP sender for cfg, or one that fails with
// ErrNotConfigured when no server is set.
func NewSender(cfg config.SMTP) (Sender, error) {
	if !cfg.Configured() {
		return notConfigured{}, nil
	}
	host, portStr, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP address %q: %w", cfg.Addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP port %q: %w", portStr, err)
	}
	policy := gomail.TLSMandatory
	switch cfg.TLS {
	case "opportunistic":
		policy = gomail.TLSOpportunistic
	case "none":
		policy = gomail.NoTLS
	}
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTLSPolicy(policy), gomail.WithTimeout(30 * time.Second)}
	if cfg.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(cfg.User), gomail.WithPassword(cfg.Password))
	}
	return &smtpSender{host: host, opts: opts}, nil
}

type notConfigured struct{}

func (notConfigured) Send(context.Context, Envelope) error { return ErrNotConfigured }

// smtpSender sends each e-mail on a connection of its own: messages are
// few, and a fresh connection never carries a broken state over.
type smtpSender struct {
	host string
	opts []gomail.Option
}

func (s *smtpSender) Send(ctx context.Context, e Envelope) error {
	m, err := Build(e)
	if err != nil {
		return err
	}
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("mail: SMTP client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("mail: send: %w", err)
	}
	return nil
}

// Build makes the MIME message of e: multipart/alternative (plain text,
// then HTML), inside multipart/mixed when there are attachments.
func Build(e Envelope) (*gomail.Msg, error) {
	m := gomail.NewMsg()
	if err := m.From(e.From); err != nil {
		return nil, fmt.Errorf("mail: sender address: %w", err)
	}
	if err := m.To(e.To); err != nil {
		return nil, fmt.Errorf("mail: recipient address: %w", err)
	}
	m.Subject(e.Subject)
	if e.MessageID != "" {
		m.SetMessageIDWithValue(e.MessageID)
	}
	m.SetDate()
	m.SetBodyString(gomail.TypeTextPlain, e.Text)
	m.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	for _, a := range e.Attachments {
		m.AttachReadSeeker(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType)))
	}
	return m, nil
}
