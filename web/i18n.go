package web

import (
	"fmt"
	"strconv"
	"time"
)

const defaultLang = "de"

// catalog holds the UI strings and date formats of one language. Data from
// the store (names, types, results) is shown as it is.
type catalog struct {
	lang     string
	msgs     map[string]string
	weekdays [7]string
	months   [12]string
}

// T returns the message for key, formatted with args when given; a missing
// key shows as the key so that it is noticed (and caught by a test).
func (c *catalog) T(key string, args ...any) string {
	msg, ok := c.msgs[key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

func (c *catalog) has(key string) bool {
	_, ok := c.msgs[key]
	return ok
}

// formatDate: "24.11.2026" in German, "24 Nov 2026" in English.
func (c *catalog) formatDate(t time.Time) string {
	if c.lang == "de" {
		return t.Format("02.01.2006")
	}
	return strconv.Itoa(t.Day()) + " " + c.months[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// formatClock: "17:00 Uhr" in German, "17:00" in English.
func (c *catalog) formatClock(t time.Time) string {
	if c.lang == "de" {
		return t.Format("15:04") + " Uhr"
	}
	return t.Format("15:04")
}

func newCatalogs() map[string]*catalog {
	de, en := messagesDE(), messagesEN()
	// Each area keeps its own messages in its file; keys must not collide.
	for _, area := range []func() (de, en map[string]string){
		officeMessages, distributionMessages, feedsMessages, liveMessages, searchMessages, adminMessages, pagesMessages,
	} {
		ade, aen := area()
		for k, v := range ade {
			de[k] = v
		}
		for k, v := range aen {
			en[k] = v
		}
	}
	return map[string]*catalog{
		"de": {
			lang:     "de",
			weekdays: [7]string{"So.,", "Mo.,", "Di.,", "Mi.,", "Do.,", "Fr.,", "Sa.,"},
			months:   [12]string{"Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."},
			msgs:     de,
		},
		"en": {
			lang:     "en",
			weekdays: [7]string{"Sun,", "Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,"},
			months:   [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
			msgs:     en,
		},
	}
}

func messagesDE() map[string]string {
	return map[string]string{
		"site.name":          "Ratsinformationssystem",
		"nav.skip":           "Zum Inhalt springen",
		"nav.main":           "Hauptnavigation",
		"nav.home":           "Start",
		"nav.meetings":       "Sitzungen",
		"nav.papers":         "Vorlagen",
		"nav.organizations":  "Gremien",
		"nav.persons":        "Personen",
		"nav.login":          "Anmelden",
		"home.mine":          "Meine Gremien",
		"nav.logout":         "Abmelden",
		"nav.admin":          "Verwaltung",
		"badge.nonPublic":    "nichtöffentlich",
		"badge.confidential": "vertraulich",
		"search.label":       "Suche",
		"search.submit":      "Suchen",
		"footer.text":        "Ratsinformationssystem – öffentliche Informationen aus Rat, Ausschüssen und städtischen Gesellschaften.",
		"footer.oparl":       "Offene Schnittstelle (OParl)",
		"print.link":         "Druckansicht",

		"home.title":            "Ratsinformationen",
		"home.intro":            "Sitzungen, Vorlagen und Beschlüsse des Rates, seiner Ausschüsse und der städtischen Gesellschaften.",
		"home.upcoming":         "Nächste Sitzungen",
		"home.noMeetings":       "Zurzeit sind keine Sitzungen angesetzt.",
		"home.allMeetings":      "Alle Sitzungen",
		"home.papers":           "Neueste Vorlagen",
		"home.allPapers":        "Alle Vorlagen",
		"home.bodies":           "Gremien",
		"home.allOrganizations": "Alle Gremien, Fraktionen und Verwaltungsbereiche",

		"col.date":         "Datum",
		"col.meeting":      "Sitzung",
		"col.organization": "Gremium",
		"col.location":     "Ort",
		"col.state":        "Status",
		"col.status":       "Status",
		"col.reference":    "Drucksachen-Nr.",
		"col.subject":      "Betreff",
		"col.paperType":    "Vorlageart",
		"col.number":       "TOP",
		"col.paper":        "Vorlage",
		"col.result":       "Ergebnis",
		"col.role":         "Rolle",
		"col.agendaItem":   "TOP",
		"col.name":         "Name",
		"col.faction":      "Fraktion",
		"col.since":        "Seit",
		"col.until":        "Bis",

		"filter.legend":       "Filter",
		"filter.organization": "Gremium",
		"filter.all":          "alle",
		"filter.from":         "Von",
		"filter.until":        "Bis",
		"filter.year":         "Jahr",
		"filter.text":         "Suchtext",
		"filter.submit":       "Anzeigen",
		"filter.reset":        "Filter zurücksetzen",

		"pager.label": "Seiten",
		"pager.prev":  "« Vorherige Seite",
		"pager.next":  "Nächste Seite »",
		"pager.page":  "Seite %d",

		"meetings.title":    "Sitzungen",
		"meetings.none":     "Keine Sitzungen gefunden.",
		"meetings.upcoming": "Anstehende Sitzungen ab heute.",
		"meetings.past":     "Vergangene Sitzungen",
		"meeting.cancelled": "abgesagt",
		"meeting.mode":      "Sitzungsform",
		"meeting.agenda":    "Tagesordnung",
		"meeting.public":    "Öffentlicher Teil",
		"meeting.nonPublic": "Nichtöffentlicher Teil",
		"meeting.noItems":   "Keine Tagesordnungspunkte.",
		"meeting.files":     "Dokumente",

		"agenda.redacted":   "Nichtöffentlicher Tagesordnungspunkt",
		"agenda.part":       "Sitzungsteil",
		"agenda.resolution": "Beschluss",
		"agenda.minutes":    "Protokoll",

		"vote.title":     "Abstimmung",
		"vote.caption":   "Abstimmungsergebnis nach Fraktionen",
		"vote.faction":   "Fraktion",
		"vote.yes":       "Ja",
		"vote.no":        "Nein",
		"vote.abstain":   "Enthaltung",
		"vote.total":     "Gesamt",
		"vote.unanimous": "einstimmig",

		"file.invitation":       "Einladung",
		"file.resultsProtocol":  "Niederschrift",
		"file.verbatimProtocol": "Wortprotokoll",
		"file.auxiliary":        "Anlage",
		"file.resolution":       "Beschluss",
		"file.main":             "Vorlage",
		"file.attachment":       "Anlage",
		"file.download":         "Herunterladen",

		"papers.title":         "Vorlagen",
		"papers.none":          "Keine Vorlagen gefunden.",
		"paper.facts":          "Grunddaten",
		"paper.underDirection": "Federführend",
		"paper.responsible":    "Verantwortlich",
		"paper.originator":     "Antragsteller",
		"paper.consultations":  "Beratungsfolge",
		"paper.text":           "Text",
		"paper.files":          "Anlagen",
		"paper.relations":      "Verknüpfte Vorlagen",
		"paper.superordinated": "Übergeordnete Vorlagen",
		"paper.subordinated":   "Untergeordnete Vorlagen",
		"paper.related":        "Zugehörige Vorlagen",

		"orgs.title":         "Gremien",
		"orgs.none":          "Keine Gremien vorhanden.",
		"orgs.company":       "Unternehmen",
		"orgs.ended":         "aufgelöst am %s",
		"org.body":           "Körperschaft",
		"org.type":           "Art",
		"org.classification": "Einordnung",
		"org.parent":         "Übergeordnet",
		"org.seats":          "Sitze",
		"org.since":          "Gebildet am",
		"org.until":          "Aufgelöst am",
		"org.website":        "Webseite",
		"org.allMeetings":    "Alle Sitzungen dieses Gremiums",
		"org.allPapers":      "Vorlagen dieses Gremiums",
		"org.members":        "Mitglieder",
		"org.withoutFaction": "Ohne Fraktion",
		"org.noMembers":      "Keine Mitglieder verzeichnet.",
		"org.deputies":       "Stellvertretende Mitglieder",
		"org.meetings":       "Letzte Sitzungen",

		"persons.title":        "Personen",
		"persons.none":         "Keine Personen gefunden.",
		"persons.letters":      "Anfangsbuchstaben",
		"person.address":       "Anrede",
		"person.status":        "Status",
		"person.current":       "Aktuelle Mitgliedschaften",
		"person.past":          "Frühere Mitgliedschaften",
		"person.noMemberships": "Keine aktuellen Mitgliedschaften.",

		"error.400.title":   "Ungültige Anfrage",
		"error.400.text":    "Die Anfrage enthält ungültige Angaben.",
		"error.404.title":   "Seite nicht gefunden",
		"error.404.text":    "Die gesuchte Seite gibt es nicht oder sie ist nicht öffentlich.",
		"error.405.title":   "Methode nicht erlaubt",
		"error.405.text":    "Diese Seite kann nur abgerufen werden.",
		"error.409.title":   "Konflikt",
		"error.409.text":    "Die Anfrage passt nicht zum aktuellen Stand.",
		"notice.forbidden":  "Kein Zugriff",
		"notice.conflict":   "Nicht möglich",
		"notice.invalid":    "Ungültige Eingabe",
		"notice.csrf.title": "Anfrage abgelehnt",
		"notice.csrf.text":  "Die Anfrage wurde aus Sicherheitsgründen abgelehnt. Bitte laden Sie die Seite neu und versuchen Sie es erneut.",
		"rights.granted":    "Die Freigabe ist erteilt.",
		"rights.revoked":    "Die Freigabe ist widerrufen.",
		"error.500.title":   "Interner Fehler",
		"error.500.text":    "Leider ist ein Fehler aufgetreten. Bitte versuchen Sie es später noch einmal.",
		"error.home":        "Zur Startseite",

		"err.badID":        "Diese Kennung ist ungültig.",
		"err.badQuery":     "Die Suchparameter sind fehlerhaft.",
		"err.badFilter":    "Ein Filterwert ist unbekannt.",
		"err.badPage":      "Die Seitenzahl ist ungültig.",
		"err.badDate":      "Das Datum ist ungültig. Bitte im Format TT.MM.JJJJ oder JJJJ-MM-TT angeben.",
		"err.badYear":      "Das Jahr ist ungültig.",
		"err.queryTooLong": "Der Suchtext ist zu lang (höchstens 200 Zeichen).",
		"err.uriTooLong":   "Die Adresse ist zu lang.",
	}
}

func messagesEN() map[string]string {
	return map[string]string{
		"site.name":          "Council Information System",
		"nav.skip":           "Skip to content",
		"nav.main":           "Main navigation",
		"nav.home":           "Home",
		"nav.meetings":       "Meetings",
		"nav.papers":         "Papers",
		"nav.organizations":  "Committees",
		"nav.persons":        "People",
		"nav.login":          "Log in",
		"home.mine":          "My bodies",
		"nav.logout":         "Log out",
		"nav.admin":          "Administration",
		"badge.nonPublic":    "not public",
		"badge.confidential": "confidential",
		"search.label":       "Search",
		"search.submit":      "Search",
		"footer.text":        "Council information system – public information from the council, its committees and the municipal companies.",
		"footer.oparl":       "Open interface (OParl)",
		"print.link":         "Print view",

		"home.title":            "Council information",
		"home.intro":            "Meetings, papers and decisions of the council, its committees and the municipal companies.",
		"home.upcoming":         "Upcoming meetings",
		"home.noMeetings":       "No meetings are scheduled at the moment.",
		"home.allMeetings":      "All meetings",
		"home.papers":           "Latest papers",
		"home.allPapers":        "All papers",
		"home.bodies":           "Committees",
		"home.allOrganizations": "All committees, factions and departments",

		"col.date":         "Date",
		"col.meeting":      "Meeting",
		"col.organization": "Committee",
		"col.location":     "Location",
		"col.state":        "State",
		"col.status":       "Status",
		"col.reference":    "Reference",
		"col.subject":      "Subject",
		"col.paperType":    "Paper type",
		"col.number":       "Item",
		"col.paper":        "Paper",
		"col.result":       "Result",
		"col.role":         "Role",
		"col.agendaItem":   "Item",
		"col.name":         "Name",
		"col.faction":      "Faction",
		"col.since":        "Since",
		"col.until":        "Until",

		"filter.legend":       "Filter",
		"filter.organization": "Committee",
		"filter.all":          "all",
		"filter.from":         "From",
		"filter.until":        "Until",
		"filter.year":         "Year",
		"filter.text":         "Text",
		"filter.submit":       "Show",
		"filter.reset":        "Reset filters",

		"pager.label": "Pages",
		"pager.prev":  "« Previous page",
		"pager.next":  "Next page »",
		"pager.page":  "Page %d",

		"meetings.title":    "Meetings",
		"meetings.none":     "No meetings found.",
		"meetings.upcoming": "Upcoming meetings from today.",
		"meetings.past":     "Past meetings",
		"meeting.cancelled": "cancelled",
		"meeting.mode":      "Format",
		"meeting.agenda":    "Agenda",
		"meeting.public":    "Public part",
		"meeting.nonPublic": "Non-public part",
		"meeting.noItems":   "No agenda items.",
		"meeting.files":     "Documents",

		"agenda.redacted":   "Non-public agenda item",
		"agenda.part":       "Part",
		"agenda.resolution": "Resolution",
		"agenda.minutes":    "Minutes",

		"vote.title":     "Vote",
		"vote.caption":   "Vote by faction",
		"vote.faction":   "Faction",
		"vote.yes":       "Yes",
		"vote.no":        "No",
		"vote.abstain":   "Abstention",
		"vote.total":     "Total",
		"vote.unanimous": "unanimous",

		"file.invitation":       "Invitation",
		"file.resultsProtocol":  "Minutes",
		"file.verbatimProtocol": "Verbatim minutes",
		"file.auxiliary":        "Attachment",
		"file.resolution":       "Resolution",
		"file.main":             "Paper",
		"file.attachment":       "Attachment",
		"file.download":         "Download",

		"papers.title":         "Papers",
		"papers.none":          "No papers found.",
		"paper.facts":          "Details",
		"paper.underDirection": "Lead department",
		"paper.responsible":    "Responsible",
		"paper.originator":     "Submitted by",
		"paper.consultations":  "Consultations",
		"paper.text":           "Text",
		"paper.files":          "Attachments",
		"paper.relations":      "Linked papers",
		"paper.superordinated": "Superordinate papers",
		"paper.subordinated":   "Subordinate papers",
		"paper.related":        "Related papers",

		"orgs.title":         "Committees",
		"orgs.none":          "No committees.",
		"orgs.company":       "Company",
		"orgs.ended":         "dissolved on %s",
		"org.body":           "Body",
		"org.type":           "Type",
		"org.classification": "Classification",
		"org.parent":         "Part of",
		"org.seats":          "Seats",
		"org.since":          "Formed on",
		"org.until":          "Dissolved on",
		"org.website":        "Website",
		"org.allMeetings":    "All meetings of this committee",
		"org.allPapers":      "Papers of this committee",
		"org.members":        "Members",
		"org.withoutFaction": "Without faction",
		"org.noMembers":      "No members listed.",
		"org.deputies":       "Deputy members",
		"org.meetings":       "Recent meetings",

		"persons.title":        "People",
		"persons.none":         "No people found.",
		"persons.letters":      "Initial letters",
		"person.address":       "Form of address",
		"person.status":        "Status",
		"person.current":       "Current memberships",
		"person.past":          "Former memberships",
		"person.noMemberships": "No current memberships.",

		"error.400.title":   "Bad request",
		"error.400.text":    "The request contains invalid values.",
		"error.404.title":   "Page not found",
		"error.404.text":    "The page does not exist or is not public.",
		"error.405.title":   "Method not allowed",
		"error.405.text":    "This page can only be read.",
		"error.409.title":   "Conflict",
		"error.409.text":    "The request conflicts with the current state.",
		"notice.forbidden":  "No access",
		"notice.conflict":   "Not possible",
		"notice.invalid":    "Invalid input",
		"notice.csrf.title": "Request refused",
		"notice.csrf.text":  "The request was refused for security reasons. Please reload the page and try again.",
		"rights.granted":    "The access grant is given.",
		"rights.revoked":    "The access grant is revoked.",
		"error.500.title":   "Internal error",
		"error.500.text":    "Sorry, something went wrong. Please try again later.",
		"error.home":        "Go to the home page",

		"err.badID":        "This identifier is invalid.",
		"err.badQuery":     "The query parameters are malformed.",
		"err.badFilter":    "A filter value is unknown.",
		"err.badPage":      "The page number is invalid.",
		"err.badDate":      "The date is invalid. Please use YYYY-MM-DD or DD.MM.YYYY.",
		"err.badYear":      "The year is invalid.",
		"err.queryTooLong": "The search text is too long (at most 200 characters).",
		"err.uriTooLong":   "The address is too long.",
	}
}
