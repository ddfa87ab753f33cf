package formgate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/formgate/formgate/internal/apitoken"
)

const (
	tokensRoute = "http://127.0.0.1:8080/report/_formgate/tokens"
	reportURL   = "http://127.0.0.1:8080/report"
)

// tokenApp stands for the handler behind the gate: it shows what it was
// given, and what TokensFor offers.
var tokenApp = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	id, _ := IdentityFrom(r.Context())
	s, ok := TokensFor(r)
	newTok := ""
	if s.New != nil {
		newTok = s.New.Token
	}
	fmt.Fprintf(w, "%s user=%s via=%s method=%s authorization=%q apikey=%q cookie=%q tokens=%v make=%q revoke=%q readonly=%v new=%q listed=%d",
		reportMarker, id.User, id.Via, r.Method, r.Header.Get("Authorization")+r.Header.Get(remappedAuthorization), r.Header.Get(apiKeyHeader), r.Header.Get("Cookie"),
		ok, s.MakeURL, s.RevokeURL, s.ReadOnly, newTok, len(s.Tokens))
	for _, t := range s.Tokens {
		fmt.Fprintf(w, " [%s %s used=%v]", t.ID, t.Name, !t.LastUsed.IsZero())
	}
})

// tokenFixture is the fixture with tokens kept in memory (or store), the
// app tokenApp, and mod's changes.
func tokenFixture(t testing.TB, store Tokens, mod func(*Options)) fixture {
	t.Helper()
	if store == nil {
		store = NewMemoryTokens()
	}
	f := newFixtureWith(t, func(o *Options) {
		o.Tokens = store
		if mod != nil {
			mod(o)
		}
	})
	f.h = f.gate.Protect(tokenApp)
	return f
}

// makeToken makes a token as a script does, with header (a session
// cookie or Basic credentials), and returns it with its id.
func makeToken(t *testing.T, f fixture, header map[string]string, name, ttl string) (token, id string) {
	t.Helper()
	resp := f.do(t, req{method: "POST", target: tokensRoute, body: url.Values{"name": {name}, "ttl": {ttl}}.Encode(), header: header})
	b := body(resp)
	token = strings.TrimSuffix(b, "\n")
	loc := resp.Header.Get("Location")
	id, _ = strings.CutPrefix(loc, "/report/_formgate/tokens/")
	if resp.StatusCode != 201 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") || !strings.HasPrefix(token, "fgt_") || len(token) != apitoken.Len || !strings.HasPrefix(token, "fgt_"+id) || len(id) != 12 {
		t.Fatalf("make a token: %d %v\n%s", resp.StatusCode, resp.Header, b)
	}
	return token, id
}

// asToken is a request with token in header ("Authorization": as
// Bearer).
func asToken(t *testing.T, f fixture, method, target, header, token string, more ...string) *http.Response {
	t.Helper()
	h := map[string]string{}
	if header == "Authorization" || header == remappedAuthorization {
		h[header] = "Bearer " + token
	} else {
		h[header] = token
	}
	for i := 0; i+1 < len(more); i += 2 {
		h[more[i]] = more[i+1]
	}
	return f.do(t, req{method: method, target: target, header: h})
}

