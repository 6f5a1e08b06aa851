package demo

import "strings"

// Topic templates. {X} is replaced by a street, school, place or district,
// {Y} by a year, {B} by an amount in euros, {S} by a sequence number.

type subjectKind int

const (
	subjNone subjectKind = iota
	subjStreet
	subjSchool
	subjPlace
	subjDistrict
)

type topic struct {
	title     string
	subj      subjectKind
	proposal  string
	reasoning string
	finance   bool // has costs: goes through the finance committee before the council
}

// resolutionTopics are administration proposals (Beschlussvorlagen) by committee key.
var resolutionTopics = map[string][]topic{
	"ba": {
		{"Bebauungsplan Nr. {S} „{X}“ – Aufstellungsbeschluss", subjStreet,
			"Der Rat beschließt die Aufstellung des Bebauungsplans Nr. {S} „{X}“ gemäß § 2 Abs. 1 BauGB. Der Geltungsbereich ergibt sich aus der Anlage 1.",
			"Im Bereich {X} sollen die planungsrechtlichen Voraussetzungen für rund 120 Wohneinheiten, davon ein Drittel öffentlich gefördert, geschaffen werden. Der Flächennutzungsplan stellt hier bereits Wohnbaufläche dar.", false},
		{"Sanierung der Brücke {X}", subjStreet,
			"Die Verwaltung wird beauftragt, die Sanierung der Brücke im Zuge der {X} auszuschreiben und im Jahr {Y} durchzuführen.",
			"Die Bauwerksprüfung nach DIN 1076 hat für die Brücke {X} die Zustandsnote 3,0 ergeben. Eine Sanierung ist erforderlich, um eine Lastbeschränkung zu vermeiden.", true},
		{"Erweiterung des Gebäudes {X} – Baubeschluss", subjSchool,
			"Der Rat beschließt die Erweiterung des Gebäudes {X} auf Grundlage der Entwurfsplanung (Anlage 1) mit Gesamtkosten von {B} €.",
			"Die Schülerzahlen steigen nach der Schulentwicklungsplanung bis {Y} deutlich. Der Erweiterungsbau schafft vier zusätzliche Klassenräume und einen Mensabereich.", true},
		{"Veränderungssperre für den Bereich {X}", subjStreet,
			"Der Rat beschließt für den Geltungsbereich des Bebauungsplans „{X}“ eine Veränderungssperre als Satzung.",
			"Zur Sicherung der Planungsziele ist eine Veränderungssperre erforderlich, da Bauvoranfragen vorliegen, die den Zielen widersprechen.", false},
		{"Neugestaltung des Platzes an der {X}", subjStreet,
			"Der Ausschuss stimmt der Entwurfsplanung zur Neugestaltung des Platzes an der {X} zu.",
			"Der Platz soll barrierefrei umgestaltet, entsiegelt und mit zwölf neuen Bäumen begrünt werden. Die Bürgerbeteiligung fand im Frühjahr statt.", true},
	},
	"ua": {
		{"Klimaschutzkonzept der Stadt Musterstadt – Fortschreibung {Y}", subjNone,
			"Der Rat beschließt die Fortschreibung des Klimaschutzkonzepts (Anlage 1) und beauftragt die Verwaltung mit der Umsetzung der Maßnahmen der Priorität A.",
			"Das Klimaschutzkonzept aus dem Jahr 2019 wird fortgeschrieben. Ziel ist die Treibhausgasneutralität der Stadtverwaltung bis 2035.", true},
		{"Baumschutzsatzung – Änderung", subjNone,
			"Der Rat beschließt die Änderung der Baumschutzsatzung in der Fassung der Anlage 1.",
			"Die Änderung erweitert den Schutz auf Obstbäume ab 80 cm Stammumfang und vereinfacht das Antragsverfahren.", false},
		{"Renaturierung des Gewässerabschnitts {X}", subjStreet,
			"Die Verwaltung wird beauftragt, die Renaturierung des Gewässerabschnitts {X} umzusetzen.",
			"Die Maßnahme dient der Umsetzung der EU-Wasserrahmenrichtlinie und wird zu 80 % vom Land gefördert.", true},
		{"Lärmaktionsplan Stufe 4", subjNone,
			"Der Rat beschließt den Lärmaktionsplan der Stufe 4 (Anlage 1).",
			"Nach § 47d BImSchG ist der Lärmaktionsplan alle fünf Jahre zu überprüfen. Die Öffentlichkeit wurde beteiligt.", false},
	},
	"adim": {
		{"Ausbau des öffentlichen WLAN in {X}", subjPlace,
			"Die Verwaltung wird beauftragt, in {X} ein öffentliches WLAN einzurichten.",
			"Das kostenfreie WLAN wird bereits an 14 Standorten angeboten. Die Nutzungszahlen steigen jährlich um rund 20 %.", true},
		{"Radverkehrskonzept – Maßnahmenpaket {S}", subjNone,
			"Der Rat beschließt das Maßnahmenpaket {S} des Radverkehrskonzepts (Anlage 1).",
			"Das Maßnahmenpaket umfasst geschützte Radfahrstreifen, 300 Fahrradbügel und zwei Mobilstationen.", true},
		{"Parkraumbewirtschaftung im Bereich {X}", subjStreet,
			"Der Ausschuss beschließt die Einführung der Parkraumbewirtschaftung im Bereich {X} ab dem 1. April {Y}.",
			"Die Parkraumerhebung zeigt eine Auslastung von über 95 % in den Abendstunden. Bewohnerparken soll Anwohnende entlasten.", false},
		{"Digitalisierungsstrategie der Stadtverwaltung – Sachstand {Y}", subjNone,
			"Der Ausschuss nimmt den Sachstand zur Digitalisierungsstrategie zustimmend zur Kenntnis und beschließt die Priorisierung (Anlage 1).",
			"Von 575 Leistungen nach dem Onlinezugangsgesetz sind 212 online verfügbar. Schwerpunkt {Y} sind Bauantrag, Wohngeld und Gewerbe.", false},
		{"Sanierung der Fahrbahn {X}", subjStreet,
			"Die Verwaltung wird beauftragt, die Fahrbahn der {X} einschließlich der Nebenanlagen zu sanieren.",
			"Die Straßenzustandserfassung weist für die {X} erhebliche Schäden auf. Die Maßnahme wird mit dem Austausch der Versorgungsleitungen durch die Stadtwerke koordiniert.", true},
	},
	"scha": {
		{"Schulentwicklungsplan {Y}–{Y5}", subjNone,
			"Der Rat beschließt den Schulentwicklungsplan {Y}–{Y5} (Anlage 1).",
			"Der Plan prognostiziert bis {Y5} einen Anstieg der Grundschülerzahlen um 9 %. Zwei Grundschulen sollen um je einen Zug erweitert werden.", false},
		{"Offener Ganztag an der {X} – Erweiterung", subjSchool,
			"Der Ausschuss beschließt die Erweiterung des Offenen Ganztags an der {X} um zwei Gruppen ab dem Schuljahr {Y}/{Y1}.",
			"Der Rechtsanspruch auf Ganztagsbetreuung ab 2026 erfordert zusätzliche Plätze. An der {X} stehen 48 Kinder auf der Warteliste.", true},
		{"Digitale Ausstattung der {X}", subjSchool,
			"Die Verwaltung wird beauftragt, die {X} mit interaktiven Tafeln und Tablets auszustatten.",
			"Der Medienentwicklungsplan sieht für die {X} die Ausstattung in {Y} vor. Die Mittel stammen aus dem DigitalPakt.", true},
	},
	"soza": {
		{"Kommunaler Wohnungsmarktbericht {Y}", subjNone,
			"Der Ausschuss nimmt den Wohnungsmarktbericht {Y} zur Kenntnis und beauftragt die Verwaltung, ein Handlungskonzept Wohnen vorzulegen.",
			"Die Angebotsmieten sind seit 2020 um 18 % gestiegen. Der Bestand öffentlich geförderter Wohnungen sinkt.", false},
		{"Förderung der Seniorenarbeit im Stadtbezirk {X}", subjDistrict,
			"Der Ausschuss beschließt die Förderung des Seniorentreffs im Stadtbezirk {X} mit jährlich {B} €.",
			"Der Seniorentreff wird ehrenamtlich getragen und erreicht wöchentlich rund 90 Personen.", true},
		{"Unterbringung Geflüchteter – Standort {X}", subjStreet,
			"Der Rat beschließt die Errichtung einer Unterkunft für 80 Personen an der {X}.",
			"Die Zuweisungszahlen des Landes erfordern weitere Plätze. Der Standort {X} ist gut an den Nahverkehr angebunden.", true},
	},
	"ka": {
		{"Kulturentwicklungsplan Musterstadt {Y}", subjNone,
			"Der Rat beschließt den Kulturentwicklungsplan (Anlage 1).",
			"In einem zweijährigen Beteiligungsprozess haben über 400 Kulturschaffende mitgewirkt.", false},
		{"Sanierung der {X}", subjPlace,
			"Die Verwaltung wird beauftragt, die Sanierung der {X} zu planen und die Fördermittel zu beantragen.",
			"Das Gebäude entspricht nicht mehr den Anforderungen an Brandschutz und Barrierefreiheit.", true},
		{"Entgeltordnung der Musikschule – Anpassung", subjNone,
			"Der Rat beschließt die Entgeltordnung der Musikschule in der Fassung der Anlage 1.",
			"Die Entgelte wurden seit 2019 nicht angepasst. Der Kostendeckungsgrad ist auf 31 % gesunken.", false},
	},
	"hfa": {
		{"Haushaltssatzung und Haushaltsplan {Y1}", subjNone,
			"Der Rat beschließt die Haushaltssatzung für das Haushaltsjahr {Y1} mit ihren Anlagen.",
			"Der Entwurf weist im Ergebnisplan einen Fehlbetrag von 14,2 Mio. € aus, der durch Inanspruchnahme der Ausgleichsrücklage gedeckt wird.", true},
		{"Jahresabschluss {Yp}", subjNone,
			"Der Rat stellt den Jahresabschluss zum 31.12.{Yp} fest und entlastet die Oberbürgermeisterin.",
			"Der Rechnungsprüfungsausschuss hat den Jahresabschluss geprüft; der Bestätigungsvermerk wurde uneingeschränkt erteilt.", false},
		{"Überplanmäßige Aufwendungen für {X}", subjPlace,
			"Der Rat genehmigt überplanmäßige Aufwendungen in Höhe von {B} € für {X}.",
			"Durch gestiegene Energiepreise reichen die veranschlagten Mittel nicht aus. Die Deckung erfolgt aus Minderaufwendungen bei den Zinsen.", true},
		{"Änderung der Hauptsatzung", subjNone,
			"Der Rat beschließt die Änderung der Hauptsatzung in der Fassung der Anlage 1.",
			"Die Änderung passt die Zuständigkeiten der Ausschüsse an die neue Zuständigkeitsordnung an.", false},
	},
	"rpa": {
		{"Prüfbericht des Rechnungsprüfungsamtes {Y}/{S}", subjNone,
			"Der Ausschuss nimmt den Prüfbericht zur Kenntnis.",
			"Geprüft wurden die Vergabeverfahren im Hochbau. Es wurden keine wesentlichen Beanstandungen festgestellt.", false},
	},
	"bv": {
		{"Verkehrsberuhigung in der {X}", subjStreet,
			"Die Bezirksvertretung beschließt die Einrichtung einer Tempo-30-Zone in der {X}.",
			"Anwohnende haben wiederholt auf zu schnellen Durchgangsverkehr hingewiesen. Die Verkehrszählung bestätigt dies.", false},
		{"Verwendung der bezirklichen Mittel {Y}", subjNone,
			"Die Bezirksvertretung beschließt die Verwendung der bezirklichen Mittel gemäß Anlage 1.",
			"Für {Y} stehen dem Stadtbezirk 65.000 € zur Verfügung.", false},
		{"Benennung eines Platzes an der {X}", subjStreet,
			"Die Bezirksvertretung beschließt, den Platz an der {X} „Platz der Städtepartnerschaft“ zu benennen.",
			"Die Benennung würdigt 50 Jahre Städtepartnerschaft.", false},
	},
	"bk": {
		{"Wirtschaftsplan des Eigenbetriebs Stadtentwässerung {Y1}", subjNone,
			"Die Betriebskommission empfiehlt dem Rat, den Wirtschaftsplan {Y1} zu beschließen.",
			"Der Wirtschaftsplan sieht Investitionen von 9,8 Mio. € in das Kanalnetz vor.", true},
		{"Kanalsanierung {X}", subjStreet,
			"Die Betriebskommission beschließt die Kanalsanierung in der {X} im geschlossenen Verfahren.",
			"Die Kamerabefahrung hat Risse und Wurzeleinwüchse ergeben.", true},
	},
}

