package importer

import (
	"encoding/json"
	"mime"
	"strings"
	"time"
	"unicode"

	"github.com/ratsnetz/ratsnetz"
)

// typeKinds maps OParl type names to the kinds of the ID mapping.
var typeKinds = map[string]string{
	"Body":            ratsnetz.KindBody,
	"LegislativeTerm": ratsnetz.KindLegislativeTerm,
	"Location":        ratsnetz.KindLocation,
	"Organization":    ratsnetz.KindOrganization,
	"Person":          ratsnetz.KindPerson,
	"Membership":      ratsnetz.KindMembership,
	"Meeting":         ratsnetz.KindMeeting,
	"AgendaItem":      ratsnetz.KindAgendaItem,
	"Paper":           ratsnetz.KindPaper,
	"Consultation":    ratsnetz.KindConsultation,
	"File":            ratsnetz.KindFile,
}

// fileTask is a file whose content is to be fetched.
type fileTask struct {
	file    *ratsnetz.File
	url     string
	hasText bool
}

// mapper turns the OParl objects of one response into one Dataset. It runs
// twice over the same objects: first collecting every external id (quiet,
// IDs all 0), then, after the IDs were resolved in one batch per kind, for
// real.
type mapper struct {
	r       *run
	collect bool
	// ahead marks a collecting pass run ahead of its page's turn (see
	// run.preResolve): it only gathers ids and changes no run state.
	ahead bool
	// want collects external ids per kind in the collecting pass.
	want map[string]map[string]struct{}
	// ids holds the resolved IDs in the real pass.
	ids map[string]map[string]int64
	// bodyExt is the body whose list is walked; objects without a body
	// reference belong to it.
	bodyExt  string
	filtered bool

	ds      ratsnetz.Dataset
	defined map[string]map[string]bool
	deleted map[string]int
	files   []fileTask
	// consPaper records consultation → paper links seen.
	consPaper map[string]string
	// lookupCons collects (in the collecting pass) consultations whose
	// stored state is needed; stored holds them in the real pass: the paper
	// of a consultation, the position of a standalone one.
	lookupCons map[string]struct{}
	stored     map[int64]*ratsnetz.Consultation
	// agendaOf, consultationsOf and membershipsOf record, per parent that
	// embeds the full list, which children it has now (vanished ones become
	// tombstones).
	agendaOf, consultationsOf, membershipsOf map[int64]*childSet
}

// childSet is the embedded children a parent lists now.
type childSet struct {
	modified time.Time
	ids      map[int64]bool
}

func recordChildren(sets map[int64]*childSet, parent ratsnetz.Meta, ids []int64) {
	cs := &childSet{modified: parent.Modified, ids: map[int64]bool{}}
	for _, id := range ids {
		cs.ids[id] = true
	}
	sets[parent.ID] = cs
}

func newMapper(r *run, bodyExt string, filtered, collect bool) *mapper {
	return &mapper{
		r: r, bodyExt: bodyExt, filtered: filtered, collect: collect,
		want: map[string]map[string]struct{}{}, ids: map[string]map[string]int64{},
		defined: map[string]map[string]bool{}, deleted: map[string]int{},
		consPaper: map[string]string{}, lookupCons: map[string]struct{}{},
		agendaOf: map[int64]*childSet{}, consultationsOf: map[int64]*childSet{}, membershipsOf: map[int64]*childSet{},
	}
}

func (m *mapper) id(kind, ext string) int64 {
	if ext == "" {
		return 0
	}
	if m.collect {
		if m.want[kind] == nil {
			m.want[kind] = map[string]struct{}{}
		}
		m.want[kind][ext] = struct{}{}
		return 0
	}
	return m.ids[kind][ext]
}

func (m *mapper) idList(kind string, exts []string) []int64 {
	var out []int64
	seen := map[string]bool{}
	for _, e := range exts {
		if e == "" || seen[e] {
			continue
		}
		seen[e] = true
		out = append(out, m.id(kind, e))
	}
	return out
}

