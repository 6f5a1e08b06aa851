package demo

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/pdf"
)

const (
	kBody = iota
	kTerm
	kLoc
	kOrg
	kPerson
	kMembership
	kMeeting
	kItem
	kPaper
	kCons
	kFile
	nKinds
)

const licenseURL = "https://creativecommons.org/licenses/by/4.0/"

type gen struct {
	ctx       context.Context
	blobs     ratsnetz.BlobStore
	opts      Options
	rng       *rand.Rand
	now       time.Time // midnight UTC of Options.Now
	loc       *time.Location
	ds        *ratsnetz.Dataset
	known     Known
	blobCount int
	blobBytes int64
	next      [nKinds]int64

	city, swm, mwg   *ratsnetz.Body
	termOld, termNew *ratsnetz.LegislativeTerm
	switchDate       time.Time

	rathaus, ratssaal, roomA, roomB, swmLoc, mwgLoc *ratsnetz.Location
	bvLocs, addrLocs                                []*ratsnetz.Location

	orgs     []*org
	byKey    map[string]*org
	orgByID  map[int64]*org
	council  *org
	factions []*faction
	depts    map[string]*ratsnetz.Organization // Amt by number
	heads    map[int64]*person                 // head of an administrative unit
	ob       *person
	staff    map[string]*person
	persons  []*person
	names    map[string]bool

	meetings   []*mtg
	refs       map[int64]int
	papers     []*paperState
	hybridFrom time.Time
	jobs       []renderJob
}

// renderJob is a file whose PDF content is still to be rendered and stored.
type renderJob struct {
	f   *ratsnetz.File
	doc pdf.Document
	out []byte
	err error
}

type person struct {
	p       *ratsnetz.Person
	faction *faction
}

type faction struct {
	o        *ratsnetz.Organization
	seats    int
	members  []*person // council members of the current term
	old      []*person // members who left at the end of the old term
	chair    *person
	citizens []*person
	single   bool
}

type seat struct {
	f *faction
	n int
}

type mem struct {
	p *person
	m *ratsnetz.Membership
}

type org struct {
	o       *ratsnetz.Organization
	key     string
	gen     string // genitive with article: "des Bauausschusses"
	body    *ratsnetz.Body
	loc     *ratsnetz.Location
	public  bool
	kind    string // council, committee, bv, board, bk
	week    int    // week of the 6-week cycle
	day     int    // weekday offset from Monday
	hour    int
	every   int // meets every n-th cycle
	phase   int
	seats   []seat
	members []mem
	mtgs    []*mtg
	lead    *ratsnetz.Organization
	advisor *person
}

type mtg struct {
	m       *ratsnetz.Meeting
	org     *org
	cycle   int
	past    bool
	near    bool
	entries []*entry
	items   []*ratsnetz.AgendaItem
	prev    *mtg
}

const (
	secMain = iota
	secNotice
	secQuestion
)

type entry struct {
	ps       *paperState
	cons     *ratsnetz.Consultation
	section  int
	parent   *entry
	subs     []*entry
	urgent   bool
	addendum bool
	item     *ratsnetz.AgendaItem
}

type paperState struct {
	p         *ratsnetz.Paper
	proposal  string
	originF   []*faction
	dept      *ratsnetz.Organization
	cons      []*ratsnetz.Consultation
	attach    []attachment
	secretAtt bool // add a non-public attachment to a public paper
}

type attachment struct {
	name string
	doc  func(title string) []pdf.Block
}

func newGen(ctx context.Context, blobs ratsnetz.BlobStore, opts Options) *gen {
	now := opts.Now
	if now.IsZero() {
		now = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	}
	now = now.UTC()
	now = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		loc = time.FixedZone("CET", 3600)
	}
	return &gen{
		ctx:     ctx,
		blobs:   blobs,
		opts:    opts,
		rng:     rand.New(rand.NewPCG(20260115, 4711)),
		now:     now,
		loc:     loc,
		ds:      &ratsnetz.Dataset{},
		byKey:   map[string]*org{},
		orgByID: map[int64]*org{},
		depts:   map[string]*ratsnetz.Organization{},
		heads:   map[int64]*person{},
		staff:   map[string]*person{},
		names:   map[string]bool{},
		refs:    map[int64]int{},
	}
}

func (g *gen) id(kind int) int64 {
	g.next[kind]++
	return g.next[kind]
}

func (g *gen) intn(n int) int { return g.rng.IntN(n) }

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

func pick[T any](g *gen, s []T) T { return s[g.rng.IntN(len(s))] }

// local returns the instant of a wall-clock time in Musterstadt, in UTC.
func (g *gen) local(day time.Time, hour, minute int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, g.loc).UTC()
}

func date(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func (g *gen) de(t time.Time) string { return t.In(g.loc).Format("02.01.2006") }
func (g *gen) hm(t time.Time) string { return t.In(g.loc).Format("15:04") }
func (g *gen) dayName(t time.Time) string {
	return [...]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}[t.In(g.loc).Weekday()]
}

func secret(s string) string { return s + " (" + Canary + ")" }

func meta(id int64, created, modified time.Time) ratsnetz.Meta {
	if modified.Before(created) {
		modified = created
	}
	return ratsnetz.Meta{ID: id, Created: created, Modified: modified}
}

// small generates the complete small city into g.ds.
func (g *gen) small() error {
	g.next[kPaper] = 9 // IDs 1–9 are reserved for well-known papers
	g.next[kFile] = 19 // IDs 1–19 are reserved for their files
	g.bodies()
	g.organizations()
	g.people()
	g.schedule()
	if err := g.specialPapers(); err != nil {
		return err
	}
	g.regularPapers()
	g.setModes()
	if err := g.paperFiles(); err != nil {
		return err
	}
	if err := g.agendas(); err != nil {
		return err
	}
	return g.renderFiles()
}

// renderFiles renders the PDFs on all cores, then stores them in order, so
// the result does not depend on scheduling.
func (g *gen) renderFiles() error {
	jobs := make(chan *renderJob)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if err := g.ctx.Err(); err != nil {
					j.err = err
					continue
				}
				var buf bytes.Buffer
				j.err = pdf.Render(j.doc, &buf)
				j.out = buf.Bytes()
			}
		}()
	}
	for i := range g.jobs {
		jobs <- &g.jobs[i]
	}
	close(jobs)
	wg.Wait()
	for i := range g.jobs {
		j := &g.jobs[i]
		if j.err != nil {
			return fmt.Errorf("demo file %q: %w", j.f.Name, j.err)
		}
		info, err := g.blobs.Put(g.ctx, j.f.BlobKey, bytes.NewReader(j.out))
		if err != nil {
			return fmt.Errorf("demo file %q: %w", j.f.Name, err)
		}
		j.f.Size, j.f.SHA256, j.f.SHA512 = info.Size, info.SHA256, info.SHA512
		g.blobCount++
		g.blobBytes += info.Size
		j.out = nil
	}
	g.jobs = nil
	return nil
}

func (g *gen) bodies() {
	created := g.now.AddDate(-6, 0, 0)
	g.switchDate = time.Date(g.now.AddDate(0, -13, 0).Year(), g.now.AddDate(0, -13, 0).Month(), 1, 0, 0, 0, 0, time.UTC)
	newLoc := func(desc, street, room, sub string, lat, lon float64) *ratsnetz.Location {
		l := &ratsnetz.Location{
			Meta: meta(g.id(kLoc), created, created), BodyID: CityBodyID, Description: desc, StreetAddress: street,
			Room: room, PostalCode: "99999", SubLocality: sub, Locality: "Musterstadt", HasGeo: lat != 0, Lat: lat, Lon: lon,
		}
		g.ds.Locations = append(g.ds.Locations, l)
		return l
	}
	g.rathaus = newLoc("Rathaus Musterstadt", "Marktplatz 1", "", "Mitte", 51.1234, 7.4321)
	g.ratssaal = newLoc("Rathaus Musterstadt, Ratssaal", "Marktplatz 1", "Raum 101", "Mitte", 51.1234, 7.4321)
	g.roomA = newLoc("Rathaus Musterstadt, Sitzungssaal A", "Marktplatz 1", "Raum 112", "Mitte", 51.1234, 7.4321)
	g.roomB = newLoc("Rathaus Musterstadt, Sitzungszimmer B", "Marktplatz 1", "Raum 204", "Mitte", 51.1234, 7.4321)
	for i, d := range districts {
		g.bvLocs = append(g.bvLocs, newLoc("Bezirksrathaus "+d, streets[i+5]+" "+fmt.Sprint(10+i), "Sitzungssaal", d,
			51.1234+[]float64{0.03, -0.03, 0, 0}[i], 7.4321+[]float64{0, 0, 0.04, -0.04}[i]))
	}
	g.swmLoc = newLoc("Stadtwerke Musterstadt, Verwaltungsgebäude", "Am Hafen 3", "Konferenzraum 1", "Ost", 51.1301, 7.4502)
	g.mwgLoc = newLoc("Musterstädter Wohnungsbaugesellschaft, Geschäftsstelle", "Rosenweg 20", "Besprechungsraum", "West", 51.1188, 7.4105)
	for i, s := range streets {
		g.addrLocs = append(g.addrLocs, newLoc(s+", Musterstadt", fmt.Sprintf("%s %d", s, 1+i*3%40), "", districts[i%4],
			51.1234+float64(i%5-2)*0.011, 7.4321+float64(i%7-3)*0.009))
	}

	since := created
	g.city = &ratsnetz.Body{
		Meta: meta(g.id(kBody), created, created), Name: "Stadt Musterstadt", ShortName: "Musterstadt",
		Kind: ratsnetz.BodyKindMunicipality, Website: "https://www.musterstadt.example", License: licenseURL,
		LicenseValidSince: since, OparlSince: since, AGS: "09999001", RGS: "099990000001",
		ContactEmail: "ratsbuero@musterstadt.example", ContactName: "Ratsbüro der Stadt Musterstadt",
		Classification: "Kreisfreie Stadt", LocationID: g.rathaus.ID,
	}
	g.swm = &ratsnetz.Body{
		Meta: meta(g.id(kBody), created, created), Name: "Stadtwerke Musterstadt GmbH", ShortName: "Stadtwerke",
		Kind: ratsnetz.BodyKindCompany, OwnerBodyID: g.city.ID, Website: "https://www.stadtwerke-musterstadt.example",
		License: licenseURL, LicenseValidSince: since, OparlSince: since,
		ContactEmail: "gremien@stadtwerke-musterstadt.example", ContactName: "Gremienbüro der Stadtwerke",
		Classification: "GmbH", LocationID: g.swmLoc.ID,
	}
	g.mwg = &ratsnetz.Body{
		Meta: meta(g.id(kBody), created, created), Name: "Musterstädter Wohnungsbaugesellschaft mbH", ShortName: "MWG",
		Kind: ratsnetz.BodyKindCompany, OwnerBodyID: g.city.ID, Website: "https://www.mwg-musterstadt.example",
		License: licenseURL, LicenseValidSince: since, OparlSince: since,
		ContactEmail: "info@mwg-musterstadt.example", ContactName: "Geschäftsführung der MWG",
		Classification: "GmbH", LocationID: g.mwgLoc.ID,
	}
	g.ds.Bodies = append(g.ds.Bodies, g.city, g.swm, g.mwg)

	oldStart := g.switchDate.AddDate(-5, 0, 0)
	g.termOld = &ratsnetz.LegislativeTerm{
		Meta: meta(g.id(kTerm), created, created), BodyID: g.city.ID,
		Name:      fmt.Sprintf("Wahlperiode %d–%d", oldStart.Year(), g.switchDate.Year()),
		StartDate: oldStart, EndDate: g.switchDate.AddDate(0, 0, -1),
	}
	g.termNew = &ratsnetz.LegislativeTerm{
		Meta: meta(g.id(kTerm), created, created), BodyID: g.city.ID,
		Name:      fmt.Sprintf("Wahlperiode %d–%d", g.switchDate.Year(), g.switchDate.Year()+5),
		StartDate: g.switchDate, EndDate: g.switchDate.AddDate(5, 0, -1),
	}
	g.ds.LegislativeTerms = append(g.ds.LegislativeTerms, g.termOld, g.termNew)
}

