// Package password hashes and checks account passwords: argon2id with
// PHC-style encoded hashes ($argon2id$v=19$m=…,t=…,p=…$salt$hash), a
// constant-time verify that reports when a hash was made with weaker
// parameters than today's, and a policy in the spirit of NIST SP 800-63B:
// length limits and a list of common passwords, no composition rules.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters.
type Params struct {
	Time    uint32 // iterations
	Memory  uint32 // KiB
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams returns the OWASP recommendation for argon2id (19 MiB,
// 2 iterations, 1 thread): about 20–45 ms per hash on a server core.
func DefaultParams() Params {
	return Params{Time: 2, Memory: 19 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// ErrMalformed is returned by Verify for a hash it cannot parse.
var ErrMalformed = errors.New("password: malformed hash")

// Hasher hashes passwords with its parameters. The zero Hasher uses
// DefaultParams() and crypto/rand.
type Hasher struct {
	Params Params
	// Rand is the salt source; nil means crypto/rand.
	Rand io.Reader
}

func (h Hasher) params() Params {
	if h.Params == (Params{}) {
		return DefaultParams()
	}
	return h.Params
}

// Hash returns the encoded argon2id hash of pw with a fresh salt.
func (h Hasher) Hash(pw string) (string, error) {
	p := h.params()
	salt := make([]byte, p.SaltLen)
	r := h.Rand
	if r == nil {
		r = rand.Reader
	}
	if _, err := io.ReadFull(r, salt); err != nil {
		return "", fmt.Errorf("password: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether pw matches the encoded hash, comparing in constant
// time, and whether the hash should be replaced by a new one made with the
// Hasher's parameters (weaker parameters than today's). A hash that cannot be
// parsed is an error wrapping ErrMalformed.
func (h Hasher) Verify(encoded, pw string) (ok, rehash bool, err error) {
	p, salt, key, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	want := h.params()
	rehash = p.Time < want.Time || p.Memory < want.Memory || p.Threads < want.Threads ||
		uint32(len(key)) < want.KeyLen || uint32(len(salt)) < want.SaltLen
	return true, rehash, nil
}

// Dummy verifies pw against a fixed hash made with the Hasher's parameters
// and returns false: login code calls it for unknown accounts so that the
// answer takes as long as for a known one (no user enumeration by timing).
func (h Hasher) Dummy(pw string) bool {
	p := h.params()
	salt := make([]byte, p.SaltLen)
	argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return false
}

func decode(encoded string) (Params, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Params{}, nil, nil, ErrMalformed
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return Params{}, nil, nil, fmt.Errorf("%w: version %q", ErrMalformed, parts[2])
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: parameters %q", ErrMalformed, parts[3])
	}
	if p.Time == 0 || p.Threads == 0 || p.Memory < 8*uint32(p.Threads) || p.Memory > 4*1024*1024 || p.Time > 100 {
		return Params{}, nil, nil, fmt.Errorf("%w: parameters out of range", ErrMalformed)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return Params{}, nil, nil, fmt.Errorf("%w: salt", ErrMalformed)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 128 {
		return Params{}, nil, nil, fmt.Errorf("%w: key", ErrMalformed)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}