// The first check: logged in with the form, a script makes a
// token (201, the token alone, its URL in Location); the token opens the
// report by Authorization: Bearer and by X-Api-Key, as its maker and
// without reaching the handler; any other method is 403; revoked by the
// id in Location, it is 401 with the reason.
func TestTokenFlow(t *testing.T) {
	f := tokenFixture(t, nil, nil)
	sess := loginCookie(t, f, testUser, testPass)
	token, id := makeToken(t, f, map[string]string{"Cookie": pair(sess)}, "ci", "720h")
	got, _, _ := f.gate.o.Tokens.Find(context.Background(), id)
	if got.Hash != apitoken.HashOf(token) || got.Name != "ci" || got.User != testUser || got.Expires.Sub(got.Created) != 720*time.Hour {
		t.Fatalf("kept: %+v", got)
	}
	for _, header := range []string{"Authorization", apiKeyHeader, remappedAuthorization} {
		for _, target := range []string{reportURL + "?format=json", reportURL + "/below/it?page=2"} {
			for _, method := range []string{"GET", "HEAD"} {
				resp := asToken(t, f, method, target, header, token, "Cookie", "other=1")
				b := body(resp)
				if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
					t.Fatalf("%s %s by %s: %d\n%s", method, target, header, resp.StatusCode, b)
				}
				if method == "GET" && (!strings.Contains(b, "user=anna via=token") || !strings.Contains(b, `authorization="" apikey="" cookie="other=1" tokens=false`)) {
					t.Fatalf("%s by %s: the handler got %s", target, header, b)
				}
			}
		}
	}
	for _, method := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		if resp := asToken(t, f, method, reportURL, "Authorization", token); resp.StatusCode != 403 || !strings.Contains(body(resp), "reading only") {
			t.Fatalf("%s with the token: %d", method, resp.StatusCode)
		}
	}
	resp := f.do(t, req{method: "POST", target: tokensRoute + "/revoke", body: "id=" + id, header: map[string]string{"Cookie": pair(sess)}})
	if resp.StatusCode != 204 {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	resp = asToken(t, f, "GET", reportURL+"?format=json", "Authorization", token, "Accept", "application/json")
	var j struct {
		Error  string `json:"error"`
		Status int    `json:"status"`
	}
	err := json.Unmarshal([]byte(body(resp)), &j)
	if resp.StatusCode != 401 || err != nil || j.Status != 401 || j.Error != "the token was revoked." ||
		resp.Header.Get("WWW-Authenticate") != `Bearer realm="restricted", error="invalid_token", error_description="the token was revoked"` {
		t.Fatalf("the revoked token: %d %v %+v %v", resp.StatusCode, resp.Header, j, err)
	}
	// Revoking is idempotent.
	for _, id := range []string{id, "AAAAAAAAAAAA", "short"} {
		if resp := f.do(t, req{method: "POST", target: tokensRoute + "/revoke", body: "id=" + id, header: map[string]string{"Cookie": pair(sess)}}); resp.StatusCode != 204 {
			t.Fatalf("revoke %s again: %d", id, resp.StatusCode)
		}
	}
	if strings.Count(f.logs.String(), `msg="token revoked"`) != 1 {
		t.Fatalf("the log does not say once that the token was revoked:\n%s", f.logs)
	}
}

// A browser makes a token with post/redirect/get: the POST sets a sealed
// cookie (the token is not readable in it) and sends it to the base path,
// whose page shows the token once and clears the cookie; the next page
// lists it without the token.
func TestTokenBrowser(t *testing.T) {
	f := tokenFixture(t, nil, nil)
	sess := loginCookie(t, f, testUser, testPass)
	page := body(f.do(t, req{header: map[string]string{"Cookie": pair(sess), "Accept": htmlAcc}}))
	if !strings.Contains(page, `tokens=true make="report/_formgate/tokens" revoke="report/_formgate/tokens/revoke" readonly=false new="" listed=0`) {
		t.Fatalf("the page before: %s", page)
	}
	resp := f.do(t, req{method: "POST", target: tokensRoute, body: "name=nightly+export&ttl=2160h0m0s", header: map[string]string{"Cookie": pair(sess), "Accept": htmlAcc}})
	c := cookieNamed(resp, newTokenCookie)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "../../report" || c == nil || c.MaxAge != madeCookieAge || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/report" {
		t.Fatalf("make in a browser: %d %v %v", resp.StatusCode, resp.Header, c)
	}
	if strings.Contains(c.Value, "fgt_") || strings.Contains(body(resp), "fgt_") {
		t.Fatal("the token is readable in the answer to the POST")
	}
	resp = f.do(t, req{header: map[string]string{"Cookie": pair(sess) + "; " + pair(c), "Accept": htmlAcc}})
	page = body(resp)
	m := strings.Index(page, `new="fgt_`)
	if resp.StatusCode != 200 || m < 0 || !strings.Contains(page, "listed=1") || !strings.Contains(page, " nightly export used=false]") || !strings.Contains(page, `cookie=""`) {
		t.Fatalf("the page after: %s", page)
	}
	token := page[m+5 : m+5+apitoken.Len]
	if cl := cookieNamed(resp, newTokenCookie); cl == nil || cl.MaxAge != -1 {
		t.Fatalf("the new-token cookie is not cleared once shown: %v", cl)
	}
	if resp := asToken(t, f, "GET", reportURL, apiKeyHeader, token); resp.StatusCode != 200 {
		t.Fatalf("the token shown: %d", resp.StatusCode)
	}
	// Another user's page does not take it, and clears it.
	g := tokenFixture(t, nil, func(o *Options) { o.Checker = users{"anna": "pw-a", "bob": "pw-b"} })
	bob := loginCookie(t, g, "bob", "pw-b")
	anna := loginCookie(t, g, "anna", "pw-a")
	resp = g.do(t, req{method: "POST", target: tokensRoute, body: "name=x&ttl=720h", header: map[string]string{"Cookie": pair(anna), "Accept": htmlAcc}})
	c = cookieNamed(resp, newTokenCookie)
	resp = g.do(t, req{header: map[string]string{"Cookie": pair(bob) + "; " + pair(c), "Accept": htmlAcc}})
	if page := body(resp); !strings.Contains(page, `new=""`) || cookieNamed(resp, newTokenCookie).MaxAge != -1 {
		t.Fatalf("bob's page with anna's new token: %s", page)
	}
	// A cookie of another key (another base path) opens nothing.
	other := tokenFixture(t, nil, func(o *Options) { o.BasePath = "/other" })
	if _, err := other.gate.shown.Open(c.Value, time.Now()); err == nil {
		t.Fatal("a new-token cookie opens under another base path")
	}
}

