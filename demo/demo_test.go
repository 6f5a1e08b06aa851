package demo_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/pdf"
)

// memLoader is an in-memory ratsnetz.Loader that keeps the last version of
// every object by ID, as a store does.
type memLoader struct {
	calls         int
	bodies        map[int64]*ratsnetz.Body
	terms         map[int64]*ratsnetz.LegislativeTerm
	locations     map[int64]*ratsnetz.Location
	organizations map[int64]*ratsnetz.Organization
	persons       map[int64]*ratsnetz.Person
	memberships   map[int64]*ratsnetz.Membership
	meetings      map[int64]*ratsnetz.Meeting
	items         map[int64]*ratsnetz.AgendaItem
	papers        map[int64]*ratsnetz.Paper
	consultations map[int64]*ratsnetz.Consultation
	files         map[int64]*ratsnetz.File
}

func newMemLoader() *memLoader {
	return &memLoader{
		bodies: map[int64]*ratsnetz.Body{}, terms: map[int64]*ratsnetz.LegislativeTerm{}, locations: map[int64]*ratsnetz.Location{},
		organizations: map[int64]*ratsnetz.Organization{}, persons: map[int64]*ratsnetz.Person{}, memberships: map[int64]*ratsnetz.Membership{},
		meetings: map[int64]*ratsnetz.Meeting{}, items: map[int64]*ratsnetz.AgendaItem{}, papers: map[int64]*ratsnetz.Paper{},
		consultations: map[int64]*ratsnetz.Consultation{}, files: map[int64]*ratsnetz.File{},
	}
}

func put[T any](m map[int64]*T, objs []*T, id func(*T) int64) {
	for _, o := range objs {
		m[id(o)] = o
	}
}

func (l *memLoader) Load(ctx context.Context, ds *ratsnetz.Dataset) error {
	if !ratsnetz.ViewerFromContext(ctx).System {
		return fmt.Errorf("Load without system viewer")
	}
	l.calls++
	put(l.bodies, ds.Bodies, func(o *ratsnetz.Body) int64 { return o.ID })
	put(l.terms, ds.LegislativeTerms, func(o *ratsnetz.LegislativeTerm) int64 { return o.ID })
	put(l.locations, ds.Locations, func(o *ratsnetz.Location) int64 { return o.ID })
	put(l.organizations, ds.Organizations, func(o *ratsnetz.Organization) int64 { return o.ID })
	put(l.persons, ds.Persons, func(o *ratsnetz.Person) int64 { return o.ID })
	put(l.memberships, ds.Memberships, func(o *ratsnetz.Membership) int64 { return o.ID })
	put(l.meetings, ds.Meetings, func(o *ratsnetz.Meeting) int64 { return o.ID })
	put(l.items, ds.AgendaItems, func(o *ratsnetz.AgendaItem) int64 { return o.ID })
	put(l.papers, ds.Papers, func(o *ratsnetz.Paper) int64 { return o.ID })
	put(l.consultations, ds.Consultations, func(o *ratsnetz.Consultation) int64 { return o.ID })
	put(l.files, ds.Files, func(o *ratsnetz.File) int64 { return o.ID })
	return nil
}

func (l *memLoader) Empty(context.Context) (bool, error) { return len(l.bodies) == 0, nil }

// memBlobs is an in-memory ratsnetz.BlobStore.
type memBlobs struct {
	mu sync.Mutex
	m  map[string][]byte
}

func newMemBlobs() *memBlobs { return &memBlobs{m: map[string][]byte{}} }

func (b *memBlobs) Put(ctx context.Context, key string, r io.Reader) (ratsnetz.BlobInfo, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return ratsnetz.BlobInfo{}, err
	}
	b.mu.Lock()
	b.m[key] = data
	b.mu.Unlock()
	s256, s512 := sha256.Sum256(data), sha512.Sum512(data)
	return ratsnetz.BlobInfo{Key: key, Size: int64(len(data)), SHA256: hex.EncodeToString(s256[:]), SHA512: hex.EncodeToString(s512[:]), ModTime: time.Now()}, nil
}

type memBlob struct {
	*bytes.Reader
	info ratsnetz.BlobInfo
}

func (memBlob) Close() error              { return nil }
func (b memBlob) Info() ratsnetz.BlobInfo { return b.info }

