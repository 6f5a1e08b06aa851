package totp

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestRFC6238 checks the test vectors of RFC 6238 Appendix B (8 digits,
// 30 s steps, T0 = 0) for SHA-1, SHA-256 and SHA-512.
func TestRFC6238(t *testing.T) {
	seed20 := []byte("12345678901234567890")
	seed32 := []byte("12345678901234567890123456789012")
	seed64 := []byte("1234567890123456789012345678901234567890123456789012345678901234")
	tests := []struct {
		unix   int64
		sha1   string
		sha256 string
		sha512 string
	}{
		{59, "94287082", "46119246", "90693936"},
		{1111111109, "07081804", "68084774", "25091201"},
		{1111111111, "14050471", "67062674", "99943326"},
		{1234567890, "89005924", "91819424", "93441116"},
		{2000000000, "69279037", "90698825", "38618901"},
		{20000000000, "65353130", "77737706", "47863826"},
	}
	for _, tc := range tests {
		step := uint64(Step(time.Unix(tc.unix, 0)))
		for _, c := range []struct {
			name string
			h    func() hash.Hash
			seed []byte
			want string
		}{
			{"SHA1", sha1.New, seed20, tc.sha1},
			{"SHA256", sha256.New, seed32, tc.sha256},
			{"SHA512", sha512.New, seed64, tc.sha512},
		} {
			if got := hotp(c.h, c.seed, step, 8); got != c.want {
				t.Errorf("%s at %d: got %s, want %s", c.name, tc.unix, got, c.want)
			}
		}
	}
	// The 6-digit code is the last six digits of the 8-digit one.
	if got := Code(seed20, time.Unix(59, 0)); got != "287082" {
		t.Errorf("Code at 59 = %s, want 287082", got)
	}
}

func TestValidate(t *testing.T) {
	secret := []byte("12345678901234567890")
	now := time.Unix(1111111111, 0)
	cur := Step(now)
	tests := []struct {
		name     string
		code     string
		lastStep int64
		wantOK   bool
		wantStep int64
	}{
		{"current", Code(secret, now), 0, true, cur},
		{"with space", Code(secret, now)[:3] + " " + Code(secret, now)[3:], 0, true, cur},
		{"previous step", Code(secret, now.Add(-Period)), 0, true, cur - 1},
		{"next step", Code(secret, now.Add(Period)), 0, true, cur + 1},
		{"two steps old", Code(secret, now.Add(-2*Period)), 0, false, 0},
		{"two steps ahead", Code(secret, now.Add(2*Period)), 0, false, 0},
		{"replayed", Code(secret, now), cur, false, 0},
		{"older than last used", Code(secret, now.Add(-Period)), cur, false, 0},
		{"wrong", "000000", 0, false, 0},
		{"too short", "12345", 0, false, 0},
		{"empty", "", 0, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "wrong" && Code(secret, now) == "000000" {
				t.Skip("unlucky vector")
			}
			step, ok := Validate(secret, tc.code, now, tc.lastStep)
			if ok != tc.wantOK || step != tc.wantStep {
				t.Errorf("Validate = %d, %v; want %d, %v", step, ok, tc.wantStep, tc.wantOK)
			}
		})
	}
}

func TestSecretAndURL(t *testing.T) {
	s, err := NewSecret(nil)
	if err != nil || len(s) != SecretSize {
		t.Fatalf("NewSecret = %x, %v", s, err)
	}
	back, err := DecodeSecret(strings.ToLower(EncodeSecret(s)))
	if err != nil || string(back) != string(s) {
		t.Errorf("DecodeSecret(EncodeSecret) = %x, %v; want %x", back, err, s)
	}
	raw := URL("Ratsnetz Musterstadt", "erika@musterstadt.example", s)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/Ratsnetz Musterstadt:erika@musterstadt.example" {
		t.Errorf("URL %q: scheme/host/path", raw)
	}
	q := u.Query()
	if q.Get("secret") != EncodeSecret(s) || q.Get("issuer") != "Ratsnetz Musterstadt" || q.Get("digits") != "6" || q.Get("period") != "30" || q.Get("algorithm") != "SHA1" {
		t.Errorf("URL %q: query %v", raw, q)
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != RecoveryCodeCount || len(hashes) != RecoveryCodeCount {
		t.Fatalf("got %d codes, %d hashes", len(codes), len(hashes))
	}
	seen := map[string]bool{}
	for i, c := range codes {
		if len(c) != 19 || seen[c] {
			t.Errorf("code %q malformed or duplicate", c)
		}
		seen[c] = true
		if strings.Contains(hashes[i], c) {
			t.Errorf("hash %q contains the code", hashes[i])
		}
	}
	if got := MatchRecoveryCode(hashes, strings.ToUpper(codes[3])); got != 3 {
		t.Errorf("Match(upper code 3) = %d", got)
	}
	if got := MatchRecoveryCode(hashes, strings.ReplaceAll(codes[7], "-", " ")); got != 7 {
		t.Errorf("Match(code 7 with spaces) = %d", got)
	}
	if got := MatchRecoveryCode(hashes, "aaaa-bbbb-cccc-dddd"); got != -1 {
		t.Errorf("Match(unknown) = %d", got)
	}
	// Single use: once its hash is removed the code no longer matches.
	rest := append(append([]string{}, hashes[:3]...), hashes[4:]...)
	if got := MatchRecoveryCode(rest, codes[3]); got != -1 {
		t.Errorf("Match after removal = %d", got)
	}
}
