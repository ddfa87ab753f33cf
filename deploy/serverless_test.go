package deploy

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// root is the repository root, where serverless.yml and package.json are.
var root, _ = filepath.Abs("..")

// stage is a copy of the deploy configs (serverless.yml, package.json,
// examples/, deploy/sam/) with the artifacts they refer to, built the way
// an operator builds them (make build, into its dist/) — in a temporary
// folder, so the tests never touch the checkout's dist/. node_modules is
// linked.
var stage = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "formgate-deploy")
	if err != nil {
		return "", err
	}
	stagedDir = dir
	for _, f := range []string{"serverless.yml", "package.json"} {
		if err := copyFile(filepath.Join(root, f), filepath.Join(dir, f)); err != nil {
			return "", err
		}
	}
	for _, d := range []string{"examples", "deploy/sam"} {
		if err := os.CopyFS(filepath.Join(dir, d), os.DirFS(filepath.Join(root, d))); err != nil {
			return "", err
		}
	}
	if err := os.Symlink(filepath.Join(root, "node_modules"), filepath.Join(dir, "node_modules")); err != nil {
		return "", err
	}
	// With a users file, as an operator with several users builds.
	cmd := exec.Command("make", "build", "DIST="+filepath.Join(dir, "dist"), "USERS=htpasswd/testdata/users.htpasswd", "TOKENS_FILE=config/testdata/tokens.txt")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("make build: %v\n%s", err, out)
	}
	return dir, nil
})

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}

// staged returns the staged copy's folder, building it on first use.
func staged(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the Lambda zips: not in the -short lane")
	}
	dir, err := stage()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// stagedDir is the staged copy, once made; TestMain removes it.
var stagedDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if testing.Verbose() {
		var counts []string
		runs.Range(func(k, v any) bool {
			r := v.(*toolRuns)
			counts = append(counts, fmt.Sprintf("%s %d (%.1f s, longest %.1f s)", k, r.n, r.total.Seconds(), r.longest.Seconds()))
			return true
		})
		slices.Sort(counts)
		fmt.Printf("deploy: tool runs: %s\n", strings.Join(counts, "; "))
	}
	if stagedDir != "" {
		os.RemoveAll(stagedDir)
	}
	os.Exit(code)
}

// A stack is a CloudFormation template as a tool made it from a config:
// packaged by a Serverless Framework, or translated from SAM.
type stack struct {
	tool   string   // serverless, osls or sam
	dir    string   // the config's folder, relative to the repository root
	params []string // the tool's parameters, name=value
	file   string   // the template, for cfn-lint
	raw    string   // its text
	output string   // what the tool printed
}

func (s *stack) String() string {
	return fmt.Sprintf("%s %s %q", s.tool, s.dir, s.params)
}

// slots bounds the tools running at once (node, python) to the cores:
// the tests run many in parallel, on machines with two.
var slots = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

// run runs a tool (f: a Cmd's Output or CombinedOutput) in a slot, and
// counts and times it under name, for go test -v's last line.
func run(name string, f func() ([]byte, error)) ([]byte, error) {
	slots <- struct{}{}
	defer func() { <-slots }()
	start := time.Now()
	defer func() {
		v, _ := runs.LoadOrStore(name, &toolRuns{})
		r := v.(*toolRuns)
		r.mu.Lock()
		defer r.mu.Unlock()
		d := time.Since(start)
		r.n, r.total, r.longest = r.n+1, r.total+d, max(r.longest, d)
	}()
	return f()
}

// runs holds each tool's runs (packagings, translations, lints).
var runs sync.Map // name → *toolRuns

type toolRuns struct {
	mu             sync.Mutex
	n              int
	total, longest time.Duration
}

// packages caches every packaging of this run: one per packager, config
// and parameters, however many tests read it.
var packages sync.Map // key → func() (*stack, error)

