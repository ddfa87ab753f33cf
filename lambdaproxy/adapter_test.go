package lambdaproxy

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/formgate/formgate/internal/frontdoor"
)

// echo answers with what the handler saw, and sets two cookies so the
// response side can be checked for merging.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Add("Set-Cookie", "a=1; Path=/")
	w.Header().Add("Set-Cookie", "b=2; Path=/")
	w.Header().Add("X-Multi", "one")
	w.Header().Add("X-Multi", "two")
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"method": r.Method, "path": r.URL.Path, "query": r.URL.Query(), "host": r.Host,
		"accept": r.Header.Get("Accept"), "cookie": r.Header.Get("Cookie"), "multi": r.Header.Values("X-Multi"),
		"body": string(body), "prefix": frontdoor.From(r.Context()).Prefix, "principal": frontdoor.From(r.Context()).Principal, "remote": r.RemoteAddr,
		"uri": r.RequestURI, "length": r.ContentLength,
	})
})

type seen struct {
	Method, Path, Host, Accept, Cookie, Body, Prefix, Remote, URI string
	Principal                                                     string
	Query                                                         map[string][]string
	Multi                                                         []string
	Length                                                        int64
}

func invoke(t *testing.T, h http.Handler, event string) map[string]any {
	t.Helper()
	out, err := New(h, slog.New(slog.DiscardHandler)).Invoke(context.Background(), []byte(event))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func seenIn(t *testing.T, resp map[string]any) seen {
	t.Helper()
	body := resp["body"].(string)
	if resp["isBase64Encoded"] == true {
		b, _ := base64.StdEncoding.DecodeString(body)
		body = string(b)
	}
	var s seen
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	return s
}

func TestRequestMapping(t *testing.T) {
	form := base64.StdEncoding.EncodeToString([]byte("username=J%C3%BCrgen&password=p%26w"))
	tests := []struct {
		name  string
		event string
		want  seen
	}{
		{"rest v1 multi-value, stage, lower-case header", `{"httpMethod":"POST","path":"/report",
			"multiValueHeaders":{"accept":["text/html"],"x-multi":["one","two"],"Host":["h.example"]},
			"headers":{"accept":"ignored when multi-value is there"},
			"multiValueQueryStringParameters":{"format":["csv"],"q":["a b","c&d"]},
			"requestContext":{"path":"/dev/report","stage":"dev","identity":{"sourceIp":"203.0.113.9"}},
			"body":"plain","isBase64Encoded":false}`,
			seen{Method: "POST", Path: "/report", Host: "h.example", Accept: "text/html", Body: "plain", Prefix: "/dev",
				Remote: "203.0.113.9:0", URI: "/report?format=csv&q=a+b&q=c%26d", Multi: []string{"one", "two"}, Length: 5,
				Query: map[string][]string{"format": {"csv"}, "q": {"a b", "c&d"}}}},
		{"rest v1 single-value only, custom domain", `{"httpMethod":"GET","path":"/report",
			"headers":{"Accept":"*/*","Cookie":"x=y"},"queryStringParameters":{"format":"json"},
			"requestContext":{"path":"/report","domainName":"reports.example.com","identity":{"sourceIp":"198.51.100.1"}}}`,
			seen{Method: "GET", Path: "/report", Host: "reports.example.com", Accept: "*/*", Cookie: "x=y", Remote: "198.51.100.1:0",
				URI: "/report?format=json", Query: map[string][]string{"format": {"json"}}}},
		{"rest v1 authorizer principal", `{"httpMethod":"GET","path":"/report","headers":{"Authorization":"Basic YW5uYTpwdw=="},
			"requestContext":{"path":"/dev/report","domainName":"d","authorizer":{"principalId":"anna","integrationLatency":12}}}`,
			seen{Method: "GET", Path: "/report", Host: "d", Prefix: "/dev", Principal: "anna", URI: "/report"}},
		{"http v2 cookies array and base64 body", `{"version":"2.0","rawPath":"/report","rawQueryString":"format=csv&x=%2F",
			"cookies":["a=1","formgate=v"],"headers":{"accept":"text/html","x-multi":"one,two","host":"api.example"},
			"requestContext":{"http":{"method":"POST","sourceIp":"203.0.113.5"},"stage":"$default","domainName":"api.example"},
			"body":"` + form + `","isBase64Encoded":true}`,
			seen{Method: "POST", Path: "/report", Host: "api.example", Accept: "text/html", Cookie: "a=1; formgate=v",
				Body: "username=J%C3%BCrgen&password=p%26w", Remote: "203.0.113.5:0", URI: "/report?format=csv&x=%2F",
				Multi: []string{"one,two"}, Length: 35, Query: map[string][]string{"format": {"csv"}, "x": {"/"}}}},
		{"http v2 named stage", `{"version":"2.0","rawPath":"/prod/report/logout","headers":{},
			"requestContext":{"http":{"method":"POST"},"stage":"prod","domainName":"api.example"}}`,
			seen{Method: "POST", Path: "/report/logout", Host: "api.example", Prefix: "/prod", URI: "/report/logout"}},
		{"function url", `{"version":"2.0","rawPath":"/report","rawQueryString":"","headers":{"accept":"*/*"},
			"requestContext":{"http":{"method":"GET","sourceIp":"192.0.2.1"},"domainName":"x.lambda-url.eu-west-1.on.aws"}}`,
			seen{Method: "GET", Path: "/report", Host: "x.lambda-url.eu-west-1.on.aws", Accept: "*/*", Remote: "192.0.2.1:0", URI: "/report"}},
		{"alb raw query, client from X-Forwarded-For", `{"requestContext":{"elb":{"targetGroupArn":"arn"}},"httpMethod":"GET","path":"/report",
			"queryStringParameters":{"q":"a%20b"},"headers":{"host":"alb.example","x-forwarded-for":"10.9.9.9, 203.0.113.44","accept":"text/csv"},
			"body":"","isBase64Encoded":false}`,
			seen{Method: "GET", Path: "/report", Host: "alb.example", Accept: "text/csv", Remote: "203.0.113.44:0", URI: "/report?q=a%20b",
				Query: map[string][]string{"q": {"a b"}}}},
		{"alb multi-value X-Forwarded-For: the rightmost entry", `{"requestContext":{"elb":{}},"httpMethod":"GET","path":"/report",
			"multiValueHeaders":{"x-forwarded-for":["198.51.100.1, 10.0.0.1","203.0.113.77"]}}`,
			seen{Method: "GET", Path: "/report", Remote: "203.0.113.77:0", URI: "/report"}},
		{"alb X-Forwarded-For that is no address", `{"requestContext":{"elb":{}},"httpMethod":"GET","path":"/report",
			"headers":{"x-forwarded-for":"1.2.3.4, not-an-ip"}}`,
			seen{Method: "GET", Path: "/report", URI: "/report"}},
		// Paths are taken as paths: a leading // is no host, and the escaped
		// paths of v2 and ALB are decoded (with their encoding kept).
		{"rest v1 path with a leading //", `{"httpMethod":"GET","path":"//evil.com/report","requestContext":{"path":"/dev//evil.com/report"}}`,
			seen{Method: "GET", Path: "//evil.com/report", Prefix: "/dev", URI: "//evil.com/report"}},
		{"http v2 escaped path", `{"version":"2.0","rawPath":"/report/a%2Fb%20c","requestContext":{"http":{"method":"GET"}}}`,
			seen{Method: "GET", Path: "/report/a/b c", URI: "/report/a%2Fb%20c"}},
		{"alb escaped path", `{"requestContext":{"elb":{}},"httpMethod":"GET","path":"/report/%2e%2e/x","headers":{}}`,
			seen{Method: "GET", Path: "/report/../x", URI: "/report/%2e%2e/x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := seenIn(t, invoke(t, echo, tt.event))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("handler saw\n %+v\nwant\n %+v", got, tt.want)
			}
		})
	}
}

