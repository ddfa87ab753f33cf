package deploy

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// ofType lists the resources of type typ in res, by name.
func ofType(res map[string]resource, typ string) map[string]resource {
	out := map[string]resource{}
	for name, r := range res {
		if r.Type == typ {
			out[name] = r
		}
	}
	return out
}

// env is the environment of function fn in res.
func env(res map[string]resource, fn string) map[string]any {
	e, _ := dig(res[fn].Properties, "Environment", "Variables").(map[string]any)
	return e
}

func TestHTTPAPI(t *testing.T) {
	t.Parallel()
	forEachPackager(t, func(t *testing.T, p packager) { checkHTTPAPI(t, pkg(t, p, "examples/http-api", docParams...)) })
}

func checkHTTPAPI(t *testing.T, s *stack) {
	t.Helper()
	checkFunction(t, s, "ReportLambdaFunction", "ReportLogGroup", defaultFn)
	checkReportSource(t, s, "ReportLambdaFunction", defaultSource)
	checkRESTAPIs(t, s, 0) // an HTTP API takes isBase64Encoded as is: no binaryMediaTypes
	res := deployed(t, s.raw)
	var keys []string
	for _, r := range ofType(res, "AWS::ApiGatewayV2::Route") {
		keys = append(keys, r.Properties["RouteKey"].(string))
	}
	slices.Sort(keys)
	if want := []string{"ANY /report", "ANY /report/{proxy+}"}; !slices.Equal(keys, want) {
		t.Errorf("%v: routes %v, want %v", s, keys, want)
	}
	for name, in := range ofType(res, "AWS::ApiGatewayV2::Integration") {
		if in.Properties["IntegrationType"] != "AWS_PROXY" || in.Properties["PayloadFormatVersion"] != "2.0" {
			t.Errorf("%v: %s: %v payload %v, want AWS_PROXY 2.0", s, name, in.Properties["IntegrationType"], in.Properties["PayloadFormatVersion"])
		}
	}
}

func TestFunctionURL(t *testing.T) {
	t.Parallel()
	forEachPackager(t, func(t *testing.T, p packager) { checkFunctionURL(t, pkg(t, p, "examples/function-url", docParams...)) })
}

func checkFunctionURL(t *testing.T, s *stack) {
	t.Helper()
	checkFunction(t, s, "ReportLambdaFunction", "ReportLogGroup", defaultFn)
	checkReportSource(t, s, "ReportLambdaFunction", defaultSource)
	res := deployed(t, s.raw)
	urls := ofType(res, "AWS::Lambda::Url")
	if len(urls) != 1 {
		t.Fatalf("%v: %d function URLs, want 1", s, len(urls))
	}
	for _, u := range urls {
		// formgate asks for the password itself; IAM auth would shut browsers out.
		if u.Properties["AuthType"] != "NONE" {
			t.Errorf("%v: function URL auth type %v, want NONE", s, u.Properties["AuthType"])
		}
	}
	// A public function URL made since October 2025 answers 403 unless
	// the function lets anyone both invoke its URL and invoke it through
	// the URL. osls writes both; serverless@3 only the first, so the
	// config adds the second.
	var perms []string
	for _, p := range ofType(res, "AWS::Lambda::Permission") {
		pp := p.Properties
		if mustJSON(t, pp["FunctionName"]) != `{"Fn::GetAtt":["ReportLambdaFunction","Arn"]}` || pp["Principal"] != "*" {
			continue
		}
		switch {
		case pp["Action"] == "lambda:InvokeFunctionUrl" && pp["FunctionUrlAuthType"] == "NONE":
			perms = append(perms, "InvokeFunctionUrl")
		case pp["Action"] == "lambda:InvokeFunction" && pp["InvokedViaFunctionUrl"] == true:
			perms = append(perms, "InvokeFunction via the URL")
		}
	}
	slices.Sort(perms)
	if want := []string{"InvokeFunction via the URL", "InvokeFunctionUrl"}; !slices.Equal(perms, want) {
		t.Errorf("%v: the function lets anyone %q, want %q", s, perms, want)
	}
	if n := len(ofType(res, "AWS::ApiGateway::Method")); n != 0 {
		t.Errorf("%v: %d API Gateway methods: the Function URL variant needs no API Gateway", s, n)
	}
	checkRESTAPIs(t, s, 0) // a Function URL takes isBase64Encoded as is
}

