package sqlstore

import (
	"context"

	"github.com/ratsnetz/ratsnetz"
)

// This file is the one place where the viewer becomes SQL. Every find method
// asks it for the predicates of its object kind; nothing else in the package
// decides who sees what. Accounts and mandate-based rights extend only this
// file.
//
// Rules for every viewer but System (today: the anonymous public):
//   - meetings, papers and files need Public; agenda items need Public and a
//     visible meeting. Non-public agenda items of a visible meeting are listed
//     as redacted placeholders, their content replaced in SQL.
//   - files additionally need every owner (paper, meeting, agenda item) visible.
//   - consultations need a visible paper (or none); their meeting and agenda
//     item references are zeroed when those are not visible.
//   - ID lists inside objects only name visible meetings, papers, agenda items
//     and files.
//   - objects that were public and became non-public through a Load come back
//     as tombstones (Deleted, content empty, Modified = de-publication time)
//     when a list asks WithDeleted; so do the agenda items of such a meeting.
// Soft-deleted objects are left out of lists unless WithDeleted, for everyone.
// Bodies, terms, locations, organizations, persons and memberships are public.

// vis is what a viewer may see of one object kind, as SQL over the table
// alias the caller uses.
type vis struct {
	// list is the predicate of rows a list returns ("" = all).
	list string
	// byID is the predicate of the row a find-by-ID returns ("" = any).
	byID string
	// content is the predicate under which content columns are returned;
	// "" means always. Rows outside it come back redacted or as tombstones.
	content string
	// tomb is the predicate of rows that are tombstones ("" = none): Deleted
	// set, content empty, Modified = tombModified. Other rows outside
	// content are redacted placeholders.
	tomb         string
	tombModified string
}

// viewer is the visibility logic for one viewer.
type viewer struct {
	v ratsnetz.Viewer
}

func viewerOf(ctx context.Context) viewer {
	return viewer{v: ratsnetz.ViewerFromContext(ctx)}
}

func (w viewer) all() bool { return w.v.System }

func notDeleted(a string, withDeleted bool) string {
	if withDeleted {
		return ""
	}
	return "NOT " + a + ".deleted"
}

// plain is the visibility of the kinds that are always public.
func (w viewer) plain(a string, withDeleted bool) vis {
	return vis{list: notDeleted(a, withDeleted)}
}

// flagged is the visibility of papers, meetings and files (own Public flag).
func (w viewer) flagged(a string, withDeleted bool, extra string) vis {
	if w.all() {
		return vis{list: notDeleted(a, withDeleted)}
	}
	own := a + ".public"
	if extra != "" {
		own = "(" + own + " AND " + extra + ")"
	}
	if withDeleted {
		return vis{
			list:         "(" + own + " OR " + a + ".depublished_at IS NOT NULL)",
			byID:         own,
			content:      own,
			tomb:         "NOT " + own,
			tombModified: "COALESCE(" + a + ".depublished_at, " + a + ".modified)",
		}
	}
	return vis{list: own + " AND NOT " + a + ".deleted", byID: own, content: own}
}

func (w viewer) paper(a string, withDeleted bool) vis   { return w.flagged(a, withDeleted, "") }
func (w viewer) meeting(a string, withDeleted bool) vis { return w.flagged(a, withDeleted, "") }
func (w viewer) file(a string, withDeleted bool) vis {
	return w.flagged(a, withDeleted, w.fileOwnersVisible(a+".id"))
}

