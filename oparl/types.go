package oparl

// JSON shapes of the OParl 1.1 objects as Ratsnetz serves them. Field order
// follows the specification; `omitempty` drops empty optional fields so that
// no `null`, `""` or `[]` is ever written for an optional property. Booleans
// whose false value carries meaning are pointers.

// Namespace is the OParl 1.1 schema namespace; type URLs append the type name.
const Namespace = "https://schema.oparl.org/1.1/"

// Type URLs of the twelve OParl object types and the Error object.
const (
	TypeSystem          = Namespace + "System"
	TypeBody            = Namespace + "Body"
	TypeLegislativeTerm = Namespace + "LegislativeTerm"
	TypeOrganization    = Namespace + "Organization"
	TypePerson          = Namespace + "Person"
	TypeMembership      = Namespace + "Membership"
	TypeMeeting         = Namespace + "Meeting"
	TypeAgendaItem      = Namespace + "AgendaItem"
	TypePaper           = Namespace + "Paper"
	TypeConsultation    = Namespace + "Consultation"
	TypeFile            = Namespace + "File"
	TypeLocation        = Namespace + "Location"
	TypeError           = Namespace + "Error"
)

type jsonSystem struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	OparlVersion string `json:"oparlVersion"`
	Body         string `json:"body"`
	Name         string `json:"name,omitempty"`
	ContactEmail string `json:"contactEmail,omitempty"`
	ContactName  string `json:"contactName,omitempty"`
	Website      string `json:"website,omitempty"`
	Vendor       string `json:"vendor,omitempty"`
	Product      string `json:"product,omitempty"`
	License      string `json:"license,omitempty"`
	Created      string `json:"created,omitempty"`
	Modified     string `json:"modified,omitempty"`
}

type jsonBody struct {
	ID                  string                 `json:"id"`
	Type                string                 `json:"type"`
	System              string                 `json:"system,omitempty"`
	Name                string                 `json:"name"`
	ShortName           string                 `json:"shortName,omitempty"`
	Website             string                 `json:"website,omitempty"`
	License             string                 `json:"license,omitempty"`
	LicenseValidSince   string                 `json:"licenseValidSince,omitempty"`
	OparlSince          string                 `json:"oparlSince,omitempty"`
	AGS                 string                 `json:"ags,omitempty"`
	RGS                 string                 `json:"rgs,omitempty"`
	Equivalent          []string               `json:"equivalent,omitempty"`
	ContactEmail        string                 `json:"contactEmail,omitempty"`
	ContactName         string                 `json:"contactName,omitempty"`
	Classification      string                 `json:"classification,omitempty"`
	Organization        string                 `json:"organization"`
	Person              string                 `json:"person"`
	Meeting             string                 `json:"meeting"`
	Paper               string                 `json:"paper"`
	AgendaItem          string                 `json:"agendaItem"`
	Consultation        string                 `json:"consultation"`
	File                string                 `json:"file"`
	LocationList        string                 `json:"locationList"`
	LegislativeTermList string                 `json:"legislativeTermList"`
	Membership          string                 `json:"membership"`
	LegislativeTerm     []*jsonLegislativeTerm `json:"legislativeTerm"`
	Location            *jsonLocation          `json:"location,omitempty"`
	Kind                string                 `json:"ratsnetz:kind,omitempty"`
	OwnerBody           string                 `json:"ratsnetz:ownerBody,omitempty"`
	Web                 string                 `json:"web,omitempty"`
	Created             string                 `json:"created"`
	Modified            string                 `json:"modified"`
}

type jsonLegislativeTerm struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	Body      string `json:"body,omitempty"`
	Name      string `json:"name,omitempty"`
	StartDate string `json:"startDate,omitempty"`
	EndDate   string `json:"endDate,omitempty"`
	Created   string `json:"created"`
	Modified  string `json:"modified"`
}

type jsonOrganization struct {
	ID                string        `json:"id"`
	Type              string        `json:"type"`
	Body              string        `json:"body,omitempty"`
	Name              string        `json:"name,omitempty"`
	ShortName         string        `json:"shortName,omitempty"`
	Membership        []string      `json:"membership,omitempty"`
	Meeting           string        `json:"meeting"`
	Consultation      string        `json:"consultation"`
	Post              []string      `json:"post,omitempty"`
	SubOrganizationOf string        `json:"subOrganizationOf,omitempty"`
	OrganizationType  string        `json:"organizationType,omitempty"`
	Classification    string        `json:"classification,omitempty"`
	StartDate         string        `json:"startDate,omitempty"`
	EndDate           string        `json:"endDate,omitempty"`
	Website           string        `json:"website,omitempty"`
	Location          *jsonLocation `json:"location,omitempty"`
	ExternalBody      string        `json:"externalBody,omitempty"`
	Seats             int           `json:"ratsnetz:seats,omitempty"`
	Color             string        `json:"ratsnetz:color,omitempty"`
	Web               string        `json:"web,omitempty"`
	Created           string        `json:"created"`
	Modified          string        `json:"modified"`
}

