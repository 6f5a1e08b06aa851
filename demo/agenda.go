package demo

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/pdf"
)

var typeOrder = map[string]int{
	ratsnetz.PaperTypeResolution: 0, ratsnetz.PaperTypeBoardTemplate: 0, ratsnetz.PaperTypeSupplement: 1,
	ratsnetz.PaperTypeMotion: 2, ratsnetz.PaperTypeAmendment: 3, ratsnetz.PaperTypeReport: 4,
	ratsnetz.PaperTypeNotice: 5, ratsnetz.PaperTypeAnswer: 6, ratsnetz.PaperTypeQuestion: 7,
}

func votable(typ string) bool {
	switch typ {
	case ratsnetz.PaperTypeResolution, ratsnetz.PaperTypeMotion, ratsnetz.PaperTypeAmendment, ratsnetz.PaperTypeBoardTemplate:
		return true
	}
	return false
}

// agendas builds the agenda items, results, votes, minutes texts and the
// invitation and minutes files of every meeting that has an agenda.
func (g *gen) agendas() error {
	names := map[int64]*person{}
	for _, p := range g.persons {
		names[p.p.ID] = p
	}
	for _, x := range g.meetings {
		if x.m.Cancelled || !(x.past || x.near) {
			continue
		}
		if x.past {
			g.participants(x)
		}
		g.buildItems(x)
		if err := g.meetingFiles(x, names); err != nil {
			return err
		}
		// Publishing the minutes modifies the meeting (OParl clients
		// syncing by modified_since must see it).
		for _, f := range g.ds.Files {
			if (f.ID == x.m.InvitationFileID || f.ID == x.m.ResultsProtocolFileID || slices.Contains(x.m.AuxiliaryFileIDs, f.ID)) && f.Modified.After(x.m.Modified) {
				x.m.Modified = f.Modified
			}
		}
	}
	return nil
}

func (g *gen) participants(x *mtg) {
	day := date(x.m.Start.In(g.loc))
	seen := map[int64]bool{}
	var ids []int64
	for _, mm := range x.org.members {
		m := mm.m
		if !m.ActiveAt(day) || m.Role == ratsnetz.RoleDeputy || seen[m.PersonID] {
			continue
		}
		seen[m.PersonID] = true
		if m.VotingRight && g.chance(0.08) {
			continue // excused
		}
		ids = append(ids, m.PersonID)
	}
	if x.org.advisor != nil && !seen[x.org.advisor.p.ID] {
		ids = append(ids, x.org.advisor.p.ID)
	}
	slices.Sort(ids)
	x.m.ParticipantIDs = ids
}

func sortEntries(es []*entry) {
	slices.SortStableFunc(es, func(a, b *entry) int {
		if a.addendum != b.addendum {
			if a.addendum {
				return 1
			}
			return -1
		}
		if d := typeOrder[a.ps.p.PaperType] - typeOrder[b.ps.p.PaperType]; d != 0 {
			return d
		}
		return strings.Compare(a.ps.p.Reference, b.ps.p.Reference)
	})
}

