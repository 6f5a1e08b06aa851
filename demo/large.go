package demo

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/pdf"
)

// Full sizes of the large scale.
const (
	largeMeetings = 20000
	largePersons  = 5000
	largeExtraOrg = 40
	itemsPerMtg   = 20 // 4 standard items, 6 notices without paper, 10 papers
	papersPerMtg  = 10
)

var extraOrgNames = []string{
	"Jugendhilfeausschuss", "Sportausschuss", "Ausschuss für Wirtschaftsförderung", "Ausschuss für Gleichstellung",
	"Wahlprüfungsausschuss", "Seniorenbeirat", "Integrationsrat", "Beirat für Menschen mit Behinderung",
	"Denkmalbeirat", "Naturschutzbeirat", "Unterausschuss Haushaltskonsolidierung", "Unterausschuss Stadtentwicklung",
	"Arbeitskreis Radverkehr", "Ausschuss für Bürgerbeteiligung", "Ausschuss für Feuerschutz", "Friedhofsausschuss",
	"Ältestenrat", "Vergabeausschuss", "Ausschuss für Partnerschaften", "Umlegungsausschuss",
}

type largeGen struct {
	*gen
	emit      func(*ratsnetz.Dataset) error
	chunk     int
	pending   int
	total     int
	started   time.Time
	pubBlob   ratsnetz.BlobInfo
	secBlob   ratsnetz.BlobInfo
	orgs      []*org
	personIDs []int64
}

func (g *gen) large(emit func(*ratsnetz.Dataset) error) error {
	factor := g.opts.LargeFactor
	if factor <= 0 {
		factor = 1
	}
	chunk := g.opts.ChunkSize
	if chunk <= 0 {
		chunk = 5000
	}
	lg := &largeGen{gen: g, emit: emit, chunk: chunk, started: time.Now()}
	g.ds = &ratsnetz.Dataset{}
	if err := lg.sampleBlobs(); err != nil {
		return err
	}
	if err := lg.structure(factor); err != nil {
		return err
	}
	if err := lg.flush(true); err != nil {
		return err
	}
	meetings := max(1, int(math.Round(largeMeetings*factor)))
	from := g.termOld.StartDate.AddDate(-10, 0, 0)
	until := g.now.AddDate(0, -15, 0)
	span := until.Sub(from)
	for i := range meetings {
		at := from.Add(time.Duration(float64(span) * float64(i) / float64(meetings)))
		lg.meeting(i, date(at))
		if err := lg.flush(false); err != nil {
			return err
		}
	}
	if err := lg.flush(true); err != nil {
		return err
	}
	lg.progress("fertig")
	return nil
}

func (lg *largeGen) progress(what string) {
	if lg.opts.Progress == nil {
		return
	}
	secs := time.Since(lg.started).Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(lg.total) / secs
	}
	fmt.Fprintf(lg.opts.Progress, "Demo (large): %d Objekte geladen, %.0f Objekte/s (%s)\n", lg.total, rate, what)
}

func count(ds *ratsnetz.Dataset) int {
	return len(ds.Bodies) + len(ds.LegislativeTerms) + len(ds.Locations) + len(ds.Organizations) + len(ds.Persons) +
		len(ds.Memberships) + len(ds.Meetings) + len(ds.AgendaItems) + len(ds.Papers) + len(ds.Consultations) + len(ds.Files)
}

// flush hands the pending objects to emit once a chunk is full (or always
// when force is set).
func (lg *largeGen) flush(force bool) error {
	n := count(lg.ds)
	if n == 0 || (!force && n < lg.chunk) {
		return nil
	}
	if err := lg.ctx.Err(); err != nil {
		return err
	}
	if err := lg.emit(lg.ds); err != nil {
		return err
	}
	lg.total += n
	lg.ds = &ratsnetz.Dataset{}
	lg.progress(fmt.Sprintf("%d Sitzungen", lg.next[kMeeting]))
	return nil
}