type jsonPerson struct {
	ID             string            `json:"id"`
	Type           string            `json:"type"`
	Body           string            `json:"body,omitempty"`
	Name           string            `json:"name,omitempty"`
	FamilyName     string            `json:"familyName,omitempty"`
	GivenName      string            `json:"givenName,omitempty"`
	FormOfAddress  string            `json:"formOfAddress,omitempty"`
	Affix          string            `json:"affix,omitempty"`
	Title          []string          `json:"title,omitempty"`
	Gender         string            `json:"gender,omitempty"`
	Phone          []string          `json:"phone,omitempty"`
	Email          []string          `json:"email,omitempty"`
	Location       string            `json:"location,omitempty"`
	LocationObject *jsonLocation     `json:"locationObject,omitempty"`
	Status         []string          `json:"status,omitempty"`
	Membership     []*jsonMembership `json:"membership,omitempty"`
	Life           string            `json:"life,omitempty"`
	LifeSource     string            `json:"lifeSource,omitempty"`
	Web            string            `json:"web,omitempty"`
	Created        string            `json:"created"`
	Modified       string            `json:"modified"`
}

type jsonMembership struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	Person       string `json:"person,omitempty"`
	Organization string `json:"organization,omitempty"`
	Role         string `json:"role,omitempty"`
	VotingRight  *bool  `json:"votingRight,omitempty"`
	StartDate    string `json:"startDate,omitempty"`
	EndDate      string `json:"endDate,omitempty"`
	OnBehalfOf   string `json:"onBehalfOf,omitempty"`
	Created      string `json:"created"`
	Modified     string `json:"modified"`
}

type jsonMeeting struct {
	ID               string            `json:"id"`
	Type             string            `json:"type"`
	Name             string            `json:"name,omitempty"`
	MeetingState     string            `json:"meetingState,omitempty"`
	Cancelled        *bool             `json:"cancelled,omitempty"`
	Start            string            `json:"start,omitempty"`
	End              string            `json:"end,omitempty"`
	Location         *jsonLocation     `json:"location,omitempty"`
	Organization     []string          `json:"organization,omitempty"`
	Participant      []string          `json:"participant,omitempty"`
	Invitation       *jsonFile         `json:"invitation,omitempty"`
	ResultsProtocol  *jsonFile         `json:"resultsProtocol,omitempty"`
	VerbatimProtocol *jsonFile         `json:"verbatimProtocol,omitempty"`
	AuxiliaryFile    []*jsonFile       `json:"auxiliaryFile,omitempty"`
	AgendaItem       []*jsonAgendaItem `json:"agendaItem,omitempty"`
	Mode             string            `json:"ratsnetz:mode,omitempty"`
	Web              string            `json:"web,omitempty"`
	Created          string            `json:"created"`
	Modified         string            `json:"modified"`
}

type jsonAgendaItem struct {
	ID             string      `json:"id"`
	Type           string      `json:"type"`
	Meeting        string      `json:"meeting,omitempty"`
	Number         string      `json:"number,omitempty"`
	Order          int         `json:"order"`
	Name           string      `json:"name,omitempty"`
	Public         *bool       `json:"public,omitempty"`
	Consultation   string      `json:"consultation,omitempty"`
	Result         string      `json:"result,omitempty"`
	ResolutionText string      `json:"resolutionText,omitempty"`
	ResolutionFile *jsonFile   `json:"resolutionFile,omitempty"`
	AuxiliaryFile  []*jsonFile `json:"auxiliaryFile,omitempty"`
	Start          string      `json:"start,omitempty"`
	End            string      `json:"end,omitempty"`
	Vote           *jsonVote   `json:"ratsnetz:vote,omitempty"`
	Web            string      `json:"web,omitempty"`
	Created        string      `json:"created"`
	Modified       string      `json:"modified"`
}

// jsonVote is the vendor extension ratsnetz:vote: the minuted vote result.
type jsonVote struct {
	Yes       int                `json:"yes"`
	No        int                `json:"no"`
	Abstain   int                `json:"abstain"`
	Unanimous bool               `json:"unanimous"`
	Note      string             `json:"note,omitempty"`
	Factions  []*jsonFactionVote `json:"factions,omitempty"`
}

type jsonFactionVote struct {
	Organization string `json:"organization,omitempty"`
	Name         string `json:"name,omitempty"`
	Yes          int    `json:"yes"`
	No           int    `json:"no"`
	Abstain      int    `json:"abstain"`
}