func (g *gen) buildItems(x *mtg) {
	m := x.m
	order := 0
	created := m.Created
	add := func(number, name string, public bool) *ratsnetz.AgendaItem {
		if !public {
			name = secret(name)
		}
		it := &ratsnetz.AgendaItem{
			Meta: meta(g.id(kItem), created, m.Modified), MeetingID: m.ID, Order: order, Number: number, Name: name, Public: public,
		}
		order++
		x.items = append(x.items, it)
		g.ds.AgendaItems = append(g.ds.AgendaItems, it)
		return it
	}
	var pubMain, pubNotice, pubQuestion, secretMain []*entry
	for _, e := range x.entries {
		public := m.Public && e.ps.p.Public
		switch {
		case !public:
			secretMain = append(secretMain, e)
		case e.section == secNotice:
			pubNotice = append(pubNotice, e)
		case e.section == secQuestion:
			pubQuestion = append(pubQuestion, e)
		default:
			pubMain = append(pubMain, e)
		}
	}
	for _, l := range [][]*entry{pubMain, pubNotice, pubQuestion, secretMain} {
		sortEntries(l)
	}
	prefix, public := "Ö", true
	if !m.Public {
		prefix, public = "N", false
	}
	n := 0
	next := func() string { n++; return fmt.Sprintf("%s %d", prefix, n) }

	it := add(next(), "Eröffnung der Sitzung, Feststellung der ordnungsgemäßen Einladung und der Beschlussfähigkeit", public)
	if x.past {
		it.MinutesText = g.textFor(public, "Die Vorsitzende Person eröffnet die Sitzung um "+g.hm(m.Start)+" Uhr und stellt die ordnungsgemäße Einladung sowie die Beschlussfähigkeit fest.")
	}
	if x.prev != nil && !x.prev.m.Cancelled {
		it = add(next(), "Genehmigung der Niederschrift über die Sitzung vom "+g.de(x.prev.m.Start), public)
		if x.past {
			it.Result = ratsnetz.ResultAdopted
			it.ResolutionText = g.textFor(public, "Die Niederschrift über die Sitzung vom "+g.de(x.prev.m.Start)+" wird genehmigt.")
			it.Vote = &ratsnetz.VoteResult{Yes: max(1, len(m.ParticipantIDs)-2), Abstain: min(2, len(m.ParticipantIDs)), Note: "Enthaltungen wegen Abwesenheit in der Sitzung"}
		}
	}
	if public {
		it = add(next(), "Mitteilungen der Verwaltung", true)
		num := it.Number
		if x.past {
			it.Result = ratsnetz.ResultNoted
		}
		for i, e := range pubNotice {
			g.entryItem(x, e, add(fmt.Sprintf("%s.%d", num, i+1), e.ps.p.Name, true))
		}
		it = add(next(), "Anfragen", true)
		num = it.Number
		for i, e := range pubQuestion {
			g.entryItem(x, e, add(fmt.Sprintf("%s.%d", num, i+1), e.ps.p.Name, true))
		}
		for _, e := range pubMain {
			num := next()
			g.entryItem(x, e, add(num, e.ps.p.Name, true))
			for j, s := range e.subs {
				g.entryItem(x, s, add(fmt.Sprintf("%s.%d", num, j+1), s.ps.p.Name, s.ps.p.Public))
			}
		}
		prefix, n = "N", 0
	}
	for _, e := range secretMain {
		num := next()
		name := e.ps.p.Name
		if e.ps.p.Public {
			name = secret(name)
		}
		g.entryItem(x, e, add(num, name, false))
		for j, s := range e.subs {
			g.entryItem(x, s, add(fmt.Sprintf("%s.%d", num, j+1), secret(s.ps.p.Name), false))
		}
	}
	if x.past {
		// Spread the item times over the meeting.
		step := m.End.Sub(m.Start) / time.Duration(len(x.items)+1)
		for i, it := range x.items {
			it.Start = m.Start.Add(step * time.Duration(i)).Truncate(time.Minute)
			it.End = m.Start.Add(step * time.Duration(i+1)).Truncate(time.Minute)
		}
	}
}

func (g *gen) textFor(public bool, s string) string {
	if public || s == "" {
		return s
	}
	return secret(s)
}

