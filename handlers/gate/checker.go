package gate

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"strings"
)

// A Checker decides whether a user name and password are good, and who
// the user then is. A wrong user name or password is ok == false, not an
// error; err is for a checker that could not decide (a store that is
// down), and the gate answers 503 to it without letting anyone in.
type Checker interface {
	Check(ctx context.Context, username, password string) (u User, ok bool, err error)
}

// User is who a Checker says the caller is. The gate puts User.Name in the
// request's Identity and in the session cookie.
type User struct {
	Name string
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
	return &plain{name: username, user: sha256.Sum256([]byte(username)), pass: sha256.Sum256([]byte(password))}
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
	return User{Name: p.name}, true, nil
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
