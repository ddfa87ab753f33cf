package auth

import (
	"strings"
	"testing"
)

func TestStaticCheck(t *testing.T) {
	c := NewStatic("anna", "s3cret pässwörd")
	tests := []struct {
		name, user, pass string
		want             bool
	}{
		{"right", "anna", "s3cret pässwörd", true},
		{"wrong password", "anna", "s3cret", false},
		{"wrong user", "bob", "s3cret pässwörd", false},
		{"case matters in user", "Anna", "s3cret pässwörd", false},
		{"empty", "", "", false},
		{"password as user", "s3cret pässwörd", "anna", false},
		{"trailing space", "anna", "s3cret pässwörd ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Check(tt.user, tt.pass); got != tt.want {
				t.Fatalf("Check(%q, %q) = %v, want %v", tt.user, tt.pass, got, tt.want)
			}
		})
	}
}

func BenchmarkStaticCheck(b *testing.B) {
	c := NewStatic("anna", "s3cret")
	b.ReportAllocs()
	for b.Loop() {
		c.Check("anna", "wrong")
	}
}

func TestParseBasic(t *testing.T) {
	tests := []struct {
		header, user, pass string
		ok                 bool
	}{
		{"Basic YW5uYTpzM2NyZXQ=", "anna", "s3cret", true},
		{"basic YW5uYTpzM2NyZXQ=", "anna", "s3cret", true},
		{"BASIC  YW5uYTpzM2NyZXQ= ", "anna", "s3cret", true},
		{"Basic SsO8cmdlbjpww6Rzczpzw7xzcw==", "Jürgen", "päss:süss", true}, // UTF-8, colon in password
		{"Basic OnB3", "", "pw", true},
		{"Basic YW5uYQ==", "", "", false}, // no colon
		{"Basic !!!", "", "", false},
		{"Bearer YW5uYTpzM2NyZXQ=", "", "", false},
		{"Basic", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		u, p, ok := ParseBasic(tt.header)
		if u != tt.user || p != tt.pass || ok != tt.ok {
			t.Errorf("ParseBasic(%q) = %q, %q, %v; want %q, %q, %v", tt.header, u, p, ok, tt.user, tt.pass, tt.ok)
		}
	}
}

func FuzzParseBasic(f *testing.F) {
	f.Add("Basic YW5uYTpzM2NyZXQ=")
	f.Fuzz(func(t *testing.T, h string) {
		u, _, ok := ParseBasic(h)
		if ok && strings.Contains(u, ":") {
			t.Fatalf("user name %q contains a colon", u)
		}
	})
}
