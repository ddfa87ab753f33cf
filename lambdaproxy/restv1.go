package lambdaproxy

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// restV1 is an API Gateway REST API proxy event (payload v1).
type restV1 struct{ events.APIGatewayProxyRequest }

func (e *restV1) request(ctx context.Context, limit int) (*http.Request, error) {
	q := url.Values{}
	if len(e.MultiValueQueryStringParameters) > 0 {
		for k, vs := range e.MultiValueQueryStringParameters {
			q[k] = vs
		}
	} else {
		for k, v := range e.QueryStringParameters {
			q.Set(k, v)
		}
	}
	return in{
		method:   e.HTTPMethod,
		path:     e.Path,
		rawQuery: q.Encode(), // v1 gives decoded values; encode them again
		prefix:   stagePrefix(e.RequestContext.Path, e.Path),
		// Set by API Gateway from a custom authorizer's answer; a client
		// cannot put it in the event.
		principal:   principal(e.RequestContext.Authorizer),
		header:      headerFrom(e.Headers, e.MultiValueHeaders),
		body:        e.Body,
		base64:      e.IsBase64Encoded,
		remoteIP:    e.RequestContext.Identity.SourceIP,
		host:        e.RequestContext.DomainName,
		maxResponse: limit,
	}.build(ctx)
}

func principal(authorizer map[string]any) string {
	p, _ := authorizer["principalId"].(string)
	return p
}

// stagePrefix is what the public path (requestContext.path, "/dev/report"
// on the execute-api domain) has in front of the path the function routes
// on ("/report"): the stage, or a custom domain's base path.
func stagePrefix(public, path string) string {
	if public == "" || !strings.HasSuffix(public, path) {
		return ""
	}
	return strings.TrimSuffix(strings.TrimSuffix(public, path), "/")
}

// response puts every header in multiValueHeaders, so several Set-Cookie
// headers reach the client; the single-value map would keep one.
func (e *restV1) response(rec *recorder) any {
	body, b64 := rec.encodedBody()
	return events.APIGatewayProxyResponse{
		StatusCode:        rec.status,
		Headers:           map[string]string{},
		MultiValueHeaders: rec.header,
		Body:              body,
		IsBase64Encoded:   b64,
	}
}