func TestNativePrompt(t *testing.T) {
	t.Parallel()
	forEachPackager(t, func(t *testing.T, p packager) {
		checkNativePrompt(t, pkg(t, p, "examples/native-prompt", docParams...))
	})
}

func checkNativePrompt(t *testing.T, s *stack) {
	t.Helper()
	checkFunction(t, s, "ReportLambdaFunction", "ReportLogGroup", defaultFn)
	checkFunction(t, s, "AuthorizerLambdaFunction", "AuthorizerLogGroup", defaultFn)
	checkReportSource(t, s, "ReportLambdaFunction", defaultSource)
	checkRESTAPIs(t, s, 1)
	checkRoutes(t, s, "GET /report", "POST /report")
	res := deployed(t, s.raw)
	if env(res, "ReportLambdaFunction")["TRUST_AUTHORIZER"] != "true" {
		t.Errorf("%v: the report function does not trust the authorizer", s)
	}
	if key, _ := dig(res["AuthorizerLambdaFunction"].Properties, "Code", "S3Key").(string); !strings.HasSuffix(key, "/authorizer.zip") {
		t.Errorf("%v: the authorizer deploys %q, not dist/authorizer.zip", s, key)
	}

	a := res["AuthorizerApiGatewayAuthorizer"].Properties
	if a["Type"] != "TOKEN" || a["IdentitySource"] != "method.request.header.Authorization" {
		t.Errorf("%v: authorizer type %v identity %v", s, a["Type"], a["IdentitySource"])
	}
	for name, m := range ofType(res, "AWS::ApiGateway::Method") {
		if m.Properties["AuthorizationType"] != "CUSTOM" || mustJSON(t, m.Properties["AuthorizerId"]) != `{"Ref":"AuthorizerApiGatewayAuthorizer"}` {
			t.Errorf("%v: %s is not behind the authorizer", s, name)
		}
	}

	gr := res["UnauthorizedResponse"].Properties
	challenge := dig(gr, "ResponseParameters", "gatewayresponse.header.WWW-Authenticate")
	if gr["ResponseType"] != "UNAUTHORIZED" || gr["StatusCode"] != "401" || challenge != `'Basic realm="report", charset="UTF-8"'` {
		t.Errorf("%v: gateway response %v %v, WWW-Authenticate %v", s, gr["ResponseType"], gr["StatusCode"], challenge)
	}
}

func TestCloudFront(t *testing.T) {
	t.Parallel()
	forEachPackager(t, func(t *testing.T, p packager) { checkCloudFront(t, pkg(t, p, "examples/cloudfront", docParams...)) })
}