func TestResponseCookiesAndHeaders(t *testing.T) {
	v1 := invoke(t, echo, `{"httpMethod":"GET","path":"/","requestContext":{}}`)
	mv := v1["multiValueHeaders"].(map[string]any)
	if fmt.Sprint(mv["Set-Cookie"]) != "[a=1; Path=/ b=2; Path=/]" || fmt.Sprint(mv["X-Multi"]) != "[one two]" {
		t.Errorf("v1 multiValueHeaders lost values: %v", mv)
	}
	v2 := invoke(t, echo, `{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"GET"}}}`)
	if fmt.Sprint(v2["cookies"]) != "[a=1; Path=/ b=2; Path=/]" {
		t.Errorf("v2 cookies = %v", v2["cookies"])
	}
	h := v2["headers"].(map[string]any)
	if _, ok := h["Set-Cookie"]; ok || h["X-Multi"] != "one, two" {
		t.Errorf("v2 headers = %v", h)
	}
	albMulti := invoke(t, echo, `{"requestContext":{"elb":{}},"httpMethod":"GET","path":"/","multiValueHeaders":{"accept":["*/*"]}}`)
	if fmt.Sprint(albMulti["multiValueHeaders"].(map[string]any)["Set-Cookie"]) != "[a=1; Path=/ b=2; Path=/]" || albMulti["statusDescription"] != "200 OK" {
		t.Errorf("ALB multi-value response = %v", albMulti)
	}
	albSingle := invoke(t, echo, `{"requestContext":{"elb":{}},"httpMethod":"GET","path":"/","headers":{"accept":"*/*"}}`)
	if albSingle["headers"].(map[string]any)["Set-Cookie"] != "a=1; Path=/" || albSingle["multiValueHeaders"] != nil {
		t.Errorf("ALB single-value response = %v", albSingle)
	}
}

