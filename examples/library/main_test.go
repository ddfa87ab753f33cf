package main

import (
	"bufio"
	"encoding/json"
	"html"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/formgate/formgate/internal/testkit/gobuild"
	"github.com/formgate/formgate/internal/testkit/runtimetest"
	"github.com/formgate/formgate/internal/testkit/webtest"
	"github.com/formgate/formgate/lambdaproxy"
	"github.com/formgate/formgate/localgateway"
)

var env = map[string]string{"AUTH_USERNAME": "anna", "AUTH_PASSWORD": "correct horse", "SESSION_SECRET": strings.Repeat("x", 32)}

func getenv(k string) string { return env[k] }

var do = webtest.Do

// The example as its README section promises: a browser at /app/ gets the
// form, a script without credentials the challenge, Basic or the cookie
// the application's own answers; /healthz is public and the rest is not
// the gate's.
func TestLibraryExample(t *testing.T) {
	for _, tt := range []struct {
		name    string
		prefix  string
		wrap    func(http.Handler) http.Handler
		challng string // the header the challenge arrives in
	}{
		{"direct", "", func(h http.Handler) http.Handler { return h }, "WWW-Authenticate"},
		// Behind an emulated REST API, through the Lambda adapter, as
		// serverless.yml deploys it.
		{"rest-api", "/dev", func(h http.Handler) http.Handler {
			g := localgateway.New(localgateway.REST, "dev", lambdaproxy.New(h, slog.New(slog.DiscardHandler)), "ANY /app", "ANY /app/{proxy+}", "GET /healthz")
			g.BinaryMediaTypes = []string{"*/*"}
			return g
		}, "x-amzn-Remapped-WWW-Authenticate"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, err := handler(getenv, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(tt.wrap(h))
			defer srv.Close()
			base := srv.URL + tt.prefix
			script := http.DefaultClient

			r := do(t, script, "GET", base+"/app/data.json", "")
			if r.Status != 401 || r.Header.Get(tt.challng) != `Basic realm="restricted", charset="UTF-8"` {
				t.Fatalf("script without credentials: %d %v", r.Status, r.Header)
			}
			r = do(t, script, "GET", base+"/app/data.json", "", "Authorization", "Basic YW5uYTpjb3JyZWN0IGhvcnNl")
			var data struct {
				User, Via string
				Items     []string
			}
			if r.Status != 200 || json.Unmarshal([]byte(r.Body), &data) != nil || data.User != "anna" || data.Via != "basic" || len(data.Items) != 2 {
				t.Fatalf("script with Basic: %d %s", r.Status, r.Body)
			}

			jar, _ := cookiejar.New(nil)
			browser := &http.Client{Jar: jar}
			r = do(t, browser, "GET", base+"/app/", "", "Accept", "text/html")
			if r.Status != 200 || !strings.Contains(r.Body, `<form id="login" method="post">`) {
				t.Fatalf("browser at /app/: %d %s", r.Status, r.Body)
			}
			form := url.Values{"username": {"anna"}, "password": {"correct horse"}}.Encode()
			r = do(t, browser, "POST", base+"/app/", form, "Accept", "text/html", "Content-Type", "application/x-www-form-urlencoded")
			if r.Status != 200 || r.URL != base+"/app/" || !strings.Contains(r.Body, "<h1>Hello, anna</h1>") || !strings.Contains(r.Body, `action="_formgate/logout"`) {
				t.Fatalf("after login: %d at %s: %s", r.Status, r.URL, r.Body)
			}
			u, _ := url.Parse(base + "/app/")
			if cs := jar.Cookies(u); len(cs) != 2 || cs[0].Name != "formgate" || cs[1].Name != "formgate_device" {
				t.Fatalf("cookies: %v", cs)
			}
			r = do(t, browser, "GET", base+"/app/data.json", "")
			if r.Status != 200 || !strings.Contains(r.Body, `"via":"session"`) {
				t.Fatalf("data.json with the cookie: %d %s", r.Status, r.Body)
			}
			r = do(t, browser, "POST", base+"/app/_formgate/logout", "", "Accept", "text/html")
			if r.Status != 200 || r.URL != base+"/app" || !strings.Contains(r.Body, `<form id="login"`) {
				t.Fatalf("after logout: %d at %s", r.Status, r.URL)
			}
			// Logging in again where logout left the browser lands on the
			// page, stage prefix kept.
			r = do(t, browser, "POST", base+"/app", form, "Accept", "text/html", "Content-Type", "application/x-www-form-urlencoded")
			if r.Status != 200 || r.URL != base+"/app/" || !strings.Contains(r.Body, "<h1>Hello, anna</h1>") {
				t.Fatalf("login again at /app: %d at %s: %.200s", r.Status, r.URL, r.Body)
			}

			// A share link made on the page opens the application's pages
			// for reading, to a browser with no password.
			r = do(t, browser, "POST", base+"/app/_formgate/share", "ttl=1h0m0s", "Accept", "text/html", "Content-Type", "application/x-www-form-urlencoded", "Origin", srv.URL)
			link := regexp.MustCompile(`id="share-link" readonly value="([^"]+)"`).FindStringSubmatch(r.Body)
			if r.Status != 200 || r.URL != base+"/app/" || link == nil {
				t.Fatalf("making a share link: %d at %s: %s", r.Status, r.URL, r.Body)
			}
			vjar, _ := cookiejar.New(nil)
			visitor := &http.Client{Jar: vjar}
			if r := do(t, visitor, "GET", html.UnescapeString(link[1]), ""); r.Status != 200 || !strings.Contains(r.Body, "<h1>Hello, anna</h1>") {
				t.Fatalf("the link: %d at %s: %s", r.Status, r.URL, r.Body)
			}
			if r := do(t, visitor, "GET", base+"/app/data.json", ""); r.Status != 200 || !strings.Contains(r.Body, `"via":"share"`) {
				t.Fatalf("data.json by the link: %d %s", r.Status, r.Body)
			}
			if r := do(t, visitor, "POST", base+"/app/_formgate/share", "ttl=1h0m0s", "Content-Type", "application/x-www-form-urlencoded"); r.Status != 401 {
				t.Fatalf("a visitor making a link: %d", r.Status)
			}

			if r := do(t, script, "GET", base+"/healthz", ""); r.Status != 200 || r.Body != "ok\n" {
				t.Errorf("healthz: %d %q", r.Status, r.Body)
			}
			// Outside /app: not the gate's (the gate's 404 locally, the
			// gateway's 403 for a route it does not have).
			r = do(t, script, "GET", base+"/other", "", "Authorization", "Basic YW5uYTpjb3JyZWN0IGhvcnNl")
			if r.Status != 404 && r.Status != 403 || strings.Contains(r.Body, "Hello") {
				t.Errorf("outside /app: %d %s", r.Status, r.Body)
			}
		})
	}
}

