package main

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/formgate/formgate/internal/testkit/dynalitetest"
	"github.com/formgate/formgate/internal/testkit/runtimetest"
)

// shareEvent is a REST API event of the fixture name with method, path,
// query, body and headers of the test's.
func shareEvent(t testing.TB, name, method, path, query, body string, header map[string]string) []byte {
	t.Helper()
	var e map[string]any
	if err := json.Unmarshal(fixture(t, name), &e); err != nil {
		t.Fatal(err)
	}
	rc := e["requestContext"].(map[string]any)
	e["httpMethod"], rc["httpMethod"] = method, method
	e["path"], rc["path"] = path, "/dev"+path
	if path != "/report" {
		e["resource"] = "/report/{proxy+}"
	}
	if query != "" {
		k, v, _ := strings.Cut(query, "=")
		e["queryStringParameters"] = map[string]any{k: v}
		e["multiValueQueryStringParameters"] = map[string]any{k: []any{v}}
	}
	if body != "" {
		e["body"] = body
		header["Content-Type"] = "application/x-www-form-urlencoded"
	}
	for k, v := range header {
		e["headers"].(map[string]any)[k] = v
		e["multiValueHeaders"].(map[string]any)[k] = []any{v}
	}
	b, _ := json.Marshal(e)
	return b
}

func header(r map[string]any, name string) []string {
	var out []string
	for _, v := range r["multiValueHeaders"].(map[string]any)[name].([]any) {
		out = append(out, v.(string))
	}
	return out
}

// Two containers share one table: a link made in one opens in the
// other, and once taken back in one it is refused by the other (410); a
// third container whose users file has anna's new password refuses her
// links (401). The token reaches no log.
func TestBootstrapsShareLinks(t *testing.T) {
	db := dynalitetest.Start(t)
	db.Table("formgate")
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	env := append(db.Env(), "FORMGATE_TABLE=formgate", "SESSION_SECRET="+secret, "LAMBDA_TASK_ROOT="+testdata)
	a := runtimetest.Start(t, bootstrapShared(t), append(env, "AUTH_USERS_FILE=users-before.htpasswd")...)
	b := runtimetest.Start(t, bootstrapShared(t), append(env, "AUTH_USERS_FILE=users-before.htpasswd")...)
	changed := runtimetest.Start(t, bootstrapShared(t), append(env, "AUTH_USERS_FILE=users-after.htpasswd")...)

	// anna makes a link on a, as a script with Basic credentials.
	made := a.Invoke(t, shareEvent(t, "rest-v1-basic", "POST", "/report/_formgate/share", "", "ttl=24h", map[string]string{}))
	link := strings.TrimSpace(made["body"].(string))
	const prefix = "https://abc123defg.execute-api.eu-west-1.amazonaws.com/dev/report/_formgate/share/"
	if status(made) != 201 || !strings.HasPrefix(link, prefix) {
		t.Fatalf("make a link on a: %v %q\n%s", made["statusCode"], link, a.Log())
	}
	token := strings.TrimPrefix(link, prefix)

	// Someone without a password opens it on b.
	opened := b.Invoke(t, shareEvent(t, "rest-v1-get-form", "GET", "/report/_formgate/share/"+token, "", "", map[string]string{}))
	if status(opened) != 303 || header(opened, "Location")[0] != "../../../report" || header(opened, "Referrer-Policy")[0] != "no-referrer" {
		t.Fatalf("open on b: %v %v", opened["statusCode"], opened["multiValueHeaders"])
	}
	c, err := http.ParseSetCookie(header(opened, "Set-Cookie")[0])
	if err != nil || c.Name != "formgate_share" || c.Value != token || c.Path != "/dev/report" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Fatalf("share cookie %v %v", c, err)
	}
	withLink := func(method, path, query string) []byte {
		return shareEvent(t, "rest-v1-get-form", method, path, query, "", map[string]string{"Cookie": "formgate_share=" + token})
	}
	for _, f := range []*runtimetest.Function{a, b} {
		if r := f.Invoke(t, withLink("GET", "/report", "")); status(r) != 200 || !strings.Contains(r["body"].(string), `<main id="report">`) ||
			strings.Contains(r["body"].(string), "Log out") || strings.Contains(r["body"].(string), `id="share-form"`) {
			t.Fatalf("the report by the link: %v\n%s", r["statusCode"], r["body"])
		}
	}
	if r := b.Invoke(t, withLink("GET", "/report", "format=csv")); status(r) != 200 || !strings.HasPrefix(r["body"].(string), "Region,Quarter") {
		t.Fatalf("the CSV by the link: %v %.80s", r["statusCode"], r["body"])
	}
	if r := b.Invoke(t, withLink("POST", "/report/_formgate/logout-everywhere", "")); status(r) != 401 {
		t.Fatalf("log out everywhere by the link: %v", r["statusCode"])
	}
	if r := changed.Invoke(t, withLink("GET", "/report", "")); status(r) != 401 || !strings.Contains(r["body"].(string), "password of whoever made the link has changed") {
		t.Fatalf("the link where anna's password changed: %v\n%s", r["statusCode"], r["body"])
	}

	// anna sees the link on her page on b and takes it back there.
	page := b.Invoke(t, shareEvent(t, "rest-v1-basic", "GET", "/report", "", "", map[string]string{"Accept": "text/html"}))
	m := regexp.MustCompile(`name="id" value="([A-Za-z0-9_-]{12})"`).FindStringSubmatch(page["body"].(string))
	if m == nil {
		t.Fatalf("anna's page on b lists no link:\n%s", page["body"])
	}
	if r := b.Invoke(t, shareEvent(t, "rest-v1-basic", "POST", "/report/_formgate/share/revoke", "", "id="+m[1], map[string]string{})); status(r) != 204 {
		t.Fatalf("take the link back on b: %v %v", r["statusCode"], r["body"])
	}
	for _, f := range []*runtimetest.Function{a, b} {
		if r := f.Invoke(t, withLink("GET", "/report", "")); status(r) != 410 || !strings.Contains(r["body"].(string), "This link was taken back") {
			t.Fatalf("the link taken back: %v\n%s", r["statusCode"], r["body"])
		}
	}
	if r := a.Invoke(t, shareEvent(t, "rest-v1-get-form", "GET", "/report/_formgate/share/"+token, "", "", map[string]string{})); status(r) != 410 {
		t.Fatalf("opening the link taken back: %v", r["statusCode"])
	}
	for _, f := range []*runtimetest.Function{a, b, changed} {
		f.Stop()
		if logs := f.Log(); strings.Contains(logs, token[:20]) || !strings.Contains(logs, "share link") {
			t.Fatalf("the log holds the token, or nothing of the link:\n%s", logs)
		}
	}
}