// sampleBlobs stores the two contents the large files share: one public,
// one confidential (with the canary).
func (lg *largeGen) sampleBlobs() error {
	put := func(key string, doc pdf.Document) (ratsnetz.BlobInfo, error) {
		var buf bytes.Buffer
		if err := pdf.Render(doc, &buf); err != nil {
			return ratsnetz.BlobInfo{}, err
		}
		info, err := lg.blobs.Put(lg.ctx, key, io.Reader(&buf))
		if err != nil {
			return info, fmt.Errorf("demo large sample: %w", err)
		}
		lg.blobCount++
		lg.blobBytes += info.Size
		return info, nil
	}
	var err error
	lg.pubBlob, err = put("demo/large/dokument.pdf", pdf.Document{
		Title: "Dokument aus dem Archiv der Stadt Musterstadt", Author: lg.city.Name, Date: lg.now,
		Blocks: []pdf.Block{pdf.Paragraph{Text: "Dieses Dokument steht stellvertretend für die archivierten Unterlagen des großen Demo-Datenbestands."}},
	})
	if err != nil {
		return err
	}
	lg.secBlob, err = put("demo/large/vertraulich.pdf", pdf.Document{
		Title: secret("Vertrauliches Dokument aus dem Archiv"), Author: lg.city.Name, Date: lg.now,
		Blocks: []pdf.Block{pdf.Paragraph{Text: "Nicht öffentlich – " + Canary}},
	})
	return err
}

// structure adds older legislative terms, more organizations and persons.
func (lg *largeGen) structure(factor float64) error {
	g := lg.gen
	start := g.termOld.StartDate
	for i := 1; i <= 3; i++ {
		s := start.AddDate(-5*i, 0, 0)
		g.ds.LegislativeTerms = append(g.ds.LegislativeTerms, &ratsnetz.LegislativeTerm{
			Meta: meta(g.id(kTerm), s, s), BodyID: g.city.ID, Name: fmt.Sprintf("Wahlperiode %d–%d", s.Year(), s.Year()+5),
			StartDate: s, EndDate: s.AddDate(5, 0, -1),
		})
	}
	for _, o := range g.orgs {
		if o.kind != "board" {
			lg.orgs = append(lg.orgs, o)
		}
	}
	nExtra := max(2, int(math.Round(largeExtraOrg*math.Min(1, factor*20))))
	for i := range nExtra {
		name := extraOrgNames[i%len(extraOrgNames)]
		if i >= len(extraOrgNames) {
			name += fmt.Sprintf(" (bis %d)", g.termOld.StartDate.Year())
		}
		o := g.newOrg(g.city, name, fmt.Sprintf("X%d", i+1), ratsnetz.OrgTypeGremium, ratsnetz.ClassAusschuss, 11, g.council.o.ID)
		o.StartDate = start.AddDate(-15, 0, 0)
		if i >= len(extraOrgNames) {
			o.EndDate = start.AddDate(0, 0, -1)
		}
		x := &org{o: o, key: fmt.Sprintf("x%d", i), gen: "des Gremiums „" + name + "“", body: g.city, loc: g.roomB, public: true, kind: "committee", hour: 17, lead: g.depts["10"]}
		o.LocationID = g.roomB.ID
		lg.orgs = append(lg.orgs, x)
	}
	for _, o := range g.orgs {
		if o.kind == "board" {
			lg.orgs = append(lg.orgs, o)
		}
	}
	persons := max(10, int(math.Round(largePersons*factor))) - len(g.persons)
	for i := range persons {
		p := g.newPerson(i%2 == 0, "ehemaliges Mitglied")
		lg.personIDs = append(lg.personIDs, p.p.ID)
		f := g.factions[i%len(g.factions)]
		for k := range 2 {
			o := lg.orgs[(i*7+k*3)%len(lg.orgs)]
			s := start.AddDate(-5*(1+(i+k)%3), 0, 0)
			g.member(p, o.o, ratsnetz.RoleMember, true, f, s, s.AddDate(5, 0, -1))
		}
		if err := lg.flush(false); err != nil {
			return err
		}
	}
	// Persons of the small city take part too.
	for _, p := range g.persons[:min(len(g.persons), 60)] {
		lg.personIDs = append(lg.personIDs, p.p.ID)
	}
	return nil
}

func (lg *largeGen) file(body *ratsnetz.Body, name, text string, d time.Time, public bool) *ratsnetz.File {
	g := lg.gen
	info := lg.pubBlob
	if !public {
		name, text, info = secret(name), secret(text), lg.secBlob
	}
	id := g.id(kFile)
	f := &ratsnetz.File{
		Meta: meta(id, d, d), BodyID: body.ID, Name: name, FileName: fileNameOf(name) + ".pdf", MimeType: "application/pdf",
		Date: d, Size: info.Size, SHA256: info.SHA256, SHA512: info.SHA512, BlobKey: info.Key, Text: text, Public: public,
	}
	if public {
		f.License = licenseURL
	}
	g.ds.Files = append(g.ds.Files, f)
	return f
}

