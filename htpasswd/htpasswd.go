// Package htpasswd is a formgate.Checker over htpasswd lines — one
// "user:hash" a line, as Apache's htpasswd -B, Caddy's hash-password and
// formgate's own cmd/hash-password write them — with bcrypt ($2a$, $2b$,
// $2y$) or argon2id ($argon2id$) hashes, from golang.org/x/crypto.
//
// Other formats ({SHA}, $apr1$, crypt, plain text) are refused when the
// lines are read, with the line number and what to do: they are fast to
// guess once the file leaks.
//
// A hash check takes tens of milliseconds on purpose, so Users remembers
// credentials it has verified, for a few minutes, keyed by an HMAC of user
// name, password and stored hash under a key made at random for this
// process: never the password itself, and a new hash for a user misses
// whatever was remembered under the old one.
package htpasswd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	formgate "github.com/formgate/formgate"
)

// Users checks user names and passwords against htpasswd lines. It is safe
// for concurrent use.
type Users struct {
	users map[string]*user
	// fake is checked for unknown user names: the first user's hash, so an
	// unknown name costs the same as a wrong password (same kind and cost
	// as most users have), and the time taken does not tell who exists.
	fake  verifier
	cache *cache
}

type user struct {
	name  string
	hash  verifier
	stamp string
}

var _ formgate.Checker = (*Users)(nil)

// Cache settings: verified credentials are remembered this long, this many
// at most.
const (
	CacheTTL  = 5 * time.Minute
	CacheSize = 1000
)

// Parse reads htpasswd lines from r. Blank lines and lines starting with
// # are skipped. The error lists every bad line by number; it never
// quotes a hash.
func Parse(r io.Reader) (*Users, error) {
	u := &Users{users: map[string]*user{}, cache: newCache(CacheSize, CacheTTL)}
	firstLine := map[string]int{}
	var errs []error
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, hash, ok := strings.Cut(line, ":")
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("line %d: no ':' between the user name and the hash; write user:hash", n))
			continue
		case name == "":
			errs = append(errs, fmt.Errorf("line %d: the user name is empty", n))
			continue
		case firstLine[name] != 0:
			errs = append(errs, fmt.Errorf("line %d: user %q is already on line %d; each user once", n, name, firstLine[name]))
			continue
		}
		firstLine[name] = n
		v, err := parseHash(hash)
		if err != nil {
			errs = append(errs, fmt.Errorf("line %d (user %q): %w; make a hash with `go run ./cmd/hash-password %s` (or htpasswd -nB %s)", n, name, err, name, name))
			continue
		}
		u.users[name] = &user{name: name, hash: v, stamp: formgate.CredentialStamp(name, hash)}
		if u.fake == nil {
			u.fake = v
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 && len(u.users) == 0 {
		errs = append(errs, errors.New("no users: add one user:hash line"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return u, nil
}

// ParseFile reads the htpasswd file at path; errors name the file.
func ParseFile(path string) (*Users, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	u, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return u, nil
}

// Len is how many users there are.
func (u *Users) Len() int { return len(u.users) }

// Check implements formgate.Checker.
func (u *Users) Check(_ context.Context, name, password string) (formgate.User, bool, error) {
	usr, known := u.users[name]
	if !known {
		// The same work as a wrong password, and always a no.
		u.fake.verify(password)
		return formgate.User{}, false, nil
	}
	key := u.cache.key(name, password, usr.stamp)
	if u.cache.has(key) {
		return formgate.User{Name: usr.name, Stamp: usr.stamp}, true, nil
	}
	if !usr.hash.verify(password) {
		return formgate.User{}, false, nil
	}
	u.cache.add(key)
	return formgate.User{Name: usr.name, Stamp: usr.stamp}, true, nil
}

// Lookup implements formgate.Checker: a map lookup, no hashing.
func (u *Users) Lookup(_ context.Context, name string) (formgate.User, bool, error) {
	usr, ok := u.users[name]
	if !ok {
		return formgate.User{}, false, nil
	}
	return formgate.User{Name: usr.name, Stamp: usr.stamp}, true, nil
}