func (g *gen) newOrg(body *ratsnetz.Body, name, short, typ, class string, seats int, parent int64) *ratsnetz.Organization {
	created := g.termOld.StartDate
	o := &ratsnetz.Organization{
		Meta: meta(g.id(kOrg), created, created), BodyID: body.ID, Name: name, ShortName: short,
		OrganizationType: typ, Classification: class, SubOrganizationOfID: parent, StartDate: g.termOld.StartDate, Seats: seats,
	}
	g.ds.Organizations = append(g.ds.Organizations, o)
	return o
}

func (g *gen) addOrg(o *ratsnetz.Organization, key, genitive, kind string, loc *ratsnetz.Location, week, day, hour, every, phase int) *org {
	x := &org{o: o, key: key, gen: genitive, kind: kind, loc: loc, public: true, week: week, day: day, hour: hour, every: every, phase: phase}
	o.LocationID = loc.ID
	switch o.BodyID {
	case g.city.ID:
		x.body = g.city
	case g.swm.ID:
		x.body = g.swm
	default:
		x.body = g.mwg
	}
	g.orgs = append(g.orgs, x)
	g.byKey[key] = x
	g.orgByID[o.ID] = x
	return x
}

var factionDefs = []struct {
	name, short, color string
	seats              int
	single             bool
}{
	{"Fraktion Bürgerbündnis Musterstadt", "BBM", "#1f4e9c", 14, false},
	{"Fraktion Soziale Mitte", "SM", "#c8102e", 12, false},
	{"Fraktion Grüne Zukunft", "GZ", "#2e8b3a", 10, false},
	{"Fraktion Liberale Stadtliste", "LSL", "#e5b700", 7, false},
	{"Fraktion Heimat und Fortschritt", "HuF", "#6b4f2a", 6, false},
	{"Fraktion Linke Alternative", "LA", "#a0185a", 4, false},
	{"Fraktion Unabhängige Wählergemeinschaft", "UWG", "#ef7d00", 3, false},
	{"Einzelmandat Klimaliste Musterstadt", "KLM", "#7ab51d", 1, true},
	{"Einzelmandat Seniorenliste", "SEN", "#8a8a8a", 1, true},
	{"Einzelmandat Musterstädter Bürgerforum", "MBF", "#3c8dbc", 1, true},
	{"Einzelmandat Partei für Verkehrswende", "PVW", "#00a19a", 1, true},
}

func (g *gen) organizations() {
	city := g.city
	// Fixed order: these IDs are exported constants.
	council := g.newOrg(city, "Rat der Stadt Musterstadt", "Rat", ratsnetz.OrgTypeGremium, ratsnetz.ClassParlament, 60, 0)
	council.InvitationDays = 7
	council.Post = []string{"Oberbürgermeisterin", "Bürgermeister/in", "Ratsmitglied"}
	hfa := g.newOrg(city, "Haupt- und Finanzausschuss", "HFA", ratsnetz.OrgTypeGremium, ratsnetz.ClassAusschuss, 19, council.ID)
	adim := g.newOrg(city, "Ausschuss für Digitales, Infrastruktur und Mobilität", "ADIM", ratsnetz.OrgTypeGremium, ratsnetz.ClassAusschuss, 15, council.ID)
	arSWM := g.newOrg(g.swm, "Aufsichtsrat der Stadtwerke Musterstadt GmbH", "AR SWM", ratsnetz.OrgTypeGremium, ratsnetz.ClassAufsichtsrat, 12, 0)
	arSWM.Confidential = true

	g.council = g.addOrg(council, "rat", "des Rates der Stadt Musterstadt", "council", g.ratssaal, 4, 3, 16, 1, 0)
	g.addOrg(hfa, "hfa", "des Haupt- und Finanzausschusses", "committee", g.roomA, 3, 1, 17, 1, 0)
	g.addOrg(adim, "adim", "des Ausschusses für Digitales, Infrastruktur und Mobilität", "committee", g.roomA, 1, 2, 17, 1, 0)
	sb := g.addOrg(arSWM, "arswm", "des Aufsichtsrats der Stadtwerke Musterstadt GmbH", "board", g.swmLoc, 3, 0, 14, 2, 0)
	sb.public = false

	committees := []struct {
		key, name, short, gen   string
		seats, week, day, every int
		loc                     *ratsnetz.Location
	}{
		{"ba", "Bauausschuss", "BA", "des Bauausschusses", 15, 1, 0, 1, g.roomA},
		{"ua", "Ausschuss für Umwelt und Klimaschutz", "AUK", "des Ausschusses für Umwelt und Klimaschutz", 15, 1, 1, 1, g.roomB},
		{"scha", "Schulausschuss", "SchA", "des Schulausschusses", 15, 1, 3, 1, g.roomB},
		{"soza", "Sozialausschuss", "SozA", "des Sozialausschusses", 15, 2, 0, 1, g.roomB},
		{"ka", "Kulturausschuss", "KA", "des Kulturausschusses", 13, 2, 1, 1, g.roomB},
		{"rpa", "Rechnungsprüfungsausschuss", "RPA", "des Rechnungsprüfungsausschusses", 11, 2, 2, 2, g.roomB},
	}
	for _, c := range committees {
		o := g.newOrg(city, c.name, c.short, ratsnetz.OrgTypeGremium, ratsnetz.ClassAusschuss, c.seats, council.ID)
		g.addOrg(o, c.key, c.gen, "committee", c.loc, c.week, c.day, 17, c.every, 0)
	}
	for i, d := range districts {
		o := g.newOrg(city, "Bezirksvertretung "+d, "BV "+d, ratsnetz.OrgTypeGremium, ratsnetz.ClassBezirksvertretung, 6, 0)
		g.addOrg(o, "bv"+strings.ToLower(d), "der Bezirksvertretung "+d, "bv", g.bvLocs[i], 0, i, 18, 1, 0)
	}
	bk := g.newOrg(city, "Betriebskommission Abwasser", "BK Abwasser", ratsnetz.OrgTypeGremium, ratsnetz.ClassBetriebskommission, 9, council.ID)
	g.addOrg(bk, "bk", "der Betriebskommission Abwasser", "bk", g.roomB, 2, 3, 16, 3, 1)

	gv := g.newOrg(g.swm, "Gesellschafterversammlung der Stadtwerke Musterstadt GmbH", "GV SWM", ratsnetz.OrgTypeGremium, ratsnetz.ClassGesellschafterversammlung, 2, 0)
	gv.Confidential = true
	x := g.addOrg(gv, "gvswm", "der Gesellschafterversammlung der Stadtwerke Musterstadt GmbH", "board", g.swmLoc, 3, 4, 10, 4, 1)
	x.public = false
	arMWG := g.newOrg(g.mwg, "Aufsichtsrat der Musterstädter Wohnungsbaugesellschaft mbH", "AR MWG", ratsnetz.OrgTypeGremium, ratsnetz.ClassAufsichtsrat, 9, 0)
	arMWG.Confidential = true
	x = g.addOrg(arMWG, "armwg", "des Aufsichtsrats der Musterstädter Wohnungsbaugesellschaft mbH", "board", g.mwgLoc, 3, 2, 15, 3, 2)
	x.public = false

	for _, fd := range factionDefs {
		class := ratsnetz.ClassFraktion
		if fd.single {
			class = ratsnetz.ClassEinzelmandat
		}
		o := g.newOrg(city, fd.name, fd.short, ratsnetz.OrgTypeFraktion, class, fd.seats, 0)
		o.Color = fd.color
		g.factions = append(g.factions, &faction{o: o, seats: fd.seats, single: fd.single})
	}

	// Administration: Dezernate and Ämter.
	dez := []string{
		"Dezernat I – Oberbürgermeisterin",
		"Dezernat II – Finanzen, Ordnung und Digitales",
		"Dezernat III – Planen, Bauen, Umwelt und Mobilität",
		"Dezernat IV – Bildung, Soziales und Kultur",
	}
	var dezOrgs []*ratsnetz.Organization
	for i, d := range dez {
		o := g.newOrg(city, d, fmt.Sprintf("Dez. %s", []string{"I", "II", "III", "IV"}[i]), ratsnetz.OrgTypeVerwaltungsbereich, ratsnetz.ClassDezernat, 0, 0)
		o.LocationID = g.rathaus.ID
		dezOrgs = append(dezOrgs, o)
	}
	aemter := []struct {
		nr, name string
		dez      int
	}{
		{"10", "Hauptamt", 0}, {"14", "Rechnungsprüfungsamt", 0}, {"12", "Amt für Digitalisierung und IT", 1},
		{"20", "Kämmerei", 1}, {"32", "Ordnungsamt", 1}, {"61", "Stadtplanungsamt", 2}, {"65", "Gebäudewirtschaft", 2},
		{"66", "Tiefbauamt", 2}, {"36", "Amt für Umwelt und Klimaschutz", 2}, {"67", "Amt für Mobilität", 2},
		{"40", "Schulamt", 3}, {"50", "Sozialamt", 3}, {"41", "Kulturamt", 3},
	}
	for _, a := range aemter {
		o := g.newOrg(city, a.nr+" – "+a.name, "Amt "+a.nr, ratsnetz.OrgTypeVerwaltungsbereich, ratsnetz.ClassAmt, 0, dezOrgs[a.dez].ID)
		o.LocationID = g.rathaus.ID
		g.depts[a.nr] = o
		g.depts["dez"+fmt.Sprint(a.dez)] = dezOrgs[a.dez]
	}
	for key, nr := range map[string]string{"rat": "10", "hfa": "20", "adim": "12", "ba": "61", "ua": "36", "scha": "40", "soza": "50", "ka": "41", "rpa": "14", "bk": "66"} {
		g.byKey[key].lead = g.depts[nr]
	}
	for _, d := range districts {
		g.byKey["bv"+strings.ToLower(d)].lead = g.depts["66"]
	}
}

