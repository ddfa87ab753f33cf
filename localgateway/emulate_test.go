package localgateway

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/config"
	"github.com/formgate/formgate/internal/testkit/webtest"
	"github.com/formgate/formgate/lambdaproxy"
)

var routes = []string{"ANY /report", "ANY /report/{proxy+}"}

// stageOf is the stage the configs deploy a gateway of kind to: a REST
// API's dev, an HTTP API's $default.
func stageOf(kind Kind) string {
	if kind == HTTP {
		return "$default"
	}
	return "dev"
}

// server serves the report behind a gateway of kind, through the Lambda
// adapter; each configure sets the gateway up before it serves.
func server(t *testing.T, kind Kind, cfg config.Config, configure ...func(*Gateway)) *httptest.Server {
	t.Helper()
	h, err := cfg.Handler(context.Background(), os.Getenv, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	g := New(kind, stageOf(kind), lambdaproxy.New(h, slog.New(slog.DiscardHandler)), routes...)
	for _, c := range configure {
		c(g)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv
}

// spy passes invocations on to the function and counts the events whose
// body came base64-encoded.
type spy struct {
	Invoker
	mu     sync.Mutex
	base64 int
}

func (s *spy) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var e struct{ IsBase64Encoded bool }
	json.Unmarshal(payload, &e)
	s.mu.Lock()
	if e.IsBase64Encoded {
		s.base64++
	}
	s.mu.Unlock()
	return s.Invoker.Invoke(ctx, payload)
}

func (s *spy) base64Events() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.base64
}

var cfg = config.Config{Users: "anna", Options: formgate.Options{
	Checker: formgate.PlainPassword("anna", "correct horse"), SessionSecret: bytes.Repeat([]byte("e"), 32), SessionTTL: time.Hour,
}}

// do is webtest.Do, short.
var do = webtest.Do

const htmlAccept = "text/html,application/xhtml+xml"

// TestRESTLoginFlow walks a browser through the form behind an emulated
// REST API: stage in the URL, redirects and cookie path that keep it, and
// the challenge renamed exactly as a deployed REST API does — with
// binaryMediaTypes "*/*" as serverless.yml deploys it, where the login
// form reaches the function base64-encoded and gzip'd answers reach the
// browser as bytes; and without binaryMediaTypes, where only a client
// that asks for no gzip can read the answers (TestRESTGzip).
func TestRESTLoginFlow(t *testing.T) {
	for _, tt := range []struct {
		binaryMediaTypes []string
		gzip             bool
	}{
		{[]string{"*/*"}, true},
		{nil, false},
	} {
		t.Run(fmt.Sprintf("binaryMediaTypes=%q", tt.binaryMediaTypes), func(t *testing.T) {
			restLoginFlow(t, tt.binaryMediaTypes, &http.Transport{DisableCompression: !tt.gzip})
		})
	}
}

func restLoginFlow(t *testing.T, binaryMediaTypes []string, transport *http.Transport) {
	fn := &spy{}
	srv := server(t, REST, cfg, func(g *Gateway) {
		g.BinaryMediaTypes = binaryMediaTypes
		fn.Invoker = g.fn
		g.fn = fn
	})
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Transport: transport}
	script := &http.Client{Transport: transport}
	report := srv.URL + "/dev/report"

	r := do(t, browser, "GET", report, "", "Accept", htmlAccept)
	if r.Status != 200 || !strings.Contains(r.Body, `<form id="login" method="post">`) {
		t.Fatalf("form: %d %s", r.Status, r.Body)
	}
	form := url.Values{"username": {"anna"}, "password": {"correct horse"}}.Encode()
	r = do(t, browser, "POST", report, form, "Accept", htmlAccept, "Content-Type", "application/x-www-form-urlencoded")
	// The client followed the 303 to the relative "report" — still under /dev.
	if r.Status != 200 || r.URL != report || !strings.Contains(r.Body, `<main id="report">`) {
		t.Fatalf("after login: %d at %s", r.Status, r.URL)
	}
	want := 0
	if binaryMediaTypes != nil {
		want = 1 // the form post, the only request so far with a body
	}
	if n := fn.base64Events(); n != want {
		t.Fatalf("%d events with a base64 body, want %d", n, want)
	}
	u, _ := url.Parse(report)
	if cs := jar.Cookies(u); len(cs) != 2 || cs[0].Name != "formgate" || cs[1].Name != "formgate_device" {
		t.Fatalf("cookies for %s: %v", report, cs)
	}
	r = do(t, browser, "POST", srv.URL+"/dev/report/_formgate/logout", "", "Accept", htmlAccept)
	if r.Status != 200 || r.URL != report || !strings.Contains(r.Body, `<form id="login"`) {
		t.Fatalf("after logout: %d at %s", r.Status, r.URL)
	}

	// A script without credentials: the challenge arrives renamed.
	r = do(t, script, "GET", report, "")
	if r.Status != 401 || r.Header.Get("WWW-Authenticate") != "" ||
		r.Header.Get("x-amzn-Remapped-WWW-Authenticate") != `Basic realm="report", charset="UTF-8"` {
		t.Fatalf("challenge through a REST API: %d %v", r.Status, r.Header)
	}
	// Basic still works for scripts.
	r = do(t, script, "POST", report+"?format=json", "", "Authorization", "Basic YW5uYTpjb3JyZWN0IGhvcnNl")
	if r.Status != 200 || !strings.HasPrefix(r.Body, `[{"Region":"North"`) {
		t.Fatalf("Basic: %d %s", r.Status, r.Body)
	}

	// Routes the API does not have.
	for _, p := range []string{"/report", "/dev/", "/dev/other", "/prod/report"} {
		if r := do(t, script, "GET", srv.URL+p, ""); r.Status != 403 || !strings.Contains(r.Body, "Missing Authentication Token") {
			t.Errorf("GET %s: %d %s", p, r.Status, r.Body)
		}
		// On the wire as API Gateway spells it.
		if raw := rawHeaderNames(t, srv.URL+p); !strings.Contains(raw, "x-amzn-ErrorType: MissingAuthenticationTokenException") {
			t.Errorf("GET %s: header block\n%s", p, raw)
		}
	}
	// {proxy+} takes the paths below the report to the function, whose gate
	// answers them.
	if r := do(t, script, "GET", srv.URL+"/dev/report/_formgate/logout", ""); r.Status != 405 {
		t.Errorf("GET logout: %d", r.Status)
	}
	if r := do(t, script, "GET", srv.URL+"/dev/report/other", "", "Authorization", "Basic YW5uYTpjb3JyZWN0IGhvcnNl"); r.Status != 404 || strings.Contains(r.Body, "Missing Authentication Token") {
		t.Errorf("GET below the report: %d %s", r.Status, r.Body)
	}
}

