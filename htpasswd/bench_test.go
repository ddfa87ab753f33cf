package htpasswd

import (
	"context"
	"strings"
	"testing"
)

// An unknown user name costs what a wrong password for a known one does
// (the hash of a user picked by the name is checked): the ratio of these
// two is ~1. The users share one cost, as hash-password makes them.

func sameCost(b *testing.B) *Users {
	b.Helper()
	u, err := Parse(strings.NewReader("anna:$2a$10$SLiLO30FXaMEGbKLFP9d2uXknmyRze16EunIJA5rgArOW/DEIOe0O\n" +
		"carl:$2a$10$SLiLO30FXaMEGbKLFP9d2uXknmyRze16EunIJA5rgArOW/DEIOe0O\n"))
	if err != nil {
		b.Fatal(err)
	}
	return u
}

func BenchmarkWrongPassword(b *testing.B) {
	u := sameCost(b)
	for b.Loop() {
		u.Check(context.Background(), "anna", "wrong")
	}
}

func BenchmarkUnknownUser(b *testing.B) {
	u := sameCost(b)
	for b.Loop() {
		u.Check(context.Background(), "nobody", "wrong")
	}
}

// BenchmarkRightPasswordCached: the right password again, from the cache.
func BenchmarkRightPasswordCached(b *testing.B) {
	u := load(b)
	u.Check(context.Background(), "anna", "correct horse")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, _ := u.Check(context.Background(), "anna", "correct horse"); !ok {
			b.Fatal("refused")
		}
	}
}
