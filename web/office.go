package web

// Sitzungsdienst: writing papers (drafts, release, versions, reference numbers), motions submitted by factions and members, meeting planning, agenda builder and minutes.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ratsnetz/ratsnetz"
)

// OfficeDeps holds what the office area of the portal needs; the zero value
// switches the area off.
type OfficeDeps struct {
	// Office is the council office's write service (the store).
	Office ratsnetz.OfficeService
	// RenderMinutes renders the public part of the minutes as PDF and
	// returns it with its plain text (app wires package pdf in).
	RenderMinutes func(ctx context.Context, doc MinutesDoc) (pdf []byte, text string, err error)
}

// MinutesDoc is the public part of a meeting's minutes, ready to render.
type MinutesDoc struct {
	Title      string
	Subtitle   string
	Body       string // e.g. "Stadt Musterstadt"
	Present    []string
	Excused    []string
	Unexcused  []string
	Text       string
	Items      []MinutesDocItem
	ChairName  string
	ChairAt    time.Time
	Recorder   string
	RecorderAt time.Time
}

// MinutesDocItem is one public agenda item in the minutes.
type MinutesDocItem struct {
	Number     string
	Name       string
	Reference  string
	Result     string
	Resolution string
	Minutes    string
	Vote       *ratsnetz.VoteResult
}

// maxUpload is the largest attachment the office may upload.
const maxUpload = 25 << 20

// officeRoutes registers the office area's routes.
func (s *Server) officeRoutes() {
	if s.office.Office == nil || s.auth == nil {
		return
	}
	s.mux.HandleFunc("GET /sitzungsdienst", s.handleOfficeHome)
	s.mux.HandleFunc("GET /sitzungsdienst/vorlagen/neu", s.handleDraftNew)
	s.mux.HandleFunc("POST /sitzungsdienst/vorlagen", s.handleDraftCreate)
	s.mux.HandleFunc("GET /sitzungsdienst/vorlagen/{id}", s.handleDraftView)
	s.mux.HandleFunc("POST /sitzungsdienst/vorlagen/{id}", s.handleDraftSave)
	s.mux.HandleFunc("POST /sitzungsdienst/vorlagen/{id}/anlagen", s.handleDraftUpload)
	s.mux.HandleFunc("POST /sitzungsdienst/vorlagen/{id}/anlagen/{aid}/entfernen", s.handleDraftRemoveFile)
	s.mux.HandleFunc("POST /sitzungsdienst/vorlagen/{id}/freigabe", s.handleDraftRelease)
	s.mux.HandleFunc("POST /sitzungsdienst/nummernschema", s.handleOfficeScheme)

	s.mux.HandleFunc("GET /sitzungsdienst/antraege", s.handleMotionInbox)
	s.mux.HandleFunc("POST /sitzungsdienst/antraege/{id}/annehmen", s.handleMotionAccept)
	s.mux.HandleFunc("POST /sitzungsdienst/antraege/{id}/zurueckweisen", s.handleMotionReject)
	s.mux.HandleFunc("GET /mein/antraege", s.handleMyMotions)
	s.mux.HandleFunc("POST /mein/antraege", s.handleMotionSubmit)
	s.mux.HandleFunc("GET /mein/antraege/{id}", s.handleMyMotion)

	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen", s.handleOfficeMeetingCreate)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/serie", s.handleOfficeSeriesCreate)
	s.mux.HandleFunc("GET /sitzungsdienst/sitzungen/{id}", s.handleOfficeMeeting)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/top", s.handleAgendaAdd)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/standard", s.handleAgendaStandard)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/beratung/{cid}", s.handleAgendaPull)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/top/{item}/{action}", s.handleAgendaItemAction)
	s.mux.HandleFunc("GET /sitzungsdienst/sitzungen/{id}/niederschrift", s.handleMinutes)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/niederschrift/anwesenheit", s.handleMinutesAttendance)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/niederschrift/text", s.handleMinutesText)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/niederschrift/top/{item}", s.handleMinutesResult)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/niederschrift/unterschrift", s.handleMinutesSign)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/niederschrift/veroeffentlichen", s.handleMinutesPublish)
}

