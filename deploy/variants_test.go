package deploy

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestHTTPAPI(t *testing.T) {
	tmpl, raw := pkg(t, "examples/http-api", testParams...)
	checkFunction(t, tmpl, raw)
	checkReportSource(t, raw, defaultSource)
	checkRESTAPIs(t, tmpl, 0) // an HTTP API takes isBase64Encoded as is: no binaryMediaTypes
	var keys []string
	for _, r := range tmpl.GetAllApiGatewayV2RouteResources() {
		keys = append(keys, r.RouteKey)
	}
	slices.Sort(keys)
	if want := []string{"ANY /report", "ANY /report/{proxy+}"}; !slices.Equal(keys, want) {
		t.Errorf("routes %v, want %v", keys, want)
	}
	for name, in := range tmpl.GetAllApiGatewayV2IntegrationResources() {
		if in.IntegrationType != "AWS_PROXY" || in.PayloadFormatVersion == nil || *in.PayloadFormatVersion != "2.0" {
			t.Errorf("%s: %s payload %v, want AWS_PROXY 2.0", name, in.IntegrationType, in.PayloadFormatVersion)
		}
	}
}

func TestFunctionURL(t *testing.T) {
	tmpl, raw := pkg(t, "examples/function-url", testParams...)
	checkFunction(t, tmpl, raw)
	checkReportSource(t, raw, defaultSource)
	urls := tmpl.GetAllLambdaUrlResources()
	if len(urls) != 1 {
		t.Fatalf("%d function URLs, want 1", len(urls))
	}
	for _, u := range urls {
		// formgate asks for the password itself; IAM auth would shut browsers out.
		if u.AuthType != "NONE" {
			t.Errorf("function URL auth type %q, want NONE", u.AuthType)
		}
	}
	if len(tmpl.GetAllApiGatewayMethodResources()) != 0 {
		t.Error("the Function URL variant needs no API Gateway")
	}
	checkRESTAPIs(t, tmpl, 0) // a Function URL takes isBase64Encoded as is
}

func TestNativePrompt(t *testing.T) {
	tmpl, raw := pkg(t, "examples/native-prompt", testParams...)
	checkFunction(t, tmpl, raw)
	checkReportSource(t, raw, defaultSource)
	checkRESTAPIs(t, tmpl, 1)
	fn, _ := tmpl.GetLambdaFunctionWithName("ReportLambdaFunction")
	if fn.Environment.Variables["TRUST_AUTHORIZER"] != "true" {
		t.Error("report function does not trust the authorizer")
	}
	az, err := tmpl.GetLambdaFunctionWithName("AuthorizerLambdaFunction")
	if err != nil {
		t.Fatal(err)
	}
	if *az.Runtime != "provided.al2023" || !slices.Equal(az.Architectures, []string{"arm64"}) || *az.Handler != "bootstrap" ||
		!dynamicRef.MatchString(az.Environment.Variables["AUTH_PASSWORD_HASH"]) || az.Environment.Variables["AUTH_USERNAME"] != "anna" {
		t.Errorf("authorizer function: %v %v %v %v", *az.Runtime, az.Architectures, *az.Handler, az.Environment.Variables)
	}
	if !strings.Contains(raw, "/authorizer.zip") {
		t.Error("authorizer is not deployed from dist/authorizer.zip")
	}

	a, err := tmpl.GetApiGatewayAuthorizerWithName("AuthorizerApiGatewayAuthorizer")
	if err != nil {
		t.Fatal(err)
	}
	if a.Type != "TOKEN" || a.IdentitySource == nil || *a.IdentitySource != "method.request.header.Authorization" {
		t.Errorf("authorizer type %q identity %v", a.Type, a.IdentitySource)
	}
	for name, m := range tmpl.GetAllApiGatewayMethodResources() {
		if m.AuthorizationType == nil || *m.AuthorizationType != "CUSTOM" {
			t.Errorf("%s is not behind the authorizer", name)
		}
	}

	gr, err := tmpl.GetApiGatewayGatewayResponseWithName("UnauthorizedResponse")
	if err != nil {
		t.Fatal(err)
	}
	challenge := gr.ResponseParameters["gatewayresponse.header.WWW-Authenticate"]
	if gr.ResponseType != "UNAUTHORIZED" || gr.StatusCode == nil || *gr.StatusCode != "401" ||
		challenge != `'Basic realm="Sales", charset="UTF-8"'` {
		t.Errorf("gateway response %s %v, WWW-Authenticate %q", gr.ResponseType, gr.StatusCode, challenge)
	}
}

