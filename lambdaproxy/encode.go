package lambdaproxy

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
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
		b = appendMap(b, r.Headers)
		b = append(b, `,"multiValueHeaders":`...)
		b = appendMultiMap(b, r.MultiValueHeaders)
		b = append(b, `,"body":`...)
		b = appendString(b, r.Body)
		if r.IsBase64Encoded {
			b = append(b, `,"isBase64Encoded":true`...)
		}
		return append(b, '}'), nil
	case v2Response:
		b := make([]byte, 0, responseCap(r.Body, nil)+64*len(r.Headers))
		b = append(b, `{"statusCode":`...)
		b = strconv.AppendInt(b, int64(r.StatusCode), 10)
		b = append(b, `,"headers":`...)
		b = appendMap(b, r.Headers)
		if len(r.Cookies) > 0 {
			b = append(b, `,"cookies":`...)
			b = appendStrings(b, r.Cookies)
		}
		b = append(b, `,"body":`...)
		b = appendString(b, r.Body)
		b = append(b, `,"isBase64Encoded":`...)
		b = strconv.AppendBool(b, r.IsBase64Encoded)
		return append(b, '}'), nil
	case events.ALBTargetGroupResponse:
		b := make([]byte, 0, responseCap(r.Body, r.MultiValueHeaders)+64*len(r.Headers))
		b = append(b, `{"statusCode":`...)
		b = strconv.AppendInt(b, int64(r.StatusCode), 10)
		b = append(b, `,"statusDescription":`...)
		b = appendString(b, r.StatusDescription)
		b = append(b, `,"headers":`...)
		b = appendMap(b, r.Headers)
		b = append(b, `,"multiValueHeaders":`...)
		b = appendMultiMap(b, r.MultiValueHeaders)
		if r.Body != "" {
			b = append(b, `,"body":`...)
			b = appendString(b, r.Body)
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

// appendMap appends m as encoding/json writes a map: keys in order, null
// for nil.
func appendMap(b []byte, m map[string]string) []byte {
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
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

func appendMultiMap(b []byte, m map[string][]string) []byte {
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
		b = appendString(b, k)
		b = append(b, ':')
		b = appendStrings(b, m[k])
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
		b = appendString(b, v)
	}
	return append(b, ']')
}

// appendString is encoding/json's string without HTML escaping: " and \
// and control characters escaped, invalid UTF-8 as \ufffd, U+2028 and
// U+2029 escaped for JavaScript.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if asIs[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// asIs are the bytes appendString copies as they are: printable ASCII
// but " and \.
var asIs = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()