// Only a password (Basic, or a session) makes, lists and revokes tokens:
// not a token itself, not a share link, not nobody; and never from
// another site.
func TestTokenWhoMayMake(t *testing.T) {
	f := tokenFixture(t, nil, func(o *Options) { o.ShareLinks = true })
	sess := loginCookie(t, f, testUser, testPass)
	token, id := makeToken(t, f, map[string]string{"Authorization": basicAuth(testUser, testPass)}, "ci", "1h")
	for _, target := range []string{tokensRoute, tokensRoute + "/revoke", tokensRoute + "/" + id} {
		for _, h := range []map[string]string{
			{"Authorization": "Bearer " + token},
			{apiKeyHeader: token, "Cookie": pair(sess)}, // a token decides alone
			{apiKeyHeader: "fgt_garbage", "Authorization": basicAuth(testUser, testPass)},
		} {
			method := "POST"
			if strings.HasSuffix(target, id) {
				method = "GET"
			}
			resp := f.do(t, req{method: method, target: target, body: "name=more&ttl=1h&id=" + id, header: h})
			if b := body(resp); resp.StatusCode != 403 || !strings.Contains(b, "a token cannot make") {
				t.Fatalf("%s %s with a token: %d %s", method, target, resp.StatusCode, b)
			}
		}
	}
	// A share link's visitor.
	link := f.do(t, req{method: "POST", target: shareRoute, body: "ttl=1h", header: map[string]string{"Cookie": pair(sess)}})
	lt := strings.TrimPrefix(strings.TrimSpace(body(link)), linkPrefix)
	for _, h := range []map[string]string{{"Cookie": shareCookieName + "=" + lt}, {}} {
		if resp := f.do(t, req{method: "POST", target: tokensRoute, body: "name=x&ttl=1h", header: h}); resp.StatusCode != 401 {
			t.Fatalf("make a token with %v: %d", h, resp.StatusCode)
		}
	}
	if resp := visit(f, t, "GET", reportURL, lt); !strings.Contains(body(resp), "via=share") || false {
		t.Fatal("the share link does not work")
	}
	// A token is no password: no share links either.
	if resp := asToken(t, f, "POST", shareRoute, "Authorization", token, "Content-Type", "application/x-www-form-urlencoded"); resp.StatusCode != 401 {
		t.Fatalf("a share link made by a token: %d", resp.StatusCode)
	}
	// Cross-site.
	resp := f.do(t, req{method: "POST", target: tokensRoute, body: "name=x&ttl=1h", header: map[string]string{"Cookie": pair(sess), "Sec-Fetch-Site": "cross-site"}})
	if resp.StatusCode != 403 || !strings.Contains(body(resp), "cross-origin") {
		t.Fatalf("a cross-site POST: %d", resp.StatusCode)
	}
	if n, _ := f.gate.o.Tokens.List(context.Background(), testUser); len(n) != 1 {
		t.Fatalf("%d tokens, want the one made", len(n))
	}
}