// define marks kind/ext as part of this dataset; false if it already was.
func (m *mapper) define(kind, ext string) bool {
	if m.defined[kind] == nil {
		m.defined[kind] = map[string]bool{}
	}
	if m.defined[kind][ext] {
		return false
	}
	m.defined[kind][ext] = true
	return true
}

func (m *mapper) bodyID(o *obj) int64 {
	if b, _ := o.ref("body"); b != "" {
		return m.id(ratsnetz.KindBody, b)
	}
	return m.id(ratsnetz.KindBody, m.bodyExt)
}

func (m *mapper) meta(o *obj, kind string, parent *ratsnetz.Meta) ratsnetz.Meta {
	mt := ratsnetz.Meta{ID: m.id(kind, o.id), ExternalID: o.id, Deleted: o.deleted()}
	mt.Created = o.dateTime("created")
	mt.Modified = o.dateTime("modified")
	if mt.Created.IsZero() {
		if parent != nil {
			mt.Created = parent.Created
		} else if !mt.Modified.IsZero() {
			mt.Created = mt.Modified
			o.quirk(QuirkMissingRequired, "created", "Pflichtangabe fehlt, modified übernommen")
		} else {
			o.quirk(QuirkMissingRequired, "created", "Pflichtangabe fehlt")
		}
	}
	if mt.Modified.IsZero() {
		if parent != nil {
			mt.Modified = parent.Modified
		} else {
			mt.Modified = mt.Created
			if !mt.Created.IsZero() {
				o.quirk(QuirkMissingRequired, "modified", "Pflichtangabe fehlt")
			}
		}
	}
	if mt.Deleted && !m.defined[kind][o.id] {
		m.deleted[kind]++
	}
	return mt
}

// top maps an object found in a list (or fetched on its own); listKind is
// the kind the list holds, used when the object lacks a type.
func (m *mapper) top(o *obj, listKind string) {
	t := o.typeName()
	kind := typeKinds[t]
	if t == "" {
		kind = listKind
		if o.deleted() {
			o.quirk(QuirkTombstoneWithoutType, "type", "gelöschtes Objekt ohne type, als %s gelesen", kindNamesDE[kind])
		} else {
			o.quirk(QuirkMissingType, "type", "Objekt ohne type, als %s gelesen", kindNamesDE[kind])
		}
	}
	if kind == "" {
		if t != "System" {
			o.quirk(QuirkUnknownType, "type", "unbekannter Typ %q übersprungen", t)
		}
		return
	}
	if o.deleted() && !m.filtered {
		o.quirk(QuirkTombstoneUnfiltered, "deleted", "gelöschtes Objekt in ungefilterter Liste")
	}
	switch kind {
	case ratsnetz.KindBody:
		m.body(o)
	case ratsnetz.KindLegislativeTerm:
		m.legislativeTerm(o, nil, 0)
	case ratsnetz.KindLocation:
		m.location(o, nil, m.id(ratsnetz.KindBody, m.bodyExt))
	case ratsnetz.KindOrganization:
		m.organization(o)
	case ratsnetz.KindPerson:
		m.person(o)
	case ratsnetz.KindMembership:
		m.membership(o, nil, 0)
	case ratsnetz.KindMeeting:
		m.meeting(o)
	case ratsnetz.KindAgendaItem:
		m.agendaItem(o, nil, 0, -1)
	case ratsnetz.KindPaper:
		m.paper(o)
	case ratsnetz.KindConsultation:
		m.consultation(o, nil, "", -1)
	case ratsnetz.KindFile:
		m.file(o, nil)
	}
}

// live returns id for a live object and 0 for a tombstone, so that deleted
// embedded objects never end up in their parent's lists.
func live(mt ratsnetz.Meta) int64 {
	if mt.Deleted {
		return 0
	}
	return mt.ID
}

func appendLive(ids []int64, id int64) []int64 {
	if id == 0 {
		return ids
	}
	for _, x := range ids {
		if x == id {
			return ids
		}
	}
	return append(ids, id)
}

