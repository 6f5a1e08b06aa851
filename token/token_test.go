package token_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz/token"
)

func TestNew(t *testing.T) {
	raw, hash, err := token.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != 43 || strings.ContainsAny(raw, "+/=") {
		t.Errorf("raw %q is not 43 URL-safe characters", raw)
	}
	if hash != token.Hash(raw) || len(hash) != 64 || strings.Contains(hash, raw) {
		t.Errorf("hash %q of %q", hash, raw)
	}
	raw2, _, _ := token.New(nil)
	if raw2 == raw {
		t.Error("two tokens are equal")
	}
	if _, _, err := token.New(bytes.NewReader(make([]byte, 5))); err == nil {
		t.Error("New with a short random source succeeded")
	}
}
