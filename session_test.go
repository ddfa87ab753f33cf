package formgate

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// loginCookie logs in through the form and returns the session cookie.
func loginCookie(t *testing.T, f fixture, user, pass string) *http.Cookie {
	t.Helper()
	resp := f.do(t, req{method: "POST", body: form(user, pass), header: map[string]string{"Accept": htmlAcc}})
	for _, c := range resp.Cookies() {
		if c.Name == "formgate" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("no session cookie after login: %d", resp.StatusCode)
	return nil
}

// A session is bound to the credential that made it: a new password, a
// removed or renamed user ends it at the next request, with the same
// session secret.
func TestSessionBoundToCredential(t *testing.T) {
	f := newFixture(t)
	c := loginCookie(t, f, testUser, testPass)
	for name, checker := range map[string]Checker{
		"same password":   PlainPassword(testUser, testPass),
		"new password":    PlainPassword(testUser, "a new password"),
		"user renamed":    PlainPassword("anna.k", testPass),
		"another account": PlainPassword("bob", "x"),
	} {
		t.Run(name, func(t *testing.T) {
			g := newFixtureWith(t, func(o *Options) { o.Checker = checker })
			resp := g.do(t, req{header: map[string]string{"Cookie": c.String()}})
			if name == "same password" {
				check(t, g, resp, want{status: 200, cookie: "none", body: []string{"via=session"}})
				return
			}
			check(t, g, resp, want{status: 401, challenge: true, cookie: "cleared"})
			if !strings.Contains(g.logs.String(), "session cookie rejected") {
				t.Errorf("no log line: %s", g.logs)
			}
		})
	}
}

// SessionTTL counts from the login, however often the cookie is renewed;
// SessionIdle from the last request; the cookie is renewed at most once a
// minute.
func TestSessionLifetimes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixtureWith(t, func(o *Options) { o.SessionTTL, o.SessionIdle = time.Hour, 10*time.Minute })
		c := loginCookie(t, f, testUser, testPass)
		get := func() *http.Response {
			return f.do(t, req{header: map[string]string{"Cookie": c.String()}})
		}
		time.Sleep(30 * time.Second)
		if resp := get(); resp.StatusCode != 200 || len(resp.Cookies()) != 0 {
			t.Fatalf("30 s after login: %d, Set-Cookie %v (want no renewal within a minute)", resp.StatusCode, resp.Cookies())
		}
		// Active every 9 minutes: renewed each time, never idle.
		for i := range 5 {
			time.Sleep(9 * time.Minute)
			resp := get()
			if resp.StatusCode != 200 || len(resp.Cookies()) != 1 {
				t.Fatalf("request %d, active: %d %v", i+1, resp.StatusCode, resp.Cookies())
			}
			c = resp.Cookies()[0]
			if left := time.Hour - time.Duration(9*(i+1))*time.Minute - 30*time.Second; c.MaxAge != int(left/time.Second) {
				t.Fatalf("renewed cookie Max-Age %d, want the %v left of the absolute lifetime", c.MaxAge, left)
			}
		}
		// 45.5 minutes in. Idle for 11 minutes: ended.
		time.Sleep(11 * time.Minute)
		if resp := get(); resp.StatusCode != 401 {
			t.Fatalf("after 11 idle minutes: %d", resp.StatusCode)
		}

		// Active, but past the absolute lifetime: ended.
		c = loginCookie(t, f, testUser, testPass)
		for range 7 {
			time.Sleep(9 * time.Minute)
			if resp := get(); resp.StatusCode == 200 && len(resp.Cookies()) == 1 {
				c = resp.Cookies()[0]
			}
		}
		if resp := get(); resp.StatusCode != 401 {
			t.Fatalf("63 minutes after login, active: %d, want the session ended", resp.StatusCode)
		}
	})
}

// However many bad session cookies one request carries, one log line.
func TestRejectedCookiesLoggedOnce(t *testing.T) {
	f := newFixture(t)
	var cookies []string
	for i := range 2999 {
		cookies = append(cookies, fmt.Sprintf("formgate=bad%d", i))
	}
	resp := f.do(t, req{header: map[string]string{"Cookie": strings.Join(cookies, "; ")}})
	if resp.StatusCode != 401 {
		t.Fatalf("%d", resp.StatusCode)
	}
	if n := strings.Count(f.logs.String(), "session cookie rejected"); n != 1 || !strings.Contains(f.logs.String(), "cookies=2999") {
		t.Fatalf("%d log lines about rejected cookies, want 1:\n%.500s", n, f.logs)
	}
}

// HSTS goes with a Secure cookie, and only with one.
func TestStrictTransportSecurity(t *testing.T) {
	f := newFixture(t)
	secure := f.do(t, req{method: "POST", target: "https://reports.example.com/report", body: form(testUser, testPass)})
	if secure.Header.Get("Strict-Transport-Security") != "max-age=31536000" {
		t.Errorf("Secure cookie without HSTS: %v", secure.Header)
	}
	local := f.do(t, req{method: "POST", body: form(testUser, testPass)})
	plain := f.do(t, req{})
	if local.Header.Get("Strict-Transport-Security") != "" || plain.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS on plain http or without a cookie")
	}
}

// Two gates of one program, one secret: a session cookie made at /a gets
// the login form (or the challenge) at /b, and still opens /a.
func TestSessionBoundToBasePath(t *testing.T) {
	a := newFixtureWith(t, func(o *Options) { o.BasePath = "/a" })
	b := newFixtureWith(t, func(o *Options) { o.BasePath = "/b" })
	resp := a.do(t, req{method: "POST", target: "http://127.0.0.1/a", body: form(testUser, testPass)})
	c := cookieNamed(resp, "formgate")
	if c == nil {
		t.Fatal("no session cookie at /a")
	}
	check(t, a, a.do(t, req{target: "http://127.0.0.1/a", header: map[string]string{"Cookie": pair(c)}}), want{status: 200, body: []string{"via=session"}})
	check(t, b, b.do(t, req{target: "http://127.0.0.1/b", header: map[string]string{"Cookie": pair(c), "Accept": htmlAcc}}),
		want{status: 200, cookie: "cleared", body: []string{`<form id="login"`}, notBody: []string{reportMarker}})
	check(t, b, b.do(t, req{target: "http://127.0.0.1/b", header: map[string]string{"Cookie": pair(c)}}), want{status: 401, challenge: true})
}