// agendaItem: listed when the meeting is visible; non-public items redacted.
// With deleted ones, the items of a de-published meeting are tombstones.
func (w viewer) agendaItem(a string, withDeleted bool) vis {
	if w.all() {
		return vis{list: notDeleted(a, withDeleted)}
	}
	meeting := w.meetingVisible(a + ".meeting_id")
	byID := a + ".public AND " + meeting
	if !withDeleted {
		return vis{list: meeting + " AND NOT " + a + ".deleted", byID: byID, content: a + ".public"}
	}
	return vis{
		list:         "(" + meeting + " OR EXISTS (SELECT 1 FROM meetings vdm WHERE vdm.id = " + a + ".meeting_id AND vdm.depublished_at IS NOT NULL))",
		byID:         byID,
		content:      byID,
		tomb:         "NOT " + meeting,
		tombModified: "COALESCE((SELECT vdm.depublished_at FROM meetings vdm WHERE vdm.id = " + a + ".meeting_id), " + a + ".modified)",
	}
}

// consultation: visible with its paper.
func (w viewer) consultation(a string, withDeleted bool) vis {
	if w.all() {
		return vis{list: notDeleted(a, withDeleted)}
	}
	own := "(" + a + ".paper_id = 0 OR " + w.paperVisible(a+".paper_id") + ")"
	list := own
	if !withDeleted {
		list += " AND NOT " + a + ".deleted"
	}
	return vis{list: list, byID: own}
}

// agendaItemByPaper is the extra predicate when agenda items are selected by
// paper: which hidden item treats a paper, and which item treats a hidden
// paper, is itself hidden. "" for no restriction.
func (w viewer) agendaItemByPaper(a string) string {
	if w.all() {
		return ""
	}
	return a + ".public AND " + w.paperVisible(a+".paper_id")
}

// consultationByMeeting is the extra predicate when consultations are
// selected by meeting: which consultations a hidden meeting holds is itself
// hidden.
func (w viewer) consultationByMeeting(c string) string {
	if w.all() {
		return ""
	}
	return w.meetingVisible(c + ".meeting_id")
}

// paperVisible is the predicate "paper id (an SQL expression) is visible".
func (w viewer) paperVisible(id string) string {
	if w.all() {
		return "TRUE"
	}
	return "EXISTS (SELECT 1 FROM papers vp WHERE vp.id = " + id + " AND vp.public)"
}

func (w viewer) meetingVisible(id string) string {
	if w.all() {
		return "TRUE"
	}
	return "EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = " + id + " AND vm.public)"
}

func (w viewer) agendaItemVisible(id string) string {
	if w.all() {
		return "TRUE"
	}
	return "EXISTS (SELECT 1 FROM agenda_items va JOIN meetings vam ON vam.id = va.meeting_id WHERE va.id = " + id + " AND va.public AND vam.public)"
}

// consultationVisible: the consultation exists and its paper is visible.
func (w viewer) consultationVisible(id string) string {
	if w.all() {
		return "TRUE"
	}
	return "EXISTS (SELECT 1 FROM consultations vc WHERE vc.id = " + id + " AND (vc.paper_id = 0 OR " + w.paperVisible("vc.paper_id") + "))"
}

// fileOwnersVisible: no link of file id (an SQL expression) names an owner
// the viewer may not see.
func (w viewer) fileOwnersVisible(id string) string {
	if w.all() {
		return "TRUE"
	}
	return "NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = " + id + " AND NOT (" +
		"(vl.owner_kind = 'paper' AND " + w.paperVisible("vl.owner_id") + ") OR " +
		"(vl.owner_kind = 'meeting' AND " + w.meetingVisible("vl.owner_id") + ") OR " +
		"(vl.owner_kind = 'agenda_item' AND " + w.agendaItemVisible("vl.owner_id") + ")))"
}

// fileVisible is the predicate "file id (an SQL expression) is visible".
func (w viewer) fileVisible(id string) string {
	if w.all() {
		return "TRUE"
	}
	return "EXISTS (SELECT 1 FROM files vf WHERE vf.id = " + id + " AND vf.public AND " + w.fileOwnersVisible("vf.id") + ")"
}

// visibleRef wraps a referenced ID column: it is zeroed when pred is false.
func visibleRef(col, pred string) string {
	if pred == "TRUE" {
		return col
	}
	return "CASE WHEN " + col + " = 0 OR " + pred + " THEN " + col + " ELSE 0 END"
}