func (m *mapper) body(o *obj) int64 {
	mt := m.meta(o, ratsnetz.KindBody, nil)
	if !m.define(ratsnetz.KindBody, o.id) {
		return live(mt)
	}
	b := &ratsnetz.Body{Meta: mt, Kind: ratsnetz.BodyKindMunicipality}
	m.ds.Bodies = append(m.ds.Bodies, b)
	if mt.Deleted {
		return 0
	}
	// Ratsnetz's own extensions (vendor prefix), when the source is Ratsnetz.
	if k := o.str("ratsnetz:kind"); k != "" {
		b.Kind = k
	}
	owner, _ := o.ref("ratsnetz:ownerBody")
	b.OwnerBodyID = m.id(ratsnetz.KindBody, owner)
	b.Name = o.str("name")
	if b.Name == "" {
		o.quirk(QuirkMissingRequired, "name", "Pflichtangabe fehlt")
	}
	b.ShortName = o.str("shortName")
	b.Website = o.str("website")
	b.License = o.str("license")
	b.LicenseValidSince = o.dateTime("licenseValidSince")
	b.OparlSince = o.dateTime("oparlSince")
	b.AGS = normalizeDigits(o, "ags", 8)
	b.RGS = normalizeDigits(o, "rgs", 12)
	b.Equivalent = o.strs("equivalent")
	b.ContactEmail = o.str("contactEmail")
	b.ContactName = o.str("contactName")
	b.Classification = o.str("classification")
	if l := o.child("location"); l != nil {
		b.LocationID = m.location(l, &b.Meta, b.ID)
	}
	if !o.has("legislativeTerm") {
		o.quirk(QuirkMissingRequired, "legislativeTerm", "Pflichtangabe fehlt")
	}
	for _, c := range o.children("legislativeTerm") {
		m.legislativeTerm(c, &b.Meta, b.ID)
	}
	return b.ID
}

// normalizeDigits repairs Gemeindeschlüssel that lost a leading zero or
// carry one digit too many.
func normalizeDigits(o *obj, key string, n int) string {
	s := o.str(key)
	if s == "" {
		return ""
	}
	digits := strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
	switch {
	case len(digits) == n:
		if digits != s {
			o.quirk(QuirkNormalizedValue, key, "%q zu %q bereinigt", s, digits)
		}
		return digits
	case len(digits) == n-1:
		o.quirk(QuirkNormalizedValue, key, "%q: führende Null ergänzt", s)
		return "0" + digits
	case len(digits) == n+1 && strings.HasSuffix(digits, "0"):
		o.quirk(QuirkNormalizedValue, key, "%q: eine Stelle zu viel, gekürzt", s)
		return digits[:n]
	}
	o.quirk(QuirkInvalidValue, key, "%q ist kein %d-stelliger Schlüssel", s, n)
	return s
}

func (m *mapper) legislativeTerm(o *obj, parent *ratsnetz.Meta, bodyID int64) int64 {
	mt := m.meta(o, ratsnetz.KindLegislativeTerm, parent)
	if !m.define(ratsnetz.KindLegislativeTerm, o.id) {
		return live(mt)
	}
	if bodyID == 0 {
		bodyID = m.bodyID(o)
	}
	t := &ratsnetz.LegislativeTerm{Meta: mt, BodyID: bodyID}
	m.ds.LegislativeTerms = append(m.ds.LegislativeTerms, t)
	if mt.Deleted {
		return 0
	}
	t.Name = o.str("name")
	t.StartDate = o.date("startDate")
	t.EndDate = o.date("endDate")
	if t.StartDate.IsZero() && o.has("start_date") {
		t.StartDate = o.date("start_date")
	}
	if t.EndDate.IsZero() && o.has("end_date") {
		t.EndDate = o.date("end_date")
	}
	return t.ID
}

