package deploy

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// samTemplate is the SAM template, relative to the repository root (and
// to the staged copy, where ../../dist holds what make build made).
const samTemplate = "deploy/sam/template.yaml"

var translations sync.Map // overrides → func() (*stack, error)

// sam is the CloudFormation that `sam deploy --parameter-overrides …`
// would have AWS make of the staged deploy/sam/template.yaml, translated
// offline by testdata/samtranslate.py (aws-sam-translator), once per run
// for each set of overrides.
func sam(t testing.TB, overrides ...string) *stack {
	t.Helper()
	needPython(t)
	base := staged(t)
	f, _ := translations.LoadOrStore(strings.Join(overrides, "\x00"), sync.OnceValues(func() (*stack, error) { return translate(base, overrides) }))
	s, err := f.(func() (*stack, error))()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func translate(base string, overrides []string) (*stack, error) {
	out := filepath.Join(base, "out", fmt.Sprint(outs.Add(1)))
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	cmd := exec.Command("python3", append([]string{filepath.Join(root, "deploy", "testdata", "samtranslate.py"), filepath.Join(base, samTemplate)}, overrides...)...)
	cmd.Env = toolEnv("AWS_DEFAULT_REGION=eu-west-1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	b, err := run("aws-sam-translator", cmd.Output)
	if err != nil {
		return nil, fmt.Errorf("samtranslate.py %s: %v\n%s", strings.Join(overrides, " "), err, stderr.String())
	}
	s := &stack{tool: "sam", dir: "deploy/sam", params: overrides, output: stderr.String(), file: filepath.Join(out, "template.json")}
	if err := os.WriteFile(s.file, b, 0o644); err != nil {
		return nil, err
	}
	return s, s.read()
}

// The SAM template deploys what the root serverless.yml deploys: the
// function behind ANY /report and ANY /report/{proxy+} on a REST API with
// binaryMediaTypes */*, provided.al2023 on arm64, secrets by reference,
// no S3 access and no table unless asked. Its zip is always
// report-shared.zip (the template says why).
func TestSAMTemplate(t *testing.T) {
	t.Parallel()
	s := sam(t, "UserName=anna")
	checkFunction(t, s, "ReportFunction", "ReportLogGroup", defaultFn)
	checkReportSource(t, s, "ReportFunction", reportSource{csv: "", refresh: "60s", zip: "report-shared.zip"})
	checkRESTAPIs(t, s, 1)
	checkRoutes(t, s, "ANY /report", "ANY /report/{proxy+}")
	res := deployed(t, s.raw)
	if st := res["ReportApiStage"]; st.Type != "AWS::ApiGateway::Stage" || st.Properties["StageName"] != "dev" {
		t.Errorf("stage %v: want dev, the URL's /dev/report as serverless.yml deploys it", st)
	}
	var stages int
	for _, r := range res {
		if r.Type == "AWS::ApiGateway::Stage" {
			stages++
		}
	}
	if stages != 1 {
		t.Errorf("%d API stages, want 1", stages)
	}
	if _, ok := res["FormgateTable"]; ok {
		t.Error("a table without SharedTable=true")
	}
	if env := dig(res["ReportFunction"].Properties, "Environment", "Variables").(map[string]any); env["FORMGATE_TABLE"] != nil {
		t.Errorf("FORMGATE_TABLE %v without SharedTable=true", env["FORMGATE_TABLE"])
	}
	if !strings.Contains(s.raw, `"S3Key": "formgate/report-shared.zip"`) {
		t.Error("the function does not deploy dist/report-shared.zip")
	}
}

// samStageParams are the SAM parameters that stageParams are for the
// serverless.yml configs, and SharedTable=true.
var samStageParams = []string{"UserName=anna", "Realm=Sales", "SessionTtl=8h", "Memory=1024", "SecretName=formgate/sales", "SecretGeneration=2",
	"ReportS3=my-bucket/exports/daily.csv", "ReportRefresh=5m", "SharedTable=true"}

// With every parameter set: the same function as stageParams make of
// serverless.yml, the S3 object and nothing else in S3, and the table
// examples/shared-table makes, with its four item actions only.
func TestSAMParameters(t *testing.T) {
	t.Parallel()
	s := sam(t, samStageParams...)
	checkFunction(t, s, "ReportFunction", "ReportLogGroup", stageFn)
	checkReportSource(t, s, "ReportFunction", stageSource)
	res := deployed(t, s.raw)
	env := dig(res["ReportFunction"].Properties, "Environment", "Variables").(map[string]any)
	if env["SECRET_GENERATION"] != "2" || mustJSON(t, env["FORMGATE_TABLE"]) != `{"Ref":"FormgateTable"}` {
		t.Errorf("SECRET_GENERATION %v, FORMGATE_TABLE %v: want 2 and the table", env["SECRET_GENERATION"], env["FORMGATE_TABLE"])
	}
	tab := res["FormgateTable"]
	if tab.Type != "AWS::DynamoDB::Table" || mustJSON(t, tab.Properties) !=
		`{"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"TimeToLiveSpecification":{"AttributeName":"ttl","Enabled":true}}` {
		t.Errorf("table: %s", mustJSON(t, tab))
	}
	var table []string
	for _, g := range grants(res) {
		if strings.HasPrefix(g.action, "dynamodb:") {
			table = append(table, g.String())
		}
	}
	want := []string{
		"ReportRole: Allow dynamodb:UpdateItem on map[Fn::GetAtt:[FormgateTable Arn]]", "ReportRole: Allow dynamodb:PutItem on map[Fn::GetAtt:[FormgateTable Arn]]",
		"ReportRole: Allow dynamodb:BatchGetItem on map[Fn::GetAtt:[FormgateTable Arn]]", "ReportRole: Allow dynamodb:GetItem on map[Fn::GetAtt:[FormgateTable Arn]]",
	}
	if !slices.Equal(table, want) {
		t.Errorf("the role's DynamoDB rights: %q, want %q", table, want)
	}

	// Another stage, with no secret name: the secret is formgate/<stage>,
	// as serverless.yml's default formgate/${sls:stage}.
	s = sam(t, "StageName=prod", "UserName=anna")
	checkFunction(t, s, "ReportFunction", "ReportLogGroup", fnWant{user: "anna", realm: "report", ttl: "12h", memory: 512, secret: "formgate/prod"})
	if st := deployed(t, s.raw)["ReportApiStage"]; st.Properties["StageName"] != "prod" {
		t.Errorf("stage %v, want prod", st.Properties["StageName"])
	}
}

// samParamFor is the SAM parameter each serverless.yml stage parameter is,
// and reportZip, which SAM cannot have (template.yaml says why).
var samParamFor = map[string]string{
	"username": "UserName", "realm": "Realm", "sessionTtl": "SessionTtl", "logLevel": "LogLevel", "sessionIdle": "SessionIdle",
	"memory": "Memory", "reportCsv": "ReportCsv", "reportS3": "ReportS3", "reportRefresh": "ReportRefresh",
	"secretName": "SecretName", "secretGeneration": "SecretGeneration", "reportZip": "",
}

// Every stage parameter of serverless.yml has its SAM parameter (or is
// reportZip), and the SAM template has no other but StageName and
// SharedTable (a stage and examples/shared-table in serverless.yml terms).
// Read from the files' text: in the -short lane.
func TestSAMParametersMatchServerless(t *testing.T) {
	sls := yamlKeys(t, "serverless.yml", "params", "default")
	tmpl := yamlKeys(t, samTemplate, "Parameters")
	var want []string
	for _, k := range sls {
		p, ok := samParamFor[k]
		if !ok {
			t.Errorf("serverless.yml's stage parameter %s has no SAM parameter in samParamFor", k)
		}
		if p != "" {
			want = append(want, p)
		}
	}
	want = append(want, "StageName", "SharedTable")
	slices.Sort(want)
	slices.Sort(tmpl)
	if !slices.Equal(tmpl, want) {
		t.Errorf("%s has parameters %v, want %v", samTemplate, tmpl, want)
	}
}

// yamlKeys lists the keys of the block that path (keys, each indented two
// more spaces than the last) names in the YAML file, read as text.
func yamlKeys(t testing.TB, file string, path ...string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		t.Fatal(err)
	}
	depth, indent := 0, ""
	var keys []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if depth == len(path) {
			if !strings.HasPrefix(line, indent) {
				break
			}
			if m := yamlKey.FindStringSubmatch(strings.TrimPrefix(line, indent)); m != nil {
				keys = append(keys, m[1])
			}
			continue
		}
		if strings.HasPrefix(line, indent+path[depth]+":") {
			depth++
			indent += "  "
		}
	}
	if len(keys) == 0 {
		t.Fatalf("%s: no keys under %v", file, path)
	}
	return keys
}

var yamlKey = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9]*):`)
