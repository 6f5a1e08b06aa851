package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz"
)

// TestPages renders every page type and checks what a visitor must see.
func TestPages(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct {
		path    string
		want    []string
		notWant []string
	}{
		{"/", []string{"<h1>Ratsinformationen</h1>", "Nächste Sitzungen", "3. Sitzung des Rates", "Di., 24.11.2026, 17:00 Uhr",
			"Neubau des Radwegs Hauptstraße", "Stadt Musterstadt", "Stadtwerke Musterstadt GmbH", "Ausschuss für Umwelt und Verkehr",
			`href="/gremien/20"`}, []string{`href="/gremien/12"`, "Ehemaliger Beirat"}},
		{"/sitzungen", []string{"<h1>Sitzungen</h1>", "3. Sitzung des Rates", "Anstehende Sitzungen ab heute.",
			`<a href="/sitzungen?bis=2026-11-19">Vergangene Sitzungen</a>`,
			`<label for="f-gremium">Gremium</label>`, `<option value="10">Rat der Stadt</option>`}, []string{"1. Sitzung des Umweltausschusses"}},
		{"/sitzungen?bis=2026-11-19", []string{"1. Sitzung des Umweltausschusses"}, []string{"3. Sitzung des Rates"}},
		{"/sitzungen/200", []string{"<h1>3. Sitzung des Rates</h1>", "Di., 24.11.2026, 17:00 Uhr", "20:30 Uhr",
			"Rathaus, Ratssaal, Markt 1, 12345 Musterstadt", "eingeladen", "Öffentlicher Teil", "Nichtöffentlicher Teil",
			"Nichtöffentlicher Tagesordnungspunkt", "N 1", `href="/sitzungen/200/top/300"`, `href="/vorlagen/400">2026/0001</a>`,
			"beschlossen", `href="/dateien/500"`, "Einladung", `href="/dateien/501"`, "Niederschrift", `href="/sitzungen/200/druck"`},
			[]string{`href="/sitzungen/200/top/302"`, `href="/vorlagen/401"`, `href="/dateien/502"`}},
		{"/sitzungen/200/druck", []string{"<h1>3. Sitzung des Rates</h1>", `href="/static/print.css">`, "Öffentlicher Teil"},
			[]string{`class="main-nav"`, "skip-link", `href="/sitzungen/200/druck"`}},
		{"/sitzungen/200/top/300", []string{"<h1>Ö 1 Neubau des Radwegs Hauptstraße</h1>", "Der Rat beschließt den Neubau.",
			"Die Verwaltung erläutert die Vorlage.", "<caption>Abstimmungsergebnis nach Fraktionen</caption>",
			`<th scope="row">Fraktion Grün-Rot</th><td>2</td><td>0</td><td>0</td>`, `<th scope="row">Gesamt</th><td>2</td><td>0</td><td>1</td>`,
			`href="/vorlagen/400"`, "Ja", "Nein", "Enthaltung"}, []string{"einstimmig"}},
		{"/sitzungen/200/top/301", []string{"einstimmig", "Mitteilungen der Verwaltung"}, []string{`href="/vorlagen/401"`}},
		{"/vorlagen", []string{"<h1>Vorlagen</h1>", "Neubau des Radwegs Hauptstraße", "Antrag auf Tempo 30", `<label for="f-art">Vorlageart</label>`,
			`<label for="f-jahr">Jahr</label>`, `<label for="f-q">Suchtext</label>`, `<label for="f-status">Status</label>`}, nil},
		{"/vorlagen/400", []string{"<h1>Neubau des Radwegs Hauptstraße</h1>", "Grunddaten", "2026/0001", "in Beratung", "Beschlussvorlage",
			"01.10.2026", "Federführend", "Ausschuss für Umwelt und Verkehr", "Verantwortlich", "Bernd Muster", "Antragsteller", "Dr. Anna Beispiel",
			"Beratungsfolge", "Entscheidung", `href="/sitzungen/200/top/300"`, "Aufsichtsrat der Stadtwerke", "Kenntnisnahme", "01.12.2026",
			"Beschlussvorschlag", "Der Radweg ist marode.", "Anlagen", `href="/dateien/503"`, `href="/dateien/504"`,
			"Untergeordnete Vorlagen", `href="/vorlagen/402"`, `href="/vorlagen/400/druck"`},
			[]string{`href="/sitzungen/201`, `href="/vorlagen/401"`, `href="/dateien/502"`, "Zugehörige Vorlagen"}},
		{"/vorlagen/400/druck", []string{"<h1>Neubau des Radwegs Hauptstraße</h1>", "Beratungsfolge"}, []string{`class="main-nav"`}},
		{"/vorlagen/402", []string{"Antrag auf Tempo 30", "Übergeordnete Vorlagen", `href="/vorlagen/400"`, "Bürgerfraktion", "05.05.2025"}, nil},
		{"/gremien", []string{"<h1>Gremien</h1>", "Stadt Musterstadt", "Stadtwerke Musterstadt GmbH", "Unternehmen", "<h3>Gremium</h3>",
			"<h3>Fraktion</h3>", "Fraktion Grün-Rot", "Aufsichtsrat der Stadtwerke", "Ehemaliger Beirat", "aufgelöst am 31.12.2020"}, nil},
		{"/gremien/10", []string{"<h1>Rat der Stadt</h1>", "Mitglieder", "Fraktion Grün-Rot", "Dr. Anna Beispiel", "Vorsitz", "Bürgerfraktion",
			"Bernd Muster", "Stellvertretende Mitglieder", "Clara Test", "3. Sitzung des Rates", `href="/sitzungen?gremium=10"`}, nil},
		{"/gremien/12", []string{"<h1>Fraktion Grün-Rot</h1>", "Fraktionsvorsitz", "Dr. Anna Beispiel"}, []string{"Ohne Fraktion"}},
		{"/personen", []string{"<h1>Personen</h1>", `href="/personen/100"`, "Bernd Muster", "Clara Test",
			`<a href="/personen?buchstabe=B">B</a>`, `<a href="/personen?buchstabe=M">M</a>`}, []string{`buchstabe=A"`}},
		{"/personen?buchstabe=M", []string{"Bernd Muster", `<a href="/personen?buchstabe=M" aria-current="page">M</a>`}, []string{"Clara Test", "Anna Beispiel</a>"}},
		{"/personen/100", []string{"<h1>Dr. Anna Beispiel</h1>", "Aktuelle Mitgliedschaften", "Rat der Stadt", "Vorsitz", "Fraktion Grün-Rot",
			"Frühere Mitgliedschaften", "Ausschuss für Umwelt und Verkehr", "31.10.2020"}, nil},
		{"/healthz", []string{"ok"}, nil},
		{"/static/style.css", []string{"focus-visible"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := env.get(t, tt.path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200; body:\n%s", resp.StatusCode, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("missing %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(body, w) {
					t.Errorf("unexpected %q", w)
				}
			}
			if strings.Contains(body, testCanary) {
				t.Errorf("non-public content on a public page")
			}
			if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				checkHTMLStructure(t, body)
			}
		})
	}
}

