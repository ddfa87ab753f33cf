package frontdoor

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"
)

// EventLen is what the body takes in the event as lambdaproxy writes it:
// encoding/json without HTML escaping for text, base64 for the rest.
func TestEventLen(t *testing.T) {
	for _, tt := range []struct {
		ct, ce, body string
		binary       bool
	}{
		{"text/html; charset=utf-8", "", `<p class="a">x & y</p>` + "\n\t\r", false},
		{"text/csv", "", "a\u2028b\u2029c\x01\x1f\b\f\\", false},
		{"application/json", "identity", `{"k":"é😀"}`, false},
		{"text/csv; charset=utf-8", "", "Jos\xe9", true},
		{"text/html", "gzip", "\x1f\x8b\x08", true},
		{"image/png", "", "\x89PNG", true},
		{"text/plain; charset=iso-8859-1", "", "abc", true},
	} {
		if got := Binary(tt.ct, tt.ce, []byte(tt.body)); got != tt.binary {
			t.Errorf("%q %q %q: binary %v", tt.ct, tt.ce, tt.body, got)
		}
		want := base64.StdEncoding.EncodedLen(len(tt.body))
		if !tt.binary {
			var b bytes.Buffer
			e := json.NewEncoder(&b)
			e.SetEscapeHTML(false)
			e.Encode(tt.body)
			want = b.Len() - 3 // the quotes and the newline
		}
		if got := EventLen(tt.ct, tt.ce, []byte(tt.body)); got != want {
			t.Errorf("%q: EventLen %d, in the event %d", tt.body, got, want)
		}
	}
}

// The types isText knows without parsing are text when parsed.
func TestKnownText(t *testing.T) {
	for _, ct := range knownText {
		if !parsedText(ct) {
			t.Errorf("%q is not text", ct)
		}
	}
}
