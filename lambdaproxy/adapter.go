// Package lambdaproxy runs a plain http.Handler behind every Lambda front
// door: API Gateway REST API (payload v1), HTTP API (payload v2), Lambda
// Function URLs and Application Load Balancers. One Adapter serves them
// all and tells them apart by the event's shape, so the same bootstrap
// binary can sit behind any of them.
//
// It knows nothing about authentication. It gives the handler what the
// front doors hide in the event: the body (base64 or not), every header
// value in canonical case, the cookies (a separate array in v2), the
// client's address, and the public path prefix (API Gateway stage), which
// the gate uses for its cookies' Path and formgate.PublicPath gives a
// page. A Location the handler writes as an absolute path gets the prefix
// in front (http.Redirect and ServeMux's own redirects keep the stage).
package lambdaproxy

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/formgate/formgate/internal/frontdoor"
	"github.com/formgate/formgate/internal/redact"
)

// Kind is the front door an event came through.
type Kind int

// The front doors an Adapter serves.
const (
	Unknown Kind = iota
	RESTv1
	HTTPv2
	FunctionURL
	ALB
)

func (k Kind) String() string {
	return [...]string{"unknown", "rest-v1", "http-v2", "function-url", "alb"}[k]
}

// ErrUnknownEvent is returned for an event of no known shape (not an HTTP
// request). There is no HTTP client to answer, so it goes back to the
// runtime as an invocation error.
var ErrUnknownEvent = errors.New("lambdaproxy: event is not an API Gateway, Function URL or ALB request")

// Adapter is a lambda.Handler that serves HTTP events with an http.Handler.
type Adapter struct {
	h   http.Handler
	log *slog.Logger
}

var _ lambda.Handler = (*Adapter)(nil)

// New returns an Adapter serving h. logger gets the events that are no
// HTTP request and the answers too large for their front door;
// slog.Default() if nil.
func New(h http.Handler, logger *slog.Logger) *Adapter {
	if logger == nil {
		logger = slog.Default()
	}
	return &Adapter{h: h, log: logger}
}

// probe holds just enough of any event to tell its kind.
type probe struct {
	Version        string `json:"version"`
	HTTPMethod     string `json:"httpMethod"`
	RequestContext struct {
		ELB        json.RawMessage `json:"elb"`
		HTTP       json.RawMessage `json:"http"`
		DomainName string          `json:"domainName"`
	} `json:"requestContext"`
}

// Detect tells which front door sent payload.
func Detect(payload []byte) Kind {
	var p probe
	if json.Unmarshal(payload, &p) != nil {
		return Unknown
	}
	switch {
	case len(p.RequestContext.ELB) > 0:
		return ALB
	case len(p.RequestContext.HTTP) > 0 && strings.Contains(p.RequestContext.DomainName, ".lambda-url."):
		return FunctionURL
	case len(p.RequestContext.HTTP) > 0 || p.Version == "2.0":
		return HTTPv2
	case p.HTTPMethod != "":
		return RESTv1
	}
	return Unknown
}

// Invoke serves one event; it is the entry point the Lambda runtime calls.
func (a *Adapter) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	kind, door, err := decodeEvent(payload)
	if err != nil {
		// Not sure of it in one pass: encoding/json decides, and says
		// what is wrong.
		kind, door, err = slowDecode(payload)
	}
	switch {
	case kind == Unknown:
		a.log.Error("unknown event", "bytes", len(payload))
		return nil, ErrUnknownEvent
	case err != nil:
		a.log.Error("malformed event", "kind", kind.String(), "err", err)
		return nil, fmt.Errorf("lambdaproxy: decode %s event: %w", kind, err)
	}
	rec := newRecorder()
	limit := limits[kind]
	req, err := door.request(ctx, limit)
	if err != nil {
		// The client sent something the front door passed on but no
		// handler can read (e.g. a body that is not valid base64). The
		// answer carries the headers every answer of the gate does, and
		// the log gets the line every request gets.
		a.log.Info("bad request", "kind", kind.String(), "err", err)
		rec.header.Set("Cache-Control", "no-store")
		rec.header.Set("X-Content-Type-Options", "nosniff")
		http.Error(rec, "400 Bad Request: "+err.Error(), http.StatusBadRequest)
		if req != nil {
			// A share link's token is cut out of the path: it opens the report.
			a.log.Info("request", "method", req.Method, "path", redact.Path(req.URL.Path), "status", rec.status, "remote", req.RemoteAddr)
		}
	} else {
		a.h.ServeHTTP(rec, req)
		if req.Method == http.MethodHead {
			rec.body.Reset()
		}
		publicLocation(rec.header, frontdoor.From(req.Context()).Prefix)
	}
	// The front door sets the length of what it sends, which is not the
	// event's: a base64 body is longer, and a REST API without
	// binaryMediaTypes sends the base64 text itself.
	rec.header.Del("Content-Length")
	out, err := marshal(door.response(rec))
	status := rec.status
	rec.release()
	if err != nil || len(out) <= limit {
		return out, err
	}
	// Past the limit the front door answers 502 and the runtime restarts
	// (a cold start for the next request): answer what can be known
	// instead. Handlers that know their answers (the built-in report) say
	// more, from frontdoor.Info.MaxResponse, before it comes to this.
	a.log.Warn("answer too large for the front door", "kind", kind.String(), "status", status, "bytes", len(out), "limit_bytes", limit)
	big := newRecorder()
	big.header.Set("Cache-Control", "no-store")
	big.header.Set("X-Content-Type-Options", "nosniff")
	http.Error(big, fmt.Sprintf("406 Not Acceptable: this answer is %.1f MB, more than this front door can return (%s): ask for less of it, or for it compressed (Accept-Encoding: gzip) where the application offers that",
		float64(len(out))/1e6, frontdoor.LimitText(limit)), http.StatusNotAcceptable)
	out, err = marshal(door.response(big))
	big.release()
	return out, err
}