func TestResponseBodies(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00binary")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(png)
		case "/latin1":
			w.Header().Set("Content-Type", "text/plain; charset=iso-8859-1")
			w.Write([]byte("caf\xe9"))
		default:
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			io.WriteString(w, "a,b\n")
		}
	})
	for _, tt := range []struct {
		path, method string
		b64          bool
		body         string
	}{
		{"/png", "GET", true, base64.StdEncoding.EncodeToString(png)},
		{"/latin1", "GET", true, base64.StdEncoding.EncodeToString([]byte("caf\xe9"))},
		{"/csv", "GET", false, "a,b\n"},
		{"/csv", "HEAD", false, ""},
	} {
		r := invoke(t, h, `{"version":"2.0","rawPath":"`+tt.path+`","requestContext":{"http":{"method":"`+tt.method+`"}}}`)
		if r["isBase64Encoded"] != tt.b64 || r["body"] != tt.body {
			t.Errorf("%s %s: isBase64Encoded=%v body=%q", tt.method, tt.path, r["isBase64Encoded"], r["body"])
		}
	}
}

func TestBadInput(t *testing.T) {
	a := New(echo, slog.New(slog.DiscardHandler))
	for _, ev := range []string{`{}`, `[]`, `not json`, `{"Records":[{"eventSource":"aws:sqs"}]}`} {
		if _, err := a.Invoke(context.Background(), []byte(ev)); !errors.Is(err, ErrUnknownEvent) {
			t.Errorf("%s: err = %v, want ErrUnknownEvent", ev, err)
		}
	}
	// A body that is not the base64 it claims to be is the client's fault:
	// 400, in the door's shape, with the headers every answer has and the
	// request's log line.
	var logs bytes.Buffer
	out, err := New(echo, slog.New(slog.NewTextHandler(&logs, nil))).Invoke(context.Background(),
		[]byte(`{"version":"2.0","rawPath":"/report","requestContext":{"http":{"method":"POST","sourceIp":"203.0.113.5"}},"body":"***","isBase64Encoded":true}`))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
	}
	json.Unmarshal(out, &r)
	if r.StatusCode != 400 || !strings.Contains(r.Body, "not valid base64") || r.Headers["Cache-Control"] != "no-store" || r.Headers["X-Content-Type-Options"] != "nosniff" {
		t.Errorf("bad base64: %s", out)
	}
	if !strings.Contains(logs.String(), "msg=request method=POST path=/report status=400 remote=203.0.113.5:0") {
		t.Errorf("no request log line for the rejected event:\n%s", logs.String())
	}
	// The token of a share link in the path never reaches the log.
	logs.Reset()
	const token = "AXNoYXJlLWxpbvSGVwBUKRaPyfhzeWFubmFoUDHXb9NrQCMmYxOJ0LQq"
	New(echo, slog.New(slog.NewTextHandler(&logs, nil))).Invoke(context.Background(),
		[]byte(`{"version":"2.0","rawPath":"/report/_formgate/share/`+token+`","requestContext":{"http":{"method":"GET","sourceIp":"203.0.113.5"}},"body":"***","isBase64Encoded":true}`))
	if !strings.Contains(logs.String(), "path=/report/_formgate/share/[token] status=400") || strings.Contains(logs.String(), token[:20]) {
		t.Errorf("the share link's token in the log:\n%s", logs.String())
	}
	// A path that is not valid percent-encoding: 400, nothing quoted.
	if r := invoke(t, echo, `{"version":"2.0","rawPath":"/report/%zz","requestContext":{"http":{"method":"GET"}}}`); r["statusCode"] != 400.0 || !strings.Contains(r["body"].(string), "not valid percent-encoding") {
		t.Errorf("bad path encoding: %v", r)
	}
	// A field of the wrong type is a broken event, not a request.
	if _, err := a.Invoke(context.Background(), []byte(`{"httpMethod":"GET","path":42}`)); err == nil {
		t.Error("malformed v1 event: want an error")
	}
}

