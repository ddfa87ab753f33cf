package formgate

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/formgate/formgate/internal/frontdoor"
	"github.com/formgate/formgate/internal/session"
)

const (
	testUser = "anna"
	testPass = "correct horse"
	htmlAcc  = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
)

var testSecret = bytes.Repeat([]byte("k"), 32)

type fixture struct {
	gate  *Gate
	h     http.Handler // the app behind the gate
	codec *session.Codec
	logs  *bytes.Buffer
}

// app stands for the handler behind the gate: it shows what it was given.
var app = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	id, _ := IdentityFrom(r.Context())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	s, _ := SharingFor(r)
	made := ""
	if s.New != nil {
		made = s.New.URL
	}
	fmt.Fprintf(w, "%s user=%s via=%s method=%s path=%s logout=%q everywhere=%v authorization=%q cookie=%q share=%q made=%q links=%d revoke=%q",
		reportMarker, id.User, id.Via, r.Method, r.URL.Path, LogoutURL(r), LogoutEverywhereURL(r) != "", r.Header.Get("Authorization"), r.Header.Get("Cookie"),
		s.MakeURL, made, len(s.Links), s.RevokeURL)
	if id.HasSession() {
		io.WriteString(w, " Log out")
	}
})

func testOptions(log *slog.Logger) Options {
	return Options{Checker: PlainPassword(testUser, testPass), SessionSecret: testSecret, SessionTTL: time.Hour, Logger: log}
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	return newFixtureWith(t, nil)
}