// Bad fields get a clear 400, never a token.
func TestTokenBadForm(t *testing.T) {
	f := tokenFixture(t, nil, func(o *Options) { o.TokenMaxTTL = 90 * 24 * time.Hour })
	basic := map[string]string{"Authorization": basicAuth(testUser, testPass)}
	for _, tc := range []struct{ form, want string }{
		{"ttl=1h", "the name is empty"},
		{"name=++&ttl=1h", "the name is empty"},
		{"name=" + strings.Repeat("ä", 65) + "&ttl=1h", "65 characters"},
		{"name=a%0Ab&ttl=1h", "control character"},
		{"name=fgt_abc&ttl=1h", "looks like a token"},
		{"name=ci", "ttl must be a Go duration from 1m to 2160h"},
		{"name=ci&ttl=soon", "ttl must be"},
		{"name=ci&ttl=59s", "ttl must be"},
		{"name=ci&ttl=2161h", "ttl must be"},
	} {
		resp := f.do(t, req{method: "POST", target: tokensRoute, body: tc.form, header: basic})
		if b := body(resp); resp.StatusCode != 400 || !strings.Contains(b, tc.want) || strings.Contains(b, "fgt_") && !strings.Contains(tc.form, "fgt_") {
			t.Errorf("%s: %d %s", tc.form, resp.StatusCode, b)
		}
	}
	makeToken(t, f, basic, strings.Repeat("ä", 64), "2160h")
	if resp := f.do(t, req{method: "POST", target: tokensRoute, body: "name=x&ttl=1h", header: map[string]string{"Authorization": basicAuth(testUser, testPass), "Content-Type": "text/plain"}}); resp.StatusCode != 400 {
		t.Errorf("a body that is no form: %d", resp.StatusCode)
	}
	if resp := f.do(t, req{method: "PUT", target: tokensRoute, header: basic}); resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD, POST" {
		t.Errorf("PUT: %d %v", resp.StatusCode, resp.Header)
	}
	if resp := f.do(t, req{method: "GET", target: tokensRoute + "/revoke", header: basic}); resp.StatusCode != 405 {
		t.Errorf("GET revoke: %d", resp.StatusCode)
	}
	if resp := f.do(t, req{method: "POST", target: tokensRoute + "/revoke", body: "id=", header: basic}); resp.StatusCode != 400 {
		t.Errorf("revoke without an id: %d", resp.StatusCode)
	}
}

// What ends a token and what does not: its expiry and the removal of its
// user do (401, each with its reason, and no failed login counted); a
// new password, "log out everywhere" and a new SessionSecret do not.
func TestTokenLifetime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := NewMemoryTokens()
		us := users{"anna": "pw-a", "bob": "pw-b"}
		f := tokenFixture(t, store, func(o *Options) {
			o.Checker, o.Revocations = us, NewMemoryRevocations()
			o.Limiter = NewMemoryLimiter(1, time.Hour)
		})
		anna := loginCookie(t, f, "anna", "pw-a")
		token, _ := makeToken(t, f, map[string]string{"Cookie": pair(anna)}, "ci", "2h")
		bobToken, _ := makeToken(t, f, map[string]string{"Authorization": basicAuth("bob", "pw-b")}, "ci", "24h")
		revoked, revokedID := makeToken(t, f, map[string]string{"Cookie": pair(anna)}, "gone", "24h")
		store.Revoke(context.Background(), "anna", revokedID, time.Now())
		ok := func(tok string) {
			t.Helper()
			if resp := asToken(t, f, "GET", reportURL, "Authorization", tok); resp.StatusCode != 200 {
				t.Fatalf("the token: %d %s", resp.StatusCode, body(resp))
			}
		}
		refused := func(tok, why string) {
			t.Helper()
			resp := asToken(t, f, "GET", reportURL, "Authorization", tok)
			if b := body(resp); resp.StatusCode != 401 || !strings.Contains(b, why) {
				t.Fatalf("want 401 %q: %d %s", why, resp.StatusCode, b)
			}
		}
		if resp := f.do(t, req{method: "POST", target: "http://127.0.0.1:8080/report/_formgate/logout-everywhere", header: map[string]string{"Cookie": pair(anna)}}); resp.StatusCode != 303 {
			t.Fatalf("log out everywhere: %d", resp.StatusCode)
		}
		us["anna"] = "new password"
		ok(token)
		rotated := tokenFixture(t, store, func(o *Options) { o.Checker, o.SessionSecret = us, bytes.Repeat([]byte("n"), 32) })
		if resp := asToken(t, rotated, "GET", reportURL, apiKeyHeader, token); resp.StatusCode != 200 {
			t.Fatalf("the token under a new session secret: %d", resp.StatusCode)
		}
		time.Sleep(2 * time.Hour)
		refused(token, "the token expired at ")
		refused(revoked, "the token was revoked")
		delete(us, "bob")
		refused(bobToken, "the token's user no longer exists")
		// None of these was a failed login: the budget of one is whole.
		refused("fgt_"+strings.Repeat("A", apitoken.Len-4), "not valid here")
		if resp := asToken(t, f, "GET", reportURL, "Authorization", "fgt_"+strings.Repeat("B", apitoken.Len-4)); resp.StatusCode != 429 {
			t.Fatalf("the second wrong token with a budget of one: %d", resp.StatusCode)
		}
	})
}