// motionTopics are faction motions (Anträge).
var motionTopics = map[string][]topic{
	"ba":   {{"Mehr Dachbegrünung bei städtischen Neubauten", subjNone, "Die Verwaltung wird beauftragt, bei allen städtischen Neubauten eine Dachbegrünung vorzusehen.", "Gründächer halten Regenwasser zurück und kühlen die Stadt.", false}, {"Leerstandskataster für die Innenstadt", subjNone, "Die Verwaltung wird beauftragt, ein Leerstandskataster aufzubauen.", "Ladenleerstand nimmt zu; ein Kataster hilft bei der Vermittlung.", false}},
	"ua":   {{"Trinkbrunnen in der Innenstadt", subjNone, "Die Verwaltung wird beauftragt, an fünf Standorten Trinkbrunnen aufzustellen.", "Hitzesommer erfordern kostenfreien Zugang zu Trinkwasser.", true}, {"Blühstreifen an städtischen Wegen", subjStreet, "Die Verwaltung wird beauftragt, Grünstreifen an der {X} als Blühstreifen anzulegen.", "Insekten finden in der Stadt kaum Nahrung.", false}},
	"adim": {{"Sichere Schulwege an der {X}", subjStreet, "Die Verwaltung wird beauftragt, an der {X} einen gesicherten Überweg einzurichten.", "Eltern berichten von gefährlichen Situationen morgens.", false}, {"Open-Data-Portal der Stadt ausbauen", subjNone, "Die Verwaltung wird beauftragt, Ratsinformationen und Haushaltsdaten als offene Daten bereitzustellen.", "Offene Daten schaffen Transparenz und ermöglichen neue Anwendungen.", false}},
	"scha": {{"Schulsozialarbeit an der {X} verstärken", subjSchool, "Die Verwaltung wird beauftragt, an der {X} eine weitere Stelle Schulsozialarbeit einzurichten.", "Die Schule meldet steigenden Unterstützungsbedarf.", true}},
	"soza": {{"Kältehilfe für Wohnungslose", subjNone, "Die Verwaltung wird beauftragt, im Winter eine zusätzliche Notschlafstelle einzurichten.", "Die bestehenden Plätze reichen in kalten Nächten nicht aus.", true}},
	"ka":   {{"Kostenfreier Eintritt ins Museum für Stadtgeschichte am ersten Sonntag im Monat", subjNone, "Die Verwaltung wird beauftragt, den Eintritt am ersten Sonntag im Monat kostenfrei zu gestalten.", "Kultur soll allen offenstehen.", false}},
	"hfa":  {{"Prüfung einer Zweitwohnungsteuer", subjNone, "Die Verwaltung wird beauftragt, die Einführung einer Zweitwohnungsteuer zu prüfen.", "Andere Städte erzielen damit Mehrerträge und Anmeldungen mit Hauptwohnsitz.", false}},
	"bv":   {{"Zusätzliche Papierkörbe in der {X}", subjStreet, "Die Verwaltung wird gebeten, in der {X} zusätzliche Papierkörbe aufzustellen.", "Die vorhandenen Behälter sind am Wochenende überfüllt.", false}},
}

