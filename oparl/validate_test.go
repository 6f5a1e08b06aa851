package oparl_test

import (
	"context"
	"os"
	"testing"

	"github.com/ratsnetz/ratsnetz/oparl/validate"
)

// TestValidatorFindsNoErrors runs our own validator over our own server.
func TestValidatorFindsNoErrors(t *testing.T) {
	e := MustOpenEnv(t, nil)
	rep, err := validate.Run(context.Background(), validate.Options{URL: e.base + "/system", Client: e.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Errors() > 0 || testing.Verbose() {
		rep.Write(os.Stderr)
	}
	if rep.Errors() > 0 {
		t.Errorf("%d errors", rep.Errors())
	}
}