func (g *gen) entryItem(x *mtg, e *entry, it *ratsnetz.AgendaItem) {
	e.item = it
	p, c := e.ps.p, e.cons
	it.ConsultationID = c.ID
	it.PaperID = p.ID
	it.Urgent, it.Addendum = e.urgent, e.addendum
	c.AgendaItemID = it.ID
	if p.ID == TabletPaperID && x.org == g.council {
		g.known.TabletAgendaItemID = it.ID
	}
	if p.ID == NonPublicPaperID && x.org == g.council {
		g.known.NonPublicAgendaItemID = it.ID
	}
	if !x.past {
		return
	}
	it.Result = c.Result
	o := x.org
	var res, mins string
	speaker := g.speaker(x, e)
	switch c.Result {
	case ratsnetz.ResultAdopted:
		res = fmt.Sprintf("Der %s beschließt:\n\n%s", o.o.Name, e.ps.proposal)
	case ratsnetz.ResultAdoptedAmended:
		res = fmt.Sprintf("Der %s beschließt in geänderter Fassung:\n\n%s\n\nErgänzend wird beschlossen: Die Verwaltung berichtet halbjährlich über den Stand der Umsetzung.", o.o.Name, e.ps.proposal)
	case ratsnetz.ResultRejected:
		res = "Der Beschlussvorschlag wird abgelehnt."
	case ratsnetz.ResultRecommended:
		res = fmt.Sprintf("Der %s empfiehlt, wie folgt zu beschließen:\n\n%s", o.o.Name, e.ps.proposal)
	case ratsnetz.ResultNotRecommended:
		res = fmt.Sprintf("Der %s empfiehlt, den Antrag abzulehnen.", o.o.Name)
	case ratsnetz.ResultPostponed:
		res = "Die Beratung wird auf die nächste Sitzung vertagt."
	case ratsnetz.ResultFirstReading:
		res = "Die Angelegenheit wird in 1. Lesung beraten. Eine Beschlussfassung erfolgt in der nächsten Sitzung."
	case ratsnetz.ResultWithdrawn:
		res = "Die Vorlage wird von der Tagesordnung abgesetzt (zurückgezogen)."
	case ratsnetz.ResultReferred:
		res = "Der Antrag wird zur weiteren Beratung in den Fachausschuss verwiesen."
	case ratsnetz.ResultAnswered:
		res = "Die Anfrage wird von der Verwaltung beantwortet."
	case ratsnetz.ResultNoted:
		res = fmt.Sprintf("Der %s nimmt die Vorlage zur Kenntnis.", o.o.Name)
	}
	mins = speaker + " erläutert die Vorlage " + p.Reference + "."
	if q := g.questioner(x); q != "" && c.Result != ratsnetz.ResultNoted {
		mins += " " + q + " fragt nach den Kosten und dem Zeitplan; die Verwaltung sagt eine Antwort zur Niederschrift zu."
	}
	public := it.Public
	it.ResolutionText = g.textFor(public, res)
	it.MinutesText = g.textFor(public, mins)
	if votable(p.PaperType) {
		switch c.Result {
		case ratsnetz.ResultAdopted, ratsnetz.ResultAdoptedAmended, ratsnetz.ResultRejected, ratsnetz.ResultRecommended, ratsnetz.ResultNotRecommended:
			it.Vote = g.vote(x, e, c.Result)
		}
	}
}

func (g *gen) speaker(x *mtg, e *entry) string {
	if len(e.ps.originF) > 0 && e.ps.originF[0].chair != nil {
		return e.ps.originF[0].chair.p.Name + " (" + e.ps.originF[0].o.ShortName + ")"
	}
	if e.ps.dept != nil {
		if h := g.heads[e.ps.dept.ID]; h != nil {
			return h.p.Name + " (" + e.ps.dept.Name + ")"
		}
	}
	if x.org.advisor != nil {
		return x.org.advisor.p.Name
	}
	return "Die Verwaltung"
}

func (g *gen) questioner(x *mtg) string {
	ids := x.m.ParticipantIDs
	if len(ids) == 0 {
		return ""
	}
	id := ids[g.intn(len(ids))]
	for _, p := range g.persons {
		if p.p.ID == id {
			if p.faction != nil {
				return p.p.Name + " (" + p.faction.o.ShortName + ")"
			}
			return p.p.Name
		}
	}
	return ""
}

