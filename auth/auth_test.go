package auth

import "testing"

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
