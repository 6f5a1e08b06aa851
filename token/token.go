// Package token makes the random secrets of sessions, invitations, password
// resets and remembered devices. The raw token goes to the user (cookie or
// e-mail link); only its hash is stored, so a copy of the database opens no
// session.
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
)

// Size is the number of random bytes of a token (256 bits).
const Size = 32

// New returns a fresh URL-safe token read from r (nil: crypto/rand) and its
// hash.
func New(r io.Reader) (raw, hash string, err error) {
	if r == nil {
		r = rand.Reader
	}
	var b [Size]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", "", fmt.Errorf("token: %w", err)
	}
	raw = base64.RawURLEncoding.EncodeToString(b[:])
	return raw, Hash(raw), nil
}

// Hash returns the stored form of raw: hex SHA-256. Tokens carry 256 random
// bits, so a fast hash is enough.
func Hash(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}
