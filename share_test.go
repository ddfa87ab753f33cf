package formgate

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/formgate/formgate/internal/frontdoor"
)

const (
	shareRoute  = "http://127.0.0.1:8080/report/_formgate/share"
	linkPrefix  = shareRoute + "/"
	noticeStart = `<main id="notice">`
)

// shareFixture is the fixture with share links on, a list in memory, and
// mod's changes.
func shareFixture(t testing.TB, mod func(*Options)) fixture {
	t.Helper()
	return newFixtureWith(t, func(o *Options) {
		o.ShareLinks, o.Shares = true, NewMemoryShares()
		if mod != nil {
			mod(o)
		}
	})
}

// pair is a cookie as a Cookie header carries it.
func pair(c *http.Cookie) string { return c.Name + "=" + c.Value }

func cookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

var madeRe = regexp.MustCompile(`made="([^"]*)"`)

// makeLink makes a link of ttl with the session cookie, as a browser
// does — the POST, then the page it is sent back to — and returns the
// link the page shows and its token.
func makeLink(t *testing.T, f fixture, sess *http.Cookie, ttl string) (link, token string) {
	t.Helper()
	resp := f.do(t, req{method: "POST", target: shareRoute, body: "ttl=" + ttl, header: map[string]string{"Cookie": sess.String(), "Accept": htmlAcc}})
	made := cookieNamed(resp, madeCookieName)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "../../report" || made == nil || made.MaxAge != madeCookieAge || made.SameSite != http.SameSiteStrictMode || !made.HttpOnly {
		t.Fatalf("make a link: %d %v, made-link cookie %v\n%s", resp.StatusCode, resp.Header, made, body(resp))
	}
	resp = f.do(t, req{header: map[string]string{"Cookie": pair(sess) + "; " + pair(made), "Accept": htmlAcc}})
	page := body(resp)
	m := madeRe.FindStringSubmatch(page)
	if resp.StatusCode != 200 || m == nil || !strings.HasPrefix(m[1], linkPrefix) {
		t.Fatalf("the page after making a link: %d\n%s", resp.StatusCode, page)
	}
	if c := cookieNamed(resp, madeCookieName); c == nil || c.MaxAge != -1 {
		t.Fatalf("the made-link cookie is not cleared once shown: %v", c)
	}
	if !strings.Contains(page, `cookie=""`) {
		t.Fatalf("a gate cookie reached the application: %s", page)
	}
	return m[1], strings.TrimPrefix(m[1], linkPrefix)
}

// openLink opens a link as a browser without cookies does.
func openLink(f fixture, t *testing.T, token string, header ...string) *http.Response {
	t.Helper()
	h := map[string]string{"Accept": htmlAcc}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = header[i+1]
	}
	return f.do(t, req{target: linkPrefix + token, header: h})
}

// visit is a request with the share cookie of token.
func visit(f fixture, t *testing.T, method, target, token string, header ...string) *http.Response {
	t.Helper()
	h := map[string]string{"Accept": htmlAcc, "Cookie": shareCookieName + "=" + token}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = header[i+1]
	}
	return f.do(t, req{method: method, target: target, header: h})
}

// noReferrer: every answer about a link keeps its URL out of Referer.
func noReferrer(t *testing.T, resp *http.Response) {
	t.Helper()
	if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy = %q, want no-referrer", got)
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
}