func (m *mapper) location(o *obj, parent *ratsnetz.Meta, bodyID int64) int64 {
	mt := m.meta(o, ratsnetz.KindLocation, parent)
	if !m.define(ratsnetz.KindLocation, o.id) {
		return live(mt)
	}
	if o.typeName() == "" && parent != nil {
		o.quirk(QuirkMissingType, "type", "eingebetteter Ort ohne type")
	}
	l := &ratsnetz.Location{Meta: mt, BodyID: bodyID}
	m.ds.Locations = append(m.ds.Locations, l)
	if mt.Deleted {
		return 0
	}
	l.Description = o.str("description")
	l.StreetAddress = o.str("streetAddress")
	l.Room = o.str("room")
	l.PostalCode = o.str("postalCode")
	l.SubLocality = o.str("subLocality")
	l.Locality = o.str("locality")
	m.geo(o, l)
	return l.ID
}

func plausibleGermany(lat, lon float64) bool {
	return lat >= 47 && lat <= 55.1 && lon >= 5.8 && lon <= 15.1
}

// geo reads a GeoJSON Feature (or bare geometry) with a Point.
func (m *mapper) geo(o *obj, l *ratsnetz.Location) {
	g, ok := o.m["geojson"].(map[string]any)
	if !ok {
		return
	}
	if geom, ok := g["geometry"].(map[string]any); ok {
		g = geom
	}
	if t, _ := g["type"].(string); t != "Point" {
		return
	}
	c, ok := g["coordinates"].([]any)
	if !ok || len(c) < 2 {
		o.quirk(QuirkInvalidValue, "geojson", "Punkt ohne Koordinaten")
		return
	}
	a, errA := toFloat(c[0])
	b, errB := toFloat(c[1])
	if errA != nil || errB != nil {
		o.quirk(QuirkInvalidValue, "geojson", "unlesbare Koordinaten")
		return
	}
	lon, lat := a, b
	if !plausibleGermany(lat, lon) && plausibleGermany(lon, lat) {
		o.quirk(QuirkSwappedCoordinates, "geojson", "Koordinaten [%v, %v] als [lat, lon] erkannt und getauscht", a, b)
		lon, lat = b, a
	}
	if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		o.quirk(QuirkInvalidValue, "geojson", "Koordinaten außerhalb des gültigen Bereichs")
		return
	}
	l.HasGeo, l.Lat, l.Lon = true, lat, lon
}

func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case json.Number:
		return x.Float64()
	case float64:
		return x, nil
	}
	return 0, errNotNumber
}

var errNotNumber = &json.UnsupportedValueError{Str: "not a number"}

func (m *mapper) organization(o *obj) int64 {
	mt := m.meta(o, ratsnetz.KindOrganization, nil)
	if !m.define(ratsnetz.KindOrganization, o.id) {
		return live(mt)
	}
	g := &ratsnetz.Organization{Meta: mt, BodyID: m.bodyID(o)}
	m.ds.Organizations = append(m.ds.Organizations, g)
	if mt.Deleted {
		return 0
	}
	g.Name = o.str("name")
	g.ShortName = o.str("shortName")
	g.OrganizationType = o.str("organizationType")
	g.Classification = o.str("classification")
	g.Post = o.strs("post")
	sub, _ := o.ref("subOrganizationOf")
	g.SubOrganizationOfID = m.id(ratsnetz.KindOrganization, sub)
	g.StartDate = o.date("startDate")
	g.EndDate = o.date("endDate")
	g.Website = o.str("website")
	if l := o.child("location"); l != nil {
		g.LocationID = m.location(l, &g.Meta, g.BodyID)
	}
	ext, _ := o.ref("externalBody")
	g.ExternalBodyID = m.id(ratsnetz.KindBody, ext)
	if n, ok := o.integer("ratsnetz:seats"); ok {
		g.Seats = int(n)
	}
	g.Color = o.str("ratsnetz:color")
	return g.ID
}

