package lambdaproxy

import (
	"context"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// alb is an Application Load Balancer target group event.
type alb struct{ events.ALBTargetGroupRequest }

func (e *alb) request(ctx context.Context, limit int) (*http.Request, error) {
	// ALB passes query strings on as the client sent them, still
	// percent-encoded, so they are joined, not encoded again.
	var parts []string
	if len(e.MultiValueQueryStringParameters) > 0 {
		for k, vs := range e.MultiValueQueryStringParameters {
			for _, v := range vs {
				parts = append(parts, k+"="+v)
			}
		}
	} else {
		for k, v := range e.QueryStringParameters {
			parts = append(parts, k+"="+v)
		}
	}
	slices.Sort(parts) // map order is random; keep requests reproducible
	h := headerFrom(e.Headers, e.MultiValueHeaders)
	return in{
		method:      e.HTTPMethod,
		path:        e.Path,
		escaped:     true,
		rawQuery:    strings.Join(parts, "&"),
		header:      h,
		body:        e.Body,
		base64:      e.IsBase64Encoded,
		remoteIP:    clientFromForwardedFor(h),
		maxResponse: limit,
	}.build(ctx)
}

// clientFromForwardedFor is the address an ALB appends to: the rightmost
// entry of the last X-Forwarded-For value (the event may split the header
// into several values; earlier entries are whatever the client claimed).
// ALB events carry no source IP of their own; "" when it is no address.
func clientFromForwardedFor(h http.Header) string {
	vs := h.Values("X-Forwarded-For")
	if len(vs) == 0 {
		return ""
	}
	xff := vs[len(vs)-1]
	if i := strings.LastIndexByte(xff, ','); i >= 0 {
		xff = xff[i+1:]
	}
	xff = strings.TrimSpace(xff)
	if net.ParseIP(xff) == nil {
		return ""
	}
	return xff
}

// response answers in the shape the request came in: a target group with
// multi-value headers on sends and expects multiValueHeaders (and keeps
// every Set-Cookie); without it only one value per name survives, so the
// first Set-Cookie is kept.
func (e *alb) response(rec *recorder) any {
	body, b64 := rec.encodedBody()
	resp := events.ALBTargetGroupResponse{
		StatusCode:        rec.status,
		StatusDescription: rec.statusDescription(),
		Body:              body,
		IsBase64Encoded:   b64,
	}
	if len(e.MultiValueHeaders) > 0 {
		resp.MultiValueHeaders = rec.header
	} else {
		resp.Headers = singleHeaders(rec.header, "Set-Cookie")
		if c := rec.header.Get("Set-Cookie"); c != "" {
			resp.Headers["Set-Cookie"] = c
		}
	}
	return resp
}
