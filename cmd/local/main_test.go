package main

import (
	"bufio"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/formgate/formgate/internal/testkit/gobuild"
	"github.com/formgate/formgate/internal/testkit/syncbuf"
	"github.com/formgate/formgate/localgateway"
)

// localServer is cmd/local running as its own process.
type localServer struct {
	URL, User, Password string
	cmd                 *exec.Cmd
	stderr              *syncbuf.Buffer
	banner              []string // what it printed before serving
}

// localBin is cmd/local, built once per state of the source (package
// gobuild); asking for it makes t end-to-end.
func localBin(t testing.TB, flags ...string) string {
	return gobuild.Binary(t, gobuild.Build{Pkg: "./cmd/local", Flags: flags, Name: "formgate-local"})
}

// startLocal starts cmd/local with args and only env (no inherited
// configuration), on a free loopback port.
func startLocal(t *testing.T, args []string, env ...string) *localServer {
	t.Helper()
	return startLocalBin(t, localBin(t), args, env...)
}

// startLocalBin is startLocal with another build of cmd/local.
func startLocalBin(t testing.TB, bin string, args []string, env ...string) *localServer {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &localServer{cmd: cmd, stderr: &syncbuf.Buffer{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	urlRe := regexp.MustCompile(`serving (http://\S+)`)
	userRe := regexp.MustCompile(`user name: (\S+)`)
	passRe := regexp.MustCompile(`password:\s+(.+)$`)
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(30 * time.Second)
	for ready := false; !ready; {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("cmd/local exited early; stderr:\n%s", s.stderr)
			}
			s.banner = append(s.banner, l)
			ready = strings.HasPrefix(l, "Press Ctrl-C")
			if m := urlRe.FindStringSubmatch(l); m != nil {
				s.URL = m[1]
			}
			if m := userRe.FindStringSubmatch(l); m != nil {
				s.User = m[1]
			}
			if m := passRe.FindStringSubmatch(l); m != nil {
				s.Password = m[1]
			}
		case <-deadline:
			t.Fatal("cmd/local did not print its URL and credentials")
		}
	}
	go func() {
		for range lines {
		}
	}()
	return s
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// TestLocalZeroConfigLogin starts cmd/local with nothing configured, reads
// the generated password it prints, and logs in over real HTTP the way a
// browser and a script would.
func TestLocalZeroConfigLogin(t *testing.T) {
	s := startLocal(t, nil)
	if s.User != "admin" || len(s.Password) < 12 {
		t.Fatalf("printed credentials: user %q, password of %d chars", s.User, len(s.Password))
	}
	client := &http.Client{CheckRedirect: noRedirect, Timeout: 10 * time.Second}

	// Browser: the form...
	req, _ := http.NewRequest("GET", s.URL, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `<form id="login"`) {
		t.Fatalf("GET form: %d\n%s", resp.StatusCode, body)
	}
	// ...posted...
	form := url.Values{"username": {s.User}, "password": {s.Password}}.Encode()
	req, _ = http.NewRequest("POST", s.URL, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "report" || len(resp.Cookies()) != 2 || resp.Cookies()[0].Name != "formgate" {
		t.Fatalf("POST login: %d %v", resp.StatusCode, resp.Header)
	}
	cookie := resp.Cookies()[0]
	if cookie.Secure || cookie.Path != "/report" {
		t.Fatalf("local cookie %v: want no Secure on plain-http loopback, Path=/report", cookie)
	}
	// ...and the cookie opens the report.
	req, _ = http.NewRequest("GET", s.URL, nil)
	req.AddCookie(cookie)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `<main id="report">`) {
		t.Fatalf("GET with cookie: %d\n%s", resp.StatusCode, body)
	}

	// Script: Basic on POST, JSON out; wrong Basic gets the challenge.
	req, _ = http.NewRequest("POST", s.URL+"?format=json", nil)
	req.SetBasicAuth(s.User, s.Password)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), `[{"Region":"North"`) {
		t.Fatalf("Basic JSON: %d %s", resp.StatusCode, body)
	}
	req, _ = http.NewRequest("GET", s.URL, nil)
	req.SetBasicAuth(s.User, "wrong")
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("wrong Basic: %d %v", resp.StatusCode, resp.Header)
	}

	// Ctrl-C shuts down cleanly.
	s.cmd.Process.Signal(syscall.SIGINT)
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGINT: %v\n%s", err, s.stderr)
	}
	if strings.Contains(s.stderr.String(), s.Password) {
		t.Fatal("the password reached the log")
	}
}

// With AUTH_PASSWORD set, cmd/local uses it and does not print it.
func TestLocalConfigured(t *testing.T) {
	s := startLocal(t, nil, "AUTH_USERNAME=zoë", "AUTH_PASSWORD=from-env-pw", "SESSION_SECRET=0123456789abcdef0123456789abcdef")
	if s.User != "zoë" || s.Password != "(from AUTH_PASSWORD)" {
		t.Fatalf("printed user %q, password line %q: want the variable named, not the password", s.User, s.Password)
	}
	if banner := strings.Join(s.banner, "\n"); strings.Contains(banner, "from-env-pw") || strings.Contains(banner, "generated") ||
		!strings.Contains(banner, "note: AUTH_PASSWORD holds the password in plain text") {
		t.Fatalf("banner shows the configured password, a note about generated values, or no warning about plain text:\n%s", banner)
	}
	req, _ := http.NewRequest("GET", s.URL, nil)
	req.SetBasicAuth("zoë", "from-env-pw")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("Basic with configured credentials: %d", resp.StatusCode)
	}
}