func (m *mapper) person(o *obj) int64 {
	mt := m.meta(o, ratsnetz.KindPerson, nil)
	if !m.define(ratsnetz.KindPerson, o.id) {
		return live(mt)
	}
	p := &ratsnetz.Person{Meta: mt, BodyID: m.bodyID(o)}
	m.ds.Persons = append(m.ds.Persons, p)
	if mt.Deleted {
		return 0
	}
	p.Name = o.str("name")
	p.FamilyName = o.str("familyName")
	p.GivenName = o.str("givenName")
	p.FormOfAddress = o.str("formOfAddress")
	p.Affix = o.str("affix")
	p.Title = o.strs("title")
	p.Gender = o.str("gender")
	p.Phone = o.strs("phone")
	p.Email = o.strs("email")
	p.Status = o.strs("status")
	p.Life = o.str("life")
	p.LifeSource = o.str("lifeSource")
	if l := o.child("locationObject"); l != nil {
		p.LocationID = m.location(l, &p.Meta, p.BodyID)
	} else if u, emb := o.ref("location"); emb != nil {
		p.LocationID = m.location(emb, &p.Meta, p.BodyID)
	} else {
		p.LocationID = m.id(ratsnetz.KindLocation, u)
	}
	var ids []int64
	for _, c := range o.children("membership") {
		ids = append(ids, m.membership(c, &p.Meta, p.ID))
	}
	if o.has("membership") {
		recordChildren(m.membershipsOf, p.Meta, ids)
	}
	if p.Name == "" && (p.FamilyName != "" || p.GivenName != "") {
		p.Name = strings.TrimSpace(p.GivenName + " " + p.FamilyName)
	}
	return p.ID
}

func (m *mapper) membership(o *obj, parent *ratsnetz.Meta, personID int64) int64 {
	mt := m.meta(o, ratsnetz.KindMembership, parent)
	if !m.define(ratsnetz.KindMembership, o.id) {
		return live(mt)
	}
	if personID == 0 {
		p, _ := o.ref("person")
		personID = m.id(ratsnetz.KindPerson, p)
	}
	ms := &ratsnetz.Membership{Meta: mt, PersonID: personID}
	m.ds.Memberships = append(m.ds.Memberships, ms)
	org, _ := o.ref("organization")
	ms.OrganizationID = m.id(ratsnetz.KindOrganization, org)
	if mt.Deleted {
		return 0
	}
	ms.Role = o.str("role")
	ms.VotingRight, _ = o.boolean("votingRight")
	ms.StartDate = o.date("startDate")
	ms.EndDate = o.date("endDate")
	obo, _ := o.ref("onBehalfOf")
	ms.OnBehalfOfID = m.id(ratsnetz.KindOrganization, obo)
	return ms.ID
}

func (m *mapper) meeting(o *obj) int64 {
	mt := m.meta(o, ratsnetz.KindMeeting, nil)
	if !m.define(ratsnetz.KindMeeting, o.id) {
		return live(mt)
	}
	mg := &ratsnetz.Meeting{Meta: mt, BodyID: m.bodyID(o), Public: true}
	m.ds.Meetings = append(m.ds.Meetings, mg)
	if mt.Deleted {
		return 0
	}
	mg.Name = o.str("name")
	mg.MeetingState = o.str("meetingState")
	mg.Mode = o.str("ratsnetz:mode")
	mg.Cancelled, _ = o.boolean("cancelled")
	mg.Start = o.dateTime("start")
	mg.End = o.dateTime("end")
	if l := o.child("location"); l != nil {
		mg.LocationID = m.location(l, &mg.Meta, mg.BodyID)
	}
	mg.OrganizationIDs = m.idList(ratsnetz.KindOrganization, o.refs("organization"))
	mg.ParticipantIDs = m.idList(ratsnetz.KindPerson, o.refs("participant"))
	if f := o.child("invitation"); f != nil {
		mg.InvitationFileID = m.file(f, &mg.Meta)
	}
	if f := o.child("resultsProtocol"); f != nil {
		mg.ResultsProtocolFileID = m.file(f, &mg.Meta)
	}
	if f := o.child("verbatimProtocol"); f != nil {
		mg.VerbatimProtocolFileID = m.file(f, &mg.Meta)
	}
	for _, f := range o.children("auxiliaryFile") {
		mg.AuxiliaryFileIDs = appendLive(mg.AuxiliaryFileIDs, m.file(f, &mg.Meta))
	}
	items := o.children("agendaItem")
	var liveItems []*obj
	for _, it := range items {
		if !it.deleted() {
			liveItems = append(liveItems, it)
		}
	}
	// order is the 0-based position (1.1); vendors count from 1 or 100001.
	mismatch := false
	for i, it := range liveItems {
		if n, ok := it.integer("order"); ok && n != int64(i) {
			mismatch = true
		}
	}
	if mismatch {
		first, _ := liveItems[0].integer("order")
		o.quirk(QuirkAgendaOrder, "agendaItem", "order beginnt bei %d statt 0, als Position 0…%d übernommen", first, len(liveItems)-1)
		if first > 0 && !m.ahead {
			m.r.learnOrderOffset(first)
		}
	}
	pos := 0
	var ids []int64
	for _, it := range items {
		if it.deleted() {
			m.agendaItem(it, &mg.Meta, mg.ID, -1)
			continue
		}
		ids = append(ids, m.agendaItem(it, &mg.Meta, mg.ID, pos))
		pos++
	}
	if o.has("agendaItem") {
		recordChildren(m.agendaOf, mg.Meta, ids)
	}
	return mg.ID
}

