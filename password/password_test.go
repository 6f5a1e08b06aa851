package password_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/password"
)

// fast keeps the tests quick; the format and logic are the same.
var fast = password.Params{Time: 1, Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashVerify(t *testing.T) {
	h := password.Hasher{Params: fast}
	enc, err := h.Hash("korrekt Pferd Batterie Heftklammer")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %q is not PHC-style argon2id", enc)
	}
	ok, rehash, err := h.Verify(enc, "korrekt Pferd Batterie Heftklammer")
	if err != nil || !ok || rehash {
		t.Errorf("Verify(right) = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	ok, _, err = h.Verify(enc, "korrekt Pferd Batterie HeftklammeR")
	if err != nil || ok {
		t.Errorf("Verify(wrong) = %v, %v; want false, nil", ok, err)
	}
	enc2, _ := h.Hash("korrekt Pferd Batterie Heftklammer")
	if enc2 == enc {
		t.Error("two hashes of one password are equal: salt not random")
	}
}

func TestVerifyDetectsWeakParams(t *testing.T) {
	old := password.Hasher{Params: fast}
	enc, err := old.Hash("ein langes Passwort")
	if err != nil {
		t.Fatal(err)
	}
	stronger := password.Hasher{Params: password.Params{Time: 2, Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32}}
	ok, rehash, err := stronger.Verify(enc, "ein langes Passwort")
	if err != nil || !ok || !rehash {
		t.Errorf("Verify with stronger params = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
	// A wrong password never asks for a rehash.
	if ok, rehash, _ := stronger.Verify(enc, "falsch falsch falsch"); ok || rehash {
		t.Errorf("Verify(wrong) = %v, %v", ok, rehash)
	}
}

func TestDefaultParamsRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("19 MiB argon2id")
	}
	var h password.Hasher
	enc, err := h.Hash("Standardparameter sind ok")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(enc, "$m=19456,t=2,p=1$") {
		t.Errorf("default hash %q", enc)
	}
	if ok, rehash, err := h.Verify(enc, "Standardparameter sind ok"); !ok || rehash || err != nil {
		t.Errorf("Verify = %v, %v, %v", ok, rehash, err)
	}
}

func TestVerifyMalformed(t *testing.T) {
	h := password.Hasher{Params: fast}
	for _, enc := range []string{
		"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=64,t=0,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$!!$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$",
	} {
		if _, _, err := h.Verify(enc, "x"); !errors.Is(err, password.ErrMalformed) {
			t.Errorf("Verify(%q) error = %v, want ErrMalformed", enc, err)
		}
	}
}

func TestHashRandFailure(t *testing.T) {
	h := password.Hasher{Params: fast, Rand: bytes.NewReader(nil)}
	if _, err := h.Hash("egal egal egal"); err == nil {
		t.Error("Hash with an empty salt source succeeded")
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		pw      string
		related []string
		ok      bool
	}{
		{"kurz", nil, false},
		{"123456789", nil, false},
		{strings.Repeat("x", 257), nil, false},
		{strings.Repeat("ä", 10) + "bcd", nil, true}, // counts characters, not bytes
		{"passwort123", nil, false},
		{"Passwort2024!", nil, false},
		{"P4ssw0rt2024", nil, false},
		{"!!Sommer2019!!", nil, false},
		{"qwertzuiop", nil, false},
		{"1234567890", nil, false},
		{"aaaaaaaaaaaa", nil, false},
		{"abababababab", nil, false},
		{"Musterstadt1", nil, false},
		{"schalke04schalke04", nil, true}, // not on the list as is: fine (no composition rules)
		{"erika.mustermann99", []string{"erika.mustermann@musterstadt.example"}, false},
		{"erikamustermann", []string{"Erika Mustermann", "erikamustermann"}, false},
		{"Kaffee trinken im Ratssaal", nil, true},
		{"grüne Tomaten am Fenster", nil, true},
		{"tr0ub4dor&3x", nil, true},
		{"nurkleinbuchstabenlang", nil, true},
	}
	for _, tc := range tests {
		err := password.Check(tc.pw, tc.related...)
		if got := err == nil; got != tc.ok {
			t.Errorf("Check(%q) = %v, want ok=%v", tc.pw, err, tc.ok)
		}
		if err != nil && ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
			t.Errorf("Check(%q) code = %q", tc.pw, ratsnetz.ErrorCode(err))
		}
	}
}

func TestDummyIsFalse(t *testing.T) {
	if (password.Hasher{Params: fast}).Dummy("irgendwas123") {
		t.Error("Dummy returned true")
	}
}

// BenchmarkHashDefault measures the login cost with DefaultParams.
func BenchmarkHashDefault(b *testing.B) {
	var h password.Hasher
	for b.Loop() {
		if _, err := h.Hash("ein ziemlich langes Passwort"); err != nil {
			b.Fatal(err)
		}
	}
}
