package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "time/tzdata"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/sqlite"
)

// testCanary marks every non-public text of the fixture.
const testCanary = "GEHEIM-XYZ-4711"

// testNow is the fixed clock of the tests: Friday, 20 November 2026.
var testNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// testFile is a file of the fixture with its content.
type testFile struct {
	file    *ratsnetz.File
	content string
}

func testFiles() []testFile {
	mk := func(id int64, name, fileName, mimeType, content string, public bool) testFile {
		return testFile{file: &ratsnetz.File{
			Meta: ratsnetz.Meta{ID: id, Created: testNow, Modified: testNow}, BodyID: 1,
			Name: name, FileName: fileName, MimeType: mimeType, Public: public,
			BlobKey: "files/" + fileName,
		}, content: content}
	}
	return []testFile{
		mk(500, "Einladung Ratssitzung", "einladung.pdf", "application/pdf", "%PDF-1.4 Einladung zur Ratssitzung", true),
		mk(501, "Niederschrift Ratssitzung", "niederschrift.pdf", "application/pdf", "%PDF-1.4 Niederschrift", true),
		mk(502, "Vertrag "+testCanary, "vertrag.pdf", "application/pdf", "%PDF-1.4 "+testCanary, false),
		mk(503, "Übersicht Radweg", "Übersicht Radweg 2026.pdf", "application/pdf", "%PDF-1.4 0123456789abcdefghijklmnopqrstuvwxyz", true),
		mk(504, "Lageplan", "lageplan.html", "text/html", "<html><script>alert(1)</script></html>", true),
	}
}

