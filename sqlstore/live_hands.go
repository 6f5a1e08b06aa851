package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"

	"github.com/ratsnetz/ratsnetz"
)

// handsBase is who may raise a hand in a show of hands: the members present
// with a voting right and without a conflict of interest on the item,
// grouped by faction (0 = without a faction).
type handsBase struct {
	faction map[int64]int
	names   map[int64]string // faction ID → name
	members map[int64]*ratsnetz.RosterEntry
}

func (db *DB) showOfHandsBase(ctx context.Context, tx *sql.Tx, v *ratsnetz.LiveVote) (*handsBase, error) {
	roster, err := db.liveRoster(ctx, tx, v.MeetingID)
	if err != nil {
		return nil, err
	}
	conflicted := map[int64]bool{}
	if v.AgendaItemID != 0 {
		rows, err := tx.QueryContext(ctx, db.rebind(`SELECT person_id FROM conflicts_of_interest WHERE agenda_item_id = ?`), v.AgendaItemID)
		if err != nil {
			return nil, fmt.Errorf("show of hands: conflicts: %w", err)
		}
		for rows.Next() {
			var p int64
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return nil, fmt.Errorf("show of hands: conflicts: %w", err)
			}
			conflicted[p] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("show of hands: conflicts: %w", err)
		}
	}
	b := &handsBase{faction: map[int64]int{}, names: map[int64]string{}, members: map[int64]*ratsnetz.RosterEntry{}}
	for _, e := range roster {
		if !e.Present() || !e.VotingRight || conflicted[e.PersonID] {
			continue
		}
		b.members[e.PersonID] = e
		if e.FactionID != 0 {
			b.faction[e.FactionID]++
			b.names[e.FactionID] = e.Faction
		}
	}
	return b, nil
}

// EnterFactionShowOfHands closes an open motion vote with a show of hands
// counted per faction by the office (as German minutes record it): one row
// per faction with its Ja/Nein/Enthaltung, members without a faction one by
// one. The totals are derived from the rows. A faction cannot show more
// hands than it has members present with a voting right and without a
// conflict of interest; the result goes into the vote.closed event (and so
// the minutes draft) with the per-faction table.
func (db *DB) EnterFactionShowOfHands(ctx context.Context, voteID int64, rows []ratsnetz.HandsRow) (*ratsnetz.LiveVote, error) {
	var out *ratsnetz.LiveVote
	err := db.liveTx(ctx, func(tx *sql.Tx) error {
		v, err := db.lockedLiveVote(ctx, tx, voteID)
		if err != nil {
			return err
		}
		if v.State != ratsnetz.VoteStateOpen {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Die Abstimmung ist bereits geschlossen.")
		}
		if !slices.Equal(v.Options, ratsnetz.MotionOptions()) {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Ein Handzeichen je Fraktion gibt es nur bei Ja/Nein/Enthaltung; bei einer Wahl bitte die Gesamtzahlen eintragen.")
		}
		base, err := db.showOfHandsBase(ctx, tx, v)
		if err != nil {
			return err
		}
		r, err := tallyHands(v, base, rows)
		if err != nil {
			return err
		}
		v.ShowOfHands = true
		return db.finishVote(ctx, tx, v, r, &out)
	})
	return out, err
}

// tallyHands validates the rows against the base and derives the result.
func tallyHands(v *ratsnetz.LiveVote, base *handsBase, rows []ratsnetz.HandsRow) (*ratsnetz.LiveVoteResult, error) {
	counts := map[string]int{}
	seenFaction, seenPerson := map[int64]bool{}, map[int64]bool{}
	var factions []ratsnetz.FactionVote
	var singles []ratsnetz.NamedBallot
	total := 0
	for _, row := range rows {
		if row.Yes < 0 || row.No < 0 || row.Abstain < 0 {
			return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Handzeichen können nicht negativ sein.")
		}
		switch {
		case row.FactionID != 0 && row.PersonID == 0:
			if seenFaction[row.FactionID] {
				return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Eine Fraktion ist doppelt eingetragen.")
			}
			seenFaction[row.FactionID] = true
			n, ok := base.faction[row.FactionID]
			if !ok {
				if row.Total() == 0 {
					continue
				}
				return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Von dieser Fraktion ist niemand stimmberechtigt anwesend.")
			}
			name := base.names[row.FactionID]
			if row.Total() > n {
				return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "%s: %d Handzeichen, aber nur %d stimmberechtigte Mitglieder anwesend.", name, row.Total(), n)
			}
			if row.Total() == 0 {
				continue
			}
			factions = append(factions, ratsnetz.FactionVote{OrganizationID: row.FactionID, Name: name, Yes: row.Yes, No: row.No, Abstain: row.Abstain})
		case row.PersonID != 0 && row.FactionID == 0:
			if seenPerson[row.PersonID] {
				return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Ein Mitglied ist doppelt eingetragen.")
			}
			seenPerson[row.PersonID] = true
			e := base.members[row.PersonID]
			if e == nil {
				if row.Total() == 0 {
					continue
				}
				return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Das Mitglied ist nicht stimmberechtigt anwesend.")
			}
			if e.FactionID != 0 {
				return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "%s gehört zur Fraktion %s; bitte in deren Zeile zählen.", e.Name, e.Faction)
			}
			if row.Total() > 1 {
				return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "%s hat nur eine Stimme.", e.Name)
			}
			if row.Total() == 0 {
				continue
			}
			o := ratsnetz.OptionYes
			if row.No == 1 {
				o = ratsnetz.OptionNo
			} else if row.Abstain == 1 {
				o = ratsnetz.OptionAbstain
			}
			singles = append(singles, ratsnetz.NamedBallot{PersonID: e.PersonID, Name: e.Name, Option: o})
		default:
			return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültige Zeile im Handzeichen-Ergebnis.")
		}
		counts[ratsnetz.OptionYes] += row.Yes
		counts[ratsnetz.OptionNo] += row.No
		counts[ratsnetz.OptionAbstain] += row.Abstain
		total += row.Total()
	}
	if total == 0 {
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Es ist kein Handzeichen eingetragen.")
	}
	sort.Slice(factions, func(i, j int) bool { return factions[i].Name < factions[j].Name })
	sort.Slice(singles, func(i, j int) bool { return singles[i].Name < singles[j].Name })
	r := tallyResult(v, counts, total)
	r.Factions, r.Singles = factions, singles
	return r, nil
}