// A user makes a link; a browser without cookies opens it, gets the share
// cookie and is sent to the report, which it may read in every format.
func TestShareLinkFlow(t *testing.T) {
	f := shareFixture(t, nil)
	sess := loginCookie(t, f, testUser, testPass)
	check(t, f, f.do(t, req{header: map[string]string{"Cookie": sess.String()}}),
		want{status: 200, body: []string{`share="report/_formgate/share"`, `revoke="report/_formgate/share/revoke"`, "links=0", `made=""`}})
	link, token := makeLink(t, f, sess, "1h0m0s")
	if len(token) != 56 {
		t.Errorf("token of %d characters for anna, want 56 (the README says so)", len(token))
	}
	check(t, f, f.do(t, req{header: map[string]string{"Cookie": sess.String()}}), want{status: 200, body: []string{"links=1", `made=""`}})

	resp := openLink(f, t, token)
	noReferrer(t, resp)
	c := cookieNamed(resp, shareCookieName)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "../../../report" || c == nil || c.Value != token {
		t.Fatalf("open %s: %d %v", link, resp.StatusCode, resp.Header)
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/report" || c.Secure || c.MaxAge < 3590 || c.MaxAge > 3600 {
		t.Errorf("share cookie %v: want HttpOnly, SameSite=Lax, Path=/report, Max-Age about an hour (no Secure on loopback http)", c)
	}
	for _, target := range []string{"http://127.0.0.1:8080/report", "http://127.0.0.1:8080/report?format=csv", "http://127.0.0.1:8080/report?page=2&format=json"} {
		for _, method := range []string{"GET", "HEAD"} {
			resp := visit(f, t, method, target, token)
			noReferrer(t, resp)
			want := want{status: 200, cookie: "none"}
			if method == "GET" {
				want.body = []string{"user=anna via=share", `logout=""`, "everywhere=false", `share=""`, `cookie=""`, "links=0", `revoke=""`}
			}
			check(t, f, resp, want)
		}
	}
}

// A link's visitor reads, and does nothing else: with ShareBaseOnly (the
// report's scope) exactly the base path, with ShareSubtree (the library's
// default) every path below it but the gate's own routes.
func TestShareVisitorOnlyReads(t *testing.T) {
	for _, scope := range []ShareScope{ShareBaseOnly, ShareSubtree} {
		t.Run(fmt.Sprint("scope ", scope), func(t *testing.T) { shareVisitorOnlyReads(t, scope) })
	}
}

func shareVisitorOnlyReads(t *testing.T, scope ShareScope) {
	f := shareFixture(t, func(o *Options) { o.Revocations, o.ShareScope = NewMemoryRevocations(), scope })
	sess := loginCookie(t, f, testUser, testPass)
	_, token := makeLink(t, f, sess, "1h")
	id, _ := f.gate.links.Decode(token, time.Now())
	below, belowSays := 403, "opens only the shared page"
	if scope == ShareSubtree {
		below, belowSays = 200, "via=share"
	}
	for _, tt := range []struct {
		name, method, target, body string
		status                     int
		says                       string
	}{
		{"another path", "GET", "http://127.0.0.1:8080/report/other", "", below, belowSays},
		{"the base path with a slash", "GET", "http://127.0.0.1:8080/report/", "", below, belowSays},
		{"a POST to the report", "POST", "http://127.0.0.1:8080/report", "note=x", 403, "can only read"},
		{"a PUT", "PUT", "http://127.0.0.1:8080/report", "", 403, "can only read"},
		{"a POST below", "POST", "http://127.0.0.1:8080/report/items", "note=x", 403, "can only read"},
		{"log out everywhere", "POST", "http://127.0.0.1:8080/report/_formgate/logout-everywhere", "", 401, "log in to log out everywhere"},
		{"make a link", "POST", shareRoute, "ttl=1h", 401, "Log in to share"},
		{"take a link back", "POST", shareRoute + "/revoke", "id=" + id.ID, 401, "Log in to share"},
		{"the make route by GET", "GET", shareRoute, "", 405, "POST"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{"Accept": htmlAcc, "Cookie": shareCookieName + "=" + token}
			if tt.body != "" {
				h["Content-Type"] = "application/x-www-form-urlencoded"
			}
			resp := f.do(t, req{method: tt.method, target: tt.target, body: tt.body, header: h})
			noReferrer(t, resp)
			w := want{status: tt.status, body: []string{tt.says}, notBody: []string{reportMarker}}
			if tt.status == 200 {
				w.notBody = nil
			}
			check(t, f, resp, w)
		})
	}
	// Nothing of the maker's was touched: the session, the link.
	check(t, f, f.do(t, req{header: map[string]string{"Cookie": sess.String()}}), want{status: 200, body: []string{"via=session", "links=1"}})
	check(t, f, visit(f, t, "GET", "http://127.0.0.1:8080/report", token), want{status: 200, body: []string{"via=share"}})
}

