// Package demo generates the fictional municipality "Stadt Musterstadt" with
// its council, committees, district councils, companies, persons, papers,
// meetings and PDF files, and loads it through a ratsnetz.Loader.
//
// The output is deterministic for a given Options.Now (truncated to the day):
// all dates are anchored to it (meetings from about 14 months ago to 3 months
// ahead) and all randomness comes from a fixed seed. All names are fictional.
//
// Every non-public object (paper, agenda item, meeting, file) carries the
// marker Canary in its title and texts, and no public object does, so tests
// of every output path can check that nothing confidential leaks.
//
// Well-known objects for tests: CityBodyID, StadtwerkeBodyID, HousingBodyID,
// CouncilID, DigitalCommitteeID, FinanceCommitteeID, StadtwerkeBoardID, the
// reserved paper IDs TabletPaperID … NonPublicPaperID and file IDs
// TabletMainFileID, NonPublicFileID; meetings and agenda items that depend on
// the date come back in Summary.Known.
package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Canary marks every non-public title, text and file of the demo. It never
// appears in public data.
const Canary = "VERTRAULICH-7Q2X-KANARIE"

// Well-known IDs, fixed regardless of Options.Now.
const (
	CityBodyID       int64 = 1 // Stadt Musterstadt
	StadtwerkeBodyID int64 = 2 // Stadtwerke Musterstadt GmbH
	HousingBodyID    int64 = 3 // Musterstädter Wohnungsbaugesellschaft mbH

	CouncilID          int64 = 1 // Rat der Stadt Musterstadt
	FinanceCommitteeID int64 = 2 // Haupt- und Finanzausschuss
	DigitalCommitteeID int64 = 3 // Ausschuss für Digitales, Infrastruktur und Mobilität
	// StadtwerkeBoardID is the Aufsichtsrat der Stadtwerke Musterstadt GmbH
	// (Confidential; all its meetings are non-public).
	StadtwerkeBoardID int64 = 4

	// TabletPaperID is a public Beschlussvorlage "Digitale Ratsarbeit für
	// ehrenamtliche Mandatsträgerinnen und Mandatsträger", decided by the
	// council with a per-faction vote, with a non-public attachment
	// (NonPublicFileID).
	TabletPaperID int64 = 1
	// CommunicationPaperID is a public motion for a unified digital
	// communication system of administration, city companies and politics,
	// adopted with an amendment (Änderungsantrag).
	CommunicationPaperID int64 = 2
	// HybridPaperID is a public motion for hybrid meetings, adopted.
	HybridPaperID int64 = 3
	// FactionCloudPaperID is a public motion for a faction cloud: first
	// reading, postponed, and still under consultation.
	FactionCloudPaperID int64 = 4
	// NonPublicPaperID is a non-public Grundstücksangelegenheit treated in the
	// non-public part of a public council meeting.
	NonPublicPaperID int64 = 5

	// TabletMainFileID is the (public) main file of TabletPaperID.
	TabletMainFileID int64 = 1
	// NonPublicFileID is a non-public attachment of the public TabletPaperID.
	NonPublicFileID int64 = 6
	// NonPublicMainFileID is the main file of NonPublicPaperID.
	NonPublicMainFileID int64 = 5
)

// Scales.
const (
	ScaleSmall = "small"
	ScaleLarge = "large"
)

// Options control the generation.
type Options struct {
	// Scale is "small" (default: a complete, realistic city with PDF files)
	// or "large" (small plus about 200 000 papers, 20 000 meetings, 400 000
	// agenda items, 500 000 files and 5 000 persons without own PDFs).
	Scale string
	// Now anchors all dates; it is truncated to the day. Zero means
	// 2026-01-15, so that output never depends on the wall clock.
	Now time.Time
	// Progress receives progress lines (large scale); nil discards them.
	Progress io.Writer
	// LargeFactor scales the large data set (1 = full size); tests use small
	// fractions. Zero means 1.
	LargeFactor float64
	// ChunkSize is the number of objects per Load call in the large scale;
	// zero means 5000.
	ChunkSize int
}