// newPerson creates a person with a name not used before.
func (g *gen) newPerson(female bool, status string) *person {
	var given, family string
	for {
		if female {
			given = pick(g, givenFemale)
		} else {
			given = pick(g, givenMale)
		}
		family = pick(g, familyNames)
		if !g.names[given+" "+family] {
			break
		}
	}
	g.names[given+" "+family] = true
	p := &ratsnetz.Person{
		Meta: meta(g.id(kPerson), g.termOld.StartDate, g.termOld.StartDate), BodyID: g.city.ID,
		GivenName: given, FamilyName: family, Status: []string{status},
	}
	p.Name = given + " " + family
	if female {
		p.FormOfAddress, p.Gender = "Frau", "female"
	} else {
		p.FormOfAddress, p.Gender = "Herr", "male"
	}
	if g.chance(0.08) {
		p.Title = []string{"Dr."}
		p.Name = "Dr. " + p.Name
	}
	mail := strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "Ä", "Ae", "Ö", "Oe", "Ü", "Ue", " ", "-").Replace(strings.ToLower(given + "." + family))
	p.Email = []string{mail + "@musterstadt.example"}
	x := &person{p: p}
	g.persons = append(g.persons, x)
	g.ds.Persons = append(g.ds.Persons, p)
	return x
}

func (g *gen) member(p *person, o *ratsnetz.Organization, role string, voting bool, onBehalf *faction, start, end time.Time) *ratsnetz.Membership {
	m := &ratsnetz.Membership{
		Meta: meta(g.id(kMembership), start, start), PersonID: p.p.ID, OrganizationID: o.ID,
		Role: role, VotingRight: voting, StartDate: start, EndDate: end,
	}
	if !end.IsZero() {
		m.Modified = end
	}
	if onBehalf != nil {
		m.OnBehalfOfID = onBehalf.o.ID
	}
	// The person embeds its memberships: it is modified with them.
	if m.Modified.After(p.p.Modified) {
		p.p.Modified = m.Modified
	}
	g.ds.Memberships = append(g.ds.Memberships, m)
	if x := g.orgByID[o.ID]; x != nil {
		x.members = append(x.members, mem{p: p, m: m})
	}
	return m
}

// distribute shares seats among the factions (without single members) by
// largest remainder (Hare/Niemeyer).
func (g *gen) distribute(seats int) []seat {
	var fs []*faction
	total := 0
	for _, f := range g.factions {
		if !f.single {
			fs = append(fs, f)
			total += f.seats
		}
	}
	out := make([]seat, len(fs))
	type rem struct {
		i int
		r float64
	}
	var rems []rem
	used := 0
	for i, f := range fs {
		q := float64(seats*f.seats) / float64(total)
		out[i] = seat{f: f, n: int(q)}
		used += int(q)
		rems = append(rems, rem{i, q - float64(int(q))})
	}
	slices.SortStableFunc(rems, func(a, b rem) int {
		if a.r > b.r {
			return -1
		} else if a.r < b.r {
			return 1
		}
		return 0
	})
	for k := 0; used < seats; k++ {
		out[rems[k%len(rems)].i].n++
		used++
	}
	return out
}

func (g *gen) people() {
	oldStart, sw := g.termOld.StartDate, g.switchDate
	oldEnd := sw.AddDate(0, 0, -1)
	council := g.council

	// Administration.
	g.ob = g.newPerson(true, "Oberbürgermeisterin")
	g.ob.p.Title = []string{"Dr."}
	g.ob.p.Name = "Dr. " + g.ob.p.GivenName + " " + g.ob.p.FamilyName
	g.member(g.ob, council.o, ratsnetz.RoleChair, true, nil, oldStart, time.Time{})
	g.member(g.ob, g.depts["dez0"], "Leitung", false, nil, oldStart, time.Time{})
	g.heads[g.depts["dez0"].ID] = g.ob
	for _, def := range []struct {
		key, status string
		female      bool
	}{
		{"dez1", "Stadtkämmerin und Beigeordnete", true},
		{"dez2", "Technischer Beigeordneter", false},
		{"dez3", "Beigeordnete für Bildung, Soziales und Kultur", true},
	} {
		p := g.newPerson(def.female, def.status)
		g.member(p, g.depts[def.key], "Leitung", false, nil, oldStart, time.Time{})
		g.heads[g.depts[def.key].ID] = p
		g.staff[def.key] = p
	}
	for _, nr := range []string{"10", "14", "12", "20", "32", "61", "65", "66", "36", "67", "40", "50", "41"} {
		p := g.newPerson(g.chance(0.5), "Amtsleitung "+strings.SplitN(g.depts[nr].Name, " – ", 2)[1])
		g.member(p, g.depts[nr], "Leitung", false, nil, oldStart, time.Time{})
		g.heads[g.depts[nr].ID] = p
	}
	for i := range 2 {
		p := g.newPerson(i == 0, "Schriftführung Ratsbüro")
		g.member(p, g.depts["10"], "Mitarbeiter/in", false, nil, oldStart, time.Time{})
		g.staff[fmt.Sprint("minutes", i)] = p
	}
	g.staff["gfswm"] = g.newPerson(false, "Geschäftsführer Stadtwerke Musterstadt GmbH")
	g.staff["gfmwg"] = g.newPerson(true, "Geschäftsführerin Musterstädter Wohnungsbaugesellschaft mbH")

	// Council: continuing, departed (old term only) and new members.
	viceLeft := 3
	for _, f := range g.factions {
		nOld := 0
		if f.seats >= 6 {
			nOld = 1 + f.seats/10 // members who left at the end of the old term
		}
		for i := range f.seats + nOld {
			p := g.newPerson(g.chance(0.45), "Ratsmitglied")
			p.faction = f
			p.p.Life = fmt.Sprintf("Jahrgang %d, %s", 1950+g.intn(50), pick(g, occupations))
			p.p.LifeSource = "Selbstauskunft"
			switch {
			case i < nOld: // left
				p.p.Status = []string{"ehemaliges Ratsmitglied"}
				f.old = append(f.old, p)
				g.member(p, council.o, ratsnetz.RoleMember, true, f, oldStart, oldEnd)
				g.member(p, f.o, ratsnetz.RoleMember, true, nil, oldStart, oldEnd)
			case i >= f.seats: // joined in the new term
				f.members = append(f.members, p)
				g.member(p, council.o, ratsnetz.RoleMember, true, f, sw, time.Time{})
				g.member(p, f.o, ratsnetz.RoleMember, true, nil, sw, time.Time{})
			default:
				f.members = append(f.members, p)
				role := ratsnetz.RoleMember
				if viceLeft > 0 && len(f.members) == 2 && !f.single {
					role = ratsnetz.RoleViceChair
					p.p.Status = []string{"Bürgermeister/in", "Ratsmitglied"}
					viceLeft--
				}
				g.member(p, council.o, ratsnetz.RoleMember, true, f, oldStart, oldEnd)
				g.member(p, council.o, role, true, f, sw, time.Time{})
				frole := ratsnetz.RoleMember
				if len(f.members) == 1 {
					frole = ratsnetz.RoleFactionChair
					f.chair = p
				}
				g.member(p, f.o, frole, true, nil, oldStart, time.Time{})
			}
		}
		if f.chair == nil && len(f.members) > 0 {
			f.chair = f.members[0]
		}
		if !f.single && f.seats >= 4 {
			for range f.seats / 4 {
				c := g.newPerson(g.chance(0.5), "Sachkundige/r Bürger/in")
				c.faction = f
				f.citizens = append(f.citizens, c)
			}
		}
	}
	g.known.CouncilMemberPersonID = g.factions[0].chair.p.ID
	var seats []seat
	for _, f := range g.factions {
		seats = append(seats, seat{f: f, n: f.seats})
	}
	council.seats = seats

	// Committees.
	rot := map[*faction]int{}
	cit := map[*faction]int{}
	for _, key := range []string{"hfa", "adim", "ba", "ua", "scha", "soza", "ka", "rpa", "bk"} {
		c := g.byKey[key]
		c.seats = g.distribute(c.o.Seats)
		first := true
		for si, s := range c.seats {
			f := s.f
			for k := range s.n {
				var p *person
				role := ratsnetz.RoleMember
				if k == s.n-1 && s.n >= 3 && len(f.citizens) > 0 && key != "hfa" && key != "rpa" {
					p = f.citizens[cit[f]%len(f.citizens)]
					cit[f]++
					role = ratsnetz.RoleCitizen
				} else {
					p = f.members[rot[f]%len(f.members)]
					rot[f]++
				}
				if first {
					role, first = ratsnetz.RoleChair, false
				} else if si == 1 && k == 0 {
					role = ratsnetz.RoleViceChair
				}
				start := oldStart
				if slices.Contains(f.members[max(0, len(f.members)-2):], p) && role != ratsnetz.RoleCitizen {
					start = sw
				}
				g.member(p, c.o, role, true, f, start, time.Time{})
			}
			// One deputy per faction.
			d := f.members[rot[f]%len(f.members)]
			rot[f]++
			g.member(d, c.o, ratsnetz.RoleDeputy, false, f, oldStart, time.Time{})
		}
		// A member who left at the end of the old term.
		for _, f := range g.factions {
			if len(f.old) > 0 && (len(key)+int(f.o.ID))%3 == 0 {
				g.member(f.old[0], c.o, ratsnetz.RoleMember, true, f, oldStart, oldEnd)
			}
		}
		c.advisor = g.heads[g.depts["dez"+fmt.Sprint(map[string]int{"hfa": 1, "adim": 1, "ba": 2, "ua": 2, "scha": 3, "soza": 3, "ka": 3, "rpa": 0, "bk": 2}[key])].ID]
		g.member(c.advisor, c.o, ratsnetz.RoleAdvisory, false, nil, oldStart, time.Time{})
	}

	// District councils: members of their own.
	for _, d := range districts {
		b := g.byKey["bv"+strings.ToLower(d)]
		b.seats = g.distribute(b.o.Seats)
		first := true
		for _, s := range b.seats {
			for range s.n {
				p := g.newPerson(g.chance(0.5), "Bezirksvertreter/in")
				p.faction = s.f
				role := ratsnetz.RoleMember
				if first {
					role, first = ratsnetz.RoleChair, false
					p.p.Status = []string{"Bezirksbürgermeister/in"}
				}
				g.member(p, b.o, role, true, s.f, oldStart, time.Time{})
			}
		}
		b.advisor = g.heads[g.depts["66"].ID]
	}

	// Company boards.
	sb := g.byKey["arswm"]
	g.member(g.ob, sb.o, ratsnetz.RoleChair, true, nil, oldStart, time.Time{})
	g.member(g.staff["dez1"], sb.o, ratsnetz.RoleMember, true, nil, oldStart, time.Time{})
	for i := range 7 {
		f := g.factions[i%5]
		g.member(f.members[len(f.members)-1-i/5], sb.o, ratsnetz.RoleMember, true, f, sw, time.Time{})
	}
	for range 3 {
		p := g.newPerson(g.chance(0.4), "Arbeitnehmervertreter/in")
		g.member(p, sb.o, ratsnetz.RoleMember, true, nil, oldStart, time.Time{})
	}
	sb.advisor = g.staff["gfswm"]
	g.member(sb.advisor, sb.o, ratsnetz.RoleAdvisory, false, nil, oldStart, time.Time{})
	gv := g.byKey["gvswm"]
	g.member(g.ob, gv.o, ratsnetz.RoleChair, true, nil, oldStart, time.Time{})
	g.member(g.staff["dez1"], gv.o, ratsnetz.RoleMember, true, nil, oldStart, time.Time{})
	gv.advisor = g.staff["gfswm"]
	mb := g.byKey["armwg"]
	g.member(g.staff["dez3"], mb.o, ratsnetz.RoleChair, true, nil, oldStart, time.Time{})
	for i := range 6 {
		f := g.factions[i%4]
		g.member(f.members[len(f.members)-3-i/4], mb.o, ratsnetz.RoleMember, true, f, sw, time.Time{})
	}
	for range 2 {
		p := g.newPerson(g.chance(0.5), "Arbeitnehmervertreter/in")
		g.member(p, mb.o, ratsnetz.RoleMember, true, nil, oldStart, time.Time{})
	}
	mb.advisor = g.staff["gfmwg"]
	g.member(mb.advisor, mb.o, ratsnetz.RoleAdvisory, false, nil, oldStart, time.Time{})
	g.council.advisor = g.staff["dez1"]
}

