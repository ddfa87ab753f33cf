package report

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	formgate "github.com/formgate/formgate"
)

// tokensBehindGate is the report behind a gate with tokens kept in
// store, and a function that makes one request of it (Basic, HTML, and
// header's changes).
func tokensBehindGate(t *testing.T, store formgate.Tokens) func(method, target, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	rp := newReport(t, "A\n1\n", Config{Logger: slog.New(slog.DiscardHandler)})
	g, err := formgate.New(formgate.Options{Checker: formgate.PlainPassword("anna", "pw"), SessionSecret: []byte(strings.Repeat("s", 32)),
		Logger: slog.New(slog.DiscardHandler), Tokens: store})
	if err != nil {
		t.Fatal(err)
	}
	h := g.Protect(rp)
	return func(method, target, body string, header ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		if body != "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		r.Header.Set("Accept", htmlAcc)
		r.SetBasicAuth("anna", "pw")
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
}

var tokenValueRe = regexp.MustCompile(`<input id="token-value" readonly value="(fgt_[A-Za-z0-9_-]{55})">`)

// The panel: a form with the lifetimes and the notes on what does not
// end a token; a token made in the browser shown once, with a copy button
// allowed by the page's policy; then listed with its times and a revoke
// button, and a page with a list is not kept for others.
func TestTokensPanel(t *testing.T) {
	do := tokensBehindGate(t, formgate.NewMemoryTokens())
	page := do("GET", "http://127.0.0.1/report", "").Body.String()
	for _, want := range []string{`<h2 id="tokens-title">Tokens for scripts</h2>`, `<form method="post" action="report/_formgate/tokens" id="token-form">`,
		`<input name="name" id="token-name" required maxlength="64" placeholder="ci">`,
		`<option value="720h0m0s">30 days</option><option value="2160h0m0s">90 days</option><option value="8760h0m0s">365 days</option>`,
		"a new password does not end it, and neither does “Log out everywhere”"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(page, `id="token-value"`) || strings.Contains(page, `id="token-list"`) || strings.Contains(page, "tokens-file-note") {
		t.Fatalf("a token, a list or the file's note before any:\n%s", page)
	}
	w := do("POST", "http://127.0.0.1/report/_formgate/tokens", "name=nightly+%3Cexport%3E&ttl=720h0m0s")
	var c *http.Cookie
	for _, rc := range w.Result().Cookies() {
		if rc.Name == "formgate_newtoken" {
			c = rc
		}
	}
	if w.Code != 303 || c == nil {
		t.Fatalf("make a token: %d %v", w.Code, w.Header())
	}
	w = do("GET", "http://127.0.0.1/report", "", "Cookie", c.Name+"="+c.Value)
	page = w.Body.String()
	m := tokenValueRe.FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "Your new token “nightly &lt;export&gt;”, which works until "+time.Now().Add(720*time.Hour).UTC().Format("2 Jan 2006")) ||
		!strings.Contains(page, `data-copy="token-value">Copy</button>`) || !strings.Contains(page, "<script>") {
		t.Fatalf("the page after making a token:\n%s", page)
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'sha256-") {
		t.Fatalf("CSP %q", csp)
	}
	// Once: the next page lists it, without the token.
	page = do("GET", "http://127.0.0.1/report", "").Body.String()
	id := m[1][4:16]
	row := regexp.MustCompile(`<tr><td>nightly &lt;export&gt; <code>` + id + `</code></td><td>[^<]+ UTC</td><td>[^<]+ UTC</td><td>never</td><td><form method="post" action="report/_formgate/tokens/revoke"><input type="hidden" name="id" value="` + id + `"><button type="submit" class="secondary">Revoke</button></form></td></tr>`)
	if strings.Contains(page, m[1]) || !row.MatchString(page) {
		t.Fatalf("the page after: the token again, or no row:\n%s", page)
	}
	// Used by a script: its page has no panel, and anna's says when.
	tw := do("GET", "http://127.0.0.1/report", "", "Authorization", "Bearer "+m[1])
	if tw.Code != 200 || strings.Contains(tw.Body.String(), `id="tokens"`) || !strings.Contains(tw.Body.String(), `<main id="report">`) {
		t.Fatalf("the page by the token: %d\n%s", tw.Code, tw.Body)
	}
	if page = do("GET", "http://127.0.0.1/report", "").Body.String(); strings.Contains(page, "<td>never</td>") {
		t.Fatal("the list does not say the token was used")
	}
	// Revoked: off the list.
	if w := do("POST", "http://127.0.0.1/report/_formgate/tokens/revoke", "id="+id); w.Code != 303 {
		t.Fatalf("revoke: %d", w.Code)
	}
	if page = do("GET", "http://127.0.0.1/report", "").Body.String(); strings.Contains(page, id) || strings.Contains(page, `id="token-list"`) {
		t.Fatalf("the revoked token is listed:\n%s", page)
	}
}

// Tokens from a file: listed, with the note on how they are made and
// revoked, and no form or button.
func TestTokensPanelFile(t *testing.T) {
	ft, err := formgate.ParseTokens(strings.NewReader("AAAAAAAAAAAA:anna:ci:" + strings.Repeat("0", 64) + ":20990101T000000Z\n"))
	if err != nil {
		t.Fatal(err)
	}
	page := tokensBehindGate(t, ft)("GET", "http://127.0.0.1/report", "").Body.String()
	if !strings.Contains(page, `<tr><td>ci <code>AAAAAAAAAAAA</code></td><td>—</td><td>1 Jan 2099, 00:00 UTC</td><td>not recorded</td></tr>`) ||
		!strings.Contains(page, "revoking one means removing its line") || strings.Contains(page, "<form method=\"post\" action=\"report/_formgate/tokens") {
		t.Fatalf("the page:\n%s", page)
	}
}
