package localgateway

import (
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// httpEvent builds the payload v2 event an HTTP API sends for r: header
// names in lower case with repeated values joined by commas, cookies in
// their own array, and bodies that are not plainly text base64-encoded
// (form posts included).
func (g *Gateway) httpEvent(r *http.Request, path, resource, proxy string, body []byte) ([]byte, error) {
	headers := map[string]string{}
	for k, vs := range r.Header {
		if k == "Cookie" {
			continue
		}
		headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	headers["host"] = r.Host
	headers["x-forwarded-proto"] = scheme(r)
	var cookies []string
	for _, line := range r.Header.Values("Cookie") {
		for _, c := range strings.Split(line, ";") {
			if c = strings.TrimSpace(c); c != "" {
				cookies = append(cookies, c)
			}
		}
	}
	routeKey := g.routeKey(r.Method, resource)
	var params map[string]string
	if proxy != "" {
		params = map[string]string{"proxy": proxy}
	}
	e := events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       routeKey,
		PathParameters: params,
		RawPath:        g.Prefix() + path, // a named stage is in rawPath; $default has none
		RawQueryString: r.URL.RawQuery,
		Cookies:        cookies,
		Headers:        headers,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:   routeKey,
			Stage:      g.stage,
			DomainName: r.Host,
			RequestID:  requestID(),
			TimeEpoch:  time.Now().UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      g.Prefix() + path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP(r),
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 {
		if plainText(r.Header.Get("Content-Type")) {
			e.Body = string(body)
		} else {
			e.Body, e.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	return json.Marshal(e)
}

func plainText(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return strings.HasPrefix(mt, "text/") || mt == "application/json"
}

func writeHTTPResponse(w http.ResponseWriter, out []byte) error {
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		return err
	}
	for k, v := range resp.Headers {
		writeHeader(w, k, v)
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	return writeBody(w, resp.StatusCode, resp.Body, resp.IsBase64Encoded)
}