// newFixtureWith is the fixture with Options changed by mod.
func newFixtureWith(t testing.TB, mod func(*Options)) fixture {
	t.Helper()
	logs := &bytes.Buffer{}
	o := testOptions(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if mod != nil {
		mod(&o)
	}
	g, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{gate: g, h: g.Protect(app), codec: g.codec, logs: logs}
}

func (f fixture) validCookie(t testing.TB) string {
	t.Helper()
	v, err := f.codec.Encode(session.New(testUser, CredentialStamp(testUser, testPass), time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func basicAuth(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

const multipartType = "multipart/form-data; boundary=b0undary"

// multipartForm is a login form as curl -F sends it; with file set, one
// field is a file upload.
func multipartForm(user, pass, file string) string {
	var b strings.Builder
	for _, f := range [][2]string{{"username", user}, {"password", pass}} {
		fmt.Fprintf(&b, "--b0undary\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", f[0], f[1])
	}
	if file != "" {
		fmt.Fprintf(&b, "--b0undary\r\nContent-Disposition: form-data; name=\"f\"; filename=%q\r\nContent-Type: text/plain\r\n\r\nhello\r\n", file)
	}
	b.WriteString("--b0undary--\r\n")
	return b.String()
}

func form(user, pass string) string {
	return url.Values{"username": {user}, "password": {pass}}.Encode()
}

// req describes one request of a table test.
type req struct {
	method, target, body string
	header               map[string]string
	prefix               string // public path prefix, as a front door sets it
}

func (f fixture) do(t *testing.T, rq req) *http.Response {
	t.Helper()
	method := rq.method
	if method == "" {
		method = http.MethodGet
	}
	target := rq.target
	if target == "" {
		target = "http://127.0.0.1:8080/report"
	}
	r := httptest.NewRequest(method, target, strings.NewReader(rq.body))
	for k, v := range rq.header {
		if k == "X-Test-Remote" { // the client's address, as a front door gives it
			r.RemoteAddr = v
			continue
		}
		r.Header.Set(k, v)
	}
	if rq.body != "" && r.Header.Get("Content-Type") == "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if rq.prefix != "" {
		r = r.WithContext(frontdoor.With(context.Background(), frontdoor.Info{Prefix: rq.prefix}))
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w.Result()
}

// want is what a table test checks; empty fields are not checked.
type want struct {
	status      int
	contentType string
	location    string
	challenge   bool     // WWW-Authenticate present (and right) or absent
	cookie      string   // "set", "cleared" or "none"
	cookiePath  string   // checked when a cookie is set or cleared
	cookieSec   *bool    // Secure attribute
	body        []string // substrings the body must contain
	notBody     []string // substrings it must not contain
}

func check(t *testing.T, f fixture, resp *http.Response, w want) {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != w.status {
		t.Fatalf("status = %d, want %d; body: %s", resp.StatusCode, w.status, body)
	}
	if w.contentType != "" && resp.Header.Get("Content-Type") != w.contentType {
		t.Errorf("Content-Type = %q, want %q", resp.Header.Get("Content-Type"), w.contentType)
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
	}
	if w.location != "" && resp.Header.Get("Location") != w.location {
		t.Errorf("Location = %q, want %q", resp.Header.Get("Location"), w.location)
	}
	gotChallenge := resp.Header.Get("WWW-Authenticate")
	if w.challenge && gotChallenge != `Basic realm="restricted", charset="UTF-8"` {
		t.Errorf("WWW-Authenticate = %q, want the Basic challenge", gotChallenge)
	}
	if !w.challenge && gotChallenge != "" {
		t.Errorf("WWW-Authenticate = %q, want none", gotChallenge)
	}
	var c *http.Cookie
	for _, rc := range resp.Cookies() {
		if rc.Name == session.CookieName {
			c = rc
		}
	}
	switch w.cookie {
	case "none":
		if c != nil {
			t.Errorf("unexpected Set-Cookie %v", c)
		}
	case "set":
		if c == nil || c.MaxAge != 3600 || c.Value == "" {
			t.Fatalf("session cookie = %v, want one with Max-Age 3600", c)
		}
		if s, err := f.codec.Decode(c.Value); err != nil || s.User != testUser {
			t.Errorf("cookie does not prove %s: %v", testUser, err)
		}
	case "cleared":
		if c == nil || c.MaxAge != -1 || c.Value != "" {
			t.Fatalf("session cookie = %v, want it cleared (Max-Age=0)", c)
		}
	}
	if c != nil {
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie %v: want HttpOnly and SameSite=Lax", c)
		}
		if w.cookiePath != "" && c.Path != w.cookiePath {
			t.Errorf("cookie Path = %q, want %q", c.Path, w.cookiePath)
		}
		if w.cookieSec != nil && c.Secure != *w.cookieSec {
			t.Errorf("cookie Secure = %v, want %v", c.Secure, *w.cookieSec)
		}
	}
	for _, s := range w.body {
		if !strings.Contains(string(body), s) {
			t.Errorf("body lacks %q:\n%s", s, body)
		}
	}
	for _, s := range w.notBody {
		if strings.Contains(string(body), s) {
			t.Errorf("body contains %q:\n%s", s, body)
		}
	}
}

var (
	yes = new(true)
	no  = new(false)
)

const (
	loginForm_   = `<form id="login" method="post">`
	reportMarker = `<main id="report">`
)

func TestGate(t *testing.T) {
	f := newFixture(t)
	good := f.validCookie(t)
	foreign, err := func() (string, error) {
		c, err := session.NewCodec(bytes.Repeat([]byte("z"), 32), nil, "/report", time.Hour)
		if err != nil {
			return "", err
		}
		return c.Encode(session.New(testUser, CredentialStamp(testUser, testPass), time.Now()))
	}()
	if err != nil {
		t.Fatal(err)
	}
	tampered := []byte(good)
	tampered[10] ^= 1

	tests := []struct {
		name string
		req  req
		want want
	}{
		// 1. A browser with no credentials gets the form, without a challenge.
		{"1 browser GET shows form", req{header: map[string]string{"Accept": htmlAcc}},
			want{status: 200, contentType: "text/html; charset=utf-8", cookie: "none", body: []string{
				loginForm_, `<input name="username" autocomplete="username"`,
				`<input name="password" type="password" autocomplete="current-password"`,
				`<label>User name`, `<label>Password`, `<button type="submit">`}}},
		// 2. A script with no credentials gets the challenge.
		{"2 script GET gets challenge", req{header: map[string]string{"Accept": "*/*"}},
			want{status: 401, challenge: true, cookie: "none", body: []string{"curl -u"}, notBody: []string{"<form"}}},
		{"2 no Accept gets challenge", req{}, want{status: 401, challenge: true}},
		// 3. Form login.
		{"3 browser form login redirects", req{method: "POST", body: form(testUser, testPass), header: map[string]string{"Accept": htmlAcc}},
			want{status: 303, location: "report", cookie: "set", cookiePath: "/report", cookieSec: no}},
		{"3 script form login gets report", req{method: "POST", body: form(testUser, testPass)},
			want{status: 200, cookie: "set", body: []string{reportMarker}}},
		{"3 secure cookie off loopback", req{method: "POST", target: "http://reports.example.com/report", body: form(testUser, testPass)},
			want{status: 200, cookie: "set", cookieSec: yes}},
		{"3 secure cookie behind TLS proxy on loopback", req{method: "POST", body: form(testUser, testPass), header: map[string]string{"X-Forwarded-Proto": "https"}},
			want{status: 200, cookie: "set", cookieSec: yes}},
		{"3 localhost name counts as loopback", req{method: "POST", target: "http://localhost:8080/report", body: form(testUser, testPass)},
			want{status: 200, cookie: "set", cookieSec: no}},
		{"3 wrong password shows form again", req{method: "POST", body: form(testUser, "nope"), header: map[string]string{"Accept": htmlAcc}},
			want{status: 401, contentType: "text/html; charset=utf-8", cookie: "none", body: []string{loginForm_, "Wrong username or password.", `value="anna"`}, notBody: []string{"nope"}}},
		{"3 user name is escaped", req{method: "POST", body: form(`"><script>x()</script>`, "nope"), header: map[string]string{"Accept": htmlAcc}},
			want{status: 401, body: []string{`value="&#34;&gt;&lt;script&gt;x()&lt;/script&gt;"`}, notBody: []string{"<script>"}}},
		{"3 empty fields are a failed login", req{method: "POST", body: "username=&password=", header: map[string]string{"Accept": htmlAcc}},
			want{status: 401, body: []string{"Wrong username or password."}}},
		{"3 extra form fields are ignored", req{method: "POST", body: form(testUser, testPass) + "&submit=Log+in"},
			want{status: 200, cookie: "set", body: []string{reportMarker}}},
		{"3 malformed form body is 400", req{method: "POST", body: "username=%zz&password=x"},
			want{status: 400, cookie: "none", body: []string{"could not be read"}}},
		{"3 oversized form body is 413", req{method: "POST", body: "username=anna&password=" + strings.Repeat("a", maxFormBytes)},
			want{status: 413, cookie: "none"}},
		// 4. Basic.
		{"4 Basic GET gets report", req{header: map[string]string{"Authorization": basicAuth(testUser, testPass)}},
			want{status: 200, cookie: "none", body: []string{reportMarker}, notBody: []string{"Log out"}}},
		{"4 Basic POST gets report", req{method: "POST", header: map[string]string{"Authorization": basicAuth(testUser, testPass)}},
			want{status: 200, cookie: "none", body: []string{reportMarker}}},
		{"4 Basic PUT gets report", req{method: "PUT", header: map[string]string{"Authorization": basicAuth(testUser, testPass)}},
			want{status: 200, body: []string{reportMarker}}},
		{"4 Basic wins over a form", req{method: "POST", body: form(testUser, testPass), header: map[string]string{"Authorization": basicAuth(testUser, "wrong")}},
			want{status: 401, challenge: true, cookie: "none"}},
		{"4 wrong Basic gets challenge", req{header: map[string]string{"Authorization": basicAuth(testUser, "wrong")}},
			want{status: 401, challenge: true}},
		{"4 wrong Basic from a browser gets challenge too", req{header: map[string]string{"Authorization": basicAuth("x", "y"), "Accept": htmlAcc}},
			want{status: 401, challenge: true}},
		{"4 malformed Authorization gets challenge", req{header: map[string]string{"Authorization": "Basic !!!notbase64"}},
			want{status: 401, challenge: true, body: []string{"must hold Basic credentials"}}},
		{"4 Bearer gets challenge", req{header: map[string]string{"Authorization": "Bearer abc"}},
			want{status: 401, challenge: true}},
		// 10. What clients really send.
		{"10 remapped Authorization is taken", req{header: map[string]string{"X-Amzn-Remapped-Authorization": basicAuth(testUser, testPass)}},
			want{status: 200, body: []string{"via=basic", `authorization=""`}, notBody: []string{"Remapped"}}},
		{"10 wrong remapped Authorization gets challenge", req{header: map[string]string{"X-Amzn-Remapped-Authorization": basicAuth(testUser, "x")}},
			want{status: 401, challenge: true}},
		{"10 a script's wrong form gets the challenge", req{method: "POST", body: form(testUser, "nope")},
			want{status: 401, challenge: true, contentType: "text/plain; charset=utf-8", notBody: []string{"<form"}}},
		{"10 multipart form login (curl -F, FormData)", req{method: "POST", body: multipartForm(testUser, testPass, ""), header: map[string]string{"Content-Type": multipartType, "Accept": htmlAcc}},
			want{status: 303, cookie: "set"}},
		{"10 multipart form from a script", req{method: "POST", body: multipartForm(testUser, testPass, ""), header: map[string]string{"Content-Type": multipartType}},
			want{status: 200, cookie: "set", body: []string{"method=GET", "via=form"}}},
		{"10 multipart form with a file is refused", req{method: "POST", body: multipartForm(testUser, testPass, "x.txt"), header: map[string]string{"Content-Type": multipartType}},
			want{status: 400, cookie: "none"}},
		{"10 oversized multipart form is 413", req{method: "POST", body: multipartForm(testUser, strings.Repeat("a", maxFormBytes), ""), header: map[string]string{"Content-Type": multipartType}},
			want{status: 413, cookie: "none"}},
		{"10 a script that prefers JSON gets the challenge", req{header: map[string]string{"Accept": "application/json, text/html;q=0.5"}},
			want{status: 401, challenge: true}},
		{"10 a browser that ranks HTML first gets the form", req{header: map[string]string{"Accept": "text/html;q=0.9, */*;q=0.1"}},
			want{status: 200, body: []string{loginForm_}}},
		// 5. Sessions.
		{"5 valid cookie gets report", req{header: map[string]string{"Cookie": "formgate=" + good, "Accept": htmlAcc}},
			want{status: 200, contentType: "text/html; charset=utf-8", cookie: "none", body: []string{reportMarker, "Log out", `logout="report/_formgate/logout"`}}},
		{"5 valid cookie among others", req{header: map[string]string{"Cookie": "a=b; formgate=" + good + "; c=d"}},
			want{status: 200, cookie: "none", body: []string{reportMarker}}},
		{"5 tampered cookie is cleared", req{header: map[string]string{"Cookie": "formgate=" + string(tampered), "Accept": htmlAcc}},
			want{status: 200, cookie: "cleared", cookiePath: "/report", body: []string{loginForm_}}},
		{"5 foreign cookie is cleared", req{header: map[string]string{"Cookie": "formgate=" + foreign}},
			want{status: 401, challenge: true, cookie: "cleared"}},
		{"5 garbage cookie is cleared", req{header: map[string]string{"Cookie": "formgate=garbage"}},
			want{status: 401, challenge: true, cookie: "cleared"}},
		// 6. Logout.
		{"6 logout clears and redirects", req{method: "POST", target: "http://127.0.0.1:8080/report/_formgate/logout", header: map[string]string{"Cookie": "formgate=" + good}},
			want{status: 303, location: "../../report", cookie: "cleared", cookiePath: "/report"}},
		{"6 logout by GET is refused", req{target: "http://127.0.0.1:8080/report/_formgate/logout", header: map[string]string{"Cookie": "formgate=" + good}},
			want{status: 405, cookie: "none"}},
		{"6 other gate routes are 404", req{method: "POST", target: "http://127.0.0.1:8080/report/_formgate/other", header: map[string]string{"Cookie": "formgate=" + good}},
			want{status: 404, cookie: "none", notBody: []string{reportMarker}}},
		// 7. Stage prefixes.
		{"7 cookie path carries the stage", req{method: "POST", target: "https://abc.execute-api.eu-west-1.amazonaws.com/report", body: form(testUser, testPass), prefix: "/dev", header: map[string]string{"Accept": htmlAcc}},
			want{status: 303, location: "report", cookie: "set", cookiePath: "/dev/report", cookieSec: yes}},
		{"7 logout cookie path carries the stage", req{method: "POST", target: "https://abc.execute-api.eu-west-1.amazonaws.com/report/_formgate/logout", prefix: "/dev"},
			want{status: 303, location: "../../report", cookie: "cleared", cookiePath: "/dev/report"}},
		// 8. The base path and below.
		{"8 below the base path is protected", req{target: "http://127.0.0.1:8080/report/data.json", header: map[string]string{"Accept": htmlAcc}},
			want{status: 200, cookie: "none", body: []string{loginForm_}, notBody: []string{reportMarker}}},
		{"8 below the base path with a session", req{target: "http://127.0.0.1:8080/report/a/b?x=1", header: map[string]string{"Cookie": "formgate=" + good}},
			want{status: 200, body: []string{reportMarker, "path=/report/a/b", `logout="../_formgate/logout"`}}},
		{"8 outside the base path is 404, with credentials too", req{target: "http://127.0.0.1:8080/", header: map[string]string{"Authorization": basicAuth(testUser, testPass)}},
			want{status: 404, notBody: []string{reportMarker}}},
		{"8 a longer name is outside", req{target: "http://127.0.0.1:8080/reports", header: map[string]string{"Cookie": "formgate=" + good}},
			want{status: 404, notBody: []string{reportMarker}}},
		{"8 form login below the base path lands there", req{method: "POST", target: "http://127.0.0.1:8080/report/sub/page?x=1", body: form(testUser, testPass), header: map[string]string{"Accept": htmlAcc}},
			want{status: 303, location: "page?x=1", cookie: "set", cookiePath: "/report"}},
		// 9. The wrapped handler never sees the credentials.
		{"9 Basic is not passed on", req{header: map[string]string{"Authorization": basicAuth(testUser, testPass)}},
			want{status: 200, body: []string{`authorization=""`, "via=basic", `logout=""`}}},
		{"9 session cookie is not passed on, others are", req{header: map[string]string{"Cookie": "a=b; formgate=" + good + "; c=d"}},
			want{status: 200, body: []string{`cookie="a=b; c=d"`, "via=session"}}},
		{"9 a script's form login arrives as a GET", req{method: "POST", body: form(testUser, testPass)},
			want{status: 200, cookie: "set", body: []string{"method=GET", "via=form"}}},
		// Cross-site POSTs are refused before any credential is looked at.
		{"cross-site login refused", req{method: "POST", body: form(testUser, testPass), header: map[string]string{"Sec-Fetch-Site": "cross-site"}},
			want{status: 403, cookie: "none"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, f, f.do(t, tt.req), tt.want)
		})
	}
}

func TestGateUTF8Basic(t *testing.T) {
	f := newFixtureWith(t, func(o *Options) { o.Checker = PlainPassword("Jürgen", "pässwörd€") })
	resp := f.do(t, req{header: map[string]string{"Authorization": basicAuth("Jürgen", "pässwörd€")}})
	check(t, f, resp, want{status: 200, body: []string{"user=Jürgen via=basic"}})
}

// Python requests and btoa() send Basic credentials as ISO-8859-1: the
// same user gets in with those bytes as with UTF-8.
func TestGateLatin1Basic(t *testing.T) {
	f := newFixtureWith(t, func(o *Options) { o.Checker = PlainPassword("jürgen", "pässwörd") })
	for _, raw := range []string{"j\xfcrgen:p\xe4ssw\xf6rd", "jürgen:pässwörd"} {
		resp := f.do(t, req{header: map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(raw))}})
		check(t, f, resp, want{status: 200, body: []string{"user=jürgen via=basic"}})
	}
}

// Secrets must never reach the log: not the password from a form or a
// header, not the Authorization value, not a cookie value.
func TestGateLogsNoSecrets(t *testing.T) {
	f := newFixture(t)
	good := f.validCookie(t)
	auth := basicAuth(testUser, "wrong-basic-secret")
	for _, rq := range []req{
		{method: "POST", body: form(testUser, "wrong-form-secret"), header: map[string]string{"Accept": htmlAcc}},
		{method: "POST", body: form(testUser, testPass)},
		{header: map[string]string{"Authorization": auth}},
		{header: map[string]string{"Authorization": basicAuth(testUser, testPass)}},
		{header: map[string]string{"Cookie": "formgate=" + good[:len(good)-3]}},
		{header: map[string]string{"Authorization": "Basic bad-secret-value"}},
		// A password typed into the user name field.
		{method: "POST", body: form("password-in-the-user-field", "x"), header: map[string]string{"Accept": htmlAcc}},
	} {
		f.do(t, rq)
	}
	// A known user's name is logged: an operator needs it to tell whose
	// account is being guessed at.
	if !strings.Contains(f.logs.String(), "msg=\"login failed\" via=form user=anna") || !strings.Contains(f.logs.String(), "user=(unknown)") {
		t.Errorf("failed logins without the known user's name:\n%s", f.logs)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "login failed") || !strings.Contains(logs, "session cookie rejected") {
		t.Fatalf("expected failure log lines, got:\n%s", logs)
	}
	for _, secret := range []string{"wrong-form-secret", testPass, "correct", auth, strings.TrimPrefix(auth, "Basic "), "bad-secret-value", good[:20], "password-in-the-user-field"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains secret %q:\n%s", secret, logs)
		}
	}
}

