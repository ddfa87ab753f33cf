package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/formgate/formgate/internal/testkit/gobuild"
	"github.com/formgate/formgate/internal/testkit/runtimetest"
)

// bootstrap is this command built as the Lambda runtime would run it
// (for the host's architecture, so the tests can start it), once per
// state of the source (package gobuild); bootstrapShared the same with the
// AWS SDK (-tags dynamodb,s3: the shared table and the report from S3), as
// make build makes report-shared.zip. Asking for one makes tb end-to-end.
func bootstrap(tb testing.TB) string {
	return gobuild.Binary(tb, gobuild.Build{Pkg: "./cmd/report", Name: "bootstrap", Flags: []string{"-tags", "lambda.norpc", "-trimpath"}, Env: []string{"CGO_ENABLED=0"}})
}

func bootstrapShared(tb testing.TB) string {
	return gobuild.Binary(tb, gobuild.Build{Pkg: "./cmd/report", Name: "bootstrap", Flags: []string{"-tags", "lambda.norpc,dynamodb,s3", "-trimpath"}, Env: []string{"CGO_ENABLED=0"}})
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "lambdaproxy", "testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const secret = "test-session-secret-0123456789abcdef"

func TestBootstrapAgainstRuntimeAPI(t *testing.T) {
	// The report CSV travels in the zip; Lambda unpacks it into LAMBDA_TASK_ROOT.
	taskRoot := t.TempDir()
	if err := os.WriteFile(filepath.Join(taskRoot, "tickets.csv"), []byte("Team,Open tickets\nPlatform,12\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// So do the users, as an htpasswd file: anna / correct horse, bcrypt.
	users := "anna:$2a$04$doEodhxq86iUpMMOD1QaIuDPlNn30kGS8lU2GAEXJbMkP5sZ4Zjbm\n"
	if err := os.WriteFile(filepath.Join(taskRoot, "users.htpasswd"), []byte(users), 0o644); err != nil {
		t.Fatal(err)
	}
	rt := runtimetest.Start(t, bootstrap(t),
		"AUTH_USERS_FILE=users.htpasswd", "SESSION_SECRET="+secret,
		"AWS_LAMBDA_FUNCTION_NAME=formgate-dev-report", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"LAMBDA_TASK_ROOT="+taskRoot, "REPORT_CSV=tickets.csv")

	// v1 (REST API, stage dev): log in with the form...
	login := rt.Invoke(t, fixture(t, "rest-v1-post-form"))
	if login["statusCode"] != 303.0 {
		t.Fatalf("v1 login: %v", login)
	}
	mv := login["multiValueHeaders"].(map[string]any)
	if fmt.Sprint(mv["Location"]) != "[report]" {
		t.Errorf("v1 Location = %v", mv["Location"])
	}
	setCookie := mv["Set-Cookie"].([]any)
	if len(setCookie) != 2 || !strings.Contains(setCookie[0].(string), "Path=/dev/report") || !strings.HasPrefix(setCookie[1].(string), "formgate_device=") {
		t.Fatalf("v1 Set-Cookie = %v", setCookie)
	}
	c, err := http.ParseSetCookie(setCookie[0].(string))
	if err != nil {
		t.Fatal(err)
	}
	// ...then follow the redirect with the cookie the function set.
	get := bytes.ReplaceAll(fixture(t, "rest-v1-cookie"), []byte("FORMGATE_COOKIE"), []byte(c.Value))
	report := rt.Invoke(t, get)
	if report["statusCode"] != 200.0 || !strings.Contains(report["body"].(string), `<main id="report">`) || !strings.Contains(report["body"].(string), `<th scope="row">Platform</th>`) {
		t.Fatalf("v1 report with cookie: %v", report)
	}

	// v2 (HTTP API): the form arrives base64-encoded; the cookie goes in the cookies array.
	v2 := rt.Invoke(t, fixture(t, "http-v2-post-form"))
	cookies, _ := v2["cookies"].([]any)
	if v2["statusCode"] != 303.0 || len(cookies) != 2 || !strings.HasPrefix(cookies[0].(string), "formgate=") {
		t.Fatalf("v2 login: %v", v2)
	}

	// A script with Basic credentials, and one with wrong ones.
	if r := rt.Invoke(t, fixture(t, "function-url-basic")); r["statusCode"] != 200.0 {
		t.Fatalf("Function URL Basic: %v", r)
	}
	wrong := bytes.ReplaceAll(fixture(t, "rest-v1-basic"), []byte("YW5uYTpjb3JyZWN0IGhvcnNl"), []byte("YW5uYTp3cm9uZw=="))
	r := rt.Invoke(t, wrong)
	if r["statusCode"] != 401.0 {
		t.Fatalf("wrong Basic: %v", r)
	}
	// An event of no known kind becomes an invocation error, not a crash.
	rt.Events <- []byte(`{"Records":[]}`)
	if res := <-rt.Results; !res.IsErr {
		t.Fatalf("unknown event: want an error, got %s", res.Body)
	}
	if r := rt.Invoke(t, fixture(t, "alb-single-get-form")); r["statusCode"] != 200.0 {
		t.Fatalf("the function must keep serving after an error: %v", r)
	}

	// Logs are JSON lines and carry no secret.
	rt.Stop()
	logs := rt.Log()
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("log line is not JSON: %q", line)
		}
	}
	for _, s := range []string{"correct horse", secret, c.Value, "YW5uYTpjb3JyZWN0IGhvcnNl", "$2a$04$"} {
		if strings.Contains(logs, s) {
			t.Errorf("logs contain a secret %q", s)
		}
	}
	if !strings.Contains(logs, `"msg":"login failed"`) {
		t.Errorf("no log line for the failed login:\n%s", logs)
	}
}

// Without a session secret the function must refuse to start, saying
// which variable to set, rather than make a random key per container.
func TestBootstrapFailsWithoutSecret(t *testing.T) {
	srv := httptest.NewServer(runtimetest.New())
	defer srv.Close()
	cmd := exec.Command(bootstrap(t))
	cmd.Env = []string{"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(srv.URL, "http://"), "AUTH_USERNAME=anna", "AUTH_PASSWORD=pw-do-not-log"}
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("bootstrap started without SESSION_SECRET")
	}
	if !strings.Contains(string(out), "SESSION_SECRET is not set") || strings.Contains(string(out), "pw-do-not-log") {
		t.Fatalf("init failure output: %s", out)
	}
}

// The default build has no AWS SDK in it: nothing of it to load or
// initialise at a cold start of a function that uses no table and no S3.
func TestDefaultBuildHasNoSDK(t *testing.T) {
	for _, c := range []struct {
		tags         string
		dynamodb, s3 bool
	}{
		{"lambda.norpc", false, false},
		{"lambda.norpc,dynamodb", true, false},
		{"lambda.norpc,s3", false, true},
		{"lambda.norpc,dynamodb,s3", true, true},
	} {
		out, err := exec.Command("go", "list", "-deps", "-tags", c.tags, ".").CombinedOutput()
		if err != nil {
			t.Fatalf("go list: %v\n%s", err, out)
		}
		deps := strings.Fields(string(out))
		if got := slices.Contains(deps, "github.com/aws/aws-sdk-go-v2/service/dynamodb"); got != c.dynamodb {
			t.Errorf("-tags %s: the DynamoDB SDK linked = %v, want %v", c.tags, got, c.dynamodb)
		}
		if got := slices.Contains(deps, "github.com/aws/aws-sdk-go-v2/service/s3"); got != c.s3 {
			t.Errorf("-tags %s: the S3 SDK linked = %v, want %v", c.tags, got, c.s3)
		}
	}
}

// A default build told to use a table or an S3 report refuses to start,
// saying how to get one that can.
func TestDefaultBuildRefusesSDK(t *testing.T) {
	for env, want := range map[string]string{
		"FORMGATE_TABLE=t":        "build it with -tags dynamodb",
		"REPORT_CSV=s3://b/k.csv": "this binary cannot read S3: build it with -tags s3",
	} {
		cmd := exec.Command(bootstrap(t))
		cmd.Env = []string{"AWS_LAMBDA_RUNTIME_API=127.0.0.1:9", "AUTH_USERNAME=anna", "AUTH_PASSWORD=pw", "SESSION_SECRET=" + secret, env}
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), want) {
			t.Errorf("%s: %v\n%s", env, err, out)
		}
	}
}