// checkHTMLStructure asserts the accessibility basics every HTML page must
// keep: language, exactly one h1, a main landmark, captions on tables, scoped
// header cells and no missing translations.
func checkHTMLStructure(t *testing.T, body string) {
	t.Helper()
	if !strings.Contains(body, `<html lang="de">`) && !strings.Contains(body, `<html lang="en">`) {
		t.Errorf("no html lang")
	}
	if n := strings.Count(body, "<h1"); n != 1 {
		t.Errorf("%d h1 elements, want 1", n)
	}
	if !strings.Contains(body, `<main id="main"`) {
		t.Errorf("no main landmark")
	}
	if n, c := strings.Count(body, "<table"), strings.Count(body, "<caption"); n != c {
		t.Errorf("%d tables but %d captions", n, c)
	}
	if strings.Contains(body, "<th>") {
		t.Errorf("th without scope")
	}
	for _, prefix := range []string{">col.", ">nav.", ">home.", ">meeting.", ">paper.", ">org.", ">person.", ">file.", ">vote.", ">error.", ">filter.", ">pager."} {
		if strings.Contains(body, prefix) {
			t.Errorf("untranslated key %q…", prefix)
		}
	}
	if strings.Contains(body, " style=") || strings.Contains(body, "<script") || strings.Contains(body, "<style") {
		t.Errorf("inline style or script (forbidden by the CSP)")
	}
}