// The cookie a form login sets must open the report on the next request,
// and logout must end that.
func TestGateLoginFlow(t *testing.T) {
	f := newFixture(t)
	resp := f.do(t, req{method: "POST", body: form(testUser, testPass), header: map[string]string{"Accept": htmlAcc}})
	var c *http.Cookie
	for _, rc := range resp.Cookies() {
		if rc.Name == session.CookieName {
			c = rc
		}
	}
	if c == nil {
		t.Fatal("no session cookie after login")
	}
	resp = f.do(t, req{header: map[string]string{"Cookie": c.String(), "Accept": htmlAcc}})
	check(t, f, resp, want{status: 200, body: []string{reportMarker, "user=anna via=session"}})
	resp = f.do(t, req{method: "POST", target: "http://127.0.0.1:8080/report/_formgate/logout", header: map[string]string{"Cookie": c.String()}})
	check(t, f, resp, want{status: 303, cookie: "cleared"})
}

// FuzzGate: whatever a client sends in the places the gate reads, the
// answer is never a 5xx and never the report without good credentials
// (share links on: no share cookie passes without the key either; tokens
// on: no Bearer either).
func FuzzGate(f *testing.F) {
	f.Add("POST", "application/x-www-form-urlencoded", form(testUser, "x"), "", "", "text/html")
	f.Add("GET", "", "", basicAuth(testUser, "nope"), "", "*/*")
	f.Add("GET", "", "", "Basic Og==", "formgate=abc", "")
	f.Add("POST", "application/x-www-form-urlencoded; charset=utf-8", "username=%ff%fe&password=%00", "", "formgate=", "text/html")
	f.Add("PUT", "multipart/form-data; boundary=x", "--x--", "Digest x", "formgate=a; formgate=b", "application/json")
	f.Add("GET", "", "", "", "formgate_share=AXNoYXJlLWxpbvSGVwBUKRaPyfhzeWFubmFoUDHXb9NrQCMmYxOJ0LQq", "text/html")
	f.Add("GET", "", "", "", "formgate_share=; formgate_new=x; formgate=y", "")
	f.Add("GET", "", "", "Bearer fgt_"+strings.Repeat("A", 55), "formgate_newtoken=x", "application/json")
	f.Add("POST", "application/x-www-form-urlencoded", "name=ci&ttl=1h", "bearer  fgt_", "", "")
	// Tokens on, none made: no token passes either.
	fx := shareFixture(f, func(o *Options) { o.Tokens = NewMemoryTokens() })
	f.Fuzz(func(t *testing.T, method, contentType, body, authz, cookie, accept string) {
		if !validMethod(method) {
			return
		}
		r := httptest.NewRequest("GET", "http://127.0.0.1/report", strings.NewReader(body))
		r.Method = method
		for k, v := range map[string]string{"Content-Type": contentType, "Authorization": authz, "Cookie": cookie, "Accept": accept} {
			if v != "" {
				r.Header.Set(k, v)
			}
		}
		w := httptest.NewRecorder()
		fx.h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q", w.Code, body)
		}
		if w.Code == 200 && strings.Contains(w.Body.String(), reportMarker) {
			t.Fatalf("report shown without good credentials")
		}
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", c) {
			return false
		}
	}
	return true
}

