package apitoken

import (
	"strings"
	"testing"
	"time"
)

func TestNewParse(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok, id := New()
		if len(tok) != Len || Len != 59 || !strings.HasPrefix(tok, "fgt_"+id) || len(id) != IDChars || !ValidID(id) {
			t.Fatalf("token %d characters, id %q", len(tok), id)
		}
		got, err := Parse(tok)
		if err != nil || got != id {
			t.Fatalf("Parse: %q %v", got, err)
		}
		if seen[tok] {
			t.Fatal("a token twice")
		}
		seen[tok] = true
		if !Matches(tok, HashOf(tok)) || Matches(tok[:Len-1]+"A", HashOf(tok)) && !strings.HasSuffix(tok, "A") {
			t.Fatal("Matches")
		}
	}
	tok, _ := New()
	for _, bad := range []string{"", "fgt_", tok[:Len-1], tok + "A", "FGT_" + tok[4:], "fgx_" + tok[4:],
		tok[:10] + "+" + tok[11:], tok[:10] + "=" + tok[11:], tok[:Len-1] + "B" + "\n"} {
		if _, err := Parse(bad); err != ErrMalformed {
			t.Errorf("Parse(%q) = %v", bad, err)
		}
	}
	// Strict: the last character carries 2 bits of padding, which must be
	// zero, so that a token has one spelling.
	b := []byte(tok)
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" {
		b[Len-1] = byte(c)
		_, err := Parse(string(b))
		if strings.ContainsRune("AEIMQUYcgkosw048", c) != (err == nil) {
			t.Errorf("last character %c: %v", c, err)
		}
	}
}

func TestCheckName(t *testing.T) {
	for _, ok := range []string{"ci", "nightly export", strings.Repeat("ä", MaxNameLen), "ci: nightly"} {
		if err := CheckName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "  ", strings.Repeat("a", MaxNameLen+1), "a\nb", "a\tb", "\xff", "my fgt_x"} {
		if err := CheckName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestLine(t *testing.T) {
	tok, id := New()
	l := Line{ID: id, User: "anna", Name: "a:b:c", Hash: HashOf(tok), Expires: time.Date(2027, 8, 1, 12, 30, 5, 0, time.UTC)}
	got, err := ParseLine(l.String())
	if err != nil || got != l {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	// A user name with fgt_ in it is a name, not a token.
	l.User = "fgt_bot"
	if _, err := ParseLine(l.String()); err != nil {
		t.Fatal(err)
	}
	l.User = tok
	if _, err := ParseLine(l.String()); err == nil || strings.Contains(err.Error(), tok) || !strings.Contains(err.Error(), "holds a token") {
		t.Fatalf("a token as the user: %v", err)
	}
}

func TestShown(t *testing.T) {
	s, err := NewShown([]byte(strings.Repeat("k", 32)), "/report")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewShown([]byte(strings.Repeat("k", 32)), "/other")
	tok, id := New()
	now := time.Now()
	m := Made{Token: tok, ID: id, Name: "ci", User: "anna", Expires: now.Add(time.Hour).Round(0), Until: now.Add(time.Minute).Round(0)}
	v := s.Seal(m)
	if strings.Contains(v, tok[4:20]) {
		t.Fatal("the token is readable in the cookie")
	}
	got, err := s.Open(v, now)
	if err != nil || got.Token != tok || got.User != "anna" || !got.Expires.Equal(m.Expires) {
		t.Fatalf("open: %+v %v", got, err)
	}
	if _, err := s.Open(v, now.Add(time.Minute)); err == nil {
		t.Error("opened after its minute")
	}
	if _, err := other.Open(v, now); err == nil {
		t.Error("opened by the key of another base path")
	}
	b := []byte(v)
	b[len(b)/2] ^= 1
	for _, bad := range []string{string(b), "", "x", v[:len(v)-2], strings.Repeat("A", 5000)} {
		if _, err := s.Open(bad, now); err == nil || strings.Contains(err.Error(), bad[:min(len(bad), 8)]) && bad != "" {
			t.Errorf("Open(%.20q): %v", bad, err)
		}
	}
}

// FuzzParse: whatever a header holds, Parse never panics, accepts only
// strings of one shape, and its id is the token's own text.
func FuzzParse(f *testing.F) {
	tok, _ := New()
	for _, s := range []string{tok, "fgt_", "fgt_" + strings.Repeat("A", 55), tok[:Len-1] + "B", "", "fgt_\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := Parse(s)
		if err != nil {
			if err != ErrMalformed || id != "" {
				t.Fatalf("Parse(%q) = %q, %v", s, id, err)
			}
			return
		}
		if len(s) != Len || !strings.HasPrefix(s, Prefix+id) || !ValidID(id) {
			t.Fatalf("Parse(%q) accepted, id %q", s, id)
		}
		if _, err := ParseLine(id + ":u:n:" + strings.Repeat("0", 64) + ":" + s); err == nil {
			t.Fatal("a line with a token in it")
		}
	})
}