// The third check: a flood of wrong tokens from one address gets
// 429 after the address's budget of failed logins (10 by default),
// whichever header and whatever the wrongness; the address of a right
// token is never held back, and a user's budget is never touched. No
// token reaches the log, at debug level.
func TestTokenFlood(t *testing.T) {
	f := tokenFixture(t, nil, nil)
	basic := map[string]string{"Authorization": basicAuth(testUser, testPass)}
	token, id := makeToken(t, f, basic, "ci", "1h")
	wrong := []string{
		"fgt_" + id + strings.Repeat("A", apitoken.Len-4-12), // its id, another secret
		token[:len(token)-1] + "B",                           // one character off
		"fgt_" + strings.Repeat("A", apitoken.Len-4),         // no such id
		"fgt_short", // malformed
		token + "A", // too long
		"fgt_" + strings.Repeat("!", apitoken.Len-4),         // not base64url
		strings.Replace(token, "fgt_", "fgt_", 1)[:10] + "é", // garbage
	}
	for i := range 10 {
		h := []string{"Authorization", apiKeyHeader}[i%2]
		resp := asToken(t, f, "GET", reportURL, h, wrong[i%len(wrong)])
		if b := body(resp); resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer ") {
			t.Fatalf("wrong token %d: %d %s", i+1, resp.StatusCode, b)
		}
	}
	for _, w := range wrong {
		resp := asToken(t, f, "GET", reportURL, "Authorization", w)
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("past the budget: %d", resp.StatusCode)
		}
	}
	// Basic from that address is held back too (one budget per address)...
	if resp := f.do(t, req{header: basic}); resp.StatusCode != 429 {
		t.Fatalf("Basic from the flooding address: %d", resp.StatusCode)
	}
	// ...but not a right token, nor anna's own budget from elsewhere.
	if resp := asToken(t, f, "GET", reportURL, "Authorization", token); resp.StatusCode != 200 {
		t.Fatalf("the right token from the flooding address: %d", resp.StatusCode)
	}
	r := httptest.NewRequest("GET", reportURL, nil)
	r.RemoteAddr, r.Header = "198.51.100.7:1234", http.Header{"Authorization": {basicAuth(testUser, testPass)}}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	if w.Code != 200 {
		t.Fatalf("anna's Basic from another address: %d", w.Code)
	}
	// A careless script puts the token in the URL: the path is logged
	// without it.
	f.do(t, req{target: reportURL + "/" + token + "/x.csv"})
	logs := f.logs.String()
	if strings.Contains(logs, token[4:]) || strings.Contains(logs, token[len(token)-20:]) || strings.Count(logs, "fgt_") > 0 || !strings.Contains(logs, "path=/report/[token]/x.csv") {
		t.Fatalf("a token in the log:\n%s", logs)
	}
	if !strings.Contains(logs, `msg="token refused" why=wrong-secret header=Authorization id=`+id) || !strings.Contains(logs, "why=malformed") || !strings.Contains(logs, "token refused: too many failed attempts") {
		t.Fatalf("the log does not say why:\n%s", logs)
	}
}

// Authorization that is not a token is Basic's to answer, as before
// tokens: a Bearer of another kind is refused as any non-Basic header,
// and an X-Api-Key that is not a token is the application's.
func TestTokenLeavesOtherHeaders(t *testing.T) {
	for _, on := range []bool{false, true} {
		f := newFixture(t)
		if on {
			f = tokenFixture(t, nil, nil)
		}
		resp := f.do(t, req{header: map[string]string{"Authorization": "Bearer eyJhbGciOi"}})
		if b := body(resp); resp.StatusCode != 401 || !strings.Contains(b, "must hold Basic credentials") || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic ") {
			t.Fatalf("tokens %v, another Bearer: %d %s", on, resp.StatusCode, b)
		}
		resp = f.do(t, req{header: map[string]string{"Authorization": basicAuth(testUser, testPass), apiKeyHeader: "the-apps-own"}})
		if b := body(resp); resp.StatusCode != 200 || !strings.Contains(b, "via=basic") || on && !strings.Contains(b, `apikey="the-apps-own"`) {
			t.Fatalf("tokens %v, the app's X-Api-Key: %d %s", on, resp.StatusCode, b)
		}
	}
	// Tokens off: a token is refused as any Bearer, never let in.
	f := newFixture(t)
	if resp := f.do(t, req{header: map[string]string{"Authorization": "Bearer fgt_" + strings.Repeat("A", 55)}}); resp.StatusCode != 401 {
		t.Fatalf("a token with tokens off: %d", resp.StatusCode)
	}
}