// agendaItem maps a TOP; pos is its position in the embedding meeting, or -1
// when it stands alone.
func (m *mapper) agendaItem(o *obj, parent *ratsnetz.Meta, meetingID int64, pos int) int64 {
	mt := m.meta(o, ratsnetz.KindAgendaItem, parent)
	if !m.define(ratsnetz.KindAgendaItem, o.id) {
		return live(mt)
	}
	if meetingID == 0 {
		mu, _ := o.ref("meeting")
		meetingID = m.id(ratsnetz.KindMeeting, mu)
	}
	a := &ratsnetz.AgendaItem{Meta: mt, MeetingID: meetingID, Public: true}
	m.ds.AgendaItems = append(m.ds.AgendaItems, a)
	if mt.Deleted {
		return 0
	}
	if pos >= 0 {
		a.Order = pos
	} else if n, ok := o.integer("order"); ok {
		if off := m.r.orderOffset(); off > 0 && n >= off {
			n -= off
		}
		a.Order = int(n)
	} else {
		o.quirk(QuirkMissingRequired, "order", "Pflichtangabe fehlt")
	}
	a.Number = o.str("number")
	a.Name = o.str("name")
	if p, ok := o.boolean("public"); ok {
		a.Public = p
	}
	cons, _ := o.ref("consultation")
	a.ConsultationID = m.id(ratsnetz.KindConsultation, cons)
	a.PaperID = m.paperOfConsultation(cons, a.ConsultationID)
	a.Result = o.str("result")
	a.ResolutionText = o.str("resolutionText")
	if f := o.child("resolutionFile"); f != nil {
		a.ResolutionFileID = m.file(f, &a.Meta)
	}
	for _, f := range o.children("auxiliaryFile") {
		a.AuxiliaryFileIDs = appendLive(a.AuxiliaryFileIDs, m.file(f, &a.Meta))
	}
	a.Start = o.dateTime("start")
	a.End = o.dateTime("end")
	if vm, ok := o.m["ratsnetz:vote"].(map[string]any); ok {
		a.Vote = m.vote(o.wrap(vm))
	}
	return a.ID
}

// vote reads the ratsnetz:vote extension.
func (m *mapper) vote(o *obj) *ratsnetz.VoteResult {
	v := &ratsnetz.VoteResult{Note: o.str("note")}
	n := func(x *obj, key string) int { i, _ := x.integer(key); return int(i) }
	v.Yes, v.No, v.Abstain = n(o, "yes"), n(o, "no"), n(o, "abstain")
	v.Unanimous, _ = o.boolean("unanimous")
	if fs, ok := o.m["factions"].([]any); ok {
		for _, x := range fs {
			f := o.wrap(x)
			if f == nil {
				continue
			}
			org, _ := f.ref("organization")
			v.Factions = append(v.Factions, ratsnetz.FactionVote{
				OrganizationID: m.id(ratsnetz.KindOrganization, org), Name: f.str("name"),
				Yes: n(f, "yes"), No: n(f, "no"), Abstain: n(f, "abstain"),
			})
		}
	}
	return v
}