// Making or taking back a link from another site is refused before the
// session is looked at, as logout is (the session cookie is SameSite=Lax
// too, so a browser would not send it).
func TestShareCrossSite(t *testing.T) {
	f := shareFixture(t, nil)
	sess := loginCookie(t, f, testUser, testPass)
	for _, target := range []string{shareRoute, shareRoute + "/revoke"} {
		for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}} {
			h["Cookie"], h["Accept"] = pair(sess), htmlAcc
			check(t, f, f.do(t, req{method: "POST", target: target, body: "ttl=1h&id=AAAAAAAAAAAA", header: h}), want{status: 403, body: []string{"cross-origin request refused"}})
		}
	}
	if list, _ := f.gate.o.Shares.List(context.Background(), testUser); len(list) != 0 {
		t.Fatalf("a cross-site POST made a link: %v", list)
	}
}

// A password, a session or a login in the same request wins over a share
// cookie.
func TestSharePrecedence(t *testing.T) {
	f := shareFixture(t, nil)
	sess := loginCookie(t, f, testUser, testPass)
	_, token := makeLink(t, f, sess, "1h")
	share := shareCookieName + "=" + token
	check(t, f, f.do(t, req{header: map[string]string{"Cookie": share, "Authorization": basicAuth(testUser, testPass)}}),
		want{status: 200, body: []string{"via=basic", `cookie=""`}})
	check(t, f, f.do(t, req{header: map[string]string{"Cookie": share + "; " + pair(sess)}}),
		want{status: 200, body: []string{"via=session", `cookie=""`}})
	check(t, f, f.do(t, req{header: map[string]string{"Cookie": share, "Authorization": basicAuth(testUser, "wrong")}}),
		want{status: 401, challenge: true, notBody: []string{reportMarker}})
	check(t, f, f.do(t, req{method: "POST", body: form(testUser, testPass), header: map[string]string{"Cookie": share, "Accept": htmlAcc}}),
		want{status: 303, cookie: "set"})
}

// Every way a link can fail has its own page and status, both when the
// link is opened and when its cookie comes back, and a log line without
// the token.
func TestShareLinkRefused(t *testing.T) {
	store := NewMemoryShares()
	f := shareFixture(t, func(o *Options) { o.Shares = store })
	sess := loginCookie(t, f, testUser, testPass)
	_, good := makeLink(t, f, sess, "1h")
	newToken := func() string { _, tok := makeLink(t, f, sess, "1h"); return tok }

	otherSecret := bytes.Repeat([]byte("o"), 32)
	foreign := shareFixture(t, func(o *Options) { o.SessionSecret = otherSecret })
	_, foreignToken := makeLink(t, foreign, loginCookie(t, foreign, testUser, testPass), "1h")
	rotated := shareFixture(t, func(o *Options) {
		o.SessionSecret, o.PreviousSessionSecret, o.Shares = bytes.Repeat([]byte("n"), 32), testSecret, store
	})

	revoked := newToken()
	l, _ := f.gate.links.Decode(revoked, time.Now())
	check(t, f, f.do(t, req{method: "POST", target: shareRoute + "/revoke", body: "id=" + l.ID, header: map[string]string{"Cookie": sess.String(), "Accept": htmlAcc}}),
		want{status: 303, location: "../../../report"})

	flipped := []byte(good) // one character for another of the alphabet
	if flipped[30] = 'A'; good[30] == 'A' {
		flipped[30] = 'B'
	}
	for _, tt := range []struct {
		name, token string
		gate        fixture
		status      int
		why, says   string
	}{
		{"tampered", string(flipped), f, 401, "tampered-or-foreign", "This link is not valid here"},
		{"cut short", good[:40], f, 401, "malformed", "This link is incomplete"},
		{"another site's", foreignToken, f, 401, "tampered-or-foreign", "This link is not valid here"},
		{"made before a rotation", good, rotated, 401, "rotated", "keys were changed"},
		{"revoked", revoked, f, 410, "revoked", "This link was taken back"},
		{"maker's password changed", good, shareFixture(t, func(o *Options) { o.Checker, o.Shares = PlainPassword(testUser, "a new password"), store }),
			401, "maker-changed", "password of whoever made the link has changed"},
		{"maker removed", good, shareFixture(t, func(o *Options) { o.Checker, o.Shares = PlainPassword("bob", "x"), store }),
			401, "maker-gone", "account that made the link no longer exists"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, resp := range []*http.Response{openLink(tt.gate, t, tt.token), visit(tt.gate, t, "GET", "http://127.0.0.1:8080/report", tt.token)} {
				noReferrer(t, resp)
				check(t, tt.gate, resp, want{status: tt.status, contentType: "text/html; charset=utf-8", body: []string{noticeStart, tt.says, `href="`}, notBody: []string{reportMarker, loginForm_}})
			}
			// The cookie of a link that no longer holds is cleared.
			if c := cookieNamed(visit(tt.gate, t, "GET", "http://127.0.0.1:8080/report", tt.token), shareCookieName); c == nil || c.MaxAge != -1 {
				t.Errorf("share cookie not cleared: %v", c)
			}
			// A script gets the same in text.
			resp := tt.gate.do(t, req{target: linkPrefix + tt.token})
			check(t, tt.gate, resp, want{status: tt.status, contentType: "text/plain; charset=utf-8", body: []string{tt.says}})
			logs := tt.gate.logs.String()
			if !strings.Contains(logs, `msg="share link refused" why=`+tt.why+" ") {
				t.Errorf("no log line with why=%s:\n%s", tt.why, logs)
			}
			if strings.Contains(logs, tt.token) || strings.Contains(logs, tt.token[:20]) {
				t.Errorf("the token is in the log:\n%s", logs)
			}
		})
	}
}