// The lists: the page's and the scripts' (JSON), each user their own.
func TestTokenLists(t *testing.T) {
	f := tokenFixture(t, nil, func(o *Options) { o.Checker = users{"anna": "pw-a", "bob": "pw-b"} })
	anna, bob := map[string]string{"Authorization": basicAuth("anna", "pw-a")}, map[string]string{"Authorization": basicAuth("bob", "pw-b")}
	tok1, id1 := makeToken(t, f, anna, "ci", "720h")
	_, id2 := makeToken(t, f, anna, "cron", "1h")
	makeToken(t, f, bob, "bob's", "1h")
	asToken(t, f, "GET", reportURL, "Authorization", tok1)
	resp := f.do(t, req{target: tokensRoute, header: anna})
	var list []map[string]any
	if err := json.Unmarshal([]byte(body(resp)), &list); err != nil || resp.StatusCode != 200 || len(list) != 2 ||
		list[0]["id"] != id2 || list[1]["id"] != id1 || list[1]["name"] != "ci" || list[1]["last_used"] == nil || list[0]["last_used"] != nil {
		t.Fatalf("anna's list: %d %v %v", resp.StatusCode, list, err)
	}
	resp = f.do(t, req{target: tokensRoute + "/" + id1, header: anna})
	var one map[string]any
	if err := json.Unmarshal([]byte(body(resp)), &one); err != nil || one["id"] != id1 || one["revoked"] != nil || one["created"] == nil {
		t.Fatalf("one of anna's: %v %v", one, err)
	}
	for _, id := range []string{id1, "AAAAAAAAAAAA", "nonsense"} {
		if resp := f.do(t, req{target: tokensRoute + "/" + id, header: bob}); resp.StatusCode != 404 {
			t.Fatalf("bob reads %s: %d", id, resp.StatusCode)
		}
	}
	// bob cannot revoke anna's, and the log does not say he did.
	f.do(t, req{method: "POST", target: tokensRoute + "/revoke", body: "id=" + id1, header: bob})
	if resp := asToken(t, f, "GET", reportURL, "Authorization", tok1); resp.StatusCode != 200 {
		t.Fatalf("anna's token after bob revoked it: %d", resp.StatusCode)
	}
	if logs := f.logs.String(); strings.Contains(logs, `msg="token revoked"`) || !strings.Contains(logs, `msg="token revocation: not one of the user's live tokens" user=bob`) {
		t.Fatalf("the log of bob's revocation:\n%s", logs)
	}
	page := body(f.do(t, req{header: map[string]string{"Authorization": basicAuth("anna", "pw-a"), "Accept": htmlAcc}}))
	if !strings.Contains(page, "listed=2 ["+id2+" cron used=false] ["+id1+" ci used=true]") {
		t.Fatalf("anna's page: %s", page)
	}
	// The cap.
	for i := range maxLiveTokens - 2 {
		makeToken(t, f, anna, fmt.Sprint("t", i), "1h")
	}
	if resp := f.do(t, req{method: "POST", target: tokensRoute, body: "name=one+more&ttl=1h", header: anna}); resp.StatusCode != 409 {
		t.Fatalf("one token too many: %d", resp.StatusCode)
	}
}

// usedCount counts the store's Used calls.
type usedCount struct {
	*MemoryTokens
	n    atomic.Int32
	down atomic.Bool
	// lagging: a store whose Find does not show a use just recorded.
	lagging bool
}

func (u *usedCount) Used(ctx context.Context, id string, at time.Time) error {
	u.n.Add(1)
	if u.lagging {
		return nil
	}
	return u.MemoryTokens.Used(ctx, id, at)
}

var errStore = errors.New("the store is down")

func (u *usedCount) Find(ctx context.Context, id string) (Token, bool, error) {
	if u.down.Load() {
		return Token{}, false, errStore
	}
	return u.MemoryTokens.Find(ctx, id)
}