// officeMessages returns the office area's German and English messages:
// the council office's working pages (/sitzungsdienst), the members' motions
// (/mein/antraege) and the labels and messages the handlers set. Data from
// the store (paper types, states, results, roles) is shown as stored.
func officeMessages() (de, en map[string]string) {
	de = map[string]string{
		"office.nav":                       "Sitzungsdienst",
		"office.motions":                   "Meine Anträge",
		"office.tooLarge.title":            "Anfrage zu groß",
		"office.tooLarge.form":             "Die gesendeten Formulardaten sind zu groß. Bitte kürzen Sie Ihre Eingaben und senden Sie das Formular erneut.",
		"office.tooLarge.upload":           "Die Datei ist zu groß: Anlagen dürfen höchstens %d MB groß sein. Bitte gehen Sie zurück und wählen Sie eine kleinere Datei.",
		"office.my.title":                  "Meine Anträge und Anfragen",
		"office.my.submit":                 "Einreichen",
		"office.my.kind":                   "Art",
		"office.my.org":                    "An das Gremium",
		"office.my.for":                    "Für",
		"office.my.subject":                "Betreff",
		"office.my.text":                   "Antragstext oder Fragen",
		"office.my.reasoning":              "Begründung",
		"office.my.send":                   "An den Sitzungsdienst senden",
		"office.my.submitted":              "Eingereicht",
		"office.my.caption":                "Ihre Anträge und Anfragen und die Ihrer Fraktion",
		"office.my.received":               "Eingang",
		"office.my.state":                  "Stand",
		"office.my.none":                   "Noch nichts eingereicht.",
		"office.my.back":                   "Zurück zu meinen Anträgen",
		"office.my.receipt":                "Eingangsbestätigung:",
		"office.my.receivedAt":             "eingegangen beim Sitzungsdienst am",
		"office.my.no":                     "Nr.",
		"office.my.committee":              "Gremium",
		"office.my.faction":                "Fraktion",
		"office.my.asPaper":                "als Drucksache",
		"office.my.rejectReason":           "Begründung der Zurückweisung",
		"office.my.textHeading":            "Text",
		"office.back":                      "Zurück zum Sitzungsdienst",
		"office.remove":                    "Entfernen",
		"office.public":                    "öffentlich",
		"office.nonPublic":                 "nichtöffentlich",
		"office.col.subject":               "Betreff",
		"office.col.type":                  "Art",
		"office.col.state":                 "Stand",
		"office.col.modified":              "Geändert",
		"office.col.paper":                 "Drucksache",
		"office.col.meeting":               "Sitzung",
		"office.col.start":                 "Beginn",
		"office.col.edit":                  "Bearbeiten",
		"office.col.item":                  "TOP",
		"office.title.newDraft":            "Neuer Vorlagenentwurf",
		"office.title.draft":               "Vorlagenentwurf: %s",
		"office.title.agenda":              "Tagesordnung: %s",
		"office.title.minutes":             "Niederschrift: %s",
		"office.info.schema":               "Das Nummernschema ist gespeichert.",
		"office.info.meetings":             "Die Sitzungen sind angelegt.",
		"office.info.released":             "Die Vorlage ist freigegeben.",
		"office.info.saved":                "Gespeichert.",
		"office.info.accepted":             "Der Antrag ist als Vorlage aufgenommen.",
		"office.info.rejected":             "Der Antrag ist zurückgewiesen.",
		"office.mode.inPerson":             "Präsenz",
		"office.mode.hybrid":               "hybrid",
		"office.mode.online":               "online",
		"office.att.present":               "anwesend",
		"office.att.excused":               "entschuldigt",
		"office.att.unexcused":             "unentschuldigt",
		"office.err.parent":                "Die übergeordnete Vorlage ist eine Nummer.",
		"office.err.consDate":              "Das Datum einer Beratung ist ungültig.",
		"office.err.noFile":                "Bitte wählen Sie eine Datei.",
		"office.err.fileTooLarge":          "Die Datei ist zu groß (höchstens 25 MB).",
		"office.err.fileEmpty":             "Die Datei ist leer.",
		"office.err.fileType":              "Dieser Dateityp ist nicht erlaubt. Erlaubt sind PDF, PNG, JPEG, Text, Word/Excel/PowerPoint (OOXML) und OpenDocument.",
		"office.err.dateTime":              "Datum oder Uhrzeit sind ungültig.",
		"office.err.seriesNumbers":         "Anzahl, Wochenabstand und n-ter Wochentag sind Zahlen.",
		"office.err.person":                "Ungültige Person.",
		"office.err.clock":                 "Eine Uhrzeit ist ungültig (Format 17:30).",
		"office.err.votes":                 "Stimmenzahlen sind ganze Zahlen von 0 bis 10 000.",
		"office.err.unsigned":              "Vor der Veröffentlichung unterschreiben Vorsitz und Schriftführung.",
		"office.err.motionDate":            "Das Datum der Beratung ist ungültig.",
		"office.home.drafts":               "Vorlagenentwürfe",
		"office.home.draftsCaption":        "Entwürfe, die Sie sehen dürfen",
		"office.home.noDrafts":             "Keine Entwürfe.",
		"office.home.write":                "Neue Vorlage schreiben",
		"office.home.newDraft":             "Neuen Vorlagenentwurf anlegen",
		"office.home.newMotions":           "Neu eingegangene Anträge und Anfragen",
		"office.home.received":             "eingegangen",
		"office.home.meetings":             "Sitzungen",
		"office.home.meetingsCaption":      "Sitzungen ab vor 60 Tagen",
		"office.home.agenda":               "Tagesordnung",
		"office.home.minutes":              "Niederschrift",
		"office.home.createMeeting":        "Sitzung anlegen",
		"office.home.createSeries":         "Sitzungsserie anlegen",
		"office.home.createSeriesSubmit":   "Serie anlegen",
		"office.home.org":                  "Gremium",
		"office.home.name":                 "Bezeichnung (leer = „Sitzung: Gremium“)",
		"office.home.date":                 "Datum",
		"office.home.start":                "Beginn",
		"office.home.end":                  "Ende",
		"office.home.mode":                 "Form",
		"office.home.location":             "Ort (Nummer, optional)",
		"office.home.public":               "öffentliche Sitzung",
		"office.home.count":                "Anzahl der Sitzungen",
		"office.home.weeks":                "alle … Wochen (z. B. 2 = jeden zweiten Dienstag)",
		"office.home.nth":                  "oder am n-ten Wochentag des Monats (1–4)",
		"office.home.references":           "Drucksachennummern",
		"office.home.scheme":               "Schema der Stadt ({year} = Jahr, {seq:4} = laufende Nummer mit 4 Stellen)",
		"office.home.schemeSave":           "Schema speichern",
		"office.draft.released1":           "Dieser Entwurf ist",
		"office.draft.released2":           "freigegeben",
		"office.draft.releasedOn":          "am",
		"office.draft.released3":           "und als Drucksache",
		"office.draft.released4":           "veröffentlicht",
		"office.draft.released5":           "Er kann nicht mehr geändert werden.",
		"office.draft.type":                "Vorlagenart",
		"office.draft.dept":                "Federführendes Amt",
		"office.draft.public":              "öffentliche Vorlage",
		"office.draft.parent":              "Übergeordnete Vorlage (Nummer; für Änderungs- und Ergänzungsvorlagen)",
		"office.draft.proposal":            "Beschlussvorschlag",
		"office.draft.reasoning":           "Sachverhalt/Begründung",
		"office.draft.finance":             "Finanzielle Auswirkungen",
		"office.draft.consultations":       "Beratungsfolge",
		"office.draft.step":                "Schritt",
		"office.draft.role":                "Rolle",
		"office.draft.orgStep":             "Gremium, Schritt %d",
		"office.draft.dateStep":            "Datum, Schritt %d",
		"office.draft.roleStep":            "Rolle, Schritt %d",
		"office.draft.create":              "Entwurf anlegen",
		"office.draft.save":                "Speichern (neue Version)",
		"office.draft.attachments":         "Anlagen",
		"office.draft.sha256":              "SHA-256",
		"office.draft.noAttachments":       "Keine Anlagen.",
		"office.draft.file":                "Datei (PDF, Bild, Office-Dokument; höchstens 25 MB)",
		"office.draft.fileName":            "Bezeichnung",
		"office.draft.filePublic":          "öffentliche Anlage",
		"office.draft.upload":              "Hochladen",
		"office.draft.release":             "Freigabe",
		"office.draft.releaseText":         "Die Freigabe vergibt die Drucksachennummer und veröffentlicht die Vorlage mit ihrer Beratungsfolge. Freigeben darf der Sitzungsdienst.",
		"office.draft.releaseSubmit":       "Vorlage freigeben",
		"office.draft.versions":            "Versionen",
		"office.draft.versionsCaption":     "Gespeicherte Versionen",
		"office.draft.version":             "Version",
		"office.draft.saved":               "Gespeichert",
		"office.draft.account":             "Konto",
		"office.draft.change":              "Änderung",
		"office.draft.created":             "angelegt",
		"office.draft.noTextChange":        "ohne Textänderung",
		"office.draft.changed":             "geändert: %s",
		"office.meeting.portal":            "Sitzung im Portal",
		"office.meeting.invitation":        "Einladung",
		"office.meeting.nonPublic":         "nichtöffentliche Sitzung",
		"office.meeting.agendaCaption":     "Tagesordnung (öffentlicher Teil zuerst, dann nichtöffentlicher Teil)",
		"office.meeting.order":             "Ordnen",
		"office.meeting.urgent":            "Dringlichkeit",
		"office.meeting.addendum":          "Nachtrag",
		"office.meeting.paper":             "Vorlage",
		"office.meeting.up":                "Nach oben",
		"office.meeting.down":              "Nach unten",
		"office.meeting.noItems":           "Noch keine Tagesordnungspunkte.",
		"office.meeting.standard":          "Standardpunkte ergänzen",
		"office.meeting.planned":           "Vorlagen aus der Beratungsfolge",
		"office.meeting.plannedCaption":    "Für dieses Gremium und diesen Tag geplante Vorlagen",
		"office.meeting.take":              "Aufnehmen",
		"office.meeting.part":              "Teil",
		"office.meeting.onAgenda":          "Auf die Tagesordnung",
		"office.meeting.noPlanned":         "Keine geplanten Vorlagen.",
		"office.meeting.add":               "Punkt hinzufügen",
		"office.meeting.sub":               "Unterpunkt des vorigen Punkts (z. B. Ö 1.1)",
		"office.meeting.addSubmit":         "Hinzufügen",
		"office.minutes.toAgenda":          "Zur Tagesordnung",
		"office.minutes.signatures":        "Unterschriften und Veröffentlichung",
		"office.minutes.chair":             "Vorsitz",
		"office.minutes.recorder":          "Schriftführung",
		"office.minutes.signedBy":          "unterschrieben von",
		"office.minutes.signedOn":          "am",
		"office.minutes.open":              "offen",
		"office.minutes.published":         "Veröffentlicht",
		"office.minutes.no":                "nein",
		"office.minutes.signChair":         "Als Vorsitz unterschreiben",
		"office.minutes.signRecorder":      "Als Schriftführung unterschreiben",
		"office.minutes.publish":           "Öffentlichen Teil veröffentlichen",
		"office.minutes.attendance":        "Anwesenheit",
		"office.minutes.attendanceCaption": "Mitglieder des Gremiums am Sitzungstag",
		"office.minutes.person":            "Person",
		"office.minutes.status":            "Status",
		"office.minutes.arrived":           "gekommen",
		"office.minutes.left":              "gegangen",
		"office.minutes.saveAttendance":    "Anwesenheit speichern",
		"office.minutes.results":           "Ergebnisse",
		"office.minutes.result":            "Ergebnis",
		"office.minutes.resolution":        "Beschlusstext",
		"office.minutes.text":              "Protokolltext",
		"office.minutes.conflict":          "Befangen (§ 31 GO NRW)",
		"office.minutes.saveResult":        "Ergebnis speichern",
		"office.minutes.textHeading":       "Text der Niederschrift",
		"office.minutes.generalText":       "Allgemeiner Text (öffentlicher Teil)",
		"office.minutes.saveText":          "Text speichern",
		"office.inbox.title":               "Eingang Anträge und Anfragen",
		"office.inbox.open":                "Offen",
		"office.inbox.to":                  "An:",
		"office.inbox.date":                "Geplante Beratung am (optional)",
		"office.inbox.accept":              "Als Vorlage aufnehmen",
		"office.inbox.reject":              "Zurückweisen",
		"office.inbox.none":                "Keine offenen Eingänge.",
		"office.inbox.decided":             "Entschieden",
		"office.my.ownName":                "in eigenem Namen",
	}
	en = map[string]string{
		"office.nav":                       "Council office",
		"office.motions":                   "My motions",
		"office.tooLarge.title":            "Request too large",
		"office.tooLarge.form":             "The form data sent is too large. Please shorten your input and send the form again.",
		"office.tooLarge.upload":           "The file is too large: attachments may be at most %d MB. Please go back and choose a smaller file.",
		"office.my.title":                  "My motions and questions",
		"office.my.submit":                 "Submit",
		"office.my.kind":                   "Type",
		"office.my.org":                    "To the committee",
		"office.my.for":                    "On behalf of",
		"office.my.subject":                "Subject",
		"office.my.text":                   "Text of the motion or questions",
		"office.my.reasoning":              "Reasoning",
		"office.my.send":                   "Send to the council office",
		"office.my.submitted":              "Submitted",
		"office.my.caption":                "Your motions and questions and those of your faction",
		"office.my.received":               "Received",
		"office.my.state":                  "Status",
		"office.my.none":                   "Nothing submitted yet.",
		"office.my.back":                   "Back to my motions",
		"office.my.receipt":                "Receipt:",
		"office.my.receivedAt":             "received by the council office on",
		"office.my.no":                     "no.",
		"office.my.committee":              "Committee",
		"office.my.faction":                "Faction",
		"office.my.asPaper":                "as paper",
		"office.my.rejectReason":           "Reason for the rejection",
		"office.my.textHeading":            "Text",
		"office.back":                      "Back to the council office",
		"office.remove":                    "Remove",
		"office.public":                    "public",
		"office.nonPublic":                 "not public",
		"office.col.subject":               "Subject",
		"office.col.type":                  "Type",
		"office.col.state":                 "Status",
		"office.col.modified":              "Modified",
		"office.col.paper":                 "Paper",
		"office.col.meeting":               "Meeting",
		"office.col.start":                 "Start",
		"office.col.edit":                  "Edit",
		"office.col.item":                  "Item",
		"office.title.newDraft":            "New draft paper",
		"office.title.draft":               "Draft paper: %s",
		"office.title.agenda":              "Agenda: %s",
		"office.title.minutes":             "Minutes: %s",
		"office.info.schema":               "The numbering scheme is saved.",
		"office.info.meetings":             "The meetings are created.",
		"office.info.released":             "The paper is released.",
		"office.info.saved":                "Saved.",
		"office.info.accepted":             "The motion is accepted as a paper.",
		"office.info.rejected":             "The motion is rejected.",
		"office.mode.inPerson":             "in person",
		"office.mode.hybrid":               "hybrid",
		"office.mode.online":               "online",
		"office.att.present":               "present",
		"office.att.excused":               "excused",
		"office.att.unexcused":             "absent without excuse",
		"office.err.parent":                "The parent paper is given by its number.",
		"office.err.consDate":              "The date of a consultation is invalid.",
		"office.err.noFile":                "Please choose a file.",
		"office.err.fileTooLarge":          "The file is too large (at most 25 MB).",
		"office.err.fileEmpty":             "The file is empty.",
		"office.err.fileType":              "This type of file is not allowed. Allowed are PDF, PNG, JPEG, plain text, Word/Excel/PowerPoint (OOXML) and OpenDocument.",
		"office.err.dateTime":              "The date or the time is invalid.",
		"office.err.seriesNumbers":         "Number of meetings, weeks apart and nth weekday are numbers.",
		"office.err.person":                "Invalid person.",
		"office.err.clock":                 "A time is invalid (format 17:30).",
		"office.err.votes":                 "Vote counts are whole numbers from 0 to 10,000.",
		"office.err.unsigned":              "The chair and the recorder sign before the minutes are published.",
		"office.err.motionDate":            "The date of the consultation is invalid.",
		"office.home.drafts":               "Draft papers",
		"office.home.draftsCaption":        "Drafts you may see",
		"office.home.noDrafts":             "No drafts.",
		"office.home.write":                "Write a new paper",
		"office.home.newDraft":             "Start a new draft paper",
		"office.home.newMotions":           "Newly received motions and questions",
		"office.home.received":             "received",
		"office.home.meetings":             "Meetings",
		"office.home.meetingsCaption":      "Meetings from 60 days ago on",
		"office.home.agenda":               "Agenda",
		"office.home.minutes":              "Minutes",
		"office.home.createMeeting":        "Create a meeting",
		"office.home.createSeries":         "Create a series of meetings",
		"office.home.createSeriesSubmit":   "Create the series",
		"office.home.org":                  "Committee",
		"office.home.name":                 "Name (empty = “Sitzung: committee”)",
		"office.home.date":                 "Date",
		"office.home.start":                "Start",
		"office.home.end":                  "End",
		"office.home.mode":                 "Format",
		"office.home.location":             "Location (number, optional)",
		"office.home.public":               "public meeting",
		"office.home.count":                "Number of meetings",
		"office.home.weeks":                "every … weeks (e.g. 2 = every other Tuesday)",
		"office.home.nth":                  "or on the nth weekday of the month (1–4)",
		"office.home.references":           "Reference numbers of papers",
		"office.home.scheme":               "The city's scheme ({year} = year, {seq:4} = running number with 4 digits)",
		"office.home.schemeSave":           "Save the scheme",
		"office.draft.released1":           "This draft is",
		"office.draft.released2":           "released",
		"office.draft.releasedOn":          "on",
		"office.draft.released3":           "and published as paper",
		"office.draft.released4":           "",
		"office.draft.released5":           "It can no longer be changed.",
		"office.draft.type":                "Type of paper",
		"office.draft.dept":                "Lead department",
		"office.draft.public":              "public paper",
		"office.draft.parent":              "Parent paper (number; for amendments and supplements)",
		"office.draft.proposal":            "Proposed resolution",
		"office.draft.reasoning":           "Facts and reasoning",
		"office.draft.finance":             "Financial impact",
		"office.draft.consultations":       "Order of consultations",
		"office.draft.step":                "Step",
		"office.draft.role":                "Role",
		"office.draft.orgStep":             "Committee, step %d",
		"office.draft.dateStep":            "Date, step %d",
		"office.draft.roleStep":            "Role, step %d",
		"office.draft.create":              "Create the draft",
		"office.draft.save":                "Save (new version)",
		"office.draft.attachments":         "Attachments",
		"office.draft.sha256":              "SHA-256",
		"office.draft.noAttachments":       "No attachments.",
		"office.draft.file":                "File (PDF, image, office document; at most 25 MB)",
		"office.draft.fileName":            "Title",
		"office.draft.filePublic":          "public attachment",
		"office.draft.upload":              "Upload",
		"office.draft.release":             "Release",
		"office.draft.releaseText":         "Releasing assigns the reference number and publishes the paper with its order of consultations. The council office may release.",
		"office.draft.releaseSubmit":       "Release the paper",
		"office.draft.versions":            "Versions",
		"office.draft.versionsCaption":     "Saved versions",
		"office.draft.version":             "Version",
		"office.draft.saved":               "Saved",
		"office.draft.account":             "Account",
		"office.draft.change":              "Change",
		"office.draft.created":             "created",
		"office.draft.noTextChange":        "text unchanged",
		"office.draft.changed":             "changed: %s",
		"office.meeting.portal":            "Meeting in the portal",
		"office.meeting.invitation":        "Invitation",
		"office.meeting.nonPublic":         "non-public meeting",
		"office.meeting.agendaCaption":     "Agenda (public part first, then the non-public part)",
		"office.meeting.order":             "Reorder",
		"office.meeting.urgent":            "Urgent",
		"office.meeting.addendum":          "Addendum",
		"office.meeting.paper":             "Paper",
		"office.meeting.up":                "Move up",
		"office.meeting.down":              "Move down",
		"office.meeting.noItems":           "No agenda items yet.",
		"office.meeting.standard":          "Add the standard items",
		"office.meeting.planned":           "Papers from the order of consultations",
		"office.meeting.plannedCaption":    "Papers planned for this committee and day",
		"office.meeting.take":              "Add",
		"office.meeting.part":              "Part",
		"office.meeting.onAgenda":          "Put on the agenda",
		"office.meeting.noPlanned":         "No papers planned.",
		"office.meeting.add":               "Add an item",
		"office.meeting.sub":               "Sub-item of the previous item (e.g. Ö 1.1)",
		"office.meeting.addSubmit":         "Add",
		"office.minutes.toAgenda":          "To the agenda",
		"office.minutes.signatures":        "Signatures and publication",
		"office.minutes.chair":             "Chair",
		"office.minutes.recorder":          "Recorder",
		"office.minutes.signedBy":          "signed by",
		"office.minutes.signedOn":          "on",
		"office.minutes.open":              "pending",
		"office.minutes.published":         "Published",
		"office.minutes.no":                "no",
		"office.minutes.signChair":         "Sign as chair",
		"office.minutes.signRecorder":      "Sign as recorder",
		"office.minutes.publish":           "Publish the public part",
		"office.minutes.attendance":        "Attendance",
		"office.minutes.attendanceCaption": "Members of the committee on the day of the meeting",
		"office.minutes.person":            "Person",
		"office.minutes.status":            "Status",
		"office.minutes.arrived":           "arrived",
		"office.minutes.left":              "left",
		"office.minutes.saveAttendance":    "Save the attendance",
		"office.minutes.results":           "Results",
		"office.minutes.result":            "Result",
		"office.minutes.resolution":        "Text of the resolution",
		"office.minutes.text":              "Text for the minutes",
		"office.minutes.conflict":          "Conflict of interest (§ 31 GO NRW)",
		"office.minutes.saveResult":        "Save the result",
		"office.minutes.textHeading":       "Text of the minutes",
		"office.minutes.generalText":       "General text (public part)",
		"office.minutes.saveText":          "Save the text",
		"office.inbox.title":               "Incoming motions and questions",
		"office.inbox.open":                "Open",
		"office.inbox.to":                  "To:",
		"office.inbox.date":                "Planned consultation on (optional)",
		"office.inbox.accept":              "Accept as a paper",
		"office.inbox.reject":              "Reject",
		"office.inbox.none":                "Nothing open.",
		"office.inbox.decided":             "Decided",
		"office.my.ownName":                "in my own name",
	}
	return de, en
}

