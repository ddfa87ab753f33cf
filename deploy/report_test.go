package deploy

import (
	"fmt"
	"regexp"
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

// checkReportSource checks the report function fn of s, as CloudFormation
// would deploy it (conditions evaluated), and the whole stack's IAM.
func checkReportSource(t *testing.T, s *stack, fn string, want reportSource) {
	t.Helper()
	res := deployed(t, s.raw)
	f, ok := res[fn]
	if !ok {
		t.Fatalf("%v: no %s", s, fn)
	}
	env, _ := dig(f.Properties, "Environment", "Variables").(map[string]any)
	if env["REPORT_CSV"] != want.csv || env["REPORT_REFRESH"] != want.refresh {
		t.Errorf("%v: REPORT_CSV %#v, REPORT_REFRESH %#v; want %q, %q", s, env["REPORT_CSV"], env["REPORT_REFRESH"], want.csv, want.refresh)
	}
	if key, _ := dig(f.Properties, "Code", "S3Key").(string); !strings.HasSuffix(key, "/"+want.zip) {
		t.Errorf("%v: the function deploys %q, want dist/%s", s, key, want.zip)
	}
	role, _ := dig(f.Properties, "Role", "Fn::GetAtt").([]any)
	if len(role) != 2 || role[1] != "Arn" {
		t.Fatalf("%v: function role %v: want the Arn of a role in this template", s, dig(f.Properties, "Role"))
	}
	var wantGrants []string
	if want.s3Object != "" {
		wantGrants = []string{fmt.Sprintf("%s: Allow s3:GetObject on %s", role[0], want.s3Object)}
	}
	if got := s3Grants(res); !slices.Equal(got, wantGrants) {
		t.Errorf("%v: S3 permissions in the stack: %q, want %q", s, got, wantGrants)
	}
	checkLeastPrivilege(t, s, res)
}

// grant is one action an IAM statement in the stack allows or denies on
// one resource.
type grant struct {
	role, effect, action string
	resource             any
}

func (g grant) String() string {
	return fmt.Sprintf("%s: %s %s on %v", g.role, g.effect, g.action, g.resource)
}

// grants lists every action on every resource of every statement of every
// IAM role and policy in res, and every managed policy a role has (as the
// action "managed policy"). A statement with NotAction or NotResource
// comes out as the action or resource "Not…", which no check accepts.
func grants(res map[string]resource) []grant {
	var out []grant
	add := func(role string, doc any) {
		for _, st := range asList(dig(doc, "Statement")) {
			actions, resources := asList(dig(st, "Action")), asList(dig(st, "Resource"))
			if dig(st, "NotAction") != nil {
				actions = []any{"NotAction"}
			}
			if dig(st, "NotResource") != nil {
				resources = []any{"NotResource"}
			}
			for _, a := range actions {
				for _, r := range resources {
					out = append(out, grant{role, fmt.Sprint(dig(st, "Effect")), fmt.Sprint(a), r})
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
				out = append(out, grant{name, "Allow", "managed policy", arn})
			}
		case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
			for _, role := range asList(r.Properties["Roles"]) {
				add(fmt.Sprint(dig(role, "Ref")), r.Properties["PolicyDocument"])
			}
		}
	}
	return out
}

// s3Grants lists, as "role: Effect action on resource", every grant in
// res whose action reaches S3 (an s3: action, or "*"), and every managed
// policy with S3 in its name.
func s3Grants(res map[string]resource) []string {
	var out []string
	for _, g := range grants(res) {
		a := strings.ToLower(g.action)
		if strings.HasPrefix(a, "s3:") || a == "*" || a == "notaction" || a == "managed policy" && strings.Contains(strings.ToLower(fmt.Sprint(g.resource)), "s3") {
			out = append(out, g.String())
		}
	}
	slices.Sort(out)
	return out
}

var (
	logActions = []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:TagResource"}
	// The stack's own log groups, as a Serverless Framework grants them:
	// /aws/lambda/SERVICE-STAGE* (its functions' groups), streams and
	// events below.
	ownLogGroups = regexp.MustCompile(`^arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/formgate(-[a-z]+)?-dev\*:\*(:\*)?$`)
	tableActions = []string{"dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:BatchGetItem", "dynamodb:GetItem"}
)

// checkLeastPrivilege checks every grant in the stack against what
// formgate does: logs into its own log groups, s3:GetObject on the one
// reportS3 object (whose ARN s3Grants checks), the four item actions on
// its table. No wildcard action, no Resource "*", no managed policy, no
// Deny needed, nothing else.
func checkLeastPrivilege(t *testing.T, s *stack, res map[string]resource) {
	t.Helper()
	edge := strings.Contains(mustJSON(t, res), "edgelambda.amazonaws.com")
	for _, g := range grants(res) {
		r := fmt.Sprint(g.resource)
		ok := g.effect == "Allow"
		switch {
		case !ok:
		case slices.Contains(logActions, g.action):
			// A log group of this stack: a Serverless Framework's prefix, or
			// a LogGroup resource's Arn (SAM).
			ok = ownLogGroups.MatchString(r) || isGetAttOf(res, g.resource, "AWS::Logs::LogGroup")
			// Lambda@Edge writes its logs in the region where it ran, under
			// /aws/lambda/us-east-1.NAME: the Serverless Framework grants the
			// role logs in every region for it (examples/cloudfront).
			ok = ok || edge && r == "arn:aws:logs:*:*:*"
		case g.action == "s3:GetObject":
			ok = strings.HasPrefix(r, "arn:aws:s3:::") && !strings.ContainsAny(strings.TrimPrefix(r, "arn:aws:s3:::"), "*?$") && strings.Contains(r, "/")
		case slices.Contains(tableActions, g.action):
			ok = isGetAttOf(res, g.resource, "AWS::DynamoDB::Table")
		default:
			ok = false
		}
		if !ok {
			t.Errorf("%v: %v: more than formgate needs", s, g)
		}
	}
}

// isGetAttOf says whether v is {"Fn::GetAtt": [NAME, "Arn"]} of a
// resource of type typ in res.
func isGetAttOf(res map[string]resource, v any, typ string) bool {
	ga, _ := dig(v, "Fn::GetAtt").([]any)
	if len(ga) != 2 || ga[1] != "Arn" {
		return false
	}
	name, _ := ga[0].(string)
	return res[name].Type == typ
}

// stageParams are stage parameters other than the defaults for every one
// the report configs take; stageFn and stageSource are what they must
// turn into.
var (
	stageParams = []string{"username=anna", "realm=Sales", "sessionTtl=8h", "memory=1024", "secretName=formgate/sales", "secretGeneration=2",
		"reportS3=my-bucket/exports/daily.csv", "reportZip=report-shared.zip", "reportRefresh=5m"}
	stageFn     = fnWant{user: "anna", realm: "Sales", ttl: "8h", memory: 1024, secret: "formgate/sales"}
	stageSource = reportSource{csv: "s3://my-bucket/exports/daily.csv", refresh: "5m", zip: "report-shared.zip",
		s3Object: "arn:aws:s3:::my-bucket/exports/daily.csv"}
)

// Every config with the built-in report takes the stage parameters: with
// reportS3 the function reads the CSV from that object, may read that
// object and nothing else in S3, and deploys the zip reportZip names.
// (Without them, each config's own test checks defaultSource.)
func TestStageParameters(t *testing.T) {
	t.Parallel()
	for _, dir := range reportConfigs {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			forEachPackager(t, func(t *testing.T, p packager) {
				s := pkg(t, p, dir, stageParams...)
				checkFunction(t, s, "ReportLambdaFunction", "ReportLogGroup", stageFn)
				checkReportSource(t, s, "ReportLambdaFunction", stageSource)
				if env := dig(deployed(t, s.raw)["ReportLambdaFunction"].Properties, "Environment", "Variables"); dig(env, "SECRET_GENERATION") != "2" {
					t.Errorf("SECRET_GENERATION %v, want 2", dig(env, "SECRET_GENERATION"))
				}
			})
		})
	}
}