func TestMeetingFilters(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct {
		query   string
		want    []string
		notWant []string
	}{
		{"gremium=10", []string{"3. Sitzung des Rates", `<option value="10" selected>`}, []string{"1. Sitzung des Umweltausschusses"}},
		{"gremium=11&bis=2026-12-31", []string{"1. Sitzung des Umweltausschusses"}, []string{"3. Sitzung des Rates"}},
		{"gremium=11", []string{"Keine Sitzungen gefunden."}, []string{"3. Sitzung des Rates"}}, // none coming
		{"von=2026-11-01", []string{"3. Sitzung des Rates", `value="2026-11-01"`}, []string{"1. Sitzung des Umweltausschusses"}},
		{"bis=2026-03-10", []string{"1. Sitzung des Umweltausschusses"}, []string{"3. Sitzung des Rates"}},
		{"von=01.03.2026&bis=31.03.2026", []string{"1. Sitzung des Umweltausschusses", `value="2026-03-31"`}, []string{"3. Sitzung des Rates"}},
		{"von=2027-01-01", []string{"Keine Sitzungen gefunden."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp, body := env.get(t, "/sitzungen?"+tt.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d", resp.StatusCode)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("missing %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(body, w) {
					t.Errorf("unexpected %q", w)
				}
			}
		})
	}
}

func TestPaperFilters(t *testing.T) {
	env := newTestEnv(t)
	const radweg, tempo = `href="/vorlagen/400"`, `href="/vorlagen/402"`
	tests := []struct {
		query string
		want  []string
		not   []string
	}{
		{"art=Antrag", []string{tempo, `<option value="Antrag" selected>Antrag</option>`}, []string{radweg}},
		{"status=beschlossen", []string{tempo}, []string{radweg}},
		{"jahr=2026", []string{radweg, `value="2026"`}, []string{tempo}},
		{"q=radweg", []string{radweg, `value="radweg"`}, []string{tempo}},
		{"q=2025%2F0100", []string{tempo}, []string{radweg}},
		{"gremium=11", []string{tempo}, []string{radweg}},
		{"gremium=10&art=Beschlussvorlage", []string{radweg}, []string{tempo}},
		{"q=nichtvorhanden", []string{"Keine Vorlagen gefunden."}, []string{radweg, tempo}},
		// The non-public paper matches the text but must not appear.
		{"q=Grundst%C3%BCcksgesch%C3%A4ft", []string{"Keine Vorlagen gefunden."}, []string{`href="/vorlagen/401"`}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp, body := env.get(t, "/vorlagen?"+tt.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d", resp.StatusCode)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("missing %q", w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(body, w) {
					t.Errorf("unexpected %q", w)
				}
			}
		})
	}
}

func TestSearchRedirectsToPaperList(t *testing.T) {
	env := newTestEnv(t)
	resp, body := env.get(t, "/suche?q=Radweg")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/vorlagen" {
		t.Fatalf("status %d at %s", resp.StatusCode, resp.Request.URL)
	}
	if !strings.Contains(body, `href="/vorlagen/400"`) || !strings.Contains(body, `value="Radweg"`) {
		t.Errorf("search result missing the paper")
	}
}