// testDataset is a small council: the city with its council, a committee,
// two factions, and a company with a supervisory board; public and
// non-public meetings, agenda items, papers and files.
func testDataset(files []testFile) *ratsnetz.Dataset {
	meta := func(id int64) ratsnetz.Meta { return ratsnetz.Meta{ID: id, Created: testNow, Modified: testNow} }
	ds := &ratsnetz.Dataset{
		Bodies: []*ratsnetz.Body{
			{Meta: meta(2), Name: "Stadtwerke Musterstadt GmbH", Kind: ratsnetz.BodyKindCompany, OwnerBodyID: 1},
			{Meta: meta(1), Name: "Stadt Musterstadt", Kind: ratsnetz.BodyKindMunicipality},
		},
		Locations: []*ratsnetz.Location{
			{Meta: meta(1), BodyID: 1, Description: "Rathaus", Room: "Ratssaal", StreetAddress: "Markt 1", PostalCode: "12345", Locality: "Musterstadt"},
		},
		Organizations: []*ratsnetz.Organization{
			{Meta: meta(10), BodyID: 1, Name: "Rat der Stadt", OrganizationType: ratsnetz.OrgTypeGremium, Classification: ratsnetz.ClassParlament, Seats: 3},
			{Meta: meta(11), BodyID: 1, Name: "Ausschuss für Umwelt und Verkehr", OrganizationType: ratsnetz.OrgTypeGremium, Classification: ratsnetz.ClassAusschuss},
			{Meta: meta(12), BodyID: 1, Name: "Fraktion Grün-Rot", OrganizationType: ratsnetz.OrgTypeFraktion},
			{Meta: meta(13), BodyID: 1, Name: "Bürgerfraktion", OrganizationType: ratsnetz.OrgTypeFraktion},
			{Meta: meta(14), BodyID: 1, Name: "Ehemaliger Beirat", OrganizationType: ratsnetz.OrgTypeGremium, EndDate: day(2020, 12, 31)},
			{Meta: meta(20), BodyID: 2, Name: "Aufsichtsrat der Stadtwerke", OrganizationType: ratsnetz.OrgTypeGremium, Classification: ratsnetz.ClassAufsichtsrat, Confidential: true},
		},
		Persons: []*ratsnetz.Person{
			{Meta: meta(100), BodyID: 1, Name: "Dr. Anna Beispiel", FamilyName: "Beispiel", GivenName: "Anna"},
			{Meta: meta(101), BodyID: 1, Name: "Bernd Muster", FamilyName: "Muster", GivenName: "Bernd"},
			{Meta: meta(102), BodyID: 1, Name: "Clara Test", FamilyName: "Test", GivenName: "Clara"},
		},
		Memberships: []*ratsnetz.Membership{
			{Meta: meta(700), PersonID: 100, OrganizationID: 10, Role: ratsnetz.RoleChair, VotingRight: true, StartDate: day(2020, 11, 1), OnBehalfOfID: 12},
			{Meta: meta(701), PersonID: 101, OrganizationID: 10, Role: ratsnetz.RoleMember, VotingRight: true, StartDate: day(2020, 11, 1), OnBehalfOfID: 13},
			{Meta: meta(702), PersonID: 102, OrganizationID: 10, Role: ratsnetz.RoleDeputy, StartDate: day(2020, 11, 1), OnBehalfOfID: 12},
			{Meta: meta(703), PersonID: 100, OrganizationID: 11, Role: ratsnetz.RoleMember, StartDate: day(2014, 6, 1), EndDate: day(2020, 10, 31)},
			{Meta: meta(704), PersonID: 100, OrganizationID: 12, Role: ratsnetz.RoleFactionChair, StartDate: day(2020, 11, 1)},
		},
		Meetings: []*ratsnetz.Meeting{
			{Meta: meta(200), BodyID: 1, Name: "3. Sitzung des Rates", MeetingState: ratsnetz.MeetingStateInvited,
				Start: time.Date(2026, 11, 24, 16, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 24, 19, 30, 0, 0, time.UTC),
				LocationID: 1, OrganizationIDs: []int64{10}, InvitationFileID: 500, ResultsProtocolFileID: 501,
				AuxiliaryFileIDs: []int64{502}, Public: true},
			{Meta: meta(201), BodyID: 2, Name: "Aufsichtsratssitzung " + testCanary, Start: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
				OrganizationIDs: []int64{20}, Public: false},
			{Meta: meta(202), BodyID: 1, Name: "1. Sitzung des Umweltausschusses", MeetingState: ratsnetz.MeetingStateHeld,
				Start: time.Date(2026, 3, 10, 16, 0, 0, 0, time.UTC), OrganizationIDs: []int64{11}, Public: true},
		},
		AgendaItems: []*ratsnetz.AgendaItem{
			{Meta: meta(300), MeetingID: 200, Order: 0, Number: "Ö 1", Name: "Neubau des Radwegs Hauptstraße", Public: true,
				ConsultationID: 600, PaperID: 400, Result: ratsnetz.ResultAdopted, ResolutionText: "Der Rat beschließt den Neubau.",
				MinutesText: "Die Verwaltung erläutert die Vorlage.",
				Vote: &ratsnetz.VoteResult{Yes: 2, No: 0, Abstain: 1, Factions: []ratsnetz.FactionVote{
					{OrganizationID: 12, Name: "Fraktion Grün-Rot", Yes: 2}, {OrganizationID: 13, Name: "Bürgerfraktion", Abstain: 1}}}},
			{Meta: meta(301), MeetingID: 200, Order: 1, Number: "Ö 2", Name: "Mitteilungen der Verwaltung", Public: true, PaperID: 401,
				Vote: &ratsnetz.VoteResult{Yes: 3, Unanimous: true}},
			{Meta: meta(302), MeetingID: 200, Order: 2, Number: "N 1", Name: "Grundstücksverkauf " + testCanary, Public: false,
				PaperID: 401, ResolutionText: testCanary, ConsultationID: 602},
			{Meta: meta(303), MeetingID: 201, Order: 0, Number: "N 1", Name: "Wirtschaftsplan " + testCanary, Public: false, ConsultationID: 601},
		},
		Papers: []*ratsnetz.Paper{
			{Meta: meta(400), BodyID: 1, Name: "Neubau des Radwegs Hauptstraße", Reference: "2026/0001", Date: day(2026, 10, 1),
				PaperType: ratsnetz.PaperTypeResolution, Status: ratsnetz.PaperStatusInProgress, Public: true,
				Sections: []ratsnetz.TextSection{{Heading: ratsnetz.SectionProposal, Text: "Der Rat beschließt den Neubau."},
					{Heading: ratsnetz.SectionReasoning, Text: "Der Radweg ist marode.\nEr wird erneuert."}},
				RelatedPaperIDs: []int64{401}, SubordinatedPaperIDs: []int64{402},
				MainFileID: 503, AuxiliaryFileIDs: []int64{504, 502}, UnderDirectionOfIDs: []int64{11},
				OriginatorPersonIDs: []int64{100}, ResponsiblePersonID: 101},
			{Meta: meta(401), BodyID: 1, Name: "Grundstücksgeschäft " + testCanary, Reference: "2026/0002", Date: day(2026, 10, 2),
				PaperType: ratsnetz.PaperTypeResolution, Public: false,
				Sections: []ratsnetz.TextSection{{Heading: ratsnetz.SectionProposal, Text: testCanary}}},
			{Meta: ratsnetz.Meta{ID: 403, Created: testNow, Modified: testNow, Deleted: true}, BodyID: 1, Name: "Zurückgezogene Vorlage",
				Reference: "2026/0003", Date: day(2026, 10, 3), PaperType: ratsnetz.PaperTypeMotion, Public: true},
			{Meta: meta(402), BodyID: 1, Name: "Antrag auf Tempo 30", Reference: "2025/0100", Date: day(2025, 5, 5),
				PaperType: ratsnetz.PaperTypeMotion, Status: ratsnetz.PaperStatusDecided, Public: true,
				SuperordinatedPaperIDs: []int64{400}, OriginatorOrganizationIDs: []int64{13}},
		},
		Consultations: []*ratsnetz.Consultation{
			{Meta: meta(600), PaperID: 400, MeetingID: 200, AgendaItemID: 300, OrganizationIDs: []int64{10}, Role: ratsnetz.ConsultationDecision,
				Status: ratsnetz.ConsultationDone, Result: ratsnetz.ResultAdopted, Position: 1},
			{Meta: meta(601), PaperID: 400, MeetingID: 201, AgendaItemID: 303, OrganizationIDs: []int64{20}, Role: ratsnetz.ConsultationNotice,
				Status: ratsnetz.ConsultationPlanned, Date: day(2026, 12, 1), Position: 2},
			{Meta: meta(602), PaperID: 401, MeetingID: 200, AgendaItemID: 302, OrganizationIDs: []int64{10}, Position: 1},
			{Meta: meta(603), PaperID: 402, MeetingID: 202, OrganizationIDs: []int64{11}, Role: ratsnetz.ConsultationPreliminary, Position: 1},
		},
	}
	for _, f := range files {
		ds.Files = append(ds.Files, f.file)
	}
	return ds
}

