// Package localgateway puts an emulated API Gateway in front of a Lambda
// function — or of any http.Handler, through package lambdaproxy, as it
// would run on Lambda — on your own machine: each HTTP request becomes the
// event a REST API (payload v1) or an HTTP API (payload v2) sends, goes
// through the function's real entry point, and the event response becomes
// the HTTP response, with the gateway's quirks kept: WWW-Authenticate
// renamed to x-amzn-Remapped-WWW-Authenticate, the stage in the path, a
// REST API's binaryMediaTypes (which decide whether a base64 body is turned
// into bytes), and unknown routes answered as the gateway does (a REST
// API's 403 "Missing Authentication Token", an HTTP API's 404).
//
// Use it in tests, to see what a deployed gateway does to a handler's
// links, redirects and cookies, and in a development server, to click
// through it in a browser, with no AWS account and no Docker:
//
//	gw := localgateway.Handler(localgateway.REST, "dev", app) // http://127.0.0.1:8080/dev/…
//	log.Fatal(http.ListenAndServe("127.0.0.1:8080", gw))
//
// It is a development aid, not a gateway: no authorizers, throttling or
// payload limits.
package localgateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/formgate/formgate/lambdaproxy"
)

// Kind is the gateway emulated.
type Kind string

// The gateways Gateway emulates.
const (
	REST Kind = "rest" // REST API, payload v1, the stage in the path
	HTTP Kind = "http" // HTTP API, payload v2; the $default stage has no path, a named one does
)

// Invoker is the Lambda function: aws-lambda-go's lambda.Handler.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// Gateway is an http.Handler in front of one function.
type Gateway struct {
	kind   Kind
	stage  string // "dev"; "$default" for an HTTP API
	fn     Invoker
	routes []route
	// RemapAuthorization hands a REST API request's Authorization header to
	// the function as x-amzn-Remapped-Authorization, as API Gateway is
	// reported to do behind CloudFront.
	RemapAuthorization bool
	// BinaryMediaTypes is a REST API's binaryMediaTypes setting ("*/*",
	// "image/png"); an HTTP API has none and takes isBase64Encoded as is.
	// A request whose Content-Type matches one reaches the function
	// base64-encoded; a function's base64 answer is turned back into bytes
	// only when the request's Accept matches one — else the client gets
	// the base64 text, as from a deployed REST API. Only the first media
	// type of Accept decides, as API Gateway's "Content type conversions"
	// documentation for Lambda proxy integrations describes.
	BinaryMediaTypes []string
}

// route is one route as serverless.yml declares it: a method or ANY, and a
// path that may end in a greedy {proxy+}.
type route struct {
	method, path string
}

// New returns a gateway of kind in front of fn, with routes ("GET /report",
// "ANY /report/{proxy+}") as serverless.yml declares them; none means
// every path ("ANY /" and "ANY /{proxy+}"). A REST API serves them under
// /stage; an HTTP API under /stage too, unless stage is "" or "$default"
// (what serverless deploys httpApi events to).
func New(kind Kind, stage string, fn Invoker, routes ...string) *Gateway {
	if kind == HTTP && stage == "" {
		stage = "$default"
	}
	if len(routes) == 0 {
		routes = []string{"ANY /", "ANY /{proxy+}"}
	}
	g := &Gateway{kind: kind, stage: stage, fn: fn}
	for _, r := range routes {
		method, path, _ := strings.Cut(r, " ")
		g.routes = append(g.routes, route{method, path})
	}
	return g
}

// match finds the route for a request: an exact path before a {proxy+}
// one, as API Gateway prefers the most specific. resource is the route's
// path; proxy what {proxy+} matched. Like API Gateway, it ignores a
// trailing slash when it matches (/app/ takes the /app route); the event
// still carries the path as sent.
func (g *Gateway) match(method, path string) (resource, proxy string, ok bool) {
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	for _, exact := range []bool{true, false} {
		for _, rt := range g.routes {
			if rt.method != "ANY" && rt.method != method {
				continue
			}
			base, greedy := strings.CutSuffix(rt.path, "/{proxy+}")
			switch {
			case exact && !greedy && path == rt.path:
				return rt.path, "", true
			case !exact && greedy:
				// {proxy+} is one or more path segments.
				if rest, ok := strings.CutPrefix(path, base+"/"); ok && strings.Trim(rest, "/") != "" {
					return rt.path, rest, true
				}
			}
		}
	}
	return "", "", false
}