// pkg is the stack `npx --no NAME package --stage dev --param=…`
// makes of the config in dir (relative to the repository root), as an
// operator runs it (--no: the pinned install, never a download).
func pkg(t testing.TB, p packager, dir string, params ...string) *stack {
	t.Helper()
	p.need(t)
	base := staged(t)
	key := strings.Join(append([]string{p.name, dir}, params...), "\x00")
	f, _ := packages.LoadOrStore(key, sync.OnceValues(func() (*stack, error) { return runPackage(p, base, dir, params) }))
	s, err := f.(func() (*stack, error))()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// homes are the packagers' home folders, one each, kept for the run: the
// first packaging writes the compiled config schema there (ajv's cache
// in ~/.serverless), which cuts every later one from about 4.5 s to 1.7
// s, as it does for an operator's second run. The first runs alone, so
// that no two write the cache at once.
var homes sync.Map // packager name → *home

type home struct {
	mu   sync.Mutex
	warm bool
}

var outs atomic.Int64

// dirs are the config folders' locks (runPackage).
var dirs sync.Map // folder → *sync.Mutex

// runPackage runs node_modules/.bin/NAME, the command `npx --no NAME`
// runs (packager.check runs that and holds it to the pinned version),
// without npx's own 0.3 s each time.
func runPackage(p packager, base, dir string, params []string) (*stack, error) {
	out := filepath.Join(base, "out", fmt.Sprint(outs.Add(1)))
	args := []string{"package", "--stage", "dev", "--package", out}
	for _, kv := range params {
		args = append(args, "--param="+kv)
	}
	cmd := exec.Command(filepath.Join(base, "node_modules", ".bin", p.name), args...)
	cmd.Dir = filepath.Join(base, dir)
	cmd.Env = toolEnv("HOME=" + filepath.Join(base, "home", p.name))

	// One packaging at a time in a config's folder: serverless@3 and osls
	// write and clean its .serverless/ (serverless-state.json) whatever
	// --package says, and two at once there lose each other's files.
	d, _ := dirs.LoadOrStore(cmd.Dir, new(sync.Mutex))
	d.(*sync.Mutex).Lock()
	defer d.(*sync.Mutex).Unlock()
	v, _ := homes.LoadOrStore(p.name, &home{})
	h := v.(*home)
	h.mu.Lock()
	first := !h.warm
	if !first {
		h.mu.Unlock()
	}
	b, err := run(p.name+" package", cmd.CombinedOutput)
	if first {
		h.warm = err == nil
		h.mu.Unlock()
	}
	if err != nil {
		return nil, fmt.Errorf("npx --no %s %s in %s: %v\n%s", p.name, strings.Join(args, " "), dir, err, b)
	}
	s := &stack{tool: p.name, dir: dir, params: params, output: string(b),
		file: filepath.Join(out, "cloudformation-template-update-stack.json")}
	return s, s.read()
}

// read reads the template at s.file.
func (s *stack) read() error {
	raw, err := os.ReadFile(s.file)
	if err != nil {
		return err
	}
	if !json.Valid(raw) {
		return fmt.Errorf("%v: %s is not JSON", s, s.file)
	}
	s.raw = string(raw)
	return nil
}

// forEachPackager runs f once per packager, each a parallel subtest:
// every config is packaged with both serverless@3 and osls, and checked
// alike.
func forEachPackager(t *testing.T, f func(t *testing.T, p packager)) {
	t.Helper()
	for _, p := range packagers {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			f(t, p)
		})
	}
}

// docParams are the parameters the deploy commands in the README and
// docs/deploy.md give: the checks below read the defaults for the rest.
var docParams = []string{"username=anna"}

// fnWant is what a formgate function's configuration must be.
type fnWant struct {
	user, realm, ttl string
	memory           int
	secret           string // the Secrets Manager secret's name
}

var defaultFn = fnWant{user: "anna", realm: "report", ttl: "12h", memory: 512, secret: "formgate/dev"}

// checkFunction checks the function fn of s as CloudFormation would
// create it: runtime, architecture, handler, environment wiring, secrets
// only as references, and its log group logs kept 30 days.
func checkFunction(t *testing.T, s *stack, fn, logs string, want fnWant) {
	t.Helper()
	res := deployed(t, s.raw)
	f, ok := res[fn]
	if !ok || f.Type != "AWS::Lambda::Function" {
		t.Fatalf("%v: no function %s", s, fn)
	}
	p := f.Properties
	if p["Runtime"] != "provided.al2023" || !slices.Equal(asList(p["Architectures"]), []any{"arm64"}) || p["Handler"] != "bootstrap" {
		t.Errorf("%s: runtime %v, architectures %v, handler %v", fn, p["Runtime"], p["Architectures"], p["Handler"])
	}
	if fmt.Sprint(p["MemorySize"]) != fmt.Sprint(want.memory) || p["Timeout"] == nil {
		t.Errorf("%s: memory %v, want %d; timeout %v", fn, p["MemorySize"], want.memory, p["Timeout"])
	}
	env, _ := dig(p, "Environment", "Variables").(map[string]any)
	for k, v := range map[string]string{"AUTH_USERNAME": want.user, "AUTH_REALM": want.realm, "SESSION_TTL": want.ttl, "LOG_LEVEL": "info"} {
		if env[k] != v {
			t.Errorf("%s: env %s = %#v, want %q", fn, k, env[k], v)
		}
	}
	if _, plain := env["AUTH_PASSWORD"]; plain {
		t.Errorf("%s: AUTH_PASSWORD in the template: deploy the hash (AUTH_PASSWORD_HASH)", fn)
	}
	for k, key := range map[string]string{"AUTH_PASSWORD_HASH": "password_hash", "SESSION_SECRET": "session_secret", "SESSION_SECRET_PREVIOUS": "session_secret_previous"} {
		if ref := "{{resolve:secretsmanager:" + want.secret + ":SecretString:" + key + "}}"; env[k] != ref {
			t.Errorf("%s: env %s = %#v, want the Secrets Manager dynamic reference %s", fn, k, env[k], ref)
		}
	}
	checkNoSecrets(t, s)
	if lg, ok := res[logs]; !ok || lg.Type != "AWS::Logs::LogGroup" || fmt.Sprint(lg.Properties["RetentionInDays"]) != "30" {
		t.Errorf("%s: log group %s %v: want one that keeps logs 30 days", fn, logs, lg)
	}
}