// Summary tells what was loaded.
type Summary struct {
	Bodies           int
	LegislativeTerms int
	Locations        int
	Organizations    int
	Persons          int
	Memberships      int
	Meetings         int
	AgendaItems      int
	Papers           int
	Consultations    int
	Files            int
	// Blobs is the number of contents stored in the BlobStore, BlobBytes their size.
	Blobs     int
	BlobBytes int64
	Known     Known
}

// Known holds IDs of objects tests need that depend on the date.
type Known struct {
	// TabletCouncilMeetingID is the past public council meeting that decided
	// TabletPaperID and treated NonPublicPaperID in its non-public part.
	TabletCouncilMeetingID int64
	// TabletAgendaItemID is the public agenda item of that decision (with vote).
	TabletAgendaItemID int64
	// NonPublicAgendaItemID is the non-public agenda item of NonPublicPaperID
	// in TabletCouncilMeetingID.
	NonPublicAgendaItemID int64
	// NonPublicMeetingID is a past meeting of the Stadtwerke supervisory
	// board, non-public as a whole.
	NonPublicMeetingID int64
	// NextCouncilMeetingID is the next council meeting after Now.
	NextCouncilMeetingID int64
	// CouncilMemberPersonID is a current council member (faction chair).
	CouncilMemberPersonID int64
}

// Add adds the counts of ds.
func (s *Summary) add(ds *ratsnetz.Dataset) {
	s.Bodies += len(ds.Bodies)
	s.LegislativeTerms += len(ds.LegislativeTerms)
	s.Locations += len(ds.Locations)
	s.Organizations += len(ds.Organizations)
	s.Persons += len(ds.Persons)
	s.Memberships += len(ds.Memberships)
	s.Meetings += len(ds.Meetings)
	s.AgendaItems += len(ds.AgendaItems)
	s.Papers += len(ds.Papers)
	s.Consultations += len(ds.Consultations)
	s.Files += len(ds.Files)
}

// Objects returns the total number of objects.
func (s Summary) Objects() int {
	return s.Bodies + s.LegislativeTerms + s.Locations + s.Organizations + s.Persons + s.Memberships +
		s.Meetings + s.AgendaItems + s.Papers + s.Consultations + s.Files
}

// Load generates the demo and loads it through loader, storing file contents
// in blobs. ctx should carry the system viewer (ratsnetz.SystemContext); Load
// adds it if the caller did not.
func Load(ctx context.Context, loader ratsnetz.Loader, blobs ratsnetz.BlobStore, opts Options) (Summary, error) {
	if !ratsnetz.ViewerFromContext(ctx).System {
		ctx = ratsnetz.SystemContext(ctx)
	}
	var sum Summary
	emit := func(ds *ratsnetz.Dataset) error {
		if err := loader.Load(ctx, ds); err != nil {
			return fmt.Errorf("load demo: %w", err)
		}
		sum.add(ds)
		return nil
	}
	known, blobCount, blobBytes, err := Generate(ctx, blobs, opts, emit)
	sum.Known = known
	sum.Blobs, sum.BlobBytes = blobCount, blobBytes
	return sum, err
}

// Generate generates the demo, storing file contents in blobs and handing the
// objects to emit in datasets (one for the small city, then chunks for the
// large scale). It returns the date-dependent well-known IDs and the number
// and size of stored contents.
func Generate(ctx context.Context, blobs ratsnetz.BlobStore, opts Options, emit func(*ratsnetz.Dataset) error) (Known, int, int64, error) {
	switch opts.Scale {
	case "", ScaleSmall, ScaleLarge:
	default:
		return Known{}, 0, 0, ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannte Größe %q (erlaubt: small, large).", opts.Scale)
	}
	g := newGen(ctx, blobs, opts)
	if err := g.small(); err != nil {
		return g.known, g.blobCount, g.blobBytes, err
	}
	if err := emit(g.ds); err != nil {
		return g.known, g.blobCount, g.blobBytes, err
	}
	g.ds = nil
	if opts.Scale == ScaleLarge {
		if err := g.large(emit); err != nil {
			return g.known, g.blobCount, g.blobBytes, err
		}
	}
	return g.known, g.blobCount, g.blobBytes, nil
}
