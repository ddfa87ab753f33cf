package lambdaproxy_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/config"
	"github.com/formgate/formgate/internal/session"
	"github.com/formgate/formgate/lambdaproxy"
)

var testCfg = config.Config{
	Users: "anna",
	Options: formgate.Options{
		Checker:       formgate.PlainPassword("anna", "correct horse"),
		SessionSecret: bytes.Repeat([]byte("s"), 32),
		SessionTTL:    time.Hour,
	},
}

// response is any front door's event response, normalised.
type response struct {
	Status  int
	Header  http.Header
	Cookies []string // Set-Cookie values, wherever the event put them
	Body    string
	Desc    string // ALB statusDescription
}

func decodeResponse(t *testing.T, raw []byte) response {
	t.Helper()
	var r struct {
		StatusCode        int                 `json:"statusCode"`
		StatusDescription string              `json:"statusDescription"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Cookies           []string            `json:"cookies"`
		Body              string              `json:"body"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, raw)
	}
	out := response{Status: r.StatusCode, Header: http.Header{}, Cookies: r.Cookies, Body: r.Body, Desc: r.StatusDescription}
	for k, v := range r.Headers {
		out.Header.Set(k, v)
	}
	for k, vs := range r.MultiValueHeaders {
		out.Header.Del(k)
		for _, v := range vs {
			out.Header.Add(k, v)
		}
	}
	out.Cookies = append(out.Cookies, out.Header.Values("Set-Cookie")...)
	if r.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		out.Body = string(b)
	}
	return out
}

func newAdapter(t *testing.T) *lambdaproxy.Adapter {
	t.Helper()
	h, err := testCfg.Handler(context.Background(), os.Getenv, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return lambdaproxy.New(h, slog.New(slog.DiscardHandler))
}

// loadFixture reads testdata/name.json, putting a valid session cookie
// where the fixture says FORMGATE_COOKIE.
func loadFixture(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	codec, err := session.NewCodec(testCfg.Options.SessionSecret, nil, "/report", testCfg.Options.SessionTTL)
	if err != nil {
		t.Fatal(err)
	}
	v, err := codec.Encode(session.New("anna", formgate.CredentialStamp("anna", "correct horse"), time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(raw, []byte("FORMGATE_COOKIE"), []byte(v))
}

// TestFixtures feeds real event JSON of every front door through the
// entry point the Lambda runtime calls (Adapter.Invoke) and the real gate.
func TestFixtures(t *testing.T) {
	doors := []struct {
		prefix string
		kind   lambdaproxy.Kind
		path   string // expected cookie Path
	}{
		{"rest-v1", lambdaproxy.RESTv1, "/dev/report"},
		{"http-v2", lambdaproxy.HTTPv2, "/report"},
		{"function-url", lambdaproxy.FunctionURL, "/report"},
		{"alb-multi", lambdaproxy.ALB, "/report"},
		{"alb-single", lambdaproxy.ALB, "/report"},
	}
	a := newAdapter(t)
	for _, d := range doors {
		for _, c := range []string{"get-form", "post-form", "basic", "cookie"} {
			name := d.prefix + "-" + c
			t.Run(name, func(t *testing.T) {
				payload := loadFixture(t, name)
				if got := lambdaproxy.Detect(payload); got != d.kind {
					t.Fatalf("Detect = %v, want %v", got, d.kind)
				}
				raw, err := a.Invoke(context.Background(), payload)
				if err != nil {
					t.Fatal(err)
				}
				r := decodeResponse(t, raw)
				if r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
					t.Errorf("Cache-Control = %q, X-Content-Type-Options = %q", r.Header.Get("Cache-Control"), r.Header.Get("X-Content-Type-Options"))
				}
				if r.Header.Get("WWW-Authenticate") != "" {
					t.Errorf("unexpected WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
				}
				switch c {
				case "get-form":
					expect(t, r, 200, 0, `<form id="login" method="post">`)
				case "post-form":
					// The session and the device: two Set-Cookie kept apart —
					// but an ALB without multi-value headers carries one: the
					// session's, which comes first.
					n := 2
					if strings.HasPrefix(name, "alb-single") {
						n = 1
					}
					expect(t, r, 303, n, "")
					if r.Header.Get("Location") != "report" {
						t.Errorf("Location = %q, want report", r.Header.Get("Location"))
					}
					ck, err := http.ParseSetCookie(r.Cookies[0])
					if err != nil {
						t.Fatal(err)
					}
					if ck.Name != "formgate" || ck.Path != d.path || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.MaxAge != 3600 {
						t.Errorf("cookie = %q; want formgate, Path=%s, Secure, HttpOnly, SameSite=Lax, Max-Age=3600", r.Cookies[0], d.path)
					}
				case "basic":
					expect(t, r, 200, 0, `<main id="report">`)
					if strings.Contains(r.Body, "Log out") {
						t.Error("Basic users have no session to log out of")
					}
				case "cookie":
					expect(t, r, 200, 0, `<main id="report">`)
					if !strings.Contains(r.Body, `<form method="post" action="report/_formgate/logout"><button type="submit" id="logout">Log out</button>`) {
						t.Error("session users need a logout button")
					}
				}
				if want := strconv.Itoa(r.Status) + " " + http.StatusText(r.Status); d.kind == lambdaproxy.ALB && r.Desc != want {
					t.Errorf("statusDescription = %q", r.Desc)
				}
			})
		}
	}
}

func expect(t *testing.T, r response, status, cookies int, marker string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %q", r.Status, status, r.Body)
	}
	if len(r.Cookies) != cookies {
		t.Errorf("Set-Cookie = %q, want %d", r.Cookies, cookies)
	}
	if marker != "" {
		if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("Content-Type = %q", ct)
		}
		if !strings.Contains(r.Body, marker) {
			t.Errorf("body lacks %q:\n%s", marker, r.Body)
		}
	}
}

// An HTTP API with a named stage puts the stage in rawPath; the gate must
// route on /report and set the cookie for /dev/report.
func TestFixtureHTTPv2NamedStage(t *testing.T) {
	raw, err := newAdapter(t).Invoke(context.Background(), loadFixture(t, "http-v2-stage-post-form"))
	if err != nil {
		t.Fatal(err)
	}
	r := decodeResponse(t, raw)
	expect(t, r, 303, 2, "")
	if ck, err := http.ParseSetCookie(r.Cookies[0]); err != nil || ck.Path != "/dev/report" {
		t.Fatalf("cookie %q: want Path=/dev/report (%v)", r.Cookies[0], err)
	}
}
