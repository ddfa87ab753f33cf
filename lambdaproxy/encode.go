package lambdaproxy

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/formgate/formgate/internal/jsonstr"
)

// marshal is json.Marshal without HTML escaping: an HTML body would grow
// by five bytes for each <, > and & (toward the front door's limit), and
// the event is never read by a browser. The three responses the doors
// give are written directly, byte for byte as encoding/json writes them
// (TestMarshalAsEncodingJSON), in one pass over the body; anything else
// goes through encoding/json.
func marshal(v any) ([]byte, error) {
	switch r := v.(type) {
	case events.APIGatewayProxyResponse:
		b := make([]byte, 0, responseCap(r.Body, r.MultiValueHeaders))
		b = append(b, `{"statusCode":`...)
		b = strconv.AppendInt(b, int64(r.StatusCode), 10)
		b = append(b, `,"headers":`...)
		b = appendMap(b, r.Headers, jsonstr.Append)
		b = append(b, `,"multiValueHeaders":`...)
		b = appendMap(b, r.MultiValueHeaders, appendStrings)
		b = append(b, `,"body":`...)
		b = jsonstr.Append(b, r.Body)
		if r.IsBase64Encoded {
			b = append(b, `,"isBase64Encoded":true`...)
		}
		return append(b, '}'), nil
	case v2Response:
		b := make([]byte, 0, responseCap(r.Body, nil)+64*len(r.Headers))
		b = append(b, `{"statusCode":`...)
		b = strconv.AppendInt(b, int64(r.StatusCode), 10)
		b = append(b, `,"headers":`...)
		b = appendMap(b, r.Headers, jsonstr.Append)
		if len(r.Cookies) > 0 {
			b = append(b, `,"cookies":`...)
			b = appendStrings(b, r.Cookies)
		}
		b = append(b, `,"body":`...)
		b = jsonstr.Append(b, r.Body)
		b = append(b, `,"isBase64Encoded":`...)
		b = strconv.AppendBool(b, r.IsBase64Encoded)
		return append(b, '}'), nil
	case events.ALBTargetGroupResponse:
		b := make([]byte, 0, responseCap(r.Body, r.MultiValueHeaders)+64*len(r.Headers))
		b = append(b, `{"statusCode":`...)
		b = strconv.AppendInt(b, int64(r.StatusCode), 10)
		b = append(b, `,"statusDescription":`...)
		b = jsonstr.Append(b, r.StatusDescription)
		b = append(b, `,"headers":`...)
		b = appendMap(b, r.Headers, jsonstr.Append)
		b = append(b, `,"multiValueHeaders":`...)
		b = appendMap(b, r.MultiValueHeaders, appendStrings)
		if r.Body != "" {
			b = append(b, `,"body":`...)
			b = jsonstr.Append(b, r.Body)
		}
		b = append(b, `,"isBase64Encoded":`...)
		b = strconv.AppendBool(b, r.IsBase64Encoded)
		return append(b, '}'), nil
	}
	return marshalJSON(v)
}

// marshalJSON is marshal by encoding/json.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// responseCap is room for a response with body and headers h: the body
// with a few escapes, the headers and the rest.
func responseCap(body string, h map[string][]string) int {
	n := len(body) + len(body)/16 + 256
	for k, vs := range h {
		n += len(k) + 8
		for _, v := range vs {
			n += len(v) + 4
		}
	}
	return n
}

// appendMap appends m as encoding/json writes a map: keys in order, each
// value by value, null for nil.
func appendMap[V any](b []byte, m map[string]V, value func([]byte, V) []byte) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonstr.Append(b, k)
		b = append(b, ':')
		b = value(b, m[k])
	}
	return append(b, '}')
}

func appendStrings(b []byte, s []string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, v := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonstr.Append(b, v)
	}
	return append(b, ']')
}
