package lambdaproxy

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// responses are every door's response with its fields from a, b and c:
// the responses marshal writes itself.
func responses(a, b, c string, n int) []any {
	var single map[string]string
	var multi map[string][]string
	var cookies []string
	switch n % 4 {
	case 1:
		single, multi, cookies = map[string]string{}, map[string][]string{}, []string{}
	case 2, 3:
		single = map[string]string{a: b, b: c, "Content-Type": "text/html; charset=utf-8"}
		multi = map[string][]string{a: {b, c}, c: nil, "Set-Cookie": {a, ""}, "Empty": {}}
		cookies = []string{c, a}
	}
	return []any{
		events.APIGatewayProxyResponse{StatusCode: 200 + n, Headers: single, MultiValueHeaders: multi, Body: a, IsBase64Encoded: n%2 == 0},
		v2Response{StatusCode: n, Headers: single, Cookies: cookies, Body: b, IsBase64Encoded: n%3 == 0},
		events.ALBTargetGroupResponse{StatusCode: -n, StatusDescription: c, Headers: single, MultiValueHeaders: multi, Body: a, IsBase64Encoded: n%2 == 1},
	}
}

func sameMarshal(t *testing.T, v any) {
	t.Helper()
	got, err := marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	want, err := marshalJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%T:\nwritten:       %q\nencoding/json: %q", v, got, want)
	}
}

// Every response marshal writes itself is what encoding/json writes, for
// strings of every kind (escapes, control characters, invalid UTF-8,
// U+2028) and maps nil, empty and full.
func TestMarshalAsEncodingJSON(t *testing.T) {
	strs := []string{"", "plain", `"quoted" \ back`, "<html>&amp;", "line\nbreak\r\t\b\f", "\x00\x01\x1f\x7f",
		"zoë ‹›", "\u2028\u2029", "\xff\xfe\xc3", "\xe2\x80", "😀", "\u00e9\u0301"}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 2000 {
		pick := func() string {
			if r.IntN(4) == 0 {
				b := make([]byte, r.IntN(40))
				for j := range b {
					b[j] = byte(r.IntN(256))
				}
				return string(b)
			}
			return strs[r.IntN(len(strs))]
		}
		for _, v := range responses(pick(), pick(), pick(), i) {
			sameMarshal(t, v)
		}
	}
	// The field lists are the ones written here: a new field in any of
	// them must be written too.
	for typ, fields := range map[reflect.Type]int{
		reflect.TypeFor[events.APIGatewayProxyResponse](): 5,
		reflect.TypeFor[v2Response]():                     5,
		reflect.TypeFor[events.ALBTargetGroupResponse]():  6,
	} {
		if typ.NumField() != fields {
			t.Errorf("%v has %d fields; marshal writes %d", typ, typ.NumField(), fields)
		}
	}
}

func FuzzMarshal(f *testing.F) {
	f.Add("body", "k", "v", 0)
	f.Add("\xff\u2028\"\\", "\x00", "\u2029", 3)
	f.Fuzz(func(t *testing.T, a, b, c string, n int) {
		for _, v := range responses(a, b, c, n) {
			sameMarshal(t, v)
		}
	})
}
