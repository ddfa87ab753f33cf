package lambdaproxy

import (
	"context"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// httpV2 is an HTTP API event (payload v2) or a Function URL event; the
// two share one shape.
type httpV2 struct{ events.APIGatewayV2HTTPRequest }

func (e *httpV2) request(ctx context.Context, limit int) (*http.Request, error) {
	h := headerFrom(e.Headers, nil)
	// v2 takes cookies out of the headers into their own array.
	if len(e.Cookies) > 0 {
		h.Set("Cookie", strings.Join(e.Cookies, "; "))
	}
	path, prefix := e.RawPath, ""
	// rawPath carries a named stage ("/dev/report"); $default has none.
	if s := e.RequestContext.Stage; s != "" && s != "$default" {
		if p := "/" + s; path == p || strings.HasPrefix(path, p+"/") {
			path, prefix = strings.TrimPrefix(path, p), p
		}
	}
	return in{
		method:      e.RequestContext.HTTP.Method,
		path:        path,
		escaped:     true,
		rawQuery:    e.RawQueryString,
		prefix:      prefix,
		header:      h,
		body:        e.Body,
		base64:      e.IsBase64Encoded,
		remoteIP:    e.RequestContext.HTTP.SourceIP,
		host:        e.RequestContext.DomainName,
		maxResponse: limit,
	}.build(ctx)
}

// v2Response is the payload 2.0 response, the same for HTTP APIs and
// Function URLs.
type v2Response struct {
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	Cookies         []string          `json:"cookies,omitempty"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
}

// response moves Set-Cookie into the cookies array: in the headers map
// several cookies would have to share one comma-joined value, which
// browsers cannot split.
func (e *httpV2) response(rec *recorder) any {
	body, b64 := rec.encodedBody()
	return v2Response{
		StatusCode:      rec.status,
		Headers:         singleHeaders(rec.header, "Set-Cookie"),
		Cookies:         rec.header.Values("Set-Cookie"),
		Body:            body,
		IsBase64Encoded: b64,
	}
}