// FuzzInvoke: no event, however odd, panics the adapter. Every event gets
// a response of a real status — for a request no handler can read, the
// adapter's own 400 in the door's shape — or an invocation error of the
// adapter's own (an event of no known shape, or a malformed one); neither
// ever echoes the credentials the event carried.
func FuzzInvoke(f *testing.F) {
	const credential = "YW5uYTpjb3JyZWN0IGhvcnNl" // Basic anna:correct horse, in the fixtures
	files, _ := filepath.Glob("testdata/*.json")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Add([]byte(`{"version":"2.0","rawPath":"report","requestContext":{"http":{"method":"G ET"}},"headers":{"authorization":"Basic ` + credential + `"}}`))
	f.Add([]byte(`{"version":"2.0","rawPath":"/report","requestContext":{"http":{"method":"GET"}},"headers":{"authorization":"Basic ` + credential + `"},"body":"` + credential + `*","isBase64Encoded":true}`))
	f.Add([]byte(`{"httpMethod":"GET","path":"/report","headers":{"Authorization":["Basic ` + credential + `"]}}`))
	// The handler answers without echoing anything: whatever the answer
	// holds of the event, the adapter put there.
	fixed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	a := New(fixed, slog.New(slog.DiscardHandler))
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := a.Invoke(context.Background(), payload)
		if err != nil {
			if !errors.Is(err, ErrUnknownEvent) && !strings.HasPrefix(err.Error(), "lambdaproxy: decode ") {
				t.Fatalf("an error not of the adapter's kinds: %v", err)
			}
			if out != nil {
				t.Fatalf("an error and an answer: %v, %s", err, out)
			}
			if strings.Contains(err.Error(), credential) {
				t.Fatalf("the error echoes the credential: %v", err)
			}
			return
		}
		var r struct {
			StatusCode int    `json:"statusCode"`
			Body       string `json:"body"`
		}
		if json.Unmarshal(out, &r) != nil || r.StatusCode < 100 || r.StatusCode > 599 {
			t.Fatalf("bad response %s", out)
		}
		if r.StatusCode != 200 && (r.StatusCode != 400 || !strings.HasPrefix(r.Body, "400 Bad Request: ")) {
			t.Fatalf("neither the handler's answer nor the adapter's 400: %s", out)
		}
		if bytes.Contains(out, []byte(credential)) {
			t.Fatalf("the answer echoes the credential: %s", out)
		}
	})
}