func checkCloudFront(t *testing.T, s *stack) {
	t.Helper()
	checkFunction(t, s, "ReportLambdaFunction", "ReportLogGroup", defaultFn)
	checkReportSource(t, s, "ReportLambdaFunction", defaultSource)
	checkRESTAPIs(t, s, 1)
	checkRoutes(t, s, "ANY /report", "ANY /report/{proxy+}")
	res := deployed(t, s.raw)
	if e := env(res, "ReportLambdaFunction"); e["CHALLENGE_HEADER"] != "X-WWW-Authenticate" || e["BROWSER_LOGIN"] != "prompt" {
		t.Errorf("%v: report env %v: want the challenge in X-WWW-Authenticate, sent to browsers", s, e)
	}

	// Lambda@Edge runs Node.js or Python only, and a runtime Lambda still
	// creates functions on (cfn-lint's E2533 says when one no longer is).
	edge := res["RenameChallengeLambdaFunction"].Properties
	if edge["Runtime"] != "nodejs22.x" || edge["Handler"] != "edge/index.handler" {
		t.Errorf("%v: edge function runtime %v handler %v, want nodejs22.x, edge/index.handler", s, edge["Runtime"], edge["Handler"])
	}
	if edge["Environment"] != nil {
		t.Errorf("%v: Lambda@Edge functions may not have environment variables", s)
	}

	d := dig(res["CloudFrontDistribution"].Properties, "DistributionConfig")
	b := dig(d, "DefaultCacheBehavior")
	var events []any
	for _, a := range asList(dig(b, "LambdaFunctionAssociations")) {
		events = append(events, dig(a, "EventType"))
	}
	// origin-response: viewer-response triggers do not run when the origin answers 401.
	if !slices.Equal(events, []any{"origin-response"}) {
		t.Errorf("%v: Lambda@Edge events %v, want [origin-response]", s, events)
	}
	if !slices.Contains(asList(dig(b, "AllowedMethods")), any("POST")) {
		t.Errorf("%v: allowed methods %v: the form needs POST", s, dig(b, "AllowedMethods"))
	}
	for _, o := range asList(dig(d, "Origins")) {
		if p := dig(o, "OriginPath"); p != nil && p != "" {
			t.Errorf("%v: origin path %q: the stage must stay in the public URL for the cookie path", s, p)
		}
	}
	var found bool
	for _, cp := range ofType(res, "AWS::CloudFront::CachePolicy") {
		h := asList(dig(cp.Properties, "CachePolicyConfig", "ParametersInCacheKeyAndForwardedToOrigin", "HeadersConfig", "Headers"))
		// Only a cache policy can forward Authorization to the origin.
		found = found || slices.Contains(h, any("Authorization"))
	}
	if !found {
		t.Errorf("%v: no cache policy forwards the Authorization header", s)
	}
}

// The library example deploys its own application the same way: every
// path under /app to the function, /healthz beside it.
func TestLibraryExample(t *testing.T) {
	t.Parallel()
	forEachPackager(t, func(t *testing.T, p packager) { checkLibrary(t, pkg(t, p, "examples/library", docParams...)) })
}

func checkLibrary(t *testing.T, s *stack) {
	t.Helper()
	// The library example's own parameters: its default user is admin, the
	// docs' command sets anna.
	checkFunction(t, s, "AppLambdaFunction", "AppLogGroup", defaultFn)
	checkRESTAPIs(t, s, 1)
	checkRoutes(t, s, "ANY /app", "ANY /app/{proxy+}", "GET /healthz")
	res := deployed(t, s.raw)
	checkLeastPrivilege(t, s, res)
	if key, _ := dig(res["AppLambdaFunction"].Properties, "Code", "S3Key").(string); !strings.HasSuffix(key, "/library.zip") {
		t.Errorf("%v: the example deploys %q, not dist/library.zip", s, key)
	}
}

// The shared-table variant makes its table (on demand, TTL on "ttl", key
// "pk") and lets the function do only formgate's four item actions, only
// on that table.
func TestSharedTable(t *testing.T) {
	t.Parallel()
	forEachPackager(t, func(t *testing.T, p packager) { checkSharedTable(t, pkg(t, p, "examples/shared-table", docParams...)) })
}