// A link lasts its lifetime to the second; synctest's clock lets the hour
// pass at once.
func TestShareExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := shareFixture(t, nil)
		_, token := makeLink(t, f, loginCookie(t, f, testUser, testPass), "1h")
		if resp := openLink(f, t, token); resp.StatusCode != 303 {
			t.Fatalf("open at once: %d", resp.StatusCode)
		}
		time.Sleep(time.Hour - time.Second)
		check(t, f, visit(f, t, "GET", "http://127.0.0.1:8080/report", token), want{status: 200, body: []string{"via=share"}})
		time.Sleep(time.Second)
		for _, resp := range []*http.Response{visit(f, t, "GET", "http://127.0.0.1:8080/report", token), openLink(f, t, token)} {
			check(t, f, resp, want{status: 410, body: []string{"This link has expired", "It worked until 1 January 2000, 01:00 UTC"}, notBody: []string{reportMarker}})
		}
		if !strings.Contains(f.logs.String(), `why=expired`) {
			t.Errorf("no log line for the expired link:\n%s", f.logs)
		}
	})
}

// A session cookie is no share link, and a share link no session cookie,
// though one secret keys both.
func TestShareCrossUse(t *testing.T) {
	f := shareFixture(t, nil)
	sess := loginCookie(t, f, testUser, testPass)
	_, token := makeLink(t, f, sess, "1h")
	for _, resp := range []*http.Response{visit(f, t, "GET", "http://127.0.0.1:8080/report", sess.Value), openLink(f, t, url.PathEscape(sess.Value))} {
		check(t, f, resp, want{status: 401, body: []string{noticeStart}, notBody: []string{reportMarker}})
	}
	check(t, f, f.do(t, req{header: map[string]string{"Cookie": "formgate=" + token, "Accept": htmlAcc}}),
		want{status: 200, cookie: "cleared", body: []string{loginForm_}, notBody: []string{reportMarker}})
	check(t, f, f.do(t, req{header: map[string]string{"Cookie": "formgate=" + token}}),
		want{status: 401, challenge: true, cookie: "cleared", notBody: []string{reportMarker}})
}

// Without a list, links work until they expire; there is nothing to take
// back, and the page is told so.
func TestShareWithoutList(t *testing.T) {
	f := shareFixture(t, func(o *Options) { o.Shares = nil })
	sess := loginCookie(t, f, testUser, testPass)
	_, token := makeLink(t, f, sess, "1h")
	check(t, f, f.do(t, req{header: map[string]string{"Cookie": sess.String()}}), want{status: 200, body: []string{`share="report/_formgate/share"`, `revoke=""`, "links=0"}})
	check(t, f, visit(f, t, "GET", "http://127.0.0.1:8080/report", token), want{status: 200, body: []string{"via=share"}})
	l, _ := f.gate.links.Decode(token, time.Now())
	check(t, f, f.do(t, req{method: "POST", target: shareRoute + "/revoke", body: "id=" + l.ID, header: map[string]string{"Cookie": sess.String()}}),
		want{status: 404})
	check(t, f, visit(f, t, "GET", "http://127.0.0.1:8080/report", token), want{status: 200, body: []string{"via=share"}})
}