// vote makes a vote result consistent with res, broken down by faction.
func (g *gen) vote(x *mtg, e *entry, res string) *ratsnetz.VoteResult {
	adopted := res != ratsnetz.ResultRejected && res != ratsnetz.ResultNotRecommended
	if len(x.org.seats) == 0 {
		n := 0
		for _, mm := range x.org.members {
			if mm.m.VotingRight && mm.m.ActiveAt(date(x.m.Start)) && slices.Contains(x.m.ParticipantIDs, mm.p.p.ID) {
				n++
			}
		}
		if adopted {
			return &ratsnetz.VoteResult{Yes: n, Unanimous: true}
		}
		return &ratsnetz.VoteResult{Yes: n / 3, No: n - n/3}
	}
	present := make([]int, len(x.org.seats))
	for i, s := range x.org.seats {
		present[i] = s.n
		if s.n >= 3 && g.chance(0.3) {
			present[i]--
		}
	}
	mk := func(stance func(i int, f *faction) int) *ratsnetz.VoteResult {
		v := &ratsnetz.VoteResult{}
		for i, s := range x.org.seats {
			if present[i] == 0 {
				continue
			}
			fv := ratsnetz.FactionVote{OrganizationID: s.f.o.ID, Name: s.f.o.Name}
			switch stance(i, s.f) {
			case 0:
				fv.Yes = present[i]
			case 1:
				fv.No = present[i]
			case 2:
				fv.Abstain = present[i]
			default: // split
				fv.Yes = present[i] - 1
				fv.Abstain = 1
			}
			v.Yes += fv.Yes
			v.No += fv.No
			v.Abstain += fv.Abstain
			v.Factions = append(v.Factions, fv)
		}
		v.Unanimous = v.No == 0 && v.Abstain == 0
		return v
	}
	if adopted && e.ps.p.ID != TabletPaperID && g.chance(0.35) {
		return mk(func(int, *faction) int { return 0 })
	}
	origin := func(f *faction) bool { return slices.Contains(e.ps.originF, f) }
	for range 30 {
		v := mk(func(i int, f *faction) int {
			if origin(f) {
				return 0
			}
			r := g.rng.Float64()
			switch {
			case r < 0.45:
				return 0
			case r < 0.75:
				return 1
			case r < 0.9:
				return 2
			}
			if present[i] >= 2 {
				return 3
			}
			return 0
		})
		if adopted == (v.Yes > v.No) && !v.Unanimous {
			return v
		}
	}
	if adopted {
		return mk(func(int, *faction) int { return 0 })
	}
	return mk(func(_ int, f *faction) int {
		if origin(f) {
			return 0
		}
		return 1
	})
}

func voteRows(v *ratsnetz.VoteResult) pdf.Block {
	var rows [][]string
	for _, f := range v.Factions {
		rows = append(rows, []string{f.Name, fmt.Sprint(f.Yes), fmt.Sprint(f.No), fmt.Sprint(f.Abstain)})
	}
	rows = append(rows, []string{"Gesamt", fmt.Sprint(v.Yes), fmt.Sprint(v.No), fmt.Sprint(v.Abstain)})
	return pdf.Table{Header: []string{"Fraktion", "Ja", "Nein", "Enthaltung"}, Rows: rows, Widths: []float64{5, 1, 1, 1.5}}
}

func voteLine(v *ratsnetz.VoteResult) string {
	s := fmt.Sprintf("Abstimmungsergebnis: %d Ja, %d Nein, %d Enthaltungen", v.Yes, v.No, v.Abstain)
	if v.Unanimous {
		s = "Abstimmungsergebnis: einstimmig (" + fmt.Sprint(v.Yes) + " Ja)"
	}
	if v.Note != "" {
		s += " – " + v.Note
	}
	return s
}

