package localgateway

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// restEvent builds the payload v1 event a REST API sends for r.
func (g *Gateway) restEvent(r *http.Request, path, resource, proxy string, body []byte) ([]byte, error) {
	single := map[string]string{}
	multi := map[string][]string{}
	for k, vs := range r.Header {
		multi[k] = vs
		single[k] = vs[len(vs)-1] // the single-value map keeps the last
	}
	if vs, ok := multi["Authorization"]; ok && g.RemapAuthorization {
		delete(multi, "Authorization")
		delete(single, "Authorization")
		multi["x-amzn-Remapped-Authorization"], single["x-amzn-Remapped-Authorization"] = vs, vs[len(vs)-1]
	}
	single["Host"], multi["Host"] = r.Host, []string{r.Host}
	// What API Gateway adds; the scheme is what the client really used.
	proto := scheme(r)
	single["X-Forwarded-Proto"], multi["X-Forwarded-Proto"] = proto, []string{proto}
	q := r.URL.Query()
	var qs map[string]string
	var mqs map[string][]string
	if len(q) > 0 {
		qs, mqs = map[string]string{}, map[string][]string{}
		for k, vs := range q {
			qs[k], mqs[k] = vs[len(vs)-1], vs
		}
	}
	var params map[string]string
	if proxy != "" {
		params = map[string]string{"proxy": proxy}
	}
	e := events.APIGatewayProxyRequest{
		Resource:                        resource,
		PathParameters:                  params,
		Path:                            path,
		HTTPMethod:                      r.Method,
		Headers:                         single,
		MultiValueHeaders:               multi,
		QueryStringParameters:           qs,
		MultiValueQueryStringParameters: mqs,
		RequestContext: events.APIGatewayProxyRequestContext{
			ResourcePath:     resource,
			Path:             g.Prefix() + path,
			HTTPMethod:       r.Method,
			Stage:            g.stage,
			DomainName:       r.Host,
			RequestID:        requestID(),
			Protocol:         r.Proto,
			RequestTimeEpoch: time.Now().UnixMilli(),
			Identity: events.APIGatewayRequestIdentity{
				SourceIP:  sourceIP(r),
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 && binaryMatch(g.BinaryMediaTypes, r.Header.Get("Content-Type")) {
		e.Body, e.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	} else {
		e.Body = string(body) // a type not in binaryMediaTypes goes as text
	}
	return json.Marshal(e)
}

// writeRESTResponse writes the function's answer out as a REST API does: a
// base64 body (isBase64Encoded) is decoded only when the request accepts a
// binary media type (binary); otherwise the client gets the base64 text.
func writeRESTResponse(w http.ResponseWriter, out []byte, binary bool) error {
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		return err
	}
	for k, v := range resp.Headers {
		if _, ok := resp.MultiValueHeaders[k]; !ok {
			writeHeader(w, k, v)
		}
	}
	for k, vs := range resp.MultiValueHeaders {
		writeHeader(w, k, vs...)
	}
	return writeBody(w, resp.StatusCode, resp.Body, resp.IsBase64Encoded && binary)
}

// writeBody writes status and body, decoding the body from base64 when
// b64 is set. Its error is the function's (a body that is not base64);
// a client that hangs up while the body goes out is not the function's
// failure, and gets no 502 written after the status.
func writeBody(w http.ResponseWriter, status int, body string, b64 bool) error {
	b := []byte(body)
	if b64 {
		var err error
		if b, err = base64.StdEncoding.DecodeString(body); err != nil {
			return err
		}
	}
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	w.Write(b)
	return nil
}