func checkSharedTable(t *testing.T, s *stack) {
	t.Helper()
	checkFunction(t, s, "ReportLambdaFunction", "ReportLogGroup", defaultFn)
	// Always the zip with the AWS SDK, which the DynamoDB store needs.
	checkReportSource(t, s, "ReportLambdaFunction", reportSource{csv: "", refresh: "60s", zip: "report-shared.zip"})
	checkRESTAPIs(t, s, 1)
	checkRoutes(t, s, "ANY /report", "ANY /report/{proxy+}")
	res := deployed(t, s.raw)
	if tab := res["FormgateTable"]; tab.Type != "AWS::DynamoDB::Table" || mustJSON(t, tab.Properties) !=
		`{"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"TimeToLiveSpecification":{"AttributeName":"ttl","Enabled":true}}` {
		t.Errorf("%v: table: %s", s, mustJSON(t, tab))
	}
	if got := mustJSON(t, env(res, "ReportLambdaFunction")["FORMGATE_TABLE"]); got != `{"Ref":"FormgateTable"}` {
		t.Errorf("%v: FORMGATE_TABLE %s does not name the table", s, got)
	}
	var table []string
	for _, g := range grants(res) {
		if strings.HasPrefix(g.action, "dynamodb:") {
			table = append(table, g.String())
		}
	}
	want := []string{
		"IamRoleLambdaExecution: Allow dynamodb:UpdateItem on map[Fn::GetAtt:[FormgateTable Arn]]", "IamRoleLambdaExecution: Allow dynamodb:PutItem on map[Fn::GetAtt:[FormgateTable Arn]]",
		"IamRoleLambdaExecution: Allow dynamodb:BatchGetItem on map[Fn::GetAtt:[FormgateTable Arn]]", "IamRoleLambdaExecution: Allow dynamodb:GetItem on map[Fn::GetAtt:[FormgateTable Arn]]",
	}
	if !slices.Equal(table, want) {
		t.Errorf("%v: the role's DynamoDB rights: %q, want %q", s, table, want)
	}
}

// osls packages what serverless@3 packages, so a stack serverless@3 made
// is updated in place by osls (docs/deploy.md says so): the templates of
// every config are the same but for the artifacts' upload folder and the
// API deployment's name, which hold the time of packaging, and the
// Lambda@Edge function's zip (examples/cloudfront), which each framework
// makes itself, byte for byte differently: its version's hash and name.
// (The switch publishes a new version of the edge function, the same
// code.)
func TestPackagersAgree(t *testing.T) {
	t.Parallel()
	for _, dir := range append(slices.Clone(reportConfigs), "examples/library") {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			var docs []any
			for _, p := range packagers {
				raw := packagingTime.ReplaceAllString(pkg(t, p, dir, docParams...).raw, "TIME")
				raw = deploymentName.ReplaceAllString(raw, "ApiGatewayDeploymentTIME")
				if dir == "examples/cloudfront" {
					raw = edgeVersion.ReplaceAllString(raw, "${1}HASH")
				}
				var doc any
				if err := json.Unmarshal([]byte(raw), &doc); err != nil {
					t.Fatal(err)
				}
				docs = append(docs, doc)
			}
			for _, d := range jsonDiff("", docs[0], docs[1]) {
				t.Errorf("%s: %s", dir, d)
			}
		})
	}
}

var (
	packagingTime  = regexp.MustCompile(`\d{13}-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`)
	deploymentName = regexp.MustCompile(`ApiGatewayDeployment\d{13}`)
	edgeVersion    = regexp.MustCompile(`(RenameChallengeLambdaVersion|"CodeSha256": ")[A-Za-z0-9+/=]+`)
)

// jsonDiff lists where a and b (decoded JSON) differ, as path: a vs b.
func jsonDiff(path string, a, b any) []string {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		var out []string
		for _, k := range slices.Sorted(maps.Keys(am)) {
			out = append(out, jsonDiff(path+"/"+k, am[k], bm[k])...)
		}
		for _, k := range slices.Sorted(maps.Keys(bm)) {
			if _, ok := am[k]; !ok {
				out = append(out, jsonDiff(path+"/"+k, nil, bm[k])...)
			}
		}
		return out
	}
	if reflect.DeepEqual(a, b) {
		return nil
	}
	as, _ := json.Marshal(a)
	bs, _ := json.Marshal(b)
	return []string{fmt.Sprintf("%s: %s vs %s", path, as, bs)}
}
