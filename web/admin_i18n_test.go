package web

import (
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// adminTemplates are the templates of the administration (/verwaltung),
// the own account (/konto) and the login pages.
func adminTemplates(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, pattern := range []string{"admin_*.html", "account*.html", "login.html", "totp.html", "forgot.html", "setpassword.html", "code.html"} {
		m, err := fsGlob(pattern)
		if err != nil || len(m) == 0 {
			t.Fatalf("templates %s: %v (%d)", pattern, err, len(m))
		}
		names = append(names, m...)
	}
	return names
}

func fsGlob(pattern string) ([]string, error) {
	entries, err := templateFS.ReadDir("templates")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if ok, _ := path.Match(pattern, e.Name()); ok {
			out = append(out, "templates/"+e.Name())
		}
	}
	return out, nil
}

// TestAdminMessages: every message key the administration, account and
// login templates use exists in German and English; the area's keys collide
// with no other messages; and no user-facing text is left in those
// templates outside the catalogue.
func TestAdminMessages(t *testing.T) {
	de, en := adminMessages()
	checkAreaMessages(t, de, en, nil, "admin")
	checkTemplateTexts(t, adminTemplates(t), 100)
}

// areaMessages are the message functions of the areas besides the base
// catalogue, by name.
func areaMessages() map[string]func() (de, en map[string]string) {
	return map[string]func() (de, en map[string]string){"office": officeMessages, "distribution": distributionMessages,
		"feeds": feedsMessages, "live": liveMessages, "search": searchMessages, "admin": adminMessages, "pages": pagesMessages}
}

// checkAreaMessages: every key of an area has a German and an English text
// (not empty unless listed in mayBeEmptyEN) taking the same arguments, and
// no key is defined by the base catalogue or another area as well.
func checkAreaMessages(t *testing.T, de, en map[string]string, mayBeEmptyEN map[string]bool, area string) {
	t.Helper()
	for k := range de {
		if _, ok := en[k]; !ok {
			t.Errorf("%q has no English text", k)
		}
		if de[k] == "" || en[k] == "" && !mayBeEmptyEN[k] {
			t.Errorf("%q is empty", k)
		}
		if strings.Count(de[k], "%") != strings.Count(en[k], "%") {
			t.Errorf("%q: German and English take different arguments: %q, %q", k, de[k], en[k])
		}
	}
	for k := range en {
		if _, ok := de[k]; !ok {
			t.Errorf("%q has no German text", k)
		}
	}
	others := []map[string]string{messagesDE()}
	for name, f := range areaMessages() {
		if name != area {
			ade, _ := f()
			others = append(others, ade)
		}
	}
	for _, o := range others {
		for k := range de {
			if _, ok := o[k]; ok {
				t.Errorf("%q is also defined elsewhere", k)
			}
		}
	}
}

// checkTemplateTexts: every message key the templates use exists in German
// and English, and no user-facing text is left in them outside the
// catalogue (words outside actions and tags); at least minKeys keys are
// used, else the pattern is broken.
func checkTemplateTexts(t *testing.T, names []string, minKeys int) {
	t.Helper()
	cats := newCatalogs()
	key := regexp.MustCompile(`T "([a-zA-Z0-9.]+)"`)
	action := regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	tag := regexp.MustCompile(`(?s)<[^>]*>`)
	letters := regexp.MustCompile(`\p{L}{2,}`)
	used := 0
	for _, name := range names {
		b, err := templateFS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		for _, m := range key.FindAllStringSubmatch(src, -1) {
			used++
			for _, lang := range []string{"de", "en"} {
				if !cats[lang].has(m[1]) {
					t.Errorf("%s: key %q missing in %s", name, m[1], lang)
				}
			}
		}
		text := tag.ReplaceAllString(action.ReplaceAllString(src, " "), " ")
		if words := letters.FindAllString(text, -1); len(words) > 0 {
			sort.Strings(words)
			t.Errorf("%s: text outside the catalogue: %q", name, words)
		}
	}
	if used < minKeys {
		t.Errorf("only %d message keys used in the templates; the pattern is broken", used)
	}
}