// A configuration error stops cmd/local with the variable's name.
func TestLocalBadConfig(t *testing.T) {
	for _, tt := range []struct {
		args []string
		env  string
		want string
	}{
		{nil, "SESSION_TTL=forever", `SESSION_TTL="forever" is not a Go duration`},
		{[]string{"-gateway", "lambda"}, "", `-gateway "lambda": use rest or http`},
	} {
		cmd := exec.Command(localBin(t), append([]string{"-addr", "127.0.0.1:0"}, tt.args...)...)
		cmd.Env = []string{tt.env}
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tt.want) {
			t.Errorf("%v %s: want %q, got %v:\n%s", tt.args, tt.env, tt.want, err, out)
		}
	}
}

// With -gateway rest, the local server answers like a deployed REST API:
// the report under the stage, the challenge renamed.
func TestLocalGatewayREST(t *testing.T) {
	s := startLocal(t, []string{"-gateway", "rest", "-stage", "prod"}, "AUTH_PASSWORD=pw-for-gateway")
	if !strings.HasSuffix(s.URL, "/prod/report") {
		t.Fatalf("URL %q: want the stage in it", s.URL)
	}
	resp, err := http.Get(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("X-Amzn-Remapped-Www-Authenticate") == "" || resp.Header.Get("WWW-Authenticate") != "" {
		t.Fatalf("GET: %d %v", resp.StatusCode, resp.Header)
	}
	form := url.Values{"username": {"admin"}, "password": {"pw-for-gateway"}}.Encode()
	req, _ := http.NewRequest("POST", s.URL, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	resp, err = (&http.Client{CheckRedirect: noRedirect}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "report" || len(resp.Cookies()) != 2 || resp.Cookies()[0].Path != "/prod/report" || resp.Cookies()[1].Path != "/prod/report" {
		t.Fatalf("login: %d %v", resp.StatusCode, resp.Header)
	}
}

// deployed reads what an emulated gateway must copy from a serverless
// config: the REST API's binaryMediaTypes and the function's routes.
func deployed(t *testing.T, file string) (binaryMediaTypes, routes []string) {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Provider  yaml.Node `yaml:"provider"` // a mapping, or ${file(…)} of another config's
		Functions map[string]struct {
			Events []struct {
				HTTP    *struct{ Path, Method string } `yaml:"http"`
				HTTPAPI *struct{ Path, Method string } `yaml:"httpApi"`
			} `yaml:"events"`
		} `yaml:"functions"`
	}
	var provider struct {
		APIGateway struct {
			BinaryMediaTypes []string `yaml:"binaryMediaTypes"`
		} `yaml:"apiGateway"`
	}
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if cfg.Provider.Kind == yaml.MappingNode {
		if err := cfg.Provider.Decode(&provider); err != nil {
			t.Fatalf("%s: provider: %v", file, err)
		}
	}
	for _, e := range cfg.Functions["report"].Events {
		switch {
		case e.HTTP != nil:
			routes = append(routes, strings.ToUpper(e.HTTP.Method)+" /"+strings.TrimPrefix(e.HTTP.Path, "/"))
		case e.HTTPAPI != nil:
			routes = append(routes, strings.ReplaceAll(e.HTTPAPI.Method, "*", "ANY")+" "+e.HTTPAPI.Path)
		}
	}
	return provider.APIGateway.BinaryMediaTypes, routes
}

// The emulated gateways are set up as the configs deploy them: the REST
// API with serverless.yml's binaryMediaTypes, the HTTP API (whose config
// takes the root's provider, but has no such setting) with none, and
// both with the function's routes.
func TestNewGatewayAsDeployed(t *testing.T) {
	media, restRoutes := deployed(t, "../../serverless.yml")
	_, httpRoutes := deployed(t, "../../examples/http-api/serverless.yml")
	if len(media) == 0 {
		t.Fatal("serverless.yml has no provider.apiGateway.binaryMediaTypes")
	}
	for _, tt := range []struct {
		kind         localgateway.Kind
		media, routs []string
	}{
		{localgateway.REST, media, restRoutes},
		{localgateway.HTTP, nil, httpRoutes},
	} {
		if got := newGateway(tt.kind, "dev", false, nil).BinaryMediaTypes; !slices.Equal(got, tt.media) {
			t.Errorf("%s: binaryMediaTypes %q, want %q", tt.kind, got, tt.media)
		}
		if !slices.Equal(routes, tt.routs) {
			t.Errorf("%s: routes %q, the config deploys %q", tt.kind, routes, tt.routs)
		}
	}
}

// The server bounds slow and idle connections and header sizes; a header
// past the limit gets 431 from the running server.
func TestLocalServerLimits(t *testing.T) {
	srv := newServer(http.NotFoundHandler())
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 || srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 1<<20 {
		t.Fatalf("server without a bound: %+v", srv)
	}
	s := startLocal(t, nil)
	req, _ := http.NewRequest("GET", s.URL, nil)
	req.Header.Set("X-Big", strings.Repeat("x", 128<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("128 KiB header: %d, want 431", resp.StatusCode)
	}
}

// -remap-authorization: the emulated REST API hands Authorization on as
// x-amzn-Remapped-Authorization, and Basic still gets in.
func TestLocalGatewayRemapsAuthorization(t *testing.T) {
	s := startLocal(t, []string{"-gateway", "rest", "-remap-authorization"}, "AUTH_PASSWORD=pw-remapped")
	req, _ := http.NewRequest("GET", s.URL+"?format=json", nil)
	req.SetBasicAuth("admin", "pw-remapped")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("Basic, remapped on the way in: %d", resp.StatusCode)
	}
}
