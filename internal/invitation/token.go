package invitation

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// Tokens. A personal link carries a token of 256 bits: the HMAC-SHA256 of a
// random 128-bit nonce under the server's secret. The database keeps the
// nonce and the token's SHA-256, never the token: a copy of the database
// opens no link, yet the server can write the same link into every
// reminder. Issuing a new link draws a new nonce, which kills the old one.

// Tokens makes and checks tokens with the server's secret.
type Tokens struct{ secret []byte }

// NewTokens returns tokens keyed by secret (VIGIL_SECRET).
func NewTokens(secret []byte) *Tokens {
	// Derive a key of its own so the token key is not the session key.
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("vigil invitation token v1"))
	return &Tokens{secret: m.Sum(nil)}
}

// newNonce draws a fresh nonce.
func newNonce() ([]byte, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("invitation: random nonce: %w", err)
	}
	return b, nil
}

// Token is the link token for nonce.
func (t *Tokens) Token(nonce []byte) string {
	m := hmac.New(sha256.New, t.secret)
	m.Write(nonce)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Hash is what the database stores of a token.
func Hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// PlausibleToken reports whether s has a token's shape (43 base64url
// characters), so junk is refused before it reaches the database.
func PlausibleToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// checkInAlphabet has no letters that read alike (0/O, 1/I/L), since staff
// may type a code from a damaged badge.
const checkInAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newCheckInCode draws a badge code of 12 characters (59 bits): enough
// that codes cannot be guessed at a gate, short enough for a QR code that
// scans at arm's length. It opens nothing but the check-in.
func newCheckInCode() (string, error) {
	var s strings.Builder
	b := make([]byte, 1)
	for s.Len() < 12 {
		if _, err := rand.Read(b); err != nil {
			return "", fmt.Errorf("invitation: random check-in code: %w", err)
		}
		// Draw again above the last whole multiple of the alphabet, so
		// every character is equally likely.
		if int(b[0]) < 256/len(checkInAlphabet)*len(checkInAlphabet) {
			s.WriteByte(checkInAlphabet[int(b[0])%len(checkInAlphabet)])
		}
	}
	return s.String(), nil
}