// questionTopics are questions of factions (Anfragen).
var questionTopics = []string{
	"Sachstand Sanierung {X}", "Unterrichtsausfall an der {X}", "Baustellenkoordination in der {X}",
	"Wartezeiten im Bürgerbüro", "Personalsituation im Ordnungsamt", "Nutzung der Ladesäulen für E-Autos",
	"Kosten der Sanierung der {X}", "Sauberkeit im Bereich {X}", "Stand der Glasfaserversorgung im Bereich {X}",
	"Belegung der Sporthallen", "Fördermittel des Landes für den Bereich {X}",
}

// noticeTopics are notices of the administration (Mitteilungen) and reports.
var noticeTopics = []string{
	"Sachstandsbericht Baumaßnahme {X}", "Ergebnis der Verkehrszählung {X}", "Baustelleninformation {X}",
	"Bericht über die Haushaltsausführung zum 30.06.{Y}", "Zwischenbericht Klimaschutzmanagement",
	"Statistik Bürgerbüro {Y}", "Auswertung der Bürgerbeteiligung {X}", "Förderbescheid für {X}",
	"Stand der Umsetzung des Onlinezugangsgesetzes", "Winterdienst {Y}/{Y1} – Bilanz",
}

// secretTopics are non-public matters of the city.
var secretTopics = []topic{
	{"Grundstücksangelegenheit Gemarkung Musterstadt, Flur {S}", subjNone,
		"Der Rat beschließt den Verkauf des Grundstücks Gemarkung Musterstadt, Flur {S}, zum Kaufpreis von {B} € an die in der Anlage genannte Käuferin.",
		"Das Grundstück wird für städtische Zwecke nicht mehr benötigt. Das Wertgutachten liegt der Verwaltung vor.", false},
	{"Vergabe der Bauleistungen für {X}", subjPlace,
		"Der Ausschuss beschließt, den Auftrag für {X} an den wirtschaftlichsten Bieter zum Angebotspreis von {B} € zu vergeben.",
		"Es gingen sieben Angebote ein. Die Auswertung ist in der Anlage dargestellt.", true},
	{"Personalangelegenheit im Amt {S}", subjNone,
		"Der Rat stimmt der Besetzung der Amtsleitung zu.",
		"Das Auswahlverfahren ist abgeschlossen. Die Bewertung der Bewerbungen liegt bei.", false},
	{"Vergleich in einem Rechtsstreit um {X}", subjStreet,
		"Der Rat stimmt dem Abschluss eines Vergleichs mit einer Zahlung von {B} € zu.",
		"Das Prozessrisiko wird von der beauftragten Kanzlei als hoch eingeschätzt.", true},
}

// boardTopics are matters of the company supervisory boards.
var boardTopics = []string{
	"Wirtschaftsplan {Y1} der Gesellschaft", "Bericht der Geschäftsführung zum Quartal", "Investition in {X}",
	"Zustimmung zur Kreditaufnahme über {B} €", "Risikobericht {Y}", "Vergabe Rahmenvertrag Netzbau",
	"Tarifanpassung zum 1. Januar {Y1}", "Vorstandsvergütung und Zielvereinbarung {Y1}",
}

// subjectFor chooses the kind of subject that fits a question or notice title.
func subjectFor(title string) subjectKind {
	switch {
	case strings.Contains(title, "Unterricht"):
		return subjSchool
	case strings.Contains(title, "Bereich"), strings.Contains(title, "Baustelle"), strings.Contains(title, "Verkehr"):
		return subjStreet
	}
	return subjPlace
}