// schedule creates the meetings: a six-week cycle of district councils,
// committees, the finance committee and the council, plus company boards.
func (g *gen) schedule() {
	from := g.now.AddDate(0, -14, 0)
	for from.Weekday() != time.Monday {
		from = from.AddDate(0, 0, 1)
	}
	until := g.now.AddDate(0, 3, 0)
	cancelled := 0
	numbers := map[*org]int{}
	for cycle := 0; ; cycle++ {
		base := from.AddDate(0, 0, 42*cycle)
		if base.After(until) {
			break
		}
		for _, o := range g.orgs {
			if (cycle+o.phase)%o.every != 0 {
				continue
			}
			day := base.AddDate(0, 0, 7*o.week+o.day)
			if day.After(until) {
				continue
			}
			// Summer and Christmas breaks.
			if md := int(day.Month())*100 + day.Day(); md >= 715 && md <= 815 || md >= 1220 || md <= 106 {
				continue
			}
			start := g.local(day, o.hour, 0)
			term := g.termNew
			if start.Before(g.switchDate) {
				term = g.termOld
			}
			if len(o.mtgs) == 0 || (len(o.mtgs) > 0 && o.mtgs[len(o.mtgs)-1].m.Start.Before(g.switchDate) && !start.Before(g.switchDate)) {
				numbers[o] = 0
				if term == g.termOld {
					numbers[o] = 30 + int(o.o.ID)%9
				}
			}
			numbers[o]++
			name := fmt.Sprintf("%d. Sitzung %s", numbers[o], o.gen)
			m := &ratsnetz.Meeting{
				Meta:            meta(g.id(kMeeting), date(start).AddDate(0, 0, -28), date(start).AddDate(0, 0, -28)),
				BodyID:          o.body.ID,
				Name:            name,
				Start:           start,
				End:             start.Add(time.Duration(120+g.intn(90)) * time.Minute),
				LocationID:      o.loc.ID,
				Mode:            ratsnetz.ModeInPerson,
				OrganizationIDs: []int64{o.o.ID},
				Public:          o.public,
			}
			if !o.public {
				m.Name = secret(name)
			}
			x := &mtg{m: m, org: o, cycle: cycle}
			switch {
			case start.Before(g.now):
				x.past = true
				m.MeetingState = ratsnetz.MeetingStateHeld
				m.Modified = m.End.Add(72 * time.Hour)
				if m.Modified.After(g.now) {
					m.Modified = g.now
				}
			case start.Before(g.now.AddDate(0, 0, 15)):
				x.near = true
				m.MeetingState = ratsnetz.MeetingStateInvited
				m.Modified = date(start).AddDate(0, 0, -14)
			default:
				m.MeetingState = ratsnetz.MeetingStateScheduled
			}
			if m.Modified.After(g.now) {
				m.Modified = g.now
			}
			if m.Created.After(g.now) {
				m.Created, m.Modified = g.now, g.now
			}
			if o.kind == "committee" && o.key != "hfa" && o.key != "adim" && cancelled < 3 && g.chance(0.03) {
				m.Cancelled = true
				m.Name += " (abgesagt)"
				cancelled++
			}
			if o.kind == "bv" && g.chance(0.1) {
				m.Mode = ratsnetz.ModeOnline
				m.LocationID = 0
			}
			if n := len(o.mtgs); n > 0 {
				x.prev = o.mtgs[n-1]
			}
			o.mtgs = append(o.mtgs, x)
			g.meetings = append(g.meetings, x)
		}
	}
	slices.SortStableFunc(g.meetings, func(a, b *mtg) int { return a.m.Start.Compare(b.m.Start) })
	for _, x := range g.meetings {
		if !x.m.Cancelled {
			g.ds.Meetings = append(g.ds.Meetings, x.m)
		}
	}
	// Cancelled meetings are kept too (OParl: cancelled=true).
	for _, x := range g.meetings {
		if x.m.Cancelled {
			g.ds.Meetings = append(g.ds.Meetings, x.m)
		}
	}
	for _, x := range g.meetings {
		if x.org.key == "rat" && !x.past && g.known.NextCouncilMeetingID == 0 {
			g.known.NextCouncilMeetingID = x.m.ID
		}
		if x.org.key == "arswm" && x.past {
			g.known.NonPublicMeetingID = x.m.ID
		}
	}
}

// meetingFor returns the first meeting of o in cycle >= cycle starting after
// after, or nil when the schedule ends.
func (g *gen) meetingFor(o *org, cycle int, after time.Time) *mtg {
	for _, x := range o.mtgs {
		if x.m.Cancelled || x.cycle < cycle || !x.m.Start.After(after) {
			continue
		}
		return x
	}
	return nil
}

func (g *gen) reference(body *ratsnetz.Body, d time.Time, prefix string) string {
	k := body.ID*10000 + int64(d.Year())
	g.refs[k]++
	if prefix != "" {
		return fmt.Sprintf("%s %d/%03d", prefix, d.Year(), g.refs[k])
	}
	return fmt.Sprintf("%d/%04d", d.Year(), g.refs[k])
}

func (g *gen) fill(s, subject string, seq int) string {
	y := g.now.Year()
	return strings.NewReplacer(
		"{X}", subject, "{Y}", fmt.Sprint(y), "{Y1}", fmt.Sprint(y+1), "{Y5}", fmt.Sprint(y+5),
		"{Yp}", fmt.Sprint(y-1), "{S}", fmt.Sprint(seq), "{B}", euro(50000+g.intn(400)*2500),
	).Replace(s)
}