type jsonPaper struct {
	ID                     string              `json:"id"`
	Type                   string              `json:"type"`
	Body                   string              `json:"body,omitempty"`
	Name                   string              `json:"name,omitempty"`
	Reference              string              `json:"reference,omitempty"`
	Date                   string              `json:"date,omitempty"`
	PaperType              string              `json:"paperType,omitempty"`
	RelatedPaper           []string            `json:"relatedPaper,omitempty"`
	SuperordinatedPaper    []string            `json:"superordinatedPaper,omitempty"`
	SubordinatedPaper      []string            `json:"subordinatedPaper,omitempty"`
	MainFile               *jsonFile           `json:"mainFile,omitempty"`
	AuxiliaryFile          []*jsonFile         `json:"auxiliaryFile,omitempty"`
	Location               []*jsonLocation     `json:"location,omitempty"`
	OriginatorPerson       []string            `json:"originatorPerson,omitempty"`
	OriginatorOrganization []string            `json:"originatorOrganization,omitempty"`
	UnderDirectionOf       []string            `json:"underDirectionOf,omitempty"`
	Consultation           []*jsonConsultation `json:"consultation,omitempty"`
	Status                 string              `json:"ratsnetz:status,omitempty"`
	Web                    string              `json:"web,omitempty"`
	Created                string              `json:"created"`
	Modified               string              `json:"modified"`
}

type jsonConsultation struct {
	ID            string   `json:"id"`
	Type          string   `json:"type"`
	Paper         string   `json:"paper,omitempty"`
	AgendaItem    string   `json:"agendaItem,omitempty"`
	Meeting       string   `json:"meeting,omitempty"`
	Organization  []string `json:"organization,omitempty"`
	Authoritative *bool    `json:"authoritative,omitempty"`
	Role          string   `json:"role,omitempty"`
	Status        string   `json:"ratsnetz:status,omitempty"`
	Result        string   `json:"ratsnetz:result,omitempty"`
	Created       string   `json:"created"`
	Modified      string   `json:"modified"`
}

type jsonFile struct {
	ID                 string   `json:"id"`
	Type               string   `json:"type"`
	Name               string   `json:"name,omitempty"`
	FileName           string   `json:"fileName,omitempty"`
	MimeType           string   `json:"mimeType,omitempty"`
	Date               string   `json:"date,omitempty"`
	Size               int64    `json:"size,omitempty"`
	SHA512Checksum     string   `json:"sha512Checksum,omitempty"`
	Text               string   `json:"text,omitempty"`
	AccessURL          string   `json:"accessUrl"`
	DownloadURL        string   `json:"downloadUrl,omitempty"`
	ExternalServiceURL string   `json:"externalServiceUrl,omitempty"`
	MasterFile         string   `json:"masterFile,omitempty"`
	DerivativeFile     []string `json:"derivativeFile,omitempty"`
	FileLicense        string   `json:"fileLicense,omitempty"`
	Meeting            []string `json:"meeting,omitempty"`
	AgendaItem         []string `json:"agendaItem,omitempty"`
	Paper              []string `json:"paper,omitempty"`
	Created            string   `json:"created"`
	Modified           string   `json:"modified"`
}

type jsonLocation struct {
	ID            string       `json:"id"`
	Type          string       `json:"type"`
	Description   string       `json:"description,omitempty"`
	GeoJSON       *jsonFeature `json:"geojson,omitempty"`
	StreetAddress string       `json:"streetAddress,omitempty"`
	Room          string       `json:"room,omitempty"`
	PostalCode    string       `json:"postalCode,omitempty"`
	SubLocality   string       `json:"subLocality,omitempty"`
	Locality      string       `json:"locality,omitempty"`
	Bodies        []string     `json:"bodies,omitempty"`
	Organizations []string     `json:"organizations,omitempty"`
	Persons       []string     `json:"persons,omitempty"`
	Meetings      []string     `json:"meetings,omitempty"`
	Papers        []string     `json:"papers,omitempty"`
	Created       string       `json:"created"`
	Modified      string       `json:"modified"`
}

// jsonFeature is a GeoJSON Feature with a Point geometry ([lon, lat]).
type jsonFeature struct {
	Type     string       `json:"type"`
	Geometry jsonGeometry `json:"geometry"`
	// Properties is required by GeoJSON (may be an empty object).
	Properties map[string]string `json:"properties"`
}

type jsonGeometry struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

// jsonTombstone is what remains of a deleted or de-published object.
type jsonTombstone struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Created  string `json:"created"`
	Modified string `json:"modified"`
	Deleted  bool   `json:"deleted"`
}

// jsonList is one page of an external list.
type jsonList struct {
	Data       []any          `json:"data"`
	Pagination jsonPagination `json:"pagination"`
	Links      jsonLinks      `json:"links"`
}

type jsonPagination struct {
	ElementsPerPage int `json:"elementsPerPage"`
}

type jsonLinks struct {
	First string `json:"first,omitempty"`
	Self  string `json:"self,omitempty"`
	Next  string `json:"next,omitempty"`
}

// jsonError is the OParl Error object.
type jsonError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Debug   string `json:"debug,omitempty"`
}