// secretRef is a dynamic reference to one of the secret's keys, as the
// templates write it (a Fn::Sub may fill in the secret's name).
var secretRef = `\{\{resolve:secretsmanager:(?:[^:{}$]|\$\{[A-Za-z0-9]+\})+:SecretString:(password_hash|session_secret|session_secret_previous)\}\}`

// checkNoSecrets checks that nothing in the template's resources and
// outputs could be a secret's value: every string that mentions the
// password or the session secret does so inside a dynamic reference.
func checkNoSecrets(t *testing.T, s *stack) {
	t.Helper()
	var doc struct{ Resources, Outputs any }
	if err := json.Unmarshal([]byte(s.raw), &doc); err != nil {
		t.Fatal(err)
	}
	ref := regexp.MustCompile(secretRef)
	walkStrings([]any{doc.Resources, doc.Outputs}, func(v string) {
		rest := strings.ToLower(ref.ReplaceAllString(v, ""))
		if strings.Contains(rest, "password") || strings.Contains(rest, "session_secret") {
			t.Errorf("%v: %q mentions a secret outside a dynamic reference", s, v)
		}
	})
}

// walkStrings calls f with every string value (not key) in v.
func walkStrings(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case []any:
		for _, x := range v {
			walkStrings(x, f)
		}
	case map[string]any:
		for _, x := range v {
			walkStrings(x, f)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// routes maps "METHOD /path" to its integration type for every REST API
// route in the stack: from the method and resource tree a Serverless
// Framework writes, and from the OpenAPI body SAM writes.
func routes(t *testing.T, s *stack) map[string]string {
	t.Helper()
	res := deployed(t, s.raw)
	var path func(ref any) string
	path = func(ref any) string {
		name, _ := dig(ref, "Ref").(string)
		r, ok := res[name]
		if !ok || r.Type != "AWS::ApiGateway::Resource" {
			return "" // the API's root resource
		}
		return path(r.Properties["ParentId"]) + "/" + r.Properties["PathPart"].(string)
	}
	out := map[string]string{}
	for _, r := range res {
		switch r.Type {
		case "AWS::ApiGateway::Method":
			out[fmt.Sprint(r.Properties["HttpMethod"], " ", path(r.Properties["ResourceId"]))] = fmt.Sprint(dig(r.Properties, "Integration", "Type"))
		case "AWS::ApiGateway::RestApi":
			paths, _ := dig(r.Properties, "Body", "paths").(map[string]any)
			for p, methods := range paths {
				for m, op := range methods.(map[string]any) {
					m = strings.ToUpper(m)
					if m == "X-AMAZON-APIGATEWAY-ANY-METHOD" {
						m = "ANY"
					}
					out[m+" "+p] = strings.ToUpper(fmt.Sprint(dig(op, "x-amazon-apigateway-integration", "type")))
				}
			}
		}
	}
	return out
}

// checkRoutes checks that the stack's REST API routes are want, each a
// Lambda proxy integration.
func checkRoutes(t *testing.T, s *stack, want ...string) {
	t.Helper()
	got := routes(t, s)
	if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, want) {
		t.Errorf("%v: routes %v, want %v", s, keys, want)
	}
	for r, typ := range got {
		if typ != "AWS_PROXY" {
			t.Errorf("%v: %s integration %s, want AWS_PROXY (Lambda proxy)", s, r, typ)
		}
	}
}

func TestDefaultRESTAPI(t *testing.T) {
	t.Parallel()
	forEachPackager(t, func(t *testing.T, p packager) {
		s := pkg(t, p, ".", docParams...)
		checkFunction(t, s, "ReportLambdaFunction", "ReportLogGroup", defaultFn)
		checkReportSource(t, s, "ReportLambdaFunction", defaultSource)
		checkRESTAPIs(t, s, 1)
		checkRoutes(t, s, "ANY /report", "ANY /report/{proxy+}")
	})
}
