package live

import (
	"context"

	"github.com/ratsnetz/ratsnetz"
)

// handsStore is the store's show of hands per faction (sqlstore.DB).
type handsStore interface {
	EnterFactionShowOfHands(ctx context.Context, voteID int64, rows []ratsnetz.HandsRow) (*ratsnetz.LiveVote, error)
}

// FactionShowOfHands closes a motion vote with a show of hands the office
// counted per faction (and members without a faction one by one); the
// totals are derived from the rows.
func (s *Service) FactionShowOfHands(ctx context.Context, meetingID, voteID int64, rows []ratsnetz.HandsRow) (*ratsnetz.LiveVote, error) {
	hs, ok := s.store.(handsStore)
	if !ok {
		return nil, ratsnetz.Errorf(ratsnetz.EINTERNAL, "Handzeichen je Fraktion werden nicht unterstützt.")
	}
	if err := s.vote(ctx, meetingID, voteID); err != nil {
		return nil, err
	}
	v, err := hs.EnterFactionShowOfHands(ctx, voteID, rows)
	return v, s.after(meetingID, err)
}

// Manage checks that the viewer may run the meeting (chair or office).
func (s *Service) Manage(ctx context.Context, meetingID int64) error { return s.manage(ctx, meetingID) }