func TestCloudFront(t *testing.T) {
	tmpl, raw := pkg(t, "examples/cloudfront", testParams...)
	checkFunction(t, tmpl, raw)
	checkReportSource(t, raw, defaultSource)
	checkRESTAPIs(t, tmpl, 1)
	fn, _ := tmpl.GetLambdaFunctionWithName("ReportLambdaFunction")
	env := fn.Environment.Variables
	if env["CHALLENGE_HEADER"] != "X-WWW-Authenticate" || env["BROWSER_LOGIN"] != "prompt" {
		t.Errorf("report env %v: want the challenge in X-WWW-Authenticate, sent to browsers", env)
	}

	edge, err := tmpl.GetLambdaFunctionWithName("RenameChallengeLambdaFunction")
	if err != nil {
		t.Fatal(err)
	}
	if edge.Runtime == nil || !strings.HasPrefix(*edge.Runtime, "nodejs") || *edge.Handler != "edge/index.handler" {
		t.Errorf("edge function runtime %v handler %v: Lambda@Edge runs Node.js or Python only", edge.Runtime, edge.Handler)
	}
	if edge.Environment != nil {
		t.Error("Lambda@Edge functions may not have environment variables")
	}

	d, err := tmpl.GetCloudFrontDistributionWithName("CloudFrontDistribution")
	if err != nil {
		t.Fatal(err)
	}
	b := d.DistributionConfig.DefaultCacheBehavior
	var events []string
	for _, a := range b.LambdaFunctionAssociations {
		if a.EventType != nil {
			events = append(events, *a.EventType)
		}
	}
	// origin-response: viewer-response triggers do not run when the origin answers 401.
	if !slices.Equal(events, []string{"origin-response"}) {
		t.Errorf("Lambda@Edge events %v, want [origin-response]", events)
	}
	if !slices.Contains(b.AllowedMethods, "POST") {
		t.Errorf("allowed methods %v: the form needs POST", b.AllowedMethods)
	}
	for _, o := range d.DistributionConfig.Origins {
		if o.OriginPath != nil && *o.OriginPath != "" {
			t.Errorf("origin path %q: the stage must stay in the public URL for the cookie path", *o.OriginPath)
		}
	}
	var found bool
	for _, cp := range tmpl.GetAllCloudFrontCachePolicyResources() {
		h := cp.CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig.Headers
		// Only a cache policy can forward Authorization to the origin.
		found = found || slices.Contains(h, "Authorization")
	}
	if !found {
		t.Error("no cache policy forwards the Authorization header")
	}
}

// The library example deploys its own application the same way: every
// path under /app to the function, /healthz beside it.
func TestLibraryExample(t *testing.T) {
	tmpl, raw := pkg(t, "examples/library", testParams...)
	checkFunctionNamed(t, tmpl, raw, "App")
	checkRESTAPIs(t, tmpl, 1)
	want := []string{"ANY /app", "ANY /app/{proxy+}", "GET /healthz"}
	if got := routes(t, tmpl, raw); !slices.Equal(got, want) {
		t.Errorf("routes %v, want %v", got, want)
	}
	if !strings.Contains(raw, "/library.zip") {
		t.Error("the example is not deployed from dist/library.zip")
	}
}

// The shared-table variant makes its table (on demand, TTL on "ttl", key
// "pk") and lets the function do only formgate's four item actions, only
// on that table.
func TestSharedTable(t *testing.T) {
	tmpl, raw := pkg(t, "examples/shared-table", testParams...)
	checkFunction(t, tmpl, raw)
	// Always the zip with the AWS SDK, which the DynamoDB store needs.
	checkReportSource(t, raw, reportSource{csv: "", refresh: "60s", zip: "report-shared.zip"})
	checkRESTAPIs(t, tmpl, 1)
	tab, err := tmpl.GetDynamoDBTableWithName("FormgateTable")
	if err != nil {
		t.Fatal(err)
	}
	if tab.BillingMode == nil || *tab.BillingMode != "PAY_PER_REQUEST" || tab.TimeToLiveSpecification == nil ||
		!tab.TimeToLiveSpecification.Enabled || tab.TimeToLiveSpecification.AttributeName == nil || *tab.TimeToLiveSpecification.AttributeName != "ttl" ||
		len(tab.KeySchema) != 1 || tab.KeySchema[0].AttributeName != "pk" || tab.KeySchema[0].KeyType != "HASH" {
		t.Errorf("table: %s", mustJSON(t, tab))
	}
	// goformation drops intrinsic functions from typed fields: read the
	// environment and the role from the raw template.
	var doc struct {
		Resources map[string]struct {
			Properties json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	compact := func(b json.RawMessage) string {
		var out bytes.Buffer
		json.Compact(&out, b)
		return out.String()
	}
	fn := compact(doc.Resources["ReportLambdaFunction"].Properties)
	if !strings.Contains(fn, `"FORMGATE_TABLE":{"Ref":"FormgateTable"}`) {
		t.Errorf("FORMGATE_TABLE does not name the table: %s", fn)
	}
	role := compact(doc.Resources["IamRoleLambdaExecution"].Properties)
	if !strings.Contains(raw, "/report-shared.zip") {
		t.Error("the shared-table variant must deploy the build with the DynamoDB store (report-shared.zip)")
	}
	if strings.Count(role, "dynamodb:") != 4 || !strings.Contains(role, `"dynamodb:UpdateItem","dynamodb:PutItem","dynamodb:BatchGetItem","dynamodb:GetItem"`) ||
		!strings.Contains(role, `"Resource":{"Fn::GetAtt":["FormgateTable","Arn"]}`) {
		t.Errorf("the role's DynamoDB rights: %s", role)
	}
}
