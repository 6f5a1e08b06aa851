package web

import (
	"strconv"

	"github.com/ratsnetz/ratsnetz"
)

// View rows for lists. Templates reach fields by reflection, and promoted
// fields (ID from the embedded Meta) take a slow path, so rows repeated on a
// page hold plain, direct fields formatted ahead. Detail pages keep using
// the domain types.

// link is a named link target.
type link struct {
	ID   int64
	Name string
}

func orgLinks(orgs []*ratsnetz.Organization) []link {
	out := make([]link, len(orgs))
	for i, o := range orgs {
		out[i] = link{ID: o.ID, Name: o.Name}
	}
	return out
}

// fileRow is a file with the label of its role (a catalogue key:
// "file.invitation", "file.attachment", …).
type fileRow struct {
	ID        int64
	Name      string
	Label     string
	Size      int64
	NonPublic bool
}

// confidential reports whether any of orgs is a company-law confidential
// board ("vertraulich" in the member view).
func confidential(orgs []*ratsnetz.Organization) bool {
	for _, o := range orgs {
		if o != nil && o.Confidential {
			return true
		}
	}
	return false
}

// meetingRow is a meeting in a list.
type meetingRow struct {
	ID        int64
	Name      string
	State     string
	Cancelled bool
	Orgs      []link
	When      string
	WhenISO   string
	Place     string
	NonPublic bool
}

// paperRow is a paper in a list.
type paperRow struct {
	ID        int64
	Name      string
	Reference string
	PaperType string
	Status    string
	Day       string
	DayISO    string
	NonPublic bool
}

func paperRows(f formatter, papers []*ratsnetz.Paper) []paperRow {
	rows := make([]paperRow, len(papers))
	for i, p := range papers {
		rows[i] = paperRow{ID: p.ID, Name: p.Name, Reference: p.Reference, PaperType: p.PaperType, Status: p.Status,
			Day: f.Date(p.Date), DayISO: f.ISO(p.Date), NonPublic: !p.Public}
	}
	return rows
}

// agendaRow is an agenda item in a meeting's agenda, with the paper it
// treats.
type agendaRow struct {
	ID        int64
	MeetingID int64
	Number    string
	Name      string
	Result    string
	Redacted  bool
	PaperID   int64 // 0: none visible
	PaperRef  string
}

func newAgendaRow(it *ratsnetz.AgendaItem, p *ratsnetz.Paper) agendaRow {
	if it.Redacted {
		return agendaRow{ID: it.ID, MeetingID: it.MeetingID, Number: it.Number, Redacted: true}
	}
	row := agendaRow{ID: it.ID, MeetingID: it.MeetingID, Number: it.Number, Name: it.Name, Result: it.Result}
	if p != nil {
		row.PaperID, row.PaperRef = p.ID, p.Reference
		if row.PaperRef == "" {
			row.PaperRef = p.Name
		}
	}
	return row
}

// option is one choice of a select box.
type option struct {
	Value    string
	Label    string
	Selected bool
}

func orgOptions(orgs []*ratsnetz.Organization, selected int64) []option {
	out := make([]option, len(orgs))
	for i, o := range orgs {
		out[i] = option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name, Selected: o.ID == selected}
	}
	return out
}

func stringOptions(values []string, selected string) []option {
	out := make([]option, len(values))
	for i, v := range values {
		out[i] = option{Value: v, Label: v, Selected: v == selected}
	}
	return out
}
