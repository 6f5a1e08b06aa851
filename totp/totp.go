// Package totp implements time-based one-time passwords (RFC 6238 on top of
// RFC 4226 HOTP) as authenticator apps use them: HMAC-SHA-1, 6 digits, 30 s
// steps, ±1 step clock skew, replay protection through the last used step,
// otpauth:// URLs for QR codes, and one-time recovery codes stored hashed.
package totp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"hash"
	"io"
	"net/url"
	"strings"
	"time"
)

// Parameters of the codes Ratsnetz issues (what every authenticator app
// supports).
const (
	Digits = 6
	Period = 30 * time.Second
	// Skew is how many steps before and after the current one are accepted.
	Skew = 1
	// SecretSize is the secret length in bytes (160 bits, as RFC 4226 recommends).
	SecretSize = 20
)

// b32 is the secret encoding of otpauth URLs: base32 without padding.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSecret returns a fresh random secret read from r (nil: crypto/rand).
func NewSecret(r io.Reader) ([]byte, error) {
	if r == nil {
		r = rand.Reader
	}
	s := make([]byte, SecretSize)
	if _, err := io.ReadFull(r, s); err != nil {
		return nil, fmt.Errorf("totp: secret: %w", err)
	}
	return s, nil
}

// EncodeSecret returns the base32 form users type into an app.
func EncodeSecret(secret []byte) string { return b32.EncodeToString(secret) }

// DecodeSecret parses the base32 form (case, spaces and padding ignored).
func DecodeSecret(s string) ([]byte, error) {
	s = strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "=", "").Replace(s))
	b, err := b32.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("totp: decode secret: %w", err)
	}
	return b, nil
}

// URL returns the otpauth:// URL of the secret for the account, to be shown
// as a QR code: otpauth://totp/Issuer:account?secret=…&issuer=….
func URL(issuer, account string, secret []byte) string {
	q := url.Values{}
	q.Set("secret", EncodeSecret(secret))
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(Digits))
	q.Set("period", fmt.Sprint(int(Period/time.Second)))
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + account, RawQuery: q.Encode()}
	return u.String()
}

// Step is the time step of t.
func Step(t time.Time) int64 { return t.Unix() / int64(Period/time.Second) }

// Code returns the 6-digit code of secret at time t.
func Code(secret []byte, t time.Time) string {
	return hotp(sha1.New, secret, uint64(Step(t)), Digits)
}

// hotp is RFC 4226 with a choosable hash and digit count (RFC 6238 §1.2).
func hotp(h func() hash.Hash, secret []byte, counter uint64, digits int) string {
	mac := hmac.New(h, secret)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// Validate checks code against secret at now, accepting the steps within
// Skew that are later than lastStep (the step of the last accepted code, 0
// if none): a code cannot be used twice. On success it returns the step to
// store as the new lastStep. Spaces in code are ignored; the comparison is
// constant-time.
func Validate(secret []byte, code string, now time.Time, lastStep int64) (int64, bool) {
	code = strings.ReplaceAll(code, " ", "")
	if len(code) != Digits {
		return 0, false
	}
	cur := Step(now)
	var found int64
	ok := 0
	for s := cur - Skew; s <= cur+Skew; s++ {
		want := hotp(sha1.New, secret, uint64(s), Digits)
		match := subtle.ConstantTimeCompare([]byte(want), []byte(code))
		if match == 1 && s > lastStep && ok == 0 {
			found, ok = s, 1
		}
	}
	return found, ok == 1
}