// officeFail renders an error of an office action: expected errors as a
// page with their message, internal ones as the generic 500 page.
func (s *Server) officeFail(w http.ResponseWriter, r *http.Request, err error) {
	f := s.formatter(r.Context())
	switch ratsnetz.ErrorCode(err) {
	case ratsnetz.EFORBIDDEN:
		s.renderMessage(w, r, http.StatusForbidden, f.T("notice.forbidden"), ratsnetz.ErrorMessage(err))
	case ratsnetz.ECONFLICT:
		s.renderMessage(w, r, http.StatusConflict, f.T("notice.conflict"), ratsnetz.ErrorMessage(err))
	case ratsnetz.EINVALID:
		s.renderMessage(w, r, http.StatusBadRequest, f.T("notice.invalid"), ratsnetz.ErrorMessage(err))
	default:
		s.error(w, r, err)
	}
}

// formErr reports whether err should re-render the form with its message.
func formErr(err error) bool {
	switch ratsnetz.ErrorCode(err) {
	case ratsnetz.EINVALID, ratsnetz.ECONFLICT:
		return true
	}
	return false
}

func formInt(r *http.Request, name string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(name)), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func formCount(r *http.Request, name string) (int, bool) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0 && n <= 10000
}

// formDay parses a date field (YYYY-MM-DD) as a stored date (midnight UTC).
func formDay(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, true
	}
	t, err := time.Parse("2006-01-02", v)
	return t, err == nil
}