// TestNilLogger: a nil logger is slog.Default(), as everywhere in
// formgate: a good event is served, and an event of no known shape is
// logged there and answered with an error, not a panic.
func TestNilLogger(t *testing.T) {
	var logs bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	a := New(echo, nil)
	out, err := a.Invoke(context.Background(), []byte(`{"version":"2.0","rawPath":"/report","requestContext":{"http":{"method":"GET"}}}`))
	if err != nil || !strings.Contains(string(out), `"statusCode":200`) {
		t.Fatalf("good event: %s, %v", out, err)
	}
	if _, err := a.Invoke(context.Background(), []byte(`{}`)); !errors.Is(err, ErrUnknownEvent) {
		t.Fatalf("{}: err = %v, want ErrUnknownEvent", err)
	}
	if !strings.Contains(logs.String(), "unknown event") {
		t.Errorf("slog.Default() did not get the unknown event:\n%s", logs.String())
	}
}

// TestRedirectsKeepTheStage: an app's idiomatic redirects write absolute
// paths of the function's own (no stage); behind each front door the
// client gets a Location that works from where it is.
func TestRedirectsKeepTheStage(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/app/", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "home") }) // /app → /app/ by ServeMux: 301
	mux.HandleFunc("/app/new", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/app/", http.StatusSeeOther) })
	mux.HandleFunc("/app/rel", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "new") // http.Redirect would make it absolute
		w.WriteHeader(http.StatusSeeOther)
	})
	mux.HandleFunc("/app/far", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "//evil.example/x")
		w.WriteHeader(http.StatusFound)
	})
	rest := func(path, stage string) string {
		return `{"httpMethod":"GET","path":"` + path + `","headers":{"Host":"abc.execute-api.eu-west-1.amazonaws.com"},
			"requestContext":{"stage":"` + stage + `","path":"/` + stage + path + `","domainName":"abc.execute-api.eu-west-1.amazonaws.com"}}`
	}
	v2 := func(rawPath, stage, domain string) string {
		return `{"version":"2.0","rawPath":"` + rawPath + `","headers":{"host":"` + domain + `"},
			"requestContext":{"stage":"` + stage + `","domainName":"` + domain + `","http":{"method":"GET","path":"` + rawPath + `"}}}`
	}
	alb := func(path string) string {
		return `{"httpMethod":"GET","path":"` + path + `","headers":{"host":"lb.example"},"requestContext":{"elb":{"targetGroupArn":"arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/t/1"}}}`
	}
	const api, url = "abc.execute-api.eu-west-1.amazonaws.com", "abc.lambda-url.eu-west-1.on.aws"
	for _, tt := range []struct {
		door, event, want string
	}{
		{"REST, stage dev: http.Redirect", rest("/app/new", "dev"), "/dev/app/"},
		{"REST, stage dev: ServeMux's own", rest("/app", "dev"), "/dev/app/"},
		{"REST, stage dev: relative stays", rest("/app/rel", "dev"), "new"},
		{"REST, stage dev: another host stays", rest("/app/far", "dev"), "//evil.example/x"},
		{"HTTP API, $default", v2("/app/new", "$default", api), "/app/"},
		{"HTTP API, stage dev", v2("/dev/app/new", "dev", api), "/dev/app/"},
		{"HTTP API, stage dev: ServeMux's own", v2("/dev/app", "dev", api), "/dev/app/"},
		{"Function URL", v2("/app/new", "$default", url), "/app/"},
		{"ALB", alb("/app/new"), "/app/"},
		{"ALB: ServeMux's own", alb("/app"), "/app/"},
	} {
		r := invoke(t, mux, tt.event)
		loc := ""
		if h, ok := r["headers"].(map[string]any); ok && h["Location"] != nil {
			loc, _ = h["Location"].(string)
		}
		if mh, ok := r["multiValueHeaders"].(map[string]any); ok && mh["Location"] != nil {
			loc, _ = mh["Location"].([]any)[0].(string)
		}
		if loc != tt.want {
			t.Errorf("%s: Location %q, want %q (%v)", tt.door, loc, tt.want, r)
		}
	}
}