func TestGateOptions(t *testing.T) {
	plain := newFixture(t)
	f := newFixtureWith(t, func(o *Options) {
		o.ChallengeHeader = "X-WWW-Authenticate"
		o.PromptBrowsers = true
		o.TrustAuthorizer = true
	})
	serve := func(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}

	// Prompt mode: a browser gets 401 with the challenge, in the configured header, and the form as the body.
	r := httptest.NewRequest("GET", "/report", nil)
	r.Header.Set("Accept", htmlAcc)
	w := serve(f.h, r)
	if w.Code != 401 || w.Header().Get("X-WWW-Authenticate") != `Basic realm="restricted", charset="UTF-8"` || w.Header().Get("WWW-Authenticate") != "" || !strings.Contains(w.Body.String(), loginForm_) {
		t.Fatalf("prompt mode: %d %v", w.Code, w.Header())
	}

	// An authorizer's principal, carried by the front door, is trusted...
	r = httptest.NewRequest("GET", "/report", nil)
	r = r.WithContext(frontdoor.With(r.Context(), frontdoor.Info{Prefix: "/dev", Principal: "anna"}))
	if w := serve(f.h, r); w.Code != 200 || !strings.Contains(w.Body.String(), "user=anna via=authorizer") || strings.Contains(w.Body.String(), "Log out") {
		t.Fatalf("trusted principal: %d %s", w.Code, w.Body)
	}
	// ...but not by a gate that was not told to.
	if w := serve(plain.h, r); w.Code != 401 {
		t.Fatalf("untrusted principal let in: %d", w.Code)
	}
	// A header cannot stand in for it.
	r = httptest.NewRequest("GET", "/report", nil)
	r.Header.Set("X-Principal", "anna")
	r.Header.Set("principalId", "anna")
	if w := serve(f.h, r); w.Code != 401 {
		t.Fatalf("principal from a header let in: %d", w.Code)
	}
}