// A token's last use is written at most once an hour, however many
// requests.
func TestTokenLastUsed(t *testing.T) {
	// Within one instance, even when the store is slow to show it.
	synctest.Test(t, func(t *testing.T) {
		store := &usedCount{MemoryTokens: NewMemoryTokens(), lagging: true}
		f := tokenFixture(t, store, nil)
		token, _ := makeToken(t, f, map[string]string{"Authorization": basicAuth(testUser, testPass)}, "ci", "720h")
		for range 59 {
			asToken(t, f, "GET", reportURL, "Authorization", token)
			time.Sleep(time.Minute)
		}
		if n := store.n.Load(); n != 1 {
			t.Fatalf("%d writes in an hour, the store lagging", n)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		store := &usedCount{MemoryTokens: NewMemoryTokens()}
		f := tokenFixture(t, store, nil)
		token, id := makeToken(t, f, map[string]string{"Authorization": basicAuth(testUser, testPass)}, "ci", "720h")
		for range 50 {
			asToken(t, f, "GET", reportURL, "Authorization", token)
			time.Sleep(time.Minute)
		}
		// 50 minutes: one write. The next one past the hour.
		if n := store.n.Load(); n != 1 {
			t.Fatalf("%d writes in 50 minutes", n)
		}
		// Another instance with the same store: it reads the last use and
		// does not write it again within the hour.
		other := tokenFixture(t, store, nil)
		asToken(t, other, "GET", reportURL, "Authorization", token)
		if n := store.n.Load(); n != 1 {
			t.Fatalf("%d writes in 50 minutes from two instances", n)
		}
		time.Sleep(11 * time.Minute)
		asToken(t, f, "GET", reportURL, "Authorization", token)
		got, _, _ := store.Find(context.Background(), id)
		if n := store.n.Load(); n != 2 || !got.LastUsed.Equal(time.Now()) {
			t.Fatalf("%d writes past the hour, last used %v", n, got.LastUsed)
		}
	})
}

// While the store cannot be read, a token is refused with 503 (whether it
// was revoked cannot be known), never let in on a guess and never counted
// as a failed login; the outage is logged once.
func TestTokenStoreDown(t *testing.T) {
	store := &usedCount{MemoryTokens: NewMemoryTokens()}
	f := tokenFixture(t, store, func(o *Options) { o.Limiter = NewMemoryLimiter(1, time.Hour) })
	token, _ := makeToken(t, f, map[string]string{"Authorization": basicAuth(testUser, testPass)}, "ci", "720h")
	store.down.Store(true)
	for range 3 {
		if resp := asToken(t, f, "GET", reportURL, "Authorization", token); resp.StatusCode != 503 {
			t.Fatalf("with the store down: %d", resp.StatusCode)
		}
	}
	store.down.Store(false)
	if resp := asToken(t, f, "GET", reportURL, "Authorization", token); resp.StatusCode != 200 {
		t.Fatalf("with the store back: %d", resp.StatusCode)
	}
	if logs := f.logs.String(); strings.Count(logs, "token store failed") != 1 || strings.Count(logs, "token store is back") != 1 {
		t.Fatalf("want one line for the outage and one for its end:\n%s", logs)
	}
}

// Tokens read from a file: they open the report; the page lists them and
// offers neither making nor revoking, which are refused.
func TestTokenFile(t *testing.T) {
	token, id := apitoken.New()
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	file := "# tokens\n\n" + apitoken.Line{ID: id, User: testUser, Name: "ci: nightly", Hash: apitoken.HashOf(token), Expires: exp}.String() + "\r\n"
	ft, err := ParseTokens(strings.NewReader(file))
	if err != nil || ft.Len() != 1 {
		t.Fatal(ft, err)
	}
	f := tokenFixture(t, ft, nil)
	if resp := asToken(t, f, "GET", reportURL, "Authorization", token); resp.StatusCode != 200 || !strings.Contains(body(resp), "via=token") {
		t.Fatalf("a token of the file: %d", resp.StatusCode)
	}
	basic := map[string]string{"Authorization": basicAuth(testUser, testPass), "Accept": htmlAcc}
	if page := body(f.do(t, req{header: basic})); !strings.Contains(page, `make="" revoke="" readonly=true new="" listed=1 [`+id+` ci: nightly used=false]`) {
		t.Fatalf("the page: %s", page)
	}
	for _, target := range []string{tokensRoute, tokensRoute + "/revoke"} {
		resp := f.do(t, req{method: "POST", target: target, body: "name=x&ttl=1h&id=" + id, header: basic})
		if b := body(resp); resp.StatusCode != 403 || !strings.Contains(b, "removing its line") {
			t.Fatalf("POST %s: %d %s", target, resp.StatusCode, b)
		}
	}
}

func TestParseTokens(t *testing.T) {
	token, id := apitoken.New()
	good := apitoken.Line{ID: id, User: "anna", Name: "ci", Hash: apitoken.HashOf(token), Expires: time.Date(2027, 8, 1, 0, 0, 0, 0, time.UTC)}.String()
	if !strings.HasSuffix(good, ":20270801T000000Z") || strings.Count(good, ":") != 4 {
		t.Fatalf("a line: %s", good)
	}
	for _, tc := range []struct{ file, want string }{
		{good + "\n" + good, "line 2: id " + id + " is on an earlier line too"},
		{"\n" + strings.Replace(good, ":ci:", ":"+token+":", 1), "line 2: it holds a token"},
		{"a:b:c", "line 1: it has 3 fields"},
		{strings.Replace(good, id, "short", 1), "the id is not 12"},
		{strings.Replace(good, ":anna:", "::", 1), "the user name is empty"},
		{strings.Replace(good, ":ci:", "::", 1), "the name is empty"},
		{good[:len(good)-22] + "xyz:20270801T000000Z", "the hash is not"},
		{strings.Replace(good, "20270801T000000Z", "2027-08-01", 1), "the expiry is not"},
	} {
		_, err := ParseTokens(strings.NewReader(tc.file))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), token) {
			t.Errorf("%q: %v, want %q", tc.file, err, tc.want)
		}
	}
}

