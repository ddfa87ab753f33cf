// Package apitoken makes and reads formgate's tokens for scripts: "fgt_"
// followed by 41 random bytes in base64url (59 characters). The first 9
// bytes are the token's id — what a list, a log line and a revocation
// name — and the other 32 are its secret, 256 bits that no one can guess.
// The prefix lets secret scanners find a leaked token.
//
// Only a SHA-256 of the whole token is kept. A plain hash, not an HMAC:
// the token is random, so no guessing can start from its hash, and a hash
// without a key lets a file of hashes be made without the session secret
// (and a rotation of that secret leaves tokens alone). A lookup reads the
// id, then compares the hashes in constant time, so the time it takes
// does not depend on how much of a wrong token matches.
package apitoken

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"
)

const (
	// Prefix starts every token.
	Prefix = "fgt_"
	// IDLen is the random bytes of an id: 72 bits, 12 base64url
	// characters.
	IDLen = 9
	// SecretLen is the random bytes that prove the token.
	SecretLen = 32
	// Len is a token's length in characters.
	Len = len(Prefix) + ((IDLen+SecretLen)*8+5)/6
	// IDChars is an id's length in characters.
	IDChars = IDLen * 4 / 3
)

// ErrMalformed: not a token (wrong prefix, length or characters).
var ErrMalformed = errors.New("apitoken: malformed token")

// enc is strict base64url: a token has exactly one spelling.
var enc = base64.RawURLEncoding.Strict()

// Hash is what a store keeps of a token.
type Hash [sha256.Size]byte

// New returns a fresh token and its id.
func New() (token, id string) {
	var b [IDLen + SecretLen]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	return Prefix + enc.EncodeToString(b[:]), enc.EncodeToString(b[:IDLen])
}

// Parse returns the id of token, or ErrMalformed. It never panics and its
// error never contains the token.
func Parse(token string) (id string, err error) {
	if len(token) != Len || !strings.HasPrefix(token, Prefix) {
		return "", ErrMalformed
	}
	b, err := enc.DecodeString(token[len(Prefix):])
	if err != nil || len(b) != IDLen+SecretLen {
		return "", ErrMalformed
	}
	// 9 bytes are exactly 12 characters: the id is the token's own text.
	return token[len(Prefix) : len(Prefix)+IDChars], nil
}

// Looks reports whether s is meant as a token (it has the prefix), well
// formed or not: a header that does is read as a token, and nothing else.
func Looks(s string) bool { return strings.HasPrefix(s, Prefix) }

// ValidID reports whether id can be a token's id.
func ValidID(id string) bool {
	b, err := enc.DecodeString(id)
	return err == nil && len(b) == IDLen
}

// HashOf is the SHA-256 of the whole token.
func HashOf(token string) Hash { return sha256.Sum256([]byte(token)) }

// Matches reports, in constant time, whether token hashes to h.
func Matches(token string, h Hash) bool {
	got := HashOf(token)
	return subtle.ConstantTimeCompare(got[:], h[:]) == 1
}