func TestPagination(t *testing.T) {
	env := newTestEnv(t)
	var ds ratsnetz.Dataset
	for i := range 30 {
		ds.Papers = append(ds.Papers, &ratsnetz.Paper{Meta: ratsnetz.Meta{ID: int64(1000 + i), Created: testNow, Modified: testNow},
			BodyID: 1, Name: fmt.Sprintf("Serienvorlage %02d", i), Date: day(2026, 9, 1+i%28), PaperType: ratsnetz.PaperTypeNotice, Public: true})
	}
	if err := env.store.Load(context.Background(), &ds); err != nil {
		t.Fatal(err)
	}
	// 32 public papers, 25 per page.
	_, body := env.get(t, "/vorlagen?art=Mitteilung")
	if n := strings.Count(body, "Serienvorlage"); n != listPageSize {
		t.Errorf("page 1: %d papers, want %d", n, listPageSize)
	}
	if !strings.Contains(body, `rel="next" href="/vorlagen?art=Mitteilung&amp;seite=2"`) || strings.Contains(body, `rel="prev"`) {
		t.Errorf("page 1: wrong pager")
	}
	_, body = env.get(t, "/vorlagen?art=Mitteilung&seite=2")
	if n := strings.Count(body, "Serienvorlage"); n != 30-listPageSize {
		t.Errorf("page 2: %d papers, want %d", n, 30-listPageSize)
	}
	if !strings.Contains(body, `rel="prev" href="/vorlagen?art=Mitteilung"`) || strings.Contains(body, `rel="next"`) {
		t.Errorf("page 2: wrong pager")
	}
	_, body = env.get(t, "/vorlagen?art=Mitteilung&seite=3")
	if !strings.Contains(body, "Keine Vorlagen gefunden.") {
		t.Errorf("page 3 not empty")
	}
}

// TestTemplatesFoldedRenderTheSame: the per-language templates with the
// translations and fixed text resolved at parse time (templatefold.go)
// render every page byte for byte like the templates parsed as written,
// which call T on every execution — for the public, a member and an
// administrator, in German and English, error pages included.
func TestTemplatesFoldedRenderTheSame(t *testing.T) {
	var cfg Config
	e := newAuthEnv(t, func(c *Config, _ string) { cfg = *c })
	member := e.browser(t)
	member.login(memberEmail, testPassword)
	admin := e.browser(t)
	admin.adminLogin()

	plain := NewServer(cfg) // same store and sessions, templates as written
	for lang := range plain.catalogs {
		set, err := parseTemplateSet(nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		plain.templates[lang] = set
	}
	// The CSRF and form keys of each server are random, and so is a new
	// TOTP secret: none of them is compared.
	token := regexp.MustCompile(`name="(csrf|sig)" value="[^"]*"`)
	secret := regexp.MustCompile(`\b[A-Z2-7]{32}\b`)
	render := func(s *Server, path, lang, session string) (int, string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Language", lang)
		if session != "" {
			req.AddCookie(&http.Cookie{Name: "ratsnetz-sitzung", Value: session})
		}
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, req)
		return w.Code, secret.ReplaceAllString(token.ReplaceAllString(w.Body.String(), `name="$1" value=""`), "SECRET")
	}
	paths := []string{"/", "/sitzungen", "/sitzungen?bis=2026-11-19", "/sitzungen/200", "/sitzungen/200/druck",
		"/sitzungen/200/top/300", "/sitzungen/200/top/301", "/sitzungen/201", "/vorlagen", "/vorlagen?art=Mitteilung&seite=2",
		"/vorlagen/400", "/vorlagen/400/druck", "/vorlagen/401", "/vorlagen/402", "/gremien", "/gremien/10", "/gremien/12",
		"/personen", "/personen?buchstabe=M", "/personen/100", "/vorlagen/abc", "/vorlagen?jahr=1", "/gibt-es-nicht",
		"/anmelden", "/passwort-vergessen", "/benachrichtigungen", "/konto", "/konto/zwei-faktor", "/konto/befangenheit",
		"/mein", "/verwaltung/konten", "/verwaltung/protokoll", "/verwaltung/freigaben", "/verwaltung/befangenheiten",
		"/vorlagen?lang=en", "/sitzungen/200?lang=de"}
	compared := 0
	for _, v := range []struct{ name, session string }{{"public", ""}, {"member", member.session()}, {"admin", admin.session()}} {
		for _, lang := range []string{"de", "en"} {
			for _, path := range paths {
				gotCode, got := render(e.web, path, lang, v.session)
				wantCode, want := render(plain, path, lang, v.session)
				if gotCode != wantCode || got != want {
					t.Errorf("%s %s %s: folded %d (%d bytes), as written %d (%d bytes); first difference at byte %d: %q",
						v.name, lang, path, gotCode, len(got), wantCode, len(want), firstDiff(got, want), around(got, firstDiff(got, want)))
				}
				if strings.HasPrefix(want, "<!DOCTYPE html>") {
					compared++
				}
			}
		}
	}
	if compared < 150 {
		t.Errorf("only %d HTML pages compared", compared)
	}
}