// Without its variables the example refuses to start, naming them.
func TestLibraryExampleConfig(t *testing.T) {
	_, err := handler(func(string) string { return "" }, slog.New(slog.DiscardHandler))
	for _, v := range []string{"AUTH_USERNAME", "AUTH_PASSWORD", "SESSION_SECRET"} {
		if err == nil || !strings.Contains(err.Error(), v) {
			t.Errorf("error %v does not name %s", err, v)
		}
	}
}

// On Lambda (AWS_LAMBDA_RUNTIME_API set) the same program serves events:
// built as make build builds it, run against a Runtime API fake.
func TestLibraryExampleOnLambda(t *testing.T) {
	bin := gobuild.Binary(t, gobuild.Build{Pkg: "./examples/library", Name: "bootstrap", Flags: []string{"-tags", "lambda.norpc"}, Env: []string{"CGO_ENABLED=0"}})
	var envs []string
	for k, v := range env {
		envs = append(envs, k+"="+v)
	}
	f := runtimetest.Start(t, bin, envs...)
	event := func(path, header string) []byte {
		return []byte(`{"httpMethod":"GET","path":"` + path + `","resource":"/app/{proxy+}","headers":{` + header + `},
			"requestContext":{"path":"/dev` + path + `","stage":"dev","domainName":"abc.execute-api.eu-west-1.amazonaws.com","identity":{"sourceIp":"203.0.113.7"}}}`)
	}
	r := f.Invoke(t, event("/app/data.json", `"Authorization":"Basic YW5uYTpjb3JyZWN0IGhvcnNl","Accept":"*/*"`))
	if r["statusCode"] != 200.0 || !strings.Contains(r["body"].(string), `"user":"anna"`) {
		t.Fatalf("Basic through the REST API event: %v", r)
	}
	r = f.Invoke(t, event("/app/", `"Accept":"text/html"`))
	if r["statusCode"] != 200.0 || !strings.Contains(r["body"].(string), `<form id="login"`) {
		t.Fatalf("a browser through the REST API event: %v", r)
	}
	r = f.Invoke(t, event("/app/data.json", `"Accept":"*/*"`))
	if r["statusCode"] != 401.0 {
		t.Fatalf("a script without credentials: %v", r)
	}
}

// From the command line, behind the emulated REST API (-gateway rest),
// as the library docs show it: the stage in every path, the app's own
// redirect (/app → /app/) kept under it.
func TestLibraryExampleCommandLine(t *testing.T) {
	bin := gobuild.Binary(t, gobuild.Build{Pkg: "./examples/library"})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "-addr", addr, "-gateway", "rest")
	cmd.Env = []string{"AUTH_USERNAME=anna", "AUTH_PASSWORD=correct horse", "SESSION_SECRET=" + strings.Repeat("x", 32)}
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if want := "serving http://" + addr + "/dev/app/"; !strings.HasPrefix(line, want) {
		t.Fatalf("banner %q, want %q", line, want)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", "http://"+addr+"/dev/app", nil)
	req.SetBasicAuth("anna", "correct horse")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 3 || resp.Header.Get("Location") != "/dev/app/" {
		t.Fatalf("/dev/app: %d Location %q, want a redirect to /dev/app/", resp.StatusCode, resp.Header.Get("Location"))
	}
	r := do(t, http.DefaultClient, "GET", "http://"+addr+"/dev/app/data.json", "", "Authorization", "Basic YW5uYTpjb3JyZWN0IGhvcnNl")
	if r.Status != 200 || !strings.Contains(r.Body, `"user":"anna"`) {
		t.Fatalf("data.json with Basic: %d %s", r.Status, r.Body)
	}
}
