package basic

import (
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	tests := []struct {
		header, user, pass string
		ok                 bool
	}{
		{"Basic YW5uYTpzM2NyZXQ=", "anna", "s3cret", true},
		{"basic YW5uYTpzM2NyZXQ=", "anna", "s3cret", true},
		{"BASIC  YW5uYTpzM2NyZXQ= ", "anna", "s3cret", true},
		{"Basic SsO8cmdlbjpww6Rzczpzw7xzcw==", "Jürgen", "päss:süss", true}, // UTF-8, colon in password
		{"Basic OnB3", "", "pw", true},
		// Exactly what Python requests sends for auth=("jürgen", "pässwörd"):
		// base64 of b"j\xfcrgen:p\xe4ssw\xf6rd", ISO-8859-1.
		{"Basic avxyZ2VuOnDkc3N39nJk", "jürgen", "pässwörd", true},
		{"Basic YW5uYQ==", "", "", false}, // no colon
		{"Basic !!!", "", "", false},
		{"Bearer YW5uYTpzM2NyZXQ=", "", "", false},
		{"Basic", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		u, p, ok := Parse(tt.header)
		if u != tt.user || p != tt.pass || ok != tt.ok {
			t.Errorf("Parse(%q) = %q, %q, %v; want %q, %q, %v", tt.header, u, p, ok, tt.user, tt.pass, tt.ok)
		}
	}
}

// FuzzParse: whatever user name (without a colon, as RFC 7617 requires)
// and password a client encodes, Parse gives back exactly those.
func FuzzParse(f *testing.F) {
	f.Add("anna", "s3cret")
	f.Add("Jürgen", "päss:süss")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, user, pass string) {
		if strings.ContainsRune(user, ':') {
			return
		}
		if !utf8.ValidString(user + ":" + pass) {
			// Bytes that are not UTF-8 are read as ISO-8859-1: what comes
			// back is valid UTF-8 and has as many characters as bytes went in.
			u, p, ok := Parse("Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
			if !ok || !utf8.ValidString(u+p) || utf8.RuneCountInString(u)+utf8.RuneCountInString(p) != len(user)+len(pass) {
				t.Fatalf("Latin-1 reading of %q:%q = %q %q %v", user, pass, u, p, ok)
			}
			return
		}
		h := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
		u, p, ok := Parse(h)
		if !ok || u != user || p != pass {
			t.Fatalf("Parse(encode(%q, %q)) = %q, %q, %v", user, pass, u, p, ok)
		}
	})
}