// A script makes a link with Basic and gets it as text; behind a stage
// the link carries the stage and the host, and the cookie is Secure.
func TestShareFromScript(t *testing.T) {
	f := shareFixture(t, nil)
	resp := f.do(t, req{method: "POST", target: "https://abc.execute-api.eu-west-1.amazonaws.com/report/_formgate/share", body: "ttl=24h", prefix: "/dev",
		header: map[string]string{"Authorization": basicAuth(testUser, testPass)}})
	link := strings.TrimSuffix(body(resp), "\n")
	const base = "https://abc.execute-api.eu-west-1.amazonaws.com/dev/report/_formgate/share/"
	if resp.StatusCode != 201 || !strings.HasPrefix(link, base) || strings.ContainsAny(link, " \n") {
		t.Fatalf("script's link: %d %q", resp.StatusCode, link)
	}
	resp = f.do(t, req{target: "https://abc.execute-api.eu-west-1.amazonaws.com/report/_formgate/share/" + strings.TrimPrefix(link, base), prefix: "/dev"})
	c := cookieNamed(resp, shareCookieName)
	if resp.StatusCode != 303 || c == nil || c.Path != "/dev/report" || !c.Secure || c.MaxAge < 24*3600-10 || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("open behind a stage: %d, cookie %v", resp.StatusCode, c)
	}
}

// The lifetimes offered follow the cap; nothing else is made.
func TestShareLifetimes(t *testing.T) {
	for _, tt := range []struct {
		limit time.Duration
		want  []time.Duration
	}{
		{0, []time.Duration{time.Hour, 24 * time.Hour, 168 * time.Hour}},
		{2 * time.Hour, []time.Duration{time.Hour, 2 * time.Hour}},
		{30 * time.Minute, []time.Duration{30 * time.Minute}},
		{24 * time.Hour, []time.Duration{time.Hour, 24 * time.Hour}},
		{720 * time.Hour, []time.Duration{time.Hour, 24 * time.Hour, 168 * time.Hour, 720 * time.Hour}},
	} {
		f := shareFixture(t, func(o *Options) { o.ShareMaxTTL = tt.limit })
		if !slices.Equal(f.gate.lifetimes, tt.want) {
			t.Errorf("cap %v: lifetimes %v, want %v", tt.limit, f.gate.lifetimes, tt.want)
		}
	}
	f := shareFixture(t, func(o *Options) { o.ShareMaxTTL = 2 * time.Hour })
	sess := loginCookie(t, f, testUser, testPass)
	for _, ttl := range []string{"24h", "90m", "", "forever", "-1h"} {
		check(t, f, f.do(t, req{method: "POST", target: shareRoute, body: "ttl=" + ttl, header: map[string]string{"Cookie": sess.String()}}),
			want{status: 400, body: []string{"one of 1h, 2h"}})
	}
	check(t, f, f.do(t, req{method: "POST", target: shareRoute, body: "ttl=2h", header: map[string]string{"Cookie": sess.String()}}), want{status: 201})
	check(t, f, f.do(t, req{method: "POST", target: shareRoute, body: "ttl=" + strings.Repeat("1", 2*maxFormBytes), header: map[string]string{"Cookie": sess.String()}}), want{status: 413})
	check(t, f, f.do(t, req{method: "POST", target: shareRoute, body: "{}", header: map[string]string{"Cookie": sess.String(), "Content-Type": "application/json"}}), want{status: 400})
}

// A user's list holds at most maxLiveLinks links.
func TestShareTooMany(t *testing.T) {
	f := shareFixture(t, nil)
	sess := loginCookie(t, f, testUser, testPass)
	mk := func() *http.Response {
		return f.do(t, req{method: "POST", target: shareRoute, body: "ttl=1h", header: map[string]string{"Cookie": sess.String()}})
	}
	for i := range maxLiveLinks {
		if resp := mk(); resp.StatusCode != 201 {
			t.Fatalf("link %d: %d", i+1, resp.StatusCode)
		}
	}
	check(t, f, mk(), want{status: 409, body: []string{"take one back first"}})
}

