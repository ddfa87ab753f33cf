package formgate

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"
)

// A Checker decides whether a user name and password are good, and who
// the user then is. A wrong user name or password is ok == false, not an
// error; err is for a checker that could not decide (a store that is
// down), and the gate answers 503 to it without letting anyone in.
type Checker interface {
	Check(ctx context.Context, username, password string) (u User, ok bool, err error)
	// Lookup returns the user called name as the checker knows them now,
	// ok false when there is none. The gate asks on every request with a
	// session cookie, so that a session ends at once when its user is
	// removed or renamed, or has a new password (a new Stamp). It must be
	// cheap: no password hashing.
	Lookup(ctx context.Context, name string) (u User, ok bool, err error)
}

// User is who a Checker says the caller is. The gate puts Name in the
// request's Identity and Name and Stamp in the session cookie.
type User struct {
	Name string
	// Stamp names the user's current credential and changes with it (a
	// hash of the stored password hash, say). A session made under one
	// stamp ends when Lookup returns another. "" binds sessions to nothing
	// but the name.
	Stamp string
}

// CredentialStamp is a Stamp for a user whose stored credential is
// secret (a password hash, or a password): a SHA-256 over both, cut to 16
// bytes. It goes only into the encrypted session cookie; anyone who can
// read that already holds the session secret, which sits with the
// credentials in the same configuration.
func CredentialStamp(name, secret string) string {
	h := sha256.New()
	h.Write([]byte("formgate credential stamp\x00"))
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:16])
}

// validator is implemented by checkers that can find their own
// misconfiguration; New asks them once, at start.
type validator interface {
	Validate() error
}

// plain is a Checker for one account whose password is known in plain
// text.
type plain struct {
	name       string
	stamp      string
	user, pass [sha256.Size]byte
}

var (
	_ Checker   = (*plain)(nil)
	_ validator = (*plain)(nil)
)

// PlainPassword returns a Checker that accepts exactly one user name and
// password. New refuses an empty user name or password, and a user name
// with a colon (Basic credentials cannot carry one).
func PlainPassword(username, password string) Checker {
	return &plain{name: username, stamp: CredentialStamp(username, password),
		user: sha256.Sum256([]byte(username)), pass: sha256.Sum256([]byte(password))}
}

// Check compares both fields in constant time. Hashing first gives both
// sides the same length, so neither the length of the secret nor the
// position of the first wrong byte shows in the time taken; both fields are
// always compared, so a wrong user name takes as long as a wrong password.
func (p *plain) Check(_ context.Context, username, password string) (User, bool, error) {
	u := sha256.Sum256([]byte(username))
	pw := sha256.Sum256([]byte(password))
	okUser := subtle.ConstantTimeCompare(u[:], p.user[:])
	okPass := subtle.ConstantTimeCompare(pw[:], p.pass[:])
	if okUser&okPass != 1 {
		return User{}, false, nil
	}
	return User{Name: p.name, Stamp: p.stamp}, true, nil
}

// Lookup implements Checker.
func (p *plain) Lookup(_ context.Context, name string) (User, bool, error) {
	if name != p.name {
		return User{}, false, nil
	}
	return User{Name: p.name, Stamp: p.stamp}, true, nil
}

var emptyHash = sha256.Sum256(nil)

// Validate reports an empty user name or password, or a colon in the user
// name. The messages never contain the password.
func (p *plain) Validate() error {
	var errs []error
	switch {
	case p.name == "":
		errs = append(errs, errors.New("PlainPassword: the user name is empty"))
	case strings.ContainsRune(p.name, ':'):
		// RFC 7617: the user-id of Basic credentials cannot contain a colon.
		errs = append(errs, errors.New("PlainPassword: the user name contains ':', which Basic credentials cannot carry"))
	}
	if p.pass == emptyHash {
		errs = append(errs, errors.New("PlainPassword: the password is empty"))
	}
	return errors.Join(errs...)
}
