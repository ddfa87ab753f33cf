package deploy

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// reportConfigs are the configs that deploy the built-in report, and so
// take the report's stage parameters (reportS3, reportRefresh, reportZip).
var reportConfigs = []string{".", "examples/http-api", "examples/function-url", "examples/native-prompt", "examples/shared-table", "examples/cloudfront"}

// reportSource is where the report function gets its CSV, as the deployed
// stack has it.
type reportSource struct {
	csv      string // REPORT_CSV
	refresh  string // REPORT_REFRESH
	zip      string // the function's zip in dist/
	s3Object string // the ARN of the one object it may read; "" for no S3 access at all
}

// The report's source when no parameter says otherwise: the CSV in the zip
// (the embedded sample), and no S3 permission of any kind.
var defaultSource = reportSource{csv: "", refresh: "60s", zip: "report.zip"}

// checkReportSource checks the report function of the template raw, as
// CloudFormation would deploy it (conditions evaluated).
func checkReportSource(t *testing.T, raw string, want reportSource) {
	t.Helper()
	res := deployed(t, raw)
	fn, ok := res["ReportLambdaFunction"]
	if !ok {
		t.Fatal("no ReportLambdaFunction")
	}
	env, _ := dig(fn.Properties, "Environment", "Variables").(map[string]any)
	if env["REPORT_CSV"] != want.csv || env["REPORT_REFRESH"] != want.refresh {
		t.Errorf("REPORT_CSV %#v, REPORT_REFRESH %#v; want %q, %q", env["REPORT_CSV"], env["REPORT_REFRESH"], want.csv, want.refresh)
	}
	if key, _ := dig(fn.Properties, "Code", "S3Key").(string); !strings.HasSuffix(key, "/"+want.zip) {
		t.Errorf("the function deploys %q, want dist/%s", key, want.zip)
	}
	role, _ := dig(fn.Properties, "Role", "Fn::GetAtt").([]any)
	if len(role) != 2 || role[1] != "Arn" {
		t.Fatalf("function role %v: want the Arn of a role in this template", dig(fn.Properties, "Role"))
	}
	var wantGrants []string
	if want.s3Object != "" {
		wantGrants = []string{fmt.Sprintf("%s: Allow s3:GetObject on %s", role[0], want.s3Object)}
	}
	if got := s3Grants(res); !slices.Equal(got, wantGrants) {
		t.Errorf("S3 permissions in the stack: %q, want %q", got, wantGrants)
	}
}

// s3Grants lists, as "role: Effect action on resource", every statement of
// every IAM role and policy in res whose actions reach S3 (an s3: action,
// or "*"), and every managed policy with S3 in its name.
func s3Grants(res map[string]resource) []string {
	var out []string
	add := func(role string, doc any) {
		for _, st := range asList(dig(doc, "Statement")) {
			for _, a := range asList(dig(st, "Action")) {
				action, _ := a.(string)
				if action != "*" && !strings.HasPrefix(strings.ToLower(action), "s3:") {
					continue
				}
				for _, r := range asList(dig(st, "Resource")) {
					out = append(out, fmt.Sprintf("%s: %v %s on %v", role, dig(st, "Effect"), action, r))
				}
			}
		}
	}
	for name, r := range res {
		switch r.Type {
		case "AWS::IAM::Role":
			for _, p := range asList(r.Properties["Policies"]) {
				add(name, dig(p, "PolicyDocument"))
			}
			for _, arn := range asList(r.Properties["ManagedPolicyArns"]) {
				if strings.Contains(strings.ToLower(fmt.Sprint(arn)), "s3") {
					out = append(out, fmt.Sprintf("%s: managed policy %v", name, arn))
				}
			}
		case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
			for _, role := range asList(r.Properties["Roles"]) {
				add(fmt.Sprint(dig(role, "Ref")), r.Properties["PolicyDocument"])
			}
		}
	}
	slices.Sort(out)
	return out
}

// dig follows keys down nested JSON objects; nil where one is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// asList is v as a list: IAM takes one value or a list of them.
func asList(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	}
	return []any{v}
}

// Every config with the built-in report takes the stage parameters: with
// reportS3 the function reads the CSV from that object, may read that
// object and nothing else in S3, and deploys the zip reportZip names.
// (Without them, each config's own test checks defaultSource.)
func TestStageParameters(t *testing.T) {
	params := append(slices.Clone(testParams), "memory=1024",
		"reportS3=my-bucket/exports/daily.csv", "reportZip=report-shared.zip", "reportRefresh=5m")
	want := reportSource{csv: "s3://my-bucket/exports/daily.csv", refresh: "5m", zip: "report-shared.zip",
		s3Object: "arn:aws:s3:::my-bucket/exports/daily.csv"}
	for _, dir := range reportConfigs {
		t.Run(dir, func(t *testing.T) {
			t.Parallel() // packaging takes seconds; the configs do not share a folder
			tmpl, raw := pkg(t, dir, params...)
			fn, err := tmpl.GetLambdaFunctionWithName("ReportLambdaFunction")
			if err != nil {
				t.Fatal(err)
			}
			if fn.MemorySize == nil || *fn.MemorySize != 1024 {
				t.Errorf("memory %v, want 1024 from --param", fn.MemorySize)
			}
			checkReportSource(t, raw, want)
		})
	}
}