// door is an event of one front door.
type door interface {
	request(ctx context.Context, limit int) (*http.Request, error)
	response(rec *recorder) any
}

// slowDecode tells the door with Detect and decodes the event with
// encoding/json: what decodeEvent leaves to it.
func slowDecode(payload []byte) (Kind, door, error) {
	var d door
	kind := Detect(payload)
	switch kind {
	case RESTv1:
		d = new(restV1)
	case HTTPv2, FunctionURL:
		d = new(httpV2)
	case ALB:
		d = new(alb)
	default:
		return Unknown, nil, nil
	}
	return kind, d, json.Unmarshal(payload, d)
}

// publicLocation puts the door's path prefix (an API Gateway stage, "/dev")
// in front of a Location the handler wrote as an absolute path: the
// handler's paths lack the prefix, the client's do not, and every
// idiomatic redirect — http.Redirect(w, r, "/app/", 303), ServeMux's own
// "/app" → "/app/" — writes one. Relative references, full URLs and
// network-path references ("//host") are left as written.
func publicLocation(h http.Header, prefix string) {
	loc := h.Get("Location")
	if prefix == "" || !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") {
		return
	}
	if !strings.HasPrefix(prefix, "/") || strings.HasPrefix(prefix, "//") || strings.ContainsAny(prefix, "\\?#") {
		return // not a path prefix a door would give: never a Location that leaves the site
	}
	h.Set("Location", prefix+loc)
}

// limits are the response limits of the front doors.
var limits = map[Kind]int{RESTv1: frontdoor.LambdaLimit, HTTPv2: frontdoor.LambdaLimit, FunctionURL: frontdoor.LambdaLimit, ALB: frontdoor.ALBLimit}

// in is the front-door-neutral form of a request that every event is
// turned into before it becomes an *http.Request.
type in struct {
	method, path, rawQuery string
	escaped                bool   // path is as sent, percent-encoded (v2 rawPath, ALB); else decoded (REST v1)
	prefix                 string // public path prefix, e.g. "/dev"
	principal              string // a REST API authorizer's principalId
	maxResponse            int    // the door's response limit (limits)
	header                 http.Header
	body                   string
	base64                 bool
	remoteIP, host         string
}

func (i in) build(ctx context.Context) (*http.Request, error) {
	body := []byte(i.body)
	var bodyErr error
	if i.base64 {
		var err error
		if body, err = base64.StdEncoding.DecodeString(i.body); err != nil {
			body, bodyErr = nil, errors.New("body is marked base64 but is not valid base64")
		}
	}
	if i.path == "" || i.path[0] != '/' {
		i.path = "/" + i.path
	}
	// The URL is built from its parts, never parsed from a string: a path
	// such as //evil.com/report would otherwise turn into a host.
	u := &url.URL{Path: i.path, RawQuery: i.rawQuery}
	if i.escaped {
		p, err := url.PathUnescape(i.path)
		if err != nil {
			return nil, errors.New("the path is not valid percent-encoding")
		}
		u.Path, u.RawPath = p, i.path // RawPath is dropped by url if it does not encode Path
	}
	ctx = frontdoor.With(ctx, frontdoor.Info{Prefix: i.prefix, Principal: i.principal, MaxResponse: i.maxResponse})
	req, err := http.NewRequestWithContext(ctx, i.method, "/", bytes.NewReader(body))
	if err != nil {
		// Only an invalid method gets here; the error would quote nothing
		// secret, but say it plainly.
		return nil, fmt.Errorf("the method %q is not valid", i.method)
	}
	req.URL = u
	req.RequestURI = u.RequestURI()
	req.Header = i.header
	req.Host = i.header.Get("Host")
	if req.Host == "" {
		req.Host = i.host
	}
	req.URL.Host = ""
	if i.remoteIP != "" {
		req.RemoteAddr = net.JoinHostPort(i.remoteIP, "0")
	}
	// With a body error the request is still returned, for the log line.
	return req, bodyErr
}

// headerFrom merges single- and multi-value header maps into canonical
// case. When both hold a name, the multi-value list wins: it is complete.
func headerFrom(single map[string]string, multi map[string][]string) http.Header {
	h := make(http.Header, max(len(single), len(multi)))
	for k, vs := range multi {
		k = http.CanonicalHeaderKey(k)
		for _, v := range vs {
			h[k] = append(h[k], v) // h.Add, the name made canonical once
		}
	}
	for k, v := range single {
		if k = http.CanonicalHeaderKey(k); h[k] == nil {
			h[k] = []string{v} // h.Set
		}
	}
	return h
}
