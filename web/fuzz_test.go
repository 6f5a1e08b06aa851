package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequest: no path or query string makes the portal answer 500 or leak
// non-public content. Run longer with `go test -fuzz FuzzRequest ./web`.
func FuzzRequest(f *testing.F) {
	for _, seed := range []string{
		"/", "/vorlagen?art=Antrag&jahr=2026&q=rad", "/sitzungen?von=2026-01-01&bis=31.12.2026&gremium=10",
		"/vorlagen/400", "/sitzungen/200/top/300", "/dateien/503/download", "/vorlagen?jahr=2026&jahr=abc",
		"/vorlagen/%2e%2e", "/sitzungen/1/top/", "/dateien//download", "/gremien/10?lang=en", "/suche?q=%00",
		"/personen?seite=2", "/static/../server.go", "/sitzungen?von=2026-02-30", "/vorlagen?q=" + strings.Repeat("ä", 150),
	} {
		f.Add(seed)
	}
	env := newTestEnv(f)
	h := env.srv.Config.Handler
	f.Fuzz(func(t *testing.T, target string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n\t#") {
			return
		}
		req, err := http.NewRequest(http.MethodGet, "http://example.org"+target, nil)
		if err != nil {
			return
		}
		req.RequestURI = target
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Errorf("%s: status %d", target, w.Code)
		}
		if strings.Contains(w.Body.String(), testCanary) {
			t.Errorf("%s: non-public content", target)
		}
	})
}
