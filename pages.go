package ratsnetz

import "context"

// PaperPage is a paper with the objects its portal page shows, as a store
// reads them together (one statement in sqlstore instead of one per kind).
// Every part has the visibility of the viewer in the context, exactly as the
// separate finds give it.
type PaperPage struct {
	Paper *Paper
	// Consultations are the paper's consultations (FindConsultations with
	// PaperID), in Beratungsfolge order.
	Consultations []*Consultation
	// Meetings are the visible meetings of the consultations, AgendaItems
	// their visible, unredacted agenda items, Files the paper's main file
	// and attachments, Papers its related, superordinated and subordinated
	// papers: without ID lists and long texts (as the shallow finds give
	// them), in no particular order.
	Meetings    []*Meeting
	AgendaItems []*AgendaItem
	Files       []*File
	Papers      []*Paper
}

// MeetingPage is a meeting with the objects its portal page shows, read
// together like PaperPage.
type MeetingPage struct {
	Meeting *Meeting
	// AgendaItems is the agenda (FindAgendaItems with MeetingID, without
	// file references and long texts), in meeting order, redacted
	// placeholders included.
	AgendaItems []*AgendaItem
	// Papers are the visible papers of the unredacted items and Files the
	// meeting's files, without ID lists and long texts, in no particular
	// order.
	Papers []*Paper
	Files  []*File
}

// PageStore is implemented by stores that read a portal page's objects
// together. ENOTFOUND when the viewer may not see the paper or meeting.
type PageStore interface {
	FindPaperPage(ctx context.Context, id int64) (*PaperPage, error)
	FindMeetingPage(ctx context.Context, id int64) (*MeetingPage, error)
}