// users is a Checker of several plain-text users, for tests.
type users map[string]string

func (u users) Check(_ context.Context, name, pass string) (User, bool, error) {
	if p, ok := u[name]; ok && p == pass {
		return User{Name: name, Stamp: CredentialStamp(name, p)}, true, nil
	}
	return User{}, false, nil
}

func (u users) Lookup(_ context.Context, name string) (User, bool, error) {
	p, ok := u[name]
	return User{Name: name, Stamp: CredentialStamp(name, p)}, ok, nil
}

// A user takes back only their own links.
func TestShareRevokeOwnOnly(t *testing.T) {
	f := shareFixture(t, func(o *Options) { o.Checker = users{"anna": "pw-a", "bob": "pw-b"} })
	anna, bob := loginCookie(t, f, "anna", "pw-a"), loginCookie(t, f, "bob", "pw-b")
	_, token := makeLink(t, f, anna, "1h")
	l, _ := f.gate.links.Decode(token, time.Now())
	check(t, f, f.do(t, req{method: "POST", target: shareRoute + "/revoke", body: "id=" + l.ID, header: map[string]string{"Cookie": bob.String()}}), want{status: 204})
	check(t, f, visit(f, t, "GET", "http://127.0.0.1:8080/report", token), want{status: 200, body: []string{"user=anna via=share"}})
	// Taking back is idempotent: an id that is no link's answers as one
	// that was taken back; only no id at all is a bad request.
	check(t, f, f.do(t, req{method: "POST", target: shareRoute + "/revoke", body: "id=", header: map[string]string{"Cookie": anna.String()}}), want{status: 400})
	for _, id := range []string{"short", l.ID + "x", "!!!!!!!!!!!!"} {
		check(t, f, f.do(t, req{method: "POST", target: shareRoute + "/revoke", body: "id=" + url.QueryEscape(id), header: map[string]string{"Cookie": anna.String()}}), want{status: 204})
	}
	check(t, f, visit(f, t, "GET", "http://127.0.0.1:8080/report", token), want{status: 200, body: []string{"user=anna via=share"}})
	if strings.Contains(f.logs.String(), `msg="share link revoked"`) {
		t.Fatalf("the log says a link was revoked:\n%s", f.logs)
	}
	check(t, f, f.do(t, req{method: "POST", target: shareRoute + "/revoke", body: "id=" + l.ID, header: map[string]string{"Cookie": anna.String()}}), want{status: 204})
	check(t, f, visit(f, t, "GET", "http://127.0.0.1:8080/report", token), want{status: 410})
}

// flakyShares is a Shares that can be taken down.
type flakyShares struct {
	*MemoryShares
	down atomic.Bool
}

func (s *flakyShares) Live(ctx context.Context, user, id string) (bool, error) {
	if s.down.Load() {
		return false, errStoreDown
	}
	return s.MemoryShares.Live(ctx, user, id)
}

func (s *flakyShares) Add(ctx context.Context, user, id string, expires time.Time, max int) error {
	if s.down.Load() {
		return errStoreDown
	}
	return s.MemoryShares.Add(ctx, user, id, expires, max)
}

func (s *flakyShares) List(ctx context.Context, user string) ([]Share, error) {
	if s.down.Load() {
		return nil, errStoreDown
	}
	return s.MemoryShares.List(ctx, user)
}

// While the list cannot be read, a link is refused with 503 (whether it
// was taken back cannot be known), no link is made, the page still comes
// (without its list), and the outage is logged once.
func TestShareStoreDown(t *testing.T) {
	store := &flakyShares{MemoryShares: NewMemoryShares()}
	f := shareFixture(t, func(o *Options) { o.Shares = store })
	sess := loginCookie(t, f, testUser, testPass)
	_, token := makeLink(t, f, sess, "1h")
	store.down.Store(true)
	for _, resp := range []*http.Response{visit(f, t, "GET", "http://127.0.0.1:8080/report", token), openLink(f, t, token),
		f.do(t, req{method: "POST", target: shareRoute, body: "ttl=1h", header: map[string]string{"Cookie": sess.String()}})} {
		if resp.StatusCode != 503 || strings.Contains(body(resp), reportMarker) {
			t.Fatalf("with the list down: %d", resp.StatusCode)
		}
	}
	check(t, f, f.do(t, req{header: map[string]string{"Cookie": sess.String()}}), want{status: 200, body: []string{"via=session", "links=0"}})
	store.down.Store(false)
	check(t, f, visit(f, t, "GET", "http://127.0.0.1:8080/report", token), want{status: 200, body: []string{"via=share"}})
	logs := f.logs.String()
	if strings.Count(logs, "share-link store failed") != 1 || strings.Count(logs, "share-link store is back") != 1 {
		t.Fatalf("want one line for the outage and one for its end:\n%s", logs)
	}
}