// routeKey is the route's key as an HTTP API names it ("ANY /report").
func (g *Gateway) routeKey(method, resource string) string {
	for _, rt := range g.routes {
		if rt.path == resource && (rt.method == method || rt.method == "ANY") {
			return rt.method + " " + rt.path
		}
	}
	return method + " " + resource
}

// Handler returns h behind a gateway of kind, through lambdaproxy's
// adapter (logging to slog.Default()), as a Lambda function serving h
// would be; routes as for New. A REST API gets binaryMediaTypes "*/*", as
// formgate's deploy configs set it, so compressed and binary answers
// reach clients as bytes.
func Handler(kind Kind, stage string, h http.Handler, routes ...string) *Gateway {
	g := New(kind, stage, lambdaproxy.New(h, nil), routes...)
	if kind == REST {
		g.BinaryMediaTypes = []string{"*/*"}
	}
	return g
}

// Prefix is the public path prefix the gateway serves under: "/" + the
// stage, or "" for an HTTP API's $default stage.
func (g *Gateway) Prefix() string {
	if g.kind == HTTP && g.stage == "$default" {
		return ""
	}
	return "/" + g.stage
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, g.Prefix())
	var resource, proxy string
	if ok {
		resource, proxy, ok = g.match(r.Method, path)
	}
	if !ok && g.kind == HTTP {
		// An HTTP API's answer to a route it does not have.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"message":"Not Found"}`))
		return
	}
	if !ok {
		// A REST API's answer to a route it does not have.
		w.Header().Set("Content-Type", "application/json")
		w.Header()["x-amzn-ErrorType"] = []string{"MissingAuthenticationTokenException"} // as API Gateway spells it (Set would make it X-Amzn-Errortype)
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"message":"Missing Authentication Token"}`))
		return
	}
	body, err := readBody(w, r)
	if err != nil {
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		w.Write([]byte(`{"message":"Request Too Long"}`))
		return
	}
	var payload []byte
	switch g.kind {
	case REST:
		payload, err = g.restEvent(r, path, resource, proxy, body)
	default:
		payload, err = g.httpEvent(r, path, resource, proxy, body)
	}
	if err == nil {
		var out []byte
		if out, err = g.fn.Invoke(r.Context(), payload); err == nil {
			if g.kind == REST {
				err = writeRESTResponse(w, out, binaryMatch(g.BinaryMediaTypes, r.Header.Get("Accept")))
			} else {
				err = writeHTTPResponse(w, out)
			}
		}
	}
	if err != nil {
		// What API Gateway answers when the function fails or answers
		// something it cannot read.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte(`{"message": "Internal server error"}`))
	}
}

// maxPayload is API Gateway's request size limit (10 MB).
const maxPayload = 10 << 20

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return io.ReadAll(http.MaxBytesReader(w, r.Body, maxPayload))
}

// remapped lists the response headers API Gateway renames in a Lambda
// proxy response, with the names it gives them.
var remapped = map[string]string{
	"Www-Authenticate": "x-amzn-Remapped-WWW-Authenticate",
	"Authorization":    "x-amzn-Remapped-Authorization",
	"Connection":       "x-amzn-Remapped-Connection",
	"Date":             "x-amzn-Remapped-Date",
	"Server":           "x-amzn-Remapped-Server",
}

// writeHeader writes a header of the function's answer as the gateway
// passes it on. Content-Length is left out: the gateway frames the body it
// sends itself, which is not the function's when it passes base64 text on
// (a gzip'd answer without binaryMediaTypes) or decodes it.
func writeHeader(w http.ResponseWriter, name string, values ...string) {
	if http.CanonicalHeaderKey(name) == "Content-Length" {
		return
	}
	if to, ok := remapped[http.CanonicalHeaderKey(name)]; ok {
		// Written as API Gateway spells it (Add would change the case).
		w.Header()[to] = append(w.Header()[to], values...)
		return
	}
	for _, v := range values {
		w.Header().Add(name, v)
	}
}

func sourceIP(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// scheme is how the client reached the emulator; a deployed gateway would
// say https.
func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

func requestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
