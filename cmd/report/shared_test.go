package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/formgate/formgate/internal/testkit/dynalitetest"
	"github.com/formgate/formgate/internal/testkit/runtimetest"
)

// event is a fixture with changes: method, path, a header.
func event(t *testing.T, name, method, path string, header map[string]string) []byte {
	t.Helper()
	var e map[string]any
	if err := json.Unmarshal(fixture(t, name), &e); err != nil {
		t.Fatal(err)
	}
	if method != "" {
		e["httpMethod"] = method
		e["requestContext"].(map[string]any)["httpMethod"] = method
	}
	if path != "" {
		e["path"], e["resource"] = path, "/report/{proxy+}"
		e["requestContext"].(map[string]any)["path"] = "/dev" + path
	}
	for k, v := range header {
		e["headers"].(map[string]any)[k] = v
		e["multiValueHeaders"].(map[string]any)[k] = []any{v}
	}
	b, _ := json.Marshal(e)
	return b
}

func status(r map[string]any) int { return int(r["statusCode"].(float64)) }

// Two containers share one table (a real DynamoDB API: dynalite): failed
// logins count across both, a logout in one ends the session in the
// other, and an outage of the table refuses cookies (never guesses) while
// Basic goes on, until the table is back.
func TestBootstrapsShareTable(t *testing.T) {
	db := dynalitetest.Start(t)
	db.Table("formgate")
	env := append(db.Env(), "FORMGATE_TABLE=formgate", "AUTH_USERNAME=anna", "AUTH_PASSWORD=correct horse", "SESSION_SECRET="+secret)
	// Two containers, each a bootstrap on its own Runtime API.
	a, b := runtimetest.Start(t, bootstrapShared(t), env...), runtimetest.Start(t, bootstrapShared(t), env...)

	// 10 wrong passwords, spread over both: the 11th is refused on either.
	wrong := event(t, "rest-v1-basic", "", "", map[string]string{"Authorization": "Basic YW5uYTp3cm9uZw=="})
	for i := range 10 {
		c := []*runtimetest.Function{a, b}[i%2]
		if r := c.Invoke(t, wrong); status(r) != 401 {
			t.Fatalf("failure %d: %v", i+1, r["statusCode"])
		}
	}
	for _, c := range []*runtimetest.Function{a, b} {
		if r := c.Invoke(t, fixture(t, "rest-v1-basic")); status(r) != 429 {
			t.Fatalf("11th attempt, with the right password: %v, want 429", r["statusCode"])
		}
	}

	// Log in on a (from another address), use the cookie on b, log out on
	// a: b refuses the cookie.
	other := map[string]string{"X-Forwarded-For": "198.51.100.99"}
	loginEvent := bytes.ReplaceAll(fixture(t, "rest-v1-post-form"), []byte("203.0.113.7"), []byte("198.51.100.99"))
	login := a.Invoke(t, loginEvent)
	setCookie := login["multiValueHeaders"].(map[string]any)["Set-Cookie"].([]any)[0].(string)
	ck, err := http.ParseSetCookie(setCookie)
	if err != nil {
		t.Fatalf("login on a: %v %v", login["statusCode"], err)
	}
	withCookie := func(method, path string) []byte {
		return event(t, "rest-v1-cookie", method, path, map[string]string{"Cookie": "formgate=" + ck.Value, "X-Forwarded-For": other["X-Forwarded-For"]})
	}
	if r := b.Invoke(t, withCookie("", "")); status(r) != 200 || !strings.Contains(r["body"].(string), `<main id="report">`) {
		t.Fatalf("the cookie from a on b: %v", r["statusCode"])
	}
	if r := a.Invoke(t, withCookie("POST", "/report/_formgate/logout")); status(r) != 303 {
		t.Fatalf("logout on a: %v %v", r["statusCode"], r["body"])
	}
	// (A browser without a session gets the login form.)
	if r := b.Invoke(t, withCookie("", "")); strings.Contains(r["body"].(string), `<main id="report">`) || !strings.Contains(r["body"].(string), `<form id="login"`) {
		t.Fatalf("b takes the cookie logged out on a: %v\nlogs of b:\n%s", r["statusCode"], b.Log())
	}

	// The table goes away: a cookie is refused with 503 (whether it was
	// ended cannot be known), Basic from a fresh address still works.
	login2 := a.Invoke(t, bytes.ReplaceAll(fixture(t, "rest-v1-post-form"), []byte("203.0.113.7"), []byte("198.51.100.98")))
	ck2, _ := http.ParseSetCookie(login2["multiValueHeaders"].(map[string]any)["Set-Cookie"].([]any)[0].(string))
	db.Stop()
	cookie2 := event(t, "rest-v1-cookie", "", "", map[string]string{"Cookie": "formgate=" + ck2.Value})
	if r := b.Invoke(t, cookie2); status(r) != 503 {
		t.Fatalf("cookie with the table down: %v", r["statusCode"])
	}
	basicOther := bytes.ReplaceAll(fixture(t, "rest-v1-basic"), []byte("203.0.113.7"), []byte("198.51.100.97"))
	if r := b.Invoke(t, basicOther); status(r) != 200 {
		t.Fatalf("Basic with the table down: %v", r["statusCode"])
	}
	db.Restart()
	deadline := time.Now().Add(20 * time.Second)
	for r := b.Invoke(t, cookie2); !strings.Contains(r["body"].(string), `<main id="report">`); r = b.Invoke(t, cookie2) {
		if time.Now().After(deadline) {
			t.Fatal("the cookie is not taken again after the table is back")
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.Stop()
	logs := b.Log()
	if strings.Count(logs, "session revocation store failed") != 1 || !strings.Contains(logs, "session revocation store is back") {
		t.Errorf("the outage is not one line and its end another:\n%s", logs)
	}
}