// A base path of the caller's: the cookie's Path follows it, with the
// stage prefix in front; "/" covers everything.
func TestGateBasePath(t *testing.T) {
	for _, tt := range []struct {
		base, target, prefix, cookiePath string
		status                           int
	}{
		{"/app", "/app", "", "/app", 200},
		{"/app", "/app/", "", "/app", 200},
		{"/app", "/app/data.json", "/dev", "/dev/app", 200},
		{"/app", "/application", "", "", 404},
		{"/a/b", "/a/b/c", "", "/a/b", 200},
		{"/a/b", "/a", "", "", 404},
		{"/", "/anything/at/all", "", "/", 200},
		{"/", "/", "/prod", "/prod", 200},
	} {
		t.Run(tt.base+" "+tt.target, func(t *testing.T) {
			f := newFixtureWith(t, func(o *Options) { o.BasePath = tt.base })
			resp := f.do(t, req{method: "POST", target: "http://127.0.0.1" + tt.target, body: form(testUser, testPass), prefix: tt.prefix})
			if tt.status == 404 {
				check(t, f, resp, want{status: 404, cookie: "none", notBody: []string{reportMarker}})
				return
			}
			if tt.target != tt.base {
				// A script's form login below the base path is sent there:
				// the URL it posted to may take only POSTs.
				check(t, f, resp, want{status: 303, cookie: "set", cookiePath: tt.cookiePath, location: relativeRef(tt.target, tt.base)})
				return
			}
			check(t, f, resp, want{status: tt.status, cookie: "set", cookiePath: tt.cookiePath, body: []string{"path=" + tt.target}})
		})
	}
}

