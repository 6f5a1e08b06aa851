package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// This file is the one place where the viewer becomes SQL. Every find method
// asks it for the predicates of its object kind; nothing else in the package
// decides who sees what. Accounts and mandate-based rights extend only this
// file.
//
// Rules for the anonymous public (and the base of every viewer but System):
//   - meetings, papers and files need Public; agenda items need Public and a
//     visible meeting. Non-public agenda items of a visible meeting are listed
//     as redacted placeholders, their content replaced in SQL.
//   - files additionally need every owner (paper, meeting, agenda item) visible
//     (stored as files.visible_public: see fileOwnersVisible).
//   - consultations need a visible paper (or none); their meeting and agenda
//     item references are zeroed when those are not visible.
//   - ID lists inside objects only name visible meetings, papers, agenda items
//     and files.
//   - objects that were public and became non-public through a Load come back
//     as tombstones (Deleted, content empty, Modified = de-publication time)
//     when a list asks WithDeleted; so do the agenda items of such a meeting.
// Soft-deleted objects are left out of lists unless WithDeleted, for everyone.
// Bodies, terms, locations, organizations, persons and memberships are public.
//
// A logged-in viewer (AccountID != 0, not System) sees the public plus what
// the rights of rights.go allow. At the start of each find the rights are
// resolved to ID sets (entitlementsOf: entitled organizations through
// rights.entitledOrg, conflicted agenda items, granted papers, clerk
// departments); every rule below is "public rule OR rights rule" over those
// sets. A viewer without any entitlement (no roles, memberships or grants in
// force, or a deactivated account: rights.active) gets the public's SQL
// unchanged, as does the public itself. Per kind:
//   - meeting: public, or entitled to one of its organizations
//     (rights.meetingEntitled).
//   - agenda item: listed when its meeting is visible; content when public
//     (and the meeting visible) or rights.agendaItemEntitled (entitled to
//     the meeting and no conflict of interest of the viewer's person on the
//     item); otherwise the redacted placeholder, as for the public.
//   - paper: public, or rights.paperEntitled (grant on the paper, clerk of a
//     lead/originating department, or a consultation by an entitled
//     organization or in an entitled meeting whose agenda item the viewer is
//     not conflicted on).
//   - file: (a) no owner link (paper, meeting, agenda item) names an owner
//     the viewer may not see, and for a non-public file no link names an
//     agenda item the viewer is conflicted on; and (b) the file is public or
//     the viewer is entitled (rights, not merely the public rule) to at least
//     one owner. So a non-public file attached to a committee paper and a
//     supervisory board item needs both; a non-public file without owners is
//     seen by System only.
//   - consultations, references and ID lists follow from the rules above
//     through the same helpers (paperVisible, meetingVisible, …).
// Memberships count by the Europe/Berlin calendar day. Grants expire up to a
// minute early: "now" is rounded up to the minute so that the text of the
// entitlements query (viewer IDs, day and minute are literals) stays
// cacheable; the visibility SQL itself holds only the ID sets.

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
	// r are the entitlements of a logged-in viewer, used when logged is
	// set (some entitlement beyond the public exists).
	r      entitlements
	logged bool
}

// viewerOf returns the visibility logic of the viewer in ctx. For a
// logged-in viewer it resolves the entitlements first (one query); if that
// fails, the viewer sees what the public sees (fail closed).
func (db *DB) viewerOf(ctx context.Context) viewer {
	w := viewer{v: ratsnetz.ViewerFromContext(ctx)}
	if w.v.IsPublic() || w.v.System {
		return w
	}
	now := db.Now().Truncate(time.Minute).Add(time.Minute)
	// A request may carry a cache (the portal adds one per logged-in
	// request): the entitlements are resolved once per request instead of
	// once per store call. The key holds the data version, which every
	// write of rights or council data bumps, so the cached entitlements are
	// exactly what a fresh lookup would return.
	var key viewerKey
	cache := ratsnetz.RightsCacheFromContext(ctx)
	if cache != nil {
		ver, err := db.DataVersion(ctx)
		if err != nil {
			cache = nil
		} else {
			key = viewerKey{v: w.v, now: now.Unix(), version: ver}
			if c, ok := cache.Load(key); ok {
				return c.(viewer)
			}
		}
	}
	r, ok := db.rightsOf(w.v, now, db.location())
	if !ok {
		return w
	}
	e, err := db.entitlementsOf(ctx, r)
	if err != nil {
		return w // not cached: the next call tries again
	}
	if !e.none() {
		w.r, w.logged = e, true
	}
	if cache != nil {
		cache.Store(key, w)
	}
	return w
}

