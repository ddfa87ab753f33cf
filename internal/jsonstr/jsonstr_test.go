package jsonstr

import (
	"bytes"
	"encoding/json"
	"testing"
)

// Append writes what encoding/json writes without HTML escaping, and
// Plain says of each byte what encoding/json does with it.
func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "plain", `q"b\\`, "\x00\x1f\b\f\n\r\t", "\xff\xfe", "é\u2028\u2029😀", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		e := json.NewEncoder(&want)
		e.SetEscapeHTML(false)
		e.Encode(s)
		if got := string(Append(nil, s)) + "\n"; got != want.String() {
			t.Fatalf("%q: got %s want %s", s, got, want.String())
		}
	})
}

func TestPlain(t *testing.T) {
	for c := range 256 {
		quoted, _ := json.Marshal(string(rune(c)))
		want := c < 0x80 && len(quoted) == 3 // "c": written as it is
		if c >= '<' && c <= '>' || c == '&' {
			want = true // encoding/json escapes these for HTML only
		}
		if Plain(byte(c)) != want {
			t.Errorf("%#x: Plain %v", c, Plain(byte(c)))
		}
	}
}
