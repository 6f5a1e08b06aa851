package totp

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// RecoveryCodeCount is how many recovery codes a user gets at once.
const RecoveryCodeCount = 10

// NewRecoveryCodes returns RecoveryCodeCount one-time codes to show the user
// once (format xxxx-xxxx-xxxx-xxxx, 80 random bits each) and their hashes to
// store. r nil means crypto/rand. With 80 bits per code a fast hash is
// enough: it cannot be reversed by trying.
func NewRecoveryCodes(r io.Reader) (codes, hashes []string, err error) {
	if r == nil {
		r = rand.Reader
	}
	for range RecoveryCodeCount {
		var b [10]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, nil, fmt.Errorf("totp: recovery codes: %w", err)
		}
		s := strings.ToLower(b32.EncodeToString(b[:])) // 16 characters
		code := s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
		codes = append(codes, code)
		hashes = append(hashes, HashRecoveryCode(code))
	}
	return codes, hashes, nil
}

// HashRecoveryCode returns the stored form of a recovery code; case, spaces
// and dashes do not matter.
func HashRecoveryCode(code string) string {
	norm := strings.ToLower(strings.NewReplacer(" ", "", "-", "").Replace(code))
	sum := sha256.Sum256([]byte("ratsnetz-recovery:" + norm))
	return hex.EncodeToString(sum[:])
}

// MatchRecoveryCode returns the index of the hash code matches, or -1. The
// caller removes that hash so the code works only once.
func MatchRecoveryCode(hashes []string, code string) int {
	h := []byte(HashRecoveryCode(code))
	idx := -1
	for i, s := range hashes {
		if subtle.ConstantTimeCompare([]byte(s), h) == 1 && idx < 0 {
			idx = i
		}
	}
	return idx
}
