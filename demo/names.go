package demo

// Name material for the fictional persons of Musterstadt. Given and family
// names are common German ones, combined by the generator; no real person is
// meant.

var givenFemale = []string{
	"Anna", "Birgit", "Claudia", "Daniela", "Elke", "Franziska", "Gabriele", "Hannelore", "Ines", "Jana",
	"Käthe", "Lena", "Monika", "Nadine", "Olga", "Petra", "Renate", "Sabine", "Tanja", "Ursula",
	"Vera", "Wiebke", "Yvonne", "Zeynep", "Andrea", "Bärbel", "Christiane", "Doris", "Esra", "Friederike",
	"Gisela", "Heike", "Ilse", "Jutta", "Katrin", "Lea", "Marion", "Nicole", "Sophie", "Aylin",
	"Martina", "Simone", "Ulrike", "Karin", "Silke", "Anke", "Miriam", "Lisa", "Greta", "Hülya",
}

var givenMale = []string{
	"Andreas", "Bernd", "Christian", "Dieter", "Erik", "Frank", "Günther", "Hans-Peter", "Ingo", "Jürgen",
	"Klaus", "Lars", "Markus", "Norbert", "Oliver", "Peter", "Rainer", "Stefan", "Thomas", "Uwe",
	"Volker", "Wolfgang", "Yusuf", "Zoran", "Achim", "Björn", "Carsten", "Detlef", "Emre", "Florian",
	"Georg", "Holger", "Ibrahim", "Jörg", "Kai", "Lutz", "Matthias", "Nils", "Ralf", "Sören",
	"Timo", "Ulrich", "Werner", "Heinz", "Mehmet", "Tobias", "Jan", "Felix", "Hendrik", "Marco",
}

var familyNames = []string{
	"Ahrens", "Bäcker", "Claßen", "Dreher", "Ebert", "Fröhlich", "Gärtner", "Hoffmann", "Illing", "Jäger",
	"Köhler", "Lindner", "Möller", "Nowak", "Oberländer", "Pieper", "Quandt", "Röttgen", "Schäfer", "Tillmann",
	"Ueberschär", "Vogt", "Weiß", "Zimmermann", "Arslan", "Brückner", "Conrads", "Dörflinger", "Engels", "Fuchs",
	"Groß", "Hülsmann", "Ibach", "Janßen", "Krüger", "Lohmann", "Mertens", "Neumann", "Overbeck", "Petersen",
	"Rademacher", "Sauerland", "Thelen", "Unger", "Vollmer", "Wegener", "Yilmaz", "Zöller", "Albers", "Böhm",
	"Crämer", "Dietz", "Eickhoff", "Frings", "Göbel", "Hansen", "Imhoff", "Jansen", "Kaiser", "Lorenz",
	"Maaß", "Nolte", "Ostermann", "Pohl", "Reuter", "Schulte", "Tönnies", "Uhlig", "Voß", "Winkler",
	"Kowalski", "Demir", "Brandt", "Kühn", "Lehmann", "Marx", "Niehaus", "Otten", "Pütz", "Rösner",
	"Seidel", "Thiele", "Wächter", "Kurz", "Stöcker", "Heller", "Mahler", "Schnell", "Wirtz", "Hüsken",
	"Kalkmann", "Liebig", "Sänger", "Falke", "Gerdes", "Haverkamp", "Kettler", "Lüders", "Moritz", "Nagel",
}

var occupations = []string{
	"Lehrerin", "Lehrer", "Verwaltungsfachwirtin", "Ingenieur", "Rechtsanwältin", "Rentner", "Kaufmann",
	"Krankenpflegerin", "Selbständige Handwerksmeisterin", "Polizeibeamter", "Sozialarbeiterin", "Landwirt",
	"Studentin", "Informatiker", "Architektin", "Bankkaufmann", "Ärztin", "Erzieher", "Journalistin", "Apotheker",
}

// Streets of the fictional city, for addresses and paper topics.
var streets = []string{
	"Lindenstraße", "Bahnhofstraße", "Am Mühlenbach", "Kirchweg", "Schillerstraße", "Goethestraße",
	"Marktplatz", "Hauptstraße", "Am Stadtpark", "Rosenweg", "Industriestraße", "Brückenstraße",
	"Gartenstraße", "Südring", "Nordwall", "Eichendorffweg", "Am Kanal", "Feldstraße", "Wiesengrund", "Schulstraße",
	"Talstraße", "Ahornallee", "Weberstraße", "Am Hafen", "Birkenhof",
}

var districts = []string{"Nord", "Süd", "Ost", "West"}

var schools = []string{
	"Grundschule am Lindenhof", "Grundschule Mühlenbach", "Gesamtschule Musterstadt-Nord",
	"Gymnasium an der Burg", "Realschule am Stadtpark", "Förderschule Sonnenblick", "Berufskolleg Musterstadt",
	"Grundschule Süd", "Sekundarschule Ost",
}

var places = []string{
	"Stadtbibliothek", "Hallenbad Süd", "Bürgerhaus West", "Sporthalle am Kanal", "Jugendzentrum Nord",
	"Stadthalle", "Museum für Stadtgeschichte", "Feuerwache 2", "Kita Regenbogen", "Friedhof Ost",
	"Musikschule", "Freibad am Mühlenbach", "Stadtarchiv", "Tierheim", "Recyclinghof",
}
