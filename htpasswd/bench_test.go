package htpasswd

import (
	"context"
	"testing"
)

// An unknown user name costs what a wrong password for a known one does
// (the first user's hash is checked): the ratio of these two is ~1.

func BenchmarkWrongPassword(b *testing.B) {
	u := load(b)
	for b.Loop() {
		u.Check(context.Background(), "anna", "wrong")
	}
}

func BenchmarkUnknownUser(b *testing.B) {
	u := load(b)
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