func euro(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (g *gen) subject(k subjectKind) string {
	switch k {
	case subjStreet:
		return pick(g, streets)
	case subjSchool:
		return pick(g, schools)
	case subjPlace:
		return pick(g, places)
	case subjDistrict:
		return pick(g, districts)
	}
	return ""
}

type step struct {
	o    *org
	role string
}

type flow struct {
	script []string // forced results, in order; "" = random
	// startAfter: the first meeting must start after this time
	startAfter time.Time
	noVote     bool
}

// newPaper creates a paper dated before its first meeting, or returns nil if
// that date lies after Now (the paper is not written yet).
func (g *gen) newPaper(id int64, body *ratsnetz.Body, typ, name string, public bool, first time.Time, minDays, maxDays int) *paperState {
	d := date(first.In(g.loc)).AddDate(0, 0, -(minDays + g.intn(maxDays-minDays+1)))
	if d.After(g.now) {
		return nil
	}
	if id == 0 {
		id = g.id(kPaper)
	}
	prefix := ""
	if body.ID == g.swm.ID {
		prefix = "SWM-AR"
	} else if body.ID == g.mwg.ID {
		prefix = "MWG-AR"
	}
	// Written at 9:00 on its day, but never after Now: a paper of today
	// generated before 9:00 would otherwise be modified in the future (and
	// stay "unread" after the member opened it).
	at := g.local(d, 9, 0)
	if at.After(g.now) {
		at = g.now
	}
	p := &ratsnetz.Paper{
		Meta: meta(id, at, at), BodyID: body.ID, Name: name,
		Reference: g.reference(body, d, prefix), Date: d, PaperType: typ, Status: ratsnetz.PaperStatusInProgress, Public: public,
	}
	if !public {
		p.Name = secret(name)
	}
	ps := &paperState{p: p}
	g.papers = append(g.papers, ps)
	g.ds.Papers = append(g.ds.Papers, p)
	return ps
}

func (g *gen) sections(ps *paperState, secs ...ratsnetz.TextSection) {
	for i := range secs {
		if !ps.p.Public {
			secs[i].Text = secret(secs[i].Text)
		}
	}
	ps.p.Sections = secs
	for _, s := range secs {
		if s.Heading == ratsnetz.SectionProposal {
			ps.proposal = s.Text
		}
	}
}

// walk creates the Beratungsfolge of ps through steps, starting in cycle.
// It returns the entries created at meetings with an agenda.
func (g *gen) walk(ps *paperState, steps []step, cycle int, fl flow) []*entry {
	var out []*entry
	after := fl.startAfter
	pos := 0
	stopped := false
	script := fl.script
	for si := 0; si < len(steps) && !stopped; si++ {
		st := steps[si]
		x := g.meetingFor(st.o, cycle, after)
		c := &ratsnetz.Consultation{
			PaperID: ps.p.ID, OrganizationIDs: []int64{st.o.o.ID}, Role: st.role, Position: pos,
			Authoritative: st.role == ratsnetz.ConsultationDecision, Status: ratsnetz.ConsultationPlanned,
		}
		pos++
		if x == nil {
			c.Date = date(after.AddDate(0, 0, 21))
			if after.IsZero() {
				c.Date = date(g.now.AddDate(0, 3, 0))
			}
			c.Meta = meta(g.id(kCons), ps.p.Created, ps.p.Created)
			g.addCons(ps, c)
			after = c.Date
			continue
		}
		c.MeetingID = x.m.ID
		c.Date = date(x.m.Start.In(g.loc))
		c.Meta = meta(g.id(kCons), ps.p.Created, ps.p.Created)
		g.addCons(ps, c)
		after = x.m.Start
		cycle = x.cycle
		if x.past {
			res := ""
			if len(script) > 0 {
				res, script = script[0], script[1:]
			}
			if res == "" {
				res = g.result(ps, st)
			}
			c.Result = res
			c.Status = ratsnetz.ConsultationDone
			c.Modified = x.m.End
			switch res {
			case ratsnetz.ResultPostponed, ratsnetz.ResultFirstReading:
				if res == ratsnetz.ResultPostponed {
					c.Status = ratsnetz.ConsultationPostponed
				}
				si-- // the same step again at a later meeting
			case ratsnetz.ResultWithdrawn:
				c.Status = ratsnetz.ConsultationWithdrawn
				stopped = true
			case ratsnetz.ResultRejected, ratsnetz.ResultReferred, ratsnetz.ResultAnswered, ratsnetz.ResultNoted:
				stopped = true
			}
			if c.Modified.After(ps.p.Modified) {
				ps.p.Modified = c.Modified
				if ps.p.Modified.After(g.now) {
					ps.p.Modified = g.now
				}
			}
		}
		if x.past || x.near {
			e := &entry{ps: ps, cons: c}
			switch ps.p.PaperType {
			case ratsnetz.PaperTypeNotice, ratsnetz.PaperTypeAnswer, ratsnetz.PaperTypeReport:
				e.section = secNotice
			case ratsnetz.PaperTypeQuestion:
				e.section = secQuestion
			}
			x.entries = append(x.entries, e)
			out = append(out, e)
		}
	}
	g.status(ps)
	return out
}

func (g *gen) addCons(ps *paperState, c *ratsnetz.Consultation) {
	ps.cons = append(ps.cons, c)
	g.ds.Consultations = append(g.ds.Consultations, c)
}

// result picks a plausible result of a consultation at a past meeting.
func (g *gen) result(ps *paperState, st step) string {
	typ := ps.p.PaperType
	switch st.role {
	case ratsnetz.ConsultationNotice, ratsnetz.ConsultationHearing:
		if typ == ratsnetz.PaperTypeQuestion {
			return ratsnetz.ResultAnswered
		}
		return ratsnetz.ResultNoted
	case ratsnetz.ConsultationPreliminary:
		switch r := g.rng.Float64(); {
		case r < 0.06:
			return ratsnetz.ResultPostponed
		case r < 0.12 && typ == ratsnetz.PaperTypeMotion:
			return ratsnetz.ResultNotRecommended
		}
		return ratsnetz.ResultRecommended
	}
	r := g.rng.Float64()
	if typ == ratsnetz.PaperTypeMotion || typ == ratsnetz.PaperTypeAmendment {
		switch {
		case r < 0.06:
			return ratsnetz.ResultPostponed
		case r < 0.10 && typ == ratsnetz.PaperTypeMotion:
			return ratsnetz.ResultFirstReading
		case r < 0.50:
			return ratsnetz.ResultAdopted
		case r < 0.58:
			return ratsnetz.ResultAdoptedAmended
		case r < 0.90:
			return ratsnetz.ResultRejected
		case r < 0.95:
			return ratsnetz.ResultReferred
		}
		return ratsnetz.ResultWithdrawn
	}
	switch {
	case r < 0.05:
		return ratsnetz.ResultPostponed
	case r < 0.83:
		return ratsnetz.ResultAdopted
	case r < 0.93:
		return ratsnetz.ResultAdoptedAmended
	case r < 0.97:
		return ratsnetz.ResultRejected
	}
	return ratsnetz.ResultWithdrawn
}

// status derives the paper status from its Beratungsfolge.
func (g *gen) status(ps *paperState) {
	p := ps.p
	p.Status = ratsnetz.PaperStatusInProgress
	if len(ps.cons) == 0 {
		return
	}
	last := ps.cons[len(ps.cons)-1]
	if last.Status == ratsnetz.ConsultationPlanned || last.Status == ratsnetz.ConsultationPostponed {
		return
	}
	switch last.Result {
	case ratsnetz.ResultAdopted, ratsnetz.ResultAdoptedAmended:
		p.Status = ratsnetz.PaperStatusDecided
	case ratsnetz.ResultRejected:
		p.Status = ratsnetz.PaperStatusRejected
	case ratsnetz.ResultWithdrawn:
		p.Status = ratsnetz.PaperStatusWithdrawn
	case ratsnetz.ResultAnswered:
		p.Status = ratsnetz.PaperStatusAnswered
	case ratsnetz.ResultNoted:
		p.Status = ratsnetz.PaperStatusNoted
	case ratsnetz.ResultReferred:
		p.Status = ratsnetz.PaperStatusDone
	case ratsnetz.ResultRecommended, ratsnetz.ResultNotRecommended, ratsnetz.ResultFirstReading:
		p.Status = ratsnetz.PaperStatusInProgress
	}
}

func (g *gen) vorlage(ps *paperState, o *org, t topic, subject string, seq int) {
	ps.dept = o.lead
	ps.p.UnderDirectionOfIDs = []int64{o.lead.ID}
	ps.p.ResponsiblePersonID = g.heads[o.lead.ID].p.ID
	fin := "Keine."
	if t.finance {
		fin = g.fill("Die Gesamtkosten betragen {B} €. Die Mittel stehen im Haushalt {Y} im Teilfinanzplan der "+o.lead.Name+" zur Verfügung.", subject, seq)
	}
	g.sections(ps,
		ratsnetz.TextSection{Heading: ratsnetz.SectionProposal, Text: g.fill(t.proposal, subject, seq)},
		ratsnetz.TextSection{Heading: ratsnetz.SectionReasoning, Text: g.fill(t.reasoning, subject, seq)},
		ratsnetz.TextSection{Heading: ratsnetz.SectionFinance, Text: fin},
	)
	if subject != "" {
		for _, l := range g.addrLocs {
			if strings.HasPrefix(l.Description, subject+",") {
				ps.p.LocationIDs = []int64{l.ID}
			}
		}
	}
	n := g.intn(3)
	if t.finance && n == 0 {
		n = 1
	}
	for i := range n {
		kind := []string{"Lageplan", "Kostenschätzung", "Entwurf", "Stellungnahme des Fachamts"}[(i+seq)%4]
		ps.attach = append(ps.attach, attachment{name: fmt.Sprintf("Anlage %d %s", i+1, kind), doc: g.attachmentDoc(kind, subject)})
	}
	if ps.p.Public && t.finance && g.chance(0.12) {
		ps.secretAtt = true
	}
}

func (g *gen) attachmentDoc(kind, subject string) func(string) []pdf.Block {
	total := 20000 + g.intn(300)*1000
	return func(secretMark string) []pdf.Block {
		switch kind {
		case "Kostenschätzung":
			rows := [][]string{}
			sum := 0
			for i, pos := range []string{"Baustelleneinrichtung", "Erdarbeiten", "Rohbau", "Technische Ausrüstung", "Außenanlagen", "Baunebenkosten"} {
				v := total / 6 * (i + 1) / 3
				sum += v
				rows = append(rows, []string{fmt.Sprint(i + 1), pos, euro(v) + " €"})
			}
			rows = append(rows, []string{"", "Summe (brutto)", euro(sum) + " €"})
			return []pdf.Block{pdf.Heading{Text: "Kostenschätzung nach DIN 276" + secretMark}, pdf.Table{Header: []string{"Pos.", "Kostengruppe", "Betrag"}, Rows: rows, Widths: []float64{1, 5, 2}}}
		case "Lageplan":
			return []pdf.Block{pdf.Heading{Text: "Lageplan" + secretMark}, pdf.Paragraph{Text: "Der Lageplan zeigt den Geltungsbereich " + subject + " im Maßstab 1:1000. Die Grenze ist rot markiert; nördlich schließt die Wohnbebauung an, südlich die Grünfläche." + secretMark}}
		case "Entwurf":
			return []pdf.Block{pdf.Heading{Text: "Entwurf" + secretMark},
				pdf.Paragraph{Text: "§ 1 Geltungsbereich\n\nDiese Regelung gilt für das gesamte Stadtgebiet der Stadt Musterstadt." + secretMark},
				pdf.Paragraph{Text: "§ 2 Inkrafttreten\n\nDiese Regelung tritt am Tag nach ihrer öffentlichen Bekanntmachung in Kraft." + secretMark}}
		}
		return []pdf.Block{pdf.Heading{Text: "Stellungnahme" + secretMark}, pdf.Paragraph{Text: "Das Fachamt hat die Planung geprüft und stimmt ihr mit den genannten Maßgaben zu. Die Belange des Umwelt- und Klimaschutzes sind berücksichtigt." + secretMark}}
	}
}

func (g *gen) antrag(ps *paperState, fs []*faction, lead *ratsnetz.Organization, proposal, reasoning string) {
	ps.originF = fs
	for _, f := range fs {
		ps.p.OriginatorOrganizationIDs = append(ps.p.OriginatorOrganizationIDs, f.o.ID)
		ps.p.OriginatorPersonIDs = append(ps.p.OriginatorPersonIDs, f.chair.p.ID)
	}
	ps.p.UnderDirectionOfIDs = []int64{lead.ID}
	ps.dept = lead
	g.sections(ps,
		ratsnetz.TextSection{Heading: ratsnetz.SectionProposal, Text: proposal},
		ratsnetz.TextSection{Heading: "Begründung", Text: reasoning},
	)
}

func (g *gen) factionPick() *faction {
	// weighted by seats, only real factions
	total := 0
	for _, f := range g.factions {
		if !f.single {
			total += f.seats
		}
	}
	r := g.intn(total)
	for _, f := range g.factions {
		if f.single {
			continue
		}
		if r < f.seats {
			return f
		}
		r -= f.seats
	}
	return g.factions[0]
}

func (g *gen) cycles() int {
	n := 0
	for _, x := range g.meetings {
		n = max(n, x.cycle+1)
	}
	return n
}

// specialPapers creates the well-known papers about digital council work.
func (g *gen) specialPapers() error {
	rat, hfa, adim := g.council, g.byKey["hfa"], g.byKey["adim"]
	var councils []*mtg
	for _, x := range rat.mtgs {
		a, h := g.meetingFor(adim, x.cycle, time.Time{}), g.meetingFor(hfa, x.cycle, time.Time{})
		if x.past && !x.m.Cancelled && a != nil && a.cycle == x.cycle && h != nil && h.cycle == x.cycle {
			councils = append(councils, x)
		}
	}
	if len(councils) < 4 {
		return fmt.Errorf("demo: too few council meetings (%d)", len(councils))
	}
	at := func(back int) *mtg { return councils[max(0, len(councils)-back)] }

	// Hybrid meetings: adopted about a year ago.
	hx := at(9)
	ps := g.newPaper(HybridPaperID, g.city, ratsnetz.PaperTypeMotion, "Hybride Sitzungen der Ratsgremien ermöglichen", true, hx.m.Start, 35, 35)
	g.antrag(ps, []*faction{g.factions[3]}, adim.lead,
		"Die Verwaltung wird beauftragt, die technischen und rechtlichen Voraussetzungen für hybride Sitzungen des Rates, der Ausschüsse und der Bezirksvertretungen zu schaffen. Mitglieder sollen per Videokonferenz teilnehmen und abstimmen können, sobald die Hauptsatzung dies zulässt.",
		"Hybride Sitzungen erleichtern die Vereinbarkeit von Mandat, Beruf und Familie und ermöglichen die Teilnahme bei Krankheit oder Pflegeverantwortung. § 58a GO NRW erlaubt hybride Sitzungen, wenn die Hauptsatzung sie vorsieht.")
	g.walk(ps, []step{{adim, ratsnetz.ConsultationPreliminary}, {rat, ratsnetz.ConsultationDecision}}, hx.cycle,
		flow{script: []string{ratsnetz.ResultRecommended, ratsnetz.ResultAdopted}})
	g.hybridFrom = hx.m.End

	// Unified digital communication system, adopted with an amendment.
	cx := at(6)
	ps = g.newPaper(CommunicationPaperID, g.city, ratsnetz.PaperTypeMotion,
		"Einheitliches digitales Kommunikationssystem für Verwaltung, städtische Gesellschaften und Politik", true, cx.m.Start, 30, 30)
	g.antrag(ps, []*faction{g.factions[0], g.factions[2]}, adim.lead,
		"Die Verwaltung wird beauftragt, gemeinsam mit den Stadtwerken Musterstadt GmbH und der Musterstädter Wohnungsbaugesellschaft mbH ein einheitliches, datenschutzkonformes digitales Kommunikationssystem für Verwaltung, städtische Gesellschaften und Ratsmitglieder einzuführen (Messenger, Videokonferenz, gemeinsame Dokumentenablage). Ein Konzept mit Kosten und Zeitplan ist dem Ausschuss für Digitales, Infrastruktur und Mobilität vorzulegen.",
		"Heute kommunizieren Verwaltung, Gesellschaften und Politik über E-Mail, private Messenger und Papier. Informationen gehen verloren, Datenschutz und Vertraulichkeit sind nicht gesichert. Ein gemeinsames System mit Ende-zu-Ende-Verschlüsselung und Betrieb in einem deutschen Rechenzentrum schafft Abhilfe.")
	es := g.walk(ps, []step{{adim, ratsnetz.ConsultationPreliminary}, {hfa, ratsnetz.ConsultationPreliminary}, {rat, ratsnetz.ConsultationDecision}}, cx.cycle,
		flow{script: []string{ratsnetz.ResultRecommended, ratsnetz.ResultRecommended, ratsnetz.ResultAdoptedAmended}})
	if len(es) > 0 {
		main := es[len(es)-1]
		ax := g.meetingByID(main.cons.MeetingID)
		am := g.newPaper(0, g.city, ratsnetz.PaperTypeAmendment, "Änderungsantrag zu Drucksache "+ps.p.Reference+": Einbindung der Bezirksvertretungen und Open-Source-Vorrang", true, ax.m.Start, 3, 3)
		g.antrag(am, []*faction{g.factions[1]}, adim.lead,
			"Der Beschlussvorschlag wird ergänzt: „Die Bezirksvertretungen werden in das System einbezogen. Bei gleicher Eignung sind Open-Source-Lösungen vorzuziehen.“",
			"Auch die Bezirksvertretungen brauchen sichere Kommunikationswege. Open Source vermeidet Abhängigkeiten von einzelnen Anbietern.")
		g.subordinate(ps, am)
		sub := g.walk(am, []step{{rat, ratsnetz.ConsultationDecision}}, ax.cycle, flow{script: []string{ratsnetz.ResultAdopted}, startAfter: ax.m.Start.Add(-time.Minute)})
		for _, s := range sub {
			g.detach(ax, s)
			s.parent = main
			main.subs = append(main.subs, s)
		}
	}

	// Digital council work for volunteer members (tablets): public, with vote
	// and a non-public attachment; in the same council meeting a non-public
	// land matter.
	tx := at(3)
	ps = g.newPaper(TabletPaperID, g.city, ratsnetz.PaperTypeResolution,
		"Digitale Ratsarbeit für ehrenamtliche Mandatsträgerinnen und Mandatsträger – Ausstattung mit Tablets", true, tx.m.Start, 28, 28)
	ps.dept = g.depts["12"]
	ps.p.UnderDirectionOfIDs = []int64{g.depts["12"].ID}
	ps.p.ResponsiblePersonID = g.heads[g.depts["12"].ID].p.ID
	g.sections(ps,
		ratsnetz.TextSection{Heading: ratsnetz.SectionProposal, Text: "1. Die ehrenamtlichen Mitglieder des Rates, der Ausschüsse und der Bezirksvertretungen sowie die sachkundigen Bürgerinnen und Bürger erhalten auf Wunsch ein dienstliches Tablet mit Zugang zum Ratsinformationssystem.\n\n2. Einladungen und Sitzungsunterlagen werden ab dem übernächsten Quartal ausschließlich digital versandt; auf Antrag wird weiterhin Papier bereitgestellt.\n\n3. Die Verwaltung bietet Schulungen und eine Sprechstunde für die digitale Ratsarbeit an."},
		ratsnetz.TextSection{Heading: ratsnetz.SectionReasoning, Text: "Für jede Ratssitzung werden derzeit rund 18.000 Seiten gedruckt und per Boten verteilt. Die digitale Sitzungsmappe spart Kosten, beschleunigt die Information und ermöglicht Notizen und Suche in allen Unterlagen. Die Geräte werden über ein Mobile-Device-Management verwaltet; vertrauliche Unterlagen bleiben verschlüsselt."},
		ratsnetz.TextSection{Heading: ratsnetz.SectionFinance, Text: "Einmalig 142.500 € für 190 Geräte, jährlich 38.000 € für Lizenzen und Support. Dem stehen Einsparungen bei Druck und Versand von jährlich rund 45.000 € gegenüber."},
	)
	ps.attach = []attachment{{name: "Anlage 1 Nutzungsrichtlinie für dienstliche Tablets", doc: func(string) []pdf.Block {
		return []pdf.Block{pdf.Heading{Text: "Nutzungsrichtlinie"}, pdf.Paragraph{Text: "Die Tablets dienen der Mandatsausübung. Eine private Nutzung ist in geringem Umfang gestattet. Bei Verlust ist das Ratsbüro unverzüglich zu informieren."}}
	}}}
	ps.secretAtt = true
	es = g.walk(ps, []step{{adim, ratsnetz.ConsultationPreliminary}, {hfa, ratsnetz.ConsultationPreliminary}, {rat, ratsnetz.ConsultationDecision}}, tx.cycle,
		flow{script: []string{ratsnetz.ResultRecommended, ratsnetz.ResultRecommended, ratsnetz.ResultAdopted}})
	if len(es) == 0 || es[len(es)-1].cons.MeetingID != tx.m.ID {
		return fmt.Errorf("demo: tablet paper not decided in the chosen council meeting")
	}
	g.known.TabletCouncilMeetingID = tx.m.ID

	ps = g.newPaper(NonPublicPaperID, g.city, ratsnetz.PaperTypeResolution, "Grundstücksangelegenheit Gemarkung Musterstadt, Flur 12, Flurstück 345 – Verkauf", false, tx.m.Start, 21, 21)
	ps.dept = g.depts["20"]
	ps.p.UnderDirectionOfIDs = []int64{g.depts["20"].ID}
	g.sections(ps,
		ratsnetz.TextSection{Heading: ratsnetz.SectionProposal, Text: "Der Rat beschließt den Verkauf des Grundstücks Gemarkung Musterstadt, Flur 12, Flurstück 345, an die in der Anlage genannte Käuferin zum Kaufpreis von 1.240.000 €."},
		ratsnetz.TextSection{Heading: ratsnetz.SectionReasoning, Text: "Das Grundstück wird für städtische Zwecke nicht benötigt. Das Höchstgebot liegt 8 % über dem Verkehrswertgutachten."},
		ratsnetz.TextSection{Heading: ratsnetz.SectionFinance, Text: "Einzahlung von 1.240.000 € im Finanzplan."},
	)
	ps.attach = []attachment{{name: "Anlage 1 Wertgutachten", doc: g.attachmentDoc("Stellungnahme", "")}}
	g.walk(ps, []step{{hfa, ratsnetz.ConsultationPreliminary}, {rat, ratsnetz.ConsultationDecision}}, tx.cycle,
		flow{script: []string{ratsnetz.ResultRecommended, ratsnetz.ResultAdopted}})

	// Faction cloud: first reading, postponed, still open.
	var adims []*mtg
	for _, x := range adim.mtgs {
		if x.past && !x.m.Cancelled {
			adims = append(adims, x)
		}
	}
	fx := adims[max(0, len(adims)-2)]
	ps = g.newPaper(FactionCloudPaperID, g.city, ratsnetz.PaperTypeMotion, "Sichere Fraktionscloud für alle Ratsfraktionen", true, fx.m.Start, 20, 20)
	g.antrag(ps, []*faction{g.factions[2]}, adim.lead,
		"Die Verwaltung wird beauftragt, allen Fraktionen und Einzelmandatsträgern eine sichere, von der Stadt betriebene Cloud-Ablage (Fraktionscloud) mit gemeinsamer Dokumentenbearbeitung bereitzustellen. Der Zugriff der Verwaltung auf Fraktionsdaten ist technisch auszuschließen.",
		"Fraktionen arbeiten heute mit privaten Cloud-Diensten, deren Server teils außerhalb der EU stehen. Eine städtische Lösung schützt vertrauliche Unterlagen und entlastet die ehrenamtlich Tätigen.")
	g.walk(ps, []step{{adim, ratsnetz.ConsultationDecision}}, fx.cycle,
		flow{script: []string{ratsnetz.ResultFirstReading, ratsnetz.ResultPostponed}, startAfter: fx.m.Start.Add(-time.Minute)})
	return nil
}

func (g *gen) meetingByID(id int64) *mtg {
	for _, x := range g.meetings {
		if x.m.ID == id {
			return x
		}
	}
	return nil
}

func (g *gen) detach(x *mtg, e *entry) {
	x.entries = slices.DeleteFunc(x.entries, func(y *entry) bool { return y == e })
}

func (g *gen) subordinate(parent, child *paperState) {
	parent.p.SubordinatedPaperIDs = append(parent.p.SubordinatedPaperIDs, child.p.ID)
	child.p.SuperordinatedPaperIDs = append(child.p.SuperordinatedPaperIDs, parent.p.ID)
}

// regularPapers creates the bulk of papers cycle by cycle.
func (g *gen) regularPapers() {
	rat, hfa := g.council, g.byKey["hfa"]
	committeeKeys := []string{"ba", "ua", "adim", "scha", "soza", "ka", "hfa"}
	seq := 10
	for cycle := range g.cycles() {
		// Administration proposals.
		for _, key := range committeeKeys {
			o := g.byKey[key]
			n := 1
			if g.chance(0.35) {
				n = 2
			}
			for range n {
				seq++
				t := pick(g, resolutionTopics[key])
				subject := g.subject(t.subj)
				var steps []step
				switch {
				case key == "hfa":
					steps = []step{{hfa, ratsnetz.ConsultationPreliminary}, {rat, ratsnetz.ConsultationDecision}}
				case t.finance:
					steps = []step{{o, ratsnetz.ConsultationPreliminary}, {hfa, ratsnetz.ConsultationPreliminary}, {rat, ratsnetz.ConsultationDecision}}
				case g.chance(0.5):
					steps = []step{{o, ratsnetz.ConsultationPreliminary}, {rat, ratsnetz.ConsultationDecision}}
				default:
					steps = []step{{o, ratsnetz.ConsultationDecision}}
				}
				if (key == "ba" || key == "adim") && t.subj == subjStreet && g.chance(0.4) {
					bv := g.byKey["bv"+strings.ToLower(pick(g, districts))]
					steps = append([]step{{bv, ratsnetz.ConsultationHearing}}, steps...)
				}
				first := g.meetingFor(steps[0].o, cycle, time.Time{})
				if first == nil {
					continue
				}
				ps := g.newPaper(0, g.city, ratsnetz.PaperTypeResolution, g.fill(t.title, subject, seq), true, first.m.Start, 10, 30)
				if ps == nil {
					continue
				}
				g.vorlage(ps, o, t, subject, seq)
				es := g.walk(ps, steps, cycle, flow{})
				g.maybeAmend(ps, es)
			}
		}
		// Motions of factions.
		for range 3 {
			key := pick(g, committeeKeys)
			o := g.byKey[key]
			t := pick(g, motionTopics[key])
			subject := g.subject(t.subj)
			steps := []step{{o, ratsnetz.ConsultationDecision}}
			if g.chance(0.4) {
				steps = []step{{o, ratsnetz.ConsultationPreliminary}, {rat, ratsnetz.ConsultationDecision}}
			}
			first := g.meetingFor(o, cycle, time.Time{})
			if first == nil {
				continue
			}
			f := g.factionPick()
			fs := []*faction{f}
			if g.chance(0.15) {
				if f2 := g.factionPick(); f2 != f {
					fs = append(fs, f2)
				}
			}
			late := g.chance(0.12)
			minD, maxD := 7, 25
			if late {
				minD, maxD = 2, 3
			}
			ps := g.newPaper(0, g.city, ratsnetz.PaperTypeMotion, g.fill(t.title, subject, seq), true, first.m.Start, minD, maxD)
			if ps == nil {
				continue
			}
			g.antrag(ps, fs, o.lead, g.fill(t.proposal, subject, seq), g.fill(t.reasoning, subject, seq))
			es := g.walk(ps, steps, cycle, flow{})
			if late && len(es) > 0 {
				es[0].addendum = true
				es[0].urgent = g.chance(0.5)
			}
			g.maybeAmend(ps, es)
		}
		// Questions with answers, notices and reports.
		for range 3 {
			key := pick(g, append(committeeKeys, "bvnord", "bvsued"))
			o := g.byKey[key]
			if o == nil {
				o = g.byKey["ba"]
			}
			x := g.meetingFor(o, cycle, time.Time{})
			if x == nil {
				continue
			}
			qt := pick(g, questionTopics)
			subject := g.subject(subjectFor(qt))
			title := g.fill(qt, subject, seq)
			f := g.factionPick()
			q := g.newPaper(0, g.city, ratsnetz.PaperTypeQuestion, "Anfrage der "+f.o.Name+": "+title, true, x.m.Start, 8, 20)
			if q == nil {
				continue
			}
			lead := o.lead
			q.originF = []*faction{f}
			q.p.OriginatorOrganizationIDs = []int64{f.o.ID}
			q.p.OriginatorPersonIDs = []int64{f.chair.p.ID}
			q.p.UnderDirectionOfIDs = []int64{lead.ID}
			q.dept = lead
			g.sections(q, ratsnetz.TextSection{Heading: ratsnetz.SectionQuestion, Text: "1. Wie ist der aktuelle Stand zum Thema „" + title + "“?\n\n2. Welche Kosten sind bisher entstanden und welche werden erwartet?\n\n3. Wann ist mit einem Abschluss zu rechnen?"})
			g.walk(q, []step{{o, ratsnetz.ConsultationNotice}}, cycle, flow{})
			if x.past {
				a := g.newPaper(0, g.city, ratsnetz.PaperTypeAnswer, "Beantwortung der Anfrage "+q.p.Reference+": "+title, true, x.m.Start, 2, 4)
				a.dept = lead
				a.p.UnderDirectionOfIDs = []int64{lead.ID}
				a.p.ResponsiblePersonID = g.heads[lead.ID].p.ID
				a.p.RelatedPaperIDs = []int64{q.p.ID}
				q.p.RelatedPaperIDs = []int64{a.p.ID}
				g.subordinate(q, a)
				g.sections(a, ratsnetz.TextSection{Heading: ratsnetz.SectionAnswer, Text: "Zu 1.: Die Arbeiten liegen im Zeitplan. Zu 2.: Bisher sind Kosten von " + euro(10000+g.intn(90)*1000) + " € entstanden; die Kostenschätzung wird eingehalten. Zu 3.: Der Abschluss ist für das " + fmt.Sprint(1+g.intn(4)) + ". Quartal des kommenden Jahres vorgesehen."})
				g.walk(a, []step{{o, ratsnetz.ConsultationNotice}}, x.cycle, flow{startAfter: x.m.Start.Add(-time.Minute)})
			}
		}
		for i := range 4 {
			key := pick(g, committeeKeys)
			typ := ratsnetz.PaperTypeNotice
			if i == 3 {
				key, typ = pick(g, []string{"hfa", "rpa"}), ratsnetz.PaperTypeReport
			}
			o := g.byKey[key]
			x := g.meetingFor(o, cycle, time.Time{})
			if x == nil {
				continue
			}
			nt := pick(g, noticeTopics)
			subject := g.subject(subjectFor(nt))
			ps := g.newPaper(0, g.city, typ, g.fill(nt, subject, seq), true, x.m.Start, 7, 20)
			if ps == nil {
				continue
			}
			ps.dept = o.lead
			ps.p.UnderDirectionOfIDs = []int64{o.lead.ID}
			ps.p.ResponsiblePersonID = g.heads[o.lead.ID].p.ID
			g.sections(ps, ratsnetz.TextSection{Heading: ratsnetz.SectionReasoning, Text: g.fill("Die Verwaltung berichtet zum Thema {X}: Die Maßnahmen verlaufen planmäßig. Abweichungen vom Zeit- und Kostenrahmen sind derzeit nicht zu erwarten. Über den weiteren Fortgang wird der Ausschuss unterrichtet.", subject, seq)})
			if typ == ratsnetz.PaperTypeReport {
				ps.attach = append(ps.attach, attachment{name: "Anlage 1 Übersicht", doc: g.attachmentDoc("Kostenschätzung", subject)})
			}
			g.walk(ps, []step{{o, ratsnetz.ConsultationNotice}}, cycle, flow{})
		}
		// A non-public matter.
		{
			seq++
			t := pick(g, secretTopics)
			subject := g.subject(t.subj)
			steps := []step{{hfa, ratsnetz.ConsultationPreliminary}, {rat, ratsnetz.ConsultationDecision}}
			if strings.HasPrefix(t.title, "Vergabe") {
				steps = []step{{g.byKey["ba"], ratsnetz.ConsultationDecision}}
			}
			if x := g.meetingFor(steps[0].o, cycle, time.Time{}); x != nil {
				if ps := g.newPaper(0, g.city, ratsnetz.PaperTypeResolution, g.fill(t.title, subject, seq), false, x.m.Start, 10, 20); ps != nil {
					g.vorlage(ps, hfa, t, subject, seq)
					g.walk(ps, steps, cycle, flow{})
				}
			}
		}
		// District councils, Betriebskommission, company boards.
		for _, o := range g.orgs {
			x := g.meetingFor(o, cycle, time.Time{})
			if x == nil || x.cycle != cycle {
				continue
			}
			switch o.kind {
			case "bv":
				seq++
				t := pick(g, resolutionTopics["bv"])
				subject := g.subject(t.subj)
				if ps := g.newPaper(0, g.city, ratsnetz.PaperTypeResolution, g.fill(t.title, subject, seq), true, x.m.Start, 10, 25); ps != nil {
					g.vorlage(ps, o, t, subject, seq)
					g.walk(ps, []step{{o, ratsnetz.ConsultationDecision}}, cycle, flow{})
				}
				mt := motionTopics["bv"][0]
				f := g.factionPick()
				if ps := g.newPaper(0, g.city, ratsnetz.PaperTypeMotion, g.fill(mt.title, subject, seq), true, x.m.Start, 7, 20); ps != nil {
					g.antrag(ps, []*faction{f}, o.lead, g.fill(mt.proposal, subject, seq), g.fill(mt.reasoning, subject, seq))
					g.walk(ps, []step{{o, ratsnetz.ConsultationDecision}}, cycle, flow{})
				}
			case "bk":
				seq++
				t := pick(g, resolutionTopics["bk"])
				subject := g.subject(t.subj)
				steps := []step{{o, ratsnetz.ConsultationDecision}}
				if strings.HasPrefix(t.title, "Wirtschaftsplan") {
					steps = []step{{o, ratsnetz.ConsultationPreliminary}, {rat, ratsnetz.ConsultationDecision}}
				}
				if ps := g.newPaper(0, g.city, ratsnetz.PaperTypeResolution, g.fill(t.title, subject, seq), true, x.m.Start, 10, 25); ps != nil {
					g.vorlage(ps, o, t, subject, seq)
					g.walk(ps, steps, cycle, flow{})
				}
			case "board":
				n := 2 + g.intn(2)
				if o.key == "gvswm" {
					n = 1
				}
				for range n {
					seq++
					subject := g.subject(subjPlace)
					title := g.fill(pick(g, boardTopics), subject, seq)
					ps := g.newPaper(0, o.body, ratsnetz.PaperTypeBoardTemplate, title, false, x.m.Start, 10, 21)
					if ps == nil {
						continue
					}
					ps.p.ResponsiblePersonID = o.advisor.p.ID
					g.sections(ps,
						ratsnetz.TextSection{Heading: ratsnetz.SectionProposal, Text: "Der " + o.o.Name + " stimmt der Vorlage „" + title + "“ zu."},
						ratsnetz.TextSection{Heading: ratsnetz.SectionReasoning, Text: "Die Geschäftsführung erläutert: Die Maßnahme ist im Wirtschaftsplan berücksichtigt und wirtschaftlich geboten. Die Einzelheiten ergeben sich aus der Anlage."},
					)
					ps.attach = []attachment{{name: "Anlage 1 Wirtschaftliche Bewertung", doc: g.attachmentDoc("Kostenschätzung", subject)}}
					g.walk(ps, []step{{o, ratsnetz.ConsultationDecision}}, cycle, flow{})
				}
			}
		}
	}
}

// maybeAmend adds an amendment or a supplement to a paper treated at a
// council meeting with an agenda.
func (g *gen) maybeAmend(ps *paperState, es []*entry) {
	if len(es) == 0 {
		return
	}
	main := es[len(es)-1]
	x := g.meetingByID(main.cons.MeetingID)
	if x.org != g.council || main.cons.Role != ratsnetz.ConsultationDecision {
		return
	}
	var sub *paperState
	switch r := g.rng.Float64(); {
	case r < 0.2:
		f := g.factionPick()
		sub = g.newPaper(0, g.city, ratsnetz.PaperTypeAmendment, "Änderungsantrag der "+f.o.Name+" zu Drucksache "+ps.p.Reference, true, x.m.Start, 2, 5)
		if sub == nil {
			return
		}
		g.antrag(sub, []*faction{f}, ps.dept, "Ziffer 1 des Beschlussvorschlags wird wie folgt gefasst: „"+strings.TrimSuffix(ps.proposal, ".")+", wobei die Bürgerinnen und Bürger frühzeitig beteiligt werden.“", "Eine frühzeitige Beteiligung erhöht die Akzeptanz.")
	case r < 0.28 && ps.p.PaperType == ratsnetz.PaperTypeResolution:
		sub = g.newPaper(0, g.city, ratsnetz.PaperTypeSupplement, "Ergänzungsvorlage zu Drucksache "+ps.p.Reference, true, x.m.Start, 2, 5)
		if sub == nil {
			return
		}
		sub.dept = ps.dept
		sub.p.UnderDirectionOfIDs = ps.p.UnderDirectionOfIDs
		g.sections(sub, ratsnetz.TextSection{Heading: ratsnetz.SectionReasoning, Text: "Nach Versand der Vorlage hat sich ergeben, dass die Förderquote auf 70 % steigt. Der städtische Eigenanteil sinkt entsprechend."})
	default:
		return
	}
	g.subordinate(ps, sub)
	role := ratsnetz.ConsultationDecision
	if sub.p.PaperType == ratsnetz.PaperTypeSupplement {
		role = ratsnetz.ConsultationNotice
	}
	// The parent's Beratung result decides how the amendment fares.
	var script []string
	if x.past {
		switch main.cons.Result {
		case ratsnetz.ResultPostponed, ratsnetz.ResultFirstReading:
			script = []string{ratsnetz.ResultPostponed}
		case ratsnetz.ResultAdoptedAmended:
			script = []string{ratsnetz.ResultAdopted}
		}
	}
	subs := g.walk(sub, []step{{x.org, role}}, x.cycle, flow{script: script, startAfter: x.m.Start.Add(-time.Minute)})
	for _, s := range subs {
		if s.cons.MeetingID == x.m.ID {
			g.detach(x, s)
			s.parent = main
			main.subs = append(main.subs, s)
		}
	}
}

// setModes makes meetings hybrid after the hybrid motion was adopted.
func (g *gen) setModes() {
	for _, x := range g.meetings {
		if x.org.public && x.m.Start.After(g.hybridFrom) && x.m.Mode == ratsnetz.ModeInPerson && g.chance(0.5) {
			x.m.Mode = ratsnetz.ModeHybrid
		}
	}
}

// putFile renders doc, stores it and returns the File.
func (g *gen) putFile(id int64, body *ratsnetz.Body, name string, d time.Time, public bool, doc pdf.Document) (*ratsnetz.File, error) {
	if id == 0 {
		id = g.id(kFile)
	}
	if d.After(g.now) {
		d = g.now
	}
	if !public {
		name = secret(name)
		doc.Title = secret(doc.Title)
		doc.Subject = secret(doc.Subject)
	}
	doc.Author = body.Name
	doc.Uncompressed = true
	if doc.Date.IsZero() {
		doc.Date = d
	}
	fileName := fileNameOf(name) + ".pdf"
	key := fmt.Sprintf("demo/%d/%s", id, fileName)
	f := &ratsnetz.File{
		Meta: meta(id, d, d), BodyID: body.ID, Name: name, FileName: fileName, MimeType: "application/pdf",
		Date: date(d.In(g.loc)), BlobKey: key, Text: doc.PlainText(), Public: public,
	}
	// Rendered later, in parallel: see renderFiles.
	g.jobs = append(g.jobs, renderJob{f: f, doc: doc})
	if public {
		f.License = licenseURL
	}
	if f.Created.After(g.now) {
		f.Created, f.Modified = g.now, g.now
	}
	g.ds.Files = append(g.ds.Files, f)
	return f, nil
}

// fileNameOf makes a file name of a display name, keeping the canary of
// confidential names even when the name is shortened.
func fileNameOf(name string) string {
	if strings.Contains(name, Canary) {
		base := fileNameOf(strings.ReplaceAll(name, Canary, ""))
		if r := []rune(base); len(r) > 90 {
			base = string(r[:90])
		}
		return strings.Trim(base, "_") + "_" + Canary
	}
	var b strings.Builder
	last := '_'
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', strings.ContainsRune("äöüÄÖÜß", r):
			b.WriteRune(r)
			last = r
		default:
			if last != '_' {
				b.WriteByte('_')
				last = '_'
			}
		}
	}
	s := strings.Trim(b.String(), "_")
	if r := []rune(s); len(r) > 120 {
		s = string(r[:120])
	}
	return s
}

