// Package auth decides whether a user name and password are good. It knows
// nothing of HTTP: the handlers read the credentials from a form or an
// Authorization header and ask a Checker.
package auth

import (
	"crypto/sha256"
	"crypto/subtle"
)

// Checker says whether credentials are good.
type Checker interface {
	Check(username, password string) bool
}

// Static is a Checker for one account whose password is known in plain text
// (from configuration).
type Static struct {
	user [sha256.Size]byte
	pass [sha256.Size]byte
}

var _ Checker = (*Static)(nil)

// NewStatic returns a Checker that accepts exactly username and password.
func NewStatic(username, password string) *Static {
	return &Static{user: sha256.Sum256([]byte(username)), pass: sha256.Sum256([]byte(password))}
}

// Check compares both fields in constant time. Hashing first gives both
// sides the same length, so neither the length of the secret nor the
// position of the first wrong byte shows in the time taken; both fields are
// always compared, so a wrong user name takes as long as a wrong password.
func (s *Static) Check(username, password string) bool {
	u := sha256.Sum256([]byte(username))
	p := sha256.Sum256([]byte(password))
	okUser := subtle.ConstantTimeCompare(u[:], s.user[:])
	okPass := subtle.ConstantTimeCompare(p[:], s.pass[:])
	return okUser&okPass == 1
}