func TestMatch(t *testing.T) {
	g := New(REST, "dev", nil, "GET /report", "POST /report", "ANY /app", "ANY /app/{proxy+}")
	for _, tt := range []struct {
		method, path, resource, proxy string
		ok                            bool
	}{
		{"GET", "/report", "/report", "", true},
		{"PUT", "/report", "", "", false},
		{"GET", "/report/x", "", "", false},
		{"DELETE", "/app", "/app", "", true},
		{"GET", "/app/data.json", "/app/{proxy+}", "data.json", true},
		{"GET", "/app/a/b", "/app/{proxy+}", "a/b", true},
		{"GET", "/app/", "/app", "", true}, // a trailing slash is ignored
		{"GET", "/app/a/", "/app/{proxy+}", "a", true},
		{"GET", "/apple", "", "", false},
	} {
		resource, proxy, ok := g.match(tt.method, tt.path)
		if resource != tt.resource || proxy != tt.proxy || ok != tt.ok {
			t.Errorf("match(%s %s) = %q %q %v, want %q %q %v", tt.method, tt.path, resource, proxy, ok, tt.resource, tt.proxy, tt.ok)
		}
	}
	if k := g.routeKey("PUT", "/app/{proxy+}"); k != "ANY /app/{proxy+}" {
		t.Errorf("routeKey = %q", k)
	}
}

func TestHTTPAPILoginFlow(t *testing.T) {
	srv := server(t, HTTP, cfg)
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	report := srv.URL + "/report"
	form := url.Values{"username": {"anna"}, "password": {"correct horse"}}.Encode()
	r := do(t, browser, "POST", report, form, "Accept", htmlAccept, "Content-Type", "application/x-www-form-urlencoded")
	if r.Status != 200 || r.URL != report || !strings.Contains(r.Body, `<main id="report">`) {
		t.Fatalf("after login: %d at %s: %s", r.Status, r.URL, r.Body)
	}
	// A route the API does not have: an HTTP API's 404, not a REST API's 403.
	if r := do(t, http.DefaultClient, "GET", srv.URL+"/nothere", ""); r.Status != 404 || r.Body != `{"message":"Not Found"}` {
		t.Errorf("unknown route: %d %s", r.Status, r.Body)
	}
	// The cookie came back through the v2 cookies array and went in again.
	r = do(t, browser, "GET", report+"?format=csv", "")
	if r.Status != 200 || !strings.HasPrefix(r.Body, "Region,Quarter") {
		t.Fatalf("csv with session: %d %s", r.Status, r.Body)
	}
	r = do(t, http.DefaultClient, "GET", report, "")
	if r.Status != 401 || r.Header.Get("x-amzn-Remapped-WWW-Authenticate") == "" || r.Header.Get("WWW-Authenticate") != "" {
		t.Fatalf("challenge through an HTTP API: %d %v", r.Status, r.Header)
	}
}

func TestFunctionErrorIs502(t *testing.T) {
	for _, kind := range []Kind{REST, HTTP} {
		srv := httptest.NewServer(New(kind, stageOf(kind), brokenFn{}, "GET /report"))
		r := do(t, http.DefaultClient, "GET", srv.URL+New(kind, stageOf(kind), nil).Prefix()+"/report", "")
		srv.Close()
		if r.Status != 502 || !strings.Contains(r.Body, "Internal server error") {
			t.Errorf("%s: %d %s", kind, r.Status, r.Body)
		}
	}
}

type brokenFn struct{}

func (brokenFn) Invoke(_ context.Context, _ []byte) ([]byte, error) { return []byte("not json"), nil }

// rawHeaderNames is the response's header block as sent, names in their
// own case (net/http's client would canonicalise them).
func rawHeaderNames(t *testing.T, target string) string {
	t.Helper()
	u, _ := url.Parse(target)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", u.RequestURI(), u.Host)
	b, _ := io.ReadAll(c)
	head, _, _ := strings.Cut(string(b), "\r\n\r\n")
	return head
}

// With the request's Authorization remapped, as behind CloudFront, Basic
// still gets in end to end: gateway, adapter, gate.
func TestRemappedAuthorization(t *testing.T) {
	srv := server(t, REST, cfg, func(g *Gateway) {
		g.RemapAuthorization = true
		g.BinaryMediaTypes = []string{"*/*"} // as examples/cloudfront deploys it
	})
	r := do(t, http.DefaultClient, "GET", srv.URL+"/dev/report?format=json", "", "Authorization", "Basic YW5uYTpjb3JyZWN0IGhvcnNl")
	if r.Status != 200 || !strings.HasPrefix(r.Body, `[{"Region":"North"`) {
		t.Fatalf("remapped Basic: %d %.80s", r.Status, r.Body)
	}
}