// paperOfConsultation finds the paper an agenda item treats: from the
// consultations seen in this run, else from the store.
func (m *mapper) paperOfConsultation(consExt string, consID int64) int64 {
	if consExt == "" {
		return 0
	}
	if p := m.consPaper[consExt]; p != "" {
		return m.id(ratsnetz.KindPaper, p)
	}
	if id := m.r.paperOfConsultation(consExt); id != 0 {
		return id
	}
	if m.collect {
		m.lookupCons[consExt] = struct{}{}
		return 0
	}
	if c := m.stored[consID]; c != nil && consID != 0 {
		return c.PaperID
	}
	return 0
}

func (m *mapper) paper(o *obj) int64 {
	mt := m.meta(o, ratsnetz.KindPaper, nil)
	if !m.define(ratsnetz.KindPaper, o.id) {
		return live(mt)
	}
	p := &ratsnetz.Paper{Meta: mt, BodyID: m.bodyID(o), Public: true}
	m.ds.Papers = append(m.ds.Papers, p)
	if mt.Deleted {
		return 0
	}
	p.Name = o.str("name")
	p.Reference = o.str("reference")
	p.Date = o.date("date")
	p.PaperType = o.str("paperType")
	p.Status = o.str("ratsnetz:status")
	p.RelatedPaperIDs = m.idList(ratsnetz.KindPaper, o.refs("relatedPaper"))
	p.SuperordinatedPaperIDs = m.idList(ratsnetz.KindPaper, o.refs("superordinatedPaper"))
	p.SubordinatedPaperIDs = m.idList(ratsnetz.KindPaper, o.refs("subordinatedPaper"))
	if f := o.child("mainFile"); f != nil {
		p.MainFileID = m.file(f, &p.Meta)
	}
	for _, f := range o.children("auxiliaryFile") {
		p.AuxiliaryFileIDs = appendLive(p.AuxiliaryFileIDs, m.file(f, &p.Meta))
	}
	for _, l := range o.children("location") {
		p.LocationIDs = appendLive(p.LocationIDs, m.location(l, &p.Meta, p.BodyID))
	}
	p.OriginatorPersonIDs = m.idList(ratsnetz.KindPerson, o.refs("originatorPerson"))
	p.OriginatorOrganizationIDs = m.idList(ratsnetz.KindOrganization, o.refs("originatorOrganization"))
	p.UnderDirectionOfIDs = m.idList(ratsnetz.KindOrganization, o.refs("underDirectionOf"))
	pos := 0
	var ids []int64
	for _, c := range o.children("consultation") {
		if c.deleted() {
			m.consultation(c, &p.Meta, o.id, -1)
			continue
		}
		ids = append(ids, m.consultation(c, &p.Meta, o.id, pos))
		pos++
	}
	if o.has("consultation") {
		recordChildren(m.consultationsOf, p.Meta, ids)
	}
	return p.ID
}

// consultation maps a Beratung; paperExt and pos come from the embedding
// paper (pos -1 when it stands alone).
func (m *mapper) consultation(o *obj, parent *ratsnetz.Meta, paperExt string, pos int) int64 {
	mt := m.meta(o, ratsnetz.KindConsultation, parent)
	if !m.define(ratsnetz.KindConsultation, o.id) {
		return live(mt)
	}
	if paperExt == "" {
		paperExt, _ = o.ref("paper")
	}
	if paperExt != "" {
		m.consPaper[o.id] = paperExt
	}
	c := &ratsnetz.Consultation{Meta: mt, PaperID: m.id(ratsnetz.KindPaper, paperExt)}
	m.ds.Consultations = append(m.ds.Consultations, c)
	if mt.Deleted {
		return 0
	}
	ai, _ := o.ref("agendaItem")
	c.AgendaItemID = m.id(ratsnetz.KindAgendaItem, ai)
	mu, _ := o.ref("meeting")
	c.MeetingID = m.id(ratsnetz.KindMeeting, mu)
	c.OrganizationIDs = m.idList(ratsnetz.KindOrganization, o.refs("organization"))
	c.Authoritative, _ = o.boolean("authoritative")
	c.Role = o.str("role")
	c.Status = o.str("ratsnetz:status")
	c.Result = o.str("ratsnetz:result")
	if pos >= 0 {
		c.Position = pos
	} else if m.collect {
		m.lookupCons[o.id] = struct{}{}
	} else if old := m.stored[c.ID]; old != nil {
		c.Position = old.Position
	}
	return c.ID
}