// The logout button's URL, resolved by a browser, reaches the gate's
// logout route for every base path, at any depth.
func TestLogoutURLResolves(t *testing.T) {
	for _, tt := range []struct{ base, page string }{
		{"/report", "/report"},
		{"/app", "/app/"},
		{"/app", "/app/x/y"},
		{"/", "/"},
		{"/", "/x/y"},
		{"/a/b", "/a/b/c/"},
	} {
		f := newFixtureWith(t, func(o *Options) { o.BasePath = tt.base })
		resp := f.do(t, req{target: "http://127.0.0.1" + tt.page, header: map[string]string{"Cookie": "formgate=" + f.validCookie(t)}})
		body, _ := io.ReadAll(resp.Body)
		m := regexp.MustCompile(`logout="([^"]*)"`).FindSubmatch(body)
		if m == nil || len(m[1]) == 0 {
			t.Fatalf("%s %s: no logout URL in %s", tt.base, tt.page, body)
		}
		page, _ := url.Parse("https://example.com/dev" + tt.page)
		ref, _ := url.Parse(string(m[1]))
		target := page.ResolveReference(ref)
		// Served the way the browser would ask: the path without the stage.
		logout := f.do(t, req{method: "POST", target: "http://127.0.0.1" + strings.TrimPrefix(target.Path, "/dev"), prefix: "/dev"})
		check(t, f, logout, want{status: 303, cookie: "cleared"})
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		mod  func(*Options)
		want []string // substrings of the error; none: valid
	}{
		{"defaults fill the rest", func(o *Options) { o.SessionTTL, o.Logger = 0, nil }, nil},
		{"nothing set", func(o *Options) { *o = Options{} }, []string{"Options.Checker is not set", "Options.SessionSecret is not set"}},
		{"short secret", func(o *Options) { o.SessionSecret = []byte("short") }, []string{"Options.SessionSecret is 5 bytes long"}},
		{"short previous", func(o *Options) { o.PreviousSessionSecret = []byte("x") }, []string{"Options.PreviousSessionSecret is 1 bytes long"}},
		{"empty password", func(o *Options) { o.Checker = PlainPassword("anna", "") }, []string{"Options.Checker is not usable: PlainPassword: the password is empty"}},
		{"colon in user", func(o *Options) { o.Checker = PlainPassword("a:b", "pw") }, []string{"contains ':'"}},
		{"relative base", func(o *Options) { o.BasePath = "app" }, []string{`Options.BasePath="app" is not a clean absolute path`}},
		{"trailing slash", func(o *Options) { o.BasePath = "/app/" }, []string{`Options.BasePath="/app/"`}},
		{"dot segments", func(o *Options) { o.BasePath = "/a/../b" }, []string{`Options.BasePath="/a/../b"`}},
		{"gate's own prefix", func(o *Options) { o.BasePath = "/app/_formgate" }, []string{"keeps for its own routes"}},
		{"short ttl", func(o *Options) { o.SessionTTL = time.Second }, []string{"Options.SessionTTL=1s is too short"}},
		{"odd header", func(o *Options) { o.ChallengeHeader = "X-Auth" }, []string{`Options.ChallengeHeader="X-Auth"`}},
		{"quote in realm", func(o *Options) { o.Realm = `a"b` }, []string{"Options.Realm must be free of quotes"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(nil)
			tt.mod(&o)
			_, err := New(o)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("New accepted the options")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), string(testSecret)) || strings.Contains(err.Error(), testPass) {
				t.Errorf("error reveals a secret: %v", err)
			}
		})
	}
}