// viewerKey identifies resolved entitlements in a request's RightsCache.
type viewerKey struct {
	v       ratsnetz.Viewer
	now     int64
	version int64
}

// location is the time zone whose calendar day decides which memberships are
// in force (Europe/Berlin; UTC if the zone database is missing).
func (db *DB) location() *time.Location {
	if db.loc == nil {
		return time.UTC
	}
	return db.loc
}

func (w viewer) all() bool { return w.v.System }

func notDeleted(a string, withDeleted bool) string {
	if withDeleted {
		return ""
	}
	return "NOT " + a + ".deleted"
}

// plain is the visibility of the kinds that are always public.
func (w viewer) plain(a string, withDeleted bool) vis { return plainVis(a, withDeleted) }

// plainVis is plain without a viewer (the same for everyone), so the finds of
// always-public kinds do not resolve a logged-in viewer's entitlements.
func plainVis(a string, withDeleted bool) vis {
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
	return flaggedVis(a, own, withDeleted)
}

// flaggedVis is the visibility of a flagged kind whose rows are visible under
// own.
func flaggedVis(a, own string, withDeleted bool) vis {
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

func (w viewer) paper(a string, withDeleted bool) vis {
	if w.logged {
		return flaggedVis(a, "("+a+".public OR "+w.r.paperEntitled(a+".id")+")", withDeleted)
	}
	return w.flagged(a, withDeleted, "")
}

func (w viewer) meeting(a string, withDeleted bool) vis {
	if w.logged {
		return flaggedVis(a, "("+a+".public OR "+w.r.meetingEntitled(a+".id")+")", withDeleted)
	}
	return w.flagged(a, withDeleted, "")
}

func (w viewer) file(a string, withDeleted bool) vis {
	if w.logged {
		return flaggedVis(a, w.fileRights(a), withDeleted)
	}
	if w.all() {
		return vis{list: notDeleted(a, withDeleted)}
	}
	return flaggedVis(a, a+".visible_public", withDeleted)
}

// fileRights is the file rule of a logged-in viewer over the files alias f
// (see the top of the file).
func (w viewer) fileRights(f string) string {
	return "(NOT EXISTS (SELECT 1 FROM file_links vl WHERE vl.file_id = " + f + ".id AND NOT (" +
		"(vl.owner_kind = 'paper' AND " + w.paperVisible("vl.owner_id") + ") OR " +
		"(vl.owner_kind = 'meeting' AND " + w.meetingVisible("vl.owner_id") + ") OR " +
		"(vl.owner_kind = 'agenda_item' AND " + w.agendaItemVisible("vl.owner_id") +
		" AND (" + f + ".public OR NOT " + w.r.conflicted("vl.owner_id") + "))))" +
		" AND (" + f + ".public OR EXISTS (SELECT 1 FROM file_links vel WHERE vel.file_id = " + f + ".id AND (" +
		"(vel.owner_kind = 'paper' AND " + w.r.paperEntitled("vel.owner_id") + ") OR " +
		"(vel.owner_kind = 'meeting' AND " + w.r.meetingEntitled("vel.owner_id") + ") OR " +
		"(vel.owner_kind = 'agenda_item' AND " + w.r.agendaItemEntitled("vel.owner_id") + ")))))"
}

// agendaItem: listed when the meeting is visible; non-public items redacted.
// With deleted ones, the items of a de-published meeting are tombstones.
func (w viewer) agendaItem(a string, withDeleted bool) vis {
	if w.all() {
		return vis{list: notDeleted(a, withDeleted)}
	}
	meeting := w.meetingVisible(a + ".meeting_id")
	byID := a + ".public AND " + meeting
	content := a + ".public"
	if w.logged {
		entitled := w.r.agendaItemEntitled(a + ".id")
		byID = "((" + byID + ") OR " + entitled + ")"
		content = "(" + content + " OR " + entitled + ")"
	}
	if !withDeleted {
		return vis{list: meeting + " AND NOT " + a + ".deleted", byID: byID, content: content}
	}
	// With deleted ones, only items the viewer could once read become
	// tombstones: a never-public item of a de-published meeting, or one
	// removed before it was ever published, stays unknown (its id and times
	// would otherwise leak). An item that was itself de-published is a
	// tombstone even in a meeting that is still public.
	once := "(" + content + " OR " + a + ".depublished_at IS NOT NULL)"
	return vis{
		list: once + " AND (" + meeting + " OR EXISTS (SELECT 1 FROM meetings vdm WHERE vdm.id = " + a +
			".meeting_id AND vdm.depublished_at IS NOT NULL))",
		byID:    byID,
		content: byID,
		tomb:    "NOT (" + byID + ")",
		tombModified: "COALESCE(" + a + ".depublished_at, (SELECT vdm.depublished_at FROM meetings vdm WHERE vdm.id = " +
			a + ".meeting_id), " + a + ".modified)",
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
	if w.logged {
		return "(" + a + ".public OR " + w.r.agendaItemEntitled(a+".id") + ") AND " + w.paperVisible(a+".paper_id")
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
	if w.logged {
		return "(EXISTS (SELECT 1 FROM papers vp WHERE vp.id = " + id + " AND vp.public) OR " + w.r.paperEntitled(id) + ")"
	}
	return "EXISTS (SELECT 1 FROM papers vp WHERE vp.id = " + id + " AND vp.public)"
}

func (w viewer) meetingVisible(id string) string {
	if w.all() {
		return "TRUE"
	}
	if w.logged {
		return "(EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = " + id + " AND vm.public) OR " + w.r.meetingEntitled(id) + ")"
	}
	return "EXISTS (SELECT 1 FROM meetings vm WHERE vm.id = " + id + " AND vm.public)"
}

func (w viewer) agendaItemVisible(id string) string {
	if w.all() {
		return "TRUE"
	}
	if w.logged {
		return "(EXISTS (SELECT 1 FROM agenda_items va WHERE va.id = " + id + " AND va.public AND " + w.meetingVisible("va.meeting_id") + ") OR " + w.r.agendaItemEntitled(id) + ")"
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
// the viewer may not see. For the public, "files.public AND
// fileOwnersVisible" is stored in files.visible_public, kept exact by the
// triggers of migration 0013 (storetest VisibilityFlags compares the two
// after every write path); the public's file predicates read that column,
// so the PostgreSQL plans of file lists and references shrink from a join
// over every owner kind to one column. VisibilityFlagMismatches uses this
// predicate itself.
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
	if w.logged {
		return "EXISTS (SELECT 1 FROM files vf WHERE vf.id = " + id + " AND " + w.fileRights("vf") + ")"
	}
	return "EXISTS (SELECT 1 FROM files vf WHERE vf.id = " + id + " AND vf.visible_public)"
}

// visibleRef wraps a referenced ID column: it is zeroed when pred is false.
func visibleRef(col, pred string) string {
	if pred == "TRUE" {
		return col
	}
	return "CASE WHEN " + col + " = 0 OR " + pred + " THEN " + col + " ELSE 0 END"
}

// VisibilityFlagMismatches returns the IDs of the files whose stored
// visible_public differs from the public's file rule evaluated in full
// (files.public AND fileOwnersVisible). It is empty whenever the triggers
// of migration 0013 did their work; storetest VisibilityFlags calls it after
// every kind of write.
func (db *DB) VisibilityFlagMismatches(ctx context.Context) ([]int64, error) {
	w := viewer{}
	rows, err := db.read.QueryContext(ctx, `SELECT f.id FROM files f
		WHERE (CASE WHEN f.visible_public THEN 1 ELSE 0 END) <> (CASE WHEN f.public AND `+w.fileOwnersVisible("f.id")+` THEN 1 ELSE 0 END)
		ORDER BY f.id`)
	if err != nil {
		return nil, fmt.Errorf("visibility flags: %w", err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("visibility flags: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("visibility flags: %w", err)
	}
	return ids, nil
}