// formTime parses date and time fields as a Berlin wall-clock time.
func (s *Server) formTime(date, clock string) (time.Time, bool) {
	date, clock = strings.TrimSpace(date), strings.TrimSpace(clock)
	if date == "" {
		return time.Time{}, clock == ""
	}
	if clock == "" {
		clock = "00:00"
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, s.loc)
	return t, err == nil
}

func dayValue(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

// ---- home ----

type officeHomeData struct {
	Drafts   []officeDraftRow
	Motions  []officeMotionRow
	Meetings []officeMeetingRow
	Orgs     []option
	Modes    []option
	Scheme   string
	Info     string
	Error    string
	// M holds the meeting forms' values (kept when a post is rejected).
	M officeMeetingForm
}

// officeMeetingForm is what the meeting and series forms carry.
type officeMeetingForm struct {
	Posted                      bool
	Org                         int64
	Mode                        string
	Name, Date, Start, End      string
	Location, Count, Weeks, Nth string
	Public                      bool
}

func meetingFormOf(r *http.Request) officeMeetingForm {
	return officeMeetingForm{Posted: true, Org: formInt(r, "gremium"), Mode: r.PostFormValue("form"), Name: r.PostFormValue("bezeichnung"),
		Date: r.PostFormValue("datum"), Start: r.PostFormValue("beginn"), End: r.PostFormValue("ende"), Location: r.PostFormValue("ort"),
		Count: r.PostFormValue("anzahl"), Weeks: r.PostFormValue("wochen"), Nth: r.PostFormValue("nter"), Public: r.PostFormValue("oeffentlich") != ""}
}

type officeDraftRow struct {
	ID        int64
	Name      string
	Type      string
	State     string
	Modified  string
	Reference string
	PaperID   int64
}

type officeMeetingRow struct {
	ID    int64
	Name  string
	Start string
	State string
}

func (s *Server) handleOfficeHome(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	s.renderOfficeHome(w, r, http.StatusOK, officeHomeData{Info: s.officeInfo(r)})
}

// officeInfo is the notice after a redirect (?ok=…) in the request's language.
func (s *Server) officeInfo(r *http.Request) string {
	key := map[string]string{"schema": "office.info.schema", "sitzung": "office.info.meetings", "freigegeben": "office.info.released",
		"gespeichert": "office.info.saved"}[r.URL.Query().Get("ok")]
	if key == "" {
		return ""
	}
	return s.formatter(r.Context()).T(key)
}

func (s *Server) renderOfficeHome(w http.ResponseWriter, r *http.Request, status int, d officeHomeData) {
	ctx := r.Context()
	f := s.formatter(ctx)
	drafts, _, err := s.office.Office.FindPaperDrafts(ctx, ratsnetz.PaperDraftFilter{ListOptions: ratsnetz.ListOptions{Limit: 100}})
	if err != nil && ratsnetz.ErrorCode(err) != ratsnetz.EFORBIDDEN {
		s.error(w, r, err)
		return
	}
	for _, x := range drafts {
		d.Drafts = append(d.Drafts, officeDraftRow{ID: x.ID, Name: x.Name, Type: x.PaperType, State: x.State, Modified: f.DateTime(x.Modified),
			Reference: x.Reference, PaperID: x.PaperID})
	}
	motions, _, err := s.office.Office.FindMotions(ctx, ratsnetz.MotionFilter{State: ratsnetz.MotionSubmitted, ListOptions: ratsnetz.ListOptions{Limit: 100}})
	if err != nil && ratsnetz.ErrorCode(err) != ratsnetz.EFORBIDDEN {
		s.error(w, r, err)
		return
	}
	for _, m := range motions {
		d.Motions = append(d.Motions, s.motionRow(ctx, m))
	}
	meetings, _, err := s.store.FindMeetings(ctx, ratsnetz.MeetingFilter{From: s.now().AddDate(0, 0, -60), ListOptions: ratsnetz.ListOptions{Limit: 50}})
	if err != nil {
		s.error(w, r, err)
		return
	}
	for _, m := range meetings {
		d.Meetings = append(d.Meetings, officeMeetingRow{ID: m.ID, Name: m.Name, Start: f.DateTime(m.Start), State: m.MeetingState})
	}
	var choices officeDraftForm
	if err := s.officeChoices(ctx, &choices, 0); err != nil {
		s.error(w, r, err)
		return
	}
	if !d.M.Posted {
		d.M = officeMeetingForm{Start: "17:00", Public: true, Count: "6"}
	}
	for _, o := range choices.Orgs {
		o.Selected = o.Value != "" && o.Value == strconv.FormatInt(d.M.Org, 10)
		d.Orgs = append(d.Orgs, o)
	}
	d.Modes = []option{{Value: ratsnetz.ModeInPerson, Label: f.T("office.mode.inPerson")}, {Value: ratsnetz.ModeHybrid, Label: f.T("office.mode.hybrid")},
		{Value: ratsnetz.ModeOnline, Label: f.T("office.mode.online")}}
	for i := range d.Modes {
		d.Modes[i].Selected = d.Modes[i].Value == d.M.Mode
	}
	if sc, err := s.office.Office.ReferenceScheme(ctx, 1); err == nil {
		d.Scheme = sc
	}
	s.renderForm(w, r, status, "office_home", f.T("office.nav"), d)
}

// officeChoices fills the select boxes of the draft form.
func (s *Server) officeChoices(ctx context.Context, d *officeDraftForm, body int64) error {
	orgs, _, err := s.store.FindOrganizations(ctx, ratsnetz.OrganizationFilter{BodyID: body, ActiveAt: s.now(), ListOptions: ratsnetz.ListOptions{Limit: 1000}})
	if err != nil {
		return err
	}
	d.Orgs, d.Depts = nil, nil
	d.Orgs = append(d.Orgs, option{Value: "", Label: "—"})
	d.Depts = append(d.Depts, option{Value: "", Label: "—"})
	for _, o := range orgs {
		v := strconv.FormatInt(o.ID, 10)
		switch o.OrganizationType {
		case ratsnetz.OrgTypeGremium:
			d.Orgs = append(d.Orgs, option{Value: v, Label: o.Name})
		case ratsnetz.OrgTypeVerwaltungsbereich:
			d.Depts = append(d.Depts, option{Value: v, Label: o.Name, Selected: o.ID == d.DepartmentID})
		}
		d.bodyOf = append(d.bodyOf, [2]int64{o.ID, o.BodyID})
	}
	d.Types = stringOptions([]string{ratsnetz.PaperTypeResolution, ratsnetz.PaperTypeNotice, ratsnetz.PaperTypeReport, ratsnetz.PaperTypeAnswer,
		ratsnetz.PaperTypeSupplement, ratsnetz.PaperTypeAmendment, ratsnetz.PaperTypeBoardTemplate, ratsnetz.PaperTypeMotion, ratsnetz.PaperTypeQuestion}, d.PaperType)
	return nil
}

func (s *Server) handleOfficeScheme(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	body := formInt(r, "koerperschaft")
	if body == 0 {
		body = 1
	}
	if err := s.office.Office.SetReferenceScheme(r.Context(), body, r.PostFormValue("schema")); err != nil {
		if formErr(err) {
			s.renderOfficeHome(w, r, http.StatusBadRequest, officeHomeData{Error: ratsnetz.ErrorMessage(err)})
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/sitzungsdienst?ok=schema")
}

// ---- drafts ----

// officeDraftForm is the draft form, filled from a draft or a rejected post.
type officeDraftForm struct {
	ID           int64
	Action       string
	Version      int
	Name         string
	PaperType    string
	DepartmentID int64
	Public       bool
	Parent       string
	Proposal     string
	Reasoning    string
	Finance      string
	Cons         []officeConsRow
	Orgs, Depts  []option
	Types        []option
	bodyOf       [][2]int64
	Open         bool
	New          bool
	State        string
	Reference    string
	PaperID      int64
	Released     string
	Attachments  []officeAttachmentRow
	Versions     []officeVersionRow
	UploadName   string
	UploadPublic bool
	Error        string
	UploadError  string
	Info         string
}

type officeConsRow struct {
	Orgs  []option
	Roles []option
	Date  string
	org   int64
	role  string
}

type officeAttachmentRow struct {
	ID     int64
	Name   string
	File   string
	Size   string
	Public bool
	SHA256 string
}

type officeVersionRow struct {
	Version int
	Saved   string
	Name    string
	Account int64
	Changes string
}

func consultationRoles() []string {
	return []string{ratsnetz.ConsultationPreliminary, ratsnetz.ConsultationDecision, ratsnetz.ConsultationNotice, ratsnetz.ConsultationHearing}
}

// consOptions builds each Beratungsfolge row's select boxes.
func (d *officeDraftForm) consOptions() {
	for i := range d.Cons {
		c := &d.Cons[i]
		c.Orgs = make([]option, len(d.Orgs))
		for j, o := range d.Orgs {
			c.Orgs[j] = option{Value: o.Value, Label: o.Label, Selected: o.Value != "" && o.Value == strconv.FormatInt(c.org, 10)}
		}
		c.Roles = stringOptions(consultationRoles(), c.role)
	}
}

// draftFromForm reads the posted draft form; the string is the message key
// of a value the form cannot take ("" if none).
func draftFromForm(r *http.Request) (*ratsnetz.PaperDraft, officeDraftForm, string) {
	f := officeDraftForm{
		Name: r.PostFormValue("betreff"), PaperType: r.PostFormValue("art"), DepartmentID: formInt(r, "amt"),
		Public: r.PostFormValue("oeffentlich") != "", Parent: strings.TrimSpace(r.PostFormValue("hauptvorlage")),
		Proposal: r.PostFormValue("beschlussvorschlag"), Reasoning: r.PostFormValue("begruendung"), Finance: r.PostFormValue("finanzen"),
	}
	d := &ratsnetz.PaperDraft{Name: f.Name, PaperType: f.PaperType, DepartmentID: f.DepartmentID, Public: f.Public}
	for _, sec := range []ratsnetz.TextSection{{Heading: ratsnetz.SectionProposal, Text: f.Proposal},
		{Heading: ratsnetz.SectionReasoning, Text: f.Reasoning}, {Heading: ratsnetz.SectionFinance, Text: f.Finance}} {
		if strings.TrimSpace(sec.Text) != "" {
			d.Sections = append(d.Sections, sec)
		}
	}
	msg := ""
	if f.Parent != "" {
		n, err := strconv.ParseInt(f.Parent, 10, 64)
		if err != nil || n <= 0 {
			msg = "office.err.parent"
		}
		d.ParentPaperID = n
	}
	for i := 0; i < 8; i++ {
		k := strconv.Itoa(i)
		org := formInt(r, "beratung_gremium_"+k)
		role := r.PostFormValue("beratung_rolle_" + k)
		date := r.PostFormValue("beratung_datum_" + k)
		if org == 0 && strings.TrimSpace(date) == "" {
			continue
		}
		day, ok := formDay(date)
		if !ok {
			msg = "office.err.consDate"
		}
		f.Cons = append(f.Cons, officeConsRow{org: org, role: role, Date: date})
		d.Consultations = append(d.Consultations, ratsnetz.DraftConsultation{OrganizationID: org, Role: role, Date: day})
	}
	for len(f.Cons) < 4 {
		f.Cons = append(f.Cons, officeConsRow{})
	}
	return d, f, msg
}

// formOfDraft fills the form from a stored draft.
func (s *Server) formOfDraft(ctx context.Context, d *ratsnetz.PaperDraft) officeDraftForm {
	fm := s.formatter(ctx)
	f := officeDraftForm{ID: d.ID, Action: "/sitzungsdienst/vorlagen/" + strconv.FormatInt(d.ID, 10), Version: d.Version, Name: d.Name,
		PaperType: d.PaperType, DepartmentID: d.DepartmentID, Public: d.Public, Open: d.State == ratsnetz.DraftOpen, State: d.State,
		Reference: d.Reference, PaperID: d.PaperID, Released: fm.DateTime(d.Released), UploadPublic: d.Public}
	if d.ParentPaperID != 0 {
		f.Parent = strconv.FormatInt(d.ParentPaperID, 10)
	}
	for _, sec := range d.Sections {
		switch sec.Heading {
		case ratsnetz.SectionProposal:
			f.Proposal = sec.Text
		case ratsnetz.SectionReasoning:
			f.Reasoning = sec.Text
		case ratsnetz.SectionFinance:
			f.Finance = sec.Text
		}
	}
	for _, c := range d.Consultations {
		f.Cons = append(f.Cons, officeConsRow{org: c.OrganizationID, role: c.Role, Date: dayValue(c.Date)})
	}
	for len(f.Cons) < len(d.Consultations)+2 || len(f.Cons) < 4 {
		f.Cons = append(f.Cons, officeConsRow{})
	}
	for _, a := range d.Attachments {
		f.Attachments = append(f.Attachments, officeAttachmentRow{ID: a.ID, Name: a.Name, File: a.FileName, Size: fileSize(a.Size), Public: a.Public, SHA256: a.SHA256})
	}
	return f
}

func (s *Server) handleDraftNew(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	f := officeDraftForm{Public: true, Cons: make([]officeConsRow, 4), PaperType: ratsnetz.PaperTypeResolution}
	if p := r.URL.Query().Get("zu"); p != "" {
		f.Parent, f.PaperType = p, ratsnetz.PaperTypeSupplement
	}
	s.renderNewDraft(w, r, http.StatusOK, f)
}

// renderNewDraft shows the form of a new draft (empty or as posted).
func (s *Server) renderNewDraft(w http.ResponseWriter, r *http.Request, status int, f officeDraftForm) {
	f.Action, f.Open, f.New = "/sitzungsdienst/vorlagen", true, true
	if err := s.officeChoices(r.Context(), &f, 0); err != nil {
		s.error(w, r, err)
		return
	}
	f.consOptions()
	s.renderForm(w, r, status, "office_draft", s.formatter(r.Context()).T("office.title.newDraft"), f)
}

func (s *Server) handleDraftCreate(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	d, f, msg := draftFromForm(r)
	d.BodyID = formInt(r, "koerperschaft")
	if d.BodyID == 0 {
		d.BodyID = 1
	}
	err := error(nil)
	if msg != "" {
		err = ratsnetz.Errorf(ratsnetz.EINVALID, "%s", s.formatter(r.Context()).T(msg))
	} else {
		err = s.office.Office.CreatePaperDraft(r.Context(), d)
	}
	if err != nil {
		if formErr(err) {
			f.Error = ratsnetz.ErrorMessage(err)
			s.renderNewDraft(w, r, http.StatusBadRequest, f)
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/sitzungsdienst/vorlagen/"+strconv.FormatInt(d.ID, 10)+"?ok=gespeichert")
}

func (s *Server) handleDraftView(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.renderDraft(w, r, http.StatusOK, id, nil)
}

// renderDraft shows a draft; form, if set, replaces the stored values (a
// rejected post keeps what was typed).
func (s *Server) renderDraft(w http.ResponseWriter, r *http.Request, status int, id int64, form *officeDraftForm) {
	ctx := r.Context()
	d, err := s.office.Office.FindPaperDraftByID(ctx, id)
	if err != nil {
		s.officeFail(w, r, err)
		return
	}
	f := s.formOfDraft(ctx, d)
	if form != nil {
		keep := f
		f = *form
		f.ID, f.Action, f.Version, f.Open, f.State, f.Attachments = keep.ID, keep.Action, keep.Version, keep.Open, keep.State, keep.Attachments
		if f.Name == "" && f.Error == "" && f.UploadError != "" {
			// An upload error keeps the stored draft and the upload fields.
			up, upPublic, upErr := f.UploadName, f.UploadPublic, f.UploadError
			f = keep
			f.UploadName, f.UploadPublic, f.UploadError = up, upPublic, upErr
		}
	}
	if f.Info == "" {
		f.Info = s.officeInfo(r)
	}
	if err := s.officeChoices(ctx, &f, d.BodyID); err != nil {
		s.error(w, r, err)
		return
	}
	f.consOptions()
	versions, err := s.office.Office.FindPaperDraftVersions(ctx, id)
	if err != nil {
		s.officeFail(w, r, err)
		return
	}
	fm := s.formatter(ctx)
	for i, v := range versions {
		row := officeVersionRow{Version: v.Version, Saved: fm.DateTime(v.Saved), Name: v.Name, Account: v.AccountID}
		if i+1 < len(versions) {
			row.Changes = sectionChanges(fm, versions[i+1], v)
		} else {
			row.Changes = fm.T("office.draft.created")
		}
		f.Versions = append(f.Versions, row)
	}
	s.renderForm(w, r, status, "office_draft", fm.T("office.title.draft", d.Name), f)
}

// sectionHeadingKeys are the message keys of the draft's text sections.
var sectionHeadingKeys = [...][2]string{{ratsnetz.SectionProposal, "office.draft.proposal"},
	{ratsnetz.SectionReasoning, "office.draft.reasoning"}, {ratsnetz.SectionFinance, "office.draft.finance"}}

// sectionChanges names what changed between two versions (a short diff).
func sectionChanges(fm formatter, old, cur *ratsnetz.PaperDraftVersion) string {
	var out []string
	if old.Name != cur.Name {
		out = append(out, fm.T("office.col.subject"))
	}
	if old.PaperType != cur.PaperType {
		out = append(out, fm.T("office.draft.type"))
	}
	texts := func(v *ratsnetz.PaperDraftVersion) map[string]string {
		m := map[string]string{}
		for _, s := range v.Sections {
			m[s.Heading] = s.Text
		}
		return m
	}
	a, b := texts(old), texts(cur)
	for _, h := range sectionHeadingKeys {
		if a[h[0]] != b[h[0]] {
			out = append(out, fm.T(h[1]))
		}
	}
	if len(out) == 0 {
		return fm.T("office.draft.noTextChange")
	}
	return fm.T("office.draft.changed", strings.Join(out, ", "))
}

func (s *Server) handleDraftSave(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	d, f, msg := draftFromForm(r)
	d.ID = id
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if msg != "" {
		err = ratsnetz.Errorf(ratsnetz.EINVALID, "%s", s.formatter(r.Context()).T(msg))
	} else {
		err = s.office.Office.UpdatePaperDraft(r.Context(), d, version)
	}
	if err != nil {
		if formErr(err) {
			f.Error = ratsnetz.ErrorMessage(err)
			s.renderDraft(w, r, http.StatusBadRequest, id, &f)
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/sitzungsdienst/vorlagen/"+strconv.FormatInt(id, 10)+"?ok=gespeichert")
}

// allowedUpload maps sniffed content and extension to the MIME type stored;
// "" rejects the file.
func allowedUpload(sniffed, name string) string {
	ext := strings.ToLower(path.Ext(name))
	base, _, _ := mime.ParseMediaType(sniffed)
	switch base {
	case "application/pdf", "image/png", "image/jpeg":
		return base
	case "text/plain":
		if ext == ".txt" || ext == ".csv" {
			return "text/plain; charset=utf-8"
		}
	case "application/zip":
		switch ext {
		case ".docx":
			return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		case ".xlsx":
			return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		case ".pptx":
			return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
		case ".odt":
			return "application/vnd.oasis.opendocument.text"
		case ".ods":
			return "application/vnd.oasis.opendocument.spreadsheet"
		}
	}
	return ""
}

// safeFileName keeps letters, digits and a few marks of an uploaded name.
func safeFileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	var b strings.Builder
	for _, c := range name {
		switch {
		case unicode.IsLetter(c) || unicode.IsDigit(c) || c == '.' || c == '-' || c == '_':
			b.WriteRune(c)
		case c == ' ':
			b.WriteByte('_')
		}
	}
	out := strings.Trim(b.String(), "._")
	if r := []rune(out); len(r) > 100 {
		out = string(r[len(r)-100:])
	}
	if out == "" {
		out = "datei"
	}
	return out
}

func (s *Server) handleDraftUpload(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	form := officeDraftForm{UploadName: strings.TrimSpace(r.PostFormValue("bezeichnung")), UploadPublic: r.PostFormValue("anlage_oeffentlich") != ""}
	fm := s.formatter(r.Context())
	bad := func(msg string) {
		form.UploadError = msg
		s.renderDraft(w, r, http.StatusBadRequest, id, &form)
	}
	file, hdr, err := r.FormFile("datei")
	if err != nil {
		bad(fm.T("office.err.noFile"))
		return
	}
	defer file.Close()
	if hdr.Size > maxUpload {
		bad(fm.T("office.err.fileTooLarge"))
		return
	}
	if hdr.Size == 0 {
		bad(fm.T("office.err.fileEmpty"))
		return
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(file, head)
	mimeType := allowedUpload(http.DetectContentType(head[:n]), hdr.Filename)
	if mimeType == "" {
		bad(fm.T("office.err.fileType"))
		return
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		s.error(w, r, err)
		return
	}
	if form.UploadName == "" {
		form.UploadName = strings.TrimSuffix(path.Base(hdr.Filename), path.Ext(hdr.Filename))
	}
	// Check the right before storing anything.
	if _, err := s.office.Office.FindPaperDraftByID(r.Context(), id); err != nil {
		s.officeFail(w, r, err)
		return
	}
	var rnd [8]byte
	rand.Read(rnd[:])
	fileName := safeFileName(hdr.Filename)
	key := "office/drafts/" + strconv.FormatInt(id, 10) + "/" + hex.EncodeToString(rnd[:]) + "/" + fileName
	info, err := s.blobs.Put(r.Context(), key, io.LimitReader(file, maxUpload+1))
	if err != nil {
		s.error(w, r, err)
		return
	}
	if info.Size > maxUpload {
		s.blobs.Delete(r.Context(), key)
		bad(fm.T("office.err.fileTooLarge"))
		return
	}
	a := &ratsnetz.DraftAttachment{Name: form.UploadName, FileName: fileName, MimeType: mimeType, Size: info.Size, SHA256: info.SHA256,
		SHA512: info.SHA512, BlobKey: info.Key, Public: form.UploadPublic}
	if a.BlobKey == "" {
		a.BlobKey = key
	}
	if err := s.office.Office.AddDraftAttachment(r.Context(), id, a); err != nil {
		s.blobs.Delete(r.Context(), key)
		if formErr(err) {
			bad(ratsnetz.ErrorMessage(err))
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/sitzungsdienst/vorlagen/"+strconv.FormatInt(id, 10)+"?ok=gespeichert")
}

func (s *Server) handleDraftRemoveFile(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	aid, err := pathID(r, "aid")
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.office.Office.RemoveDraftAttachment(r.Context(), id, aid); err != nil {
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/sitzungsdienst/vorlagen/"+strconv.FormatInt(id, 10)+"?ok=gespeichert")
}

func (s *Server) handleDraftRelease(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	if _, err := s.office.Office.ReleasePaperDraft(r.Context(), id); err != nil {
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/sitzungsdienst/vorlagen/"+strconv.FormatInt(id, 10)+"?ok=freigegeben")
}
