package main

import (
	"strings"
	"testing"

	"github.com/formgate/formgate/internal/testkit/dynalitetest"
	"github.com/formgate/formgate/internal/testkit/runtimetest"
)

// Two containers share one table: a token made in one opens the report
// in the other, by Authorization: Bearer and by X-Api-Key; revoked in
// one, it is refused by the other at its next request (401, the reason
// as JSON). A flood of wrong tokens from one address, spread over both,
// gets 429 after the address's shared budget (10), and the right token
// still works. At debug level, no token reaches either log.
func TestBootstrapsShareTokens(t *testing.T) {
	db := dynalitetest.Start(t)
	db.Table("formgate")
	env := append(db.Env(), "FORMGATE_TABLE=formgate", "AUTH_USERNAME=anna", "AUTH_PASSWORD=correct horse", "SESSION_SECRET="+secret, "LOG_LEVEL=debug")
	a, b := runtimetest.Start(t, bootstrapShared(t), env...), runtimetest.Start(t, bootstrapShared(t), env...)

	made := a.Invoke(t, shareEvent(t, "rest-v1-basic", "POST", "/report/_formgate/tokens", "", "name=ci&ttl=720h", map[string]string{}))
	token := strings.TrimSpace(made["body"].(string))
	if status(made) != 201 || !strings.HasPrefix(token, "fgt_") || len(token) != 59 ||
		header(made, "Location")[0] != "/dev/report/_formgate/tokens/"+token[4:16] {
		t.Fatalf("make a token on a: %v %v %q\n%s", made["statusCode"], made["multiValueHeaders"], token, a.Log())
	}
	id := token[4:16]
	byToken := func(f *runtimetest.Function, h string) map[string]any {
		v := token
		if h == "Authorization" {
			v = "Bearer " + token
		}
		return f.Invoke(t, shareEvent(t, "rest-v1-get-form", "GET", "/report", "format=json", "", map[string]string{h: v, "Accept": "application/json"}))
	}
	for _, h := range []string{"Authorization", "X-Api-Key"} {
		if r := byToken(b, h); status(r) != 200 || !strings.Contains(r["body"].(string), `"Region":"North"`) {
			t.Fatalf("the token on b by %s: %v %.200s\n%s", h, r["statusCode"], r["body"], b.Log())
		}
	}
	if r := b.Invoke(t, shareEvent(t, "rest-v1-get-form", "POST", "/report", "", "a=b", map[string]string{"Authorization": "Bearer " + token})); status(r) != 403 {
		t.Fatalf("a POST with the token: %v", r["statusCode"])
	}
	if r := b.Invoke(t, shareEvent(t, "rest-v1-basic", "POST", "/report/_formgate/tokens/revoke", "", "id="+id, map[string]string{})); status(r) != 204 {
		t.Fatalf("revoke on b: %v %v", r["statusCode"], r["body"])
	}
	if r := byToken(a, "Authorization"); status(r) != 401 || !strings.Contains(r["body"].(string), `"error":"the token was revoked."`) {
		t.Fatalf("the token revoked on b, on a: %v %v", r["statusCode"], r["body"])
	}

	// A flood from 203.0.113.7, over both containers.
	made = a.Invoke(t, shareEvent(t, "rest-v1-basic", "POST", "/report/_formgate/tokens", "", "name=good&ttl=1h", map[string]string{}))
	good := strings.TrimSpace(made["body"].(string))
	for i := range 12 {
		f := []*runtimetest.Function{a, b}[i%2]
		wrong := good[:30] + strings.Repeat("A", 29)
		r := f.Invoke(t, shareEvent(t, "rest-v1-get-form", "GET", "/report", "format=json", "", map[string]string{"Authorization": "Bearer " + wrong}))
		if want := map[bool]int{true: 401, false: 429}[i < 10]; status(r) != want {
			t.Fatalf("wrong token %d: %v, want %d", i+1, r["statusCode"], want)
		}
	}
	if r := b.Invoke(t, shareEvent(t, "rest-v1-get-form", "GET", "/report", "format=json", "", map[string]string{"X-Api-Key": good})); status(r) != 200 {
		t.Fatalf("the right token from the flooding address: %v", r["statusCode"])
	}
	for _, f := range []*runtimetest.Function{a, b} {
		f.Stop()
		logs := f.Log()
		if strings.Contains(logs, "fgt_") || strings.Contains(logs, token[4:]) || strings.Contains(logs, good[4:]) || !strings.Contains(logs, `"level":"DEBUG"`) {
			t.Fatalf("a token in the log, or no debug lines:\n%s", logs)
		}
	}
	if logs := a.Log() + b.Log(); !strings.Contains(logs, `"msg":"token revoked"`) || !strings.Contains(logs, `"msg":"token refused: too many failed attempts"`) || !strings.Contains(logs, `"why":"revoked"`) {
		t.Fatalf("the logs do not say what happened:\n%s", logs)
	}
}