var mimeShort = map[string]string{
	"pdf": "application/pdf", "doc": "application/msword",
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"xls":  "application/vnd.ms-excel",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"ppt":  "application/vnd.ms-powerpoint",
	"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"odt":  "application/vnd.oasis.opendocument.text", "rtf": "application/rtf",
	"txt": "text/plain", "html": "text/html", "htm": "text/html", "jpg": "image/jpeg",
	"jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "tif": "image/tiff",
	"tiff": "image/tiff", "zip": "application/zip", "eml": "message/rfc822", "msg": "application/vnd.ms-outlook",
}

func normalizeMime(o *obj) string {
	s := o.str("mimeType")
	if s == "" || strings.Contains(s, "/") {
		return strings.ToLower(s)
	}
	short := strings.ToLower(strings.TrimPrefix(s, "."))
	t := mimeShort[short]
	if t == "" {
		t = mime.TypeByExtension("." + short)
		if i := strings.Index(t, ";"); i >= 0 {
			t = t[:i]
		}
	}
	if t == "" {
		o.quirk(QuirkInvalidValue, "mimeType", "unbekannter MIME-Typ %q, ignoriert", s)
		return ""
	}
	o.quirk(QuirkNormalizedValue, "mimeType", "%q zu %q ergänzt", s, t)
	return t
}

func (m *mapper) file(o *obj, parent *ratsnetz.Meta) int64 {
	if parent != nil && !o.deleted() && !m.defined[ratsnetz.KindFile][o.id] && m.r.wasLoaded(ratsnetz.KindFile, o.id) {
		// Loaded from the file list in this run, with its text (see
		// phases); a tombstone is still written.
		return m.id(ratsnetz.KindFile, o.id)
	}
	mt := m.meta(o, ratsnetz.KindFile, parent)
	if !m.define(ratsnetz.KindFile, o.id) {
		return live(mt)
	}
	f := &ratsnetz.File{Meta: mt, BodyID: m.bodyID(o), Public: true}
	m.ds.Files = append(m.ds.Files, f)
	if mt.Deleted {
		return 0
	}
	f.Name = o.str("name")
	f.FileName = o.str("fileName")
	f.MimeType = normalizeMime(o)
	f.Date = o.date("date")
	if n, ok := o.integer("size"); ok {
		if n <= 0 {
			o.quirk(QuirkPlaceholder, "size", "Größe %d statt fehlender Angabe", n)
		} else {
			f.Size = n
		}
	}
	f.SHA512 = strings.ToLower(o.str("sha512Checksum"))
	f.Text = o.str("text")
	f.ExternalServiceURL = o.str("externalServiceUrl")
	master, _ := o.ref("masterFile")
	f.MasterFileID = m.id(ratsnetz.KindFile, master)
	f.DerivativeFileIDs = m.idList(ratsnetz.KindFile, o.refs("derivativeFile"))
	f.License = o.str("fileLicense")
	access := o.str("accessUrl")
	download := o.str("downloadUrl")
	if access == "" {
		o.quirk(QuirkMissingRequired, "accessUrl", "Pflichtangabe fehlt")
		access = download
	}
	m.files = append(m.files, fileTask{file: f, url: access, hasText: o.has("text")})
	return f.ID
}
