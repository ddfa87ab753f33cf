package lambdaproxy

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sameAsSlow fails t unless decodeEvent gives what Detect and
// json.Unmarshal give, or leaves the event to them; it reports whether
// the one pass decided.
func sameAsSlow(t *testing.T, payload []byte) bool {
	t.Helper()
	kind, d, err := decodeEvent(payload)
	if err != nil {
		if !errors.Is(err, errSlow) {
			t.Fatalf("%q: %v", payload, err)
		}
		return false
	}
	slowKind, slowDoor, slowErr := slowDecode(payload)
	if kind != slowKind {
		t.Fatalf("%q: kind %v, Detect says %v", payload, kind, slowKind)
	}
	if kind == Unknown {
		return true
	}
	if slowErr != nil {
		t.Fatalf("%q: decoded what encoding/json refuses: %v", payload, slowErr)
	}
	if !reflect.DeepEqual(d, slowDoor) {
		t.Fatalf("%q:\none pass:      %#v\nencoding/json: %#v", payload, d, slowDoor)
	}
	return true
}

// Every fixture, as the front doors send events, is decoded in one pass,
// the same as by encoding/json.
func TestDecodeEventFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !sameAsSlow(t, b) {
			t.Errorf("%s: left to encoding/json", p)
		}
	}
}

// trickyEvents are what the one pass must leave to encoding/json or get
// exactly right.
var trickyEvents = []string{
	`{}`, `[]`, `null`, `"x"`, ` {"httpMethod":"GET"} `, `{"httpMethod":"GET"}x`, `{"httpMethod":"GET",}`,
	`{"HTTPMETHOD":"GET","path":"/report"}`, `{"httpmethod":"GET"}`, `{"httpMethod":"GET","httpMethod":"POST"}`,
	`{"httpMethod":"GET","Path":"/x","path":"/y"}`, `{"httpMethod":"GET","pat\u0068":"/x"}`, `{"httpMethod":5}`,
	`{"httpMethod":null,"version":"2.0"}`, `{"version":"2.0","requestContext":{"http":{"method":"GET"},"domainName":"x.lambda-url.eu-west-1.on.aws"}}`,
	`{"version":"2.0","requestContext":{"HTTP":{"method":"GET"}}}`, `{"requestContext":{"elb":null}}`, `{"requestContext":{"elb":5}}`,
	`{"requestContext":{"elb":{"targetGroupArn":"a"}},"httpMethod":"GET","multiValueHeaders":{"a":["1","2"],"b":[],"c":null,"d":[null]}}`,
	`{"httpMethod":"GET","headers":{"A":"1","A":"2","b":null,"":"","\u00e9":"\ud83d\ude00","x":"\ud800"}}`,
	`{"httpMethod":"GET","headers":{"a":5}}`, `{"httpMethod":"GET","headers":[]}`, `{"httpMethod":"GET","headers":null}`,
	`{"httpMethod":"GET","body":"line\nbreak \"quoted\" \\ \/ \b\f\r\t \u0041"}`, "{\"httpMethod\":\"GET\",\"body\":\"\xff\xfe\"}",
	"{\"httpMethod\":\"GET\",\"body\":\"\x01\"}", `{"httpMethod":"GET","body":"\x"}`, `{"httpMethod":"GET","body":"\u12"}`,
	`{"httpMethod":"GET","isBase64Encoded":true}`, `{"httpMethod":"GET","isBase64Encoded":"true"}`, `{"httpMethod":"GET","isBase64Encoded":1}`,
	`{"httpMethod":"GET","requestContext":{"requestTimeEpoch":1795770764000}}`, `{"httpMethod":"GET","requestContext":{"requestTimeEpoch":1.5}}`,
	`{"httpMethod":"GET","requestContext":{"requestTimeEpoch":1e3}}`, `{"httpMethod":"GET","requestContext":{"requestTimeEpoch":99999999999999999999}}`,
	`{"httpMethod":"GET","requestContext":{"requestTimeEpoch":"5"}}`, `{"httpMethod":"GET","requestContext":{"requestTimeEpoch":-0}}`,
	`{"httpMethod":"GET","requestContext":{"authorizer":{"principalId":"anna","n":1.5e3,"big":1e400,"a":[1,"x",null,{"b":false}],"o":{}}}}`,
	`{"httpMethod":"GET","requestContext":{"authorizer":{"n":1e400}}}`, `{"httpMethod":"GET","requestContext":{"authorizer":[]}}`,
	`{"httpMethod":"GET","requestContext":{"identity":{"sourceIp":"203.0.113.7","clientCert":null}}}`,
	`{"httpMethod":"GET","requestContext":{"identity":{"clientCert":{"clientCertPem":"x","validity":{"notAfter":"y"}}}}}`,
	`{"httpMethod":"GET","requestContext":{"identity":{"clientCert":"x"}}}`, `{"httpMethod":"GET","requestContext":null}`,
	`{"httpMethod":"GET","requestContext":{"domainName":5}}`, `{"httpMethod":"GET","requestContext":[]}`,
	`{"version":"2.0","cookies":["a=1","b=2"],"requestContext":{"http":{"method":"GET","sourceIp":"1.2.3.4"},"timeEpoch":5,"authorizer":{"jwt":{"claims":{"sub":"x"},"scopes":null},"lambda":{"k":[1]}}}}`,
	`{"version":"2.0","cookies":[],"requestContext":{"http":{}}}`, `{"version":"2.0","cookies":[1],"requestContext":{"http":{}}}`,
	`{"version":"2.0","cookies":[["a"]],"requestContext":{"http":{}}}`, `{"versio\u006e":"2.0"}`, `{"ve\u0072sion":"2.0","requestContext":{"http":{}}}`,
	`{"version":"2.0","requestContext":{"http":{"method":"GET"}},"rawPath":"/r","rawQueryString":"a=1&b=%20"}`,
	`{"httpMethod":"GET","\u212aey":"x","key":"y"}`, `{"httpMethod":"GET","headers":{}}`, "{\"httpMethod\":\"GET\",\"h\u212aaders\":{}}",
	`{"httpMethod":"GET","path":"/a","queryStringParameters":{"q":"1"},"multiValueQueryStringParameters":{"q":["1","2"]}}`,
	`{"httpMethod":"GET","stageVariables":{},"pathParameters":{"proxy":"x"},"resource":"/r"}`, `{"httpMethod":"GET","resource":5}`,
	`{"httpMethod":"GET","requestContext":{"elb":{},"unknown":[[[[[]]]]]}}`, `{"httpMethod" :	"GET" ,` + "\n" + `"path"	: "/x"}`,
	`{"httpMethod":"GET","n":-01}`, `{"httpMethod":"GET","n":1.}`, `{"httpMethod":"GET","n":.5}`, `{"httpMethod":"GET","n":1e}`,
	`{"httpMethod":"GET","n":tru}`, `{"httpMethod":"GET","n":nul}`, `{"httpMethod":"GET","n":[1,]}`, `{"httpMethod":"GET" "n":1}`,
	strings.Repeat(`{"a":`, 100) + `1` + strings.Repeat(`}`, 100),
}

func TestDecodeEventTricky(t *testing.T) {
	for _, e := range trickyEvents {
		sameAsSlow(t, []byte(e))
	}
}

// FuzzDecodeEvent: whatever the event, the one pass gives what
// encoding/json gives, or leaves it to encoding/json.
func FuzzDecodeEvent(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	for _, e := range trickyEvents {
		f.Add([]byte(e))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		sameAsSlow(t, payload)
	})
}
