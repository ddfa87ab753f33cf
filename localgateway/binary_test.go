package localgateway

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestBinaryMatch(t *testing.T) {
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	for _, tt := range []struct {
		types  []string
		header string
		want   bool
	}{
		{nil, "application/octet-stream", false},
		{[]string{"*/*"}, browser, true},
		{[]string{"*/*"}, "", true}, // no header at all
		{[]string{"application/octet-stream"}, "application/octet-stream", true},
		{[]string{"application/octet-stream"}, "Application/Octet-Stream; q=0.5, text/html", true},
		// Only the first media type counts.
		{[]string{"application/octet-stream"}, "text/html, application/octet-stream", false},
		{[]string{"image/*"}, "image/png", true},
		{[]string{"image/*"}, "imagex/png", false},
		{[]string{"image/*"}, "text/plain", false},
		// The client's wildcard is not expanded.
		{[]string{"image/png"}, "*/*", false},
		{[]string{"image/png"}, "", false},
		{[]string{"text/csv", "image/png"}, "image/png", true},
		{[]string{"application/x-www-form-urlencoded"}, "application/x-www-form-urlencoded; charset=utf-8", true},
	} {
		if got := binaryMatch(tt.types, tt.header); got != tt.want {
			t.Errorf("binaryMatch(%q, %q) = %v, want %v", tt.types, tt.header, got, tt.want)
		}
	}
}

// fixedFn is a function that answers every invocation with resp and keeps
// the event it was given.
type fixedFn struct {
	resp  any
	event []byte
}

func (f *fixedFn) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	f.event = payload
	return json.Marshal(f.resp)
}

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// serve sends one request through g, straight to its ServeHTTP (no client
// that could decompress or decode anything on the way); a header pair with
// an empty value is left out.
func serve(g *Gateway, method, target, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] != "" {
			req.Header.Set(header[i], header[i+1])
		}
	}
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, req)
	return rec
}

// A REST API turns a function's base64 answer back into bytes only when
// the request's first Accept type is one of its binaryMediaTypes; else the
// client gets the base64 text — a gzip'd report behind an API without
// binaryMediaTypes arrives as base64 that no browser can read.
func TestRESTBinaryResponse(t *testing.T) {
	gz := gzipped(t, "Region,Quarter\n")
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	for _, tt := range []struct {
		name    string
		types   []string
		accept  string
		decoded bool
	}{
		{"no binaryMediaTypes", nil, browser, false},
		{"no binaryMediaTypes, binary Accept", nil, "application/octet-stream", false},
		{"*/* and a browser", []string{"*/*"}, browser, true},
		{"*/* and no Accept", []string{"*/*"}, "", true},
		{"a script's Accept", []string{"text/csv"}, "text/csv", true},
		{"the type second in Accept", []string{"text/csv"}, "text/html, text/csv", false},
		// The answer's own Content-Type (text/csv) plays no part.
		{"Accept not binary", []string{"text/csv"}, "application/json", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fn := &fixedFn{resp: events.APIGatewayProxyResponse{
				StatusCode:        200,
				MultiValueHeaders: map[string][]string{"Content-Type": {"text/csv"}, "Content-Encoding": {"gzip"}},
				Body:              base64.StdEncoding.EncodeToString(gz),
				IsBase64Encoded:   true,
			}}
			g := New(REST, "dev", fn, "GET /report")
			g.BinaryMediaTypes = tt.types
			rec := serve(g, "GET", "/dev/report", "", "Accept", tt.accept)
			want := gz
			if !tt.decoded {
				want = []byte(base64.StdEncoding.EncodeToString(gz))
			}
			if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), want) || rec.Header().Get("Content-Encoding") != "gzip" {
				t.Errorf("%d %v %q, want the body %s", rec.Code, rec.Header(), rec.Body.Bytes(), map[bool]string{true: "as bytes", false: "as base64 text"}[tt.decoded])
			}
		})
	}
	// A text answer goes out as it is, whatever the setting.
	fn := &fixedFn{resp: events.APIGatewayProxyResponse{StatusCode: 200, Body: "aGk="}}
	g := New(REST, "dev", fn, "GET /report")
	g.BinaryMediaTypes = []string{"*/*"}
	if rec := serve(g, "GET", "/dev/report", ""); rec.Body.String() != "aGk=" {
		t.Errorf("text answer: %q", rec.Body.String())
	}
}