// BenchmarkLoginPage: the blank form is the page anonymous visitors get;
// it is rendered at start, so serving it costs about what the report does.
func BenchmarkLoginPage(b *testing.B) {
	f := quiet(b)
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("GET", "http://127.0.0.1/report", nil)
		r.Header.Set("Accept", htmlAcc)
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

// No path, however odd, makes the redirect after a form login leave the
// site: the Location is a relative path reference with nothing a browser
// would read as a scheme, a host or a backslash.
func TestLoginRedirectStaysOnSite(t *testing.T) {
	for _, base := range []string{"/report", "/"} {
		f := newFixtureWith(t, func(o *Options) { o.BasePath = base })
		for _, p := range []string{`/\\evil.com`, "/\t\\\\evil.com", "//evil.com", "/x//evil.com", "/a:b", "/%2F%2Fevil.com",
			"/x?y", "/x#y", "/http:evil.com", "/ \\evil.com", "/\x00\\evil.com", "/é\\\\x"} {
			if base != "/" {
				p = base + p
			}
			r := httptest.NewRequest("POST", "http://127.0.0.1/", strings.NewReader(form(testUser, testPass)))
			r.URL.Path = p // as a decoding front door hands it over
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Accept", htmlAcc)
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, r)
			loc := w.Header().Get("Location")
			if w.Code != 303 {
				if w.Code == 404 && p == "//evil.com" {
					continue // not under a base of /report
				}
				t.Fatalf("%q: %d", p, w.Code)
			}
			u, err := url.Parse(loc)
			if err != nil {
				t.Errorf("base %s, path %q: Location %q: %v", base, p, loc, err)
				continue
			}
			if u.Scheme != "" || u.Host != "" || strings.HasPrefix(loc, "/") || strings.ContainsAny(loc, "\\\t\x00 ") {
				t.Errorf("base %s, path %q: Location %q", base, p, loc)
			}
			if ref, _ := url.Parse("https://gate.example/dev" + (&url.URL{Path: p}).EscapedPath()); ref.ResolveReference(u).Host != "gate.example" {
				t.Errorf("base %s, path %q: Location %q leaves the site", base, p, loc)
			}
		}
	}
}

// A logged-in browser that sends the gate's login form again (another
// tab) is logged in anew; the password never reaches the application. The
// application's own form with the same field names reaches it whole.
func TestLoginFormWithSession(t *testing.T) {
	var seenBody string
	f := newFixture(t)
	h := f.gate.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		seenBody = string(b)
		io.WriteString(w, "app")
	}))
	post := func(body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "http://127.0.0.1/report/settings", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Accept", htmlAcc)
		r.Header.Set("Cookie", "formgate="+f.validCookie(t))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	seenBody = ""
	if w := post("_formgate=login&" + form(testUser, testPass)); w.Code != 303 || w.Header().Get("Set-Cookie") == "" || seenBody != "" {
		t.Fatalf("login form with a session: %d, app saw %q", w.Code, seenBody)
	}
	if w := post("_formgate=login&" + form(testUser, "wrong")); w.Code != 401 || seenBody != "" {
		t.Fatalf("wrong login form with a session: %d, app saw %q", w.Code, seenBody)
	}
	own := "username=bob&password=new-pw-for-bob&role=admin"
	if w := post(own); w.Code != 200 || seenBody != own {
		t.Fatalf("the app's own form: %d, app saw %q", w.Code, seenBody)
	}
	big := "note=" + strings.Repeat("x", 3*maxFormBytes)
	if w := post(big); w.Code != 200 || seenBody != big {
		t.Fatalf("a large form of the app's: %d, app saw %d bytes", w.Code, len(seenBody))
	}
}