// meetingFiles renders the invitation and, for past meetings, the minutes.
func (g *gen) meetingFiles(x *mtg, names map[int64]*person) error {
	m, o := x.m, x.org
	mark := ""
	if !m.Public {
		mark = " " + Canary
	}
	place := "online (Videokonferenz)"
	for _, l := range g.ds.Locations {
		if l.ID == m.LocationID {
			place = l.Description
			if l.Room != "" {
				place += ", " + l.Room
			}
			place += ", " + l.StreetAddress + ", " + l.PostalCode + " " + l.Locality
		}
	}
	if m.Mode == ratsnetz.ModeHybrid {
		place += " (hybride Sitzung: Teilnahme auch per Videokonferenz)"
	}
	when := fmt.Sprintf("%s, %s, %s Uhr", g.dayName(m.Start), g.de(m.Start), g.hm(m.Start))
	var rows [][]string
	for _, it := range x.items {
		name, ref := it.Name, ""
		if it.PaperID != 0 {
			for _, ps := range g.papers {
				if ps.p.ID == it.PaperID {
					ref = ps.p.Reference
				}
			}
		}
		if m.Public && !it.Public {
			name, ref = "Nichtöffentlicher Tagesordnungspunkt", ""
		}
		rows = append(rows, []string{it.Number, name, ref})
	}
	chair := "Die Vorsitzende / Der Vorsitzende"
	for _, mm := range o.members {
		if mm.m.Role == ratsnetz.RoleChair && mm.m.ActiveAt(date(m.Start)) {
			chair = mm.p.p.Name
			break
		}
	}
	invDate := m.Start.AddDate(0, 0, -8)
	inv, err := g.putFile(0, o.body, "Einladung "+stripCanary(m.Name), invDate, m.Public, pdf.Document{
		Title: "Einladung zur " + stripCanary(m.Name), Subtitle: when + "\n" + place, Subject: "Einladung",
		Header: o.body.Name + " – " + o.o.Name + mark,
		Blocks: []pdf.Block{
			pdf.Paragraph{Text: "Sehr geehrte Damen und Herren,\n\nhiermit lade ich Sie zur " + stripCanary(m.Name) + " ein. Die Sitzung findet am " + when + " statt. Ort: " + place + "." + mark},
			pdf.Heading{Text: "Tagesordnung"},
			pdf.Table{Header: []string{"TOP", "Betreff", "Drucksache"}, Rows: rows, Widths: []float64{1, 6, 1.6}},
			pdf.Paragraph{Text: "Mit freundlichen Grüßen\n\ngez. " + chair + "\nVorsitz"},
		},
	})
	if err != nil {
		return err
	}
	m.InvitationFileID = inv.ID
	if !x.past {
		return nil
	}

	var present []string
	for _, id := range m.ParticipantIDs {
		if p := names[id]; p != nil {
			s := p.p.Name
			if p.faction != nil {
				s += " (" + p.faction.o.ShortName + ")"
			}
			present = append(present, s)
		}
	}
	minutes := func(items []*ratsnetz.AgendaItem, public bool, part string) (*ratsnetz.File, error) {
		blocks := []pdf.Block{
			pdf.Paragraph{Text: fmt.Sprintf("Beginn: %s Uhr – Ende: %s Uhr", g.hm(m.Start), g.hm(m.End))},
			pdf.Heading{Text: "Anwesend"}, pdf.List{Items: present},
		}
		if !public {
			blocks = append([]pdf.Block{pdf.Paragraph{Text: "Nicht öffentlich – " + Canary, Bold: true}}, blocks...)
		}
		for _, it := range items {
			blocks = append(blocks, pdf.Heading{Text: it.Number + " " + it.Name})
			if it.MinutesText != "" {
				blocks = append(blocks, pdf.Paragraph{Text: it.MinutesText})
			}
			if it.ResolutionText != "" {
				blocks = append(blocks, pdf.Paragraph{Text: "Beschluss: " + it.ResolutionText, Bold: true})
			}
			if it.Vote != nil {
				blocks = append(blocks, pdf.Paragraph{Text: voteLine(it.Vote)})
				if len(it.Vote.Factions) > 0 {
					blocks = append(blocks, voteRows(it.Vote))
				}
			}
			if it.Result != "" {
				blocks = append(blocks, pdf.Paragraph{Text: "Ergebnis: " + it.Result, Italic: true})
			}
		}
		keeper := g.staff["minutes0"].p.Name
		blocks = append(blocks, pdf.Paragraph{Text: "gez. " + chair + " (Vorsitz)     gez. " + keeper + " (Schriftführung)"})
		return g.putFile(0, o.body, "Niederschrift "+part+stripCanary(m.Name), m.End.AddDate(0, 0, 14), public, pdf.Document{
			Title: "Niederschrift " + part + "über die " + stripCanary(m.Name), Subtitle: when + "\n" + place, Subject: "Niederschrift",
			Header: o.body.Name + " – " + o.o.Name, Blocks: blocks,
		})
	}
	var pub, sec []*ratsnetz.AgendaItem
	for _, it := range x.items {
		if it.Public {
			pub = append(pub, it)
		} else {
			sec = append(sec, it)
		}
	}
	if m.Public {
		f, err := minutes(pub, true, "(öffentlicher Teil) ")
		if err != nil {
			return err
		}
		m.ResultsProtocolFileID = f.ID
		if len(sec) > 0 {
			f, err := minutes(sec, false, "(nichtöffentlicher Teil) ")
			if err != nil {
				return err
			}
			m.AuxiliaryFileIDs = append(m.AuxiliaryFileIDs, f.ID)
		}
	} else {
		f, err := minutes(x.items, false, "")
		if err != nil {
			return err
		}
		m.ResultsProtocolFileID = f.ID
	}
	return nil
}

func stripCanary(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "("+Canary+")", ""))
}
