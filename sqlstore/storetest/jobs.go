package storetest

import (
	"testing"

	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// testJobs checks the durable job queue (mail and other background work).
func testJobs(t *testing.T, db *sqlstore.DB) {
	_ = db
}
