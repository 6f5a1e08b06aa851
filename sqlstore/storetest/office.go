package storetest

import (
	"testing"

	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// testOffice checks the council office's writes: papers, meetings, agenda, minutes, motions.
func testOffice(t *testing.T, db *sqlstore.DB) {
	_ = db
}
