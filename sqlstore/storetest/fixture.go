package storetest

import (
	"slices"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Canary is in every non-public title, text and file name of the fixture and
// in no public one: a public viewer must never get it back.
const Canary = "GEHEIM-7f3a9c"

var (
	t0 = time.Date(2024, 1, 10, 8, 0, 0, 0, time.UTC)
	t1 = time.Date(2024, 2, 10, 8, 0, 0, 0, time.UTC)
	t2 = time.Date(2024, 3, 10, 8, 0, 0, 0, time.UTC)
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func meta(id int64, created, modified time.Time) ratsnetz.Meta {
	return ratsnetz.Meta{ID: id, ExternalID: "https://ris.example.org/oparl/x/" + itoa(id), Created: created, Modified: modified}
}

func itoa(id int64) string {
	if id == 0 {
		return "0"
	}
	var b []byte
	for id > 0 {
		b = append([]byte{byte('0' + id%10)}, b...)
		id /= 10
	}
	return string(b)
}

// Fixture returns a small council with public and non-public objects that
// exercises every visibility rule. IDs:
//
//	bodies 1 (city), 2 (company)
//	organizations 10 Rat, 11 Ausschuss (ended 2020), 12 Fraktion, 13 Aufsichtsrat (body 2)
//	persons 20, 21, 22; memberships 30, 31 (ended), 32
//	meetings 40 public (Rat), 41 public (Ausschuss), 42 non-public (Aufsichtsrat), 43 public but deleted
//	agenda items 50 (40, public, paper 60), 51 (40, non-public, paper 61), 52 (42, public),
//	  53 (41, public, paper 62), 54 (40, public, non-public paper 61)
//	papers 60 public 2024, 61 non-public, 62 public 2023 Antrag, 63 public deleted
//	consultations 70 (60 in 40/50), 71 (61 in 40/51), 72 (60 in 42/52), 73 (62 in 41/53)
//	files 80 main of 60; 81 aux of 60 and of item 51 (hidden owner); 82 aux of 61;
//	  83 non-public aux of 60; 84 invitation of 40 (derivatives 85, 82); 85 public, no owner,
//	  master 84; 86 protocol of 42; 87 public, no owner; 88 public, master 83
func Fixture() *ratsnetz.Dataset {
	return &ratsnetz.Dataset{
		Bodies: []*ratsnetz.Body{
			{Meta: meta(1, t0, t1), Name: "Stadt Musterstadt", ShortName: "Musterstadt", Kind: ratsnetz.BodyKindMunicipality,
				Website: "https://musterstadt.example", License: "CC-BY-4.0", LicenseValidSince: t0, OparlSince: t0,
				AGS: "05334002", RGS: "053340002002", Equivalent: []string{"https://www.wikidata.org/wiki/Q1"},
				ContactEmail: "rat@musterstadt.example", ContactName: "Ratsbüro", Classification: "Kreisfreie Stadt", LocationID: 5},
			{Meta: meta(2, t0, t0), Name: "Stadtwerke Musterstadt GmbH", Kind: ratsnetz.BodyKindCompany, OwnerBodyID: 1, Classification: "GmbH"},
		},
		LegislativeTerms: []*ratsnetz.LegislativeTerm{
			{Meta: meta(3, t0, t0), BodyID: 1, Name: "2020–2025", StartDate: day(2020, 11, 1), EndDate: day(2025, 10, 31)},
			{Meta: meta(4, t0, t0), BodyID: 1, Name: "2014–2020", StartDate: day(2014, 6, 1), EndDate: day(2020, 10, 31)},
		},
		Locations: []*ratsnetz.Location{
			{Meta: meta(5, t0, t0), BodyID: 1, Description: "Rathaus, Ratssaal", StreetAddress: "Markt 1", Room: "Ratssaal",
				PostalCode: "52062", SubLocality: "Mitte", Locality: "Musterstadt", HasGeo: true, Lat: 50.776, Lon: 6.084},
			{Meta: meta(6, t0, t0), BodyID: 2, Description: "Stadtwerke"},
		},
		Organizations: []*ratsnetz.Organization{
			{Meta: meta(10, t0, t0), BodyID: 1, Name: "Rat der Stadt", ShortName: "Rat", OrganizationType: ratsnetz.OrgTypeGremium,
				Classification: ratsnetz.ClassParlament, Post: []string{"Vorsitz", "Mitglied"}, StartDate: day(2020, 11, 1),
				Website: "https://musterstadt.example/rat", LocationID: 5, Seats: 58, InvitationDays: 7},
			{Meta: meta(11, t0, t0), BodyID: 1, Name: "Bauausschuss", OrganizationType: ratsnetz.OrgTypeGremium,
				Classification: ratsnetz.ClassAusschuss, SubOrganizationOfID: 10, StartDate: day(2014, 6, 1), EndDate: day(2020, 10, 31)},
			{Meta: meta(12, t0, t0), BodyID: 1, Name: "Fraktion Grün", OrganizationType: ratsnetz.OrgTypeFraktion,
				Classification: ratsnetz.ClassFraktion, Color: "#1aa037"},
			{Meta: meta(13, t0, t0), BodyID: 2, Name: "Aufsichtsrat", OrganizationType: ratsnetz.OrgTypeGremium,
				Classification: ratsnetz.ClassAufsichtsrat, Confidential: true, ExternalBodyID: 2},
		},
		Persons: []*ratsnetz.Person{
			{Meta: meta(20, t0, t0), BodyID: 1, Name: "Dr. Erika Mustermann", FamilyName: "Mustermann", GivenName: "Erika",
				FormOfAddress: "Frau", Title: []string{"Dr."}, Gender: "female", Phone: []string{"+49 1"}, Email: []string{"e@example.org"},
				LocationID: 5, Status: []string{"Ratsmitglied"}, Life: "geboren 1970", LifeSource: "Wikipedia"},
			{Meta: meta(21, t0, t0), BodyID: 1, Name: "Max Muster", FamilyName: "Muster", GivenName: "Max", Affix: "von", Gender: "male"},
			{Meta: meta(22, t0, t0), BodyID: 2, Name: "Jana Jansen"},
		},
		Memberships: []*ratsnetz.Membership{
			{Meta: meta(30, t0, t0), PersonID: 20, OrganizationID: 10, Role: ratsnetz.RoleChair, VotingRight: true,
				StartDate: day(2020, 11, 1), OnBehalfOfID: 12},
			{Meta: meta(31, t0, t0), PersonID: 21, OrganizationID: 11, Role: ratsnetz.RoleMember, StartDate: day(2014, 6, 1), EndDate: day(2020, 10, 31)},
			{Meta: meta(32, t0, t0), PersonID: 22, OrganizationID: 13, Role: ratsnetz.RoleMember, VotingRight: true},
		},
		Meetings: []*ratsnetz.Meeting{
			{Meta: meta(40, t0, t1), BodyID: 1, Name: "12. Sitzung des Rates", MeetingState: ratsnetz.MeetingStateHeld,
				Start: time.Date(2024, 3, 1, 16, 0, 0, 0, time.UTC), End: time.Date(2024, 3, 1, 19, 30, 0, 0, time.UTC),
				LocationID: 5, Mode: ratsnetz.ModeInPerson, OrganizationIDs: []int64{10, 12}, ParticipantIDs: []int64{20, 21},
				InvitationFileID: 84, AuxiliaryFileIDs: []int64{87}, Public: true},
			{Meta: meta(41, t0, t0), BodyID: 1, Name: "Bauausschuss", MeetingState: ratsnetz.MeetingStateInvited,
				Start: time.Date(2024, 4, 1, 16, 0, 0, 0, time.UTC), OrganizationIDs: []int64{11}, Cancelled: true, Public: true},
			{Meta: meta(42, t0, t2), BodyID: 2, Name: "Aufsichtsratssitzung " + Canary,
				Start: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), OrganizationIDs: []int64{13}, ParticipantIDs: []int64{22},
				ResultsProtocolFileID: 86, Public: false},
			{Meta: ratsnetz.Meta{ID: 43, Created: t0, Modified: t2, Deleted: true}, BodyID: 1, Name: "Abgesagt",
				Start: time.Date(2024, 6, 1, 10, 0, 0, 0, time.UTC), OrganizationIDs: []int64{10}, Public: true},
		},
		AgendaItems: []*ratsnetz.AgendaItem{
			{Meta: meta(50, t0, t1), MeetingID: 40, Order: 0, Number: "Ö 1", Name: "Neubau Grundschule", Public: true,
				ConsultationID: 70, PaperID: 60, Result: ratsnetz.ResultAdopted, ResolutionText: "Der Rat beschließt.",
				MinutesText: "Aussprache.", Vote: &ratsnetz.VoteResult{Yes: 40, No: 10, Abstain: 2,
					Factions: []ratsnetz.FactionVote{{OrganizationID: 12, Name: "Grün", Yes: 12}}, Note: "einstimmig nicht"},
				ResolutionFileID: 80, Start: time.Date(2024, 3, 1, 16, 5, 0, 0, time.UTC), End: time.Date(2024, 3, 1, 16, 45, 0, 0, time.UTC)},
			{Meta: meta(51, t0, t1), MeetingID: 40, Order: 1, Number: "N 1", Name: "Grundstücksverkauf " + Canary, Public: false,
				ConsultationID: 71, PaperID: 61, Result: ratsnetz.ResultAdopted, ResolutionText: "Verkauf " + Canary,
				MinutesText: Canary, Vote: &ratsnetz.VoteResult{Unanimous: true, Note: Canary}, AuxiliaryFileIDs: []int64{81},
				Start: time.Date(2024, 3, 1, 17, 0, 0, 0, time.UTC), Urgent: true},
			{Meta: meta(52, t0, t0), MeetingID: 42, Order: 0, Number: "1", Name: "Wirtschaftsplan " + Canary, Public: true,
				ConsultationID: 72, PaperID: 60},
			{Meta: meta(53, t0, t0), MeetingID: 41, Order: 0, Number: "Ö 1", Name: "Bebauungsplan", Public: true,
				ConsultationID: 73, PaperID: 62, Addendum: true},
			{Meta: meta(54, t0, t0), MeetingID: 40, Order: 2, Number: "Ö 2", Name: "Bericht", Public: true,
				ConsultationID: 71, PaperID: 61},
		},
		Papers: []*ratsnetz.Paper{
			{Meta: meta(60, t0, t1), BodyID: 1, Name: "Neubau der Grundschule Süd", Reference: "2024/0001", Date: day(2024, 2, 1),
				PaperType: ratsnetz.PaperTypeResolution, Status: ratsnetz.PaperStatusDecided, Public: true,
				Sections:        []ratsnetz.TextSection{{Heading: ratsnetz.SectionProposal, Text: "Der Rat beschließt den Neubau."}},
				RelatedPaperIDs: []int64{61, 62}, SubordinatedPaperIDs: []int64{62}, MainFileID: 80, AuxiliaryFileIDs: []int64{81, 83},
				LocationIDs: []int64{5}, OriginatorPersonIDs: []int64{20}, OriginatorOrganizationIDs: []int64{12},
				UnderDirectionOfIDs: []int64{11}, ResponsiblePersonID: 21},
			{Meta: meta(61, t0, t1), BodyID: 1, Name: "Verkauf Grundstück " + Canary, Reference: "2024/0002", Date: day(2024, 2, 15),
				PaperType: ratsnetz.PaperTypeResolution, Status: ratsnetz.PaperStatusDecided, Public: false,
				Sections:        []ratsnetz.TextSection{{Heading: ratsnetz.SectionReasoning, Text: Canary}},
				RelatedPaperIDs: []int64{60}, AuxiliaryFileIDs: []int64{82}},
			{Meta: meta(62, t0, t0), BodyID: 1, Name: "Änderung Bebauungsplan Nord", Reference: "2023/0100", Date: day(2023, 11, 5),
				PaperType: ratsnetz.PaperTypeMotion, Status: ratsnetz.PaperStatusInProgress, Public: true,
				SuperordinatedPaperIDs: []int64{60}},
			{Meta: ratsnetz.Meta{ID: 63, Created: t0, Modified: t2, Deleted: true}, BodyID: 1, Name: "Zurückgezogen",
				Reference: "2024/0003", Date: day(2024, 1, 20), PaperType: ratsnetz.PaperTypeMotion, Public: true},
		},
		Consultations: []*ratsnetz.Consultation{
			{Meta: meta(70, t0, t0), PaperID: 60, MeetingID: 40, AgendaItemID: 50, OrganizationIDs: []int64{10},
				Authoritative: true, Role: ratsnetz.ConsultationDecision, Status: ratsnetz.ConsultationDone,
				Result: ratsnetz.ResultAdopted, Date: day(2024, 3, 1), Position: 1},
			{Meta: meta(71, t0, t0), PaperID: 61, MeetingID: 40, AgendaItemID: 51, OrganizationIDs: []int64{10}, Position: 0},
			{Meta: meta(72, t0, t0), PaperID: 60, MeetingID: 42, AgendaItemID: 52, OrganizationIDs: []int64{13, 10},
				Role: ratsnetz.ConsultationPreliminary, Position: 0},
			{Meta: meta(73, t0, t0), PaperID: 62, MeetingID: 41, AgendaItemID: 53, OrganizationIDs: []int64{11}, Position: 0},
		},
		Files: []*ratsnetz.File{
			{Meta: meta(80, t0, t0), BodyID: 1, Name: "Vorlage 2024-0001", FileName: "vorlage.pdf", MimeType: "application/pdf",
				Date: day(2024, 2, 1), Size: 1234, SHA256: "ab", SHA512: "cd", BlobKey: "files/80", Text: "Grundschule",
				ExternalServiceURL: "https://ext.example/80", License: "CC0", Public: true},
			{Meta: meta(81, t0, t0), BodyID: 1, Name: "Lageplan", FileName: "lageplan.pdf", Public: true},
			{Meta: meta(82, t0, t0), BodyID: 1, Name: "Gutachten", FileName: "gutachten.pdf", Text: Canary, Public: true},
			{Meta: meta(83, t0, t0), BodyID: 1, Name: "Kalkulation " + Canary, FileName: "kalkulation.pdf", Public: false},
			{Meta: meta(84, t0, t0), BodyID: 1, Name: "Einladung", FileName: "einladung.pdf", DerivativeFileIDs: []int64{85, 82}, Public: true},
			{Meta: meta(85, t0, t0), BodyID: 1, Name: "Einladung (barrierefrei)", MasterFileID: 84, Public: true},
			{Meta: meta(86, t0, t0), BodyID: 2, Name: "Protokoll AR", Text: Canary, Public: true},
			{Meta: meta(87, t0, t0), BodyID: 1, Name: "Anwesenheitsliste", Public: true},
			{Meta: meta(88, t0, t0), BodyID: 1, Name: "Auszug", MasterFileID: 83, Public: true},
		},
	}
}

// withBackRefs returns the files of ds with the back-references the store
// derives from the owners' links.
func withBackRefs(ds *ratsnetz.Dataset) map[int64]*ratsnetz.File {
	files := map[int64]*ratsnetz.File{}
	for _, f := range ds.Files {
		c := *f
		files[f.ID] = &c
	}
	add := func(ids *[]int64, fileID, owner int64) {
		f := files[fileID]
		if f == nil {
			return
		}
		for _, id := range *ids {
			if id == owner {
				return
			}
		}
		*ids = append(*ids, owner)
	}
	for _, p := range ds.Papers {
		for _, id := range append([]int64{p.MainFileID}, p.AuxiliaryFileIDs...) {
			if f := files[id]; f != nil {
				add(&f.PaperIDs, id, p.ID)
			}
		}
	}
	for _, m := range ds.Meetings {
		for _, id := range append([]int64{m.InvitationFileID, m.ResultsProtocolFileID, m.VerbatimProtocolFileID}, m.AuxiliaryFileIDs...) {
			if f := files[id]; f != nil {
				add(&f.MeetingIDs, id, m.ID)
			}
		}
	}
	for _, a := range ds.AgendaItems {
		for _, id := range append([]int64{a.ResolutionFileID}, a.AuxiliaryFileIDs...) {
			if f := files[id]; f != nil {
				add(&f.AgendaItemIDs, id, a.ID)
			}
		}
	}
	for _, f := range files {
		slices.Sort(f.PaperIDs)
		slices.Sort(f.MeetingIDs)
		slices.Sort(f.AgendaItemIDs)
	}
	return files
}