// A request whose Content-Type is one of the binaryMediaTypes reaches the
// function base64-encoded; any other body as text.
func TestRESTBinaryRequest(t *testing.T) {
	const form = "username=anna&password=%C3%A4+%26"
	for _, tt := range []struct {
		name        string
		types       []string
		method      string
		contentType string
		body        string
		base64      bool
	}{
		{"no binaryMediaTypes", nil, "POST", "application/x-www-form-urlencoded", form, false},
		{"*/* takes the form", []string{"*/*"}, "POST", "application/x-www-form-urlencoded", form, true},
		{"*/* takes a body without a type", []string{"*/*"}, "PUT", "", "raw", true},
		{"*/* and no body", []string{"*/*"}, "GET", "", "", false},
		{"a listed type", []string{"image/png"}, "POST", "image/png", "\x89PNG\r\n", true},
		{"a type not listed", []string{"image/png"}, "POST", "application/x-www-form-urlencoded", form, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fn := &fixedFn{resp: events.APIGatewayProxyResponse{StatusCode: 204}}
			g := New(REST, "dev", fn, "ANY /report")
			g.BinaryMediaTypes = tt.types
			if rec := serve(g, tt.method, "/dev/report", tt.body, "Content-Type", tt.contentType); rec.Code != 204 {
				t.Fatalf("status %d", rec.Code)
			}
			var e events.APIGatewayProxyRequest
			if err := json.Unmarshal(fn.event, &e); err != nil {
				t.Fatal(err)
			}
			want := tt.body
			if tt.base64 {
				want = base64.StdEncoding.EncodeToString([]byte(tt.body))
			}
			if e.IsBase64Encoded != tt.base64 || e.Body != want {
				t.Errorf("event body %q isBase64Encoded %v, want %q %v", e.Body, e.IsBase64Encoded, want, tt.base64)
			}
		})
	}
}

// An HTTP API has no binaryMediaTypes: it decodes a base64 answer for
// every client.
func TestHTTPAPIDecodesBase64(t *testing.T) {
	gz := gzipped(t, "[]")
	fn := &fixedFn{resp: events.APIGatewayV2HTTPResponse{
		StatusCode:      200,
		Headers:         map[string]string{"Content-Type": "application/json", "Content-Encoding": "gzip"},
		Body:            base64.StdEncoding.EncodeToString(gz),
		IsBase64Encoded: true,
	}}
	g := New(HTTP, "", fn, "GET /report")
	for _, accept := range []string{"", "text/html", "application/json"} {
		if rec := serve(g, "GET", "/report", "", "Accept", accept); rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), gz) {
			t.Errorf("Accept %q: %d %q, want the gzip bytes", accept, rec.Code, rec.Body.Bytes())
		}
	}
}

// The report gzips its answers for clients that take gzip, as every
// browser does. Behind a REST API without binaryMediaTypes such a browser
// gets the base64 text of the gzip stream under Content-Encoding: gzip —
// a page it cannot read; with "*/*", as serverless.yml deploys it, the
// gzip bytes.
func TestRESTGzip(t *testing.T) {
	for _, tt := range []struct {
		types   []string
		decoded bool
	}{
		{nil, false},
		{[]string{"*/*"}, true},
	} {
		srv := server(t, REST, cfg, func(g *Gateway) { g.BinaryMediaTypes = tt.types })
		// Accept-Encoding set by hand: the client leaves the body as sent.
		r := do(t, http.DefaultClient, "GET", srv.URL+"/dev/report", "",
			"Accept", htmlAccept, "Accept-Encoding", "gzip", "Authorization", "Basic YW5uYTpjb3JyZWN0IGhvcnNl")
		gz := []byte(r.Body)
		if !tt.decoded {
			var err error
			if gz, err = base64.StdEncoding.DecodeString(r.Body); err != nil {
				t.Fatalf("binaryMediaTypes %q: the body is not the base64 text: %v %.40q", tt.types, err, r.Body)
			}
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatalf("binaryMediaTypes %q: %d %v %.40q: not gzip", tt.types, r.Status, r.Header, gz)
		}
		page, err := io.ReadAll(zr)
		if r.Status != 200 || r.Header.Get("Content-Encoding") != "gzip" || err != nil || !bytes.Contains(page, []byte(`<main id="report">`)) {
			t.Errorf("binaryMediaTypes %q: %d %v %v %.80q", tt.types, r.Status, r.Header, err, page)
		}
	}
}
