package sqlstore

import (
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// RightsForTest exposes the rights predicates to the external tests.
func (db *DB) RightsForTest(v ratsnetz.Viewer, now time.Time) (meeting, agendaItem, paper func(id string) string, ok bool) {
	r, ok := db.rightsOf(v, now, time.UTC)
	return r.meetingEntitled, r.agendaItemEntitled, r.paperEntitled, ok
}