func (b *memBlobs) Open(ctx context.Context, key string) (ratsnetz.Blob, error) {
	b.mu.Lock()
	data, ok := b.m[key]
	b.mu.Unlock()
	if !ok {
		return nil, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "not found")
	}
	return memBlob{Reader: bytes.NewReader(data), info: ratsnetz.BlobInfo{Key: key, Size: int64(len(data))}}, nil
}

func (b *memBlobs) Delete(ctx context.Context, key string) error {
	b.mu.Lock()
	delete(b.m, key)
	b.mu.Unlock()
	return nil
}

var testNow = time.Date(2026, 11, 23, 15, 4, 5, 0, time.UTC)

type loaded struct {
	l     *memLoader
	blobs *memBlobs
	sum   demo.Summary
}

func mustLoad(t *testing.T, opts demo.Options) loaded {
	t.Helper()
	l, b := newMemLoader(), newMemBlobs()
	sum, err := demo.Load(context.Background(), l, b, opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return loaded{l: l, blobs: b, sum: sum}
}

var (
	smallOnce sync.Once
	smallData loaded
)

// small loads the small demo once for all tests that only read it.
func small(t *testing.T) loaded {
	t.Helper()
	smallOnce.Do(func() { smallData = mustLoad(t, demo.Options{Now: testNow}) })
	if smallData.l == nil {
		t.Fatal("small demo failed to load")
	}
	return smallData
}

func TestSmallDeterministic(t *testing.T) {
	a := small(t)
	b := mustLoad(t, demo.Options{Now: testNow.Add(5 * time.Hour)}) // same day
	if diff := cmp.Diff(a.l, b.l, cmp.AllowUnexported(memLoader{})); diff != "" {
		t.Errorf("two generations differ (-first +second):\n%.3000s", diff)
	}
	if len(a.blobs.m) != len(b.blobs.m) {
		t.Fatalf("blob counts differ: %d vs %d", len(a.blobs.m), len(b.blobs.m))
	}
	for k, v := range a.blobs.m {
		if !bytes.Equal(v, b.blobs.m[k]) {
			t.Errorf("blob %q differs", k)
			break
		}
	}
	if a.sum != b.sum {
		t.Errorf("summaries differ: %+v vs %+v", a.sum, b.sum)
	}
}

func TestSmallCounts(t *testing.T) {
	d := small(t)
	s := d.sum
	t.Logf("summary: %+v", s)
	checks := []struct {
		name     string
		got      int
		min, max int
	}{
		{"bodies", s.Bodies, 3, 3},
		{"legislative terms", s.LegislativeTerms, 2, 2},
		{"organizations", s.Organizations, 40, 60},
		{"persons", s.Persons, 100, 160},
		{"meetings", s.Meetings, 120, 190},
		{"papers", s.Papers, 250, 700},
		{"agenda items", s.AgendaItems, 800, 3000},
		{"files", s.Files, 500, 2500},
		{"consultations", s.Consultations, 300, 1500},
		{"memberships", s.Memberships, 250, 1000},
	}
	for _, c := range checks {
		if c.got < c.min || c.got > c.max {
			t.Errorf("%s = %d, want %d..%d", c.name, c.got, c.min, c.max)
		}
	}
	if s.Blobs != s.Files {
		t.Errorf("blobs = %d, files = %d: every small file has content", s.Blobs, s.Files)
	}
	// Summary counts match what was loaded.
	l := d.l
	if s.Papers != len(l.papers) || s.Meetings != len(l.meetings) || s.Files != len(l.files) || s.AgendaItems != len(l.items) {
		t.Errorf("summary %+v does not match loaded objects", s)
	}
	types := map[string]int{}
	for _, p := range l.papers {
		types[p.PaperType]++
	}
	for _, typ := range []string{ratsnetz.PaperTypeResolution, ratsnetz.PaperTypeMotion, ratsnetz.PaperTypeQuestion, ratsnetz.PaperTypeAnswer,
		ratsnetz.PaperTypeNotice, ratsnetz.PaperTypeAmendment, ratsnetz.PaperTypeSupplement, ratsnetz.PaperTypeReport, ratsnetz.PaperTypeBoardTemplate} {
		if types[typ] == 0 {
			t.Errorf("no paper of type %q (have %v)", typ, types)
		}
	}
	results := map[string]int{}
	for _, it := range l.items {
		results[it.Result]++
	}
	for _, r := range []string{ratsnetz.ResultAdopted, ratsnetz.ResultRejected, ratsnetz.ResultPostponed, ratsnetz.ResultFirstReading, ratsnetz.ResultRecommended, ratsnetz.ResultNoted, ratsnetz.ResultAnswered} {
		if results[r] == 0 {
			t.Errorf("no agenda item with result %q (have %v)", r, results)
		}
	}
	var unanimous, factions, urgent, addendum, hybrid int
	for _, it := range l.items {
		if it.Vote != nil && it.Vote.Unanimous {
			unanimous++
		}
		if it.Vote != nil && len(it.Vote.Factions) > 0 {
			factions++
		}
		if it.Urgent {
			urgent++
		}
		if it.Addendum {
			addendum++
		}
	}
	for _, m := range l.meetings {
		if m.Mode == ratsnetz.ModeHybrid {
			hybrid++
		}
	}
	if unanimous == 0 || factions == 0 || urgent == 0 || addendum == 0 || hybrid == 0 {
		t.Errorf("unanimous=%d factionVotes=%d urgent=%d addendum=%d hybrid=%d; want all > 0", unanimous, factions, urgent, addendum, hybrid)
	}
}

func TestSmallDates(t *testing.T) {
	l := small(t).l
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	var past, future int
	for _, m := range l.meetings {
		if m.Start.Before(day.AddDate(0, -15, 0)) || m.Start.After(day.AddDate(0, 3, 1)) {
			t.Errorf("meeting %d at %v outside 14 months back to 3 months ahead", m.ID, m.Start)
		}
		if m.Start.Before(day) {
			past++
			if m.MeetingState != ratsnetz.MeetingStateHeld && !m.Cancelled {
				t.Errorf("past meeting %d has state %q", m.ID, m.MeetingState)
			}
			if !m.Cancelled && (m.InvitationFileID == 0 || m.ResultsProtocolFileID == 0) {
				t.Errorf("past meeting %d lacks invitation or minutes", m.ID)
			}
		} else {
			future++
		}
		if m.Start.Location() != time.UTC {
			t.Errorf("meeting %d start not UTC", m.ID)
		}
	}
	if past < 80 || future < 15 {
		t.Errorf("past=%d future=%d meetings", past, future)
	}
	for _, p := range l.papers {
		if p.Date.After(day) || p.Created.After(testNow) || p.Modified.After(testNow) {
			t.Errorf("paper %d dated after now: %v %v %v", p.ID, p.Date, p.Created, p.Modified)
		}
	}
}

// TestSmallReferences checks that every ID an object references exists.
func TestSmallReferences(t *testing.T) {
	checkReferences(t, small(t).l)
}

func checkReferences(t *testing.T, l *memLoader) {
	t.Helper()
	errs := 0
	ref := func(what string, id int64, ok bool) {
		if id != 0 && !ok && errs < 20 {
			errs++
			t.Errorf("%s references missing ID %d", what, id)
		}
	}
	has := func(m any, id int64) bool {
		switch m := m.(type) {
		case map[int64]*ratsnetz.Body:
			return m[id] != nil
		case map[int64]*ratsnetz.Location:
			return m[id] != nil
		case map[int64]*ratsnetz.Organization:
			return m[id] != nil
		case map[int64]*ratsnetz.Person:
			return m[id] != nil
		case map[int64]*ratsnetz.Meeting:
			return m[id] != nil
		case map[int64]*ratsnetz.AgendaItem:
			return m[id] != nil
		case map[int64]*ratsnetz.Paper:
			return m[id] != nil
		case map[int64]*ratsnetz.Consultation:
			return m[id] != nil
		case map[int64]*ratsnetz.File:
			return m[id] != nil
		}
		panic("unknown map")
	}
	refs := func(what string, m any, ids ...int64) {
		for _, id := range ids {
			ref(what, id, has(m, id))
		}
	}
	for _, b := range l.bodies {
		refs(fmt.Sprintf("body %d", b.ID), l.bodies, b.OwnerBodyID)
		refs(fmt.Sprintf("body %d", b.ID), l.locations, b.LocationID)
	}
	for _, x := range l.terms {
		refs(fmt.Sprintf("term %d", x.ID), l.bodies, x.BodyID)
	}
	for _, x := range l.locations {
		refs(fmt.Sprintf("location %d", x.ID), l.bodies, x.BodyID)
	}
	for _, o := range l.organizations {
		w := fmt.Sprintf("organization %d", o.ID)
		refs(w, l.bodies, o.BodyID)
		refs(w, l.organizations, o.SubOrganizationOfID)
		refs(w, l.locations, o.LocationID)
	}
	for _, p := range l.persons {
		refs(fmt.Sprintf("person %d", p.ID), l.bodies, p.BodyID)
	}
	for _, m := range l.memberships {
		w := fmt.Sprintf("membership %d", m.ID)
		refs(w, l.persons, m.PersonID)
		refs(w, l.organizations, m.OrganizationID, m.OnBehalfOfID)
		if m.PersonID == 0 || m.OrganizationID == 0 {
			t.Errorf("%s without person or organization", w)
		}
	}
	for _, m := range l.meetings {
		w := fmt.Sprintf("meeting %d", m.ID)
		refs(w, l.bodies, m.BodyID)
		refs(w, l.locations, m.LocationID)
		refs(w, l.organizations, m.OrganizationIDs...)
		refs(w, l.persons, m.ParticipantIDs...)
		refs(w, l.files, m.InvitationFileID, m.ResultsProtocolFileID, m.VerbatimProtocolFileID)
		refs(w, l.files, m.AuxiliaryFileIDs...)
		if len(m.OrganizationIDs) == 0 {
			t.Errorf("%s without organization", w)
		}
	}
	for _, it := range l.items {
		w := fmt.Sprintf("agenda item %d", it.ID)
		refs(w, l.meetings, it.MeetingID)
		refs(w, l.consultations, it.ConsultationID)
		refs(w, l.papers, it.PaperID)
		refs(w, l.files, it.ResolutionFileID)
		refs(w, l.files, it.AuxiliaryFileIDs...)
		if c := l.consultations[it.ConsultationID]; c != nil && (c.AgendaItemID != it.ID || c.PaperID != it.PaperID || c.MeetingID != it.MeetingID) {
			t.Errorf("%s and consultation %d disagree", w, c.ID)
		}
		if m := l.meetings[it.MeetingID]; m != nil && !m.Public && it.Public {
			t.Errorf("%s public in non-public meeting %d", w, m.ID)
		}
		if p := l.papers[it.PaperID]; p != nil && !p.Public && it.Public {
			t.Errorf("%s public but its paper %d is not", w, p.ID)
		}
	}
	for _, p := range l.papers {
		w := fmt.Sprintf("paper %d", p.ID)
		refs(w, l.bodies, p.BodyID)
		refs(w, l.papers, p.RelatedPaperIDs...)
		refs(w, l.papers, p.SuperordinatedPaperIDs...)
		refs(w, l.papers, p.SubordinatedPaperIDs...)
		refs(w, l.files, p.MainFileID)
		refs(w, l.files, p.AuxiliaryFileIDs...)
		refs(w, l.locations, p.LocationIDs...)
		refs(w, l.persons, p.OriginatorPersonIDs...)
		refs(w, l.persons, p.ResponsiblePersonID)
		refs(w, l.organizations, p.OriginatorOrganizationIDs...)
		refs(w, l.organizations, p.UnderDirectionOfIDs...)
		if p.MainFileID == 0 || p.Reference == "" {
			t.Errorf("%s without main file or reference", w)
		}
	}
	for _, c := range l.consultations {
		w := fmt.Sprintf("consultation %d", c.ID)
		refs(w, l.papers, c.PaperID)
		refs(w, l.meetings, c.MeetingID)
		refs(w, l.items, c.AgendaItemID)
		refs(w, l.organizations, c.OrganizationIDs...)
	}
	for _, f := range l.files {
		refs(fmt.Sprintf("file %d", f.ID), l.bodies, f.BodyID)
		refs(fmt.Sprintf("file %d", f.ID), l.files, f.MasterFileID)
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSmallCanary checks that the canary is in every non-public object and
// nowhere in public ones, including PDF contents.
func TestSmallCanary(t *testing.T) {
	d := small(t)
	checkCanary(t, d.l, d.blobs, true)
}

func checkCanary(t *testing.T, l *memLoader, blobs *memBlobs, pdfs bool) {
	t.Helper()
	has := func(s string) bool { return strings.Contains(s, demo.Canary) }
	errs := 0
	fail := func(format string, args ...any) {
		if errs < 30 {
			errs++
			t.Errorf(format, args...)
		}
	}
	// Objects without a visibility flag are public.
	for _, objs := range []any{l.bodies, l.terms, l.locations, l.organizations, l.persons, l.memberships, l.consultations} {
		if has(jsonOf(t, objs)) {
			fail("canary in always-public objects %T", objs)
		}
	}
	var nonPublic [4]int
	for _, p := range l.papers {
		if p.Public {
			if has(jsonOf(t, p)) {
				fail("canary in public paper %d", p.ID)
			}
			if f := l.files[p.MainFileID]; f == nil || !f.Public {
				fail("public paper %d: main file %d missing or not public", p.ID, p.MainFileID)
			}
			continue
		}
		nonPublic[0]++
		if !has(p.Name) {
			fail("non-public paper %d title %q lacks canary", p.ID, p.Name)
		}
		for _, s := range p.Sections {
			if !has(s.Text) {
				fail("non-public paper %d section %q lacks canary", p.ID, s.Heading)
			}
		}
		for _, id := range append([]int64{p.MainFileID}, p.AuxiliaryFileIDs...) {
			if f := l.files[id]; f != nil && f.Public {
				fail("non-public paper %d has public file %d", p.ID, id)
			}
		}
	}
	for _, it := range l.items {
		if it.Public {
			if has(jsonOf(t, it)) {
				fail("canary in public agenda item %d", it.ID)
			}
			continue
		}
		nonPublic[1]++
		for _, s := range []string{it.Name, it.ResolutionText, it.MinutesText} {
			if s != "" && !has(s) {
				fail("non-public agenda item %d text %.40q lacks canary", it.ID, s)
			}
		}
	}
	for _, m := range l.meetings {
		if m.Public {
			if has(jsonOf(t, m)) {
				fail("canary in public meeting %d", m.ID)
			}
			for _, id := range []int64{m.InvitationFileID, m.ResultsProtocolFileID} {
				if f := l.files[id]; id != 0 && (f == nil || !f.Public) {
					fail("public meeting %d: invitation/minutes file %d not public", m.ID, id)
				}
			}
			continue
		}
		nonPublic[2]++
		if !has(m.Name) {
			fail("non-public meeting %d name %q lacks canary", m.ID, m.Name)
		}
	}
	for _, f := range l.files {
		if f.Public {
			if has(jsonOf(t, f)) {
				fail("canary in public file %d", f.ID)
			}
		} else {
			nonPublic[3]++
			for _, s := range []string{f.Name, f.FileName, f.Text} {
				if !has(s) {
					fail("non-public file %d field %.40q lacks canary", f.ID, s)
				}
			}
		}
		if !pdfs || f.BlobKey == "" {
			continue
		}
		data, ok := blobs.m[f.BlobKey]
		if !ok {
			fail("file %d: blob %q missing", f.ID, f.BlobKey)
			continue
		}
		s256 := sha256.Sum256(data)
		if hex.EncodeToString(s256[:]) != f.SHA256 || int64(len(data)) != f.Size {
			fail("file %d: size/checksum do not match content", f.ID)
		}
		text, err := pdf.ExtractText(data)
		if err != nil {
			fail("file %d: %v", f.ID, err)
			continue
		}
		if f.Public == has(text) {
			fail("file %d (public=%v): canary in PDF text = %v", f.ID, f.Public, has(text))
		}
	}
	for i, n := range nonPublic {
		if n == 0 {
			t.Errorf("no non-public %s", []string{"papers", "agenda items", "meetings", "files"}[i])
		}
	}
}

func TestSmallKnown(t *testing.T) {
	d := small(t)
	l, k := d.l, d.sum.Known
	tab := l.papers[demo.TabletPaperID]
	if tab == nil || !tab.Public || tab.Status != ratsnetz.PaperStatusDecided || tab.MainFileID != demo.TabletMainFileID {
		t.Fatalf("tablet paper = %+v", tab)
	}
	if f := l.files[demo.NonPublicFileID]; f == nil || f.Public {
		t.Errorf("NonPublicFileID %d missing or public", demo.NonPublicFileID)
	}
	found := false
	for _, id := range tab.AuxiliaryFileIDs {
		found = found || id == demo.NonPublicFileID
	}
	if !found {
		t.Errorf("tablet paper attachments %v lack NonPublicFileID", tab.AuxiliaryFileIDs)
	}
	it := l.items[k.TabletAgendaItemID]
	if it == nil || !it.Public || it.MeetingID != k.TabletCouncilMeetingID || it.Vote == nil || len(it.Vote.Factions) < 5 || it.Vote.Unanimous {
		t.Errorf("tablet agenda item = %+v", it)
	}
	if m := l.meetings[k.TabletCouncilMeetingID]; m == nil || !m.Public || m.OrganizationIDs[0] != demo.CouncilID {
		t.Errorf("tablet council meeting = %+v", m)
	}
	np := l.items[k.NonPublicAgendaItemID]
	if np == nil || np.Public || np.PaperID != demo.NonPublicPaperID || np.MeetingID != k.TabletCouncilMeetingID || !strings.HasPrefix(np.Number, "N ") {
		t.Errorf("non-public agenda item = %+v", np)
	}
	if p := l.papers[demo.NonPublicPaperID]; p == nil || p.Public {
		t.Errorf("non-public paper = %+v", p)
	}
	if f := l.files[demo.NonPublicMainFileID]; f == nil || f.Public || l.papers[demo.NonPublicPaperID].MainFileID != f.ID {
		t.Errorf("non-public main file = %+v", f)
	}
	if m := l.meetings[k.NonPublicMeetingID]; m == nil || m.Public || m.OrganizationIDs[0] != demo.StadtwerkeBoardID {
		t.Errorf("non-public meeting = %+v", m)
	}
	if m := l.meetings[k.NextCouncilMeetingID]; m == nil || !m.Start.After(testNow) || m.OrganizationIDs[0] != demo.CouncilID {
		t.Errorf("next council meeting = %+v", m)
	}
	for id, want := range map[int64]string{
		demo.CouncilID: "Rat der Stadt Musterstadt", demo.FinanceCommitteeID: "Haupt- und Finanzausschuss",
		demo.DigitalCommitteeID: "Ausschuss für Digitales, Infrastruktur und Mobilität", demo.StadtwerkeBoardID: "Aufsichtsrat der Stadtwerke Musterstadt GmbH",
	} {
		if o := l.organizations[id]; o == nil || o.Name != want {
			t.Errorf("organization %d = %+v, want %q", id, o, want)
		}
	}
	if !l.organizations[demo.StadtwerkeBoardID].Confidential {
		t.Error("Stadtwerke board not confidential")
	}
	for id, want := range map[int64]string{demo.CityBodyID: ratsnetz.BodyKindMunicipality, demo.StadtwerkeBodyID: ratsnetz.BodyKindCompany, demo.HousingBodyID: ratsnetz.BodyKindCompany} {
		if b := l.bodies[id]; b == nil || b.Kind != want {
			t.Errorf("body %d = %+v", id, b)
		}
	}
	for _, id := range []int64{demo.CommunicationPaperID, demo.HybridPaperID, demo.FactionCloudPaperID} {
		if p := l.papers[id]; p == nil || !p.Public || p.PaperType != ratsnetz.PaperTypeMotion {
			t.Errorf("paper %d = %+v", id, p)
		}
	}
	if p := l.papers[demo.CommunicationPaperID]; len(p.SubordinatedPaperIDs) != 1 || l.papers[p.SubordinatedPaperIDs[0]].PaperType != ratsnetz.PaperTypeAmendment {
		t.Errorf("communication paper lacks its amendment: %v", p.SubordinatedPaperIDs)
	}
	if p := l.papers[demo.FactionCloudPaperID]; p.Status != ratsnetz.PaperStatusInProgress {
		t.Errorf("faction cloud status = %q", p.Status)
	}
	if p := l.persons[k.CouncilMemberPersonID]; p == nil {
		t.Error("CouncilMemberPersonID missing")
	}
}

func TestVotesConsistent(t *testing.T) {
	l := small(t).l
	for _, it := range l.items {
		v := it.Vote
		if v == nil || len(v.Factions) == 0 {
			continue
		}
		var y, n, a int
		for _, f := range v.Factions {
			y, n, a = y+f.Yes, n+f.No, a+f.Abstain
			if l.organizations[f.OrganizationID] == nil {
				t.Errorf("item %d: vote of unknown faction %d", it.ID, f.OrganizationID)
			}
		}
		if y != v.Yes || n != v.No || a != v.Abstain {
			t.Errorf("item %d: faction rows %d/%d/%d do not add up to %d/%d/%d", it.ID, y, n, a, v.Yes, v.No, v.Abstain)
		}
		adopted := it.Result == ratsnetz.ResultAdopted || it.Result == ratsnetz.ResultAdoptedAmended || it.Result == ratsnetz.ResultRecommended
		if adopted != (v.Yes > v.No) {
			t.Errorf("item %d: result %q with %d yes, %d no", it.ID, it.Result, v.Yes, v.No)
		}
	}
}

func TestBadScale(t *testing.T) {
	_, err := demo.Load(context.Background(), newMemLoader(), newMemBlobs(), demo.Options{Scale: "riesig"})
	if ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
		t.Errorf("err = %v, want EINVALID", err)
	}
}

func TestLargeReduced(t *testing.T) {
	var progress bytes.Buffer
	opts := demo.Options{Scale: demo.ScaleLarge, Now: testNow, LargeFactor: 0.002, ChunkSize: 2000, Progress: &progress}
	d := mustLoad(t, opts)
	s := d.sum
	t.Logf("summary: %+v, %d Load calls", s, d.l.calls)
	small := small(t).sum
	extra := func(got, base int) int { return got - base }
	checks := []struct {
		name          string
		got, min, max int
	}{
		{"meetings", extra(s.Meetings, small.Meetings), 40, 40},
		{"papers", extra(s.Papers, small.Papers), 400, 400},
		{"agenda items", extra(s.AgendaItems, small.AgendaItems), 800, 800},
		{"files", extra(s.Files, small.Files), 1000, 1000},
		{"load calls", d.l.calls, 4, 100},
	}
	for _, c := range checks {
		if c.got < c.min || c.got > c.max {
			t.Errorf("%s = %d, want %d..%d", c.name, c.got, c.min, c.max)
		}
	}
	if s.Blobs != small.Blobs+2 {
		t.Errorf("blobs = %d, want the small ones plus 2 shared", s.Blobs)
	}
	if !strings.Contains(progress.String(), "Objekte/s") {
		t.Errorf("no progress lines: %q", progress.String())
	}
	checkReferences(t, d.l)
	checkCanary(t, d.l, d.blobs, false)
}

// TestModifiedCoversEmbedded checks that an object is never older than the
// objects OParl embeds in it, so that modified_since syncs see changes.
func TestModifiedCoversEmbedded(t *testing.T) {
	l := small(t).l
	for _, m := range l.meetings {
		for _, id := range append([]int64{m.InvitationFileID, m.ResultsProtocolFileID}, m.AuxiliaryFileIDs...) {
			if f := l.files[id]; f != nil && f.Modified.After(m.Modified) {
				t.Errorf("meeting %d modified %v before its file %d %v", m.ID, m.Modified, f.ID, f.Modified)
			}
		}
	}
	for _, it := range l.items {
		if m := l.meetings[it.MeetingID]; it.Modified.After(m.Modified) {
			t.Errorf("meeting %d modified before its agenda item %d", m.ID, it.ID)
		}
	}
	for _, c := range l.consultations {
		if p := l.papers[c.PaperID]; c.Modified.After(p.Modified) {
			t.Errorf("paper %d modified before its consultation %d", p.ID, c.ID)
		}
	}
	for _, p := range l.papers {
		for _, id := range append([]int64{p.MainFileID}, p.AuxiliaryFileIDs...) {
			if f := l.files[id]; f != nil && f.Modified.After(p.Modified) {
				t.Errorf("paper %d modified before its file %d", p.ID, f.ID)
			}
		}
	}
	for _, m := range l.memberships {
		if p := l.persons[m.PersonID]; m.Modified.After(p.Modified) {
			t.Errorf("person %d modified before its membership %d", p.ID, m.ID)
		}
	}
}
