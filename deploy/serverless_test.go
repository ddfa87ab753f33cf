package deploy

import (
	"archive/zip"
	"bytes"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
)

// root is the repository root, where serverless.yml and package.json are.
var root, _ = filepath.Abs("..")

// serverless finds the pinned Serverless Framework. In CI a missing one is
// a failure (make deps runs npm ci); elsewhere the tests say how to get it.
func serverless(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(root, "node_modules", ".bin", "serverless")
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("serverless not installed (%v); .ci/run must run make deps (npm ci)", err)
		}
		t.Skip("serverless@3 not installed: run `make deps` (npm ci)")
	}
	return bin
}

// stage is a copy of the deploy configs (serverless.yml, package.json,
// examples/) with the artifacts they refer to, built the way an operator
// builds them (make build, into its dist/) — in a temporary folder, so the
// tests never touch the checkout's dist/. node_modules is linked.
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
	if err := os.CopyFS(filepath.Join(dir, "examples"), os.DirFS(filepath.Join(root, "examples"))); err != nil {
		return "", err
	}
	if err := os.Symlink(filepath.Join(root, "node_modules"), filepath.Join(dir, "node_modules")); err != nil {
		return "", err
	}
	// With a users file, as an operator with several users builds, and a
	// file of tokens for scripts.
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
func staged(t *testing.T) string {
	t.Helper()
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
	if stagedDir != "" {
		os.RemoveAll(stagedDir)
	}
	os.Exit(code)
}

// pkg runs `serverless package` on the config in dir (relative to the
// repository root) and returns the parsed update-stack template and its
// raw text.
func pkg(t *testing.T, dir string, params ...string) (*cloudformation.Template, string) {
	t.Helper()
	serverless(t)
	base := staged(t)
	out := t.TempDir()
	args := []string{"package", "--stage", "dev", "--package", out}
	for _, p := range params {
		args = append(args, "--param="+p)
	}
	// As an operator runs it; --no: use the pinned install, never download.
	cmd := exec.Command("npx", append([]string{"--no", "serverless"}, args...)...)
	cmd.Dir = filepath.Join(base, dir)
	// Offline and quiet: no credentials, no telemetry, no update checks.
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "SLS_TELEMETRY_DISABLED=1", "SLS_NOTIFICATIONS_MODE=off",
		"SLS_DEPRECATION_DISABLE=*", "NPM_CONFIG_UPDATE_NOTIFIER=false", "AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_PROFILE=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("serverless package in %s: %v\n%s", dir, err, b)
	}
	path := filepath.Join(out, "cloudformation-template-update-stack.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := goformation.Open(path)
	if err != nil {
		t.Fatalf("goformation: %v", err)
	}
	return tmpl, string(raw)
}

var dynamicRef = regexp.MustCompile(`^\{\{resolve:secretsmanager:formgate/dev:SecretString:[a-z_]+\}\}$`)

// checkFunction asserts what every formgate function shares: runtime,
// architecture, handler, environment wiring, and that secrets are only
// references.
func checkFunction(t *testing.T, tmpl *cloudformation.Template, raw string) {
	t.Helper()
	checkFunctionNamed(t, tmpl, raw, "Report")
}