func TestDotSegmentsRefused(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/report/../admin", "/report/./x", "/report/a/.."} {
		r := httptest.NewRequest("GET", "http://127.0.0.1/", nil)
		r.URL.Path = p
		r.SetBasicAuth(testUser, testPass)
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, r)
		if w.Code != 400 || strings.Contains(w.Body.String(), reportMarker) {
			t.Errorf("%s: %d %s", p, w.Code, w.Body)
		}
	}
}

// A login form the parser cannot read is logged without a fragment of it.
func TestBadFormNotLogged(t *testing.T) {
	f := newFixture(t)
	f.do(t, req{method: "POST", body: "username=anna&password=ab%zzSECRETPART"})
	if strings.Contains(f.logs.String(), "zz") || strings.Contains(f.logs.String(), "SECRETPART") || !strings.Contains(f.logs.String(), "bad login form") {
		t.Fatalf("log:\n%s", f.logs)
	}
}

// A JSON client (Accept: application/json, no text/html) reads the gate's
// refusals as JSON, with the status and headers a script gets otherwise.
func TestRefusalsAsJSON(t *testing.T) {
	f := newFixtureWith(t, func(o *Options) { o.Limiter = NewMemoryLimiter(1, time.Hour) })
	jsonAcc := map[string]string{"Accept": "application/json"}
	with := func(extra map[string]string) map[string]string {
		h := map[string]string{"Accept": "application/json"}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}
	for _, tt := range []struct {
		name   string
		rq     req
		status int
		says   string
		header string // a header the answer must carry
	}{
		{"no credentials", req{header: jsonAcc}, 401, "authentication required", "WWW-Authenticate"},
		{"a wrong password", req{header: with(map[string]string{"Authorization": basicAuth(testUser, "nope")})}, 401, "wrong username or password", "WWW-Authenticate"},
		{"held back", req{header: with(map[string]string{"Authorization": basicAuth(testUser, "nope")})}, 429, "Too many failed logins", "Retry-After"},
		{"cross-site", req{method: "POST", body: "a=b", header: with(map[string]string{"Sec-Fetch-Site": "cross-site"})}, 403, "cross-origin request refused", ""},
		{"outside the base path", req{target: "http://127.0.0.1:8080/healthz", header: jsonAcc}, 404, "outside the path this gate protects", ""},
		{"logout by GET", req{target: "http://127.0.0.1:8080/report/_formgate/logout", header: jsonAcc}, 405, "log out with a POST", "Allow"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := f.do(t, tt.rq)
			var got struct {
				Error  string `json:"error"`
				Status int    `json:"status"`
			}
			b, _ := io.ReadAll(resp.Body)
			if err := json.Unmarshal(b, &got); err != nil || resp.StatusCode != tt.status || got.Status != tt.status ||
				!strings.Contains(got.Error, tt.says) || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("%d %s %s, want %d JSON saying %q", resp.StatusCode, resp.Header.Get("Content-Type"), b, tt.status, tt.says)
			}
			if tt.header != "" && resp.Header.Get(tt.header) == "" {
				t.Errorf("no %s header: %v", tt.header, resp.Header)
			}
		})
	}
	// A script that takes anything still gets text.
	if resp := f.do(t, req{header: map[string]string{"Accept": "*/*"}}); !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("Accept */*: %s", resp.Header.Get("Content-Type"))
	}
	// The log says why a path outside the base path got 404.
	if !strings.Contains(f.logs.String(), `path=/healthz status=404`) || !strings.Contains(f.logs.String(), `why="outside the protected path /report"`) {
		t.Errorf("the request line does not say why:\n%s", f.logs)
	}
}

// LoginTitle and LoginCSS give the gate's pages an application's look;
// the policy still allows nothing fetched.
func TestLoginLook(t *testing.T) {
	const css = "form#login { background: rebeccapurple }"
	f := newFixtureWith(t, func(o *Options) { o.LoginTitle, o.LoginCSS = "Sales dashboard", css })
	resp := f.do(t, req{header: map[string]string{"Accept": htmlAcc}})
	page := body(resp)
	for _, want := range []string{"<title>Log in · Sales dashboard</title>", "<h1>Sales dashboard</h1>", css} {
		if !strings.Contains(page, want) {
			t.Errorf("login page lacks %q", want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	// A failed login keeps the look.
	resp = f.do(t, req{method: "POST", body: form(testUser, "wrong"), header: map[string]string{"Accept": htmlAcc}})
	if page := body(resp); resp.StatusCode != 401 || !strings.Contains(page, css) || !strings.Contains(page, "Wrong username or password.") {
		t.Errorf("failed login: %d", resp.StatusCode)
	}
	// The challenge keeps the realm.
	if resp := f.do(t, req{}); resp.Header.Get("WWW-Authenticate") != `Basic realm="restricted", charset="UTF-8"` {
		t.Errorf("challenge %q", resp.Header.Get("WWW-Authenticate"))
	}
}