func TestMemoryTokens(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m, ctx := NewMemoryTokens(), context.Background()
		now := time.Now()
		add := func(id, user string, ttl time.Duration) error {
			return m.Add(ctx, Token{ID: id, User: user, Created: now, Expires: now.Add(ttl)}, 2)
		}
		if add("a1", "anna", time.Hour) != nil || add("a2", "anna", 2*time.Hour) != nil || add("b1", "bob", time.Hour) != nil {
			t.Fatal("add")
		}
		if err := add("a3", "anna", time.Hour); !errors.Is(err, ErrTooManyTokens) {
			t.Fatalf("a third: %v", err)
		}
		m.Revoke(ctx, "bob", "a1", now) // not bob's: left alone
		m.Revoke(ctx, "anna", "a2", now)
		if l, _ := m.List(ctx, "anna"); len(l) != 1 || l[0].ID != "a1" {
			t.Fatalf("anna's list: %v", l)
		}
		if add("a3", "anna", time.Hour) != nil {
			t.Fatal("a revoked token still counts")
		}
		if got, ok, _ := m.Find(ctx, "a2"); !ok || got.Revoked.IsZero() {
			t.Fatal("a revoked token is not found as revoked")
		}
		time.Sleep(time.Hour + tokenMemory + time.Second)
		if add("a4", "anna", time.Hour) != nil {
			t.Fatal("expired tokens still count")
		}
		if _, ok, _ := m.Find(ctx, "a1"); ok {
			t.Fatal("a token a month past its expiry is kept")
		}
	})
}

func TestTokenOptions(t *testing.T) {
	for _, d := range []time.Duration{-time.Hour, 59 * time.Second, MaxTokenMaxTTL + time.Second} {
		o := testOptions(slog.New(slog.DiscardHandler))
		o.Tokens, o.TokenMaxTTL = NewMemoryTokens(), d
		var oe *OptionError
		if err := o.Validate(); !errors.As(err, &oe) || oe.Field != "TokenMaxTTL" {
			t.Errorf("TokenMaxTTL %v: %v", d, err)
		}
	}
	for _, tc := range []struct {
		max  time.Duration
		want string
	}{
		{0, "[720h0m0s 2160h0m0s 8760h0m0s]"},
		{MaxTokenMaxTTL, "[720h0m0s 2160h0m0s 8760h0m0s 17520h0m0s]"},
		{100 * 24 * time.Hour, "[720h0m0s 2160h0m0s 2400h0m0s]"},
		{time.Hour, "[1h0m0s]"},
	} {
		f := tokenFixture(t, nil, func(o *Options) { o.TokenMaxTTL = tc.max })
		if got := fmt.Sprint(f.gate.tokenLifetimes); got != tc.want {
			t.Errorf("TokenMaxTTL %v: lifetimes %s, want %s", tc.max, got, tc.want)
		}
	}
}

// BenchmarkTokenGET: a request by a token (Authorization: Bearer), with
// the tokens in memory — beside BenchmarkCookieGET and BenchmarkBasicGET.
func BenchmarkTokenGET(b *testing.B) {
	f := newFixtureWith(b, func(o *Options) { o.Logger, o.Tokens = slog.New(slog.DiscardHandler), NewMemoryTokens() })
	token, id := apitoken.New()
	f.gate.tokenWriter.Add(context.Background(), Token{ID: id, User: testUser, Name: "bench", Hash: apitoken.HashOf(token), Created: time.Now(), Expires: time.Now().Add(time.Hour)}, maxLiveTokens)
	benchServe(b, f.gate.Protect(small), map[string]string{"Accept": "*/*", "Authorization": "Bearer " + token})
}
