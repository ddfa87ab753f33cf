package authorizer

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	formgate "github.com/formgate/formgate"
)

// invoke sends a TOKEN authorizer event through aws-lambda-go's handler
// wrapper, the path the Lambda runtime takes.
func invoke(t *testing.T, token string, logs *bytes.Buffer) ([]byte, error) {
	t.Helper()
	raw, err := os.ReadFile("testdata/token-request.json")
	if err != nil {
		t.Fatal(err)
	}
	raw = bytes.Replace(raw, []byte(`"Basic YW5uYTpjb3JyZWN0IGhvcnNl"`), mustJSON(token), 1)
	a := &Authorizer{Checker: formgate.PlainPassword("anna", "correct horse"), Logger: slog.New(slog.NewTextHandler(logs, nil))}
	return lambda.NewHandler(a.Handle).Invoke(context.Background(), raw)
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func TestAuthorizer(t *testing.T) {
	basic := func(u, p string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p)) }
	var logs bytes.Buffer
	out, err := invoke(t, basic("anna", "correct horse"), &logs)
	if err != nil {
		t.Fatal(err)
	}
	var resp struct {
		PrincipalID    string `json:"principalId"`
		PolicyDocument struct {
			Statement []struct {
				Action   any
				Effect   string
				Resource []string
			}
		} `json:"policyDocument"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	st := resp.PolicyDocument.Statement
	if resp.PrincipalID != "anna" || len(st) != 1 || st[0].Effect != "Allow" ||
		len(st[0].Resource) != 1 || st[0].Resource[0] != "arn:aws:execute-api:eu-west-1:123456789012:abc123defg/dev/*" {
		t.Fatalf("allow answer: %s", out)
	}

	for name, token := range map[string]string{
		"wrong password": basic("anna", "guess"),
		"wrong user":     basic("bob", "correct horse"),
		"no credentials": "",
		"not Basic":      "Bearer abc",
		"bad base64":     "Basic ***",
	} {
		_, err := invoke(t, token, &logs)
		// Exactly "Unauthorized": API Gateway maps only that text to 401.
		if err == nil || err.Error() != "Unauthorized" {
			t.Errorf("%s: err = %v, want Unauthorized", name, err)
		}
	}
	if strings.Contains(logs.String(), "correct horse") || strings.Contains(logs.String(), "guess") || strings.Contains(logs.String(), "YW5u") {
		t.Errorf("secrets in the log:\n%s", logs.String())
	}
}

func TestStageWildcard(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:execute-api:eu-west-1:1:api/dev/GET/report":         "arn:aws:execute-api:eu-west-1:1:api/dev/*",
		"arn:aws:execute-api:eu-west-1:1:api/dev/POST/report/logout": "arn:aws:execute-api:eu-west-1:1:api/dev/*",
		"odd": "odd",
	} {
		if got := stageWildcard(in); got != want {
			t.Errorf("stageWildcard(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNilLogger: a nil Logger is slog.Default(), as everywhere in formgate.
func TestNilLogger(t *testing.T) {
	var logs bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	a := &Authorizer{Checker: formgate.PlainPassword("anna", "correct horse")}
	if _, err := a.Handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{AuthorizationToken: "Bearer x"}); err != ErrUnauthorized {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	if !strings.Contains(logs.String(), "no Basic credentials") {
		t.Errorf("slog.Default() did not get the refusal:\n%s", logs.String())
	}
}