func around(s string, i int) string { return s[max(0, i-60):min(len(s), i+60)] }

func firstDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestTemplatesFolded: after parsing, the paper and meeting templates call T
// only with computed keys; the fixed text is text.
func TestTemplatesFolded(t *testing.T) {
	s := NewServer(Config{})
	for _, lang := range []string{"de", "en"} {
		for _, name := range []string{"paper", "meeting", "agendaitem", "home", "papers", "meetings"} {
			tm := s.templates[lang][name]
			var calls []string
			for _, x := range tm.Templates() {
				if x.Tree == nil {
					continue
				}
				for _, m := range regexp.MustCompile(`\.T "[^"]*"`).FindAllString(x.Tree.Root.String(), -1) {
					calls = append(calls, x.Name()+": "+m)
				}
			}
			if len(calls) > 0 {
				t.Errorf("%s/%s: T calls with constant keys left: %v", lang, name, calls)
			}
			for _, x := range tm.Templates() {
				if x.Tree != nil && strings.Contains(x.Tree.Root.String(), "_html_template_") {
					t.Errorf("%s/%s: %s keeps html/template's own escaper chains: %s", lang, name, x.Name(), x.Tree.Root)
				}
			}
		}
	}
	var b strings.Builder
	if err := s.templates["en"]["error"].ExecuteTemplate(&b, "layout", s.newPage(httptest.NewRequest(http.MethodGet, "/x", nil), "Page not found", errorData{Status: 404})); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Skip to content") || strings.Contains(b.String(), "Zum Inhalt springen") {
		t.Errorf("the English set does not have the English texts")
	}
}

// TestMergedEscapers: each merged escaper writes for every kind of value what
// html/template's own chain for that context writes.
func TestMergedEscapers(t *testing.T) {
	funcs, names := escaperFuncs()
	if len(names) != len(escaperChains) {
		t.Errorf("only %d of %d escaper chains verified on this Go version: %v", len(names), len(escaperChains), names)
	}
	type named string
	str := "Ä & <b>\"x\"</b> 'y' a+b \x00 \xff\xfe ok"
	values := []any{"", "plain Text äöü – «»", str, "javascript:alert(1)", "/vorlagen?art=Antrag&seite=2", "a b/c?d=e#f",
		0, 42, int64(-7), int64(1) << 60, int32(5), uint8(9), true, nil, 3.5, named("x<y"), &str,
		template.HTML("<b>fett</b> & mehr"), template.URL("/a?b=c d"), template.HTMLAttr(`title="x"`), []string{"a", "<b>"}}
	for _, c := range escaperChains {
		f, ok := funcs[c.name].(func(any) string)
		if !ok {
			continue
		}
		probe := template.Must(template.New("").Parse(c.src))
		before, after, _ := strings.Cut(c.src, "{{.}}")
		for _, v := range values {
			var b strings.Builder
			if err := probe.Execute(&b, v); err != nil {
				t.Fatal(err)
			}
			want := strings.TrimSuffix(strings.TrimPrefix(b.String(), before), after)
			if got := f(v); got != want {
				t.Errorf("%s(%#v) = %q, html/template writes %q", c.name, v, got, want)
			}
		}
	}
}
