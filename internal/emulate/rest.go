package emulate

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
		Body: string(body), // without binaryMediaTypes a REST API passes bodies as text
	}
	return json.Marshal(e)
}

func writeRESTResponse(w http.ResponseWriter, out []byte) error {
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
	return writeBody(w, resp.StatusCode, resp.Body, resp.IsBase64Encoded)
}

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
	_, err := w.Write(b)
	return err
}
