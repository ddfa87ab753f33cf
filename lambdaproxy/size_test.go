package lambdaproxy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/formgate/formgate/internal/frontdoor"
)

// A compressed body travels base64 whatever its type; text stays text,
// with <, > and & as they are; the handler's Content-Length stays out of
// the event (the door sets its own).
func TestBodyEncoding(t *testing.T) {
	gz := []byte{0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00}
	for _, tt := range []struct {
		name, contentType, encoding string
		body                        []byte
		b64                         bool
	}{
		{"gzip'd html", "text/html; charset=utf-8", "gzip", gz, true},
		{"gzip'd json", "application/json", "gzip", gz, true},
		{"html", "text/html; charset=utf-8", "", []byte("<p>a & b</p>"), false},
		{"identity", "text/csv; charset=utf-8", "identity", []byte("a,b\n"), false},
		{"png", "image/png", "", []byte{0x89, 'P', 'N', 'G'}, true},
		{"text not UTF-8", "text/csv; charset=utf-8", "", []byte("Jos\xe9,M\xfcnchen\n"), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				if tt.encoding != "" {
					w.Header().Set("Content-Encoding", tt.encoding)
				}
				w.Header().Set("Content-Length", fmt.Sprint(len(tt.body)))
				w.Write(tt.body)
			})
			for _, name := range []string{"rest-v1-basic", "http-v2-basic", "alb-multi-basic", "function-url-basic"} {
				raw, err := New(h, quietLog).Invoke(t.Context(), readFixture(t, name))
				if err != nil {
					t.Fatal(err)
				}
				res := invokeRaw(t, raw)
				body := res["body"].(string)
				if res["isBase64Encoded"] == true {
					b, err := base64.StdEncoding.DecodeString(body)
					if err != nil {
						t.Fatal(err)
					}
					body = string(b)
				}
				if (res["isBase64Encoded"] == true) != tt.b64 || body != string(tt.body) {
					t.Errorf("%s: base64 %v, body %q", name, res["isBase64Encoded"], body)
				}
				if strings.Contains(string(raw), "Content-Length") {
					t.Errorf("%s: Content-Length in the event: %s", name, raw)
				}
				if !tt.b64 && !bytes.Contains(raw, tt.body[:1]) {
					t.Errorf("%s: text body escaped: %s", name, raw)
				}
			}
		})
	}
}

// An answer over the door's limit becomes a 406 that fits, never an event
// the door would turn into a 502; the handler sees the limit first.
func TestTooLargeForTheDoor(t *testing.T) {
	for _, tt := range []struct {
		fixture string
		limit   int
	}{
		{"rest-v1-basic", frontdoor.LambdaLimit}, {"http-v2-basic", frontdoor.LambdaLimit},
		{"function-url-basic", frontdoor.LambdaLimit}, {"alb-multi-basic", frontdoor.ALBLimit},
	} {
		for _, size := range []int{tt.limit / 2, tt.limit + 1} {
			seen := 0
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = frontdoor.From(r.Context()).MaxResponse
				w.Header().Set("Content-Type", "text/plain")
				w.Write(bytes.Repeat([]byte("x"), size))
			})
			raw, err := New(h, quietLog).Invoke(t.Context(), readFixture(t, tt.fixture))
			if err != nil {
				t.Fatal(err)
			}
			res := invokeRaw(t, raw)
			want := 200
			if size > tt.limit {
				want = 406
			}
			if int(res["statusCode"].(float64)) != want || len(raw) > tt.limit || seen != tt.limit {
				t.Errorf("%s, %d bytes: %v, event %d bytes, handler saw limit %d", tt.fixture, size, res["statusCode"], len(raw), seen)
			}
			if want == 406 && !strings.Contains(res["body"].(string), "more than this front door can return") {
				t.Errorf("%s: 406 says %q", tt.fixture, res["body"])
			}
		}
	}
}

var quietLog = slog.New(slog.DiscardHandler)

func invokeRaw(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