// No token reaches the log, whatever happens to it: made, opened, used,
// refused, or in the request line's path.
func TestShareLogsNoToken(t *testing.T) {
	f := shareFixture(t, func(o *Options) { o.ShareScope = ShareBaseOnly })
	sess := loginCookie(t, f, testUser, testPass)
	_, token := makeLink(t, f, sess, "1h")
	openLink(f, t, token)
	visit(f, t, "GET", "http://127.0.0.1:8080/report", token)
	visit(f, t, "GET", "http://127.0.0.1:8080/report/other", token)
	openLink(f, t, token[:50])
	openLink(f, t, token, "Sec-Fetch-Site", "cross-site")
	f.do(t, req{method: "POST", target: linkPrefix + token, header: map[string]string{"Sec-Fetch-Site": "cross-site"}})
	f.do(t, req{method: "POST", target: linkPrefix + token})
	logs := f.logs.String()
	for _, want := range []string{`msg="share link made"`, `msg="share link opened"`, `msg="share link used beyond its scope"`, `why=malformed`,
		`path=/report/_formgate/share/[token]`, `msg="cross-origin request refused" method=POST path=/report/_formgate/share/[token]`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
	for _, secret := range []string{token, token[:20], token[len(token)-20:], token[:50]} {
		if strings.Contains(logs, secret) {
			t.Fatalf("the log holds the token (%q):\n%s", secret, logs)
		}
	}
}

// With share links off the routes do not exist, no page offers them, and
// a share cookie, even one a gate with them on made, lets nobody in.
func TestShareOff(t *testing.T) {
	f := newFixture(t)
	sess := loginCookie(t, f, testUser, testPass)
	check(t, f, f.do(t, req{header: map[string]string{"Cookie": sess.String()}}), want{status: 200, body: []string{`share=""`}})
	for _, target := range []string{shareRoute, linkPrefix + "AXNoYXJlLWxpbvSGVwBUKRaPyfhzeWFubmFoUDHXb9NrQCMmYxOJ0LQq"} {
		check(t, f, f.do(t, req{method: "POST", target: target, body: "ttl=1h", header: map[string]string{"Cookie": sess.String()}}), want{status: 404})
	}
	on := shareFixture(t, nil)
	_, token := makeLink(t, on, loginCookie(t, on, testUser, testPass), "1h")
	check(t, f, visit(f, t, "GET", "http://127.0.0.1:8080/report", token), want{status: 200, body: []string{loginForm_}, notBody: []string{reportMarker}})
}

// An authorizer's principal is let in but not offered share links: the
// gate never saw its password.
func TestShareNotForAuthorizer(t *testing.T) {
	f := shareFixture(t, func(o *Options) { o.TrustAuthorizer = true })
	r := httptest.NewRequest("GET", "http://127.0.0.1/report", nil)
	r = r.WithContext(frontdoor.With(r.Context(), frontdoor.Info{Principal: "anna"}))
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "via=authorizer") || !strings.Contains(w.Body.String(), `share=""`) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

// The options of share links are checked at start.
func TestShareOptions(t *testing.T) {
	for _, tt := range []struct {
		mod  func(*Options)
		want string
	}{
		{func(o *Options) { o.ShareLinks, o.ShareMaxTTL = true, 30*time.Second }, "Options.ShareMaxTTL=30s is out of range"},
		{func(o *Options) { o.ShareLinks, o.ShareMaxTTL = true, 400*24*time.Hour }, "Options.ShareMaxTTL=9600h0m0s is out of range"},
		{func(o *Options) { o.Shares = NewMemoryShares() }, "Options.Shares is set but ShareLinks is off"},
	} {
		o := testOptions(nil)
		tt.mod(&o)
		if _, err := New(o); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("err = %v, want %q", err, tt.want)
		}
	}
}