// testEnv is a running portal over the fixture.
type testEnv struct {
	srv   *httptest.Server
	store ratsnetz.Store
	files []testFile
}

func newTestEnv(tb testing.TB) *testEnv {
	tb.Helper()
	ctx := context.Background()
	blobs, err := disk.New(filepath.Join(tb.TempDir(), "blobs"))
	if err != nil {
		tb.Fatal(err)
	}
	files := testFiles()
	for _, f := range files {
		info, err := blobs.Put(ctx, f.file.BlobKey, strings.NewReader(f.content))
		if err != nil {
			tb.Fatal(err)
		}
		f.file.Size, f.file.SHA256 = info.Size, info.SHA256
	}
	store := mustOpenStore(tb)
	if err := store.Load(ctx, testDataset(files)); err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(NewServer(Config{
		Store:   store,
		Blobs:   blobs,
		BaseURL: "http://example.org",
		Logger:  slog.New(slog.DiscardHandler),
		Now:     func() time.Time { return testNow },
	}).Handler())
	tb.Cleanup(srv.Close)
	return &testEnv{srv: srv, store: store, files: files}
}

// mustOpenStore opens a migrated SQLite store in a temporary directory.
func mustOpenStore(tb testing.TB) ratsnetz.Store {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "t.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return db
}

// get fetches path with optional header pairs and returns the response with
// its body read.
func (e *testEnv) get(tb testing.TB, path string, header ...string) (*http.Response, string) {
	tb.Helper()
	return get(tb, e.srv.Client(), e.srv.URL+path, header...)
}

func get(tb testing.TB, c *http.Client, url string, header ...string) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, string(b)
}

func newJarClient(tb testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