// checkFunctionNamed checks the function whose serverless.yml name is
// name (capitalised, as CloudFormation resources are named).
func checkFunctionNamed(t *testing.T, tmpl *cloudformation.Template, raw, name string) {
	t.Helper()
	fn, err := tmpl.GetLambdaFunctionWithName(name + "LambdaFunction")
	if err != nil {
		t.Fatal(err)
	}
	if *fn.Runtime != "provided.al2023" || !slices.Equal(fn.Architectures, []string{"arm64"}) || *fn.Handler != "bootstrap" {
		t.Errorf("runtime %v, architectures %v, handler %v", *fn.Runtime, fn.Architectures, *fn.Handler)
	}
	if fn.MemorySize == nil || *fn.MemorySize < 128 || fn.Timeout == nil {
		t.Errorf("memory %v, timeout %v", fn.MemorySize, fn.Timeout)
	}
	env := fn.Environment.Variables
	for k, want := range map[string]string{"AUTH_USERNAME": "anna", "AUTH_REALM": "Sales", "SESSION_TTL": "8h", "LOG_LEVEL": "info"} {
		if env[k] != want {
			t.Errorf("env %s = %q, want %q (from --param)", k, env[k], want)
		}
	}
	if _, plain := env["AUTH_PASSWORD"]; plain {
		t.Error("AUTH_PASSWORD in the template: deploy the hash (AUTH_PASSWORD_HASH)")
	}
	if fn.MemorySize == nil || *fn.MemorySize != 512 {
		t.Errorf("memory %v, want the memory parameter's default 512", fn.MemorySize)
	}
	for _, k := range []string{"AUTH_PASSWORD_HASH", "SESSION_SECRET", "SESSION_SECRET_PREVIOUS"} {
		if !dynamicRef.MatchString(env[k]) {
			t.Errorf("env %s = %q: a secret must be a Secrets Manager dynamic reference", k, env[k])
		}
	}
	// Nothing else in the template may look like a secret value: every
	// mention of the secret keys is inside a reference.
	for _, key := range []string{"password", "session_secret"} {
		n := strings.Count(raw, key)
		refs := strings.Count(raw, "SecretString:"+key)
		if n != refs {
			t.Errorf("%q appears %d times in the template, %d of them in references", key, n, refs)
		}
	}
	logs := tmpl.Resources[name+"LogGroup"]
	if logs == nil || !strings.Contains(mustJSON(t, logs), `"RetentionInDays":30`) {
		t.Errorf("log group without retention: %s", mustJSON(t, logs))
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

var testParams = []string{"username=anna", "realm=Sales", "sessionTtl=8h"}

// routes lists "METHOD /path" for every API Gateway method in tmpl,
// rebuilding paths from the resource tree.
func routes(t *testing.T, tmpl *cloudformation.Template, raw string) []string {
	t.Helper()
	// goformation keeps a Ref in a string field encoded; read the tree from
	// the raw JSON instead, where it is plain.
	var doc struct {
		Resources map[string]struct {
			Type       string
			Properties map[string]any
		}
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	var path func(ref any) string
	path = func(ref any) string {
		m, ok := ref.(map[string]any)
		if !ok {
			return ""
		}
		name, _ := m["Ref"].(string)
		r, ok := doc.Resources[name]
		if !ok || r.Type != "AWS::ApiGateway::Resource" {
			return "" // the API's root resource
		}
		return path(r.Properties["ParentId"]) + "/" + r.Properties["PathPart"].(string)
	}
	var out []string
	for name, r := range doc.Resources {
		if r.Type != "AWS::ApiGateway::Method" {
			continue
		}
		if _, ok := tmpl.GetAllApiGatewayMethodResources()[name]; !ok {
			t.Errorf("goformation does not see method %s", name)
		}
		out = append(out, r.Properties["HttpMethod"].(string)+" "+path(r.Properties["ResourceId"]))
	}
	slices.Sort(out)
	return out
}

func TestDefaultRESTAPI(t *testing.T) {
	tmpl, raw := pkg(t, ".", testParams...)
	checkFunction(t, tmpl, raw)
	checkReportSource(t, raw, defaultSource)
	checkRESTAPIs(t, tmpl, 1)
	got := routes(t, tmpl, raw)
	want := []string{"ANY /report", "ANY /report/{proxy+}"}
	if !slices.Equal(got, want) {
		t.Errorf("routes %v, want %v", got, want)
	}
	for name, m := range tmpl.GetAllApiGatewayMethodResources() {
		if m.Integration == nil || m.Integration.Type != "AWS_PROXY" {
			t.Errorf("%s: integration %+v, want AWS_PROXY (Lambda proxy)", name, m.Integration)
		}
	}
}

// TestArtifact opens the zip the templates deploy and checks that Lambda
// can run what is inside: an executable bootstrap for linux/arm64.
func TestArtifact(t *testing.T) {
	serverless(t) // the zip is built for the deploy tests; same preconditions
	zr, err := zip.OpenReader(filepath.Join(staged(t), "dist", "report.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var found bool
	for _, f := range zr.File {
		if f.Name != "bootstrap" {
			continue
		}
		found = true
		if f.Mode()&0o111 == 0 {
			t.Errorf("bootstrap mode %v: not executable", f.Mode())
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		ef, err := elf.NewFile(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("bootstrap is not ELF: %v", err)
		}
		if ef.Machine != elf.EM_AARCH64 || ef.Class != elf.ELFCLASS64 || ef.Type != elf.ET_EXEC {
			t.Errorf("bootstrap: machine %v class %v type %v, want AARCH64 ELF64 EXEC", ef.Machine, ef.Class, ef.Type)
		}
		for _, p := range ef.Progs {
			if p.Type == elf.PT_INTERP {
				t.Error("bootstrap is dynamically linked; provided.al2023 needs CGO_ENABLED=0")
			}
		}
	}
	if !found {
		t.Fatalf("no bootstrap at the zip's root: %v", zr.File)
	}
	// The users file (make build USERS=…) is in both zips that read it.
	for _, z := range []string{"report.zip", "authorizer.zip", "report-shared.zip"} {
		zr, err := zip.OpenReader(filepath.Join(staged(t), "dist", z))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		zr.Close()
		if !slices.Contains(names, "users.htpasswd") {
			t.Errorf("%s holds %v: no users.htpasswd", z, names)
		}
		// The tokens file (make build TOKENS_FILE=…) in the report's zips.
		if z != "authorizer.zip" && !slices.Contains(names, "tokens.txt") {
			t.Errorf("%s holds %v: no tokens.txt", z, names)
		}
	}
}

// A tokens file with a line formgate refuses (a token pasted in place of
// its hash) stops the build before anything is built, without the token.
func TestBuildChecksTokensFile(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "tokens.txt")
	token := "fgt_" + strings.Repeat("A", 55)
	os.WriteFile(bad, []byte("Q0ktdGVzdC0x:anna:ci:"+token+":20991231T000000Z\n"), 0o600)
	cmd := exec.Command("make", "build", "DIST="+t.TempDir(), "TOKENS_FILE="+bad)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "line 1: it holds a token") || strings.Contains(string(out), "go build") || strings.Contains(string(out), token[4:]) {
		t.Fatalf("make build with a token in the file: %v\n%s", err, out)
	}
}

// A users file with a line formgate refuses stops the build before
// anything is built, with the line and what to do.
func TestBuildChecksUsersFile(t *testing.T) {
	cmd := exec.Command("make", "build", "DIST="+t.TempDir(), "USERS=config/testdata/sha.htpasswd")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "line 1 (user \"anna\"): {SHA}") || strings.Contains(string(out), "go build") {
		t.Fatalf("make build with a {SHA} line: %v\n%s", err, out)
	}
}