// MemoryShares: a list per user, expired links dropped.
func TestMemoryShares(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		m := NewMemoryShares()
		now := time.Now()
		m.Add(ctx, "anna", "a", now.Add(time.Hour), 20)
		m.Add(ctx, "anna", "b", now.Add(2*time.Hour), 20)
		m.Add(ctx, "bob", "c", now.Add(time.Hour), 20)
		if live, _ := m.Live(ctx, "bob", "a"); live {
			t.Fatal("anna's link is live for bob")
		}
		m.Remove(ctx, "anna", "b")
		if list, _ := m.List(ctx, "anna"); len(list) != 1 || list[0].ID != "a" {
			t.Fatalf("anna's list %v", list)
		}
		time.Sleep(time.Hour)
		if live, _ := m.Live(ctx, "anna", "a"); live {
			t.Fatal("an expired link is live")
		}
		if list, _ := m.List(ctx, "anna"); len(list) != 0 || len(m.users) != 1 {
			t.Fatalf("after expiry: anna's list %v, %d users kept", list, len(m.users))
		}
	})
}

// "Log out everywhere" takes back the user's links too, where a list is
// kept: a link made with a stolen session does not outlive it.
func TestShareEndsWithLogoutEverywhere(t *testing.T) {
	f := shareFixture(t, func(o *Options) { o.Revocations = NewMemoryRevocations() })
	sess := loginCookie(t, f, testUser, testPass)
	_, token := makeLink(t, f, sess, "1h0m0s")
	check(t, f, visit(f, t, "GET", "http://127.0.0.1:8080/report", token), want{status: 200, cookie: "none"})
	resp := f.do(t, req{method: "POST", target: "http://127.0.0.1:8080/report/_formgate/logout-everywhere", header: map[string]string{"Cookie": sess.String()}})
	if resp.StatusCode != 303 {
		t.Fatalf("logout everywhere: %d", resp.StatusCode)
	}
	if resp := visit(f, t, "GET", "http://127.0.0.1:8080/report", token); resp.StatusCode != 410 {
		t.Fatalf("the link after log out everywhere: %d, want 410", resp.StatusCode)
	}
}

// A script takes a link back by the link itself (what its 201 gave it);
// another user's link, or anything else, is answered alike and changes
// nothing.
func TestShareRevokeByLink(t *testing.T) {
	f := shareFixture(t, func(o *Options) { o.Checker = users{"anna": "pw-a", "bob": "pw-b"} })
	resp := f.do(t, req{method: "POST", target: shareRoute, body: "ttl=1h", header: map[string]string{"Authorization": basicAuth("anna", "pw-a")}})
	link := strings.TrimSpace(body(resp))
	if resp.StatusCode != 201 {
		t.Fatalf("make: %d %s", resp.StatusCode, link)
	}
	token := link[strings.LastIndexByte(link, '/')+1:]
	for _, who := range []string{"bob", "anna"} {
		pass := map[string]string{"anna": "pw-a", "bob": "pw-b"}[who]
		check(t, f, f.do(t, req{method: "POST", target: shareRoute + "/revoke", body: "link=" + url.QueryEscape(link), header: map[string]string{"Authorization": basicAuth(who, pass)}}), want{status: 204})
		status := 200
		if who == "anna" {
			status = 410
		}
		check(t, f, visit(f, t, "GET", "http://127.0.0.1:8080/report", token), want{status: status})
	}
}

// A gate route whose feature is off says so, to the client and the log.
func TestOwnRouteOff(t *testing.T) {
	f := newFixture(t)
	for route, says := range map[string]string{"share": "share links are off", "tokens/revoke": "tokens for scripts are off", "logout-everywhere": "needs Options.Revocations"} {
		resp := f.do(t, req{method: "POST", target: "http://127.0.0.1:8080/report/_formgate/" + route})
		if b := body(resp); resp.StatusCode != 404 || !strings.Contains(b, says) {
			t.Errorf("%s: %d %q", route, resp.StatusCode, b)
		}
	}
	if !strings.Contains(f.logs.String(), `why="share links are off (Options.ShareLinks)"`) {
		t.Errorf("log:\n%s", f.logs)
	}
}