// meeting generates one past meeting with its agenda, papers, consultations
// and files.
func (lg *largeGen) meeting(i int, day time.Time) {
	g := lg.gen
	o := lg.orgs[i%len(lg.orgs)]
	start := g.local(day, o.hour, 0)
	m := &ratsnetz.Meeting{
		Meta:   meta(g.id(kMeeting), start.AddDate(0, 0, -28), start.AddDate(0, 0, 15)),
		BodyID: o.body.ID, Name: fmt.Sprintf("Sitzung %s am %s", o.gen, g.de(start)), MeetingState: ratsnetz.MeetingStateHeld,
		Start: start, End: start.Add(150 * time.Minute), LocationID: o.loc.ID, Mode: ratsnetz.ModeInPerson,
		OrganizationIDs: []int64{o.o.ID}, Public: o.public,
	}
	if !o.public {
		m.Name = secret(m.Name)
	}
	for k := range 8 {
		m.ParticipantIDs = append(m.ParticipantIDs, lg.personIDs[(i*11+k*37)%len(lg.personIDs)])
	}
	g.ds.Meetings = append(g.ds.Meetings, m)
	order := 0
	item := func(number, name string, public bool) *ratsnetz.AgendaItem {
		if !public {
			name = secret(name)
		}
		it := &ratsnetz.AgendaItem{Meta: meta(g.id(kItem), m.Created, m.Modified), MeetingID: m.ID, Order: order, Number: number, Name: name, Public: public}
		order++
		g.ds.AgendaItems = append(g.ds.AgendaItems, it)
		return it
	}
	prefix := "Ö"
	if !m.Public {
		prefix = "N"
	}
	item(prefix+" 1", "Eröffnung der Sitzung", m.Public)
	it := item(prefix+" 2", "Genehmigung der Niederschrift der letzten Sitzung", m.Public)
	it.Result = ratsnetz.ResultAdopted
	item(prefix+" 3", "Mitteilungen der Verwaltung", m.Public).Result = ratsnetz.ResultNoted
	for k := range itemsPerMtg - 4 - papersPerMtg {
		it := item(fmt.Sprintf("%s 3.%d", prefix, k+1), g.fill(noticeTopics[(i+k)%len(noticeTopics)], streets[(i+k)%len(streets)], i), m.Public)
		it.Result = ratsnetz.ResultNoted
	}
	item(prefix+" 4", "Anfragen", m.Public)
	types := []string{ratsnetz.PaperTypeResolution, ratsnetz.PaperTypeResolution, ratsnetz.PaperTypeResolution, ratsnetz.PaperTypeMotion,
		ratsnetz.PaperTypeMotion, ratsnetz.PaperTypeQuestion, ratsnetz.PaperTypeNotice, ratsnetz.PaperTypeResolution, ratsnetz.PaperTypeReport, ratsnetz.PaperTypeResolution}
	pd := day.AddDate(0, 0, -14)
	secretN := 0
	for k := range papersPerMtg {
		typ := types[k]
		if !o.public {
			typ = ratsnetz.PaperTypeBoardTemplate
		}
		public := o.public && (i*papersPerMtg+k)%20 != 7
		var title, proposal string
		switch typ {
		case ratsnetz.PaperTypeResolution, ratsnetz.PaperTypeBoardTemplate:
			key := []string{"ba", "ua", "adim", "scha", "soza", "ka", "hfa"}[(i+k)%7]
			ts := resolutionTopics[key]
			t := ts[(i/7+k)%len(ts)]
			subj := ""
			switch t.subj {
			case subjStreet:
				subj = streets[(i+k)%len(streets)]
			case subjSchool:
				subj = schools[(i+k)%len(schools)]
			case subjPlace:
				subj = places[(i+k)%len(places)]
			case subjDistrict:
				subj = districts[(i+k)%len(districts)]
			}
			title, proposal = g.fill(t.title, subj, i), g.fill(t.proposal, subj, i)
		case ratsnetz.PaperTypeMotion:
			ts := motionTopics["ba"]
			t := ts[(i+k)%len(ts)]
			title, proposal = t.title, t.proposal
		case ratsnetz.PaperTypeQuestion:
			title = "Anfrage: " + g.fill(questionTopics[(i+k)%len(questionTopics)], streets[(i*3+k)%len(streets)], i)
			proposal = "Die Verwaltung wird um Auskunft gebeten."
		default:
			title = g.fill(noticeTopics[(i+k)%len(noticeTopics)], places[(i+k)%len(places)], i)
			proposal = "Die Verwaltung berichtet."
		}
		if !public {
			title, proposal = secret(title), secret(proposal)
		}
		prefixRef := ""
		if o.body.ID == g.swm.ID {
			prefixRef = "SWM-AR"
		} else if o.body.ID == g.mwg.ID {
			prefixRef = "MWG-AR"
		}
		p := &ratsnetz.Paper{
			Meta: meta(g.id(kPaper), g.local(pd, 9, 0), m.End), BodyID: o.body.ID, Name: title,
			Reference: g.reference(o.body, pd, prefixRef), Date: pd, PaperType: typ, Public: public,
			Sections: []ratsnetz.TextSection{{Heading: ratsnetz.SectionProposal, Text: proposal}},
		}
		if o.lead != nil {
			p.UnderDirectionOfIDs = []int64{o.lead.ID}
		}
		if typ == ratsnetz.PaperTypeMotion || typ == ratsnetz.PaperTypeQuestion {
			f := g.factions[(i+k)%7]
			p.OriginatorOrganizationIDs = []int64{f.o.ID}
		}
		role, result, status := ratsnetz.ConsultationDecision, ratsnetz.ResultAdopted, ratsnetz.PaperStatusDecided
		switch typ {
		case ratsnetz.PaperTypeQuestion:
			role, result, status = ratsnetz.ConsultationNotice, ratsnetz.ResultAnswered, ratsnetz.PaperStatusAnswered
		case ratsnetz.PaperTypeNotice, ratsnetz.PaperTypeReport:
			role, result, status = ratsnetz.ConsultationNotice, ratsnetz.ResultNoted, ratsnetz.PaperStatusNoted
		case ratsnetz.PaperTypeMotion:
			if (i+k)%3 == 0 {
				result, status = ratsnetz.ResultRejected, ratsnetz.PaperStatusRejected
			}
		}
		p.Status = status
		number := fmt.Sprintf("%s %d", prefix, 5+k)
		if !public && m.Public {
			secretN++
			number = fmt.Sprintf("N %d", secretN)
		}
		it := item(number, title, public)
		c := &ratsnetz.Consultation{
			Meta: meta(g.id(kCons), p.Created, m.End), PaperID: p.ID, MeetingID: m.ID, AgendaItemID: it.ID,
			OrganizationIDs: []int64{o.o.ID}, Authoritative: role == ratsnetz.ConsultationDecision, Role: role,
			Status: ratsnetz.ConsultationDone, Result: result, Date: day, Position: 0,
		}
		it.ConsultationID, it.PaperID, it.Result = c.ID, p.ID, result
		it.ResolutionText = g.textFor(public, "Beschluss: "+stripCanary(proposal))
		if role == ratsnetz.ConsultationDecision {
			y, n := 9+(i+k)%8, (i*k)%6
			if result == ratsnetz.ResultRejected {
				y, n = n, y
			}
			it.Vote = &ratsnetz.VoteResult{Yes: y, No: n, Abstain: (i + k) % 3}
		}
		g.ds.Consultations = append(g.ds.Consultations, c)
		main := lg.file(o.body, p.PaperType+" "+p.Reference, stripCanary(title)+". "+stripCanary(proposal), pd, public)
		att := lg.file(o.body, "Anlage 1 zu "+p.Reference, "Anlage zu "+p.Reference+": "+stripCanary(title), pd, public)
		p.MainFileID, p.AuxiliaryFileIDs = main.ID, []int64{att.ID}
		if k < 3 {
			f := lg.file(o.body, "Anlage 2 zu "+p.Reference, "Weitere Anlage zu "+p.Reference, pd, public)
			p.AuxiliaryFileIDs = append(p.AuxiliaryFileIDs, f.ID)
		}
		g.ds.Papers = append(g.ds.Papers, p)
	}
	inv := lg.file(o.body, "Einladung "+stripCanary(m.Name), "Einladung zur "+stripCanary(m.Name), day.AddDate(0, 0, -8), m.Public)
	mins := lg.file(o.body, "Niederschrift "+stripCanary(m.Name), "Niederschrift über die "+stripCanary(m.Name), day.AddDate(0, 0, 14), m.Public)
	m.InvitationFileID, m.ResultsProtocolFileID = inv.ID, mins.ID
}
