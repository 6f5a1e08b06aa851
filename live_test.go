package ratsnetz

import "testing"

func TestMajority(t *testing.T) {
	for _, tc := range []struct {
		rule, base                       string
		yes, no, abstain, present, seats int
		want                             bool
	}{
		{MajoritySimple, BaseVotesCast, 5, 4, 10, 19, 21, true},
		{MajoritySimple, BaseVotesCast, 4, 4, 0, 8, 9, false}, // a tie rejects
		{MajorityAbsolute, BasePresent, 10, 2, 8, 20, 30, false},
		{MajorityAbsolute, BasePresent, 11, 2, 7, 20, 30, true},
		{MajorityAbsolute, BaseLegal, 15, 0, 0, 20, 30, false},
		{MajorityAbsolute, BaseLegal, 16, 0, 0, 20, 30, true},
		{MajorityTwoThirds, BaseVotesCast, 20, 10, 5, 35, 40, true},
		{MajorityTwoThirds, BaseVotesCast, 19, 10, 5, 35, 40, false},
		{MajorityTwoThirds, BaseLegal, 26, 0, 0, 30, 40, false},
		{MajorityTwoThirds, BaseLegal, 27, 0, 0, 30, 40, true},
	} {
		if got := Majority(tc.rule, tc.base, tc.yes, tc.no, tc.abstain, tc.present, tc.seats); got != tc.want {
			t.Errorf("%+v: got %v", tc, got)
		}
	}
}

func TestQuorum(t *testing.T) {
	q := QuorumRule{}
	for _, tc := range []struct {
		present, seats int
		want           bool
	}{{21, 41, true}, {20, 41, false}, {21, 40, true}, {20, 40, false}, {1, 0, true}, {0, 0, false}} {
		if got := q.Quorate(tc.present, tc.seats); got != tc.want {
			t.Errorf("Quorate(%d, %d) = %v", tc.present, tc.seats, got)
		}
	}
	if got := q.Needed(40); got != 21 {
		t.Errorf("Needed(40) = %d, want 21", got)
	}
	if got := (QuorumRule{Numerator: 1, Denominator: 3}).Needed(30); got != 11 {
		t.Errorf("one third of 30: needed %d, want 11", got)
	}
}

func TestLiveAccessCanSee(t *testing.T) {
	public := LiveAccess{}
	member := LiveAccess{Entitled: true, Member: true, PersonID: 7, FactionID: 3}
	office := LiveAccess{Entitled: true, Office: true}
	staff := LiveAccess{Entitled: true, FactionStaff: []int64{3}}
	for _, tc := range []struct {
		a        LiveAccess
		audience string
		want     bool
	}{
		{public, AudiencePublic, true}, {public, AudienceEntitled, false}, {public, AudienceParticipants, false},
		{public, "faction:3", false}, {public, "direct:7", false}, {public, AudienceOffice, false},
		{member, AudienceEntitled, true}, {member, "faction:3", true}, {member, "faction:4", false},
		{member, "direct:7", true}, {member, "direct:8", false}, {member, AudienceOffice, false},
		{office, "direct:8", true}, {office, "faction:3", false}, {office, AudienceOffice, true},
		{staff, "faction:3", true}, {staff, AudienceParticipants, false},
		{member, "faction:x3", false}, {member, "faction:", false}, {office, "bogus", false},
	} {
		if got := tc.a.CanSee(tc.audience); got != tc.want {
			t.Errorf("%+v CanSee(%q) = %v", tc.a, tc.audience, got)
		}
	}
}