func (g *gen) orgName(id int64) string {
	if x := g.orgByID[id]; x != nil {
		return x.o.Name
	}
	for _, o := range g.ds.Organizations {
		if o.ID == id {
			return o.Name
		}
	}
	return ""
}

// paperFiles renders the main file and attachments of every paper.
func (g *gen) paperFiles() error {
	slices.SortStableFunc(g.papers, func(a, b *paperState) int { return int(a.p.ID - b.p.ID) })
	for _, ps := range g.papers {
		p := ps.p
		body := g.city
		switch p.BodyID {
		case g.swm.ID:
			body = g.swm
		case g.mwg.ID:
			body = g.mwg
		}
		mark := ""
		if !p.Public {
			mark = " " + Canary
		}
		facts := [][]string{{"Drucksache", p.Reference}, {"Vorlagenart", p.PaperType}, {"Datum", g.de(p.Date)}}
		if ps.dept != nil {
			facts = append(facts, []string{"Federführend", ps.dept.Name})
		}
		for _, f := range ps.originF {
			facts = append(facts, []string{"Antragsteller", f.o.Name})
		}
		blocks := []pdf.Block{pdf.Table{Rows: facts, Widths: []float64{1, 3}}}
		if !p.Public {
			blocks = append([]pdf.Block{pdf.Paragraph{Text: "Nicht öffentlich – " + Canary, Bold: true}}, blocks...)
		}
		var rows [][]string
		for _, c := range ps.cons {
			rows = append(rows, []string{g.de(c.Date), g.orgName(c.OrganizationIDs[0]), c.Role, c.Status})
		}
		if len(rows) > 0 {
			blocks = append(blocks, pdf.Heading{Text: "Beratungsfolge"}, pdf.Table{Header: []string{"Datum", "Gremium", "Rolle", "Status"}, Rows: rows, Widths: []float64{2, 5, 2, 2}})
		}
		for _, s := range p.Sections {
			blocks = append(blocks, pdf.Heading{Text: s.Heading}, pdf.Paragraph{Text: s.Text})
		}
		fileID := int64(0)
		if p.ID < 10 {
			fileID = p.ID
		}
		f, err := g.putFile(fileID, body, fmt.Sprintf("%s %s", p.PaperType, p.Reference), p.Created, p.Public, pdf.Document{
			Title: p.Name, Subtitle: p.PaperType + " " + p.Reference + " vom " + g.de(p.Date),
			Subject: p.PaperType + " " + p.Reference, Keywords: p.Reference,
			Header: body.Name + " – Drucksache " + p.Reference + mark, Blocks: blocks,
		})
		if err != nil {
			return err
		}
		f.Name = fileNameTitle(p)
		if !p.Public {
			f.Name = secret(f.Name)
		}
		p.MainFileID = f.ID
		for _, a := range ps.attach {
			af, err := g.putFile(0, body, a.name+" zu "+p.Reference, p.Created, p.Public, pdf.Document{
				Title: a.name, Subtitle: "zu Drucksache " + p.Reference + ": " + p.Name, Header: body.Name + " – " + p.Reference + mark,
				Blocks: a.doc(mark),
			})
			if err != nil {
				return err
			}
			p.AuxiliaryFileIDs = append(p.AuxiliaryFileIDs, af.ID)
		}
		if ps.secretAtt {
			id := int64(0)
			if p.ID == TabletPaperID {
				id = NonPublicFileID
			}
			n := len(ps.attach) + 1
			af, err := g.putFile(id, body, fmt.Sprintf("Anlage %d Angebotsauswertung (nicht öffentlich) zu %s", n, p.Reference), p.Created, false, pdf.Document{
				Title: fmt.Sprintf("Anlage %d Angebotsauswertung", n), Subtitle: "zu Drucksache " + p.Reference,
				Header: body.Name + " – " + p.Reference + " " + Canary,
				Blocks: []pdf.Block{
					pdf.Paragraph{Text: "Nicht öffentlich gemäß § 48 Abs. 2 GO NRW – " + Canary, Bold: true},
					pdf.Table{Header: []string{"Bieter", "Angebotssumme", "Rang"}, Rows: [][]string{
						{"Bieter A (" + Canary + ")", euro(100000+g.intn(50)*1000) + " €", "1"},
						{"Bieter B (" + Canary + ")", euro(160000+g.intn(50)*1000) + " €", "2"},
					}},
				},
			})
			if err != nil {
				return err
			}
			p.AuxiliaryFileIDs = append(p.AuxiliaryFileIDs, af.ID)
		}
	}
	return nil
}

func fileNameTitle(p *ratsnetz.Paper) string {
	return p.PaperType + " " + p.Reference
}
